/*
 * slot_race — threads run an armed function whose first instruction executes out of line (ools_hot in
 * liboolhot.so) while the main thread dlopens and dlcloses liboolplug.so, whose armed ools_plug needs a
 * new out-of-line slot each time it is loaded, next to the running one. A slot page that lost its
 * execute permission while being written would kill the threads (SIGSEGV).
 * usage: slot_race LOADS
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int stop;
static long (*hot)(long);

static void *runner(void *arg)
{
    (void)arg;
    long sum = 0;
    while (!atomic_load(&stop))
        sum = hot(sum);
    return (void *)sum;
}

static void *open_next_to(const char *self, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", self);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "%s", name);
    return dlopen(path, RTLD_NOW);
}

int main(int argc, char **argv)
{
    int loads = argc > 1 ? atoi(argv[1]) : 20;
    void *h = open_next_to(argv[0], "liboolhot.so");
    if (!h || !(hot = (long (*)(long))dlsym(h, "ools_hot")))
        return 2;
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, runner, NULL);
    int ok = 0;
    for (int i = 0; i < loads; i++) {
        void *p = open_next_to(argv[0], "liboolplug.so");
        long (*plug)(long) = p ? (long (*)(long))dlsym(p, "ools_plug") : NULL;
        ok += plug && plug(i) == i + 1;
        if (p)
            dlclose(p);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    printf("slot_race: %d of %d loads ran\n", ok, loads);
    return 0;
}
