/*
 * scan_record.c — the scan record (docs/report-format.md "Scan record"): per site, the bytes and
 * blocks in each of memcheck's categories, and a short list of what holds its blocks.
 *
 * Holders are counted in an open-addressing table keyed by (site, kind, holder); a global holder
 * is named by the variable that contains the holding word, so all the words of one array count as one
 * holder, and `chain` says that some of the blocks were reached through blocks of their own site (a
 * list). Each site keeps its MAX_HELD largest holders. Definitions (module and stack lines) go before
 * the lines that use them, as in every record.
 */
#include "scan/scan.h"

#include <string.h>

#define MAX_HELD 16

struct reach_counts {
    int64_t allocs[4], bytes[4];   /* definite, indirect, possible, reachable */
};
struct held {
    uint32_t site, holder_site;
    uint8_t kind, chain, used;
    uintptr_t key;
    const char *name;   /* global: the variable, or NULL */
    const struct ls_root *root;
    int64_t allocs, bytes;
};
struct held_table {
    struct held *v;
    size_t cap, n;
};

static int category(uint8_t state)
{
    switch (state) {
    case LS_UNREACHED: return 0;
    case LS_INDIRECT: return 1;
    case LS_POSSIBLE: return 2;
    default: return 3;
    }
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33, x *= 0xff51afd7ed558ccdull, x ^= x >> 33;
    return x;
}

static struct held *slot(struct held_table *t, const struct held *k)
{
    size_t mask = t->cap - 1;
    for (size_t i = mix(k->key * 31 + k->site * 7 + k->kind) & mask;; i = (i + 1) & mask) {
        struct held *h = &t->v[i];
        if (!h->used || (h->site == k->site && h->kind == k->kind && h->key == k->key))
            return h;
    }
}

static int grow(struct held_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 4096;
    struct held *v = ls_scan_map(cap * sizeof *v);
    if (!v)
        return -1;
    struct held_table fresh = {v, cap, t->n};
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].used)
            *slot(&fresh, &t->v[i]) = t->v[i];
    ls_scan_unmap(t->v, t->cap * sizeof *t->v);
    *t = fresh;
    return 0;
}

/* The holder key of block k: who holds it, as one number per distinct holder. */
static void holder_of(const struct ls_block *k, const struct ls_roots *r, struct held *h)
{
    *h = (struct held){.site = k->site, .kind = k->held, .chain = k->chain};
    if (k->held == LS_HELD_HEAP) {
        h->key = h->holder_site = k->holder;
    } else if (k->held != LS_HELD_LOST) {
        h->root = &r->v[k->holder];
        h->key = h->root->thread;
        if (k->held == LS_HELD_GLOBAL) {
            uintptr_t start = 0;
            h->name = ls_elf_var(h->root->path, k->held_at - h->root->bias, &start);
            h->key = h->name ? start + h->root->bias : k->held_at;
        }
    }
}

static int count_holder(struct held_table *t, const struct held *k, const struct ls_block *b)
{
    if (2 * (t->n + 1) > t->cap && grow(t))
        return -1;
    struct held *h = slot(t, k);
    if (!h->used) {
        *h = *k;
        h->used = 1;
        t->n++;
    }
    h->chain |= k->chain;
    h->allocs++;
    h->bytes += (int64_t)b->size;
    return 0;
}

static int by_site_then_allocs(const void *a, const void *b)
{
    const struct held *x = a, *y = b;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    if (x->allocs != y->allocs)
        return x->allocs > y->allocs ? -1 : 1;
    return x->bytes > y->bytes ? -1 : x->bytes < y->bytes;
}

static const char *const kind_names[] = {"heap", "global", "stack", "tls", "lost"};

static void put_thread(struct ls_buf *b, uintptr_t thread)
{
    if (thread)
        ls_buf_str(b, "0x"), ls_buf_hex(b, thread);
    else
        ls_buf_str(b, "main");
}

