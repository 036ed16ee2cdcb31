/*
 * unwind_cache.c — recognising a stack already seen, without unwinding it again.
 *
 * Unwinding costs far more than the allocation it describes (libunwind: ~80 ns for ten frames, an
 * allocation: ~30 ns), and an event loop allocates from the same few call chains over and over. Each
 * thread keeps a small 4-way set-associative cache keyed by what the hook knows for free: the return address
 * of the allocation call and the CFA of the hook (the caller's stack pointer). An entry remembers the
 * stack's site id and, next to each other, the stack slot each return address was read from and the
 * address itself. On a hit, the entry is checked against live stack memory: every cached return
 * address must still be in its slot. Those slots belong to frames of the current call chain (they lie
 * above the caller's stack pointer, in this thread's own stack), so the check reads current values, not
 * leftovers of returned calls. If they all match, the unwinder would have read the same words and
 * returned the same stack; the site id is reused and neither libunwind nor the stack table is touched.
 * Any mismatch falls back to libunwind. The entry also keeps this thread's counters of the site
 * (counters.c), so exact mode's fast path (fastpath.c) finds both in one lookup. When the thread gives
 * its counters up at exit, its cache forgets them, if it still has it: the cache's key destructor runs
 * first (its key is made first), and a pooled cache's counters are forgotten when a thread adopts it.
 *
 * Only stacks whose slots all lie inside this thread's own stack (stack_bounds.c: found without
 * pthread_getattr_np, which must never run inside a hook) are cached, so the check never reads memory
 * that may be gone (coroutine stacks, sigaltstack); stacks through a signal frame are never cached.
 * LEAKSTAMP_VERIFY_UNWIND=1 unwinds on every hit as well and counts disagreements (the tests run with
 * it).
 *
 * Stack use: the hit path is a few words; a miss keeps libunwind's context, cursor and the unwound
 * stack in the cache's own mapped memory, not on the thread's stack. Caches are mapped once and
 * pooled: a thread's cache goes to a lock-free free list when it exits and the next new thread takes it,
 * so a job that starts threads per event does not map and unmap 270 KB each time — with its entries
 * when the new thread runs on the same stack (glibc reuses the stacks of joined threads), so it does
 * not unwind its call chains again either (thread_cache).
 */
#include "core/core.h"

#include <pthread.h>
#include <string.h>

#define SETS 64
#define WAYS 4          /* associativity: one call site at several stack depths must not thrash a set */

/* An empty way has ra = EMPTY_RA, which no call returns to. */
#define EMPTY_RA UINTPTR_MAX
struct cache_way {
    uintptr_t ra, cfa;
    /* (slot, return address) pairs of the frames past the key, in the pool, an even number of them
     * (the last one twice when needed): still_there() checks two per round with no odd one left */
    const uintptr_t *pairs, *pairs_end;
    struct ls_counts *counts;    /* this thread's counters of the site (ls_counter_slot), or NULL */
    uint32_t site;
};

struct cache {
    struct cache *next_free;
    /* the stack of the thread that has (or last had) it; 0, 0: unknown. Atomic (relaxed): adopt() reads
     * them in caches other threads may be taking */
    _Atomic uintptr_t stack_lo, stack_hi;
    struct cache_way e[SETS][WAYS];
    uint8_t next[SETS];          /* round-robin victim of each set */
    struct ls_stack st;          /* a miss unwinds into this */
    _Alignas(16) uintptr_t pool[];   /* per way 2 * depth words (slot, return address), then scratch */
};

static __thread struct cache *this_thread_cache;
static __thread int gone;        /* the thread is exiting: its cache went back to the pool */
static pthread_key_t exit_key;
static size_t cache_bytes, way_words;
static _Atomic uint64_t free_caches;   /* low 48 bits: top of the free list; high 16: ABA tag */
_Atomic uint64_t ls_unwind_verified, ls_unwind_mismatched;

