/*
 * symstamp.c — named stamp symbols: every entry into a function the user named records a stamp named
 * after it, in a job that was not rebuilt (docs/named-stamps.md).
 *
 * At start-up every object in the loader's list (_r_debug.r_map: the executable, its libraries, the
 * loader) is read from disk (elf_symbols.c); each function whose name matches (symstamp_names.c) gets
 * an int3 on its first byte (trap.c). Objects loaded later are caught with one more breakpoint, on the
 * loader's _dl_debug_state (r_debug.r_brk): the loader calls it with r_state == RT_CONSISTENT after it
 * has mapped the objects of a dlopen and before it relocates them or runs their constructors, so the
 * new objects are scanned then, from the thread that called dlopen. dlopen itself stays untouched
 * (its caller's return address chooses its search path). The same breakpoint sees a dlclose: objects
 * gone from the list lose their traps.
 *
 * Report: the header gets `event <NAME>` (and `inject <bytes>`); a `symbols` record lists what each
 * name was matched to and which names match nothing (docs/report-format.md). Such a record is written
 * after the start-up scan, before the next stamp after a dlopen that matched something, and at exit,
 * when it also lists the closest existing names to each name that never matched ("did you mean").
 */
#include "trap/trap.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_OBJECTS 4096

struct object {
    const struct link_map *lm;
    uintptr_t l_addr;
    int id;
    int seen;
    const char *path;       /* arena copy */
};

/* What one trapped address stamps: usually one name; several when names overlap (--event f --stamp f). */
struct hit {
    int names[8];
    _Atomic int n;
};

static struct object objects[MAX_OBJECTS];
static int nobjects, next_object_id = 1;
static const struct link_map *self_lm;
static pthread_mutex_t pend_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ls_buf pending;   /* `symbol` lines not yet written */
static _Atomic int pending_new;

static void write_symbols_record(int final);

/* ---- what a breakpoint does ---- */

/* The SIGTRAP handler calls this on the thread that entered a named function.
 * Locks: ls_stamp_internal takes the stamp mutex. A thread that already holds it (or any other lock of
 * the tool: livemap shards, this file's pend_lock) is running tool code with ls_in_tool set, and the
 * tool calls no job code — but it does call libc, and a user may name a libc function (write, mmap,
 * malloc). Such a trap, hit from inside the tool, must stamp nothing: with ls_in_tool set we return at
 * once and the function runs as usual. A trap in job code (ls_in_tool clear) holds no lock of ours, so
 * taking the stamp mutex here cannot deadlock. The handler's mask blocks other signals meanwhile. */
static void on_hit(void *arg, ucontext_t *uc)
{
    (void)uc;
    if (ls_busy())
        return;
    struct hit *h = arg;
    if (atomic_load(&pending_new))
        write_symbols_record(0);
    int n = atomic_load(&h->n);
    for (int k = 0; k < n; k++) {
        int i = h->names[k];
        ls_stamp_internal(ls_sym.names[i].text);
        if (i == ls_sym.event && ls_sym.inject) {
            struct ls_guard g = ls_enter();
            ls_inject_event();
            ls_leave(g);
        }
    }
}

/* ---- did you mean ---- */

/* The closest function names to each name that matched nothing, found at exit by reading the symbols
 * of every object once more (only then, and only when some name never matched). */
#define SUGGESTIONS 3
struct suggestion {
    unsigned distance;
    char name[512];
};
static struct suggestion suggestions[LS_SYM_MAX_NAMES][SUGGESTIONS];
static int nsuggestions[LS_SYM_MAX_NAMES];

/* `name` is compared (demangled and normalised, or the symbol), `shown` is listed. */
static void consider(int i, const char *name, const char *shown)
{
    unsigned d = ls_sym_distance(&ls_sym.names[i], name);
    if (d > ls_sym_distance_limit(&ls_sym.names[i]) || strlen(shown) >= sizeof suggestions[0][0].name)
        return;
    struct suggestion *v = suggestions[i];
    int n = nsuggestions[i], at = n;
    for (int k = 0; k < n; k++)
        if (!strcmp(v[k].name, shown))
            return;   /* listed in .symtab and .dynsym */
    while (at > 0 && v[at - 1].distance > d)
        at--;
    if (at == SUGGESTIONS)
        return;
    memmove(&v[at + 1], &v[at], (size_t)(n - at - (n == SUGGESTIONS)) * sizeof *v);
    v[at].distance = d;
    strcpy(v[at].name, shown);
    nsuggestions[i] = n + (n < SUGGESTIONS);
}

