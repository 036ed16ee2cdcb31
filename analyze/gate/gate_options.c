/*
 * gate_options.c — the gate's own options (gate.h). They are taken out of argv here; everything else
 * (--event, --skip, --skip-frames, paths) is left for options_parse, so the gate analyses exactly as
 * `leakstamp-analyze` does. Every bad value is one error naming the option.
 */
#include <stdlib.h>
#include <string.h>

#include "gate/gate.h"
#include "size.h"   /* common/: the SIZE grammar shared with the preload */
#include "base/util.h"
#include "read/report.h"   /* LS_DEFINITE..: the heap scan's categories */

void gate_usage(FILE *out)
{
    fputs("usage: leakstamp-analyze --gate [options] PATH...\n"
          "Pass or fail a job's leakstamp reports (the CI gate; `leakstamp gate` runs the job and calls this).\n"
          "\n"
          "  --max-growth SIZE       fail when a `leak` site grows more than SIZE per event (default 0;\n"
          "                          SIZE: 512, 4KiB, 1MiB)\n"
          "  --max-live SIZE         exit check: fail when a site holds more than SIZE at exit (default 0)\n"
          "  --fail-on KINDS         exit check with a heap scan: count these of definite, indirect,\n"
          "                          possible, reachable (default definite,indirect)\n"
          "  --check MODE            auto (default: growth if the job has stamps, else exit), growth,\n"
          "                          exit or both\n"
          "  --suppress FILE         suppressions file (repeatable; format in docs/ci.md)\n"
          "  --no-default-suppressions  do not ignore the C/C++ runtime's own live-at-exit blocks\n"
          "  --baseline PATH         fail only on sites new or worse than in this JSON report or report\n"
          "                          directory\n"
          "  --tolerance PCT         how much worse than the baseline a site may be (default 10)\n"
          "  --junit FILE            write JUnit XML (one test case per failing site)\n"
          "  --error-exitcode N      exit code when leaks are found (default 1; not 0, 2 or 3)\n"
          "  --job-status N          the job's exit status as the shell reports it (128+N: signal N)\n"
          "  --job-exit N, --job-signal N   the job exited with code N, or was killed by signal N\n"
          "                          (exact: what the launcher passes)\n"
          "  --validate-only         check the options, suppressions and baseline; read no reports\n"
          "  --event NAME, --skip N, --skip-frames REGEX   as for leakstamp-analyze\n"
          "\n"
          "Exit status: 0 clean, 1 leaks found (--error-exitcode), 2 usage or tool error,\n"
          "3 the job failed (non-zero exit or killed by a signal).\n"
          "GITHUB_ACTIONS=true adds ::error annotations for failing sites.\n",
          out);
}

int gate_requested(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--gate"))
            return 1;
    return 0;
}

/* "--name VALUE" or "--name=VALUE" */
static int takes(const char *arg, const char *name, int argc, char **argv, int *i, const char **value)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) || (arg[n] && arg[n] != '='))
        return 0;
    *value = arg[n] == '=' ? arg + n + 1 : *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

