/*
 * report_reader.c — reads a report file (docs/report-format.md, version 1) into an ls_report.
 *
 * The file is read in chunks and split into lines, so memory does not grow with the file size
 * (a 10,000-event report can be a gigabyte of text). Lines are collected into the open record and
 * applied only when its `end` line arrives: a record is the unit the writer makes durable, and
 * anything after the last `end` line (a process killed mid-write) is ignored and flagged as
 * truncation. For the same reason an error found inside a record is held back until the record is
 * complete: a garbled final record is truncation, a garbled complete record is corruption.
 */
#include "read/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read/report_fields.h"
#include "read/scan_lines.h"
#include "base/util.h"

#define MAX_LINE (64u << 20) /* longer than any real record line; bounds memory on garbage input */

typedef struct pending_frame {
    int unknown;   /* a `?:<address>` frame */
    uint64_t mid, addr;
} pending_frame;

typedef struct pending_stack {
    uint64_t sid;
    int truncated;
    size_t first, n; /* range in reader.pframes */
    size_t line;
} pending_stack;

typedef struct pending_count {  /* a `site` or `live` line, or a `map` / `maplive` line (kind > 0) */
    uint64_t sid;
    int kind;
    char *file;
    int64_t allocs, bytes, total_allocs, total_bytes;
    size_t line;
} pending_count;

typedef struct reader {
    ls_report *r;
    const char *name;
    ls_error *err;
    size_t lineno;
    uint64_t offset;
    int stage;                /* 0: first line, 1: header, 2: records */
    ls_field *f;
    size_t fcap;

    int open;                 /* lines seen since the last `end` */
    size_t rec_line;
    uint64_t rec_offset;
    ls_error rec_err;

    ls_module *pm;
    size_t npm, cap_pm;
    pending_stack *ps;
    size_t nps, cap_ps;
    pending_frame *pframes;
    size_t npframes, cap_pframes;
    pending_count *psites;
    size_t npsites, cap_psites;
    pending_count *plive;
    size_t nplive, cap_plive;
    pending_count *pmaps, *pmaplive;
    size_t npmaps, cap_pmaps, npmaplive, cap_pmaplive;
    int has_mapped;
    int64_t mapped[2];        /* `mapped` line: bytes, count */
    int has_stamp;
    ls_stamp pstamp;
    char *pstamp_name;
    size_t pstamp_line;
    int has_exit;
    ls_exit pexit;
    ls_scan_pending pscan;    /* a scan record (scan_lines.c) */
} reader;

