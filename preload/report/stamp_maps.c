/*
 * stamp_maps.c — the mapping lines of stamp and exit records (docs/report-format.md, "Mappings").
 *
 * stamp.c builds a record and calls in here with the stamp lock held: a stamp gets a `mapped` line
 * (the process's tracked mappings in total) and a `map` line for every mapping site whose live count
 * or bytes changed since the previous stamp; the exit record gets `mapped` and one `maplive` line per
 * site that still holds ranges, with the stamps the ranges were born after, as `live` lines do.
 * Resident bytes come from mincore(2) over the tracked ranges at each stamp, bounded to
 * RESIDENT_PAGES pages per stamp (sites past the budget say `-`); the cost is measured in `make bench`.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define RESIDENT_PAGES (1u << 20)   /* 4 GiB of tracked mappings examined per stamp at most */
#define VEC_PAGES 4096              /* pages per mincore call */

static const char *const kind_names[] = {"?", "mmap", "mmap-file", "mmap-shared"};

struct map_walk {
    struct ls_buf *rec, *body;
    int64_t maps, bytes, resident;  /* resident: -1 once a site's is unknown */
    int64_t *site_resident;         /* per site index, -1 unknown */
    uint32_t nsites;
    uint64_t budget;                /* pages left for mincore */
};

/* Sites are numbered densely from 1; the per-site resident array grows with them (tool memory). */
static int64_t *resident_of;
static size_t resident_cap;

static int64_t resident_bytes(uintptr_t lo, uintptr_t hi, uint64_t *budget)
{
    static unsigned char vec[VEC_PAGES];
    int64_t pages = 0;
    for (uintptr_t a = lo; a < hi;) {
        size_t n = (hi - a) / 4096 < VEC_PAGES ? (hi - a) / 4096 : VEC_PAGES;
        if (n > *budget || mincore((void *)a, n * 4096, vec) < 0)
            return -1;
        *budget -= n;
        for (size_t i = 0; i < n; i++)
            pages += vec[i] & 1;
        a += n * 4096;
    }
    return pages * 4096;
}

static void add_resident(const struct ls_map_piece *pc, const struct ls_map_site *s, void *arg)
{
    (void)s;
    struct map_walk *w = arg;
    if (!pc->msite || pc->msite > w->nsites || w->site_resident[pc->msite] < 0)
        return;
    int64_t r = resident_bytes(pc->lo, pc->hi, &w->budget);
    w->site_resident[pc->msite] = r < 0 ? -1 : w->site_resident[pc->msite] + r;
}

static void measure_resident(struct map_walk *w)
{
    w->nsites = ls_maps_count();
    if (w->nsites + 1 > resident_cap) {
        size_t cap = resident_cap ? resident_cap * 2 : 1024;
        while (cap < w->nsites + 1)
            cap *= 2;
        int64_t *fresh = ls_buf_grow_mem(resident_of, resident_cap * sizeof *fresh, cap * sizeof *fresh);
        if (!fresh)
            return;
        resident_of = fresh;
        resident_cap = cap;
    }
    memset(resident_of, 0, (w->nsites + 1) * sizeof *resident_of);
    w->site_resident = resident_of;
    w->budget = RESIDENT_PAGES;
    ls_maps_each_range(add_resident, w);
}

static void put_file(struct ls_buf *b, const struct ls_map_site *s)
{
    if (s->file)
        ls_buf_esc(b, s->file);
    else
        ls_buf_str(b, "-");
}

static void put_resident(struct ls_buf *b, int64_t r)
{
    if (r < 0)
        ls_buf_str(b, "-");
    else
        ls_buf_i64(b, r);
}

static void put_map_line(uint32_t i, struct ls_map_site *s, void *arg)
{
    struct map_walk *w = arg;
    int64_t res = w->site_resident && i <= w->nsites ? w->site_resident[i] : -1;
    w->maps += s->maps;
    w->bytes += s->bytes;
    if (s->maps && w->resident >= 0)
        w->resident = res < 0 ? -1 : w->resident + res;
    struct ls_stack_rec *st = ls_stacks_get(s->sid);
    if (!st || (s->maps == s->prev_maps && s->bytes == s->prev_bytes))
        return;
    struct ls_buf *b = w->body;
    ls_define_stack(w->rec, st);
    ls_buf_str(b, "map\t"), ls_buf_u64(b, s->sid), ls_buf_tab(b), ls_buf_str(b, kind_names[s->kind]), ls_buf_tab(b);
    ls_buf_i64(b, s->maps - s->prev_maps), ls_buf_tab(b), ls_buf_i64(b, s->bytes - s->prev_bytes), ls_buf_tab(b);
    ls_buf_i64(b, s->maps), ls_buf_tab(b), ls_buf_i64(b, s->bytes), ls_buf_tab(b);
    ls_buf_i64(b, s->total_maps), ls_buf_tab(b), ls_buf_i64(b, s->total_bytes), ls_buf_tab(b);
    put_resident(b, res), ls_buf_tab(b), put_file(b, s), ls_buf_nl(b);
    s->prev_maps = s->maps;
    s->prev_bytes = s->bytes;
}

