# test_named_stamps.sh — named stamp symbols (issue 4): --event/--stamp name functions of jobs that were
# not rebuilt; every entry records a stamp. Each job leaks a known number of bytes per event at one
# site, so each test checks the exact number of stamps and the exact growth per event from the report's
# raw `site` lines, and through the analyzer when it is built.

# Number of stamp records named NAME: ns_count FILE NAME
ns_count() { awk -F'\t' -v n="$2" '$1=="stamp" && $3==n' "$1" | wc -l | tr -d ' '; }

# Growth of live bytes in each event, one line per event after the first: the Δ live bytes of all
# site lines (optionally only of stack SID) from one stamp named EVENT up to and including the next
# one (stamps of other names in between belong to the event). ns_event_growth FILE EVENT [SID]
ns_event_growth() {
    awk -F'\t' -v ev="$2" -v sid="${3:-}" '
        $1=="stamp" { cur=$3; next }
        $1=="site" && cur!="" && (sid=="" || $2==sid) { acc+=$4; next }
        $1=="end" && cur!="" { if (cur==ev) { if (started) print acc; started=1; acc=0 } cur="" }' "$1"
}

# Every line of stdin equals WANT (and there is at least one): ns_all_equal WHAT WANT
ns_all_equal() {
    local what=$1 want=$2 n=0 v
    while read -r v; do
        n=$((n + 1))
        [ "$v" = "$want" ] || { fail "$what: event $n grew by $v bytes, expected $want"; return 1; }
    done
    [ "$n" -gt 0 ] || fail "$what: no complete event"
}

# The analyzer's growth of its top site for event NAME, if it is built: ns_analyzer_check DIR NAME BYTES
ns_analyzer_check() {
    local dir=$1 ev=$2 want=$3
    [ -x "$ANALYZE" ] || return 0
    local got
    got=$("$ANALYZE" --format json --event "$ev" "$dir" | jq -r '.sites[0].bytes_per_event')
    expect_eq "analyzer bytes_per_event for $ev" "$want" "$got"
}

# Run a job under the wrapper into out/, checking that its output is what it prints alone.
ns_run() {
    local opts=() plain traced
    while [ "$1" != "--" ]; do opts+=("$1"); shift; done
    shift
    plain=$("$@" 2>/dev/null) || true
    traced=$("$WRAP" run -q -o out "${opts[@]}" -- "$@" 2>stderr) || { cat stderr >&2; fail "job failed under leakstamp"; return 1; }
    expect_eq "job output" "$plain" "$traced"
}

test_event_exported_from_shared_library() {
    ns_run --event symev::Engine::processOneEvent -- "$JOBS/sym_shared" 12
    local r; r=$(one_report out)
    expect_eq "stamps" 12 "$(ns_count "$r" symev::Engine::processOneEvent)"
    expect_eq "event header" "symev::Engine::processOneEvent" "$(awk -F'\t' '$1=="event"{print $2}' "$r")"
    ns_event_growth "$r" symev::Engine::processOneEvent | tail -n +2 | ns_all_equal "sym_shared" 4096
    ns_analyzer_check out symev::Engine::processOneEvent 4096
    [ ! -s stderr ] || fail "unexpected messages: $(cat stderr)"
}

test_event_direct_call_inside_executable() {
    ns_run --event symev::Engine::processOneEvent -- "$JOBS/sym_direct" 10
    local r; r=$(one_report out)
    expect_eq "stamps" 10 "$(ns_count "$r" symev::Engine::processOneEvent)"
    ns_event_growth "$r" symev::Engine::processOneEvent | tail -n +2 | ns_all_equal "sym_direct" 4096
    ns_analyzer_check out symev::Engine::processOneEvent 4096
}

test_static_function_in_pie_executable() {
    readelf -h "$JOBS/sym_static" | grep -q 'DYN' || fail "sym_static is not PIE"
    ! nm -D "$JOBS/sym_static" | grep -q process_event || fail "process_event is exported"
    ns_run --event process_event -- "$JOBS/sym_static" 15
    local r; r=$(one_report out)
    expect_eq "stamps" 15 "$(ns_count "$r" process_event)"
    ns_event_growth "$r" process_event | tail -n +2 | ns_all_equal "sym_static" 3000
    ns_analyzer_check out process_event 3000
}

