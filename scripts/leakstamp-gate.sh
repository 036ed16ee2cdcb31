# leakstamp-gate.sh — `leakstamp gate`: the CI leak gate, sourced by scripts/leakstamp (which defines
# parse_run_opt, prepare_job, exec_job, find_analyzer and die_usage). It runs the job like `leakstamp
# run` into a fresh temporary directory (or -o DIR), then lets `leakstamp-analyze --gate` decide, and
# exits with its code: 0 clean, 1 leaks (--error-exitcode), 2 usage or tool error, 3 the job failed.
# The rules and formats are in docs/ci.md.

usage_gate() {
    cat <<'USAGE'
usage: leakstamp gate [run options] [gate options] -- COMMAND [ARGS]

Runs COMMAND under leakstamp and fails when a call site leaks: for a job with stamps (--event, or
leakstamp_stamp() in the code), when a site's verdict is `leak` and it grows more than --max-growth
per event; for a job without stamps (a unit-test binary), when a site still holds memory at exit.

gate options:
  --max-growth SIZE        fail above SIZE per event (default 0: any `leak` verdict; 512, 4KiB, 1MiB)
  --max-live SIZE          exit check: fail above SIZE live at exit per site (default 0)
  --check MODE             auto (default: growth with stamps, else exit), growth, exit, both
  --skip N                 ignore the first N events (warm-up)
  --skip-frames REGEX      never name a site by a function matching REGEX (repeatable)
  --suppress FILE          suppressions file (repeatable; format in docs/ci.md)
  --no-default-suppressions  also fail on the C/C++ runtime's own blocks live at exit
  --baseline PATH          fail only on sites new or worse than in PATH: a JSON report
                           (leakstamp report --format json) or a report directory
  --tolerance PCT          how much worse than the baseline a site may grow (default 10)
  --junit FILE             also write JUnit XML (one test case per failing site)
  --error-exitcode N       exit code when leaks are found (default 1; not 0, 2 or 3)
run options (as for leakstamp run):
  -o, --out DIR            keep the reports in DIR (default: a temporary directory, removed when
                           the gate passes)
  --event NAME, --stamp NAME, --depth N, --sample BYTES, --inject SIZE, --meta-env LIST,
  --no-follow-exec, -v, -q
  -h, --help               this text

exit status: 0 clean; 1 leaks found (or --error-exitcode N); 2 usage or tool error (bad option,
missing file, no usable report); 3 the job failed (non-zero exit or killed by a signal).
With GITHUB_ACTIONS=true failing sites are also printed as ::error annotations.
USAGE
}

cmd_gate() {
    RUN_CMD=gate
    local gate_opts=()
    while [ $# -gt 0 ]; do
        case $1 in
            -h|--help) usage_gate; exit 0 ;;
            -V|--version) echo "leakstamp $LEAKSTAMP_VERSION"; exit 0 ;;
            --) shift; break ;;
        esac
        parse_run_opt "$@"
        if [ "$RUN_SHIFT" -gt 0 ]; then shift "$RUN_SHIFT"; continue; fi
        case $1 in
            --max-growth|--max-live|--check|--skip|--skip-frames|--suppress|--baseline|--tolerance|--junit|--error-exitcode)
                [ $# -ge 2 ] || die_usage "$1: missing value"
                gate_opts+=("$1=$2"); shift 2 ;;
            --max-growth=*|--max-live=*|--check=*|--skip=*|--skip-frames=*|--suppress=*|--baseline=*|--tolerance=*|--junit=*|--error-exitcode=*|--no-default-suppressions)
                gate_opts+=("$1"); shift ;;
            -*) die_usage "gate: unknown option $1 (see leakstamp gate --help)" ;;
            *) break ;;
        esac
    done
    local analyzer
    analyzer=$(find_analyzer) || die_usage "gate: leakstamp-analyze not found (run 'make' first)"
    # bad values and missing files are found before the job runs (one line from the analyzer)
    "$analyzer" --gate --validate-only "${gate_opts[@]}" || exit "$EXIT_USAGE"
    prepare_job "$@"
    [ -z "$JOB_UNTRACKED" ] || die_usage "gate: $JOB_UNTRACKED, so it cannot be checked"
    local tmp=""
    if [ -z "$RUN_OUT" ]; then
        tmp=$(mktemp -d "${TMPDIR:-/tmp}/leakstamp-gate.XXXXXX") || die_usage "gate: cannot create a temporary directory"
        RUN_OUT=$tmp
    fi
    exec_job "$@" || die_usage "gate: cannot create output directory $RUN_OUT"
    "$analyzer" --gate --job-status "$JOB_RC" "${gate_opts[@]}" -- "$RUN_OUT"
    local rc=$?
    if [ -n "$tmp" ]; then
        if [ "$rc" -eq 0 ]; then
            rm -rf -- "$tmp"
        else
            echo "leakstamp gate: reports kept in $tmp (leakstamp report $tmp)"
        fi
    fi
    exit "$rc"
}
