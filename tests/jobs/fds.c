/*
 * fds — the descriptors a job holds, which the tool must not change.
 *   list:    the first open() and every descriptor in /proc/self/fd, then the same in an exec'd child
 *   daemon:  closes every descriptor above 2, makes a pipe (it gets 3 and 4) and sends data through it
 *            while allocating from deep, varied stacks (the unwinder at work); the data must arrive whole
 *   swap:    replaces its own report file (LEAKSTAMP_OUT) by another file and by a symlink between
 *            stamps: the tool must write into neither
 * usage: fds list|daemon|swap
 */
#include <alloca.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <leakstamp.h>

static void list_fds(const char *who)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    printf("%s:", who);
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
            printf(" %s", e->d_name);
    printf("\n");
    closedir(d);
}

static void *keep[256];

__attribute__((noinline)) static void deep(int n, int i)
{
    volatile char *pad = alloca(700);
    pad[0] = (char)n;
    if (n > 0) {
        deep(n - 1, i);
        return;
    }
    free(keep[i % 256]);
    keep[i % 256] = malloc(24 + (size_t)(i % 32));
}

static int daemon_pipe(void)
{
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    int p[2];
    if (pipe(p))
        return 1;
    for (int i = 0; i < 3000; i++) {
        char out[8], in[8];
        memset(out, 'a' + i % 26, sizeof out);
        if (write(p[1], out, sizeof out) != (ssize_t)sizeof out)
            return 2;
        deep(i % 40, i);
        size_t got = 0;
        while (got < sizeof in) {
            ssize_t r = read(p[0], in + got, sizeof in - got);
            if (r <= 0)
                return 3;
            got += (size_t)r;
        }
        if (memcmp(in, out, sizeof in)) {
            printf("daemon: pipe data corrupted at message %d\n", i);
            return 4;
        }
    }
    printf("daemon: pipe %d,%d carried 3000 messages whole\n", p[0], p[1]);
    return 0;
}

/* The report of this process in LEAKSTAMP_OUT, or NULL. */
static char *own_report(void)
{
    static char path[4096];
    const char *dir = getenv("LEAKSTAMP_OUT");
    DIR *d = dir ? opendir(dir) : NULL;
    char want[64];
    snprintf(want, sizeof want, ".%d.0.lsr", (int)getpid());
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name), w = strlen(want);
        if (n > w && !strcmp(e->d_name + n - w, want)) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            closedir(d);
            return path;
        }
    }
    if (d)
        closedir(d);
    return NULL;
}

static long size_of(const char *p)
{
    struct stat st;
    return lstat(p, &st) ? -1 : (long)st.st_size;
}

static int swap(void)
{
    leakstamp_stamp("before");
    char *r = own_report();
    if (!r) {
        printf("swap: no report (not traced)\n");
        return 0;
    }
    char moved[4200];
    snprintf(moved, sizeof moved, "%s.moved", r);
    int fd = open("other", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    close(fd);
    rename(r, moved);
    rename("other", r);            /* another file under the report's name */
    leakstamp_stamp("replaced");
    long other = size_of(r);
    unlink(r);
    fd = open("victim", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    close(fd);
    char target[4200];
    if (!getcwd(target, sizeof target - 8))
        return 1;
    strcat(target, "/victim");
    if (symlink(target, r))
        return 1;
    leakstamp_stamp("symlinked");
    printf("swap: other file %ld bytes, symlink target %ld bytes\n", other, size_of("victim"));
    unlink(r);
    rename(moved, r);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "list";
    if (!strcmp(mode, "daemon"))
        return daemon_pipe();
    if (!strcmp(mode, "swap"))
        return swap();
    if (!strcmp(mode, "child")) {
        list_fds("exec'd child");
        return 0;
    }
    free(malloc(100));
    leakstamp_stamp("one");
    int fd = open("/dev/null", O_RDONLY);
    printf("first open: %d\n", fd);
    close(fd);
    list_fds("traced");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execl(argv[0], argv[0], "child", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    return 0;
}
