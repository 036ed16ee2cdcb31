# test_real_shapes.sh — the analyzer on jobs shaped like real ones (issue 12): std:: templates inlined
# several levels deep at -O2, the runtime's own blocks made on the job's line, a free-list pool grown
# from two callers, sampled runs with few samples, jobs driven from python through ctypes and a C
# extension.

# the full inline chain: each allocation is named at the job's own line inside the inlined function
# that allocates, not at the event function or main, and two lines of one function stay apart
test_inlined_templates_named_at_the_users_line() {
    preload_run out "$JOBS/inline_deep" 20 > /dev/null
    "$ANALYZE" --format json out > a.json
    local src=$ROOT/tests/jobs/inline_deep.cpp a b c d
    a=$(grep -n '// LINE A' "$src" | cut -d: -f1)
    b=$(grep -n '// LINE B' "$src" | cut -d: -f1)
    c=$(grep -n '// LINE C' "$src" | cut -d: -f1)
    d=$(grep -n '// LINE D' "$src" | cut -d: -f1)
    local q='[.sites[] | select(.verdict == "leak")] | sort_by(.line) | map("\(.function)|\(.line)|\(.bytes_per_event)") | join(",")'
    expect_eq "leak sites" \
        "det::TrackHistory::linkSecondaries()|$a|48,det::TrackHistory::linkSecondaries()|$b|48,det::HitCache::remember(int)|$c|100,det::HitCache::remember(int)|$d|16" \
        "$(jq -r "$q" a.json)"
}

# pthread_create's TLS blocks (calloc inside libc and the loader) are the runtime's, not the job's
# malloc(123) on the same line: that site holds exactly 100 blocks of 123 B
test_thread_create_blocks_are_not_the_users_site() {
    preload_run out "$JOBS/thread_line" 100 > /dev/null
    "$ANALYZE" --format json --all out > a.json
    local line; line=$(grep -n '/* THE LINE' "$ROOT/tests/jobs/thread_line.c" | cut -d: -f1)
    expect_eq "the job's site" "leak 12300 100 123" \
        "$(jq -r --argjson l "$line" '[.sites[] | select(.function == "spawn" and .line == $l)] | if length == 1 then .[0] | "\(.verdict) \(.live_bytes_end) \(.live_allocs_end) \(.bytes_per_event)" else "\(length) sites" end' a.json)"
    expect_eq "the runtime's blocks are a site of their own, named inside the runtime" true \
        "$(jq '[.sites[] | select(.runtime and (.module | test("ld-linux|libc")))] | length > 0' a.json)"
}

# a free-list pool grown from two callers: one location (Pool::Grow's line) with the pool's whole
# growth, 25 chunks of 1 KiB over 40 events (400 objects of 64 B, 16 per chunk), and its two call paths
# beneath; --skip-frames still names the callers instead
test_pool_grown_from_two_callers_is_one_location_with_two_paths() {
    preload_run out "$JOBS/pool_grow" 40 > /dev/null
    "$ANALYZE" --format json out > a.json
    local line; line=$(grep -n 'GROW LINE' "$ROOT/tests/jobs/pool_grow.cpp" | cut -d: -f1)
    expect_eq "leak locations" "pool::Pool::Grow()|$line|25600|640|2" \
        "$(jq -r '[.locations[] | select(.verdict == "leak") | "\(.function)|\(.line)|\(.live_bytes_end)|\(.bytes_per_event)|\(.paths | length)"] | join(",")' a.json)"
    expect_eq "the paths: their callers, shares adding up to the whole" "makeStep(),makeTrack() 1" \
        "$(jq -r '.locations[0].paths | "\([.[].stack[] | select(.function | test("^make")) | .function] | sort | join(",")) \(map(.share) | add)"' a.json)"
    expect_eq "the paths' bytes add up to the location's" 25600 \
        "$(jq '.locations[0].paths | map(.live_bytes_end) | add' a.json)"
    "$ANALYZE" out > report.txt
    expect_eq "one row in the text table" 1 "$(grep -c '^ *[0-9]\+  leak ' report.txt)"
    grep -q '^  2 call paths:' report.txt || fail "$(cat report.txt)"
    gate_rc g.txt -o gated -- "$JOBS/pool_grow" 40 > rc.txt
    expect_eq "the gate fails one row, the pool's whole growth" "1 1" \
        "$(cat rc.txt) $(grep -c '^  growth ' g.txt)"
    grep -Eq '^  growth +\+640 B/ev .*pool::Pool::Grow\(\)  tests/jobs/pool_grow\.cpp:' g.txt || fail "$(cat g.txt)"
    "$ANALYZE" --format json --skip-frames '^pool::' out > s.json
    expect_eq "--skip-frames names the callers" "makeStep(),makeTrack()" \
        "$(jq -r '[.locations[] | select(.verdict == "leak") | .function] | sort | join(",")' s.json)"
}

