/*
 * symstamp_names.c — which functions the user named, and whether a symbol is one of them.
 *
 * LEAKSTAMP_EVENT names the event boundary, LEAKSTAMP_STAMPS more stamps (separated by ';' or
 * newlines: C++ names contain commas and spaces), LEAKSTAMP_INJECT the calibration leak per event.
 * A name is compared in the form it was written in:
 *   mangled (_Z...)          with the symbol itself;
 *   a C identifier (foo)     with the symbol (a C function), or with a C++ function at global scope,
 *                            every overload;
 *   ns::Class::method        with the demangled name without its parameter list: every overload;
 *   ns::Class::method(int)   with the demangled name with parameters (and qualifiers such as const).
 * Demangled comparison ignores insignificant spaces and [abi:...] tags, and allows a leading return
 * type (template instances carry one). Compiler clones: a `.cold` part is jumped to from inside its
 * function and is no entry; `.isra`, `.constprop`, `.part`, `.lto_priv`, `.localalias` clones are
 * entered in the function's place and match its name. Thunks (non-virtual thunk to ...) only adjust
 * `this` and jump to the function, which is stamped itself, so they do not match.
 * The demangler is libstdc++'s __cxa_demangle, looked up at start-up, never loaded by us: a process
 * without libstdc++ at start falls back to building the mangled prefix of a ns::Class::method name.
 */
#include "trap/trap.h"

#include <ctype.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ls_symconfig ls_sym = {.event = -1};

static char *(*demangle_fn)(const char *, char *, size_t *, int *);

void ls_sym_find_demangler(void)
{
    if (!demangle_fn)
        demangle_fn = (char *(*)(const char *, char *, size_t *, int *))dlsym(RTLD_DEFAULT, "__cxa_demangle");
}

