#!/usr/bin/env bash
# run.sh — `make bench`: the overhead of leakstamp against the same job alone, measured side by side.
#
# Runs the benchmark jobs (tests/bench/alloc_heavy.cpp; tests/bench/churn.cpp without and with
# short-lived threads) REPS times in each configuration, alternating configurations within each
# repetition so that machine noise hits all of them alike, and prints the median wall time, CPU time
# (user+sys) and peak RSS of each, with ratios to the job alone (median, and min–max over the
# repetitions: on a shared machine wall ratios are noisy). Two floors: a preload that only forwards
# (tests/bench/forward.c) and, on the churn jobs, leakstamp's own assembly hooks with slow paths that
# only forward (tests/bench/hooks_only.c). Then the instructions the tool adds per
# malloc+free pair on each job (perf stat when the counters work, else valgrind's cachegrind on fewer
# events: (traced - alone) / allocations), which do not drift with the machine's load, and the
# issue-16 targets, met or not, with the top leak each sampled run found against the exact one. heaptrack
# and valgrind are measured too when installed (valgrind on fewer events, against the job alone on the
# same events). The table, with a description of the machine, replaces the block between the bench
# markers in docs/performance.md.
#   usage: tests/bench/run.sh [REPS]        (environment: BENCH_EVENTS, default 100)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/bench/doc_block.sh"
job=$root/build/tests/bench/alloc_heavy
churn=$root/build/tests/bench/churn
lib=$root/build/lib/libleakstamp.so
reps=${1:-5}
events=${BENCH_EVENTS:-100}
cevents=$((3 * events))   # a churn event lasts ~1.6 ms alone: three times as many, for runs of ~0.5 s
tmp=$(mktemp -d /tmp/leakstamp-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/bench/preloads.sh"

# name | command prefix | job arguments [| job, default alloc_heavy]
# map churn: tests/jobs/map_leaky maps and unmaps 4 KiB 100,000 times per event (mapping hooks + table).
mapjob=$root/build/tests/jobs/map_leaky
configs=(
    "heavy alone||$events 4 260000"
    "heavy forward only|fwd|$events 4 260000"
    "heavy exact|ls|$events 4 260000"
    "heavy sampled 512KiB|ls-s512|$events 4 260000"
    "heavy sampled 64KiB|ls-s64|$events 4 260000"
    "light alone||$events 4 20000 20000"
    "light exact|ls|$events 4 20000 20000"
    "map churn alone||churn 10|$mapjob"
    "map churn exact|ls|churn 10|$mapjob"
    "churn alone||$cevents 200000 0|$churn"
    "churn forward only|fwd|$cevents 200000 0|$churn"
    "churn hooks only|hooks|$cevents 200000 0|$churn"
    "churn exact|ls|$cevents 200000 0|$churn"
    "churn sampled 512KiB|ls-s512|$cevents 200000 0|$churn"
    "churn sampled 64KiB|ls-s64|$cevents 200000 0|$churn"
    "churn+threads alone||$cevents 200000 2|$churn"
    "churn+threads forward only|fwd|$cevents 200000 2|$churn"
    "churn+threads hooks only|hooks|$cevents 200000 2|$churn"
    "churn+threads exact|ls|$cevents 200000 2|$churn"
    "churn+threads sampled 512KiB|ls-s512|$cevents 200000 2|$churn"
    "churn+threads sampled 64KiB|ls-s64|$cevents 200000 2|$churn"
)
if command -v heaptrack >/dev/null; then configs+=("heavy heaptrack|heaptrack|$events 4 260000"); fi
if command -v valgrind >/dev/null; then
    configs+=("heavy alone (10 ev)||10 4 260000" "heavy valgrind (10 ev)|valgrind|10 4 260000")
fi

run_one() {   # run_one PREFIX ARGS [JOB [KEEP]] -> "wall cpu rss_kib"; KEEP: where its reports go
    local prefix=$1 args=$2 job=${3:-$job} out=${4:-$tmp/out}
    rm -rf "$out"; mkdir -p "$out"
    local -a cmd=()
    case $prefix in
        heaptrack) cmd=(heaptrack -o "$out/ht") ;;
        valgrind) cmd=(valgrind -q --leak-check=full --log-file="$out/vg.log") ;;
        ?*) cmd=(env LEAKSTAMP_OUT="$out"); preload_env "$prefix" cmd ;;
    esac
    # wall time from bash's microsecond clock: time(1) prints hundredths, 6% of a 0.16 s run
    local t0=${EPOCHREALTIME/,/.}
    # shellcheck disable=SC2086
    /usr/bin/time -f "%U %S %M" -o "$tmp/time" "${cmd[@]}" "$job" $args > "$tmp/stdout" 2> "$tmp/stderr" ||
        { echo "bench: '$prefix $job $args' failed:" >&2; tail -5 "$tmp/stderr" >&2; exit 1; }
    local t1=${EPOCHREALTIME/,/.}
    awk -v t0="$t0" -v t1="$t1" '{printf "%.4f %.3f %s\n", t1 - t0, $1 + $2, $3}' "$tmp/time"
}

