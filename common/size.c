/*
 * common/size.c — parses a SIZE value (grammar in size.h). Shared by preload/ and analyze/.
 */
#include "size.h"

#include <stddef.h>
#include <strings.h>

int ls_size_parse(const char *s, uint64_t *out)
{
    static const struct { const char *name; uint64_t mult; } units[] = {
        {"", 1},          {"b", 1},
        {"k", 1ULL << 10}, {"kib", 1ULL << 10}, {"kb", 1000},
        {"m", 1ULL << 20}, {"mib", 1ULL << 20}, {"mb", 1000000},
        {"g", 1ULL << 30}, {"gib", 1ULL << 30}, {"gb", 1000000000},
    };
    if (!s || *s < '0' || *s > '9')
        return -1;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > LS_SIZE_MAX)
            return -1;
    }
    if (*s == ' ' && s[1])
        s++;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (!strcasecmp(s, units[i].name)) {
            if (v > LS_SIZE_MAX / units[i].mult)
                return -1;
            *out = v * units[i].mult;
            return 0;
        }
    return -1;
}
