/*
 * unwind.c — the call stack of an allocation, as return addresses, innermost first.
 *
 * libunwind's unw_backtrace does the work (DWARF CFI, no frame pointers needed, a per-thread cache).
 * The frames of this library (the hook, the tracker) are cut from the top, so a stack starts at the
 * caller of malloc or of operator new — the call site a user can change. Our own address range is
 * found once at start-up, never with dl_iterate_phdr on the allocation path.
 */
#define UNW_LOCAL_ONLY
#include "ls.h"

#include <dlfcn.h>
#include <libunwind.h>
#include <link.h>
#include <string.h>

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

int ls_unwind(uintptr_t *frames, int depth, int *truncated)
{
    void *raw[LS_MAX_DEPTH + 16];
    int want = depth + 16 < (int)(sizeof raw / sizeof raw[0]) ? depth + 16 : (int)(sizeof raw / sizeof raw[0]);
    int n = unw_backtrace(raw, want);
    int skip = 0;
    while (skip < n && (uintptr_t)raw[skip] >= self_lo && (uintptr_t)raw[skip] < self_hi)
        skip++;
    int kept = n - skip;
    /* A full buffer means there may have been more frames above. */
    *truncated = kept > depth || n == want;
    if (kept > depth)
        kept = depth;
    for (int i = 0; i < kept; i++)
        frames[i] = (uintptr_t)raw[skip + i];
    return kept;
}