# stacks in the text report stop at the first frame outside the job's code past the event function,
# with a count of the hidden frames; --stack-depth N and --full-stacks choose otherwise
test_text_stacks_are_cut_to_the_jobs_frames() {
    preload_run out "$JOBS/pool_grow" 10 > /dev/null
    "$ANALYZE" out > cut.txt
    "$ANALYZE" --full-stacks out > full.txt
    "$ANALYZE" --stack-depth 1 out > one.txt
    absent __libc_start_main cut.txt
    grep -q '__libc_start_main' full.txt || fail "--full-stacks lost frames"
    grep -q '^      main  ' cut.txt || fail "main (the job's) is cut: $(cat cut.txt)"
    grep -q '(3 more frames: --full-stacks shows them)' cut.txt || fail "no count of hidden frames"
    absent 'pool::Pool::Get' one.txt
    grep -q '(6 more frames: --full-stacks shows them)' one.txt || fail "$(cat one.txt)"
}

# python as the job's driver (the Debian interpreter, or whatever python3 is on PATH)
py3() { if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else command -v python3; fi; }

# CPython's own blocks live at exit are the runtime's: the gate passes a job that only imports json;
# a leak in a library loaded with ctypes, or in a C extension module, is the job's and still fails
test_gate_passes_python_itself_and_fails_its_extensions() {
    local py; py=$(py3)
    expect_eq "python3 -c 'import json'" 0 "$(gate_rc g1.txt -o r1 -- "$py" -c 'import json')"
    grep -q 'PASS: no leaks' g1.txt || fail "$(cat g1.txt)"
    # through a shim script (pyenv, conda, LCG): the shell's own blocks are the system's too
    printf '#!/bin/sh\nexec "%s" "$@"\n' "$py" > shim && chmod +x shim
    expect_eq "python3 through a shell shim" 0 "$(gate_rc g0.txt -o r0 -- ./shim -c 'import json')"
    expect_eq "ctypes library leak" 1 "$(gate_rc g2.txt -o r2 -- "$py" -c \
        "import ctypes; lib = ctypes.CDLL('$JOBS/libpyleak.so'); [lib.pyleak_event(i) for i in range(20)]")"
    expect_eq "failing rows" 1 "$(grep -c '^  exit ' g2.txt)"
    grep -Eq '^  exit +1\.95 KiB +20 +exit +- +pyleak_keep  tests/jobs/lib/pyleak_lib\.c:' g2.txt || fail "$(cat g2.txt)"
    expect_eq "extension module leak" 1 "$(PYTHONPATH=$JOBS gate_rc g3.txt -o r3 -- "$py" -c 'import leakext; leakext.leak(1000)')"
    expect_eq "failing rows" 1 "$(grep -c '^  exit ' g3.txt)"
    grep -Eq '^  exit +1000 B +1 +exit +- +leakext_keep  tests/jobs/lib/leakext_lib\.c:' g3.txt || fail "$(cat g3.txt)"
}

# a leak in a library driven from python through ctypes: its stack shows the library's frames up to the
# event function and hides the twenty frames of libffi and the interpreter beyond it
test_python_driven_stack_is_cut_past_the_event_function() {
    local py; py=$(py3)
    LEAKSTAMP_EVENT=pyleak_event preload_run out "$py" -c \
        "import ctypes; lib = ctypes.CDLL('$JOBS/libpyleak.so'); [lib.pyleak_event(i) for i in range(30)]" 2> /dev/null
    "$ANALYZE" out > cut.txt
    "$ANALYZE" --full-stacks out > full.txt
    # the frames only: up to the heap scan's "at exit:" lines or the blank line
    local block; block=$(awk '/^# leak  pyleak_keep/{on=1; next} on && (/^$/ || /^  at (exit|event)/){exit} on' cut.txt)
    expect_eq "shown frames" "pyleak_keep pyleak_event" "$(echo "$block" | awk '$1 == ">" {print $2; next} $1 !~ /^\(/ {print $1}' | tr '\n' ' ' | sed 's/ $//')"
    echo "$block" | grep -Eq '^    \([0-9]+ more frames: --full-stacks shows them\)$' || fail "$block"
    grep -q 'libffi' full.txt || fail "--full-stacks does not show libffi: $(cat full.txt)"
}

