/*
 * util.h — allocation helpers and a growable-array macro shared by the analyzer. It sits in base/
 * (with diag.h) because every room uses it; it includes nothing of the analyzer's.
 *
 * The analyzer is a batch program: running out of memory is not something it can recover from in a
 * useful way, so the x* helpers print one line and exit(3) instead of making every caller check.
 */
#ifndef LS_UTIL_H
#define LS_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* *acc += v, wrapping rather than overflowing (undefined behaviour) on hostile inputs: each count a
 * reader accepts is far below 2^63 (report_reader.c), but the sum of thousands need not be. */
static inline void add_wrapping(int64_t *acc, int64_t v)
{
    *acc = (int64_t)((uint64_t)*acc + (uint64_t)v);
}

/* Grow *items (of *cap elements of size elem) so that it holds at least need elements. */
void grow_array(void **items, size_t *cap, size_t need, size_t elem);

#define VEC_PUSH(items, len, cap, value)                                                     \
    do {                                                                                     \
        grow_array((void **)&(items), &(cap), (len) + 1, sizeof *(items));                   \
        (items)[(len)++] = (value);                                                          \
    } while (0)

/* Base name of a path (the part after the last '/'), without copying. */
const char *path_base(const char *path);

#endif
