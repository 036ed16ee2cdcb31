/*
 * stack_cut.h — which frames of a site's stack the text and HTML reports show. A job driven from
 * python through ctypes has twenty frames of interpreter and libffi outside every leak; what a reader
 * needs is the site's frame, the call that allocated beneath it, and the job's own callers up to the
 * event function. Shown by default:
 *   - the frame just inside the site's frame (the call that allocated: std::make_shared, strdup);
 *   - from the site's frame outwards up to the event function, and past it while the frames are the
 *     job's own code; the stack is cut at the first frame outside it (a system library, the
 *     interpreter: model/runtime.h, or the runtime roles of frames.h);
 * --stack-depth N shows N frames from the site's frame outwards instead; --full-stacks every frame.
 * JSON and the exports always carry whole stacks.
 */
#ifndef LS_STACK_CUT_H
#define LS_STACK_CUT_H

#include <stddef.h>

#include "model/analysis.h"
#include "options.h"

typedef struct stack_cut {
    size_t first, end;        /* frames [first, end) are shown */
    size_t hidden;            /* nframes - (end - first) */
} stack_cut;

stack_cut stack_cut_of(const ls_site *s, const char *event_name, const ls_options *o);

#endif
