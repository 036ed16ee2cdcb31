/*
 * unwind_cache.c — recognising a stack already seen, without unwinding it again.
 *
 * Unwinding costs far more than the allocation it describes (libunwind: ~80 ns for ten frames, an
 * allocation: ~30 ns), and an event loop allocates from the same few call chains over and over. Each
 * thread keeps a small 4-way set-associative cache keyed by what the hook knows for free: the return address
 * of the allocation call and the CFA of the hook (the caller's stack pointer). An entry remembers the
 * stack's site id, its return addresses and the stack slots they were read from. On a hit, the entry is
 * checked against live stack memory: every cached return address must still be in its slot. Those
 * slots belong to frames of the current call chain (they lie above the caller's stack pointer, in this
 * thread's own stack), so the check reads current values, not leftovers of returned calls. If they all
 * match, the unwinder would have read the same words and returned the same stack; the site id is
 * reused and neither libunwind nor the stack table is touched. Any mismatch falls back to libunwind.
 *
 * Only stacks whose slots all lie inside this thread's stack (as pthread reports it) are cached, so the
 * check never reads memory that may be gone (coroutine stacks, sigaltstack); stacks through a signal
 * frame are never cached. LEAKSTAMP_VERIFY_UNWIND=1 unwinds on every hit as well and counts
 * disagreements (the tests run with it). Each thread's cache is mapped on its first allocation and
 * unmapped when the thread exits.
 */
#include "core/core.h"

#include <pthread.h>
#include <string.h>

#define SETS 64
#define WAYS 4          /* associativity: one call site at several stack depths must not thrash a set */

struct cache_way {
    uintptr_t ra, cfa;
    uint32_t site;
    uint16_t n;
    uintptr_t *frames, *slots;   /* n each, in the cache's own frame pool */
};

struct cache {
    uintptr_t stack_lo, stack_hi;
    struct cache_way e[SETS][WAYS];
    uint8_t next[SETS];          /* round-robin victim of each set */
    uintptr_t pool[];            /* SETS * WAYS * 2 * depth words */
};

static __thread struct cache *this_thread_cache;
static __thread int gone;        /* the thread is exiting: its cache was unmapped */
static pthread_key_t exit_key;
static size_t cache_bytes;
_Atomic uint64_t ls_unwind_verified, ls_unwind_mismatched;

/* Runs in the exiting thread. Allocations made later by other TLS destructors unwind uncached. */
static void drop_cache(void *p)
{
    this_thread_cache = NULL;
    gone = 1;
    ls_unmap(p, cache_bytes);
}

void ls_unwind_cache_init(void)
{
    cache_bytes = sizeof(struct cache) + (size_t)SETS * WAYS * 2 * (size_t)ls_config.depth * sizeof(uintptr_t);
    pthread_key_create(&exit_key, drop_cache);
}

static struct cache *thread_cache(void)
{
    if (LS_LIKELY(this_thread_cache != NULL))
        return this_thread_cache;
    if (gone)
        return NULL;
    struct cache *c = ls_map(cache_bytes);
    if (!c)
        return NULL;
    pthread_attr_t a;
    void *base;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        if (pthread_attr_getstack(&a, &base, &size) == 0) {
            c->stack_lo = (uintptr_t)base;
            c->stack_hi = (uintptr_t)base + size;
        }
        pthread_attr_destroy(&a);
    }
    for (int i = 0; i < SETS * WAYS; i++) {
        struct cache_way *e = &c->e[i / WAYS][i % WAYS];
        e->frames = c->pool + (size_t)i * 2 * (size_t)ls_config.depth;
        e->slots = e->frames + ls_config.depth;
    }
    pthread_setspecific(exit_key, c);
    return this_thread_cache = c;
}

static inline unsigned set_of(uintptr_t ra, uintptr_t cfa)
{
    uint64_t h = ra * 0x9e3779b97f4a7c15ull + cfa;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 29;
    return (unsigned)(h & (SETS - 1));
}

static inline int still_there(const struct cache_way *e)
{
    for (int i = 1; i < e->n; i++)
        if (*(const uintptr_t *)e->slots[i] != e->frames[i])
            return 0;
    return 1;
}

static int in_stack(const struct cache *c, const struct ls_stack *st)
{
    for (int i = 0; i < st->n; i++)
        if (st->slots[i] < c->stack_lo || st->slots[i] + sizeof(uintptr_t) > c->stack_hi)
            return 0;
    return 1;
}

static void cache_store(struct cache_way *e, const struct ls_stack *st, uint32_t site, uintptr_t ra, uintptr_t cfa)
{
    e->ra = ra;
    e->cfa = cfa;
    e->site = site;
    e->n = (uint16_t)st->n;
    memcpy(e->frames, st->frames, (size_t)st->n * sizeof *e->frames);
    memcpy(e->slots, st->slots, (size_t)st->n * sizeof *e->slots);
}

static uint32_t unwind_and_intern(struct ls_stack *st)
{
    ls_unwind(st, ls_config.depth);
    return ls_stacks_intern(st->frames, st->n, st->truncated);
}

/* The cache key must describe the first frame libunwind reports; if it does not (a hook reached in an
 * unusual way), the stack is simply not cached. */
static int key_matches(const struct ls_stack *st, uintptr_t ra, uintptr_t cfa)
{
    return st->n > 0 && st->cacheable && st->frames[0] == ra && st->slots[0] == cfa - 8;
}

uint32_t ls_site_of_caller(uintptr_t ra, uintptr_t cfa)
{
    struct ls_stack st;
    struct cache *c = thread_cache();
    if (!c)
        return unwind_and_intern(&st);
    unsigned set = set_of(ra, cfa);
    for (int w = 0; w < WAYS; w++) {
        struct cache_way *e = &c->e[set][w];
        if (e->ra != ra || e->cfa != cfa || !e->n || !still_there(e))
            continue;
        if (LS_LIKELY(!ls_config.verify_unwind))
            return e->site;
        uint32_t site = unwind_and_intern(&st);
        atomic_fetch_add(&ls_unwind_verified, 1);
        if (site != e->site)
            atomic_fetch_add(&ls_unwind_mismatched, 1);
        return site;
    }
    uint32_t site = unwind_and_intern(&st);
    if (site && key_matches(&st, ra, cfa) && in_stack(c, &st)) {
        cache_store(&c->e[set][c->next[set]], &st, site, ra, cfa);
        c->next[set] = (uint8_t)((c->next[set] + 1) % WAYS);
    }
    return site;
}
