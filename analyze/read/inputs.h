/*
 * inputs.h — from command-line paths to report files: a file is taken as given, a directory
 * contributes its *.lsr files (not recursively), sorted by name so runs are reproducible.
 */
#ifndef LS_INPUTS_H
#define LS_INPUTS_H

#include <stddef.h>

#include "base/diag.h"

/* Fills *files (malloc'd strings); -1 with err set for a missing path or a directory without
 * reports. */
int inputs_collect(const char *const *paths, size_t npaths, char ***files, size_t *nfiles, ls_error *err);
void inputs_free(char **files, size_t nfiles);

#endif
