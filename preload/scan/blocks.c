/*
 * blocks.c — the snapshot's live blocks as one array sorted by address, so that a word read anywhere
 * is looked up by binary search. Built from the live-pointer table's own iterator (ls_livemap_each),
 * the only interface the scan uses into it.
 */
#include "scan/scan.h"

#include <string.h>

static void take(const struct ls_live *e, void *arg)
{
    struct ls_blocks *b = arg;
    if (b->failed || (b->failed = ls_scan_room((void **)&b->v, &b->cap, b->n, sizeof *b->v, 1 << 16)))
        return;
    b->v[b->n++] = (struct ls_block){.ptr = e->ptr, .size = e->size & ~LS_SIZE_SAMPLED, .site = e->site};
}

int ls_blocks_collect(struct ls_blocks *b)
{
    ls_livemap_each(take, b);
    if (b->failed)
        return -1;   /* a scan of some of the blocks would call the others lost */
    if (!b->n)
        return 0;
    struct ls_block *tmp = ls_scan_map(b->n * sizeof *tmp);
    if (!tmp)
        return -1;
    ls_sort_blocks(b->v, b->n, tmp);
    ls_scan_unmap(tmp, b->n * sizeof *tmp);
    b->lo = b->v[0].ptr;
    for (size_t i = 0; i < b->n; i++) {
        uintptr_t end = b->v[i].ptr + (b->v[i].size ? b->v[i].size : 1);
        if (end > b->hi)
            b->hi = end;
    }
    return 0;
}

/* The block whose bytes include addr (a zero-size block owns its first byte), or NULL. */
struct ls_block *ls_blocks_find(const struct ls_blocks *b, uintptr_t addr)
{
    if (addr < b->lo || addr >= b->hi)
        return NULL;
    size_t lo = 0, hi = b->n;   /* the last block that starts at or below addr is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->v[mid].ptr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    struct ls_block *k = &b->v[lo];
    uint64_t size = k->size ? k->size : 1;
    return addr >= k->ptr && addr - k->ptr < size ? k : NULL;
}
