/*
 * job_array.c — one task of a job array (or one MPI rank) for the scale tests (test_scale.sh): it
 * takes its rank from the batch variables as the preload does (SLURM_ARRAY_TASK_ID here) and leaks
 * known amounts per event, so the merged view's spread over processes can be checked exactly.
 * usage: job_array EVENTS [DIE_AT]
 *   every rank   base_leak() leaks 2048 bytes per event (summed over 200 ranks more than rank_leak)
 *   every 50th   rank_leak() leaks 65536 + 16 * rank bytes per event (ranks 0, 50, 100, 150, ...)
 *   DIE_AT       SIGKILL itself in event DIE_AT (no exit record: killed mid-run)
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <leakstamp.h>

static void *keep[4096];
static int nkeep;

__attribute__((noinline)) static void base_leak(void)
{
    keep[nkeep++ % 4096] = memset(malloc(2048), 1, 2048);
}

__attribute__((noinline)) static void rank_leak(long rank)
{
    size_t n = 65536 + 16 * (size_t)rank;
    keep[nkeep++ % 4096] = memset(malloc(n), 2, n);
}

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 20, die_at = argc > 2 ? atoi(argv[2]) : 0;
    const char *task = getenv("SLURM_ARRAY_TASK_ID");
    long rank = task ? atol(task) : 0;
    for (int e = 1; e <= events; e++) {
        leakstamp_stamp("event");
        void *tmp = malloc(512);   /* churn: freed within the event */
        memset(tmp, 0, 512);
        free(tmp);
        base_leak();
        if (rank % 50 == 0)
            rank_leak(rank);
        if (e == die_at)
            raise(SIGKILL);
    }
    return 0;
}
