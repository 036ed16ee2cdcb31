/*
 * analyze_paths.c — see analyze_paths.h. Two passes when reports are not kept: a quick scan of every
 * report for its stamp names (the event stamp is chosen over all of them, events.c), then the analysis
 * proper, one report at a time.
 */
#include "model/analyze_paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "model/partial.h"
#include "read/inputs.h"
#include "read/stamp_scan.h"

enum { NAMED_MAX = 3 };   /* skipped files named in the summary line */

typedef struct skips {
    size_t empty, bad;
    char named_empty[NAMED_MAX][256];
    char named_bad[NAMED_MAX][1024];
} skips;

static int is_partial(const char *path)
{
    char head[sizeof PARTIAL_MAGIC];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, head, sizeof head - 1);
    close(fd);
    return n == (ssize_t)sizeof head - 1 && !memcmp(head, PARTIAL_MAGIC, sizeof head - 1);
}

/* Empty by what a read gives: /proc and /sys files say size 0 and hold text. */
static int is_empty(const char *path)
{
    char byte;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;   /* the full read says why */
    ssize_t n = read(fd, &byte, 1);
    close(fd);
    return n == 0;
}

static void warn_truncated(const ls_report *r, size_t *count)
{
    if (++*count <= NAMED_MAX)
        ls_warn("%s: truncated at line %zu (byte offset %llu): analysed up to the last complete record",
                r->path, r->truncated_line, (unsigned long long)r->truncated_offset);
}

static void skip_bad(skips *sk, const char *why)
{
    if (sk->bad < NAMED_MAX)
        snprintf(sk->named_bad[sk->bad], sizeof sk->named_bad[0], "%s", why);
    sk->bad++;
}

/* One report: NULL when skipped (counted in sk) or, with --strict, failed (err set). */
static ls_report *read_one(const char *path, const ls_options *o, skips *sk, ls_error *err)
{
    if (is_empty(path)) {
        if (sk->empty < NAMED_MAX)
            snprintf(sk->named_empty[sk->empty], sizeof sk->named_empty[0], "%s", path);
        sk->empty++;
        return NULL;
    }
    ls_error e = { 0 };
    ls_report *r = report_read_file(path, &e);
    if (r)
        return r;
    if (o->strict) {
        *err = e;
        return NULL;
    }
    skip_bad(sk, e.msg);
    return NULL;
}

/* With --strict, the first *.lsr entry of a directory that is not a regular file is the error. */
static int unusable_inputs(const ls_inputs *in, const ls_options *o, ls_error *err)
{
    if (o->strict && in->nunusable) {
        ls_error_set(err, NULL, 0, "%s", in->unusable[0]);
        return -1;
    }
    return 0;
}

