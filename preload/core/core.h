/*
 * core/core.h — the core room of libleakstamp.so: what runs on every allocation, and the only header
 * the other rooms (report/, trap/) include from it.
 *
 * Files: real.c (the next allocator and the bootstrap arena), guard.h (the recursion guard), arena.c
 * (the tool's own memory), config.c (LEAKSTAMP_* variables), unwind.c and unwind_cache.c (call stacks),
 * hooks_syscall.c (no descriptors for libunwind), stacks.c (stack table), counters.c (per-site counters, per thread), livemap.c (live-pointer table),
 * sampling.c (sampled mode), sort.c (a heapsort that never allocates), track.c (what an allocation or a free does), fastpath.c
 * (exact mode's common case in one pass), hooks_fast.S (malloc, free, delete), hooks_malloc.c and
 * hooks_new.c (the other interposed allocation entry points), maptable.c and hooks_mmap.c (mappings made by
 * mmap/mremap/shmat outside malloc, per call site).
 * The core calls nothing outside itself: the inline functions below reach only core files. Everything
 * here is hidden: the only exported symbols are the hooks.
 */
#ifndef LS_CORE_H
#define LS_CORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define LS_HIDDEN __attribute__((visibility("hidden")))
#define LS_EXPORT __attribute__((visibility("default")))
#define LS_LIKELY(x) __builtin_expect(!!(x), 1)
#define LS_UNLIKELY(x) __builtin_expect(!!(x), 0)

#include "core/guard.h"
#include "core/hooks_fast.h"
#include "size.h"   /* common/: the SIZE grammar shared with the analyzer */

/* ---- the next allocator (real.c) ---- */
struct ls_real {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
};
extern struct ls_real ls_real LS_HIDDEN;
_Static_assert(__builtin_offsetof(struct ls_real, malloc) == LS_REAL_MALLOC, "hooks_fast.S");
_Static_assert(__builtin_offsetof(struct ls_real, free) == LS_REAL_FREE, "hooks_fast.S");
LS_HIDDEN void ls_real_resolve(void);
LS_HIDDEN void *ls_next_symbol(const char *name);   /* dlsym(RTLD_NEXT) under the guard */
/* The next mmap family (NULL until resolved: then the raw system calls serve). */
struct ls_real_map {
    void *(*mmap)(void *, size_t, int, int, int, off_t);
    int (*munmap)(void *, size_t);
    void *(*mremap)(void *, size_t, size_t, int, ...);
    void *(*shmat)(int, const void *, int);
    int (*shmdt)(const void *);
};
extern struct ls_real_map ls_real_map LS_HIDDEN;
/* Nonzero while this thread runs inside the next allocator on behalf of one of our hooks, when that
 * allocator is not glibc's (real.c): a mapping made there is the heap's own, already counted as blocks. */
extern __thread int ls_in_allocator LS_HIDDEN;
/* Resolves the real allocator once, whichever thread comes first; the others wait for it. */
LS_HIDDEN void ls_real_ensure(void);
#define LS_BOOT_BYTES (256 * 1024)
extern char ls_boot_arena[LS_BOOT_BYTES] LS_HIDDEN;
static inline int ls_bootstrap_owns(const void *p)
{
    return (const char *)p >= ls_boot_arena && (const char *)p < ls_boot_arena + LS_BOOT_BYTES;
}
LS_HIDDEN void *ls_bootstrap_alloc(size_t size, size_t align);   /* pins the block's filter bucket */
LS_HIDDEN void ls_bootstrap_pin_filter(void);   /* pin every block's bucket again (sampled start-up) */
LS_HIDDEN size_t ls_bootstrap_room(const void *p);   /* bytes from p to the arena's end */

