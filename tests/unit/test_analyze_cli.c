/*
 * test_analyze_cli.c — the analyzer end to end, in-process through ls_cli_main: synthetic reports
 * with one site of every kind (verdicts in text, JSON and TSV), two processes merged, a truncated
 * report, --skip-frames and libc frames, the timeline, and exit code 2 with one line for every class
 * of bad input and bad option.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "cli.h"
#include "base/diag.h"
#include "test_analyze_synth.h"

/* Functions that name the synthetic sites (the stacks point into them). Distinct bodies, so the
 * compiler cannot fold them into one. */
static volatile int sink;
__attribute__((noinline, used)) void steady_leak_site(void) { sink = 1; }
__attribute__((noinline, used)) void pool_chunk_site(void) { sink = 2; }
__attribute__((noinline, used)) void first_event_buffer_site(void) { sink = 3; }
__attribute__((noinline, used)) void cache_fill_site(void) { sink = 4; }
__attribute__((noinline, used)) void lagged_free_site(void) { sink = 5; }
__attribute__((noinline, used)) void late_leak_site(void) { sink = 6; }
__attribute__((noinline, used)) void leakstamp_inject_calibration(void) { sink = 7; }
__attribute__((noinline, used)) void pool_alloc_chunk(void) { sink = 8; }
__attribute__((noinline, used)) void user_fills_pool(void) { sink = 9; }

#define EVENTS 100
static const char *const two_stamps[] = { "HEAD", "mid" };

/* Allocation happens between HEAD and mid of each event; value at tick = after (tick+1)/2 halves. */
static void all_kinds(size_t site, size_t tick, long long *a, long long *b, void *ctx)
{
    (void)ctx;
    size_t e = (tick + 1) / 2; /* events whose allocation part has run */
    switch (site) {
    case 0: *a = (long long)e; *b = 1024LL * (long long)e; break;                     /* steady */
    case 1: *a = (long long)(e + 4) / 5; *b = 65536LL * *a; break;                    /* steps */
    case 2: *a = e > 0; *b = *a << 20; break;                                         /* warmup */
    case 3: *a = (long long)(e < 30 ? e : 30); *b = 4096LL * *a; break;              /* bounded */
    case 4: *a = e > 0 ? 10 : 0; *b = e > 0 ? 1000 + (long long)(e % 7) * 10 : 0; break; /* lagged */
    case 5: *a = e > EVENTS / 2 ? (long long)(e - EVENTS / 2) : 0; *b = 512LL * *a; break; /* late */
    default: *a = (long long)e; *b = 10LL * 1024 * 1024 * (long long)e; break;          /* injected */
    }
    /* lagged frees: mid-event the new objects are live beside the previous event's, which are freed
     * before the next boundary, so the totals grow by 10 per event while 10 stay live */
    if (site == 4 && e > 0 && tick % 2 == 1) {
        *a = 20;
        *b += 1000;
    }
}

static const uint64_t *kind_offsets(void)
{
    static uint64_t off[7];
    void (*fns[7])(void) = { steady_leak_site, pool_chunk_site, first_event_buffer_site, cache_fill_site,
                             lagged_free_site, late_leak_site, leakstamp_inject_calibration };
    for (int i = 0; i < 7; i++)
        off[i] = sy_offset(fns[i]);
    return off;
}

static const char *write_report(const char *name, const sy_spec *sp)
{
    size_t len;
    char *text = sy_build(sp, &len);
    const char *path = sy_write(name, text, len);
    free(text);
    return path;
}

static const char *kinds_report(void)
{
    sy_spec sp = { .pid = 4242, .nsites = 7, .offsets = kind_offsets(), .events = EVENTS,
                   .stamps = two_stamps, .nstamps = 2, .model = all_kinds, .rss_extra_per_event = 8192 };
    return write_report("kinds.lsr", &sp);
}

static int run(const char *const *args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = "leakstamp-analyze";
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return ls_cli_main(argc, argv);
}

