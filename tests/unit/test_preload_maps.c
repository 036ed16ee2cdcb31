/*
 * test_preload_maps.c — unit tests of the mapping table (preload/core/maptable.c) outside any job: the
 * cases the hooks rely on (split by a partial munmap, replacement by MAP_FIXED, mremap's take and move,
 * put back after a failed call), then random operations against a page-by-page reference model, and
 * concurrent add/remove from 8 threads. The addresses are never touched: the table only stores them.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define P 4096u
#define BASE ((uintptr_t)1 << 40)

static void setup(void)
{
    static int done;
    if (!done) {
        cr_assert_eq(ls_maps_init(), 0);
        done = 1;
    }
}

TestSuite(maptable, .init = setup);

struct find {
    uint32_t sid;
    int kind;
    struct ls_map_site *s;
};

static void find_site(uint32_t i, struct ls_map_site *s, void *arg)
{
    (void)i;
    struct find *f = arg;
    if (s->sid == f->sid && s->kind == f->kind)
        f->s = s;
}

static struct ls_map_site *site(uint32_t sid, int kind)
{
    struct find f = {sid, kind, NULL};
    ls_maps_each_site(find_site, &f);
    return f.s;
}

static void expect_site(uint32_t sid, int kind, int64_t maps, int64_t bytes)
{
    struct ls_map_site *s = site(sid, kind);
    cr_assert(s, "site %u kind %d exists", sid, kind);
    cr_expect_eq(s->maps, maps, "site %u: %lld ranges, expected %lld", sid, (long long)s->maps, (long long)maps);
    cr_expect_eq(s->bytes, bytes, "site %u: %lld bytes, expected %lld", sid, (long long)s->bytes, (long long)bytes);
}

Test(maptable, partial_munmap_trims_and_splits)
{
    uintptr_t a = BASE + 0x100000;
    ls_maps_add(a, 5 * P, 11, LS_MAP_ANON, NULL, 0);
    expect_site(11, LS_MAP_ANON, 1, 5 * P);
    ls_maps_remove(a, P);                 /* the first page */
    expect_site(11, LS_MAP_ANON, 1, 4 * P);
    ls_maps_remove(a + 2 * P, P);         /* a hole in the middle: two ranges */
    expect_site(11, LS_MAP_ANON, 2, 3 * P);
    cr_expect_eq(ls_maps_length_at(a + P), P);
    cr_expect_eq(ls_maps_length_at(a + 3 * P), 2 * P);
    ls_maps_remove(a, 5 * P);             /* all of it, across both ranges and the gaps */
    expect_site(11, LS_MAP_ANON, 0, 0);
    cr_expect_eq(site(11, LS_MAP_ANON)->total_maps, 1);
    cr_expect_eq(site(11, LS_MAP_ANON)->total_bytes, 5 * P);
}

Test(maptable, fixed_mapping_replaces_and_kinds_are_sites)
{
    uintptr_t a = BASE + 0x200000;
    ls_maps_add(a, 16 * P, 21, LS_MAP_ANON, NULL, 0);
    ls_maps_add(a + 4 * P, 4 * P, 22, LS_MAP_FILE, "/data/x", 0);   /* MAP_FIXED into the middle */
    expect_site(21, LS_MAP_ANON, 2, 12 * P);
    expect_site(22, LS_MAP_FILE, 1, 4 * P);
    cr_expect_str_eq(site(22, LS_MAP_FILE)->file, "/data/x");
    ls_maps_add(a, 3000, 21, LS_MAP_SHARED, NULL, 0);   /* same stack, another kind: another site; page-rounded */
    expect_site(21, LS_MAP_SHARED, 1, P);
    expect_site(21, LS_MAP_ANON, 2, 11 * P);
    ls_maps_remove(a, 16 * P);
    expect_site(21, LS_MAP_ANON, 0, 0);
    expect_site(22, LS_MAP_FILE, 0, 0);
    expect_site(21, LS_MAP_SHARED, 0, 0);
}

Test(maptable, mremap_take_move_and_put_back)
{
    uintptr_t a = BASE + 0x300000, b = BASE + 0x400000;
    struct ls_map_piece pc[LS_MAP_PIECES];
    ls_maps_add(a, 2 * P, 31, LS_MAP_ANON, NULL, 0);
    cr_assert_eq(ls_maps_take(a, 2 * P, pc), 1);
    expect_site(31, LS_MAP_ANON, 0, 0);
    ls_maps_put_back(pc, 1);                     /* the mremap failed */
    expect_site(31, LS_MAP_ANON, 1, 2 * P);
    cr_assert_eq(ls_maps_take(a, 2 * P, pc), 1);
    ls_maps_move(&pc[0], a, 6 * P);              /* grown in place */
    expect_site(31, LS_MAP_ANON, 1, 6 * P);
    cr_assert_eq(ls_maps_take(a, 6 * P, pc), 1);
    ls_maps_move(&pc[0], b, 8 * P);              /* moved and grown */
    expect_site(31, LS_MAP_ANON, 1, 8 * P);
    cr_expect_eq(ls_maps_length_at(a), 0);
    cr_expect_eq(ls_maps_length_at(b), 8 * P);
    cr_expect_eq(site(31, LS_MAP_ANON)->total_maps, 1);
    cr_expect_eq(site(31, LS_MAP_ANON)->total_bytes, 8 * P);
    ls_maps_remove(b, 8 * P);
    expect_site(31, LS_MAP_ANON, 0, 0);
}

