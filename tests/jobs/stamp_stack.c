/*
 * stamp_stack — how much stack the tool's stamp paths use on a thread: a thread on a stack of our own
 * (painted with a pattern) records a stamp right after a dlopen made the module table stale and a new
 * stack from the new library waits to be defined; then it enters the named function tick() (a stamp
 * from the SIGTRAP handler), after another dlopen. The bytes below the thread's frame that changed are
 * printed for each: the test compares them with the bound in docs/preload.md.
 * usage: stamp_stack
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <leakstamp.h>

#define STACK (256 * 1024)
static char *stack_lo;
static char dir[PATH_MAX];

__attribute__((noinline)) int tick(int i) { return i + 1; }

/* Paint from the bottom of the stack up to a little below this frame; then count what was touched. */
__attribute__((noinline)) static char *paint(void)
{
    char here;
    char *top = &here - 512;
    memset(stack_lo, 0xa5, (size_t)(top - stack_lo));
    return top;
}

static size_t used_below(const char *top)
{
    const char *p = stack_lo;
    while (p < top && (unsigned char)*p == 0xa5)
        p++;
    return (size_t)(top - p);
}

static void load(const char *name, const char *fn)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    void *h = dlopen(path, RTLD_NOW);
    long (*f)(int) = h ? (long (*)(int))dlsym(h, fn) : NULL;
    if (f)
        f(1);   /* allocates from a stack in the new library */
}

static void *measure(void *arg)
{
    (void)arg;
    free(malloc(10));                  /* this thread's first allocation, not measured */
    leakstamp_stamp("warm");
    load("libsymplugin.so", "symplugin_event");
    char *top = paint();
    leakstamp_stamp("after dlopen");
    printf("stamp: %zu\n", used_below(top));
    load("libdeep.so", "deep_keep");
    top = paint();
    tick(1);
    printf("named stamp: %zu\n", used_below(top));
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argc;
    snprintf(dir, sizeof dir, "%s", argv[0]);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    stack_lo = mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstack(&at, stack_lo, STACK);
    pthread_t t;
    pthread_create(&t, &at, measure, NULL);
    pthread_join(t, NULL);
    return 0;
}
