# test_real_shapes.sh — the analyzer on jobs shaped like real ones (issue 12): std:: templates inlined
# several levels deep at -O2, the runtime's own blocks made on the job's line, a free-list pool grown
# from two callers, sampled runs with few samples, jobs driven from python through ctypes and a C
# extension.

# the full inline chain: each allocation is named at the job's own line inside the inlined function
# that allocates, not at the event function or main, and two lines of one function stay apart
test_inlined_templates_named_at_the_users_line() {
    preload_run out "$JOBS/inline_deep" 20 > /dev/null
    "$ANALYZE" --format json out > a.json
    local src=$ROOT/tests/jobs/inline_deep.cpp a b c
    a=$(grep -n 'LINE A' "$src" | cut -d: -f1)
    b=$(grep -n 'LINE B' "$src" | cut -d: -f1)
    c=$(grep -n 'LINE C' "$src" | cut -d: -f1)
    local q='[.sites[] | select(.verdict == "leak")] | sort_by(.line) | map("\(.function)|\(.line)|\(.bytes_per_event)") | join(",")'
    expect_eq "leak sites" \
        "det::TrackHistory::linkSecondaries()|$a|48,det::TrackHistory::linkSecondaries()|$b|48,det::HitCache::remember()|$c|100" \
        "$(jq -r "$q" a.json)"
}

# pthread_create's TLS blocks (calloc inside libc and the loader) are the runtime's, not the job's
# malloc(123) on the same line: that site holds exactly 100 blocks of 123 B
test_thread_create_blocks_are_not_the_users_site() {
    preload_run out "$JOBS/thread_line" 100 > /dev/null
    "$ANALYZE" --format json out > a.json
    local line; line=$(grep -n 'THE LINE' "$ROOT/tests/jobs/thread_line.c" | cut -d: -f1)
    expect_eq "the job's site" "leak 12300 100 123" \
        "$(jq -r --argjson l "$line" '[.sites[] | select(.function == "spawn" and .line == $l)] | if length == 1 then .[0] | "\(.verdict) \(.live_bytes_end) \(.live_allocs_end) \(.bytes_per_event)" else "\(length) sites" end' a.json)"
    expect_eq "the runtime's blocks are a site of their own" true \
        "$(jq '[.sites[] | select(.runtime)] | length > 0' a.json)"
}
