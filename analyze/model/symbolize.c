/*
 * symbolize.c — libdwfl-based offline symbolizer (see symbolize.h).
 *
 * One Dwfl session per module file: reporting each file at base 0 keeps its addresses equal to the
 * link-time addresses the report records, and separate sessions keep files that all start at 0 from
 * overlapping. Inlined frames come from the whole chain of scopes around the address (scope_chain):
 * every DW_TAG_inlined_subroutine is one frame, whose caller location is its
 * DW_AT_call_file/DW_AT_call_line.
 */
#include "model/symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "read/u64map.h"
#include "base/util.h"

/* From libstdc++ (linked with -lstdc++); declared extern "C" in <cxxabi.h>. */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

typedef struct cached {      /* a resolved address: frames[first .. first+n) in the handle */
    size_t first, n;
} cached;

typedef struct handle {      /* one module file */
    const char *path;        /* pooled */
    const char *build_id;    /* pooled, as recorded (NULL: none recorded) */
    Dwfl *dwfl;
    Dwfl_Module *mod;        /* NULL: the file could not be used; frames stay unresolved */
    u64map cache;            /* address -> index in results */
    cached *results;
    size_t nresults, cap_results;
    ls_symframe *frames;
    size_t nframes, cap_frames;
} handle;

struct ls_symbolizer {
    strpool *pool;
    handle *handles;
    size_t nhandles, cap_handles;
};

static const Dwfl_Callbacks offline_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo, /* separate .debug files by build-id, if any */
    .section_address = dwfl_offline_section_address,
};

ls_symbolizer *symbolizer_new(strpool *pool)
{
    ls_symbolizer *s = xcalloc(1, sizeof *s);
    s->pool = pool;
    return s;
}

void symbolizer_free(ls_symbolizer *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nhandles; i++) {
        handle *h = &s->handles[i];
        if (h->dwfl)
            dwfl_end(h->dwfl);
        u64map_free(&h->cache);
        free(h->results);
        free(h->frames);
    }
    free(s->handles);
    free(s);
}

const char *symbolize_demangle(strpool *pool, const char *name)
{
    if (!name || strncmp(name, "_Z", 2))
        return strpool_intern(pool, name);
    int status = 0;
    char *d = __cxa_demangle(name, NULL, NULL, &status);
    const char *out = strpool_intern(pool, status == 0 && d ? d : name);
    free(d);
    return out;
}

/* elfutils names a versioned dynamic symbol "__libc_start_main@@GLIBC_2.34": the version is not part
 * of the function's name (and would make one function two across glibc builds). No C or mangled C++
 * name holds an '@'. */
static const char *symbol_name(strpool *pool, const char *sname)
{
    const char *at = sname ? strchr(sname, '@') : NULL;
    if (!at || at == sname)
        return symbolize_demangle(pool, sname);
    char *bare = xstrndup(sname, (size_t)(at - sname));
    const char *out = symbolize_demangle(pool, bare);
    free(bare);
    return out;
}

/* ---- opening module files ----------------------------------------------------------------- */

static void hex_of(const unsigned char *bits, int n, char *out)
{
    for (int i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", bits[i]);
    out[2 * n] = '\0';
}

static void check_build_id(handle *h)
{
    const unsigned char *bits;
    GElf_Addr vaddr;
    int n = dwfl_module_build_id(h->mod, &bits, &vaddr);
    if (!h->build_id || n <= 0)
        return;
    char *disk = xmalloc(2 * (size_t)n + 1);
    hex_of(bits, n, disk);
    if (strcasecmp(disk, h->build_id))
        ls_warn("%s: build-id on disk (%s) differs from the recorded one (%s): the file changed "
                "since the run, symbols may be wrong", h->path, disk, h->build_id);
    free(disk);
}

static void open_module(handle *h)
{
    if (h->path[0] != '/')
        return; /* [vdso], anonymous code: nothing on disk to read, nothing to warn about */
    /* O_NONBLOCK and the regular-file check: a report names any path it likes, and opening a FIFO
     * or a device must not hang or read forever */
    int fd = open(h->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        ls_warn("%s: cannot open as a file (%s): its frames stay unsymbolized", h->path,
                fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return;
    }
    h->dwfl = dwfl_begin(&offline_callbacks);
    /* on success the module owns the descriptor (dwfl_end closes it); on failure we still do */
    h->mod = h->dwfl ? dwfl_report_elf(h->dwfl, path_base(h->path), h->path, fd, 0, false) : NULL;
    if (!h->mod) {
        ls_warn("%s: not a usable ELF file (%s): its frames stay unsymbolized", h->path,
                dwfl_errmsg(-1));
        close(fd);
        return;
    }
    dwfl_report_end(h->dwfl, NULL, NULL);
    check_build_id(h);
}

static handle *handle_for(ls_symbolizer *s, const ls_module *m)
{
    const char *path = strpool_intern(s->pool, m->path);
    const char *bid = strpool_intern(s->pool, m->build_id);
    for (size_t i = 0; i < s->nhandles; i++)
        if (s->handles[i].path == path && s->handles[i].build_id == bid)
            return &s->handles[i];
    handle h = { .path = path, .build_id = bid };
    open_module(&h);
    VEC_PUSH(s->handles, s->nhandles, s->cap_handles, h);
    return &s->handles[s->nhandles - 1];
}

/* ---- resolving one address ---------------------------------------------------------------- */

static const char *die_name(strpool *pool, Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    const char *name = NULL;
    if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
        dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr))
        name = dwarf_formstring(&attr);
    if (!name && dwarf_attr_integrate(die, DW_AT_name, &attr))
        name = dwarf_formstring(&attr);
    return symbolize_demangle(pool, name);
}

