#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages leakstamp builds and tests with, when any is missing.
# Called by `make test` and `make demo`, so a fresh Debian machine needs no other set-up step. Needs root
# (or sudo) only when something is missing; prints what it installs.
set -eu

# build: libunwind (unwinding), elfutils libdw (symbolization); tests: Criterion, g++, xmllint, jq
# (JSON assertions in the integration tests), google-perftools (google-pprof reads the pprof export in
# its test; small: a perl script and a library), libc6-dev (libc.a: the launcher's tests build a static
# job), libcap2-bin (setcap: the launcher's test of a program with file capabilities), python3-dev
# (python-driven test jobs: a C extension module built against Python.h, a library loaded with ctypes),
# tcmalloc and jemalloc (jobs linked with a foreign allocator that maps its arenas: test_maps.sh); the
# real-shaped job tests/jobs/detsim (issue 12): python3 drives a C++ library built on HepMC3, FastJet
# and CLHEP; ruby (a real program that calls pthread_getattr_np at thread start: test_hotpath.sh).
packages="gcc g++ make libc6-dev libunwind-dev libdw-dev libelf-dev libcriterion-dev pkg-config libxml2-utils binutils jq time google-perftools libcap2-bin python3-dev libgoogle-perftools-dev libjemalloc-dev
          python3 libhepmc3-dev libfastjet-dev libclhep-dev ruby strace"
# CPython's own test suite for Debian's python3 (tests/cpython/run.sh, in make test)
pyver=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3.11)
packages="$packages libpython$pyver-testsuite"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "install-deps: missing packages:$missing; run this script as root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