static int bad(ls_error *err, const char *opt, const char *v, const char *what)
{
    if (!v)
        ls_error_set(err, NULL, 0, "%s: missing value", opt);
    else
        ls_error_set(err, NULL, 0, "%s %s: %s", opt, v, what);
    return -1;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    long v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The job ended one way: a second --job-status/--job-exit/--job-signal contradicts the first (or
 * repeats it), and the last one silently winning would decide the gate on a guess. */
static int set_job_status(gate_options *g, const char *opt, const char *v, int status, ls_error *err)
{
    if (g->job_opt) {
        ls_error_set(err, NULL, 0, "%s %s: the job's status is already given by %s %s (give one of --job-status, "
                     "--job-exit, --job-signal)", opt, v, g->job_opt, g->job_value);
        return -1;
    }
    g->job_opt = opt;
    g->job_value = v;
    g->job_status = status;
    return 1;
}

/* --fail-on definite,indirect,possible,reachable: like memcheck's --errors-for-leak-kinds */
static int parse_fail_on(gate_options *g, const char *v, ls_error *err)
{
    static const char *const names[LS_NREACH] = { "definite", "indirect", "possible", "reachable" };
    unsigned set = 0;
    for (const char *p = v ? v : ""; *p;) {
        size_t n = strcspn(p, ","), k = 0;
        while (k < LS_NREACH && (strlen(names[k]) != n || strncmp(p, names[k], n)))
            k++;
        if (k == LS_NREACH)
            return bad(err, "--fail-on", v, "expected a comma-separated list of definite, indirect, possible, reachable");
        set |= 1u << k;
        p += n + (p[n] == ',');
    }
    if (!set)
        return bad(err, "--fail-on", v, "expected a comma-separated list of definite, indirect, possible, reachable");
    g->fail_on = set;
    return 1;
}

static int parse_gate_one(gate_options *g, int argc, char **argv, int *i, ls_error *err)
{
    const char *a = argv[*i], *v = NULL;
    long n;
    if (!strcmp(a, "--gate"))
        return 1;
    if (!strcmp(a, "--no-default-suppressions")) {
        g->default_suppressions = 0;
        return 1;
    }
    if (!strcmp(a, "--validate-only")) {
        g->validate_only = 1;
        return 1;
    }
    if (takes(a, "--max-growth", argc, argv, i, &v))
        return ls_size_parse(v, &g->max_growth) < 0
                   ? bad(err, "--max-growth", v, "expected a size in bytes such as 0, 512, 4KiB or 1MiB")
                   : 1;
    if (takes(a, "--max-live", argc, argv, i, &v))
        return ls_size_parse(v, &g->max_live) < 0
                   ? bad(err, "--max-live", v, "expected a size in bytes such as 0, 512, 4KiB or 1MiB")
                   : 1;
    if (takes(a, "--tolerance", argc, argv, i, &v)) {
        if (parse_int(v, 0, 10000, &n) < 0)
            return bad(err, "--tolerance", v, "expected a whole percentage from 0 to 10000");
        g->tolerance = (double)n / 100.0;
        return 1;
    }
    if (takes(a, "--suppress", argc, argv, i, &v)) {
        if (!v || !*v)
            return bad(err, "--suppress", v, "expected a file name");
        g->suppress = xrealloc(g->suppress, (g->nsuppress + 1) * sizeof *g->suppress);
        g->suppress[g->nsuppress++] = v;
        return 1;
    }
    if (takes(a, "--baseline", argc, argv, i, &v)) {
        if (!v || !*v)
            return bad(err, "--baseline", v, "expected a JSON report or a report directory");
        g->baseline = v;
        return 1;
    }
    if (takes(a, "--junit", argc, argv, i, &v)) {
        if (!v || !*v)
            return bad(err, "--junit", v, "expected a file name");
        g->junit = v;
        return 1;
    }
    if (takes(a, "--error-exitcode", argc, argv, i, &v)) {
        if (parse_int(v, 1, 255, &n) < 0 || n == GATE_EXIT_ERROR || n == GATE_EXIT_JOB_FAILED)
            return bad(err, "--error-exitcode", v, "expected a number from 1 to 255 other than 2 and 3");
        g->error_exitcode = (int)n;
        return 1;
    }
    if (takes(a, "--job-status", argc, argv, i, &v)) {
        if (parse_int(v, 0, 255, &n) < 0)
            return bad(err, "--job-status", v, "expected an exit status from 0 to 255");
        return set_job_status(g, "--job-status", v, n > 128 && n - 128 < 65 ? GATE_JOB_SIGNALED + (int)n - 128 : (int)n,
                              err);
    }
    if (takes(a, "--job-exit", argc, argv, i, &v)) {
        if (parse_int(v, 0, 255, &n) < 0)
            return bad(err, "--job-exit", v, "expected an exit code from 0 to 255");
        return set_job_status(g, "--job-exit", v, (int)n, err);
    }
    if (takes(a, "--job-signal", argc, argv, i, &v)) {
        if (parse_int(v, 1, 64, &n) < 0)
            return bad(err, "--job-signal", v, "expected a signal number from 1 to 64");
        return set_job_status(g, "--job-signal", v, GATE_JOB_SIGNALED + (int)n, err);
    }
    if (takes(a, "--check", argc, argv, i, &v)) {
        static const char *const modes[] = { "auto", "growth", "exit", "both" };
        for (size_t m = 0; v && m < 4; m++)
            if (!strcmp(v, modes[m])) {
                g->check = (gate_check)m;
                return 1;
            }
        return bad(err, "--check", v, "expected auto, growth, exit or both");
    }
    if (takes(a, "--fail-on", argc, argv, i, &v))
        return parse_fail_on(g, v, err);
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
        g->help = 1;
        return 1;
    }
    /* the analyzer's output options make no sense for the gate */
    static const char *const refused[] = { "--format", "--top", "--all", "--timeline", "-o", "--output",
                                           "--pprof-event" };
    for (size_t k = 0; k < sizeof refused / sizeof *refused; k++)
        if (takes(a, refused[k], argc, argv, i, &v) || !strcmp(a, refused[k])) {
            ls_error_set(err, NULL, 0, "%s: not an option of --gate (--help lists them)", refused[k]);
            return -1;
        }
    return 0;
}

int gate_options_parse(int argc, char **argv, gate_options *g, char **rest, int *nrest, ls_error *err)
{
    memset(g, 0, sizeof *g);
    g->default_suppressions = 1;
    g->tolerance = 0.10;
    g->error_exitcode = GATE_EXIT_LEAKS;
    g->job_status = -1;
    g->fail_on = 1u << LS_DEFINITE | 1u << LS_INDIRECT;
    const char *gh = getenv("GITHUB_ACTIONS");
    g->github = gh && !strcmp(gh, "true");
    *nrest = 0;
    rest[(*nrest)++] = argc ? argv[0] : "leakstamp-analyze";
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        int rc = argv[i][0] == '-' ? parse_gate_one(g, argc, argv, &i, err) : 0;
        if (rc < 0)
            return -1;
        if (rc == 0)
            rest[(*nrest)++] = argv[i];
    }
    for (; i < argc; i++)
        rest[(*nrest)++] = argv[i];
    rest[*nrest] = NULL;
    return 0;
}

void gate_options_free(gate_options *g)
{
    free(g->suppress);
    memset(g, 0, sizeof *g);
}