static void rec_fail(reader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error inside the open record; raised only if the record turns out to be complete. */
static void rec_fail(reader *rd, const char *fmt, ...)
{
    if (rd->rec_err.set)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ls_error_set(&rd->rec_err, rd->name, rd->lineno, "%s", msg);
}

/* An error found while applying a complete record, about one of its lines. */
static void fail_at(reader *rd, size_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_at(reader *rd, size_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ls_error_set(rd->err, rd->name, line, "%s", msg);
}

static int need_fields(reader *rd, size_t n, size_t want, const char *kind)
{
    if (n >= want)
        return 1;
    rec_fail(rd, "bad %s line: %zu fields, expected %zu", kind, n, want);
    return 0;
}

/* ---- header ------------------------------------------------------------------------------- */

static void parse_first_line(reader *rd, size_t n)
{
    uint64_t v;
    if (!field_is(rd->f[0], "leakstamp-report") || n < 2) {
        ls_error_set(rd->err, rd->name, rd->lineno, "not a leakstamp report");
        return;
    }
    if (field_u64(rd->f[1], &v) < 0) {
        ls_error_set(rd->err, rd->name, rd->lineno, "not a leakstamp report (bad version field)");
        return;
    }
    if (v != 1) {
        ls_error_set(rd->err, rd->name, rd->lineno, "unsupported version %llu (this reader knows 1)",
                     (unsigned long long)v);
        return;
    }
    rd->r->version = 1;
    rd->stage = 1;
    rd->open = 1;
    rd->rec_line = rd->lineno;
    rd->rec_offset = rd->offset;
}

static void set_text(char **dst, ls_field f)
{
    free(*dst);
    *dst = field_text(f);
}

static void header_ll(reader *rd, ls_field f, long long *dst, const char *key)
{
    int64_t v;
    if (field_i64(f, &v) < 0)
        rec_fail(rd, "bad %s value", key);
    else
        *dst = v;
}

static void header_words(reader *rd, size_t n, size_t from, char ***list, size_t *count)
{
    for (size_t i = 0; i < *count; i++)
        free((*list)[i]);
    free(*list);
    *count = n > from ? n - from : 0;
    *list = xcalloc(*count + 1, sizeof **list);
    for (size_t i = 0; i < *count; i++)
        (*list)[i] = field_text(rd->f[from + i]);
}

static void parse_header_line(reader *rd, size_t n)
{
    ls_report *r = rd->r;
    ls_field *f = rd->f;
    uint64_t u;
    if (n < 2)
        return; /* a key without a value: nothing to learn, and later versions may add such keys */
    if (field_is(f[0], "tool") && n >= 3)
        set_text(&r->tool_version, f[2]);
    else if (field_is(f[0], "pid"))
        header_ll(rd, f[1], &r->pid, "pid");
    else if (field_is(f[0], "ppid"))
        header_ll(rd, f[1], &r->ppid, "ppid");
    else if (field_is(f[0], "host"))
        set_text(&r->host, f[1]);
    else if (field_is(f[0], "uname"))
        set_text(&r->uname, f[1]);
    else if (field_is(f[0], "user")) {
        set_text(&r->user, f[1]);
        if (n >= 3)
            header_ll(rd, f[2], &r->uid, "uid");
    } else if (field_is(f[0], "cwd"))
        set_text(&r->cwd, f[1]);
    else if (field_is(f[0], "exe"))
        set_text(&r->exe, f[1]);
    else if (field_is(f[0], "start")) {
        if (field_u64(f[1], &u) < 0)
            rec_fail(rd, "bad start time");
        r->start_us = u;
        if (n >= 3)
            set_text(&r->start_iso, f[2]);
    } else if (field_is(f[0], "mode")) {
        set_text(&r->mode, f[1]);
        if (n >= 3 && field_u64(f[2], &r->sample_interval) < 0)
            rec_fail(rd, "bad sample interval");
    } else if (field_is(f[0], "event"))
        set_text(&r->event_hint, f[1]);
    else if (field_is(f[0], "rank")) {
        int64_t v; /* informative: a bad value is ignored, as an unknown key would be */
        if (field_i64(f[1], &v) == 0 && v >= 0)
            r->rank = v;
    }
    else if (field_is(f[0], "job"))
        set_text(&r->job, f[1]);
    else if (field_is(f[0], "depth"))
        header_ll(rd, f[1], &r->depth, "depth");
    else if (field_is(f[0], "argv")) {
        /* argc is informative; the words that follow are the truth (an empty last word is kept) */
        header_words(rd, n, 2, &r->argv, &r->argc);
    } else if (field_is(f[0], "meta") && n >= 3) {
        r->meta = xrealloc(r->meta, (r->nmeta + 2) * sizeof *r->meta);
        r->meta[r->nmeta++] = field_text(f[1]);
        r->meta[r->nmeta++] = field_text(f[2]);
    }
}

/* ---- record lines ------------------------------------------------------------------------- */

static void parse_module(reader *rd, size_t n)
{
    ls_module m = { 0 };
    if (!need_fields(rd, n, 7, "module"))
        return;
    if (field_u64(rd->f[1], &m.mid) < 0 || field_hex(rd->f[2], &m.lo) < 0 ||
        field_hex(rd->f[3], &m.hi) < 0 || field_hex(rd->f[4], &m.bias) < 0) {
        rec_fail(rd, "bad module line: expected <mid> <lo> <hi> <bias> in decimal/hex");
        return;
    }
    m.build_id = field_is(rd->f[5], "-") || rd->f[5].n == 0 ? NULL : field_text(rd->f[5]);
    m.path = field_text(rd->f[6]);
    VEC_PUSH(rd->pm, rd->npm, rd->cap_pm, m);
}

static int parse_frame(ls_field f, pending_frame *out)
{
    const char *colon = memchr(f.p, ':', f.n);
    if (!colon)
        return -1;
    ls_field mid = { f.p, (size_t)(colon - f.p) };
    ls_field addr = { colon + 1, f.n - mid.n - 1 };
    out->unknown = field_is(mid, "?");
    if (!out->unknown && field_u64(mid, &out->mid) < 0)
        return -1;
    return field_hex(addr, &out->addr);
}

static void parse_stack(reader *rd, size_t n)
{
    pending_stack s = { 0 };
    uint64_t trunc;
    if (!need_fields(rd, n, 3, "stack"))
        return;
    if (field_u64(rd->f[1], &s.sid) < 0 || field_u64(rd->f[2], &trunc) < 0 || trunc > 1) {
        rec_fail(rd, "bad stack line: expected <sid> <truncated 0|1>");
        return;
    }
    s.truncated = (int)trunc;
    s.first = rd->npframes;
    s.line = rd->lineno;
    for (size_t i = 3; i < n; i++) {
        pending_frame fr;
        if (parse_frame(rd->f[i], &fr) < 0) {
            rec_fail(rd, "bad stack frame %zu: expected <mid>:<hex offset> or ?:<hex address>", i - 2);
            return;
        }
        VEC_PUSH(rd->pframes, rd->npframes, rd->cap_pframes, fr);
    }
    s.n = rd->npframes - s.first;
    VEC_PUSH(rd->ps, rd->nps, rd->cap_ps, s);
}

static int parse_ints(reader *rd, size_t from, size_t count, int64_t *out)
{
    for (size_t i = 0; i < count; i++)
        if (field_i64(rd->f[from + i], &out[i]) < 0)
            return -1;
    return 0;
}

/* Counts no process reaches: live bytes or blocks beyond ±2^53 (8 PiB; a snapshot may read a count
 * just below zero, cross-thread frees), totals ever allocated below 0 or above 2^60 (a year at 30 GB/s).
 * A file that has them is corrupt; below them the analyzer's double series are exact and its int64
 * sums over thousands of processes cannot overflow. */
#define LIVE_MAX ((int64_t)1 << 53)
#define TOTAL_MAX ((int64_t)1 << 60)
static int live_plausible(const int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] < -LIVE_MAX || v[i] > LIVE_MAX)
            return 0;
    return 1;
}

