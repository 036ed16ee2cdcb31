/* sym_static — named-stamp test job: the event function is static in a PIE executable, known only
 * from .symtab. Each event leaks 3000 bytes. Also used for a name that matches nothing and for the
 * calibration leak. Usage: sym_static EVENTS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *chain;

__attribute__((noinline)) static long process_event(int i)
{
    void **b = malloc(3000);
    memset(b, 2, 3000);
    *b = chain;
    chain = b;
    return i * 2;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10;
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += process_event(i);
    printf("sym_static %d %ld\n", n, sum);
    return 0;
}
