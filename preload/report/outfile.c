/*
 * outfile.c — the report file, written without ever holding a descriptor the job could see.
 *
 * A job under the tool must hold exactly the descriptors it would hold without it: daemons close every
 * descriptor, jobs dup2 over low numbers, test suites list /proc/self/fd, and an exec'd child must
 * inherit nothing of ours. So no descriptor is kept between records: the file is created once
 * (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600: it holds argv, cwd, user and host) and closed, and every record
 * is one open (O_APPEND|O_NOFOLLOW) – write – close. The reopened file must be the one we created (same
 * device and inode): a report path replaced behind our back, by a symlink or another file, is refused
 * and the run goes on without records (said once). All descriptors are O_CLOEXEC, so a fork+exec in
 * another thread during the moment we write does not leak one either. The path is absolute (config.c),
 * so a job's chdir does not matter.
 */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int created;   /* this process has a report file */
static dev_t dev;
static ino_t ino;
static char path[4096 + 256];
static _Atomic int said_replaced;

const char *ls_outfile_path(void)
{
    return path;
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

static int remember(int fd)
{
    struct stat st;
    int rc = fstat(fd, &st);
    if (rc == 0) {
        dev = st.st_dev;
        ino = st.st_ino;
        created = 1;
    }
    close(fd);
    return rc;
}

int ls_outfile_open(void)
{
    char tag[64], rank[32] = "";
    exe_tag(tag, sizeof tag);
    long long r = ls_batch_rank();
    if (r >= 0)   /* a job array's or MPI run's reports sort and read by rank */
        snprintf(rank, sizeof rank, "rank%lld.", r);
    created = 0;
    for (int n = 0; n < 1000; n++) {
        snprintf(path, sizeof path, "%s/leakstamp.%s.%s%d.%d.lsr", ls_config.out_dir, tag, rank, (int)getpid(), n);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd >= 0)
            return remember(fd);
        if (errno != EEXIST) {
            ls_say("cannot write reports to %s: %s; job runs untracked", ls_config.out_dir, strerror(errno));
            return -1;
        }
    }
    ls_say("cannot find a free report name in %s; job runs untracked", ls_config.out_dir);
    return -1;
}

/* The report, opened for one record; -1 if it is gone or is no longer the file we created. */
static int open_ours(void)
{
    if (!created)
        return -1;
    int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
        return fd;
    close(fd);
    if (!atomic_exchange(&said_replaced, 1))
        ls_say("report %s was replaced by another file: no more records are written", path);
    return -1;
}

int ls_outfile_write(const char *data, size_t len)
{
    int fd = open_ours();
    if (fd < 0)
        return -1;
    int rc = 0;
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = -1;
            break;
        }
        data += w;
        len -= (size_t)w;
    }
    close(fd);
    return rc;
}

/* A forked child writes its own file: it forgets the parent's. */
void ls_outfile_close(void)
{
    created = 0;
}
