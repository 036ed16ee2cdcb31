/*
 * hooks_mmap.c — the interposed mapping functions: mmap, mmap64, munmap, mremap, shmat, shmdt.
 *
 * A mapping made by the job, or by a library it calls (a driver, a custom arena), is tracked by call
 * site like a heap block (maptable.c), always exactly, also in sampled mode: mappings are few and
 * large. Not tracked: calls made while the tool runs (ls_busy: libunwind, our own start-up), calls from
 * this library (the trap room maps ELF files and trampolines; arena.c uses the raw system call), calls
 * made by a foreign allocator while it serves one of our malloc hooks (ls_in_allocator, real.c: those
 * pages are the heap's). glibc's own mappings (malloc's arenas and large blocks, thread stacks made by
 * pthread_create, the loader's libraries, stdio) are made by internal calls that never reach these
 * hooks, so they are never counted.
 *
 * Order matters under threads: a range leaves the table BEFORE the munmap (or mremap) that frees it,
 * so a mapping another thread gets at the same address right after can never be forgotten by mistake;
 * a new range enters after its mmap returned, replacing whatever the table still had there. The site
 * is found (unwinding, maybe the loader lock) before the table's lock is taken.
 */
#include "core/core.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/shm.h>

static void *next_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (ls_real_map.mmap)
        return ls_real_map.mmap(addr, len, prot, flags, fd, off);
    return ls_sys_mmap(addr, len, prot, flags, fd, off);
}

static int next_munmap(void *addr, size_t len)
{
    return ls_real_map.munmap ? ls_real_map.munmap(addr, len) : ls_sys_munmap(addr, len);
}

/* Whether a mapping made from return address `ra` is the job's to count. */
static int job_mapping(uintptr_t ra)
{
    return atomic_load_explicit(&ls_active, memory_order_relaxed) && !ls_busy() && !ls_in_allocator &&
           !ls_in_self(ra);
}

/* Whether the table must hear about an unmapping (anyone's: a range that is gone is gone). */
static int watching(void)
{
    return atomic_load_explicit(&ls_active, memory_order_relaxed) && !ls_busy();
}

static int valid_range(const void *addr, size_t len)
{
    uintptr_t a = (uintptr_t)addr;
    return len && !(a & 4095) && a + len > a;
}

static int kind_of(int flags, int fd)
{
    int type = flags & MAP_TYPE;
    if (type == MAP_SHARED || type == MAP_SHARED_VALIDATE)
        return LS_MAP_SHARED;
    return (flags & MAP_ANONYMOUS) || fd < 0 ? LS_MAP_ANON : LS_MAP_FILE;
}

/* The file behind descriptor fd, as the kernel names it (never its contents); NULL if unknown. */
static const char *file_of(int fd, char *buf, size_t cap)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, cap - 1);
    if (n <= 0)
        return NULL;
    buf[n] = 0;
    return buf;
}

static void record(void *p, size_t len, int kind, int fd, struct ls_caller from)
{
    struct ls_guard g = ls_enter();
    char path[PATH_MAX];
    const char *file = fd >= 0 && kind != LS_MAP_ANON ? file_of(fd, path, sizeof path) : NULL;
    ls_maps_add((uintptr_t)p, len, ls_site_of_caller(from.ra, from.cfa), kind, file,
                atomic_load_explicit(&ls_stamp_seq, memory_order_relaxed));
    ls_leave(g);
}

static void *mmap_from(void *addr, size_t len, int prot, int flags, int fd, off_t off, struct ls_caller from)
{
    void *p = next_mmap(addr, len, prot, flags, fd, off);
    if (p == MAP_FAILED)
        return p;
    if (job_mapping(from.ra)) {
        record(p, len, kind_of(flags, fd), (flags & MAP_ANONYMOUS) ? -1 : fd, from);
    } else if ((flags & MAP_FIXED) && watching()) {
        /* not the job's (an allocator's, ours), but whatever the table had there is gone */
        struct ls_guard g = ls_enter();
        ls_maps_remove((uintptr_t)p, len);
        ls_leave(g);
    }
    return p;
}

LS_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return mmap_from(addr, len, prot, flags, fd, off, LS_CALLER());
}

LS_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return mmap_from(addr, len, prot, flags, fd, off, LS_CALLER());
}

LS_EXPORT int munmap(void *addr, size_t len)
{
    if (watching() && valid_range(addr, len)) {
        struct ls_guard g = ls_enter();
        ls_maps_remove((uintptr_t)addr, len);
        ls_leave(g);
    }
    return next_munmap(addr, len);
}

static void *next_mremap(void *old, size_t old_len, size_t len, int flags, void *to)
{
    if (ls_real_map.mremap)
        return ls_real_map.mremap(old, old_len, len, flags, to);
    return (void *)syscall(SYS_mremap, old, old_len, len, flags, to);
}

/* After the mremap: the taken range moves (or comes back if the call failed or left it mapped). */
static void remap_done(void *p, size_t len, int flags, struct ls_map_piece *taken, int n)
{
    struct ls_guard g = ls_enter();
    if (p == MAP_FAILED || (flags & MREMAP_DONTUNMAP))
        ls_maps_put_back(taken, n);
    if (p != MAP_FAILED)
        ls_maps_move(&taken[0], (uintptr_t)p, len);
    ls_leave(g);
}

LS_EXPORT void *mremap(void *old, size_t old_len, size_t len, int flags, ...)
{
    struct ls_caller from = LS_CALLER();
    void *to = NULL;
    if (flags & MREMAP_FIXED) {
        va_list ap;
        va_start(ap, flags);
        to = va_arg(ap, void *);
        va_end(ap);
    }
    if (!watching() || !valid_range(old, old_len)) {
        /* old_len 0 duplicates a shared mapping: a new mapping of the caller's */
        void *p = next_mremap(old, old_len, len, flags, to);
        if (p != MAP_FAILED && !old_len && job_mapping(from.ra))
            record(p, len, LS_MAP_SHARED, -1, from);
        return p;
    }
    struct ls_map_piece taken[LS_MAP_PIECES];
    struct ls_guard g = ls_enter();
    int n = ls_maps_take((uintptr_t)old, old_len, taken);
    ls_leave(g);
    void *p = next_mremap(old, old_len, len, flags, to);
    if (n)
        remap_done(p, len, flags, taken, n);
    return p;
}

LS_EXPORT void *shmat(int id, const void *addr, int flags)
{
    struct ls_caller from = LS_CALLER();
    void *p = ls_real_map.shmat ? ls_real_map.shmat(id, addr, flags) : (void *)syscall(SYS_shmat, id, addr, flags);
    if (p != (void *)-1 && job_mapping(from.ra)) {
        struct ls_guard g = ls_enter();   /* shmctl must not change the job's errno */
        struct shmid_ds ds;
        if (shmctl(id, IPC_STAT, &ds) == 0)
            record(p, ds.shm_segsz, LS_MAP_SHARED, -1, from);
        ls_leave(g);
    }
    return p;
}

LS_EXPORT int shmdt(const void *addr)
{
    if (watching()) {
        struct ls_guard g = ls_enter();
        size_t len = ls_maps_length_at((uintptr_t)addr);
        if (len)
            ls_maps_remove((uintptr_t)addr, len);
        ls_leave(g);
    }
    return ls_real_map.shmdt ? ls_real_map.shmdt(addr) : (int)syscall(SYS_shmdt, addr);
}
