/*
 * partial.c — writing and reading partials (partial.h; the format is in docs/scale.md).
 *
 * The lexical rules are the report format's (TAB-separated fields, free text escaped, read with
 * read/report_fields.h); an empty text field stands for "none". Doubles are written with %a, so they
 * read back bit for bit.
 */
#include "model/partial.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "model/merge.h"
#include "read/report_fields.h"

/* ---- writing -------------------------------------------------------------------------------- */

static void text(FILE *out, const char *s)
{
    fputc('\t', out);
    for (; s && *s; s++) {
        if (*s == '\\' || *s == '\t' || *s == '\n' || *s == '\r') {
            fputc('\\', out);
            fputc(*s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : '\\', out);
        } else
            fputc(*s, out);
    }
}

static void num(FILE *out, long long v)
{
    fprintf(out, "\t%lld", v);
}

static void dbl(FILE *out, double v)
{
    fprintf(out, "\t%a", v);
}

static const char *const metric_names[LS_METRICS] = { "rss", "vm", "heap", "mapped", "job_rss", "tool_rss",
                                                        "tool_vm" };

static void write_deltas(FILE *out, const char *kind, const ls_deltas *d)
{
    fprintf(out, "%s\t%zu", kind, d->n);
    for (size_t i = 0; i < d->n; i++)
        num(out, (long long)d->d[i]);
    fputc('\n', out);
}

static void write_fit(FILE *out, const ls_process_growth *g)
{
    const double v[13] = { g->rss.slope, g->rss.intercept, g->vm.slope, g->vm.intercept, g->heap.slope,
                           g->heap.intercept, g->mapped.slope, g->mapped.intercept, g->tool_rss.slope,
                           g->tool_rss.intercept, g->tool_vm.slope, g->tool_vm.intercept, g->unexplained };
    for (int i = 0; i < 13; i++)
        dbl(out, v[i]);
    num(out, g->has_tool);
}

static void write_proc(FILE *out, const ls_proc_info *p)
{
    fputs("process", out);
    const char *t[] = { p->path, p->host, p->exe, p->mode, p->command, p->exit_reason, p->job, p->group };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        text(out, t[i]);
    const long long n[] = { p->pid, p->ppid, p->rank, (long long)p->events, (long long)p->total_events,
                            (long long)p->stamps, p->truncated, (long long)p->truncated_line, p->exit_present,
                            (long long)p->sample_interval, (long long)p->leaks };
    for (size_t i = 0; i < sizeof n / sizeof *n; i++)
        num(out, n[i]);
    dbl(out, p->worst);
    dbl(out, p->live_exit_bytes);
    write_fit(out, &p->growth);
    fputc('\n', out);
}

static void write_grow(FILE *out, const ls_acc_site *s)
{
    for (size_t i = 0; i < s->ngrow; i++) {
        fputs("grow", out);
        dbl(out, s->grow[i].rate);
        num(out, s->grow[i].rank);
        num(out, s->grow[i].pid);
        text(out, s->grow[i].path);
        fputc('\n', out);
    }
}

static void write_site(FILE *out, const ls_acc_site *s)
{
    fputs("site", out);
    text(out, s->key);
    text(out, s->function);
    text(out, s->owner);
    text(out, s->file);
    const long long n[] = { s->total_allocs, s->total_bytes, s->exit_bytes, s->exit_allocs, (long long)s->stacks,
                            (long long)s->procs, (long long)s->exit_procs, (long long)s->nframes,
                            (long long)s->display, s->runtime, s->kind };
    for (size_t i = 0; i < sizeof n / sizeof *n; i++)
        num(out, n[i]);
    fputc('\n', out);
    for (size_t i = 0; i < s->nframes; i++) {
        const ls_symframe *f = &s->frames[i];
        fputs("frame", out);
        text(out, f->function);
        text(out, f->file);
        num(out, f->line);
        text(out, f->module);
        fprintf(out, "\t%llx", (unsigned long long)f->addr);
        num(out, f->inlined);
        num(out, f->role);
        fputc('\n', out);
    }
    write_deltas(out, "bytes", &s->bytes);
    write_deltas(out, "allocs", &s->allocs);
    write_grow(out, s);
}