/* ---- random operations against a model: one range id per page of a 256-page window ---- */

#define WIN 256
static uint32_t model[WIN];      /* range id, 0 = unmapped */
static uint32_t site_of_id[1 << 16];
static uint32_t next_id = 1;

static void model_set(size_t p0, size_t n, uint32_t id)
{
    for (size_t i = p0; i < p0 + n && i < WIN; i++)
        model[i] = id;
}

static void model_check(uint32_t first_sid, uint32_t nsid)
{
    for (uint32_t sid = first_sid; sid < first_sid + nsid; sid++) {
        int64_t pages = 0, runs = 0;
        for (size_t i = 0; i < WIN; i++) {
            if (!model[i] || site_of_id[model[i]] != sid)
                continue;
            pages++;
            runs += i == 0 || model[i - 1] != model[i];
        }
        struct ls_map_site *s = site(sid, LS_MAP_ANON);
        int64_t maps = s ? s->maps : 0, bytes = s ? s->bytes : 0;
        cr_assert_eq(bytes, pages * P, "site %u: %lld bytes, model %lld", sid, (long long)bytes, (long long)(pages * P));
        cr_assert_eq(maps, runs, "site %u: %lld ranges, model %lld", sid, (long long)maps, (long long)runs);
    }
}

Test(maptable, random_operations_match_the_model)
{
    uintptr_t w = BASE + 0x10000000;
    uint32_t sid0 = 100;
    srand(12345);
    for (int op = 0; op < 20000; op++) {
        size_t p0 = (size_t)rand() % WIN, n = 1 + (size_t)rand() % 24;
        if (p0 + n > WIN)
            n = WIN - p0;
        uint32_t sid = sid0 + (uint32_t)(rand() % 5);
        int what = rand() % 4;
        if (what == 0 || what == 1) {           /* mmap, maybe MAP_FIXED over others */
            ls_maps_add(w + p0 * P, n * P, sid, LS_MAP_ANON, NULL, 0);
            site_of_id[next_id] = sid;
            model_set(p0, n, next_id++);
        } else if (what == 2) {                  /* munmap */
            ls_maps_remove(w + p0 * P, n * P);
            model_set(p0, n, 0);
        } else if (model[p0]) {                  /* mremap of the range at p0 to a free spot, or back */
            size_t len = 0;
            while (p0 + len < WIN && model[p0 + len] == model[p0])
                len++;
            uint32_t owner = site_of_id[model[p0]];
            struct ls_map_piece pc[LS_MAP_PIECES];
            cr_assert_eq(ls_maps_take(w + p0 * P, len * P, pc), 1);
            model_set(p0, len, 0);
            size_t to = (size_t)rand() % WIN, newlen = 1 + (size_t)rand() % 16;
            if (to + newlen > WIN)
                newlen = WIN - to;
            ls_maps_move(&pc[0], w + to * P, newlen * P);
            site_of_id[next_id] = owner;
            model_set(to, newlen, next_id++);
        }
        if (op % 97 == 0)
            model_check(sid0, 5);
    }
    model_check(sid0, 5);
    ls_maps_remove(w, WIN * P);
}

/* ---- 8 threads map and unmap their own ranges at once; each keeps one per round ---- */

static void *thread_body(void *arg)
{
    uintptr_t base = BASE + 0x40000000 + (uintptr_t)arg * 0x1000000;
    for (int i = 0; i < 2000; i++) {
        uintptr_t a = base + (uintptr_t)(i % 64) * 4 * P;
        ls_maps_add(a, 2 * P, 200, LS_MAP_ANON, NULL, 0);
        ls_maps_remove(a + P, P);
        ls_maps_remove(a, P);
    }
    ls_maps_add(base + 0x800000, 3 * P, 201, LS_MAP_ANON, NULL, 0);
    return NULL;
}

Test(maptable, eight_threads_balance_exactly)
{
    pthread_t t[8];
    for (uintptr_t i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, thread_body, (void *)i);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    expect_site(200, LS_MAP_ANON, 0, 0);
    expect_site(201, LS_MAP_ANON, 8, 8 * 3 * P);
    cr_expect_eq(site(200, LS_MAP_ANON)->total_maps, 8 * 2000);
}
