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

typedef struct file_list {
    char **files;
    size_t n, cap;
} file_list;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static char *join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = xmalloc(len);
    snprintf(path, len, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", name);
    return path;
}

/* Reports of `dir` (and below it with `recursive`); FIFOs and other special files are passed over. */
static int add_dir(const char *dir, int recursive, file_list *l, ls_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        ls_error_set(err, dir, 0, "cannot read directory: %s", strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        int report = ends_with(e->d_name, ".lsr");
        if (!report && !recursive)
            continue;
        char *path = join(dir, e->d_name);
        struct stat st;
        if (report && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            VEC_PUSH(l->files, l->n, l->cap, path);
            continue;
        }
        if (recursive && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            rc = add_dir(path, 1, l, err);   /* symbolic links are not followed: no cycles */
        free(path);
    }
    closedir(d);
    return rc;
}

static int add_path(const char *path, int recursive, file_list *l, ls_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        ls_error_set(err, path, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        size_t before = l->n;
        if (add_dir(path, recursive, l, err) < 0)
            return -1;
        if (l->n == before) {
            ls_error_set(err, path, 0, "no *.lsr report files in this directory%s",
                         recursive ? " or below it" : " (-r also reads its subdirectories)");
            return -1;
        }
    } else if (S_ISREG(st.st_mode))
        VEC_PUSH(l->files, l->n, l->cap, xstrdup(path));
    else {
        ls_error_set(err, path, 0, "not a regular file (a FIFO, socket or device): a report must be a file");
        return -1;
    }
    return 0;
}

static int add_list(const char *from, int recursive, file_list *l, ls_error *err)
{
    FILE *f = strcmp(from, "-") ? fopen(from, "r") : stdin;
    if (!f) {
        ls_error_set(err, from, 0, "--files-from: cannot open: %s", strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len)
            rc = add_path(line, recursive, l, err);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

int inputs_collect(const ls_inputs_spec *spec, char ***files, size_t *nfiles, ls_error *err)
{
    file_list l = { 0 };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < spec->npaths; i++)
        rc = add_path(spec->paths[i], spec->recursive, &l, err);
    if (rc == 0 && spec->files_from)
        rc = add_list(spec->files_from, spec->recursive, &l, err);
    if (rc == 0 && !l.n) {
        ls_error_set(err, spec->files_from, 0, "no report paths given");
        rc = -1;
    }
    if (l.n)
        qsort(l.files, l.n, sizeof *l.files, cmp_str);
    size_t out = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (out && !strcmp(l.files[out - 1], l.files[i]))
            free(l.files[i]);
        else
            l.files[out++] = l.files[i];
    }
    *files = l.files;
    *nfiles = out;
    return rc;
}

void inputs_free(char **files, size_t nfiles)
{
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
}
