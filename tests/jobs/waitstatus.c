/*
 * waitstatus.c — a test tool, not a job: runs COMMAND and prints how its parent sees it end,
 * "exit N" or "signal N" (a shell's $? cannot tell exit 139 from death by SIGSEGV), on stdout after
 * COMMAND's own output. COMMAND starts with SIGINT and SIGQUIT at their default action, as a shell
 * starts a foreground command (a test runs this in the background, where bash ignores both).
 * With -t SECONDS, COMMAND is killed (SIGKILL, and SIGCONT) after that long and "timeout" is printed;
 * a COMMAND that stops itself is killed at once and "stopped N" printed.
 * usage: waitstatus [-t SECONDS] COMMAND [ARGS]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
    kill(child, SIGKILL);
    kill(child, SIGCONT);
}

int main(int argc, char **argv)
{
    int first = 1;
    unsigned limit = 0;
    if (argc > 2 && !strcmp(argv[1], "-t"))
        limit = (unsigned)atoi(argv[2]), first = 3;
    if (first >= argc) {
        fprintf(stderr, "usage: waitstatus [-t SECONDS] COMMAND [ARGS]\n");
        return 2;
    }
    fflush(stdout);
    child = fork();
    if (child == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        execvp(argv[first], argv + first);
        perror(argv[first]);
        _exit(127);
    }
    if (limit) {
        signal(SIGALRM, on_alarm);
        alarm(limit);
    }
    int st;
    while (waitpid(child, &st, WUNTRACED) < 0)
        ;
    if (WIFSTOPPED(st)) {
        /* a stopped child would never end: say so now */
        kill(child, SIGKILL);
        kill(child, SIGCONT);
        waitpid(child, NULL, 0);
        printf("stopped %d\n", WSTOPSIG(st));
    } else if (timed_out) {
        printf("timeout\n");
    } else if (WIFSIGNALED(st)) {
        printf("signal %d\n", WTERMSIG(st));
    } else {
        printf("exit %d\n", WEXITSTATUS(st));
    }
    return 0;
}
