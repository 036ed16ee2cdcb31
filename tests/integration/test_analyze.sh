# test_analyze.sh — the analyzer on real reports from the preload, in situations users run into:
# a shell wrapping the job, a job without stamps, an event function that never ran.

test_wrapper_shell_is_not_merged_with_the_job() {
    mkdir out
    LEAKSTAMP_OUT=out LD_PRELOAD=$LIB /bin/sh -c "$JOBS/hostile 6 > /dev/null; exit 0"
    "$ANALYZE" --format json out > a.json
    expect_eq "processes" 2 "$(jq '.processes | length' a.json)"
    expect_eq "merged: only the job" "hostile" \
        "$(jq -r '[.processes[] | select(.in_merged_view) | .exe | split("/") | last] | join(",")' a.json)"
    expect_eq "growth per event" 64 "$(jq '.sites[] | select(.function == "leak64") | .bytes_per_event' a.json)"
}

test_no_stamps_says_so() {
    preload_run out "$JOBS/gate_unit" > /dev/null 2>&1 || true
    "$ANALYZE" out > report.txt
    grep -q '^no events to compare: 0 stamps of "any name"' report.txt || fail "$(head -5 report.txt)"
    grep -q 'leakstamp run --event NAME' report.txt || fail "no hint"
}

test_event_function_that_never_ran_is_named() {
    LEAKSTAMP_EVENT=no_such_function preload_run out "$JOBS/hostile" 4 > /dev/null 2> run.err || true
    grep -q "event function no_such_function matched no function" run.err || fail "run: $(cat run.err)"
    "$ANALYZE" out > /dev/null 2> an.err
    grep -q 'the event function "no_such_function" named at run time was never entered' an.err ||
        fail "analyze: $(cat an.err)"
}

test_round_trip_of_names_with_separators() {
    # the preload escapes TAB, newline, CR and backslash in names; the analyzer gives them back exactly
    preload_run out "$JOBS/odd_names" 6
    "$ANALYZE" --format json out > a.json
    expect_eq "event stamp" $'ev\tent\\n "1"' "$(jq -r '.event_stamp' a.json)"
    expect_eq "events" 7 "$(jq '.events' a.json)"
    expect_eq "leak per event" 24 "$(jq '.sites[] | select(.function == "leak24") | .bytes_per_event' a.json)"
    local second=$'line\nbreak\r\\t \xc3\xa9'
    "$ANALYZE" --format json --event "$second" out > b.json
    expect_eq "second name" "$second" "$(jq -j '.event_stamp' b.json)"
}

test_timeline_shows_the_events_own_intervals() {
    # one boundary stamp per event (the usual --event case): the timeline of event 4 must run from its
    # boundary to the next one, so that the event's own growth is listed (it showed the interval that
    # ended at the boundary, which belongs to event 3, and never the one after it)
    "$WRAP" run -q -o out -- "$JOBS/demo_leaky" 5 >/dev/null
    "$ANALYZE" --timeline 4 out > t.txt
    sed -n '/^timeline of event 4/,/^interval growth/p' t.txt > shown.txt
    expect_eq "stamps shown" "7 8 9" "$(awk '$1 ~ /^[0-9]+$/ {printf "%s%s", n++ ? " " : "", $1}' shown.txt)"
    expect_eq "intervals shown" "event → digitize
digitize → event" "$(grep -o '[a-z]* → [a-z]*' shown.txt)"
    "$ANALYZE" --format json --timeline 4 out > t.json
    expect_eq "first stamp carries no change" "0 0" \
        "$(jq -r '.processes[0].timeline.stamps[0] | "\(.since_previous_us) \(.heap_change_bytes)"' t.json)"
}

test_one_report_named_by_two_paths_is_read_once() {
    # out and ./out, or a symbolic link beside its target: one file, one process, its growth once
    preload_run out "$JOBS/hostile" 6 > /dev/null 2>&1 || true   # (it exits non-zero on purpose)
    "$ANALYZE" --format json out > one.json
    "$ANALYZE" --format json out ./out "$(one_report out)" > two.json
    mkdir -p sl/sub && cp "$(one_report out)" sl/sub/x.lsr && ln -s sub/x.lsr sl/link.lsr
    "$ANALYZE" --format json -r sl > link.json
    local f
    for f in two link; do
        expect_eq "$f: processes" 1 "$(jq '.processes | length' $f.json)"
        expect_eq "$f: growth per event" "$(jq '.sites[] | select(.function == "leak64") | .bytes_per_event' one.json)" \
            "$(jq '.sites[] | select(.function == "leak64") | .bytes_per_event' $f.json)"
    done
}

