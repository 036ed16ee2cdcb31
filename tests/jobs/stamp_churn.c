/*
 * stamp_churn — stamps taken while other threads churn: THREADS threads each allocate and free one
 * 32-byte block at a time, cycling through 256 call stacks (16 functions at 16 recursion depths), while
 * the main thread stamps for MS milliseconds. A thread holds at most one block, so no site ever has
 * more than THREADS live or fewer than 0, whenever the stamp reads the counters; a stamp that reads a
 * site's counters while its thread moves them must still see a count that was true at some moment.
 * usage: stamp_churn MS THREADS
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <leakstamp.h>

static _Atomic int stop;
static _Atomic int started;

#define AT(n)                                                                   \
    __attribute__((noinline)) static void *at##n(int d)                        \
    {                                                                           \
        void *p = d ? at##n(d - 1) : malloc(32);                                \
        __asm__ volatile("" : : "r"(p) : "memory");   /* no tail call */       \
        return p;                                                               \
    }
AT(0) AT(1) AT(2) AT(3) AT(4) AT(5) AT(6) AT(7) AT(8) AT(9) AT(10) AT(11) AT(12) AT(13) AT(14) AT(15)
static void *(*const at[16])(int) = {at0, at1, at2, at3, at4, at5, at6, at7,
                                     at8, at9, at10, at11, at12, at13, at14, at15};

static void *churn(void *arg)
{
    (void)arg;
    atomic_fetch_add(&started, 1);
    for (unsigned i = 0; !atomic_load_explicit(&stop, memory_order_relaxed);)
        for (int k = 0; k < 64; k++, i++)
            free(at[i % 16]((int)(i / 16 % 16)));
    return NULL;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    int ms = argc > 1 ? atoi(argv[1]) : 1000, nt = argc > 2 ? atoi(argv[2]) : 4;
    pthread_t t[64];
    if (nt < 1 || nt > 64)
        return 2;
    for (int k = 0; k < nt; k++)
        pthread_create(&t[k], NULL, churn, NULL);
    while (atomic_load(&started) < nt)
        usleep(1000);
    usleep(50000);   /* every stack seen once: the stamps read counters that move */
    long stamps = 0;
    for (double end = now_ms() + ms; now_ms() < end; stamps++)
        leakstamp_stamp("churn");
    atomic_store(&stop, 1);
    for (int k = 0; k < nt; k++)
        pthread_join(t[k], NULL);
    leakstamp_stamp("end");
    printf("stamp_churn: %s\n", stamps > 0 ? "done" : "no stamps");
    return 0;
}
