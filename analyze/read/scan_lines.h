/*
 * scan_lines.h — the scan record's lines (docs/report-format.md "Scan record"), parsed while the
 * record is open and applied to the report when its `end scan` line arrives, as every record is.
 * Kept apart from report_reader.c, which only dispatches the line kinds `scan`, `reach` and `held`.
 */
#ifndef LS_SCAN_LINES_H
#define LS_SCAN_LINES_H

#include "read/report.h"
#include "read/report_fields.h"

typedef struct ls_scan_line {   /* a `reach` or `held` line */
    uint64_t sid;
    int is_held;
    int64_t allocs[LS_NREACH], bytes[LS_NREACH];   /* reach */
    ls_held held;
    size_t line;
} ls_scan_line;

typedef struct ls_scan_pending {
    int has_scan;
    ls_scan head;
    ls_scan_line *lines;
    size_t nlines, cap_lines;
} ls_scan_pending;

/* Each returns NULL, or what is wrong with the line (for the reader's record error). */
const char *scan_parse_head(ls_scan_pending *p, const ls_field *f, size_t n);
const char *scan_parse_line(ls_scan_pending *p, const ls_field *f, size_t n, size_t lineno, int is_held);
/* Apply a complete record. NULL, or the error and *line of the line that names no stack. */
const char *scan_commit(ls_report *r, ls_scan_pending *p, size_t *line);
void scan_pending_reset(ls_scan_pending *p);
void scan_pending_free(ls_scan_pending *p);
void scan_stack_free(ls_stack *s);
int scan_end_label_ok(const ls_scan_pending *p, ls_field label);

#endif
