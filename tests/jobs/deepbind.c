/*
 * deepbind — opens libdeep.so twice with RTLD_DEEPBIND and lets it free 100 blocks the executable
 * allocated in keep100(). Bound deep, the library's free would go to the real allocator unseen and the
 * blocks would stay live in the report.
 * usage: deepbind
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *blocks[100];

__attribute__((noinline)) static void keep100(void)
{
    for (int i = 0; i < 100; i++)
        blocks[i] = malloc(48);
}

int main(int argc, char **argv)
{
    (void)argc;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", argv[0]);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "libdeep.so");
    void *h = dlopen(path, RTLD_NOW | RTLD_DEEPBIND);
    void *again = dlopen(path, RTLD_LAZY | RTLD_DEEPBIND);
    void (*release)(void *) = h ? (void (*)(void *))dlsym(h, "deep_release") : NULL;
    if (!release || !again)
        return 2;
    keep100();
    for (int i = 0; i < 100; i++)
        release(blocks[i]);
    printf("deepbind: released 100 blocks\n");
    return 0;
}