/* The last four of a count line: live, live, total, total. */
static int counts_plausible(const int64_t *abs)
{
    return live_plausible(abs, 2) && abs[2] >= 0 && abs[2] <= TOTAL_MAX && abs[3] >= 0 && abs[3] <= TOTAL_MAX;
}
#define IMPLAUSIBLE "a count beyond what any process reaches (live: within ±2^53; totals: 0 to 2^60)"

static void parse_stamp(reader *rd, size_t n)
{
    ls_stamp *s = &rd->pstamp;
    if (!need_fields(rd, n, 10, "stamp"))
        return;
    if (rd->has_stamp) {
        rec_fail(rd, "second stamp line in one record");
        return;
    }
    int64_t hb[2];
    if (field_u64(rd->f[1], &s->seq) < 0 || field_u64(rd->f[3], &s->time_us) < 0 ||
        field_u64(rd->f[4], &s->vm) < 0 || field_u64(rd->f[5], &s->rss) < 0 ||
        parse_ints(rd, 6, 2, hb) < 0 || field_u64(rd->f[8], &s->alloc_calls) < 0 ||
        field_u64(rd->f[9], &s->free_calls) < 0) {
        rec_fail(rd, "bad stamp line: a number field is not a decimal integer");
        return;
    }
    if (!live_plausible(hb, 2)) {
        rec_fail(rd, "bad stamp line: heap bytes or blocks: " IMPLAUSIBLE);
        return;
    }
    s->heap_bytes = hb[0];
    s->heap_allocs = hb[1];
    s->tool_vm = s->tool_rss = 0;
    s->has_tool = 0;
    free(rd->pstamp_name);
    rd->pstamp_name = field_text(rd->f[2]);
    rd->pstamp_line = rd->lineno;
    rd->has_stamp = 1;
}

/* site: <sid> <d allocs> <d bytes> <live allocs> <live bytes> <total allocs> <total bytes>
 * live: <sid> <live allocs> <live bytes> <total allocs> <total bytes> <births>
 * Only the absolute numbers are kept: the deltas are redundant with them. `births` is not needed by
 * any statistic yet, and a live line without it is accepted. */
/* The last four of v[0..nints): live allocs/ranges, live bytes, totals; and the line. */
static void set_absolute(reader *rd, pending_count *c, const int64_t *v, size_t nints)
{
    const int64_t *abs = v + nints - 4;
    c->allocs = abs[0];
    c->bytes = abs[1];
    c->total_allocs = abs[2];
    c->total_bytes = abs[3];
    c->line = rd->lineno;
}

static void parse_count(reader *rd, size_t n, int is_site)
{
    pending_count c = { 0 };
    int64_t v[6];
    size_t nints = is_site ? 6 : 4;
    if (!need_fields(rd, n, 2 + nints, is_site ? "site" : "live"))
        return;
    if (field_u64(rd->f[1], &c.sid) < 0 || parse_ints(rd, 2, nints, v) < 0) {
        rec_fail(rd, "bad %s line: a number field is not a decimal integer", is_site ? "site" : "live");
        return;
    }
    if (!counts_plausible(v + nints - 4)) {
        rec_fail(rd, "bad %s line: " IMPLAUSIBLE, is_site ? "site" : "live");
        return;
    }
    set_absolute(rd, &c, v, nints);
    if (is_site)
        VEC_PUSH(rd->psites, rd->npsites, rd->cap_psites, c);
    else
        VEC_PUSH(rd->plive, rd->nplive, rd->cap_plive, c);
}

