/*
 * pyleak_lib.c — libpyleak.so, a C library that python loads with ctypes (tests/integration/
 * test_real_shapes.sh): pyleak_event() is the job's event function, called once per event from python
 * through libffi; each call keeps 100 B from pyleak_keep and frees what it churns.
 */
#include <stdlib.h>

__attribute__((noinline)) static void *pyleak_keep(void) { return malloc(100); }

int pyleak_event(int i)
{
    free(malloc((size_t)(i % 64) + 1));
    return pyleak_keep() != NULL;
}
