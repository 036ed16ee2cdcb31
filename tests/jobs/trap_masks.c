/*
 * trap_masks — a signal handler that enters a named function (on_event) while the mask in force blocks
 * SIGTRAP: the temporary mask of sigsuspend, pselect, ppoll or epoll_pwait, a raw rt_sigprocmask made
 * with syscall(), or a mask inherited through exec (posix_spawn with a mask that blocks SIGTRAP).
 * SIGUSR1 is made pending first, so it is delivered inside the call, with the call's mask.
 * usage: trap_masks sigsuspend|pselect|ppoll|epoll_pwait|raw|inherit|call
 */
#define _GNU_SOURCE   /* ppoll */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static volatile int events;

__attribute__((noinline)) void on_event(void) { events++; }

static void on_usr1(int sig)
{
    (void)sig;
    on_event();
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "sigsuspend";
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr1, wait_mask;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigfillset(&wait_mask);
    sigdelset(&wait_mask, SIGUSR1);   /* SIGTRAP stays in it */
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    kill(getpid(), SIGUSR1);
    int rc = 0;
    if (!strcmp(mode, "sigsuspend")) {
        rc = sigsuspend(&wait_mask);
    } else if (!strcmp(mode, "pselect")) {
        struct timespec t = {2, 0};
        rc = pselect(0, NULL, NULL, NULL, &t, &wait_mask);
    } else if (!strcmp(mode, "ppoll")) {
        struct timespec t = {2, 0};
        rc = ppoll(NULL, 0, &t, &wait_mask);
    } else if (!strcmp(mode, "epoll_pwait")) {
        int ep = epoll_create1(EPOLL_CLOEXEC);
        struct epoll_event ev;
        rc = epoll_pwait(ep, &ev, 1, 2000, &wait_mask);
        close(ep);
    } else if (!strcmp(mode, "raw")) {
        sigset_t trap;
        sigemptyset(&trap);
        sigaddset(&trap, SIGTRAP);
        syscall(SYS_rt_sigprocmask, SIG_BLOCK, &trap, NULL, 8);
        sigprocmask(SIG_UNBLOCK, &usr1, NULL);   /* the handler runs here, SIGTRAP blocked */
        rc = -1, errno = EINTR;
    } else if (!strcmp(mode, "inherit")) {
        posix_spawnattr_t at;
        posix_spawnattr_init(&at);
        posix_spawnattr_setsigmask(&at, &wait_mask);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
        char *args[] = {argv[0], "call", NULL};
        pid_t pid;
        int st = 0;
        if (posix_spawn(&pid, argv[0], NULL, &at, args, environ) || waitpid(pid, &st, 0) != pid)
            return 2;
        printf("inherit: child status %d\n", st);
        return 0;
    } else if (!strcmp(mode, "call")) {
        sigprocmask(SIG_UNBLOCK, &usr1, NULL);   /* only SIGUSR1: SIGTRAP stays as inherited */
        rc = -1, errno = EINTR;
    }
    printf("%s: rc %d errno %s, %d event(s)\n", mode, rc, rc < 0 ? strerror(errno) : "-", events);
    return 0;
}
