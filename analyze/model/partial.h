/*
 * partial.h — a partial: the merged accumulators (merge.h) and process summaries of a set of reports,
 * written by `--partial -o FILE` and read back as an input, so that reports spread over many machines
 * are analysed in shards and merged in one cheap step (docs/scale.md, which also gives the format).
 * Merging partials gives the same numbers, and the same JSON byte for byte, as one run over all the
 * reports without per-process detail: every number is carried exactly (integers, and the few per-process
 * rates as hexadecimal floating point).
 */
#ifndef LS_PARTIAL_H
#define LS_PARTIAL_H

#include <stdio.h>

#include "model/analysis.h"

#define PARTIAL_MAGIC "leakstamp-partial\t"
#define PARTIAL_VERSION 1

/* 0, or -1 with err set on a write error. */
int partial_write(FILE *out, const ls_analysis *a);

/* Add the partial at `path` to a (its processes and accumulators); -1 with err set ("FILE:LINE: what")
 * on bad input or when it was made with another event stamp or --skip than the analysis. */
int partial_read_file(ls_analysis *a, const char *path, const ls_options *o, ls_error *err);
/* Same, from memory (the fuzzer). */
int partial_read_mem(ls_analysis *a, const char *name, const char *data, size_t len, const ls_options *o,
                     ls_error *err);

#endif
