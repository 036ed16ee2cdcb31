/*
 * u64map.h — an open-addressing hash map from 64-bit ids to array indexes.
 *
 * Reports name stacks and modules by ids chosen by the writer (not necessarily dense), and a report can
 * define hundreds of thousands of stacks, so lookups must be O(1). Only insert and lookup are needed:
 * the reader commits definitions record by record and never deletes.
 */
#ifndef LS_U64MAP_H
#define LS_U64MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct u64map {
    uint64_t *keys;
    uint32_t *vals; /* value + 1; 0 marks an empty slot */
    size_t cap, len;
} u64map;

/* Index stored for key, or -1. */
long u64map_get(const u64map *m, uint64_t key);
/* Insert or replace. */
void u64map_put(u64map *m, uint64_t key, uint32_t val);
void u64map_free(u64map *m);

#endif
