/*
 * stack_bounds.c — the address range of the calling thread's own stack, found from inside an
 * allocation hook.
 *
 * The unwind cache (unwind_cache.c) only caches stacks whose slots lie in the thread's own stack, which
 * lives as long as the thread. pthread_getattr_np would say where that is, but it must never be called
 * from a hook: it takes the thread's own lock and calls realloc while holding it, so when the job
 * itself calls pthread_getattr_np (ruby, the JVM, Rust's std, Boehm GC and V8 do at thread start) our
 * hook would wait forever for a lock its own thread holds. Neither may anything here allocate or take
 * a lock. Instead:
 *  - the main thread (the one that ran start-up): its stack ends at __libc_stack_end (the initial stack pointer; every frame is
 *    below it) and is one mapping that only grows downwards, at most RLIMIT_STACK long (read at
 *    start-up, in ls_stack_bounds_init);
 *  - any other glibc thread: its descriptor (pthread_self()) sits at the top of its stack block,
 *    above every frame, and the stack is the anonymous mapping that holds the descriptor — asked of
 *    the kernel once per thread (its first tracked call) with raw system calls (no stdio,
 *    no allocation, no lock): the PROCMAP_QUERY ioctl on /proc/self/maps (Linux 6.11), which finds the
 *    one mapping, about 4 µs; on older kernels by reading the file through a 512-byte buffer, about
 *    25 µs, which was a short-lived thread's largest cost in sampled mode (docs/performance.md).
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_stack_end;
static uintptr_t main_lo, main_hi;
static pthread_t main_thread;

/* At start-up, on the main thread. */
void ls_stack_bounds_init(void)
{
    main_thread = pthread_self();
    struct rlimit rl;
    uintptr_t max = 8u << 20;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (1ull << 32))
        max = rl.rlim_cur;
    main_hi = (uintptr_t)__libc_stack_end;
    main_lo = main_hi > max ? main_hi - max : 0;
}

/* The kernel's struct procmap_query (linux/fs.h since 6.11; Debian 12's headers predate it). */
struct procmap_query {
    uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
    uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
    uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)

enum { FOUND = 0, NOT_FOUND = -1, CANNOT_ASK = -2 };
static _Atomic int query_unsupported;

/* glibc 2.39 and later name the stacks they map when asked to (GLIBC_TUNABLES=
 * glibc.mem.decorate_maps=1): "[anon: glibc: pthread stack: TID]". Any other name is not a stack glibc
 * made. */
#define GLIBC_STACK_NAME "[anon: glibc: pthread stack:"
int ls_glibc_stack_name(const char *name)
{
    return strncmp(name, GLIBC_STACK_NAME, sizeof GLIBC_STACK_NAME - 1) == 0;
}

/* The mapping holding addr, by one ioctl. A mapping with a name ([heap], a file, [anon:...]) is not a
 * stack glibc made (a caller-supplied stack inside the heap could be freed and the heap trimmed while
 * the thread lives), except glibc's own name for one: the name comes back in `name` (too long for it:
 * ENAMETOOLONG, a name too). */
static int query_mapping(int fd, uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
    char name[64];
    struct procmap_query q = {.size = sizeof q, .query_addr = addr, .vma_name_size = sizeof name,
                              .vma_name_addr = (uintptr_t)name};
    if (syscall(SYS_ioctl, fd, PROCMAP_QUERY, &q) != 0) {
        if (errno == ENOTTY || errno == EINVAL || errno == EPERM || errno == ENOSYS)
            /* a kernel before 6.11, or a seccomp filter: the other threads go straight to reading */
            atomic_store_explicit(&query_unsupported, 1, memory_order_relaxed);
        return errno == ENOENT || errno == ENAMETOOLONG ? NOT_FOUND : CANNOT_ASK;
    }
    if (q.inode || (q.vma_name_size && !ls_glibc_stack_name(name)))
        return NOT_FOUND;
    *lo = q.vma_start, *hi = q.vma_end;
    return FOUND;
}

static int hexval(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* The same by reading the file: the line whose range holds addr, taken when it has no name or
 * glibc's (after the range come perms, offset, device and inode: four tokens, then the name if any,
 * which may hold spaces: its first bytes are kept). */
static int parse_mapping(int fd, uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
    char buf[512], name[sizeof GLIBC_STACK_NAME];
    uintptr_t v[2] = {0, 0};
    int field = 0, tokens = 0, in_token = 0, len = 0;   /* field: 0 start, 1 end, 2 the rest */
    long n;
    while ((n = syscall(SYS_read, fd, buf, sizeof buf)) > 0) {
        for (long i = 0; i < n; i++) {
            char ch = buf[i];
            if (ch == '\n') {
                if (field == 2 && v[0] <= addr && addr < v[1]) {
                    name[len] = 0;
                    if (tokens != 4 && !ls_glibc_stack_name(name))
                        return NOT_FOUND;
                    *lo = v[0], *hi = v[1];
                    return FOUND;
                }
                v[0] = v[1] = 0, field = tokens = in_token = len = 0;
            } else if (field < 2 && hexval(ch) >= 0) {
                v[field] = v[field] << 4 | (uintptr_t)hexval(ch);
            } else if (field < 2) {
                field++;   /* '-' after the start, ' ' after the end */
            } else if (tokens >= 5 || (ch != ' ' && !in_token && ++tokens == 5)) {
                if (len < (int)sizeof name - 1)   /* the name, from its first byte */
                    name[len++] = ch;
                in_token = 1;
            } else {
                in_token = ch != ' ';
            }
        }
    }
    return NOT_FOUND;
}

int ls_anon_mapping_of(uintptr_t addr, uintptr_t *lo, uintptr_t *hi, int may_query)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NOT_FOUND;
    int rc = CANNOT_ASK;
    if (may_query && !atomic_load_explicit(&query_unsupported, memory_order_relaxed))
        rc = query_mapping(fd, addr, lo, hi);
    if (rc == CANNOT_ASK)
        rc = parse_mapping(fd, addr, lo, hi);
    syscall(SYS_close, fd);
    return rc == FOUND ? 0 : -1;
}

/* Which thread asks, not where its stack pointer is now: a first call on a sigaltstack or a
 * coroutine's stack must not make the main thread look for its stack where its descriptor is. */
int ls_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    pthread_t self = pthread_self();
    if (pthread_equal(self, main_thread)) {
        *lo = main_lo;
        *hi = main_hi;
        return 0;
    }
    if (ls_anon_mapping_of((uintptr_t)self, lo, hi, 1))
        return -1;
    *hi = (uintptr_t)self;   /* frames lie below the descriptor */
    return 0;
}