/* map:     <sid> <kind> <d maps> <d bytes> <maps> <bytes> <total maps> <total bytes> <resident> <file>
 * maplive: <sid> <kind> <maps> <bytes> <total maps> <total bytes> <births> <file>
 * As with `site`/`live`, only the absolute numbers are kept. */
static void parse_map(reader *rd, size_t n, int is_stamp)
{
    pending_count c = { 0 };
    int64_t v[6];
    size_t nints = is_stamp ? 6 : 4;
    const char *what = is_stamp ? "map" : "maplive";
    if (!need_fields(rd, n, 3 + nints + 2, what))
        return;
    c.kind = site_kind_parse(rd->f[2].p, rd->f[2].n);
    if (field_u64(rd->f[1], &c.sid) < 0 || c.kind <= SITE_HEAP || parse_ints(rd, 3, nints, v) < 0) {
        rec_fail(rd, "bad %s line: expected <sid> <mmap|mmap-file|mmap-shared> and decimal integers", what);
        return;
    }
    if (!counts_plausible(v + nints - 4)) {
        rec_fail(rd, "bad %s line: " IMPLAUSIBLE, what);
        return;
    }
    set_absolute(rd, &c, v, nints);
    ls_field file = rd->f[3 + nints + 1];
    c.file = field_is(file, "-") ? NULL : field_text(file);
    if (is_stamp)
        VEC_PUSH(rd->pmaps, rd->npmaps, rd->cap_pmaps, c);
    else
        VEC_PUSH(rd->pmaplive, rd->npmaplive, rd->cap_pmaplive, c);
}

static void parse_mapped(reader *rd, size_t n)
{
    if (!need_fields(rd, n, 3, "mapped"))
        return;
    if (parse_ints(rd, 1, 2, rd->mapped) < 0) {
        rec_fail(rd, "bad mapped line: expected <bytes> <count> in decimal");
        return;
    }
    if (!live_plausible(rd->mapped, 2)) {
        rec_fail(rd, "bad mapped line: " IMPLAUSIBLE);
        return;
    }
    rd->has_mapped = 1;
}

static void parse_exit(reader *rd, size_t n)
{
    ls_exit *e = &rd->pexit;
    int64_t hb[2];
    if (!need_fields(rd, n, 10, "exit"))
        return;
    if (field_u64(rd->f[2], &e->time_us) < 0 || field_u64(rd->f[3], &e->vm) < 0 ||
        field_u64(rd->f[4], &e->rss) < 0 || parse_ints(rd, 5, 2, hb) < 0 ||
        field_u64(rd->f[7], &e->alloc_calls) < 0 || field_u64(rd->f[8], &e->free_calls) < 0 ||
        field_u64(rd->f[9], &e->last_seq) < 0) {
        rec_fail(rd, "bad exit line: a number field is not a decimal integer");
        return;
    }
    if (!live_plausible(hb, 2)) {
        rec_fail(rd, "bad exit line: heap bytes or blocks: " IMPLAUSIBLE);
        return;
    }
    e->heap_bytes = hb[0];
    e->heap_allocs = hb[1];
    free(e->reason);
    e->reason = field_text(rd->f[1]);
    e->present = 1;
    rd->has_exit = 1;
}

/* `toolmem <vm> <rss>` after a stamp or exit line (added in issue 12: older files have none). */
static void parse_toolmem(reader *rd, size_t n)
{
    uint64_t vm, rss;
    if (!need_fields(rd, n, 3, "toolmem"))
        return;
    if (field_u64(rd->f[1], &vm) < 0 || field_u64(rd->f[2], &rss) < 0) {
        rec_fail(rd, "bad toolmem line: a number field is not a decimal integer");
        return;
    }
    if (rd->has_stamp)
        rd->pstamp.tool_vm = vm, rd->pstamp.tool_rss = rss, rd->pstamp.has_tool = 1;
    else if (rd->has_exit)
        rd->pexit.tool_vm = vm, rd->pexit.tool_rss = rss, rd->pexit.has_tool = 1;
}

/* ---- applying a complete record ----------------------------------------------------------- */

static int same_module(const ls_module *a, const ls_module *b)
{
    return a->lo == b->lo && a->hi == b->hi && a->bias == b->bias && !strcmp(a->path, b->path) &&
           (a->build_id ? b->build_id && !strcmp(a->build_id, b->build_id) : !b->build_id);
}

static void free_module(ls_module *m)
{
    free(m->build_id);
    free(m->path);
}

