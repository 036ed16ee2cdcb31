/*
 * outfile.c — the report file's descriptor, kept alive under a job that does not know about it.
 *
 * Daemons close every descriptor and jobs dup2 over low numbers, so the descriptor is moved high
 * (F_DUPFD_CLOEXEC from 900, or as high as RLIMIT_NOFILE allows) and, before every record, checked
 * with fstat against the device and inode it was opened on. If it was closed or now names another file,
 * the report is reopened by its absolute path in append mode; the job's own descriptor with that
 * number is never touched.
 */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static int fd = -1;
static dev_t dev;
static ino_t ino;
static char path[4096 + 256];

const char *ls_outfile_path(void)
{
    return path;
}

static int move_high(int low)
{
    struct rlimit rl;
    int want = 900;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (rlim_t)want >= rl.rlim_cur)
        want = rl.rlim_cur > 16 ? (int)rl.rlim_cur / 2 : low;
    if (want <= low)
        return low;
    int high = fcntl(low, F_DUPFD_CLOEXEC, want);
    if (high < 0)
        return low;
    close(low);
    return high;
}

static int adopt(int low)
{
    struct stat st;
    fd = move_high(low);
    if (fstat(fd, &st) == 0) {
        dev = st.st_dev;
        ino = st.st_ino;
    }
    return 0;
}

/* Exe basename with only [A-Za-z0-9._-]. */
static void exe_tag(char *out, size_t cap)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    const char *base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    size_t i = 0;
    for (; base[i] && i + 1 < cap; i++) {
        char c = base[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '_' || c == '-';
        out[i] = ok ? c : '_';
    }
    out[i] = 0;
    if (!i)
        snprintf(out, cap, "job");
}

int ls_outfile_open(void)
{
    char tag[64], rank[32] = "";
    exe_tag(tag, sizeof tag);
    long long r = ls_batch_rank();
    if (r >= 0)   /* a job array's or MPI run's reports sort and read by rank */
        snprintf(rank, sizeof rank, "rank%lld.", r);
    for (int n = 0; n < 1000; n++) {
        snprintf(path, sizeof path, "%s/leakstamp.%s.%s%d.%d.lsr", ls_config.out_dir, tag, rank, (int)getpid(), n);
        int low = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (low >= 0)
            return adopt(low);
        if (errno != EEXIST) {
            ls_say("cannot write reports to %s: %s; job runs untracked", ls_config.out_dir, strerror(errno));
            return -1;
        }
    }
    ls_say("cannot find a free report name in %s; job runs untracked", ls_config.out_dir);
    return -1;
}

static int still_ours(void)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

static int reopen(void)
{
    int low = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (low < 0)
        return -1;
    return adopt(low);
}

int ls_outfile_write(const char *data, size_t len)
{
    if (!still_ours() && reopen() < 0)
        return -1;
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

void ls_outfile_close(void)
{
    if (still_ours())
        close(fd);
    fd = -1;
}
