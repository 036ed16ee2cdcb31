/*
 * modules.c — the module table: which file (executable or shared object) was mapped where, with its
 * load bias and build-id, so that stacks can be written as module + file offset and symbolized offline,
 * also after a library was dlclose'd.
 *
 * The table is rebuilt from /proc/self/maps rather than with dl_iterate_phdr: reading a file takes no
 * loader lock, so a refresh can never deadlock against a dlopen in another thread (the classic trap of
 * tools of this kind). It is refreshed only under the stamp lock: when a stack is about to be written
 * and an address is not covered, after dlopen/dlclose marked it stale, and before a dlclose unmaps a
 * library. Bias and build-id come from the ELF headers of the file on disk (read once per module).
 * Ids are never reused, so a library loaded at the address of an unloaded one gets a new id.
 */
#include "report/report.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define MAX_MODULES 8192

struct module_slot {
    struct ls_module_rec m;
    uint8_t loaded;    /* present in the last refresh */
    uint8_t elf;       /* 0: a mapped file that is not an ELF object (data, locale archive) */
};

static struct module_slot *table[MAX_MODULES + 1];
static uint32_t nmods;
_Atomic int ls_modules_stale = 1;

/* ---- reading the ELF file: load bias and build-id ---- */

static int read_at(int fd, void *dst, size_t n, off_t off)
{
    return pread(fd, dst, n, off) == (ssize_t)n ? 0 : -1;
}

static void hexify(char *out, const unsigned char *id, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = "0123456789abcdef"[id[i] >> 4];
        out[2 * i + 1] = "0123456789abcdef"[id[i] & 15];
    }
    out[2 * n] = 0;
}

/* Notes are read one header at a time: this runs inside a stamp, possibly on a small thread stack
 * (docs/preload.md gives the bound), so no buffer here is larger than a few hundred bytes. */
static void find_build_id(int fd, const Elf64_Phdr *ph, char *out)
{
    for (uint64_t at = 0; at + sizeof(Elf64_Nhdr) <= ph->p_filesz;) {
        Elf64_Nhdr h;
        char name[4];
        if (read_at(fd, &h, sizeof h, (off_t)(ph->p_offset + at)))
            return;
        uint64_t namesz = (h.n_namesz + 3ull) & ~3ull, descsz = (h.n_descsz + 3ull) & ~3ull;
        uint64_t desc_at = at + sizeof h + namesz;
        if (desc_at + h.n_descsz > ph->p_filesz)
            return;
        if (h.n_type == NT_GNU_BUILD_ID && h.n_namesz == 4 && h.n_descsz <= 40 &&
            !read_at(fd, name, 4, (off_t)(ph->p_offset + at + sizeof h)) && !memcmp(name, "GNU", 4)) {
            unsigned char id[40];
            if (!read_at(fd, id, h.n_descsz, (off_t)(ph->p_offset + desc_at)))
                hexify(out, id, h.n_descsz);
            return;
        }
        at = desc_at + descsz;
    }
}

/* Fills bias and build-id; returns -1 when the file is not a 64-bit ELF object. The program headers
 * are read a few at a time, for the same reason as the notes. */
static int inspect(struct module_slot *e, uintptr_t map0)
{
    int fd = open(e->m.path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    Elf64_Ehdr eh;
    int have_load = 0;
    if (read_at(fd, &eh, sizeof eh, 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 512)
        goto out;
    enum { CHUNK = 8 };
    Elf64_Phdr ph[CHUNK];
    for (int first = 0; first < eh.e_phnum; first += CHUNK) {
        int n = eh.e_phnum - first < CHUNK ? eh.e_phnum - first : CHUNK;
        if (read_at(fd, ph, (size_t)n * sizeof ph[0], (off_t)(eh.e_phoff + (uint64_t)first * sizeof ph[0])))
            goto out;
        for (int i = 0; i < n; i++) {
            if (ph[i].p_type == PT_LOAD && !have_load) {
                /* the mapping at file offset 0 holds the first PT_LOAD, at its page-aligned address */
                e->m.bias = map0 - (ph[i].p_vaddr & ~(uint64_t)(ph[i].p_align > 1 ? ph[i].p_align - 1 : 0xfff));
                have_load = 1;
            } else if (ph[i].p_type == PT_NOTE && !e->m.buildid[0]) {
                find_build_id(fd, &ph[i], e->m.buildid);
            }
        }
    }
out:
    close(fd);
    return have_load ? 0 : -1;
}

static struct module_slot *lookup(const char *path, uintptr_t lo)
{
    for (uint32_t i = 1; i <= nmods; i++)
        if (table[i]->m.lo == lo && !strcmp(table[i]->m.path, path))
            return table[i];
    return NULL;
}

static void note_module(const char *path, uintptr_t lo, uintptr_t hi, uintptr_t map0)
{
    struct module_slot *e = lookup(path, lo);
    if (!e) {
        if (nmods == MAX_MODULES || strlen(path) >= sizeof e->m.path || !(e = ls_arena_alloc(sizeof *e)))
            return;
        strcpy(e->m.path, path);
        e->m.lo = lo;
        e->elf = inspect(e, map0) == 0;
        e->m.id = ++nmods;
        table[nmods] = e;
    }
    if (hi > e->m.hi)
        e->m.hi = hi;
    e->loaded = 1;
}

void ls_modules_refresh(void)
{
    size_t len, cap;
    char *buf = ls_maps_read(&len, &cap);
    if (!buf)
        return;
    for (uint32_t i = 1; i <= nmods; i++)
        table[i]->loaded = 0;
    char *cur = buf;
    struct ls_mapping m;
    const char *path = NULL;
    uintptr_t lo = 0, hi = 0, map0 = 0;
    /* A module is a run of consecutive mappings of one file that starts at file offset 0. */
    while (ls_maps_next(&cur, &m)) {
        int same = path && m.inode && !strcmp(m.path, path);
        if (same) {
            hi = m.hi;
            continue;
        }
        if (path)
            note_module(path, lo, hi, map0);
        path = NULL;
        if (m.inode && m.path[0] == '/' && m.offset == 0) {
            path = m.path;
            lo = map0 = m.lo;
            hi = m.hi;
        }
    }
    if (path)
        note_module(path, lo, hi, map0);
    ls_unmap(buf, cap);
    atomic_store(&ls_modules_stale, 0);
}

uint32_t ls_modules_find(uintptr_t addr)
{
    for (uint32_t i = nmods; i >= 1; i--) {
        const struct module_slot *e = table[i];
        if (e->loaded && e->elf && addr >= e->m.lo && addr < e->m.hi)
            return i;
    }
    return 0;
}

struct ls_module_rec *ls_modules_get(uint32_t id)
{
    return id >= 1 && id <= nmods ? &table[id]->m : NULL;
}

void ls_modules_forget_emitted(void)
{
    for (uint32_t i = 1; i <= nmods; i++)
        table[i]->m.emitted = 0;
}
