#!/usr/bin/env bash
# html-check.sh — `make html-check`: renders the HTML export of a demo run in headless Chromium and
# writes the screenshot to build/html-check/report.png, for a person to look at (layout, labels,
# overlaps are not things a structural test sees). Chromium is not a build or test dependency: install
# it with `apt-get install chromium` first. `make test` checks the HTML structurally
# (tests/integration/test_html.sh).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/html-check
command -v chromium >/dev/null || { echo "html-check: chromium not installed (apt-get install chromium)" >&2; exit 2; }
rm -rf "$out" && mkdir -p "$out"
"$root/build/bin/leakstamp" run -q -o "$out/run" -- "$root/build/tests/jobs/demo_leaky" 60 >/dev/null
"$root/build/bin/leakstamp-analyze" --format html --all -o "$out/report.html" "$out/run"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" \
    --screenshot="$out/report.png" --window-size=1400,2000 "file://$out/report.html" >"$out/chromium.log" 2>&1
[ -s "$out/report.png" ] || { echo "html-check: no screenshot (see $out/chromium.log)" >&2; exit 1; }
echo "html-check: $out/report.png (from $out/report.html)"
