# test_gate.sh — `leakstamp gate` (docs/ci.md) end to end: the bundled demo leaky and clean, unit-test
# style jobs (exit check) in C and C++, suppressions, baselines, failing jobs, JUnit XML (validated
# with xmllint against tests/integration/junit.xsd), GitHub annotations, and bad options.
# Exit codes: 0 clean, 1 leaks (--error-exitcode), 2 usage/tool error, 3 the job failed.

GATE_XSD=$ROOT/tests/integration/junit.xsd

# absent GREP-ARGS...: fails (under set -e) when grep finds the pattern; `! grep` would not fail
absent() { if grep -q "$@"; then fail "found: $*"; fi; }

# gate_rc OUTFILE ARGS...: run the gate, stdout+stderr to OUTFILE, print its exit code
gate_rc() {
    local out=$1; shift
    local rc=0
    "$WRAP" gate "$@" >"$out" 2>&1 || rc=$?
    echo "$rc"
}

test_gate_demo_leaky_fails() {
    expect_eq "exit code" 1 "$(gate_rc out.txt -- "$JOBS/demo_leaky" 30)"
    cat out.txt
    grep -E '^  growth +\+4.00 KiB/ev +\+1/ev +1 .*sim::write_ntuple_row\(bool, double\)  tests/jobs/demo_leaky.cpp:74$' out.txt
    grep -E '^  growth +\+864 B/ev +\+18/ev +1 .*sim::Digitizer::digitize' out.txt
    expect_eq "sites listed" 2 "$(grep -c '^  growth ' out.txt)"
    expect_eq "verdict line" "leakstamp gate: FAIL: 2 sites leak" "$(grep 'FAIL' out.txt)"
    # the reports are kept for a failing gate
    dir=$(sed -n 's/^leakstamp gate: reports kept in \([^ ]*\) .*/\1/p' out.txt)
    [ -d "$dir" ] && ls "$dir"/*.lsr >/dev/null && rm -rf "$dir"
}

test_gate_demo_clean_passes() {
    expect_eq "exit code" 0 "$(gate_rc out.txt -o reports -- "$JOBS/demo_leaky" 30 --no-leak)"
    cat out.txt
    expect_eq "verdict line" "leakstamp gate: PASS: no leaks" "$(tail -1 out.txt)"
    ls reports/*.lsr >/dev/null   # -o keeps them
}

test_gate_error_exitcode() {
    expect_eq "exit code" 42 "$(gate_rc out.txt --error-exitcode 42 -o r -- "$JOBS/demo_leaky" 30)"
    expect_eq "exit code with a higher limit" 0 \
        "$(gate_rc out.txt --max-growth 4KiB -o r2 -- "$JOBS/demo_leaky" 30)"
    # a pass that let leaks through says how many
    expect_eq "verdict under the limit" \
        "leakstamp gate: PASS: no leak above the limits (2 under the threshold, 0 accepted by the baseline, 0 suppressed)" \
        "$(tail -1 out.txt)"
    expect_eq "exit code just under the leak" 1 \
        "$(gate_rc out.txt --max-growth 4095 -o r3 -- "$JOBS/demo_leaky" 30)"
    grep -q write_ntuple_row out.txt
    absent digitize out.txt
}

test_gate_unit_c_leak_at_exit() {
    expect_eq "exit code" 1 "$(gate_rc out.txt -o r -- "$JOBS/gate_unit" leak)"
    cat out.txt
    grep -E '^  exit +100 B +1 +exit .*unit_leaky_helper  tests/jobs/gate_unit.c:[0-9]+$' out.txt
    grep -E '^  exit +49 B +1 +exit .*unit_parse_name  tests/jobs/gate_unit.c:[0-9]+$' out.txt
    expect_eq "sites listed" 2 "$(grep -c '^  exit ' out.txt)"
}

test_gate_unit_c_clean_passes() {
    # stdio buffers, locale data and the like are live at exit and must not fail a clean job
    expect_eq "exit code" 0 "$(gate_rc out.txt -o r -- "$JOBS/gate_unit" clean)"
    cat out.txt
    grep -q 'exit check of 1 process' out.txt
    grep -q 'PASS' out.txt
    # ... but they are there: without the built-in suppressions, counting blocks still reachable at exit
    # too (the exit heap scan finds the stdio buffers held by libc's FILEs), the same job fails
    expect_eq "exit code without defaults" 1 "$(gate_rc out2.txt --no-default-suppressions \
        --fail-on definite,indirect,possible,reachable -o r2 -- "$JOBS/gate_unit" clean)"
    cat out2.txt
    expect_eq "... and without the scan" 1 "$(gate_rc out3.txt --no-default-suppressions --no-scan -o r3 -- \
        "$JOBS/gate_unit" clean)"
}

test_gate_unit_cxx() {
    expect_eq "clean exit code" 0 "$(gate_rc out.txt -o r -- "$JOBS/gate_unit_cxx" clean)"
    cat out.txt
    expect_eq "leak exit code" 1 "$(gate_rc out2.txt -o r2 -- "$JOBS/gate_unit_cxx" leak)"
    cat out2.txt
    grep -E '^  exit .*make_label\(int\)  tests/jobs/gate_unit_cxx.cpp:[0-9]+$' out2.txt
}

test_gate_suppression_silences_one_site() {
    cat > my.supp <<'SUPP'
# the ntuple writer is third-party code we cannot fix
[ntuple writer]
fun: sim::write_ntuple_row*
src: demo_leaky.cpp

[never used]   # a suppression that matches nothing
obj: libnothing.so*
SUPP
    expect_eq "exit code" 1 "$(gate_rc out.txt --suppress my.supp -- "$JOBS/demo_leaky" 30)"
    cat out.txt
    absent '^  growth .*write_ntuple_row' out.txt
    grep -q '^  growth .*sim::Digitizer::digitize' out.txt
    grep -q '1 site suppressed' out.txt
    grep -qx 'leakstamp gate: unused suppression \[never used\] (my.supp:6)' out.txt
    absent 'unused suppression \[ntuple writer\]' out.txt
    # site: matches the function naming the site; both silenced -> pass
    printf '[both]\nsite:sim::*\n' > all.supp
    expect_eq "exit code, both suppressed" 0 "$(gate_rc out2.txt --suppress all.supp -- "$JOBS/demo_leaky" 30)"
    # and in the exit check
    printf '[helper]\nfun:unit_leaky_helper\n' > unit.supp
    expect_eq "exit check, one suppressed" 1 "$(gate_rc out3.txt --suppress unit.supp -o r -- "$JOBS/gate_unit" leak)"
    absent unit_leaky_helper out3.txt
    grep -q unit_parse_name out3.txt
}

test_gate_baseline_accepts_old_catches_new() {
    "$WRAP" run -q -o base -- "$JOBS/gate_events" 30 old
    "$ANALYZE" --format json base > base.json
    # the old leak alone: accepted (JSON baseline and report-directory baseline)
    expect_eq "old leak, JSON baseline" 0 "$(gate_rc out.txt --baseline base.json -- "$JOBS/gate_events" 30 old)"
    cat out.txt
    grep -q '1 accepted by the baseline' out.txt
    expect_eq "old leak, directory baseline" 0 "$(gate_rc out.txt --baseline base -- "$JOBS/gate_events" 30 old)"
    # a new leak beside it: only the new one fails
    expect_eq "new leak" 1 "$(gate_rc out2.txt --baseline base.json -- "$JOBS/gate_events" 30 old new)"
    cat out2.txt
    grep -E '^  growth +\+64 B/ev +\+1/ev +1 +new +new_leak  tests/jobs/gate_events.c:[0-9]+$' out2.txt
    absent '^  growth .*old_leak' out2.txt
    # the old leak got worse than the tolerance allows
    expect_eq "worse leak" 1 "$(gate_rc out3.txt --baseline base.json -- "$JOBS/gate_events" 30 older)"
    cat out3.txt
    grep -E '^  growth +\+1.00 KiB/ev .* \+256 B +old_leak ' out3.txt
    expect_eq "worse leak within a wide tolerance" 0 \
        "$(gate_rc out4.txt --baseline base.json --tolerance 400 -- "$JOBS/gate_events" 30 older)"
}

test_gate_job_crash() {
    expect_eq "unit job SIGSEGV" 3 "$(gate_rc out.txt -o r -- "$JOBS/gate_unit" crash)"
    cat out.txt
    grep -qx 'leakstamp gate: FAIL: the job was killed by signal 11 (SIGSEGV)' out.txt
    grep -q 'wrote no exit record' out.txt
    expect_eq "event job SIGSEGV" 3 "$(gate_rc out2.txt -o r2 -- "$JOBS/gate_events" 30 crash)"
    grep -q 'killed by signal 11 (SIGSEGV)' out2.txt
}

test_gate_job_exit3() {
    expect_eq "clean unit job exiting 3" 3 "$(gate_rc out.txt -o r -- "$JOBS/gate_unit" exit3)"
    grep -qx 'leakstamp gate: FAIL: the job exited with status 3' out.txt
    # leaks and a failing job: the job's failure decides the code, the leaks are still listed
    expect_eq "leaky event job exiting 3" 3 "$(gate_rc out2.txt -o r2 -- "$JOBS/gate_events" 30 new exit3)"
    cat out2.txt
    grep -q '^  growth .*new_leak' out2.txt
    grep -qx 'leakstamp gate: FAIL: 1 site leaks; the job exited with status 3' out2.txt
}

test_gate_junit() {
    expect_eq "leaky" 1 "$(gate_rc out.txt --junit leaky.xml -- "$JOBS/demo_leaky" 30)"
    xmllint --noout --schema "$GATE_XSD" leaky.xml
    expect_eq "failing test cases" 2 "$(xmllint --xpath 'count(//testcase[failure])' leaky.xml)"
    expect_eq "suite failures" 2 "$(xmllint --xpath 'string(/testsuites/testsuite/@failures)' leaky.xml)"
    expect_eq "first case" "leak: sim::write_ntuple_row(bool, double) at tests/jobs/demo_leaky.cpp:74" \
        "$(xmllint --xpath 'string(//testcase[1]/@name)' leaky.xml)"
    expect_eq "line attribute" 74 "$(xmllint --xpath 'string(//testcase[1]/@line)' leaky.xml)"
    # the stack is in the failure text, display frame marked
    xmllint --xpath 'string(//testcase[1]/failure)' leaky.xml | grep -q '^> sim::write_ntuple_row(bool, double)  tests/jobs/demo_leaky.cpp:74$'
    xmllint --xpath 'string(//testcase[1]/failure)' leaky.xml | grep -q '^  main  tests/jobs/demo_leaky.cpp:'
    # the C++ names with <, > and & survive as text
    xmllint --xpath 'string(//testcase[2]/@name)' leaky.xml | grep -qF 'std::vector<Hit*, std::allocator<Hit*> > const&'

    expect_eq "clean" 0 "$(gate_rc out.txt --junit clean.xml -- "$JOBS/demo_leaky" 30 --no-leak)"
    xmllint --noout --schema "$GATE_XSD" clean.xml
    expect_eq "one passing case" "no leaks" "$(xmllint --xpath 'string(//testcase/@name)' clean.xml)"
    expect_eq "no failures" 0 "$(xmllint --xpath 'count(//failure|//error)' clean.xml)"

    expect_eq "crash" 3 "$(gate_rc out.txt --junit crash.xml -o r -- "$JOBS/gate_unit" crash)"
    xmllint --noout --schema "$GATE_XSD" crash.xml
    expect_eq "job error" "the job was killed by signal 11 (SIGSEGV)" \
        "$(xmllint --xpath 'string(//testcase[@name="job"]/error/@message)' crash.xml)"
}

test_gate_github_annotations() {
    GITHUB_ACTIONS=true GITHUB_WORKSPACE=$ROOT "$WRAP" gate -- "$JOBS/demo_leaky" 30 > out.txt 2>&1 || true
    cat out.txt
    grep -E '^::error file=tests/jobs/demo_leaky.cpp,line=74,title=leakstamp gate::sim::write_ntuple_row\(bool, double\) grows \+4.00 KiB' out.txt
    expect_eq "annotations" 2 "$(grep -c '^::error ' out.txt)"
    "$WRAP" gate -- "$JOBS/demo_leaky" 30 > plain.txt 2>&1 || true
    absent '^::error' plain.txt
}

test_gate_bad_options() {
    # each: exit code 2, one line on stderr naming the option or file, and the job never ran
    local job=(-- sh -c 'touch ran')
    expect_eq "bad size" 2 "$(gate_rc e1.txt --max-growth 4x "${job[@]}")"
    expect_eq "message" "leakstamp-analyze: --max-growth 4x: expected a size in bytes such as 0, 512, 4KiB or 1MiB" "$(cat e1.txt)"
    expect_eq "negative size" 2 "$(gate_rc e2.txt --max-growth -5 "${job[@]}")"
    expect_eq "lines" 1 "$(wc -l < e2.txt)"
    grep -q -- '--max-growth' e2.txt
    expect_eq "missing suppressions file" 2 "$(gate_rc e3.txt --suppress nosuch.supp "${job[@]}")"
    expect_eq "message" "leakstamp-analyze: --suppress nosuch.supp: cannot read suppressions file: No such file or directory" "$(cat e3.txt)"
    printf '[ok]\nfun:x\nfunc:y\n' > bad.supp
    expect_eq "bad suppressions file" 2 "$(gate_rc e4.txt --suppress bad.supp "${job[@]}")"
    expect_eq "message" "leakstamp-analyze: bad.supp:3: unknown line 'func' (expected [name], fun:, obj:, src: or site:)" "$(cat e4.txt)"
    printf '[empty]\n' > empty.supp
    expect_eq "empty suppression" 2 "$(gate_rc e5.txt --suppress empty.supp "${job[@]}")"
    grep -q 'empty.supp:1: suppression \[empty\] has no' e5.txt
    expect_eq "error-exitcode 0" 2 "$(gate_rc e6.txt --error-exitcode 0 "${job[@]}")"
    grep -q -- '--error-exitcode 0' e6.txt
    expect_eq "check mode" 2 "$(gate_rc e7.txt --check sometimes "${job[@]}")"
    expect_eq "tolerance" 2 "$(gate_rc e8.txt --tolerance 1.5 "${job[@]}")"
    printf '{"sites": [ {"function": "f", "verdict": ' > bad.json
    expect_eq "bad baseline" 2 "$(gate_rc e9.txt --baseline bad.json "${job[@]}")"
    expect_eq "message" "leakstamp-analyze: bad.json:1: bad JSON: expected a value, found the end of the file" "$(cat e9.txt)"
    echo '{"tool": 1}' > nosites.json
    expect_eq "baseline without sites" 2 "$(gate_rc e10.txt --baseline nosites.json "${job[@]}")"
    expect_eq "missing baseline" 2 "$(gate_rc e11.txt --baseline nosuch.json "${job[@]}")"
    expect_eq "unknown option" 2 "$(gate_rc e12.txt --frobnicate "${job[@]}")"
    expect_eq "no command" 2 "$(gate_rc e13.txt --)"
    for f in e*.txt; do expect_eq "$f lines" 1 "$(wc -l < "$f")"; done
    [ ! -e ran ] || fail "the job ran although the options were bad"
}

test_gate_help() {
    "$WRAP" gate --help | grep -q -- '--max-growth SIZE'
    "$ANALYZE" --gate --help | grep -q -- '--error-exitcode N'
}

test_gate_refuses_an_unwritable_junit_path_before_the_job() {
    # checked with the other options: the job does not run (it was run in full, then exit 2)
    local rc=0
    "$WRAP" gate --junit /nonexistent-dir/j.xml -- "$JOBS/demo_leaky" 3 > out.txt 2> err.txt || rc=$?
    expect_eq "exit" 2 "$rc"
    ! grep -q "^demo:" out.txt || fail "the job ran: $(cat out.txt)"
    grep -q "/nonexistent-dir/j.xml: --junit: cannot write: No such file or directory" err.txt || fail "$(cat err.txt)"
    "$WRAP" gate --junit ok.xml -- "$JOBS/demo_leaky" 3 > /dev/null || true   # a new file in "."
    xmllint --noout ok.xml
}

test_gate_refuses_an_output_directory_it_cannot_write_before_the_job() {
    # an existing directory that cannot be written (/proc/self: even root cannot create files there);
    # before, the job ran untracked, then the gate failed with two lines
    local rc=0
    "$WRAP" gate -o /proc/self -- "$JOBS/demo_leaky" 3 > out.txt 2> err.txt || rc=$?
    expect_eq "exit" 2 "$rc"
    ! grep -q "^demo:" out.txt || fail "the job ran: $(cat out.txt)"
    expect_eq "error lines" 1 "$(wc -l < err.txt)"
    grep -q "^leakstamp: gate: cannot write to output directory /proc/self: " err.txt || fail "$(cat err.txt)"
}
