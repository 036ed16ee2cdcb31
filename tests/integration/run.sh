#!/usr/bin/env bash
# run.sh — runs every integration test: the functions named test_* in tests/integration/test_*.sh,
# each in its own temporary directory, against the real preload, analyzer and wrapper in build/.
# Prints one line per test and a closing "N passed, N failed" line; exits 1 if any failed.
# A name filter can be given: run.sh PATTERN runs only tests whose name contains PATTERN.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
filter=${1:-}
passed=0 failed=0 failures=()
for file in "$here"/test_*.sh; do
    source "$file"
    for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
        if [ -n "$filter" ] && [[ $t != *"$filter"* ]]; then unset -f "$t"; continue; fi
        T=$(mktemp -d /tmp/leakstamp-it.XXXXXX)
        start=$(date +%s%N)
        # not inside `if`: there bash would ignore set -e in the test's subshell
        (cd "$T" && set -e && "$t") >"$T/.log" 2>&1
        rc=$?
        if [ $rc -eq 0 ]; then
            passed=$((passed + 1)); status=ok
            rm -rf "$T"
        else
            failed=$((failed + 1)); status=FAIL; failures+=("$t")
            sed 's/^/    /' "$T/.log" | tail -30
        fi
        printf '%-4s %-50s %5d ms\n' "$status" "$(basename "$file" .sh):$t" $(( ($(date +%s%N) - start) / 1000000 ))
        unset -f "$t"
    done
done
[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}"
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
