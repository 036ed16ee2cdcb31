/*
 * suppression_defaults.c — the built-in suppressions (the report and the CI gate): memory that the C and C++ runtimes
 * allocate on a program's behalf and keep until the process ends, by design. A clean unit-test
 * binary must pass the exit check although these blocks are still live when the exit record is
 * written. Each entry names functions that only the runtime defines (reserved identifiers or standard
 * functions a program cannot redefine), so no user code is silenced by accident.
 *
 * Allocations whose whole stack lies in system libraries (library constructors, the loader) are
 * not suppressed here: model/runtime.c sets them apart by rule, and applies this list for the report
 * too (the runtime's blocks are sites of their own). `--no-default-suppressions` turns it off in the gate.
 * Keep docs/ci.md ("What counts as live at exit") in step with this list.
 */
#include <string.h>

#include "model/suppressions.h"

static const char default_suppressions[] =
    "# stdio: the buffer of a FILE (stdout, stderr, an unclosed stream) is allocated on first use\n"
    "[glibc: stdio buffer]\n"
    "fun:_IO_file_doallocate\n"
    "# locale data, message catalogues and their alias tables (setlocale, strerror, gettext)\n"
    "[glibc: locale]\n"
    "fun:_nl_*\n"
    "[glibc: setlocale]\n"
    "fun:setlocale\n"
    "# the dynamic loader: dlopen bookkeeping, TLS blocks of threads\n"
    "[glibc: loader]\n"
    "fun:_dl_*\n"
    "# name-service switch caches (getpwnam, getaddrinfo, ...)\n"
    "[glibc: nss]\n"
    "fun:__nss_*\n"
    "[glibc: nss modules]\n"
    "fun:nss_*\n"
    "# time zone data (localtime, tzset)\n"
    "[glibc: time zone]\n"
    "fun:__tzfile_read\n"
    "[glibc: tzset]\n"
    "fun:tzset_internal\n"
    "# iconv module configuration cache\n"
    "[glibc: gconv cache]\n"
    "fun:__gconv_load_cache\n"
    "[glibc: gconv config]\n"
    "fun:__gconv_read_conf\n"
    "# libstdc++: per-thread exception globals, the emergency exception pool, locale facets\n"
    "[libstdc++: exception globals]\n"
    "fun:__cxa_get_globals*\n"
    "[libstdc++: emergency exception pool]\n"
    "fun:*::pool::pool*\n"
    "obj:libstdc++.so*\n"
    "[libstdc++: locale]\n"
    "fun:std::locale::*\n"
    "obj:libstdc++.so*\n"
    "[libstdc++: thread_local destructors]\n"
    "fun:__cxa_thread_atexit*\n";

int supp_load_defaults(supp_list *l, ls_error *err)
{
    return supp_parse(l, "(built-in suppressions)", default_suppressions, strlen(default_suppressions), 1,
                      err);
}