static void commit_modules(reader *rd)
{
    ls_report *r = rd->r;
    for (size_t i = 0; i < rd->npm; i++) {
        ls_module *m = &rd->pm[i];
        long at = rd->err->set ? -1 : u64map_get(&r->module_ids, m->mid);
        if (rd->err->set || at >= 0) {
            /* ids are never reused; an identical repeat is harmless, a different one is corruption */
            if (at >= 0 && !same_module(&r->modules[at], m))
                fail_at(rd, rd->rec_line, "module %llu defined twice differently",
                        (unsigned long long)m->mid);
            free_module(m);
            continue;
        }
        u64map_put(&r->module_ids, m->mid, (uint32_t)r->nmodules);
        VEC_PUSH(r->modules, r->nmodules, r->cap_modules, *m);
    }
    rd->npm = 0;
}

static int same_frames(const ls_stack *s, const ls_frame *f, size_t n)
{
    return s->nframes == n && (n == 0 || !memcmp(s->frames, f, n * sizeof *f));
}

static void commit_stack(reader *rd, const pending_stack *ps)
{
    ls_report *r = rd->r;
    ls_frame *frames = xcalloc(ps->n, sizeof *frames);
    for (size_t j = 0; j < ps->n; j++) {
        const pending_frame *pf = &rd->pframes[ps->first + j];
        long mod = pf->unknown ? -1 : u64map_get(&r->module_ids, pf->mid);
        if (!pf->unknown && mod < 0) {
            fail_at(rd, ps->line, "stack %llu uses undefined module %llu",
                    (unsigned long long)ps->sid, (unsigned long long)pf->mid);
            free(frames);
            return;
        }
        frames[j].module = pf->unknown ? 0 : (uint32_t)mod + 1;
        frames[j].addr = pf->addr;
    }
    long at = u64map_get(&r->stack_ids, ps->sid);
    if (at >= 0) {
        if (!same_frames(&r->stacks[at], frames, ps->n))
            fail_at(rd, ps->line, "stack %llu defined twice differently", (unsigned long long)ps->sid);
        free(frames);
        return;
    }
    ls_stack s = { .sid = ps->sid, .truncated = ps->truncated, .nframes = (uint32_t)ps->n,
                   .frames = frames };
    u64map_put(&r->stack_ids, ps->sid, (uint32_t)r->nstacks);
    VEC_PUSH(r->stacks, r->nstacks, r->cap_stacks, s);
}

static uint32_t intern_name(ls_report *r, char *name)
{
    /* Names are few (a handful per job); the last one is usually the one asked for again. */
    for (size_t i = r->nnames; i-- > 0;)
        if (!strcmp(r->names[i], name)) {
            free(name);
            return (uint32_t)i;
        }
    VEC_PUSH(r->names, r->nnames, r->cap_names, name);
    return (uint32_t)(r->nnames - 1);
}

static ls_stack *stack_of(reader *rd, const pending_count *c, const char *kind)
{
    long at = u64map_get(&rd->r->stack_ids, c->sid);
    if (at < 0) {
        fail_at(rd, c->line, "%s line refers to undefined stack %llu", kind, (unsigned long long)c->sid);
        return NULL;
    }
    return &rd->r->stacks[at];
}

/* The mapping site (sid, kind): its own ls_stack entry, with the frames of stack sid. */
static ls_stack *map_site_of(reader *rd, pending_count *c, const char *kind)
{
    ls_report *r = rd->r;
    uint64_t key = c->sid * SITE_NKINDS + (uint64_t)c->kind;
    long at = u64map_get(&r->map_ids, key);
    if (at >= 0) {
        ls_stack *s = &r->stacks[at];
        if (!s->file && c->file) {
            s->file = c->file;
            c->file = NULL;
        }
        return s;
    }
    ls_stack *def = stack_of(rd, c, kind);
    if (!def)
        return NULL;
    ls_stack s = { .sid = c->sid, .kind = c->kind, .file = c->file, .used = 1, .truncated = def->truncated,
                   .nframes = def->nframes };
    c->file = NULL;
    s.frames = xcalloc(s.nframes ? s.nframes : 1, sizeof *s.frames);
    if (s.nframes)
        memcpy(s.frames, def->frames, s.nframes * sizeof *s.frames);
    u64map_put(&r->map_ids, key, (uint32_t)r->nstacks);
    VEC_PUSH(r->stacks, r->nstacks, r->cap_stacks, s);
    return &r->stacks[r->nstacks - 1];
}

