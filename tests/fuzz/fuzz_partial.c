/*
 * fuzz_partial.c — libFuzzer harness for the partial reader (analyze/model/partial.c): any byte string
 * is read as a partial and, when accepted, merged, rendered as text and JSON and written back as a
 * partial, so the merge sees whatever shapes the reader lets through. Seeds: tests/fuzz/corpus_partial.
 * Run with `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "model/analysis.h"
#include "model/partial.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        ls_warn_quiet(1);
    }
    ls_error err = { 0 };
    ls_options o = { .all = 1, .per_process = -1 };
    ls_analysis *a = analysis_new();
    if (partial_read_mem(a, "fuzz.lsp", (const char *)data, size, &o, &err) < 0) {
        if (!err.set || !strstr(err.msg, "fuzz.lsp"))
            __builtin_trap(); /* every rejection must say why, naming the file */
    } else if (analysis_finish(a, &o, &err) == 0) {
        render_text(devnull, a, &o);
        render_json(devnull, a, &o);
        partial_write(devnull, a);
    }
    analysis_free(a);
    return 0;
}
