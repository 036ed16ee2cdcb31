/*
 * ctorthreads_lib.c — libctorthreads.so: a library whose constructor, run before leakstamp's (the
 * executable's libraries are initialised before the preloaded one), starts 8 threads that allocate
 * and free while the tool starts up under them. When main says go, each keeps 1000 blocks of 32 bytes
 * from ctor_keep: 8000 blocks, 256,000 bytes, all of which must be counted (tests/jobs/ctor_threads.c).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define NT 8
#define KEEP 1000
atomic_int ctor_go, ctor_done;
void *volatile ctor_sink;

__attribute__((noinline)) void *ctor_keep(void) { return malloc(32); }

static void *spin(void *arg)
{
    (void)arg;
    while (!atomic_load(&ctor_go)) {
        void *p = malloc(24);
        ctor_sink = p;
        free(p);
    }
    for (int i = 0; i < KEEP; i++)
        ctor_sink = ctor_keep();
    atomic_fetch_add(&ctor_done, 1);
    return NULL;
}

__attribute__((constructor)) static void start_threads(void)
{
    pthread_t t;
    for (int i = 0; i < NT; i++)
        if (pthread_create(&t, NULL, spin, NULL) == 0)
            pthread_detach(t);
}
