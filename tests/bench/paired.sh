#!/usr/bin/env bash
# paired.sh — `make bench-paired`: the issue-16 wall-time targets of one bench job decided with a
# confidence interval, where `make bench` (medians of 5) only gives a reading.
#
# On a shared VM the job alone moves by ±10% from run to run and by up to 20% within an hour, so a
# median of five runs cannot tell 1.04× from 1.08×. This runs the job REPS times in each configuration,
# one run of each per repetition in an order rotated every repetition, and takes each run's ratio to
# the job alone *of the same repetition* (slow drift cancels). For each configuration it prints the
# median of those ratios and a distribution-free 95% interval for it (order statistics of the sorted
# ratios: ranks n/2 ∓ 0.98·√n), against the job alone and against the forward-only floor of the same
# repetition. A target is "met" when the whole interval is at or below it, "NOT met" when the whole
# interval is above it, and "undecided" otherwise (more repetitions narrow the interval as 1/√n).
#   usage: tests/bench/paired.sh [REPS] [JOB]    REPS default 150; JOB: churn+threads (default), churn, heavy
#   environment (for the test of this script): PAIRED_ARGS, the job's arguments instead of the bench's;
#   PAIRED_DOC, the document whose paired block is replaced instead of docs/performance.md.
# About 10 minutes at 150 repetitions on churn+threads. The table replaces the block between the
# paired markers in docs/performance.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/bench/doc_block.sh"
lib=$root/build/lib/libleakstamp.so
source "$root/tests/bench/preloads.sh"
reps=${1:-150}
jobname=${2:-churn+threads}
case $jobname in
    churn) exe=$root/build/tests/bench/churn; args="300 200000 0" ;;
    churn+threads) exe=$root/build/tests/bench/churn; args="300 200000 2" ;;
    heavy) exe=$root/build/tests/bench/alloc_heavy; args="100 4 260000" ;;
    *) echo "paired.sh: unknown job '$jobname' (churn, churn+threads or heavy)" >&2; exit 2 ;;
esac
args=${PAIRED_ARGS:-$args}
case $reps in
    '' | *[!0-9]*) echo "paired.sh: REPS must be a number of repetitions, got '$reps'" >&2; exit 2 ;;
esac
[ "$reps" -ge 20 ] || { echo "paired.sh: REPS must be at least 20 for an interval" >&2; exit 2; }

# name | preload (preloads.sh) | target (empty: none)
configs=(
    "alone|none|"
    "forward only|fwd|"
    "hooks only|hooks|"
    "sampled 1GiB (no samples)|ls-s1g|"
    "sampled 512KiB|ls-s512|1.05"
    "sampled 64KiB|ls-s64|1.10"
    "exact|ls|2.0"
)
n=${#configs[@]}
tmp=$(mktemp -d /tmp/leakstamp-paired.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

run_once() {   # run_once PRELOAD -> wall seconds
    local -a cmd=(env LEAKSTAMP_OUT="$tmp/out")
    preload_env "$1" cmd
    rm -rf "$tmp/out"; mkdir -p "$tmp/out"
    local t0=${EPOCHREALTIME/,/.}
    # shellcheck disable=SC2086
    "${cmd[@]}" "$exe" $args > "$tmp/stdout" 2> "$tmp/stderr" ||
        { echo "paired.sh: '$1 $exe $args' failed:" >&2; tail -5 "$tmp/stderr" >&2; exit 1; }
    local t1=${EPOCHREALTIME/,/.}
    awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.5f\n", b - a}'
}

echo "paired: $reps repetitions of $n configurations on $jobname ($exe $args)" >&2
for r in $(seq 0 $((reps - 1))); do
    declare -a wall=()
    for k in $(seq 0 $((n - 1))); do
        i=$(((k + r) % n))   # rotated: no configuration always runs right after another
        IFS='|' read -r _ pre _ <<< "${configs[$i]}"
        wall[i]=$(run_once "$pre")
    done
    echo "${wall[*]}" >> "$tmp/walls"
    [ $(((r + 1) % 10)) -ne 0 ] || echo "paired: repetition $((r + 1)) done" >&2
done

# interval COLUMN BASECOLUMN -> "median lo hi" of the per-repetition ratios $COLUMN / $BASECOLUMN
interval() {
    awk -v c="$1" -v b="$2" '{print $c / $b}' "$tmp/walls" | sort -g |
        awk '{v[NR] = $1} END {
            k = int((NR - 1.96 * sqrt(NR)) / 2); if (k < 1) k = 1
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.3f %.3f %.3f\n", m, v[k], v[NR - k + 1] }'
}
median_wall() { awk -v c="$1" '{print $c}' "$tmp/walls" | median; }

table=$tmp/table
{
    echo "| configuration | median wall s | ratio to alone (95% interval) | ratio to forward only (95% interval) | target | verdict |"
    echo "|---|---|---|---|---|---|"
    for i in $(seq 0 $((n - 1))); do
        IFS='|' read -r name _ limit <<< "${configs[$i]}"
        read -r m lo hi <<< "$(interval $((i + 1)) 1)"
        read -r fm flo fhi <<< "$(interval $((i + 1)) 2)"
        verdict=
        if [ -n "$limit" ]; then
            verdict=$(awk -v lo="$lo" -v hi="$hi" -v l="$limit" 'BEGIN{print (hi <= l ? "met" : (lo > l ? "NOT met" : "undecided"))}')
        fi
        printf "| %s | %.3f | %.3f× (%.3f–%.3f) | %.3f× (%.3f–%.3f) | %s | %s |\n" "$name" "$(median_wall $((i + 1)))" \
            "$m" "$lo" "$hi" "$fm" "$flo" "$fhi" "${limit:+≤ $limit×}" "$verdict"
    done
} > "$table"
cat "$table"

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r)"
doc=${PAIRED_DOC:-$root/docs/performance.md}
if grep -q "<!-- paired-$jobname:begin -->" "$doc"; then
    {
        echo "<!-- paired-$jobname:begin -->"
        echo "\`make bench-paired\` ($jobname: \`$(basename "$exe") $args\`), measured $(date -u +%Y-%m-%d) on $machine;"
        echo "$reps repetitions, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end:"
        echo
        cat "$table"
        echo "<!-- paired-$jobname:end -->"
    } > "$tmp/block"
    replace_block "$doc" "paired-$jobname" "$tmp/block"
fi
