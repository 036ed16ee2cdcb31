/*
 * real.c — finds the next allocator (the one the job would use without us) and serves the bootstrap.
 *
 * The real functions are looked up with dlsym(RTLD_NEXT), so a job linked with jemalloc or tcmalloc
 * keeps its allocator. dlsym itself calls calloc before we know where calloc is; those few early
 * requests are served from a static arena, and pointers from that arena are never passed to the real
 * free: each block's bucket of the sample filter is pinned at 255, so its free never takes the short
 * way to the real free (hooks_fast.S), and the general free asks ls_bootstrap_owns first.
 *
 * The next mmap family is found the same way, for the mapping hooks (hooks_mmap.c). When the next
 * allocator is not glibc's (a job linked with tcmalloc or jemalloc), it maps its arenas by calling mmap
 * through the PLT, i.e. through our hook; those mappings are the heap's and already counted as blocks.
 * So in that case the entries of `ls_real` are wrappers that mark the thread as inside the allocator
 * around the real call (ls_in_allocator), and the mmap hook leaves such mappings alone. glibc maps its
 * arenas with internal calls that never reach the hook, so it needs no wrapper and pays nothing.
 */
#include "core/core.h"

#include <dlfcn.h>
#include <string.h>

struct ls_real ls_real;
struct ls_real_map ls_real_map;
__thread int ls_in_allocator;
static struct ls_real next;   /* the foreign allocator behind the wrappers */

_Alignas(64) char ls_boot_arena[LS_BOOT_BYTES];
#define boot_arena ls_boot_arena
static _Atomic size_t boot_used;

size_t ls_bootstrap_room(const void *p)
{
    return (size_t)(boot_arena + sizeof boot_arena - (const char *)p);
}

void *ls_bootstrap_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size_t old = atomic_load(&boot_used), start;
    do {
        start = (old + align - 1) & ~(align - 1);
        if (start + size > sizeof boot_arena || start + size < start)
            return NULL;
    } while (!atomic_compare_exchange_weak(&boot_used, &old, start + size));
    ls_sample_filter_pin((uintptr_t)(boot_arena + start));   /* after the exchange: see below */
    return boot_arena + start;   /* static storage: already zero */
}

/* Sampled mode's start clears the filter, then pins the bucket of every 16 bytes handed out so far;
 * a block handed out meanwhile pins its own after taking its bytes, so none is left unpinned. */
void ls_bootstrap_pin_filter(void)
{
    size_t used = atomic_load(&boot_used);
    for (size_t off = 0; off < used; off += 16)
        ls_sample_filter_pin((uintptr_t)(boot_arena + off));
}

/* dlsym may allocate: under the guard that goes to the real allocator (or, while it is being found,
 * to the bootstrap arena). */
void *ls_next_symbol(const char *name)
{
    struct ls_guard g = ls_enter();
    void *f = dlsym(RTLD_NEXT, name);
    ls_leave(g);
    return f;
}

/* The wrappers around a foreign allocator: the real call, with ls_in_allocator raised around it. */
#define IN_ALLOCATOR(ret, name, params, args)     \
    static ret name##_inside params               \
    {                                             \
        ls_in_allocator++;                        \
        ret r_ = next.name args;                  \
        ls_in_allocator--;                        \
        return r_;                                \
    }
IN_ALLOCATOR(void *, malloc, (size_t n), (n))
IN_ALLOCATOR(void *, calloc, (size_t k, size_t n), (k, n))
IN_ALLOCATOR(void *, realloc, (void *p, size_t n), (p, n))
IN_ALLOCATOR(int, posix_memalign, (void **o, size_t a, size_t n), (o, a, n))
IN_ALLOCATOR(void *, aligned_alloc, (size_t a, size_t n), (a, n))
IN_ALLOCATOR(void *, memalign, (size_t a, size_t n), (a, n))
IN_ALLOCATOR(void *, valloc, (size_t n), (n))
IN_ALLOCATOR(void *, pvalloc, (size_t n), (n))
static void free_inside(void *p)
{
    ls_in_allocator++;
    next.free(p);
    ls_in_allocator--;
}

extern void *__libc_malloc(size_t);   /* glibc's malloc under its own name */

static void wrap_foreign(struct ls_real *r)
{
    if (r->malloc == __libc_malloc || !r->malloc || !r->free)
        return;
    next = *r;
    *r = (struct ls_real){malloc_inside, free_inside, calloc_inside, realloc_inside, posix_memalign_inside,
                          aligned_alloc_inside, memalign_inside, valloc_inside, pvalloc_inside};
#define KEEP_NULL(f) if (!next.f) r->f = NULL
    KEEP_NULL(calloc); KEEP_NULL(realloc); KEEP_NULL(posix_memalign); KEEP_NULL(aligned_alloc);
    KEEP_NULL(memalign); KEEP_NULL(valloc); KEEP_NULL(pvalloc);
#undef KEEP_NULL
}

static void resolve_map(void)
{
    struct ls_real_map m;
    m.mmap = ls_next_symbol("mmap");
    m.munmap = ls_next_symbol("munmap");
    m.mremap = ls_next_symbol("mremap");
    m.shmat = ls_next_symbol("shmat");
    m.shmdt = ls_next_symbol("shmdt");
    ls_real_map = m;
}

/* Called with ls_in_tool set, so the allocations inside dlsym come back to the bootstrap arena. */
void ls_real_resolve(void)
{
    static _Atomic int done;
    if (atomic_load(&done))
        return;
    struct ls_real r;
    r.malloc = ls_next_symbol("malloc");
    r.free = ls_next_symbol("free");
    r.calloc = ls_next_symbol("calloc");
    r.realloc = ls_next_symbol("realloc");
    r.posix_memalign = ls_next_symbol("posix_memalign");
    r.aligned_alloc = ls_next_symbol("aligned_alloc");
    r.memalign = ls_next_symbol("memalign");
    r.valloc = ls_next_symbol("valloc");
    r.pvalloc = ls_next_symbol("pvalloc");
    wrap_foreign(&r);
    resolve_map();
    ls_real = r;
    atomic_store(&done, 1);
}

/* The first hook call or the library constructor, whichever comes first, resolves the real allocator;
 * only the constructor goes on to start tracking (report/lifecycle.c). */
void ls_real_ensure(void)
{
    static _Atomic int state;   /* 0 not started, 1 running, 2 done */
    int expected = 0;
    if (atomic_compare_exchange_strong(&state, &expected, 1)) {
        struct ls_guard g = ls_enter();
        ls_real_resolve();
        ls_leave(g);
        atomic_store(&state, 2);
        return;
    }
    while (atomic_load(&state) != 2)
        __builtin_ia32_pause();
}
