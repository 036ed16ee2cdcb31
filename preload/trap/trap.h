/*
 * trap/trap.h — the named-stamp room of libleakstamp.so (docs/named-stamps.md): breakpoints at the entry
 * of functions named on the command line. Included by this room's files only; it includes
 * report/report.h (stamps, the module table) and, through it, core/core.h. Its files:
 *   elf_symbols.c     function symbols of an ELF file on disk (.symtab and .dynsym)
 *   symstamp_names.c  LEAKSTAMP_EVENT / LEAKSTAMP_STAMPS / LEAKSTAMP_INJECT, and name matching
 *   symstamp.c        finding the named functions in every loaded object, at start and after dlopen
 *   symstamp_inject.c the calibration leak (--inject)
 *   trap.c            int3 breakpoints and the SIGTRAP handler
 *   trap_insn.c       running the instruction an int3 displaced (emulated or out of line)
 *   trap_signals.c    keeping our SIGTRAP handler in place when the job installs its own
 * Everything is hidden; only leakstamp_inject_calibration is exported (so that a stripped
 * libleakstamp.so still names the calibration site).
 */
#ifndef LS_TRAP_H
#define LS_TRAP_H

#include "report/report.h"

#include <signal.h>
#include <ucontext.h>

/* ---- elf_symbols.c ---- */
/* Called for each defined function symbol: run-time address (bias + st_value) and the PROT_* of its
 * segment. Returning non-zero stops the walk. */
typedef int (*ls_elf_fn_cb)(const char *name, uintptr_t addr, int prot, void *arg);
LS_HIDDEN int ls_elf_each_function(const char *path, uintptr_t bias, ls_elf_fn_cb cb, void *arg);

/* ---- symstamp_names.c ---- */
#define LS_SYM_MAX_NAMES 64
enum ls_symkind {
    LS_SYM_MANGLED,     /* _Z...: compared with the symbol as is */
    LS_SYM_PLAIN,       /* a C identifier: a C function, or a C++ function at global scope (any overload) */
    LS_SYM_QUALIFIED,   /* ns::Class::method: every overload */
    LS_SYM_SIGNATURE,   /* ns::Class::method(int) const: one function */
};
struct ls_symname {
    const char *text;      /* as the user wrote it: the stamp's name */
    char *norm;            /* whitespace-normalised, for demangled comparison */
    char *hint;            /* "<len><identifier>" of the last name component, a pre-filter on mangled names */
    enum ls_symkind kind;
    _Atomic int matches;   /* functions armed for this name, over the whole run */
    /* A tail (`Class::method` for ns::Class::method) must name one function or overload set: the
     * first such name part matched (arena copy), and whether another one was refused (said once). */
    const char *tail_owner;
    int tail_refused;
};
struct ls_symconfig {
    struct ls_symname names[LS_SYM_MAX_NAMES];
    int n;
    int event;             /* index of the --event name, -1 without one */
    uint64_t inject;       /* bytes leaked per event boundary, 0 for none */
    int summary_by_launcher;   /* LEAKSTAMP_NAMES_SUMMARY: the launcher says unmatched names, not each process */
    int loaded;
};
extern struct ls_symconfig ls_sym LS_HIDDEN;
LS_HIDDEN int ls_symconfig_load(void);   /* 0, or -1 after printing why (then no named stamps) */
/* Split a symbol into its base name: 0 with the base copied to `base`, -1 when it is no entry
 * (a .cold part, or too long). */
LS_HIDDEN int ls_sym_base(const char *sym, char *base, size_t cap);
/* Does a name match the symbol (base name, its demangled form or NULL)? LS_MATCH_TAIL: the name is a
 * tail of the function's qualified name, which the caller accepts only while it is unique. */
enum { LS_MATCH_NONE, LS_MATCH_EXACT, LS_MATCH_TAIL };
LS_HIDDEN int ls_sym_matches(const struct ls_symname *n, const char *base, const char *demangled);
LS_HIDDEN size_t ls_sym_name_length(const char *demangled);   /* without the parameter list */
/* How far a function's name (demangled, or the symbol) is from a name that matched nothing: an edit
 * distance over as many trailing components as the user wrote; "did you mean" lists names within
 * ls_sym_distance_limit. */
LS_HIDDEN unsigned ls_sym_distance(const struct ls_symname *n, const char *name);
LS_HIDDEN unsigned ls_sym_distance_limit(const struct ls_symname *n);
/* Demangle into a normalised, comparable form (abi tags dropped, spaces normalised); NULL when the
 * symbol is not a C++ function name we should consider (not mangled, a thunk, too long). Allocates
 * nothing: safe in the loader's breakpoint, before the new objects are relocated. */
LS_HIDDEN char *ls_sym_demangle(const char *base, char *out, size_t cap);
/* The same as the report prints it (the demangler's own spacing, abi tags kept), for messages. */
LS_HIDDEN char *ls_sym_demangle_printed(const char *base, char *out, size_t cap);
LS_HIDDEN int ls_sym_needs_demangling(const char *base);   /* some name could match it demangled */

/* symstamp.c fills in ls_named_stamps (report/report.h): start, header keys, the symbols record. */

/* ---- symstamp_inject.c ---- */
LS_HIDDEN void ls_inject_event(void);   /* called at each event boundary when ls_sym.inject > 0 */

/* ---- trap_insn.c ---- */
struct ls_insn {
    uint8_t kind;        /* enum in trap_insn.c */
    uint8_t len;         /* bytes of the displaced instruction */
    uint8_t reg;         /* register of a push */
    int32_t imm;         /* immediate of a sub */
    uint8_t *slot;       /* out-of-line copy, followed by a jump back */
};
/* Decode the instruction at `code` (its original bytes) and prepare to run it: 0, or -1 with `why`. */
LS_HIDDEN int ls_insn_prepare(const uint8_t *code, struct ls_insn *in, char *why, size_t cap);
/* fork: the scratch lock, taken before and released after on both sides (nested in the arm lock). */
LS_HIDDEN void ls_insn_fork_prepare(void);
LS_HIDDEN void ls_insn_fork_done(void);
/* Run the displaced instruction on the interrupted context (after the trap). */
LS_HIDDEN void ls_insn_run(const struct ls_insn *in, uintptr_t addr, ucontext_t *uc);

/* ---- trap.c ---- */
typedef void (*ls_trap_fn)(void *arg, ucontext_t *uc);
LS_HIDDEN int ls_trap_init(void);   /* install the SIGTRAP handler; 0 or -1 */
/* Put an int3 at addr: 0 armed, -1 failed (why says why). */
LS_HIDDEN int ls_trap_arm(uintptr_t addr, int prot, ls_trap_fn fn, void *arg, int owner, char *why, size_t cap);
LS_HIDDEN void *ls_trap_arg(uintptr_t addr);      /* arg of a live trap at addr, or NULL */
LS_HIDDEN void ls_trap_forget_owner(int owner);   /* its object was unmapped: its traps are gone */
LS_HIDDEN int ls_trap_installed(void);
/* fork: the arm and scratch locks, taken before and released after on both sides. */
LS_HIDDEN void ls_trap_fork_prepare(void);
LS_HIDDEN void ls_trap_fork_done(void);
/* The job's own SIGTRAP disposition, which our handler chains to (trap_signals.c keeps it). */
LS_HIDDEN void ls_trap_job_action(const struct sigaction *act, struct sigaction *old);
LS_HIDDEN int ls_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
/* After the handler is installed: SIGTRAP unblocked here, raw masks filtered (trap_signals.c). */
LS_HIDDEN void ls_trap_keep_deliverable(void);

#endif
