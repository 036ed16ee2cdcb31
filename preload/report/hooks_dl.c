/*
 * hooks_dl.c — dlclose, and the resolver behind the dlopen trampoline (hooks_dlopen.S).
 *
 * dlopen looks at its caller's return address to choose the search path and namespace, so it must not
 * be called from a C wrapper: the trampoline marks the module table stale and jumps to the real dlopen
 * with the job's own return address. The table is re-read at the next stamp. dlclose is an ordinary
 * wrapper: before the library is unmapped, the module table is refreshed and every stack not yet
 * written is tied to its modules, so allocations made by a library that is gone by the next stamp are
 * still symbolized right (docs/report-format.md: modules are never reused).
 */
#include "report/report.h"

#include <dlfcn.h>

LS_HIDDEN void *(*ls_real_dlopen)(const char *, int);
static int (*real_dlclose)(void *);

LS_HIDDEN void *ls_resolve_dlopen(void)
{
    if (!ls_real_dlopen)
        ls_real_dlopen = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
    return (void *)ls_real_dlopen;
}

LS_EXPORT int dlclose(void *handle)
{
    if (!real_dlclose)
        real_dlclose = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
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
    ls_resolve_dlopen();
}