static char *run_to_string(const char *const *args, int *rc)
{
    char out[4200];
    snprintf(out, sizeof out, "%s.out", sy_write("o", "", 0));
    const char *argv[32];
    int n = 0;
    argv[n++] = "-o";
    argv[n++] = out;
    for (; *args; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    *rc = run(argv);
    char *s = sy_slurp(out);
    return s ? s : calloc(1, 1);
}

static void init_quiet(void)
{
    ls_warn_quiet(1);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The JSON object of the top-level site named fn: from its "function" key to the next "rank". */
static char *json_site(const char *json, const char *fn)
{
    const char *top = strstr(json, "\n  \"sites\": [");
    cr_assert_not_null(top);
    char key[128];
    snprintf(key, sizeof key, "\"function\": \"%s\"", fn);
    const char *at = strstr(top, key);
    cr_assert_not_null(at, "no site %s", fn);
    const char *start = at;
    while (start > top && strncmp(start, "\"rank\"", 6))
        start--;
    const char *end = strstr(at, "\"stack\"");
    return strndup(start, (size_t)(end - start));
}

Test(cli, every_verdict_in_json, .init = init_quiet)
{
    const char *path = kinds_report();
    int rc;
    char *json = run_to_string((const char *[]){ "--all", "--format", "json", path, NULL }, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(json, "\"tool\": {\n    \"name\": \"leakstamp\""), "%s", json);
    cr_assert(strstr(json, "\"event_stamp\": \"HEAD\""));
    cr_assert(strstr(json, "\"events\": 100"));
    struct { const char *fn, *verdict; } want[] = {
        { "steady_leak_site", "leak" }, { "pool_chunk_site", "leak" },
        { "first_event_buffer_site", "warmup" }, { "cache_fill_site", "bounded" },
        { "lagged_free_site", "stable" }, { "late_leak_site", "leak" },
        { "leakstamp_inject_calibration", "injected" },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char *site = json_site(json, want[i].fn);
        char v[64];
        snprintf(v, sizeof v, "\"verdict\": \"%s\"", want[i].verdict);
        cr_assert(strstr(site, v), "%s: %s", want[i].fn, site);
        cr_assert(strstr(site, "test_analyze_cli.c"), "%s", site);
        free(site);
    }
    char *steady = json_site(json, "steady_leak_site");
    cr_assert(strstr(steady, "\"bytes_per_event\": 1024,"), "%s", steady);
    cr_assert(strstr(steady, "\"allocs_per_event\": 1,"), "%s", steady);
    cr_assert(strstr(steady, "\"since_event\": 1,"), "%s", steady);
    cr_assert(strstr(steady, "\"live_bytes_exit\": 102400,"), "%s", steady);
    free(steady);
    char *late = json_site(json, "late_leak_site");
    cr_assert(strstr(late, "\"bytes_per_event\": 512,"), "%s", late);
    free(late);
    char *top = strstr(json, "\n  \"sites\": [");
    cr_assert(strstr(top, "\"rank\": 1,\n      \"verdict\": \"leak\",\n      \"function\": \"pool_chunk_site\""),
              "%s", top);
    cr_assert(strstr(json, "\"rss_unexplained_bytes_per_event\": 8192"), "%s", json);
    cr_assert(strstr(json, "\"truncated\": false"));
    free(json);
}

Test(cli, every_verdict_in_text_and_tsv, .init = init_quiet)
{
    const char *path = kinds_report();
    int rc;
    char *text = run_to_string((const char *[]){ "--all", path, NULL }, &rc);
    cr_assert_eq(rc, 0);
    const char *verdicts[] = { "leak", "warmup", "bounded", "stable", "injected" };
    for (size_t i = 0; i < 5; i++)
        cr_assert(strstr(text, verdicts[i]), "no %s in\n%s", verdicts[i], text);
    cr_assert(strstr(text, "+1.00 KiB"), "%s", text);
    cr_assert(strstr(text, "steady_leak_site  tests/unit/test_analyze_cli.c:"), "%s", text);
    cr_assert(strstr(text, "RSS growth not explained by heap and mappings: +8.00 KiB per event"), "%s", text);
    free(text);
    /* without --all only leaks and the calibration site are listed */
    text = run_to_string((const char *[]){ path, NULL }, &rc);
    cr_assert_null(strstr(text, "cache_fill_site"), "%s", text);
    cr_assert(strstr(text, "3 more locations not shown: 1 bounded 1 warmup 1 stable"), "%s", text);
    free(text);
    char *tsv = run_to_string((const char *[]){ "--all", "--format", "tsv", path, NULL }, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(count(tsv, "\n"), 8, "%s", tsv);
    cr_assert(!strncmp(tsv, "rank\tverdict\tbytes_per_event", 27));
    cr_assert(strstr(tsv, "\nstable\t") || strstr(tsv, "\tstable\t"), "%s", tsv);
    free(tsv);
    tsv = run_to_string((const char *[]){ "--all", "--top", "2", "--format", "tsv", path, NULL }, &rc);
    cr_assert_eq(count(tsv, "\n"), 3, "%s", tsv);
    free(tsv);
}

static void per_process_leak(size_t site, size_t tick, long long *a, long long *b, void *ctx)
{
    (void)site;
    long long per = *(const long long *)ctx;
    *a = (long long)tick;
    *b = per * (long long)tick;
}

Test(cli, two_processes_merged_by_symbolized_stack, .init = init_quiet)
{
    const char *dir = sy_dir();
    static const char *const one[] = { "event" };
    uint64_t off = sy_offset(steady_leak_site);
    long long p1 = 1024, p2 = 2048;
    sy_spec a = { .pid = 100, .nsites = 1, .offsets = &off, .events = 50, .stamps = one, .nstamps = 1,
                  .model = per_process_leak, .ctx = &p1 };
    sy_spec b = a;
    b.pid = 200;
    b.ctx = &p2;
    b.events = 40;
    size_t la, lb;
    char *ta = sy_build(&a, &la), *tb = sy_build(&b, &lb);
    char pa[4200], pb[4200];
    snprintf(pa, sizeof pa, "%s/leakstamp.job.100.0.lsr", dir);
    snprintf(pb, sizeof pb, "%s/leakstamp.job.200.0.lsr", dir);
    FILE *f = fopen(pa, "w");
    fwrite(ta, 1, la, f);
    fclose(f);
    f = fopen(pb, "w");
    fwrite(tb, 1, lb, f);
    fclose(f);
    char other[4200];
    snprintf(other, sizeof other, "%s/notes.txt", dir);
    f = fopen(other, "w");
    fputs("not a report, and not read: only *.lsr files are\n", f);
    fclose(f);
    int rc;
    char *json = run_to_string((const char *[]){ "--format", "json", dir, NULL }, &rc);
    cr_assert_eq(rc, 0, "%s", json);
    cr_assert(strstr(json, "\"pid\": 100"));
    cr_assert(strstr(json, "\"pid\": 200"));
    char *site = json_site(json, "steady_leak_site");
    cr_assert(strstr(site, "\"bytes_per_event\": 3072,"), "%s", site);
    cr_assert(strstr(site, "\"stacks\": 2,"), "%s", site);
    free(site);
    /* merged + 2 own views: site and its frame, location and its path's frame */
    cr_assert_eq(count(json, "\"function\": \"steady_leak_site\""), 3 * 4);
    free(json);
    free(ta);
    free(tb);
}

Test(cli, truncated_report_is_analysed_with_one_warning)
{
    cr_redirect_stderr();
    uint64_t off = sy_offset(steady_leak_site);
    static const char *const one[] = { "event" };
    long long per = 100;
    sy_spec sp = { .pid = 9, .nsites = 1, .offsets = &off, .events = 30, .stamps = one, .nstamps = 1,
                   .model = per_process_leak, .ctx = &per, .no_exit = 1 };
    size_t len;
    char *text = sy_build(&sp, &len);
    const char *path = sy_write("trunc.lsr", text, len - 7); /* cut into the last record */
    free(text);
    int rc;
    char *json = run_to_string((const char *[]){ "--format", "json", path, NULL }, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(json, "\"truncated\": true"), "%s", json);
    cr_assert(strstr(json, "\"events\": 29"), "%s", json);
    fflush(stderr);
    char err[4096] = "";
    FILE *e = cr_get_redirected_stderr();
    size_t n = fread(err, 1, sizeof err - 1, e);
    err[n] = '\0';
    cr_assert_eq(count(err, "\n"), 1, "%s", err);
    cr_assert(strstr(err, "trunc.lsr: truncated at line"), "%s", err);
    free(json);
}

Test(cli, skip_frames_and_libc_frames_choose_the_user_frame, .init = init_quiet)
{
    /* site 1: pool_alloc_chunk <- user_fills_pool; site 2: strdup (in libc) <- steady_leak_site */
    static const char *const one[] = { "event" };
    char f1[128], f2[128], mods[4400];
    snprintf(f1, sizeof f1, "1:%llx\t1:%llx", (unsigned long long)sy_offset(pool_alloc_chunk),
             (unsigned long long)sy_offset(user_fills_pool));
    snprintf(f2, sizeof f2, "2:1234\t1:%llx", (unsigned long long)sy_offset(steady_leak_site));
    snprintf(mods, sizeof mods, "module\t2\t7f0000000000\t7f0000100000\t7f0000000000\t-\t/nonexistent/libc.so.6\n");
    const char *frames[] = { f1, f2 };
    uint64_t offs[2] = { 0, 0 };
    long long per = 64;
    sy_spec sp = { .pid = 5, .nsites = 2, .offsets = offs, .events = 20, .stamps = one, .nstamps = 1,
                   .model = per_process_leak, .ctx = &per, .frames = frames, .extra_modules = mods };
    const char *path = write_report("frames.lsr", &sp);
    int rc;
    char *text = run_to_string((const char *[]){ path, NULL }, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(text, "  pool_alloc_chunk  "), "%s", text);
    cr_assert(strstr(text, "  steady_leak_site  "), "%s", text);
    cr_assert(strstr(text, "libc.so.6+0x1234"), "the libc frame stays in the stack:\n%s", text);
    free(text);
    text = run_to_string((const char *[]){ "--skip-frames", "^pool_", path, NULL }, &rc);
    cr_assert(strstr(text, "  user_fills_pool  "), "%s", text);
    cr_assert(strstr(text, "    pool_alloc_chunk  "), "collapsed frame still in the stack:\n%s", text);
    free(text);
}

Test(cli, timeline_shows_where_in_the_event_memory_grows, .init = init_quiet)
{
    const char *path = kinds_report();
    int rc;
    char *text = run_to_string((const char *[]){ "--timeline", "7", path, NULL }, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(text, "timeline of event 7, pid 4242"), "%s", text);
    cr_assert(strstr(text, "HEAD \u2192 mid"), "%s", text);
    cr_assert(strstr(text, "mid \u2192 HEAD"), "%s", text);
    cr_assert(strstr(text, "2023-11-14T22:13:20.0"), "%s", text);
    free(text);
    char *json = run_to_string((const char *[]){ "--timeline", "--format", "json", path, NULL }, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(json, "\"timeline\": {\n        \"event\": 99"), "%s", json);
    cr_assert(strstr(json, "\"from\": \"HEAD\""));
    free(json);
}

Test(cli, event_and_skip_options, .init = init_quiet)
{
    const char *path = kinds_report();
    int rc;
    char *json = run_to_string((const char *[]){ "--event", "mid", "--skip", "10", "--format", "json", path, NULL }, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(json, "\"event_stamp\": \"mid\""));
    cr_assert(strstr(json, "\"events\": 90"), "%s", json);
    cr_assert(strstr(json, "\"first_event\": 11"));
    free(json);
}

Test(cli, header_event_key_is_the_default_event, .init = init_quiet)
{
    /* "mid" is as frequent as "HEAD" and seen later: only the header can make it the default */
    size_t len;
    sy_spec sp = { .pid = 4242, .nsites = 7, .offsets = kind_offsets(), .events = 20,
                   .stamps = two_stamps, .nstamps = 2, .model = all_kinds };
    char *text = sy_build(&sp, &len);
    char *at = strstr(text, "end\theader\n");
    size_t head = (size_t)(at - text);
    char *with = malloc(len + 32);
    memcpy(with, text, head);
    size_t n = head + (size_t)sprintf(with + head, "event\tmid\n");
    memcpy(with + n, at, len - head);
    const char *path = sy_write("hinted.lsr", with, n + len - head);
    int rc;
    char *json = run_to_string((const char *[]){ "--format", "json", path, NULL }, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(json, "\"event_stamp\": \"mid\""), "%s", json);
    free(json);
    free(with);
    free(text);
}

Test(cli, help_and_version)
{
    cr_redirect_stdout();
    cr_assert_eq(run((const char *[]){ "--help", NULL }), 0);
    cr_assert_eq(run((const char *[]){ "--version", NULL }), 0);
}

static void expect_exit2(const char *const *args, const char *what)
{
    cr_assert_eq(run(args), EXIT_BAD_INPUT, "%s", what);
}

Test(cli, bad_input_exits_2_with_one_line)
{
    cr_redirect_stderr();
    static const char corrupt[] = "leakstamp-report\t1\nend\theader\nstamp\t1\tev\t1\t2\t3\t4\t5\t6\t7\n"
                                  "site\t1\t1\t1\t1\t1\t1\t1\nend\t1\n";
    const char *files[][2] = {
        { "empty.lsr", "" },
        { "foreign.lsr", "#!/bin/sh\necho hi\n" },
        { "v9.lsr", "leakstamp-report\t9\n" },
        { "corrupt.lsr", corrupt },
        { "header.lsr", "leakstamp-report\t1\npid\t1\n" },
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        const char *p = sy_write(files[i][0], files[i][1], strlen(files[i][1]));
        expect_exit2((const char *[]){ p, NULL }, files[i][0]);
    }
    const char *good = kinds_report();
    expect_exit2((const char *[]){ "/nonexistent.lsr", NULL }, "missing");
    expect_exit2((const char *[]){ sy_dir(), NULL }, "empty dir");
    expect_exit2((const char *[]){ NULL }, "no path");
    expect_exit2((const char *[]){ "--event", "nosuch", good, NULL }, "--event");
    expect_exit2((const char *[]){ "--skip", "abc", good, NULL }, "--skip abc");
    expect_exit2((const char *[]){ "--skip", "-1", good, NULL }, "--skip -1");
    expect_exit2((const char *[]){ "--skip", "100", good, NULL }, "--skip too far");
    expect_exit2((const char *[]){ "--top", "0", good, NULL }, "--top 0");
    expect_exit2((const char *[]){ "--format", "xml", good, NULL }, "--format");
    expect_exit2((const char *[]){ "--skip-frames", "(", good, NULL }, "regex");
    expect_exit2((const char *[]){ "--frobnicate", good, NULL }, "unknown option");
    expect_exit2((const char *[]){ good, "--event", NULL }, "missing value");
    expect_exit2((const char *[]){ "--timeline=5000", good, NULL }, "--timeline past the end");
    expect_exit2((const char *[]){ "-o", "/nonexistent/dir/out", good, NULL }, "bad -o");
    fflush(stderr);
    char err[16384] = "";
    FILE *e = cr_get_redirected_stderr();
    size_t n = fread(err, 1, sizeof err - 1, e);
    err[n] = '\0';
    cr_assert_eq(count(err, "\n"), 19, "one line per failure:\n%s", err);
    cr_assert_eq(count(err, "leakstamp-analyze: "), 19, "%s", err);
    cr_assert(strstr(err, "corrupt.lsr:4: site line refers to undefined stack 1"), "%s", err);
    cr_assert(strstr(err, "v9.lsr:1: unsupported version 9"), "%s", err);
    cr_assert(strstr(err, "foreign.lsr:1: not a leakstamp report"), "%s", err);
    cr_assert(strstr(err, "empty.lsr: empty file"), "%s", err);
}
