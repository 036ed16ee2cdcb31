/*
 * scan_wait.c — a job that reaps its children with wait(-1) and counts SIGCHLD, run with heap scans at
 * several events (tests/integration/test_scan.sh): the scans' snapshot children must stay invisible to
 * it. Prints what it saw; exits 0 only when it saw exactly its own child.
 */
#include <errno.h>
#include <leakstamp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t sigchld;
static void on_chld(int sig) { (void)sig; sigchld++; }

int main(void)
{
    struct sigaction sa = {.sa_handler = on_chld};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    for (int i = 0; i < 30; i++) {
        leakstamp_stamp("tick");
        free(malloc(100));
    }
    pid_t own = fork();
    if (own == 0)
        _exit(7);
    int st = 0;
    pid_t got;
    while ((got = wait(&st)) < 0 && errno == EINTR)
        ;
    pid_t again;
    while ((again = wait(NULL)) < 0 && errno == EINTR)
        ;
    int ok = got == own && WIFEXITED(st) && WEXITSTATUS(st) == 7 && again < 0 && errno == ECHILD && sigchld == 1;
    printf("own child %s, then %s, SIGCHLD %d\n", got == own ? "reaped" : "NOT reaped",
           again < 0 ? "no more children" : "ANOTHER child", (int)sigchld);
    return ok ? 0 : 1;
}
