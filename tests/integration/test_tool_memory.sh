# test_tool_memory.sh — the tool's own memory apart from the job's (issue 12, item 2): every stamp and exit
# record carries a `toolmem <vm> <rss>` line (docs/report-format.md), and the analyzer's process view
# leaves the tool's resident tables out of "RSS growth not explained by heap growth" and shows them on a
# line of their own.

# rss_leak leaks 2000 blocks of 24 bytes per event (48,000 B of heap, 64,000 B of malloc chunks): the tool's
# live-block table grows by about 100 KB per event with it, twice the leak.
test_tool_tables_are_not_the_jobs_rss_growth() {
    local alone
    alone=$("$JOBS/rss_leak" 200 2000 24 rss)   # the job's own RSS growth per event, without the tool
    # events of 3 ms, so that every stamp measures the tool's memory afresh even on a loaded machine
    RSS_LEAK_PAUSE_US=3000 preload_run out "$JOBS/rss_leak" 200 2000 24 > /dev/null
    local r; r=$(one_report out)
    # one toolmem line right after each stamp line and the exit line
    expect_eq "toolmem lines" "$(grep -c -E '^(stamp|exit)'$'\t' "$r")" \
        "$(awk -F'\t' '($1=="stamp"||$1=="exit"){want=1; next} want && $1=="toolmem" && NF==3 && $2>=$3 && $3>0 {n++} {want=0} END{print n+0}' "$r")"
    "$ANALYZE" --format json out > a.json
    expect_eq "heap per event" 48000 "$(jq '.process_growth.heap_bytes_per_event' a.json)"
    expect_eq "tool memory recorded" true "$(jq '.process_growth.tool_memory_recorded' a.json)"
    # the unexplained part is the job's own (malloc's chunk overhead), as measured without the tool:
    # within 10% of the leak (4,800 B); the tool's tables (~100 KB per event) would be far outside
    local unexplained tool
    unexplained=$(jq '.process_growth.rss_unexplained_bytes_per_event' a.json)
    tool=$(jq '.process_growth.tool_rss_bytes_per_event' a.json)
    awk -v u="$unexplained" -v a="$alone" 'BEGIN{d = u - (a - 48000); exit !(d <= 4800 && d >= -4800)}' ||
        fail "unexplained $unexplained B per event; without the tool the job's RSS grows $alone - heap 48000"
    # and the tool's line says what a live 24-byte block costs in the page map: 8 B per 16 B of its
    # 32-byte chunk = 16 B, plus the directory and leaves (docs/performance.md)
    awk -v t="$tool" 'BEGIN{exit !(t >= 2000 * 12 && t <= 2000 * 40)}' || fail "tool tables $tool B per event"
    "$ANALYZE" out > report.txt
    grep -q "^  leakstamp's own tables: +[0-9.]* KiB per event (RSS, intercept" report.txt ||
        fail "no own-tables line: $(grep -A6 'whole process' report.txt)"
}

test_report_without_toolmem_lines_still_reads() {
    # an older report (no toolmem lines) reads as before: no own-tables line, unexplained = RSS - heap
    preload_run out "$JOBS/rss_leak" 30 100 24 > /dev/null
    mkdir old
    grep -v $'^toolmem\t' "$(one_report out)" > old/old.lsr
    "$ANALYZE" --format json old > a.json
    expect_eq "tool memory recorded" false "$(jq '.process_growth.tool_memory_recorded' a.json)"
    # equal up to the JSON writer's rounding (it prints 10 significant digits)
    jq -e '(.process_growth.rss_bytes_per_event - .process_growth.heap_bytes_per_event
            - .process_growth.rss_unexplained_bytes_per_event) | fabs < 0.01' a.json > /dev/null ||
        fail "unexplained is not RSS - heap: $(jq -c .process_growth a.json)"
    ! "$ANALYZE" old | grep -q "leakstamp's own tables" || fail "own-tables line without toolmem lines"
}
