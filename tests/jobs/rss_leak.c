/*
 * rss_leak.c — one heap leak of BLOCKS x SIZE bytes per event from one site, written to so that it is
 * resident: for keeping the tool's own tables apart from the job's RSS growth (issue 12). Many small
 * blocks make the tool's live-block table grow with the leak (about 50 bytes of table per block), which
 * the analyzer must not report as the job's growth. With "rss" as 4th argument it prints its own RSS
 * growth per event from event 10 on (the baseline of a run without the tool).
 * RSS_LEAK_PAUSE_US=N makes each event last N µs more, as a real job's events last milliseconds: the
 * preload then measures its own memory fresh at every stamp (core/arena.c reuses the last numbers for
 * stamps that come quicker than ten scans), which the tool-memory test relies on.
 * usage: rss_leak EVENTS BLOCKS SIZE [rss]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <leakstamp.h>

static long rss_bytes(void)
{
    long vm = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%ld %ld", &vm, &rss) != 2)
        rss = 0;
    if (f)
        fclose(f);
    return rss * sysconf(_SC_PAGESIZE);
}

__attribute__((noinline)) static void leak_event(int blocks, size_t size)
{
    for (int i = 0; i < blocks; i++) {
        char *p = malloc(size);   /* LEAK */
        if (p)
            memset(p, i, size);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    int events = atoi(argv[1]), blocks = atoi(argv[2]);
    size_t size = (size_t)atol(argv[3]);
    long from = 0;
    const char *pause = getenv("RSS_LEAK_PAUSE_US");
    useconds_t pause_us = pause ? (useconds_t)atol(pause) : 0;
    for (int e = 0; e < events; e++) {
        if (pause_us)
            usleep(pause_us);
        if (e == 10)
            from = rss_bytes();
        leakstamp_stamp("event");
        leak_event(blocks, size);
    }
    leakstamp_stamp("event");
    if (argc > 4 && events > 10)
        printf("%ld\n", (rss_bytes() - from) / (events - 10));
    else
        printf("rss_leak: %d events\n", events);
    return 0;
}
