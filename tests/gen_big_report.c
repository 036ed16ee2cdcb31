/*
 * gen_big_report.c — writes a large synthetic leakstamp report for measuring the analyzer
 * (docs/performance.md, "## Analyzer"): EVENTS events of one stamp each, SITES call sites of 8 frames
 * pointing into this program's own code (so symbolization does real work), and every site changing
 * at every stamp — the worst case for the reader, since the writer omits unchanged sites.
 * One site in ten leaks (steadily or in steps), the rest churn around a level.
 *
 *   cc -O2 -g -o build/gen_big_report tests/gen_big_report.c
 *   build/gen_big_report 10000 2000 /tmp/big.lsr
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uintptr_t *)data = info->dlpi_addr;
    return 1;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void header(FILE *out, const char *exe)
{
    fprintf(out, "leakstamp-report\t1\ntool\tleakstamp\t0.1.0\npid\t4711\nppid\t1\nhost\tgen\n"
                 "uname\tLinux\nuser\tgen\t0\ncwd\t/tmp\nexe\t%s\nstart\t1700000000000000\t"
                 "2023-11-14T22:13:20.000000Z\nmode\texact\t0\ndepth\t8\nargv\t1\tgen\nend\theader\n", exe);
}

int main(int argc, char **argv);

static void definitions(FILE *out, const char *exe, long sites)
{
    uintptr_t bias = 0;
    dl_iterate_phdr(first_object, &bias);
    uint64_t base = (uint64_t)((uintptr_t)&main - bias); /* inside main: no padding, every frame has a symbol and a line */
    fprintf(out, "module\t1\t%llx\t%llx\t%llx\t-\t%s\n", (unsigned long long)bias,
            (unsigned long long)bias + 0x10000, (unsigned long long)bias, exe);
    for (long s = 1; s <= sites; s++) {
        fprintf(out, "stack\t%ld\t0", s);
        for (int f = 0; f < 8; f++)
            fprintf(out, "\t1:%llx", (unsigned long long)(base + 1 + (next_random() % 0x400)));
        fputc('\n', out);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s EVENTS SITES OUT\n", argv[0]);
        return 2;
    }
    long events = atol(argv[1]), sites = atol(argv[2]);
    FILE *out = fopen(argv[3], "w");
    if (!out || events < 1 || sites < 1)
        return 2;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    long long *live = calloc((size_t)sites + 1, sizeof *live), *total = calloc((size_t)sites + 1, sizeof *total);
    header(out, exe);
    for (long e = 1; e <= events; e++) {
        if (e == 1)
            definitions(out, exe, sites);
        long long heap = 0;
        for (long s = 1; s <= sites; s++)
            heap += live[s];
        fprintf(out, "stamp\t%ld\tevent\t%lld\t%lld\t%lld\t%lld\t0\t0\t0\n", e, 1700000000000000LL + e * 1000,
                400000000LL + heap, 200000000LL + heap, heap);
        for (long s = 1; s <= sites; s++) {
            long long before = live[s];
            if (s % 10 == 0)
                live[s] += (s % 20 == 0) ? 48 : (e % 8 == 0 ? 65536 : 0) + 1; /* steady or stepwise leak */
            else
                live[s] = 1000 + (long long)(next_random() % 5000);             /* churn */
            total[s]++;
            long long allocs = s % 10 == 0 ? e : 1 + live[s] % 5;
            fprintf(out, "site\t%ld\t%d\t%lld\t%lld\t%lld\t%lld\t%lld\n", s, 0, live[s] - before, allocs,
                    live[s], total[s], total[s] * 64);
        }
        fprintf(out, "end\t%ld\n", e);
    }
    fprintf(out, "exit\texit\t%lld\t1\t1\t0\t0\t0\t0\t%ld\nend\texit\n", 1700000000000000LL + (events + 1) * 1000, events);
    free(live);
    free(total);
    return fclose(out) ? 3 : 0;
}
