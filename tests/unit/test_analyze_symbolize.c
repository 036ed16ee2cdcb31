/*
 * test_analyze_symbolize.c — the libdw symbolizer on the test binary itself: a return address resolves
 * to its function and source line, an always_inline callee shows up as an inlined frame with the
 * caller's line, a wrong build-id still symbolizes (with a warning), a missing file leaves the frame
 * unresolved, C++ names are demangled, and frame roles pick the user's frame as the display frame.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "base/diag.h"
#include "model/frames.h"
#include "read/report.h"
#include "model/symbolize.h"
#include "test_analyze_synth.h"

__attribute__((noinline)) static uintptr_t return_address(void)
{
    return (uintptr_t)__builtin_extract_return_addr(__builtin_return_address(0));
}

static inline __attribute__((always_inline)) uintptr_t inlined_helper(void)
{
    return return_address(); /* INLINE_CALL_LINE */
}

__attribute__((noinline)) uintptr_t plain_caller(void)
{
    uintptr_t ra = return_address(); /* PLAIN_CALL_LINE */
    return ra + 0 * (uintptr_t)&ra;
}

__attribute__((noinline)) uintptr_t outer_of_inline(void)
{
    uintptr_t ra = inlined_helper(); /* OUTER_CALL_LINE */
    return ra + 0 * (uintptr_t)&ra;
}

static int line_of(const char *marker)
{
    FILE *f = fopen(__FILE__, "r");
    cr_assert_not_null(f, "source %s not found", __FILE__);
    char buf[512];
    for (int n = 1; fgets(buf, sizeof buf, f); n++)
        if (strstr(buf, marker) && !strstr(buf, "line_of")) {
            fclose(f);
            return n;
        }
    fclose(f);
    return -1;
}

/* A one-module report whose module is this test binary, with `build_id`. */
static ls_report *self_report(const char *build_id, const char *path)
{
    ls_report *r = calloc(1, sizeof *r);
    r->modules = calloc(1, sizeof *r->modules);
    r->modules[0].mid = 1;
    r->modules[0].path = strdup(path ? path : sy_self());
    r->modules[0].build_id = build_id ? strdup(build_id) : NULL;
    r->nmodules = 1;
    r->path = strdup("self");
    return r;
}

static uint64_t file_offset(uintptr_t runtime)
{
    uintptr_t bias = 0;
    dl_iterate_phdr(sy_bias_cb, &bias);
    return runtime - bias;
}

static size_t symbolize(ls_report *r, uint64_t addr, ls_symframe **out, strpool *pool)
{
    ls_symbolizer *s = symbolizer_new(pool);
    ls_frame f = { 1, addr };
    size_t n = 0, cap = 0;
    *out = NULL;
    symbolize_frame(s, r, &f, out, &n, &cap);
    symbolizer_free(s);
    return n;
}

Test(symbolize, return_address_resolves_to_function_and_line)
{
    ls_report *r = self_report(NULL, NULL);
    strpool pool = { 0 };
    ls_symframe *f;
    size_t n = symbolize(r, file_offset(plain_caller()), &f, &pool);
    cr_assert_geq(n, 1);
    cr_assert_str_eq(f[n - 1].function, "plain_caller");
    cr_assert(strstr(f[n - 1].file, "test_analyze_symbolize.c"), "%s", f[n - 1].file);
    cr_assert_eq(f[n - 1].line, line_of("PLAIN_CALL_LINE"));
    cr_assert_str_eq(f[n - 1].module, sy_self());
    free(f);
    strpool_free(&pool);
    report_free(r);
}

