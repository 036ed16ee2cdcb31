# test_bad_options.sh — bad values and contradictory options: each is one line on stderr naming the
# option (or file) and what is wrong, with the documented exit status (docs/cli.md), never a hang, a
# crash, or output that looks right and is not.

# usage_error WANT_RC PATTERN CMD...: CMD (cut off after 10 s, so a hang fails) exits WANT_RC, writes
# nothing to stdout and exactly one line to stderr, which contains PATTERN (fixed string).
usage_error() {
    local want=$1 pattern=$2 rc=0; shift 2
    timeout 10 "$@" > ue.out 2> ue.err < /dev/null || rc=$?
    expect_eq "exit status of $*" "$want" "$rc" || { cat ue.err; return 1; }
    [ ! -s ue.out ] || fail "$*: wrote to stdout: $(head -c 200 ue.out | tr '\r' '\n')"
    expect_eq "stderr lines of $*" 1 "$(wc -l < ue.err)" || { cat ue.err; return 1; }
    grep -qF -- "$pattern" ue.err || fail "$*: expected '$pattern' in: $(cat ue.err)"
}

small_report() { preload_run out "$JOBS/demo_leaky" 5 > /dev/null; }

test_progress_line_bad_interval() {
    small_report
    local v
    # inf busy-looped (a cast of inf to time_t), the others silently became 0.05 s
    for v in inf nan abc -1 0 0.01 1e999 3601 0x10 ' 1' 2s; do
        usage_error 2 "--interval $v: expected seconds from 0.05 to 3600" \
            "$ANALYZE" --progress-line out --interval "$v"
    done
    usage_error 2 "--interval: missing value" "$ANALYZE" --progress-line out --interval
    # the bounds themselves are accepted
    timeout 10 "$ANALYZE" --progress-line out --interval 0.05 --once | grep -q '^leakstamp: 6 events'
    timeout 10 "$ANALYZE" --progress-line out --interval 3600 --once | grep -q '^leakstamp: 6 events'
}

test_progress_line_bad_pid() {
    small_report
    local v
    # these were ignored, so the line ran until killed
    for v in abc -1 0 12x 99999999999; do
        usage_error 2 "--pid $v: expected a process id (a positive integer)" \
            "$ANALYZE" --progress-line out --pid "$v" --interval 0.05
    done
}

test_progress_line_ends_with_its_pid() {
    small_report
    sleep 1 & local p=$!
    timeout 10 "$ANALYZE" --progress-line out --pid $p --interval 0.1 > line.txt
    grep -q 'leakstamp: 6 events' line.txt
    [ "$(tr -cd '\r' < line.txt | wc -c)" -ge 5 ] || fail "ended before its pid: $(od -c line.txt | head -3)"
}

