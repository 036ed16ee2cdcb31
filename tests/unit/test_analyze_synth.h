/*
 * test_analyze_synth.h — builds synthetic leakstamp reports (docs/report-format.md, version 1) for
 * the analyzer's unit tests: a model function gives each site's live allocations and bytes at every
 * stamp, and the builder writes the header, module and stack definitions, one stamp record per stamp
 * with `site` lines only for sites that changed (as the preload does), and an exit record.
 *
 * Stacks point into the test binary itself, at functions defined by the tests, so the symbolizer
 * names sites after those functions.
 */
#ifndef TEST_ANALYZE_SYNTH_H
#define TEST_ANALYZE_SYNTH_H


#include <link.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct synth {
    char *buf;
    size_t len, cap;
} synth;

static inline void sy_printf(synth *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void sy_printf(synth *s, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
        va_end(ap);
        if ((size_t)n < s->cap - s->len) {
            s->len += (size_t)n;
            return;
        }
        s->cap = s->cap * 2 + (size_t)n + 256;
        s->buf = realloc(s->buf, s->cap);
    }
}

static inline int sy_bias_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uintptr_t *)data = info->dlpi_addr; /* the first object is the executable */
    return 1;
}

/* The recorded frame for "a call returning into fn": its address in the ELF file, plus one. */
static inline uint64_t sy_offset(void (*fn)(void))
{
    uintptr_t bias = 0;
    dl_iterate_phdr(sy_bias_cb, &bias);
    return (uint64_t)((uintptr_t)fn - bias + 1);
}

static inline const char *sy_self(void)
{
    static char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    path[n > 0 ? n : 0] = '\0';
    return path;
}

/* live allocations and bytes of `site` at stamp number `tick` (0-based over the whole run; the exit
 * record asks for tick = events * nstamps) */
typedef void (*sy_model)(size_t site, size_t tick, long long *allocs, long long *bytes, void *ctx);

typedef struct sy_spec {
    long pid;
    size_t nsites;
    const uint64_t *offsets;      /* one frame per site, in the test binary */
    size_t events;
    const char *const *stamps;    /* names of the stamps of one event; the first starts it */
    size_t nstamps;
    sy_model model;
    void *ctx;
    int no_exit;                  /* leave the exit record out */
    long long rss_extra_per_event;/* RSS growth not explained by the heap */
    const char *const *frames;    /* optional: per site, its frames as written ("2:1a\t1:3c") */
    const char *extra_modules;    /* optional: more `module` lines (ids from 2) */
} sy_spec;

static inline void sy_header(synth *s, long pid, const char *exe)
{
    sy_printf(s, "leakstamp-report\t1\ntool\tleakstamp\t0.1.0\npid\t%ld\nppid\t1\nhost\ttesthost\n"
                 "uname\tLinux 6.1 #1 x86_64\nuser\ttester\t1000\ncwd\t/tmp\nexe\t%s\n"
                 "start\t1700000000000000\t2023-11-14T22:13:20.000000Z\nmode\texact\t0\ndepth\t32\n"
                 "argv\t2\t%s\t--events\nmeta\tJOB\tunit\\ttest\nend\theader\n", pid, exe, exe);
}

static inline char *sy_build(const sy_spec *sp, size_t *len)
{
    synth s = { 0 };
    const char *exe = sy_self();
    long long *prev = calloc(sp->nsites * 2 + 2, sizeof *prev);
    long long *total = calloc(sp->nsites + 1, sizeof *total);
    size_t ticks = sp->events * sp->nstamps;
    sy_header(&s, sp->pid, exe);
    for (size_t t = 0; t < ticks; t++) {
        long long heap = 0, heap_allocs = 0;
        synth sites = { 0 };
        sy_printf(&sites, "%s", "");
        for (size_t i = 0; i < sp->nsites; i++) {
            long long a, b;
            sp->model(i, t, &a, &b, sp->ctx);
            heap += b;
            heap_allocs += a;
            if (a > prev[2 * i])
                total[i] += a - prev[2 * i];
            if (t == 0 || a != prev[2 * i] || b != prev[2 * i + 1])
                sy_printf(&sites, "site\t%zu\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\n", i + 1, a - prev[2 * i],
                          b - prev[2 * i + 1], a, b, total[i], total[i] * 48);
            prev[2 * i] = a;
            prev[2 * i + 1] = b;
        }
        if (t == 0) {
            sy_printf(&s, "module\t1\t55550000\t55560000\t55550000\t-\t%s\n", exe);
            if (sp->extra_modules)
                sy_printf(&s, "%s", sp->extra_modules);
            for (size_t i = 0; i < sp->nsites; i++) {
                if (sp->frames && sp->frames[i])
                    sy_printf(&s, "stack\t%zu\t0\t%s\n", i + 1, sp->frames[i]);
                else
                    sy_printf(&s, "stack\t%zu\t0\t1:%llx\n", i + 1, (unsigned long long)sp->offsets[i]);
            }
        }
        size_t ev = t / sp->nstamps;
        long long rss = 50000000 + heap + sp->rss_extra_per_event * (long long)ev;
        sy_printf(&s, "stamp\t%zu\t%s\t%llu\t%lld\t%lld\t%lld\t%lld\t%zu\t%zu\n", t + 1,
                  sp->stamps[t % sp->nstamps], 1700000000000000ULL + 1000ULL * t, 2 * rss, rss, heap,
                  heap_allocs, t * 10, t * 9);
        sy_printf(&s, "%s", sites.buf);
        sy_printf(&s, "end\t%zu\n", t + 1);
        free(sites.buf);
    }
    if (!sp->no_exit) {
        sy_printf(&s, "exit\texit\t%llu\t100\t100\t0\t0\t%zu\t%zu\t%zu\n",
                  1700000000000000ULL + 1000ULL * ticks, ticks * 10, ticks * 9, ticks);
        for (size_t i = 0; i < sp->nsites; i++) {
            long long a, b;
            sp->model(i, ticks, &a, &b, sp->ctx);
            if (a || b)
                sy_printf(&s, "live\t%zu\t%lld\t%lld\t%lld\t%lld\t0:%lld\n", i + 1, a, b, total[i],
                          total[i] * 48, a);
        }
        sy_printf(&s, "end\texit\n");
    }
    free(prev);
    free(total);
    *len = s.len;
    return s.buf;
}

/* Writes content to a fresh file under a fresh temporary directory; returns its path (static buffer
 * rotation: the last 8 paths stay valid). */
static inline const char *sy_write(const char *name, const char *content, size_t len)
{
    static char paths[8][4096];
    static int next;
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/lsa-test-XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    char *p = paths[next++ % 8];
    snprintf(p, 4096, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f)
        abort();
    fwrite(content, 1, len, f);
    fclose(f);
    return p;
}

/* A fresh empty directory. */
static inline const char *sy_dir(void)
{
    static char dirs[4][64];
    static int next;
    char *d = dirs[next++ % 4];
    snprintf(d, 64, "/tmp/lsa-dir-XXXXXX");
    if (!mkdtemp(d))
        abort();
    return d;
}

static inline char *sy_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = calloc((size_t)n + 1, 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    return buf;
}

#endif
