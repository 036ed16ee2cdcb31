# preloads.sh — sourced by the bench scripts (run.sh, paired.sh), after they set $root and $lib: the
# configurations a bench job runs under, by short name, and the median their timings are read by.
#   preload_env PREFIX ARRAY: append to ARRAY (an `env` command) what runs a job under PREFIX's preload
#   (none for the job alone). ls-s1g is the tool with a sampling interval no bench job reaches: every
#   cost of sampled mode but its samples.
preload_env() {
    local -n to=$2
    case $1 in
        ls) to+=(LD_PRELOAD="$lib") ;;
        ls-s1g) to+=(LEAKSTAMP_SAMPLE=1GiB LD_PRELOAD="$lib") ;;
        ls-s512) to+=(LEAKSTAMP_SAMPLE=512KiB LD_PRELOAD="$lib") ;;
        ls-s64) to+=(LEAKSTAMP_SAMPLE=64KiB LD_PRELOAD="$lib") ;;
        fwd) to+=(LD_PRELOAD="$root/build/tests/bench/forward.so") ;;
        hooks) to+=(LD_PRELOAD="$root/build/tests/bench/hooks_only.so") ;;
    esac
}

# median: of the numbers on standard input, one per line (the mean of the middle two for an even count)
median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
