/*
 * render_npy.c — --format npy -o DIR: the numbers behind the plots as NumPy arrays, for people who
 * go on in numpy/pandas/ROOT (np.load needs no parser of ours). Files (docs/exports.md):
 *
 *   stamps.npy        <i8 (stamps, 9): process, event, seq, name, time_us, vm, rss, heap_bytes,
 *                     heap_allocs — every stamp of every process, in file order
 *   live_bytes.npy    <f8 (sites, events): live bytes of each listed site at each analysed event
 *   growth_bytes.npy  <f8 (sites, events): the change of live_bytes over each event (column 0 is the
 *                     level at the first analysed event), so growth.cumsum(axis=1) == live_bytes
 *   index.json        what the rows and the integer codes mean: processes, stamp names, sites
 *
 * The .npy files are format version 1.0 (magic, version, little-endian header length, a Python dict
 * literal padded with spaces to a multiple of 64 bytes and ending in '\n', then the raw data in C
 * order). Values are written byte by byte in little-endian order so a big-endian host writes the
 * same files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "render/export.h"
#include "render/json_writer.h"
#include "base/util.h"

#define STAMP_COLS 9

static void put_u64(FILE *out, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    fwrite(b, 1, 8, out);
}

static void put_f64(FILE *out, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    put_u64(out, v);
}

static void npy_header(FILE *out, const char *descr, size_t rows, size_t cols)
{
    char dict[160];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }",
                     descr, rows, cols);
    size_t total = 10 + (size_t)n + 1;              /* magic+version+len, dict, '\n' */
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)n + pad + 1;
    fwrite("\x93NUMPY\x01\x00", 1, 8, out);
    fputc((int)(hlen & 0xff), out);
    fputc((int)(hlen >> 8), out);
    fwrite(dict, 1, (size_t)n, out);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', out);
    fputc('\n', out);
}

typedef struct names {
    const char **v;
    size_t n, cap;
} names;

static size_t name_code(names *ns, const char *s)
{
    for (size_t i = 0; i < ns->n; i++)
        if (!strcmp(ns->v[i], s))
            return i;
    VEC_PUSH(ns->v, ns->n, ns->cap, s);
    return ns->n - 1;
}

static FILE *open_in(const char *dir, const char *name, char *path, size_t size, ls_error *err)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        ls_error_set(err, path, 0, "cannot write: %s", strerror(errno));
    return f;
}