/* The stack a count line is about: a heap site's own, or the mapping site (sid, kind). */
static ls_stack *count_target(reader *rd, pending_count *c, const char *kind)
{
    ls_stack *s = c->kind ? map_site_of(rd, c, kind) : stack_of(rd, c, kind);
    if (s) {
        s->used = 1;
        s->total_allocs = c->total_allocs;
        s->total_bytes = c->total_bytes;
    }
    return s;
}

/* `site` or `map` lines of the stamp at index idx. */
static void apply_stamp_counts(reader *rd, pending_count *v, size_t n, const char *kind, uint32_t idx)
{
    for (size_t i = 0; i < n && !rd->err->set; i++) {
        ls_stack *s = count_target(rd, &v[i], kind);
        if (!s)
            return;
        site_stream_append(&s->history, idx, v[i].allocs, v[i].bytes);
    }
}

/* `live` or `maplive` lines of the exit record. */
static void apply_exit_counts(reader *rd, pending_count *v, size_t n, const char *kind)
{
    for (size_t i = 0; i < n && !rd->err->set; i++) {
        ls_stack *s = count_target(rd, &v[i], kind);
        if (!s)
            return;
        s->has_exit = 1;
        s->exit_allocs = v[i].allocs;
        s->exit_bytes = v[i].bytes;
    }
}

static void commit_stamp(reader *rd)
{
    ls_report *r = rd->r;
    if (!rd->has_stamp) {
        if (rd->npsites)
            fail_at(rd, rd->psites[0].line, "site line outside a stamp record");
        else if (rd->npmaps)
            fail_at(rd, rd->pmaps[0].line, "map line outside a stamp record");
        return;
    }
    if (rd->has_mapped) {
        rd->pstamp.mapped_bytes = rd->mapped[0];
        rd->pstamp.mapped_count = rd->mapped[1];
    }
    if (r->nstamps >= UINT32_MAX - 1) {
        fail_at(rd, rd->pstamp_line, "too many stamps");
        return;
    }
    rd->pstamp.name = intern_name(r, rd->pstamp_name);
    rd->pstamp_name = NULL;
    VEC_PUSH(r->stamps, r->nstamps, r->cap_stamps, rd->pstamp);
    apply_stamp_counts(rd, rd->psites, rd->npsites, "site", (uint32_t)(r->nstamps - 1));
    apply_stamp_counts(rd, rd->pmaps, rd->npmaps, "map", (uint32_t)(r->nstamps - 1));
}

static void commit_exit(reader *rd)
{
    ls_report *r = rd->r;
    if (!rd->has_exit) {
        if (rd->nplive)
            fail_at(rd, rd->plive[0].line, "live line outside an exit record");
        else if (rd->npmaplive)
            fail_at(rd, rd->pmaplive[0].line, "maplive line outside an exit record");
        return;
    }
    if (rd->has_mapped) {
        rd->pexit.mapped_bytes = rd->mapped[0];
        rd->pexit.mapped_count = rd->mapped[1];
    }
    /* A failed exec lets a process write another exit record: the last one is the truth. */
    free(r->exit.reason);
    r->exit = rd->pexit;
    rd->pexit.reason = NULL;
    for (size_t i = 0; i < r->nstacks; i++)
        r->stacks[i].has_exit = 0;
    apply_exit_counts(rd, rd->plive, rd->nplive, "live");
    apply_exit_counts(rd, rd->pmaplive, rd->npmaplive, "maplive");
}

static void commit_scan(reader *rd)
{
    size_t line = 0;
    const char *why = scan_commit(rd->r, &rd->pscan, &line);
    if (why)
        fail_at(rd, line, "%s", why);
}

static void scan_line(reader *rd, size_t n, int kind)
{
    const char *why = kind == 0   ? scan_parse_head(&rd->pscan, rd->f, n)
                                  : scan_parse_line(&rd->pscan, rd->f, n, rd->lineno, kind == 2);
    if (why)
        rec_fail(rd, "%s", why);
}

static void check_end_label(reader *rd, ls_field label)
{
    uint64_t seq;
    int stamp_ok = rd->has_stamp && field_u64(label, &seq) == 0 && seq == rd->pstamp.seq;
    int exit_ok = rd->has_exit && field_is(label, "exit");
    if (rd->pscan.has_scan && !scan_end_label_ok(&rd->pscan, label))
        rec_fail(rd, "scan record must end with `end\tscan`");
    if ((rd->has_stamp || rd->has_exit) && !stamp_ok && !exit_ok) {
        if (rd->has_stamp)
            rec_fail(rd, "end line does not match stamp %llu", (unsigned long long)rd->pstamp.seq);
        else
            rec_fail(rd, "exit record must end with `end\texit`");
    }
}

