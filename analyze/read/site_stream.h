/*
 * site_stream.h — the compact history of one call site's live allocations and bytes.
 *
 * A report of 10,000 events x 2,000 sites has 20 million `site` lines. Stored as structs that would be
 * ~500 MB; stored here as varint-coded differences (stamp index, live allocs, live bytes) it is about
 * 5 bytes per update. The history is only ever read front to back (to build series), which is exactly
 * what a delta stream allows.
 */
#ifndef LS_SITE_STREAM_H
#define LS_SITE_STREAM_H

#include <stddef.h>
#include <stdint.h>

typedef struct ls_site_stream {
    unsigned char *data;
    size_t len, cap;
    uint32_t n;            /* number of updates */
    uint32_t last_stamp;   /* values of the last update, the base of the next delta */
    int64_t last_allocs, last_bytes;
} ls_site_stream;

/* Append "at stamp index `stamp` the site held `allocs` allocations of `bytes` bytes".
 * Stamp indexes must not decrease. */
void site_stream_append(ls_site_stream *s, uint32_t stamp, int64_t allocs, int64_t bytes);

typedef struct ls_site_cursor {
    const ls_site_stream *s;
    size_t pos;
    uint32_t left;
    uint32_t stamp;
    int64_t allocs, bytes;
} ls_site_cursor;

void site_cursor_init(ls_site_cursor *c, const ls_site_stream *s);
/* Next update into c->stamp/allocs/bytes; 0 at the end. */
int site_cursor_next(ls_site_cursor *c);

void site_stream_free(ls_site_stream *s);

#endif
