/* sym_recursive — named-stamp test job: run_event (the event) calls walk(3), which recurses, so walk
 * is entered 4 times per event, recursively. Each event leaks 4 blocks of 256 bytes (one per walk
 * level) = 1024 bytes. Usage: sym_recursive EVENTS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *chain;

__attribute__((noinline)) static int walk(int depth)
{
    void **b = malloc(256);
    memset(b, 3, 256);
    *b = chain;
    chain = b;
    return depth ? 1 + walk(depth - 1) : 1;
}

__attribute__((noinline)) int run_event(int i)
{
    return walk(3) + i;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10;
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += run_event(i);
    printf("sym_recursive %d %ld\n", n, sum);
    return 0;
}
