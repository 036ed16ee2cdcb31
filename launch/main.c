/*
 * launch/main.c — `leakstamp COMMAND ...`: the command word picks run (cmd_run.c), gate
 * (cmd_gate.c) or report, which is the analyzer itself: `leakstamp report ARGS` execs
 * `leakstamp-analyze ARGS`, whose options, output and exit status are the report's (docs/cli.md).
 */
#include "launch.h"

#include <stdlib.h>
#include <string.h>

static noreturn void cmd_report(char **argv)
{
    const char *analyzer = find_analyzer_or_die("report");
    argv[0] = (char *)analyzer;
    exec_job(analyzer, argv, NULL);
}

int main(int argc, char **argv)
{
    const char *c = argc > 1 ? argv[1] : "";
    if (!strcmp(c, "run"))
        cmd_run(argc - 2, argv + 2, argv[0]);
    if (!strcmp(c, "report"))
        cmd_report(argv + 1);
    if (!strcmp(c, "gate"))
        cmd_gate(argc - 2, argv + 2);
    if (!strcmp(c, "-h") || !strcmp(c, "--help") || !strcmp(c, "help")) {
        usage_main(stdout);
        return 0;
    }
    if (!strcmp(c, "-V") || !strcmp(c, "--version")) {
        print_version();
        return 0;
    }
    if (!c[0]) {
        usage_main(stderr);
        return LS_EXIT_USAGE;
    }
    die_usage("unknown command '%s' (expected run, report or gate; see leakstamp --help)", c);
}
