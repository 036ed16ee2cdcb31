/*
 * inputs.h — from command-line paths to report files: a file is taken as given, a directory
 * contributes its *.lsr files (with -r also those of its subdirectories), and --files-from adds the
 * paths listed in a file or on standard input, one per line. The list is sorted and made unique (two
 * paths to one file are one report), so a run over the same reports gives the same answer whatever the
 * order and the way they were named in (the merge of partials relies on it, docs/scale.md).
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
    const char *output;       /* -o, which must not be one of the inputs; NULL: none */
} ls_inputs_spec;

typedef struct ls_inputs {
    char **files;             /* sorted, one path per file (by device and inode) */
    size_t n;
    char **unusable;          /* "PATH: why": *.lsr entries of directories that are not regular files */
    size_t nunusable;
} ls_inputs;

/* Fills *in (always: inputs_free it); -1 with err set for a missing path, a path that is neither a
 * regular file nor a directory (a FIFO would block the reader), a directory without reports, or an
 * output path that is one of the inputs. */
int inputs_collect(const ls_inputs_spec *spec, ls_inputs *in, ls_error *err);
void inputs_free(ls_inputs *in);

#endif
