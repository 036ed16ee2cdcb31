/*
 * unwind.c — the call stack of an allocation, as return addresses, innermost first, with the stack
 * slot each return address was read from.
 *
 * libunwind does the work (DWARF CFI, no frame pointers needed). The frames of this library (the hook,
 * the tracker) are cut from the top, so a stack starts at the caller of malloc or of operator new — the
 * call site a user can change. The slots let unwind_cache.c recognise the same stack again later by
 * reading a few words of live stack memory instead of unwinding (see there). Our own address range is
 * found once at start-up, never with dl_iterate_phdr on the allocation path.
 */
#define UNW_LOCAL_ONLY
#include "core/core.h"

#include <libunwind.h>
#include <link.h>

static uintptr_t self_lo, self_hi;

static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    uintptr_t me = (uintptr_t)arg;
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
    if (me >= lo && me < hi) {
        self_lo = lo;
        self_hi = hi;
        return 1;
    }
    return 0;
}

void ls_unwind_init(void)
{
    dl_iterate_phdr(find_self, (void *)(uintptr_t)&ls_unwind_init);
}

int ls_in_self(uintptr_t ip)
{
    return ip >= self_lo && ip < self_hi;
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

int ls_unwind(struct ls_stack *st, int depth, void *scratch)
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
