/*
 * roots.c — where the marking starts, read from /proc/self/maps of the snapshot (no dl_iterate_phdr:
 * another thread may have held the loader lock at the fork).
 *
 * - Globals: the writable PT_LOAD segments (.data, .bss) of every mapped ELF module, from the program
 *   headers in its first mapped page. This library's own segments are left out: they hold the tool's
 *   tables, which point at every block.
 * - Stacks: the main thread's [stack] and every glibc thread stack. A thread stack is recognised by
 *   its thread descriptor at the top of the mapping (glibc puts struct pthread there, whose first word
 *   and third word point at itself); the static TLS lies just below the descriptor. A snapshot has the
 *   registers of the scanning thread only, so the other threads' stacks are scanned whole, also below
 *   their stack pointers; the scanning thread's stack from its stack pointer up (at exit not at all).
 * - TLS: each thread's static TLS block and descriptor (for the main thread, found from the thread
 *   pointer noted at start-up). Dynamic TLS blocks (modules loaded by dlopen) are heap blocks, reached
 *   through the descriptor's DTV.
 */
#include "scan/scan.h"

#include <dlfcn.h>
#include <elf.h>
#include <string.h>

static uintptr_t main_tp;
static size_t tls_static = 8192;   /* glibc's static TLS size with the descriptor, when it says */
#define TCB_ROOM 4096              /* struct pthread fits (2304 bytes in glibc 2.36) */
#define TCB_SEARCH (16u << 10)     /* the descriptor lies this close to a thread stack's top */

void ls_roots_note_main_thread(void)
{
    main_tp = (uintptr_t)__builtin_thread_pointer();
    void (*info)(size_t *, size_t *) = (void (*)(size_t *, size_t *))dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info");
    size_t size = 0, align = 0;
    if (info) {
        info(&size, &align);
        if (size)
            tls_static = size + align;   /* the block below the descriptor, the descriptor, alignment */
    }
}

static int add(struct ls_roots *r, uintptr_t lo, uintptr_t hi, struct ls_root proto)
{
    lo = (lo + 7) & ~(uintptr_t)7;
    if (hi <= lo)
        return 0;
    if (ls_scan_room((void **)&r->v, &r->cap, r->n, sizeof *r->v, 256))
        return -1;
    proto.lo = lo, proto.hi = hi;
    r->v[r->n++] = proto;
    r->bytes += hi - lo;
    return 0;
}

/* [lo, hi) cut to the readable mappings it overlaps. */
static void add_readable(struct ls_roots *r, const struct ls_mapping *m, size_t nm, uintptr_t lo, uintptr_t hi,
                         struct ls_root proto)
{
    for (size_t i = 0; i < nm; i++)
        if (m[i].readable && m[i].lo < hi && m[i].hi > lo)
            add(r, lo > m[i].lo ? lo : m[i].lo, hi < m[i].hi ? hi : m[i].hi, proto);
}

static void add_module(struct ls_roots *r, const struct ls_mapping *m, size_t nm, const struct ls_mapping *base)
{
    const Elf64_Ehdr *e = (const Elf64_Ehdr *)base->lo;
    if (base->hi - base->lo < sizeof *e || memcmp(e->e_ident, ELFMAG, SELFMAG) || e->e_ident[EI_CLASS] != ELFCLASS64 ||
        e->e_phoff + (uint64_t)e->e_phnum * sizeof(Elf64_Phdr) > base->hi - base->lo)
        return;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base->lo + e->e_phoff);
    uintptr_t bias = 0;
    if (e->e_type == ET_DYN)
        for (int i = 0; i < e->e_phnum; i++)
            if (ph[i].p_type == PT_LOAD) {
                bias = base->lo - (ph[i].p_vaddr & ~(uintptr_t)4095);
                break;
            }
    for (int i = 0; i < e->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W))
            add_readable(r, m, nm, bias + ph[i].p_vaddr, bias + ph[i].p_vaddr + ph[i].p_memsz,
                         (struct ls_root){.kind = LS_HELD_GLOBAL, .bias = bias, .path = base->path});
}

