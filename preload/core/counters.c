/*
 * counters.c — per-site counters, kept per thread so the allocation path never writes a cache line
 * that another thread writes too.
 *
 * Each thread owns a counter block: a directory of pages of 512 sites, a page mapped the first time
 * the thread touches one of its sites. Only the owner writes its block, with plain loads and relaxed
 * atomic stores (no lock prefix); a stamp reads every block with relaxed loads and adds them up. The
 * numbers are deltas: a block freed on another thread is subtracted in that thread's block, so only
 * the sum over all blocks means anything — and the sum is exact for every thread that is not in the
 * middle of an allocation.
 * Blocks are never destroyed, so no count is ever lost: when a thread exits, its block goes to a free
 * list and the next new thread adopts it and keeps adding to it. Allocations a thread makes after its
 * block was given up (in late TLS destructors) go to one shared block updated with atomic adds.
 * All blocks ever made are on an append-only list that stamps walk without a lock.
 * The common case — the thread has its block and the site's page exists — is inline (ls_count in
 * core.h: a TLS load, a page load, two adds); everything else is ls_count_slow here. Exact mode's fast
 * path (fastpath.c) finds an allocation's counters in the unwind cache instead (ls_counter_slot).
 */
#include "core/core.h"

#include <pthread.h>

#define PAGE_SITES LS_PAGE_SITES
#define DIR_PAGES ((LS_MAX_SITES + PAGE_SITES) / PAGE_SITES)

struct block {
    struct block *next_all;             /* append-only list of every block */
    struct block *next_free;
    struct ls_counts *_Atomic page[DIR_PAGES];
};

static struct block *_Atomic all_blocks;
static struct block *free_blocks;
static pthread_mutex_t free_lock = PTHREAD_MUTEX_INITIALIZER;
static struct block shared_block;        /* for allocations after a thread gave its block up */
static pthread_key_t exit_key;

static __thread struct block *this_thread_block;
static __thread int gave_up;
__thread struct ls_counts *_Atomic *ls_my_counter_pages;   /* this_thread_block->page, for core.h */

/* Everything this thread could count through is cut before the block goes on the free list: a signal
 * handler that allocates on this thread from then on counts in the shared block, never in one another
 * thread may have adopted. (The unwind cache went back to its pool before this runs, with pointers into
 * the block; nothing reads them there, and the thread that adopts the cache forgets them.) */
static void give_up(void *p)
{
    struct block *b = p;
    gave_up = 1;
    this_thread_block = NULL;
    ls_my_counter_pages = NULL;
    ls_unwind_cache_forget_counts();
    atomic_signal_fence(memory_order_seq_cst);
    pthread_mutex_lock(&free_lock);
    b->next_free = free_blocks;
    free_blocks = b;
    pthread_mutex_unlock(&free_lock);
}

static void publish(struct block *b)
{
    struct block *head = atomic_load(&all_blocks);
    do
        b->next_all = head;
    while (!atomic_compare_exchange_weak(&all_blocks, &head, b));
}

void ls_counters_init(void)
{
    pthread_key_create(&exit_key, give_up);
    publish(&shared_block);
}

static struct block *my_block(void)
{
    if (LS_LIKELY(this_thread_block != NULL))
        return this_thread_block;
    if (gave_up)
        return &shared_block;
    pthread_mutex_lock(&free_lock);
    struct block *b = free_blocks;
    if (b)
        free_blocks = b->next_free;
    pthread_mutex_unlock(&free_lock);
    if (!b) {
        b = ls_map(sizeof *b);
        if (!b)
            return &shared_block;
        publish(b);
    }
    pthread_setspecific(exit_key, b);
    ls_my_counter_pages = b->page;
    return this_thread_block = b;
}

static struct ls_counts *slot(struct block *b, uint32_t site)
{
    struct ls_counts *page = atomic_load_explicit(&b->page[site / PAGE_SITES], memory_order_acquire);
    if (LS_UNLIKELY(!page)) {
        struct ls_counts *fresh = ls_map(PAGE_SITES * sizeof *fresh);
        if (!fresh)
            return NULL;
        /* only the shared block can race here */
        if (!atomic_compare_exchange_strong(&b->page[site / PAGE_SITES], &page, fresh))
            ls_unmap(fresh, PAGE_SITES * sizeof *fresh);
        else
            page = fresh;
    }
    return &page[site % PAGE_SITES];
}

