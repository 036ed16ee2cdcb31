/*
 * stamp_scan.c — see stamp_scan.h. Lines are found with memchr and only `event` and `stamp` lines are
 * split, so the scan costs a fraction of the full read.
 */
#include "read/stamp_scan.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "read/report_fields.h"

static void count_name(ls_stamp_scan *s, ls_field f)
{
    for (size_t i = s->nnames; i-- > 0;)
        if (strlen(s->names[i].name) == f.n && !memcmp(s->names[i].name, f.p, f.n)) {
            s->names[i].count++;
            return;
        }
    ls_stamp_name n = { field_text(f), 1 };
    VEC_PUSH(s->names, s->nnames, s->cap, n);
}

static void scan_line(ls_stamp_scan *s, const char *line, size_t len, ls_field **f, size_t *cap)
{
    if (len > 6 && !memcmp(line, "stamp\t", 6)) {
        if (fields_split(line, len, f, cap) >= 3)
            count_name(s, (*f)[2]);
    } else if (len > 6 && !memcmp(line, "event\t", 6) && !s->hint) {
        if (fields_split(line, len, f, cap) >= 2)
            s->hint = field_text((*f)[1]);
    }
}

int stamp_scan_file(const char *path, ls_stamp_scan *out)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    size_t cap = 1 << 16, have = 0, fcap = 0;
    char *buf = xmalloc(cap);
    ls_field *f = NULL;
    ssize_t got;
    while ((got = read(fd, buf + have, cap - have)) > 0) {
        have += (size_t)got;
        size_t start = 0;
        char *nl;
        while ((nl = memchr(buf + start, '\n', have - start))) {
            scan_line(out, buf + start, (size_t)(nl - (buf + start)), &f, &fcap);
            start = (size_t)(nl - buf) + 1;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
        if (have == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    close(fd);
    free(buf);
    free(f);
    return got < 0 ? -1 : 0;
}

void stamp_scan_free(ls_stamp_scan *s)
{
    for (size_t i = 0; i < s->nnames; i++)
        free(s->names[i].name);
    free(s->names);
    free(s->hint);
    memset(s, 0, sizeof *s);
}
