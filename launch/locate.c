/*
 * launch/locate.c — where things are. The library and the analyzer are found from the launcher's own
 * file (/proc/self/exe, so a symlink to it in PATH works): in the source tree the launcher is
 * build/bin/leakstamp, with build/lib/libleakstamp.so and build/bin/leakstamp-analyze beside it; in an
 * installed prefix it is bin/leakstamp, with lib/leakstamp/libleakstamp.so and bin/leakstamp-analyze.
 * LEAKSTAMP_LIB and LEAKSTAMP_ANALYZE override (when they name an existing file; report and gate refuse
 * a LEAKSTAMP_ANALYZE that names a file they cannot run). The job's command is
 * looked up as the shell's `command -v` does: a name with a slash as it is, else in PATH.
 */
#include "launch.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory holding the launcher's file, without the trailing slash. */
static const char *self_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0])
        return dir;
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0) {
        strcpy(dir, ".");
        return dir;
    }
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    return dir;
}

static int exists(const char *path)
{
    return path && path[0] && access(path, F_OK) == 0;
}

/* The first existing of: the variable's value, then each path under the launcher's directory. */
static const char *find_first(const char *var, const char *const *rel, size_t nrel)
{
    const char *v = getenv(var);
    if (exists(v))
        return v;
    for (size_t i = 0; i < nrel; i++) {
        char *p = xasprintf("%s/%s", self_dir(), rel[i]);
        if (exists(p))
            return p;
        free(p);
    }
    return NULL;
}

const char *find_lib(void)
{
    static const char *const rel[] = { "../lib/libleakstamp.so", "../lib/leakstamp/libleakstamp.so" };
    return find_first("LEAKSTAMP_LIB", rel, 2);
}

static int runnable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

const char *find_analyzer(void)
{
    static const char *const rel[] = { "leakstamp-analyze" };
    return find_first("LEAKSTAMP_ANALYZE", rel, 1);
}

const char *find_analyzer_or_die(const char *cmd)
{
    const char *v = getenv("LEAKSTAMP_ANALYZE");
    /* exec would end with 126 and "Permission denied", naming neither the variable nor what is wrong */
    if (exists(v) && !runnable_file(v))
        die_usage("LEAKSTAMP_ANALYZE=%s: not an executable file", v);
    const char *analyzer = find_analyzer();
    if (!analyzer)
        die_usage("%s: leakstamp-analyze not found (run 'make' first)", cmd);
    return analyzer;
}

char *find_command(const char *name)
{
    if (!name[0])
        return NULL;
    if (strchr(name, '/'))
        return runnable_file(name) ? xasprintf("%s", name) : NULL;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;; p++) {
        const char *end = strchrnul(p, ':');
        /* an empty entry is the current directory, as in the shell */
        char *cand = end == p ? xasprintf("%s", name) : xasprintf("%.*s/%s", (int)(end - p), p, name);
        if (runnable_file(cand))
            return cand;
        free(cand);
        if (!*end)
            return NULL;
        p = end;
    }
}
