/*
 * foreign_heap.c — built twice, linked with tcmalloc (heap_tcmalloc) and with jemalloc (heap_jemalloc):
 * leaks 3000 malloc blocks of 1000 bytes per event (3,000,000 bytes) through an allocator that maps its
 * arenas by calling mmap through the PLT from inside malloc. The mappings are the heap's, not the job's:
 * no mapping site may appear, and the malloc leak must be exact. Also frees 200 large blocks per event
 * (the allocator maps and may unmap for them).
 * usage: heap_tcmalloc|heap_jemalloc EVENTS
 */
#include <stdlib.h>
#include <string.h>

#include <leakstamp.h>

static void *keep[1 << 20];
static size_t nkeep;

__attribute__((noinline)) static void leak_blocks(void)
{
    for (int i = 0; i < 3000; i++) {
        keep[nkeep] = malloc(1000);
        memset(keep[nkeep++], 1, 1000);
    }
}

__attribute__((noinline)) static void big_churn(void)
{
    for (int i = 0; i < 200; i++) {
        void *p = malloc(3 << 20);
        memset(p, 1, 4096);
        free(p);
    }
}

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 10;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        leak_blocks();
        big_churn();
    }
    leakstamp_stamp("event");
    return 0;
}
