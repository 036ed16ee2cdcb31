/*
 * procstat.c — the process-wide numbers a stamp carries: wall time in µs since the epoch, and VM and
 * RSS from /proc/self/statm (one small read; stamps are not on the allocation path).
 */
#include "report/report.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

uint64_t ls_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void ls_proc_stat(uint64_t *vm, uint64_t *rss)
{
    char text[128];
    *vm = *rss = 0;
    int f = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (f < 0)
        return;
    ssize_t n = read(f, text, sizeof text - 1);
    close(f);
    if (n <= 0)
        return;
    text[n] = 0;
    uint64_t pages[2] = {0, 0};
    const char *s = text;
    for (int i = 0; i < 2; i++) {
        while (*s == ' ')
            s++;
        while (*s >= '0' && *s <= '9')
            pages[i] = pages[i] * 10 + (uint64_t)(*s++ - '0');
    }
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    *vm = pages[0] * page;
    *rss = pages[1] * page;
}
