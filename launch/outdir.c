/*
 * launch/outdir.c — the output directory of `run` and `gate`. Paths are handled as bytes with system
 * calls only (no shell, so CDPATH or an odd current directory cannot redirect them), and the
 * directory is made absolute before the job starts, so the job's chdir cannot move the reports.
 * The default is a new directory leakstamp.<exe>.<date-time> in the current directory (exe: the
 * program's file name, each byte outside [A-Za-z0-9._-] written as '_'), with -2, -3, ... appended
 * when a run in the same second took that name, so runs never mix.
 */
#include "launch.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *safe_base(const char *exe)
{
    const char *base = strrchr(exe, '/');
    char *s = strdup(base ? base + 1 : exe);
    if (!s)
        die_usage("out of memory");
    for (char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
            *p = '_';
    return s;
}

int outdir_default(const char *exe, char **dir)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm) || !strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm))
        strcpy(stamp, "0");
    char *base = safe_base(exe);
    *dir = xasprintf("leakstamp.%s.%s", base, stamp);
    int rc = -1;
    for (unsigned n = 2; n < 1000; n++) {
        if (mkdir(*dir, 0777) == 0) {
            rc = 0;
            break;
        }
        if (errno != EEXIST)
            break;
        free(*dir);
        *dir = xasprintf("leakstamp.%s.%s-%u", base, stamp, n);
    }
    free(base);
    return rc;
}

int outdir_make(const char *dir)
{
    char *p = dir[0] ? strdup(dir) : NULL;
    if (!p)
        return -1;
    /* each parent in turn, as mkdir -p: an existing one is fine if it is a directory */
    for (char *s = p + 1;; s++) {
        int last = *s == '\0';
        if (*s == '/' || last) {
            *s = '\0';
            struct stat st;
            if (mkdir(p, 0777) != 0 && (errno != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode))) {
                free(p);
                return -1;
            }
            if (last)
                break;
            *s = '/';
        }
    }
    free(p);
    return 0;
}

/* The preload of every process the job starts would find it cannot write there and say so, each in
 * its own line: run and gate ask once, before the job. */
int outdir_writable(const char *dir)
{
    return access(dir, W_OK | X_OK);
}

char *outdir_absolute(const char *dir)
{
    return realpath(dir, NULL);
}

long count_reports(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len >= 4 && !strcmp(e->d_name + len - 4, ".lsr"))
            n++;
    }
    closedir(d);
    return n;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void outdir_remove(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
