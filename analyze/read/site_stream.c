/*
 * site_stream.c — LEB128 varints of zigzag-coded differences (see site_stream.h for why).
 */
#include "read/site_stream.h"

#include <stdlib.h>

#include "base/util.h"

/* The caller reserved room (10 bytes per varint). */
static void put_varint(ls_site_stream *s, uint64_t v)
{
    while (v >= 0x80) {
        s->data[s->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    s->data[s->len++] = (unsigned char)v;
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

void site_stream_append(ls_site_stream *s, uint32_t stamp, int64_t allocs, int64_t bytes)
{
    if (s->len + 30 > s->cap)
        grow_array((void **)&s->data, &s->cap, s->len + 30, 1);
    put_varint(s, stamp - s->last_stamp);
    /* Differences wrap in unsigned arithmetic so extreme values cannot overflow signed ints. */
    put_varint(s, zigzag((int64_t)((uint64_t)allocs - (uint64_t)s->last_allocs)));
    put_varint(s, zigzag((int64_t)((uint64_t)bytes - (uint64_t)s->last_bytes)));
    s->last_stamp = stamp;
    s->last_allocs = allocs;
    s->last_bytes = bytes;
    s->n++;
}

void site_cursor_init(ls_site_cursor *c, const ls_site_stream *s)
{
    c->s = s;
    c->pos = 0;
    c->left = s->n;
    c->stamp = 0;
    c->allocs = c->bytes = 0;
}

static uint64_t get_varint(ls_site_cursor *c)
{
    uint64_t v = 0;
    for (int shift = 0; c->pos < c->s->len; shift += 7) {
        unsigned char b = c->s->data[c->pos++];
        v |= (uint64_t)(b & 0x7f) << (shift & 63);
        if (!(b & 0x80))
            break;
    }
    return v;
}

int site_cursor_next(ls_site_cursor *c)
{
    if (!c->left)
        return 0;
    c->left--;
    c->stamp += (uint32_t)get_varint(c);
    c->allocs = (int64_t)((uint64_t)c->allocs + (uint64_t)unzigzag(get_varint(c)));
    c->bytes = (int64_t)((uint64_t)c->bytes + (uint64_t)unzigzag(get_varint(c)));
    return 1;
}

void site_stream_free(ls_site_stream *s)
{
    free(s->data);
    s->data = NULL;
    s->len = s->cap = 0;
    s->n = 0;
}
