# lib.sh — helpers for the integration tests (tests/integration/test_*.sh), sourced by run.sh.
#
# Each test file defines functions named test_*; run.sh calls each one in a fresh temporary directory
# ($T) and counts it failed if it returns non-zero or calls fail. Jobs come from build/tests/jobs.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LIB=$ROOT/build/lib/libleakstamp.so
ANALYZE=$ROOT/build/bin/leakstamp-analyze
WRAP=$ROOT/scripts/leakstamp
JOBS=$ROOT/build/tests/jobs

fail() { echo "    FAIL: $*" >&2; return 1; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# Run a job with the preload into directory $1: preload_run DIR CMD...
preload_run() {
    local out=$1; shift
    mkdir -p "$out"
    LEAKSTAMP_OUT=$out LD_PRELOAD=$LIB "$@"
}

# The single report file in a directory (fails if there is not exactly one).
one_report() {
    local files=("$1"/*.lsr)
    [ ${#files[@]} -eq 1 ] && [ -f "${files[0]}" ] || { fail "expected one report in $1, found ${#files[@]}"; return 1; }
    echo "${files[0]}"
}

# Report files are named after pids, and pids wrap (pid_max is 32768 on a small machine) and grow by a
# digit, so the order of the names says nothing about which process came first: pick a report by what
# it holds. Both helpers fail unless exactly one report matches.
# report_with_args DIR ARG...: the report of the process started with these arguments (after argv[0]).
report_with_args() {
    local dir=$1; shift
    local files
    files=$(awk -F'\t' -v want="$(printf '\t%s' "$@")" -v argc=$(($# + 1)) '
        $1=="argv" { s=""; for (i = 4; i <= NF; i++) s = s "\t" $i; if ($2 == argc && s == want) print FILENAME }
    ' "$dir"/*.lsr)
    [ -n "$files" ] && [ "$(wc -l <<< "$files")" -eq 1 ] || { fail "expected one report of args '$*' in $dir, found: ${files:-none}"; return 1; }
    echo "$files"
}
# root_report DIR: the report of the process the test started, the one whose parent wrote none in DIR.
root_report() {
    local files
    files=$(awk -F'\t' '$1=="pid"{pid[FILENAME]=$2} $1=="ppid"{pp[FILENAME]=$2}
        END { for (f in pid) has[pid[f]] = 1; for (f in pp) if (!(pp[f] in has)) print f }' "$1"/*.lsr)
    [ -n "$files" ] && [ "$(wc -l <<< "$files")" -eq 1 ] || { fail "expected one root report in $1, found: ${files:-none}"; return 1; }
    echo "$files"
}

# Sum of the Δ live bytes (field 4) of the site lines of the stamp record with sequence number N,
# restricted to stacks whose definition matches nothing special: raw per-record view for preload tests.
stamp_lines() { awk -v seq="$2" -F'\t' '$1=="stamp"&&$2==seq{on=1;next} on&&$1=="end"{exit} on' "$1"; }

# Analyzer JSON for a report path, with extra options.
analyze_json() { "$ANALYZE" --format json "$@"; }

# report_sites REPORT: one line per `site` line of every stamp record:
#   seq <TAB> function <TAB> Δallocs <TAB> Δbytes <TAB> live allocs <TAB> live bytes
# where function is the first frame that lies in the report's executable, symbolized with addr2line
# (a raw view of the file, independent of the analyzer, for testing the preload on its own).
report_sites() {
    local report=$1 exe
    exe=$(awk -F'\t' '$1=="exe"{print $2; exit}' "$report")
    # stack id -> offset of the first frame in the executable's module
    awk -F'\t' -v exe="$exe" '
        $1=="module" && $7==exe { m[$2]=1 }
        $1=="stack" { for (i=4;i<=NF;i++) { split($i,f,":"); if (f[1] in m) { print $2 "\t" f[2]; break } } }
    ' "$report" > "$T/.stackoff"
    # symbolize every distinct offset (frames are return addresses: look up offset-1)
    cut -f2 "$T/.stackoff" | sort -u | while read -r off; do
        printf '%s\t%s\n' "$off" "$(addr2line -f -C -e "$exe" "$(printf '%x' $((0x$off - 1)))" | head -1)"
    done > "$T/.offfn"
    awk -F'\t' '
        FILENAME==ARGV[1] { fn[$1]=$2; next }
        FILENAME==ARGV[2] { sfn[$1]=fn[$2]; next }
        $1=="stamp" { seq=$2 }
        $1=="site" { f=($2 in sfn)?sfn[$2]:"?"; print seq "\t" f "\t" $3 "\t" $4 "\t" $5 "\t" $6 }
    ' "$T/.offfn" "$T/.stackoff" "$report"
}

# delta REPORT SEQ FUNCTION: "Δallocs Δbytes" summed over the sites named FUNCTION in stamp SEQ.
delta() {
    report_sites "$1" | awk -F'\t' -v s="$2" -v f="$3" '$1==s&&$2==f{a+=$3;b+=$4} END{print a+0, b+0}'
}

# header REPORT KEY: the first value of a header line.
header() { awk -F'\t' -v k="$2" '$1==k{print $2; exit}' "$1"; }

# count_stamps REPORT NAME: how many stamp records carry that name.
count_stamps() { awk -F'\t' -v n="$2" '$1=="stamp"&&$3==n{c++} END{print c+0}' "$1"; }

# exit_field REPORT N: field N of the exit line (2 reason, 6 heap live bytes, 7 live allocs, 8 allocs, 9 frees).
exit_field() { awk -F'\t' -v n="$2" '$1=="exit"{v=$n} END{print v}' "$1"; }
