/*
 * gate.c — the gate's decision (gate.h, docs/ci.md): from the analysis of a job's reports to the
 * failing sites and the exit code.
 *
 * Growth check (jobs with stamps): every allocation location of the merged view (model/locations.c:
 * the sites with one display frame, as the report ranks them) whose verdict is `leak`, that grew in at
 * least GATE_MIN_GROWTH_EVENTS events and more than --max-growth bytes per event in one process (the
 * worst process's own rate, ls_site.worst: the limit is per process, not on the sum), unless it is the
 * runtime's, suppressed (the stack of every one of its paths matches a suppression) or accepted by
 * the baseline.
 *
 * Exit check (jobs without stamps, or --check exit|both): every stack still live in an exit record,
 * except the runtime's own (model/runtime.h: wholly inside system libraries or an interpreter, or
 * matching the built-in suppressions) and stacks matching the user's suppressions; what is left is
 * summed per site of the merged view, and a site fails when it holds more than --max-live bytes,
 * unless the baseline accepts it. When the process has an
 * exit heap scan, only the blocks in the --fail-on categories count (default: definite and indirect,
 * memcheck's "lost"): a block a global still holds at exit is not a leak.
 *
 * The job's own failure (--job-status non-zero) wins over everything: exit code 3.
 */
#include "gate/gate.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "gate/baseline.h"
#include "gate/junit.h"
#include "model/suppressions.h"
#include "model/analyze_paths.h"
#include "model/frames.h"
#include "model/runtime.h"
#include "options.h"

/* A site that grew in a single event (a cache created lazily late in the run) is not failed. */
#define GATE_MIN_GROWTH_EVENTS 2

static void init_item(gate_item *it, const ls_site *s, int kind)
{
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->site_kind = s->kind;
    it->function = s->function;
    const ls_symframe *d = s->nframes ? &s->frames[s->display] : NULL;
    it->file = d ? d->file : NULL;
    it->line = d ? d->line : 0;
    it->module = d ? d->module : NULL;
    it->frames = s->frames;
    it->nframes = s->nframes;
    it->display = s->display;
}

static int accepted(const baseline *b, gate_item *it, double cur, double margin, double tol, int growth)
{
    if (!b)
        return 0;
    const baseline_site *bs = baseline_find(b, it->function, it->file, it->line);
    it->baselined = 1;
    it->base = !bs ? 0 : growth ? (bs->leak ? bs->bytes_per_event : 0) : bs->live_bytes_exit;
    return baseline_accepts(it->base, cur, margin, tol);
}

/* The suppression matching the first path of a location whose every path matches one, or NULL. */
static suppression *location_suppression(const supp_list *supp, const ls_view *v, const ls_site *loc)
{
    suppression *first = NULL;
    for (size_t p = 0; p < loc->npaths; p++) {
        const ls_site *s = &v->sites[loc->paths[p]];
        suppression *m = supp_match(supp, s->frames, s->nframes, s->display);
        if (!m)
            return NULL;
        first = first ? first : m;
    }
    return first;
}

static void check_growth(const ls_analysis *a, const gate_options *g, supp_list *supp, const baseline *b,
                         gate_result *r)
{
    const ls_view *v = &a->merged;
    for (size_t i = 0; i < v->nlocs; i++) {
        const ls_site *s = &v->locs[i];
        double grew = round(s->g.growth_fraction * (double)(v->events > 1 ? v->events - 1 : 0));
        if (s->g.verdict != VERDICT_LEAK || grew < GATE_MIN_GROWTH_EVENTS)
            continue;
        if (!(s->worst > (double)g->max_growth)) {
            r->below++;
            continue;
        }
        r->checked_sites++;
        if (s->runtime && g->default_suppressions) {
            r->suppressed++;
            continue;
        }
        suppression *m = location_suppression(supp, v, s);
        if (m) {
            m->used++;
            r->suppressed++;
            continue;
        }
        gate_item it;
        init_item(&it, s, GATE_KIND_GROWTH);
        it.bytes_per_event = s->g.bytes_per_event;
        it.allocs_per_event = s->g.allocs_per_event;
        it.since_event = s->since_event;
        if (accepted(b, &it, it.bytes_per_event, (double)g->max_growth, g->tolerance, 1)) {
            r->baselined++;
            continue;
        }
        VEC_PUSH(r->items, r->nitems, r->cap_items, it);
    }
}

/* What the exit check counts of a stack: its blocks in the --fail-on categories of the exit scan, or
 * everything still live when the process was not scanned (and always for mappings: no scan sees them). */
static void exit_counted(const ls_report *r, const ls_stack *st, unsigned fail_on, double *bytes, double *allocs)
{
    *bytes = (double)st->exit_bytes, *allocs = (double)st->exit_allocs;
    if (!r->exit_scan || st->kind != SITE_HEAP)
        return;
    *bytes = *allocs = 0;
    for (int c = 0; c < LS_NREACH; c++)
        if (fail_on & 1u << c)
            *bytes += (double)st->scan_exit.bytes[c], *allocs += (double)st->scan_exit.allocs[c];
}

