/*
 * launch/preloadable.c — will the loader preload libleakstamp.so into this program? Not when the
 * kernel starts it with privileges (set-user-ID, set-group-ID, or file capabilities in the
 * security.capability attribute): the loader then runs in secure mode and drops LD_PRELOAD paths. Not
 * when it is statically linked (elf_probe.c). The launcher says which in one line and runs the job
 * untracked; it keeps the documented rule even where the loader would preload after all (root running
 * a set-user-ID-root program), so the outcome does not depend on who runs it.
 */
#include "launch.h"

#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

/* Set-group-ID counts only with group execute: without it the bit means mandatory locking. */
static int set_id(const struct stat *st)
{
    return (st->st_mode & S_ISUID) || ((st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP));
}

/* A security.capability attribute granting something (any revision; the sets are little-endian). */
static int file_caps(const char *path)
{
    unsigned char buf[sizeof(struct vfs_ns_cap_data)];
    ssize_t n = getxattr(path, "security.capability", buf, sizeof buf);
    if (n < (ssize_t)sizeof(uint32_t))
        return 0;
    /* after magic_etc: (permitted, inheritable) pairs of 32-bit words, up to the rootid */
    size_t end = (size_t)n < XATTR_CAPS_SZ_2 ? (size_t)n : XATTR_CAPS_SZ_2;
    for (size_t i = sizeof(uint32_t); i < end; i++)
        if (buf[i])
            return 1;
    return 0;
}

char *untracked_reason(const char *exe)
{
    struct stat st;
    if (stat(exe, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    if (set_id(&st))
        return xasprintf("%s is setuid/setgid: the loader ignores LD_PRELOAD for it", exe);
    if (file_caps(exe))
        return xasprintf("%s has file capabilities: the loader ignores LD_PRELOAD for it", exe);
    if (elf_probe(exe) == ELF_STATIC)
        return xasprintf("%s is statically linked: nothing can be preloaded into it", exe);
    return NULL;
}
