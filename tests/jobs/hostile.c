/*
 * hostile.c — a job that does what daemons do to descriptors and directories: it closes every
 * descriptor above 2, opens files that land on the freed numbers, dup2s over a few more, and chdirs to
 * /, between stamps. Leaks 64 B per event from leak64. The report must stay whole and in the directory
 * chosen at start-up.
 * usage: hostile EVENTS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <leakstamp.h>

__attribute__((noinline)) static void leak64(void) { if (!malloc(64)) abort(); }

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 6;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        leak64();
        if (e == 1)
            for (int fd = 3; fd < 4096; fd++)
                close(fd);
        if (e == 2)
            for (int i = 0; i < 20; i++)
                if (open("/dev/null", O_RDONLY) < 0)
                    return 3;
        if (e == 3)
            for (int fd = 3; fd < 1100; fd += 7)
                dup2(0, fd);
        if (e == 4 && chdir("/") != 0)
            return 4;
    }
    leakstamp_stamp("event");
    printf("hostile: done\n");
    return 7;   /* a distinctive status the test expects to see unchanged */
}
