/*
 * render_procs.c — the text report's "processes" section. A job of one or a few processes gets a line
 * each (with its own whole-process fit); a job array or MPI run of thousands gets one line per host and
 * program (count, events, leaking processes, the worst ranks) instead of five lines per process. Helper
 * processes (another program, no events, no leak: the shell shims and `env` an interpreter is started
 * through) are one line in both cases.
 */
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "render/units.h"
#include "base/util.h"

enum { LIST_MAX = 8, WORST_MAX = 3 };

int render_is_helper(const ls_proc_info *p)
{
    return !p->merged && !p->events && !p->leaks;
}

typedef struct name_n {
    const char *name;
    size_t n;
} name_n;

static int cmp_name_n(const void *x, const void *y)
{
    const name_n *a = x, *b = y;
    return a->n != b->n ? (a->n < b->n ? 1 : -1) : strcmp(a->name, b->name);
}

/* "78 helper processes: bash ×70, env ×8 — no events, nothing live" */
static void helpers_line(FILE *out, const ls_analysis *a)
{
    name_n *names = NULL;
    size_t n = 0, cap = 0, count = 0;
    double live = 0;
    for (size_t i = 0; i < a->nprocs; i++) {
        const ls_proc_info *p = &a->procs[i].info;
        if (!render_is_helper(p))
            continue;
        const char *base = p->exe ? path_base(p->exe) : "?";
        size_t j = 0;
        while (j < n && strcmp(names[j].name, base))
            j++;
        if (j == n)
            VEC_PUSH(names, n, cap, ((name_n){ base, 0 }));
        names[j].n++;
        count++;
        live += p->live_exit_bytes;
    }
    if (!count)
        return;
    qsort(names, n, sizeof *names, cmp_name_n);
    fprintf(out, "  %zu helper process%s:", count, count == 1 ? "" : "es");
    for (size_t j = 0; j < n; j++)
        fprintf(out, "%s %s \u00d7%zu", j ? "," : "", names[j].name, names[j].n);
    char lb[32];
    units_bytes(live, lb, sizeof lb);
    if (live > 0)
        fprintf(out, " \u2014 no events, no leak (%s live at exit in all)\n", lb);
    else
        fprintf(out, " \u2014 no events, nothing live\n");
    free(names);
}

static void proc_line(FILE *out, const ls_analysis *a, const ls_proc_info *p)
{
    fprintf(out, "  pid %lld", p->pid);
    if (p->rank >= 0)
        fprintf(out, "  rank %lld", p->rank);
    fprintf(out, "  %zu events  %s%s  %s%s\n", p->events, p->exit_present ? p->exit_reason : "no exit record",
            p->truncated ? ", truncated" : "", p->command,
            p->merged ? "" : "  (another program: not in the merged view)");
    if (a->nprocs > 1)
        growth_lines(out, &p->growth, "      ");
}

static const ls_analysis *sort_a; /* qsort has no context argument in C11 */

static int cmp_host_exe(const void *x, const void *y)
{
    const ls_proc_info *a = &sort_a->procs[*(const size_t *)x].info, *b = &sort_a->procs[*(const size_t *)y].info;
    int c = strcmp(a->host ? a->host : "", b->host ? b->host : "");
    return c ? c : strcmp(a->exe ? a->exe : "", b->exe ? b->exe : "");
}

static int same_host_exe(const ls_proc_info *a, const ls_proc_info *b)
{
    return !strcmp(a->host ? a->host : "", b->host ? b->host : "") && !strcmp(a->exe ? a->exe : "", b->exe ? b->exe : "");
}

/* One host/program: "node1  /opt/job  100 processes, 40..40 events, 2 leaking, 1 without exit record;
 * worst: rank 150 64.0 KiB/event, rank 100 64.0 KiB/event" */
static void group_line(FILE *out, const ls_analysis *a, const size_t *idx, size_t n)
{
    const ls_proc_info *first = &a->procs[idx[0]].info;
    size_t lo = (size_t)-1, hi = 0, leaking = 0, no_exit = 0;
    const ls_proc_info *worst[WORST_MAX] = { 0 };
    for (size_t i = 0; i < n; i++) {
        const ls_proc_info *p = &a->procs[idx[i]].info;
        lo = p->events < lo ? p->events : lo;
        hi = p->events > hi ? p->events : hi;
        leaking += p->leaks > 0;
        no_exit += !p->exit_present;
        for (size_t k = 0; p->leaks && k < WORST_MAX; k++)
            if (!worst[k] || p->worst > worst[k]->worst) {
                memmove(&worst[k + 1], &worst[k], (WORST_MAX - 1 - k) * sizeof *worst);
                worst[k] = p;
                break;
            }
    }
    fprintf(out, "  %s  %s  %zu process%s, %zu", first->host ? first->host : "?", first->exe ? first->exe : "?",
            n, n == 1 ? "" : "es", lo);
    if (hi != lo)
        fprintf(out, "..%zu", hi);
    fprintf(out, " events, %zu leaking", leaking);
    if (no_exit)
        fprintf(out, ", %zu without exit record", no_exit);
    for (size_t k = 0; k < WORST_MAX && worst[k]; k++) {
        char b[32];
        units_bytes(worst[k]->worst, b, sizeof b);
        fprintf(out, "%s", k ? ", " : "; worst: ");
        if (worst[k]->rank >= 0)
            fprintf(out, "rank %lld %s/event", worst[k]->rank, b);
        else
            fprintf(out, "pid %lld %s/event", worst[k]->pid, b);
    }
    fprintf(out, "%s\n", first->merged ? "" : "  (another program: not in the merged view)");
}

void render_processes(FILE *out, const ls_analysis *a)
{
    size_t *idx = xcalloc(a->nprocs + 1, sizeof *idx), n = 0;
    for (size_t i = 0; i < a->nprocs; i++)
        if (!render_is_helper(&a->procs[i].info))
            idx[n++] = i;
    fprintf(out, "\nprocesses:\n");
    if (n <= LIST_MAX) {
        for (size_t i = 0; i < n; i++)
            proc_line(out, a, &a->procs[idx[i]].info);
    } else {
        sort_a = a;
        qsort(idx, n, sizeof *idx, cmp_host_exe);
        sort_a = NULL;
        fprintf(out, "  %zu processes by host and program (--format json lists each):\n", n);
        for (size_t i = 0, j; i < n; i = j) {
            for (j = i + 1; j < n && same_host_exe(&a->procs[idx[i]].info, &a->procs[idx[j]].info); j++)
                ;
            group_line(out, a, idx + i, j - i);
        }
    }
    helpers_line(out, a);
    free(idx);
}