/* ---- tool memory (arena.c): mmap only, never the interposed allocator ---- */
/* The tool maps its own memory by the raw system call, so it never meets its own mmap hook. */
static inline void *ls_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}
static inline int ls_sys_munmap(void *addr, size_t len)
{
    return (int)syscall(SYS_munmap, addr, len);
}
LS_HIDDEN void *ls_map(size_t size);             /* zeroed pages, NULL on failure */
LS_HIDDEN void ls_unmap(void *p, size_t size);
LS_HIDDEN void *ls_arena_alloc(size_t size);     /* zeroed, 16-aligned, never freed */
/* What ls_map has mapped and not unmapped (VM) and how much of it is resident (RSS), in bytes; unless
 * `fresh`, possibly the numbers of a scan made moments ago (arena.c says when). Callers serialise. */
LS_HIDDEN void ls_tool_memory(uint64_t *vm, uint64_t *rss, int fresh);

/* ---- sorting without the allocator (sort.c) ---- */
LS_HIDDEN void ls_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* ---- configuration (config.c) ---- */
struct ls_config {
    char out_dir[4096];      /* absolute */
    int depth;               /* max frames kept per stack */
    int verbose;
    int follow_exec;
    int verify_unwind;       /* LEAKSTAMP_VERIFY_UNWIND: check every unwind-cache hit */
    uint64_t sample;         /* LEAKSTAMP_SAMPLE: mean bytes between samples; 0 = exact mode */
    uint64_t sample_seed;    /* LEAKSTAMP_SAMPLE_SEED: 0 = from the clock */
    const char *meta_env;    /* LEAKSTAMP_META_ENV, points into environ at start */
};
extern struct ls_config ls_config LS_HIDDEN;
LS_HIDDEN int ls_config_load(void);              /* 0, or -1 after printing why */
LS_HIDDEN void ls_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
LS_HIDDEN void ls_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- unwinding (unwind.c) and the per-thread unwind cache (unwind_cache.c) ---- */
#define LS_MAX_DEPTH 256
struct ls_stack {
    int n, truncated, cacheable;
    uintptr_t frames[LS_MAX_DEPTH];   /* return addresses, innermost first */
    uintptr_t slots[LS_MAX_DEPTH];    /* where each was read from */
};
LS_HIDDEN void ls_unwind_init(void);
LS_HIDDEN int ls_in_self(uintptr_t ip);
/* The stack from the first frame outside this library, at most `depth` frames. Returns st->n.
 * `scratch`: ls_unwind_scratch_bytes() of memory for libunwind's state (kept off the stack). */
LS_HIDDEN int ls_unwind(struct ls_stack *st, int depth, void *scratch);
LS_HIDDEN size_t ls_unwind_scratch_bytes(void);
/* During a walk, the signal mask libunwind sets and restores around each step is kept for it here
 * (unwind.c): the sigprocmask and pthread_sigmask hooks (trap_signals.c) answer from it when this
 * returns 1, and the call makes no system call. */
LS_HIDDEN int ls_unwind_mask_call(int how, const sigset_t *set, sigset_t *old);
/* The calling thread's own stack (stack_bounds.c): never allocates, never locks. 0 if known. */
LS_HIDDEN void ls_stack_bounds_init(void);
LS_HIDDEN int ls_stack_bounds(uintptr_t *lo, uintptr_t *hi);
LS_HIDDEN int ls_glibc_stack_name(const char *name);   /* glibc's name for a thread stack it mapped */
/* The unnamed mapping holding addr (0 when found); may_query 0: by reading /proc/self/maps only. */
LS_HIDDEN int ls_anon_mapping_of(uintptr_t addr, uintptr_t *lo, uintptr_t *hi, int may_query);
LS_HIDDEN int ls_in_unwinder(uintptr_t ip);   /* ip lies in libunwind (hooks_syscall.c) */
/* syscall() calls that are not libunwind's go through this first when set (trap/: rt_sigprocmask);
 * it sets *handled when it made the call itself. */
