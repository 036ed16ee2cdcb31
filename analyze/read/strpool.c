/*
 * strpool.c — open-addressing set of strings keyed by FNV-1a hash, kept at most half full.
 */
#include "read/strpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static char **find_slot(char **slots, size_t cap, const char *s)
{
    size_t i = (size_t)fnv1a(s) & (cap - 1);
    while (slots[i] && strcmp(slots[i], s))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(strpool *p)
{
    size_t ncap = p->cap ? 2 * p->cap : 256;
    char **n = xcalloc(ncap, sizeof *n);
    for (size_t i = 0; i < p->cap; i++)
        if (p->slots[i])
            *find_slot(n, ncap, p->slots[i]) = p->slots[i];
    free(p->slots);
    p->slots = n;
    p->cap = ncap;
}

const char *strpool_intern(strpool *p, const char *s)
{
    if (!s)
        return NULL;
    if (2 * (p->len + 1) > p->cap)
        grow(p);
    char **slot = find_slot(p->slots, p->cap, s);
    if (!*slot) {
        *slot = xstrdup(s);
        p->len++;
    }
    return *slot;
}

void strpool_free(strpool *p)
{
    for (size_t i = 0; i < p->cap; i++)
        free(p->slots[i]);
    free(p->slots);
    p->slots = NULL;
    p->cap = p->len = 0;
}