test_progress_line_pid_of_another_user_is_not_gone() {
    # kill(pid, 0) fails with EPERM for another user's process, which is running: the line must go on
    # (it took EPERM for "gone" and ended at once). As root, the line runs as nobody to get EPERM.
    small_report
    local as=() pid=1
    if [ "$(id -u)" = 0 ]; then
        command -v setpriv > /dev/null || { echo "no setpriv: skipped"; return 0; }
        chmod o+rx "$T" out && chmod o+r out/*.lsr
        as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
        sleep 1 & pid=$!
    fi
    local rc=0
    timeout 3 "${as[@]}" "$ANALYZE" --progress-line out --pid $pid --interval 0.1 > line.txt || rc=$?
    [ "$(tr -cd '\r' < line.txt | wc -c)" -ge 5 ] || fail "ended at once (rc $rc): $(od -c line.txt | head -3)"
}

test_progress_line_bad_directory() {
    usage_error 2 "--progress-line /nonexistent/dir: No such file or directory" \
        "$ANALYZE" --progress-line /nonexistent/dir --once
    touch afile
    usage_error 2 "--progress-line afile: Not a directory" "$ANALYZE" --progress-line afile --once
    usage_error 2 "--progress-line: missing directory" "$ANALYZE" --progress-line "" --once
    # --once has nothing to wait for: no report, or a file that is not one, is an error
    mkdir empty notreport
    usage_error 2 "--progress-line empty: no *.lsr report files in this directory" \
        "$ANALYZE" --progress-line empty --once
    echo hello > notreport/x.lsr
    usage_error 2 "notreport/x.lsr: not a leakstamp report" "$ANALYZE" --progress-line notreport --once
}

# with_field PARTIAL KIND N VALUE: the partial with field N of its first KIND line set to VALUE, to
# stdout; the line's number to fd 3.
with_field() {
    awk -F'\t' -v OFS='\t' -v k="$2" -v n="$3" -v v="$4" '
        $1 == k && !done { $n = v; done = 1; print NR > "/dev/fd/3" } { print }' "$1"
}

test_partial_with_non_finite_numbers_is_refused() {
    small_report
    "$ANALYZE" --partial -o p1.part out
    local v line
    # a grow line's rate, then a process line's worst growth (field 21): both are doubles written with %a
    for v in nan inf -inf NAN infinity 'nan(1)'; do
        with_field p1.part grow 2 "$v" > g.part 3> line.txt
        line=$(cat line.txt)
        usage_error 2 "g.part:$line: partial: not a finite number" "$ANALYZE" --format json g.part
        with_field p1.part process 21 "$v" > p.part 3> line.txt
        line=$(cat line.txt)
        usage_error 2 "p.part:$line: partial: not a finite number" "$ANALYZE" --format json p.part
    done
    # the untouched partial still reads
    "$ANALYZE" --format json p1.part | jq -e '.events == 6' > /dev/null
}

test_gate_junit_path_under_a_plain_file() {
    small_report
    touch afile
    # access(2) on the plain file as a folder said "Permission denied"
    usage_error 2 "afile/x.xml: --junit: cannot write: Not a directory" \
        "$ANALYZE" --gate --junit afile/x.xml out
    # a folder named as the file was found only when writing, after the table was printed
    mkdir adir
    usage_error 2 "adir: --junit: cannot write: Is a directory" "$ANALYZE" --gate --junit adir out
    usage_error 2 "nodir/x.xml: --junit: cannot write: No such file or directory" \
        "$ANALYZE" --gate --junit nodir/x.xml out
}

test_gate_job_status_given_twice() {
    small_report
    # the last one won: exit 0 and signal 9 together was a job killed by SIGKILL, exit 3
    usage_error 2 "--job-signal 9: the job's status is already given by --job-exit 0" \
        "$ANALYZE" --gate --job-exit 0 --job-signal 9 out
    usage_error 2 "--job-exit 0: the job's status is already given by --job-status 137" \
        "$ANALYZE" --gate --job-status 137 --job-exit 0 out
    usage_error 2 "--job-status 0: the job's status is already given by --job-status 0" \
        "$ANALYZE" --gate --job-status 0 --job-status 0 out
    # one of them alone still decides
    local rc=0
    "$ANALYZE" --gate --job-signal 9 out > gate.txt 2>&1 || rc=$?
    expect_eq "killed job" 3 "$rc"
    grep -q 'the job was killed by signal 9 (SIGKILL)' gate.txt
}

test_pprof_event_needs_format_pprof() {
    small_report
    # it was ignored: the text report came out as if it had not been given
    usage_error 2 "--pprof-event 3: only with --format pprof" "$ANALYZE" --pprof-event 3 out
    usage_error 2 "--pprof-event 3: only with --format pprof" "$ANALYZE" --format json --pprof-event 3 out
    usage_error 2 "--pprof-event: not an option of --gate" "$ANALYZE" --gate --pprof-event 3 out
    # in either order with pprof
    "$ANALYZE" --pprof-event 3 --format pprof out | grep -q '^heap profile:'
}

test_leakstamp_analyze_not_executable() {
    small_report
    mkdir adir
    cp "$ANALYZE" noexec && chmod a-x noexec
    local v
    # exec failed: exit 126, "leakstamp: /etc/passwd: Permission denied"
    for v in /etc/passwd adir noexec; do
        LEAKSTAMP_ANALYZE=$v usage_error 2 "leakstamp: LEAKSTAMP_ANALYZE=$v: not an executable file" \
            "$WRAP" report out
        LEAKSTAMP_ANALYZE=$v usage_error 2 "leakstamp: LEAKSTAMP_ANALYZE=$v: not an executable file" \
            "$WRAP" gate -- "$JOBS/demo_leaky" 3
    done
    # the launcher itself checks it (installed, it runs without scripts/leakstamp)
    LEAKSTAMP_ANALYZE=/etc/passwd usage_error 2 "leakstamp: LEAKSTAMP_ANALYZE=/etc/passwd: not an executable file" \
        "$ROOT/build/bin/leakstamp" report out
    # an executable one is used; a path to nothing is passed over, as documented (docs/environment.md)
    printf '#!/bin/sh\ntouch used\nexec "%s" "$@"\n' "$ANALYZE" > myanalyze && chmod +x myanalyze
    LEAKSTAMP_ANALYZE=$PWD/myanalyze "$WRAP" report --format json out | jq -e '.events == 6' > /dev/null
    [ -e used ] || fail "LEAKSTAMP_ANALYZE=myanalyze was not used"
    LEAKSTAMP_ANALYZE=$PWD/nothing "$WRAP" report --format json out | jq -e '.events == 6' > /dev/null
}
