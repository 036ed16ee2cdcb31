/*
 * u64map.c — linear-probing hash map, kept at most half full so probes stay short.
 */
#include "read/u64map.h"

#include <stdlib.h>

#include "base/util.h"

static size_t slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL; /* murmur3 finaliser: spreads sequential ids */
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

long u64map_get(const u64map *m, uint64_t key)
{
    if (!m->cap)
        return -1;
    for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (!m->vals[i])
            return -1;
        if (m->keys[i] == key)
            return (long)m->vals[i] - 1;
    }
}

static void rehash(u64map *m, size_t ncap)
{
    u64map n = { xcalloc(ncap, sizeof *n.keys), xcalloc(ncap, sizeof *n.vals), ncap, 0 };
    for (size_t i = 0; i < m->cap; i++)
        if (m->vals[i])
            u64map_put(&n, m->keys[i], m->vals[i] - 1);
    free(m->keys);
    free(m->vals);
    *m = n;
}

void u64map_put(u64map *m, uint64_t key, uint32_t val)
{
    if (2 * (m->len + 1) > m->cap)
        rehash(m, m->cap ? 2 * m->cap : 64);
    size_t i = slot_of(key, m->cap);
    while (m->vals[i] && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    if (!m->vals[i])
        m->len++;
    m->keys[i] = key;
    m->vals[i] = val + 1;
}

void u64map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->len = 0;
}
