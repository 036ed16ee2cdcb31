/*
 * hooks_exec.c — the exec family: the exit record (reason `exec`) is written before the process image
 * is replaced, so the report ends cleanly; then the real function runs. If it fails, the process goes
 * on and so does its report (docs/report-format.md: a reader uses the last exit record).
 * Every variant is hooked because glibc's execvp and friends call execve internally, not through the
 * PLT. The variadic forms are turned into their vector forms. posix_spawn and system() do not replace
 * this image and are not hooked; their children are preloaded like any exec'd child.
 */
#include "report/report.h"

#include <stdarg.h>

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execv_fn)(const char *, char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);

static execve_fn real_execve, real_execvpe;
static execv_fn real_execv, real_execvp;
static fexecve_fn real_fexecve;

/* Resolved at load time: an exec may come from a vfork child, where dlsym is not safe. */
__attribute__((constructor(102))) static void resolve_exec(void)
{
    real_execve = (execve_fn)ls_next_symbol("execve");
    real_execvpe = (execve_fn)ls_next_symbol("execvpe");
    real_execv = (execv_fn)ls_next_symbol("execv");
    real_execvp = (execv_fn)ls_next_symbol("execvp");
    real_fexecve = (fexecve_fn)ls_next_symbol("fexecve");
}

LS_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    ls_before_exec();
    return real_execve(path, argv, envp);
}

LS_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    ls_before_exec();
    return real_execvpe(file, argv, envp);
}

LS_EXPORT int execv(const char *path, char *const argv[])
{
    ls_before_exec();
    return real_execv(path, argv);
}

LS_EXPORT int execvp(const char *file, char *const argv[])
{
    ls_before_exec();
    return real_execvp(file, argv);
}

LS_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    ls_before_exec();
    return real_fexecve(fd, argv, envp);
}

/* Count the words up to the terminating NULL, then copy them into a vector on the stack. */
#define COLLECT_ARGS(first, last_named, argv)                     \
    va_list ap;                                                   \
    size_t argc = 1;                                              \
    va_start(ap, last_named);                                     \
    while (va_arg(ap, const char *))                              \
        argc++;                                                   \
    va_end(ap);                                                   \
    char *argv[argc + 1];                                         \
    argv[0] = (char *)(first);                                    \
    va_start(ap, last_named);                                     \
    for (size_t i = 1; i <= argc; i++)                            \
        argv[i] = va_arg(ap, char *);

LS_EXPORT int execl(const char *path, const char *arg, ...)
{
    COLLECT_ARGS(arg, arg, argv);
    va_end(ap);
    return execv(path, argv);
}

LS_EXPORT int execlp(const char *file, const char *arg, ...)
{
    COLLECT_ARGS(arg, arg, argv);
    va_end(ap);
    return execvp(file, argv);
}

LS_EXPORT int execle(const char *path, const char *arg, ...)
{
    COLLECT_ARGS(arg, arg, argv);
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return execve(path, argv, envp);
}
