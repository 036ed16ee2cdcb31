/*
 * launch/elf_probe.c — is a program dynamically linked? Read from its own ELF program headers, so no
 * readelf is needed: a program with PT_INTERP is started by the dynamic loader, which honours
 * LD_PRELOAD. One without PT_INTERP is static (the kernel jumps straight into it: nothing can be
 * preloaded), with one exception: a shared object run as a program that carries its own DT_SONAME,
 * which is the dynamic loader itself (`ld.so ./prog`), and that loader does preload. A static-pie
 * program has PT_DYNAMIC too, but no DT_SONAME. Either ELF class; only native byte order is judged.
 * Anything unreadable or malformed is ELF_NOT_ELF: then the launcher claims nothing and the kernel decides.
 */
#include "launch.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_DATA ELFDATA2LSB
#else
#define NATIVE_DATA ELFDATA2MSB
#endif

/* What the program headers say, whatever the class. */
struct phdr_view {
    int has_interp;
    int has_dynamic;
    uint64_t dyn_off, dyn_size;     /* PT_DYNAMIC's bytes in the file */
};

static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
    return pread(fd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

/* Headers are copied field by field: the two classes differ only in field widths. */
static int scan_phdrs(int fd, int is64, uint64_t phoff, unsigned phnum, unsigned phentsize,
                      struct phdr_view *v)
{
    for (unsigned i = 0; i < phnum; i++) {
        uint64_t type, off, filesz;
        if (is64) {
            Elf64_Phdr p;
            if (phentsize < sizeof p || read_at(fd, &p, sizeof p, phoff + (uint64_t)i * phentsize))
                return -1;
            type = p.p_type, off = p.p_offset, filesz = p.p_filesz;
        } else {
            Elf32_Phdr p;
            if (phentsize < sizeof p || read_at(fd, &p, sizeof p, phoff + (uint64_t)i * phentsize))
                return -1;
            type = p.p_type, off = p.p_offset, filesz = p.p_filesz;
        }
        if (type == PT_INTERP)
            v->has_interp = 1;
        else if (type == PT_DYNAMIC)
            v->has_dynamic = 1, v->dyn_off = off, v->dyn_size = filesz;
    }
    return 0;
}

/* Does the dynamic section hold DT_SONAME? Read one entry at a time (no buffer sized by the file). */
static int has_soname(int fd, int is64, const struct phdr_view *v)
{
    size_t ent = is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
    for (uint64_t at = 0; at + ent <= v->dyn_size; at += ent) {
        int64_t tag;
        if (is64) {
            Elf64_Dyn d;
            if (read_at(fd, &d, sizeof d, v->dyn_off + at))
                return 0;
            tag = d.d_tag;
        } else {
            Elf32_Dyn d;
            if (read_at(fd, &d, sizeof d, v->dyn_off + at))
                return 0;
            tag = d.d_tag;
        }
        if (tag == DT_NULL)
            return 0;
        if (tag == DT_SONAME)
            return 1;
    }
    return 0;
}

static enum elf_kind probe_fd(int fd)
{
    unsigned char ident[EI_NIDENT];
    if (read_at(fd, ident, sizeof ident, 0) || memcmp(ident, ELFMAG, SELFMAG) ||
        ident[EI_DATA] != NATIVE_DATA || (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32))
        return ELF_NOT_ELF;
    int is64 = ident[EI_CLASS] == ELFCLASS64;
    uint64_t phoff;
    unsigned phnum, phentsize;
    if (is64) {
        Elf64_Ehdr e;
        if (read_at(fd, &e, sizeof e, 0))
            return ELF_NOT_ELF;
        phoff = e.e_phoff, phnum = e.e_phnum, phentsize = e.e_phentsize;
    } else {
        Elf32_Ehdr e;
        if (read_at(fd, &e, sizeof e, 0))
            return ELF_NOT_ELF;
        phoff = e.e_phoff, phnum = e.e_phnum, phentsize = e.e_phentsize;
    }
    struct phdr_view v = { 0 };
    if (phnum == 0 || scan_phdrs(fd, is64, phoff, phnum, phentsize, &v))
        return ELF_NOT_ELF;
    if (v.has_interp || (v.has_dynamic && has_soname(fd, is64, &v)))
        return ELF_DYNAMIC;
    return ELF_STATIC;
}

enum elf_kind elf_probe(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return ELF_NOT_ELF;
    enum elf_kind k = probe_fd(fd);
    close(fd);
    return k;
}
