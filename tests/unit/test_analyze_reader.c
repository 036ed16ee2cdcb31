/*
 * test_analyze_reader.c — the report reader against docs/report-format.md: a well-formed report,
 * escapes, unknown line kinds, the last exit record winning, truncation (data after the last `end`),
 * and every class of bad input giving an error that names the file and the line.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "read/report.h"

static const char HEADER[] =
    "leakstamp-report\t1\ntool\tleakstamp\t0.1.0\npid\t77\nppid\t1\nhost\th\\tx\nuname\tLinux\n"
    "user\tme\t1000\ncwd\t/tmp\nexe\t/bin/job\nstart\t1700000000000000\t2023-11-14T22:13:20.000000Z\n"
    "mode\texact\t0\ndepth\t16\nargv\t2\tjob\ta\\\\b\nfuture\tkey\tis\tignored\nend\theader\n";

static const char REC1[] =
    "module\t1\t1000\t9000\t0\tabcdef\t/bin/job\n"
    "stack\t5\t0\t1:1234\t?:7fff0000\n"
    "stamp\t1\tev\t1700000000001000\t2000\t1000\t64\t1\t1\t0\n"
    "site\t5\t1\t64\t1\t64\t1\t64\n"
    "newkind\twhatever\n"
    "end\t1\n";

static const char REC2[] =
    "stamp\t2\tev\t1700000000002000\t2000\t1000\t128\t2\t2\t0\n"
    "site\t5\t1\t64\t2\t128\t2\t128\n"
    "end\t2\n";

static const char EXIT[] =
    "exit\texit\t1700000000003000\t2000\t1000\t128\t2\t2\t0\t2\n"
    "live\t5\t2\t128\t2\t128\t0:1,1:1\n"
    "end\texit\n";

static char *cat3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c);
    char *s = malloc(n + 1);
    strcpy(s, a);
    strcat(s, b);
    strcat(s, c);
    return s;
}

static ls_report *read_str(const char *text, ls_error *err)
{
    memset(err, 0, sizeof *err);
    return report_read_mem("r.lsr", text, strlen(text), err);
}

Test(reader, well_formed_report)
{
    char *rec = cat3(REC1, REC2, EXIT);
    char *text = cat3(HEADER, rec, "");
    ls_error err;
    ls_report *r = read_str(text, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(r->pid, 77);
    cr_assert_str_eq(r->host, "h\tx");
    cr_assert_eq(r->argc, 2);
    cr_assert_str_eq(r->argv[1], "a\\b");
    cr_assert_eq(r->nmodules, 1);
    cr_assert_str_eq(r->modules[0].build_id, "abcdef");
    cr_assert_eq(r->nstacks, 1);
    cr_assert_eq(r->stacks[0].nframes, 2);
    cr_assert_eq(r->stacks[0].frames[0].module, 1);
    cr_assert_eq(r->stacks[0].frames[0].addr, 0x1234);
    cr_assert_eq(r->stacks[0].frames[1].module, 0);
    cr_assert_eq(r->stacks[0].frames[1].addr, 0x7fff0000);
    cr_assert_eq(r->nstamps, 2);
    cr_assert_eq(r->stacks[0].history.n, 2);
    cr_assert(r->exit.present);
    cr_assert_eq(r->stacks[0].exit_bytes, 128);
    cr_assert_eq(r->truncated, 0);
    report_free(r);
    free(rec);
    free(text);
}

Test(reader, truncated_report_keeps_complete_records)
{
    char *text = cat3(HEADER, REC1, REC2);
    size_t cut = strlen(HEADER) + strlen(REC1) + 20; /* in the middle of the second record */
    ls_error err = { 0 };
    ls_report *r = report_read_mem("t.lsr", text, cut, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(r->truncated, 1);
    cr_assert_eq(r->nstamps, 1);
    cr_assert_eq(r->truncated_line, 22);
    cr_assert_eq(r->truncated_offset, strlen(HEADER) + strlen(REC1));
    report_free(r);
    /* a final line without its newline is partial too */
    r = report_read_mem("t.lsr", text, strlen(text) - 1, &err);
    cr_assert_not_null(r);
    cr_assert_eq(r->truncated, 1);
    cr_assert_eq(r->nstamps, 1);
    report_free(r);
    free(text);
}

