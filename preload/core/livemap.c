/*
 * livemap.c — the live-pointer table: pointer → (site, size, birth stamp) for every tracked block.
 *
 * An address-indexed page map, not a hash table: the allocator already keeps blocks that are made
 * together close together, and a map indexed by the address keeps that locality (a free touches one
 * word near the words its neighbours touched; a hashed table scatters every block over megabytes and
 * misses the cache on every call). A two-level directory (p >> 35, then p >> 21) leads to a leaf for
 * each 2 MiB of address range, mapped on first use and installed with compare-and-swap; a leaf holds
 * one 8-byte entry per 16 bytes of address (site, size, birth and the sampled flag packed). Only the
 * leaf pages under live small blocks are ever touched: 8 bytes per 16 bytes of a small block's chunk
 * (24 B for a 32-byte malloc in glibc). Blocks an entry cannot describe — larger than LS_SMALL_MAX, not
 * 16-aligned, above 2^47, born after stamp 2^28 — go to the hashed side table (livemap_side.c).
 *
 * No lock: a block is put after the real allocator returned it and taken before the real free, so
 * the allocator's own synchronisation orders every put and take of one address, whichever threads
 * make them (a cross-thread free is one load and one store at the block's own entry). Entries are
 * atomic words, so ls_livemap_each may read them while other threads change them. Only the side
 * table has locks to take around fork().
 */
#include "core/core.h"

#define LEAF_SHIFT 21                              /* 2 MiB of address per leaf */
#define MID_BITS 14                                /* p >> 21 & 0x3fff: one mid page per 32 GiB */
#define TOP_BITS (47 - LEAF_SHIFT - MID_BITS)      /* 12: the 47-bit user address space */
#define GRAIN 4                                    /* one entry per 16 bytes */
#define LEAF_ENTRIES (1u << (LEAF_SHIFT - GRAIN))  /* 131072 entries, 1 MiB */
#define PAGE_ENTRIES 512                           /* entries per 4 KiB page of a leaf */
#define LEAF_PAGES (LEAF_ENTRIES / PAGE_ENTRIES)

/* Entry: bit 0 live, 1..21 site, 22 sampled, 23..35 size (13 bits), 36..63 birth (28 bits). */
#define SITE_BITS 21
#define ENTRY_SAMPLED (1ull << 22)
#define SIZE_BITS 13
#define BIRTH_BITS 28

struct leaf {
    _Atomic uint64_t e[LEAF_ENTRIES];
    _Atomic uint8_t used[LEAF_PAGES];   /* a page of e[] was ever written: ls_livemap_each skips the rest */
};
struct mid {
    struct leaf *_Atomic leaf[1u << MID_BITS];
};
static struct mid *_Atomic top[1u << TOP_BITS];

int ls_livemap_init(void)
{
    return ls_side_init();
}

/* `size` without LS_SIZE_SAMPLED: the flag comes apart, so that the fast paths, which know it at
 * compile time, pay nothing for it. */
static inline uint64_t pack(uint64_t size, int sampled, uint32_t site, uint32_t birth)
{
    return 1 | (uint64_t)site << 1 | (sampled ? ENTRY_SAMPLED : 0) | size << 23 | (uint64_t)birth << 36;
}

static inline void unpack(uint64_t v, uintptr_t ptr, struct ls_live *out)
{
    out->ptr = ptr;
    out->site = (uint32_t)(v >> 1) & ((1u << SITE_BITS) - 1);
    out->size = (v >> 23 & ((1u << SIZE_BITS) - 1)) | (v & ENTRY_SAMPLED ? LS_SIZE_SAMPLED : 0);
    out->birth = (uint32_t)(v >> 36);
}

/* Every site id fits: the stack table hands out at most LS_MAX_SITES (others are 0). */
_Static_assert(LS_MAX_SITES < (1u << SITE_BITS), "site ids must fit an entry");
static inline int fits(uintptr_t ptr, uint64_t size, uint32_t birth)   /* size without the flag */
{
    return ((ptr & 15) | ptr >> 47) == 0 && size <= LS_SMALL_MAX && birth < (1u << BIRTH_BITS);
}

static inline _Atomic uint64_t *entry_of(struct leaf *l, uintptr_t ptr)
{
    return &l->e[(ptr >> GRAIN) & (LEAF_ENTRIES - 1)];
}

/* The leaf of ptr, or NULL when none was made. */
static inline struct leaf *leaf_find(uintptr_t ptr)
{
    struct mid *m = atomic_load_explicit(&top[ptr >> (LEAF_SHIFT + MID_BITS)], memory_order_acquire);
    if (LS_UNLIKELY(!m))
        return NULL;
    return atomic_load_explicit(&m->leaf[(ptr >> LEAF_SHIFT) & ((1u << MID_BITS) - 1)], memory_order_acquire);
}

