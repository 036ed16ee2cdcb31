/*
 * launch/progress.c — `leakstamp run --progress`: the analyzer follows the newest report in the
 * output directory and rewrites one status line on stderr every second (analyze/progress.c), until it
 * is sent SIGTERM or the launcher (--pid) is gone. Only on a terminal unless --progress=always, so CI
 * logs never fill with carriage returns. It runs beside the job, not preloaded, and is not the job:
 * nothing of it reaches the job's output or status.
 */
#include "launch.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int progress_wanted(const char *when)
{
    return !strcmp(when, "always") || (!strcmp(when, "auto") && isatty(2));
}

pid_t progress_start(const char *when, const char *outdir)
{
    if (!progress_wanted(when))
        return 0;
    const char *analyzer = find_analyzer();
    if (!analyzer)
        return 0;
    char parent[32];
    snprintf(parent, sizeof parent, "%ld", (long)getpid());
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(2, 1);
        char *argv[] = { (char *)analyzer, "--progress-line", (char *)outdir, "--pid", parent, NULL };
        execv(analyzer, argv);
        _exit(127);
    }
    return pid > 0 ? pid : 0;
}

void progress_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}
