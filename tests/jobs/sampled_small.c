/*
 * sampled_small.c — a real leak too small for the sampling interval beside one that is not: per event
 * 32 B kept from small_leak (about one sample in 32 events at LEAKSTAMP_SAMPLE=1KiB) and 64 KiB kept
 * from big_leak (about 64 samples per event). The analyzer may not call small_leak bounded or stable
 * when the samples cannot tell (test_real_shapes.sh).
 * usage: sampled_small EVENTS
 */
#include <stdlib.h>
#include <leakstamp.h>

static void *volatile sink;

__attribute__((noinline)) static void small_leak(void) { sink = malloc(32); }
__attribute__((noinline)) static void big_leak(void) { sink = malloc(64 * 1024); }

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 32;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        small_leak();
        big_leak();
    }
    leakstamp_stamp("event");
    return 0;
}
