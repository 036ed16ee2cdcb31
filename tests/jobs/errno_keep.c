/*
 * errno_keep — errno set to a marker before each call the tool interposes or provides, printed after
 * it: the output must be the same with and without the preload.
 * usage: errno_keep
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <leakstamp.h>

#define AFTER(what, call)                          \
    do {                                           \
        errno = ENOTTY;                            \
        call;                                      \
        printf("%-16s errno %d\n", what, errno);   \
    } while (0)

int main(void)
{
    void *p = NULL, *q = NULL, *r = NULL;
    AFTER("first malloc", p = malloc(40));
    AFTER("stamp", leakstamp_stamp("one"));
    AFTER("calloc", q = calloc(3, 24));
    AFTER("realloc", p = realloc(p, 4000));
    AFTER("posix_memalign", (void)posix_memalign(&r, 64, 200));
    AFTER("free", free(q));
    AFTER("stamp again", leakstamp_stamp("two"));
    void *h = NULL;
    AFTER("dlopen", h = dlopen("libm.so.6", RTLD_NOW));
    AFTER("dlclose", dlclose(h));
    AFTER("free all", (free(p), free(r)));
    AFTER("stamp last", leakstamp_stamp("three"));
    errno = 0;
    leakstamp_stamp("zero");
    printf("stamp from 0     errno %d\n", errno);
    return 0;
}
