/*
 * sort.c — a heapsort in place, for code that must not call the allocator (libc's qsort may call
 * malloc): the exit record, which a signal handler may write while the interrupted thread holds an
 * allocator lock, and the heap-scan snapshot child (scan/sort.c), where another thread may have held
 * any lock of libc at the clone. O(n log n), no memory.
 */
#include "core/core.h"

static void swap_bytes(char *a, char *b, size_t size)
{
    while (size--) {
        char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

static void sift(char *base, size_t root, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
            child++;
        if (cmp(base + root * size, base + child * size) >= 0)
            return;
        swap_bytes(base + root * size, base + child * size, size);
        root = child;
    }
}

void ls_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    char *b = base;
    for (size_t i = n / 2; i-- > 0;)
        sift(b, i, n, size, cmp);
    for (size_t end = n; end-- > 1;) {
        swap_bytes(b, b + end * size, size);
        sift(b, 0, end, size, cmp);
    }
}

