/*
 * render_pprof.c — --format pprof: the live heap of one process at one event boundary as a
 * gperftools "legacy" heap profile, the text format google-pprof (Debian: google-perftools) reads:
 *
 *   heap profile:  <objs>: <bytes> [ <objs>: <bytes>] @ heapprofile
 *   <objs>: <bytes> [<objs>: <bytes>] @ 0x<pc> 0x<pc> ...      one line per call stack
 *   (blank line)
 *   MAPPED_LIBRARIES:
 *   <lo>-<hi> r-xp <offset> 00:00 0 <path>                     /proc/self/maps style
 *
 * Two profiles of the same run at events 10 and 50 diff with `google-pprof --base=ev10 exe ev50`:
 * that is "what grew between the two events", by call stack, in pprof's own views.
 *
 * The report holds addresses in each module's ELF file and the module's load bias, so run-time
 * addresses are rebuilt as bias + address. pprof turns an address back into a file address as
 * pc - start + offset + (.text vma - .text file offset), reading the last term with objdump; the
 * mapping lines are therefore written as the real /proc/self/maps would have them: start = where
 * .text was mapped (bias + vma) and offset = .text's file offset, read here with libelf.
 *
 * pprof subtracts 1 from every address but the first of a stack (return addresses -> call
 * instructions); the report's first frame is a return address too, so it is written already
 * decremented. The [alloc] pair repeats the in-use numbers: a report keeps each site's totals ever
 * allocated only as of its last update, not per event.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "render/export.h"
#include "base/util.h"

typedef struct text_sect {
    uint64_t vma, offset;
} text_sect;

static text_sect text_of(const char *path)
{
    text_sect t = { 0, 0 };
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;
    if (fd < 0)
        return t;
    elf_version(EV_CURRENT);
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    size_t shstr;
    if (e && elf_getshdrstrndx(e, &shstr) == 0) {
        for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
            GElf_Shdr sh;
            const char *name;
            if (gelf_getshdr(scn, &sh) && (name = elf_strptr(e, shstr, sh.sh_name)) &&
                !strcmp(name, ".text")) {
                t.vma = sh.sh_addr;
                t.offset = sh.sh_offset;
                break;
            }
        }
    }
    if (e)
        elf_end(e);
    close(fd);
    return t;
}

/* Live allocations and bytes of stack st at stamp index `at` (its last update at or before it). */
static void live_at(const ls_stack *st, uint32_t at, int64_t *allocs, int64_t *bytes)
{
    ls_site_cursor c;
    site_cursor_init(&c, &st->history);
    *allocs = *bytes = 0;
    while (site_cursor_next(&c) && c.stamp <= at) {
        *allocs = c.allocs;
        *bytes = c.bytes;
    }
}

static uint64_t runtime_pc(const ls_report *r, const ls_frame *f)
{
    if (!f->module || f->module > r->nmodules)
        return f->addr;
    return r->modules[f->module - 1].bias + f->addr;
}

static void write_mapped_libraries(FILE *out, const ls_report *r)
{
    fputs("\nMAPPED_LIBRARIES:\n", out);
    for (size_t m = 0; m < r->nmodules; m++) {
        const ls_module *md = &r->modules[m];
        text_sect t = text_of(md->path);
        uint64_t start = md->bias + t.vma;
        if (start >= md->hi || start < md->lo)   /* no .text found: map the whole range at offset 0 */
            start = md->lo, t.offset = md->lo - md->bias;
        fprintf(out, "%08llx-%08llx r-xp %08llx 00:00 0 %s\n", (unsigned long long)start,
                (unsigned long long)md->hi, (unsigned long long)t.offset, md->path);
    }
}

int render_pprof(FILE *out, const ls_analysis *a, const ls_options *o, ls_error *err)
{
    size_t pi = analysis_main_proc(a);
    const ls_proc *p = &a->procs[pi];
    const ls_report *r = p->r;
    size_t first = a->merged.first_event;
    if (!p->nbounds) {
        ls_error_set(err, r->path, 0, "--format pprof: the report has no events (no stamps)");
        return -1;
    }
    size_t ev = o->pprof_event ? o->pprof_event : first + p->nbounds - 1;
    if (ev < first || ev - first >= p->nbounds) {
        ls_error_set(err, NULL, 0, "--pprof-event %zu: no such event (analysed events are %zu..%zu)", ev,
                     first, first + p->nbounds - 1);
        return -1;
    }
    if (a->nprocs > 1)
        ls_warn("--format pprof: %zu reports; the profile is of pid %lld (%s), the one with the most events",
                a->nprocs, r->pid, r->path);
    uint32_t at = p->bounds[ev - first];
    int64_t tot_allocs = 0, tot_bytes = 0;
    int64_t (*live)[2] = xcalloc(r->nstacks + 1, sizeof *live);
    for (size_t s = 0; s < r->nstacks; s++) {
        live_at(&r->stacks[s], at, &live[s][0], &live[s][1]);
        add_wrapping(&tot_allocs, live[s][0]);
        add_wrapping(&tot_bytes, live[s][1]);
    }
    fprintf(out, "heap profile: %6lld: %8lld [%6lld: %8lld] @ heapprofile\n", (long long)tot_allocs,
            (long long)tot_bytes, (long long)tot_allocs, (long long)tot_bytes);
    for (size_t s = 0; s < r->nstacks; s++) {
        const ls_stack *st = &r->stacks[s];
        if (live[s][0] <= 0 && live[s][1] <= 0)
            continue;
        fprintf(out, "%6lld: %8lld [%6lld: %8lld] @", (long long)live[s][0], (long long)live[s][1],
                (long long)live[s][0], (long long)live[s][1]);
        for (uint32_t f = 0; f < st->nframes; f++)
            fprintf(out, " 0x%016llx", (unsigned long long)(runtime_pc(r, &st->frames[f]) - (f == 0)));
        fputc('\n', out);
    }
    free(live);
    write_mapped_libraries(out, r);
    return 0;
}
