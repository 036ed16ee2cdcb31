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

/* A report file with its identity: two paths to one file (out and ./out, a symbolic link) are one
 * report, read once. */
typedef struct input {
    char *path;
    dev_t dev;
    ino_t ino;
} input;

typedef struct file_list {
    input *files;
    size_t n, cap;
    char **unusable;   /* "PATH: why" of *.lsr entries in directories that are not regular files */
    size_t nunusable, unusable_cap;
} file_list;

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const input *)a)->path, ((const input *)b)->path);
}

/* By identity, then path: the first path of each file in path order survives (below). */
static int cmp_identity(const void *a, const void *b)
{
    const input *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return cmp_path(a, b);
}

static void push_file(file_list *l, char *path, const struct stat *st)
{
    input in = { path, st->st_dev, st->st_ino };
    VEC_PUSH(l->files, l->n, l->cap, in);
}

static void push_unusable(file_list *l, const char *path, const char *why)
{
    size_t len = strlen(path) + strlen(why) + 3;
    char *msg = xmalloc(len);
    snprintf(msg, len, "%s: %s", path, why);
    VEC_PUSH(l->unusable, l->nunusable, l->unusable_cap, msg);
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

/* Reports of `dir` (and below it with `recursive`). A *.lsr entry that is not a regular file (a FIFO,
 * which would block the reader, a device, a dangling symbolic link) is never opened: it is listed as
 * unusable, for the skip summary (or the --strict error). */
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
        if (report) {
            int found = stat(path, &st) == 0;
            if (found && S_ISREG(st.st_mode)) {
                push_file(l, path, &st);
                continue;
            }
            int gone = !found && errno == ENOENT && lstat(path, &st) != 0;   /* removed since readdir */
            if (!gone && (!found || !S_ISDIR(st.st_mode)))
                push_unusable(l, path, found ? "not a regular file (a FIFO, socket or device): never read"
                                             : errno == ENOENT ? "a dangling symbolic link" : strerror(errno));
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
        push_file(l, xstrdup(path), &st);
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

/* -1 with err set when the output file (-o) is one of the inputs: writing it would destroy a report
 * that was just read. */
static int check_output(const file_list *l, const char *output, ls_error *err)
{
    struct stat st;
    if (!output || stat(output, &st) < 0)
        return 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->files[i].dev == st.st_dev && l->files[i].ino == st.st_ino) {
            ls_error_set(err, output, 0, "-o names one of the input reports (%s): it would be overwritten",
                         l->files[i].path);
            return -1;
        }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted by path, one path per file; the unusable entries sorted too (the same message every run). */
static void make_unique(file_list *l)
{
    if (l->nunusable)
        qsort(l->unusable, l->nunusable, sizeof *l->unusable, cmp_str);
    if (!l->n)
        return;
    qsort(l->files, l->n, sizeof *l->files, cmp_identity);
    size_t out = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (out && l->files[out - 1].dev == l->files[i].dev && l->files[out - 1].ino == l->files[i].ino)
            free(l->files[i].path);
        else
            l->files[out++] = l->files[i];
    }
    l->n = out;
    qsort(l->files, l->n, sizeof *l->files, cmp_path);
}

int inputs_collect(const ls_inputs_spec *spec, ls_inputs *in, ls_error *err)
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
    make_unique(&l);
    if (rc == 0)
        rc = check_output(&l, spec->output, err);
    in->files = xcalloc(l.n + 1, sizeof *in->files);
    for (size_t i = 0; i < l.n; i++)
        in->files[i] = l.files[i].path;
    in->n = l.n;
    in->unusable = l.unusable;
    in->nunusable = l.nunusable;
    free(l.files);
    return rc;
}

void inputs_free(ls_inputs *in)
{
    for (size_t i = 0; i < in->n; i++)
        free(in->files[i]);
    free(in->files);
    for (size_t i = 0; i < in->nunusable; i++)
        free(in->unusable[i]);
    free(in->unusable);
}
