/*
 * junit.c — the gate's JUnit XML report (--junit FILE), in the subset that Jenkins (junit plugin),
 * GitLab (artifacts:reports:junit) and most CI servers read:
 *
 *   <testsuites name="leakstamp gate" tests=N failures=F errors=E>
 *     <testsuite name="leakstamp gate: COMMAND" tests=N failures=F errors=E skipped="0">
 *       <testcase classname="leakstamp.gate" name="leak: FUNCTION at FILE:LINE" file=.. line=..>
 *         <failure type="leak" message="SUMMARY">STACK</failure>
 *       </testcase>                                  one per failing site
 *       <testcase classname="leakstamp.gate" name="job"><error type="job-failed" message=".."/>
 *                                                    when the job failed
 *       <testcase classname="leakstamp.gate" name="no leaks"/>   when nothing failed
 *
 * Report text comes from symbol tables and paths, i.e. arbitrary bytes: junit_escape makes any of it
 * well-formed XML 1.0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gate/junit.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
             : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
        return 0;  /* overlong, or a surrogate */
    if (n == 3 && s[0] == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))
        return 0;  /* U+FFFE, U+FFFF: not XML characters */
    if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
        return 0;
    return n;
}

static void escape(FILE *out, const char *str, int text)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        switch (*s) {
        case '&': fputs("&amp;", out); s++; continue;
        case '<': fputs("&lt;", out); s++; continue;
        case '>': fputs("&gt;", out); s++; continue;
        case '"': fputs("&quot;", out); s++; continue;
        case '\'': fputs("&apos;", out); s++; continue;
        case '\t': fputs("&#9;", out); s++; continue;
        case '\n': fputs(text ? "\n" : "&#10;", out); s++; continue;
        case '\r': fputs("&#13;", out); s++; continue;
        default: break;
        }
        size_t n = *s < 0x20 ? 0 : utf8_len(s);
        if (!n) {
            fputs("\xef\xbf\xbd", out);  /* U+FFFD */
            s++;
            continue;
        }
        fwrite(s, 1, n, out);
        s += n;
    }
}

void junit_escape(FILE *out, const char *s)
{
    escape(out, s, 0);
}

void junit_escape_text(FILE *out, const char *s)
{
    escape(out, s, 1);
}

static void attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    junit_escape(out, value);
    fputc('"', out);
}

int junit_write(const char *path, const gate_result *r, ls_error *err)
{
    FILE *out = fopen(path, "w");
    if (!out) {
        ls_error_set(err, path, 0, "--junit: cannot write: %s", strerror(errno));
        return -1;
    }
    int job_failed = r->job_status > 0;
    size_t tests = r->nitems + (size_t)job_failed + (r->nitems || job_failed ? 0 : 1);
    char title[600];
    snprintf(title, sizeof title, "leakstamp gate: %s", r->command[0] ? r->command : "job");
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites name=\"leakstamp gate\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\">\n", tests,
            r->nitems, job_failed);
    fputs("  <testsuite", out);
    attr(out, "name", title);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%d\" skipped=\"0\">\n", tests, r->nitems, job_failed);
    for (size_t i = 0; i < r->nitems; i++) {
        const gate_item *it = &r->items[i];
        char name[1200], summary[512];
        if (it->file && it->line)
            snprintf(name, sizeof name, "leak: %s at %s:%d", it->function, it->file, it->line);
        else
            snprintf(name, sizeof name, "leak: %s", it->function);
        gate_item_summary(it, summary, sizeof summary);
        fputs("    <testcase classname=\"leakstamp.gate\"", out);
        attr(out, "name", name);
        if (it->file) {
            attr(out, "file", it->file);
            fprintf(out, " line=\"%d\"", it->line);
        }
        fputs(">\n      <failure", out);
        attr(out, "type", it->kind == GATE_KIND_GROWTH ? "leak" : "live-at-exit");
        attr(out, "message", summary);
        fputs(">", out);
        char *stack = gate_stack_text(it);
        junit_escape_text(out, summary);
        fputc('\n', out);
        junit_escape_text(out, stack);
        free(stack);
        fputs("</failure>\n    </testcase>\n", out);
    }
    if (job_failed) {
        char job[96], msg[128];
        gate_job_status_text(r->job_status, job, sizeof job);
        snprintf(msg, sizeof msg, "the job %s", job);
        fputs("    <testcase classname=\"leakstamp.gate\" name=\"job\">\n      <error type=\"job-failed\"", out);
        attr(out, "message", msg);
        fputs("/>\n    </testcase>\n", out);
    } else if (!r->nitems)
        fputs("    <testcase classname=\"leakstamp.gate\" name=\"no leaks\"/>\n", out);
    fputs("  </testsuite>\n</testsuites>\n", out);
    if (fclose(out) != 0) {
        ls_error_set(err, path, 0, "--junit: write error: %s", strerror(errno));
        return -1;
    }
    return 0;
}
