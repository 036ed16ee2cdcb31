/*
 * escape.c — the escaping of free-text fields in report files (docs/report-format.md): backslash,
 * TAB, newline and carriage return become two-character sequences, so a field never contains the
 * report's separators. The reader in analyze/ undoes exactly this.
 */
#include "report/report.h"

/* Writes at most 2*strlen(src) bytes (no terminator); returns the count written, stopping at cap. */
size_t ls_escape(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; *src; src++) {
        char c = *src, e = 0;
        if (c == '\\')
            e = '\\';
        else if (c == '\t')
            e = 't';
        else if (c == '\n')
            e = 'n';
        else if (c == '\r')
            e = 'r';
        if (n + (e ? 2 : 1) > cap)
            break;
        if (e) {
            dst[n++] = '\\';
            dst[n++] = e;
        } else {
            dst[n++] = c;
        }
    }
    return n;
}
