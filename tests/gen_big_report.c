/*
 * gen_big_report.c — writes a large synthetic leakstamp report for measuring the analyzer
 * (docs/performance.md, "## Analyzer"): EVENTS events of one stamp each, SITES call sites of 8 frames
 * pointing into this program's own code (so symbolization does real work), and every site changing
 * at every stamp — the worst case for the reader, since the writer omits unchanged sites.
 * One site in ten leaks (steadily or in steps), the rest churn around a level.
 *
 *   cc -O2 -g -o build/gen_big_report tests/gen_big_report.c
 *   build/gen_big_report 10000 2000 /tmp/big.lsr
 *
 * With a fourth argument it writes COUNT reports of a job array instead (docs/performance.md, "Many
 * reports"): OUT is a directory, report i (pid 10000 + i, header `rank i`, job 4242) goes to
 * OUT/d<i / 1000>/leakstamp.gen.rank<i>.<pid>.0.lsr, each with its own churn.
 *   build/gen_big_report 50 10 /tmp/many 100000
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>

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

static void header(FILE *out, const char *exe, long pid, long rank)
{
    fprintf(out, "leakstamp-report\t1\ntool\tleakstamp\t0.1.0\npid\t%ld\nppid\t1\nhost\tgen\n"
                 "uname\tLinux\nuser\tgen\t0\ncwd\t/tmp\nexe\t%s\nstart\t1700000000000000\t"
                 "2023-11-14T22:13:20.000000Z\nmode\texact\t0\ndepth\t8\nargv\t1\tgen\n", pid, exe);
    if (rank >= 0)
        fprintf(out, "job\t4242\nrank\t%ld\n", rank);
    fputs("end\theader\n", out);
}

int main(int argc, char **argv);

static void definitions(FILE *out, const char *exe, long sites)
{
    uintptr_t bias = 0;
    dl_iterate_phdr(first_object, &bias);
    uint64_t base = (uint64_t)((uintptr_t)&main - bias); /* inside main: no padding, every frame has a symbol and a line */
    fprintf(out, "module\t1\t%llx\t%llx\t%llx\t-\t%s\n", (unsigned long long)bias,
            (unsigned long long)bias + 0x10000, (unsigned long long)bias, exe);
    uint64_t churn = rng;
    rng = 88172645463325252ULL;   /* the same call sites in every report of a job array */
    for (long s = 1; s <= sites; s++) {
        fprintf(out, "stack\t%ld\t0", s);
        for (int f = 0; f < 8; f++)
            fprintf(out, "\t1:%llx", (unsigned long long)(base + 1 + (next_random() % 0x400)));
        fputc('\n', out);
    }
    rng = churn;
}

static int write_report(const char *path, const char *exe, long events, long sites, long pid, long rank)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return 2;
    long long *live = calloc((size_t)sites + 1, sizeof *live), *total = calloc((size_t)sites + 1, sizeof *total);
    header(out, exe, pid, rank);
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

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s EVENTS SITES OUT [COUNT]\n", argv[0]);
        return 2;
    }
    long events = atol(argv[1]), sites = atol(argv[2]), count = argc == 5 ? atol(argv[4]) : 0;
    if (events < 1 || sites < 1)
        return 2;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    if (!count)
        return write_report(argv[3], exe, events, sites, 4711, -1);
    char path[8192];
    for (long i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/d%ld", argv[3], i / 1000);
        if (i % 1000 == 0 && mkdir(path, 0755) < 0 && errno != EEXIST)
            return 2;
        snprintf(path, sizeof path, "%s/d%ld/leakstamp.gen.rank%ld.%ld.0.lsr", argv[3], i / 1000, i, 10000 + i);
        int rc = write_report(path, exe, events, sites, 10000 + i, i);
        if (rc)
            return rc;
    }
    return 0;
}
