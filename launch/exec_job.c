/*
 * launch/exec_job.c — replace this process by the job (or by the analyzer). With the library, it goes
 * in front of any LD_PRELOAD the caller had; the rest of the environment is the caller's plus the
 * LEAKSTAMP_* variables of the options. A file the kernel will not run (ENOEXEC: a script without
 * #!) is given to /bin/sh, as the shell and execvp do, unless it looks binary (a NUL byte in its first
 * line, bash's test): a broken or foreign executable is not fed to a shell. A failure is one line and
 * the shell's codes: 126 found but not runnable, 127 not found.
 */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put_preload(const char *lib)
{
    const char *old = getenv("LD_PRELOAD");
    char *v = old && old[0] ? xasprintf("%s:%s", lib, old) : xasprintf("%s", lib);
    if (setenv("LD_PRELOAD", v, 1) != 0)
        die_usage("out of memory");
    free(v);
}

static int looks_binary(const char *exe)
{
    char head[80];
    int fd = open(exe, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    for (ssize_t i = 0; i < n && head[i] != '\n'; i++)
        if (head[i] == '\0')
            return 1;
    return 0;
}

static void exec_with_sh(const char *exe, char **argv)
{
    size_t n = 0;
    while (argv[n])
        n++;
    char **av = xmalloc((n + 2) * sizeof *av);
    av[0] = "sh";
    av[1] = (char *)exe;
    for (size_t i = 1; i <= n; i++)
        av[i + 1] = argv[i];
    execv("/bin/sh", av);
    free(av);
}

noreturn void exec_job(const char *exe, char **argv, const char *lib)
{
    if (lib)
        put_preload(lib);
    execv(exe, argv);
    int e = errno;
    if (e == ENOEXEC && looks_binary(exe)) {
        say("%s: cannot execute binary file: %s", argv[0], strerror(e));
        exit(126);
    }
    if (e == ENOEXEC) {
        exec_with_sh(exe, argv);
        e = errno;
    }
    say("%s: %s", argv[0], strerror(e));
    exit(e == ENOENT ? 127 : 126);
}
