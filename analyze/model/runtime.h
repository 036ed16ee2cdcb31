/*
 * runtime.h — which allocations are the runtime's own and not the job's: the one rule that the report
 * (analysis.c keys them as sites of their own) and the gate (gate.c leaves them out of the exit check)
 * share.
 *
 *   system   every frame lies in a system library or program, the loader, the tool, or an interpreter
 *            the job runs in (the python executable, libpython): memory the runtime took for itself,
 *            reached from no code of the job's own (library constructors, CPython's own objects, the
 *            shell of a shim script that execs the job)
 *   builtin  the runtime allocated it on the job's behalf, called from the job's code: pthread_create's
 *            TLS blocks, a FILE's buffer, locale data. Recognised by the built-in suppressions
 *            (model/suppression_defaults.c) matching the frames between the allocator and the job's frame
 *            that names the site, so a job's function called back by the runtime (a constructor run
 *            by the loader) is still the job's.
 */
#ifndef LS_RUNTIME_H
#define LS_RUNTIME_H

#include <stddef.h>

#include "model/symbolize.h"

enum { RUNTIME_NONE = 0, RUNTIME_SYSTEM = 1, RUNTIME_BUILTIN = 2 };

/* A module of the system or of an interpreter (by path): not the job's own code. */
int runtime_module(const char *path);

/* RUNTIME_* of a classified stack (frames innermost first, `display` as frames_display chose). */
int runtime_stack(const ls_symframe *f, size_t n, size_t display);

#endif
