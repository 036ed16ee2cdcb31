/*
 * merge.h — the merged view's accumulators: one per executable (a group), each with one entry per
 * site key. A process is added once, from its own view, and then may be forgotten; the merged view is
 * built from the accumulators alone. Everything summed is an integer (bytes, counts), so the result
 * does not depend on the order processes are added in — which is what makes merging partials give
 * the same answer, byte for byte, as one run over all reports (partial.c, docs/scale.md).
 *
 * Series are combined from each process's own events, without padding: entry k of a site's delta
 * array is the sum, over the processes that have an event k, of their live bytes at event k minus at
 * event k-1 (entry 0: live at their first event). The merged series is the running sum, so a process
 * that ended early adds nothing after its end, and live at the end is the sum of each process's last
 * value. Memory: sites x events per group, plus one entry per growing process of a site.
 */
#ifndef LS_MERGE_H
#define LS_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"

typedef struct ls_deltas {    /* a combined series as deltas (see above) */
    int64_t *d;
    size_t n, cap;
} ls_deltas;

typedef struct ls_acc_grow {  /* one process in which the site leaks by its own verdict */
    double rate;              /* its bytes per event */
    long long rank, pid;      /* rank -1: none */
    const char *path;         /* pooled; breaks ties so the choice of the max is order-free */
} ls_acc_grow;

typedef struct ls_acc_site {
    const char *key, *function;   /* pooled */
    ls_symframe *frames;      /* of the member with the smallest report path (order-free); owned */
    size_t nframes, display;
    const char *owner;        /* that report path */
    ls_deltas bytes, allocs;
    int64_t total_allocs, total_bytes, exit_bytes, exit_allocs;
    size_t stacks, procs, exit_procs;
    ls_acc_grow *grow;
    size_t ngrow, cap_grow;
    int runtime;              /* the runtime's own blocks (runtime.h) */
    int kind;                 /* ls_site_kind (read/report.h): heap or a kind of mapping */
    const char *file;         /* mapping sites: the mapped file (pooled; of the owner, as the frames) */
} ls_acc_site;

typedef struct ls_acc_table {  /* accumulators by key */
    ls_acc_site *v;
    size_t n, cap;
    u64map by_key;
} ls_acc_table;

typedef struct ls_group {
    const char *key;          /* "build-id:<hex>" of the main executable, or "path:<exe>"; pooled */
    const char *exe;          /* the smallest exe path seen; pooled */
    size_t nprocs, events_sum, events, exit_procs;
    int has_tool;             /* a process's reports record the tool's own memory (`toolmem`) */
    ls_deltas metric[LS_METRICS]; /* one per ls_metric, combined as site series are */
    ls_acc_table sites;       /* by site key (a call path) */
    ls_acc_table locs;        /* by location key (locations.c): only processes and grow are used, the
                               * numbers of a location being the sum of its paths' */
} ls_group;

typedef struct ls_merge {
    ls_group *groups;
    size_t n, cap;
    u64map by_key;
} ls_merge;

ls_merge *merge_new(void);
void merge_free(ls_merge *m);

/* The group of key (created with exe when new). */
ls_group *merge_group(ls_merge *m, const char *key, const char *exe);
/* The accumulator of key in t (created empty when new). */
ls_acc_site *merge_site(ls_acc_table *t, const char *key, const char *function);
/* Add deltas d[0..n) (grown to n). */
void merge_add_deltas(ls_deltas *acc, const int64_t *d, size_t n);
/* Keep frames f[0..n) for s when path sorts before the current owner's. */
void merge_offer_frames(ls_acc_site *s, const char *path, const ls_symframe *f, size_t n, size_t display);

/* Add process pi (report still present, own view `own` analysed) to its group. */
void merge_add_proc(ls_analysis *a, size_t pi, const ls_view *own);

/* The group the merged view shows: most events, then most processes, then smallest key (never the
 * order the reports came in). NULL when no process has an event: then all groups are merged. */
const ls_group *merge_choose(const ls_merge *m);

/* Build a->merged from the accumulators and mark each process's info.merged. */
void merge_finish(ls_analysis *a, const ls_options *o);

#endif
