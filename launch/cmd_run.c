/*
 * launch/cmd_run.c — `leakstamp run [options] -- COMMAND [ARGS]` (docs/cli.md): the job runs with
 * libleakstamp.so preloaded and its reports go to the output directory. When nothing is left to do
 * after the job (-q, no --progress and no --event/--stamp names to check, or a job that cannot be
 * tracked) the launcher execs it, so it
 * is the job; otherwise it supervises it (supervise.c), prints the closing line and then exits with
 * the job's status or dies of its signal.
 */
#include "launch.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* The options up to the command; returns the index of the command's first word. */
static int parse(int argc, char **argv, struct run_opts *o, const char **progress)
{
    int i = 0;
    while (i < argc) {
        const char *a = argv[i];
        exit_if_help_or_version(a, usage_run);
        if (!strcmp(a, "--progress") || !strcmp(a, "--progress=auto")) {
            *progress = "auto", i++;
            continue;
        }
        if (!strcmp(a, "--progress=always") || !strcmp(a, "--progress=never")) {
            *progress = a + strlen("--progress="), i++;
            continue;
        }
        if (!strncmp(a, "--progress=", strlen("--progress=")))
            die_usage("run: %s: expected --progress, --progress=auto, --progress=always or --progress=never", a);
        if (!strcmp(a, "--"))
            return i + 1;
        int used = parse_run_opt(o, argc - i, argv + i);
        if (used) {
            i += used;
            continue;
        }
        if (a[0] == '-')
            die_usage("run: unknown option %s (see leakstamp run --help)", a);
        break;
    }
    return i;
}

/* The output directory, made and absolute; NULL (after one line) when it cannot be made. */
static char *output_dir(const struct run_opts *o, const char *exe, long *before)
{
    char *dir = NULL;
    *before = 0;
    if (o->out) {
        dir = xasprintf("%s", o->out);
        *before = count_reports(dir);
        if (*before > 0)
            say("%s already holds %ld report(s) from earlier runs; 'report' reads them all together "
                "(use a new -o DIR to keep runs apart)", dir, *before);
        if (outdir_make(dir) != 0)
            goto fail;
    } else if (outdir_default(exe, &dir) != 0) {
        goto fail;
    }
    char *abs = outdir_absolute(dir);
    if (!abs)
        goto fail;
    if (outdir_writable(abs) != 0) {
        say("cannot write to output directory %s: %s; running the job untracked", dir, strerror(errno));
        free(abs);
        free(dir);
        return NULL;
    }
    free(dir);
    return abs;
fail:
    say("cannot create output directory %s; running the job untracked", dir);
    free(dir);
    return NULL;
}

/* How to call this launcher again, for the closing line: as it was called when found in PATH, else
 * by its real path (scripts/leakstamp starts it as scripts/../build/bin/leakstamp). */
static char *self_name(const char *argv0)
{
    char *real = strchr(argv0, '/') ? realpath(argv0, NULL) : NULL;
    return real ? real : xasprintf("%s", argv0);
}

noreturn void cmd_run(int argc, char **argv, const char *argv0)
{
    struct run_opts o = { .cmd = "run" };
    const char *progress = "never";
    int first = parse(argc, argv, &o, &progress);
    struct job j = prepare_job(&o, argv + first);
    if (j.untracked) {
        say("%s; running it untracked", j.untracked);
        exec_job(j.exe, j.argv, NULL);
    }
    long before;
    char *out = output_dir(&o, j.exe, &before);
    if (!out)
        exec_job(j.exe, j.argv, NULL);
    if (setenv("LEAKSTAMP_OUT", out, 1) != 0)
        die_usage("out of memory");
    /* names given: after the job, say those that matched in no process (unmatched_names.c) */
    int names = names_summary_wanted();
    if (o.quiet && !progress_wanted(progress) && !names)
        exec_job(j.exe, j.argv, j.lib);

    struct timespec start;
    if (names)
        names_summary_begin(&start);
    pid_t prog = progress_start(progress, out);
    int status = supervise(j.exe, j.argv, j.lib);
    progress_stop(prog);
    if (names)
        names_summary_say(out, &start);
    /* a closed stderr must not turn the job's status into our SIGPIPE */
    signal(SIGPIPE, SIG_IGN);
    if (!o.quiet) {
        long n = count_reports(out) - before;
        if (n > 0)
            say("%ld report(s) written in %s \xe2\x80\x94 read them with: %s report %s", n, out,
                self_name(argv0), out);
        else
            say("no report was written in %s", out);
    }
    exit_like(status);
}
