# test_job_unchanged.sh — "never change the job" (issue 11): small jobs whose shape is each hazard, run
# under the real preload and bounded by timeout (-k: some jobs handle SIGTERM themselves), repeated
# where a race decides. Each test failed on the preload before its fix.

# Run under the preload into out/, bounded: jr SECONDS CMD... (exit status is the job's, 124/137 on timeout)
# (the preload reaches the job only, not timeout).
jr() {
    local s=$1; shift; mkdir -p out
    LEAKSTAMP_OUT=$PWD/out timeout -k 1 "$s" bash -c 'LD_PRELOAD=$0 exec "$@"' "$LIB" "$@"
}

# item 1: exit() or exec from a SIGTERM handler while the thread is inside a stamp or malloc
test_exit_from_signal_handler_never_hangs() {
    local mode i rc
    for mode in stamp malloc exec mmap; do
        for i in $(seq 12); do
            rm -rf out
            set +e; jr 5 "$JOBS/exit_in_handler" $mode >/dev/null 2>err; rc=$?; set -e
            [ $rc -ne 124 ] && [ $rc -ne 137 ] || { fail "$mode run $i hung"; return 1; }
            expect_eq "$mode run $i status" "$([ $mode = exec ] && echo 0 || echo 3)" "$rc"
            # the exit record is there (with births, or the degraded form from the counters)
            grep -q '^end	exit$' out/leakstamp.exit_in_handler.*.lsr || fail "$mode run $i: no exit record"
        done
    done
}

# item 2: a forked child writes its header while another parent thread holds glibc's tzset lock, or
# the named-stamp locks (pending symbols, arming, slots)
test_fork_child_never_inherits_a_held_lock() {
    local out
    out=$(TZ=:/etc/localtime jr 30 "$JOBS/fork_locks" tz 300)
    expect_eq "tz" "fork_locks: 300 of 300 children exited" "$out"
    out=$(LEAKSTAMP_STAMPS='tick;plugin::Handler::handle' jr 30 "$JOBS/fork_locks" named 200 2>err)
    expect_eq "named" "fork_locks: 200 of 200 children exited" "$out"
}

# item 4: pthread_cancel inside a stamp, a named stamp, a named-stamp scan
test_cancel_inside_the_tool_blocks_nothing() {
    local out
    out=$(LEAKSTAMP_STAMPS='tick;plugin::Handler::handle' jr 30 "$JOBS/cancel_stamp" 25 2>err)
    expect_eq "cancel_stamp" "cancel_stamp: 25 rounds" "$out"
    # the parent's report, among its 25 children's
    local r; r=$(root_report out)
    expect_eq "main stamps" 25 "$(count_stamps "$r" main)"
}

# item 5: new out-of-line slots written while other threads run the slots next to them
test_slot_pages_stay_executable_during_dlopen() {
    local i out
    for i in $(seq 6); do
        rm -rf out
        out=$(LEAKSTAMP_STAMPS='ools_hot;ools_plug' jr 20 "$JOBS/slot_race" 25 2>err) || { fail "run $i died: $?"; return 1; }
        expect_eq "run $i" "slot_race: 25 of 25 loads ran" "$out"
    done
}

# item 6: a handler enters a named function while SIGTRAP is blocked by the mask in force
test_named_function_under_a_blocking_mask() {
    local m plain traced
    for m in sigsuspend pselect ppoll epoll_pwait raw inherit; do
        plain=$("$JOBS/trap_masks" $m)
        traced=$(LEAKSTAMP_STAMPS=on_event jr 10 "$JOBS/trap_masks" $m 2>err) || { fail "$m: job died ($?)"; return 1; }
        expect_eq "$m" "$plain" "$traced"
    done
    local r; r=$(report_with_args out sigsuspend)
    expect_eq "stamps in the sigsuspend handler" 1 "$(count_stamps "$r" on_event)"
}

