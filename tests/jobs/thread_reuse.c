/*
 * thread_reuse.c — threads started one round after another, as jobs that start workers per event do:
 * glibc gives each new thread the stack of one joined before, and the preload's pooled unwind cache
 * keeps its entries for a thread on the same stack (core/unwind_cache.c). Each thread allocates once
 * from each of three call chains of different depths and frees those, and leaks one 24-byte block
 * from leak_one(); with REPEAT, it makes and frees the three chains' blocks that many times (counted
 * in its own counters, through the kept entries, while the other threads of the round do the same).
 * With `apart`, each thread of a round has ended (its thread-exit work done, not yet joined) before the
 * next one starts, so that it runs on a stack of its own: the threads of a round never overlap.
 * After all rounds, one stamp ("done").
 * usage: thread_reuse ROUNDS THREADS_PER_ROUND [REPEAT [apart]]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <leakstamp.h>

__attribute__((noinline)) static void *one(size_t n) { return malloc(n); }
__attribute__((noinline)) static void *two(size_t n) { void *p = one(n); __asm__ volatile("" ::: "memory"); return p; }
__attribute__((noinline)) static void *three(size_t n) { void *p = two(n); __asm__ volatile("" ::: "memory"); return p; }
__attribute__((noinline)) static void leak_one(void) { void *volatile p = malloc(24); (void)p; }

static int repeat = 1;
static _Atomic pid_t last_tid;

static void *worker(void *arg)
{
    atomic_store(&last_tid, (pid_t)syscall(SYS_gettid));
    for (int i = 0; i < repeat; i++) {
        free(one(40));
        free(two(56));
        free(three(72));
    }
    leak_one();
    return arg;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 100, per = argc > 2 ? atoi(argv[2]) : 1;
    repeat = argc > 3 ? atoi(argv[3]) : 1;
    int apart = argc > 4 && strcmp(argv[4], "apart") == 0;
    pthread_t t[16];
    if (per < 1 || per > 16 || repeat < 1)
        return 2;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < per; i++) {
            atomic_store(&last_tid, 0);
            pthread_create(&t[i], NULL, worker, NULL);
            while (apart && !atomic_load(&last_tid))
                sched_yield();
            /* gone from the kernel: its TLS destructors (the tool's cache back to the pool) have run */
            while (apart && syscall(SYS_tgkill, getpid(), atomic_load(&last_tid), 0) == 0)
                sched_yield();
        }
        for (int i = 0; i < per; i++)
            pthread_join(t[i], NULL);
    }
    leakstamp_stamp("done");
    printf("thread_reuse: %d threads\n", rounds * per);
    return 0;
}
