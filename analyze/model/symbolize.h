/*
 * symbolize.h — turns recorded frames (<module>:<address in the ELF file>) into function, source
 * file:line and inlined frames, with elfutils libdw, offline, from the module's path on disk.
 *
 * Offline means it does not matter whether the process still runs or whether a library was
 * dlclose'd: the file is opened by path and laid out at its link-time addresses (the report already
 * removed the load bias). The build-id recorded in the report is compared with the file's, and a
 * difference is warned about once per module (the file was rebuilt since the run).
 *
 * Results are cached per (module, address): a report's stacks share most of their frames.
 */
#ifndef LS_SYMBOLIZE_H
#define LS_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "read/report.h"
#include "read/strpool.h"

typedef struct ls_symframe {
    const char *function; /* demangled; NULL when unknown */
    const char *file;     /* source file; NULL when unknown */
    int line;             /* 0 when unknown */
    const char *module;   /* module path; NULL for a frame no module mapped */
    uint64_t addr;        /* the recorded address (in the module's file, or raw) */
    int inlined;          /* this frame was inlined into the next (outer) one */
    int role;             /* see frames.h; set by frames_classify */
} ls_symframe;

typedef struct ls_symbolizer ls_symbolizer;

/* Strings in returned frames belong to `pool` and live as long as it does. */
ls_symbolizer *symbolizer_new(strpool *pool);
void symbolizer_free(ls_symbolizer *s);

/* Append the frames for one recorded frame of report `r` (inlined callees first, then the function
 * that contains the address) to *out. Never fails: what cannot be resolved stays NULL/0. */
void symbolize_frame(ls_symbolizer *s, const ls_report *r, const ls_frame *f, ls_symframe **out,
                     size_t *n, size_t *cap);

/* C++ demangling of a symbol name; returns a pooled string (name itself when not mangled). */
const char *symbolize_demangle(strpool *pool, const char *name);

#endif