static void reset_record(reader *rd)
{
    for (size_t i = 0; i < rd->npm; i++)
        free_module(&rd->pm[i]);
    rd->npm = rd->nps = rd->npframes = rd->npsites = rd->nplive = 0;
    for (size_t i = 0; i < rd->npmaps; i++)
        free(rd->pmaps[i].file);
    for (size_t i = 0; i < rd->npmaplive; i++)
        free(rd->pmaplive[i].file);
    rd->npmaps = rd->npmaplive = 0;
    rd->has_stamp = rd->has_exit = rd->has_mapped = 0;
    scan_pending_reset(&rd->pscan);
    free(rd->pstamp_name);
    rd->pstamp_name = NULL;
    free(rd->pexit.reason);
    memset(&rd->pexit, 0, sizeof rd->pexit);
    memset(&rd->rec_err, 0, sizeof rd->rec_err);
    rd->open = 0;
}

static void end_record(reader *rd, size_t n)
{
    check_end_label(rd, n >= 2 ? rd->f[1] : (ls_field){ "", 0 });
    if (rd->rec_err.set) {
        *rd->err = rd->rec_err;
        return;
    }
    commit_modules(rd);
    for (size_t i = 0; i < rd->nps && !rd->err->set; i++)
        commit_stack(rd, &rd->ps[i]);
    if (!rd->err->set)
        commit_stamp(rd);
    if (!rd->err->set)
        commit_exit(rd);
    if (!rd->err->set)
        commit_scan(rd);
    reset_record(rd);
}

static void record_line(reader *rd, size_t n)
{
    ls_field k = rd->f[0];
    if (!rd->open) {
        rd->open = 1;
        rd->rec_line = rd->lineno;
        rd->rec_offset = rd->offset;
    }
    if (field_is(k, "site"))
        parse_count(rd, n, 1);
    else if (field_is(k, "stack"))
        parse_stack(rd, n);
    else if (field_is(k, "stamp"))
        parse_stamp(rd, n);
    else if (field_is(k, "module"))
        parse_module(rd, n);
    else if (field_is(k, "live"))
        parse_count(rd, n, 0);
    else if (field_is(k, "exit"))
        parse_exit(rd, n);
    else if (field_is(k, "map"))
        parse_map(rd, n, 1);
    else if (field_is(k, "maplive"))
        parse_map(rd, n, 0);
    else if (field_is(k, "mapped"))
        parse_mapped(rd, n);
    else if (field_is(k, "toolmem"))
        parse_toolmem(rd, n);
    else if (field_is(k, "scan"))
        scan_line(rd, n, 0);
    else if (field_is(k, "reach"))
        scan_line(rd, n, 1);
    else if (field_is(k, "held"))
        scan_line(rd, n, 2);
    else if (field_is(k, "end"))
        end_record(rd, n);
    /* any other line kind: skipped, as the format's versioning rule asks */
}

static void header_end(reader *rd, size_t n)
{
    if (n < 2 || !field_is(rd->f[1], "header"))
        rec_fail(rd, "the header must end with `end\theader`");
    if (rd->rec_err.set) {
        *rd->err = rd->rec_err;
        return;
    }
    reset_record(rd);
    rd->stage = 2;
}

static void process_line(reader *rd, const char *line, size_t len)
{
    size_t n = fields_split(line, len, &rd->f, &rd->fcap);
    if (rd->stage == 0)
        parse_first_line(rd, n);
    else if (rd->stage == 1 && field_is(rd->f[0], "end"))
        header_end(rd, n);
    else if (rd->stage == 1)
        parse_header_line(rd, n);
    else
        record_line(rd, n);
}

/* ---- input -------------------------------------------------------------------------------- */

/* Feed complete lines of buf[0..len); returns the number of bytes consumed. */
static size_t feed_complete_lines(reader *rd, const char *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len && !rd->err->set) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl)
            break;
        size_t n = (size_t)(nl - (buf + pos));
        rd->lineno++;
        process_line(rd, buf + pos, n);
        rd->offset += n + 1;
        pos += n + 1;
    }
    return pos;
}

static void check_end_of_input(reader *rd, size_t leftover)
{
    if (rd->err->set)
        return;
    if (rd->stage == 0 && leftover == 0 && rd->lineno == 0) {
        ls_error_set(rd->err, rd->name, 0, "empty file, not a leakstamp report");
        return;
    }
    if (rd->stage < 2) {
        if (rd->stage == 0)
            ls_error_set(rd->err, rd->name, 1, "not a leakstamp report (no complete first line)");
        else
            ls_error_set(rd->err, rd->name, rd->lineno + 1,
                         "truncated inside the header (no `end\theader` line)");
        return;
    }
    if (rd->open || leftover) {
        rd->r->truncated = 1;
        rd->r->truncated_line = rd->open ? rd->rec_line : rd->lineno + 1;
        rd->r->truncated_offset = rd->open ? rd->rec_offset : rd->offset;
    }
}

