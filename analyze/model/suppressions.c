/*
 * suppressions.c — parsing and matching the gate's suppressions (format in suppressions.h and
 * docs/ci.md). A small line-based format: section headers name a suppression, `key:pattern` lines
 * add conditions, all conditions must hold. Matching is glob-based (fnmatch) and linear in frames ×
 * conditions, which is nothing next to symbolization.
 */
#include "model/suppressions.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define SUPP_MAX_BYTES (16u << 20)

static char *trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return xstrndup(s, n);
}

static int parse_line(supp_list *l, size_t first, const char *file, size_t lineno, char *line,
                      int builtin, ls_error *err)
{
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#' || *p == '\r')
        return 0;
    if (*p == '[') {
        char *close = strrchr(p, ']');
        char *name = close ? trimmed(p + 1, (size_t)(close - p - 1)) : NULL;
        char *rest = close ? trimmed(close + 1, strlen(close + 1)) : NULL;
        int bad = !close || !*name || (*rest && *rest != '#');
        free(rest);
        if (bad) {
            free(name);
            ls_error_set(err, file, lineno, "expected a suppression header such as [name]");
            return -1;
        }
        suppression s = { .name = name, .file = xstrdup(file), .line = lineno, .builtin = builtin };
        VEC_PUSH(l->items, l->n, l->cap, s);
        return 0;
    }
    static const struct { const char *key; int kind; } keys[] = {
        { "fun", SUPP_FUN }, { "obj", SUPP_OBJ }, { "src", SUPP_SRC }, { "site", SUPP_SITE },
    };
    char *colon = strchr(p, ':');
    int kind = -1;
    for (size_t i = 0; colon && i < sizeof keys / sizeof *keys; i++)
        if ((size_t)(colon - p) == strlen(keys[i].key) && !strncmp(p, keys[i].key, strlen(keys[i].key)))
            kind = keys[i].kind;
    if (kind < 0) {
        int n = colon ? (int)(colon - p) : (int)strcspn(p, " \t\r");
        ls_error_set(err, file, lineno, "unknown line '%.*s' (expected [name], fun:, obj:, src: or site:)",
                     n > 40 ? 40 : n, p);
        return -1;
    }
    if (l->n == first) {
        ls_error_set(err, file, lineno, "'%.*s:' before the first [name] header", (int)(colon - p), p);
        return -1;
    }
    char *pattern = trimmed(colon + 1, strlen(colon + 1));
    if (!*pattern) {
        free(pattern);
        ls_error_set(err, file, lineno, "empty pattern after '%.*s:'", (int)(colon - p), p);
        return -1;
    }
    suppression *s = &l->items[l->n - 1];
    VEC_PUSH(s->conds, s->nconds, s->cap_conds, ((supp_cond){ kind, pattern }));
    return 0;
}

int supp_parse(supp_list *l, const char *file, const char *text, size_t len, int builtin, ls_error *err)
{
    size_t first = l->n, lineno = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        if (memchr(p, '\0', n)) {
            ls_error_set(err, file, lineno, "not a text file (NUL byte)");
            return -1;
        }
        char *line = xstrndup(p, n);
        int rc = parse_line(l, first, file, lineno, line, builtin, err);
        free(line);
        if (rc < 0)
            return -1;
        p += n + (nl != NULL);
    }
    for (size_t i = first; i < l->n; i++)
        if (!l->items[i].nconds) {
            ls_error_set(err, file, l->items[i].line, "suppression [%s] has no fun:, obj:, src: or site: line",
                         l->items[i].name);
            return -1;
        }
    return 0;
}

int supp_load_file(supp_list *l, const char *path, ls_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ls_error_set(err, NULL, 0, "--suppress %s: cannot read suppressions file: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    size_t got;
    /* bounded: a device such as /dev/zero must not be read until memory runs out */
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            if (cap >= SUPP_MAX_BYTES)
                break;
            buf = xrealloc(buf, cap *= 2);
        }
    }
    int bad = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (bad || len >= SUPP_MAX_BYTES) {
        free(buf);
        if (bad)
            ls_error_set(err, NULL, 0, "--suppress %s: cannot read suppressions file: %s", path, strerror(bad));
        else
            ls_error_set(err, NULL, 0, "--suppress %s: larger than %u MiB, not a suppressions file", path,
                         SUPP_MAX_BYTES >> 20);
        return -1;
    }
    int rc = supp_parse(l, path, buf, len, 0, err);
    free(buf);
    return rc;
}

static int glob_path(const char *pattern, const char *path)
{
    if (!path)
        return 0;
    return fnmatch(pattern, strchr(pattern, '/') ? path : path_base(path), 0) == 0;
}

static int cond_holds(const supp_cond *c, const ls_symframe *f, size_t n, size_t display)
{
    if (c->kind == SUPP_SITE)
        return n && f[display].function && fnmatch(c->pattern, f[display].function, 0) == 0;
    for (size_t i = 0; i < n; i++) {
        if (c->kind == SUPP_FUN && f[i].function && fnmatch(c->pattern, f[i].function, 0) == 0)
            return 1;
        if (c->kind == SUPP_OBJ && glob_path(c->pattern, f[i].module))
            return 1;
        if (c->kind == SUPP_SRC && glob_path(c->pattern, f[i].file))
            return 1;
    }
    return 0;
}

suppression *supp_match(const supp_list *l, const ls_symframe *f, size_t n, size_t display)
{
    for (size_t i = 0; i < l->n; i++) {
        const suppression *s = &l->items[i];
        size_t c = 0;
        while (c < s->nconds && cond_holds(&s->conds[c], f, n, display))
            c++;
        if (c == s->nconds)
            return &l->items[i];
    }
    return NULL;
}

void supp_free(supp_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        for (size_t c = 0; c < l->items[i].nconds; c++)
            free(l->items[i].conds[c].pattern);
        free(l->items[i].conds);
        free(l->items[i].name);
        free(l->items[i].file);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}
