/*
 * launch/usage.c — the help texts of `leakstamp`, `leakstamp run` and `leakstamp gate`, and the
 * version line. docs/cli.md, docs/ci.md and man/leakstamp.1 say the same at length; keep them in step.
 */
#include "launch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char main_text[] =
"usage: leakstamp run [options] -- COMMAND [ARGS]\n"
"       leakstamp report [options] PATH...\n"
"       leakstamp gate [options] -- COMMAND [ARGS]\n"
"       leakstamp --help | --version\n"
"\n"
"Finds memory leaks in long event-loop jobs: records at every event boundary how much live memory each\n"
"call site holds, then ranks call sites by growth per event.\n"
"`leakstamp run --help`, `leakstamp report --help` and `leakstamp gate --help` describe each command.\n";

static const char run_text[] =
"usage: leakstamp run [options] -- COMMAND [ARGS]\n"
"\n"
"Runs COMMAND with libleakstamp.so preloaded; its output and exit status are passed through unchanged.\n"
"Each process writes one report file (leakstamp.<exe>.<pid>.<n>.lsr) into the output directory.\n"
"\n"
"options:\n"
"  -o, --out DIR        output directory (created if missing; default: a new directory\n"
"                       leakstamp.<exe>.<date-time> in the current directory)      LEAKSTAMP_OUT\n"
"  --depth N            frames kept per call stack, 1..256 (default 64)             LEAKSTAMP_DEPTH\n"
"  --sample BYTES       sampled mode: record one allocation per BYTES allocated on     LEAKSTAMP_SAMPLE\n"
"                       average (e.g. 64KiB), with unbiased estimates; much faster\n"
"  --no-follow-exec     do not track programs the job execs                        LEAKSTAMP_FOLLOW_EXEC=0\n"
"  --meta-env LIST      record these environment variables in the report header    LEAKSTAMP_META_ENV\n"
"                       (comma-separated names)\n"
"  --event NAME         the job's event function: every entry records a stamp      LEAKSTAMP_EVENT\n"
"                       named NAME, the analyzer's default event boundary\n"
"                       (C name, mangled name, ns::Class::method for every overload,\n"
"                       or ns::Class::method(int) for one; docs/named-stamps.md)\n"
"  --stamp NAME         one more function whose entries record stamps (repeatable) LEAKSTAMP_STAMPS\n"
"  --inject SIZE        calibration: leak SIZE bytes (4096, 512KiB, 1MiB) at every  LEAKSTAMP_INJECT\n"
"                       entry of the --event function, from the site\n"
"                       leakstamp_inject_calibration\n"
"  --scan N[,M...]      also scan the heap after the N-th (M-th...) event stamp:    LEAKSTAMP_SCAN\n"
"                       what holds each site's blocks (the heap is scanned at exit\n"
"                       by default: lost or reachable; docs/preload.md)\n"
"  --no-scan            no heap scan at all, not even at exit                      LEAKSTAMP_SCAN=0\n"
"  -v, --verbose        the library says where it writes                          LEAKSTAMP_VERBOSE=1\n"
"  -q, --quiet          do not print where the reports are\n"
"  --progress[=WHEN]    one updating status line on stderr while the job runs (events, RSS,\n"
"                       top growth); WHEN: auto (the default: only when stderr is a terminal),\n"
"                       always, never\n"
"  -h, --help           this text\n"
"  -V, --version        print the version\n"
"A statically linked, setuid/setgid or capability-bearing COMMAND cannot be preloaded: leakstamp says\n"
"so and runs it untracked.\n";

static const char gate_text[] =
"usage: leakstamp gate [run options] [gate options] -- COMMAND [ARGS]\n"
"\n"
"Runs COMMAND under leakstamp and fails when a call site leaks: for a job with stamps (--event, or\n"
"leakstamp_stamp() in the code), when a site's verdict is `leak` and it grows more than --max-growth\n"
"per event; for a job without stamps (a unit-test binary), when a site still holds memory at exit.\n"
"\n"
"gate options:\n"
"  --max-growth SIZE        fail above SIZE per event (default 0: any `leak` verdict; 512, 4KiB, 1MiB)\n"
"  --max-live SIZE          exit check: fail above SIZE live at exit per site (default 0)\n"
"  --fail-on KINDS          exit check with a heap scan: which of definite, indirect, possible,\n"
"                           reachable count (default definite,indirect)\n"
"  --check MODE             auto (default: growth with stamps, else exit), growth, exit, both\n"
"  --skip N                 ignore the first N events (warm-up)\n"
"  --skip-frames REGEX      never name a site by a function matching REGEX (repeatable)\n"
"  --suppress FILE          suppressions file (repeatable; format in docs/ci.md)\n"
"  --no-default-suppressions  also fail on the C/C++ runtime's own blocks live at exit\n"
"  --baseline PATH          fail only on sites new or worse than in PATH: a JSON report\n"
"                           (leakstamp report --format json) or a report directory\n"
"  --tolerance PCT          how much worse than the baseline a site may grow (default 10)\n"
"  --junit FILE             also write JUnit XML (one test case per failing site)\n"
"  --error-exitcode N       exit code when leaks are found (default 1; not 0, 2 or 3)\n"
"run options (as for leakstamp run):\n"
"  -o, --out DIR            keep the reports in DIR (default: a temporary directory, removed when\n"
"                           the gate passes)\n"
"  --event NAME, --stamp NAME, --depth N, --sample BYTES, --inject SIZE, --meta-env LIST,\n"
"  --scan N[,M...], --no-scan, --no-follow-exec, -v, -q\n"
"  -h, --help               this text\n"
"\n"
"exit status: 0 clean; 1 leaks found (or --error-exitcode N); 2 usage or tool error (bad option,\n"
"missing file, no usable report); 3 the job failed (non-zero exit or killed by a signal).\n"
"With GITHUB_ACTIONS=true failing sites are also printed as ::error annotations.\n";

void usage_main(FILE *f)
{
    fputs(main_text, f);
}

void usage_run(void)
{
    fputs(run_text, stdout);
}

void usage_gate(void)
{
    fputs(gate_text, stdout);
}

void print_version(void)
{
    printf("leakstamp %s\n", LEAKSTAMP_VERSION);
}

void exit_if_help_or_version(const char *arg, void (*usage)(void))
{
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
        usage();
        exit(0);
    }
    if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
        print_version();
        exit(0);
    }
}