extern long (*ls_syscall_filter)(long n, long a[6], int *handled) LS_HIDDEN;
LS_HIDDEN void ls_unwind_cache_init(void);
/* Site id of the stack of an allocation whose hook was called from return address `ra` with its CFA
 * at `cfa` (both known to the hook for free: see LS_CALLER). */
LS_HIDDEN uint32_t ls_site_of_caller(uintptr_t ra, uintptr_t cfa);
struct ls_counts;
/* The fast paths' lookup (fastpath.c): the site of a stack the cache holds, with this thread's
 * counters of it; 0 (nothing changed, nothing unwound) when the cache does not hold it, has no
 * counters for it, or every hit is to be verified. */
LS_HIDDEN uint32_t ls_site_cached(uintptr_t ra, uintptr_t cfa, struct ls_counts **counts);
LS_HIDDEN void ls_unwind_cache_forget_counts(void);   /* the thread gave its counters up */
extern _Atomic uint64_t ls_unwind_verified LS_HIDDEN, ls_unwind_mismatched LS_HIDDEN;

/* Where a hook was called from; evaluated inside the exported hook itself. */
struct ls_caller {
    uintptr_t ra, cfa;
};
#define LS_CALLER() \
    ((struct ls_caller){(uintptr_t)__builtin_return_address(0), (uintptr_t)__builtin_dwarf_cfa()})

/* ---- stack table (stacks.c) ---- */
struct ls_stack_rec {
    _Atomic uint32_t id;          /* 0 until published */
    uint32_t hash;
    uint16_t nframes;
    uint8_t truncated;
    _Atomic uint8_t emitted;      /* defined in the current report file */
    uint32_t fork_gen;            /* process generation (stacks.c) of the thread that made it */
    int64_t prev_allocs, prev_bytes;  /* at the previous stamp; stamp lock only */
    uint32_t *modids;             /* module of each frame, resolved at emission (stamp lock) */
    uintptr_t frames[];
};
#define LS_MAX_SITES (1u << 20)   /* distinct stacks; more are not counted */
LS_HIDDEN int ls_stacks_init(void);
LS_HIDDEN uint32_t ls_stacks_intern(const uintptr_t *frames, int n, int truncated);
LS_HIDDEN struct ls_stack_rec *ls_stacks_get(uint32_t id);
LS_HIDDEN uint32_t ls_stacks_count(void);        /* highest id handed out */
LS_HIDDEN void ls_stacks_after_fork_child(void);

/* ---- per-site counters, per thread (counters.c) ---- */
/* What was ever counted in and out at a site; live = in - out (ls_counters_sum), so an allocation and
 * a free each write two words. */
struct ls_counts {
    _Atomic int64_t total_allocs, total_bytes, out_allocs, out_bytes;
};
struct ls_plain_counts {
    int64_t live_allocs, live_bytes, total_allocs, total_bytes;
};
LS_HIDDEN void ls_counters_init(void);
LS_HIDDEN void ls_count_slow(uint32_t site, int64_t allocs, int64_t bytes);
/* This thread's own counters of `site`, made if needed; NULL when the thread has none of its own
 * (it gave its block up, or out of memory): the unwind cache keeps it beside the stack. */
