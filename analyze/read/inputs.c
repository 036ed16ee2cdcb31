/*
 * inputs.c — see inputs.h.
 */
#include "read/inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int add_dir(const char *dir, char ***files, size_t *n, size_t *cap, ls_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        ls_error_set(err, dir, 0, "cannot read directory: %s", strerror(errno));
        return -1;
    }
    size_t before = *n;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".lsr"))
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = xmalloc(len);
        snprintf(path, len, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            VEC_PUSH(*files, *n, *cap, path);
        else
            free(path);
    }
    closedir(d);
    if (*n == before) {
        ls_error_set(err, dir, 0, "no *.lsr report files in this directory");
        return -1;
    }
    qsort(*files + before, *n - before, sizeof **files, cmp_str);
    return 0;
}

int inputs_collect(const char *const *paths, size_t npaths, char ***files, size_t *nfiles, ls_error *err)
{
    size_t cap = 0;
    *files = NULL;
    *nfiles = 0;
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) < 0) {
            ls_error_set(err, paths[i], 0, "cannot open: %s", strerror(errno));
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            if (add_dir(paths[i], files, nfiles, &cap, err) < 0)
                return -1;
        } else
            VEC_PUSH(*files, *nfiles, cap, xstrdup(paths[i]));
    }
    return 0;
}

void inputs_free(char **files, size_t nfiles)
{
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
}
