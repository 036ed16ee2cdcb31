# test_launcher.sh — the launcher `leakstamp run|gate` (launch/) between the caller and the job: the
# caller sees the job's exact exit code or signal, signals reach the job, a killed launcher leaves no
# job behind, nothing is added to the job's stderr, the output directory is where it should be, and
# programs the loader will not preload into (static, set-id, file capabilities) are named in one line
# and run untracked. One test per bug of the old bash wrapper (issue 11, "The wrapper becomes a
# program"). $WRAP is scripts/leakstamp, which execs build/bin/leakstamp.
#
# waitstatus (tests/jobs/waitstatus.c) prints "exit N" / "signal N" / "stopped N" / "timeout" as the
# caller's wait() sees it, bounded by its -t; status_job (tests/jobs/status_job.c) ends as asked.

LT_STATUS=$JOBS/status_job
LT_WAIT=$JOBS/waitstatus

# lt_status ARGS...: how `leakstamp ARGS` ends, as "exit N" or "signal N" (its stdout and stderr to
# the files out.log and err.log), never waiting more than 20 s (waitstatus kills it and says
# "timeout"; `timeout` bounds waitstatus itself).
lt_status() { timeout -k 5 30 "$LT_WAIT" -t 20 "$WRAP" "$@" 2>err.log | tee out.log | tail -1; }

# wait_for FILE: until FILE exists (10 s at most).
wait_for() {
    local i
    for i in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done
    fail "$1 never appeared"
}

# gone PID: the process has ended (a zombie counts: it no longer runs), within 10 s.
gone() {
    local i state
    for i in $(seq 200); do
        state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
        case $state in Z|X|"") return 0 ;; esac
        sleep 0.05
    done
    kill -KILL "$1" 2>/dev/null
    fail "process $1 still runs (state $state)"
}

# no_dir DIR: the job ran untracked, so nothing was made.
no_dir() { [ ! -e "$1" ] || fail "$1 was created for an untracked job"; }

test_launcher_exit_147_returns_147_without_hanging() {
    # the old wrapper re-raised "signal 19" (SIGSTOP) on itself and stopped forever
    expect_eq "supervised" "exit 147" "$(lt_status run -o out -- "$LT_STATUS" exit 147)"
    expect_eq "exec'd (-q)" "exit 147" "$(lt_status run -q -o out -- "$LT_STATUS" exit 147)"
    expect_eq "gate sees a failed job" "exit 3" "$(lt_status gate -o g -- "$LT_STATUS" exit 147)"
    grep -qx 'leakstamp gate: FAIL: .*the job exited with status 147' out.log
}

test_launcher_exit_130_134_139_are_exit_codes() {
    # the old wrapper took these for deaths by SIGINT, SIGABRT, SIGSEGV and died of them instead
    local code
    for code in 130 134 139 129 143 159; do
        expect_eq "exit $code" "exit $code" "$(lt_status run -o out -- "$LT_STATUS" exit "$code")"
        expect_eq "exit $code, -q" "exit $code" "$(lt_status run -q -o out -- "$LT_STATUS" exit "$code")"
    done
    # the gate is told the exact status too: exit 139 is not a SIGSEGV
    expect_eq "gate" "exit 3" "$(lt_status gate -o g -- "$LT_STATUS" exit 139)"
    grep -qx 'leakstamp gate: FAIL: .*the job exited with status 139' out.log || fail "$(tail -1 out.log)"
    expect_eq "gate, signal" "exit 3" "$(lt_status gate -o g2 -- "$LT_STATUS" signal 11)"
    grep -qx 'leakstamp gate: FAIL: .*the job was killed by signal 11 (SIGSEGV)' out.log
}

# bash starts a background command with SIGINT and SIGQUIT ignored: the job must get them ignored
# as it would without leakstamp (SigIgn in /proc/PID/status), supervised and exec'd alike.
test_launcher_keeps_ignored_signals_ignored() {
    local opt pid ppid alone
    "$LT_STATUS" wait ready0 2>/dev/null &
    wait_for ready0
    read -r pid ppid < ready0
    alone=$(awk '$1=="SigIgn:"{print $2}' "/proc/$pid/status")
    kill -TERM "$pid"; wait $! || true
    for opt in -v -q; do
        rm -f ready
        "$WRAP" run "$opt" -o "out$opt" -- "$LT_STATUS" wait ready 2>/dev/null &
        wait_for ready
        read -r pid ppid < ready
        expect_eq "SigIgn under leakstamp run $opt" "$alone" "$(awk '$1=="SigIgn:"{print $2}' "/proc/$pid/status")"
        kill -TERM "$pid"; wait $! || true
    done
}