test_function_in_dlopened_plugin() {
    # the host is C (no libstdc++ in the process): our own demangler reads the plugin's names at dlopen
    ns_run --event plugin::Handler::handle -- "$JOBS/sym_dlopen" 11
    local r; r=$(one_report out)
    expect_eq "stamps" 11 "$(ns_count "$r" plugin::Handler::handle)"
    ns_event_growth "$r" plugin::Handler::handle | tail -n +2 | ns_all_equal "sym_dlopen" 2048
    grep -q $'^symbol\tplugin::Handler::handle\t.*libsymplugin.so$' "$r" || fail "no symbol line for the plugin"
    ns_analyzer_check out plugin::Handler::handle 2048
}

test_four_threads_enter_at_once() {
    ns_run --event workers::process_event -- "$JOBS/sym_threads" 500
    local r; r=$(one_report out)
    expect_eq "stamps" 2000 "$(ns_count "$r" workers::process_event)"
    # all 2000 blocks of 512 bytes are live at exit, on one site
    expect_eq "live at exit" "2000 1024000" \
        "$(awk -F'\t' '$1=="live" && $3==2000 {print $3, $4}' "$r")"
    # stamps interleave between threads: the intervals add up to every block made after the first
    # stamp and before the last one (all but at most one event per thread)
    local sid total
    sid=$(awk -F'\t' '$1=="live" && $3==2000 {print $2}' "$r")
    total=$(ns_event_growth "$r" workers::process_event "$sid" | awk '{s+=$1} END{print s+0}')
    [ "$total" -ge $(( (2000 - 5) * 512 )) ] && [ "$total" -le $(( 2000 * 512 )) ] ||
        fail "growth over the stamps: $total"
    if [ -x "$ANALYZE" ]; then
        local got; got=$("$ANALYZE" --format json --event workers::process_event out | jq -r '.sites[0].bytes_per_event')
        awk -v g="$got" 'BEGIN{exit !(g >= 480 && g <= 544)}' || fail "analyzer bytes_per_event $got, expected about 512"
    fi
}

test_recursive_function_and_second_stamp() {
    ns_run --event run_event --stamp walk -- "$JOBS/sym_recursive" 9
    local r; r=$(one_report out)
    expect_eq "event stamps" 9 "$(ns_count "$r" run_event)"
    expect_eq "walk stamps (4 levels per event)" 36 "$(ns_count "$r" walk)"
    ns_event_growth "$r" run_event | tail -n +2 | ns_all_equal "sym_recursive" 1024
    # event 3 is stamps 11..15: each walk level leaks 256 bytes before it enters the next level
    expect_eq "Δ bytes at stamps 11..15" "run_event:256 walk:0 walk:256 walk:256 walk:256" \
        "$(awk -F'\t' '$1=="stamp"{n=$2; name[n]=$3} $1=="site"{d[n]+=$4}
                        END{for(i=11;i<=15;i++) printf "%s%s:%d", (i>11?" ":""), name[i], d[i]+0}' "$r")"
    # each recursion level is its own call stack: four sites of 256 bytes per event
    ns_analyzer_check out run_event 256
    if [ -x "$ANALYZE" ]; then
        expect_eq "analyzer: leak sites" "4 1024" "$("$ANALYZE" --format json --event run_event out |
            jq -r '[.sites[] | select(.verdict=="leak") | .bytes_per_event] | "\(length) \(add)"')"
    fi
}