/* Install *slot from a fresh mapping unless another thread did first; the loser unmaps its own. */
static void *install(void *_Atomic *slot, size_t bytes)
{
    void *fresh = ls_map(bytes), *seen = NULL;
    if (!fresh)
        return NULL;
    if (atomic_compare_exchange_strong(slot, &seen, fresh))
        return fresh;
    ls_unmap(fresh, bytes);
    return seen;
}

__attribute__((noinline)) static struct leaf *leaf_make(uintptr_t ptr)
{
    struct mid *_Atomic *ms = &top[ptr >> (LEAF_SHIFT + MID_BITS)];
    struct mid *m = atomic_load_explicit(ms, memory_order_acquire);
    if (!m && !(m = install((void *_Atomic *)ms, sizeof *m)))
        return NULL;
    struct leaf *_Atomic *ls = &m->leaf[(ptr >> LEAF_SHIFT) & ((1u << MID_BITS) - 1)];
    struct leaf *l = atomic_load_explicit(ls, memory_order_acquire);
    return l ? l : install((void *_Atomic *)ls, sizeof *l);
}

/* A block freed while the tool ran on its thread keeps its entry (ls_free_general). In the page map the next
 * put at that address finds it; in the side table it would hide behind a small block made there next.
 * So such frees mark their address in a bit filter, and a small put whose bit is set looks in the side
 * table too (the tool's own frees of untracked memory mark bits only while the side table holds
 * something; a false hit costs one lookup). */
#define STALE_BITS 16
static _Atomic uint64_t stale_filter[(1u << STALE_BITS) / 64];
static _Atomic int stale_any;

static inline uint32_t stale_bit(uintptr_t ptr)
{
    return (uint32_t)(((uint64_t)ptr * 0x9e3779b97f4a7c15ull) >> (64 - STALE_BITS));
}

void ls_livemap_note_skipped(uintptr_t ptr)
{
    struct leaf *l = ptr >> 47 ? NULL : leaf_find(ptr);
    if (l && (ptr & 15) == 0 && atomic_load_explicit(entry_of(l, ptr), memory_order_relaxed))
        return;   /* the map's own entry: the next put here finds it */
    if (!atomic_load_explicit(&ls_side_live, memory_order_relaxed))
        return;
    uint32_t b = stale_bit(ptr);
    atomic_fetch_or_explicit(&stale_filter[b / 64], 1ull << (b % 64), memory_order_relaxed);
    atomic_store_explicit(&stale_any, 1, memory_order_release);
}

__attribute__((noinline)) static void take_stale_side(uintptr_t ptr, struct ls_live *replaced)
{
    uint32_t b = stale_bit(ptr);
    if (atomic_load_explicit(&stale_filter[b / 64], memory_order_relaxed) & (1ull << (b % 64)))
        ls_side_take(ptr, replaced);   /* leaves *replaced alone when not there */
}

__attribute__((noinline)) static void put_side(const struct ls_live *v, struct ls_live *replaced)
{
    /* a stale small entry at the same address would hide behind this one */
    struct leaf *l = v->ptr >> 47 ? NULL : leaf_find(v->ptr);
    uint64_t old = l ? atomic_exchange_explicit(entry_of(l, v->ptr), 0, memory_order_relaxed) : 0;
    ls_side_put(v, replaced);
    if (old) {
        /* both stale at once cannot happen: the address was handed out once since the last put */
        unpack(old, v->ptr, replaced);
    }
}

int ls_livemap_put_fast(uintptr_t ptr, uint64_t size, int sampled, uint32_t site, uint32_t birth, uint64_t *old)
{
    if (LS_UNLIKELY(!fits(ptr, size, birth)))
        return 0;
    struct leaf *l = leaf_find(ptr);
    if (LS_UNLIKELY(!l))
        return 0;
    _Atomic uint64_t *e = entry_of(l, ptr);
    *old = atomic_load_explicit(e, memory_order_relaxed);
    atomic_store_explicit(e, pack(size, sampled, site, birth), memory_order_relaxed);
    _Atomic uint8_t *used = &l->used[((ptr >> GRAIN) & (LEAF_ENTRIES - 1)) / PAGE_ENTRIES];
    if (LS_UNLIKELY(!atomic_load_explicit(used, memory_order_relaxed)))
        atomic_store_explicit(used, 1, memory_order_relaxed);
    return LS_UNLIKELY(*old != 0) || LS_UNLIKELY(atomic_load_explicit(&stale_any, memory_order_relaxed)) ? 2 : 1;
}

void ls_livemap_put_finish(uintptr_t ptr, uint64_t old, struct ls_live *replaced)
{
    replaced->ptr = 0;
    if (old)
        unpack(old, ptr, replaced);   /* freed behind our back: the old block is gone */
    else
        take_stale_side(ptr, replaced);
}

