/*
 * mark.c — conservative marking with memcheck's categories, and each reached block's holder.
 *
 * Every aligned word of the roots and of reached blocks is looked up among the live blocks. A word
 * equal to a block's start makes it `reachable`; a word inside it only `possible` (Valgrind's rule:
 * a start pointer from a possible block still makes its target reachable). Then the unreached blocks
 * are split as memcheck does: in address order, each block still unreached leads a clique, and every
 * unreached block reachable from it (by any pointer) becomes `indirect`, also an earlier leader; the
 * leaders that stay are `definite`. So a lost tree has one definite root, a lost cycle one definite
 * block, and a block that points only at itself is definite.
 * The holder of a reached block is what the marking reached it from first: a root (global, stack,
 * TLS) or a block of another site; a block reached from a block of its own site inherits that block's
 * holder, so a linked list is named by what holds its head.
 * glibc keeps pointers to its free chunk headers (bins, the top chunk) in its own globals; a chunk
 * header sits inside the last bytes of the block before it, so that one interior address of each
 * block is not counted as a pointer into it.
 */
#include "scan/scan.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>

struct work {
    struct ls_block **v;
    size_t n, cap;
    int failed;
};

static void push(struct work *w, struct ls_block *k)
{
    if (ls_scan_room((void **)&w->v, &w->cap, w->n, sizeof *w->v, 1 << 14)) {
        w->failed = 1;
        return;
    }
    w->v[w->n++] = k;
}

/* The address of the chunk header glibc puts after block k (chunk = 16 + size rounded to 16, at least
 * 32 bytes, starting 16 bytes before the block). */
static uintptr_t next_chunk_header(const struct ls_block *k)
{
    uint64_t chunk = (k->size + 8 + 15) & ~(uint64_t)15;
    return k->ptr + (chunk < 32 ? 32 : chunk) - 16;
}

/* What a word was found in: a root, or a block. */
struct from {
    const struct ls_root *root;
    uint32_t root_index;
    const struct ls_block *block;
    uintptr_t at;
};

static void hold(struct ls_block *k, const struct from *f)
{
    if (f->block && f->block->site == k->site) {
        k->held = f->block->held, k->holder = f->block->holder, k->held_at = f->block->held_at;
        k->chain = 1;
    } else if (f->block) {
        k->held = LS_HELD_HEAP, k->holder = f->block->site, k->held_at = f->at;
    } else {
        k->held = f->root->kind, k->holder = f->root_index, k->held_at = f->at;
    }
}

static void reach(const struct ls_blocks *b, struct work *w, uintptr_t v, const struct from *f)
{
    struct ls_block *k = ls_blocks_find(b, v);
    if (!k || k == f->block)
        return;
    int start = v == k->ptr;
    if (!start && v == next_chunk_header(k))
        return;
    uint8_t state = start ? LS_REACHABLE : LS_POSSIBLE;
    if (k->state >= state)
        return;
    if (k->state == LS_UNREACHED) {
        hold(k, f);
        push(w, k);
    }
    k->state = state;
}

/* A word the snapshot cannot read (a block freed while the tool was busy and unmapped since, a
 * mapping that changed) ends the scan of that range instead of the child. */
static sigjmp_buf on_fault;
static void fault(int sig)
{
    (void)sig;
    siglongjmp(on_fault, 1);
}

static void scan_range(const struct ls_blocks *b, struct work *w, uintptr_t lo, uintptr_t hi, struct from *f,
                       void (*found)(const struct ls_blocks *, struct work *, uintptr_t, const struct from *))
{
    volatile uintptr_t at = (lo + 7) & ~(uintptr_t)7;
    if (sigsetjmp(on_fault, 0))
        return;
    for (; at + 8 <= hi; at += 8) {
        uintptr_t v = *(const uintptr_t *)at;
        if (v >= b->lo && v < b->hi) {
            f->at = at;
            found(b, w, v, f);
        }
    }
}

static void drain(const struct ls_blocks *b, struct work *w,
                  void (*found)(const struct ls_blocks *, struct work *, uintptr_t, const struct from *))
{
    while (w->n && !w->failed) {
        struct ls_block *k = w->v[--w->n];
        struct from f = {.block = k};
        scan_range(b, w, k->ptr, k->ptr + k->size, &f, found);
    }
}

/* Clique marking: everything unreached below the leader becomes indirect. */
static struct ls_block *leader;
static void absorb(const struct ls_blocks *b, struct work *w, uintptr_t v, const struct from *f)
{
    (void)f;
    struct ls_block *k = ls_blocks_find(b, v);
    if (!k || k == leader || k->state != LS_UNREACHED)
        return;
    k->state = LS_INDIRECT;
    push(w, k);
}

static void split_lost(struct ls_blocks *b, struct work *w)
{
    for (size_t i = 0; i < b->n && !w->failed; i++) {
        struct ls_block *k = &b->v[i];
        if (k->state != LS_UNREACHED)
            continue;
        leader = k;
        push(w, k);
        drain(b, w, absorb);
    }
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].state == LS_UNREACHED || b->v[i].state == LS_INDIRECT)
            b->v[i].held = LS_HELD_LOST, b->v[i].chain = 0;
}

int ls_mark(struct ls_blocks *b, const struct ls_roots *r)
{
    struct sigaction sa = {.sa_handler = fault, .sa_flags = SA_NODEFER}, old_segv, old_bus;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    sigset_t faults;
    sigemptyset(&faults);
    sigaddset(&faults, SIGSEGV), sigaddset(&faults, SIGBUS);
    sigprocmask(SIG_UNBLOCK, &faults, NULL);
    struct work w = {0};
    /* Globals, then TLS, then stacks: a block that several hold is named by the most lasting holder
     * (a stack scanned whole also holds stale copies of pointers below its stack pointer). */
    static const uint8_t order[] = {LS_HELD_GLOBAL, LS_HELD_TLS, LS_HELD_STACK};
    for (size_t o = 0; o < sizeof order; o++)
        for (size_t i = 0; i < r->n && !w.failed; i++) {
            struct from f = {.root = &r->v[i], .root_index = (uint32_t)i};
            if (r->v[i].kind == order[o])
                scan_range(b, &w, r->v[i].lo, r->v[i].hi, &f, reach);
        }
    drain(b, &w, reach);
    if (!w.failed)
        split_lost(b, &w);
    ls_scan_unmap(w.v, w.cap * sizeof *w.v);
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return w.failed ? -1 : 0;
}
