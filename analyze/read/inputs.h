/*
 * inputs.h — from command-line paths to report files: a file is taken as given, a directory
 * contributes its *.lsr files (with -r also those of its subdirectories), and --files-from adds the
 * paths listed in a file or on standard input, one per line. The list is sorted and made unique, so a
 * run over the same reports gives the same answer whatever the order they were named in (the merge of
 * partials relies on it, docs/scale.md).
 */
#ifndef LS_INPUTS_H
#define LS_INPUTS_H

#include <stddef.h>

#include "base/diag.h"

typedef struct ls_inputs_spec {
    const char *const *paths;
    size_t npaths;
    int recursive;            /* -r */
    const char *files_from;   /* NULL, a file, or "-" for standard input */
} ls_inputs_spec;

/* Fills *files (malloc'd strings); -1 with err set for a missing path, a path that is neither a
 * regular file nor a directory (a FIFO would block the reader), or a directory without reports. */
int inputs_collect(const ls_inputs_spec *spec, char ***files, size_t *nfiles, ls_error *err);
void inputs_free(char **files, size_t nfiles);

#endif