struct ls_counts *ls_counter_slot(uint32_t site)
{
    if (!site || site > LS_MAX_SITES)
        return NULL;
    struct block *b = my_block();
    return b == &shared_block ? NULL : slot(b, site);
}

__attribute__((noinline)) void ls_count_slow(uint32_t site, int64_t allocs, int64_t bytes)
{
    if (!site || site > LS_MAX_SITES)
        return;
    struct block *b = my_block();
    struct ls_counts *c = slot(b, site);
    if (!c)
        return;
    if (LS_UNLIKELY(b == &shared_block)) {
        if (allocs > 0) {
            atomic_fetch_add_explicit(&c->total_allocs, allocs, memory_order_relaxed);
            atomic_fetch_add_explicit(&c->total_bytes, bytes, memory_order_relaxed);
        } else {
            atomic_fetch_add_explicit(&c->out_allocs, -allocs, memory_order_relaxed);
            atomic_fetch_add_explicit(&c->out_bytes, -bytes, memory_order_relaxed);
        }
        return;
    }
    ls_count_owned(c, allocs, bytes);
}

/* One slot's in and out as they were at one moment, while its owner may be moving them: in read
 * between two reads of out that agree (every free moves out_allocs) is the in of a moment when out had
 * that value. The loads are acquires and the owner's stores releases (core.h), so a load that sees a
 * store also sees every store the owner made before it. A slot that never holds still keeps the last reads, out before in: never fewer
 * live than at the first read of out. Read in then out, a thread that allocated and freed between the
 * two loads made the site's live count negative. */
static void read_slot(const struct ls_counts *c, struct ls_plain_counts *v)
{
    int64_t out_allocs, out_bytes, in_allocs, in_bytes;
    for (int tries = 0;; tries++) {
        out_allocs = atomic_load_explicit(&c->out_allocs, memory_order_acquire);
        out_bytes = atomic_load_explicit(&c->out_bytes, memory_order_acquire);
        in_allocs = atomic_load_explicit(&c->total_allocs, memory_order_acquire);
        in_bytes = atomic_load_explicit(&c->total_bytes, memory_order_acquire);
        if (atomic_load_explicit(&c->out_allocs, memory_order_acquire) == out_allocs &&
            atomic_load_explicit(&c->out_bytes, memory_order_acquire) == out_bytes)
            break;
        if (tries == 64)
            break;
    }
    v->total_allocs = in_allocs;
    v->total_bytes = in_bytes;
    v->live_allocs = in_allocs - out_allocs;
    v->live_bytes = in_bytes - out_bytes;
}

/* out[0..n] (index = site id) = the sum over all blocks. */
void ls_counters_sum(struct ls_plain_counts *out, uint32_t n)
{
    for (uint32_t i = 0; i <= n; i++)
        out[i] = (struct ls_plain_counts){0, 0, 0, 0};
    for (struct block *b = atomic_load(&all_blocks); b; b = b->next_all) {
        for (uint32_t p = 0; p <= n / PAGE_SITES; p++) {
            struct ls_counts *page = atomic_load_explicit(&b->page[p], memory_order_acquire);
            if (!page)
                continue;
            uint32_t first = p * PAGE_SITES, last = first + PAGE_SITES - 1 < n ? first + PAGE_SITES - 1 : n;
            for (uint32_t id = first; id <= last; id++) {
                struct ls_plain_counts v;
                read_slot(&page[id - first], &v);
                out[id].total_allocs += v.total_allocs;
                out[id].total_bytes += v.total_bytes;
                out[id].live_allocs += v.live_allocs;
                out[id].live_bytes += v.live_bytes;
            }
        }
    }
}

/* fork: the child has one thread, so the free list lock is reset. */
void ls_counters_after_fork_child(void)
{
    pthread_mutex_init(&free_lock, NULL);
}