echo "bench: $reps repetitions of ${#configs[@]} configurations, alternating" >&2
for r in $(seq 1 "$reps"); do
    for i in "${!configs[@]}"; do
        IFS='|' read -r name prefix args cjob <<< "${configs[$i]}"
        # the last repetition keeps its reports: the top leak of each tracked run (below)
        keep=; [ "$r" = "$reps" ] && keep=$tmp/reports.$i
        echo "$(run_one "$prefix" "$args" "$cjob" "$keep")" >> "$tmp/result.$i"
    done
    echo "bench: repetition $r done" >&2
done

declare -A wall cpu rss
declare -A idx
for i in "${!configs[@]}"; do
    IFS='|' read -r name prefix args cjob <<< "${configs[$i]}"
    idx[$name]=$i
    wall[$name]=$(awk '{print $1}' "$tmp/result.$i" | median)
    cpu[$name]=$(awk '{print $2}' "$tmp/result.$i" | median)
    rss[$name]=$(awk '{print $3}' "$tmp/result.$i" | median)
done

baseline_of() {   # the "alone" run a configuration is compared with
    case $1 in
        light*) echo "light alone" ;;
        map*) echo "map churn alone" ;;
        churn+threads*) echo "churn+threads alone" ;;
        churn*) echo "churn alone" ;;
        *"(10 ev)") echo "heavy alone (10 ev)" ;;
        *) echo "heavy alone" ;;
    esac
}

# min-max over the repetitions of the wall ratio, each repetition against its own "alone" run
ratio_range() {   # ratio_range NAME -> "min max"
    paste -d' ' "$tmp/result.${idx[$1]}" "$tmp/result.${idx[$(baseline_of "$1")]}" |
        awk '{r=$1/$4; if (NR==1||r<lo) lo=r; if (NR==1||r>hi) hi=r} END{printf "%.2f %.2f\n", lo, hi}'
}
wall_ratio() { awk -v w="${wall[$1]}" -v b="${wall[$(baseline_of "$1")]}" 'BEGIN{printf "%.2f\n", w/b}'; }

table=$tmp/table
{
    echo "| configuration | wall s | CPU s | peak RSS MiB | wall ratio | wall ratio min–max | CPU ratio | RSS ratio |"
    echo "|---|---|---|---|---|---|---|---|"
    for i in "${!configs[@]}"; do
        IFS='|' read -r name prefix args cjob <<< "${configs[$i]}"
        b=$(baseline_of "$name")
        read -r lo hi <<< "$(ratio_range "$name")"
        awk -v n="$name" -v w="${wall[$name]}" -v c="${cpu[$name]}" -v r="${rss[$name]}" -v lo="$lo" -v hi="$hi" \
            -v bw="${wall[$b]}" -v bc="${cpu[$b]}" -v br="${rss[$b]}" 'BEGIN{
            printf "| %s | %.3f | %.3f | %.1f | %.2fx | %.2f–%.2fx | %.2fx | %.2fx |\n", n, w, c, r/1024, w/bw, lo, hi, c/bc, r/br }'
    done
} > "$table"
cat "$table"

