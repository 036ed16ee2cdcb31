/*
 * livemap_side.c — the live-pointer table's side table: pointer → (site, size, birth stamp) for the
 * blocks the page map (livemap.c) does not hold: blocks larger than its entries can say, pointers that
 * are not 16-aligned or lie outside the mapped range, births past its 28 bits. Large blocks are few
 * and costly anyway; a small entry each here keeps the page map from touching a leaf page per block.
 *
 * 1024 shards chosen by a hash of the pointer, each an open-addressing table with linear probing and
 * backward-shift deletion (no tombstones, so a long-running job's churn never degrades it), guarded by
 * its own spinlock. Two threads contend only when their pointers hash to the same shard, so there is no
 * global lock on the allocation path; a block freed on another thread than the one that made it simply
 * finds its shard. A shard doubles when it is 3/4 full; its memory is mapped, never malloc'd. Critical
 * sections are a handful of loads and stores: a spinlock that yields after a while is cheaper than a
 * mutex here, and fork() takes every shard lock (ls_side_lock_all) so a child never inherits one held.
 */
#include "core/core.h"

#include <sched.h>
#include <string.h>

#define NSHARDS 1024
#define FIRST_CAP 16
#define MAP_MIN 4096   /* smaller tables come from the arena: a page each would cost 8 KiB per new shard */

struct shard {
    _Atomic int lock;
    uint32_t count, cap;      /* cap is a power of two, or 0 before the first insert */
    struct ls_live *e;
    char pad[64 - sizeof(int) - 2 * sizeof(uint32_t) - sizeof(void *)];
};

static struct shard *shards;
_Atomic uint64_t ls_side_live;

int ls_side_init(void)
{
    shards = ls_map(NSHARDS * sizeof *shards);
    return shards ? 0 : -1;
}

static inline uint64_t mix(uintptr_t p)
{
    uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static inline struct shard *shard_of(uint64_t h)
{
    return &shards[h >> (64 - 10)];
}

static inline void lock(struct shard *s)
{
    for (int spins = 0; atomic_exchange_explicit(&s->lock, 1, memory_order_acquire); spins++) {
        while (atomic_load_explicit(&s->lock, memory_order_relaxed)) {
            if (++spins > 200)
                sched_yield();
            else
                __builtin_ia32_pause();
        }
    }
}

static inline void unlock(struct shard *s)
{
    atomic_store_explicit(&s->lock, 0, memory_order_release);
}

static inline uint32_t home(const struct shard *s, uint64_t h)
{
    return (uint32_t)h & (s->cap - 1);
}

static void place(struct shard *s, const struct ls_live *v)
{
    uint32_t i = home(s, mix(v->ptr));
    while (s->e[i].ptr)
        i = (i + 1) & (s->cap - 1);
    s->e[i] = *v;
}

/* Small tables are carved from the arena and never given back (at most about 4 KiB per shard in
 * all); from a page up, tables are mapped and the old one unmapped. */
static struct ls_live *table_alloc(uint32_t cap)
{
    size_t bytes = (size_t)cap * sizeof(struct ls_live);
    return bytes < MAP_MIN ? ls_arena_alloc(bytes) : ls_map(bytes);
}

static void table_free(struct ls_live *t, uint32_t cap)
{
    size_t bytes = (size_t)cap * sizeof *t;
    if (t && bytes >= MAP_MIN)
        ls_unmap(t, bytes);
}

static int grow(struct shard *s)
{
    uint32_t ncap = s->cap ? s->cap * 2 : FIRST_CAP;
    struct ls_live *old = s->e;
    uint32_t ocap = s->cap;
    struct ls_live *ne = table_alloc(ncap);
    if (!ne)
        return -1;
    s->e = ne;
    s->cap = ncap;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i].ptr)
            place(s, &old[i]);
    table_free(old, ocap);
    return 0;
}

