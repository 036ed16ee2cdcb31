# test_scan.sh — heap scans (docs/preload.md "Heap scans"): memcheck's categories at exit on graphs whose
# answer is known (tests/jobs/scan_graphs.c), retainers at a scanned event (tests/jobs/scan_holders.cpp),
# the snapshot child invisible to the job (tests/jobs/scan_wait.c), the gate's --fail-on, the record.

# scan_json DIR: the analyzer's JSON of every site (--all) into s.json
scan_json() { "$ANALYZE" --format json --all "$1" > s.json; }
# reach FUNCTION: "definite indirect possible reachable" allocations, summed over the sites of FUNCTION
reach() {
    jq -r --arg f "$1" '[.sites[] | select(.function == $f) | .reachability] |
        [(map(.definite.allocs) | add), (map(.indirect.allocs) | add), (map(.possible.allocs) | add),
         (map(.reachable.allocs) | add)] | map(tostring) | join(" ")' s.json
}
# held FUNCTION: one "kind symbol-or-function allocs list" line per retainer of FUNCTION's site
held() {
    jq -r --arg f "$1" '.sites[] | select(.function == $f) | .retainers[] |
        "\(.kind) \(.symbol // .function // "-") \(.allocs) \(.list)"' s.json
}
graph() { preload_run out "$JOBS/scan_graphs" "$@" > /dev/null; scan_json out; }

test_scan_tree_with_a_dropped_subtree() {
    graph tree
    expect_eq "tree: definite indirect possible reachable" "1 2 0 4" "$(reach tree_node)"
    expect_eq "tree holders" "global g_tree 4 true
lost - 3 false" "$(held tree_node)"
}

test_scan_cycle_self_and_interior() {
    graph cycle
    expect_eq "3-node cycle" "1 2 0 0" "$(reach cycle_node)"
    graph self
    expect_eq "a block pointing at itself" "1 0 0 0" "$(reach self_block)"
    graph interior
    expect_eq "only an interior pointer" "0 0 1 0" "$(reach interior_block)"
    expect_eq "interior holder" "global g_inside 1 false" "$(held interior_block)"
}

test_scan_stack_thread_and_tls_roots() {
    LEAKSTAMP_SCAN=1 graph stack
    expect_eq "main stack at event 1" "stack main 1 false" "$(held stack_block)"
    expect_eq "scanned event" 1 "$(jq '.sites[] | select(.function == "stack_block") | .retainers_event' s.json)"
    expect_eq "dropped after the stamp: lost at exit" "1 0 0 0" "$(reach stack_block)"
    graph thread
    expect_eq "a blocked thread's local" "0 0 0 1" "$(reach thread_block)"
    held thread_block | grep -Eq '^stack 0x[0-9a-f]+ 1 false$' || fail "thread holder: $(held thread_block)"
    graph tls
    expect_eq "main thread's TLS" "tls main 1 false" "$(held tls_block_main)"
    held tls_block_thread | grep -Eq '^tls 0x[0-9a-f]+ 1 false$' || fail "thread TLS holder: $(held tls_block_thread)"
}

# The issue's "done when": --scan 20 names the container's site, or says the objects are lost.
test_scan_retainers_at_event_20() {
    "$WRAP" run -q -o v --scan 20 -- "$JOBS/scan_holders" vector > /dev/null
    scan_json v
    expect_eq "vector: held by the buffer's site" "heap event(char const*) 19 false" "$(held 'make_object()')"
    "$ANALYZE" v | grep -q "19 allocs (912 B) held by blocks of event(char const\*)  tests/jobs/scan_holders.cpp:" ||
        fail "text: no held-by line for the vector"
    "$WRAP" run -q -o d --scan 20 -- "$JOBS/scan_holders" dropped > /dev/null
    scan_json d
    expect_eq "dropped: lost" "lost - 19 false" "$(held 'make_object()')"
    "$ANALYZE" d | grep -q "19 allocs (912 B) lost: nothing reachable holds them" || fail "text: no lost line"
}

