/*
 * ctor_threads.c — the main of libctorthreads.so (tests/jobs/lib/ctorthreads_lib.c): its threads
 * already allocate when the tool starts; main lets them keep their blocks and waits for all 8.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

extern atomic_int ctor_go, ctor_done;

int main(void)
{
    usleep(1000);
    atomic_store(&ctor_go, 1);
    while (atomic_load(&ctor_done) < 8)
        usleep(100);
    printf("ctor_threads: done\n");
    return 0;
}
