/*
 * analysis.h — the result of analysing a set of reports: the event series chosen, every process with
 * its symbolized stacks, a merged view of all processes and one view per process, each with its sites
 * (growth, verdict, rank) and whole-process growth. Renderers read only this.
 *
 * Pipeline (analysis.c): choose the event stamp (events.c) -> symbolize and key every stack
 * (symbolize.c, frames.c) -> group stacks into sites per view -> series (series.c) -> verdict
 * (verdict.c) -> whole-process fit (process_growth.c) -> order (rank.c) -> timeline (timeline.c).
 */
#ifndef LS_ANALYSIS_H
#define LS_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "options.h"
#include "read/report.h"
#include "read/strpool.h"
#include "model/symbolize.h"
#include "read/u64map.h"
#include "model/verdict.h"
#include "model/reachability.h"

typedef struct ls_proc {
    ls_report *r;
    uint32_t *bounds;         /* stamp indexes of the analysed event boundaries */
    size_t nbounds;           /* analysed events */
    size_t total_events;      /* events before --skip */
    ls_symframe **frames;     /* per stack: symbolized frames (inlined frames expanded) */
    size_t *nframes, *display;
    const char **keys;        /* per stack: site key (frames.h) */
    uint32_t *site_in_own_view; /* per stack: its site in this process's own view */
    unsigned char *runtime;   /* per stack: RUNTIME_* (runtime.h) */
    int merged;               /* part of the merged view (analysis.c, choose_merged) */
} ls_proc;

typedef struct ls_member {
    uint32_t proc, stack;
} ls_member;

typedef struct ls_site {
    const char *key;
    int kind;                 /* ls_site_kind (read/report.h): heap, or the kind of mapping */
    const char *file;         /* mapping sites: the mapped file of the first member that names one */
    const ls_symframe *frames; /* of the first member */
    size_t nframes, display;
    const char *function;     /* display frame's label */
    ls_member *members;
    size_t nmembers, cap_members;
    ls_growth g;
    double live_bytes_end, live_allocs_end;   /* at the last analysed event boundary */
    int has_exit;             /* every member's process has an exit record */
    double live_bytes_exit, live_allocs_exit;
    double total_allocs, total_bytes;         /* ever allocated here (latest totals seen) */
    size_t since_event;       /* absolute event number growth started in; 0: none */
    size_t rank;              /* 1.. for leaks; 0: not ranked */
    int runtime;              /* the runtime's own blocks made on the job's behalf (runtime.h) */
    double live_bytes_start;  /* at the first analysed event boundary */
    size_t *paths;            /* a location (locations.c): its sites, largest share of growth first */
    size_t npaths, cap_paths;
    size_t location;          /* a site: its location in the view's locs */
    ls_reachability reach;    /* heap scans (reachability.c) */
} ls_site;

typedef struct ls_fitline {
    double slope, intercept;  /* bytes per event; bytes at event 0 */
} ls_fitline;

/* The process view: RSS growth = heap + tracked mappings + the tool's own + unexplained. */
typedef struct ls_process_growth {
    ls_fitline rss, vm, heap;
    ls_fitline mapped;        /* tracked mappings outside malloc (`mapped` lines) */
    /* The tool's own tables (reports with `toolmem` lines): their RSS and VM, kept apart. */
    ls_fitline tool_rss, tool_vm;
    int has_tool;
    double unexplained;       /* RSS slope, less the tool's own, not explained by heap + mapped slopes */
} ls_process_growth;

typedef struct ls_view {
    size_t *procs;
    size_t nprocs;
    size_t events;            /* length of the series */
    size_t first_event;       /* absolute number of series index 0 (--skip + 1) */
    ls_site *sites;
    size_t nsites, cap_sites;
    u64map by_key;
    size_t *order;            /* sites to show, best first (rank.c) */
    size_t norder;
    /* allocation locations (locations.c): the sites grouped by their display frame (function, file,
     * line), each an ls_site of its own whose members are those of its paths (its sites) */
    ls_site *locs;
    size_t nlocs, cap_locs;
    u64map loc_by_key;
    size_t *loc_order;        /* locations to show, best first (rank.c) */
    size_t nloc_order;
    ls_process_growth growth;
} ls_view;

struct ls_timeline;

typedef struct ls_analysis {
    ls_proc *procs;
    size_t nprocs;
    const char *event_name;   /* pooled; NULL when no report has a stamp */
    size_t skip;
    ls_view merged;
    ls_view *per_proc;
    struct ls_timeline *timelines; /* one per process when --timeline was given, else NULL */
    strpool pool;
    ls_symbolizer *sym;
} ls_analysis;

/* Takes ownership of the reports (freed by analysis_free, also on failure). NULL with err set when an
 * option does not fit the data (unknown --event, --skip past the end, --timeline past the end). */
ls_analysis *analysis_run(ls_report **reports, size_t n, const ls_options *o, ls_error *err);
void analysis_free(ls_analysis *a);

/* The largest mean sampling interval of the analysed reports (header `mode sampled N`), 0 when every
 * report was recorded in exact mode: then site numbers are exact counts, otherwise estimates. */
uint64_t analysis_sample_interval(const ls_analysis *a);

/* events.c: choose the event stamp name and each process's boundaries. */
int events_choose(ls_analysis *a, const ls_options *o, ls_error *err);

/* process_growth.c */
void process_growth_fit(const ls_analysis *a, ls_view *v, double *scratch);

/* A mapping site is another site (and location) than the heap site of the same stack: its key,
 * interned, names the kind; a heap key is returned as it is (analysis.c). */
const char *analysis_kind_key(ls_analysis *a, int site_kind, const char *key);

/* rank.c: v->order over the sites, v->loc_order over the locations */
void rank_view(ls_view *v, const ls_options *o);

/* analysis.c: a site's series, totals and verdict from its members (scratch: 4 * v->events + 1). */
void analysis_site_numbers(const ls_analysis *a, const ls_view *v, ls_site *site, double *scratch);

/* locations.c: group the analysed sites of a view into locations and analyse each. */
void locations_build(ls_analysis *a, ls_view *v, double *scratch);

/* Share of a location's growth that one of its paths holds, 0..1 (by net growth over the run). */
double location_path_share(const ls_site *loc, const ls_site *path);

#endif