LS_HIDDEN struct ls_counts *ls_counter_slot(uint32_t site);
#define LS_PAGE_SITES 512
extern __thread struct ls_counts *_Atomic *ls_my_counter_pages LS_HIDDEN;   /* NULL: no own block */
/* Only the owning thread writes its counters: plain adds, no lock prefix (counters.c). */
static inline void ls_count_owned(struct ls_counts *c, int64_t allocs, int64_t bytes)
{
/* release: a stamp reading a slot (counters.c read_slot) sees the owner's stores in program order;
 * on x86 a plain store either way */
#define LS_OWNER_ADD(field, v) \
    atomic_store_explicit(&c->field, atomic_load_explicit(&c->field, memory_order_relaxed) + (v), memory_order_release)
    if (allocs > 0) {
        LS_OWNER_ADD(total_allocs, allocs);
        LS_OWNER_ADD(total_bytes, bytes);
    } else {
        LS_OWNER_ADD(out_allocs, -allocs);
        LS_OWNER_ADD(out_bytes, -bytes);
    }
#undef LS_OWNER_ADD
}
/* This thread's own counters of `site` when they exist already, else NULL. */
static inline struct ls_counts *ls_counts_mine(uint32_t site)
{
    struct ls_counts *_Atomic *pages = ls_my_counter_pages;
    if (LS_LIKELY(pages != NULL) && LS_LIKELY(site - 1 < LS_MAX_SITES)) {
        struct ls_counts *page = atomic_load_explicit(&pages[site / LS_PAGE_SITES], memory_order_relaxed);
        if (LS_LIKELY(page != NULL))
            return &page[site % LS_PAGE_SITES];
    }
    return NULL;
}
static inline void ls_count(uint32_t site, int64_t allocs, int64_t bytes)
{
    struct ls_counts *c = ls_counts_mine(site);
    if (LS_LIKELY(c != NULL))
        ls_count_owned(c, allocs, bytes);
    else
        ls_count_slow(site, allocs, bytes);
}
LS_HIDDEN void ls_counters_sum(struct ls_plain_counts *out, uint32_t n);   /* out[0..n] */
LS_HIDDEN void ls_counters_after_fork_child(void);

/* ---- live-pointer table (livemap.c: page map; livemap_side.c: the blocks it cannot hold) ---- */
#define LS_SMALL_MAX 512   /* the largest block the page map holds (larger ones: side table, livemap.c) */
struct ls_live {
    uintptr_t ptr;
    uint64_t size;     /* requested bytes; LS_SIZE_SAMPLED set when the block is a weighted sample */
    uint32_t site;
    uint32_t birth;    /* last stamp seq before the allocation */
};
#define LS_SIZE_SAMPLED (1ull << 63)
LS_HIDDEN int ls_livemap_init(void);
LS_HIDDEN void ls_livemap_put(uintptr_t ptr, uint64_t size, uint32_t site, uint32_t birth,
                              struct ls_live *replaced);  /* replaced->ptr != 0 if ptr was live */
LS_HIDDEN int ls_livemap_take(uintptr_t ptr, struct ls_live *out);  /* 1 if it was live */
/* The fast paths' halves of put and take (fastpath.c). put_fast stores the entry of a small block
 * whose leaf exists: 0 = not done, nothing changed (ls_livemap_put must run); 1 = done; 2 = done, and
 * ls_livemap_put_finish(ptr, *old) must say what it replaced. take_fast takes the entry of a block
 * that is in the page map and is a sample or not, as `sampled` says: 1 with its site and size (without
 * the flag); 0 = nothing changed. */
LS_HIDDEN int ls_livemap_put_fast(uintptr_t ptr, uint64_t size, int sampled, uint32_t site, uint32_t birth,
                                  uint64_t *old);   /* size without LS_SIZE_SAMPLED: `sampled` says it */
