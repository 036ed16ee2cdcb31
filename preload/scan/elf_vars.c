/*
 * elf_vars.c — names of global variables, to say which one holds a block ("held by g_cache").
 *
 * The module's file is mapped read-only and its data objects (STT_OBJECT) are taken from .symtab, or
 * from .dynsym when the file is stripped, sorted by address once per module. Only the snapshot child
 * reads them; the mappings go when it exits. A module without symbols is named by file and offset instead.
 */
#include "scan/scan.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct var {
    uintptr_t lo, hi;
    const char *name;
};
struct module_vars {
    const char *path;
    void *file;
    size_t file_size;
    struct var *v;
    size_t n;
};
#define MAX_MODULES 64
static struct module_vars mods[MAX_MODULES];
static size_t nmods;

static int by_lo(const void *a, const void *b)
{
    const struct var *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static const Elf64_Shdr *section(const Elf64_Ehdr *e, size_t size, uint32_t type)
{
    const Elf64_Shdr *sh = (const Elf64_Shdr *)((const char *)e + e->e_shoff);
    for (int i = 0; i < e->e_shnum; i++)
        if (sh[i].sh_type == type && sh[i].sh_link < e->e_shnum && sh[i].sh_offset + sh[i].sh_size <= size &&
            sh[sh[i].sh_link].sh_offset + sh[sh[i].sh_link].sh_size <= size)
            return &sh[i];
    return NULL;
}

/* .symtab, else .dynsym, with its string table. */
static const Elf64_Shdr *symbol_table(const Elf64_Ehdr *e, size_t size, const Elf64_Shdr **strtab)
{
    if (e->e_shoff == 0 || e->e_shoff + (uint64_t)e->e_shnum * sizeof(Elf64_Shdr) > size)
        return NULL;
    const Elf64_Shdr *found = section(e, size, SHT_SYMTAB);
    if (!found)
        found = section(e, size, SHT_DYNSYM);
    if (found)
        *strtab = (const Elf64_Shdr *)((const char *)e + e->e_shoff) + found->sh_link;
    return found;
}

static void load(struct module_vars *m)
{
    int fd = open(m->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return;
    if (fstat(fd, &st) == 0 && st.st_size > (off_t)sizeof(Elf64_Ehdr))
        m->file = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (!m->file || m->file == MAP_FAILED) {
        m->file = NULL;
        return;
    }
    m->file_size = (size_t)st.st_size;
    const Elf64_Ehdr *e = m->file;
    const Elf64_Shdr *strtab = NULL, *symtab = memcmp(e->e_ident, ELFMAG, SELFMAG) ? NULL
                                                                                  : symbol_table(e, m->file_size, &strtab);
    if (!symtab)
        return;
    const Elf64_Sym *sym = (const Elf64_Sym *)((const char *)e + symtab->sh_offset);
    const char *names = (const char *)e + strtab->sh_offset;
    size_t count = symtab->sh_size / sizeof *sym, n = 0;
    m->v = ls_scan_map((count + 1) * sizeof *m->v);
    for (size_t i = 0; m->v && i < count; i++)
        if (ELF64_ST_TYPE(sym[i].st_info) == STT_OBJECT && sym[i].st_size && sym[i].st_name < strtab->sh_size)
            m->v[n++] = (struct var){sym[i].st_value, sym[i].st_value + sym[i].st_size, names + sym[i].st_name};
    if (m->v)
        ls_sort(m->v, n, sizeof *m->v, by_lo);
    m->n = n;
}

static struct module_vars *module(const char *path)
{
    for (size_t i = 0; i < nmods; i++)
        if (!strcmp(mods[i].path, path))
            return &mods[i];
    if (nmods == MAX_MODULES)
        return NULL;
    struct module_vars *m = &mods[nmods++];
    m->path = path;
    load(m);
    return m;
}

const char *ls_elf_var(const char *path, uintptr_t addr, uintptr_t *start)
{
    struct module_vars *m = module(path);
    if (!m || !m->n)
        return NULL;
    size_t lo = 0, hi = m->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->v[mid].lo <= addr)
            lo = mid;
        else
            hi = mid;
    }
    /* a variable inside a larger one (a static in a struct's range) does not occur in practice */
    if (addr < m->v[lo].lo || addr >= m->v[lo].hi)
        return NULL;
    *start = m->v[lo].lo;
    return m->v[lo].name;
}
