# test_progress.sh — `leakstamp run --progress`: one '\r'-updated status line on stderr while the job
# runs, only on a terminal unless --progress=always (never in CI logs otherwise).

test_progress_always() {
    "$WRAP" run -q --progress=always -o out -- "$JOBS/slow_events" 50 50 2>err >/dev/null
    # at least two updates (the job runs 2.5 s), '\r'-terminated, the last one ended by '\n'
    [ "$(tr -cd '\r' < err | wc -c)" -ge 2 ] || { od -c err | head; fail "fewer than 2 updates"; }
    tr '\r' '\n' < err | grep -Eq '^leakstamp: [0-9]+ events  RSS [0-9.]+ [KMG]i?B  heap ' || fail "no status line"
    tr '\r' '\n' < err | grep -Eq 'top \+1\.95 KiB/event slow_leak$' || { cat err; fail "top site"; }
    expect_eq "last line" "leakstamp: 50 events" "$(grep -o 'leakstamp: [0-9]* events' err | tail -1)"
    "$ANALYZE" --format json out | jq -e '.events == 50' >/dev/null
}

test_progress_not_on_a_file() {
    "$WRAP" run -q --progress -o out -- "$JOBS/slow_events" 30 40 2>err >/dev/null
    ! grep -q 'events' err || fail "status line written to a file"
    [ ! -s err ] || { cat err; fail "stderr not empty"; }
}

test_progress_on_a_terminal() {
    # script(1) gives the wrapper a terminal as stderr. Its stdin is given too: with descriptor 0
    # closed (as a CI runner may start us), script opens the terminal's master as 0, takes it for its
    # input and writes what the job prints back into it, so nothing reaches tty.log.
    script -qec "'$WRAP' run -q --progress -o out -- '$JOBS/slow_events' 30 50" /dev/null < /dev/null > tty.log
    tr '\r' '\n' < tty.log | grep -Eq '^leakstamp: [0-9]+ events' || { cat -v tty.log; fail "no status line on a terminal"; }
    # without --progress, nothing even on a terminal (the echo shows that the terminal's output is read)
    script -qec "'$WRAP' run -q -o out2 -- '$JOBS/slow_events' 20 20; echo job ended" /dev/null < /dev/null > tty2.log
    grep -q '^job ended' tty2.log || { cat -v tty2.log; fail "nothing read from the terminal"; }
    ! grep -q 'events' tty2.log || fail "status line without --progress"
}

test_progress_bad_value() {
    "$WRAP" run --progress=sometimes -o out -- "$JOBS/slow_events" 1 1 2>err && fail "accepted"
    grep -q 'progress=sometimes' err
}