# Instructions the tool adds per malloc+free pair: counted, not timed. perf stat's instruction counter
# when it works (often not in a VM), else cachegrind's on a few events. Allocations: the exact run's
# own count (the exit record's allocation total, over every report the run wrote). Without the heap
# scan at exit: its child process would print a second count (valgrind follows the fork), and its cost
# is per run, not per pair (the wall-time runs above include it).
count_instr() {   # count_instr PREFIX EXE ARGS... -> instructions
    local prefix=$1 out=$tmp/icount; shift
    rm -rf "$out"; mkdir -p "$out"
    local -a env_=(env LEAKSTAMP_OUT="$out" LEAKSTAMP_SCAN=0)
    preload_env "$prefix" env_
    if [ "$icounter" = perf ]; then
        "${env_[@]}" perf stat -x, -e instructions:u -o "$tmp/perf" "$@" > /dev/null 2>&1
        awk -F, '/instructions/{print $1}' "$tmp/perf"
    else
        "${env_[@]}" valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 > /dev/null |
            awk '/I *refs/{gsub(",","",$4); print $4}'
    fi
}
allocs_of_exact_run() { cat "$tmp"/icount/*.lsr | awk -F'\t' '$1=="exit"{a+=$8} END{print a+0}'; }
icounter=none
if perf stat -x, -e instructions:u -o "$tmp/perf" true 2>/dev/null && ! grep -q "not supported" "$tmp/perf"; then
    icounter=perf
elif command -v valgrind > /dev/null; then
    icounter=cachegrind
fi
itable=$tmp/itable
if [ "$icounter" != none ]; then
    {
        echo "| job ($icounter) | allocations | exact: instructions per pair | sampled 512KiB | sampled 64KiB |"
        echo "|---|---|---|---|---|"
        for spec in "heavy|$job|5 4 260000" "churn|$churn|5 200000 0" "churn+threads|$churn|5 200000 2"; do
            IFS='|' read -r jname exe args <<< "$spec"
            # shellcheck disable=SC2086
            alone=$(count_instr none "$exe" $args)
            # shellcheck disable=SC2086
            exact=$(count_instr ls "$exe" $args); n=$(allocs_of_exact_run)
            # shellcheck disable=SC2086
            s512=$(count_instr ls-s512 "$exe" $args)
            # shellcheck disable=SC2086
            s64=$(count_instr ls-s64 "$exe" $args)
            awk -v j="$jname" -v a="$alone" -v e="$exact" -v s="$s512" -v t="$s64" -v n="$n" 'BEGIN{
                printf "| %s | %d | %.0f | %.0f | %.0f |\n", j, n, (e-a)/n, (s-a)/n, (t-a)/n }'
        done
    } > "$itable"
else
    echo "(no instruction counter: neither perf stat nor valgrind works here)" > "$itable"
fi
cat "$itable"

# The tool's own memory: RSS under the preload minus RSS alone, per live block and per stack.
memjob=$root/build/tests/bench/tool_memory
rss_of() { "$@" | awk '{print $2}'; }
mem_row() {   # mem_row live|stacks N
    local alone traced
    alone=$(rss_of "$memjob" "$1" "$2")
    traced=$(rss_of env LEAKSTAMP_OUT="$tmp" LD_PRELOAD="$lib" "$memjob" "$1" "$2")
    awk -v k="$1" -v n="$2" -v a="$alone" -v t="$traced" 'BEGIN{
        printf "| %s | %d | %.1f | %.1f | %.0f |\n", k == "live" ? "live blocks (32 B, one site)" : "distinct 20-frame stacks", n, a/1024, t/1024, (t-a)*1024/n }'
}
# The same per event, as a job's leak makes it grow (tests/jobs/rss_leak: BLOCKS blocks of 24 B per event):
# RSS growth per event under the tool minus alone, and the slope of the tool's own `toolmem` RSS as the
# analyzer fits it, each per leaked block.
leakjob=$root/build/tests/jobs/rss_leak
growth_row() {   # growth_row EVENTS BLOCKS
    local alone traced tool
    alone=$("$leakjob" "$1" "$2" 24 rss)
    rm -rf "$tmp/growth" && mkdir -p "$tmp/growth"
    traced=$(env LEAKSTAMP_OUT="$tmp/growth" LD_PRELOAD="$lib" "$leakjob" "$1" "$2" 24 rss)
    tool=$("$root/build/bin/leakstamp-analyze" --format json "$tmp/growth" | jq '.process_growth.tool_rss_bytes_per_event')
    awk -v e="$1" -v b="$2" -v a="$alone" -v t="$traced" -v m="$tool" 'BEGIN{
        printf "| live blocks growing, %d per event, %d events | %d | %.1f | %.1f | %.0f (toolmem slope: %.0f) |\n",
            b, e, b * e, a * e / 1048576, t * e / 1048576, (t - a) / b, m / b }'
}
memtable=$tmp/memtable
{
    echo "| what | count | RSS alone MiB | RSS traced MiB | tool bytes each |"
    echo "|---|---|---|---|---|"
    mem_row live 1000000
    mem_row stacks 100000
    growth_row 100 1000
    growth_row 1000 1000
} > "$memtable"
cat "$memtable"
per_block=$(awk -F'|' 'NR==3{gsub(/ /,"",$6); print $6}' "$memtable")

# The targets of issue 16, met or not (wall ratios: the median of the alternating runs).
targets=$tmp/targets
target() {   # target WHAT VALUE LIMIT
    awk -v w="$1" -v v="$2" -v l="$3" 'BEGIN{printf "- %s: %s (target <= %s): %s\n", w, v, l, (v+0 <= l+0) ? "met" : "NOT met"}'
}
# "with the same top leaks": the analyzer's first leak in the last repetition of each tracked run
top_leak() {
    "$root/build/bin/leakstamp-analyze" --format json "$tmp/reports.${idx[$1]}" |
        jq -r '[.sites[] | select(.verdict == "leak")][0].function // "none"'
}
# expected_samples NAME RATE_BYTES: how many samples the exact run's top leak would get at RATE in all
expected_samples() {
    "$root/build/bin/leakstamp-analyze" --format json "$tmp/reports.${idx[$1]}" |
        jq -r --argjson r "$2" '([.sites[] | select(.verdict == "leak")][0].bytes_per_event // 0) * .events / $r * 10 | round / 10'
}
verdict_of() {   # verdict_of NAME FUNCTION: that function's verdict in NAME's run
    "$root/build/bin/leakstamp-analyze" --all --format json "$tmp/reports.${idx[$1]}" |
        jq -r --arg f "$2" '[.sites[] | select(.function == $f)][0].verdict // "not seen"'
}
same_top() {   # same_top NAME RATE_BYTES
    local got want why=""
    got=$(top_leak "$1"); want=$(top_leak "${1%% sampled*} exact")
    # a site is seen growing from its second sample on, and a long gap at the end reads as a plateau
    # (docs/statistics.md): with few samples expected, Poisson decides
    [ "$got" = "$want" ] || why=" ($want is $(verdict_of "$1" "$want") here; it grew by ~$(expected_samples "${1%% sampled*} exact" "$2") sample intervals in all)"
    echo "- $1, top leak: $got (exact: $want): $([ "$got" = "$want" ] && echo same || echo DIFFERENT)$why"
}
{
    for j in heavy churn churn+threads; do
        echo "- $j forward only (the floor: a preload that only forwards), wall ratio: $(wall_ratio "$j forward only")"
        [ -z "${idx["$j hooks only"]:-}" ] ||
            echo "- $j hooks only (leakstamp's assembly hooks, slow paths that only forward), wall ratio: $(wall_ratio "$j hooks only")"
        target "$j exact, wall ratio" "$(wall_ratio "$j exact")" 2.0
        target "$j sampled 512KiB, wall ratio" "$(wall_ratio "$j sampled 512KiB")" 1.05
        target "$j sampled 64KiB, wall ratio" "$(wall_ratio "$j sampled 64KiB")" 1.10
        same_top "$j sampled 512KiB" 524288
        same_top "$j sampled 64KiB" 65536
    done
    target "light exact, wall ratio" "$(wall_ratio "light exact")" 1.05
    target "tool memory per live 32-byte block, bytes" "$per_block" 40
} > "$targets"
cat "$targets"

# The cost of a stamp: through the API, and through a named function (breakpoint + stamp).
stampjob=$root/build/tests/bench/stamp_cost
stamp_api=$(env LEAKSTAMP_OUT="$tmp" LD_PRELOAD="$lib" "$stampjob" api 20000)
stamp_named=$(env LEAKSTAMP_EVENT=tick LEAKSTAMP_OUT="$tmp" LD_PRELOAD="$lib" "$stampjob" named 20000)
stamp_none=$("$stampjob" named 20000)
echo "stamp: ${stamp_api} us (leakstamp_stamp), ${stamp_named} us (named function; ${stamp_none} us without the tool)"
# mincore at stamps: a stamp with 1 GiB of tracked, resident mappings against one with none
stamp_maps0=$(env LEAKSTAMP_OUT="$tmp" LD_PRELOAD="$lib" "$stampjob" maps 200 0)
stamp_maps1g=$(env LEAKSTAMP_OUT="$tmp" LD_PRELOAD="$lib" "$stampjob" maps 200 1024)
echo "stamp: ${stamp_maps0} us with no mapping, ${stamp_maps1g} us with 1 GiB mapped (mincore of 262,144 pages)"

# A heap scan at event 20 (tests/bench/scan_cost: 4 threads, N live blocks): the job's stall (the
# stamp that forks), and from the scan record the child's fork, scan time and memory mapped.
scanjob=$root/build/tests/bench/scan_cost
scan_row() {   # scan_row N
    local out=$tmp/scan stall
    rm -rf "$out"; mkdir -p "$out"
    stall=$(env LEAKSTAMP_OUT="$out" LEAKSTAMP_SCAN=20 LD_PRELOAD="$lib" "$scanjob" "$1")
    awk -F'\t' -v n="$1" -v st="$stall" '$1=="scan" && $2=="event" { split(st, s, " ")
        printf "| %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |\n", n, $6, s[1]/1000, s[2]/1000, $8/1000, $9/1000, $10/1048576 }' "$out"/*.lsr
}
scantable=$tmp/scantable
{
    echo "| live blocks | scanned | stamp with fork ms | other stamps ms | fork as the child saw it ms | scan ms | scan tables MiB |"
    echo "|---|---|---|---|---|---|---|"
    scan_row 100000
    scan_row 1000000
} > "$scantable"
cat "$scantable"

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), \
$(free -g | awk '/Mem:/{print $2}') GiB, Linux $(uname -r), $(ldd --version 2>&1 | sed -n "1s/.* //p") glibc"
doc=$root/docs/performance.md
[ -f "$doc" ] || printf '# Performance\n' > "$doc"
if ! grep -q '<!-- bench:begin -->' "$doc"; then
    printf '\n## Benchmark (make bench)\n<!-- bench:begin -->\n<!-- bench:end -->\n' >> "$doc"
fi
{
    echo "<!-- bench:begin -->"
    echo "Measured $(date -u +%Y-%m-%d) on: $machine."
    echo "Jobs: \`tests/bench/alloc_heavy\`, $events events, 4 threads; heavy = 260,000 allocations per event,"
    echo "light = 20,000 allocations and 20 ms of arithmetic per event; \`tests/bench/churn\`, $cevents events of"
    echo "200,000 malloc/free in batches of 64 (16–272 B) and a doubling vector, without and with 2 short-lived"
    echo "threads per event doing 50,000 malloc(32)/free each. Medians of $reps alternating runs; min–max of"
    echo "the per-repetition wall ratios beside them."
    echo
    cat "$table"
    echo
    echo "Instructions the tool adds per malloc+free pair (5 events of each job; (traced - alone) / allocations):"
    echo
    cat "$itable"
    echo
    echo "Targets (issue 16):"
    echo
    cat "$targets"
    echo
    echo "The tool's own memory (\`tests/bench/tool_memory\`: RSS under the preload minus RSS alone, after one stamp):"
    echo
    cat "$memtable"
    echo
    echo "A stamp (\`tests/bench/stamp_cost\`, 20,000 in a row): ${stamp_api} µs through \`leakstamp_stamp()\`,"
    echo "${stamp_named} µs through a named function (breakpoint trap + stamp; ${stamp_none} µs per call without the tool)."
    echo "With 1 GiB of tracked mappings (16 × 64 MiB, resident), whose resident bytes each stamp measures with"
    echo "\`mincore\` (262,144 pages): ${stamp_maps1g} µs per stamp (${stamp_maps0} µs with no mapping)."
    echo
    echo "A heap scan at event 20 (\`tests/bench/scan_cost N\`: 4 threads blocked, N live 48-byte blocks in lists"
    echo "held by globals, every 8th dropped; one run each): the job waits only for the stamp that forks; the"
    echo "child's fork, scan time and memory come from its scan record."
    echo
    cat "$scantable"
    echo "<!-- bench:end -->"
} > "$tmp/block"
replace_block "$doc" bench "$tmp/block"
echo "bench: table written to docs/performance.md" >&2
bash "$root/tests/bench/scale.sh"   # the analyzer on 10,000 reports (its own block in the same file)