static char *dup_text(const char *s, size_t n)
{
    char *d = ls_arena_alloc(n + 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int ident_char(int c) { return isalnum(c) || c == '_'; }

/* Drop whitespace except a single space between two identifier characters ("unsigned int"). */
static void normalise(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    char prev = 0;
    while (*s && n + 2 < cap) {
        if (isspace((unsigned char)*s)) {
            while (isspace((unsigned char)*s))
                s++;
            if (ident_char((unsigned char)prev) && ident_char((unsigned char)*s))
                out[n++] = ' ';
            continue;
        }
        prev = out[n++] = *s++;
    }
    out[n] = 0;
}

/* Index just past the last name component before the parameter list ('(' or end), and the start of
 * that component: for "ns::Class::method(int)" the span of "method". */
static void last_component(const char *s, size_t *from, size_t *to)
{
    size_t end = strcspn(s, "(");
    size_t start = 0;
    for (size_t i = 0; i + 1 < end; i++)
        if (s[i] == ':' && s[i + 1] == ':')
            start = i + 2;
    *from = start;
    *to = end;
}

static int is_identifier(const char *s, size_t n)
{
    if (!n || isdigit((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!ident_char((unsigned char)s[i]))
            return 0;
    return 1;
}

/* _ZN2ns5Class6methodE or _Z3foo for a name made only of plain identifiers; NULL otherwise. */
static char *mangled_prefix(const char *s)
{
    char buf[1024];
    size_t n = 0, parts = 0;
    const char *p = s;
    char tmp[1024];
    size_t t = 0;
    while (*p) {
        size_t w = strcspn(p, ":");
        if (!is_identifier(p, w) || t + w + 8 >= sizeof tmp)
            return NULL;
        t += (size_t)snprintf(tmp + t, sizeof tmp - t, "%zu%.*s", w, (int)w, p);
        parts++;
        p += w;
        if (*p) {
            if (p[0] != ':' || p[1] != ':' || !p[2])
                return NULL;
            p += 2;
        }
    }
    if (!parts)
        return NULL;
    n = (size_t)snprintf(buf, sizeof buf, parts > 1 ? "_ZN%.*sE" : "_Z%.*s", (int)t, tmp);
    return n < sizeof buf ? dup_text(buf, n) : NULL;
}

static int add_name(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (!n)
        return -1;
    for (int i = 0; i < ls_sym.n; i++)
        if (strlen(ls_sym.names[i].text) == n && !memcmp(ls_sym.names[i].text, s, n))
            return i;
    if (ls_sym.n == LS_SYM_MAX_NAMES) {
        ls_say("more than %d named stamps; %.*s is ignored", LS_SYM_MAX_NAMES, (int)n, s);
        return -1;
    }
    struct ls_symname *m = &ls_sym.names[ls_sym.n];
    m->text = dup_text(s, n);
    if (!m->text)
        return -1;
    char norm[2048];
    normalise(m->text, norm, sizeof norm);
    m->norm = dup_text(norm, strlen(norm));
    if (n > 2 && s[0] == '_' && s[1] == 'Z')
        m->kind = LS_SYM_MANGLED;
    else if (strchr(norm, '('))
        m->kind = LS_SYM_SIGNATURE;
    else if (is_identifier(s, n))
        m->kind = LS_SYM_PLAIN;
    else
        m->kind = LS_SYM_QUALIFIED;
    size_t a, b;
    last_component(norm, &a, &b);
    if (m->kind != LS_SYM_MANGLED && is_identifier(norm + a, b - a)) {
        char h[600];
        int k = snprintf(h, sizeof h, "%zu%.*s", b - a, (int)(b - a), norm + a);
        if (k > 0 && (size_t)k < sizeof h)
            m->hint = dup_text(h, (size_t)k);
    }
    if (m->kind == LS_SYM_PLAIN || m->kind == LS_SYM_QUALIFIED)
        m->mangled_prefix = mangled_prefix(norm);
    return ls_sym.n++;
}

static void add_list(const char *v)
{
    while (v && *v) {
        size_t w = strcspn(v, ";\n");
        add_name(v, w);
        v += w;
        v += strspn(v, ";\n");
    }
}

int ls_symconfig_load(void)
{
    if (ls_sym.loaded)
        return 0;
    ls_sym.loaded = 1;
    const char *ev = getenv("LEAKSTAMP_EVENT");
    if (ev && *ev)
        ls_sym.event = add_name(ev, strlen(ev));
    add_list(getenv("LEAKSTAMP_STAMPS"));
    const char *inj = getenv("LEAKSTAMP_INJECT");
    if (inj && *inj) {
        uint64_t v;
        if (ls_size_parse(inj, &v) || v > (1ull << 40))
            ls_say("LEAKSTAMP_INJECT=%s: expected a size such as 1MiB, 512KiB or 4096; nothing is injected", inj);
        else if (ls_sym.event < 0)
            ls_say("LEAKSTAMP_INJECT needs LEAKSTAMP_EVENT (the event boundary to leak at); nothing is injected");
        else
            ls_sym.inject = v;
    }
    return 0;
}

/* ---- matching ---- */

int ls_sym_base(const char *sym, char *base, size_t cap)
{
    size_t n = strcspn(sym, ".");
    if (n + 1 > cap)
        return -1;
    memcpy(base, sym, n);
    base[n] = 0;
    if (!sym[n])
        return 0;
    /* Every component after the first dot must be a known clone kind or a number; otherwise the dot
     * is part of the name and the symbol is kept whole. */
    static const char *const clones[] = {"isra", "constprop", "part", "lto_priv", "localalias", "llvm"};
    int cold = 0;
    for (const char *p = sym + n; *p == '.';) {
        p++;
        size_t w = strcspn(p, ".");
        int known = w && strspn(p, "0123456789") >= w;
        for (size_t i = 0; !known && i < sizeof clones / sizeof clones[0]; i++)
            known = strlen(clones[i]) == w && !memcmp(p, clones[i], w);
        if (w == 4 && !memcmp(p, "cold", 4))
            cold = known = 1;
        if (!known) {
            size_t all = strlen(sym);
            if (all + 1 > cap)
                return -1;
            memcpy(base, sym, all + 1);
            return 0;
        }
        p += w;
    }
    return cold ? -1 : 0;
}

int ls_sym_needs_demangling(const char *base)
{
    if (base[0] != '_' || base[1] != 'Z')
        return 0;
    for (int i = 0; i < ls_sym.n; i++) {
        const struct ls_symname *m = &ls_sym.names[i];
        if (m->kind == LS_SYM_MANGLED)
            continue;
        if (!m->hint || strstr(base, m->hint))
            return 1;
    }
    return 0;
}

static void drop_abi_tags(char *s)
{
    char *t;
    while ((t = strstr(s, "[abi:"))) {
        char *e = strchr(t, ']');
        if (!e)
            return;
        memmove(t, e + 1, strlen(e + 1) + 1);
    }
}

char *ls_sym_demangle(const char *base, char *out, size_t cap)
{
    if (!demangle_fn)
        return NULL;
    int status = -1;
    char *d = demangle_fn(base, NULL, NULL, &status);   /* malloc: the real one, we are in the tool */
    if (!d || status) {
        free(d);
        return NULL;
    }
    static const char *const thunks[] = {"non-virtual thunk", "virtual thunk", "covariant return thunk",
                                         "transaction clone", "construction vtable"};
    for (size_t i = 0; i < sizeof thunks / sizeof thunks[0]; i++)
        if (!strncmp(d, thunks[i], strlen(thunks[i]))) {
            free(d);
            return NULL;
        }
    drop_abi_tags(d);
    normalise(d, out, cap);
    free(d);
    return out;
}

/* `whole` equals `want`, or ends with " " + want (a return type in front). */
static int same_or_after_type(const char *whole, size_t n, const char *want)
{
    size_t w = strlen(want);
    if (n == w)
        return !memcmp(whole, want, n);
    return n > w && whole[n - w - 1] == ' ' && !memcmp(whole + n - w, want, w);
}

/* Length of the demangled name without its parameter list and what follows it. */
static size_t name_length(const char *d)
{
    size_t n = strlen(d);
    size_t close = n;
    while (close > 0 && d[close - 1] != ')')
        close--;
    if (!close)
        return n;
    int depth = 0;
    for (size_t i = close; i-- > 0;) {
        if (d[i] == ')')
            depth++;
        else if (d[i] == '(' && --depth == 0)
            return i;
    }
    return n;
}

static int prefix_matches(const char *base, const char *prefix)
{
    size_t n = strlen(prefix);
    if (!strncmp(base, prefix, n))
        return 1;
    /* _ZNK...: a const member function */
    if (prefix[2] == 'N' && base[0] == '_' && base[1] == 'Z' && base[2] == 'N' && base[3] == 'K')
        return !strncmp(base + 4, prefix + 3, n - 3);
    return 0;
}

int ls_sym_matches(const struct ls_symname *m, const char *base, const char *demangled)
{
    if (m->kind == LS_SYM_MANGLED)
        return !strcmp(base, m->text);
    if (m->kind == LS_SYM_PLAIN && !strcmp(base, m->text))
        return 1;
    if (!demangled) {
        if (!demangle_fn && m->mangled_prefix && base[0] == '_' && base[1] == 'Z')
            return prefix_matches(base, m->mangled_prefix);
        return 0;
    }
    if (m->kind == LS_SYM_SIGNATURE)
        return same_or_after_type(demangled, strlen(demangled), m->norm);
    return same_or_after_type(demangled, name_length(demangled), m->norm);
}
