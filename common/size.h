/*
 * common/size.h — the one SIZE grammar of leakstamp, compiled into the preload (LEAKSTAMP_SAMPLE,
 * LEAKSTAMP_INJECT) and the analyzer (--max-growth, --max-live), so that a size means the same
 * everywhere (docs/environment.md, "Sizes").
 *
 * A whole number of bytes, an optional single space, an optional unit, case-insensitive:
 *   B (bytes); K, KiB, M, MiB, G, GiB (binary: 1024, 1024², 1024³);
 *   KB, MB, GB (decimal: 1000, 1000², 1000³, as the SI prefixes say).
 * Rejected: a sign, a fraction, an unknown unit, anything after the unit, a value above 2^53 bytes
 * (so that it stays exact as a JSON number). Pure: no allocation, no locale, safe before start-up.
 */
#ifndef LS_COMMON_SIZE_H
#define LS_COMMON_SIZE_H

#include <stdint.h>

#define LS_SIZE_MAX (1ULL << 53)

/* 0 with *out set; -1 on a malformed or too large value (and *out untouched). */
int ls_size_parse(const char *s, uint64_t *out);

#endif
