# test_exports.sh — the exports (docs/exports.md), each from a real run of the demo job under the
# preload, each checked by its real consumer when that is installed (google-pprof, numpy) and always by
# a strict reader of the format written here (awk/od), so `make test` checks the format everywhere.

# A run of the leaky demo into ./out (30 events: leaks of 4096 and 18 x 48 bytes per event).
demo_run() { "$WRAP" run -q -o out -- "$JOBS/demo_leaky" 30 >/dev/null; }

# npy_header FILE: "descr rows cols datastart" after checking magic, version 1.0, header padding
# (the whole header a multiple of 64 bytes, ending in '\n') and that the data is exactly rows*cols*8 bytes.
npy_header() {
    local f=$1 magic ver hlen hdr descr rows cols size
    magic=$(head -c 6 "$f" | od -An -tx1 | tr -d ' \n')
    [ "$magic" = 934e554d5059 ] || { fail "$f: bad magic $magic"; return 1; }
    ver=$(od -An -tu1 -j6 -N2 "$f" | tr -s ' ' | sed 's/^ //')
    [ "$ver" = "1 0" ] || { fail "$f: version $ver, expected 1 0"; return 1; }
    hlen=$(od -An -tu2 -j8 -N2 --endian=little "$f" | tr -d ' ')
    [ $(( (10 + hlen) % 64 )) -eq 0 ] || { fail "$f: header length $hlen not padded to 64"; return 1; }
    hdr=$(tail -c +11 "$f" | head -c "$hlen")
    [ "$(tail -c +11 "$f" | head -c "$hlen" | tail -c 1 | od -An -tx1 | tr -d ' ')" = 0a ] ||
        { fail "$f: header does not end in a newline"; return 1; }
    [[ $hdr =~ ^\{\'descr\':\ \'(\<[if]8)\',\ \'fortran_order\':\ False,\ \'shape\':\ \(([0-9]+),\ ([0-9]+)\),\ \}\ *$ ]] ||
        { fail "$f: header '$hdr'"; return 1; }
    descr=${BASH_REMATCH[1]} rows=${BASH_REMATCH[2]} cols=${BASH_REMATCH[3]}
    size=$(stat -c %s "$f")
    [ "$size" -eq $((10 + hlen + rows * cols * 8)) ] || { fail "$f: $size bytes, expected $((10 + hlen + rows * cols * 8))"; return 1; }
    echo "$descr $rows $cols $((10 + hlen))"
}

# npy_value FILE DATASTART COLS ROW COL TYPE(d8|f8): one element (C order, little-endian)
npy_value() {
    od -An -t "$6" --endian=little -j $(( $2 + ($4 * $3 + $5) * 8 )) -N 8 "$1" | tr -d ' '
}

# a python3 that has numpy, if any (the Debian python3-numpy is for /usr/bin/python3)
numpy_python() {
    local p
    for p in python3 /usr/bin/python3; do
        command -v "$p" >/dev/null && "$p" -c 'import numpy' 2>/dev/null && { echo "$p"; return 0; }
    done
    return 1
}

test_csv_rfc4180() {
    demo_run
    "$ANALYZE" --format csv -o sites.csv out
    # every line ends in CRLF
    [ "$(grep -c $'\r$' sites.csv)" = "$(wc -l < sites.csv)" ] || fail "lines without CRLF"
    # a strict RFC 4180 reader: fields, quoted fields with "" inside; every record has 18 fields
    awk 'BEGIN { RS = "\r\n" }
         { n = 0; s = $0
           while (length(s) > 0 || n == 0) {
               if (substr(s, 1, 1) == "\"") {
                   s = substr(s, 2); v = ""
                   while (1) {
                       i = index(s, "\""); if (!i) { print "unterminated quote in record " NR; exit 1 }
                       v = v substr(s, 1, i - 1); s = substr(s, i + 1)
                       if (substr(s, 1, 1) == "\"") { v = v "\""; s = substr(s, 2) } else break
                   }
                   if (s != "" && substr(s, 1, 1) != ",") { print "text after a closing quote in record " NR; exit 1 }
               } else {
                   i = index(s, ","); v = i ? substr(s, 1, i - 1) : s; s = i ? substr(s, i) : ""
                   if (index(v, "\"")) { print "quote inside an unquoted field in record " NR; exit 1 }
               }
               f[++n] = v
               if (s == "") break
               s = substr(s, 2); if (s == "") { f[++n] = ""; break }
           }
           if (n != 18) { print "record " NR " has " n " fields"; exit 1 }
           if (NR > 1 && f[11] ~ /write_ntuple_row/) { ntuple = f[3] }
         }
         END { if (ntuple != 4096) { print "write_ntuple_row bytes_per_event " ntuple; exit 1 } }' sites.csv
    # the C++ name with a comma is one quoted field
    grep -q '"sim::write_ntuple_row(bool, double)"' sites.csv
    # the same rows as TSV
    expect_eq "rows" "$("$ANALYZE" --format tsv out | wc -l)" "$(wc -l < sites.csv)"
    if p=$(command -v python3); then
        "$p" -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1], newline=""))); assert all(len(r)==18 for r in rows), rows; assert rows[0][16:] == ["kind", "mapped_file"], rows[0]; assert rows[1][16] == "heap", rows[1]; assert rows[1][10].startswith("sim::write_ntuple_row"), rows[1]' sites.csv
    fi
}

