/*
 * hooks_dl.c — dlclose, and the resolver behind the dlopen trampoline (hooks_dlopen.S).
 *
 * dlopen looks at its caller's return address to choose the search path and namespace, so it must not
 * be called from a C wrapper: the trampoline marks the module table stale and jumps to the real dlopen
 * with the job's own return address. The table is re-read at the next stamp. dlclose is an ordinary
 * wrapper: before the library is unmapped, the module table is refreshed and every stack not yet
 * written is tied to its modules, so allocations made by a library that is gone by the next stamp are
 * still symbolized right (docs/report-format.md: modules are never reused). RTLD_DEEPBIND is dropped
 * by the trampoline with one warning (a deep-bound library would bind malloc and free to the real
 * allocator, bypassing us for its frees only: false leaks), as heaptrack does.
 */
#include "report/report.h"

#include <dlfcn.h>
#include <errno.h>

LS_HIDDEN void *(*ls_real_dlopen)(const char *, int);
static int (*real_dlclose)(void *);

static void *resolve_dlopen(void)
{
    if (!ls_real_dlopen)
        ls_real_dlopen = (void *(*)(const char *, int))ls_next_symbol("dlopen");
    return (void *)ls_real_dlopen;
}

/* The trampoline's slow path: dlopen not resolved yet, or RTLD_DEEPBIND dropped from the flags. */
LS_HIDDEN void *ls_dlopen_slow(int deepbind)
{
    static _Atomic int warned;
    int saved = errno;
    if (deepbind && !atomic_exchange(&warned, 1))
        ls_say("dlopen with RTLD_DEEPBIND: the flag is ignored, so that the library's allocations and frees "
               "are seen");
    void *real = resolve_dlopen();
    errno = saved;
    return real;
}

LS_EXPORT int dlclose(void *handle)
{
    if (!real_dlclose)
        real_dlclose = (int (*)(void *))ls_next_symbol("dlclose");
    if (atomic_load(&ls_active) && !ls_busy()) {
        struct ls_guard g = ls_enter_blocking();
        ls_stamp_lock();
        ls_modules_refresh();
        ls_resolve_pending_stacks();
        ls_stamp_unlock();
        ls_leave_blocking(g);
        atomic_store(&ls_modules_stale, 1);
    }
    return real_dlclose(handle);
}

__attribute__((constructor(102))) static void resolve_dl(void)
{
    resolve_dlopen();
}
