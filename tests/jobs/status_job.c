/*
 * status_job.c — a job that ends in a chosen way, for the launcher's tests (test_launcher.sh). It
 * first writes one line to stderr ("status_job: MODE ARG"), so a test can check that nothing else
 * appears there, and allocates a little (a report has something to say).
 *   status_job exit N            exit(N)
 *   status_job signal N          die of signal N (default action, whatever the disposition was)
 *   status_job term-exit N FILE  on SIGTERM _exit(N); writes "PID PPID" to FILE once the handler is
 *                                in place, then waits (at most 30 s, then exits 99)
 *   status_job wait FILE         the same without a handler: SIGTERM kills it
 *   status_job count-int FILE    counts SIGINTs: announces as term-exit does, waits 1.5 s, prints
 *                                "SIGINT N" on stdout and exits 0
 * It is also built statically and static-pie (status_job_static, status_job_static_pie).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t ints;

static void on_int(int sig)
{
    (void)sig;
    ints++;
}

static void on_term(int sig)
{
    (void)sig;
    _exit(atoi(getenv("STATUS_JOB_CODE")));
}

/* FILE appears whole (written to FILE.tmp, then renamed): a test polling for it never reads half. */
static void announce(const char *file)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%ld %ld\n", (long)getpid(), (long)getppid()) < 0 || fclose(f) != 0 ||
        rename(tmp, file) != 0) {
        perror(file);
        exit(98);
    }
}

static void wait_for_signal(void)
{
    for (int i = 0; i < 300; i++)
        usleep(100000);
    exit(99);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "exit";
    const char *arg = argc > 2 ? argv[2] : "0";
    fprintf(stderr, "status_job: %s %s\n", mode, arg);
    char *volatile keep = malloc(100);
    (void)keep;
    if (!strcmp(mode, "exit"))
        exit(atoi(arg));
    if (!strcmp(mode, "signal")) {
        int sig = atoi(arg);
        signal(sig, SIG_DFL);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, sig);
        sigprocmask(SIG_UNBLOCK, &s, NULL);
        raise(sig);
        return 97;
    }
    if (!strcmp(mode, "term-exit") && argc > 3) {
        setenv("STATUS_JOB_CODE", arg, 1);
        signal(SIGTERM, on_term);
        announce(argv[3]);
        wait_for_signal();
    }
    if (!strcmp(mode, "wait")) {
        signal(SIGTERM, SIG_DFL);
        announce(arg);
        wait_for_signal();
    }
    if (!strcmp(mode, "count-int")) {
        struct sigaction sa = { .sa_handler = on_int };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        announce(arg);
        for (int i = 0; i < 15; i++)
            usleep(100000);
        printf("SIGINT %d\n", (int)ints);
        return 0;
    }
    fprintf(stderr, "usage: status_job exit N | signal N | term-exit N FILE | wait FILE | count-int FILE\n");
    return 2;
}
