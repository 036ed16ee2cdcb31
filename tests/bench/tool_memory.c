/*
 * tool_memory.c — the job behind the memory part of `make bench`: it keeps N blocks of 32 bytes
 * live from one call site ("live N"), or one block from each of N distinct 20-frame stacks
 * ("stacks N"), stamps once, and prints its own VmRSS in kB. Run alone and under the preload, the
 * difference is the tool's own memory for that many live blocks or stacks.
 * usage: tool_memory live|stacks N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <leakstamp.h>

static void *keep[1 << 21];

/* Each level's branch leaves a different return address: N values of `bits` give N stacks. */
__attribute__((noinline)) static void *path(int depth, unsigned bits)
{
    if (depth == 0)
        return malloc(32);
    void *p;
    if (bits & 1) {
        p = path(depth - 1, bits >> 1);
        __asm__ volatile("nop");
    } else {
        p = path(depth - 1, bits >> 1);
        __asm__ volatile("nop; nop");
    }
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "live") && strcmp(argv[1], "stacks")))
        return 2;
    int n = atoi(argv[2]);
    if (n < 0 || n > (1 << 21))
        return 2;
    for (int i = 0; i < n; i++)
        keep[i] = argv[1][0] == 'l' ? malloc(32) : path(17, (unsigned)i);
    leakstamp_stamp("measure");
    long used = 0;
    for (int i = 0; i < n; i++)
        used += keep[i] != NULL;
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            printf("%ld %ld\n", used, strtol(line + 6, NULL, 10));
    return 0;
}
