/*
 * unwind_zoo.cpp — allocations from the kinds of code that trip unwinders and stack caches: deep and
 * varying recursion, code with and without frame pointers, alloca (frames addressed from %rbp), C++
 * exceptions thrown through allocating frames, longjmp out of nested frames, a signal handler that
 * allocates (raised synchronously, so malloc is safe there), and threads. Run with
 * LEAKSTAMP_VERIFY_UNWIND=1: every unwind-cache hit is checked against libunwind, and the library
 * reports at exit how many disagreed (the test wants 0 of many).
 * usage: unwind_zoo ROUNDS
 */
#pragma GCC optimize("O2", "omit-frame-pointer")
#include <alloca.h>
#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>
#include <leakstamp.h>

static std::vector<void *> *sink;
static volatile int opaque = 1;

#define NOINLINE __attribute__((noinline))

NOINLINE static void *leaf(size_t n) { return std::malloc(n); }

NOINLINE static void *recurse(int d)
{
    if (d == 0)
        return leaf(16);
    void *p = recurse(d - 1);
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((optimize("no-omit-frame-pointer"))) NOINLINE static void *with_fp(int d)
{
    void *p = d ? with_fp(d - 1) : new char[24];
    __asm__ volatile("" ::: "memory");
    return p;
}

NOINLINE static void *with_alloca(int n)
{
    char *buf = static_cast<char *>(alloca((size_t)n * 16 + 16));
    std::memset(buf, 0, 16);
    void *p = recurse(n % 4);
    buf[0] = static_cast<char>(reinterpret_cast<uintptr_t>(p));
    return p;
}

NOINLINE static void thrower(int d)
{
    std::vector<int> temp(8 + d);   // allocates, then unwound by the exception
    if (d == 0)
        throw std::runtime_error("boom");
    thrower(d - 1);
    temp[0] = opaque;
}

static std::jmp_buf jump;
NOINLINE static void jumper(int d)
{
    sink->push_back(leaf(32));
    if (d <= 0)
        std::longjmp(jump, 1);
    if (opaque)
        jumper(d - 1);
}

static void on_signal(int)
{
    sink->push_back(recurse(2));
}

static void one_round(int r)
{
    sink->push_back(recurse(r % 7));
    sink->push_back(with_fp(r % 5));
    sink->push_back(with_alloca(r % 9));
    try {
        thrower(r % 4);
    } catch (const std::exception &) {
        sink->push_back(leaf(8));
    }
    if (setjmp(jump) == 0)
        jumper(r % 6);
    sink->push_back(leaf(40));
    if (r % 50 == 0)
        std::raise(SIGUSR1);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? std::atoi(argv[1]) : 2000;
    sink = new std::vector<void *>();
    sink->reserve((size_t)rounds * 40);
    std::signal(SIGUSR1, on_signal);
    for (int r = 0; r < rounds; r++) {
        if (r % 100 == 0)
            leakstamp_stamp("round");
        one_round(r);
    }
    std::vector<std::vector<void *>> parts(4);
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; t++)
        pool.emplace_back([t, rounds, &parts] {
            for (int r = 0; r < rounds / 4; r++) {
                parts[t].push_back(recurse((r + t) % 7));
                parts[t].push_back(with_fp(r % 3));
            }
        });
    for (auto &th : pool)
        th.join();
    leakstamp_stamp("round");
    std::printf("unwind_zoo: %zu blocks\n", sink->size() + parts[0].size() * 4);
    return 0;
}
