/*
 * churn.cpp — the second benchmark job (issue 16): an event loop of small, short-lived allocations, the
 * shape that stresses the live-pointer table most. Each event makes ALLOCS malloc/free pairs in
 * batches of 64 blocks of random sizes 16–272 B (freed in allocation order once the batch is full),
 * and grows a std::vector<int> by doubling to 64 Ki elements. With THREADS > 0 each event also starts
 * that many short-lived threads, each doing 50,000 malloc(32)/free, and joins them (the cost of a new
 * thread: unwind cache, counters, live-table leaves touched from another core).
 * Known leak per event: one 4,096-byte block from leak_one() on the main thread.
 * Prints a checksum so the work is not optimised away.
 * usage: churn [EVENTS] [ALLOCS_PER_EVENT] [THREADS_PER_EVENT]
 */
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>
#include <leakstamp.h>

static std::vector<void *> leaked;

__attribute__((noinline)) static void leak_one() { leaked.push_back(std::malloc(4096)); }

__attribute__((noinline)) static unsigned long batches(int allocs, unsigned seed)
{
    void *batch[64];
    unsigned long sum = 0;
    for (int made = 0; made < allocs;) {
        for (int i = 0; i < 64; i++, made++) {
            seed = seed * 1103515245u + 12345u;
            size_t size = 16 + (seed >> 8) % 257;
            char *p = static_cast<char *>(std::malloc(size));
            p[0] = (char)i;
            __asm__ volatile("" : : "r"(p) : "memory");   /* the pair must not be optimised away */
            batch[i] = p;
        }
        for (int i = 0; i < 64; i++) {
            sum += static_cast<unsigned char *>(batch[i])[0];
            std::free(batch[i]);
        }
    }
    return sum;
}

__attribute__((noinline)) static unsigned long doubling_vector()
{
    std::vector<int> v;
    for (int i = 0; i < 65536; i++)
        v.push_back(i);
    return v.size() + (unsigned long)v[v.size() / 2];
}

static void worker(unsigned long *out)
{
    unsigned long sum = 0;
    for (int i = 0; i < 50000; i++) {
        void *volatile p = std::malloc(32);
        sum += (uintptr_t)p & 0xff;
        std::free(p);
    }
    *out = sum;
}

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 100;
    int allocs = argc > 2 ? atoi(argv[2]) : 200000;
    int threads = argc > 3 ? atoi(argv[3]) : 0;
    unsigned long sum = 0;
    for (int e = 0; e < events; e++) {
        sum += batches(allocs, (unsigned)e);
        sum += doubling_vector();
        std::vector<std::thread> pool;
        std::vector<unsigned long> out((size_t)threads);
        for (int t = 0; t < threads; t++)
            pool.emplace_back(worker, &out[(size_t)t]);
        for (int t = 0; t < threads; t++) {
            pool[(size_t)t].join();
            sum += out[(size_t)t];
        }
        leak_one();
        leakstamp_stamp("event");
    }
    std::printf("checksum %lu\n", sum);
    return 0;
}
