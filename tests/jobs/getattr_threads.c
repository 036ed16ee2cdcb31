/*
 * getattr_threads.c — threads whose first allocation happens inside pthread_getattr_np, as ruby, the
 * JVM, Rust's std, Boehm GC and V8 do at thread start: glibc calls realloc there while holding the
 * thread's own lock, so a hook that calls pthread_getattr_np itself (it once did, to find the stack for
 * the unwind cache) waits forever. Each thread then leaks one 40-byte block from leak_here() so the
 * test can check the counts too.
 * usage: getattr_threads ROUNDS THREADS
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *volatile sink[4096];
static _Atomic int next;

__attribute__((noinline)) static void leak_here(void)
{
    sink[next++ % 4096] = malloc(40);
}

static void *start(void *arg)
{
    (void)arg;
    pthread_attr_t a;
    void *base = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {   /* the thread's first allocation is in here */
        pthread_attr_getstack(&a, &base, &size);
        pthread_attr_destroy(&a);
    }
    if (!base || !size)
        abort();
    leak_here();
    return NULL;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20, threads = argc > 2 ? atoi(argv[2]) : 4;
    for (int r = 0; r < rounds; r++) {
        pthread_t t[64];
        for (int i = 0; i < threads && i < 64; i++)
            if (pthread_create(&t[i], NULL, start, NULL))
                return 1;
        for (int i = 0; i < threads && i < 64; i++)
            pthread_join(t[i], NULL);
    }
    printf("threads %d\n", rounds * threads);
    return 0;
}
