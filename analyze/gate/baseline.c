/*
 * baseline.c — reading a baseline and comparing sites with it (see baseline.h).
 */
#include "gate/baseline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/analyze_paths.h"
#include "gate/json_reader.h"
#include "base/util.h"

#define BASELINE_MAX_BYTES (256u << 20)

static void add_site(baseline *b, const char *function, const char *file, int line, int leak, double bpe,
                     double ape, double exit_bytes)
{
    baseline_site s = { xstrdup(function), file ? xstrdup(file) : NULL, line, leak, bpe, ape, exit_bytes };
    VEC_PUSH(b->sites, b->n, b->cap, s);
}

/* A number, or `dflt` for null/absent; -1 for another type. */
static int number_or_default(const jv *v, double dflt, double *out)
{
    if (!v || v->type == JV_NULL) {
        *out = dflt;
        return 0;
    }
    if (v->type != JV_NUMBER)
        return -1;
    *out = v->number;
    return 0;
}

int baseline_load_json(baseline *b, const char *name, const char *data, size_t len, ls_error *err)
{
    jv *root = json_parse(name, data, len, err);
    if (!root)
        return -1;
    const jv *sites = json_get(root, "sites");
    int rc = 0;
    if (!sites || sites->type != JV_ARRAY) {
        ls_error_set(err, name, 0, "baseline: not a leakstamp JSON report (no \"sites\" array)");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < sites->n; i++) {
        const jv *s = &sites->items[i];
        const jv *fn = json_get(s, "function"), *file = json_get(s, "file"), *verdict = json_get(s, "verdict");
        double line, bpe, ape, ex;
        const char *bad = NULL;
        if (s->type != JV_OBJECT)
            bad = "not an object";
        else if (!fn || fn->type != JV_STRING)
            bad = "\"function\" is missing or not a string";
        else if (file && file->type != JV_STRING && file->type != JV_NULL)
            bad = "\"file\" is not a string";
        else if (!verdict || verdict->type != JV_STRING)
            bad = "\"verdict\" is missing or not a string";
        else if (number_or_default(json_get(s, "line"), 0, &line) < 0 || line < 0 || line > 1e9)
            bad = "\"line\" is not a line number";
        else if (number_or_default(json_get(s, "bytes_per_event"), 0, &bpe) < 0 ||
                 number_or_default(json_get(s, "allocs_per_event"), 0, &ape) < 0 ||
                 number_or_default(json_get(s, "live_bytes_exit"), 0, &ex) < 0)
            bad = "a byte or allocation count is not a number";
        if (bad) {
            ls_error_set(err, name, 0, "baseline: sites[%zu]: %s", i, bad);
            rc = -1;
            break;
        }
        add_site(b, fn->str, file && file->type == JV_STRING ? file->str : NULL, (int)line,
                 !strcmp(verdict->str, "leak"), bpe, ape, ex);
    }
    json_free(root);
    return rc;
}

static int load_reports(baseline *b, const char *path, const ls_options *o, ls_error *err)
{
    const char *paths[] = { path };
    ls_error inner = { 0 };
    ls_analysis *a = analyze_paths(paths, 1, o, &inner);
    if (!a) {
        ls_error_set(err, NULL, 0, "--baseline: %s", inner.msg);
        return -1;
    }
    for (size_t i = 0; i < a->merged.nsites; i++) {
        const ls_site *s = &a->merged.sites[i];
        const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
        add_site(b, s->function, d ? d->file : NULL, d ? d->line : 0, s->g.verdict == VERDICT_LEAK,
                 s->g.bytes_per_event, s->g.allocs_per_event, s->has_exit ? s->live_bytes_exit : 0);
    }
    analysis_free(a);
    return 0;
}

int baseline_load(baseline *b, const char *path, const ls_options *o, ls_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        ls_error_set(err, NULL, 0, "--baseline %s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return load_reports(b, path, o, err);
    FILE *f = S_ISREG(st.st_mode) ? fopen(path, "rb") : NULL;
    if (!f) {
        ls_error_set(err, NULL, 0, "--baseline %s: cannot read: %s", path, S_ISREG(st.st_mode) ? strerror(errno)
                                                                                     : "not a regular file");
        return -1;
    }
    size_t cap = 65536, len = 0, got;
    char *buf = xmalloc(cap);
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            if (cap >= BASELINE_MAX_BYTES)
                break;
            buf = xrealloc(buf, cap *= 2);
        }
    }
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad) {
        ls_error_set(err, path, 0, "--baseline: read error");
        rc = -1;
    } else if (len >= BASELINE_MAX_BYTES) {
        ls_error_set(err, path, 0, "--baseline: larger than %u MiB, not a JSON report", BASELINE_MAX_BYTES >> 20);
        rc = -1;
    } else if (len >= 17 && !memcmp(buf, "leakstamp-report\t", 17))
        rc = load_reports(b, path, o, err);
    else
        rc = baseline_load_json(b, path, buf, len, err);
    free(buf);
    return rc;
}

void baseline_free(baseline *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->sites[i].function);
        free(b->sites[i].file);
    }
    free(b->sites);
    memset(b, 0, sizeof *b);
}

static int same_file(const char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    return !strcmp(path_base(a), path_base(b));
}

const baseline_site *baseline_find(const baseline *b, const char *function, const char *file, int line)
{
    const baseline_site *best = NULL;
    long best_dist = 0;
    for (size_t i = 0; i < b->n; i++) {
        const baseline_site *s = &b->sites[i];
        if (strcmp(s->function, function) || !same_file(s->file, file))
            continue;
        long dist = labs((long)s->line - (long)line);
        /* equally near: the one that leaked more before, so the comparison is the lenient one */
        int better = !best || dist < best_dist ||
                     (dist == best_dist && (s->leak > best->leak ||
                                            (s->leak == best->leak && s->bytes_per_event > best->bytes_per_event) ||
                                            (s->leak == best->leak && s->bytes_per_event == best->bytes_per_event &&
                                             s->live_bytes_exit > best->live_bytes_exit)));
        if (better) {
            best = s;
            best_dist = dist;
        }
    }
    return best;
}

int baseline_accepts(double base, double cur, double margin, double tolerance)
{
    if (!(base > 0))
        return 0;
    double slack = base * tolerance > margin ? base * tolerance : margin;
    return cur <= base + slack;
}