static void warn_skips(const skips *sk, size_t truncated)
{
    char list[2048];
    size_t len = 0;
    list[0] = '\0';
    if (sk->empty) {
        for (size_t i = 0; i < sk->empty && i < NAMED_MAX; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", sk->named_empty[i]);
        ls_warn("%zu empty report%s skipped (a process that wrote nothing, e.g. killed right after fork): %s%s",
                sk->empty, sk->empty == 1 ? "" : "s", list, sk->empty > NAMED_MAX ? ", ..." : "");
    }
    if (sk->bad) {
        len = 0;
        for (size_t i = 0; i < sk->bad && i < NAMED_MAX && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? "; " : "", sk->named_bad[i]);
        ls_warn("%zu unreadable or corrupt report%s skipped (--strict makes this an error): %s%s", sk->bad,
                sk->bad == 1 ? "" : "s", list, sk->bad > NAMED_MAX ? "; ..." : "");
    }
    if (truncated > NAMED_MAX)
        ls_warn("%zu reports truncated in all (%d named above): each analysed up to its last complete record",
                truncated, NAMED_MAX);
}

/* The event stamp, from --event, the partials, or a census of all reports (read once here when they
 * are kept, else scanned). */
static int choose_event(ls_analysis *a, const ls_options *o, char **files, size_t n, ls_report **kept,
                        ls_error *err)
{
    ls_event_census c = { 0 };
    for (size_t i = 0; i < n; i++) {
        ls_stamp_scan s;
        if (kept) {
            if (!kept[i])
                continue;
            events_scan_of_report(kept[i], &s);
        } else if (stamp_scan_file(files[i], &s) < 0)
            continue;   /* the full read says why */
        events_census_add(&c, &a->pool, &s, files[i]);
        stamp_scan_free(&s);
    }
    int rc = events_pick(a, o, &c, err);
    events_census_free(&c);
    return rc;
}

/* Not one report could be used: the first reason is the error. */
static int nothing_readable(const skips *sk, ls_error *err)
{
    size_t more = sk->bad + sk->empty - 1;
    char also[64] = "";
    if (more)
        snprintf(also, sizeof also, " (and %zu more file%s that cannot be used)", more, more == 1 ? "" : "s");
    if (sk->bad)
        ls_error_set(err, NULL, 0, "%s%s", sk->named_bad[0], also);
    else if (sk->empty)
        ls_error_set(err, sk->named_empty[0], 0, "empty file: the process wrote nothing (killed right after "
                     "fork?)%s", also);
    else
        ls_error_set(err, NULL, 0, "no readable report");
    return -1;
}

static int needs_detail(const ls_options *o, size_t nreports, size_t npartials)
{
    if (o->partial || npartials)
        return 0;
    if (o->per_process >= 0)
        return o->per_process || o->timeline || o->format >= FORMAT_CSV;
    return o->timeline || o->format >= FORMAT_CSV || nreports <= DETAIL_AUTO_MAX;
}

static int cmp_proc_path(const void *x, const void *y)
{
    return strcmp(((const ls_proc *)x)->info.path, ((const ls_proc *)y)->info.path);
}

static int read_partials(ls_analysis *a, char **files, const int *partial, size_t n, const ls_options *o,
                         ls_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (partial[i] && partial_read_file(a, files[i], o, err) < 0)
            return -1;
    return 0;
}

static int analyse_reports(ls_analysis *a, char **files, const int *partial, size_t n, const ls_options *o,
                           int event_known, skips *sk, ls_error *err)
{
    size_t truncated = 0;
    ls_report **kept = a->detail ? xcalloc(n + 1, sizeof *kept) : NULL;
    for (size_t i = 0; kept && i < n && !err->set; i++)
        if (!partial[i])
            kept[i] = read_one(files[i], o, sk, err);
    int rc = err->set ? -1 : 0;
    if (rc == 0 && !event_known)   /* else the partials' */
        rc = choose_event(a, o, files, n, kept, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (partial[i])
            continue;
        ls_report *r = kept ? kept[i] : read_one(files[i], o, sk, err);
        if (kept)
            kept[i] = NULL;
        if (err->set)
            rc = -1;
        if (!r)
            continue;
        if (r->truncated)
            warn_truncated(r, &truncated);
        analysis_add_report(a, r, o);
    }
    for (size_t i = 0; kept && i < n; i++)
        if (kept[i])
            report_free(kept[i]);
    free(kept);
    if (rc == 0 && a->nprocs)
        warn_skips(sk, truncated);
    return rc;
}

ls_analysis *analyze_paths(const char *const *paths, size_t npaths, const ls_options *o, ls_error *err)
{
    ls_inputs_spec spec = { paths, npaths, o->recursive, paths == o->paths ? o->files_from : NULL, o->output };
    ls_inputs in;
    if (inputs_collect(&spec, &in, err) < 0 || unusable_inputs(&in, o, err) < 0) {
        inputs_free(&in);
        return NULL;
    }
    char **files = in.files;
    size_t n = in.n;
    int *partial = xcalloc(n + 1, sizeof *partial);
    size_t npartials = 0;
    for (size_t i = 0; i < n; i++)
        npartials += partial[i] = is_partial(files[i]);
    ls_analysis *a = analysis_new();
    a->detail = needs_detail(o, n - npartials, npartials);
    a->skip = o->skip;
    skips sk = { 0 };
    for (size_t i = 0; i < in.nunusable; i++)
        skip_bad(&sk, in.unusable[i]);
    int rc = read_partials(a, files, partial, n, o, err);
    if (rc == 0 && npartials && (o->timeline || o->format >= FORMAT_CSV))
        ls_error_set(err, NULL, 0, "%s needs the reports themselves: partials keep no per-process detail",
                     o->timeline ? "--timeline" : "this --format"), rc = -1;
    if (rc == 0)
        rc = analyse_reports(a, files, partial, n, o, npartials > 0, &sk, err);
    a->skipped += sk.empty + sk.bad;
    if (rc == 0 && !a->nprocs)
        rc = nothing_readable(&sk, err);
    if (rc == 0 && !a->detail)
        qsort(a->procs, a->nprocs, sizeof *a->procs, cmp_proc_path);
    if (rc == 0)
        rc = analysis_finish(a, o, err);
    inputs_free(&in);
    free(partial);
    if (rc < 0) {
        analysis_free(a);
        return NULL;
    }
    return a;
}