# --timeline labels each change with its interval "from → to", ranks intervals and their sites by the
# median growth per occurrence, and marks a one-off (a 1 MiB buffer of the first event)
test_timeline_intervals_from_to_by_median_with_one_offs() {
    preload_run out "$JOBS/timeline_stages" 20
    "$ANALYZE" --timeline out > t.txt
    grep -q '^ *gather → pinHost: .* heap +1000 B' t.txt || fail "stamp table: $(cat t.txt)"
    expect_eq "intervals by median" "gather → pinHost,event → gather,pinHost → event" \
        "$(sed -n 's/^  \([a-zA-Z]* → [a-zA-Z]*\)  (.*/\1/p' t.txt | paste -sd,)"
    expect_eq "event → gather: recurring first, the one-off marked" \
        "simulate_step,load_geometry  [one-off: +1.00 MiB once]" \
        "$(awk '/^  event → gather /{on=1; next} /^  [a-zA-Z]/{on=0} on' t.txt | sed 's/.*  \([a-z_]*\)  tests[^ ]*\(.*\)/\1\2/' | sed 's/^  *//' | paste -sd,)"
    "$ANALYZE" --timeline --format json out > t.json
    expect_eq "json" "gather_hits 1000 false;simulate_step 500 false;load_geometry 0 true" \
        "$(jq -r '[.processes[0].timeline.intervals[] | .sites[] | "\(.function) \(.median_bytes) \(.one_off)"] | join(";")' t.json)"
}

# the HTML page: cumulative growth on a log axis (a 1 MiB one-off does not flatten a 500 B leak), each
# listed location's stack in a collapsed <details>, and the interval table of the text report
test_html_log_axis_collapsible_stacks_and_intervals() {
    preload_run out "$JOBS/timeline_stages" 20
    "$ANALYZE" --format html -o r.html out
    xmllint --noout r.html
    grep -q 'growing locations (leak, injected), log scale' r.html || fail "no log-scale chart"
    grep -q '>1.00 KiB</text>' r.html || fail "log axis ticks"
    expect_eq "one collapsed stack per listed location" \
        "$("$ANALYZE" --format json out | jq '.locations | length')" "$(grep -c '^<details><summary>' r.html)"
    grep -q '<h2>Interval growth' r.html || fail "no interval table"
    grep -q 'event &#8594; gather' r.html || fail "intervals not labelled from → to"
    grep -q 'load_geometry <b>\[one-off: +1.00 MiB once\]</b>' r.html || fail "one-off not marked"
}

# sampled mode, a real 32 B-per-event leak at a 1 KiB interval: about one sample in the run. With one
# sample the verdict is `undecided` (not bounded or stable), with two or more a leak since event 1 (its
# first sample arriving late is no late start); the 64 KiB-per-event leak beside it is always a leak
test_sampled_leak_with_too_few_samples_is_undecided() {
    local seed undecided=0 v
    for seed in 1 2 3 4 5 6 7 8; do
        rm -rf "out$seed"
        LEAKSTAMP_SAMPLE=1KiB LEAKSTAMP_SAMPLE_SEED=$seed preload_run "out$seed" "$JOBS/sampled_small" 32
        "$ANALYZE" --all --format json "out$seed" > "s$seed.json"
        expect_eq "seed $seed: big_leak" "leak 1" \
            "$(jq -r '.sites[] | select(.function == "big_leak") | "\(.verdict) \(.since_event)"' "s$seed.json")"
        v=$(jq -r '[.sites[] | select(.function == "small_leak")] | if length == 0 then "none 0 null"
                   else .[0] | "\(.verdict) \(.live_bytes_end) \(.since_event)" end' "s$seed.json")
        case $v in
            "none 0 null"|"stable 0 null") ;;
            undecided\ 1040\ null) undecided=$((undecided + 1)) ;;
            leak\ [0-9]*\ 1) [ "$(echo "$v" | cut -d' ' -f2)" -ge 2080 ] || fail "seed $seed: $v" ;;
            *) fail "seed $seed: small_leak is '$v'" ;;
        esac
    done
    [ "$undecided" -gt 0 ] || fail "no run with a single sample: the test does not test"
}

# the runtime rule looks only at the frames the job's frame called into: a library constructor that the
# loader runs inside dlopen (its stack passes through _dl_* outwards) is still the library's leak
test_gate_fails_a_leak_in_a_constructor_run_by_dlopen() {
    # the block is still held by the global ctorleak_kept at exit: memcheck's "reachable", which the exit
    # check counts only when asked to (the default, definite and indirect, passes it; tests/integration/test_scan.sh)
    expect_eq "gate" 1 "$(gate_rc g.txt -o r --fail-on definite,indirect,possible,reachable -- "$JOBS/dlopen_ctor" "$JOBS/libctorleak.so")"
    expect_eq "failing rows" 1 "$(grep -c '^  exit ' g.txt)"
    grep -Eq '^  exit +777 B +1 +exit +- +ctorleak_init  tests/jobs/lib/ctorleak_lib\.c:' g.txt || fail "$(cat g.txt)"
}
