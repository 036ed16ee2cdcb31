// sym_threads — named-stamp test job: 4 threads each run EVENTS events of workers::process_event,
// entering it concurrently; each event leaks 512 bytes. Usage: sym_threads EVENTS
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pthread.h>

namespace workers {
struct Block { Block *next; char pad[512 - sizeof(Block *)]; };
static thread_local Block *chain;

__attribute__((noinline)) long process_event(int i)
{
    Block *b = static_cast<Block *>(std::malloc(sizeof(Block)));
    std::memset(b, 4, sizeof *b);
    b->next = chain;
    chain = b;
    return i;
}
} // namespace workers

static int events;

static void *run(void *)
{
    long sum = 0;
    for (int i = 0; i < events; i++)
        sum += workers::process_event(i);
    return reinterpret_cast<void *>(sum);
}

int main(int argc, char **argv)
{
    events = argc > 1 ? std::atoi(argv[1]) : 10;
    pthread_t t[4];
    for (auto &x : t)
        pthread_create(&x, nullptr, run, nullptr);
    long sum = 0;
    for (auto &x : t) {
        void *r;
        pthread_join(x, &r);
        sum += reinterpret_cast<long>(r);
    }
    std::printf("sym_threads %d %ld\n", events, sum);
    return 0;
}
