/*
 * scan_lines.c — parse and apply the scan record (docs/report-format.md "Scan record"):
 *
 *   scan   <exit|event> <seq> <event> <time µs> <blocks> <root bytes> <fork µs> <scan µs> <mapped bytes>
 *   reach  <sid> <definite allocs> <bytes> <indirect allocs> <bytes> <possible ...> <reachable ...>
 *   held   <sid> <heap|global|stack|tls|lost> <holder> <where> <chain 0|1> <allocs> <bytes>
 *
 * A `held` line of a kind this reader does not know is skipped (a later writer may name new holders).
 * Each stack keeps the lines of the last exit scan and of the scan at the latest event.
 */
#include "read/scan_lines.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char *const kinds[] = { "heap", "global", "stack", "tls", "lost" };

const char *scan_parse_head(ls_scan_pending *p, const ls_field *f, size_t n)
{
    ls_scan *h = &p->head;
    if (n < 10)
        return "bad scan line: expected 10 fields";
    if (p->has_scan)
        return "second scan line in one record";
    if (!field_is(f[1], "exit") && !field_is(f[1], "event"))
        return "bad scan line: the label is neither `exit` nor `event`";
    uint64_t *dst[] = { &h->seq, &h->event, &h->time_us, &h->blocks, &h->root_bytes, &h->fork_us, &h->scan_us,
                        &h->mapped_bytes };
    for (size_t i = 0; i < 8; i++)
        if (field_u64(f[2 + i], dst[i]) < 0)
            return "bad scan line: a number field is not a decimal integer";
    h->at_exit = field_is(f[1], "exit");
    p->has_scan = 1;
    return NULL;
}

static int parse_kind(ls_field f)
{
    for (int k = 0; k < (int)(sizeof kinds / sizeof *kinds); k++)
        if (field_is(f, kinds[k]))
            return k;
    return -1;
}

static const char *parse_held(ls_scan_line *l, const ls_field *f, size_t n, int *skip)
{
    uint64_t chain;
    if (n < 8)
        return "bad held line: expected 8 fields";
    int kind = parse_kind(f[2]);
    if (kind < 0) {
        *skip = 1;
        return NULL;
    }
    l->held.kind = (ls_held_kind)kind;
    if (field_u64(f[5], &chain) < 0 || chain > 1 || field_i64(f[6], &l->held.allocs) < 0 ||
        field_i64(f[7], &l->held.bytes) < 0)
        return "bad held line: a number field is not a decimal integer";
    l->held.chain = (int)chain;
    if (kind == LS_HELD_HEAP && field_u64(f[3], &l->held.holder_sid) < 0)
        return "bad held line: a heap holder must be a stack id";
    if (kind != LS_HELD_HEAP && kind != LS_HELD_LOST)
        l->held.name = field_text(f[3]);
    if (kind == LS_HELD_GLOBAL)
        l->held.module = field_text(f[4]);
    return NULL;
}

const char *scan_parse_line(ls_scan_pending *p, const ls_field *f, size_t n, size_t lineno, int is_held)
{
    ls_scan_line l = { .is_held = is_held, .line = lineno };
    if (n < 2 || field_u64(f[1], &l.sid) < 0)
        return is_held ? "bad held line: expected a stack id" : "bad reach line: expected a stack id";
    int skip = 0;
    const char *why = NULL;
    if (is_held)
        why = parse_held(&l, f, n, &skip);
    else if (n < 2 + 2 * LS_NREACH)
        why = "bad reach line: expected 10 fields";
    else
        for (int k = 0; k < LS_NREACH && !why; k++)
            if (field_i64(f[2 + 2 * k], &l.allocs[k]) < 0 || field_i64(f[3 + 2 * k], &l.bytes[k]) < 0)
                why = "bad reach line: a number field is not a decimal integer";
    if (why || skip) {
        free(l.held.name);
        free(l.held.module);
        return why;
    }
    VEC_PUSH(p->lines, p->nlines, p->cap_lines, l);
    return NULL;
}

static void stack_scan_clear(ls_stack_scan *s)
{
    for (size_t i = 0; i < s->nheld; i++) {
        free(s->held[i].name);
        free(s->held[i].module);
    }
    free(s->held);
    memset(s, 0, sizeof *s);
}

void scan_stack_free(ls_stack *s)
{
    stack_scan_clear(&s->scan_exit);
    stack_scan_clear(&s->scan_event);
}

/* Which of a stack's two slots this scan fills; NULL when an event scan of a later stamp is kept. */
static int take_slot(ls_report *r, const ls_scan *h)
{
    size_t *latest = h->at_exit ? &r->exit_scan : &r->event_scan;
    if (!h->at_exit && *latest && r->scans[*latest - 1].seq > h->seq)
        return 0;
    for (size_t i = 0; i < r->nstacks; i++)
        stack_scan_clear(h->at_exit ? &r->stacks[i].scan_exit : &r->stacks[i].scan_event);
    *latest = r->nscans;
    return 1;
}

const char *scan_commit(ls_report *r, ls_scan_pending *p, size_t *line)
{
    if (!p->has_scan) {
        if (p->nlines) {
            *line = p->lines[0].line;
            return p->lines[0].is_held ? "held line outside a scan record" : "reach line outside a scan record";
        }
        return NULL;
    }
    VEC_PUSH(r->scans, r->nscans, r->cap_scans, p->head);
    if (!take_slot(r, &p->head))
        return NULL;
    for (size_t i = 0; i < p->nlines; i++) {
        ls_scan_line *l = &p->lines[i];
        long at = u64map_get(&r->stack_ids, l->sid);
        if (at < 0) {
            *line = l->line;
            return "scan record names a stack that is not defined";
        }
        ls_stack_scan *s = p->head.at_exit ? &r->stacks[at].scan_exit : &r->stacks[at].scan_event;
        s->present = 1;
        if (!l->is_held) {
            memcpy(s->allocs, l->allocs, sizeof s->allocs);
            memcpy(s->bytes, l->bytes, sizeof s->bytes);
            continue;
        }
        VEC_PUSH(s->held, s->nheld, s->cap_held, l->held);
        l->held.name = l->held.module = NULL;   /* moved */
    }
    return NULL;
}

void scan_pending_reset(ls_scan_pending *p)
{
    for (size_t i = 0; i < p->nlines; i++) {
        free(p->lines[i].held.name);
        free(p->lines[i].held.module);
    }
    p->nlines = 0;
    p->has_scan = 0;
}

void scan_pending_free(ls_scan_pending *p)
{
    scan_pending_reset(p);
    free(p->lines);
}

int scan_end_label_ok(const ls_scan_pending *p, ls_field label)
{
    return p->has_scan && field_is(label, "scan");
}
