/*
 * ctorleak_lib.c — libctorleak.so: a library whose constructor, run by the loader inside dlopen, keeps
 * 777 B that it never frees. The block's stack passes through the loader's _dl_* functions, outside
 * the constructor; it is still the library's leak, not a runtime internal (tests/jobs/dlopen_ctor.c).
 */
#include <stdlib.h>

void *ctorleak_kept;

__attribute__((constructor)) static void ctorleak_init(void)
{
    ctorleak_kept = malloc(777);
}
