/*
 * sampled_leak.c — a job for the sampled mode: per event it leaks 1,000 blocks of 64 bytes from
 * leak_small (64,000 B per event) and one 256 KiB block from leak_big, and churns 20,000 short-lived
 * blocks of 1..512 bytes from churn (freed at once, so their site must stay near zero).
 * usage: sampled_leak EVENTS
 */
#include <stdlib.h>
#include <leakstamp.h>

__attribute__((noinline)) static void leak_small(void) { if (!malloc(64)) abort(); }
__attribute__((noinline)) static void leak_big(void) { if (!malloc(256 * 1024)) abort(); }
__attribute__((noinline)) static void churn(int i) { free(malloc((size_t)(i % 512) + 1)); }

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 100;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        for (int i = 0; i < 1000; i++)
            leak_small();
        leak_big();
        for (int i = 0; i < 20000; i++)
            churn(i);
    }
    leakstamp_stamp("event");
    return 0;
}