static void reader_init(reader *rd, ls_report *r, const char *name, ls_error *err)
{
    memset(rd, 0, sizeof *rd);
    rd->r = r;
    rd->name = name;
    rd->err = err;
    r->path = xstrdup(name);
    r->rank = -1;
}

static void reader_free(reader *rd)
{
    reset_record(rd);
    free(rd->pm);
    free(rd->ps);
    free(rd->pframes);
    free(rd->psites);
    free(rd->plive);
    free(rd->pmaps);
    free(rd->pmaplive);
    scan_pending_free(&rd->pscan);
    free(rd->f);
}

static ls_report *take_report(reader *rd)
{
    reader_free(rd);
    if (rd->err->set) {
        report_free(rd->r);
        return NULL;
    }
    return rd->r;
}

ls_report *report_read_mem(const char *name, const char *data, size_t len, ls_error *err)
{
    reader rd;
    reader_init(&rd, xcalloc(1, sizeof(ls_report)), name, err);
    size_t used = feed_complete_lines(&rd, data, len);
    check_end_of_input(&rd, len - used);
    return take_report(&rd);
}

static int read_more(int fd, char **buf, size_t *cap, size_t *have, ls_error *err, const char *name)
{
    if (*have == *cap) {
        if (*cap >= MAX_LINE) {
            ls_error_set(err, name, 0, "a line is longer than %u bytes", MAX_LINE);
            return -1;
        }
        *cap *= 2;
        *buf = xrealloc(*buf, *cap);
    }
    ssize_t got;
    do
        got = read(fd, *buf + *have, *cap - *have);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        ls_error_set(err, name, 0, "read error: %s", strerror(errno));
        return -1;
    }
    *have += (size_t)got;
    return got > 0;
}

ls_report *report_read_file(const char *path, ls_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ls_error_set(err, path, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        ls_error_set(err, path, 0, "is a directory");
        return NULL;
    }
    reader rd;
    reader_init(&rd, xcalloc(1, sizeof(ls_report)), path, err);
    size_t cap = 1u << 20, have = 0;
    char *buf = xmalloc(cap);
    int more;
    while (!err->set && (more = read_more(fd, &buf, &cap, &have, err, path)) > 0) {
        size_t used = feed_complete_lines(&rd, buf, have);
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    close(fd);
    free(buf);
    if (!err->set)
        check_end_of_input(&rd, have);
    return take_report(&rd);
}

/* ---- the rest of the API ------------------------------------------------------------------ */

static const char *const kind_names[SITE_NKINDS] = { "heap", "mmap", "mmap-file", "mmap-shared" };

const char *site_kind_name(int kind)
{
    return kind >= 0 && kind < SITE_NKINDS ? kind_names[kind] : "heap";
}

int site_kind_parse(const char *s, size_t n)
{
    for (int k = 0; k < SITE_NKINDS; k++)
        if (strlen(kind_names[k]) == n && !memcmp(kind_names[k], s, n))
            return k;
    return -1;
}

long report_name_index(const ls_report *r, const char *name)
{
    for (size_t i = 0; i < r->nnames; i++)
        if (!strcmp(r->names[i], name))
            return (long)i;
    return -1;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void report_free(ls_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nmodules; i++)
        free_module(&r->modules[i]);
    free(r->modules);
    u64map_free(&r->module_ids);
    for (size_t i = 0; i < r->nstacks; i++) {
        free(r->stacks[i].frames);
        free(r->stacks[i].file);
        site_stream_free(&r->stacks[i].history);
        scan_stack_free(&r->stacks[i]);
    }
    free(r->stacks);
    u64map_free(&r->stack_ids);
    u64map_free(&r->map_ids);
    free(r->stamps);
    free(r->scans);
    free_strings(r->names, r->nnames);
    free_strings(r->argv, r->argc);
    free_strings(r->meta, r->nmeta);
    free(r->exit.reason);
    char *texts[] = { r->path, r->tool_version, r->host, r->uname, r->user, r->cwd, r->exe,
                      r->start_iso, r->mode, r->event_hint, r->job };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        free(texts[i]);
    free(r);
}

void report_command_line(const ls_report *r, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->argc && len + 1 < size; i++) {
        int n = snprintf(buf + len, size - len, "%s%s", i ? " " : "", r->argv[i]);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    if (!r->argc)
        snprintf(buf, size, "%s", r->exe ? r->exe : "");
}
