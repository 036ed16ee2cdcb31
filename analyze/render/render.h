/*
 * render.h — the three output formats of an analysis. Text is for people (render_text.c), JSON is
 * the documented contract for programs (render_json.c, docs/json-schema.md), TSV is for spreadsheets
 * and pandas (render_tsv.c). All read the same ls_analysis; none computes anything new.
 */
#ifndef LS_RENDER_H
#define LS_RENDER_H

#include <stdio.h>

#include "model/analysis.h"
#include "options.h"

void render_text(FILE *out, const ls_analysis *a, const ls_options *o);
void render_json(FILE *out, const ls_analysis *a, const ls_options *o);

/* render_procs.c: the text report's process section; growth_lines (render_text.c) is the whole-process
 * fit as text lines, each starting with indent. */
void render_processes(FILE *out, const ls_analysis *a);
void growth_lines(FILE *out, const ls_process_growth *g, const char *indent);
/* A helper: a process of another program, with no events and no leak (a shell shim, env). */
int render_is_helper(const ls_proc_info *p);
void render_tsv(FILE *out, const ls_analysis *a, const ls_options *o);

#endif