test_launcher_job_signal_is_the_same_signal() {
    ulimit -c 0
    local sig
    for sig in 11 6 9 15; do
        expect_eq "signal $sig" "signal $sig" "$(lt_status run -o "s$sig" -- "$LT_STATUS" signal $sig)"
        expect_eq "signal $sig, -q" "signal $sig" "$(lt_status run -q -o "q$sig" -- "$LT_STATUS" signal $sig)"
        # nothing but the job's own line (the old wrapper's bash added "line 168: PID Segmentation fault")
        expect_eq "stderr, -q" "status_job: signal $sig" "$(cat err.log)"
    done
}

test_launcher_job_stderr_is_untouched() {
    ulimit -c 0
    expect_eq "status" "signal 9" "$(lt_status run -q -o quiet -- "$LT_STATUS" signal 9)"
    expect_eq "stderr, -q" "status_job: signal 9" "$(cat err.log)"
    expect_eq "status" "signal 9" "$(lt_status run -o out -- "$LT_STATUS" signal 9)"
    expect_eq "stderr: the job's line, then the documented closing line" \
        "status_job: signal 9|leakstamp: 1 report(s) written in $T/out" \
        "$(sed 's/ — read them with.*//' err.log | paste -sd'|')"
    expect_eq "job stdout" "" "$(head -n -1 out.log)"
}

# The launcher's pid is the job's parent (supervised) or the job itself (-q: exec'd).
test_launcher_sigterm_reaches_the_job() {
    local i sig st pid ppid
    for i in 1 2 3 4 5; do
        rm -f ready
        "$LT_WAIT" -t 20 "$WRAP" run -o "out$i" -- "$LT_STATUS" term-exit 7 ready > st 2>/dev/null &
        wait_for ready
        read -r pid ppid < ready
        kill -TERM "$ppid"
        wait $!
        # the job's handler ran and its exit code came back (the old wrapper died of SIGTERM at once)
        expect_eq "job handled SIGTERM, round $i" "exit 7" "$(cat st)"
    done
    # each forwarded signal, to a job that does not handle it: the launcher dies of the same one
    for sig in TERM HUP INT QUIT; do
        rm -f ready
        "$LT_WAIT" -t 20 "$WRAP" run -o "o$sig" -- "$LT_STATUS" wait ready > st 2>/dev/null &
        wait_for ready
        read -r pid ppid < ready
        [ "$(readlink "/proc/$ppid/exe")" = "$ROOT/build/bin/leakstamp" ] || fail "parent is $(readlink "/proc/$ppid/exe")"
        kill -s "$sig" "$ppid"
        wait $!
        expect_eq "SIG$sig" "signal $(kill -l "$sig")" "$(cat st)"
        gone "$pid"
    done
}

test_launcher_kill_leaves_no_job_running() {
    local sig pid ppid
    for sig in TERM KILL; do
        rm -f ready
        "$WRAP" run -o "out$sig" -- "$LT_STATUS" wait ready 2>/dev/null &
        wait_for ready
        read -r pid ppid < ready
        expect_eq "launcher is the job's parent" "$!" "$ppid"
        kill -s "$sig" "$!"
        wait $! || true
        # SIGTERM is passed on; SIGKILL cannot be, the job dies by PR_SET_PDEATHSIG
        gone "$pid"
    done
}

test_launcher_default_output_directory_name() {
    "$WRAP" run -- "$LT_STATUS" exit 0 2> err
    local dirs=(leakstamp.*)
    expect_eq "directories" 1 "${#dirs[@]}"
    [[ ${dirs[0]} =~ ^leakstamp\.status_job\.[0-9]{8}-[0-9]{6}$ ]] || fail "named ${dirs[0]}"
    expect_eq "reports" 1 "$(ls "${dirs[0]}"/*.lsr | wc -l)"
    # no error of a helper tool (the old wrapper's `tr` complained), and the line names the directory
    expect_eq "stderr lines" 2 "$(wc -l < err)"
    grep -qF "leakstamp: 1 report(s) written in $(pwd -P)/${dirs[0]} — read them with: " err || fail "$(cat err)"
    # bytes outside [A-Za-z0-9._-] of the program's name become '_'
    cp "$LT_STATUS" "odd name+é"
    "$WRAP" run -q -- "./odd name+é" exit 0 2>/dev/null
    ls -d leakstamp.odd_name___.[0-9]*-[0-9]* >/dev/null || fail "$(ls)"
    # runs in the same second never share a directory
    "$WRAP" run -q -- "$LT_STATUS" exit 0 2>/dev/null
    "$WRAP" run -q -- "$LT_STATUS" exit 0 2>/dev/null
    expect_eq "three runs, three directories" 3 "$(ls -d leakstamp.status_job.* | wc -l)"
}

