/*
 * trap_signals.c — keeps the SIGTRAP handler of trap.c in place, and SIGTRAP deliverable, while the
 * job does what it likes with signals.
 *
 * Once breakpoints are armed:
 *   - sigaction(SIGTRAP, ...) and signal(SIGTRAP, ...) from the job do not reach the kernel: the job's
 *     disposition is remembered (and returned as the old one next time), and trap.c chains every
 *     SIGTRAP that is not ours to it. So a job's own SIGTRAP handler keeps working, and ours stays.
 *   - a mask that would block SIGTRAP (sigprocmask, pthread_sigmask, the sa_mask of any handler)
 *     has SIGTRAP removed: a breakpoint hit while SIGTRAP is blocked makes the kernel kill the process.
 *     The visible difference: a SIGTRAP sent with kill() is delivered at once instead of staying
 *     pending (then, to the job's disposition, as before).
 * Before anything is armed (no named stamps), every call goes straight through.
 * Not covered: sigset(), sysv_signal(), bsd_signal() and raw rt_sigaction/rt_sigprocmask system calls
 * (docs/named-stamps.md).
 */
#include "trap/trap.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
static int (*real_sigprocmask)(int, const sigset_t *, sigset_t *);
static int (*real_pthread_sigmask)(int, const sigset_t *, sigset_t *);
static sighandler_t (*real_signal)(int, sighandler_t);

/* dlsym may allocate: the guard sends that straight to the real allocator. */
static void *next_symbol(const char *name)
{
    struct ls_guard g = ls_enter();
    void *f = dlsym(RTLD_NEXT, name);
    ls_leave(g);
    return f;
}

int ls_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!real_sigaction)
        real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))next_symbol("sigaction");
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
        real_signal = (sighandler_t(*)(int, sighandler_t))next_symbol("signal");
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
    if (!real_sigprocmask)
        real_sigprocmask = (int (*)(int, const sigset_t *, sigset_t *))next_symbol("sigprocmask");
    sigset_t copy;
    return real_sigprocmask(how, keep_trap(how, set, &copy), old);
}

LS_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    if (!real_pthread_sigmask)
        real_pthread_sigmask = (int (*)(int, const sigset_t *, sigset_t *))next_symbol("pthread_sigmask");
    sigset_t copy;
    return real_pthread_sigmask(how, keep_trap(how, set, &copy), old);
}