static void put_mapped_line(struct ls_buf *b, const struct map_walk *w, int with_resident)
{
    ls_buf_str(b, "mapped\t"), ls_buf_i64(b, w->bytes), ls_buf_tab(b), ls_buf_i64(b, w->maps), ls_buf_tab(b);
    put_resident(b, with_resident ? w->resident : -1), ls_buf_nl(b);   /* -1 writes `-` */
}

void ls_put_map_lines(struct ls_buf *rec, struct ls_buf *body)
{
    struct map_walk w = {rec, body, 0, 0, 0, NULL, 0, 0};
    measure_resident(&w);
    ls_maps_each_site(put_map_line, &w);
    put_mapped_line(body, &w, 1);
}

static void forget_previous(uint32_t i, struct ls_map_site *s, void *arg)
{
    (void)i, (void)arg;
    s->prev_maps = s->prev_bytes = 0;
}

void ls_maps_forget_previous(void)
{
    ls_maps_each_site(forget_previous, NULL);
}

/* ---- exit record: births per site, as `live` lines have them ----
 * One pass over the ranges (under the table's lock) copies what each line needs, so the counts, the
 * births and the mapped total come from the same snapshot. */

struct born {
    uint32_t msite, seq;
    int64_t bytes;
    const struct ls_map_site *site;   /* sid, kind, file (fixed once made) */
    int64_t total_maps, total_bytes;  /* copied under the lock */
};
struct borns {
    struct born *v;
    size_t n, cap;
};

static void take_range(const struct ls_map_piece *pc, const struct ls_map_site *s, void *arg)
{
    struct borns *b = arg;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        struct born *v = ls_buf_grow_mem(b->v, b->cap * sizeof *v, cap * sizeof *v);
        if (!v)
            return;
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = (struct born){pc->msite, pc->birth, (int64_t)(pc->hi - pc->lo), s,
                                 s ? s->total_maps : 0, s ? s->total_bytes : 0};
}

static int by_site_then_seq(const void *a, const void *b)
{
    const struct born *x = a, *y = b;
    if (x->msite != y->msite)
        return x->msite < y->msite ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void put_births(struct ls_buf *b, const struct born *v, size_t i, size_t j)
{
    for (size_t k = i; k < j;) {
        size_t m = k;
        while (m < j && v[m].seq == v[k].seq)
            m++;
        if (k > i)
            ls_buf_put(b, ",", 1);
        ls_buf_u64(b, v[k].seq), ls_buf_put(b, ":", 1), ls_buf_u64(b, m - k);
        k = m;
    }
}

/* One `maplive` line for the ranges [i, j) of one site. */
static void put_maplive_line(struct ls_buf *rec, struct ls_buf *b, const struct born *v, size_t i, size_t j)
{
    const struct ls_map_site *s = v[i].site;
    struct ls_stack_rec *st = s ? ls_stacks_get(s->sid) : NULL;
    if (!st)
        return;
    int64_t bytes = 0;
    for (size_t k = i; k < j; k++)
        bytes += v[k].bytes;
    ls_define_stack(rec, st);
    ls_buf_str(b, "maplive\t"), ls_buf_u64(b, s->sid), ls_buf_tab(b), ls_buf_str(b, kind_names[s->kind]);
    ls_buf_tab(b), ls_buf_u64(b, j - i), ls_buf_tab(b), ls_buf_i64(b, bytes), ls_buf_tab(b);
    ls_buf_i64(b, v[i].total_maps), ls_buf_tab(b), ls_buf_i64(b, v[i].total_bytes), ls_buf_tab(b);
    put_births(b, v, i, j), ls_buf_tab(b), put_file(b, s), ls_buf_nl(b);
}

void ls_put_map_exit_lines(struct ls_buf *rec, struct ls_buf *body, int inside)
{
    struct borns borns = {0};
    struct map_walk w = {0};
    if (ls_maps_each_range_bounded(take_range, &borns, inside) < 0)
        return;   /* a mapping hook interrupted on this thread holds the table: no mapping lines */
    for (size_t i = 0; i < borns.n; i++)
        w.maps++, w.bytes += borns.v[i].bytes;
    put_mapped_line(body, &w, 0);
    if (borns.n)
        ls_sort(borns.v, borns.n, sizeof *borns.v, by_site_then_seq);
    for (size_t i = 0, j; i < borns.n; i = j) {
        for (j = i; j < borns.n && borns.v[j].msite == borns.v[i].msite; j++)
            ;
        put_maplive_line(rec, body, borns.v, i, j);
    }
    ls_unmap(borns.v, borns.cap * sizeof *borns.v);
}
