/*
 * mapplugin_lib.c — libmapplugin.so, dlopened by map_leaky (mode dlopen): maps 256 KiB per call and
 * keeps it, so the mapping site lies in a library that was not there at start-up.
 */
#include <string.h>
#include <sys/mman.h>

__attribute__((noinline)) void plugin_map(void)
{
    void *p = mmap(NULL, 256 << 10, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 1, 256 << 10);
}