#define PTR_MASK ((1ull << 48) - 1)

static void push_free(struct cache *c)
{
    uint64_t old = atomic_load(&free_caches), new;
    do {
        c->next_free = (struct cache *)(uintptr_t)(old & PTR_MASK);
        new = (uint64_t)(uintptr_t)c | ((old & ~PTR_MASK) + (1ull << 48));
    } while (!atomic_compare_exchange_weak(&free_caches, &old, new));
}

/* Caches are never unmapped, so reading next_free of a cache another thread just took is harmless;
 * the tag makes the exchange fail then. */
static struct cache *pop_free(void)
{
    uint64_t old = atomic_load(&free_caches), new;
    struct cache *c;
    do {
        c = (struct cache *)(uintptr_t)(old & PTR_MASK);
        if (!c)
            return NULL;
        new = (uint64_t)(uintptr_t)c->next_free | ((old & ~PTR_MASK) + (1ull << 48));
    } while (!atomic_compare_exchange_weak(&free_caches, &old, new));
    return c;
}

static void pool_put(struct cache *c);

/* Runs in the exiting thread. Allocations made later by other TLS destructors unwind uncached. */
static void drop_cache(void *p)
{
    this_thread_cache = NULL;
    gone = 1;
    pool_put(p);
}

void ls_unwind_cache_init(void)
{
    way_words = 2 * (size_t)ls_config.depth;
    cache_bytes = sizeof(struct cache) + (SETS * WAYS * way_words) * sizeof(uintptr_t) + ls_unwind_scratch_bytes();
    ls_stack_bounds_init();
    pthread_key_create(&exit_key, drop_cache);
}

static inline uintptr_t *pairs_of(struct cache *c, unsigned set, unsigned way)
{
    return c->pool + (set * WAYS + way) * way_words;
}

static inline void *scratch_of(struct cache *c)
{
    return c->pool + SETS * WAYS * way_words;
}

static int same_stack(const struct cache *c, uintptr_t lo, uintptr_t hi)
{
    return lo < hi && atomic_load_explicit(&c->stack_lo, memory_order_relaxed) == lo &&
           atomic_load_explicit(&c->stack_hi, memory_order_relaxed) == hi;
}

/* The pool's first caches sit in slots that adopt() can search without taking them out of the pool
 * (a free list would have to be emptied into the searching thread's hands, and a thread starting at
 * the same moment would find it empty); the rest wait on the free list. */
#define POOL_SLOTS 64
static struct cache *_Atomic pool[POOL_SLOTS];

static void pool_put(struct cache *c)
{
    for (unsigned i = 0; i < POOL_SLOTS; i++) {
        struct cache *none = NULL;
        if (atomic_compare_exchange_strong(&pool[i], &none, c))
            return;
    }
    push_free(c);
}

/* A pooled cache for a thread on the stack [lo, hi): with `any` 0, only one that a thread on the same
 * stack left; with 1, any (a pooled slot first, then the free list); NULL when there is none. A cache
 * is never unmapped, so reading the bounds of one another thread is taking is harmless: the exchange
 * decides who has it. */
static struct cache *adopt(uintptr_t lo, uintptr_t hi, int any)
{
    for (unsigned i = 0; i < POOL_SLOTS; i++) {
        struct cache *c = atomic_load(&pool[i]);
        if (c && (any || same_stack(c, lo, hi)) && atomic_compare_exchange_strong(&pool[i], &c, NULL))
            return c;
    }
    return any ? pop_free() : NULL;
}

/* Caches mapped so far. Up to POOL_SLOTS of them, a thread on a stack no pooled cache knows gets a
 * new one and leaves the pooled ones to their stacks' next threads: taken by it, a cache would be
 * emptied, and two threads that never overlap on two stacks would empty one cache in turn and never
 * hit (a round of two short workers, the second started after the first ended). Past that, it takes
 * any pooled cache. The touched part of a cache is its table (12 KB) and its threads' chains. */
