/*
 * stamp_cost.c — the cost of one stamp, for `make bench`. "api N": N calls of leakstamp_stamp() with an
 * allocation and a free between them (so a site changes every time); "named N": N calls of the empty
 * function tick(), which the bench names as the event function (LEAKSTAMP_EVENT=tick), so each call is
 * a breakpoint trap plus a stamp; "maps N MIB": N stamps with MIB MiB mapped (touched) in 64 MiB
 * mappings, so each stamp measures their resident bytes with mincore. Prints microseconds per iteration.
 * usage: stamp_cost api|named N | stamp_cost maps N MIB
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <leakstamp.h>

__attribute__((noinline)) void tick(int i)
{
    __asm__ volatile("" ::"r"(i) : "memory");
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int stamps_with_maps(int n, int mib)
{
    for (int i = 0; i < mib / 64; i++) {
        char *p = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return 1;
        memset(p, 1, 64 << 20);
    }
    leakstamp_stamp("s");
    double start = now_us();
    for (int i = 0; i < n; i++)
        leakstamp_stamp("s");
    printf("%.2f\n", (now_us() - start) / n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "maps"))
        return stamps_with_maps(atoi(argv[2]), atoi(argv[3]));
    if (argc != 3 || (strcmp(argv[1], "api") && strcmp(argv[1], "named")))
        return 2;
    int n = atoi(argv[2]);
    void *keep[64] = {0};
    double start = now_us();
    for (int i = 0; i < n; i++) {
        if (argv[1][0] == 'a') {
            leakstamp_stamp("s");
            free(keep[i % 64]);
            keep[i % 64] = malloc(16);
        } else {
            tick(i);
        }
    }
    printf("%.2f\n", (now_us() - start) / n);
    for (int i = 0; i < 64; i++)
        free(keep[i]);
    return 0;
}