/* Where an inlined call was made: its DW_AT_call_file / DW_AT_call_line. */
static void call_site(strpool *pool, Dwarf_Die *inl, const char **file, int *line)
{
    Dwarf_Attribute attr;
    Dwarf_Word w;
    Dwarf_Die cu;
    Dwarf_Files *files;
    size_t nfiles;
    *file = NULL;
    *line = 0;
    if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &attr), &w) == 0)
        *line = (int)w;
    if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &attr), &w) == 0 &&
        dwarf_diecu(inl, &cu, NULL, NULL) && dwarf_getsrcfiles(&cu, &files, &nfiles) == 0 &&
        w < nfiles)
        *file = strpool_intern(pool, dwarf_filesrc(files, w, NULL, NULL));
}

static void push_frame(handle *h, ls_symframe f)
{
    VEC_PUSH(h->frames, h->nframes, h->cap_frames, f);
}

/* The function and line of the address from the symbol table and line table alone. */
static void resolve_plain(ls_symbolizer *s, handle *h, GElf_Addr a, ls_symframe *base)
{
    GElf_Off off;
    GElf_Sym sym;
    const char *sname = dwfl_module_addrinfo(h->mod, a, &off, &sym, NULL, NULL, NULL);
    base->function = symbol_name(s->pool, sname);
    Dwfl_Line *line = dwfl_module_getsrc(h->mod, a);
    int lineno = 0;
    const char *src = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
    base->file = strpool_intern(s->pool, src);
    base->line = lineno;
}

/* The chain of scopes around an address, innermost first, through every level of inlining.
 * dwarf_getscopes() finds the innermost scope but continues from an inlined subroutine into its
 * abstract origin's parents (the declaration), so only the first inlined level is seen there;
 * dwarf_getscopes_die() on that innermost scope walks the concrete tree instead: inlined subroutine
 * inside inlined subroutine up to the real function, as `eu-addr2line -i` does. */
static int scope_chain(Dwarf_Die *cudie, Dwarf_Addr pc, Dwarf_Die **out)
{
    Dwarf_Die *scopes = NULL;
    int n = dwarf_getscopes(cudie, pc, &scopes);
    *out = NULL;
    if (n <= 0) {
        free(scopes);
        return 0;
    }
    Dwarf_Die innermost = scopes[0];
    free(scopes);
    n = dwarf_getscopes_die(&innermost, out);
    return n > 0 ? n : 0;
}

static void resolve(ls_symbolizer *s, handle *h, uint64_t recorded)
{
    /* frames are return addresses: the call instruction is the byte before */
    GElf_Addr a = recorded ? recorded - 1 : 0;
    ls_symframe base = { .module = h->path, .addr = recorded };
    resolve_plain(s, h, a, &base);
    Dwarf_Addr bias;
    Dwarf_Die *cudie = dwfl_module_addrdie(h->mod, a, &bias);
    Dwarf_Die *scopes = NULL;
    int n = cudie ? scope_chain(cudie, a - bias, &scopes) : 0;
    const char *file = base.file;
    int line = base.line;
    for (int i = 0; i < n; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag == DW_TAG_inlined_subroutine) {
            ls_symframe f = { die_name(s->pool, &scopes[i]), file, line, h->path, recorded, 1, 0 };
            push_frame(h, f);
            call_site(s->pool, &scopes[i], &file, &line);
        } else if (tag == DW_TAG_subprogram) {
            /* the ELF symbol names clones (foo.cold) and is mangled in full; prefer it */
            base.function = base.function ? base.function : die_name(s->pool, &scopes[i]);
            break;
        }
    }
    free(scopes);
    base.file = file;
    base.line = line;
    push_frame(h, base);
}

void symbolize_frame(ls_symbolizer *s, const ls_report *r, const ls_frame *f, ls_symframe **out,
                     size_t *n, size_t *cap)
{
    if (!f->module || f->module > r->nmodules) {
        ls_symframe raw = { .addr = f->addr };
        VEC_PUSH(*out, *n, *cap, raw);
        return;
    }
    handle *h = handle_for(s, &r->modules[f->module - 1]);
    long at = u64map_get(&h->cache, f->addr);
    if (at < 0) {
        cached c = { h->nframes, 0 };
        if (h->mod)
            resolve(s, h, f->addr);
        else
            push_frame(h, (ls_symframe){ .module = h->path, .addr = f->addr });
        c.n = h->nframes - c.first;
        u64map_put(&h->cache, f->addr, (uint32_t)h->nresults);
        VEC_PUSH(h->results, h->nresults, h->cap_results, c);
        at = (long)h->nresults - 1;
    }
    const cached *c = &h->results[at];
    for (size_t i = 0; i < c->n; i++)
        VEC_PUSH(*out, *n, *cap, h->frames[c->first + i]);
}
