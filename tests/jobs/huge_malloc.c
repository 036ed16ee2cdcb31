/*
 * huge_malloc.c — allocations no allocator can serve (2^63 bytes and more, as a size computed from a
 * negative number is), then an ordinary leak: 1000 blocks of 32 bytes from leak32(), and a stamp. The
 * failed calls must change nothing in what the tool records after them (they once raised the sample
 * countdown by about 2^63 bytes: exact and sampled mode alike stopped recording that thread).
 * usage: huge_malloc [1|2|3] (which sizes; see main). Prints what malloc returned and errno, so the job's output can be compared with and without the tool.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <leakstamp.h>

__attribute__((noinline)) static void *leak32(void) { return malloc(32); }

int main(int argc, char **argv)
{
    /* 1: sizes that each raise a signed countdown a little; 2: one that raises it by ~2^63; 3: sizes
     * below 2^63 that no allocator serves either, each lowering the countdown by 2^50 or more */
    size_t one[] = {SIZE_MAX, (size_t)-65536}, two[] = {(size_t)0x8000000000001000ull},
           three[] = {(size_t)INT64_MAX, (size_t)1 << 62, (size_t)1 << 50};
    int which = argc > 1 ? atoi(argv[1]) : 1, n = which == 2 ? 1 : which == 3 ? 3 : 2;
    size_t *bad = which == 2 ? two : which == 3 ? three : one;
    for (int i = 0; i < n; i++) {
        errno = 0;
        void *p = malloc(bad[i]);
        printf("malloc(%#zx): %s, %s\n", bad[i], p ? "a block" : "NULL", strerror(errno));
        free(p);
    }
    static void *keep[1000];
    for (int i = 0; i < 1000; i++)
        keep[i] = leak32();
    leakstamp_stamp("after");
    printf("huge_malloc: kept %p\n", keep[999] ? (void *)keep : NULL);
    return 0;
}
