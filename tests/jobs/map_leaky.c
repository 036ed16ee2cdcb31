/*
 * map_leaky.c — a job that leaks memory through mmap, not malloc (tests/integration/test_maps.sh).
 * usage: map_leaky MODE EVENTS [DIR]
 *   anon     leak_anon() maps 1 MiB anonymous per event, never unmapped
 *   file     leak_file() maps 64 KiB of a file in DIR per event (a private file mapping)
 *   shared   leak_shared() maps 128 KiB MAP_SHARED|MAP_ANONYMOUS per event
 *   partial  leak_partial() maps 5 pages, unmaps the first and the middle one: 3 pages left, in 2 ranges
 *   fixed    leak_fixed() maps 16 pages, then maps 4 pages MAP_FIXED over its start from replace_fixed():
 *            12 pages stay at leak_fixed, 4 at replace_fixed
 *   grow     grow_map() maps 2 pages, mremap grows them to 6 in place (MREMAP_FIXED to force place)
 *   move     move_map() maps 2 pages, mremap moves and grows them to 8 pages (MREMAP_MAYMOVE after
 *            blocking growth in place)
 *   thread   leak_anon() runs on a second thread, one per event
 *   dlopen   a dlopened library (libmapplugin.so) maps 256 KiB per event from plugin_map()
 *   shm      leak_shm() attaches a 64 KiB System V segment per event
 *   churn    churn() maps and unmaps 4 KiB 100,000 times per event, leaks nothing
 *   threads4 four threads at once each map and unmap 4 KiB 5,000 times and leak one page from
 *            thread_page() per event (16 KiB per event): the table under concurrent mmap/munmap
 *   fork     leak_anon() per event, then a forked child stamps once and exits: its own report's first
 *            stamp lists the inherited mappings whole
 *   errno    failing calls (munmap of an unaligned address, mmap of 0 bytes, mremap of nothing): prints
 *            their results and errno, which must be the same with and without the tool
 *   none     maps nothing (for the bench: the job alone)
 * Every mode also touches every page it leaks, so the RSS grows as the mappings do.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include <leakstamp.h>

#define PAGE 4096
static const char *dir = ".";
static int serial;

static void touch(void *p, size_t n)
{
    memset(p, 1, n);
}

__attribute__((noinline)) static void leak_anon(void)
{
    void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    touch(p, 1 << 20);
}

__attribute__((noinline)) static void leak_file(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data %d.bin", dir, serial++);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, 64 << 10) < 0)
        exit(2);
    void *p = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    touch(p, 64 << 10);
}

__attribute__((noinline)) static void leak_shared(void)
{
    void *p = mmap(NULL, 128 << 10, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    touch(p, 128 << 10);
}

__attribute__((noinline)) static void leak_partial(void)
{
    char *p = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p, PAGE);
    munmap(p + 2 * PAGE, PAGE);
    touch(p + PAGE, PAGE);
}

__attribute__((noinline)) static void replace_fixed(char *p)
{
    mmap(p, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

__attribute__((noinline)) static void leak_fixed(void)
{
    char *p = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    replace_fixed(p);
    touch(p, 16 * PAGE);
}

/* 8 pages reserved, the first 2 mapped by grow_map, the rest freed again so the growth fits in place */
__attribute__((noinline)) static void grow_map(void)
{
    char *area = mmap(NULL, 8 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    munmap(area, 8 * PAGE);
    char *p = mmap(area, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    char *q = mremap(p, 2 * PAGE, 6 * PAGE, 0);
    if (q != p)
        exit(3);   /* in place or not at all */
    touch(q, 6 * PAGE);
}

__attribute__((noinline)) static void move_map(void)
{
    char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p + 2 * PAGE, PAGE);
    /* a guard page right after p's 2 pages: it cannot grow in place */
    char *guard = mmap(p + 2 * PAGE, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    char *q = mremap(p, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
    if (q == MAP_FAILED || q == p)
        exit(3);
    munmap(guard, PAGE);
    touch(q, 8 * PAGE);
}

__attribute__((noinline)) static void leak_shm(void)
{
    int id = shmget(IPC_PRIVATE, 64 << 10, IPC_CREAT | 0600);
    void *p = shmat(id, NULL, 0);
    shmctl(id, IPC_RMID, NULL);   /* gone when detached; it never is */
    touch(p, 64 << 10);
}

__attribute__((noinline)) static void churn(void)
{
    for (int i = 0; i < 100000; i++) {
        void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        munmap(p, PAGE);
    }
}

__attribute__((noinline)) static void thread_page(void)
{
    void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    touch(p, PAGE);
}

static void *churn_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (i == 2500)
            thread_page();
        munmap(p, PAGE);
    }
    return NULL;
}

static void four_threads(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, churn_thread, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
}

static void failing_calls(void)
{
    static int done;
    if (done++)
        return;
    char buf[64];
    errno = 0;
    int r = munmap((void *)(uintptr_t)4097, PAGE);
    printf("munmap %d %d\n", r, errno);
    errno = 0;
    void *p = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap %d %d\n", p == MAP_FAILED, errno);
    errno = 0;
    p = mremap((void *)(uintptr_t)PAGE, PAGE, 2 * PAGE, 0);
    printf("mremap %d %d\n", p == MAP_FAILED, errno);
    errno = 1234;
    p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p, PAGE);
    snprintf(buf, sizeof buf, "success keeps errno %d\n", errno);
    fputs(buf, stdout);
}

static void *thread_main(void *arg)
{
    (void)arg;
    leak_anon();
    return NULL;
}

static void on_thread(void)
{
    pthread_t t;
    pthread_create(&t, NULL, thread_main, NULL);
    pthread_join(t, NULL);
}

static void (*plugin)(void);

static void load_plugin(const char *self)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", self);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "libmapplugin.so");
    void *h = dlopen(path, RTLD_NOW);
    plugin = h ? (void (*)(void))dlsym(h, "plugin_map") : NULL;
    if (!plugin)
        exit(4);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "anon";
    int events = argc > 2 ? atoi(argv[2]) : 10;
    if (argc > 3)
        dir = argv[3];
    static const struct { const char *name; void (*fn)(void); } modes[] = {
        {"anon", leak_anon}, {"file", leak_file}, {"shared", leak_shared}, {"partial", leak_partial},
        {"fixed", leak_fixed}, {"grow", grow_map}, {"move", move_map}, {"thread", on_thread},
        {"shm", leak_shm}, {"churn", churn}, {"threads4", four_threads}, {"errno", failing_calls},
        {"fork", leak_anon}, {"dlopen", NULL}, {"none", NULL},
    };
    void (*fn)(void) = NULL;
    size_t i = 0;
    for (; i < sizeof modes / sizeof *modes && strcmp(modes[i].name, mode); i++)
        ;
    if (i == sizeof modes / sizeof *modes)
        return 1;
    fn = modes[i].fn;
    if (!strcmp(mode, "dlopen")) {
        load_plugin(argv[0]);
        fn = plugin;
    }
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        if (fn)
            fn();
    }
    leakstamp_stamp("event");
    if (!strcmp(mode, "fork")) {
        pid_t child = fork();
        if (child == 0) {
            leakstamp_stamp("child");
            exit(0);
        }
        waitpid(child, NULL, 0);
    }
    return 0;
}
