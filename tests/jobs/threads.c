/*
 * threads.c — 8 threads allocate concurrently; half of each thread's blocks are freed by the *next*
 * thread (frees on another thread than the allocating one); every thread exits before the final stamp,
 * so nothing may be lost with it. Thread t keeps (t+1)*KEEP blocks of 32 bytes alive from keep_blocks.
 * The totals are known exactly: the test checks allocations − frees = live, per site and overall.
 * usage: threads ROUNDS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <leakstamp.h>

#define NT 8
#define KEEP 100
static int rounds;
static void **handoff[NT];   /* blocks thread t leaves for thread t+1 to free */
static pthread_barrier_t made;

__attribute__((noinline)) static void *churn_block(void) { return malloc(64); }
__attribute__((noinline)) static void *keep_block(void) { return malloc(32); }

static void *worker(void *arg)
{
    int t = (int)(long)arg;
    handoff[t] = malloc(sizeof(void *) * (size_t)rounds);   /* freed by thread t+1 */
    for (int i = 0; i < rounds; i++)
        handoff[t][i] = churn_block();
    pthread_barrier_wait(&made);
    void **mine = handoff[(t + NT - 1) % NT];
    for (int i = 0; i < rounds; i++)
        free(mine[i]);                                     /* another thread's blocks */
    for (int i = 0; i < (t + 1) * KEEP; i++)
        if (!keep_block())
            abort();                                       /* leaked on purpose */
    for (int i = 0; i < rounds; i++)
        free(malloc((size_t)(i % 512) + 1));
    return NULL;
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atoi(argv[1]) : 20000;
    pthread_t th[NT];
    leakstamp_stamp("start");
    pthread_barrier_init(&made, NULL, NT);
    for (long t = 0; t < NT; t++)
        pthread_create(&th[t], NULL, worker, (void *)t);
    for (int t = 0; t < NT; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < NT; t++)
        free(handoff[t]);
    leakstamp_stamp("end");
    printf("threads: done\n");
    return 0;
}
