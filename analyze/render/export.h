/*
 * export.h — the exports: formats made for other tools rather than for reading (docs/exports.md).
 *
 *   csv        the ranked site table, RFC 4180 (spreadsheets that mis-read TSV)    render_csv.c
 *   collapsed  folded stacks weighted by bytes grown per event (flame graphs)      render_collapsed.c
 *   pprof      a gperftools legacy heap profile at one event (google-pprof)        render_pprof.c
 *   npy        NumPy arrays of the stamps and the per-site growth matrix (-o DIR)  render_npy.c
 *   html       one self-contained page with SVG plots and the ranked table         render_html.c
 *
 * They read the same ls_analysis as text/JSON/TSV and compute nothing new beyond the per-event
 * series they plot or dump (export_series.c).
 */
#ifndef LS_EXPORT_H
#define LS_EXPORT_H

#include <stdio.h>

#include "model/analysis.h"
#include "base/diag.h"
#include "options.h"

/* Name -> export format; 0 when `name` is not an export. */
int export_format(const char *name, ls_format *f);

/* Writes the export chosen by o->format to o->output (a directory for npy), or standard output.
 * Returns an exit code (EXIT_OK, or EXIT_BAD_INPUT / EXIT_FAILURE_INTERNAL with err set). */
int export_write(const ls_analysis *a, const ls_options *o, ls_error *err);

void render_csv(FILE *out, const ls_analysis *a, const ls_options *o);
void render_collapsed(FILE *out, const ls_analysis *a, const ls_options *o);
/* -1 with err set when --pprof-event names an event the chosen process does not have. */
int render_pprof(FILE *out, const ls_analysis *a, const ls_options *o, ls_error *err);
/* Writes DIR/stamps.npy, DIR/live_bytes.npy, DIR/growth_bytes.npy, DIR/index.json; -1 with err set. */
int render_npy(const char *dir, const ls_analysis *a, const ls_options *o, ls_error *err);
void render_html(FILE *out, const ls_analysis *a, const ls_options *o);

/* ---- export_series.c: the per-event series the exports plot or dump ---------------------------- */

/* Live bytes of a site of view v at each of the view's events (v->events doubles into bytes). */
void export_site_series(const ls_analysis *a, const ls_view *v, const ls_site *s, double *bytes);
/* RSS, VM or heap live (series.h ls_metric) summed over the view's processes at each event. */
void export_metric_series(const ls_analysis *a, const ls_view *v, int metric, double *out);

#endif
