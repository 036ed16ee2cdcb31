/*
 * timeline_stages.c — an event in three stages, stamped "event", "gather" and "pinHost" (the shape of
 * a GPU job: simulate, gather the hits, pin host buffers). Per event, between "event" and "gather":
 * 500 B kept from simulate_step, and in the first event only a 1 MiB buffer from load_geometry (a
 * one-off); between "gather" and "pinHost": 1000 B kept from gather_hits. --timeline must label each
 * interval "from → to", rank gather → pinHost (median +1000 B) before event → gather (median +500 B,
 * mean 50 KiB), simulate_step before load_geometry, and mark load_geometry a one-off.
 * usage: timeline_stages EVENTS
 */
#include <stdlib.h>
#include <string.h>
#include <leakstamp.h>

static void *volatile sink;

__attribute__((noinline)) static void simulate_step(void) { sink = malloc(500); }
__attribute__((noinline)) static void load_geometry(void) { sink = memset(malloc(1 << 20), 1, 1 << 20); }
__attribute__((noinline)) static void gather_hits(void) { sink = malloc(1000); }

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 20;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        if (e == 0)
            load_geometry();
        simulate_step();
        leakstamp_stamp("gather");
        gather_hits();
        leakstamp_stamp("pinHost");
    }
    leakstamp_stamp("event");
    return 0;
}
