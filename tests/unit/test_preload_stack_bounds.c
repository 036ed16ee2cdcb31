/*
 * test_preload_stack_bounds.c — unit tests of how the preload finds a thread's own stack without
 * pthread_getattr_np (preload/core/stack_bounds.c): the kernel's PROCMAP_QUERY answer and the
 * /proc/self/maps reading agree, both find a thread's stack as glibc reports it, and both refuse
 * mappings that are not a glibc stack (a file, the named [heap], nothing mapped).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/core.h"

struct seen {
    uintptr_t lo[2], hi[2], blo, bhi;
    int rc[2], brc;
    uintptr_t self, local, attr_lo, attr_hi;
};

static void *look(void *arg)
{
    struct seen *s = arg;
    int local = 0;
    s->self = (uintptr_t)pthread_self();
    s->local = (uintptr_t)&local;
    for (int q = 0; q < 2; q++)
        s->rc[q] = ls_anon_mapping_of(s->self, &s->lo[q], &s->hi[q], q);
    s->brc = ls_stack_bounds(&s->blo, &s->bhi);
    pthread_attr_t a;
    void *addr;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &a) == 0 && pthread_attr_getstack(&a, &addr, &size) == 0) {
        s->attr_lo = (uintptr_t)addr;
        s->attr_hi = (uintptr_t)addr + size;
        pthread_attr_destroy(&a);
    }
    return NULL;
}

Test(stack_bounds, a_thread_stack_by_both_ways)
{
    ls_stack_bounds_init();
    struct seen s = {0};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, look, &s), 0);
    pthread_join(t, NULL);
    for (int q = 0; q < 2; q++) {
        cr_assert_eq(s.rc[q], 0, "found with may_query=%d", q);
        cr_expect(s.lo[q] <= s.local && s.local < s.hi[q], "the thread's locals are in it");
        cr_expect(s.lo[q] <= s.self && s.self < s.hi[q], "so is its descriptor");
        cr_expect(s.lo[q] <= s.attr_lo && s.attr_hi <= s.hi[q], "and the stack glibc reports");
    }
    cr_expect_eq(s.lo[0], s.lo[1], "PROCMAP_QUERY and the file agree");
    cr_expect_eq(s.hi[0], s.hi[1]);
    cr_assert_eq(s.brc, 0);
    cr_expect_eq(s.blo, s.lo[1]);
    cr_expect_eq(s.bhi, s.self, "frames lie below the descriptor");
}

Test(stack_bounds, the_main_thread_by_identity)
{
    ls_stack_bounds_init();   /* on this thread: it is "main" from now on, wherever it runs */
    uintptr_t lo, hi;
    int local = 0;
    cr_assert_eq(ls_stack_bounds(&lo, &hi), 0);
    cr_expect(lo <= (uintptr_t)&local && (uintptr_t)&local < hi, "this thread's locals are in its stack");
}

Test(stack_bounds, glibc_names_its_stacks)
{
    /* glibc.mem.decorate_maps=1 (glibc 2.39+): thread stacks named; any other name is refused */
    cr_expect(ls_glibc_stack_name("[anon: glibc: pthread stack: 4242]"));
    cr_expect_not(ls_glibc_stack_name("[anon: glibc: malloc arena]"));
    cr_expect_not(ls_glibc_stack_name("[anon:pool]"));
    cr_expect_not(ls_glibc_stack_name("[heap]"));
    cr_expect_not(ls_glibc_stack_name(""));
}

static void expect_refused(uintptr_t addr, const char *what)
{
    for (int q = 0; q < 2; q++) {
        uintptr_t lo = 1, hi = 1;
        cr_expect_eq(ls_anon_mapping_of(addr, &lo, &hi, q), -1, "%s refused (may_query=%d)", what, q);
        cr_expect(lo == 1 && hi == 1, "%s: nothing written", what);
    }
}

Test(stack_bounds, not_a_stack)
{
    expect_refused((uintptr_t)&expect_refused, "the test's own code (a file)");
    expect_refused(16, "an address with nothing mapped");
    char *h = sbrk(4096);   /* the brk heap: anonymous, but named [heap] */
    cr_assert_neq(h, (char *)-1);
    expect_refused((uintptr_t)h, "the [heap]");
    /* a file whose path does not fit the 64 bytes the ioctl leaves for a name (ENAMETOOLONG) */
    char path[] = "/tmp/leakstamp-test-a-mapping-named-by-a-path-longer-than-sixty-four-bytes.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, 4096), 0);
    char *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    cr_assert_neq(m, MAP_FAILED);
    expect_refused((uintptr_t)m, "a file with a long path");
    munmap(m, 4096);
    close(fd);
    unlink(path);
}
