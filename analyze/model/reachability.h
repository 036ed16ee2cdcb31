/*
 * reachability.h — the heap scans' answers per site (docs/report-format.md "Scan record"): how many of
 * its blocks are definite, indirect, possible or reachable at exit, and what holds its blocks at the
 * latest scanned event (at exit when no event was scanned).
 */
#ifndef LS_REACHABILITY_H
#define LS_REACHABILITY_H

#include "read/report.h"

typedef struct ls_retainer {
    ls_held_kind kind;
    const char *function, *file;  /* heap: the holding site's display frame (pooled, NULL unknown) */
    int line;
    const char *symbol;           /* global: the variable; stack, tls: the thread (pooled) */
    const char *module;           /* global: the module's path (pooled) */
    int chain;                    /* a list of the site's own blocks, held by this holder */
    double allocs, bytes;
} ls_retainer;

typedef struct ls_reachability {
    int has_reach;                /* every member's process has an exit scan */
    double allocs[LS_NREACH], bytes[LS_NREACH];
    int has_retainers;
    int retainers_at_exit;        /* from the exit scan (no event was scanned) */
    size_t retainers_event;       /* else the scanned event's number */
    ls_retainer *retainers;       /* most allocations first */
    size_t nretainers, cap_retainers;
} ls_reachability;

struct ls_analysis;
struct ls_site;
void reachability_site(struct ls_analysis *a, struct ls_site *site);
void reachability_free(ls_reachability *r);
const char *reachability_kind_name(ls_held_kind k);
const char *reachability_category_name(int category);   /* LS_DEFINITE.. */
/* "lost: nothing reachable holds them", "a list of its own blocks, held by global g_head (job)", ... (text, HTML) */
void reachability_describe(const ls_retainer *h, char *buf, size_t size);

#endif
