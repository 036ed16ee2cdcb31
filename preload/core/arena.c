/*
 * arena.c — the tool's own memory. Everything the tool keeps (stack records, the live-pointer table,
 * record buffers) comes from mmap, never from the allocator it measures, so the tool neither recurses
 * into its hooks nor shows up in the job's numbers; the raw system call, so the tool's own mappings
 * never reach its mmap hook (hooks_mmap.c) either. Small permanent objects come from a lock-free bump
 * arena carved from 4 MiB chunks; large tables map their own pages. No lock anywhere, so fork() can
 * never inherit one held.
 */
#include "core/core.h"

#include <sys/mman.h>

#define CHUNK (4u << 20)

void *ls_map(size_t size)
{
    void *p = ls_sys_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void ls_unmap(void *p, size_t size)
{
    if (p)
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