test_launcher_no_readelf_on_path() {
    # a PATH with the usual tools but no readelf
    mkdir bin
    local t interp
    for t in sh bash env cat head od tr grep basename dirname date find wc mkdir sed; do
        ln -s "$(command -v "$t")" "bin/$t"
    done
    interp=$(readelf -lW "$LT_STATUS" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
    [ -x "$interp" ] || fail "no interpreter found for the job"
    PATH=$T/bin "$WRAP" run -q -o dyn -- "$LT_STATUS" exit 0 2> e1
    expect_eq "dynamic job tracked" 1 "$(ls dyn/*.lsr | wc -l)"
    expect_eq "dynamic: stderr" "status_job: exit 0" "$(cat e1)"
    # the loader run as a program (PT_DYNAMIC, no PT_INTERP, a DT_SONAME) preloads too
    PATH=$T/bin "$WRAP" run -q -o ldso -- "$interp" "$LT_STATUS" exit 0 2> e2
    expect_eq "ld.so tracked" 1 "$(ls ldso/*.lsr | wc -l)"
    PATH=$T/bin "$WRAP" run -q -o st -- "$JOBS/status_job_static" exit 0 2> e3
    expect_eq "static: untracked" \
        "leakstamp: $JOBS/status_job_static is statically linked: nothing can be preloaded into it; running it untracked" \
        "$(head -1 e3)"
    no_dir st
    PATH=$T/bin "$WRAP" run -q -o sp -- "$JOBS/status_job_static_pie" exit 0 2> e4
    grep -qx "leakstamp: .*status_job_static_pie is statically linked: .*; running it untracked" e4
    no_dir sp
}

test_launcher_cdpath_and_odd_cwd() {
    mkdir -p elsewhere/out "a dir/-x"
    cd "a dir/-x"
    local here
    here=$(pwd -P)
    CDPATH=$T/elsewhere "$WRAP" run -o out -- "$LT_STATUS" exit 0 2> err
    expect_eq "reports here" 1 "$(ls out/*.lsr 2>/dev/null | wc -l)"
    expect_eq "none in CDPATH" 0 "$(ls "$T/elsewhere/out" | wc -l)"
    grep -qF "leakstamp: 1 report(s) written in $here/out — " err || fail "$(cat err)"
    CDPATH=$T/elsewhere "$WRAP" run -q -o "-o dir" -- "$LT_STATUS" exit 0 2>/dev/null
    expect_eq "an output directory named like an option" 1 "$(ls -- "-o dir"/*.lsr | wc -l)"
    CDPATH=$T/elsewhere "$WRAP" gate -o gated -- "$LT_STATUS" exit 0 > g.out 2>&1 || true
    expect_eq "gate reports here" 1 "$(ls gated/*.lsr 2>/dev/null | wc -l)"
}

# lt_untracked NAME REASON ARGS...: the job runs untracked: its exact status, its own stderr line,
# one line from the launcher, no directory.
lt_untracked() {
    local job=$1 reason=$2; shift 2
    expect_eq "$job: status" "exit 130" "$(lt_status run -o out -- "$job" exit 130)"
    expect_eq "$job: stderr" "leakstamp: $job $reason; running it untracked|status_job: exit 130" \
        "$(paste -sd'|' err.log)"
    no_dir out
    expect_eq "$job: status, -q" "signal 6" "$(lt_status run -q -o out -- "$job" signal 6)"
    expect_eq "$job: gate refuses" "exit 2" "$(lt_status gate -- "$job" exit 0)"
    expect_eq "$job: gate line" "leakstamp: gate: $job $reason, so it cannot be checked" "$(cat err.log)"
}

test_launcher_setuid_setgid_untracked() {
    ulimit -c 0
    cp "$LT_STATUS" suid_job && chmod u+s suid_job
    cp "$LT_STATUS" sgid_job && chmod g+s sgid_job
    lt_untracked ./suid_job "is setuid/setgid: the loader ignores LD_PRELOAD for it"
    lt_untracked ./sgid_job "is setuid/setgid: the loader ignores LD_PRELOAD for it"
}

test_launcher_file_capabilities_untracked() {
    ulimit -c 0
    cp "$LT_STATUS" cap_job
    setcap cap_net_raw+ep cap_job
    getcap cap_job | grep -q cap_net_raw
    lt_untracked ./cap_job "has file capabilities: the loader ignores LD_PRELOAD for it"
    # an attribute that grants nothing is no reason
    cp "$LT_STATUS" nocap_job
    setcap cap_net_raw-ep nocap_job 2>/dev/null || true
    "$WRAP" run -q -o nocap -- ./nocap_job exit 0 2>/dev/null
    expect_eq "tracked" 1 "$(ls nocap/*.lsr | wc -l)"
}

test_launcher_static_untracked() {
    ulimit -c 0
    lt_untracked "$JOBS/status_job_static" "is statically linked: nothing can be preloaded into it"
    lt_untracked "$JOBS/status_job_static_pie" "is statically linked: nothing can be preloaded into it"
}

test_launcher_script_leaves_no_shell_between() {
    # scripts/leakstamp execs the launcher: the job's parent is the launcher, not a shell
    "$WRAP" run -o out -- "$LT_STATUS" wait ready 2>/dev/null &
    wait_for ready
    local pid ppid
    read -r pid ppid < ready
    expect_eq "job's parent" "$ROOT/build/bin/leakstamp" "$(readlink "/proc/$ppid/exe")"
    expect_eq "launcher pid" "$!" "$ppid"
    kill -TERM "$ppid"
    wait $! || true
    gone "$pid"
}

test_launcher_terminal_interrupt_reaches_the_job_once() {
    # ^C on a terminal signals the whole foreground process group, the job included: the launcher
    # must not send it a second SIGINT, nor die of it while the job goes on. The launcher is exec'd
    # by script's shell, so no shell waits between (a non-interactive dash, script's shell when
    # SHELL is unset, dies of the ^C itself); script -e returns the launcher's status.
    local i st
    for i in 1 2 3; do
        rm -f ready
        (wait_for ready; printf '\003') |
            SHELL=/bin/sh timeout 20 script -qec "exec '$WRAP' run -o out -- '$LT_STATUS' count-int ready" /dev/null |
            tr -d '\r' > tty.log
        st=${PIPESTATUS[1]}
        grep -qE '^(\^C)?SIGINT 1$' tty.log || fail "round $i: $(cat tty.log)"
        expect_eq "round $i: status" 0 "$st" || fail "$(cat tty.log)"
    done
}

test_launcher_broken_programs() {
    # ELF files cut short or made of garbage: no crash, one line, the shell's 126; a script without
    # #! runs with /bin/sh, tracked
    head -c 100 "$LT_STATUS" > cut && chmod +x cut
    printf '\177ELF\002\001\001\000garbage' > garbage && chmod +x garbage
    local f
    for f in cut garbage; do
        expect_eq "$f: status" "exit 126" "$(lt_status run -o "o$f" -- "./$f")"
        expect_eq "$f: stderr" "leakstamp: ./$f: cannot execute binary file: Exec format error" "$(head -1 err.log)"
        expect_eq "$f, -q: status" "exit 126" "$(lt_status run -q -o "q$f" -- "./$f")"
    done
    printf 'echo "script ran with $# args"\nexit 42\n' > plain && chmod +x plain
    expect_eq "script status" "exit 42" "$(lt_status run -q -o plain_out -- ./plain a b)"
    grep -qx 'script ran with 2 args' out.log
    expect_eq "script tracked" 1 "$(ls plain_out/*.lsr | wc -l)"
}

test_launcher_adds_no_descriptor() {
    # the launcher holds only what it was given, so the job (forked from it) inherits nothing more:
    # compare its descriptors with those of a plain process started the same way
    local pid ppid alone opt
    "$LT_STATUS" wait ready0 2>/dev/null &
    wait_for ready0
    read -r pid ppid < ready0
    alone=$(ls "/proc/$pid/fd" | sort -n | paste -sd' ')
    kill -TERM "$pid"; wait $! || true
    for opt in --progress=never --progress=always; do
        rm -f ready
        "$WRAP" run "$opt" -o "out$opt" -- "$LT_STATUS" wait ready 2>/dev/null &
        wait_for ready
        read -r pid ppid < ready
        expect_eq "launcher's descriptors ($opt)" "$alone" "$(ls "/proc/$ppid/fd" | sort -n | paste -sd' ')"
        kill -TERM "$pid"; wait $! || true
    done
}

test_launcher_terminal_hangup_reaches_the_job() {
    # `script` runs the launcher as the leader of a new session on a pseudo-terminal; killing script
    # hangs that terminal up, and the kernel sends SIGHUP to the session leader alone: the launcher
    # must pass it on (without leakstamp the job itself would be the leader and get it)
    local pid ppid
    # (script's stdin given: with descriptor 0 closed it takes the master for its input, see test_progress.sh)
    script -qec "exec '$WRAP' run -o out -- '$LT_STATUS' wait ready" /dev/null < /dev/null > /dev/null 2>&1 &
    local script_pid=$!
    wait_for ready
    read -r pid ppid < ready
    expect_eq "the launcher leads the session" "$ppid" "$(ps -o sid= -p "$ppid" | tr -d ' ')"
    kill -KILL "$script_pid"
    wait "$script_pid" || true
    gone "$pid"
    gone "$ppid"
}

test_launcher_found_but_not_runnable_is_126() {
    # a path that exists but cannot be run: the shell's 126 with its reason, not "command not found" (2)
    printf 'x\n' > noexec && chmod -x noexec
    mkdir adir
    local f
    for f in ./noexec ./adir /etc/passwd; do
        expect_eq "$f: status" "exit 126" "$(lt_status run -o "o" -- "$f")"
        [ "$(wc -l < err.log)" = 1 ] || fail "$f: $(cat err.log)"
    done
    grep -q "^leakstamp: run: /etc/passwd: Permission denied$" err.log || fail "$(cat err.log)"
    expect_eq "missing: status" "exit 2" "$(lt_status run -o o -- ./nosuch)"
}

test_launcher_passes_on_every_signal_sent_to_it() {
    # USR1, USR2, ALRM and a real-time signal sent to the launcher (the caller takes it for the job)
    # reach the job's own handlers; the old launcher passed on four signals and died of the others,
    # taking the job with it (PR_SET_PDEATHSIG)
    cat > job.sh <<'JOB'
for s in USR1 USR2 ALRM RTMIN+3; do trap "echo got $s" "$s"; done
trap 'echo got TERM; exit 5' TERM
echo $$ > ready.tmp && mv ready.tmp ready
while :; do sleep 0.05; done
JOB
    local s rc=0 launcher
    "$WRAP" run -o out -- bash job.sh > out.txt 2> err.txt &
    launcher=$!
    wait_for ready
    [ "$(cat ready)" != "$launcher" ] || fail "the job was exec'd, not supervised"
    for s in USR1 USR2 ALRM RTMIN+3; do
        kill -s "$s" "$launcher"
        local i; for i in $(seq 100); do grep -q "got $s" out.txt && break; sleep 0.05; done
    done
    kill -TERM "$launcher"
    wait "$launcher" || rc=$?
    expect_eq "exit status" 5 "$rc"
    expect_eq "the job's handlers ran" "got USR1 got USR2 got ALRM got RTMIN+3 got TERM" "$(echo $(cat out.txt))"
}

test_launcher_unwritable_output_directory_is_one_line() {
    # an existing directory that cannot be written (/proc/self): one line from the launcher, and the
    # job's three processes run untracked, as alone; each used to print a line of its own
    "$WRAP" run -o /proc/self -- bash -c 'echo a | cat | wc -l' > out.txt 2> err.txt
    expect_eq "output" 1 "$(cat out.txt)"
    expect_eq "stderr lines" 1 "$(wc -l < err.txt)"
    grep -q "^leakstamp: cannot write to output directory /proc/self: .*; running the job untracked$" err.txt ||
        fail "$(cat err.txt)"
}

test_launcher_does_not_send_the_jobs_own_signals_back() {
    # the job signals its parent and its process group (the launcher is in both): without leakstamp
    # the parent's copy goes elsewhere; passed back, an acknowledge-to-parent handler looped
    cat > job.sh <<'JOB'
n=0; trap 'n=$((n+1))' USR1
kill -USR1 $PPID; sleep 0.3; a=$n
kill -USR1 0; sleep 0.3
echo "to parent: $a, to group: $((n - a))"
JOB
    setsid -f -w bash -c 'trap : USR1; bash job.sh; :' < /dev/null > alone.txt 2>&1
    setsid -f -w bash -c "trap : USR1; \"$WRAP\" run -o out -- bash job.sh" < /dev/null > out.txt 2> err.txt
    expect_eq "alone" "to parent: 0, to group: 1" "$(cat alone.txt)"
    expect_eq "under leakstamp" "$(cat alone.txt)" "$(cat out.txt)"
}