static void put_held(struct ls_buf *defs, struct ls_buf *b, const struct held *h)
{
    ls_buf_str(b, "held\t"), ls_buf_u64(b, h->site), ls_buf_tab(b), ls_buf_str(b, kind_names[h->kind]);
    ls_buf_tab(b);
    struct ls_stack_rec *s;
    switch (h->kind) {
    case LS_HELD_HEAP:
        if ((s = ls_stacks_get(h->holder_site)))
            ls_define_stack(defs, s);
        ls_buf_u64(b, h->holder_site), ls_buf_str(b, "\t-");
        break;
    case LS_HELD_GLOBAL:
        if (h->name)
            ls_buf_esc(b, h->name);
        else
            ls_buf_str(b, "0x"), ls_buf_hex(b, h->key - h->root->bias);
        ls_buf_tab(b), ls_buf_esc(b, h->root->path);
        break;
    case LS_HELD_STACK:
    case LS_HELD_TLS:
        put_thread(b, h->root->thread), ls_buf_str(b, "\t-");
        break;
    default:
        ls_buf_str(b, "-\t-");
    }
    ls_buf_tab(b), ls_buf_u64(b, h->chain), ls_buf_tab(b), ls_buf_i64(b, h->allocs), ls_buf_tab(b);
    ls_buf_i64(b, h->bytes), ls_buf_nl(b);
}

static void put_reach(struct ls_buf *b, uint32_t site, const struct reach_counts *c)
{
    ls_buf_str(b, "reach\t"), ls_buf_u64(b, site);
    for (int k = 0; k < 4; k++)
        ls_buf_tab(b), ls_buf_i64(b, c->allocs[k]), ls_buf_tab(b), ls_buf_i64(b, c->bytes[k]);
    ls_buf_nl(b);
}

static void put_head(struct ls_buf *b, const struct ls_scan_info *info, const struct ls_blocks *bl,
                     const struct ls_roots *r)
{
    ls_buf_str(b, "scan\t"), ls_buf_str(b, info->label), ls_buf_tab(b), ls_buf_u64(b, info->seq), ls_buf_tab(b);
    ls_buf_u64(b, info->event), ls_buf_tab(b), ls_buf_u64(b, info->started_us), ls_buf_tab(b);
    ls_buf_u64(b, bl->n), ls_buf_tab(b), ls_buf_u64(b, r->bytes), ls_buf_tab(b);
    ls_buf_u64(b, info->fork_us), ls_buf_tab(b), ls_buf_u64(b, ls_now_us() - info->started_us), ls_buf_tab(b);
    ls_buf_u64(b, ls_scan_peak), ls_buf_nl(b);
}

void ls_scan_write(const struct ls_scan_info *info, const struct ls_blocks *bl, const struct ls_roots *r)
{
    uint32_t nsites = ls_stacks_count();
    struct reach_counts *per = ls_scan_map((nsites + 1) * sizeof *per);
    struct held_table t = {0};
    if (!per)
        return;
    for (size_t i = 0; i < bl->n; i++) {
        const struct ls_block *k = &bl->v[i];
        if (!k->site || k->site > nsites)
            continue;
        int c = category(k->state);
        per[k->site].allocs[c]++, per[k->site].bytes[c] += (int64_t)k->size;
        struct held h;
        holder_of(k, r, &h);
        if (count_holder(&t, &h, k))
            break;
    }
    size_t n = 0;   /* the table's entries, packed at its front */
    for (size_t i = 0; i < t.cap; i++)
        if (t.v[i].used)
            t.v[n++] = t.v[i];
    ls_sort(t.v, n, sizeof *t.v, by_site_then_allocs);
    struct ls_buf defs = {0}, body = {0}, head = {0};
    for (size_t i = 0, shown = 0; i < n; i++) {
        uint32_t site = t.v[i].site;
        if (i == 0 || t.v[i - 1].site != site) {
            struct ls_stack_rec *s = ls_stacks_get(site);
            if (s)
                ls_define_stack(&defs, s);
            put_reach(&body, site, &per[site]);
            shown = 0;
        }
        if (shown++ < MAX_HELD)
            put_held(&defs, &body, &t.v[i]);
    }
    put_head(&head, info, bl, r);
    ls_buf_put(&defs, head.data, head.len);
    ls_buf_put(&defs, body.data, body.len);
    ls_buf_str(&defs, "end\tscan\n");
    if (!defs.failed && !body.failed)
        ls_outfile_write(defs.data, defs.len);
}
