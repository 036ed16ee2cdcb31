/*
 * stacks.c — the stack table: each distinct call stack gets a small integer id (a "site") and carries
 * that site's counters.
 *
 * Lookup and insertion are lock-free: an open-addressing table of site pointers, probed linearly and
 * filled with compare-and-swap. A thread that loses the race for an empty slot compares against the
 * winner's record and moves on (its own record is a few wasted bytes of arena). Ids come from an atomic
 * counter after the slot is won, so ids are dense; a reader that finds a record whose id is not yet
 * published waits for it (a few instructions). A fork can cut that short: the child inherits a slot won
 * by a thread it does not have, so a record made in an earlier process generation (bumped in every fork
 * child) that still has no id is published by the first child thread that meets it. Nothing is ever removed: a site lives as long as the
 * process, which is what the per-event series need. Both arrays are mapped once at their full size;
 * only the pages touched cost memory.
 */
#include "core/core.h"

#include <string.h>

#define SLOT_BITS 21                      /* 2 Mi slots (16 MiB): the table is at most half full */
#define NSLOTS (1u << SLOT_BITS)
#define MAX_SITES LS_MAX_SITES            /* NSLOTS / 2 */
#define OVERFLOW UINT32_MAX                /* id of a record that won a slot past MAX_SITES */
#define ADOPTING (UINT32_MAX - 1)          /* a fork child is publishing a record the fork cut short */

static struct ls_stack_rec *_Atomic *slots;
static struct ls_stack_rec *_Atomic *by_id;   /* by_id[id], id >= 1 */
static _Atomic uint32_t next_id;         /* highest id handed out */
static _Atomic uint32_t fork_gen;        /* +1 in every fork child */

int ls_stacks_init(void)
{
    slots = ls_map(NSLOTS * sizeof *slots);
    by_id = ls_map((MAX_SITES + 1) * sizeof *by_id);
    return slots && by_id ? 0 : -1;
}

static uint32_t hash_frames(const uintptr_t *f, int n, int truncated)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)(n * 2 + truncated);
    for (int i = 0; i < n; i++) {
        h ^= f[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
    }
    return (uint32_t)h;
}

static int same(const struct ls_stack_rec *s, uint32_t h, const uintptr_t *f, int n, int truncated)
{
    return s->hash == h && s->nframes == n && s->truncated == truncated &&
           memcmp(s->frames, f, (size_t)n * sizeof *f) == 0;
}

/* Give a record that won its slot an id and publish it. */
static uint32_t publish(struct ls_stack_rec *s)
{
    uint32_t id = atomic_fetch_add(&next_id, 1) + 1;
    if (id > MAX_SITES) {
        atomic_store_explicit(&s->id, OVERFLOW, memory_order_release);
        return 0;
    }
    atomic_store_explicit(&by_id[id], s, memory_order_release);
    atomic_store_explicit(&s->id, id, memory_order_release);
    return id;
}

static uint32_t published_id(struct ls_stack_rec *s)
{
    uint32_t id;
    while ((id = atomic_load_explicit(&s->id, memory_order_acquire)) == 0 || id == ADOPTING) {
        uint32_t zero = 0;
        if (id == 0 && s->fork_gen != atomic_load_explicit(&fork_gen, memory_order_relaxed) &&
            atomic_compare_exchange_strong(&s->id, &zero, ADOPTING))
            return publish(s);
        __builtin_ia32_pause();
    }
    return id == OVERFLOW ? 0 : id;
}

void ls_stacks_after_fork_child(void)
{
    atomic_fetch_add(&fork_gen, 1);
}

static struct ls_stack_rec *make(uint32_t h, const uintptr_t *f, int n, int truncated)
{
    struct ls_stack_rec *s = ls_arena_alloc(sizeof *s + (size_t)n * sizeof *f);
    if (!s)
        return NULL;
    s->hash = h;
    s->nframes = (uint16_t)n;
    s->truncated = (uint8_t)truncated;
    s->fork_gen = atomic_load_explicit(&fork_gen, memory_order_relaxed);
    memcpy(s->frames, f, (size_t)n * sizeof *f);
    return s;
}

/* Returns the site id, or 0 when the table is full or out of memory (counted as the unknown site). */
uint32_t ls_stacks_intern(const uintptr_t *f, int n, int truncated)
{
    uint32_t h = hash_frames(f, n, truncated);
    struct ls_stack_rec *claimed = NULL;
    for (uint32_t i = 0; i < NSLOTS; i++) {
        struct ls_stack_rec *_Atomic *slot = &slots[(h + i) & (NSLOTS - 1)];
        struct ls_stack_rec *s = atomic_load_explicit(slot, memory_order_acquire);
        if (!s) {
            if (!claimed && !(claimed = make(h, f, n, truncated)))
                return 0;
            if (atomic_compare_exchange_strong(slot, &s, claimed))
                return publish(claimed);
            /* lost the race: s is the winner, compare with it below */
        }
        if (same(s, h, f, n, truncated))
            return published_id(s);
    }
    return 0;
}

struct ls_stack_rec *ls_stacks_get(uint32_t id)
{
    if (id == 0 || id > MAX_SITES)
        return NULL;
    return atomic_load_explicit(&by_id[id], memory_order_acquire);
}

uint32_t ls_stacks_count(void)
{
    uint32_t n = atomic_load(&next_id);
    return n > MAX_SITES ? MAX_SITES : n;
}
