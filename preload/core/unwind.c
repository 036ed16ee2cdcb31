/*
 * unwind.c — the call stack of an allocation, as return addresses, innermost first, with the stack
 * slot each return address was read from.
 *
 * libunwind does the work (DWARF CFI, no frame pointers needed). The frames of this library (the hook,
 * the tracker) are cut from the top, so a stack starts at the caller of malloc or of operator new — the
 * call site a user can change. The slots let unwind_cache.c recognise the same stack again later by
 * reading a few words of live stack memory instead of unwinding (see there). Our own address range is
 * found once at start-up, never with dl_iterate_phdr on the allocation path; so is libunwind's, for
 * hooks_syscall.c.
 */
#define UNW_LOCAL_ONLY
#include "core/core.h"

#include <libunwind.h>
#include <pthread.h>
#include <link.h>
#include <signal.h>

static uintptr_t self_lo, self_hi, unw_lo, unw_hi;

struct range {
    uintptr_t addr, lo, hi;
};

/* The load range of the object that contains r->addr. */
static int find_range(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct range *r = arg;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo)
            lo = a;
        if (a + ph->p_memsz > hi)
            hi = a + ph->p_memsz;
    }
    if (r->addr >= lo && r->addr < hi) {
        r->lo = lo;
        r->hi = hi;
        return 1;
    }
    return 0;
}

static void range_of(const void *addr, uintptr_t *lo, uintptr_t *hi)
{
    struct range r = {(uintptr_t)addr, 0, 0};
    dl_iterate_phdr(find_range, &r);
    *lo = r.lo;
    *hi = r.hi;
}

void ls_unwind_init(void)
{
    range_of((const void *)&ls_unwind_init, &self_lo, &self_hi);
    range_of((const void *)&unw_init_local, &unw_lo, &unw_hi);
}

int ls_in_self(uintptr_t ip)
{
    return ip >= self_lo && ip < self_hi;
}

int ls_in_unwinder(uintptr_t ip)
{
    return ip >= unw_lo && ip < unw_hi;
}

/*
 * A return address on x86-64 sits just below the CFA of the frame that will return to it, which is the
 * stack pointer of the caller's frame once unwound: slot = SP - 8. A signal frame breaks that rule (the
 * interrupted address comes from the saved context), so a stack through one is not cacheable.
 */
/* libunwind's context and cursor (about 2 KiB) live in the caller's per-thread memory, not on the
 * stack: the first allocation of a thread may run on a small stack (docs/preload.md). */
struct ls_unwind_scratch {
    unw_context_t uc;
    unw_cursor_t c;
};

size_t ls_unwind_scratch_bytes(void)
{
    return sizeof(struct ls_unwind_scratch);
}

static int walk(struct ls_stack *st, int depth, void *scratch)
{
    unw_context_t *ucp = &((struct ls_unwind_scratch *)scratch)->uc;
    unw_cursor_t *cp = &((struct ls_unwind_scratch *)scratch)->c;
    st->n = 0;
    st->truncated = 0;
    st->cacheable = 1;
    if (unw_getcontext(ucp) < 0 || unw_init_local(cp, ucp) < 0)
        return 0;
    int outside = 0;
    do {
        unw_word_t ip, sp;
        if (unw_get_reg(cp, UNW_REG_IP, &ip) < 0 || unw_get_reg(cp, UNW_REG_SP, &sp) < 0 || !ip)
            break;
        if (!outside && ls_in_self(ip))
            continue;
        outside = 1;
        if (st->n == depth) {
            st->truncated = 1;
            break;
        }
        if (unw_is_signal_frame(cp) > 0)
            st->cacheable = 0;
        st->frames[st->n] = ip;
        st->slots[st->n] = sp - sizeof(uintptr_t);
        st->n++;
    } while (unw_step(cp) > 0);
    return st->n;
}

/* libunwind (Debian's is built with --enable-block-signals) blocks every signal around each step, for
 * its cache's lock: two rt_sigprocmask system calls per frame, 40 million in one compiler run, more
 * than half of exact mode's time on a job with many call chains. The walk blocks them once instead
 * (the same protection, for the whole walk) and keeps libunwind's own calls in `held`, with no
 * system call: its masks only ever nest inside ours. */
static __thread int holding;
static __thread sigset_t held, before;   /* not on the stack: a walk's frame stays as small as it was */

int ls_unwind_mask_call(int how, const sigset_t *set, sigset_t *old)
{
    if (!holding)
        return 0;
    if (old)
        *old = held;
    if (set && how == SIG_SETMASK)
        held = *set;
    else if (set && how == SIG_BLOCK)
        sigorset(&held, &held, set);
    else if (set && how == SIG_UNBLOCK)
        for (int sig = 1; sig < NSIG; sig++)
            if (sigismember(set, sig) == 1)
                sigdelset(&held, sig);
    return 1;
}

/* libunwind's memory validation calls read() and close() (hooks_syscall.c), cancellation points: a
 * pthread_cancel acted on there would unwind the job's thread out of malloc, possibly out of a dlopen
 * holding the loader's locks. Cancellation waits until the walk is done. */
int ls_unwind(struct ls_stack *st, int depth, void *scratch)
{
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    sigfillset(&held);
    pthread_sigmask(SIG_SETMASK, &held, &before);   /* our own hook: SIGTRAP stays open for named stamps */
    holding = 1;
    int n = walk(st, depth, scratch);
    holding = 0;
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    pthread_setcancelstate(old, &old);
    return n;
}
