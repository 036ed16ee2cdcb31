# test_maps.sh — memory that is not malloc: mmap, mremap, munmap and shmat per call site (docs/preload.md,
# "Mappings"), their report lines (docs/report-format.md, "Mappings"), the analyzer's mapping sites
# (kind, process view) and the gate. The jobs are tests/jobs/map_leaky.c (one mode per case) and
# tests/jobs/lib/foreign_heap.c linked with tcmalloc and with jemalloc. Every count is exact.

# map_run MODE EVENTS: run map_leaky under the preload into ./out, print the report path
map_run() {
    preload_run out "$JOBS/map_leaky" "$1" "$2" "$PWD" > job.out
    one_report out
}

# site_field REPORT FUNCTION KIND FIELD: a field of the analyzer's JSON site for FUNCTION of KIND
site_field() {
    analyze_json --all "$1" | jq -r --arg f "$2" --arg k "$3" \
        "[.sites[] | select(.function == \$f and .kind == \$k)] | if length == 1 then .[0].$4 else \"sites: \\(length)\" end"
}

# expect_site REPORT FUNCTION KIND BYTES/EVENT MAPS/EVENT LIVE-AT-EXIT
expect_site() {
    expect_eq "$2 kind $3 bytes/event" "$4" "$(site_field "$1" "$2" "$3" bytes_per_event)"
    expect_eq "$2 kind $3 maps/event" "$5" "$(site_field "$1" "$2" "$3" allocs_per_event)"
    expect_eq "$2 kind $3 live at exit" "$6" "$(site_field "$1" "$2" "$3" live_bytes_exit)"
    expect_eq "$2 verdict" leak "$(site_field "$1" "$2" "$3" verdict)"
}

# mapping_sites REPORT: how many sites of a mapping kind the analyzer shows with --all
mapping_sites() { analyze_json --all "$1" | jq '[.sites[] | select(.kind != "heap")] | length'; }

test_maps_anonymous_leak_at_its_call_site() {
    r=$(map_run anon 10)
    expect_site "$r" leak_anon mmap 1048576 1 10485760
    "$ANALYZE" "$r" | tee text.out
    grep -E '^ +1 +leak +mmap +\+1\.00 MiB +\+1 +100% .* leak_anon +tests/jobs/map_leaky.c:[0-9]+$' text.out
    grep -E '^  mapped +\+1\.00 MiB per event' text.out
    analyze_json "$r" > a.json
    expect_eq "mapped growth" 1048576 "$(jq '.process_growth.mapped_bytes_per_event' a.json)"
    # the job touches every page it maps: RSS growth is the mapping's, nothing is left unexplained
    jq -e '.process_growth.rss_unexplained_bytes_per_event | fabs < 65536' a.json > /dev/null ||
        fail "unexplained RSS $(jq '.process_growth.rss_unexplained_bytes_per_event' a.json)"
    # the report's own lines: one map line per stamp, births of the 10 ranges at exit
    expect_eq "map lines" 10 "$(grep -c $'^map\t[0-9]*\tmmap\t1\t1048576\t' "$r")"
    grep -q $'^maplive\t[0-9]*\tmmap\t10\t10485760\t10\t10485760\t1:1,2:1,3:1,4:1,5:1,6:1,7:1,8:1,9:1,10:1\t-$' "$r" ||
        fail "maplive line: $(grep '^maplive' "$r")"
    grep -q $'^mapped\t10485760\t10\t-$' "$r" || fail "exit mapped line: $(grep '^mapped' "$r" | tail -1)"
}

test_maps_file_backed_names_the_file() {
    r=$(map_run file 6)
    expect_site "$r" leak_file mmap-file 65536 1 393216
    expect_eq "file" "$PWD/data 0.bin" "$(site_field "$r" leak_file mmap-file mapped_file)"
    grep -q $'^map\t.*\tmmap-file\t.*\t'"$PWD"'/data 0.bin$' "$r" || fail "map line names the file"
}