static _Atomic unsigned caches_mapped;

static struct cache *map_cache(void)
{
    atomic_fetch_add_explicit(&caches_mapped, 1, memory_order_relaxed);
    return ls_map(cache_bytes);
}

static void forget_counts(struct cache *c)
{
    for (unsigned set = 0; set < SETS; set++)
        for (unsigned w = 0; w < WAYS; w++)
            c->e[set][w].counts = NULL;
}

static void empty(struct cache *c)
{
    memset(c->e, 0, sizeof c->e);
    for (unsigned set = 0; set < SETS; set++)
        for (unsigned w = 0; w < WAYS; w++)
            c->e[set][w].ra = EMPTY_RA;
}

/* The thread's first tracked call. Its stack's bounds are found now (by which thread this is, not by
 * where it runs: stack_bounds.c). A pooled cache left by a thread on the very same stack keeps its entries: their
 * slots lie in this thread's own stack, which is mapped as long as it runs, and each hit checks every
 * slot as always — so a thread started per event finds its call chains without unwinding them again.
 * The counters they pointed to were the old thread's: forgotten, found again on the first hit. Any
 * other cache is emptied. */
static struct cache *thread_cache(void)
{
    if (gone)
        return NULL;
    uintptr_t lo, hi;
    if (ls_stack_bounds(&lo, &hi))
        lo = hi = 0;
    struct cache *c = lo < hi ? adopt(lo, hi, 0) : NULL;
    if (c) {
        forget_counts(c);
    } else {
        if (atomic_load_explicit(&caches_mapped, memory_order_relaxed) < POOL_SLOTS)
            c = map_cache();   /* an unknown stack too: it stores nothing, and must not empty a cache */
        if (!c && !(c = adopt(lo, hi, 1)) && !(c = map_cache()))
            return NULL;
        empty(c);
    }
    atomic_store_explicit(&c->stack_lo, lo, memory_order_relaxed);
    atomic_store_explicit(&c->stack_hi, hi, memory_order_relaxed);
    pthread_setspecific(exit_key, c);
    return this_thread_cache = c;
}

static inline unsigned set_of(uintptr_t ra, uintptr_t cfa)
{
    return (unsigned)(((ra ^ (cfa << 16)) * 0x9e3779b97f4a7c15ull) >> (64 - 6));
}

static int in_stack(const struct cache *c, const struct ls_stack *st)
{
    uintptr_t lo = atomic_load_explicit(&c->stack_lo, memory_order_relaxed);
    uintptr_t hi = atomic_load_explicit(&c->stack_hi, memory_order_relaxed);
    for (int i = 0; i < st->n; i++)
        if (st->slots[i] < lo || st->slots[i] + sizeof(uintptr_t) > hi)
            return 0;
    return 1;
}

static void cache_store(struct cache *c, unsigned set, const struct ls_stack *st, uint32_t site, uintptr_t ra,
                        uintptr_t cfa)
{
    unsigned way = c->next[set];
    c->next[set] = (uint8_t)((way + 1) % WAYS);
    struct cache_way *e = &c->e[set][way];
    uintptr_t *pairs = pairs_of(c, set, way), *p = pairs;
    for (int i = 1; i < st->n; i++, p += 2) {   /* frame 0 is the key: its slot is cfa - 8 */
        p[0] = st->slots[i];
        p[1] = st->frames[i];
    }
    if ((p - pairs) % 4) {   /* room: the pool holds 2 * depth words per way, this is at most that */
        p[0] = p[-2];
        p[1] = p[-1];
        p += 2;
    }
    e->ra = ra;
    e->cfa = cfa;
    e->pairs = pairs;
    e->pairs_end = p;
    e->counts = ls_counter_slot(site);
    e->site = site;
}

static uint32_t unwind_and_intern(struct ls_stack *st, void *scratch)
{
    ls_unwind(st, ls_config.depth, scratch);
    return ls_stacks_intern(st->frames, st->n, st->truncated);
}

