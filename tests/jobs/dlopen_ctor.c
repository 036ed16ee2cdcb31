/*
 * dlopen_ctor.c — dlopens the library named by its argument (libctorleak.so), whose constructor leaks
 * 777 B, and exits with the library still loaded: the gate must fail that block, though the loader's
 * _dl_* frames lie outward of the constructor on its stack.
 * usage: dlopen_ctor LIBRARY
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2 || !dlopen(argv[1], RTLD_NOW)) {
        fprintf(stderr, "dlopen_ctor: %s\n", argc < 2 ? "usage: dlopen_ctor LIBRARY" : dlerror());
        return 1;
    }
    return 0;
}