test_collapsed_format() {
    demo_run
    "$ANALYZE" --format collapsed out > stacks.folded
    [ -s stacks.folded ] || fail "empty"
    # strict: frames are non-empty and ';'-separated, then one space and a positive integer weight
    awk '{ w = $NF; sub(/ [0-9]+$/, "")
           if (w !~ /^[1-9][0-9]*$/) { print "line " NR ": weight " w; exit 1 }
           n = split($0, fr, ";")
           for (i = 1; i <= n; i++) if (fr[i] == "") { print "line " NR ": empty frame"; exit 1 }
           if (fr[1] != "_start") { print "line " NR ": not outermost first: " fr[1]; exit 1 } }' stacks.folded
    grep -q ';main;sim::write_ntuple_row(bool, double) 4096$' stacks.folded
    grep -q ';main;sim::Digitizer::digitize(.*) 864$' stacks.folded
    # function names without symbol versions (elfutils gives "__libc_start_main@@GLIBC_2.34")
    grep -q '^_start;__libc_start_main;' stacks.folded || fail "libc frame: $(head -1 stacks.folded)"
    ! grep -q '@' stacks.folded || fail "a symbol version: $(grep -m1 '@' stacks.folded)"
    # the consumers, when installed
    if command -v flamegraph.pl >/dev/null; then flamegraph.pl stacks.folded > fg.svg && grep -q write_ntuple_row fg.svg; fi
    if command -v inferno-flamegraph >/dev/null; then inferno-flamegraph stacks.folded > fg.svg && grep -q write_ntuple_row fg.svg; fi
    # a clean run has nothing growing: empty output, exit 0
    "$WRAP" run -q -o clean -- "$JOBS/demo_leaky" 20 --no-leak >/dev/null
    expect_eq "clean run" "" "$("$ANALYZE" --format collapsed clean)"
}

test_npy_arrays() {
    demo_run
    "$ANALYZE" --format npy -o arr out
    local h rows cols start report
    report=$(one_report out)
    h=$(npy_header arr/stamps.npy); read -r d rows cols start <<<"$h"
    expect_eq "stamps dtype" "<i8" "$d"
    expect_eq "stamps columns" 9 "$cols"
    expect_eq "stamps rows" "$(grep -c $'^stamp\t' "$report")" "$rows"
    # row 0 is the first stamp record: seq, time, vm, rss, heap bytes as in the report
    local first
    first=$(awk -F'\t' '$1=="stamp"{print $2, $4, $5, $6, $7; exit}' "$report")
    expect_eq "first stamp" "$first" "$(for c in 2 4 5 6 7; do npy_value arr/stamps.npy "$start" 9 0 $c d8; done | tr '\n' ' ' | sed 's/ $//')"
    h=$(npy_header arr/live_bytes.npy); read -r d rows cols start <<<"$h"
    expect_eq "live dtype" "<f8" "$d"
    expect_eq "sites" 2 "$rows"
    expect_eq "events" 31 "$cols"
    expect_eq "index sites" 2 "$(jq '.sites | length' arr/index.json)"
    expect_eq "row 0 site" "sim::write_ntuple_row(bool, double)" "$(jq -r '.sites[0].function' arr/index.json)"
    # row 0 (write_ntuple_row) grows by 4096 per event: the last two columns differ by 4096
    local a b
    a=$(npy_value arr/live_bytes.npy "$start" "$cols" 0 $((cols - 2)) f8)
    b=$(npy_value arr/live_bytes.npy "$start" "$cols" 0 $((cols - 1)) f8)
    expect_eq "growth of row 0" 4096 "$(awk -v a="$a" -v b="$b" 'BEGIN{print b - a}')"
    h=$(npy_header arr/growth_bytes.npy); read -r d rows cols start <<<"$h"
    expect_eq "growth, last event" 4096 "$(awk -v v="$(npy_value arr/growth_bytes.npy "$start" "$cols" 0 $((cols - 1)) f8)" 'BEGIN{print v + 0}')"
    # numpy itself, when installed
    local py
    if py=$(numpy_python); then
        "$py" - arr <<'PY'
import json, sys
import numpy as np
d = sys.argv[1]
s = np.load(d + "/stamps.npy"); l = np.load(d + "/live_bytes.npy"); g = np.load(d + "/growth_bytes.npy")
ix = json.load(open(d + "/index.json"))
assert s.dtype == np.dtype("<i8") and s.shape[1] == len(ix["stamps_columns"]) == 9, s.shape
assert l.dtype == np.dtype("<f8") and l.shape == (len(ix["sites"]), ix["events"]), l.shape
assert np.allclose(g.cumsum(axis=1), l)
ev = s[:, ix["stamps_columns"].index("event")]
assert ev.max() == ix["events"], ev.max()
assert abs(np.diff(l[0])[-10:] - 4096).max() == 0
PY
    else
        echo "note: numpy not installed; checked the .npy files with od only"
    fi
    # -o is required, and a file in the way is an error
    "$ANALYZE" --format npy out 2>err && fail "npy without -o succeeded"
    grep -q 'needs -o DIR' err
}

