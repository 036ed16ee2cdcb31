/*
 * tls_exit.cpp — threads whose exit-time destructors allocate: a thread_local object's destructor,
 * and a pthread key destructor, which glibc runs after the tool's own key destructors (keys made
 * earlier run first), so the tool's per-thread state is already gone. 16 threads each leave one
 * 100-byte block from late_alloc and one 200-byte block from key_alloc at exit. Must not crash; the
 * blocks are counted.
 * usage: tls_exit
 */
#include <pthread.h>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>
#include <leakstamp.h>

__attribute__((noinline)) static void *late_alloc() { return std::malloc(100); }

struct Late {
    std::vector<int> v;
    ~Late()
    {
        // runs during thread exit, possibly after leakstamp's key destructors
        for (int i = 0; i < 100; i++)
            std::free(std::malloc(64));
        if (!late_alloc())
            std::abort();
    }
};

static thread_local Late late;
static pthread_key_t key;

__attribute__((noinline)) static void *key_alloc() { return std::malloc(200); }

static void key_destructor(void *)
{
    for (int i = 0; i < 100; i++)
        delete[] new int[16];
    if (!key_alloc())
        std::abort();
}

int main()
{
    pthread_key_create(&key, key_destructor);
    leakstamp_stamp("start");
    std::vector<std::thread> pool;
    for (int t = 0; t < 16; t++)
        pool.emplace_back([] {
            late.v.push_back(1);
            pthread_setspecific(key, &key);
            for (int i = 0; i < 1000; i++)
                std::free(std::malloc(32));
        });
    for (auto &th : pool)
        th.join();
    leakstamp_stamp("end");
    std::printf("tls_exit: done\n");
    return 0;
}
