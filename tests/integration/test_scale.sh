# test_scale.sh — many processes, one answer (docs/scale.md): a job array of our own (job_array.c) with
# rank variables set, half of it from a copy of the binary at another path, two tasks killed mid-run,
# a garbage file among the reports; the merged counts, per-process rates and ranks are exact, and
# merging 10 partials gives byte for byte the JSON of one run.

# 200 tasks of array job 4242 in $1/d0..d9 (task r in d$((r % 10))): tasks 100..199 run a copy of the
# binary staged at another path; tasks 7 and 123 die in event 10. 20 events each.
run_array() {
    local out=$1
    mkdir -p "$T/stage" && cp "$JOBS/job_array" "$T/stage/job_array"
    seq 0 199 | timeout 120 xargs -P 2 -I{} bash -c '
        r={}; exe='"$JOBS"'/job_array; [ "$r" -ge 100 ] && exe='"$T"'/stage/job_array
        die=0; [ "$r" -eq 7 ] || [ "$r" -eq 123 ] && die=10
        mkdir -p '"$out"'/d$((r % 10))
        SLURM_ARRAY_JOB_ID=4242 SLURM_JOB_ID=$((5000 + r)) SLURM_ARRAY_TASK_ID=$r \
            LEAKSTAMP_OUT='"$out"'/d$((r % 10)) LD_PRELOAD='"$LIB"' "$exe" 20 $die 2>/dev/null || true' 2>/dev/null
}

# The tests set the batch variables themselves: none inherited from a CI running under a batch system.
unset SLURM_JOB_ID SLURM_ARRAY_JOB_ID SLURM_ARRAY_TASK_ID SLURM_PROCID SLURM_NTASKS OMPI_COMM_WORLD_RANK \
    PMI_RANK PMIX_RANK _CONDOR_JOB_AD

# bounded_run DIR CMD...: CMD under the preload, killed after 60 s; timeout itself is not traced.
bounded_run() {
    mkdir -p "$1"
    timeout 60 bash -c 'o=$1 l=$2; shift 2; LEAKSTAMP_OUT=$o LD_PRELOAD=$l exec "$@"' _ "$1" "$LIB" "${@:2}"
}

site() { jq -r "$2" <(jq ".sites[] | select(.function == \"$1\")" a.json); }

test_job_array_merged_counts_rates_and_ranks_are_exact() {
    run_array all
    printf 'garbage\x00\x01 not a report\n' > all/d3/leakstamp.garbage.1.0.lsr
    expect_eq "reports written" 201 "$(find all -name '*.lsr' | wc -l)"
    expect_eq "rank in the file name" 1 "$(ls all/d0 | grep -c '^leakstamp\.job_array\.rank150\.')"
    "$ANALYZE" --format json -r all > a.json 2> err.txt
    expect_eq "one summary line for the garbage file" 1 "$(grep -c 'corrupt report.* skipped' err.txt)"
    expect_eq "skipped" 1 "$(jq .skipped_reports a.json)"
    expect_eq "processes" 200 "$(jq '.processes | length' a.json)"
    expect_eq "one executable at two paths is one group" 200 "$(jq .merged_processes a.json)"
    expect_eq "live at exit counted over processes with an exit record" 198 "$(jq .processes_with_exit a.json)"
    expect_eq "ranks" "$(seq 0 199 | tr '\n' ' ')" "$(jq -r '[.processes[].rank] | sort | map(tostring) | join(" ")' a.json) "
    expect_eq "job" 4242 "$(jq -r '[.processes[].job] | unique | join(",")' a.json)"
    expect_eq "killed tasks" "7:10 123:10" "$(jq -r '[.processes[] | select(.exit_reason == null) | "\(.rank):\(.events)"] | sort_by(split(":")[0] | tonumber) | join(" ")' a.json)"
    # every rank: 2 KiB per event
    expect_eq "base: processes" 200 "$(site base_leak .processes)"
    expect_eq "base: growing" 200 "$(site base_leak .processes_growing)"
    expect_eq "base: per process" "2048 2048" "$(site base_leak '.bytes_per_event_per_process | "\(.median) \(.max)"')"
    expect_eq "base: live at exit" $((198 * 20 * 2048)) "$(site base_leak .live_bytes_exit)"
    expect_eq "base: live at end (each process's last event)" $((198 * 19 * 2048 + 2 * 9 * 2048)) "$(site base_leak .live_bytes_end)"
    # every 50th rank: 64 KiB + 16 B x rank per event; the max at rank 150
    expect_eq "rank leak: 4/200" "4 4" "$(site rank_leak '"\(.processes) \(.processes_growing)"')"
    expect_eq "rank leak: median" $(( (65536 + 16 * 50 + 65536 + 16 * 100) / 2 )) "$(site rank_leak .bytes_per_event_per_process.median)"
    expect_eq "rank leak: max and its rank" "$((65536 + 16 * 150)) 150" "$(site rank_leak '.bytes_per_event_per_process | "\(.max) \(.max_rank)"')"
    expect_eq "sums: every rank's leak is the larger" 1 "$(jq '[.sites[] | select(.function == "base_leak" or .function == "rank_leak") | .bytes_per_event] | .[0] < .[1]' a.json | grep -c true)"
    expect_eq "the leak of 2% of ranks is ranked first" "rank_leak base_leak" "$(jq -r '[.sites[] | select(.verdict == "leak") | .function] | join(" ")' a.json)"
    "$ANALYZE" -r all > a.txt 2>/dev/null
    grep -q '^  4/200 processes, 65.17 KiB/event each (median; max 66.34 KiB/event, rank 150)$' a.txt || fail "spread line: $(grep processes, a.txt)"
    grep -q 'stage/job_array  100 processes, 10\.\.20 events, 100 leaking, 1 without exit record; worst: rank 150 66.34 KiB/event, rank 100 65.56 KiB/event, rank 110 2.00 KiB/event' a.txt ||
        fail "process summary: $(sed -n '/^processes:/,$p' a.txt)"
    [ "$(sed -n '/^processes:/,$p' a.txt | wc -l)" -le 4 ] || fail "processes listed one by one"
    # --strict: the garbage file is an error
    rc=0; "$ANALYZE" --strict -r all > /dev/null 2> err.txt || rc=$?
    expect_eq "--strict exit" 2 "$rc"
    grep -q 'garbage.1.0.lsr:1: not a leakstamp report' err.txt || fail "strict message: $(cat err.txt)"
    # the gate limits growth per process, not the sum of 80 processes' 2 KiB/event
    rc=0; "$ANALYZE" --gate --max-growth 4KiB all/d1 all/d2 all/d4 all/d5 > gate.txt 2>&1 || rc=$?
    expect_eq "gate: no rank grows more than 4 KiB/event in d1,d2,d4,d5 (the sum is 160 KiB)" 0 "$rc"
    rc=0; "$ANALYZE" --gate --max-growth 1KiB all/d1 all/d2 all/d4 all/d5 > gate.txt 2>&1 || rc=$?
    expect_eq "gate: each rank grows 2 KiB/event, more than 1 KiB" 1 "$rc"
}