test_pprof_heap_profile() {
    demo_run
    "$ANALYZE" --format pprof --pprof-event 5 -o ev5.heap out
    "$ANALYZE" --format pprof -o last.heap out
    head -1 last.heap | grep -Eq '^heap profile: +[0-9]+: +[0-9]+ \[ *[0-9]+: +[0-9]+\] @ heapprofile$'
    # every stack line is "N: B [N: B] @ 0x.. 0x..", then a blank line and the mapped libraries
    awk 'NR == 1 { next }
         /^$/ { blank = 1; next }
         blank && /^MAPPED_LIBRARIES:$/ { maps = 1; next }
         maps { if ($0 !~ /^[0-9a-f]+-[0-9a-f]+ r-xp [0-9a-f]+ 00:00 0 \//) { print "map line " NR; exit 1 } next }
         !/^ *[0-9]+: +[0-9]+ \[ *[0-9]+: +[0-9]+\] @( 0x[0-9a-f]+)+$/ { print "stack line " NR ": " $0; exit 1 }
         END { if (!maps) { print "no MAPPED_LIBRARIES"; exit 1 } }' last.heap
    grep -q " $JOBS/demo_leaky\$" last.heap
    "$ANALYZE" --format pprof --pprof-event 99 out 2>err && fail "--pprof-event 99 succeeded"
    grep -q 'no such event' err
    if ! command -v google-pprof >/dev/null; then
        echo "note: google-pprof (google-perftools) not installed; checked the format only"
        return 0
    fi
    google-pprof --text "$JOBS/demo_leaky" last.heap > last.txt 2>&1
    grep -q 'sim::LookupTable::LookupTable' last.txt
    grep -q 'sim::write_ntuple_row' last.txt
    # the diff between events 5 and 31: the 50 MB table is gone, the leaks are what is left
    google-pprof --text --show_bytes --base=ev5.heap "$JOBS/demo_leaky" last.heap > diff.txt 2>&1
    cat diff.txt
    ! grep -q LookupTable diff.txt || fail "the table allocated in event 1 shows in the diff"
    # 26 events x 4096 bytes
    grep -Eq '^ +106496 .*sim::write_ntuple_row' diff.txt
    grep -Eq '^ +22464 .*sim::Digitizer::digitize' diff.txt   # 26 x 18 x 48
}

test_html_structure() {
    demo_run
    "$ANALYZE" --format html -o report.html out
    # well-formed: the HTML parser accepts it (it does not know SVG element names: those messages are
    # expected), and it is even well-formed XML
    xmllint --html --noout report.html 2> html.err
    ! grep -v 'Tag [a-z]* invalid' html.err | grep -q 'error' || { cat html.err; fail "HTML parser errors"; }
    xmllint --noout report.html
    # the pictures: 3 whole-process charts, the site chart, the stamp bar
    expect_eq "svg elements" 5 "$(grep -c '^<svg ' report.html)"
    grep -q '<polyline' report.html
    grep -q 'stroke-dasharray' report.html          # the fitted lines
    grep -q 'slope +4.00 KiB\|slope' report.html
    grep -q 'sim::write_ntuple_row(bool, double)' report.html
    grep -q 'demo_leaky.cpp:74' report.html
    grep -q 'Stamps of event' report.html
    # self-contained: nothing that could be fetched
    ! grep -Eqi 'https?:|src=|<script|<link|@import|url\(' report.html || fail "external reference in the page"
}
