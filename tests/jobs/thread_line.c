/*
 * thread_line.c — one line that both leaks the job's own block and starts a thread: each event keeps a
 * malloc(123) and runs a short-lived thread created on the same source line, so pthread_create's own
 * TLS/DTV blocks (a calloc deep inside libc and the loader) are allocated "from" that line too. The
 * job leaks exactly 123 B in 1 block per event; the runtime's blocks are not the job's.
 * usage: thread_line EVENTS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <leakstamp.h>

static void *idle(void *arg) { return arg; }

__attribute__((noinline)) static void *spawn(pthread_t *t)
{
    void *kept; kept = malloc(123), pthread_create(t, NULL, idle, NULL);   /* THE LINE */
    return kept;
}

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 100;
    void **kept = calloc((size_t)events, sizeof *kept);
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        pthread_t t;
        kept[e] = spawn(&t);
        pthread_join(t, NULL);
    }
    leakstamp_stamp("event");
    printf("thread_line: %d blocks kept\n", events);
    return 0;
}
