/*
 * test_preload_tables.c — unit tests of the preload's data structures, outside any preloaded job:
 * the live-pointer table (against a reference model, both of its tables, stale entries across them,
 * and under 8 threads with interleaved cross-thread frees), the stack table (dedup and
 * concurrent interning), the tool arena, and the record buffer with the report's escaping.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"   /* core/ tables and report/ buffers */

static void setup(void)
{
    static int done;
    if (!done) {
        cr_assert_eq(ls_livemap_init(), 0);
        cr_assert_eq(ls_stacks_init(), 0);
        done = 1;
    }
}

TestSuite(livemap, .init = setup);
TestSuite(stacks, .init = setup);

Test(livemap, put_take_and_replace)
{
    struct ls_live old, got;
    ls_livemap_put(0x1000, 48, 7, 3, &old);
    cr_expect_eq(old.ptr, 0);
    ls_livemap_put(0x1000, 64, 8, 4, &old);   /* same address again: the old entry is handed back */
    cr_expect_eq(old.ptr, 0x1000);
    cr_expect_eq(old.size, 48);
    cr_expect_eq(old.site, 7);
    cr_assert(ls_livemap_take(0x1000, &got));
    cr_expect_eq(got.size, 64);
    cr_expect_eq(got.site, 8);
    cr_expect_eq(got.birth, 4);
    cr_expect_not(ls_livemap_take(0x1000, &got), "a pointer is taken once");
    cr_expect_not(ls_livemap_take(0xdead0, &got), "unknown pointers are not found");
}

/* Random inserts and removes against a plain array model: exercises growth and backward-shift
 * deletion across probe runs. */
Test(livemap, matches_reference_model)
{
    enum { N = 200000 };
    uintptr_t *ptrs = calloc(N, sizeof *ptrs);
    char *live = calloc(N, 1);
    unsigned seed = 12345;
    for (int step = 0; step < 600000; step++) {
        seed = seed * 1103515245u + 12345u;
        int i = (int)((seed >> 8) % N);
        uintptr_t p = 0x200000000ull + (uintptr_t)i * 16;
        struct ls_live e;
        if (live[i]) {
            cr_assert(ls_livemap_take(p, &e), "step %d: live pointer missing", step);
            cr_assert_eq(e.size, (uint64_t)i, "step %d: wrong size", step);
            live[i] = 0;
        } else {
            ls_livemap_put(p, (uint64_t)i, 1, 0, &e);
            cr_assert_eq(e.ptr, 0);
            live[i] = 1;
        }
    }
    for (int i = 0; i < N; i++) {
        struct ls_live e;
        int found = ls_livemap_take(0x200000000ull + (uintptr_t)i * 16, &e);
        cr_assert_eq(found, live[i], "pointer %d: found %d, live %d", i, found, live[i]);
    }
    free(ptrs);
    free(live);
}

struct worker_arg {
    int t;
    long count;
};

static void *livemap_worker(void *p)
{
    struct worker_arg *a = p;
    /* thread t inserts its own range, then removes the range of thread t-1 (cross-thread frees) */
    for (long i = 0; i < 50000; i++) {
        struct ls_live e;
        ls_livemap_put(0x700000000000ull + ((uintptr_t)a->t << 32) + (uintptr_t)i * 32, 32, 2, 0, &e);
    }
    return NULL;
}

static void *livemap_taker(void *p)
{
    struct worker_arg *a = p;
    int victim = (a->t + 7) % 8;
    for (long i = 0; i < 50000; i++) {
        struct ls_live e;
        a->count += ls_livemap_take(0x700000000000ull + ((uintptr_t)victim << 32) + (uintptr_t)i * 32, &e);
    }
    return NULL;
}

Test(livemap, eight_threads_cross_thread_removal)
{
    pthread_t th[8];
    struct worker_arg args[8];
    for (int t = 0; t < 8; t++) {
        args[t] = (struct worker_arg){t, 0};
        pthread_create(&th[t], NULL, livemap_worker, &args[t]);
    }
    for (int t = 0; t < 8; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < 8; t++)
        pthread_create(&th[t], NULL, livemap_taker, &args[t]);
    long total = 0;
    for (int t = 0; t < 8; t++) {
        pthread_join(th[t], NULL);
        total += args[t].count;
    }
    cr_expect_eq(total, 8 * 50000L, "every inserted pointer is removed exactly once");
}

/* The page map keeps small 16-aligned blocks; large, unaligned and far pointers go to the side
 * table. ls_livemap_each must see all of them, once. */