LS_HIDDEN void ls_livemap_put_finish(uintptr_t ptr, uint64_t old, struct ls_live *replaced);
LS_HIDDEN int ls_livemap_take_fast(uintptr_t ptr, int sampled, uint32_t *site, uint64_t *size);
/* A free the table was not told about (made while the tool ran on the thread): its entry stays. */
LS_HIDDEN void ls_livemap_note_skipped(uintptr_t ptr);
LS_HIDDEN void ls_livemap_lock_all(void);
LS_HIDDEN void ls_livemap_unlock_all(void);
LS_HIDDEN void ls_livemap_reset_locks(void);
/* Visit every live entry (a snapshot per entry; the side table's shards locked one at a time). */
LS_HIDDEN void ls_livemap_each(void (*fn)(const struct ls_live *, void *), void *arg);
/* The side table (livemap_side.c), used by livemap.c only. */
extern _Atomic uint64_t ls_side_live LS_HIDDEN;   /* entries in it */
LS_HIDDEN int ls_side_init(void);
LS_HIDDEN void ls_side_put(const struct ls_live *v, struct ls_live *replaced);
LS_HIDDEN int ls_side_take(uintptr_t ptr, struct ls_live *out);
LS_HIDDEN void ls_side_lock_all(void);
LS_HIDDEN void ls_side_unlock_all(void);
LS_HIDDEN void ls_side_reset_locks(void);
LS_HIDDEN void ls_side_each(void (*fn)(const struct ls_live *, void *), void *arg);
LS_HIDDEN int ls_side_each_bounded(void (*fn)(const struct ls_live *, void *), void *arg);
/* The same, when this thread may hold a shard lock itself (bounded != 0): -1 if a shard stayed locked
 * after a bounded wait (the entries visited so far are incomplete). */
LS_HIDDEN int ls_livemap_each_bounded(void (*fn)(const struct ls_live *, void *), void *arg, int bounded);


/* ---- sampled mode (sampling.c) ---- */
/* Inline: an unsampled allocation costs a subtraction, an unsampled free one load (sampling.c). */
extern __thread int64_t ls_sample_until LS_HIDDEN;
extern _Atomic uint8_t ls_sample_filter[1u << LS_FILTER_BITS] LS_HIDDEN;
LS_HIDDEN int ls_sample_crossed(size_t size);
LS_HIDDEN int ls_sample_started(void);   /* this thread has drawn its first point */
static inline int ls_sample_take(size_t size)   /* 1: this allocation is a sample */
{
    ls_sample_until -= (int64_t)size;
    return LS_LIKELY(ls_sample_until > 0) ? 0 : ls_sample_crossed(size);
}
static inline _Atomic uint8_t *ls_sample_bucket(uintptr_t p)
{
    return &ls_sample_filter[(uint32_t)((uint32_t)p * LS_FILTER_MUL) >> (32 - LS_FILTER_BITS)];
}
static inline int ls_sample_filter_maybe(uintptr_t p)
{
    return atomic_load_explicit(ls_sample_bucket(p), memory_order_relaxed) != 0;
}
LS_HIDDEN void ls_sample_after_fork_child(void);
LS_HIDDEN void ls_sample_start(void);   /* sampled mode: the filter starts empty (it starts full) */
LS_HIDDEN void ls_sample_weight(uint64_t size, int64_t *allocs, int64_t *bytes);
LS_HIDDEN void ls_sample_filter_add(uintptr_t p);
LS_HIDDEN void ls_sample_filter_pin(uintptr_t p);   /* 255 for good: every free there takes the slow path */
LS_HIDDEN void ls_sample_filter_remove(uintptr_t p);

/* ---- mappings outside malloc (maptable.c; hooks in hooks_mmap.c) ----
 * A mapping site is a call stack and a kind; the table keeps every tracked range with its site and
 * birth stamp. Every mapping is tracked exactly, also in sampled mode. All functions below take the
 * table's own lock (a leaf: nothing is called while it is held but memcpy and the tool's mmap). */
enum ls_map_kind { LS_MAP_ANON = 1, LS_MAP_FILE = 2, LS_MAP_SHARED = 3 };
struct ls_map_site {
    uint32_t sid;                 /* stack id */
    uint8_t kind;                 /* enum ls_map_kind */
    const char *file;             /* file of the site's first file-backed mapping, or NULL */
    int64_t maps, bytes;          /* live ranges and bytes */
    int64_t total_maps, total_bytes;  /* ever mapped here (mremap growth counts in total_bytes) */
    int64_t prev_maps, prev_bytes;    /* at the previous stamp; stamp lock only */
};
struct ls_map_piece {             /* what a range carried: to move it (mremap) or put it back */
    uintptr_t lo, hi;
    uint32_t msite, birth;
};
#define LS_MAP_PIECES 8           /* an mremap'd range spans at most this many tracked ranges */
LS_HIDDEN int ls_maps_init(void);
/* A new mapping [p, p+len) at site `sid`, born after stamp `birth`: replaces whatever the table had
 * there (MAP_FIXED). */
