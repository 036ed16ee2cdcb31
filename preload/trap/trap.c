/*
 * trap.c — int3 breakpoints at function entries, and the SIGTRAP handler that serves them.
 *
 * Arming writes 0xcc over the first byte of a function (the page is made writable and executable with
 * mprotect for the one-byte store and given back its protection right after; under W^X, through
 * /proc/self/mem) and records the address in a table.
 * The original instruction is never written back: trap_insn.c runs it on the interrupted context, so
 * any number of threads can enter the function at once, recursively too, with no window in which a
 * thread could miss the breakpoint or execute half an instruction.
 *
 * The table is open-addressed by address and read without a lock by the handler: an entry's fields
 * are written before its address is published (release), and entries are never moved. Arming takes a
 * mutex (it happens at start-up and inside dlopen, never on a hot path). An entry whose object was
 * unloaded is marked dead; if an object is mapped again at the same address the entry is re-armed.
 *
 * The handler owns only traps it finds in its table at %rip-1 holding 0xcc; every other SIGTRAP
 * (a debugger's, one the job raises itself, a single-step trap) goes to the job's own disposition,
 * which trap_signals.c keeps for us when the job calls sigaction/signal, or to the default action.
 */
#include "trap/trap.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTRAPS 8192   /* power of two; named stamps are a handful of functions with their overloads */

struct trap {
    _Atomic uintptr_t addr;   /* 0: empty */
    _Atomic int live;
    int owner;
    ls_trap_fn fn;
    void *arg;
    struct ls_insn insn;
};

static struct trap table[NTRAPS];
static pthread_mutex_t arm_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int installed;
static struct sigaction *_Atomic job_act;   /* immutable copies, replaced whole */

static size_t home(uintptr_t a)
{
    return (size_t)((a * 0x9e3779b97f4a7c15ull) >> 40) & (NTRAPS - 1);
}

static struct trap *lookup(uintptr_t a)
{
    for (size_t i = home(a), k = 0; k < NTRAPS; i = (i + 1) & (NTRAPS - 1), k++) {
        uintptr_t x = atomic_load_explicit(&table[i].addr, memory_order_acquire);
        if (x == a)
            return &table[i];
        if (!x)
            return NULL;
    }
    return NULL;
}

void *ls_trap_arg(uintptr_t addr)
{
    struct trap *t = lookup(addr);
    return t && atomic_load(&t->live) ? t->arg : NULL;
}

/* One byte into a live code page, which must never lose its execute permission (another thread may be
 * running it): the page is made writable and executable for the store, then given back its protection.
 * Under a W^X policy that refuses writable+executable, the byte is written through /proc/self/mem
 * instead, as a debugger writes a breakpoint, with the protection left alone; if that is refused too,
 * the function is not armed. */
static int poke(uintptr_t addr, uint8_t byte, int prot)
{
    long psz = sysconf(_SC_PAGESIZE);
    void *page = (void *)(addr & ~(uintptr_t)(psz - 1));
    if (mprotect(page, (size_t)psz, prot | PROT_READ | PROT_WRITE) == 0) {
        *(volatile uint8_t *)addr = byte;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        return mprotect(page, (size_t)psz, prot);
    }
    int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t w = pwrite(fd, &byte, 1, (off_t)addr);
    close(fd);
    return w == 1 ? 0 : -1;
}