void ls_livemap_put(uintptr_t ptr, uint64_t size, uint32_t site, uint32_t birth, struct ls_live *replaced)
{
    replaced->ptr = 0;
    uint64_t old;
    int done = ls_livemap_put_fast(ptr, size & ~LS_SIZE_SAMPLED, !!(size & LS_SIZE_SAMPLED), site, birth, &old);
    if (LS_LIKELY(done == 1))
        return;
    if (done == 2) {
        ls_livemap_put_finish(ptr, old, replaced);
        return;
    }
    struct ls_live v = {ptr, size, site, birth};
    if (!fits(ptr, size & ~LS_SIZE_SAMPLED, birth))
        put_side(&v, replaced);
    else if (!leaf_make(ptr))
        ls_side_put(&v, replaced);
    else
        ls_livemap_put(ptr, size, site, birth, replaced);   /* the leaf exists now */
}

/* ptr's entry in the page map, cleared, when its bits under `mask` are `want` (the live bit among
 * them); else 0, nothing changed. */
static inline uint64_t take_entry(uintptr_t ptr, uint64_t mask, uint64_t want)
{
    struct leaf *l = (ptr & 15) | ptr >> 47 ? NULL : leaf_find(ptr);
    if (LS_UNLIKELY(!l))
        return 0;
    _Atomic uint64_t *e = entry_of(l, ptr);
    uint64_t v = atomic_load_explicit(e, memory_order_relaxed);
    if (LS_UNLIKELY((v & mask) != want))
        return 0;
    atomic_store_explicit(e, 0, memory_order_relaxed);
    return v;
}

int ls_livemap_take_fast(uintptr_t ptr, int sampled, uint32_t *site, uint64_t *size)
{
    uint64_t v = take_entry(ptr, 1 | ENTRY_SAMPLED, sampled ? 1 | ENTRY_SAMPLED : 1);
    if (LS_UNLIKELY(!v))
        return 0;
    *site = (uint32_t)(v >> 1) & ((1u << SITE_BITS) - 1);
    *size = v >> 23 & ((1u << SIZE_BITS) - 1);   /* the flag is the caller's `sampled` */
    return 1;
}

int ls_livemap_take(uintptr_t ptr, struct ls_live *out)
{
    uint64_t v = take_entry(ptr, 1, 1);
    if (LS_LIKELY(v != 0)) {
        unpack(v, ptr, out);
        return 1;
    }
    return atomic_load_explicit(&ls_side_live, memory_order_relaxed) && ls_side_take(ptr, out);
}

/* fork(): the page map has no lock; the side table's shard locks are taken around it. */
void ls_livemap_lock_all(void)
{
    ls_side_lock_all();
}

void ls_livemap_unlock_all(void)
{
    ls_side_unlock_all();
}

void ls_livemap_reset_locks(void)
{
    ls_side_reset_locks();
}

static void each_in_leaf(struct leaf *l, uintptr_t base, void (*fn)(const struct ls_live *, void *), void *arg)
{
    for (uint32_t pg = 0; pg < LEAF_PAGES; pg++) {
        if (!atomic_load_explicit(&l->used[pg], memory_order_relaxed))
            continue;
        for (uint32_t i = pg * PAGE_ENTRIES; i < (pg + 1) * PAGE_ENTRIES; i++) {
            uint64_t v = atomic_load_explicit(&l->e[i], memory_order_relaxed);
            if (v & 1) {
                struct ls_live e;
                unpack(v, base + ((uintptr_t)i << GRAIN), &e);
                fn(&e, arg);
            }
        }
    }
}

/* The page map: lock-free, read while other threads change it. */
static void each_in_map(void (*fn)(const struct ls_live *, void *), void *arg)
{
    for (uintptr_t t = 0; t < (1u << TOP_BITS); t++) {
        struct mid *m = atomic_load_explicit(&top[t], memory_order_acquire);
        for (uintptr_t k = 0; m && k < (1u << MID_BITS); k++) {
            struct leaf *l = atomic_load_explicit(&m->leaf[k], memory_order_acquire);
            if (l)
                each_in_leaf(l, (t << (LEAF_SHIFT + MID_BITS)) | (k << LEAF_SHIFT), fn, arg);
        }
    }
}

void ls_livemap_each(void (*fn)(const struct ls_live *, void *), void *arg)
{
    each_in_map(fn, arg);
    ls_side_each(fn, arg);
}

/* The page map has no lock; only the side table's shards can be held by this thread. */
int ls_livemap_each_bounded(void (*fn)(const struct ls_live *, void *), void *arg, int bounded)
{
    if (!bounded) {
        ls_livemap_each(fn, arg);
        return 0;
    }
    each_in_map(fn, arg);
    return ls_side_each_bounded(fn, arg);
}
