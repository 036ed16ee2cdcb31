/*
 * json_reader.c — recursive-descent JSON parser (RFC 8259) with a depth limit; see json_reader.h.
 */
#include "gate/json_reader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

typedef struct parser {
    const char *name, *p, *end;
    size_t line;
    ls_error *err;
} parser;

static int fail(parser *ps, const char *what)
{
    if (ps->p >= ps->end)
        ls_error_set(ps->err, ps->name, ps->line, "bad JSON: %s, found the end of the file", what);
    else
        ls_error_set(ps->err, ps->name, ps->line, "bad JSON: %s", what);
    return -1;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) {
        if (*ps->p == '\n')
            ps->line++;
        ps->p++;
    }
}

static int literal(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
        return fail(ps, "expected a value");
    ps->p += n;
    return 0;
}

static int hex4(parser *ps, unsigned *out)
{
    if (ps->end - ps->p < 4)
        return fail(ps, "short \\u escape");  /* the closing quote is no hex digit: never past it */
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = ps->p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return fail(ps, "bad \\u escape");
    }
    ps->p += 4;
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* At the opening quote. The decoded string is never longer than its source text. */
static int string(parser *ps, char **out, size_t *outlen)
{
    ps->p++;
    const char *start = ps->p;
    while (ps->p < ps->end && *ps->p != '"') {
        if (*ps->p == '\\' && ps->p + 1 < ps->end)
            ps->p++;
        ps->p++;
    }
    if (ps->p >= ps->end)
        return fail(ps, "unterminated string");
    const char *stop = ps->p;
    char *s = xmalloc((size_t)(stop - start) + 1), *o = s;
    ps->p = start;
    while (ps->p < stop) {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20) {
            free(s);
            return fail(ps, "control character in a string");
        }
        if (c != '\\') {
            *o++ = (char)c;
            continue;
        }
        char e = *ps->p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            *o++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || hex4(ps, &cp) < 0) {
            free(s);
            return e == 'u' ? -1 : fail(ps, "bad escape in a string");
        }
        if (cp >= 0xd800 && cp < 0xdc00 && stop - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
            ps->p += 2;
            if (hex4(ps, &lo) < 0) {
                free(s);
                return -1;
            }
            if (lo >= 0xdc00 && lo < 0xe000)
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            else {
                cp = 0xfffd;  /* a lone high surrogate; the escape after it is decoded on its own */
                ps->p -= 6;
            }
        } else if (cp >= 0xd800 && cp < 0xe000)
            cp = 0xfffd;
        o += put_utf8(o, cp);  /* at most 4 bytes out of at least 6 in */
    }
    *o = '\0';
    ps->p = stop + 1;
    *out = s;
    *outlen = (size_t)(o - s);
    return 0;
}

static int number(parser *ps, jv *v)
{
    const char *s = ps->p;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    size_t digits = 0;
    while (ps->p < ps->end && ((*ps->p >= '0' && *ps->p <= '9') || (*ps->p && strchr(".eE+-", *ps->p)))) {
        digits += *ps->p >= '0' && *ps->p <= '9';
        ps->p++;
    }
    size_t n = (size_t)(ps->p - s);
    if (!digits || n > 64)
        return fail(ps, "bad number");
    char buf[72], *end;
    memcpy(buf, s, n);
    buf[n] = '\0';
    v->number = strtod(buf, &end);
    if (*end || !isfinite(v->number))
        return fail(ps, "bad number");
    v->type = JV_NUMBER;
    return 0;
}

static int value(parser *ps, jv *v, int depth);

static int container(parser *ps, jv *v, int depth, int object)
{
    char close = object ? '}' : ']';
    size_t cap = 0;
    v->type = object ? JV_OBJECT : JV_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        size_t keylen;
        skip_ws(ps);
        if (object) {
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, "expected a key (a string)");
            if (string(ps, &key, &keylen) < 0)
                return -1;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                free(key);
                return fail(ps, "expected ':' after a key");
            }
            ps->p++;
        }
        size_t ocap = cap;
        grow_array((void **)&v->items, &cap, v->n + 1, sizeof *v->items);
        if (object) {
            size_t kcap = ocap;
            grow_array((void **)&v->keys, &kcap, v->n + 1, sizeof *v->keys);
            v->keys[v->n] = key;
        }
        memset(&v->items[v->n], 0, sizeof *v->items);
        v->n++;
        if (value(ps, &v->items[v->n - 1], depth + 1) < 0)
            return -1;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return 0;
        }
        return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int value(parser *ps, jv *v, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return fail(ps, "nested too deeply");
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "expected a value");
    switch (*ps->p) {
    case '{': return container(ps, v, depth, 1);
    case '[': return container(ps, v, depth, 0);
    case '"':
        v->type = JV_STRING;
        return string(ps, &v->str, &v->len);
    case 't': v->type = JV_BOOL; v->boolean = 1; return literal(ps, "true");
    case 'f': v->type = JV_BOOL; return literal(ps, "false");
    case 'n': v->type = JV_NULL; return literal(ps, "null");
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return number(ps, v);
        return fail(ps, "expected a value");
    }
}

static void free_inner(jv *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free_inner(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
}

jv *json_parse(const char *name, const char *data, size_t len, ls_error *err)
{
    parser ps = { name, data, data + len, 1, err };
    jv *v = xcalloc(1, sizeof *v);
    if (value(&ps, v, 0) == 0) {
        skip_ws(&ps);
        if (ps.p == ps.end)
            return v;
        fail(&ps, "data after the JSON value");
    }
    json_free(v);
    return NULL;
}

void json_free(jv *v)
{
    if (!v)
        return;
    free_inner(v);
    free(v);
}

const jv *json_get(const jv *v, const char *key)
{
    if (!v || v->type != JV_OBJECT)
        return NULL;
    for (size_t i = v->n; i-- > 0;)
        if (!strcmp(v->keys[i], key))
            return &v->items[i];
    return NULL;
}