/* Index of ptr in the shard, or -1. */
static long find(const struct shard *s, uintptr_t ptr, uint64_t h)
{
    if (!s->cap)
        return -1;
    for (uint32_t i = home(s, h);; i = (i + 1) & (s->cap - 1)) {
        if (s->e[i].ptr == ptr)
            return i;
        if (!s->e[i].ptr)
            return -1;
    }
}

/* Backward-shift deletion: pull later members of the probe run into the hole. */
static void erase(struct shard *s, uint32_t hole)
{
    uint32_t mask = s->cap - 1;
    for (uint32_t j = (hole + 1) & mask; s->e[j].ptr; j = (j + 1) & mask) {
        uint32_t want = home(s, mix(s->e[j].ptr));
        /* e[j] may move to the hole if the hole lies cyclically within [want, j). */
        if (((j - want) & mask) >= ((j - hole) & mask)) {
            s->e[hole] = s->e[j];
            hole = j;
        }
    }
    s->e[hole].ptr = 0;
    s->count--;
}

__attribute__((noinline)) void ls_side_put(const struct ls_live *v, struct ls_live *replaced)
{
    uint64_t h = mix(v->ptr);
    struct shard *s = shard_of(h);
    replaced->ptr = 0;
    lock(s);
    long i = find(s, v->ptr, h);
    if (i >= 0) {
        /* freed behind our back (e.g. while the tool guard was up): report the old one as gone */
        *replaced = s->e[i];
        s->e[i] = *v;
    } else if ((s->count + 1) * 4 <= s->cap * 3 || grow(s) == 0) {
        place(s, v);
        s->count++;
        atomic_fetch_add_explicit(&ls_side_live, 1, memory_order_relaxed);
    }
    unlock(s);
}

__attribute__((noinline)) int ls_side_take(uintptr_t ptr, struct ls_live *out)
{
    uint64_t h = mix(ptr);
    struct shard *s = shard_of(h);
    lock(s);
    long i = find(s, ptr, h);
    if (i >= 0) {
        *out = s->e[i];
        erase(s, (uint32_t)i);
        atomic_fetch_sub_explicit(&ls_side_live, 1, memory_order_relaxed);
    }
    unlock(s);
    return i >= 0;
}

void ls_side_lock_all(void)
{
    for (int i = 0; i < NSHARDS; i++)
        lock(&shards[i]);
}

void ls_side_unlock_all(void)
{
    for (int i = 0; i < NSHARDS; i++)
        unlock(&shards[i]);
}

void ls_side_reset_locks(void)
{
    for (int i = 0; i < NSHARDS; i++)
        atomic_store(&shards[i].lock, 0);
}

void ls_side_each(void (*fn)(const struct ls_live *, void *), void *arg)
{
    for (int k = 0; k < NSHARDS; k++) {
        struct shard *s = &shards[k];
        lock(s);
        for (uint32_t i = 0; i < s->cap; i++)
            if (s->e[i].ptr)
                fn(&s->e[i], arg);
        unlock(s);
    }
}

/* A bounded wait for a shard lock: the caller may be a signal handler on the thread that holds it. */
static int try_lock(struct shard *s)
{
    for (int spins = 0; spins < 20000; spins++) {
        if (!atomic_exchange_explicit(&s->lock, 1, memory_order_acquire))
            return 1;
        if (spins > 200)
            sched_yield();
        else
            __builtin_ia32_pause();
    }
    return 0;
}

/* As ls_side_each, for a caller that may hold a shard lock itself: -1 when a shard stayed locked. */
int ls_side_each_bounded(void (*fn)(const struct ls_live *, void *), void *arg)
{
    for (int k = 0; k < NSHARDS; k++) {
        struct shard *s = &shards[k];
        if (!try_lock(s))
            return -1;
        for (uint32_t i = 0; i < s->cap; i++)
            if (s->e[i].ptr)
                fn(&s->e[i], arg);
        unlock(s);
    }
    return 0;
}