Test(reader, last_exit_record_wins)
{
    static const char EXIT2[] = "exit\texec\t1700000000004000\t1\t1\t0\t0\t2\t0\t2\nend\texit\n";
    char *a = cat3(HEADER, REC1, EXIT);
    char *text = cat3(a, EXIT2, "");
    ls_error err;
    ls_report *r = read_str(text, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_str_eq(r->exit.reason, "exec");
    cr_assert_eq(r->stacks[0].has_exit, 0);
    report_free(r);
    free(a);
    free(text);
}

/* Every bad input: the error names the file and (where there is one) the line. */
static void expect_error(const char *text, const char *where, const char *what)
{
    ls_error err;
    ls_report *r = read_str(text, &err);
    cr_assert_null(r, "accepted: %s", text);
    cr_assert(err.set);
    cr_assert(strstr(err.msg, where), "'%s' lacks '%s'", err.msg, where);
    cr_assert(strstr(err.msg, what), "'%s' lacks '%s'", err.msg, what);
    cr_assert_null(strchr(err.msg, '\n'));
}

Test(reader, bad_inputs_name_file_and_line)
{
    expect_error("", "r.lsr:", "empty");
    expect_error("hello world\n", "r.lsr:1:", "not a leakstamp report");
    expect_error("\x7f" "ELF\x02\x01\x01\n", "r.lsr:1:", "not a leakstamp report");
    expect_error("leakstamp-report\t2\nend\theader\n", "r.lsr:1:", "unsupported version 2");
    expect_error("leakstamp-report\t1\npid\t3\n", "r.lsr:3:", "truncated inside the header");
    expect_error("leakstamp-report\t1\npid\tx\nend\theader\n", "r.lsr:2:", "bad pid");

    char *t = cat3(HEADER, "stamp\t1\tev\t1\t2\t3\t4\t5\t6\t7\nsite\t9\t1\t1\t1\t1\t1\t1\nend\t1\n", "");
    expect_error(t, "r.lsr:17:", "undefined stack 9");
    free(t);
    t = cat3(HEADER, "stamp\t1\tev\t1\t2\t3\t4\t5\t6\t7\nsite\t9\tx\t1\t1\t1\t1\t1\nend\t1\n", "");
    expect_error(t, "r.lsr:17:", "bad site line");
    free(t);
    t = cat3(HEADER, "stamp\t1\tev\t1\t2\t3\nend\t1\n", "");
    expect_error(t, "r.lsr:16:", "bad stamp line");
    free(t);
    t = cat3(HEADER, "stamp\t1\tev\t1\t2\t3\t4\t5\t6\t7\nend\t2\n", "");
    expect_error(t, "r.lsr:17:", "does not match stamp 1");
    free(t);
    t = cat3(HEADER, "stack\t1\t0\t4:10\nend\t0\n", "");
    expect_error(t, "r.lsr:16:", "undefined module 4");
    free(t);
    t = cat3(HEADER, "stack\t1\t0\tnotaframe\nend\t0\n", "");
    expect_error(t, "r.lsr:16:", "bad stack frame");
    free(t);
    t = cat3(HEADER, "module\t1\tzz\t2\t3\t-\t/x\nend\t0\n", "");
    expect_error(t, "r.lsr:16:", "bad module line");
    free(t);
    t = cat3(HEADER, "live\t1\t1\t1\t1\t1\t0:1\nend\tfoo\n", "");
    expect_error(t, "r.lsr:16:", "live line outside an exit record");
    free(t);
    t = cat3(HEADER, "stamp\t18446744073709551616\tev\t1\t2\t3\t4\t5\t6\t7\nend\t1\n", "");
    expect_error(t, "r.lsr:16:", "bad stamp line");
    free(t);
}

Test(reader, garbage_after_last_record_is_truncation_not_error)
{
    char *t = cat3(HEADER, REC1, "site\tgarbage\n\x01\x02\x03");
    ls_error err;
    ls_report *r = read_str(t, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert(r->truncated);
    cr_assert_eq(r->nstamps, 1);
    report_free(r);
    free(t);
}

Test(reader, missing_file_and_directory)
{
    ls_error err = { 0 };
    cr_assert_null(report_read_file("/nonexistent/x.lsr", &err));
    cr_assert(strstr(err.msg, "/nonexistent/x.lsr: cannot open"), "%s", err.msg);
    memset(&err, 0, sizeof err);
    cr_assert_null(report_read_file("/tmp", &err));
    cr_assert(strstr(err.msg, "directory"), "%s", err.msg);
}

/* Mapping lines (docs/report-format.md, "Mappings"): a mapping site per (stack, kind), apart from the
 * heap site of the same stack; `mapped` totals on stamps and exit. */
Test(reader, mapping_sites_are_their_own_stacks)
{
    char *rec = cat3("module\t1\t1000\t9000\t0\tabcdef\t/bin/job\n"
                     "stack\t5\t0\t1:1234\n"
                     "stamp\t1\tev\t1\t2000\t1000\t64\t1\t1\t0\n"
                     "site\t5\t1\t64\t1\t64\t1\t64\n"
                     "map\t5\tmmap\t1\t4096\t1\t4096\t1\t4096\t4096\t-\n"
                     "map\t5\tmmap-file\t1\t8192\t1\t8192\t1\t8192\t-\t/data/a\\tb\n"
                     "mapped\t12288\t2\t4096\n"
                     "end\t1\n",
                     "stamp\t2\tev\t2\t2000\t1000\t64\t1\t1\t0\n"
                     "map\t5\tmmap\t1\t4096\t2\t8192\t2\t8192\t8192\t-\n"
                     "mapped\t16384\t3\t8192\n"
                     "end\t2\n",
                     "exit\texit\t3\t2000\t1000\t64\t1\t1\t0\t2\n"
                     "live\t5\t1\t64\t1\t64\t0:1\n"
                     "maplive\t5\tmmap\t2\t8192\t2\t8192\t0:1,1:1\t-\n"
                     "mapped\t8192\t2\t-\n"
                     "end\texit\n");
    char *text = cat3(HEADER, rec, "");
    ls_error err;
    ls_report *r = read_str(text, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(r->nstacks, 3, "the heap site and two mapping sites");
    cr_expect_eq(r->stacks[0].kind, SITE_HEAP);
    cr_expect(r->stacks[0].used && r->stacks[0].has_exit);
    const ls_stack *anon = &r->stacks[1], *file = &r->stacks[2];
    cr_expect_eq(anon->kind, SITE_MMAP);
    cr_expect_eq(anon->sid, 5);
    cr_expect_eq(anon->nframes, 1);
    cr_expect_eq(anon->total_bytes, 8192);
    cr_expect(anon->has_exit);
    cr_expect_eq(anon->exit_bytes, 8192);
    cr_expect_eq(anon->exit_allocs, 2);
    cr_expect_eq(file->kind, SITE_MMAP_FILE);
    cr_expect_str_eq(file->file, "/data/a\tb");
    cr_expect_not(file->has_exit);
    cr_expect_eq(r->stamps[0].mapped_bytes, 12288);
    cr_expect_eq(r->stamps[1].mapped_bytes, 16384);
    cr_expect_eq(r->stamps[1].mapped_count, 3);
    cr_expect_eq(r->exit.mapped_bytes, 8192);
    cr_expect_str_eq(site_kind_name(SITE_MMAP_SHARED), "mmap-shared");
    cr_expect_eq(site_kind_parse("mmap-file", 9), SITE_MMAP_FILE);
    cr_expect_eq(site_kind_parse("heap", 4), SITE_HEAP);
    cr_expect_eq(site_kind_parse("mmapx", 5), -1);
    report_free(r);
    free(rec);
    free(text);
}

Test(reader, bad_mapping_lines_name_file_and_line)
{
    char *t = cat3(HEADER, "stamp\t1\tev\t1\t2\t3\t4\t5\t6\t7\nmap\t9\tmmap\t1\t1\t1\t1\t1\t1\t-\t-\nend\t1\n", "");
    expect_error(t, "r.lsr:17:", "undefined stack 9");
    free(t);
    t = cat3(HEADER, "stamp\t1\tev\t1\t2\t3\t4\t5\t6\t7\nmap\t9\theap\t1\t1\t1\t1\t1\t1\t-\t-\nend\t1\n", "");
    expect_error(t, "r.lsr:17:", "bad map line");
    free(t);
    t = cat3(HEADER, "stamp\t1\tev\t1\t2\t3\t4\t5\t6\t7\nmap\t9\tmmap\t1\t1\n1\nend\t1\n", "");
    expect_error(t, "r.lsr:17:", "bad map line");
    free(t);
    t = cat3(HEADER, "stamp\t1\tev\t1\t2\t3\t4\t5\t6\t7\nmapped\tx\t1\t-\nend\t1\n", "");
    expect_error(t, "r.lsr:17:", "bad mapped line");
    free(t);
    t = cat3(HEADER, "maplive\t1\tmmap\t1\t1\t1\t1\t0:1\t-\nend\tfoo\n", "");
    expect_error(t, "r.lsr:16:", "maplive line outside an exit record");
    free(t);
}

/* `toolmem` lines (issue 12): the tool's own memory, kept with the stamp or exit line they follow; a
 * stamp without one has none (not the previous stamp's). */
Test(reader, toolmem_lines_belong_to_their_record)
{
    static const char recs[] =
        "stamp\t1\tev\t1700000000001000\t2000\t1000\t64\t1\t1\t0\n"
        "toolmem\t8192\t4096\n"
        "end\t1\n"
        "stamp\t2\tev\t1700000000002000\t2000\t1000\t64\t1\t1\t0\n"
        "end\t2\n"
        "exit\texit\t1700000000003000\t2000\t1000\t128\t2\t2\t0\t2\n"
        "toolmem\t12288\t8192\n"
        "end\texit\n";
    char *text = cat3(HEADER, recs, "");
    ls_error err;
    ls_report *r = read_str(text, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(r->nstamps, 2);
    cr_assert(r->stamps[0].has_tool);
    cr_assert_eq(r->stamps[0].tool_vm, 8192);
    cr_assert_eq(r->stamps[0].tool_rss, 4096);
    cr_assert_not(r->stamps[1].has_tool);
    cr_assert_eq(r->stamps[1].tool_rss, 0);
    cr_assert(r->exit.has_tool);
    cr_assert_eq(r->exit.tool_vm, 12288);
    report_free(r);
    free(text);
    text = cat3(HEADER, "stamp\t1\tev\t1\t2\t3\t4\t5\t6\t0\ntoolmem\t1\tx\nend\t1\n", "");
    cr_assert_null(read_str(text, &err));
    cr_assert(strstr(err.msg, "bad toolmem line"), "%s", err.msg);
    free(text);
}
