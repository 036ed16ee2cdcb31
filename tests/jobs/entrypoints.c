/*
 * entrypoints.c — every C allocation entry point, each leaking a known amount per event from its own
 * function, plus churn that must cancel out and the edge cases the standard defines (realloc(NULL, n),
 * realloc(p, 0), free(NULL), calloc overflow, failed allocations). The job checks the C semantics
 * itself and exits 1 if one is wrong; tests/integration/test_preload.sh checks what the report says.
 * usage: entrypoints EVENTS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <leakstamp.h>

static void *kept[1 << 16];
static int nkept;
static void keep(void *p) { if (p) kept[nkept++] = p; }

#define NOINLINE __attribute__((noinline))
NOINLINE static void leak_malloc(void) { keep(malloc(48)); }
NOINLINE static void leak_calloc(void) { keep(calloc(10, 8)); }
NOINLINE static void leak_realloc_null(void) { keep(realloc(NULL, 24)); }
NOINLINE static void leak_realloc_grow(void) { keep(realloc(malloc(16), 64)); }
NOINLINE static void leak_reallocarray(void) { keep(reallocarray(NULL, 4, 8)); }
NOINLINE static void leak_posix_memalign(void) { void *p; if (posix_memalign(&p, 64, 100) == 0) keep(p); }
NOINLINE static void leak_aligned_alloc(void) { keep(aligned_alloc(64, 128)); }
NOINLINE static void leak_memalign(void) { keep(memalign(32, 40)); }
NOINLINE static void leak_valloc(void) { keep(valloc(10)); }
NOINLINE static void leak_pvalloc(void) { keep(pvalloc(10)); }
NOINLINE static void leak_strdup(void) { keep(strdup("0123456789")); }
NOINLINE static void leak_asprintf(void) { char *s; if (asprintf(&s, "%d", 12345) > 0) keep(s); }
NOINLINE static void leak_getline(FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    rewind(f);
    if (getline(&line, &cap, f) > 0)
        keep(line);
}

/* volatile: the compiler must not see (and warn about) the impossible sizes */
static volatile size_t half_max = SIZE_MAX / 2;

NOINLINE static int churn(void)
{
    int bad = 0;
    free(NULL);
    void *p = malloc(100);
    free(realloc(p, 200));
    void *q = malloc(32);
    if (realloc(q, 0) != NULL)   /* glibc frees q and returns NULL */
        bad = 1;
    errno = 0;
    if (calloc(half_max, 4) != NULL || errno != ENOMEM)
        bad = 1;
    if (malloc(half_max) != NULL)   /* fails: must not be counted */
        bad = 1;
    if (reallocarray(NULL, half_max, 4) != NULL || errno != ENOMEM)
        bad = 1;
    if (malloc_usable_size(kept[0]) < 48)
        bad = 1;
    return bad;
}

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 10;
    FILE *f = tmpfile();
    fputs("a line for getline\n", f);
    fflush(f);
    int bad = 0;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        leak_malloc(); leak_calloc(); leak_realloc_null(); leak_realloc_grow(); leak_reallocarray();
        leak_posix_memalign(); leak_aligned_alloc(); leak_memalign(); leak_valloc(); leak_pvalloc();
        leak_strdup(); leak_asprintf(); leak_getline(f);
        bad |= churn();
    }
    leakstamp_stamp("event");
    fclose(f);
    printf("entrypoints: %d blocks kept\n", nkept);
    return bad;
}
