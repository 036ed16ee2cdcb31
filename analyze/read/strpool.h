/*
 * strpool.h — interned strings: one copy of each distinct string, freed all at once.
 *
 * Symbolized frames repeat the same function, file and module names thousands of times; interning
 * them lets frames hold plain pointers (no ownership questions) and lets the merge compare names by
 * pointer.
 */
#ifndef LS_STRPOOL_H
#define LS_STRPOOL_H

#include <stddef.h>

typedef struct strpool {
    char **slots;
    size_t cap, len;
} strpool;

/* The pool's copy of s (NULL stays NULL). */
const char *strpool_intern(strpool *p, const char *s);
void strpool_free(strpool *p);

#endif