struct each_sum {
    uintptr_t lo, hi;
    long n;
    uint64_t bytes;
};

static void sum_entry(const struct ls_live *e, void *arg)
{
    struct each_sum *s = arg;
    if (e->ptr >= s->lo && e->ptr < s->hi) {
        s->n++;
        s->bytes += e->size & ~LS_SIZE_SAMPLED;
    }
}

Test(livemap, each_sees_both_tables)
{
    uintptr_t base = 0x310000000ull;
    struct ls_live old;
    uint64_t want = 0;
    for (int i = 0; i < 3000; i++) {
        uint64_t size = i % 3 == 0 ? 100000 + (uint64_t)i : (uint64_t)(i % 500) + 1;   /* a third large */
        uintptr_t p = base + (uintptr_t)i * 48 + (i % 7 == 0 ? 8 : 0);               /* some unaligned */
        ls_livemap_put(p, size | (i % 5 == 0 ? LS_SIZE_SAMPLED : 0), 3, (uint32_t)i, &old);
        cr_assert_eq(old.ptr, 0);
        want += size;
    }
    ls_livemap_put(0xffff800000001000ull, 40, 3, 0, &old);   /* above 2^47: side table */
    struct each_sum s = {base, base + 3000 * 48, 0, 0};
    ls_livemap_each(sum_entry, &s);
    cr_expect_eq(s.n, 3000);
    cr_expect_eq(s.bytes, want);
    for (int i = 0; i < 3000; i++) {
        struct ls_live e;
        uintptr_t p = base + (uintptr_t)i * 48 + (i % 7 == 0 ? 8 : 0);
        cr_assert(ls_livemap_take(p, &e), "block %d missing", i);
        cr_expect_eq(e.birth, (uint32_t)i);
        cr_expect_eq(!!(e.size & LS_SIZE_SAMPLED), i % 5 == 0, "block %d: sampled flag", i);
    }
    struct ls_live e;
    cr_expect(ls_livemap_take(0xffff800000001000ull, &e));
    cr_expect_eq(e.size, 40);
}

/* An address first used by a small block, then a large one (and back): whichever entry is stale is
 * reported replaced, also when the stale one sits in the other table. */
Test(livemap, stale_entry_found_across_tables)
{
    uintptr_t p = 0x320000000ull;
    struct ls_live old, e;
    ls_livemap_put(p, 32, 5, 1, &old);          /* small, then "freed" unseen */
    ls_livemap_put(p, 5000, 6, 2, &old);        /* large at the same address */
    cr_expect_eq(old.ptr, p);
    cr_expect_eq(old.size, 32);
    cr_expect_eq(old.site, 5);
    ls_livemap_note_skipped(p);                 /* freed while the tool ran on the thread */
    ls_livemap_put(p, 64, 7, 3, &old);          /* small again: the large one is reported */
    cr_expect_eq(old.ptr, p);
    cr_expect_eq(old.size, 5000);
    cr_expect_eq(old.site, 6);
    cr_assert(ls_livemap_take(p, &e));
    cr_expect_eq(e.size, 64);
    cr_expect_not(ls_livemap_take(p, &e));
}

/* 8 threads put interleaved addresses (neighbours share leaves and cache lines; each round a fresh
 * 2 MiB range, so leaves are created concurrently), then each takes its neighbour's: every block is
 * found once, with its maker's site and size. */
#define XT 8
#define XN 20000
static pthread_barrier_t xbar;
static long xfound[XT], xwrong[XT];

static void *cross_worker(void *arg)
{
    int t = (int)(long)arg, victim = (t + 1) % XT;
    for (int round = 0; round < 4; round++) {
        uintptr_t base = 0x400000000ull + ((uintptr_t)round << 24);
        for (int i = 0; i < XN; i++) {
            struct ls_live old;
            uint64_t size = i % 50 == 0 ? 4096 : (uint64_t)(16 + t);
            ls_livemap_put(base + ((uintptr_t)i * XT + (uintptr_t)t) * 16, size, (uint32_t)(t + 1), 0, &old);
        }
        pthread_barrier_wait(&xbar);
        for (int i = 0; i < XN; i++) {
            struct ls_live e;
            if (!ls_livemap_take(base + ((uintptr_t)i * XT + (uintptr_t)victim) * 16, &e))
                continue;
            xfound[t]++;
            uint64_t size = i % 50 == 0 ? 4096 : (uint64_t)(16 + victim);
            if (e.site != (uint32_t)(victim + 1) || e.size != size)
                xwrong[t]++;
        }
        pthread_barrier_wait(&xbar);
    }
    return NULL;
}

