/*
 * test_gate.c — the CI gate's pure parts: SIZE parsing, suppression files (syntax errors with file
 * and line) and matching over symbolized frames, the JSON reader on good and hostile input, baseline
 * loading, matching and comparison, JUnit escaping of arbitrary bytes, and the gate's option errors.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate/baseline.h"
#include "model/frames.h"
#include "gate/gate.h"
#include "gate/json_reader.h"
#include "gate/junit.h"
#include "size.h"
#include "model/suppressions.h"

/* ---- SIZE --------------------------------------------------------------------------------- */

Test(gate_size, units)
{
    uint64_t v;
    struct { const char *s; uint64_t v; } ok[] = {
        { "0", 0 }, { "512", 512 }, { "4KiB", 4096 }, { "4k", 4096 }, { "4kib", 4096 }, { "4KB", 4000 },
        { "1MiB", 1 << 20 }, { "2 GiB", 2ULL << 30 }, { "7B", 7 }, { "3mb", 3000000 }, { "1GB", 1000000000 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        cr_assert_eq(ls_size_parse(ok[i].s, &v), 0, "%s", ok[i].s);
        cr_assert_eq(v, ok[i].v, "%s", ok[i].s);
    }
}

Test(gate_size, rejects)
{
    uint64_t v;
    const char *bad[] = { "", "-1", "+4", "4x", "4 ", " 4", "1.5MiB", "KiB", "4KiBB", "4 KiB ",
                          "99999999999999999999", "9007199254740993", "9000000GiB", NULL };
    for (size_t i = 0; bad[i]; i++)
        cr_assert_eq(ls_size_parse(bad[i], &v), -1, "%s", bad[i]);
    cr_assert_eq(ls_size_parse(NULL, &v), -1);
}

/* ---- suppressions ------------------------------------------------------------------------- */

static ls_symframe frame(const char *fn, const char *file, const char *module, int role)
{
    ls_symframe f = { .function = fn, .file = file, .line = 10, .module = module, .role = role };
    return f;
}

Test(gate_supp, parse_and_match)
{
    const char text[] =
        "# third-party\n"
        "[libfoo]\n"
        "obj: libfoo.so*\n"
        "\n"
        "  [writer]   # inline comment after the header\n"
        "fun: sim::write_ntuple_row(bool, double)\n"
        "src:demo_*.cpp\n"
        "[by path]\n"
        "src:*/third_party/*\n"
        "[site only]\n"
        "site:main\n";
    supp_list l = { 0 };
    ls_error err = { 0 };
    cr_assert_eq(supp_parse(&l, "t.supp", text, sizeof text - 1, 0, &err), 0, "%s", err.msg);
    cr_assert_eq(l.n, 4);
    cr_assert_str_eq(l.items[1].name, "writer");
    cr_assert_eq(l.items[1].line, 5);
    cr_assert_str_eq(l.items[1].conds[0].pattern, "sim::write_ntuple_row(bool, double)");

    ls_symframe a[] = { frame("malloc", NULL, "/x/libleakstamp.so", ROLE_ALLOCATOR),
                        frame("sim::write_ntuple_row(bool, double)", "tests/jobs/demo_leaky.cpp", "/b/demo", 0),
                        frame("main", "tests/jobs/demo_leaky.cpp", "/b/demo", 0) };
    cr_assert_eq(supp_match(&l, a, 3, 1), &l.items[1]);
    /* both lines must hold: same function in another file is not silenced */
    a[1].file = "other.cpp";
    a[2].file = "other.cpp";
    cr_assert_null(supp_match(&l, a, 3, 1));
    /* module basename, and full paths for patterns with '/' */
    ls_symframe b[] = { frame("foo_init", "foo.c", "/usr/lib/libfoo.so.1", 0), frame("main", "m.c", "/b/job", 0) };
    cr_assert_eq(supp_match(&l, b, 2, 0), &l.items[0]);
    ls_symframe c[] = { frame("tp", "/src/third_party/z.c", "/b/job", 0), frame("g", "m.c", "/b/job", 0) };
    cr_assert_eq(supp_match(&l, c, 2, 0), &l.items[2]);
    /* site: only the display frame */
    ls_symframe d[] = { frame("helper", "h.c", "/b/job", 0), frame("main", "m.c", "/b/job", 0) };
    cr_assert_null(supp_match(&l, d, 2, 0));
    cr_assert_eq(supp_match(&l, d, 2, 1), &l.items[3]);
    /* unknown functions never match a fun: pattern */
    supp_list star = { 0 };
    cr_assert_eq(supp_parse(&star, "s", "[all]\nfun:*\n", 12, 0, &err), 0);
    ls_symframe e[] = { frame(NULL, NULL, NULL, 0) };
    cr_assert_null(supp_match(&star, e, 1, 0));
    supp_free(&star);
    supp_free(&l);
}

static void supp_error(const char *text, size_t len, const char *msg)
{
    supp_list l = { 0 };
    ls_error err = { 0 };
    int rc = supp_parse(&l, "bad.supp", text, len, 0, &err);
    supp_free(&l);
    cr_assert_eq(rc, -1, "%s", text);
    cr_assert_str_eq(err.msg, msg);
    cr_assert_null(strchr(err.msg, '\n'));
}
#define expect_supp_error(lit, msg) supp_error(lit, sizeof lit - 1, msg)

Test(gate_supp, errors)
{
    expect_supp_error("fun:x\n", "bad.supp:1: 'fun:' before the first [name] header");
    expect_supp_error("[a]\nfunc:x\n", "bad.supp:2: unknown line 'func' (expected [name], fun:, obj:, src: or site:)");
    expect_supp_error("[a]\n", "bad.supp:1: suppression [a] has no fun:, obj:, src: or site: line");
    expect_supp_error("[a]\nfun:\n", "bad.supp:2: empty pattern after 'fun:'");
    expect_supp_error("[]\nfun:x\n", "bad.supp:1: expected a suppression header such as [name]");
    expect_supp_error("[a\nfun:x\n", "bad.supp:1: expected a suppression header such as [name]");
    expect_supp_error("[a]\nfun:x\0y\n", "bad.supp:2: not a text file (NUL byte)");
    expect_supp_error("[a]\njust words\n",
                      "bad.supp:2: unknown line 'just' (expected [name], fun:, obj:, src: or site:)");
}

Test(gate_supp, missing_file)
{
    supp_list l = { 0 };
    ls_error err = { 0 };
    cr_assert_eq(supp_load_file(&l, "/nonexistent/x.supp", &err), -1);
    cr_assert_str_eq(err.msg, "--suppress /nonexistent/x.supp: cannot read suppressions file: No such file or directory");
}

/* A device is no suppressions file: reading stops at a bound instead of filling memory (it was read
 * until memory ran out), and a directory says why it cannot be read. */
Test(gate_supp, device_and_directory)
{
    supp_list l = { 0 };
    ls_error err = { 0 };
    cr_assert_eq(supp_load_file(&l, "/dev/zero", &err), -1);
    cr_assert_str_eq(err.msg, "--suppress /dev/zero: larger than 16 MiB, not a suppressions file");
    ls_error err2 = { 0 };
    cr_assert_eq(supp_load_file(&l, "/", &err2), -1);
    cr_assert_str_eq(err2.msg, "--suppress /: cannot read suppressions file: Is a directory");
    supp_free(&l);
}

Test(gate_supp, defaults_parse_and_silence_runtime_internals)
{
    supp_list l = { 0 };
    ls_error err = { 0 };
    cr_assert_eq(supp_load_defaults(&l, &err), 0, "%s", err.msg);
    cr_assert_gt(l.n, 5);
    ls_symframe stdio[] = { frame("_IO_file_doallocate", "filedoalloc.c", "/usr/lib/x86_64-linux-gnu/libc.so.6", 1),
                            frame("printf", "printf.c", "/usr/lib/x86_64-linux-gnu/libc.so.6", 1),
                            frame("main", "t.c", "/b/job", 0) };
    suppression *m = supp_match(&l, stdio, 3, 2);
    cr_assert_not_null(m);
    cr_assert(m->builtin);
    ls_symframe user[] = { frame("strdup", "strdup.c", "/usr/lib/x86_64-linux-gnu/libc.so.6", 1),
                           frame("main", "t.c", "/b/job", 0) };
    cr_assert_null(supp_match(&l, user, 2, 1));
    supp_free(&l);
}

/* ---- JSON reader -------------------------------------------------------------------------- */

Test(gate_json, values)
{
    const char text[] = " {\"a\": [1, -2.5e3, true, false, null, \"x\\\"\\u00e9\\ud83d\\ude00\\n\"], \"a\": {}, \"b\": []} ";
    ls_error err = { 0 };
    jv *v = json_parse("t.json", text, sizeof text - 1, &err);
    cr_assert_not_null(v, "%s", err.msg);
    const jv *a = json_get(v, "a");
    cr_assert_eq(a->type, JV_OBJECT);  /* the last of repeated keys */
    cr_assert_eq(v->items[0].type, JV_ARRAY);
    const jv *arr = &v->items[0];
    cr_assert_eq(arr->n, 6);
    cr_assert_float_eq(arr->items[1].number, -2500, 1e-9);
    cr_assert_eq(arr->items[2].boolean, 1);
    cr_assert_eq(arr->items[4].type, JV_NULL);
    cr_assert_str_eq(arr->items[5].str, "x\"\xc3\xa9\xf0\x9f\x98\x80\n");
    cr_assert_null(json_get(v, "zz"));
    cr_assert_null(json_get(&arr->items[0], "a"));
    json_free(v);
}

/* A high surrogate not followed by a low one is U+FFFD, and the escape after it is still decoded
 * (it was swallowed). */
Test(gate_json, lone_high_surrogate)
{
    const char text[] = "[\"\\ud800\\u0041\", \"\\ud800\\ud800\\udc00\", \"\\ud800\\n\", \"\\udc00x\"]";
    ls_error err = { 0 };
    jv *v = json_parse("t.json", text, sizeof text - 1, &err);
    cr_assert_not_null(v, "%s", err.msg);
    cr_assert_eq(v->n, 4);
    cr_assert_str_eq(v->items[0].str, "\xef\xbf\xbd" "A");
    cr_assert_str_eq(v->items[1].str, "\xef\xbf\xbd\xf0\x90\x80\x80");
    cr_assert_str_eq(v->items[2].str, "\xef\xbf\xbd\n");
    cr_assert_str_eq(v->items[3].str, "\xef\xbf\xbd" "x");
    json_free(v);
}

static void expect_json_error(const char *text, size_t len, const char *msg)
{
    ls_error err = { 0 };
    jv *v = json_parse("b.json", text, len, &err);
    cr_assert_null(v, "accepted: %.*s", (int)len, text);
    if (msg)
        cr_assert_str_eq(err.msg, msg);
    cr_assert(err.set);
    cr_assert_null(strchr(err.msg, '\n'));
}

Test(gate_json, hostile)
{
    expect_json_error("", 0, "b.json:1: bad JSON: expected a value, found the end of the file");
    expect_json_error("{\"a\":1,}", 8, "b.json:1: bad JSON: expected a key (a string)");
    expect_json_error("[1 2]", 5, "b.json:1: bad JSON: expected ',' or ']'");
    expect_json_error("{\n\"a\" 1}", 8, "b.json:2: bad JSON: expected ':' after a key");
    expect_json_error("\"abc", 4, "b.json:1: bad JSON: unterminated string, found the end of the file");
    expect_json_error("\"a\\", 3, NULL);
    expect_json_error("\"\\u12\"", 6, NULL);
    expect_json_error("\"\\x\"", 4, NULL);
    expect_json_error("\"a\tb\"", 5, NULL);
    expect_json_error("1e999", 5, NULL);
    expect_json_error("-", 1, NULL);
    expect_json_error("1\0", 2, NULL);
    expect_json_error("tru", 3, NULL);
    expect_json_error("{} x", 4, "b.json:1: bad JSON: data after the JSON value");
    char deep[200];
    memset(deep, '[', sizeof deep);
    expect_json_error(deep, sizeof deep, "b.json:1: bad JSON: nested too deeply");
    /* every prefix of a valid document fails cleanly (ASan would catch a read past the end) */
    const char good[] = "{\"sites\": [{\"function\": \"f\\u00e9\", \"line\": 12, \"x\": [true, null]}]}";
    for (size_t n = 0; n + 1 < sizeof good - 1; n++) {
        char *copy = malloc(n ? n : 1);
        memcpy(copy, good, n);
        ls_error err = { 0 };
        jv *v = json_parse("p.json", copy, n, &err);
        cr_assert_null(v, "prefix %zu accepted", n);
        free(copy);
    }
}

/* ---- baseline ----------------------------------------------------------------------------- */

static const char BASE_JSON[] =
    "{\"tool\": {\"name\": \"leakstamp\"}, \"sites\": ["
    " {\"verdict\": \"leak\", \"function\": \"old_leak\", \"file\": \"/ci/checkout/src/a.c\", \"line\": 20,"
    "  \"bytes_per_event\": 256, \"allocs_per_event\": 1, \"live_bytes_exit\": 7680},"
    " {\"verdict\": \"leak\", \"function\": \"old_leak\", \"file\": \"src/a.c\", \"line\": 90,"
    "  \"bytes_per_event\": 64, \"allocs_per_event\": 1, \"live_bytes_exit\": null},"
    " {\"verdict\": \"stable\", \"function\": \"churn\", \"file\": null, \"line\": null,"
    "  \"bytes_per_event\": 0, \"allocs_per_event\": 0, \"live_bytes_exit\": 100}]}";

Test(gate_baseline, load_match_compare)
{
    baseline b = { 0 };
    ls_error err = { 0 };
    cr_assert_eq(baseline_load_json(&b, "base.json", BASE_JSON, sizeof BASE_JSON - 1, &err), 0, "%s", err.msg);
    cr_assert_eq(b.n, 3);
    /* same function and file name (another checkout), nearest line */
    const baseline_site *s = baseline_find(&b, "old_leak", "/home/me/src/a.c", 23);
    cr_assert_not_null(s);
    cr_assert_float_eq(s->bytes_per_event, 256, 1e-9);
    s = baseline_find(&b, "old_leak", "a.c", 80);
    cr_assert_float_eq(s->bytes_per_event, 64, 1e-9);
    cr_assert_float_eq(s->live_bytes_exit, 0, 1e-9);
    cr_assert_null(baseline_find(&b, "old_leak", "b.c", 20));
    cr_assert_null(baseline_find(&b, "new_leak", "a.c", 20));
    cr_assert_not_null(baseline_find(&b, "churn", NULL, 0));
    cr_assert_eq(baseline_find(&b, "churn", NULL, 0)->leak, 0);
    /* comparison: within max(margin, base x tolerance) of the base; a zero base accepts nothing */
    cr_assert(baseline_accepts(256, 256, 0, 0.10));
    cr_assert(baseline_accepts(256, 281, 0, 0.10));
    cr_assert(!baseline_accepts(256, 282, 0, 0.10));
    cr_assert(baseline_accepts(256, 1000, 1024, 0.10));
    cr_assert(!baseline_accepts(0, 1, 1024, 0.10));
    cr_assert(baseline_accepts(256, 100, 0, 0));
    baseline_free(&b);
}

static void expect_baseline_error(const char *text, const char *msg)
{
    baseline b = { 0 };
    ls_error err = { 0 };
    cr_assert_eq(baseline_load_json(&b, "b.json", text, strlen(text), &err), -1, "%s", text);
    cr_assert_str_eq(err.msg, msg);
    baseline_free(&b);
}

Test(gate_baseline, bad_json)
{
    expect_baseline_error("[]", "b.json: baseline: not a leakstamp JSON report (no \"sites\" array)");
    expect_baseline_error("{\"sites\": {}}", "b.json: baseline: not a leakstamp JSON report (no \"sites\" array)");
    expect_baseline_error("{\"sites\": [1]}", "b.json: baseline: sites[0]: not an object");
    expect_baseline_error("{\"sites\": [{\"verdict\": \"leak\"}]}",
                          "b.json: baseline: sites[0]: \"function\" is missing or not a string");
    expect_baseline_error("{\"sites\": [{\"function\": \"f\", \"verdict\": \"leak\", \"line\": \"3\"}]}",
                          "b.json: baseline: sites[0]: \"line\" is not a line number");
    expect_baseline_error("{\"sites\": [{\"function\": \"f\", \"verdict\": \"leak\", \"bytes_per_event\": []}]}",
                          "b.json: baseline: sites[0]: a byte or allocation count is not a number");
    expect_baseline_error("{\"sites\": [{\"function\": \"f\", \"verdict\": 1}]}",
                          "b.json: baseline: sites[0]: \"verdict\" is missing or not a string");
}

Test(gate_baseline, missing_path)
{
    baseline b = { 0 };
    ls_error err = { 0 };
    ls_options o = { 0 };
    cr_assert_eq(baseline_load(&b, "/nonexistent/base.json", &o, &err), -1);
    cr_assert_str_eq(err.msg, "--baseline /nonexistent/base.json: No such file or directory");
}

/* ---- JUnit escaping ----------------------------------------------------------------------- */

static char *escaped(const char *s, int text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (text ? junit_escape_text : junit_escape)(f, s);
    fclose(f);
    return buf;
}

Test(gate_junit, escaping)
{
    struct { const char *in, *out; } cases[] = {
        { "std::vector<Hit*> const&", "std::vector&lt;Hit*&gt; const&amp;" },
        { "say \"hi\" 'x'", "say &quot;hi&quot; &apos;x&apos;" },
        { "a\tb\nc\rd", "a&#9;b&#10;c&#13;d" },
        { "bell\x07" "esc\x1b", "bell\xef\xbf\xbd" "esc\xef\xbf\xbd" },
        { "caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80" },    /* valid UTF-8 kept */
        { "bad\xff\xc3(", "bad\xef\xbf\xbd\xef\xbf\xbd(" },                  /* invalid bytes */
        { "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },         /* a surrogate */
        { "\xef\xbf\xbe", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },         /* U+FFFE */
        { "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd" },                         /* cut short */
        { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = escaped(cases[i].in, 0);
        cr_assert_str_eq(got, cases[i].out, "case %zu", i);
        free(got);
    }
    char *text = escaped("a\nb<", 1);
    cr_assert_str_eq(text, "a\nb&lt;");
    free(text);
    char *null = escaped(NULL, 0);
    cr_assert_str_eq(null, "");
    free(null);
}

/* ---- options ------------------------------------------------------------------------------ */

static int parse(const char **args, gate_options *g, ls_error *err)
{
    int argc = 0;
    char *argv[32];
    argv[argc++] = (char *)"leakstamp-analyze";
    for (; args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    char *rest[40];
    int nrest;
    return gate_options_parse(argc, argv, g, rest, &nrest, err);
}

Test(gate_options, values)
{
    gate_options g;
    ls_error err = { 0 };
    const char *ok[] = { "--gate", "--max-growth", "4KiB", "--max-live=1MiB", "--tolerance", "25", "--check", "exit",
                         "--suppress", "a.supp", "--suppress=b.supp", "--error-exitcode", "42", "dir", NULL };
    cr_assert_eq(parse(ok, &g, &err), 0, "%s", err.msg);
    cr_assert_eq(g.max_growth, 4096);
    cr_assert_eq(g.max_live, 1 << 20);
    cr_assert_float_eq(g.tolerance, 0.25, 1e-12);
    cr_assert_eq(g.check, GATE_CHECK_EXIT);
    cr_assert_eq(g.nsuppress, 2);
    cr_assert_eq(g.error_exitcode, 42);
    gate_options_free(&g);

    struct { const char *args[4]; const char *msg; } bad[] = {
        { { "--max-growth", "4x" }, "--max-growth 4x: expected a size in bytes such as 0, 512, 4KiB or 1MiB" },
        { { "--max-growth" }, "--max-growth: missing value" },
        { { "--error-exitcode", "0" }, "--error-exitcode 0: expected a number from 1 to 255 other than 2 and 3" },
        { { "--error-exitcode", "3" }, "--error-exitcode 3: expected a number from 1 to 255 other than 2 and 3" },
        { { "--error-exitcode", "256" }, "--error-exitcode 256: expected a number from 1 to 255 other than 2 and 3" },
        { { "--tolerance", "-1" }, "--tolerance -1: expected a whole percentage from 0 to 10000" },
        { { "--check", "never" }, "--check never: expected auto, growth, exit or both" },
        { { "--job-status", "x" }, "--job-status x: expected an exit status from 0 to 255" },
        { { "--job-exit", "256" }, "--job-exit 256: expected an exit code from 0 to 255" },
        { { "--job-signal", "0" }, "--job-signal 0: expected a signal number from 1 to 64" },
        { { "--format", "json" }, "--format: not an option of --gate (--help lists them)" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ls_error e = { 0 };
        const char *args[6] = { "--gate", bad[i].args[0], bad[i].args[1], NULL };
        cr_assert_eq(parse(args, &g, &e), -1, "case %zu", i);
        cr_assert_str_eq(e.msg, bad[i].msg);
        gate_options_free(&g);
    }
}

Test(gate_options, requested_only_before_dashdash)
{
    char *a[] = { "x", "--gate", "dir", NULL };
    char *b[] = { "x", "--", "--gate", NULL };
    cr_assert(gate_requested(3, a));
    cr_assert(!gate_requested(3, b));
}

/* --job-status is the shell's $? (128+N: signal N); --job-exit and --job-signal are exact. */
Test(gate_options, job_status_forms)
{
    struct { const char *opt, *val; int status; } cases[] = {
        { "--job-status", "139", GATE_JOB_SIGNALED + 11 }, { "--job-status", "3", 3 },
        { "--job-status", "255", 255 }, { "--job-exit", "139", 139 }, { "--job-exit", "147", 147 },
        { "--job-signal", "11", GATE_JOB_SIGNALED + 11 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gate_options g;
        ls_error e = { 0 };
        const char *args[] = { "--gate", cases[i].opt, cases[i].val, NULL };
        cr_assert_eq(parse(args, &g, &e), 0, "%s", e.msg);
        cr_assert_eq(g.job_status, cases[i].status, "%s %s", cases[i].opt, cases[i].val);
        gate_options_free(&g);
    }
}

Test(gate_options, job_status_text)
{
    char buf[96];
    gate_job_status_text(GATE_JOB_SIGNALED + 11, buf, sizeof buf);
    cr_assert_str_eq(buf, "was killed by signal 11 (SIGSEGV)");
    gate_job_status_text(139, buf, sizeof buf);
    cr_assert_str_eq(buf, "exited with status 139");
    gate_job_status_text(3, buf, sizeof buf);
    cr_assert_str_eq(buf, "exited with status 3");
}