test_name_that_matches_nothing() {
    ns_run --event process_event --stamp no_such_function -- "$JOBS/sym_static" 4
    local r; r=$(one_report out)
    # said once, after the job (not at start: a library loaded later could define it), by the launcher
    expect_eq "warnings" 1 "$(grep -c 'no_such_function' stderr)"
    grep -q 'stamp function no_such_function matched no function in any process of the job' stderr ||
        fail "warning: $(cat stderr)"
    grep -q $'^unmatched\tno_such_function$' "$r" || fail "no unmatched line"
    expect_eq "stamps" 4 "$(ns_count "$r" process_event)"
    expect_eq "exit record" 1 "$(grep -c $'^exit\texit' "$r")"
    # without the launcher each process says it at its exit, once
    LEAKSTAMP_EVENT=process_event LEAKSTAMP_STAMPS=no_such_function preload_run out2 "$JOBS/sym_static" 4 \
        >/dev/null 2>stderr2
    expect_eq "warnings without the launcher" 1 "$(grep -c 'no_such_function matched no function in the program' stderr2)"
}

test_name_that_matches_nothing_in_any_process_is_said_once() {
    # a shell that runs helpers, each a process of its own with the preload: one line for the whole run
    ns_run --event no_such_function -- bash -c '/bin/true; /bin/true; ls / >/dev/null; echo done'
    expect_eq "warnings" 1 "$(grep -c 'no_such_function' stderr)"
    rm -rf out
    # a name that matches in one process of the job is not said at all
    ns_run --event process_event -- bash -c "/bin/true; '$JOBS/sym_static' 3; /bin/true"
    [ ! -s stderr ] || fail "unexpected messages: $(cat stderr)"
}

test_did_you_mean() {
    ns_run --event symev::Engine::processOneEvnt -- "$JOBS/sym_shared" 2
    expect_eq "warning" "leakstamp: event function symev::Engine::processOneEvnt matched no function in any process of the job: it recorded no stamps; did you mean: symev::Engine::processOneEvent(int); symev::Engine::processOneEvent(int, double)" \
        "$(cat stderr)"
    grep -q $'^suggest\tsymev::Engine::processOneEvnt\t1\tsymev::Engine::processOneEvent(int)$' "$(one_report out)" ||
        fail "no suggest line"
    # the right name with a parameter list that exists in no overload
    rm -rf out
    ns_run --event 'symev::Engine::processOneEvent(long)' -- "$JOBS/sym_shared" 2
    grep -q 'did you mean: symev::Engine::processOneEvent(int); symev::Engine::processOneEvent(int, double)$' stderr ||
        fail "warning: $(cat stderr)"
}

test_unqualified_tail() {
    # Solo::run names gamma::Solo::run only; with its parameter list too
    local form
    for form in Solo::run 'Solo::run()' gamma::Solo::run; do
        ns_run --event "$form" -- "$JOBS/sym_tail" 3 5
        expect_eq "$form: stamps" 3 "$(ns_count "$(one_report out)" "$form")"
        ns_event_growth "$(one_report out)" "$form" | ns_all_equal "$form" 400
        [ ! -s stderr ] || fail "$form: unexpected messages: $(cat stderr)"
        rm -rf out
    done
    # the tail of a function in a shared library
    ns_run --event Engine::processOneEvent -- "$JOBS/sym_shared" 12
    expect_eq "Engine::processOneEvent: stamps" 12 "$(ns_count "$(one_report out)" Engine::processOneEvent)"
}

test_ambiguous_tail_stamps_one_and_says_so() {
    # Engine::step is alpha::Engine::step (3 calls) and beta::Engine::step (5 calls): one of them is stamped,
    # the message says which
    ns_run --event Engine::step -- "$JOBS/sym_tail" 3 5
    local msg stamped
    msg=$(grep 'Engine::step names more than one function' stderr) || fail "no message: $(cat stderr)"
    stamped=$(sed -n 's/.*: \([a-z]*\)::Engine::step is stamped.*/\1/p' <<< "$msg")
    case $stamped in
        alpha) expect_eq "stamps" 3 "$(ns_count "$(one_report out)" Engine::step)" ;;
        beta) expect_eq "stamps" 5 "$(ns_count "$(one_report out)" Engine::step)" ;;
        *) fail "message: $msg" ;;
    esac
    expect_eq "symbol lines" 1 "$(grep -c $'^symbol\tEngine::step\t' "$(one_report out)")"
}

