/*
 * pool_grow.cpp — a free-list pool allocator in the style of Geant4's G4Allocator: objects are carved
 * from 1 KiB chunks (16 objects of 64 B), a free list hands them out, and Grow() mallocs a new chunk
 * whenever the list runs dry. Two callers (makeTrack, makeStep) each take 5 objects per event and never
 * give them back, so the pool grows by 10 objects = 640 B per event on average, one chunk at a time,
 * in Grow() called by whichever caller happened to drain the list.
 * usage: pool_grow EVENTS
 */
#include <cstdio>
#include <cstdlib>
#include <leakstamp.h>

namespace pool {

struct Link {
    Link *next;
    char payload[56];
};

struct Pool {
    enum { CHUNK_BYTES = 1024, PER_CHUNK = CHUNK_BYTES / sizeof(Link) };
    Link *free_list = nullptr;
    __attribute__((noinline)) void Grow()
    {
        Link *chunk = static_cast<Link *>(std::malloc(CHUNK_BYTES));   // GROW LINE
        for (size_t i = 0; i < PER_CHUNK; i++) {
            chunk[i].next = free_list;
            free_list = &chunk[i];
        }
    }
    __attribute__((noinline)) void *Get()
    {
        if (!free_list)
            Grow();
        Link *l = free_list;
        free_list = l->next;
        return l;
    }
};

Pool objects;

} // namespace pool

__attribute__((noinline)) static void makeTrack() { pool::objects.Get(); }
__attribute__((noinline)) static void makeStep() { pool::objects.Get(); }

int main(int argc, char **argv)
{
    int events = argc > 1 ? std::atoi(argv[1]) : 40;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        for (int i = 0; i < 5; i++)
            makeTrack();
        for (int i = 0; i < 5; i++)
            makeStep();
    }
    leakstamp_stamp("event");
    std::printf("pool_grow: %d events\n", events);
    return 0;
}