static int on_suggest_symbol(const char *sym, uintptr_t addr, int prot, void *arg)
{
    (void)addr, (void)prot, (void)arg;
    char base[4096], dem[4096], printed[4096];
    if (ls_sym_base(sym, base, sizeof base))
        return 0;
    const char *d = ls_sym_demangle(base, dem, sizeof dem);
    const char *p = d ? ls_sym_demangle_printed(base, printed, sizeof printed) : NULL;
    for (int i = 0; i < ls_sym.n; i++)
        if (!atomic_load(&ls_sym.names[i].matches)) {
            int as_symbol = ls_sym.names[i].kind == LS_SYM_MANGLED || !d;
            consider(i, as_symbol ? base : d, as_symbol ? base : p ? p : d);
        }
    return 0;
}

static void find_suggestions(void)
{
    for (int k = 0; k < nobjects; k++)
        if (objects[k].path)
            ls_elf_each_function(objects[k].path, objects[k].l_addr, on_suggest_symbol, NULL);
}

/* "event function X matched no function ...; did you mean: A; B" */
static void say_unmatched(int i)
{
    char also[1700] = "";
    size_t n = 0;
    for (int k = 0; k < nsuggestions[i] && n < sizeof also; k++)
        n += (size_t)snprintf(also + n, sizeof also - n, "%s%s", k ? "; " : "; did you mean: ", suggestions[i][k].name);
    ls_say("%s %s matched no function in the program or its libraries: it recorded no stamps%s",
           i == ls_sym.event ? "event function" : "stamp function", ls_sym.names[i].text, also);
}

/* ---- the symbols record ---- */

/* Pending `symbol` lines, the names that match nothing so far, `end symbols`: one record. The final
 * one (at exit) also lists the closest names to those that never matched, and says them on stderr
 * unless the launcher (`leakstamp run`) does that once for the whole run (LEAKSTAMP_NAMES_SUMMARY: many processes of one
 * job, such as an interpreter's shims and helpers, would each say it). */
static void write_symbols_record(int final)
{
    /* The guard first: the write below may enter a named libc function (write), whose breakpoint must
     * not try to stamp while we hold the stamp mutex (see on_hit). */
    struct ls_guard g = ls_enter_blocking();
    /* At exit from a signal handler that interrupted the tool, this thread may hold pend_lock: then
     * the record is left out rather than waited for (ls_stamp_lock_bounded for the stamp lock). */
    if (g.was ? pthread_mutex_trylock(&pend_lock) : pthread_mutex_lock(&pend_lock)) {
        ls_leave_blocking(g);
        return;
    }
    atomic_store(&pending_new, 0);
    struct ls_buf b = {0};
    ls_buf_put(&b, pending.data, pending.len);
    int unmatched = 0;
    for (int i = 0; i < ls_sym.n; i++)
        unmatched += !atomic_load(&ls_sym.names[i].matches);
    if (final && unmatched)
        find_suggestions();
    for (int i = 0; i < ls_sym.n; i++)
        if (!atomic_load(&ls_sym.names[i].matches)) {
            ls_buf_str(&b, "unmatched\t"), ls_buf_esc(&b, ls_sym.names[i].text), ls_buf_nl(&b);
            if (!final)
                continue;
            for (int k = 0; k < nsuggestions[i]; k++) {
                ls_buf_str(&b, "suggest\t"), ls_buf_esc(&b, ls_sym.names[i].text), ls_buf_tab(&b);
                ls_buf_u64(&b, suggestions[i][k].distance), ls_buf_tab(&b);
                ls_buf_esc(&b, suggestions[i][k].name), ls_buf_nl(&b);
            }
            if (!ls_sym.summary_by_launcher)
                say_unmatched(i);
        }
    ls_buf_str(&b, "end\tsymbols\n");
    if (!b.failed && atomic_load(&ls_active) && ls_stamp_lock_bounded(g.was) == 0) {
        if (ls_outfile_write(b.data, b.len) == 0)
            pending.len = 0;
        ls_stamp_unlock();
    }
    ls_buf_free(&b);
    pthread_mutex_unlock(&pend_lock);
    ls_leave_blocking(g);
}

/* ---- scanning objects ---- */

struct object_scan {
    struct object *o;
};

