/*
 * site_row.h — the ranked site table that TSV (render_tsv.c) and CSV (render_csv.c) share: its
 * columns (docs/cli.md), in order, and how each cell is computed, written once in site_row.c. A
 * format only says how a field is written (site_row_format): TSV replaces TAB/CR/LF, CSV quotes
 * per RFC 4180.
 */
#ifndef LS_SITE_ROW_H
#define LS_SITE_ROW_H

#include <stdio.h>

#include "model/analysis.h"

typedef struct site_row_format {
    char sep;                 /* between fields */
    const char *eol;          /* after the last field */
    /* One field: s, escaped or quoted as the format needs; NULL is an empty field. */
    void (*field)(FILE *out, const char *s);
    /* The stack column, built with frame_name_char already applied to each frame's function name. */
    void (*stack_field)(FILE *out, const char *s);
    /* A character of a frame's function name as it goes into the stack column. */
    char (*frame_name_char)(char c);
} site_row_format;

/* The header row, then one row per site of the merged view, in rank order. */
void site_table_write(FILE *out, const ls_analysis *a, const site_row_format *f);

#endif