test_partials_merge_to_the_json_of_one_run() {
    run_array all
    printf 'garbage\n' > all/d3/leakstamp.garbage.1.0.lsr
    "$ANALYZE" --format json -r all > one.json 2>/dev/null
    for d in 0 1 2 3 4 5 6 7 8 9; do
        "$ANALYZE" --partial -o "s$d.lsp" "all/d$d" 2>/dev/null
    done
    "$ANALYZE" --format json s?.lsp > merged.json
    cmp one.json merged.json || fail "partials differ: $(diff one.json merged.json | head -20)"
    expect_eq "merged processes" 200 "$(jq .merged_processes merged.json)"
    # a partial of partials is the same partial
    "$ANALYZE" --partial -o all.lsp s?.lsp
    "$ANALYZE" --format json all.lsp > again.json
    cmp one.json again.json || fail "partial of partials differs"
    # text from partials: the same summary
    "$ANALYZE" s?.lsp > m.txt 2>/dev/null
    "$ANALYZE" -r all > o.txt 2>/dev/null
    cmp m.txt o.txt || fail "text differs: $(diff m.txt o.txt | head)"
    # a cut partial is one clear line, exit 2
    head -c 3000 s4.lsp > cut.lsp
    rc=0; "$ANALYZE" cut.lsp s5.lsp > /dev/null 2> err.txt || rc=$?
    expect_eq "cut partial exit" 2 "$rc"
    expect_eq "cut partial message lines" 1 "$(wc -l < err.txt)"
}

test_files_from_and_recursive() {
    run_array all
    find all -name '*.lsr' | sort > list.txt
    "$ANALYZE" --format json --files-from list.txt > a.json
    "$ANALYZE" --format json -r all > b.json
    cmp a.json b.json || fail "--files-from differs from -r"
    find all -name '*.lsr' | "$ANALYZE" --format json --files-from - > c.json
    cmp a.json c.json || fail "--files-from - differs"
    rc=0; "$ANALYZE" all > /dev/null 2> err.txt || rc=$?
    expect_eq "a directory of directories without -r" 2 "$rc"
    grep -q -- '-r also reads its subdirectories' err.txt || fail "hint: $(cat err.txt)"
}