static void note_match(int i, const char *sym, uintptr_t addr, const struct object *o)
{
    pthread_mutex_lock(&pend_lock);
    ls_buf_str(&pending, "symbol\t"), ls_buf_esc(&pending, ls_sym.names[i].text), ls_buf_tab(&pending);
    ls_buf_hex(&pending, addr - o->l_addr), ls_buf_tab(&pending);
    ls_buf_esc(&pending, sym), ls_buf_tab(&pending), ls_buf_esc(&pending, o->path), ls_buf_nl(&pending);
    atomic_store(&pending_new, 1);
    pthread_mutex_unlock(&pend_lock);
    atomic_fetch_add(&ls_sym.names[i].matches, 1);
    ls_verbose("stamp %s at %s in %s", ls_sym.names[i].text, sym, o->path);
}

/* Name i matched the function at addr: arm it, or add the name to the trap already there (the same
 * function is listed in .dynsym and .symtab, and aliases share an address). */
static void match(int i, const char *sym, uintptr_t addr, int prot, struct object *o)
{
    struct hit *h = ls_trap_arg(addr);
    if (h) {
        int n = atomic_load(&h->n);
        for (int k = 0; k < n; k++)
            if (h->names[k] == i)
                return;
        if (n == (int)(sizeof h->names / sizeof h->names[0]))
            return;
        h->names[n] = i;
        atomic_store(&h->n, n + 1);
        note_match(i, sym, addr, o);
        return;
    }
    h = ls_arena_alloc(sizeof *h);
    if (!h)
        return;
    h->names[0] = i;
    atomic_store(&h->n, 1);
    char why[256];
    if (ls_trap_arm(addr, prot, on_hit, h, o->id, why, sizeof why)) {
        ls_say("cannot stamp %s at %s in %s: %s", ls_sym.names[i].text, sym, o->path, why);
        return;
    }
    note_match(i, sym, addr, o);
}

/* A name matches by its tail (`DetSimAlg::execute`) only while the tail names one function or overload
 * set: the first function name it met (by tail or in full) owns it; another is refused, and said once.
 * Scans run one at a time (start-up, then under the loader's lock). */
static int unique_tail(struct ls_symname *m, const char *demangled, int how)
{
    size_t n = ls_sym_name_length(demangled);
    if (!m->tail_owner) {
        char *c = ls_arena_alloc(n + 1);
        if (c)
            memcpy(c, demangled, n);
        m->tail_owner = c;
        return 1;
    }
    if ((strlen(m->tail_owner) == n && !memcmp(m->tail_owner, demangled, n)) || how == LS_MATCH_EXACT)
        return 1;
    if (!m->tail_refused) {
        m->tail_refused = 1;
        ls_say("%s names more than one function: %s is stamped, %.*s is not; give its qualified name",
               m->text, m->tail_owner, (int)n, demangled);
    }
    return 0;
}

/* Names of one symbol while a scan runs. Not on the stack: a scan runs inside dlopen, in a SIGTRAP
 * handler on whatever stack the job gave that thread (docs/preload.md: the stack bound). Scans never run
 * at once: at start-up there is one thread, and later the loader calls its breakpoint with its own lock
 * held. */
static struct scan_names {
    char base[4096], dem[4096], path[4096];
} *names;

static int on_symbol(const char *sym, uintptr_t addr, int prot, void *arg)
{
    struct object_scan *sc = arg;
    char *base = names->base;
    if (ls_sym_base(sym, base, sizeof names->base))
        return 0;   /* a .cold part: reached by jumps from inside its function, no entry */
    const char *d = ls_sym_needs_demangling(base) ? ls_sym_demangle(base, names->dem, sizeof names->dem) : NULL;
    for (int i = 0; i < ls_sym.n; i++) {
        int how = ls_sym_matches(&ls_sym.names[i], base, d);
        if (how != LS_MATCH_NONE && (!d || unique_tail(&ls_sym.names[i], d, how)))
            match(i, sym, addr, prot, sc->o);
    }
    return 0;
}

static const char *object_path(const struct link_map *lm)
{
    char *buf = names->path;
    const char *p = lm->l_name;
    if (!p || !*p) {
        ssize_t n = readlink("/proc/self/exe", buf, sizeof names->path - 1);
        if (n <= 0)
            return NULL;
        buf[n] = 0;
        p = buf;
    }
    size_t len = strlen(p);
    char *c = ls_arena_alloc(len + 1);
    if (c)
        memcpy(c, p, len + 1);
    return c;
}