test_output_naming_an_input_report_is_refused() {
    preload_run out "$JOBS/hostile" 6 > /dev/null 2>&1 || true   # (it exits non-zero on purpose)
    local r; r=$(one_report out); cp "$r" kept
    local rc=0; "$ANALYZE" -o "out/../$r" out > /dev/null 2> err || rc=$?
    expect_eq "exit status" 2 "$rc"
    expect_eq "error lines" 1 "$(wc -l < err)"
    grep -q -- "-o names one of the input reports" err || fail "$(cat err)"
    cmp kept "$r" || fail "the report was overwritten"
}

test_unusable_entries_of_a_directory_are_skipped_and_named() {
    # a FIFO (never opened: it would block), a device and a dangling link, each named *.lsr
    preload_run out "$JOBS/hostile" 6 > /dev/null 2>&1 || true   # (it exits non-zero on purpose)
    mkfifo out/fifo.lsr; ln -s /dev/zero out/zero.lsr; ln -s /nonexistent out/dangling.lsr
    timeout 20 "$ANALYZE" --format json out > a.json 2> err || fail "status $?: $(cat err)"
    expect_eq "warning" "leakstamp-analyze: warning: 3 unreadable or corrupt reports skipped (--strict makes this an error): out/dangling.lsr: a dangling symbolic link; out/fifo.lsr: not a regular file (a FIFO, socket or device): never read; out/zero.lsr: not a regular file (a FIFO, socket or device): never read" "$(cat err)"
    expect_eq "processes" 1 "$(jq '.processes | length' a.json)"
    local rc=0; timeout 20 "$ANALYZE" --strict out > /dev/null 2> err || rc=$?
    expect_eq "--strict: exit status" 2 "$rc"
    expect_eq "--strict: error" "leakstamp-analyze: out/dangling.lsr: a dangling symbolic link" "$(cat err)"
}

test_counts_no_process_reaches_are_a_corrupt_record() {
    # INT64_MAX live bytes passed the gate ("PASS: no leaks") and overflowed the merge's int64 sums
    preload_run out "$JOBS/hostile" 6 > /dev/null 2>&1 || true   # (it exits non-zero on purpose)
    local r rc; r=$(one_report out)
    perl -F'\t' -lane 'if ($F[0] eq "site") { @F[4, 5] = ("9223372036854775807") x 2 } print join("\t", @F)' "$r" > max.lsr
    perl -F'\t' -lane 'if ($F[0] eq "site" && !$d++) { $F[6] = "-1" } print join("\t", @F)' "$r" > negtotal.lsr
    local f
    for f in max negtotal; do
        rc=0; "$ANALYZE" --gate $f.lsr > /dev/null 2> err || rc=$?
        expect_eq "$f: gate exit status" 2 "$rc"
        grep -q "^leakstamp-analyze: $f.lsr:[0-9]*: bad site line: a count beyond what any process reaches" err ||
            fail "$f: $(cat err)"
    done
    # a live count just below zero (a snapshot's) is accepted
    perl -F'\t' -lane 'if ($F[0] eq "site" && !$d++) { @F[4, 5] = (-1, -24) } print join("\t", @F)' "$r" > neg.lsr
    "$ANALYZE" neg.lsr > /dev/null || fail "a live count of -1 was refused"
}

test_warnings_stay_one_bounded_line() {
    # a newline in a skipped report's name, and a 100 KB directory name: one line each, at most 4 KiB
    preload_run out "$JOBS/hostile" 6 > /dev/null 2>&1 || true   # (it exits non-zero on purpose)
    local report; report=$(one_report out)
    printf 'garbage\n' > "out/bad
name.lsr"
    "$ANALYZE" out > /dev/null 2> err || fail "status $?"
    expect_eq "warning lines" 1 "$(wc -l < err)"
    grep -q "out/bad name.lsr:1: not a leakstamp report" err || fail "$(cat err)"
    local long; long=$(printf 'd%.0s' $(seq 200)); mkdir -p "$long"
    local deep=$long i; for i in $(seq 2 20); do deep=$deep/$long; done   # 4 KB of path, well past the limit
    # a truncated report: the warning names its path, 4 KB
    mkdir -p "$deep" && cp "$report" "$deep/t.lsr" && printf 'stamp\t9' >> "$deep/t.lsr"
    "$ANALYZE" "$deep" > /dev/null 2> err || fail "status $?"
    expect_eq "long: warning lines" 1 "$(wc -l < err)"
    [ "$(wc -c < err)" -le 4200 ] || fail "a warning of $(wc -c < err) bytes"
    grep -q '\.\.\.$' err || fail "no mark of the cut: $(tail -c 100 err)"
}