# An interpreter started through shell shims (issue 12, item 7): the helper processes (no events, no
# leak) are one line, get no timeline section, and the HTML page is named after the job, not bash.
test_shim_helpers_are_one_summary_line() {
    cat > shim.sh <<SH
#!/bin/bash
for i in 1 2 3; do bash -c 'true'; done
env true; env true
exec env FOO=1 $JOBS/job_array 20
SH
    chmod +x shim.sh
    bounded_run out ./shim.sh
    [ "$(ls out/*.lsr | wc -l)" -ge 10 ] || fail "expected the shims' reports too: $(ls out)"
    "$ANALYZE" out > a.txt
    sed -n '/^processes:/,$p' a.txt > procs.txt
    expect_eq "process section: a title, the job, one helper line (fit lines indented)" 3 "$(grep -vc '^      ' procs.txt)"
    grep -q '^  [0-9]* helper processes: bash ×[0-9]*, env ×3, true ×2 — no events, no leak' procs.txt ||
        fail "helper line: $(cat procs.txt)"
    "$ANALYZE" --timeline out > t.txt
    expect_eq "timeline sections" 1 "$(grep -c '^timeline of event' t.txt)"
    "$ANALYZE" --format json --timeline out > t.json
    expect_eq "JSON timelines" 1 "$(jq '[.processes[] | select(.timeline)] | length' t.json)"
    "$ANALYZE" --format html -o page.html out
    grep -q '<title>leakstamp: job_array</title>' page.html || fail "title: $(grep -o '<title>[^<]*' page.html | head -1)"
    expect_eq "HTML lists the job, not the shims" 1 "$(grep -c '<p class="sub">pid ' page.html)"
}

# Issue 11 "Also": one empty report (a child killed right after fork) does not reject the directory,
# and a FIFO given as a report is one clear line, not a hang.
test_empty_report_is_skipped_and_fifo_is_refused() {
    bounded_run out "$JOBS/job_array" 20
    : > out/leakstamp.child.99999.0.lsr
    rc=0; timeout 60 "$ANALYZE" --format json out > a.json 2> err.txt || rc=$?
    expect_eq "exit with an empty report" 0 "$rc"
    expect_eq "processes" 1 "$(jq '.processes | length' a.json)"
    expect_eq "warning lines" 1 "$(wc -l < err.txt)"
    grep -q '1 empty report skipped (a process that wrote nothing.*leakstamp.child.99999.0.lsr' err.txt ||
        fail "warning: $(cat err.txt)"
    rc=0; timeout 60 "$ANALYZE" --strict out > /dev/null 2>&1 || rc=$?
    expect_eq "an empty report is not an error even with --strict" 0 "$rc"
    mkfifo pipe.lsr
    rc=0; timeout 20 "$ANALYZE" pipe.lsr > /dev/null 2> err.txt || rc=$?
    expect_eq "FIFO exit (124 is a hang)" 2 "$rc"
    expect_eq "FIFO message" "leakstamp-analyze: pipe.lsr: not a regular file (a FIFO, socket or device): a report must be a file" "$(cat err.txt)"
    # a /proc file says size 0 and is not empty: not taken for a report that wrote nothing
    rc=0; "$ANALYZE" /proc/self/status > /dev/null 2> err.txt || rc=$?
    expect_eq "/proc file exit" 2 "$rc"
    expect_eq "/proc file message" "leakstamp-analyze: /proc/self/status:1: not a leakstamp report" "$(cat err.txt)"
}

# Which variable gives the rank (docs/report-format.md "Batch identity"), and HTCondor's job ad.
test_batch_identity_in_header_and_file_name() {
    OMPI_COMM_WORLD_RANK=3 SLURM_ARRAY_TASK_ID=9 SLURM_JOB_ID=77 bounded_run mpi "$JOBS/job_array" 3
    r=$(one_report mpi)
    expect_eq "MPI rank wins" 3 "$(header "$r" rank)"
    expect_eq "job" 77 "$(header "$r" job)"
    [[ $(basename "$r") == leakstamp.job_array.rank3.*.lsr ]] || fail "file name $(basename "$r")"
    expect_eq "batch lines" "SLURM_JOB_ID SLURM_ARRAY_TASK_ID OMPI_COMM_WORLD_RANK" \
        "$(awk -F'\t' '$1=="batch"{printf "%s%s", s, $2; s=" "}' "$r")"
    SLURM_PROCID=5 SLURM_NTASKS=8 SLURM_ARRAY_TASK_ID=9 bounded_run step "$JOBS/job_array" 3
    expect_eq "a step of several tasks: SLURM_PROCID" 5 "$(header "$(one_report step)" rank)"
    printf 'ClusterId = 4711\nProcId = 12\nOwner = "me"\n' > job.ad
    _CONDOR_JOB_AD=$T/job.ad bounded_run condor "$JOBS/job_array" 3
    r=$(one_report condor)
    expect_eq "HTCondor rank and job" "12 4711" "$(header "$r" rank) $(header "$r" job)"
    bounded_run none "$JOBS/job_array" 3
    r=$(one_report none)
    expect_eq "no batch system: no rank" "" "$(header "$r" rank)"
    [[ $(basename "$r") == leakstamp.job_array.[0-9]*.0.lsr ]] || fail "file name $(basename "$r")"
    "$ANALYZE" --format json condor none > a.json
    expect_eq "JSON rank" "12 null" "$(jq -r '[.processes[].rank | tostring] | join(" ")' a.json)"
}