int ls_trap_arm(uintptr_t addr, int prot, ls_trap_fn fn, void *arg, int owner, char *why, size_t cap)
{
    int rc = -1;
    pthread_mutex_lock(&arm_lock);
    struct trap *t = lookup(addr);
    if (t && atomic_load(&t->live)) {
        snprintf(why, cap, "already armed");
        goto out;
    }
    if (!t) {
        size_t i = home(addr), k = 0;
        while (k < NTRAPS && atomic_load(&table[i].addr))
            i = (i + 1) & (NTRAPS - 1), k++;
        /* keep the table at most half full so that lookups stay short */
        static int used;
        if (k == NTRAPS || used >= NTRAPS / 2) {
            snprintf(why, cap, "too many named functions (%d)", NTRAPS / 2);
            goto out;
        }
        used++;
        t = &table[i];
    }
    struct ls_insn in;
    if (ls_insn_prepare((const uint8_t *)addr, &in, why, cap))
        goto out;
    t->owner = owner;
    t->fn = fn;
    t->arg = arg;
    t->insn = in;
    atomic_store_explicit(&t->addr, addr, memory_order_release);
    atomic_store(&t->live, 1);
    if (poke(addr, 0xcc, prot)) {
        atomic_store(&t->live, 0);
        snprintf(why, cap, "cannot change its code page: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    pthread_mutex_unlock(&arm_lock);
    return rc;
}

void ls_trap_forget_owner(int owner)
{
    pthread_mutex_lock(&arm_lock);
    for (size_t i = 0; i < NTRAPS; i++)
        if (atomic_load(&table[i].addr) && table[i].owner == owner)
            atomic_store(&table[i].live, 0);
    pthread_mutex_unlock(&arm_lock);
}

int ls_trap_installed(void) { return atomic_load(&installed); }

/* fork: no thread may be half way through arming (symstamp.c registers the handlers). */
void ls_trap_fork_prepare(void)
{
    pthread_mutex_lock(&arm_lock);
    ls_insn_fork_prepare();
}

void ls_trap_fork_done(void)
{
    ls_insn_fork_done();
    pthread_mutex_unlock(&arm_lock);
}

void ls_trap_job_action(const struct sigaction *act, struct sigaction *old)
{
    struct sigaction *cur = atomic_load(&job_act);
    if (old) {
        if (cur)
            *old = *cur;
        else {
            memset(old, 0, sizeof *old);
            old->sa_handler = SIG_DFL;
        }
    }
    if (act) {
        struct sigaction *n = ls_arena_alloc(sizeof *n);
        if (n) {
            *n = *act;
            atomic_store(&job_act, n);
        }
    }
}

/* The job's handler, run as the kernel would run it: with its sa_mask added to the blocked set for
 * the duration (SIGTRAP itself excepted: a breakpoint hit while it is blocked kills the process, so
 * SA_NODEFER is in effect for SIGTRAP whatever the flags say), and with SA_RESETHAND putting the
 * default action back first. SA_SIGINFO chooses the form of the call. */
static void run_job_handler(const struct sigaction *a, int sig, siginfo_t *si, void *ctx)
{
    if (a->sa_flags & SA_RESETHAND) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        ls_trap_job_action(&dfl, NULL);
    }
    sigset_t mask = a->sa_mask, old;
    sigdelset(&mask, SIGTRAP);
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &mask, &old, _NSIG / 8);
    if (a->sa_flags & SA_SIGINFO)
        a->sa_sigaction(sig, si, ctx);
    else
        a->sa_handler(sig);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, _NSIG / 8);
}

/* A SIGTRAP that is not ours: what would have happened without us. */
static void chain(int sig, siginfo_t *si, void *ctx)
{
    struct sigaction *a = atomic_load(&job_act);
    if (a && a->sa_handler != SIG_DFL && a->sa_handler != SIG_IGN) {
        struct sigaction copy = *a;   /* SA_RESETHAND replaces the job's disposition */
        run_job_handler(&copy, sig, si, ctx);
        return;
    }
    if (a && a->sa_handler == SIG_IGN && si->si_code <= 0)
        return;   /* sent with kill(): ignored, as the job asked (a trap raised by the CPU cannot be) */
    /* The default action: terminate with a core, at once (SIGTRAP is not blocked in this handler). */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    ls_real_sigaction(SIGTRAP, &dfl, NULL);
    raise(SIGTRAP);
}

static void on_sigtrap(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    int saved = errno;
    uintptr_t at = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP] - 1;
    /* si_code > 0: raised by the CPU (kill/tgkill/sigqueue give SI_USER, SI_TKILL, SI_QUEUE <= 0) */
    struct trap *t = si->si_code > 0 ? lookup(at) : NULL;
    if (!t || !atomic_load(&t->live) || *(volatile uint8_t *)at != 0xcc) {
        chain(sig, si, ctx);
        errno = saved;
        return;
    }
    t->fn(t->arg, uc);
    ls_insn_run(&t->insn, at, uc);
    errno = saved;
}

int ls_trap_init(void)
{
    if (atomic_load(&installed))
        return 0;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigtrap;
    /* SA_NODEFER and SIGTRAP left out of the mask: the stamp calls libc (snprintf, write, ...), and a
     * user may have named one of those functions. Its breakpoint then fires inside this handler; the
     * kernel kills a process whose CPU-raised SIGTRAP is blocked, so it must be deliverable here, where
     * the nested call sees ls_in_tool set, records nothing, and runs the function (symstamp.c on_hit).
     * Every other signal waits until the stamp is written. Faults stay deliverable too (blocked, they
     * would kill the process silently). */
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NODEFER;
    sigfillset(&sa.sa_mask);
    sigdelset(&sa.sa_mask, SIGTRAP);
    sigdelset(&sa.sa_mask, SIGSEGV);
    sigdelset(&sa.sa_mask, SIGBUS);
    sigdelset(&sa.sa_mask, SIGILL);
    sigdelset(&sa.sa_mask, SIGFPE);
    if (ls_real_sigaction(SIGTRAP, &sa, &old)) {
        ls_say("cannot install a SIGTRAP handler (%s); named stamps are off", strerror(errno));
        return -1;
    }
    ls_trap_job_action(&old, NULL);
    atomic_store(&installed, 1);
    ls_trap_keep_deliverable();
    return 0;
}