# item 7: the stamp paths on a thread's stack, after a dlopen (module table, named stamp)
test_stamp_paths_use_little_stack() {
    local out n what
    out=$(LEAKSTAMP_STAMPS=tick jr 20 "$JOBS/stamp_stack")
    for what in "stamp" "named stamp"; do
        n=$(echo "$out" | awk -F': ' -v w="$what" '$1==w{print $2}')
        [ -n "$n" ] && [ "$n" -le 8192 ] || fail "$what used ${n:-?} bytes of stack (bound 8192)"
    done
}

# items 8, 9: no descriptor of ours in the job, its exec'd child, or under a daemon's reused numbers
test_descriptors_are_the_jobs_own() {
    "$JOBS/fds" list > plain
    jr 10 "$JOBS/fds" list > traced
    cmp plain traced || fail "descriptors differ: $(diff plain traced | tr '\n' ' ')"
    local out
    out=$(jr 20 "$JOBS/fds" daemon) || fail "daemon: status $?"
    expect_eq "daemon" "daemon: pipe 3,4 carried 3000 messages whole" "$out"
    local r; r=$(report_with_args out daemon)
    grep -q '^end	exit$' "$r" || fail "daemon: no exit record"
}

# item 10: RTLD_DEEPBIND dropped, with one warning, so the library's frees are seen
test_deepbind_frees_are_seen() {
    jr 10 "$JOBS/deepbind" > stdout 2> err
    expect_eq "output" "deepbind: released 100 blocks" "$(cat stdout)"
    expect_eq "warnings" 1 "$(grep -c RTLD_DEEPBIND err)"
    local r; r=$(one_report out)
    # all 100 blocks of keep100 were freed by the library: 100 more frees than the job's own, none live
    expect_eq "frees at exit" 101 "$(exit_field "$r" 9)"
    expect_eq "keep100 live in the last stamp" "" "$(report_sites "$r" | awk -F'\t' '$2=="keep100"&&$5!=0')"
}

# item 11: errno after every hook and stamp
test_errno_is_kept() {
    "$JOBS/errno_keep" > plain
    jr 10 "$JOBS/errno_keep" > traced
    cmp plain traced || fail "errno differs: $(diff plain traced | tr '\n' ' ')"
}

# item 12: the job's own SIGTRAP handler keeps its sa_mask and SA_RESETHAND
test_chained_sigtrap_handler_keeps_its_flags() {
    local rc_plain rc_traced
    set +e
    "$JOBS/trap_chain" > plain; rc_plain=$?
    LEAKSTAMP_STAMPS=named jr 10 "$JOBS/trap_chain" > traced 2>/dev/null; rc_traced=$?
    set -e
    expect_eq "status" "$rc_plain" "$rc_traced"
    cmp plain traced || fail "output differs: $(cat traced)"
}

# item 13: LEAKSTAMP_FOLLOW_EXEC=0 keeps the rest of a long LD_PRELOAD whole
test_long_ld_preload_is_not_cut() {
    local long="" i
    for i in $(seq 400); do long="$long:/lib/x86_64-linux-gnu/libm.so.6"; done
    long=${long#:}
    local got
    got=$(LEAKSTAMP_OUT=$PWD LEAKSTAMP_FOLLOW_EXEC=0 LD_PRELOAD="$LIB:$long" timeout 10 /bin/sh -c 'printf %s "$LD_PRELOAD"')
    expect_eq "LD_PRELOAD length" "${#long}" "${#got}"
    [ "$got" = "$long" ] || fail "LD_PRELOAD changed"
}

# item 14: reports are 0600, and a report path replaced behind our back is never written through
test_report_private_and_never_followed() {
    jr 10 "$JOBS/fds" list > /dev/null
    local f
    for f in out/*.lsr; do expect_eq "mode of $f" 600 "$(stat -c %a "$f")"; done
    rm -rf out
    local out
    out=$(jr 10 "$JOBS/fds" swap 2>err)
    expect_eq "swap" "swap: other file 0 bytes, symlink target 0 bytes" "$out"
    grep -q 'was replaced' err || fail "no message about the replaced report"
}
