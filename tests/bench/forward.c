/*
 * forward.c — the floor for `make bench`: a preload that interposes malloc, free, operator new and
 * delete (the forms the bench jobs call) and only forwards them to glibc. Whatever leakstamp costs
 * beyond this row is ours; this row is what any LD_PRELOAD tool pays for being called at all (a call
 * through the job's PLT into the preload and a jump on into glibc).
 */
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

/* Through a pointer, as a tool that finds the next allocator at run time must call it. */
static void *(*volatile next_malloc)(size_t) = __libc_malloc;
static void (*volatile next_free)(void *) = __libc_free;

void *malloc(size_t n) { return next_malloc(n); }
void free(void *p) { next_free(p); }
void *_Znwm(size_t n) { return next_malloc(n); }           /* operator new(size_t) */
void _ZdlPv(void *p) { next_free(p); }                      /* operator delete(void *) */
void _ZdlPvm(void *p, size_t n) { (void)n; next_free(p); }  /* operator delete(void *, size_t) */