/* The cache key must describe the first frame libunwind reports; if it does not (a hook reached in an
 * unusual way), the stack is simply not cached. */
static int key_matches(const struct ls_stack *st, uintptr_t ra, uintptr_t cfa)
{
    return st->n > 0 && st->cacheable && st->frames[0] == ra && st->slots[0] == cfa - 8;
}

/* No cache on this thread (it is exiting, or out of memory): unwind into memory mapped for the call. */
__attribute__((noinline)) static uint32_t site_uncached(void)
{
    size_t bytes = sizeof(struct ls_stack) + ls_unwind_scratch_bytes();
    struct ls_stack *st = ls_map(bytes);
    if (!st)
        return 0;
    uint32_t site = unwind_and_intern(st, st + 1);
    ls_unmap(st, bytes);
    return site;
}

__attribute__((noinline)) static uint32_t site_missed(struct cache *c, unsigned set, uintptr_t ra, uintptr_t cfa)
{
    uint32_t site = unwind_and_intern(&c->st, scratch_of(c));
    if (site && key_matches(&c->st, ra, cfa) && in_stack(c, &c->st))
        cache_store(c, set, &c->st, site, ra, cfa);
    return site;
}

__attribute__((noinline)) static uint32_t site_verified(struct cache *c, uint32_t cached)
{
    uint32_t site = unwind_and_intern(&c->st, scratch_of(c));
    atomic_fetch_add(&ls_unwind_verified, 1);
    if (site != cached)
        atomic_fetch_add(&ls_unwind_mismatched, 1);
    return site;
}

/* Every cached return address must still be in its slot. Two frames per round: every hit runs this,
 * and the loop's own bookkeeping cost as much as the compares. */
static inline int still_there(const uintptr_t *p, const uintptr_t *end)
{
    for (; p != end; p += 4)
        if ((*(const uintptr_t *)p[0] ^ p[1]) | (*(const uintptr_t *)p[2] ^ p[3]))
            return 0;
    return 1;
}

/* The way of set `set` that holds this stack, or NULL. */
static inline struct cache_way *lookup(struct cache *c, unsigned set, uintptr_t ra, uintptr_t cfa)
{
    for (unsigned w = 0; w < WAYS; w++) {
        struct cache_way *e = &c->e[set][w];
        if (e->ra == ra && e->cfa == cfa && still_there(e->pairs, e->pairs_end))
            return e;
    }
    return NULL;
}

uint32_t ls_site_of_caller(uintptr_t ra, uintptr_t cfa)
{
    struct cache *c = this_thread_cache;
    if (LS_UNLIKELY(!c) && !(c = thread_cache()))
        return site_uncached();
    unsigned set = set_of(ra, cfa);
    struct cache_way *e = lookup(c, set, ra, cfa);
    if (!e)
        return site_missed(c, set, ra, cfa);
    if (LS_UNLIKELY(!e->counts))   /* an entry kept from an earlier thread on this stack */
        e->counts = ls_counter_slot(e->site);
    if (LS_LIKELY(!ls_config.verify_unwind))
        return e->site;
    return site_verified(c, e->site);
}

uint32_t ls_site_cached(uintptr_t ra, uintptr_t cfa, struct ls_counts **counts)
{
    struct cache *c = this_thread_cache;
    if (LS_UNLIKELY(!c) || LS_UNLIKELY(ls_config.verify_unwind))
        return 0;
    const struct cache_way *e = lookup(c, set_of(ra, cfa), ra, cfa);
    if (!e || !e->counts)
        return 0;
    *counts = e->counts;
    return e->site;
}

/* The thread gives its counters up (counters.c): no entry may point into them any more. */
void ls_unwind_cache_forget_counts(void)
{
    if (this_thread_cache)
        forget_counts(this_thread_cache);
}
