/*
 * fuzz_suppressions.c — libFuzzer harness for the gate's --suppress files: any byte string is parsed
 * as a suppressions file after the built-in suppressions (as the gate loads them), and, when accepted,
 * matched against a few fixed symbolized stacks (C and C++ names, inlined frames, unknown functions,
 * files and modules). A rejection must be one message "fuzz.supp:LINE: ...". Run with `make fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "model/suppressions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ls_symframe stack_c[] = {
    { "malloc", NULL, 0, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x9a0f0, 0, 0 },
    { "leak_session", "/src/tests/jobs/demo_leaky.c", 41, "/src/build/tests/jobs/demo_leaky", 0x1234, 1, 0 },
    { "handle_event", "/src/tests/jobs/demo_leaky.c", 77, "/src/build/tests/jobs/demo_leaky", 0x1280, 0, 0 },
    { "main", "demo_leaky.c", 102, "/src/build/tests/jobs/demo_leaky", 0x1300, 0, 0 },
    { "__libc_start_main", "../csu/libc-start.c", 392, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x271c0, 0, 0 },
};

static const ls_symframe stack_cxx[] = {
    { "operator new(unsigned long)", NULL, 0, "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", 0xa9b20, 0, 0 },
    { "std::vector<std::pair<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, "
      "int>, std::allocator<std::pair<std::__cxx11::basic_string<char, std::char_traits<char>, "
      "std::allocator<char> >, int> > >::_M_realloc_insert(iterator, value_type const&)",
      "/usr/include/c++/12/bits/vector.tcc", 439, "/opt/app/bin/sim", 0x4410, 1, 0 },
    { "sim::write_ntuple_row(sim::Event const&, int) [clone .constprop.0]", "src/ntuple/demo_leaky.cpp", 58,
      "/opt/app/lib/libfoo.so.1.2", 0x7788, 0, 0 },
    { "MyCache::fill(int)", "/opt/app/src/cache.cpp", 12, "/opt/app/bin/sim", 0x5000, 0, 0 },
};

static const ls_symframe stack_unknown[] = {
    { NULL, NULL, 0, NULL, 0x7f0000001000, 0, 0 },
    { NULL, NULL, 0, "/lib/x86_64-linux-gnu/libz.so.1", 0x3000, 0, 0 },
    { "", "", 0, "", 0, 0, 0 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    supp_list l = { 0 };
    ls_error err = { 0 };
    if (supp_load_defaults(&l, &err) < 0)
        __builtin_trap();
    size_t first = l.n;
    if (supp_parse(&l, "fuzz.supp", (const char *)data, size, 0, &err) < 0) {
        if (!err.set || strncmp(err.msg, "fuzz.supp:", 10) || strchr(err.msg, '\n'))
            __builtin_trap();
        supp_free(&l);
        return 0;
    }
    for (size_t i = first; i < l.n; i++)
        if (l.items[i].builtin || !l.items[i].nconds || !l.items[i].name || !*l.items[i].name)
            __builtin_trap();
    static const struct { const ls_symframe *f; size_t n, display; } stacks[] = {
        { stack_c, sizeof stack_c / sizeof *stack_c, 1 },
        { stack_c, 1, 0 },
        { stack_cxx, sizeof stack_cxx / sizeof *stack_cxx, 2 },
        { stack_unknown, sizeof stack_unknown / sizeof *stack_unknown, 0 },
        { stack_unknown, 0, 0 },
    };
    for (size_t i = 0; i < sizeof stacks / sizeof *stacks; i++) {
        suppression *m = supp_match(&l, stacks[i].f, stacks[i].n, stacks[i].display);
        if (m && (m < l.items || m >= l.items + l.n))
            __builtin_trap();
        if (m)
            m->used++;
    }
    supp_free(&l);
    return 0;
}