static void check_exit(const ls_analysis *a, const gate_options *g, supp_list *supp, const baseline *b,
                       gate_result *r)
{
    const ls_view *v = &a->merged;
    for (size_t i = 0; i < v->nsites; i++) {
        const ls_site *s = &v->sites[i];
        gate_item it;
        init_item(&it, s, GATE_KIND_EXIT);
        int counted = 0, suppressed = 0;
        for (size_t m = 0; m < s->nmembers; m++) {
            const ls_proc *p = &a->procs[s->members[m].proc];
            uint32_t sid = s->members[m].stack;
            const ls_stack *st = &p->r->stacks[sid];
            double bytes, allocs;
            exit_counted(p->r, st, g->fail_on, &bytes, &allocs);
            if (!p->r->exit.present || !st->has_exit || bytes <= 0)
                continue;
            if (p->runtime[sid] == RUNTIME_SYSTEM) {
                r->system_stacks++;
                continue;
            }
            if (p->runtime[sid] == RUNTIME_BUILTIN && g->default_suppressions) {
                r->runtime_stacks++;
                continue;
            }
            suppression *sm = supp_match(supp, p->frames[sid], p->nframes[sid], p->display[sid]);
            if (sm) {
                sm->used++;
                suppressed = 1;
                continue;
            }
            if (!counted) {       /* show a stack that is really counted */
                it.frames = p->frames[sid];
                it.nframes = p->nframes[sid];
                it.display = p->display[sid];
            }
            counted = 1;
            it.exit_bytes += bytes;
            it.exit_allocs += allocs;
        }
        if (!counted) {
            r->suppressed += (size_t)suppressed;
            continue;
        }
        r->checked_sites++;
        if (!(it.exit_bytes > (double)g->max_live)) {
            r->below++;
            continue;
        }
        if (accepted(b, &it, it.exit_bytes, (double)g->max_live, g->tolerance, 0)) {
            r->baselined++;
            continue;
        }
        VEC_PUSH(r->items, r->nitems, r->cap_items, it);
    }
}

void gate_job_status_text(int status, char *buf, size_t size)
{
    if (status > GATE_JOB_SIGNALED) {
        const char *name = sigabbrev_np(status - GATE_JOB_SIGNALED);
        snprintf(buf, size, "was killed by signal %d (SIG%s)", status - GATE_JOB_SIGNALED, name ? name : "?");
    } else
        snprintf(buf, size, "exited with status %d", status);
}

/* Why the JUnit file cannot be written, as an errno (0: it can): a file that is there must be a
 * writable non-directory, else its folder must be a writable directory. stat before access: access
 * on a plain file taken for the folder says EACCES (it is not searchable), not ENOTDIR. */
static int junit_path_errno(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return S_ISDIR(st.st_mode) ? EISDIR : access(path, W_OK) ? errno : 0;
    if (errno != ENOENT)
        return errno;
    char *copy = xstrdup(path);
    const char *dir = dirname(copy);
    int e = stat(dir, &st) ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : access(dir, W_OK | X_OK) ? errno : 0;
    free(copy);
    return e;
}

/* Checked with the other options, so that `leakstamp gate` refuses before the job runs, not after. */
static int check_junit_path(const char *path, ls_error *err)
{
    int e = junit_path_errno(path);
    if (e)
        ls_error_set(err, path, 0, "--junit: cannot write: %s", strerror(e));
    return e ? -1 : 0;
}

static int load_checks(const gate_options *g, supp_list *supp, baseline *b, const ls_options *o, ls_error *err)
{
    if (g->junit && check_junit_path(g->junit, err) < 0)
        return -1;
    for (size_t i = 0; i < g->nsuppress; i++)
        if (supp_load_file(supp, g->suppress[i], err) < 0)
            return -1;
    if (g->baseline && baseline_load(b, g->baseline, o, err) < 0)
        return -1;
    return 0;
}

static void decide_verdict(gate_result *r, const gate_options *g)
{
    char job[96] = "";
    int job_failed = r->job_status > 0;
    if (job_failed)
        gate_job_status_text(r->job_status, job, sizeof job);
    if (r->nitems)
        snprintf(r->verdict, sizeof r->verdict, "FAIL: %zu site%s leak%s%s%s", r->nitems,
                 r->nitems == 1 ? "" : "s", r->nitems == 1 ? "s" : "", job_failed ? "; the job " : "",
                 job);
    else if (job_failed)
        snprintf(r->verdict, sizeof r->verdict, "FAIL: the job %s", job);
    else if (r->below || r->baselined || r->suppressed)
        snprintf(r->verdict, sizeof r->verdict, "PASS: no leak above the limits (%zu under the threshold, %zu "
                 "accepted by the baseline, %zu suppressed)", r->below, r->baselined, r->suppressed);
    else
        snprintf(r->verdict, sizeof r->verdict, "PASS: no leaks");
    r->code = job_failed ? GATE_EXIT_JOB_FAILED : r->nitems ? g->error_exitcode : GATE_EXIT_CLEAN;
}

