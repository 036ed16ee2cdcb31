/*
 * report.h — one parsed per-process report file (docs/report-format.md, version 1) in memory.
 *
 * The reader (report_reader.c) fills this; everything after it (symbolize, series, verdict, renderers)
 * only reads it. A `site` in the format is identified by its stack id, so each ls_stack also carries
 * that site's history (a compact stream of its absolute live totals at the stamps where they changed)
 * and its live totals from the exit record.
 */
#ifndef LS_REPORT_H
#define LS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "read/site_stream.h"
#include "read/u64map.h"

typedef struct ls_module {
    uint64_t mid;
    uint64_t lo, hi, bias;
    char *build_id; /* lower-case hex, or NULL when the writer wrote `-` */
    char *path;
} ls_module;

typedef struct ls_frame {
    uint32_t module; /* index into ls_report.modules + 1; 0 for a `?:<address>` frame */
    uint64_t addr;   /* address in the module's ELF file (a return address), or the raw address */
} ls_frame;

/* What a site holds: heap blocks, or mappings made outside malloc (`map` lines, by kind). */
typedef enum { SITE_HEAP, SITE_MMAP, SITE_MMAP_FILE, SITE_MMAP_SHARED, SITE_NKINDS } ls_site_kind;
const char *site_kind_name(int kind);            /* "heap", "mmap", "mmap-file", "mmap-shared" */
int site_kind_parse(const char *s, size_t n);    /* -1 if unknown */

/* Heap scans (docs/report-format.md "Scan record"): who holds a site's blocks, and how many are lost. */
typedef enum ls_held_kind { LS_HELD_HEAP, LS_HELD_GLOBAL, LS_HELD_STACK, LS_HELD_TLS, LS_HELD_LOST } ls_held_kind;
enum { LS_DEFINITE, LS_INDIRECT, LS_POSSIBLE, LS_REACHABLE, LS_NREACH };

typedef struct ls_held {
    ls_held_kind kind;
    uint64_t holder_sid;      /* heap: the holding blocks' stack */
    char *name;               /* global: the variable (or 0x<file address>); stack, tls: the thread */
    char *module;             /* global: the module's path; else NULL */
    int chain;                /* reached through blocks of its own site first (a list) */
    int64_t allocs, bytes;
} ls_held;

typedef struct ls_stack_scan {   /* one stack's lines of one scan record */
    int present;
    int64_t allocs[LS_NREACH], bytes[LS_NREACH];
    ls_held *held;            /* largest first */
    size_t nheld, cap_held;
} ls_stack_scan;

typedef struct ls_scan {
    int at_exit;              /* label `exit`; else `event` */
    uint64_t seq, event, time_us, blocks, root_bytes, fork_us, scan_us, mapped_bytes;
} ls_scan;

typedef struct ls_stack {
    uint64_t sid;
    int kind;                 /* ls_site_kind; a mapping site is its own entry, with its stack's frames */
    char *file;               /* mapping sites: the file of the first file-backed mapping, or NULL */
    int used;                 /* counted by some line (a stack defined only for mapping sites is not) */
    int truncated;
    uint32_t nframes;
    ls_frame *frames;
    ls_site_stream history;   /* live allocs/bytes at the stamps where they changed */
    int64_t total_allocs, total_bytes; /* last seen totals ever allocated here */
    int has_exit;             /* a `live` line in the (last) exit record */
    int64_t exit_allocs, exit_bytes;
    ls_stack_scan scan_exit;  /* from the last exit scan */
    ls_stack_scan scan_event; /* from the scan at the latest scanned event */
} ls_stack;

typedef struct ls_stamp {
    uint64_t seq;
    uint32_t name;            /* index into ls_report.names */
    uint64_t time_us;
    uint64_t vm, rss;
    int64_t heap_bytes, heap_allocs;
    uint64_t alloc_calls, free_calls;
    int64_t mapped_bytes, mapped_count;  /* `mapped` line: tracked mappings (0 without one) */
    uint64_t tool_vm, tool_rss;   /* `toolmem` line: the tool's own mappings (0 without one) */
    int has_tool;
} ls_stamp;

typedef struct ls_exit {
    int present;
    char *reason;
    uint64_t time_us, vm, rss;
    int64_t heap_bytes, heap_allocs;
    uint64_t alloc_calls, free_calls, last_seq;
    int64_t mapped_bytes, mapped_count;
    uint64_t tool_vm, tool_rss;
    int has_tool;
} ls_exit;

typedef struct ls_report {
    char *path;               /* as given on the command line, for messages */
    int version;
    char *tool_version;
    long long pid, ppid;
    char *host, *uname, *user, *cwd, *exe, *start_iso, *mode;
    long long uid;
    uint64_t start_us, sample_interval;
    long long depth;
    size_t argc;
    char **argv;
    size_t nmeta;
    char **meta;              /* name, value, name, value, ... */
    char *event_hint;         /* header `event`: the default event stamp name, or NULL */
    long long rank;           /* header `rank` (batch rank), -1 when absent */
    char *job;                /* header `job` (batch job id), or NULL */

    ls_module *modules;
    size_t nmodules, cap_modules;
    u64map module_ids;        /* mid -> index */

    ls_stack *stacks;
    size_t nstacks, cap_stacks;
    u64map stack_ids;         /* sid -> index (heap sites and stack definitions) */
    u64map map_ids;           /* sid * SITE_NKINDS + kind -> index of a mapping site */

    ls_stamp *stamps;
    size_t nstamps, cap_stamps;
    char **names;             /* distinct stamp names, in order of first appearance */
    size_t nnames, cap_names;

    ls_exit exit;

    ls_scan *scans;           /* every scan record, in file order */
    size_t nscans, cap_scans;
    size_t exit_scan, event_scan; /* 1 + index in scans of the last exit scan / latest event scan; 0: none */

    int truncated;            /* data after the last complete record was ignored */
    size_t truncated_line;    /* first line of the ignored part (1-based) */
    uint64_t truncated_offset;/* its byte offset */
} ls_report;

/* Parse the report at `path`. NULL and err set (naming file and line) on any bad input. */
ls_report *report_read_file(const char *path, ls_error *err);
/* Same, from memory; `name` is used in messages. */
ls_report *report_read_mem(const char *name, const char *data, size_t len, ls_error *err);
void report_free(ls_report *r);

/* The process's command line as one string (argv joined by spaces, else exe), for titles. */
void report_command_line(const ls_report *r, char *buf, size_t size);

/* Index of stamp name `name`, or -1. */
long report_name_index(const ls_report *r, const char *name);

#endif
