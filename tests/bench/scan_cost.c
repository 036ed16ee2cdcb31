/*
 * scan_cost.c — the cost of a heap scan, for `make bench`: 4 threads build N live blocks between them
 * (48-byte list nodes, each thread's list held by a global; every 8th node dropped), then stay alive,
 * blocked, while the main thread stamps "tick" 30 times (the bench scans at event 20). Prints the
 * microseconds of the slowest stamp (the one that forks the snapshot) and the median of the others.
 * usage: scan_cost N
 */
#include <leakstamp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define THREADS 4
#define STAMPS 30
struct node {
    struct node *next;
    char pad[40];
};
struct node *g_lists[THREADS];
static long per_thread;
static pthread_barrier_t built, done;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void *build(void *arg)
{
    long t = (long)arg;
    for (long i = 0; i < per_thread; i++) {
        struct node *n = malloc(sizeof *n);
        if (i % 8 == 7)
            continue;   /* dropped: lost */
        n->next = g_lists[t];
        g_lists[t] = n;
    }
    pthread_barrier_wait(&built);
    pthread_barrier_wait(&done);   /* blocked while the main thread stamps */
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    per_thread = n / THREADS;
    pthread_t th[THREADS];
    pthread_barrier_init(&built, NULL, THREADS + 1);
    pthread_barrier_init(&done, NULL, THREADS + 1);
    for (long t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, build, (void *)t);
    pthread_barrier_wait(&built);
    double took[STAMPS];
    for (int i = 0; i < STAMPS; i++) {
        double t0 = now_us();
        leakstamp_stamp("tick");
        took[i] = now_us() - t0;
    }
    pthread_barrier_wait(&done);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    qsort(took, STAMPS, sizeof *took, by_value);
    printf("%.0f %.0f\n", took[STAMPS - 1], took[STAMPS / 2]);
    return 0;
}
