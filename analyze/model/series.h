/*
 * series.h — values at event boundaries, rebuilt from the report's sparse records.
 *
 * `site` lines carry absolute totals and appear only when a site changed, so the value of a site at a
 * boundary stamp is the last total seen at or before it (0 if none yet). A view may sum several
 * processes with different numbers of events: past its own last event, a process contributes its last
 * value (it does not drop to zero, which would look like a huge free).
 */
#ifndef LS_SERIES_H
#define LS_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "read/report.h"

/* bytes[i] += live bytes of stack s at stamp bounds[i] (i < nb; carried forward up to n); same for
 * allocs. */
void series_add_site(const ls_stack *s, const uint32_t *bounds, size_t nb, double *bytes,
                     double *allocs, size_t n);

/* METRIC_JOB_RSS: RSS less the tool's own resident tables (the `toolmem` line); METRIC_TOOL_RSS/VM: those. */
typedef enum {
    METRIC_RSS, METRIC_VM, METRIC_HEAP, METRIC_MAPPED, METRIC_JOB_RSS, METRIC_TOOL_RSS, METRIC_TOOL_VM
} ls_metric;

/* out[i] += the process metric at stamp bounds[i], carried forward up to n. */
void series_add_metric(const ls_report *r, const uint32_t *bounds, size_t nb, ls_metric m,
                       double *out, size_t n);

#endif
