/*
 * size_arg.c — SIZE values with binary units (see size_arg.h).
 */
#include "size_arg.h"

#include <stddef.h>
#include <strings.h>

#define SIZE_ARG_MAX (1ULL << 53)

int size_arg_parse(const char *s, uint64_t *out)
{
    static const struct { const char *name; uint64_t mult; } units[] = {
        { "", 1 },          { "b", 1 },
        { "k", 1ULL << 10 }, { "kb", 1ULL << 10 }, { "kib", 1ULL << 10 },
        { "m", 1ULL << 20 }, { "mb", 1ULL << 20 }, { "mib", 1ULL << 20 },
        { "g", 1ULL << 30 }, { "gb", 1ULL << 30 }, { "gib", 1ULL << 30 },
    };
    if (!s || *s < '0' || *s > '9')
        return -1;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > SIZE_ARG_MAX)
            return -1;
    }
    if (*s == ' ' && s[1])
        s++;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (!strcasecmp(s, units[i].name)) {
            if (v > SIZE_ARG_MAX / units[i].mult)
                return -1;
            *out = v * units[i].mult;
            return 0;
        }
    return -1;
}
