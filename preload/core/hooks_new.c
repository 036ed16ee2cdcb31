/*
 * hooks_new.c — every C++ operator new form, interposed by its mangled name (every delete form is
 * free's code, in hooks_fast.S).
 *
 * Defining them here (rather than letting libstdc++'s operator new call our malloc) makes the caller
 * of `new` the first frame of the stack. The semantics are the standard's: the throwing forms call the
 * installed new_handler until it gives up, then throw std::bad_alloc; the nothrow forms return null.
 * The C++ runtime is looked up lazily (only a C++ job calls these, and it has libstdc++ loaded);
 * std::bad_alloc is thrown by libstdc++'s own std::__throw_bad_alloc, so this file stays C. The library
 * is built with -fexceptions so the exception unwinds through these frames to the job's catch.
 * Known gap: a new_handler that throws inside a nothrow form propagates instead of returning null.
 */
#include "core/core.h"

#include <dlfcn.h>
#include <stdlib.h>

typedef void (*new_handler_fn)(void);

static new_handler_fn current_handler(void)
{
    static new_handler_fn (*get)(void);
    if (!get)
        get = (new_handler_fn(*)(void))dlsym(RTLD_DEFAULT, "_ZSt15get_new_handlerv");
    return get ? get() : NULL;
}

__attribute__((noreturn)) static void throw_bad_alloc(void)
{
    static void (*thrower)(void);
    if (!thrower)
        thrower = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZSt17__throw_bad_allocv");
    if (thrower)
        thrower();
    ls_say("operator new failed and no C++ runtime provides std::bad_alloc; aborting");
    abort();
}

/* One attempt, tracked at the caller of new; aligned when align > 0. */
static inline __attribute__((always_inline)) void *attempt(size_t size, size_t align, struct ls_caller from)
{
    if (!size)
        size = 1;   /* new of 0 bytes must return a unique pointer */
    if (!align)
        return ls_malloc_from(size, from);
    void *p;
    return ls_memalign_from(&p, align < sizeof(void *) ? sizeof(void *) : align, size, from) == 0 ? p : NULL;
}

/* The standard's loop, once a first attempt failed: call the handler and retry; without one, fail.
 * Out of line and without the caller's cache key (a rare path: such a stack is unwound in full, and
 * the frames of this library are cut from it as always), so the hooks' common path saves nothing. */
static __attribute__((noinline)) void *retry(size_t size, size_t align, int nothrow)
{
    for (;;) {
        new_handler_fn h = current_handler();
        if (!h) {
            if (nothrow)
                return NULL;
            throw_bad_alloc();
        }
        h();
        void *p = attempt(size, align, (struct ls_caller){0, 0});
        if (p)
            return p;
    }
}

static inline __attribute__((always_inline)) void *allocate(size_t size, size_t align, int nothrow,
                                                             struct ls_caller from)
{
    void *p = attempt(size, align, from);
    return LS_LIKELY(p != NULL) ? p : retry(size, align, nothrow);
}

#define NEW(sym, ...) LS_EXPORT void *sym(__VA_ARGS__)

NEW(_Znwm, size_t n) { return allocate(n, 0, 0, LS_CALLER()); }
NEW(_Znam, size_t n) { return allocate(n, 0, 0, LS_CALLER()); }
NEW(_ZnwmRKSt9nothrow_t, size_t n, const void *nt) { (void)nt; return allocate(n, 0, 1, LS_CALLER()); }
NEW(_ZnamRKSt9nothrow_t, size_t n, const void *nt) { (void)nt; return allocate(n, 0, 1, LS_CALLER()); }
NEW(_ZnwmSt11align_val_t, size_t n, size_t al) { return allocate(n, al, 0, LS_CALLER()); }
NEW(_ZnamSt11align_val_t, size_t n, size_t al) { return allocate(n, al, 0, LS_CALLER()); }
NEW(_ZnwmSt11align_val_tRKSt9nothrow_t, size_t n, size_t al, const void *nt) { (void)nt; return allocate(n, al, 1, LS_CALLER()); }
NEW(_ZnamSt11align_val_tRKSt9nothrow_t, size_t n, size_t al, const void *nt) { (void)nt; return allocate(n, al, 1, LS_CALLER()); }

/* operator delete, every form: hooks_fast.S (the same code as free). */
