/*
 * json_writer.h — a minimal streaming JSON writer: keeps track of commas and indentation, escapes
 * strings (and replaces bytes that are not UTF-8, since paths and names in reports are raw bytes),
 * writes non-finite numbers as null. Used by render_json.c only.
 */
#ifndef LS_JSON_WRITER_H
#define LS_JSON_WRITER_H

#include <stdint.h>
#include <stdio.h>

typedef struct json_writer {
    FILE *out;
    int depth;
    int need_comma[64];
} json_writer;

void json_begin_object(json_writer *w, const char *key);
void json_end_object(json_writer *w);
void json_begin_array(json_writer *w, const char *key);
void json_end_array(json_writer *w);
/* key is NULL inside arrays */
void json_string(json_writer *w, const char *key, const char *s); /* NULL -> null */
void json_number(json_writer *w, const char *key, double v);
void json_int(json_writer *w, const char *key, long long v);
void json_bool(json_writer *w, const char *key, int v);
void json_null(json_writer *w, const char *key);

#endif
