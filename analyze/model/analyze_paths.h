/*
 * analyze_paths.h — paths (report files, directories) to a finished analysis in one call, for the
 * gate (gate.c) and for a baseline given as reports (baseline.c). cli.c does the same steps inline.
 */
#ifndef LS_ANALYZE_PATHS_H
#define LS_ANALYZE_PATHS_H

#include <stddef.h>

#include "model/analysis.h"

/* NULL with err set (a missing path, a bad report, an option that does not fit the data). Truncated
 * reports are analysed, with one warning line each. */
ls_analysis *analyze_paths(const char *const *paths, size_t npaths, const ls_options *o, ls_error *err);

#endif
