/*
 * size_arg.h — parsing a SIZE command-line value for the CI gate (--max-growth, --max-live):
 * a whole number of bytes with an optional unit, "0", "512", "4KiB", "1MiB", "2 GiB".
 * Memory is counted in binary units, so K, KB, KiB all mean 1024 (and M/MB/MiB 1024², G/GB/GiB 1024³);
 * the unit is case-insensitive, "B" alone means bytes. Anything else (a sign, a fraction, an unknown
 * unit, a value above 2^53 bytes, so it stays exact as a double) is rejected.
 */
#ifndef LS_SIZE_ARG_H
#define LS_SIZE_ARG_H

#include <stdint.h>

/* 0 and *out set; -1 on a malformed or too large value. */
int size_arg_parse(const char *s, uint64_t *out);

#endif
