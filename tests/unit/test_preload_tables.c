/*
 * test_preload_tables.c — unit tests of the preload's data structures, outside any preloaded job:
 * the live-pointer table (against a reference model, and under 8 threads), the stack table (dedup and
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
