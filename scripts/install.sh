#!/usr/bin/env bash
# install.sh — `make install PREFIX=... [DESTDIR=...]`: copies the built tool into a prefix.
#
#   bin/leakstamp (the launcher, launch/), bin/leakstamp-analyze (which it runs: next to itself)
#   lib/leakstamp/libleakstamp.so        (where the installed launcher looks: its dir/../lib/leakstamp)
#   include/leakstamp.h, lib/pkgconfig/leakstamp.pc (Cflags only: the stamp symbol is weak)
#   share/man/man1/leakstamp.1, share/man/man3/leakstamp_stamp.3, share/doc/leakstamp/*.md
#
# The version is compiled into both programs (from VERSION).
set -eu
dest=$1 prefix=$2 version=$3
root=$(cd "$(dirname "$0")/.." && pwd)
d=$dest$prefix

install -d "$d/bin" "$d/lib/leakstamp" "$d/lib/pkgconfig" "$d/include" "$d/share/man/man1" \
    "$d/share/man/man3" "$d/share/doc/leakstamp"
install -m 755 "$root/build/bin/leakstamp" "$d/bin/leakstamp"
install -m 755 "$root/build/bin/leakstamp-analyze" "$d/bin/leakstamp-analyze"
install -m 755 "$root/build/lib/libleakstamp.so" "$d/lib/leakstamp/libleakstamp.so"
install -m 644 "$root/include/leakstamp.h" "$d/include/leakstamp.h"
install -m 644 "$root/man/leakstamp.1" "$d/share/man/man1/leakstamp.1"
install -m 644 "$root/man/leakstamp_stamp.3" "$d/share/man/man3/leakstamp_stamp.3"
install -m 644 "$root"/docs/*.md "$d/share/doc/leakstamp/"
cat > "$d/lib/pkgconfig/leakstamp.pc" <<PC
prefix=$prefix
includedir=\${prefix}/include

Name: leakstamp
Description: leakstamp stamp API (leakstamp_stamp); the symbol is weak, so nothing is linked
Version: $version
Cflags: -I\${includedir}
PC
chmod 644 "$d/lib/pkgconfig/leakstamp.pc"
echo "installed leakstamp $version into $d"