test_maps_shared_and_sysv_shm() {
    r=$(map_run shared 6)
    expect_site "$r" leak_shared mmap-shared 131072 1 786432
    rm -rf out
    r=$(map_run shm 6)
    expect_site "$r" leak_shm mmap-shared 65536 1 393216
}

test_maps_partial_munmap_splits() {
    # 5 pages, the first and the middle one unmapped: 3 pages left, in two ranges
    r=$(map_run partial 8)
    expect_site "$r" leak_partial mmap 12288 2 98304
}

test_maps_fixed_replaces_tracked_mapping() {
    # 16 pages, 4 of them mapped again MAP_FIXED from another function: 12 + 4
    r=$(map_run fixed 8)
    expect_site "$r" leak_fixed mmap 49152 1 393216
    expect_site "$r" replace_fixed mmap 16384 1 131072
}

test_maps_mremap_grows_in_place_and_moves() {
    r=$(map_run grow 8)
    expect_site "$r" grow_map mmap 24576 1 196608
    expect_eq "mapping sites" 1 "$(analyze_json "$r" | jq '[.sites[] | select(.kind != "heap")] | length')"
    rm -rf out
    r=$(map_run move 8)
    expect_site "$r" move_map mmap 32768 1 262144
    expect_eq "mapping sites" 1 "$(analyze_json "$r" | jq '[.sites[] | select(.kind != "heap")] | length')"
}

test_maps_from_another_thread_and_dlopened_library() {
    r=$(map_run thread 6)
    expect_site "$r" leak_anon mmap 1048576 1 6291456
    analyze_json "$r" | jq -e '.sites[0].stack | map(.function) | index("thread_main") != null' > /dev/null ||
        fail "the stack runs through thread_main"
    rm -rf out
    r=$(map_run dlopen 6)
    expect_site "$r" plugin_map mmap 262144 1 1572864
    analyze_json "$r" | jq -e '.sites[0].module | endswith("libmapplugin.so")' > /dev/null || fail "module"
}

test_maps_concurrent_threads_exact() {
    for i in 1 2 3; do
        rm -rf out && mkdir out
        timeout 60 env LEAKSTAMP_OUT=out LD_PRELOAD="$LIB" "$JOBS/map_leaky" threads4 10
        r=$(one_report out)
        expect_site "$r" thread_page mmap 16384 4 163840
        expect_eq "mapping sites with growth" 1 "$(analyze_json "$r" | jq '[.sites[] | select(.kind != "heap")] | length')"
        grep -q $'^mapped\t163840\t40\t-$' "$r" || fail "exit total: $(grep '^mapped' "$r" | tail -1)"
    done
}

test_maps_churn_leaves_nothing() {
    r=$(map_run churn 3)
    expect_eq "mapping sites" 0 "$(mapping_sites "$r")"
    expect_eq "map lines" 0 "$(grep -c '^map'$'\t' "$r" || true)"
    expect_eq "mapped totals" 0 "$(grep '^mapped' "$r" | awk -F'\t' '$2 != 0 || $3 != 0' | wc -l)"
}

test_maps_sampled_mode_tracks_every_mapping() {
    mkdir -p out
    LEAKSTAMP_SAMPLE=512KiB LEAKSTAMP_SAMPLE_SEED=3 LEAKSTAMP_OUT=out LD_PRELOAD=$LIB "$JOBS/map_leaky" anon 10
    r=$(one_report out)
    expect_site "$r" leak_anon mmap 1048576 1 10485760
}

test_maps_job_errno_and_results_unchanged() {
    "$JOBS/map_leaky" errno 1 > plain.out
    r=$(map_run errno 1)
    diff plain.out job.out || fail "the job saw other results or errno under the tool"
}

# A job linked with a foreign allocator: its arenas are mapped from inside malloc (jemalloc through
# the PLT, i.e. through our hook; tcmalloc by its own system calls): none is a mapping site, the malloc
# leak is exact.
foreign_heap_case() {
    preload_run out "$JOBS/heap_$1" 8
    r=$(one_report out)
    expect_eq "mapping sites" 0 "$(mapping_sites "$r")"
    expect_eq "map lines" 0 "$(grep -c '^map'$'\t' "$r" || true)"
    expect_site "$r" leak_blocks heap 3000000 3000 24000000
}
test_maps_jemalloc_arenas_are_heap() { foreign_heap_case jemalloc; }
test_maps_tcmalloc_arenas_are_heap() { foreign_heap_case tcmalloc; }