LS_HIDDEN void ls_maps_add(uintptr_t p, size_t len, uint32_t sid, int kind, const char *file, uint32_t birth);
/* Forget [p, p+len) (munmap), splitting ranges that reach outside it. */
LS_HIDDEN void ls_maps_remove(uintptr_t p, size_t len);
/* Take [p, p+len) out, returning up to LS_MAP_PIECES of what was there (mremap); returns the count. */
LS_HIDDEN int ls_maps_take(uintptr_t p, size_t len, struct ls_map_piece *out);
/* Put taken pieces back (the call failed), or move the first one's site to [p, p+len). */
LS_HIDDEN void ls_maps_put_back(const struct ls_map_piece *v, int n);
LS_HIDDEN void ls_maps_move(const struct ls_map_piece *first, uintptr_t p, size_t len);
LS_HIDDEN size_t ls_maps_length_at(uintptr_t p);   /* the tracked range starting at p, 0 if none */
/* Stamp side (stamp lock held): visit every site / every range (with its site) under the table's
 * lock; a site's sid, kind and file never change once it is made. */
LS_HIDDEN void ls_maps_each_site(void (*fn)(uint32_t msite, struct ls_map_site *, void *), void *arg);
LS_HIDDEN uint32_t ls_maps_count(void);            /* sites made so far: msite 1..count */
LS_HIDDEN void ls_maps_each_range(void (*fn)(const struct ls_map_piece *, const struct ls_map_site *, void *),
                                  void *arg);
/* The same for the exit record; bounded: wait 2 s at most for the lock (-1: not taken). */
LS_HIDDEN int ls_maps_each_range_bounded(void (*fn)(const struct ls_map_piece *, const struct ls_map_site *, void *),
                                         void *arg, int bounded);
LS_HIDDEN void ls_maps_lock(void);
LS_HIDDEN void ls_maps_unlock(void);
LS_HIDDEN void ls_maps_reset_lock(void);

/* ---- tracking (track.c) ---- */
extern _Atomic int ls_active LS_HIDDEN;          /* tracking on: 0, or the mode, so that the fast */
enum { LS_ON_EXACT = 1, LS_ON_SAMPLED = 2 };     /* paths test both with one compare */
extern _Atomic uint32_t ls_stamp_seq LS_HIDDEN;  /* last stamp number */
LS_HIDDEN void *ls_track_alloc_slow(void *p, uint64_t size, struct ls_caller from);   /* returns p */
LS_HIDDEN void *ls_track_alloc_exact(void *p, size_t size, struct ls_caller from);    /* fastpath.c */
LS_HIDDEN void *ls_track_sampled(void *p, size_t size, struct ls_caller from);        /* fastpath.c */
LS_HIDDEN void ls_track_alloc_at(void *p, size_t size, uint32_t site);   /* a site known already */
LS_HIDDEN void ls_track_free(void *p);                    /* after ls_track_may_own(p) */
LS_HIDDEN int ls_track_take(void *p, struct ls_live *out);   /* out of the table, counts not undone */
LS_HIDDEN void ls_track_put_back(const struct ls_live *e);   /* undo a take */
LS_HIDDEN void ls_track_forget(struct ls_live *e);           /* undo the counts of a taken block */
LS_HIDDEN void ls_live_weight(const struct ls_live *e, int64_t *allocs, int64_t *bytes);

/* The allocation-path checks, inline so that an allocation that is not recorded (sampled mode) costs
 * a few instructions in the hook itself. */
