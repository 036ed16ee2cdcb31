#!/usr/bin/env bash
# tests/cpython/run.sh — CPython's own tests of the things a preload can break (subprocesses and their
# descriptors, threads, signals, fork, mmap, ctypes) run twice, without and with libleakstamp.so, and
# must give the same outcome test by test (issue 11, "Done when"). Uses Debian's /usr/bin/python3 and
# its test suite (libpython3.X-testsuite, installed by scripts/install-deps.sh). Prints one line per
# run with its counts and exits 1 when any test's outcome differs.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$ROOT/build/lib/libleakstamp.so
PY=/usr/bin/python3
TESTS="test_subprocess test_threading test_signal test_fork1 test_mmap test_ctypes"
"$PY" -c 'import test.test_subprocess' 2>/dev/null || {
    echo "cpython: $PY has no test suite (scripts/install-deps.sh installs it)" >&2; exit 1; }
W=$(mktemp -d /tmp/leakstamp-cpython.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/out"
chmod 1777 "$W/out"   # some tests drop privileges; their processes run untracked otherwise

# outcomes FILE.xml: "<class>.<test> <outcome>" per test case, sorted
outcomes() {
    "$PY" - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
rows = []
for c in ET.parse(sys.argv[1]).getroot().iter('testcase'):
    kind = 'pass'
    for k in ('failure', 'error', 'skipped'):
        if c.find(k) is not None:
            kind = k
            break
    rows.append(f"{c.get('classname')}.{c.get('name')} {kind}")
print('\n'.join(sorted(rows)))
PY
}

run() {   # run NAME [preload]
    local name=$1 start=$SECONDS
    if [ -n "${2:-}" ]; then
        LEAKSTAMP_OUT=$W/out LD_PRELOAD=$LIB timeout -k 10 600 "$PY" -m test -j2 --junit-xml "$W/$name.xml" $TESTS \
            > "$W/$name.log" 2>&1
    else
        timeout -k 10 600 "$PY" -m test -j2 --junit-xml "$W/$name.xml" $TESTS > "$W/$name.log" 2>&1
    fi
    [ -f "$W/$name.xml" ] || { echo "cpython: the $name run wrote no results"; tail -20 "$W/$name.log"; return 1; }
    outcomes "$W/$name.xml" > "$W/$name.txt"
    printf 'cpython %-8s %s tests: %s passed, %s failed, %s errors, %s skipped (%d s)\n' "$name" \
        "$(wc -l < "$W/$name.txt")" "$(grep -c ' pass$' "$W/$name.txt")" "$(grep -c ' failure$' "$W/$name.txt")" \
        "$(grep -c ' error$' "$W/$name.txt")" "$(grep -c ' skipped$' "$W/$name.txt")" $((SECONDS - start))
}

run plain || exit 1
run preload yes || exit 1
if ! diff "$W/plain.txt" "$W/preload.txt" > "$W/diff"; then
    echo "cpython: outcomes differ under the preload:"
    cat "$W/diff"
    grep -B2 -A12 -E '^(FAIL|ERROR):' "$W/preload.log" | head -60
    exit 1
fi
echo "cpython: same outcome for every test with and without the preload"