Test(livemap, eight_threads_interleaved_cross_thread_frees)
{
    pthread_t th[XT];
    pthread_barrier_init(&xbar, NULL, XT);
    for (long t = 0; t < XT; t++)
        pthread_create(&th[t], NULL, cross_worker, (void *)t);
    long found = 0, wrong = 0;
    for (int t = 0; t < XT; t++) {
        pthread_join(th[t], NULL);
        found += xfound[t];
        wrong += xwrong[t];
    }
    cr_expect_eq(found, 4L * XT * XN, "every block is taken exactly once");
    cr_expect_eq(wrong, 0, "a block came back with another block's site or size");
}

Test(stacks, dedup_and_distinct)
{
    uintptr_t a[] = {0x401000, 0x402000, 0x403000};
    uintptr_t b[] = {0x401000, 0x402000, 0x403001};
    uint32_t ia = ls_stacks_intern(a, 3, 0);
    uint32_t ib = ls_stacks_intern(b, 3, 0);
    cr_assert_neq(ia, 0);
    cr_expect_neq(ia, ib);
    cr_expect_eq(ls_stacks_intern(a, 3, 0), ia, "same stack, same id");
    cr_expect_neq(ls_stacks_intern(a, 3, 1), ia, "a truncated stack is another site");
    cr_expect_neq(ls_stacks_intern(a, 2, 0), ia, "a prefix is another site");
    struct ls_stack_rec *s = ls_stacks_get(ia);
    cr_assert_not_null(s);
    cr_expect_eq(s->nframes, 3);
    cr_expect_eq(s->frames[2], 0x403000);
}

static uint32_t seen[8][1000];

static void *stack_worker(void *p)
{
    int t = *(int *)p;
    for (int i = 0; i < 1000; i++) {
        uintptr_t f[4] = {0x500000 + (uintptr_t)i, 0x600000, 0x700000, (uintptr_t)i * 7};
        seen[t][i] = ls_stacks_intern(f, 4, 0);
    }
    return NULL;
}

Test(stacks, concurrent_interning_agrees)
{
    pthread_t th[8];
    int ids[8];
    uint32_t before = ls_stacks_count();
    for (int t = 0; t < 8; t++) {
        ids[t] = t;
        pthread_create(&th[t], NULL, stack_worker, &ids[t]);
    }
    for (int t = 0; t < 8; t++)
        pthread_join(th[t], NULL);
    for (int i = 0; i < 1000; i++)
        for (int t = 1; t < 8; t++)
            cr_assert_eq(seen[t][i], seen[0][i], "threads disagree on stack %d", i);
    cr_expect_eq(ls_stacks_count() - before, 1000, "ids are dense: one per distinct stack");
}

Test(arena, aligned_zeroed_and_large)
{
    char *p = ls_arena_alloc(24);
    char *q = ls_arena_alloc(5 << 20);   /* larger than half a chunk: its own mapping */
    cr_assert_not_null(p);
    cr_assert_not_null(q);
    cr_expect_eq((uintptr_t)p % 16, 0);
    for (int i = 0; i < 24; i++)
        cr_expect_eq(p[i], 0);
    q[(5 << 20) - 1] = 1;
}

Test(buf, numbers_and_escaping)
{
    struct ls_buf b = {0};
    ls_buf_i64(&b, -1234567890123LL);
    ls_buf_tab(&b);
    ls_buf_u64(&b, 0);
    ls_buf_tab(&b);
    ls_buf_hex(&b, 0xdeadbeefULL);
    ls_buf_tab(&b);
    ls_buf_esc(&b, "a\tb\nc\\d\re");
    ls_buf_nl(&b);
    ls_buf_put(&b, "", 1);
    cr_expect_str_eq(b.data, "-1234567890123\t0\tdeadbeef\ta\\tb\\nc\\\\d\\re\n");
    ls_buf_free(&b);
}

Test(buf, grows_past_first_capacity)
{
    struct ls_buf b = {0};
    for (int i = 0; i < 100000; i++)
        ls_buf_str(&b, "0123456789");
    cr_expect_eq(b.len, 1000000);
    cr_expect_not(b.failed);
    cr_expect_eq(memcmp(b.data + 999990, "0123456789", 10), 0);
    ls_buf_free(&b);
}
