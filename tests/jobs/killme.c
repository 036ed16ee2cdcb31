/*
 * killme.c — 100 events that each leak 1000 B from leak1000 and keep up to 2000 small sites busy, so
 * stamp records are large. It SIGKILLs itself at event KILL_AT (argument), in the middle of the run:
 * the report must read back whole up to the last stamp. With PAUSE_US it sleeps that long per event,
 * so that a test can kill it from outside at a random moment instead.
 * usage: killme KILL_AT [PAUSE_US]
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <leakstamp.h>

__attribute__((noinline)) static void leak1000(void) { if (!malloc(1000)) abort(); }

/* Many distinct call sites: recursion depth d gives a distinct stack for each d. */
__attribute__((noinline)) static void *deep(int d)
{
    if (d == 0)
        return malloc(16);
    void *p = deep(d - 1);
    __asm__ volatile("" ::: "memory");
    return p;
}

int main(int argc, char **argv)
{
    int kill_at = argc > 1 ? atoi(argv[1]) : 57;
    int pause_us = argc > 2 ? atoi(argv[2]) : 0;
    static void *slots[200];
    for (int e = 0; e < 100; e++) {
        leakstamp_stamp("event");
        if (e == kill_at)
            raise(SIGKILL);
        leak1000();
        for (int i = 0; i < 200; i++) {
            free(slots[i]);
            slots[i] = deep((i + e) % 60);
        }
        if (pause_us)
            usleep((useconds_t)pause_us);
    }
    return 0;
}
