/*
 * alloc_heavy.cpp — the benchmark job: an allocation-heavy event loop in the shape of a detector
 * simulation. Each event, THREADS workers together make ~260,000 allocations (small objects through
 * ten-frame call chains, strings, vectors that grow, map nodes), almost all freed within the event.
 * Known leaks per event: 100 x 48-byte Hits from Track::keep_noisy (4,800 B) and one 64 KiB buffer from
 * Histogram::book (65,536 B), both on the main thread. Prints a checksum so the work is not optimised
 * away and so runs under different tools can be compared.
 * COMPUTE_US adds that much arithmetic per event (no allocation), for the "light job" case of a job
 * whose events mostly compute.
 * usage: alloc_heavy [EVENTS] [THREADS] [ALLOCS_PER_EVENT] [COMPUTE_US]
 */
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>
#include <leakstamp.h>

struct Hit {
    double x, y, z, t, e;
    int channel, flags;
};

static std::vector<void *> leaked;

struct Track {
    __attribute__((noinline)) static void keep_noisy(int n)
    {
        for (int i = 0; i < n; i++)
            leaked.push_back(new Hit{});
    }
};

struct Histogram {
    __attribute__((noinline)) static void book() { leaked.push_back(std::malloc(64 * 1024)); }
};

/* A ten-frame call chain that ends in an allocation, as framework code tends to look. */
__attribute__((noinline)) static Hit *chain(int depth, int i)
{
    if (depth == 0)
        return new Hit{i * 1.0, 0, 0, 0, 1.0, i, 0};
    Hit *h = chain(depth - 1, i);
    __asm__ volatile("" ::: "memory");
    return h;
}

__attribute__((noinline)) static double work(int seed, int allocs)
{
    double sum = 0;
    std::vector<Hit *> hits;
    std::map<int, std::string> names;
    int made = 0;
    for (int i = 0; made < allocs; i++) {
        hits.push_back(chain(8 + i % 3, i + seed));                 // ~1 allocation, plus vector growth
        made++;
        if (i % 8 == 0) {
            names[i % 512] = std::string(40 + i % 30, 'x');        // node + string buffer
            made += 2;
        }
        if (hits.size() == 64) {
            for (Hit *h : hits) {
                sum += h->x;
                delete h;
            }
            hits.clear();
        }
    }
    for (Hit *h : hits)
        delete h;
    for (auto &kv : names)
        sum += (double)kv.second.size();
    return sum;
}

/* Arithmetic for about `us` microseconds (time-boxed, so the same on every run of the machine). */
static double compute(int us)
{
    double x = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
    while (us > 0 && std::chrono::steady_clock::now() < until)
        for (int i = 1; i < 1000; i++)
            x += std::sqrt((double)i);
    return x > 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    int events = argc > 1 ? std::atoi(argv[1]) : 30;
    int threads = argc > 2 ? std::atoi(argv[2]) : 4;
    int per_event = argc > 3 ? std::atoi(argv[3]) : 260000;
    int compute_us = argc > 4 ? std::atoi(argv[4]) : 0;
    leaked.reserve((size_t)events * 110);
    double total = 0;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        std::vector<double> part(threads);
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; t++)
            pool.emplace_back([&, t] { part[t] = work(e * 1000 + t, per_event / threads); });
        for (auto &th : pool)
            th.join();
        for (double p : part)
            total += p;
        total += compute(compute_us);
        Track::keep_noisy(100);
        Histogram::book();
    }
    leakstamp_stamp("event");
    std::printf("alloc_heavy: %d events, checksum %.0f\n", events, total);
    return 0;
}
