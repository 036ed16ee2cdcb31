/*
 * slow_events.c — a job that takes its time: EVENTS events (default 40) of MS milliseconds each
 * (default 50), stamped "event", leaking 2000 bytes per event from slow_leak(). For
 * `leakstamp run --progress`, whose status line is refreshed once a second (test_progress.sh).
 * usage: slow_events [EVENTS] [MS]
 */
#include <stdlib.h>
#include <time.h>
#include <leakstamp.h>

static void *volatile sink;

__attribute__((noinline)) static void slow_leak(void)
{
    sink = malloc(2000);   /* never freed */
}

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 40, ms = argc > 2 ? atoi(argv[2]) : 50;
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    for (int i = 0; i < events; i++) {
        leakstamp_stamp("event");
        slow_leak();
        nanosleep(&ts, NULL);
    }
    return 0;
}
