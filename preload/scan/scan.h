/*
 * scan/scan.h — the scan room of libleakstamp.so: the heap scan that says which live blocks are lost
 * and who holds the others (docs/preload.md "Heap scans", docs/report-format.md "Scan record").
 *
 * Files: scan_hooks.c (LEAKSTAMP_SCAN, which stamps scan, the table report/ calls), snapshot.c (the
 * copy-on-write child that scans while the job goes on), blocks.c (the sorted array of live blocks),
 * roots.c (module data, thread stacks, TLS), mark.c (conservative marking, Valgrind's categories and
 * each block's holder), elf_vars.c (names of global variables), scan_record.c (the record), sort.c.
 * The room calls report/ and core/; report/ reaches it only through `ls_scans` in report/report.h.
 * Everything here runs in the snapshot child, where another thread may have held any lock of libc at
 * the fork: it calls no allocator and no stdio, only system calls and the tool's own mmap memory.
 */
#ifndef LS_SCAN_H
#define LS_SCAN_H

#include "report/report.h"

/* ---- live blocks (blocks.c), sorted by address ---- */
enum ls_reach { LS_UNREACHED, LS_POSSIBLE, LS_REACHABLE, LS_INDIRECT };
enum ls_held { LS_HELD_HEAP, LS_HELD_GLOBAL, LS_HELD_STACK, LS_HELD_TLS, LS_HELD_LOST };
struct ls_block {
    uintptr_t ptr;
    uint64_t size;
    uint32_t site;
    uint8_t state;        /* enum ls_reach */
    uint8_t held;         /* enum ls_held */
    uint8_t chain;        /* reached through blocks of its own site first */
    uint32_t holder;      /* heap: the holding block's site; else the root region's index */
    uintptr_t held_at;    /* global: the address of the word that holds it */
};
struct ls_blocks {
    struct ls_block *v;
    size_t n, cap;
    uintptr_t lo, hi;     /* lowest start, highest end */
    int failed;           /* out of memory while collecting */
};
LS_HIDDEN int ls_blocks_collect(struct ls_blocks *b);   /* 0, or -1 when out of memory */
LS_HIDDEN struct ls_block *ls_blocks_find(const struct ls_blocks *b, uintptr_t addr);

/* ---- roots (roots.c) ---- */
struct ls_root {
    uintptr_t lo, hi;
    uint8_t kind;         /* LS_HELD_GLOBAL, LS_HELD_STACK or LS_HELD_TLS */
    uintptr_t thread;     /* stack, tls: the thread's pthread_t (0: the main thread) */
    uintptr_t bias;       /* global: the module's load bias */
    const char *path;     /* global: the module's file */
};
struct ls_roots {
    struct ls_root *v;
    size_t n, cap;
    uint64_t bytes;
    char *text;           /* /proc/self/maps, which `path` points into */
    size_t text_cap;
};
/* `sp`: the scanning thread's stack pointer (its frames below it are the scanner's own). `exiting`: the
 * scanning thread is running exit(): its stack is no root (its TLS still is). */
LS_HIDDEN int ls_roots_collect(struct ls_roots *r, uintptr_t sp, int exiting);
LS_HIDDEN void ls_roots_note_main_thread(void);   /* at start-up, on the main thread */

/* ---- marking (mark.c) ---- */
/* Marks from the roots, then splits the unreached blocks into definite and indirect. 0 or -1. */
LS_HIDDEN int ls_mark(struct ls_blocks *b, const struct ls_roots *r);

/* ---- global variable names (elf_vars.c) ---- */
/* The variable of the module file `path` that holds file address `addr` (its name and start), or NULL. */
LS_HIDDEN const char *ls_elf_var(const char *path, uintptr_t addr, uintptr_t *start);

/* ---- the record (scan_record.c) ---- */
struct ls_scan_info {
    const char *label;    /* "event" or "exit" */
    uint32_t seq;         /* the stamp it follows */
    uint64_t event;       /* the event number, 0 at exit */
    uint64_t fork_us;     /* from before the fork to the child's start */
    uint64_t started_us;  /* when the child started */
};
LS_HIDDEN void ls_scan_write(const struct ls_scan_info *info, const struct ls_blocks *b, const struct ls_roots *r);

/* ---- the snapshot (snapshot.c) ---- */
/* Takes the copy-on-write snapshot and scans it in the child. The caller holds the stamp lock. With
 * `wait`, returns when the child's record is written (the exit scan). */
LS_HIDDEN void ls_snapshot_scan(const char *label, uint32_t seq, uint64_t event, int wait);
LS_HIDDEN void ls_snapshot_reap(int block);   /* collect finished scan children */
extern uint64_t ls_scan_peak LS_HIDDEN;        /* most bytes the scan had mapped at once, for the record */
LS_HIDDEN void *ls_scan_map(size_t bytes);     /* ls_map and ls_unmap, counted */
LS_HIDDEN void ls_scan_unmap(void *p, size_t bytes);
/* Room for one more in the mapped array *v of *cap elements of `elem` bytes, `n` used (doubling,
 * from `first`): 0, or -1 out of memory. */
LS_HIDDEN int ls_scan_room(void **v, size_t *cap, size_t n, size_t elem, size_t first);

/* ---- in-place sorting without the allocator (sort.c) ---- */
LS_HIDDEN void ls_sort_blocks(struct ls_block *v, size_t n, struct ls_block *tmp);   /* by ptr */

#endif
