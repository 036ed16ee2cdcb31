# test_real_job.sh — the real-shaped job (issue 12, tests/jobs/detsim/): `python3 run.py` started through a
# bash shim that execs the interpreter, a C++ library (HepMC3 + FastJet + CLHEP, -O2, a free-list pool, a
# worker-thread pool) loaded through ctypes long after start-up. detsim.cpp lists its leaks, each at a
# line tagged LEAK-<NAME>, with exact bytes per event; these tests check them from the report's raw lines
# (symbolized here with addr2line, independently of the analyzer) and check how the event function can be
# named.

DETSIM_DIR=$ROOT/build/tests/jobs/detsim
DETSIM_SRC=$ROOT/tests/jobs/detsim/detsim.cpp
DETSIM_EVENTS=60

# Run the job under the wrapper into out/ through the shim (first on PATH, as pyenv puts it), checking
# that its output is what it prints alone: detsim_run [WRAPPER OPTIONS...]
detsim_run() {
    local plain traced
    plain=$(cd "$DETSIM_DIR" && PATH=$DETSIM_DIR:$PATH python3 run.py ./libdetsim.so $DETSIM_EVENTS 2>/dev/null)
    traced=$(cd "$DETSIM_DIR" && PATH=$DETSIM_DIR:$PATH timeout 120 "$WRAP" run -q -o "$T/out" "$@" -- \
        python3 run.py ./libdetsim.so $DETSIM_EVENTS 2>"$T/stderr") || { cat "$T/stderr" >&2; fail "job failed under leakstamp"; return 1; }
    expect_eq "job output" "$plain" "$traced"
}

# The python process's report (the shim's bash and env, and its helpers, write their own).
detsim_report() {
    local f
    for f in "$T"/out/*.lsr; do
        awk -F'\t' '$1=="module" && $7 ~ /libdetsim\.so$/ {found=1} END{exit !found}' "$f" && { echo "$f"; return 0; }
    done
    fail "no report of the python process in $T/out"
}

# detsim_leak_growth REPORT EVENT: "<tag> <bytes>" for every event after the first, per LEAK tag: the Δ live
# bytes of the sites whose innermost line in detsim.cpp (through the inline chain of the first frame in
# libdetsim.so) is a line tagged LEAK-<tag>.
detsim_leak_growth() {
    local report=$1 ev=$2 mod lib=$DETSIM_DIR/libdetsim.so
    mod=$(awk -F'\t' '$1=="module" && $7 ~ /libdetsim\.so$/ {print $2; exit}' "$report")
    grep -n 'LEAK-[A-Z]*' "$DETSIM_SRC" | sed 's/^\([0-9]*\):.*LEAK-\([A-Z]*\).*/\1\t\2/' > "$T/.tags"
    awk -F'\t' -v m="$mod" '$1=="stack" { for (i=4;i<=NF;i++) { split($i,f,":"); if (f[1]==m) { print $2 "\t" f[2]; break } } }' \
        "$report" > "$T/.stackoff"
    cut -f2 "$T/.stackoff" | sort -u | while read -r off; do
        local line
        line=$(addr2line -i -e "$lib" "$(printf '%x' $((0x$off - 1)))" | grep -m1 'detsim\.cpp:' | sed 's/.*detsim\.cpp:\([0-9]*\).*/\1/')
        printf '%s\t%s\n' "$off" "${line:-0}"
    done > "$T/.offline"
    awk -F'\t' -v ev="$ev" '
        FILENAME==ARGV[1] { tag[$1]=$2; next }
        FILENAME==ARGV[2] { line[$1]=$2; next }
        FILENAME==ARGV[3] { if (line[$2] in tag) stag[$1]=tag[line[$2]]; next }
        $1=="stamp" { cur=$3; next }
        $1=="site" && cur!="" && ($2 in stag) { acc[stag[$2]]+=$4; next }
        $1=="end" && cur!="" { if (cur==ev) { if (started) for (t in acc) print t, acc[t]; started=1; delete acc } cur="" }
    ' "$T/.tags" "$T/.offline" "$T/.stackoff" "$report" | sort | uniq -c | awk '{print $2, $3, $1}'
}

