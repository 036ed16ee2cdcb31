/*
 * arena.c — the tool's own memory. Everything the tool keeps (stack records, the live-pointer table,
 * record buffers) comes from mmap, never from the allocator it measures, so the tool neither recurses
 * into its hooks nor shows up in the job's numbers; the raw system call, so the tool's own mappings
 * never reach its mmap hook (hooks_mmap.c) either. Small permanent objects come from a lock-free bump
 * arena carved from 4 MiB chunks; large tables map their own pages. No lock anywhere, so fork() can
 * never inherit one held.
 *
 * Every mapping made here is also listed (address and size), so that each stamp can say how much of the
 * process is the tool's own (ls_tool_memory: the `toolmem` line, docs/report-format.md) and the analyzer
 * can keep it apart from the job's growth. VM is what is mapped; RSS is what of it is resident, asked
 * of the kernel with mincore(2): the big tables are reserved whole and touched sparsely, so counting
 * mapped bytes would overstate it many times over.
 */
#include "core/core.h"

#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (4u << 20)

/* ---- the list of our mappings ---- */

/* A slot is free when addr is 0. Claimed by CAS; a reader (a stamp) may see a slot being filled or
 * emptied and count it or not: the numbers are a snapshot, not an invariant. A mapping that finds no
 * free slot is counted as wholly resident (an upper bound). */
#define REGIONS 4096
struct region {
    _Atomic uintptr_t addr;
    _Atomic size_t size;
};
static struct region regions[REGIONS];
static _Atomic size_t mapped_bytes, unlisted_bytes;

static size_t page_size(void)
{
    static size_t page;
    if (!page)
        page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

static size_t round_to_pages(size_t size)
{
    size_t page = page_size();
    return (size + page - 1) / page * page;
}

static size_t region_hash(uintptr_t p) { return (size_t)((p >> 12) * 0x9e3779b97f4a7c15ull >> 52) % REGIONS; }

static void list_region(void *p, size_t size)
{
    atomic_fetch_add(&mapped_bytes, size);
    for (size_t i = region_hash((uintptr_t)p), n = 0; n < REGIONS; n++, i = (i + 1) % REGIONS) {
        uintptr_t free_slot = 0;
        if (atomic_compare_exchange_strong(&regions[i].addr, &free_slot, (uintptr_t)p)) {
            atomic_store(&regions[i].size, size);
            return;
        }
    }
    atomic_fetch_add(&unlisted_bytes, size);
}

static void unlist_region(void *p, size_t size)
{
    atomic_fetch_sub(&mapped_bytes, size);
    for (size_t i = region_hash((uintptr_t)p), n = 0; n < REGIONS; n++, i = (i + 1) % REGIONS)
        if (atomic_load(&regions[i].addr) == (uintptr_t)p) {
            atomic_store(&regions[i].size, 0);
            atomic_store(&regions[i].addr, 0);
            return;
        }
    atomic_fetch_sub(&unlisted_bytes, size);
}

/* Resident bytes of [p, p + size), by mincore in steps of a stack-sized vector. */
static uint64_t resident(uintptr_t p, size_t size)
{
    unsigned char vec[4096];
    size_t page = page_size(), step = sizeof vec * page;
    uint64_t pages = 0;
    for (size_t off = 0; off < size; off += step) {
        size_t len = size - off < step ? size - off : step;
        if (mincore((void *)(p + off), len, vec))
            return size;   /* cannot ask: count it all */
        for (size_t i = 0; i < (len + page - 1) / page; i++)
            pages += vec[i] & 1;
    }
    return pages * page;
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* mincore costs about 1 µs per MiB asked (the big tables are reserved whole: tens of MiB), more than
 * a stamp itself. So a stamp that follows the last scan by less than 400 times that scan's duration
 * reuses its numbers: at most a quarter of a percent of the job's time goes to this (a tenth cost 3.4%
 * of the churn bench's 2 ms events, a hundredth 0.5%), and jobs whose events last 400 scans or more
 * (20 ms for the ~50 µs scan of that bench's 37 MiB) get a fresh scan at every stamp. Called under
 * the stamp mutex. */
#define SCAN_SPACING 400
static uint64_t last_vm, last_rss, last_at, last_cost;

void ls_tool_memory(uint64_t *vm, uint64_t *rss, int fresh)
{
    uint64_t start = monotonic_ns();
    if (!fresh && last_at && start - last_at < SCAN_SPACING * last_cost) {
        *vm = last_vm, *rss = last_rss;
        return;
    }
    uint64_t r = atomic_load(&unlisted_bytes);
    for (size_t i = 0; i < REGIONS; i++) {
        uintptr_t a = atomic_load(&regions[i].addr);
        size_t n = atomic_load(&regions[i].size);
        if (a && n)
            r += resident(a, n);
    }
    *vm = last_vm = atomic_load(&mapped_bytes);
    *rss = last_rss = r;
    last_at = monotonic_ns();
    last_cost = last_at - start;
}

/* ---- mapping ---- */

void *ls_map(size_t size)
{
    void *p = ls_sys_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Not in the job's core dumps, and (other flags) never merged by the kernel with a job's mapping
     * next to it, so a heap scan that takes a thread stack's mapping whole never reads tool tables. */
    madvise(p, size, MADV_DONTDUMP);
    list_region(p, round_to_pages(size));
    return p;
}

void ls_unmap(void *p, size_t size)
{
    if (!p)
        return;
    unlist_region(p, round_to_pages(size));
    ls_sys_munmap(p, size);
}

struct chunk {
    char *base;
    _Atomic size_t used;
};
#define HEAD 64   /* the chunk header sits at the start of its own mapping */
static struct chunk *_Atomic current;

static void *carve(struct chunk *c, size_t size)
{
    size_t old = atomic_load(&c->used);
    do {
        if (old + size > CHUNK - HEAD)
            return NULL;
    } while (!atomic_compare_exchange_weak(&c->used, &old, old + size));
    return c->base + old;
}

/* Install a fresh chunk unless another thread already did; the loser unmaps its own. */
static struct chunk *grow(struct chunk *seen)
{
    char *mem = ls_map(CHUNK);
    if (!mem)
        return NULL;
    struct chunk *c = (struct chunk *)mem;
    c->base = mem + HEAD;
    atomic_store(&c->used, 0);
    if (atomic_compare_exchange_strong(&current, &seen, c))
        return c;
    ls_unmap(mem, CHUNK);
    return seen;   /* the CAS loaded the winner's chunk */
}

void *ls_arena_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size > CHUNK / 2)
        return ls_map(size);
    for (;;) {
        struct chunk *c = atomic_load(&current);
        void *p = c ? carve(c, size) : NULL;
        if (p)
            return p;
        if (!grow(c))
            return NULL;   /* out of address space */
    }
}
