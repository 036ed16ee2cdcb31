/*
 * suppressions.h — stack patterns: the CI gate's suppressions (known leaks of third-party libraries,
 * runtime caches that must not fail a build) and the built-in list of runtime internals that
 * model/runtime.c applies to the report too (so they live in model/, below both). Format (docs/ci.md, "Suppressions"):
 *
 *     # a comment (a line whose first non-blank character is '#')
 *     [name of the suppression]
 *     fun:PATTERN     some frame's function (C++ demangled) matches PATTERN
 *     obj:PATTERN     some frame's module path matches (basename only, if PATTERN has no '/')
 *     src:PATTERN     some frame's source file matches (basename only, if PATTERN has no '/')
 *     site:PATTERN    the function that names the site (the display frame) matches PATTERN
 *
 * PATTERN is a shell glob (fnmatch: `*`, `?`, `[...]`, backslash escapes); the text after the colon,
 * with surrounding blanks removed, is the pattern, so C++ names with spaces and `::` need no quoting.
 * A stack matches a suppression when every line of it is satisfied (each by any frame, in any order).
 * A suppression needs at least one line. Every suppression counts how many sites it silenced, so the
 * gate can list the unused ones.
 */
#ifndef LS_SUPPRESSIONS_H
#define LS_SUPPRESSIONS_H

#include <stddef.h>

#include "base/diag.h"
#include "model/symbolize.h"

enum { SUPP_FUN, SUPP_OBJ, SUPP_SRC, SUPP_SITE };

typedef struct supp_cond {
    int kind;
    char *pattern;
} supp_cond;

typedef struct suppression {
    char *name;
    char *file;        /* where it was defined, for messages ("(built-in)" for the defaults) */
    size_t line;
    supp_cond *conds;
    size_t nconds, cap_conds;
    size_t used;       /* sites/stacks it silenced */
    int builtin;
} suppression;

typedef struct supp_list {
    suppression *items;
    size_t n, cap;
} supp_list;

/* Parse suppressions from text (`file` names it in messages). -1 with err "FILE:LINE: ..." on a
 * syntax error. */
int supp_parse(supp_list *l, const char *file, const char *text, size_t len, int builtin, ls_error *err);
/* Read and parse a file; -1 with err naming the file when it cannot be read. */
int supp_load_file(supp_list *l, const char *path, ls_error *err);
/* The built-in suppressions for C and C++ runtime internals (suppression_defaults.c). */
int supp_load_defaults(supp_list *l, ls_error *err);

/* The first suppression matching the stack (frames innermost first, `display` the frame naming the
 * site), or NULL. Does not count a use: the caller does, once per silenced site. */
suppression *supp_match(const supp_list *l, const ls_symframe *f, size_t n, size_t display);

void supp_free(supp_list *l);

#endif