static void write_loc(FILE *out, const ls_acc_site *s)
{
    fputs("loc", out);
    text(out, s->key);
    text(out, s->function);
    num(out, (long long)s->procs);
    fputc('\n', out);
    write_grow(out, s);
}

int partial_write(FILE *out, const ls_analysis *a)
{
    fprintf(out, "%s%d\nevent", PARTIAL_MAGIC, PARTIAL_VERSION);
    text(out, a->event_name);
    fprintf(out, "\nskip\t%zu\nsample_interval\t%llu\nskipped\t%zu\n", a->skip,
            (unsigned long long)a->sample_interval, a->skipped);
    for (size_t i = 0; i < a->nprocs; i++)
        write_proc(out, &a->procs[i].info);
    for (size_t i = 0; i < a->merge->n; i++) {
        const ls_group *g = &a->merge->groups[i];
        fputs("group", out);
        text(out, g->key);
        text(out, g->exe);
        fprintf(out, "\t%zu\t%zu\t%zu\t%zu\t%d\n", g->nprocs, g->events_sum, g->events, g->exit_procs, g->has_tool);
        for (int k = 0; k < LS_METRICS; k++)
            write_deltas(out, metric_names[k], &g->metric[k]);
        for (size_t s = 0; s < g->sites.n; s++)
            write_site(out, &g->sites.v[s]);
        for (size_t l = 0; l < g->locs.n; l++)
            write_loc(out, &g->locs.v[l]);
    }
    fputs("end\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- reading -------------------------------------------------------------------------------- */

typedef struct preader {
    ls_analysis *a;
    const ls_options *o;
    const char *name;
    size_t line;
    ls_field *f;
    size_t nf, cap;
    ls_group *group;          /* the group site lines belong to */
    ls_acc_site *site;        /* the site frame/series/grow lines belong to */
    ls_symframe *frames;      /* the site's frames as they are read */
    size_t nframes, want, display;
    const char *owner;
    int seen_event, ended;
    ls_error *err;
} preader;

static int fail(preader *rd, const char *what)
{
    ls_error_set(rd->err, rd->name, rd->line, "partial: %s", what);
    return -1;
}

static const char *str(preader *rd, size_t i)
{
    if (rd->f[i].n == 0)
        return NULL;
    char *t = field_text(rd->f[i]);
    const char *p = strpool_intern(&rd->a->pool, t);
    free(t);
    return p;
}

static int i64(preader *rd, size_t i, int64_t *out)
{
    return field_i64(rd->f[i], out) < 0 ? fail(rd, "bad integer") : 0;
}

static int size(preader *rd, size_t i, size_t *out)
{
    int64_t v;
    if (i64(rd, i, &v) < 0)
        return -1;
    if (v < 0)
        return fail(rd, "negative count");
    *out = (size_t)v;
    return 0;
}

static int dbl_at(preader *rd, size_t i, double *out)
{
    char buf[64];
    if (rd->f[i].n == 0 || rd->f[i].n >= sizeof buf)
        return fail(rd, "bad number");
    memcpy(buf, rd->f[i].p, rd->f[i].n);
    buf[rd->f[i].n] = '\0';
    char *end;
    errno = 0;
    *out = strtod(buf, &end);
    if (*end || errno)
        return fail(rd, "bad number");
    /* the writer never writes nan or inf; read, they pass every comparison and become null medians */
    return isfinite(*out) ? 0 : fail(rd, "not a finite number");
}

static int need(preader *rd, size_t n)
{
    return rd->nf == n ? 0 : fail(rd, "wrong number of fields");
}

static int read_deltas(preader *rd, ls_deltas *acc)
{
    size_t n;
    if (rd->nf < 2)
        return fail(rd, "series without its length");
    if (size(rd, 1, &n) < 0)
        return -1;
    if (n != rd->nf - 2)
        return fail(rd, "series length does not match its values");
    int64_t *d = xcalloc(n + 1, sizeof *d);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = i64(rd, 2 + i, &d[i]);
    if (rc == 0)
        merge_add_deltas(acc, d, n);
    free(d);
    return rc;
}

static int read_event(preader *rd)
{
    if (need(rd, 2) < 0)
        return -1;
    const char *name = str(rd, 1);
    if (rd->o->event && (!name || strcmp(name, rd->o->event)))
        return fail(rd, "made with another event stamp than --event");
    if (rd->a->nprocs && name != rd->a->event_name)
        return fail(rd, "made with another event stamp than the other inputs");
    rd->a->event_name = name;
    rd->seen_event = 1;
    return 0;
}

static int read_skip(preader *rd)
{
    size_t skip;
    if (need(rd, 2) < 0 || size(rd, 1, &skip) < 0)
        return -1;
    if ((rd->o->skip && skip != rd->o->skip) || (rd->a->nprocs && skip != rd->a->skip))
        return fail(rd, "made with another --skip than this run");
    rd->a->skip = skip;
    return 0;
}

static int read_proc(preader *rd)
{
    if (need(rd, 1 + 8 + 11 + 2 + 13 + 1) < 0)
        return -1;
    ls_proc_info in = { 0 };
    const char **t[] = { &in.path, &in.host, &in.exe, &in.mode, &in.command, &in.exit_reason, &in.job,
                         &in.group };
    for (size_t i = 0; i < 8; i++)
        *t[i] = str(rd, 1 + i);
    int64_t n[11];
    for (size_t i = 0; i < 11; i++)
        if (i64(rd, 9 + i, &n[i]) < 0)
            return -1;
    in.pid = n[0], in.ppid = n[1], in.rank = n[2];
    in.events = (size_t)n[3], in.total_events = (size_t)n[4], in.stamps = (size_t)n[5];
    in.truncated = n[6] != 0, in.truncated_line = (size_t)n[7], in.exit_present = n[8] != 0;
    in.sample_interval = (uint64_t)n[9], in.leaks = (size_t)n[10];
    double *d[] = { &in.worst, &in.live_exit_bytes, &in.growth.rss.slope, &in.growth.rss.intercept,
                    &in.growth.vm.slope, &in.growth.vm.intercept, &in.growth.heap.slope,
                    &in.growth.heap.intercept, &in.growth.mapped.slope, &in.growth.mapped.intercept,
                    &in.growth.tool_rss.slope, &in.growth.tool_rss.intercept, &in.growth.tool_vm.slope,
                    &in.growth.tool_vm.intercept, &in.growth.unexplained };
    for (size_t i = 0; i < 15; i++)
        if (dbl_at(rd, 20 + i, d[i]) < 0)
            return -1;
    int64_t tool;
    if (i64(rd, 35, &tool) < 0)
        return -1;
    in.growth.has_tool = tool != 0;
    if (!in.path || !in.group)
        return fail(rd, "process without a file or group");
    if (in.sample_interval > rd->a->sample_interval)
        rd->a->sample_interval = in.sample_interval;
    analysis_new_proc(rd->a)->info = in;
    return 0;
}

static int read_group(preader *rd)
{
    size_t n[5];
    if (need(rd, 8) < 0)
        return -1;
    for (size_t i = 0; i < 5; i++)
        if (size(rd, 3 + i, &n[i]) < 0)
            return -1;
    const char *key = str(rd, 1);
    if (!key)
        return fail(rd, "group without a key");
    ls_group *g = merge_group(rd->a->merge, key, str(rd, 2));
    g->nprocs += n[0];
    g->events_sum += n[1];
    g->exit_procs += n[3];
    g->has_tool |= n[4] != 0;
    if (n[2] > g->events)
        g->events = n[2];
    rd->group = g;
    rd->site = NULL;
    return 0;
}

static void offer_frames(preader *rd)
{
    merge_offer_frames(rd->site, rd->owner, rd->frames, rd->nframes, rd->display);
    free(rd->frames);
    rd->frames = NULL;
    rd->nframes = rd->want = 0;
}

static int read_site(preader *rd)
{
    if (!rd->group)
        return fail(rd, "site before its group");
    if (rd->nframes < rd->want)
        return fail(rd, "fewer frame lines than the site said");
    if (need(rd, 16) < 0)
        return -1;
    const char *key = str(rd, 1), *function = str(rd, 2), *owner = str(rd, 3), *file = str(rd, 4);
    int64_t n[11];
    for (size_t i = 0; i < 11; i++)
        if (i64(rd, 5 + i, &n[i]) < 0)
            return -1;
    if (!key || !function || !owner || n[7] < 0 || n[7] > 100000 || n[8] < 0 || (n[7] && n[8] >= n[7]))
        return fail(rd, "bad site line");
    for (size_t i = 4; i < 7; i++)
        if (n[i] < 0)
            return fail(rd, "negative count");
    if (n[10] < 0 || n[10] >= SITE_NKINDS)
        return fail(rd, "unknown site kind");
    ls_acc_site *s = merge_site(&rd->group->sites, key, function);
    s->runtime = n[9] != 0;
    s->kind = (int)n[10];
    if (!s->owner || strcmp(owner, s->owner) < 0)
        s->file = file;
    s->total_allocs += n[0], s->total_bytes += n[1], s->exit_bytes += n[2], s->exit_allocs += n[3];
    s->stacks += (size_t)n[4], s->procs += (size_t)n[5], s->exit_procs += (size_t)n[6];
    rd->site = s;
    rd->owner = owner;
    rd->want = (size_t)n[7];
    rd->display = (size_t)n[8];
    rd->frames = xcalloc(rd->want + 1, sizeof *rd->frames);
    if (!rd->want)
        offer_frames(rd);
    return 0;
}

static int read_loc(preader *rd)
{
    if (!rd->group)
        return fail(rd, "location before its group");
    size_t procs;
    if (need(rd, 4) < 0 || size(rd, 3, &procs) < 0)
        return -1;
    const char *key = str(rd, 1), *function = str(rd, 2);
    if (!key || !function)
        return fail(rd, "bad loc line");
    rd->site = merge_site(&rd->group->locs, key, function);
    rd->site->procs += procs;
    return 0;
}

static int read_frame(preader *rd)
{
    if (!rd->site || rd->nframes >= rd->want)
        return fail(rd, "frame line outside a site's frames");
    int64_t line, inlined, role;
    uint64_t addr;
    if (need(rd, 8) < 0 || i64(rd, 3, &line) < 0 || i64(rd, 6, &inlined) < 0 || i64(rd, 7, &role) < 0)
        return -1;
    if (field_hex(rd->f[5], &addr) < 0)
        return fail(rd, "bad frame address");
    rd->frames[rd->nframes++] = (ls_symframe){ str(rd, 1), str(rd, 2), (int)line, str(rd, 4), addr,
                                               inlined != 0, (int)role };
    if (rd->nframes == rd->want)
        offer_frames(rd);
    return 0;
}

static int read_grow(preader *rd)
{
    ls_acc_grow g;
    int64_t rank, pid;
    if (!rd->site || need(rd, 5) < 0 || dbl_at(rd, 1, &g.rate) < 0 || i64(rd, 2, &rank) < 0 ||
        i64(rd, 3, &pid) < 0)
        return rd->site ? -1 : fail(rd, "grow line outside a site");
    g.rank = rank, g.pid = pid, g.path = str(rd, 4);
    if (!g.path)
        return fail(rd, "grow line without a file");
    VEC_PUSH(rd->site->grow, rd->site->ngrow, rd->site->cap_grow, g);
    return 0;
}

static int read_series(preader *rd, ls_field kind)
{
    if (field_is(kind, "bytes") || field_is(kind, "allocs")) {
        if (!rd->site)
            return fail(rd, "site series outside a site");
        return read_deltas(rd, field_is(kind, "bytes") ? &rd->site->bytes : &rd->site->allocs);
    }
    if (!rd->group)
        return fail(rd, "metric series outside a group");
    int k = 0;
    while (k < LS_METRICS - 1 && !field_is(kind, metric_names[k]))
        k++;
    return read_deltas(rd, &rd->group->metric[k]);
}

static int read_line(preader *rd, const char *line, size_t len)
{
    rd->nf = fields_split(line, len, &rd->f, &rd->cap);
    ls_field k = rd->f[0];
    if (rd->ended)
        return fail(rd, "data after the end line");
    if (rd->nframes < rd->want && !field_is(k, "frame"))
        return fail(rd, "fewer frame lines than the site said");
    if (field_is(k, "event"))
        return read_event(rd);
    if (field_is(k, "skip"))
        return read_skip(rd);
    if (field_is(k, "sample_interval") || field_is(k, "skipped")) {
        size_t v;
        if (need(rd, 2) < 0 || size(rd, 1, &v) < 0)
            return -1;
        if (field_is(k, "skipped"))
            rd->a->skipped += v;
        else if (v > rd->a->sample_interval)
            rd->a->sample_interval = v;
        return 0;
    }
    if (field_is(k, "process"))
        return read_proc(rd);
    if (field_is(k, "group"))
        return read_group(rd);
    if (field_is(k, "site"))
        return read_site(rd);
    if (field_is(k, "frame"))
        return read_frame(rd);
    if (field_is(k, "loc"))
        return read_loc(rd);
    if (field_is(k, "grow"))
        return read_grow(rd);
    if (field_is(k, "bytes") || field_is(k, "allocs"))
        return read_series(rd, k);
    for (int m = 0; m < LS_METRICS; m++)
        if (field_is(k, metric_names[m]))
            return read_series(rd, k);
    if (field_is(k, "end"))
        return rd->ended = 1, 0;
    return 0;   /* unknown line kinds are skipped, as in reports */
}

int partial_read_mem(ls_analysis *a, const char *name, const char *data, size_t len, const ls_options *o,
                     ls_error *err)
{
    preader rd = { .a = a, .o = o, .name = name, .err = err };
    char first[64];
    snprintf(first, sizeof first, "%s%d\n", PARTIAL_MAGIC, PARTIAL_VERSION);
    int rc = 0;
    if (len < strlen(first) || memcmp(data, first, strlen(first))) {
        rd.line = 1;
        rc = fail(&rd, len >= strlen(PARTIAL_MAGIC) && !memcmp(data, PARTIAL_MAGIC, strlen(PARTIAL_MAGIC))
                           ? "unsupported version (this analyzer reads version 1)"
                           : "not a leakstamp partial");
    }
    size_t at = rc ? len : strlen(first);
    rd.line = 1;
    while (rc == 0 && at < len) {
        const char *nl = memchr(data + at, '\n', len - at);
        if (!nl) {
            rd.line++;
            rc = fail(&rd, "last line not ended (the file was cut)");
            break;
        }
        rd.line++;
        rc = read_line(&rd, data + at, (size_t)(nl - (data + at)));
        at = (size_t)(nl - data) + 1;
    }
    if (rc == 0 && rd.nframes < rd.want)
        rc = fail(&rd, "fewer frame lines than the site said");
    if (rc == 0 && (!rd.ended || !rd.seen_event))
        rc = fail(&rd, "no end line (the file was cut)");
    for (size_t i = 0; rc == 0 && i < a->merge->n; i++) {
        const ls_group *g = &a->merge->groups[i];
        for (int k = 0; rc == 0 && k < LS_METRICS; k++)
            if (g->events > g->metric[k].n)
                rc = fail(&rd, "a group has more events than its series");
    }
    free(rd.frames);
    free(rd.f);
    return rc;
}

int partial_read_file(ls_analysis *a, const char *path, const ls_options *o, ls_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        ls_error_set(err, path, 0, "cannot open: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t cap = (size_t)st.st_size + 1, have = 0;
    char *buf = xmalloc(cap);
    ssize_t got;
    while ((got = read(fd, buf + have, cap - have)) > 0)
        if ((have += (size_t)got) == cap)
            buf = xrealloc(buf, cap *= 2);
    close(fd);
    int rc = got < 0 ? (ls_error_set(err, path, 0, "read error: %s", strerror(errno)), -1)
                     : partial_read_mem(a, path, buf, have, o, err);
    free(buf);
    return rc;
}
