/*
 * report_fields.c — see report_fields.h. Hand-written parsers: a large report has tens of millions
 * of integers, and strtoull's locale and errno handling cost more than the rest of the reader.
 */
#include "read/report_fields.h"

#include <string.h>

#include "base/util.h"

size_t fields_split(const char *line, size_t len, ls_field **fields, size_t *cap)
{
    /* a plain byte loop: fields are short, and a memchr call per field costs more than it scans */
    size_t n = 0;
    const char *start = line, *end = line + len;
    for (const char *p = line;; p++) {
        if (p < end && *p != '\t')
            continue;
        if (n == *cap)
            grow_array((void **)fields, cap, n + 1, sizeof **fields);
        (*fields)[n].p = start;
        (*fields)[n].n = (size_t)(p - start);
        n++;
        if (p == end)
            return n;
        start = p + 1;
    }
}

int field_u64_long(ls_field f, uint64_t *out)
{
    if (f.n == 0 || f.n > 20)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < f.n; i++) {
        unsigned d = (unsigned char)f.p[i] - '0';
        if (d > 9)
            return -1;
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int field_i64(ls_field f, int64_t *out)
{
    int neg = f.n > 0 && f.p[0] == '-';
    ls_field digits = { f.p + neg, f.n - (size_t)neg };
    uint64_t v;
    if (field_u64(digits, &v) < 0)
        return -1;
    if (!neg && v <= (uint64_t)INT64_MAX) { /* the common case */
        *out = (int64_t)v;
        return 0;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int field_hex(ls_field f, uint64_t *out)
{
    if (f.n == 0 || f.n > 16)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < f.n; i++) {
        char c = f.p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') /* the format says lower case; accept upper anyway */
            d = (unsigned)(c - 'A' + 10);
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

char *field_text(ls_field f)
{
    char *s = xmalloc(f.n + 1), *o = s;
    for (size_t i = 0; i < f.n; i++) {
        char c = f.p[i];
        if (c == '\\' && i + 1 < f.n) {
            char e = f.p[i + 1];
            char r = e == '\\' ? '\\' : e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : 0;
            if (r) {
                *o++ = r;
                i++;
                continue;
            }
        }
        *o++ = c;
    }
    *o = '\0';
    return s;
}
