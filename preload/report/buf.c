/*
 * buf.c — a growable byte buffer for building one report record before its single write(2).
 *
 * Memory comes from mmap (ls_buf_grow_mem), so building a record never calls the allocator being
 * measured. A buffer that could not grow is marked failed and the record is dropped
 * rather than written half.
 */
#include "report/report.h"

#include <string.h>

void ls_buf_reserve(struct ls_buf *b, size_t extra)
{
    if (b->failed || b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64 * 1024;
    while (cap < b->len + extra)
        cap *= 2;
    char *d = ls_buf_grow_mem(b->data, b->cap, cap);
    if (!d) {
        b->failed = 1;
        return;
    }
    b->data = d;
    b->cap = cap;
}

void ls_buf_put(struct ls_buf *b, const char *s, size_t n)
{
    ls_buf_reserve(b, n);
    if (b->failed)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

void ls_buf_str(struct ls_buf *b, const char *s)
{
    ls_buf_put(b, s, strlen(s));
}

void ls_buf_esc(struct ls_buf *b, const char *s)
{
    size_t n = strlen(s);
    ls_buf_reserve(b, 2 * n + 1);
    if (b->failed)
        return;
    b->len += ls_escape(b->data + b->len, b->cap - b->len, s);
}

void ls_buf_u64(struct ls_buf *b, uint64_t v)
{
    char tmp[24];
    int i = sizeof tmp;
    do
        tmp[--i] = (char)('0' + v % 10);
    while (v /= 10);
    ls_buf_put(b, tmp + i, sizeof tmp - (size_t)i);
}

void ls_buf_i64(struct ls_buf *b, int64_t v)
{
    if (v < 0) {
        ls_buf_put(b, "-", 1);
        ls_buf_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        ls_buf_u64(b, (uint64_t)v);
    }
}

void ls_buf_hex(struct ls_buf *b, uint64_t v)
{
    char tmp[16];
    int i = sizeof tmp;
    do
        tmp[--i] = "0123456789abcdef"[v & 15];
    while (v >>= 4);
    ls_buf_put(b, tmp + i, sizeof tmp - (size_t)i);
}

void ls_buf_tab(struct ls_buf *b)
{
    ls_buf_put(b, "\t", 1);
}

void ls_buf_nl(struct ls_buf *b)
{
    ls_buf_put(b, "\n", 1);
}

void ls_buf_free(struct ls_buf *b)
{
    ls_buf_grow_mem(b->data, b->cap, 0);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* In the preload: fresh pages, copy, unmap the old ones. newcap 0 only releases. */
void *ls_buf_grow_mem(void *old, size_t oldcap, size_t newcap)
{
    void *n = NULL;
    if (newcap) {
        n = ls_map(newcap);
        if (!n)
            return NULL;
        if (old)
            memcpy(n, old, oldcap);
    }
    ls_unmap(old, oldcap);
    return n;
}
