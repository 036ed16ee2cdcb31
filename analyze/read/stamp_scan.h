/*
 * stamp_scan.h — a quick pass over a report for what must be known before any report is analysed:
 * the stamp names it uses (how often) and its header `event` hint. The event stamp is chosen over all
 * reports (model/events.c), and with many reports they are analysed one at a time and not kept, so the
 * choice is made first, from this scan, which reads only the `event` and `stamp` lines.
 */
#ifndef LS_STAMP_SCAN_H
#define LS_STAMP_SCAN_H

#include <stddef.h>

typedef struct ls_stamp_name {
    char *name;               /* unescaped, malloc'd */
    size_t count;
} ls_stamp_name;

typedef struct ls_stamp_scan {
    ls_stamp_name *names;      /* in order of first appearance */
    size_t nnames, cap;
    char *hint;               /* header `event`, or NULL */
} ls_stamp_scan;

/* 0 on success, -1 when the file cannot be read (the full read reports why). */
int stamp_scan_file(const char *path, ls_stamp_scan *out);
void stamp_scan_free(ls_stamp_scan *s);

#endif
