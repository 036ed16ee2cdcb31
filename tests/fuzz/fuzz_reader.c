/*
 * fuzz_reader.c — libFuzzer harness for the analyzer: any byte string is read as a report
 * (report_read_mem) and, when accepted, analysed and rendered in all three formats, so the
 * statistics and renderers see whatever shapes the reader lets through. Run with `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/analysis.h"
#include "base/diag.h"
#include "render/render.h"
#include "read/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        ls_warn_quiet(1);
    }
    ls_error err = { 0 };
    ls_report *r = report_read_mem("fuzz.lsr", (const char *)data, size, &err);
    if (!r) {
        if (!err.set || !strstr(err.msg, "fuzz.lsr"))
            __builtin_trap(); /* every rejection must say why, naming the file */
        return 0;
    }
    ls_options o = { .all = 1, .timeline = 1, .per_process = 1 };
    ls_analysis *a = analysis_new();
    a->detail = 1;
    ls_event_census c = { 0 };
    ls_stamp_scan s;
    events_scan_of_report(r, &s);
    events_census_add(&c, &a->pool, &s, r->path);
    stamp_scan_free(&s);
    if (events_pick(a, &o, &c, &err) == 0) {
        analysis_add_report(a, r, &o);
        if (analysis_finish(a, &o, &err) == 0) {
            render_text(devnull, a, &o);
            render_json(devnull, a, &o);
            render_tsv(devnull, a, &o);
        }
    } else
        report_free(r);
    events_census_free(&c);
    analysis_free(a);
    return 0;
}