test_maps_gate_fails_growing_mapping_site() {
    rc=0
    "$WRAP" gate -o reports -- "$JOBS/map_leaky" anon 10 > gate.out 2>&1 || rc=$?
    cat gate.out
    expect_eq "gate exit code" 1 "$rc"
    grep -E '^  growth +\+1\.00 MiB/ev +\+1/ev .*\[mmap\] leak_anon' gate.out
    rc=0
    "$WRAP" gate --check exit -o reports2 -- "$JOBS/map_leaky" anon 3 > exit.out 2>&1 || rc=$?
    cat exit.out
    expect_eq "exit check code" 1 "$rc"
    grep -E 'leak_anon' exit.out
    rc=0
    "$WRAP" gate -o reports3 -- "$JOBS/map_leaky" churn 3 > clean.out 2>&1 || rc=$?
    expect_eq "churn passes" 0 "$rc"
}

test_maps_kind_in_every_export() {
    r=$(map_run anon 10)
    "$ANALYZE" --format tsv "$r" > sites.tsv
    expect_eq "tsv header" "kind mapped_file" "$(head -1 sites.tsv | cut -f17,18 | tr '\t' ' ')"
    expect_eq "tsv leak_anon kind" mmap "$(awk -F'\t' '$11 == "leak_anon" {print $17}' sites.tsv)"
    "$ANALYZE" --format csv "$r" | grep -q '^1,leak,1048576,1,.*,leak_anon,.*,mmap,'$'\r$' || fail "csv row"
    "$ANALYZE" --format collapsed "$r" > folded
    grep -qE '^\[mmap\];_start;.*;main;leak_anon 1048576$' folded || fail "collapsed: $(cat folded)"
    "$ANALYZE" --format npy -o arrays "$r"
    expect_eq "npy kind" mmap "$(jq -r '.sites[0].kind' arrays/index.json)"
    "$ANALYZE" --format pprof -o prof.heap "$r"
    grep -qE '^ +10: 10485760 \[ +10: 10485760\] @' prof.heap || fail "pprof: $(head -3 prof.heap)"
    "$ANALYZE" --format html -o report.html "$r"
    expect_eq "html charts (RSS, VM, heap, mapped, site, stamps)" 6 "$(grep -c '^<svg ' report.html)"
}

test_maps_old_reader_view_unchanged_without_mappings() {
    # a job that maps nothing writes `mapped 0 0` lines and no map lines; the heap numbers stand alone
    r=$(map_run none 4)
    expect_eq "map lines" 0 "$(grep -c '^map'$'\t' "$r" || true)"
    expect_eq "mapped lines" 6 "$(grep -c '^mapped'$'\t0\t0\t' "$r")"
    analyze_json "$r" | jq -e '.process_growth.mapped_bytes_per_event == 0' > /dev/null
}

test_maps_fork_child_lists_inherited_mappings() {
    mkdir -p out
    LEAKSTAMP_OUT=out LD_PRELOAD=$LIB "$JOBS/map_leaky" fork 4
    expect_eq "reports" 2 "$(ls out/*.lsr | wc -l)"
    child=$(grep -l $'^stamp\t[0-9]*\tchild' out/*.lsr)
    seq=$(awk -F'\t' '$1=="stamp"{print $2; exit}' "$child")
    expect_eq "child's first stamp: the 4 inherited ranges whole" $'4\t4194304\t4\t4194304' \
        "$(stamp_lines "$child" "$seq" | awk -F'\t' '$1=="map" && $3=="mmap" {print $4 "\t" $5 "\t" $6 "\t" $7}')"
    grep -q $'^maplive\t[0-9]*\tmmap\t4\t4194304\t' "$child" || fail "child's exit record"
}
