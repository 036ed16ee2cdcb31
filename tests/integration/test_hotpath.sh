# test_hotpath.sh — the allocation hook's own hazards (issue 11 items 3 and 7): it never waits for a
# lock the job's thread holds (pthread_getattr_np at thread start, as ruby does) and its frames fit a
# small stack. Every job runs under `timeout`: a hang fails instead of blocking the suite.

test_pthread_getattr_np_at_thread_start_does_not_hang() {
    # each thread's first allocation is glibc's realloc inside pthread_getattr_np, which holds the
    # thread's own lock: a hook that called pthread_getattr_np then waited forever (5/5 runs)
    local i rc
    for i in 1 2 3 4 5; do
        set +e; preload_run out timeout -k 5 20 "$JOBS/getattr_threads" 20 4 > stdout; rc=$?; set -e
        expect_eq "exit status (124: hung)" 0 "$rc" || return 1
        expect_eq "output" "threads 80" "$(cat stdout)" || return 1
    done
    # the blocks leaked after pthread_getattr_np are counted exactly: 5 runs x 80 threads x 40 B
    local live=0 r
    for r in out/*.lsr; do
        live=$((live + $(awk -F'\t' '$1=="live"{b+=$4} END{print b+0}' "$r")))
    done
    [ "$live" -ge $((5 * 80 * 40)) ] || fail "live bytes at exit: $live, at least 16000 expected"
}

test_ruby_runs_under_exact_mode() {
    command -v ruby > /dev/null || { fail "ruby is not installed (scripts/install-deps.sh installs it)"; return 1; }
    local rc i
    for i in 1 2 3; do
        set +e; timeout -k 5 30 env LEAKSTAMP_OUT=out LD_PRELOAD="$LIB" ruby -e 'puts 1' > stdout; rc=$?; set -e
        expect_eq "ruby -e 'puts 1' exit status (124: hung)" 0 "$rc" || return 1
        expect_eq "ruby output" 1 "$(cat stdout)" || return 1
        set +e
        timeout -k 5 30 env LEAKSTAMP_OUT=out LD_PRELOAD="$LIB" ruby -e \
            'puts 8.times.map { |i| Thread.new { a = []; 2000.times { |j| a << "t#{i}-#{j}" * 3 }; a.size } }.map(&:value).sum' \
            > stdout
        rc=$?; set -e
        expect_eq "threaded ruby exit status (124: hung)" 0 "$rc" || return 1
        expect_eq "threaded ruby output" 16000 "$(cat stdout)" || return 1
    done
}

test_first_allocations_fit_a_small_stack() {
    # a 32 KiB fiber and a PTHREAD_STACK_MIN thread, painted: the tool may add at most 4 KiB to what the
    # job itself uses there (it added 6.4 and 8 KiB when the hook kept a 4 KiB stack struct and
    # libunwind's context and cursor on the stack)
    local alone traced rc
    alone=$("$JOBS/small_stack") || fail "small_stack alone failed"
    set +e; traced=$(preload_run out timeout -k 5 20 "$JOBS/small_stack"); rc=$?; set -e
    expect_eq "exit status under the tool (3: the painted stack overflowed)" 0 "$rc" || return 1
    local what a t
    for what in fiber thread; do
        a=$(awk -v k="$what" '$1==k{print $2}' <<< "$alone")
        t=$(awk -v k="$what" '$1==k{print $2}' <<< "$traced")
        [ -n "$a" ] && [ -n "$t" ] || { fail "no '$what' line: alone '$alone', traced '$traced'"; return 1; }
        [ $((t - a)) -le 4096 ] || fail "$what: the tool used $((t - a)) bytes of stack (alone $a, traced $t)"
    done
}

test_assembly_hooks_keep_the_cet_marking() {
    # built with -fcf-protection (as distributions build), every object must carry the IBT/SHSTK
    # property or the linker drops the library's marking; the hand-written hooks start with endbr64
    # then, and without the flag their fast path has no extra instruction
    local s o objs=() cet plain
    for s in "$ROOT"/preload/*/*.S; do
        o=${s#"$ROOT"/}; objs+=("$PWD/cet/obj/${o%.S}.o")
    done
    make -s -C "$ROOT" B="$PWD/cet" OPT="-O2 -g -fcf-protection" "${objs[@]}" > make.log 2>&1 ||
        { cat make.log; fail "make with -fcf-protection failed"; return 1; }
    for o in "${objs[@]}"; do
        readelf -n "$o" | grep -q 'x86 feature: IBT, SHSTK' ||
            { readelf -n "$o"; fail "$(basename "$o"): no IBT/SHSTK property note"; return 1; }
    done
    # every global function of the assembly (delete's names share free's address) at an endbr64
    local addr insn n=0
    for o in "${objs[@]}"; do
        while read -r addr s; do
            insn=$(objdump -d --no-show-raw-insn "$o" | grep -m1 "^ *$(printf %x $((16#$addr))):")
            [[ $insn == *endbr64* ]] || { fail "$s starts with '$insn', not endbr64"; return 1; }
            n=$((n + 1))
        done < <(nm --defined-only "$o" | awk '$2=="T"{print $1, $3}')
    done
    expect_eq "functions checked (malloc, free, 12 delete, dlopen)" 15 "$n" || return 1
    plain=$(objdump -d --no-show-raw-insn "$ROOT/build/obj/preload/core/hooks_fast.o")
    ! grep -q endbr64 <<< "$plain" || fail "endbr64 in the hooks built without -fcf-protection"
}

test_bench_floors_run_the_job_unchanged() {
    # make bench's two floors (tests/bench/forward.c, hooks_only.c: the library's own assembly hooks
    # with slow paths that only forward) must leave the churn job's work as it is, threads included
    local b=$ROOT/build/tests/bench pre out
    "$b/churn" 3 20000 2 > alone
    for pre in forward.so hooks_only.so; do
        LD_PRELOAD=$b/$pre "$b/churn" 3 20000 2 > out
        cmp alone out || { fail "$pre: $(cat out), alone: $(cat alone)"; return 1; }
    done
    # the hooks-only malloc is the library's: the same instructions, addresses aside
    local lib_m hooks_m
    lib_m=$(objdump -d --no-show-raw-insn "$LIB" | awk '/<malloc>:/,/^$/' | awk 'NR>1 && NF{print $2}')
    hooks_m=$(objdump -d --no-show-raw-insn "$b/hooks_only.so" | awk '/<malloc>:/,/^$/' | awk 'NR>1 && NF{print $2}')
    [ -n "$lib_m" ] && [ "$lib_m" = "$hooks_m" ] || fail "malloc differs: $(echo $lib_m) / $(echo $hooks_m)"
}

test_paired_bench_decides_targets_with_intervals() {
    # make bench-paired on a tiny churn job: every configuration's row, ratios to the job alone and to
    # the floor of the same repetition, a verdict for each target, and the document's block replaced
    printf 'before\n<!-- paired-churn:begin -->\nold\n<!-- paired-churn:end -->\nafter\n' > doc.md
    PAIRED_ARGS="3 2000 1" PAIRED_DOC=$PWD/doc.md bash "$ROOT/tests/bench/paired.sh" 20 churn > table 2> log ||
        { fail "paired.sh failed: $(tail -3 log)"; return 1; }
    [ "$(grep -c '^|' table)" = 9 ] || fail "expected a header, a rule and 7 rows: $(cat table)"
    grep -q '^| alone | [0-9.]* | 1\.000× (1\.000–1\.000) |' table || fail "alone is not 1.000: $(cat table)"
    grep -q '^| forward only | [0-9.]* | [0-9.]*× ([0-9.]*–[0-9.]*) | 1\.000× (1\.000–1\.000) |' table ||
        fail "the floor against itself is not 1.000: $(cat table)"
    local row
    for row in 'sampled 512KiB' 'sampled 64KiB' 'exact'; do
        grep "^| $row |" table | grep -Eq '\| (met|NOT met|undecided) \|$' || fail "$row has no verdict: $(cat table)"
    done
    [ "$(head -1 doc.md)" = before ] && [ "$(tail -1 doc.md)" = after ] && ! grep -q '^old$' doc.md &&
        grep -q '^| exact |' doc.md || fail "the document's block was not replaced: $(cat doc.md)"
    bash "$ROOT/tests/bench/paired.sh" 19 churn 2> err && fail "19 repetitions accepted"
    grep -q 'REPS must be at least 20' err || fail "no clear error for 19 repetitions: $(cat err)"
}

test_a_walk_blocks_signals_once_not_per_frame() {
    # libunwind blocks every signal around each step (two rt_sigprocmask per frame: 40 million in one
    # compiler run); the walk blocks them once and answers libunwind's calls itself. 2,000 distinct
    # 20-frame stacks, each unwound once: about 2 calls per stack now, 50 before (strace: install-deps.sh)
    mkdir out
    LEAKSTAMP_SCAN=0 LEAKSTAMP_OUT=out LD_PRELOAD=$LIB strace -f -c -e trace=rt_sigprocmask -o st \
        "$ROOT/build/tests/bench/tool_memory" stacks 2000 > /dev/null
    local calls; calls=$(awk '$NF == "rt_sigprocmask" {print $4}' st)
    [ -n "$calls" ] && [ "$calls" -lt 6000 ] || fail "rt_sigprocmask calls: ${calls:-none counted} ($(cat st))"
}
