/*
 * runtime.c — the runtime-internals rule (see runtime.h).
 *
 * The built-in suppression list is parsed once per analyzer process, on first use, and kept: it is
 * constant text (model/suppression_defaults.c), and the analysis and the gate both ask it about every stack.
 */
#include "model/runtime.h"

#include <string.h>

#include "base/util.h"
#include "model/suppressions.h"
#include "model/frames.h"

/* Interpreters a job is driven from: CPython's executable (python3, python3.11) and its library. */
static int interpreter_module(const char *base)
{
    return !strncmp(base, "python", 6) || !strncmp(base, "libpython", 9);
}

int runtime_module(const char *path)
{
    /* the system's programs too: a shell or `env` that only starts the job (a pyenv or conda shim)
     * is not the job, and its own blocks live at exit are no leak of the job's */
    static const char *const dirs[] = { "/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/libexec/",
                                        "/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/" };
    if (!path)
        return 0;
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        if (!strncmp(path, dirs[i], strlen(dirs[i])))
            return 1;
    const char *b = path_base(path);
    return !strncmp(b, "ld-linux", 8) || !strncmp(b, "linux-vdso", 10) || !strncmp(b, "libleakstamp", 12) ||
           interpreter_module(b);
}

static int system_only(const ls_symframe *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].role != ROLE_ALLOCATOR && !runtime_module(f[i].module))
            return 0;
    return n > 0;
}

static const supp_list *builtin_list(void)
{
    static supp_list list;
    static int loaded;
    if (!loaded) {
        ls_error err = { 0 };
        loaded = 1;
        if (supp_load_defaults(&list, &err) < 0)
            ls_warn("built-in suppressions: %s", err.msg); /* constant text: a bug if it happens */
    }
    return &list;
}

int runtime_stack(const ls_symframe *f, size_t n, size_t display)
{
    if (system_only(f, n))
        return RUNTIME_SYSTEM;
    /* only the frames the job's frame called into; the whole stack when no frame is the job's */
    size_t inner = n && f[display].role == ROLE_USER ? display : n;
    return inner && supp_match(builtin_list(), f, inner, display < inner ? display : 0) ? RUNTIME_BUILTIN
                                                                                      : RUNTIME_NONE;
}
