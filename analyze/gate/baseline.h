/*
 * baseline.h — the gate's --baseline: what an earlier run leaked, so that a job that already leaks can
 * adopt the gate and fail only on what is new or worse.
 *
 * A baseline is read from a JSON report (`leakstamp report --format json`, keys of
 * docs/json-schema.md; only "sites" with function/file/line/verdict/bytes_per_event/allocs_per_event/
 * live_bytes_exit are used) or from report files / a report directory, analysed with the current
 * options. A current site matches a baseline site with the same function and the same source file
 * name (basename: the checkout may live elsewhere); among several, the nearest line wins, so an edit
 * above the leak does not make it "new".
 */
#ifndef LS_BASELINE_H
#define LS_BASELINE_H

#include <stddef.h>

#include "base/diag.h"
#include "options.h"

typedef struct baseline_site {
    char *function, *file;    /* file may be NULL */
    int line;                 /* 0 when unknown */
    int leak;                 /* verdict was leak */
    double bytes_per_event, allocs_per_event;
    double live_bytes_exit;   /* 0 when null */
} baseline_site;

typedef struct baseline {
    baseline_site *sites;
    size_t n, cap;
} baseline;

/* From a path: directory or report file (starts with "leakstamp-report") or JSON. -1 with err. */
int baseline_load(baseline *b, const char *path, const ls_options *o, ls_error *err);
/* From JSON text (`name` for messages). -1 with err "NAME:LINE: ..." or "NAME: baseline: ...". */
int baseline_load_json(baseline *b, const char *name, const char *data, size_t len, ls_error *err);
void baseline_free(baseline *b);

const baseline_site *baseline_find(const baseline *b, const char *function, const char *file, int line);

/* Whether `cur` is within the baseline value `base`: base > 0 and cur <= base + max(margin, base ×
 * tolerance). A zero base means the site did not grow (or hold memory) before: never accepted. */
int baseline_accepts(double base, double cur, double margin, double tolerance);

#endif
