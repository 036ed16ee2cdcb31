/*
 * sort.c — sorting in the snapshot child, which must not call the allocator (libc's qsort may): the
 * core's heapsort (ls_sort, core/sort.c) for the few small arrays (symbols, retainer lines) and a radix
 * sort for the live blocks, which can be millions.
 */
#include "scan/scan.h"

#include <string.h>

/* LSD radix on the address, 16 bits at a time: user addresses have 48 bits, so three passes (a fourth
 * only when a higher bit is set). Stable, so each pass keeps the order of the one before. */
void ls_sort_blocks(struct ls_block *v, size_t n, struct ls_block *tmp)
{
    static size_t count[1 << 16];
    uintptr_t all = 0;
    for (size_t i = 0; i < n; i++)
        all |= v[i].ptr;
    struct ls_block *from = v, *to = tmp;
    for (int shift = 0; shift < 64 && (all >> shift); shift += 16) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(from[i].ptr >> shift) & 0xffff]++;
        size_t at = 0;
        for (size_t d = 0; d < (1 << 16); d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            to[count[(from[i].ptr >> shift) & 0xffff]++] = from[i];
        struct ls_block *t = from;
        from = to;
        to = t;
    }
    if (from != v)
        memcpy(v, from, n * sizeof *v);
}