Test(symbolize, inlined_frames_are_expanded)
{
    ls_report *r = self_report(NULL, NULL);
    strpool pool = { 0 };
    ls_symframe *f;
    size_t n = symbolize(r, file_offset(outer_of_inline()), &f, &pool);
    cr_assert_eq(n, 2, "expected the inlined helper and its caller, got %zu frames", n);
    cr_assert_str_eq(f[0].function, "inlined_helper");
    cr_assert(f[0].inlined);
    cr_assert_eq(f[0].line, line_of("INLINE_CALL_LINE"));
    cr_assert_str_eq(f[1].function, "outer_of_inline");
    cr_assert_eq(f[1].line, line_of("OUTER_CALL_LINE"));
    cr_assert_not(f[1].inlined);
    free(f);
    strpool_free(&pool);
    report_free(r);
}

Test(symbolize, build_id_mismatch_warns_and_still_symbolizes)
{
    ls_warn_quiet(1);
    ls_report *r = self_report("00112233", NULL);
    strpool pool = { 0 };
    ls_symframe *f;
    size_t n = symbolize(r, file_offset(plain_caller()), &f, &pool);
    cr_assert_str_eq(f[n - 1].function, "plain_caller");
    free(f);
    strpool_free(&pool);
    report_free(r);
}

Test(symbolize, missing_file_leaves_the_frame_unresolved)
{
    ls_warn_quiet(1);
    ls_report *r = self_report(NULL, "/nonexistent/libgone.so");
    strpool pool = { 0 };
    ls_symframe *f;
    size_t n = symbolize(r, 0x1234, &f, &pool);
    cr_assert_eq(n, 1);
    cr_assert_null(f[0].function);
    cr_assert_str_eq(frames_function_label(&pool, &f[0]), "libgone.so+0x1234");
    free(f);
    strpool_free(&pool);
    report_free(r);
}

Test(symbolize, cxx_names_are_demangled)
{
    strpool pool = { 0 };
    cr_assert_str_eq(symbolize_demangle(&pool, "_ZN3foo3barEv"), "foo::bar()");
    cr_assert_str_eq(symbolize_demangle(&pool, "_Znwm"), "operator new(unsigned long)");
    cr_assert_str_eq(symbolize_demangle(&pool, "plain_c"), "plain_c");
    cr_assert_str_eq(symbolize_demangle(&pool, "_Zgarbage"), "_Zgarbage");
    strpool_free(&pool);
}

Test(frames, display_frame_skips_allocator_runtime_and_regex)
{
    ls_symframe f[] = {
        { .function = "malloc", .module = "/lib/x86_64-linux-gnu/libc.so.6" },
        { .function = "operator new(unsigned long)", .module = "/usr/lib/libstdc++.so.6" },
        { .function = "hook", .module = "/opt/leakstamp/lib/libleakstamp.so" },
        { .function = "strdup", .module = "/lib/x86_64-linux-gnu/libc.so.6" },
        { .function = "Pool::grow()", .module = "/app/job" },
        { .function = "user_code", .module = "/app/job" },
    };
    regex_t re;
    cr_assert_eq(regcomp(&re, "^Pool::", REG_EXTENDED | REG_NOSUB), 0);
    frames_classify(f, 6, NULL, 0);
    cr_assert_eq(f[0].role, ROLE_ALLOCATOR);
    cr_assert_eq(f[1].role, ROLE_ALLOCATOR);
    cr_assert_eq(f[2].role, ROLE_ALLOCATOR);
    cr_assert_eq(f[3].role, ROLE_RUNTIME);
    cr_assert_eq(frames_display(f, 6), 4);
    frames_classify(f, 6, &re, 1);
    cr_assert_eq(frames_display(f, 6), 5);
    /* nothing but allocator and libc: the libc frame is better than the allocator */
    cr_assert_eq(frames_display(f, 4), 3);
    strpool pool = { 0 };
    cr_assert_neq(frames_key(&pool, f, 6, 4), frames_key(&pool, f, 6, 5));
    cr_assert_eq(frames_key(&pool, f, 6, 5), frames_key(&pool, f + 5, 1, 0));
    strpool_free(&pool);
    regfree(&re);
}
