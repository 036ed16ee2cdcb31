/*
 * analysis.h — the result of analysing a set of reports: the event series chosen, every process with
 * its symbolized stacks, a merged view of all processes and one view per process, each with its sites
 * (growth, verdict, rank) and whole-process growth. Renderers read only this.
 *
 * Pipeline (scale.c drives it over the input files): choose the event stamp over all reports
 * (events.c) -> then one report at a time: symbolize and key every stack (symbolize.c, frames.c) ->
 * its own view (analysis.c: sites, series.c, verdict.c, process_growth.c, rank.c) -> add it to its
 * executable's accumulator (merge.c) and keep its summary (ls_proc_info); the report itself and its
 * own view are kept only when per-process detail is (--per-process, or few processes) -> the merged
 * view from the chosen executable's accumulator (merge.c) -> timeline (timeline.c, detail only).
 * A partial (partial.c) is the accumulators and summaries written out; merging partials fills them back.
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
#include "read/stamp_scan.h"

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

enum { LS_METRICS = 7 };      /* every series.h ls_metric, METRIC_RSS .. METRIC_TOOL_VM */

/* What is kept of every process, also when its report is not (strings pooled in ls_analysis.pool). */
typedef struct ls_proc_info {
    const char *path, *host, *exe, *mode, *command, *exit_reason, *job, *group;
    long long pid, ppid;
    long long rank;           /* batch rank (docs/report-format.md "Batch identity"); -1: none */
    size_t events, total_events, stamps, truncated_line;
    int truncated, exit_present, merged;
    uint64_t sample_interval;
    ls_process_growth growth; /* of its own view */
    size_t leaks;             /* sites of its own view with verdict leak */
    double worst;             /* largest bytes/event of those, 0 without */
    double live_exit_bytes;   /* live in its exit record, summed over its stacks */
} ls_proc_info;

typedef struct ls_proc {
    ls_proc_info info;
    ls_report *r;             /* NULL once analysed unless per-process detail is kept */
    uint32_t *bounds;         /* stamp indexes of the analysed event boundaries */
    size_t nbounds;           /* analysed events */
    size_t total_events;      /* events before --skip */
    ls_symframe **frames;     /* per stack: symbolized frames (inlined frames expanded) */
    size_t *nframes, *display;
    const char **keys;        /* per stack: site key (frames.h) */
    uint32_t *site_in_own_view; /* per stack: its site in this process's own view */
    unsigned char *runtime;   /* per stack: RUNTIME_* (runtime.h) */
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
    /* spread over processes (docs/statistics.md "Many processes") */
    size_t stacks;            /* recorded stacks making up the site, over the view's processes */
    size_t processes;         /* processes that have the site */
    size_t processes_growing; /* of those, processes whose own verdict for it is leak */
    double pp_median, pp_max; /* bytes/event over the growing processes */
    long long pp_max_rank, pp_max_pid; /* of the process with pp_max; -1: none / not known */
    double worst;             /* what ranking uses: pp_max, at least bytes/event per process */
    double *series_bytes, *series_allocs; /* merged view only: the combined series (merge.c) */
} ls_site;

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
    double *series_metric[LS_METRICS]; /* merged view only: the ls_metric series combined (merge.c) */
    size_t exit_procs;        /* processes of the view with an exit record */
} ls_view;

struct ls_timeline;
struct ls_merge;

typedef struct ls_name_count {
    const char *name;         /* pooled */
    size_t count;
} ls_name_count;

/* Stamp names and hints over all reports, for the choice of the event stamp (events.c). */
typedef struct ls_event_census {
    ls_name_count *counts;
    size_t n, cap;
    const char **hints;       /* distinct header `event` hints, in order of first appearance */
    size_t nhints, cap_hints;
    const char *unentered_path, *unentered_hint; /* first report whose hint names none of its stamps */
} ls_event_census;

typedef struct ls_analysis {
    ls_proc *procs;
    size_t nprocs;
    const char *event_name;   /* pooled; NULL when no report has a stamp */
    size_t skip;
    ls_view merged;
    ls_view *per_proc;        /* each process's own view; NULL unless per-process detail is kept */
    struct ls_timeline *timelines; /* one per process when --timeline was given, else NULL */
    strpool pool;
    ls_symbolizer *sym;
    struct ls_merge *merge;   /* the accumulators per executable (merge.c) */
    uint64_t sample_interval; /* the largest over all processes (analysis_sample_interval) */
    size_t cap_procs;
    size_t skipped;           /* reports skipped as empty, corrupt or unreadable (scale.c) */
    int detail;               /* reports and per-process views are kept */
} ls_analysis;

ls_analysis *analysis_new(void);
void analysis_free(ls_analysis *a);

/* Analyse report r (taking it) as a new process: its own view, its summary, its part of the merged
 * accumulators. With a->detail (set before the first) the report and own view stay. */
void analysis_add_report(ls_analysis *a, ls_report *r, const ls_options *o);
/* A new zeroed process at the end of a->procs (partial.c fills its info alone). */
ls_proc *analysis_new_proc(ls_analysis *a);

/* After the last report: the merged view (and with detail its members, the timelines). NULL-safe err. */
int analysis_finish(ls_analysis *a, const ls_options *o, ls_error *err);

/* The largest mean sampling interval of the analysed reports (header `mode sampled N`), 0 when every
 * report was recorded in exact mode: then site numbers are exact counts, otherwise estimates. */
uint64_t analysis_sample_interval(const ls_analysis *a);

/* Index of the process the merged view is best named by: the merged one with the most events. */
size_t analysis_main_proc(const ls_analysis *a);

/* events.c: the census and choice of the event stamp name, and each process's boundaries. */
void events_census_add(ls_event_census *c, strpool *pool, const ls_stamp_scan *s, const char *path);
void events_census_free(ls_event_census *c);
void events_scan_of_report(const ls_report *r, ls_stamp_scan *s);
int events_pick(ls_analysis *a, const ls_options *o, const ls_event_census *c, ls_error *err);
void events_bounds(ls_proc *p, const char *name, size_t skip);
int events_check_skip(const ls_analysis *a, size_t most_events, ls_error *err);

/* process_growth.c: a view's fits from its processes' reports, or from combined series y (ls_metric). */
void process_growth_fit(const ls_analysis *a, ls_view *v, double *scratch);
void process_growth_fit_series(ls_view *v, double *const y[LS_METRICS], int has_tool, double *scratch);

/* A mapping site is another site (and location) than the heap site of the same stack: its key,
 * interned, names the kind; a heap key is returned as it is (analysis.c). */
const char *analysis_kind_key(ls_analysis *a, int site_kind, const char *key);

/* rank.c: v->order over the sites, v->loc_order over the locations */
void rank_view(ls_view *v, const ls_options *o);

/* analysis.c: live at start and end, verdict and "since" of a site whose series and totals are known
 * (scratch: 2 * v->events doubles). */
void analysis_classify(const ls_view *v, ls_site *site, const double *bytes, const double *allocs,
                       double sample_interval, double *scratch);

/* analysis.c: a site's series, totals and verdict from its members (scratch: 4 * v->events + 1). */
void analysis_site_numbers(const ls_analysis *a, const ls_view *v, ls_site *site, double *scratch);

/* locations.c: group the analysed sites of a view into locations and analyse each. */
void locations_build(ls_analysis *a, ls_view *v, double *scratch);

/* Share of a location's growth that one of its paths holds, 0..1 (by net growth over the run). */
double location_path_share(const ls_site *loc, const ls_site *path);

#endif