/* Walk the loader's list: scan objects not seen before, forget objects that are gone. Runs at
 * start-up and in the loader's thread at RT_CONSISTENT, when the list is stable. */
static void scan_objects(void)
{
    if (!names && !(names = ls_arena_alloc(sizeof *names)))
        return;
    for (int k = 0; k < nobjects; k++)
        objects[k].seen = 0;
    for (const struct link_map *lm = _r_debug.r_map; lm; lm = lm->l_next) {
        int known = 0;
        for (int k = 0; k < nobjects && !known; k++)
            if (objects[k].lm == lm && objects[k].l_addr == lm->l_addr)
                known = objects[k].seen = 1;
        if (known || lm == self_lm || nobjects == MAX_OBJECTS)
            continue;
        struct object *o = &objects[nobjects];
        o->lm = lm;
        o->l_addr = lm->l_addr;
        o->id = next_object_id++;
        o->seen = 1;
        o->path = object_path(lm);
        nobjects++;
        struct object_scan sc = {o};
        if (o->path)
            ls_elf_each_function(o->path, lm->l_addr, on_symbol, &sc);   /* vdso: no file, skipped */
    }
    for (int k = 0; k < nobjects;) {
        if (objects[k].seen) {
            k++;
            continue;
        }
        ls_trap_forget_owner(objects[k].id);
        objects[k] = objects[--nobjects];
    }
}

/* The loader's breakpoint: a dlopen or dlclose has finished changing the list. The scan allocates
 * (demangler: untracked, from the real allocator) and opens files (cancellation points: held off). */
static void on_loader_event(void *arg, ucontext_t *uc)
{
    (void)arg, (void)uc;
    if (_r_debug.r_state != RT_CONSISTENT)
        return;
    struct ls_guard g = ls_enter_blocking();
    scan_objects();
    ls_leave_blocking(g);
}

/* fork: every lock of this room is taken before and released after on both sides, so a child never
 * inherits one held by a thread it does not have. Registered after lifecycle.c's handlers, so ours
 * are taken first (pend_lock before the stamp lock, as write_symbols_record takes them). */
static void fork_prepare(void)
{
    pthread_mutex_lock(&pend_lock);
    ls_trap_fork_prepare();
}

static void fork_done(void)
{
    ls_trap_fork_done();
    pthread_mutex_unlock(&pend_lock);
}

static void named_start(void)
{
    ls_symconfig_load();
    if (!ls_sym.n)
        return;
    Dl_info info;
    void *lm = NULL;
    if (dladdr1((void *)&named_start, &info, &lm, RTLD_DL_LINKMAP))
        self_lm = lm;
    if (ls_trap_init())
        return;
    pthread_atfork(fork_prepare, fork_done, fork_done);
    scan_objects();
    char why[256];
    if (!_r_debug.r_brk ||
        ls_trap_arm(_r_debug.r_brk, PROT_READ | PROT_EXEC, on_loader_event, NULL, 0, why, sizeof why))
        ls_say("cannot watch dlopen (%s): functions in libraries loaded later are not stamped",
               _r_debug.r_brk ? why : "no r_debug.r_brk");
    /* A name that matches nothing yet is not said now: a library loaded later may define it (an
     * interpreter's job loads its libraries long after start). It is said at exit if it never matched. */
    for (int i = 0; i < ls_sym.n; i++) {
        const struct ls_symname *m = &ls_sym.names[i];
        int n = atomic_load(&m->matches);
        if (n > 1 && m->kind != LS_SYM_MANGLED && m->kind != LS_SYM_SIGNATURE)
            ls_verbose("%s matches %d functions: every overload records a stamp named %s", m->text, n, m->text);
    }
    write_symbols_record(0);
}

static void named_put_header(struct ls_buf *b)
{
    ls_symconfig_load();
    if (ls_sym.event >= 0)
        ls_buf_str(b, "event\t"), ls_buf_esc(b, ls_sym.names[ls_sym.event].text), ls_buf_nl(b);
    if (ls_sym.inject)
        ls_buf_str(b, "inject\t"), ls_buf_u64(b, ls_sym.inject), ls_buf_nl(b);
}

static void named_at_exit(void)
{
    if (ls_sym.n && ls_trap_installed())
        write_symbols_record(1);
}

const struct ls_named_stamps ls_named_stamps = {named_start, named_put_header, named_at_exit};
