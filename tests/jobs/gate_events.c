/*
 * gate_events.c — an event job for the CI gate's baseline tests: one stamp per event, and leaks that
 * can be switched on one by one.
 * usage: gate_events EVENTS [old] [older] [new] [crash] [exit3]
 *   old    old_leak() leaks 256 bytes per event (the leak a baseline accepts)
 *   older  old_leak() leaks 1024 bytes per event instead (the old leak got worse)
 *   new    new_leak() leaks 64 bytes per event (a new leak)
 *   crash  SIGSEGV in event 5; exit3: exit status 3 after the last event
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <leakstamp.h>

static void *sink;

__attribute__((noinline)) static void old_leak(size_t n)
{
    sink = malloc(n);
    memset(sink, 1, n);
}

__attribute__((noinline)) static void new_leak(void)
{
    sink = malloc(64);
    memset(sink, 2, 64);
}

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 30;
    int old = 0, worse = 0, fresh = 0, crash = 0, exit3 = 0;
    for (int i = 2; i < argc; i++) {
        old |= !strcmp(argv[i], "old");
        worse |= !strcmp(argv[i], "older");
        fresh |= !strcmp(argv[i], "new");
        crash |= !strcmp(argv[i], "crash");
        exit3 |= !strcmp(argv[i], "exit3");
    }
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        void *tmp = malloc(512);   /* churn: freed within the event */
        memset(tmp, 0, 512);
        free(tmp);
        if (old || worse)
            old_leak(worse ? 1024 : 256);
        if (fresh)
            new_leak();
        if (crash && e == 5)
            raise(SIGSEGV);
    }
    leakstamp_stamp("event");
    return exit3 ? 3 : 0;
}
