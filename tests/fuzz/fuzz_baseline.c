/*
 * fuzz_baseline.c — libFuzzer harness for the gate's --baseline: any byte string is read as a baseline
 * JSON report through baseline_load_json (what baseline_load does with a file that is not a report),
 * and, when accepted, a small fixed set of current sites is compared with it the way the gate does
 * (baseline_find by function/file/line, then baseline_accepts for growth and for exit bytes). A
 * rejection must be one message naming the file. Run with `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gate/baseline.h"
#include "base/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a small analysis of tests/jobs/demo_leaky shows, plus sites without a file or line. */
static const struct {
    const char *function, *file;
    int line;
    double bytes_per_event, exit_bytes;
} current[] = {
    { "leak_session", "/src/tests/jobs/demo_leaky.c", 41, 4096, 40960 },
    { "leak_session", "demo_leaky.c", 60, 96, 960 },
    { "cache_put", "/elsewhere/demo_leaky.c", 25, 64, 0 },
    { "main", "demo_leaky.c", 0, 0, 128 },
    { "malloc", NULL, 0, 32, 32 },
    { "", "", 1000000000, 1e300, -1 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    baseline b = { 0 };
    ls_error err = { 0 };
    if (baseline_load_json(&b, "fuzz.json", (const char *)data, size, &err) < 0) {
        /* every rejection: one line, naming the file */
        if (!err.set || strncmp(err.msg, "fuzz.json:", 10) || strchr(err.msg, '\n'))
            __builtin_trap();
        baseline_free(&b);
        return 0;
    }
    if (err.set)
        __builtin_trap();
    for (size_t i = 0; i < sizeof current / sizeof *current; i++) {
        const baseline_site *s = baseline_find(&b, current[i].function, current[i].file, current[i].line);
        if (s && (s < b.sites || s >= b.sites + b.n))
            __builtin_trap();
        double growth = !s ? 0 : s->leak ? s->bytes_per_event : 0;
        double exit_bytes = s ? s->live_bytes_exit : 0;
        int g = baseline_accepts(growth, current[i].bytes_per_event, 0, 0.10);
        int e = baseline_accepts(exit_bytes, current[i].exit_bytes, 1024, 0.10);
        if ((!s && (g || e)) || (g && !(growth > 0)) || (e && !(exit_bytes > 0)))
            __builtin_trap(); /* a site not in the baseline, or with nothing before, is never accepted */
    }
    baseline_free(&b);
    return 0;
}
