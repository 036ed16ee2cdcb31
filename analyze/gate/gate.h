/*
 * gate.h — the CI gate: `leakstamp-analyze --gate [options] PATH...` (called by `leakstamp gate`).
 *
 * It decides whether a job's reports pass: in growth mode a site fails when its verdict is `leak` and
 * it grows more than --max-growth bytes per event; in exit mode (a job without stamps: a unit-test
 * binary) a site fails when it still holds more than --max-live bytes in the exit record. Allocations
 * that are the runtime's own (model/runtime.h: system libraries, the interpreter, model/suppression_defaults.c) never fail;
 * --suppress files silence more; --baseline accepts what an earlier run already leaked. The job's own
 * exit status (--job-status, from the wrapper) decides the "job failed" outcome.
 *
 * Files (in analyze/gate/ unless named): gate_options.c (command line), gate.c (decision),
 * gate_result.h (what was decided), gate_output.c (table, verdict line, GitHub annotations), junit.h/.c
 * (JUnit XML), baseline.c, json_reader.c; model/suppressions.c (the --suppress format and matcher),
 * common/size.c (SIZE).
 * Exit codes and rules: docs/ci.md.
 */
#ifndef LS_GATE_H
#define LS_GATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/diag.h"
#include "gate/gate_result.h"

/* Exit codes of the gate (docs/ci.md). GATE_EXIT_LEAKS is the default of --error-exitcode. */
enum { GATE_EXIT_CLEAN = 0, GATE_EXIT_LEAKS = 1, GATE_EXIT_ERROR = 2, GATE_EXIT_JOB_FAILED = 3 };

typedef enum { GATE_CHECK_AUTO, GATE_CHECK_GROWTH, GATE_CHECK_EXIT, GATE_CHECK_BOTH } gate_check;

typedef struct gate_options {
    uint64_t max_growth;          /* --max-growth SIZE: bytes per event (default 0) */
    uint64_t max_live;            /* --max-live SIZE: bytes at exit per site (default 0) */
    double tolerance;             /* --tolerance PCT / 100 (default 0.10) */
    const char **suppress;        /* --suppress FILE (repeatable) */
    size_t nsuppress;
    int default_suppressions;     /* 0 after --no-default-suppressions */
    const char *baseline;         /* --baseline PATH */
    const char *junit;            /* --junit FILE */
    int error_exitcode;           /* --error-exitcode N (default 1) */
    int job_status;               /* exit code, GATE_JOB_SIGNALED + signal, -1 unknown (gate_result.h) */
    const char *job_opt, *job_value;   /* the option that gave job_status and its value, or NULL */
    gate_check check;             /* --check auto|growth|exit|both */
    unsigned fail_on;             /* --fail-on: bit 1 << LS_DEFINITE.. of the heap scan's categories
                                   * the exit check counts (default definite,indirect) */
    int validate_only;            /* --validate-only: check options and files, read no reports */
    int github;                   /* GITHUB_ACTIONS=true in the environment */
    int help;
} gate_options;

/* Whether argv asks for the gate (an argument "--gate" before any "--"). */
int gate_requested(int argc, char **argv);

/* Splits argv: gate options into *g, the rest (without "--gate") into rest (argv[0] first), which the
 * caller passes to options_parse. rest must hold argc + 3 pointers. -1 with err on a bad value. */
int gate_options_parse(int argc, char **argv, gate_options *g, char **rest, int *nrest, ls_error *err);
void gate_options_free(gate_options *g);
void gate_usage(FILE *out);

/* The whole gate, as a command (cli.c dispatches here). Returns the exit code. */
int gate_main(int argc, char **argv);

/* gate_output.c (its per-item text helpers are in gate_result.h) */
void gate_print_table(FILE *out, const gate_result *r, const gate_options *g);
void gate_print_github(FILE *out, const gate_result *r);

#endif
