/*
 * analyze_paths.h — paths (report files, directories, partials) to a finished analysis in one call,
 * for the command (cli.c), the gate (gate.c) and a baseline given as reports (baseline.c).
 *
 * Reports are read and analysed one at a time; each is forgotten after it has been added to the
 * merged accumulators unless per-process detail is kept (--per-process, an output that needs the
 * reports — --timeline, the exports, the gate — or at most DETAIL_AUTO_MAX reports). A report that is
 * empty (a process that wrote nothing) is skipped with a warning; one that is corrupt or unreadable is
 * skipped too, summarised in one line, unless --strict makes it an error. Partials (partial.h) are
 * merged in as they are.
 */
#ifndef LS_ANALYZE_PATHS_H
#define LS_ANALYZE_PATHS_H

#include <stddef.h>

#include "model/analysis.h"

/* Per-process detail is kept by default for at most this many reports. */
#define DETAIL_AUTO_MAX 100

/* NULL with err set (a missing path, a bad report with --strict, no readable report, an option that
 * does not fit the data). Truncated reports are analysed, with a warning. */
ls_analysis *analyze_paths(const char *const *paths, size_t npaths, const ls_options *o, ls_error *err);

#endif