static void list_unused(const supp_list *supp)
{
    for (size_t i = 0; i < supp->n; i++)
        if (!supp->items[i].builtin && !supp->items[i].used)
            printf("leakstamp gate: unused suppression [%s] (%s:%zu)\n", supp->items[i].name,
                   supp->items[i].file, supp->items[i].line);
}

/* Growth failures first, then exit failures; each by bytes, largest first; then by name. */
static int cmp_items(const void *pa, const void *pb)
{
    const gate_item *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind - b->kind;
    double x = a->kind == GATE_KIND_GROWTH ? a->bytes_per_event : a->exit_bytes;
    double y = b->kind == GATE_KIND_GROWTH ? b->bytes_per_event : b->exit_bytes;
    if (x != y)
        return x > y ? -1 : 1;
    return strcmp(a->function, b->function);
}

static int print_outcome(gate_result *r, const gate_options *g, const supp_list *supp, ls_error *err)
{
    if (r->nitems)
        qsort(r->items, r->nitems, sizeof *r->items, cmp_items);
    decide_verdict(r, g);
    gate_print_table(stdout, r, g);
    list_unused(supp);
    if (g->github)
        gate_print_github(stdout, r);
    if (g->junit && junit_write(g->junit, r, err) < 0)
        return -1;
    printf("leakstamp gate: %s\n", r->verdict);
    return fflush(stdout) == 0 ? 0 : -1;
}

static int run_gate(const gate_options *g, const ls_options *o, ls_error *err)
{
    supp_list supp = { 0 };
    baseline b = { 0 };
    gate_result r = { 0 };
    int rc = GATE_EXIT_ERROR;
    r.job_status = g->job_status;
    if (load_checks(g, &supp, &b, o, err) < 0)
        goto out;
    if (g->validate_only) {
        rc = GATE_EXIT_CLEAN;
        goto out;
    }
    ls_analysis *a = analyze_paths(o->paths, o->npaths, o, err);
    if (!a) {
        if (r.job_status > 0) {   /* the job's failure is the news; the reports may be why */
            printf("leakstamp gate: note: the reports could not be read: %s\n", err->msg);
            rc = print_outcome(&r, g, &supp, err) < 0 ? GATE_EXIT_ERROR : r.code;
        }
        goto out;
    }
    r.procs = a->nprocs;
    for (size_t i = 0; i < a->nprocs; i++)
        r.procs_without_exit += !a->procs[i].info.exit_present;
    if (a->nprocs)
        snprintf(r.command, sizeof r.command, "%s", a->procs[0].info.command);
    r.events = a->merged.events;
    r.event_name = a->event_name;
    r.growth = g->check == GATE_CHECK_GROWTH || g->check == GATE_CHECK_BOTH ||
               (g->check == GATE_CHECK_AUTO && a->event_name);
    r.exit = g->check == GATE_CHECK_EXIT || g->check == GATE_CHECK_BOTH ||
             (g->check == GATE_CHECK_AUTO && !a->event_name);
    if (r.growth && a->merged.events < 3 && r.job_status <= 0) {
        ls_error_set(err, NULL, 0, "growth check: only %zu events of stamp \"%s\"; at least 3 are needed "
                     "(run more events, or --check exit)", a->merged.events,
                     a->event_name ? a->event_name : "(none)");
    } else if (r.exit && r.procs_without_exit == r.procs && r.job_status <= 0) {
        ls_error_set(err, NULL, 0, "exit check: no process wrote an exit record (it ended with _exit or "
                     "was killed), so nothing could be checked");
    } else {
        if (r.growth)
            check_growth(a, g, &supp, g->baseline ? &b : NULL, &r);
        if (r.exit)
            check_exit(a, g, &supp, g->baseline ? &b : NULL, &r);
        rc = print_outcome(&r, g, &supp, err) < 0 ? GATE_EXIT_ERROR : r.code;
    }
    analysis_free(a);
out:
    free(r.items);
    supp_free(&supp);
    baseline_free(&b);
    return rc;
}

int gate_main(int argc, char **argv)
{
    gate_options g;
    ls_options o;
    ls_error err = { 0 };
    char **rest = xcalloc((size_t)argc + 3, sizeof *rest);
    int nrest, rc = GATE_EXIT_ERROR;
    memset(&o, 0, sizeof o);
    if (gate_options_parse(argc, argv, &g, rest, &nrest, &err) == 0) {
        if (g.help) {
            gate_usage(stdout);
            rc = GATE_EXIT_CLEAN;
        } else {
            if (g.validate_only)
                rest[nrest++] = (char *)".";  /* options_parse wants a path; none is read */
            if (options_parse(nrest, rest, &o, &err) == 0) {
                o.per_process = 1;   /* the exit check reads every stack */
                o.strict = 1;        /* a CI gate does not pass over a report it cannot read */
                rc = run_gate(&g, &o, &err);
            }
        }
    }
    if (rc == GATE_EXIT_ERROR && err.set)
        fprintf(stderr, "leakstamp-analyze: %s\n", err.msg);
    options_free(&o);
    gate_options_free(&g);
    free(rest);
    return rc;
}
