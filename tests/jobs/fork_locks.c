/*
 * fork_locks — forks many children while another thread holds locks that a fork can cut in half.
 *   tz:     the other thread calls localtime() in a loop (glibc's tzset lock); each child just exits.
 *   named:  the other thread dlopens and dlcloses libsymplugin.so in a loop (with named stamps on its
 *           function, every load records `symbol` lines under the tool's locks); each child enters the
 *           named function tick() (a stamp that writes those lines) and exits.
 * Every child must exit at once; the parent prints how many did. usage: fork_locks tz|named CHILDREN
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static _Atomic int stop;
static char plugin[PATH_MAX];

__attribute__((noinline)) int tick(int i) { return i + 1; }

static void *clock_reader(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        time_t now = time(NULL);
        struct tm *tm = localtime(&now);
        (void)tm;
    }
    return NULL;
}

static void *loader(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        void *h = dlopen(plugin, RTLD_NOW);
        if (h)
            dlclose(h);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int named = argc > 1 && !strcmp(argv[1], "named");
    int n = argc > 2 ? atoi(argv[2]) : 200;
    snprintf(plugin, sizeof plugin, "%s", argv[0]);
    char *slash = strrchr(plugin, '/');
    snprintf(slash ? slash + 1 : plugin, sizeof plugin - (size_t)(slash ? slash + 1 - plugin : 0), "libsymplugin.so");
    pthread_t t;
    pthread_create(&t, NULL, named ? loader : clock_reader, NULL);
    int done = 0;
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(named ? tick(i) == i + 1 ? 0 : 1 : 0);
        int st;
        if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            done++;
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    printf("fork_locks: %d of %d children exited\n", done, n);
    return 0;
}
