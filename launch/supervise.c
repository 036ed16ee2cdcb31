/*
 * launch/supervise.c — a child run to its end while the launcher has work left after it (the closing
 * line, --progress, the gate's analysis). The caller must see what it would see without us:
 *  - Every signal someone sends to the launcher (kill, sigqueue: the caller thinks it is the job) is
 *    passed on to the child, value and all, but the ones the job cannot have been sent alone:
 *    SIGCHLD (the launcher's own), SIGPIPE, the fault signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 *    SIGTRAP, SIGSYS, SIGABRT) and job control (SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT; the launcher does
 *    not reflect the job's stops, docs/cli.md). Signals the kernel generates (si_code
 *    above 0) are not: the terminal signals the whole foreground process group, the child included,
 *    and a second copy would change what the job sees; the launcher's own SIGXCPU or SIGIO are not the
 *    job's. The one exception is the hangup SIGHUP, which the kernel sends to the session leader
 *    alone: when that is the launcher (ssh -t host leakstamp run ...), the job would have been the
 *    leader, so it is passed on. Signals from the job or its descendants are not passed on: sent to
 *    its parent or its process group (the launcher is in both), they would come back to it, and a
 *    handler that acknowledges to its parent would loop. A signal the launcher was started with
 *    ignored stays ignored, and the child inherits that. Once the child is reaped, the launcher's
 *    dispositions are the defaults again.
 *  - When the launcher dies anyway (SIGKILL), the child gets SIGKILL too (PR_SET_PDEATHSIG), so no
 *    job is left running unseen.
 *  - Its wait status is returned whole; exit_like() ends the launcher the same way: the same exit
 *    code (147, 130 and 139 included), or the same signal, re-raised with the default action and core
 *    dumps off (the job wrote its core, if any).
 * The child starts with the signal mask and dispositions the launcher was given.
 */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Not passed on (above); SIGKILL and SIGSTOP cannot be caught, 32 and 33 are glibc's own. The fault
 * signals keep their default action: a handler that returned from the launcher's own SIGSEGV would
 * run the faulting instruction again, forever. */
static int kept_back(int sig)
{
    return sig == SIGCHLD || sig == SIGPIPE || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU ||
           sig == SIGCONT || sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS ||
           sig == SIGFPE || sig == SIGILL || sig == SIGTRAP || sig == SIGSYS || sig == SIGABRT ||
           (sig > SIGSYS && sig < SIGRTMIN);
}

#define NSIGS 65                            /* 1..64 */
static volatile sig_atomic_t child_pid;     /* 0: none to forward to */
static int caught[NSIGS];                   /* we installed a forwarder (it was not ignored) */
static int sigchld_ignored;                 /* the caller gave us SIGCHLD ignored: the child gets it back */
static int session_leader;                  /* the launcher leads its session: it alone gets hangups */

/* The parent of `pid`, from /proc/PID/stat; 0 if unknown. In a signal handler: open, read and
 * close only, no stdio. */
static pid_t parent_of(pid_t pid)
{
    char path[32] = "/proc/", digits[12], buf[512];
    int nd = 0, len = 6;
    do
        digits[nd++] = (char)('0' + pid % 10);
    while ((pid /= 10) > 0 && nd < (int)sizeof digits);
    while (nd > 0)
        path[len++] = digits[--nd];
    memcpy(path + len, "/stat", sizeof "/stat");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');   /* "PID (name) STATE PPID ...": the name may hold ')' */
    if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
        return 0;
    pid_t ppid = 0;
    for (p += 4; *p >= '0' && *p <= '9'; p++)
        ppid = ppid * 10 + (*p - '0');
    return ppid;
}

/* The job or one of its descendants sent it (to its parent, or to its process group, which the
 * launcher is in): without us it would not have reached the job again. */
static int from_the_job(pid_t sender, pid_t job)
{
    for (int depth = 0; sender > 1 && depth < 64; depth++) {
        if (sender == job)
            return 1;
        sender = parent_of(sender);
    }
    return 0;
}

static void forward(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    int saved = errno;
    pid_t pid = child_pid;
    /* sent by someone else: the launcher's own raise() is not for the job, nor is the job's own */
    int sent = (si->si_code == SI_USER || si->si_code == SI_QUEUE || si->si_code == SI_TKILL) &&
               si->si_pid != getpid() && pid > 0 && !from_the_job(si->si_pid, pid);
    if (pid <= 0 || (!sent && !(sig == SIGHUP && si->si_code == SI_KERNEL && session_leader))) {
        errno = saved;
        return;
    }
    if (si->si_code == SI_QUEUE)
        sigqueue(pid, sig, si->si_value);   /* a real-time signal's value is the job's to read */
    else
        kill(pid, sig);
    errno = saved;
}

static void install_forwarders(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    session_leader = getsid(0) == getpid();
    for (int sig = 1; sig < NSIGS && sig <= SIGRTMAX; sig++) {
        struct sigaction old, sa = { .sa_sigaction = forward, .sa_flags = SA_SIGINFO | SA_RESTART };
        sigemptyset(&sa.sa_mask);
        if (kept_back(sig) || (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN))
            continue;
        caught[sig] = sigaction(sig, &sa, NULL) == 0;
    }
    /* with SIGCHLD ignored the kernel reaps the child itself and its status is lost */
    struct sigaction old;
    if (sigaction(SIGCHLD, NULL, &old) == 0 && old.sa_handler == SIG_IGN) {
        sigchld_ignored = 1;
        signal(SIGCHLD, SIG_DFL);
    }
}

static sigset_t forwarded_set(void)
{
    sigset_t s;
    sigemptyset(&s);
    for (int sig = 1; sig < NSIGS; sig++)
        if (caught[sig])
            sigaddset(&s, sig);
    return s;
}

static noreturn void child(const char *exe, char **argv, const char *lib, pid_t parent,
                           const sigset_t *mask)
{
    for (int sig = 1; sig < NSIGS; sig++)
        if (caught[sig])
            signal(sig, SIG_DFL);
    if (sigchld_ignored)
        signal(SIGCHLD, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)            /* the launcher died before prctl took effect */
        raise(SIGKILL);
    sigprocmask(SIG_SETMASK, mask, NULL);
    exec_job(exe, argv, lib);
}

int supervise(const char *exe, char **argv, const char *lib)
{
    install_forwarders();
    sigset_t block = forwarded_set(), old;
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        child(exe, argv, lib, parent, &old);
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        say("%s: cannot start: %s", argv[0], strerror(errno));
        return 126 << 8;
    }
    child_pid = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    /* wait without reaping, stop forwarding, then reap: a late signal never reaches a reused pid */
    siginfo_t si;
    while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) != 0 && errno == EINTR)
        ;
    sigprocmask(SIG_BLOCK, &block, NULL);
    child_pid = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* nothing to pass on to any more: the launcher's own dispositions again (a SIGTERM during the
     * gate's analysis ends it, as it would have before) */
    for (int sig = 1; sig < NSIGS; sig++)
        if (caught[sig])
            signal(sig, SIG_DFL), caught[sig] = 0;
    return status;
}

int status_as_shell(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

noreturn void exit_like(int status)
{
    fflush(NULL);
    if (!WIFSIGNALED(status))
        exit(WEXITSTATUS(status));
    int sig = WTERMSIG(status);
    struct rlimit rl;
    if (getrlimit(RLIMIT_CORE, &rl) == 0) {
        rl.rlim_cur = 0;
        setrlimit(RLIMIT_CORE, &rl);
    }
    signal(sig, SIG_DFL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    raise(sig);
    _exit(128 + sig);
}
