/*
 * maps.c — /proc/self/maps, read into the tool's own memory and parsed line by line in place. The module
 * table (modules.c) and the heap scan's roots (scan/roots.c) read the process's mappings this way:
 * reading a file takes no lock of the loader or of libc, so it is safe under the stamp lock and in a
 * snapshot child.
 */
#include "report/report.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

char *ls_maps_read(size_t *len, size_t *cap)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t c = 256 * 1024, n = 0;
    char *buf = ls_map(c);
    while (buf) {
        ssize_t r = read(fd, buf + n, c - n - 1);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n + 1 == c) {
            char *bigger = ls_map(c * 2);
            if (bigger)
                memcpy(bigger, buf, n);
            ls_unmap(buf, c);
            buf = bigger;
            c *= 2;
        }
    }
    close(fd);
    if (buf)
        buf[n] = 0;
    *len = n;
    *cap = c;
    return buf;
}

static uintptr_t hexnum(const char **s)
{
    uintptr_t v = 0;
    for (;; (*s)++) {
        char c = **s;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return v;
        v = v * 16 + (uintptr_t)d;
    }
}

static void skip_field(const char **s)
{
    while (**s && **s != ' ' && **s != '\n')
        (*s)++;
    while (**s == ' ')
        (*s)++;
}

int ls_maps_next(char **cursor, struct ls_mapping *m)
{
    char *line = *cursor;
    if (!*line)
        return 0;
    char *nl = strchr(line, '\n');
    *cursor = nl ? nl + 1 : line + strlen(line);
    if (nl)
        *nl = 0;
    const char *s = line;
    m->lo = hexnum(&s);
    s++;
    m->hi = hexnum(&s);
    while (*s == ' ')
        s++;
    m->readable = s[0] == 'r', m->writable = s[1] == 'w';
    skip_field(&s);                      /* perms */
    m->offset = hexnum(&s);
    while (*s == ' ')
        s++;
    skip_field(&s);                      /* dev */
    m->inode = 0;
    while (*s >= '0' && *s <= '9')
        m->inode = m->inode * 10 + (unsigned)(*s++ - '0');
    while (*s == ' ')
        s++;
    m->path = s;
    char *del = strstr(line, " (deleted)");
    if (del && del[10] == 0)
        *del = 0;
    return 1;
}
