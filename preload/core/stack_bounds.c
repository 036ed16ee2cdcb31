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
 *  - the main thread (a CFA in its range): its stack ends at __libc_stack_end (the initial stack pointer; every frame is
 *    below it) and is one mapping that only grows downwards, at most RLIMIT_STACK long (read at
 *    start-up, in ls_stack_bounds_init);
 *  - any other glibc thread: its descriptor (pthread_self()) sits at the top of its stack block,
 *    above every frame, and the stack is the anonymous mapping that holds the descriptor — read from
 *    /proc/self/maps once per thread (the thread's first cacheable stack) with raw system calls and a 512-byte buffer (no stdio, no allocation, no lock).
 */
#include "core/core.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_stack_end;
static uintptr_t main_lo, main_hi;

void ls_stack_bounds_init(void)
{
    struct rlimit rl;
    uintptr_t max = 8u << 20;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (1ull << 32))
        max = rl.rlim_cur;
    main_hi = (uintptr_t)__libc_stack_end;
    main_lo = main_hi > max ? main_hi - max : 0;
}

static int hexval(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* The anonymous mapping [*lo, *hi) of /proc/self/maps that holds addr; 0 if found. A mapping with a
 * name ([heap], a file) is not a stack glibc made: a caller-supplied stack inside the heap could be
 * freed and the heap trimmed while the thread lives. */
static int mapping_of(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[512];
    uintptr_t v[2] = {0, 0};
    int field = 0, tokens = 0, in_token = 0, found = -1;   /* field: 0 start, 1 end, 2 the rest */
    long n;
    while (found && (n = syscall(SYS_read, fd, buf, sizeof buf)) > 0) {
        for (long i = 0; i < n && found; i++) {
            char ch = buf[i];
            if (ch == '\n') {
                /* the rest: perms, offset, device, inode, then the name if any */
                if (field == 2 && v[0] <= addr && addr < v[1]) {
                    found = 1;
                    if (tokens == 4)
                        *lo = v[0], *hi = v[1], found = 0;
                    break;
                }
                v[0] = v[1] = 0, field = tokens = in_token = 0;
            } else if (field < 2 && hexval(ch) >= 0) {
                v[field] = v[field] << 4 | (uintptr_t)hexval(ch);
            } else if (field < 2) {
                field++;   /* '-' after the start, ' ' after the end */
            } else if (ch == ' ') {
                in_token = 0;
            } else if (!in_token) {
                in_token = 1, tokens++;
            }
        }
        if (found == 1)
            break;
    }
    syscall(SYS_close, fd);
    return found ? -1 : 0;
}

int ls_stack_bounds(uintptr_t cfa, uintptr_t *lo, uintptr_t *hi)
{
    if (cfa >= main_lo && cfa < main_hi) {
        *lo = main_lo;
        *hi = main_hi;
        return 0;
    }
    uintptr_t self = (uintptr_t)pthread_self();
    if (mapping_of(self, lo, hi))
        return -1;
    *hi = self;   /* frames lie below the descriptor */
    return 0;
}