/* A glibc thread descriptor near the top of an anonymous mapping: its address, or 0. */
static uintptr_t find_descriptor(const struct ls_mapping *m)
{
    uintptr_t from = m->hi - TCB_SEARCH > m->lo ? m->hi - TCB_SEARCH : m->lo;
    for (uintptr_t at = (m->hi - 64) & ~(uintptr_t)63; at >= from; at -= 64) {
        const uintptr_t *w = (const uintptr_t *)at;
        if (w[0] == at && w[2] == at)
            return at;
    }
    return 0;
}

/* At exit the thread that scans is running exit(): its frames are the exit path, and the locals of a
 * main that has returned are dead but still in memory there. memcheck checks after the process is gone,
 * so none of them count; its stack is not a root then (the other threads' stacks are: they live). */
static int exiting;

static void add_stack(struct ls_roots *r, uintptr_t lo, uintptr_t hi, uintptr_t sp, uintptr_t thread)
{
    if (sp >= lo && sp < hi && exiting)
        return;
    if (sp >= lo && sp < hi)
        lo = sp;
    add(r, lo, hi, (struct ls_root){.kind = LS_HELD_STACK, .thread = thread});
}

static void add_threads(struct ls_roots *r, const struct ls_mapping *m, size_t nm, uintptr_t sp)
{
    for (size_t i = 0; i < nm; i++) {
        if (!m[i].readable || !m[i].writable)
            continue;
        if (!strcmp(m[i].path, "[stack]")) {
            add_stack(r, m[i].lo, m[i].hi, sp, 0);
            continue;
        }
        if (m[i].path[0] || m[i].inode)
            continue;
        if (main_tp >= m[i].lo && main_tp < m[i].hi) {
            uintptr_t lo = main_tp - tls_static > m[i].lo ? main_tp - tls_static : m[i].lo;
            uintptr_t hi = main_tp + TCB_ROOM < m[i].hi ? main_tp + TCB_ROOM : m[i].hi;
            add(r, lo, hi, (struct ls_root){.kind = LS_HELD_TLS});
            continue;
        }
        uintptr_t tp = find_descriptor(&m[i]);
        if (!tp)
            continue;
        /* glibc puts the descriptor as high as it fits, so what lies above it is the descriptor's
         * size; the rest of the static TLS size lies below it, and the stack below that */
        size_t above = m[i].hi - tp, below = tls_static > above ? tls_static - above : 0;
        uintptr_t tls = tp - below > m[i].lo ? tp - below : m[i].lo;
        add_stack(r, m[i].lo, tls, sp, tp);
        add(r, tls, m[i].hi, (struct ls_root){.kind = LS_HELD_TLS, .thread = tp});
    }
}

int ls_roots_collect(struct ls_roots *r, uintptr_t sp, int at_exit)
{
    exiting = at_exit;
    size_t len;
    if (!(r->text = ls_maps_read(&len, &r->text_cap)))
        return -1;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += r->text[i] == '\n';
    struct ls_mapping *m = ls_scan_map(lines * sizeof *m);
    if (!m)
        return -1;
    char *cursor = r->text;
    size_t nm = 0;
    while (nm < lines && ls_maps_next(&cursor, &m[nm]))
        nm++;
    const char *self = NULL;
    for (size_t i = 0; i < nm; i++)
        if ((uintptr_t)&ls_scan_peak >= m[i].lo && (uintptr_t)&ls_scan_peak < m[i].hi)
            self = m[i].path;
    for (size_t i = 0; i < nm; i++)
        if (m[i].offset == 0 && m[i].path[0] == '/' && m[i].readable && !(self && !strcmp(self, m[i].path)))
            add_module(r, m, nm, &m[i]);
    add_threads(r, m, nm, sp);
    ls_scan_unmap(m, lines * sizeof *m);
    return 0;
}
