/*
 * report_fields.h — the lexical layer of the report format: TAB-separated fields, strict decimal and
 * hexadecimal integers, and unescaping of free-text fields (`\\`, `\t`, `\n`, `\r`).
 *
 * Kept apart from the record logic (report_reader.c) so the rules of docs/report-format.md
 * "Lexical rules" live in one place.
 */
#ifndef LS_REPORT_FIELDS_H
#define LS_REPORT_FIELDS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ls_field {
    const char *p;
    size_t n;
} ls_field;

/* Split line[0..len) at TABs into *fields (grown as needed). Returns the number of fields. */
size_t fields_split(const char *line, size_t len, ls_field **fields, size_t *cap);

/* Field equals the C string s (inline: called for every line with a literal, whose length folds). */
static inline int field_is(ls_field f, const char *s)
{
    size_t n = __builtin_strlen(s);
    return f.n == n && __builtin_memcmp(f.p, s, n) == 0;
}

/* Strict parsers: the whole field must be a number that fits. Return 0 on success, -1 otherwise.
 * Inline, with an overflow check only past 18 digits: a large report has tens of millions of them. */
int field_u64_long(ls_field f, uint64_t *out);

static inline int field_u64(ls_field f, uint64_t *out)
{
    if (f.n == 0 || f.n > 18)
        return field_u64_long(f, out);
    uint64_t v = 0;
    for (size_t i = 0; i < f.n; i++) {
        unsigned d = (unsigned)((unsigned char)f.p[i] - '0');
        if (d > 9)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int field_i64(ls_field f, int64_t *out);
int field_hex(ls_field f, uint64_t *out);

/* Unescaped copy of a free-text field (malloc'd). Unknown escapes are kept as written: a reader
 * should not reject a report over a backslash the writer forgot to double. */
char *field_text(ls_field f);

#endif