test_real_job_leaks_exact_per_event() {
    detsim_run --event det::DetSimAlg::execute || return 1
    local r; r=$(detsim_report) || return 1
    expect_eq "stamps" $DETSIM_EVENTS "$(count_stamps "$r" det::DetSimAlg::execute)" || return 1
    # each tag's exact bytes in every complete event (from one stamp to the next: DETSIM_EVENTS-1 of them)
    local n=$((DETSIM_EVENTS - 1)) want got
    want=$(printf '%s\n' "CACHE 256 $n" "DIGI 2000 $n" "JETS 96 $n" "POOL 32768 $n" "SECONDARY 168 $n" "VERTEX 80 $n")
    got=$(detsim_leak_growth "$r" det::DetSimAlg::execute)
    expect_eq "per-event growth by leak line" "$want" "$got" || return 1
    ns_event_growth "$r" det::DetSimAlg::execute | tail -n +2 | ns_all_equal "whole heap" 35368
}

test_real_job_event_named_in_every_form() {
    # the python process has no libstdc++ until the library is dlopened, so names are demangled by the
    # tool's own demangler then; every form finds det::DetSimAlg::execute(), and nothing is said
    local form r
    for form in 'det::DetSimAlg::execute()' det::DetSimAlg::execute DetSimAlg::execute 'DetSimAlg::execute()' \
                _ZN3det9DetSimAlg7executeEv; do
        rm -rf "$T/out"
        detsim_run --event "$form" || return 1
        r=$(detsim_report) || return 1
        expect_eq "$form: stamps" $DETSIM_EVENTS "$(count_stamps "$r" "$form")" || return 1
        ns_event_growth "$r" "$form" | tail -n +2 | ns_all_equal "$form: whole heap" 35368 || return 1
        [ ! -s "$T/stderr" ] || { fail "$form: unexpected messages: $(cat "$T/stderr")"; return 1; }
    done
}

test_real_job_misspelt_event_says_did_you_mean_once() {
    # env, bash, the shim's helper and python each run the preload: one line for the run, after it
    detsim_run --event DetSimAlg::excute || return 1
    expect_eq "message" "leakstamp: event function DetSimAlg::excute matched no function in any process of the job: it recorded no stamps; did you mean: det::DetSimAlg::execute()" \
        "$(cat "$T/stderr")"
}

test_real_job_function_named_as_the_report_prints_it() {
    # copy a function's name from the analyzer's output, as a user does: here the pool's caller, printed
    # with its parameter list and, when the compiler cloned it, " [clone .isra.0]"
    [ -x "$ANALYZE" ] || return 0
    detsim_run --event det::DetSimAlg::execute || return 1
    local name
    name=$("$ANALYZE" --format json "$T/out" | jq -r '[.sites[].stack[].function | select(. != null and test("^det::new_step\\("))][0]')
    [ -n "$name" ] && [ "$name" != null ] || { fail "no det::new_step frame in the report"; return 1; }
    rm -rf "$T/out"
    detsim_run --event det::DetSimAlg::execute --stamp "$name" || return 1
    # 100 tracks from the stepper and 155 from linkSecondaries per event
    expect_eq "stamps of $name" $((255 * DETSIM_EVENTS)) "$(count_stamps "$(detsim_report)" "$name")"
}

test_real_job_analyzer_names_each_leak_at_its_line() {
    # through the analyzer: the leak rows, summed by source line, are the LEAK-tagged lines with their
    # exact bytes per event (the pool's Grow is drained by two callers: two call paths, one line)
    [ -x "$ANALYZE" ] || return 0
    detsim_run --event 'det::DetSimAlg::execute()' || return 1
    local want got
    want=$(grep -n '// LEAK-[A-Z]*' "$DETSIM_SRC" | sed 's/:.*LEAK-/ /' |
        awk '{b["POOL"]=32768; b["SECONDARY"]=168; b["VERTEX"]=80; b["CACHE"]=256; b["DIGI"]=2000; b["JETS"]=96;
              print $1, b[$2]}')
    got=$("$ANALYZE" --format json "$T/out" | jq -r '[.sites[] | select(.verdict == "leak" and (.file // "" | endswith("detsim.cpp")))]
        | group_by(.line) | .[] | "\(.[0].line) \(map(.bytes_per_event) | add)"')
    expect_eq "leak lines and bytes per event" "$want" "$got"
}
