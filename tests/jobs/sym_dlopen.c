/* sym_dlopen — named-stamp test job: a C host (no libstdc++ at start) that dlopens libsymplugin.so
 * from its own directory and calls its event function EVENTS times. Usage: sym_dlopen EVENTS */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", argv[0]);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "libsymplugin.so");
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        fprintf(stderr, "sym_dlopen: %s\n", dlerror());
        return 1;
    }
    long (*event)(int) = (long (*)(int))dlsym(h, "symplugin_event");
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += event(i);
    printf("sym_dlopen %d %ld\n", n, sum);
    return 0;
}
