/*
 * cancel_stamp — pthread_cancel of threads that are inside the tool: one stamps in a loop
 * (leakstamp_stamp), one enters the named function tick() in a loop (a stamp from the SIGTRAP handler),
 * one dlopens and dlcloses libsymplugin.so (the named-stamp scan inside dlopen). After each round the
 * main thread stamps, forks a child that stamps, and at the end exits: none of it may block.
 * usage: cancel_stamp ROUNDS
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <leakstamp.h>

static char plugin[PATH_MAX];

__attribute__((noinline)) int tick(int i) { return i + 1; }

static void *stamper(void *arg)
{
    (void)arg;
    for (;;) {
        leakstamp_stamp("worker");
        pthread_testcancel();
    }
    return NULL;
}

static void *ticker(void *arg)
{
    (void)arg;
    for (int i = 0;; i = tick(i))
        pthread_testcancel();
    return NULL;
}

static void *loader(void *arg)
{
    (void)arg;
    for (;;) {
        void *h = dlopen(plugin, RTLD_NOW);
        if (h)
            dlclose(h);
        pthread_testcancel();
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    snprintf(plugin, sizeof plugin, "%s", argv[0]);
    char *slash = strrchr(plugin, '/');
    snprintf(slash ? slash + 1 : plugin, sizeof plugin - (size_t)(slash ? slash + 1 - plugin : 0), "libsymplugin.so");
    void *(*fns[3])(void *) = {stamper, ticker, loader};
    for (int r = 0; r < rounds; r++) {
        pthread_t t[3];
        for (int i = 0; i < 3; i++)
            pthread_create(&t[i], NULL, fns[i], NULL);
        usleep(2000 + 300 * (unsigned)r);
        for (int i = 0; i < 3; i++) {
            pthread_cancel(t[i]);
            pthread_join(t[i], NULL);
        }
        leakstamp_stamp("main");
        pid_t pid = fork();
        if (pid == 0) {
            leakstamp_stamp("child");
            _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
    }
    printf("cancel_stamp: %d rounds\n", rounds);
    return 0;
}
