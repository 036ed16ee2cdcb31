#!/usr/bin/env bash
# scale.sh — part of `make bench`: the analyzer on a job array of 10,000 reports (tests/gen_big_report.c:
# 50 events, 10 sites each) against a baseline of 1,000 of the same reports in the same invocation, so
# the ratio shows whether time and memory grow linearly (ideal: 10x CPU time, memory well below 10x). The
# result replaces the block between the scale markers in docs/performance.md. No assertion: a number.
#   usage: tests/bench/scale.sh [REPORTS]     (default 10000; the baseline is REPORTS / 10)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/bench/doc_block.sh"
analyzer=$root/build/bin/leakstamp-analyze
n=${1:-10000}
tmp=$(mktemp -d /tmp/leakstamp-scale.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -g -o "$tmp/gen_big_report" "$root/tests/gen_big_report.c"
mkdir "$tmp/reports"
"$tmp/gen_big_report" 50 10 "$tmp/reports" "$n"

run() {   # run DIRS... -> "wall cpu rss_kib" (cpu: user + sys, steadier than wall on a shared machine)
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$analyzer" -r "$@" > /dev/null
    awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$tmp/time"
}
dirs() { for i in $(seq 0 $(($1 / 1000 - 1))); do echo "$tmp/reports/d$i"; done; }
base=$(run $(dirs $((n / 10))))
full=$(run $(dirs "$n"))
load=$(cut -d' ' -f1-3 /proc/loadavg)
line=$(awk -v b="$base" -v f="$full" -v n="$n" 'BEGIN{ split(b, x, " "); split(f, y, " ");
    printf "| %d | %.2f | %.2f | %.1f MiB | %d | %.2f | %.2f | %.1f MiB | %.1fx | %.1fx |", n / 10, x[1], x[2], x[3] / 1024,
           n, y[1], y[2], y[3] / 1024, y[2] / (x[2] > 0 ? x[2] : 0.01), y[3] / x[3] }')
echo "scale: $line (load $load)" >&2
doc=$root/docs/performance.md
{
    echo "<!-- scale:begin -->"
    echo "\`make bench\`, $(date -u +%Y-%m-%d), load average $load:"
    echo
    echo "| baseline reports | wall s | CPU s | peak RSS | reports | wall s | CPU s | peak RSS | CPU ratio | RSS ratio |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    echo "$line"
    echo "<!-- scale:end -->"
} > "$tmp/block"
replace_block "$doc" scale "$tmp/block"
