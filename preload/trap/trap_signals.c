/*
 * trap_signals.c — keeps the SIGTRAP handler of trap.c in place, and SIGTRAP deliverable, while the
 * job does what it likes with signals.
 *
 * Once breakpoints are armed:
 *   - sigaction(SIGTRAP, ...) and signal(SIGTRAP, ...) from the job do not reach the kernel: the job's
 *     disposition is remembered (and returned as the old one next time), and trap.c chains every
 *     SIGTRAP that is not ours to it. So a job's own SIGTRAP handler keeps working, and ours stays.
 *   - a mask that would block SIGTRAP has SIGTRAP removed: a breakpoint hit while SIGTRAP is blocked
 *     makes the kernel kill the process (measured: the handler does not run, the process dies with
 *     SIGTRAP). Covered: sigprocmask, pthread_sigmask, the sa_mask of any handler, the temporary masks
 *     of sigsuspend, pselect, ppoll, epoll_pwait and epoll_pwait2, rt_sigprocmask and rt_sigsuspend
 *     made through syscall(), and a mask inherited through exec (SIGTRAP is unblocked at start-up).
 *     The visible difference: a SIGTRAP sent with kill() is delivered at once instead of staying
 *     pending (then, to the job's disposition, as before).
 * Before anything is armed (no named stamps), every call goes straight through.
 * Not covered: sigset(), sighold(), sysv_signal(), bsd_signal(), setcontext()/swapcontext() masks and
 * system calls made without libc's syscall() (docs/named-stamps.md).
 */
#include "trap/trap.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
static int (*real_sigprocmask)(int, const sigset_t *, sigset_t *);
static int (*real_pthread_sigmask)(int, const sigset_t *, sigset_t *);
static sighandler_t (*real_signal)(int, sighandler_t);

int ls_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!real_sigaction)
        real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))ls_next_symbol("sigaction");
    return real_sigaction(sig, act, old);
}

LS_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!ls_trap_installed())
        return ls_real_sigaction(sig, act, old);
    if (sig == SIGTRAP) {
        ls_trap_job_action(act, old);
        return 0;
    }
    if (act && sigismember(&act->sa_mask, SIGTRAP)) {
        struct sigaction copy = *act;
        sigdelset(&copy.sa_mask, SIGTRAP);
        return ls_real_sigaction(sig, &copy, old);
    }
    return ls_real_sigaction(sig, act, old);
}

LS_EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
    if (!real_signal)
        real_signal = (sighandler_t(*)(int, sighandler_t))ls_next_symbol("signal");
    if (sig != SIGTRAP || !ls_trap_installed())
        return real_signal(sig, handler);
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART;   /* glibc's signal() has BSD semantics */
    ls_trap_job_action(&act, &old);
    return (old.sa_flags & SA_SIGINFO) ? (sighandler_t)(void *)old.sa_sigaction : old.sa_handler;
}

/* The set with SIGTRAP taken out, when the call would block it. */
static const sigset_t *keep_trap(int how, const sigset_t *set, sigset_t *copy)
{
    if (!set || how == SIG_UNBLOCK || !ls_trap_installed() || !sigismember(set, SIGTRAP))
        return set;
    *copy = *set;
    sigdelset(copy, SIGTRAP);
    return copy;
}

LS_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    if (ls_unwind_mask_call(how, set, old))
        return 0;
    if (!real_sigprocmask)
        real_sigprocmask = (int (*)(int, const sigset_t *, sigset_t *))ls_next_symbol("sigprocmask");
    sigset_t copy;
    return real_sigprocmask(how, keep_trap(how, set, &copy), old);
}

LS_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    if (ls_unwind_mask_call(how, set, old))
        return 0;
    if (!real_pthread_sigmask)
        real_pthread_sigmask = (int (*)(int, const sigset_t *, sigset_t *))ls_next_symbol("pthread_sigmask");
    sigset_t copy;
    return real_pthread_sigmask(how, keep_trap(how, set, &copy), old);
}

/* ---- calls that block signals for their own duration ---- */

/* The set with SIGTRAP taken out, for a call that replaces the mask while it waits. */
static const sigset_t *wait_mask(const sigset_t *set, sigset_t *copy)
{
    return keep_trap(SIG_SETMASK, set, copy);
}

#define NEXT(var, name) \
    if (!var)           \
        var = ls_next_symbol(name)

LS_EXPORT int sigsuspend(const sigset_t *mask)
{
    static int (*real)(const sigset_t *);
    NEXT(real, "sigsuspend");
    sigset_t copy;
    return real(wait_mask(mask, &copy));
}

LS_EXPORT int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t, const sigset_t *mask)
{
    static int (*real)(int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *);
    NEXT(real, "pselect");
    sigset_t copy;
    return real(n, r, w, e, t, wait_mask(mask, &copy));
}

LS_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask)
{
    static int (*real)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
    NEXT(real, "ppoll");
    sigset_t copy;
    return real(fds, n, t, wait_mask(mask, &copy));
}

LS_EXPORT int epoll_pwait(int fd, struct epoll_event *ev, int max, int timeout, const sigset_t *mask)
{
    static int (*real)(int, struct epoll_event *, int, int, const sigset_t *);
    NEXT(real, "epoll_pwait");
    sigset_t copy;
    return real(fd, ev, max, timeout, wait_mask(mask, &copy));
}

LS_EXPORT int epoll_pwait2(int fd, struct epoll_event *ev, int max, const struct timespec *t, const sigset_t *mask)
{
    static int (*real)(int, struct epoll_event *, int, const struct timespec *, const sigset_t *);
    NEXT(real, "epoll_pwait2");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    sigset_t copy;
    return real(fd, ev, max, t, wait_mask(mask, &copy));
}

/* syscall(SYS_rt_sigprocmask / SYS_rt_sigsuspend, ...): the kernel's 8-byte set, SIGTRAP taken out
 * (core/hooks_syscall.c calls this for every syscall() that is not libunwind's). */
static long raw_mask_filter(long n, long a[6], int *handled)
{
    int set_at = n == SYS_rt_sigprocmask ? 1 : n == SYS_rt_sigsuspend ? 0 : -1;
    if (set_at < 0 || !a[set_at] || !ls_trap_installed() || (n == SYS_rt_sigprocmask && (int)a[0] == SIG_UNBLOCK))
        return 0;
    uint64_t bits;
    memcpy(&bits, (const void *)a[set_at], sizeof bits);
    const uint64_t trap = 1ull << (SIGTRAP - 1);
    if (!(bits & trap))
        return 0;
    bits &= ~trap;
    long b[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
    b[set_at] = (long)&bits;
    *handled = 1;
    static long (*real)(long, ...);
    NEXT(real, "syscall");
    return real(n, b[0], b[1], b[2], b[3], b[4], b[5]);
}

/* Once breakpoints are armed: the filters above, and SIGTRAP unblocked in the thread that starts us
 * (a mask inherited through exec). Threads created later inherit the unblocked mask. */
void ls_trap_keep_deliverable(void)
{
    ls_syscall_filter = raw_mask_filter;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTRAP);
    if (!real_pthread_sigmask)
        real_pthread_sigmask = (int (*)(int, const sigset_t *, sigset_t *))ls_next_symbol("pthread_sigmask");
    real_pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}
