/*
 * json_reader.h — a small JSON reader for the gate's --baseline (a report written by
 * `leakstamp-analyze --format json`). It builds a tree of values and nothing more: no streaming, no
 * comments, no extensions. It is written for untrusted input: nesting is limited (JSON_MAX_DEPTH),
 * every error is one message naming the file, line and what was expected, and it never reads past the
 * buffer. Strings are decoded (escapes, \u surrogate pairs) to UTF-8; a NUL in a string ends it for
 * the C string view but `len` keeps the full length.
 */
#ifndef LS_JSON_READER_H
#define LS_JSON_READER_H

#include <stddef.h>

#include "base/diag.h"

#define JSON_MAX_DEPTH 64

typedef enum { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT } jv_type;

typedef struct jv {
    jv_type type;
    int boolean;
    double number;
    char *str;          /* JV_STRING: decoded, NUL-terminated */
    size_t len;
    struct jv *items;   /* JV_ARRAY: elements; JV_OBJECT: values */
    char **keys;        /* JV_OBJECT: keys, parallel to items */
    size_t n;
} jv;

/* NULL with err "NAME:LINE: ..." on malformed input. */
jv *json_parse(const char *name, const char *data, size_t len, ls_error *err);
void json_free(jv *v);

/* The value of `key` in an object (the last one if repeated), or NULL (also when v is no object). */
const jv *json_get(const jv *v, const char *key);

#endif