static int close_file(FILE *f, const char *path, ls_error *err)
{
    int bad = fflush(f) != 0 || ferror(f);
    if (fclose(f) != 0 || bad) {
        ls_error_set(err, path, 0, "write error: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int write_stamps(const char *dir, const ls_analysis *a, names *ns, ls_error *err)
{
    char path[4096];
    size_t rows = 0;
    for (size_t p = 0; p < a->nprocs; p++)
        rows += a->procs[p].r->nstamps;
    FILE *f = open_in(dir, "stamps.npy", path, sizeof path, err);
    if (!f)
        return -1;
    npy_header(f, "<i8", rows, STAMP_COLS);
    for (size_t p = 0; p < a->nprocs; p++) {
        const ls_report *r = a->procs[p].r;
        int64_t event = 0;   /* absolute: event k starts at the k-th stamp of the event name */
        for (size_t i = 0; i < r->nstamps; i++) {
            const ls_stamp *st = &r->stamps[i];
            if (a->event_name && !strcmp(r->names[st->name], a->event_name))
                event++;
            int64_t row[STAMP_COLS] = {
                (int64_t)p, event, (int64_t)st->seq, (int64_t)name_code(ns, r->names[st->name]),
                (int64_t)st->time_us, (int64_t)st->vm, (int64_t)st->rss, st->heap_bytes, st->heap_allocs,
            };
            for (int c = 0; c < STAMP_COLS; c++)
                put_u64(f, (uint64_t)row[c]);
        }
    }
    return close_file(f, path, err);
}

/* live_bytes.npy and growth_bytes.npy, one site (row) at a time */
static int write_matrices(const char *dir, const ls_analysis *a, ls_error *err)
{
    const ls_view *v = &a->merged;
    char lpath[4096], gpath[4096];
    FILE *lf = open_in(dir, "live_bytes.npy", lpath, sizeof lpath, err);
    if (!lf)
        return -1;
    FILE *gf = open_in(dir, "growth_bytes.npy", gpath, sizeof gpath, err);
    if (!gf) {
        fclose(lf);
        return -1;
    }
    npy_header(lf, "<f8", v->norder, v->events);
    npy_header(gf, "<f8", v->norder, v->events);
    double *y = xcalloc(v->events + 1, sizeof *y);
    for (size_t i = 0; i < v->norder; i++) {
        export_site_series(a, v, &v->sites[v->order[i]], y);
        for (size_t e = 0; e < v->events; e++) {
            put_f64(lf, y[e]);
            put_f64(gf, e ? y[e] - y[e - 1] : y[e]);
        }
    }
    free(y);
    int rc = close_file(lf, lpath, err);
    return close_file(gf, gpath, err) < 0 || rc < 0 ? -1 : 0;
}

static void site_json(json_writer *w, const ls_site *s, size_t row)
{
    const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
    json_begin_object(w, NULL);
    json_int(w, "row", (long long)row);
    if (s->rank)
        json_int(w, "rank", (long long)s->rank);
    else
        json_null(w, "rank");
    json_string(w, "verdict", verdict_name(s->g.verdict));
    json_string(w, "kind", site_kind_name(s->kind));
    json_number(w, "bytes_per_event", s->g.bytes_per_event);
    json_string(w, "function", s->function);
    json_string(w, "file", d ? d->file : NULL);
    json_int(w, "line", d ? d->line : 0);
    json_string(w, "module", d ? d->module : NULL);
    json_end_object(w);
}

static int write_index(const char *dir, const ls_analysis *a, const names *ns, ls_error *err)
{
    static const char *const cols[STAMP_COLS] = {
        "process", "event", "seq", "name", "time_us", "vm", "rss", "heap_bytes", "heap_allocs",
    };
    char path[4096];
    FILE *f = open_in(dir, "index.json", path, sizeof path, err);
    if (!f)
        return -1;
    const ls_view *v = &a->merged;
    json_writer w = { .out = f };
    json_begin_object(&w, NULL);
    json_string(&w, "format", "leakstamp-npy");
    json_int(&w, "version", 1);
    json_string(&w, "tool_version", LEAKSTAMP_VERSION);
    json_string(&w, "event_stamp", a->event_name);
    json_int(&w, "first_event", (long long)v->first_event);
    json_int(&w, "events", (long long)v->events);
    json_begin_array(&w, "stamps_columns");
    for (int c = 0; c < STAMP_COLS; c++)
        json_string(&w, NULL, cols[c]);
    json_end_array(&w);
    json_begin_array(&w, "stamp_names");
    for (size_t i = 0; i < ns->n; i++)
        json_string(&w, NULL, ns->v[i]);
    json_end_array(&w);
    json_begin_array(&w, "processes");
    for (size_t p = 0; p < a->nprocs; p++) {
        json_begin_object(&w, NULL);
        json_int(&w, "index", (long long)p);
        json_int(&w, "pid", a->procs[p].r->pid);
        json_string(&w, "report", a->procs[p].r->path);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_begin_array(&w, "sites");
    for (size_t i = 0; i < v->norder; i++)
        site_json(&w, &v->sites[v->order[i]], i);
    json_end_array(&w);
    json_end_object(&w);
    fputc('\n', f);
    return close_file(f, path, err);
}

int render_npy(const char *dir, const ls_analysis *a, const ls_options *o, ls_error *err)
{
    (void)o;
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        ls_error_set(err, dir, 0, "cannot create directory: %s", strerror(errno));
        return -1;
    }
    names ns = { 0 };
    int rc = write_stamps(dir, a, &ns, err);
    if (!rc)
        rc = write_matrices(dir, a, err);
    if (!rc)
        rc = write_index(dir, a, &ns, err);
    free(ns.v);
    return rc;
}