test_overloaded_name_and_signature() {
    # every overload: 6 calls of processOneEvent(int) and 4 of processOneEvent(int, double)
    ns_run --event symev::Engine::processOneEvent -- "$JOBS/sym_shared" 6 4
    local r; r=$(one_report out)
    expect_eq "stamps, all overloads" 10 "$(ns_count "$r" symev::Engine::processOneEvent)"
    expect_eq "symbol lines" 2 "$(grep -c $'^symbol\tsymev::Engine::processOneEvent\t' "$r")"
    ns_event_growth "$r" symev::Engine::processOneEvent | tail -n +2 | ns_all_equal "overloads" 4096
    LEAKSTAMP_VERBOSE=1 "$WRAP" run -q -o out2 --event symev::Engine::processOneEvent -- "$JOBS/sym_shared" 1 1 \
        >/dev/null 2>verbose
    grep -q 'matches 2 functions' verbose || fail "no overload message in verbose mode"
    # one overload by its parameters, and the other by its mangled name
    "$WRAP" run -q -o out3 --event 'symev::Engine::processOneEvent(int)' \
        --stamp _ZN5symev6Engine15processOneEventEid -- "$JOBS/sym_shared" 6 4 >/dev/null
    r=$(one_report out3)
    expect_eq "stamps, (int) only" 6 "$(ns_count "$r" 'symev::Engine::processOneEvent(int)')"
    expect_eq "stamps, mangled (int, double)" 4 "$(ns_count "$r" _ZN5symev6Engine15processOneEventEid)"
}

test_inject_one_mib_per_event() {
    ns_run --event process_event --inject 1MiB -- "$JOBS/sym_static" 8
    local r; r=$(one_report out)
    expect_eq "inject header" 1048576 "$(awk -F'\t' '$1=="inject"{print $2}' "$r")"
    # the injected site: one frame, in libleakstamp.so
    local mid sid
    mid=$(awk -F'\t' '$1=="module" && $7 ~ /libleakstamp\.so$/ {print $2}' "$r")
    sid=$(awk -F'\t' -v m="$mid" '$1=="stack" && NF==4 && index($4, m":")==1 {print $2}' "$r")
    [ -n "$sid" ] || fail "no injected site"
    ns_event_growth "$r" process_event "$sid" | tail -n +2 | ns_all_equal "injected" 1048576
    ns_event_growth "$r" process_event | tail -n +2 | ns_all_equal "job + injected" $((1048576 + 3000))
    if [ -x "$ANALYZE" ]; then
        expect_eq "analyzer injected" "leakstamp_inject_calibration 1048576" \
            "$("$ANALYZE" --format json --event process_event out |
               jq -r '.sites[] | select(.verdict=="injected") | "\(.function) \(.bytes_per_event)"')"
    fi
}

test_job_sigtrap_handler_still_works() {
    # a job that installs its own SIGTRAP handler and raises SIGTRAP keeps its handler (chained)
    cat > trapjob.c <<'EOF'
#include <signal.h>
#include <stdio.h>
static volatile int got;
static void h(int s) { (void)s; got++; }
int main(void) { signal(SIGTRAP, h); raise(SIGTRAP); raise(SIGTRAP); printf("got %d\n", got); return 0; }
EOF
    cc -o trapjob trapjob.c
    expect_eq "job handler" "got 2" "$("$WRAP" run -q -o out --event main -- ./trapjob)"
    expect_eq "main stamped" 1 "$(ns_count "$(one_report out)" main)"
}

test_named_libc_functions_the_tool_calls_too() {
    # the stamp itself calls snprintf and write: those breakpoints, hit inside the tool, record nothing
    # and must not deadlock or kill the job; the job's own calls still record stamps
    ns_run --event process_event --stamp snprintf --stamp write --stamp strtol -- "$JOBS/sym_static" 5
    local r; r=$(one_report out)
    expect_eq "event stamps" 5 "$(ns_count "$r" process_event)"
    expect_eq "exit record" 1 "$(grep -c $'^exit\texit' "$r")"
}
