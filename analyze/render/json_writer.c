/*
 * json_writer.c — see json_writer.h.
 */
#include "render/json_writer.h"

#include <math.h>
#include <string.h>

static void put_escaped(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
            p++;
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc((int)c, out);
            p++;
        } else {
            /* copy one well-formed UTF-8 sequence, or write U+FFFD for a stray byte */
            size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            size_t ok = len;
            for (size_t i = 1; i < len && ok; i++) /* stops at the NUL: it is no continuation byte */
                if ((p[i] & 0xc0) != 0x80)
                    ok = 0;
            if (ok) {
                fwrite(p, 1, len, out);
                p += len;
            } else {
                fputs("\\ufffd", out);
                p++;
            }
        }
    }
    fputc('"', out);
}

static void begin_item(json_writer *w, const char *key)
{
    if (w->need_comma[w->depth])
        fputc(',', w->out);
    w->need_comma[w->depth] = 1;
    if (w->depth > 0) {
        fputc('\n', w->out);
        for (int i = 0; i < w->depth; i++)
            fputs("  ", w->out);
    }
    if (key) {
        put_escaped(w->out, key);
        fputs(": ", w->out);
    }
}

static void open_scope(json_writer *w, const char *key, char c)
{
    begin_item(w, key);
    fputc(c, w->out);
    if (w->depth < 63)
        w->depth++;
    w->need_comma[w->depth] = 0;
}

static void close_scope(json_writer *w, char c)
{
    int had_items = w->need_comma[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (had_items) {
        fputc('\n', w->out);
        for (int i = 0; i < w->depth; i++)
            fputs("  ", w->out);
    }
    fputc(c, w->out);
    if (w->depth == 0)
        fputc('\n', w->out);
}

void json_begin_object(json_writer *w, const char *key) { open_scope(w, key, '{'); }
void json_end_object(json_writer *w) { close_scope(w, '}'); }
void json_begin_array(json_writer *w, const char *key) { open_scope(w, key, '['); }
void json_end_array(json_writer *w) { close_scope(w, ']'); }

void json_string(json_writer *w, const char *key, const char *s)
{
    begin_item(w, key);
    if (s)
        put_escaped(w->out, s);
    else
        fputs("null", w->out);
}

void json_number(json_writer *w, const char *key, double v)
{
    begin_item(w, key);
    if (!isfinite(v))
        fputs("null", w->out);
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        fprintf(w->out, "%.0f", v);
    else
        fprintf(w->out, "%.10g", v);
}

void json_int(json_writer *w, const char *key, long long v)
{
    begin_item(w, key);
    fprintf(w->out, "%lld", v);
}

void json_bool(json_writer *w, const char *key, int v)
{
    begin_item(w, key);
    fputs(v ? "true" : "false", w->out);
}

void json_null(json_writer *w, const char *key)
{
    begin_item(w, key);
    fputs("null", w->out);
}
