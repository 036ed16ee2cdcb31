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
 * Demangled comparison ignores insignificant spaces, [abi:...] tags and, in what the user wrote, the
 * " [clone .isra.0]" the report prints after a clone (copied from a report), and allows a leading return
 * type (template instances carry one). A qualified name may also be a tail of the function's name
 * (`DetSimAlg::execute` for det::DetSimAlg::execute): symstamp.c keeps such a match only while the tail
 * names one function (or overload set). Compiler clones: a `.cold` part is jumped to from inside its
 * function and is no entry; `.isra`, `.constprop`, `.part`, `.lto_priv`, `.localalias` clones are
 * entered in the function's place and match its name. Thunks (non-virtual thunk to ...) only adjust
 * `this` and jump to the function, which is stamped itself, so they do not match.
 * The demangler is our own copy of libstdc++'s (cp-demangle.o from the static libsupc++.a, allowed by the
 * GCC runtime library exception; hidden), in its callback form that allocates nothing: a job need not
 * have libstdc++ loaded (a python driver that dlopens C++ later), and a library whose dlopen is being
 * scanned is not relocated yet, so its own copy could not be called then.
 */
#include "trap/trap.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ls_symconfig ls_sym = {.event = -1};

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

/* Remove every "<open>...]" span with the spaces before it: `[abi:cxx11]` tags (compared without), and
 * the " [clone .isra.0]" the report prints after a clone (normalised by then to "[clone.isra.0]"). */
static void drop_bracketed(char *s, const char *open)
{
    char *t;
    while ((t = strstr(s, open))) {
        char *e = strchr(t, ']');
        if (!e)
            return;
        while (t > s && t[-1] == ' ')
            t--;
        memmove(t, e + 1, strlen(e + 1) + 1);
    }
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
    drop_bracketed(norm, "[abi:");   /* a name copied from the report may carry them */
    drop_bracketed(norm, "[clone");
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
    const char *summary = getenv("LEAKSTAMP_NAMES_SUMMARY");
    ls_sym.summary_by_launcher = summary && *summary && strcmp(summary, "0");
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

/* cp-demangle.c's entry without allocation (libsupc++.a; hidden in our library by --exclude-libs). */
extern int __gcclibcxx_demangle_callback(const char *mangled, void (*cb)(const char *, size_t, void *), void *arg);

struct sink {
    char *out;
    size_t n, cap;
    int full;
};

static void put_text(const char *s, size_t n, void *arg)
{
    struct sink *k = arg;
    if (k->n + n >= k->cap) {
        k->full = 1;
        return;
    }
    memcpy(k->out + k->n, s, n);
    k->n += n;
}

char *ls_sym_demangle_printed(const char *base, char *out, size_t cap)
{
    if (base[0] != '_' || base[1] != 'Z' || cap < 2)
        return NULL;
    struct sink k = {out, 0, cap, 0};
    if (__gcclibcxx_demangle_callback(base, put_text, &k) != 0 || k.full)   /* 0: demangled */
        return NULL;
    out[k.n] = 0;
    static const char *const thunks[] = {"non-virtual thunk", "virtual thunk", "covariant return thunk",
                                         "transaction clone", "construction vtable"};
    for (size_t i = 0; i < sizeof thunks / sizeof thunks[0]; i++)
        if (!strncmp(out, thunks[i], strlen(thunks[i])))
            return NULL;
    return out;
}

char *ls_sym_demangle(const char *base, char *out, size_t cap)
{
    char raw[4096];
    if (!ls_sym_demangle_printed(base, raw, sizeof raw))
        return NULL;
    drop_bracketed(raw, "[abi:");
    normalise(raw, out, cap);
    return out;
}

/* Length of a demangled name (or a name the user wrote) without its parameter list and what follows
 * it: for "a::f(int) const" the length of "a::f". */
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

size_t ls_sym_name_length(const char *demangled) { return name_length(demangled); }

/* The function's name part `whole[0, n)` against the user's `want[0, w)`: equal, or preceded by a return
 * type (" "), is the name itself; preceded by "::" (when tails are allowed) is a tail of it. */
static int compare_names(const char *whole, size_t n, const char *want, size_t w, int tails)
{
    if (n == w)
        return memcmp(whole, want, n) ? LS_MATCH_NONE : LS_MATCH_EXACT;
    if (n < w + 2 || memcmp(whole + n - w, want, w))
        return LS_MATCH_NONE;
    if (whole[n - w - 1] == ' ')
        return LS_MATCH_EXACT;
    return tails && whole[n - w - 1] == ':' && whole[n - w - 2] == ':' ? LS_MATCH_TAIL : LS_MATCH_NONE;
}

int ls_sym_matches(const struct ls_symname *m, const char *base, const char *demangled)
{
    if (m->kind == LS_SYM_MANGLED)
        return strcmp(base, m->text) ? LS_MATCH_NONE : LS_MATCH_EXACT;
    if (m->kind == LS_SYM_PLAIN && !strcmp(base, m->text))
        return LS_MATCH_EXACT;
    if (!demangled)
        return LS_MATCH_NONE;
    size_t dn = name_length(demangled), wn = name_length(m->norm);
    /* with a parameter list, what follows the name (parameters, qualifiers) must be the same */
    if (m->kind == LS_SYM_SIGNATURE && strcmp(demangled + dn, m->norm + wn))
        return LS_MATCH_NONE;
    int tails = m->kind != LS_SYM_PLAIN && strstr(m->norm, "::") && strstr(m->norm, "::") < m->norm + wn;
    return compare_names(demangled, dn, m->norm, wn, tails);
}

/* ---- the closest names, for "did you mean" ---- */

/* Case-insensitive edit distance of a[0, n) and b[0, m), both at most 255 characters. */
static unsigned edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    unsigned row[256];
    for (size_t j = 0; j <= m; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= m; j++) {
            unsigned up = row[j];
            unsigned cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            unsigned best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

/* Start of the last `k` "::"-separated components of s[0, n) (outside template brackets). */
static size_t last_components(const char *s, size_t n, int k)
{
    int depth = 0;
    for (size_t i = n; i-- > 1;) {
        if (s[i] == '>')
            depth++;
        else if (s[i] == '<')
            depth--;
        else if (!depth && s[i] == ':' && s[i - 1] == ':' && --k == 0)
            return i + 1;
    }
    return 0;
}

unsigned ls_sym_distance(const struct ls_symname *m, const char *name)
{
    const char *want = m->kind == LS_SYM_MANGLED ? m->text : m->norm;
    size_t wn = m->kind == LS_SYM_MANGLED ? strlen(want) : name_length(want);
    size_t dn = m->kind == LS_SYM_MANGLED ? strlen(name) : name_length(name);
    int k = 1;
    for (size_t i = 0; i + 1 < wn; i++)
        if (want[i] == ':' && want[i + 1] == ':')
            k++;
    size_t from = m->kind == LS_SYM_MANGLED ? 0 : last_components(name, dn, k);
    size_t len = dn - from;
    if (wn > 255 || len > 255 || (len > wn ? len - wn : wn - len) > 8)
        return UINT_MAX;
    unsigned d = edit_distance(want, wn, name + from, len);
    if (m->kind == LS_SYM_SIGNATURE && strcmp(want + wn, name + dn))
        d++;   /* the right name with other parameters is a close miss too */
    return d;
}

unsigned ls_sym_distance_limit(const struct ls_symname *m)
{
    size_t n = strlen(m->text) / 4;
    return n < 2 ? 2 : n > 6 ? 6 : (unsigned)n;
}
