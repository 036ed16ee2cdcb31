/*
 * hooks_fast.h — the constants hooks_fast.S shares with the C code (core.h includes it; core.h's
 * static asserts check the offsets against struct ls_real).
 */
#ifndef LS_HOOKS_FAST_H
#define LS_HOOKS_FAST_H

#define LS_FILTER_BITS 15          /* 32 KiB: stays in cache; a few thousand live samples fill few buckets */
#define LS_FILTER_MUL 0x9e3779b1   /* the sample filter's hash: the low 32 bits of p times this, top bits */
#define LS_REAL_MALLOC 0           /* offsets in struct ls_real */
#define LS_REAL_FREE 8

#endif
