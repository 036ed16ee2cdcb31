/*
 * test_launch_probe.c — unit tests of the launcher's judgement of a program (launch/elf_probe.c,
 * launch/preloadable.c) on ELF files built byte by byte: PT_INTERP means dynamic; no PT_INTERP means
 * static unless PT_DYNAMIC holds a DT_SONAME (the loader run as a program); both classes; foreign
 * byte order, truncated and malformed headers claim nothing and never crash. Then the privilege bits:
 * set-user-ID, set-group-ID (only with group execute), file capabilities that grant something.
 * Linked with the launcher's objects only (the analyzer has functions of the same names).
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "launch.h"

static char dir[64];

static void mkdir_tmp(void)
{
    strcpy(dir, "/tmp/leakstamp-probe.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void)
{
    outdir_remove(dir);
}

TestSuite(elf_probe, .init = mkdir_tmp, .fini = rm_tmp);
TestSuite(preloadable, .init = mkdir_tmp, .fini = rm_tmp);

/* The path is in a ring of buffers: a test uses a few at a time and frees none. */
static char *write_file(const char *name, const void *data, size_t n, mode_t mode)
{
    static char ring[8][128];
    static unsigned next;
    char *path = ring[next++ % 8];
    snprintf(path, sizeof ring[0], "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, data, n), (ssize_t)n);
    close(fd);
    cr_assert_eq(chmod(path, mode), 0);
    return path;
}

/* A 64-bit ELF: header, NPH program headers of the given types, then one dynamic section. */
struct elf64 {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[3];
    Elf64_Dyn dyn[3];
};

static struct elf64 make64(const uint32_t *types, int nph, int64_t dyn_tag)
{
    struct elf64 e;
    memset(&e, 0, sizeof e);
    memcpy(e.eh.e_ident, ELFMAG, SELFMAG);
    e.eh.e_ident[EI_CLASS] = ELFCLASS64;
    e.eh.e_ident[EI_DATA] = ELFDATA2LSB;
    e.eh.e_ident[EI_VERSION] = EV_CURRENT;
    e.eh.e_type = ET_DYN;
    e.eh.e_phoff = offsetof(struct elf64, ph);
    e.eh.e_phentsize = sizeof(Elf64_Phdr);
    e.eh.e_phnum = (Elf64_Half)nph;
    for (int i = 0; i < nph; i++) {
        e.ph[i].p_type = types[i];
        if (types[i] == PT_DYNAMIC) {
            e.ph[i].p_offset = offsetof(struct elf64, dyn);
            e.ph[i].p_filesz = sizeof e.dyn;
        }
    }
    e.dyn[0].d_tag = DT_HASH;
    e.dyn[1].d_tag = dyn_tag;
    e.dyn[2].d_tag = DT_NULL;
    return e;
}

static enum elf_kind probe64(const char *name, const uint32_t *types, int nph, int64_t dyn_tag)
{
    struct elf64 e = make64(types, nph, dyn_tag);
    return elf_probe(write_file(name, &e, sizeof e, 0755));
}

Test(elf_probe, interp_is_dynamic)
{
    uint32_t t[] = { PT_LOAD, PT_INTERP, PT_DYNAMIC };
    cr_expect_eq(probe64("dyn", t, 3, DT_NEEDED), ELF_DYNAMIC);
}

Test(elf_probe, no_interp_is_static)
{
    uint32_t t[] = { PT_LOAD, PT_NOTE };
    cr_expect_eq(probe64("static", t, 2, DT_NULL), ELF_STATIC);
}

Test(elf_probe, static_pie_and_the_loader)
{
    uint32_t t[] = { PT_LOAD, PT_DYNAMIC };
    cr_expect_eq(probe64("static-pie", t, 2, DT_FLAGS_1), ELF_STATIC);
    cr_expect_eq(probe64("ld.so", t, 2, DT_SONAME), ELF_DYNAMIC);
}

Test(elf_probe, elf32)
{
    struct {
        Elf32_Ehdr eh;
        Elf32_Phdr ph[2];
    } e;
    memset(&e, 0, sizeof e);
    memcpy(e.eh.e_ident, ELFMAG, SELFMAG);
    e.eh.e_ident[EI_CLASS] = ELFCLASS32;
    e.eh.e_ident[EI_DATA] = ELFDATA2LSB;
    e.eh.e_phoff = sizeof e.eh;
    e.eh.e_phentsize = sizeof(Elf32_Phdr);
    e.eh.e_phnum = 2;
    e.ph[0].p_type = PT_LOAD;
    e.ph[1].p_type = PT_INTERP;
    cr_expect_eq(elf_probe(write_file("i386", &e, sizeof e, 0755)), ELF_DYNAMIC);
    e.ph[1].p_type = PT_NOTE;
    cr_expect_eq(elf_probe(write_file("i386-static", &e, sizeof e, 0755)), ELF_STATIC);
}

Test(elf_probe, malformed_claims_nothing)
{
    uint32_t t[] = { PT_LOAD, PT_NOTE };
    struct elf64 e = make64(t, 2, DT_NULL);
    e.eh.e_ident[EI_DATA] = ELFDATA2MSB;
    cr_expect_eq(elf_probe(write_file("big-endian", &e, sizeof e, 0755)), ELF_NOT_ELF);
    e = make64(t, 2, DT_NULL);
    cr_expect_eq(elf_probe(write_file("cut", &e, sizeof e.eh + 10, 0755)), ELF_NOT_ELF);
    e.eh.e_phnum = 0xffff;
    cr_expect_eq(elf_probe(write_file("phnum", &e, sizeof e, 0755)), ELF_NOT_ELF);
    e = make64(t, 2, DT_NULL);
    e.eh.e_phentsize = 8;
    cr_expect_eq(elf_probe(write_file("phentsize", &e, sizeof e, 0755)), ELF_NOT_ELF);
    e = make64(t, 2, DT_NULL);
    e.eh.e_phoff = UINT64_MAX - 8;
    cr_expect_eq(elf_probe(write_file("phoff", &e, sizeof e, 0755)), ELF_NOT_ELF);
    e = make64(t, 0, DT_NULL);
    cr_expect_eq(elf_probe(write_file("no-phdrs", &e, sizeof e, 0755)), ELF_NOT_ELF);
    cr_expect_eq(elf_probe(write_file("script", "#!/bin/sh\n", 10, 0755)), ELF_NOT_ELF);
    cr_expect_eq(elf_probe(write_file("empty", "", 0, 0755)), ELF_NOT_ELF);
    cr_expect_eq(elf_probe("/nonexistent/x"), ELF_NOT_ELF);
}

Test(elf_probe, dynamic_section_past_the_end)
{
    uint32_t t[] = { PT_LOAD, PT_DYNAMIC };
    struct elf64 e = make64(t, 2, DT_SONAME);
    e.ph[1].p_filesz = UINT64_MAX / 2;     /* a lie: reading stops at the end of the file */
    e.dyn[1].d_tag = DT_DEBUG;
    e.dyn[2].d_tag = DT_DEBUG;             /* no DT_NULL either */
    cr_expect_eq(elf_probe(write_file("dyn-lie", &e, sizeof e, 0755)), ELF_STATIC);
}

static char *dynamic_file(const char *name, mode_t mode)
{
    uint32_t t[] = { PT_LOAD, PT_INTERP };
    struct elf64 e = make64(t, 2, DT_NULL);
    return write_file(name, &e, sizeof e, mode);
}

Test(preloadable, set_id_bits)
{
    cr_expect_null(untracked_reason(dynamic_file("plain", 0755)));
    char *p = dynamic_file("suid", 04755);
    char *r = untracked_reason(p);
    cr_assert_not_null(r);
    cr_expect(strstr(r, "is setuid/setgid: the loader ignores LD_PRELOAD for it"), "%s", r);
    free(r);
    r = untracked_reason(dynamic_file("sgid", 02755));
    cr_expect_not_null(r);
    free(r);
    /* set-group-ID without group execute is mandatory locking, not a privilege */
    cr_expect_null(untracked_reason(dynamic_file("sgid-lock", 02745)));
}

static int set_caps(const char *path, uint32_t permitted, uint32_t inheritable)
{
    struct vfs_cap_data c;
    memset(&c, 0, sizeof c);
    c.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE;
    c.data[0].permitted = permitted;
    c.data[0].inheritable = inheritable;
    return setxattr(path, "security.capability", &c, XATTR_CAPS_SZ_2, 0);
}

Test(preloadable, file_capabilities)
{
    char *p = dynamic_file("cap", 0755);
    cr_assert_eq(set_caps(p, 1u << CAP_NET_RAW, 0), 0, "setxattr: %m (needs root)");
    char *r = untracked_reason(p);
    cr_assert_not_null(r);
    cr_expect(strstr(r, "has file capabilities: the loader ignores LD_PRELOAD for it"), "%s", r);
    free(r);
    char *q = dynamic_file("cap-inh", 0755);
    cr_assert_eq(set_caps(q, 0, 1u << CAP_NET_RAW), 0);
    r = untracked_reason(q);
    cr_expect_not_null(r);
    free(r);
    char *n = dynamic_file("cap-none", 0755);
    cr_assert_eq(set_caps(n, 0, 0), 0);
    cr_expect_null(untracked_reason(n));
}

Test(preloadable, static_and_not_regular)
{
    uint32_t t[] = { PT_LOAD };
    struct elf64 e = make64(t, 1, DT_NULL);
    char *r = untracked_reason(write_file("static", &e, sizeof e, 0755));
    cr_assert_not_null(r);
    cr_expect(strstr(r, "is statically linked: nothing can be preloaded into it"), "%s", r);
    free(r);
    cr_expect_null(untracked_reason(dir));            /* a directory: the exec will say */
    cr_expect_null(untracked_reason("/nonexistent"));
}
