/*
 * launch/cmd_gate.c — `leakstamp gate [run options] [gate options] -- COMMAND [ARGS]` (docs/ci.md):
 * the gate options are checked first (`leakstamp-analyze --gate --validate-only`, so a typo costs no
 * job run), the job runs as for `run` into a fresh temporary directory (or -o DIR), and then
 * `leakstamp-analyze --gate --job-exit N` (or --job-signal N) decides; its exit code is the gate's:
 * 0 clean, 1 leaks, 2 usage or tool error, 3 the job failed. The temporary directory is removed when
 * the gate passes and named when it does not.
 */
#include "launch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Gate options with a value: passed to the analyzer as one word "--opt=VALUE". */
static const char *const valued[] = {
    "--max-growth", "--max-live", "--fail-on", "--check", "--skip", "--skip-frames", "--suppress", "--baseline",
    "--tolerance", "--junit", "--error-exitcode",
};
#define NVALUED (sizeof valued / sizeof valued[0])

/* 0: not a gate option; else the words used, and the analyzer's word in *word. */
static int gate_opt(int argc, char **argv, char **word)
{
    const char *a = argv[0];
    if (!strcmp(a, "--no-default-suppressions")) {
        *word = argv[0];
        return 1;
    }
    for (size_t k = 0; k < NVALUED; k++) {
        size_t n = strlen(valued[k]);
        if (strncmp(a, valued[k], n))
            continue;
        if (a[n] == '=') {
            *word = argv[0];
            return 1;
        }
        if (a[n] == '\0') {
            if (argc < 2)
                die_usage("%s: missing value", a);
            *word = xasprintf("%s=%s", a, argv[1]);
            return 2;
        }
    }
    return 0;
}

struct gate_args {
    char **opts;        /* gate options, each one word for the analyzer */
    size_t nopts;
    int first;          /* index of the command */
};

static struct gate_args parse(int argc, char **argv, struct run_opts *o)
{
    struct gate_args g = { .opts = xmalloc(((size_t)argc + 1) * sizeof(char *)) };
    int i = 0;
    while (i < argc) {
        const char *a = argv[i];
        exit_if_help_or_version(a, usage_gate);
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        int used = parse_run_opt(o, argc - i, argv + i);
        if (!used)
            used = gate_opt(argc - i, argv + i, &g.opts[g.nopts]), g.nopts += used > 0;
        if (used) {
            i += used;
            continue;
        }
        if (a[0] == '-')
            die_usage("gate: unknown option %s (see leakstamp gate --help)", a);
        break;
    }
    g.first = i;
    return g;
}

/* The analyzer with HEAD words, the gate options, then TAIL words; its status as the shell gives it. */
static int analyze(const char *analyzer, char **head, size_t nhead, const struct gate_args *g,
                   char **tail, size_t ntail)
{
    char **av = xmalloc((2 + nhead + g->nopts + ntail) * sizeof *av);
    size_t n = 0;
    av[n++] = (char *)analyzer;
    for (size_t k = 0; k < nhead; k++)
        av[n++] = head[k];
    for (size_t k = 0; k < g->nopts; k++)
        av[n++] = g->opts[k];
    for (size_t k = 0; k < ntail; k++)
        av[n++] = tail[k];
    av[n] = NULL;
    int rc = status_as_shell(supervise(analyzer, av, NULL));
    free(av);
    return rc;
}

static char *temp_dir(void)
{
    const char *t = getenv("TMPDIR");
    char *dir = xasprintf("%s/leakstamp-gate.XXXXXX", t && t[0] ? t : "/tmp");
    if (!mkdtemp(dir))
        die_usage("gate: cannot create a temporary directory");
    return dir;
}

noreturn void cmd_gate(int argc, char **argv)
{
    struct run_opts o = { .cmd = "gate" };
    struct gate_args g = parse(argc, argv, &o);
    const char *analyzer = find_analyzer_or_die("gate");
    char *validate[] = { "--gate", "--validate-only" };
    if (analyze(analyzer, validate, 2, &g, NULL, 0) != 0)
        exit(LS_EXIT_USAGE);
    struct job j = prepare_job(&o, argv + g.first);
    if (j.untracked)
        die_usage("gate: %s, so it cannot be checked", j.untracked);
    char *tmp = o.out ? NULL : temp_dir();
    const char *out = o.out ? o.out : tmp;
    char *abs = outdir_make(out) == 0 ? outdir_absolute(out) : NULL;
    if (!abs)
        die_usage("gate: cannot create output directory %s", out);
    /* `run` lets a job run untracked when its reports cannot be written; a gate that records nothing
     * could only fail after the job's whole run, so it refuses before it */
    if (outdir_writable(abs) != 0)
        die_usage("gate: cannot write to output directory %s: %s", out, strerror(errno));
    if (setenv("LEAKSTAMP_OUT", abs, 1) != 0)
        die_usage("out of memory");

    struct timespec start;
    int names = names_summary_wanted();
    if (names)
        names_summary_begin(&start);
    /* exact: an exit code of 139 is not a SIGSEGV */
    int st = supervise(j.exe, j.argv, j.lib);
    if (names)
        names_summary_say(abs, &start);
    char status[16];
    snprintf(status, sizeof status, "%d", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    char *head[] = { "--gate", WIFSIGNALED(st) ? "--job-signal" : "--job-exit", status };
    char *tail[] = { "--", abs };
    int rc = analyze(analyzer, head, 3, &g, tail, 2);
    if (tmp) {
        if (rc == 0)
            outdir_remove(tmp);
        else
            printf("leakstamp gate: reports kept in %s (leakstamp report %s)\n", tmp, tmp);
    }
    exit(rc);
}
