/*
 * junit.h — the gate's JUnit XML report (--junit FILE), junit.c. It reads a finished gate_result
 * (gate_result.h); gate.c calls junit_write.
 */
#ifndef LS_JUNIT_H
#define LS_JUNIT_H

#include <stdio.h>

#include "base/diag.h"
#include "gate/gate_result.h"

int junit_write(const char *path, const gate_result *r, ls_error *err);
/* XML-escape s (text and attribute values) into out: & < > " ' as entities, characters XML 1.0
 * forbids (C0 controls but TAB/LF/CR) and bytes that are not UTF-8 as U+FFFD. */
void junit_escape(FILE *out, const char *s);
/* The same for element text: newlines stay newlines (stack traces read as lines). */
void junit_escape_text(FILE *out, const char *s);

#endif
