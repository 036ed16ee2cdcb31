/*
 * gate_result.h — what the gate decided: the failing sites (gate_item) and the totals and verdict
 * (gate_result). Filled by gate.c, written out by gate_output.c (table, GitHub annotations) and by
 * junit.c (JUnit XML). junit.c needs only this header, not gate.h, so gate.c -> junit.h -> here is
 * one way.
 */
#ifndef LS_GATE_RESULT_H
#define LS_GATE_RESULT_H

#include <stddef.h>

#include "model/symbolize.h"

/* One failing site. */
enum { GATE_KIND_GROWTH, GATE_KIND_EXIT };

typedef struct gate_item {
    int kind;
    int site_kind;                          /* ls_site_kind: heap, or a kind of mapping */
    const char *function, *file, *module;   /* pooled in the analysis */
    int line;
    double bytes_per_event, allocs_per_event;
    size_t since_event;                     /* 0: unknown */
    double exit_bytes, exit_allocs;
    int baselined;                          /* a baseline was given */
    double base;                            /* its value for the site (0: new) */
    const ls_symframe *frames;
    size_t nframes, display;
} gate_item;

typedef struct gate_result {
    int growth, exit;             /* which checks ran */
    size_t events;                /* analysed events (growth) */
    const char *event_name;
    char command[512];            /* the job's command line, for titles */
    gate_item *items;
    size_t nitems, cap_items;
    size_t suppressed, baselined, checked_sites;
    size_t below;                           /* leak sites that grow, but not above --max-growth / --max-live */
    size_t system_stacks, runtime_stacks;   /* exit check: stacks ignored by rule / built-in suppressions */
    size_t procs, procs_without_exit;
    int job_status;               /* exit code, GATE_JOB_SIGNALED + signal, -1 unknown */
    int code;                     /* the exit code */
    char verdict[512];            /* the one-line verdict, without the "leakstamp gate: " prefix */
} gate_result;

/* gate_output.c: the text of one item or of the job's exit status, shared by the table and JUnit. */
/* "function  file:line" frame lines of an item's stack, one per line, "> " marking the display
 * frame; returns a malloc'd string. */
char *gate_stack_text(const gate_item *it);
/* "+4.00 KiB/event, +1 allocation/event since event 1" or "120.00 KiB in 30 allocations live at exit" */
void gate_item_summary(const gate_item *it, char *buf, size_t size);
/* The job's status: an exit code 0..255, or GATE_JOB_SIGNALED + N for a death by signal N (so that an
 * exit code of 139 and SIGSEGV stay apart; --job-status takes the shell's 128+N and converts). */
#define GATE_JOB_SIGNALED 256
void gate_job_status_text(int status, char *buf, size_t size);

#endif