test_scan_list_and_overwritten_pointer() {
    "$WRAP" run -q -o l --scan 20 -- "$JOBS/scan_holders" list > /dev/null
    scan_json l
    expect_eq "a list held by its head" "global g_head 19 true" "$(held 'make_object()')"
    "$ANALYZE" l | grep -q "a list of its own blocks, held by global g_head (scan_holders)" || fail "text: list"
    "$WRAP" run -q -o w --scan 20 -- "$JOBS/scan_holders" overwrite > /dev/null
    scan_json w
    expect_eq "overwritten: the last one held" "lost - 18 false
global g_last 1 false" "$(held 'make_object()')"
}

# The snapshot child sends no SIGCHLD and is not seen by wait(-1); the job's output is unchanged.
test_scan_child_invisible_to_the_job() {
    local plain
    plain=$("$JOBS/scan_wait")
    for i in 1 2 3 4 5; do
        rm -rf o && mkdir o
        expect_eq "job output, run $i" "$plain" "$(LEAKSTAMP_SCAN=1,2,3,5,8,13,21,30 timeout 60 \
            env LEAKSTAMP_OUT=o LD_PRELOAD=$LIB "$JOBS/scan_wait")"
        expect_eq "scan records, run $i" 9 "$(cat o/*.lsr | grep -c '^scan')"
    done
}

test_scan_off_bad_value_and_sampled() {
    "$WRAP" run -q -o n --no-scan -- "$JOBS/scan_graphs" self > /dev/null
    expect_eq "--no-scan: no record" 0 "$(cat n/*.lsr | grep -c '^scan' || true)"
    scan_json n
    expect_eq "no scan: reachability null" null "$(jq '.sites[] | select(.function == "self_block") | .reachability' s.json)"
    out=$(LEAKSTAMP_SCAN=ten preload_run b "$JOBS/scan_graphs" self 2>&1)
    expect_eq "bad LEAKSTAMP_SCAN" "leakstamp: LEAKSTAMP_SCAN=ten: expected 0, or event numbers such as 20 or 10,20; no heap scans
built self" "$out"
    out=$(LEAKSTAMP_SAMPLE=4096 LEAKSTAMP_SCAN=1 preload_run s "$JOBS/scan_graphs" self 2>&1)
    echo "$out" | grep -q "heap scans need exact mode" || fail "sampled: no message: $out"
    expect_eq "sampled: no record" 0 "$(cat s/*.lsr | grep -c '^scan' || true)"
    "$WRAP" run --scan 0 -- true 2>/dev/null && fail "--scan 0 accepted"
    return 0
}

test_scan_gate_fail_on() {
    preload_run t "$JOBS/scan_graphs" tls > /dev/null
    "$ANALYZE" --gate t > /dev/null || fail "gate: reachable blocks failed by default"
    local rc=0
    "$ANALYZE" --gate --fail-on reachable t > /dev/null || rc=$?
    expect_eq "gate --fail-on reachable" 1 "$rc"
    preload_run d "$JOBS/scan_graphs" self > /dev/null
    rc=0
    "$ANALYZE" --gate d > g.txt || rc=$?
    expect_eq "gate: a definite leak" 1 "$rc"
    grep -q "self_block" g.txt || fail "gate: self_block not named"
    rc=0
    "$ANALYZE" --gate --fail-on definite,lost d 2> e.txt || rc=$?
    expect_eq "gate: bad --fail-on" 2 "$rc"
}

test_scan_record_read_strictly() {
    preload_run o "$JOBS/scan_graphs" self > /dev/null
    local f
    f=$(one_report o)
    # an unknown holder kind is skipped; a bad reach line in a complete record is corruption
    sed 's/^held\t\([0-9]*\)\tlost/held\t\1\tmmap/' "$f" > skip.lsr
    "$ANALYZE" --format json --all skip.lsr > k.json
    expect_eq "unknown holder kind skipped" 0 "$(jq '[.sites[] | select(.function == "self_block") | .retainers[]] | length' k.json)"
    sed 's/^reach\t\([0-9]*\)\t1\t/reach\t\1\tone\t/' "$f" > bad.lsr
    local rc=0
    "$ANALYZE" bad.lsr 2> e.txt > /dev/null || rc=$?
    expect_eq "bad reach line" 2 "$rc"
    grep -q "bad reach line" e.txt || fail "message: $(cat e.txt)"
}
