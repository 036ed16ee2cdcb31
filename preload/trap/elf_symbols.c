/*
 * elf_symbols.c — the function symbols of one ELF file on disk, for named stamps (symstamp.c).
 *
 * A name a user gives to --event/--stamp may be a static or hidden function, which only the file's
 * .symtab knows: the loaded image maps .dynsym but not .symtab, so the file is read from disk (mapped
 * read-only for the duration of one scan, then unmapped). Both tables are walked, so a stripped
 * library still offers its exported functions; the same function seen in both tables is reported twice
 * and the caller deduplicates by address. Only defined STT_FUNC symbols are offered: an STT_GNU_IFUNC
 * symbol's value is its resolver, not the function. Each symbol comes with the protection of the
 * PT_LOAD segment that holds it, which the trap code restores after writing its breakpoint.
 * Separate debug files (.gnu_debuglink, build-id directories) are not searched: a function known only
 * there cannot be named (docs/named-stamps.md).
 */
#include "trap/trap.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Protection (PROT_*) of the executable PT_LOAD segment holding file address `a`, or -1 if none does:
 * a symbol outside executable code is no function we can stop at. */
static int segment_prot(const Elf64_Phdr *ph, int n, uint64_t a)
{
    for (int i = 0; i < n; i++) {
        if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X))
            continue;
        if (a >= ph[i].p_vaddr && a < ph[i].p_vaddr + ph[i].p_memsz)
            return PROT_EXEC | (ph[i].p_flags & PF_R ? PROT_READ : 0) | (ph[i].p_flags & PF_W ? PROT_WRITE : 0);
    }
    return -1;
}

static int in_file(size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

int ls_elf_each_function(const char *path, uintptr_t bias, ls_elf_fn_cb cb, void *arg)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
        close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    const unsigned char *f = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f == MAP_FAILED)
        return -1;
    int rc = -1;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_machine != EM_X86_64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        eh->e_phentsize != sizeof(Elf64_Phdr) ||
        !in_file(size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) ||
        !in_file(size, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
        goto out;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);
    rc = 0;
    for (int t = 0; t < eh->e_shnum; t++) {
        if (sh[t].sh_type != SHT_SYMTAB && sh[t].sh_type != SHT_DYNSYM)
            continue;
        if (sh[t].sh_link >= eh->e_shnum || sh[t].sh_entsize != sizeof(Elf64_Sym) ||
            !in_file(size, sh[t].sh_offset, sh[t].sh_size))
            continue;
        const Elf64_Shdr *strs = &sh[sh[t].sh_link];
        if (!in_file(size, strs->sh_offset, strs->sh_size) || strs->sh_size == 0)
            continue;
        const char *str = (const char *)f + strs->sh_offset;
        const Elf64_Sym *sym = (const Elf64_Sym *)(f + sh[t].sh_offset);
        size_t n = sh[t].sh_size / sizeof *sym;
        for (size_t i = 1; i < n; i++) {
            const Elf64_Sym *s = &sym[i];
            if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF || s->st_value == 0 ||
                s->st_name >= strs->sh_size)
                continue;
            const char *name = str + s->st_name;
            if (!memchr(name, 0, strs->sh_size - s->st_name))
                continue;
            int prot = segment_prot(ph, eh->e_phnum, s->st_value);
            if (prot < 0)
                continue;
            if (cb(name, bias + s->st_value, prot, arg))
                goto out;
        }
    }
out:
    munmap((void *)f, size);
    return rc;
}