static inline void ls_track_alloc(void *p, size_t size, struct ls_caller from)
{
    if (!p)
        return;
    if (!ls_config.sample) {
        ls_track_alloc_exact(p, size, from);
        return;
    }
    if (LS_LIKELY(!ls_sample_take(size)))
        return;
    ls_track_sampled(p, size, from);
}

static inline int ls_track_may_own(const void *p)   /* 0: certainly not in the table */
{
    return !ls_config.sample || ls_sample_filter_maybe((uintptr_t)p);
}


/* ---- the allocation paths shared by the C and C++ hooks (inline: they are the hot path) ---- */
LS_HIDDEN void ls_free_tracked(void *p);   /* hooks_malloc.c */

/* Exact mode's fast path may run (fastpath.c): tracking on (which start-up turns on only after the
 * real allocator is known: the acquire load makes that visible) and this thread not inside the tool. */
static inline int ls_exact_now(void)
{
    return atomic_load_explicit(&ls_active, memory_order_acquire) == LS_ON_EXACT && !ls_busy();
}
/* The same for sampled mode's fast path (a sampled block's free). */
static inline int ls_sampled_now(void)
{
    return atomic_load_explicit(&ls_active, memory_order_acquire) == LS_ON_SAMPLED && !ls_busy();
}

/* Nonzero when the caller must be served without tracking (2: from bootstrap, still resolving). */
static inline int ls_untracked(void)
{
    if (LS_UNLIKELY(!ls_real.free)) {
        if (ls_busy())
            return 2;      /* inside dlsym: the real functions are not known yet */
        ls_real_ensure();
    }
    return ls_busy() || !atomic_load_explicit(&ls_active, memory_order_relaxed);
}

LS_HIDDEN void *ls_malloc_slow(size_t size, struct ls_caller from);      /* fastpath.c */
LS_HIDDEN void *ls_malloc_general(size_t size, struct ls_caller from);   /* hooks_malloc.c */

/* The sampled mode's common case is decided by one thread-local word: the bytes left to the next
 * sample point. The size is taken off it first; while it stays above zero, the allocation is a tail
 * jump to the real malloc: no frame, no other check (malloc itself is this in assembly, in
 * hooks_fast.S). Everything else reaches ls_malloc_slow with the word already lowered by the size:
 * exact mode (the word is 0, and goes back to 0), a thread that has not drawn its first point, start-up
 * and bootstrap (the size is given back), and a sample. An allocation the tool itself makes
 * (ls_busy()) may also take the short way: it is untracked either way, and its bytes are part of the
 * stream the points fall on; one that reaches a point drops it (hooks_malloc.c, untracked_bytes). */
static inline void *ls_malloc_from(size_t size, struct ls_caller from)
{
    if (LS_UNLIKELY((int64_t)size < 0))   /* 2^63 bytes or more: the word untouched (ls_malloc_general) */
        return ls_malloc_slow(size, from);
    int64_t left = ls_sample_until - (int64_t)size;
    ls_sample_until = left;
    if (LS_LIKELY(left > 0))
        return ls_real.malloc(size);
    return ls_malloc_slow(size, from);
}

static inline int ls_memalign_from(void **out, size_t align, size_t size, struct ls_caller from)
{
    int u = ls_untracked();
    if (LS_UNLIKELY(u == 2)) {
        *out = ls_bootstrap_alloc(size, align);
        return *out ? 0 : ENOMEM;
    }
    int rc = ls_real.posix_memalign(out, align, size);
    if (!u && rc == 0)
        ls_track_alloc(*out, size, from);
    return rc;
}

LS_HIDDEN void ls_free_slow(void *p);      /* fastpath.c */
LS_HIDDEN void ls_free_general(void *p);   /* hooks_malloc.c */

/* free and delete are hooks_fast.S: the filter byte zero goes straight to the real free, anything else
 * to ls_free_slow. In exact mode (and before start-up) every byte of the filter is 255; a bootstrap
 * block's byte is always 255 (real.c), and the general free drops it. */

#endif

