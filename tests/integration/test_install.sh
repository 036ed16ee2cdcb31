# test_install.sh — `make install PREFIX=...` into a temporary prefix, then the installed tool alone:
# the launcher finds its library and analyzer in the prefix, knows its version, pkg-config gives the
# header's flags, the man pages render, and a job built with those flags is analysed.

install_prefix() {
    make -C "$ROOT" --no-print-directory -s install PREFIX="$T/prefix" >/dev/null
}

test_install_layout() {
    install_prefix
    local p=$T/prefix f
    for f in bin/leakstamp bin/leakstamp-analyze lib/leakstamp/libleakstamp.so include/leakstamp.h \
             share/man/man1/leakstamp.1 share/man/man3/leakstamp_stamp.3 share/doc/leakstamp/cli.md \
             share/doc/leakstamp/exports.md lib/pkgconfig/leakstamp.pc; do
        [ -e "$p/$f" ] || fail "missing $f"
    done
    [ -x "$p/bin/leakstamp" ] && [ -x "$p/bin/leakstamp-analyze" ]
    expect_eq "wrapper version" "leakstamp $(cat "$ROOT/VERSION")" "$("$p/bin/leakstamp" --version)"
    expect_eq "run --version" "leakstamp $(cat "$ROOT/VERSION")" "$("$p/bin/leakstamp" run --version)"
    expect_eq "analyzer version" "leakstamp-analyze $(cat "$ROOT/VERSION")" "$("$p/bin/leakstamp" report --version)"
    expect_eq "bin/leakstamp is the launcher program" ELF "$(head -c 4 "$p/bin/leakstamp" | tail -c 3)"
    "$p/bin/leakstamp" --help | grep -q 'usage: leakstamp run'
    "$p/bin/leakstamp" run --help | grep -q 'usage: leakstamp run'
    "$p/bin/leakstamp" report --help | grep -q 'usage: leakstamp-analyze'
    "$p/bin/leakstamp-analyze" --help | grep -q -- '--pprof-event'
    expect_eq "pkg-config" "-I$p/include" "$(PKG_CONFIG_PATH=$p/lib/pkgconfig pkg-config --cflags leakstamp | sed "s/ *$//")"
    expect_eq "pkg-config libs" "" "$(PKG_CONFIG_PATH=$p/lib/pkgconfig pkg-config --libs leakstamp | tr -d " ")"
    # the man pages: no groff warnings, and man finds them under the prefix
    for f in "$p/share/man/man1/leakstamp.1" "$p/share/man/man3/leakstamp_stamp.3"; do
        [ -z "$(groff -man -Tutf8 -ww "$f" 2>&1 >/dev/null)" ] || fail "groff warnings in $f"
    done
    MANPATH=$p/share/man MANWIDTH=80 man leakstamp_stamp 2>/dev/null | grep -q 'leakstamp_stamp - mark a point'
    MANPATH=$p/share/man MANWIDTH=80 man 1 leakstamp 2>/dev/null | grep -q 'leakstamp report'
}

test_install_runs_a_job() {
    install_prefix
    local p=$T/prefix
    # a job built with the installed header through pkg-config, linked with nothing of ours
    cat > job.c <<'C'
#include <stdlib.h>
#include <leakstamp.h>
int main(void)
{
    for (int i = 0; i < 20; i++) {
        leakstamp_stamp("event");
        void *volatile keep = malloc(1000);   /* leaks 1000 bytes per event */
        (void)keep;
    }
    return 0;
}
C
    cc $(PKG_CONFIG_PATH=$p/lib/pkgconfig pkg-config --cflags leakstamp) -O0 -g -o job job.c
    # the installed wrapper preloads the installed library (not the build tree's)
    expect_eq "preloaded library" "$(realpath "$p/lib/leakstamp/libleakstamp.so")" \
        "$(realpath "$(env -u LEAKSTAMP_LIB "$p/bin/leakstamp" run -q -o o1 -- sh -c 'echo "$LD_PRELOAD"' | cut -d: -f1)")"
    env -u LEAKSTAMP_LIB -u LEAKSTAMP_ANALYZE "$p/bin/leakstamp" run -q -o out -- ./job
    env -u LEAKSTAMP_ANALYZE "$p/bin/leakstamp" report --format json out > r.json
    expect_eq "events" 20 "$(jq '.events' r.json)"
    expect_eq "leak" 1000 "$(jq '[.sites[] | select(.verdict=="leak")][0].bytes_per_event' r.json)"
    # the job runs without the preload too (the symbol is weak)
    ./job
}
