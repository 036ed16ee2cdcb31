/*
 * report_writer.c — the lines of a report file (docs/report-format.md): the header record, and the
 * module and stack definitions that precede a record's first reference to them.
 *
 * Stamp and exit records are assembled in stamp.c from these pieces; every record is built whole in a
 * buffer and handed to outfile.c for a single write(2).
 */
#include "report/report.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void key(struct ls_buf *b, const char *k)
{
    ls_buf_str(b, k);
    ls_buf_tab(b);
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian; Howard Hinnant's algorithm). Done by
 * hand because gmtime_r takes glibc's tzset lock, which another thread of the parent may hold when a
 * forked child writes its header. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void iso_time(char *out, size_t cap, uint64_t us)
{
    uint64_t s = us / 1000000;
    int64_t y;
    unsigned mo, d;
    civil_from_days((int64_t)(s / 86400), &y, &mo, &d);
    unsigned sec = (unsigned)(s % 86400);
    snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%06uZ", (long long)y, mo, d, sec / 3600, sec / 60 % 60,
             sec % 60, (unsigned)(us % 1000000));
}

/* argv from /proc/self/cmdline: NUL-separated words. */
static void put_argv(struct ls_buf *b)
{
    static char cmd[64 * 1024];
    int f = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ssize_t n = 0, r;
    if (f >= 0) {
        while (n < (ssize_t)sizeof cmd - 1 && (r = read(f, cmd + n, sizeof cmd - 1 - (size_t)n)) > 0)
            n += r;
        close(f);
    }
    cmd[n] = 0;
    int argc = 0;
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(cmd + i) + 1)
        argc++;
    key(b, "argv");
    ls_buf_u64(b, (uint64_t)argc);
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(cmd + i) + 1) {
        ls_buf_tab(b);
        ls_buf_esc(b, cmd + i);
    }
    ls_buf_nl(b);
}

/* One meta line per name in LEAKSTAMP_META_ENV (separated by commas, colons or spaces) that is set. */
static void put_meta(struct ls_buf *b)
{
    const char *list = ls_config.meta_env;
    while (list && *list) {
        size_t n = strcspn(list, ",: ");
        char name[256];
        if (n && n < sizeof name) {
            memcpy(name, list, n);
            name[n] = 0;
            const char *v = getenv(name);
            if (v) {
                key(b, "meta");
                ls_buf_esc(b, name);
                ls_buf_tab(b);
                ls_buf_esc(b, v);
                ls_buf_nl(b);
            }
        }
        list += n;
        list += strspn(list, ",: ");
    }
}

/* ---- batch identity: which job and rank of a job array or MPI run this process is ---- */

/* Set variables recorded as `batch` lines, in this order. */
static const char *const batch_vars[] = {
    "SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_PROCID", "SLURM_NTASKS",
    "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK",
};

static long long number(const char *s)
{
    long long v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000000LL)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* HTCondor: ClusterId and ProcId from the job ad file named by _CONDOR_JOB_AD ("ClusterId = 12"). */
static void condor_ids(long long *cluster, long long *proc)
{
    static char ad[16384];
    *cluster = *proc = -1;
    const char *path = getenv("_CONDOR_JOB_AD");
    int f = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;
    if (f < 0)
        return;
    ssize_t n = read(f, ad, sizeof ad - 1);
    close(f);
    ad[n > 0 ? n : 0] = 0;
    for (char *line = ad; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        long long *dst = !strncmp(line, "ClusterId = ", 12) ? cluster : !strncmp(line, "ProcId = ", 9) ? proc : NULL;
        if (dst)
            *dst = strtoll(strchr(line, '=') + 1, NULL, 10);
    }
}

long long ls_batch_rank(void)
{
    static const char *const mpi[] = { "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK" };
    for (size_t i = 0; i < sizeof mpi / sizeof *mpi; i++)
        if (number(getenv(mpi[i])) >= 0)
            return number(getenv(mpi[i]));
    long long procid = number(getenv("SLURM_PROCID")), task = number(getenv("SLURM_ARRAY_TASK_ID"));
    if (procid >= 0 && number(getenv("SLURM_NTASKS")) > 1)   /* a step of several tasks: its ranks */
        return procid;
    if (task >= 0)
        return task;
    if (procid >= 0)
        return procid;
    long long cluster, proc;
    condor_ids(&cluster, &proc);
    return proc;
}

static void put_batch(struct ls_buf *b)
{
    for (size_t i = 0; i < sizeof batch_vars / sizeof *batch_vars; i++) {
        const char *v = getenv(batch_vars[i]);
        if (v)
            key(b, "batch"), ls_buf_str(b, batch_vars[i]), ls_buf_tab(b), ls_buf_esc(b, v), ls_buf_nl(b);
    }
    long long cluster, proc;
    condor_ids(&cluster, &proc);
    if (cluster >= 0)
        key(b, "batch"), ls_buf_str(b, "CONDOR_CLUSTER_ID\t"), ls_buf_u64(b, (uint64_t)cluster), ls_buf_nl(b);
    if (proc >= 0)
        key(b, "batch"), ls_buf_str(b, "CONDOR_PROC_ID\t"), ls_buf_u64(b, (uint64_t)proc), ls_buf_nl(b);
    const char *job = getenv("SLURM_ARRAY_JOB_ID");
    if (!job)
        job = getenv("SLURM_JOB_ID");
    if (job)
        key(b, "job"), ls_buf_esc(b, job), ls_buf_nl(b);
    else if (cluster >= 0)
        key(b, "job"), ls_buf_u64(b, (uint64_t)cluster), ls_buf_nl(b);
    long long rank = ls_batch_rank();
    if (rank >= 0)
        key(b, "rank"), ls_buf_u64(b, (uint64_t)rank), ls_buf_nl(b);
}

static void put_identity(struct ls_buf *b)
{
    struct utsname u;
    char text[4096];
    uname(&u);
    key(b, "pid"), ls_buf_u64(b, (uint64_t)getpid()), ls_buf_nl(b);
    key(b, "ppid"), ls_buf_u64(b, (uint64_t)getppid()), ls_buf_nl(b);
    key(b, "host"), ls_buf_esc(b, u.nodename), ls_buf_nl(b);
    snprintf(text, sizeof text, "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
    key(b, "uname"), ls_buf_esc(b, text), ls_buf_nl(b);
    const char *user = getenv("USER");
    if (!user)
        user = getenv("LOGNAME");
    key(b, "user"), ls_buf_esc(b, user && *user ? user : "-"), ls_buf_tab(b);
    ls_buf_u64(b, (uint64_t)getuid()), ls_buf_nl(b);
    key(b, "cwd"), ls_buf_esc(b, getcwd(text, sizeof text) ? text : "-"), ls_buf_nl(b);
    ssize_t n = readlink("/proc/self/exe", text, sizeof text - 1);
    text[n > 0 ? n : 0] = 0;
    key(b, "exe"), ls_buf_esc(b, text), ls_buf_nl(b);
}

void ls_write_header(void)
{
    struct ls_buf b = {0};
    char iso[64];
    uint64_t now = ls_now_us();
    ls_buf_str(&b, "leakstamp-report\t1\n");
    key(&b, "tool"), ls_buf_str(&b, "leakstamp\t" LEAKSTAMP_VERSION "\n");
    put_identity(&b);
    iso_time(iso, sizeof iso, now);
    key(&b, "start"), ls_buf_u64(&b, now), ls_buf_tab(&b), ls_buf_str(&b, iso), ls_buf_nl(&b);
    key(&b, "mode"), ls_buf_str(&b, ls_config.sample ? "sampled\t" : "exact\t");
    ls_buf_u64(&b, ls_config.sample), ls_buf_nl(&b);
    key(&b, "depth"), ls_buf_u64(&b, (uint64_t)ls_config.depth), ls_buf_nl(&b);
    put_argv(&b);
    put_meta(&b);
    put_batch(&b);
    ls_named_stamps.put_header(&b);   /* `event`, `inject`: named stamp symbols (symstamp.c) */
    ls_buf_str(&b, "end\theader\n");
    if (!b.failed)
        ls_outfile_write(b.data, b.len);
    ls_buf_free(&b);
}

/* ---- module and stack definitions ---- */

static void define_module(struct ls_buf *b, struct ls_module_rec *m)
{
    if (m->emitted)
        return;
    key(b, "module"), ls_buf_u64(b, m->id), ls_buf_tab(b);
    ls_buf_hex(b, m->lo), ls_buf_tab(b), ls_buf_hex(b, m->hi), ls_buf_tab(b), ls_buf_hex(b, m->bias);
    ls_buf_tab(b), ls_buf_str(b, m->buildid[0] ? m->buildid : "-"), ls_buf_tab(b);
    ls_buf_esc(b, m->path), ls_buf_nl(b);
    m->emitted = 1;
}

/* Map each frame to its module now, refreshing the table once if an address is not covered. */
static void resolve(struct ls_stack_rec *s)
{
    if (s->modids)
        return;
    uint32_t *ids = ls_arena_alloc(s->nframes * sizeof *ids + 1);
    if (!ids)
        return;
    for (int pass = 0; pass < 2; pass++) {
        int missing = 0;
        for (int i = 0; i < s->nframes; i++)
            missing |= !(ids[i] = ls_modules_find(s->frames[i]));
        if (!missing)
            break;
        if (pass == 0)
            ls_modules_refresh();
    }
    s->modids = ids;
}

void ls_resolve_pending_stacks(void)
{
    if (atomic_load(&ls_modules_stale))
        ls_modules_refresh();
    uint32_t n = ls_stacks_count();
    for (uint32_t id = 1; id <= n; id++) {
        struct ls_stack_rec *s = ls_stacks_get(id);
        if (s && !s->modids)
            resolve(s);
    }
}

void ls_define_stack(struct ls_buf *b, struct ls_stack_rec *s)
{
    if (atomic_load(&s->emitted))
        return;
    if (atomic_load(&ls_modules_stale))
        ls_modules_refresh();
    resolve(s);
    for (int i = 0; s->modids && i < s->nframes; i++)
        if (s->modids[i])
            define_module(b, ls_modules_get(s->modids[i]));
    key(b, "stack"), ls_buf_u64(b, atomic_load(&s->id)), ls_buf_tab(b);
    ls_buf_u64(b, s->truncated);
    for (int i = 0; i < s->nframes; i++) {
        struct ls_module_rec *m = s->modids ? ls_modules_get(s->modids[i]) : NULL;
        ls_buf_tab(b);
        if (m) {
            ls_buf_u64(b, m->id), ls_buf_put(b, ":", 1), ls_buf_hex(b, s->frames[i] - m->bias);
        } else {
            ls_buf_put(b, "?:", 2), ls_buf_hex(b, s->frames[i]);
        }
    }
    ls_buf_nl(b);
    atomic_store(&s->emitted, 1);
}

/* After a failed write or in a new file: every stack and module is defined again when next used. */
void ls_forget_definitions(void)
{
    uint32_t n = ls_stacks_count();
    for (uint32_t id = 1; id <= n; id++) {
        struct ls_stack_rec *s = ls_stacks_get(id);
        if (s)
            atomic_store(&s->emitted, 0);
    }
    ls_modules_forget_emitted();
}

/* A forked child's report starts from nothing: its first stamp lists every site that holds memory,
 * also the blocks inherited from the parent that never change in the child. */
void ls_forget_previous_stamp(void)
{
    uint32_t n = ls_stacks_count();
    for (uint32_t id = 1; id <= n; id++) {
        struct ls_stack_rec *s = ls_stacks_get(id);
        if (s)
            s->prev_allocs = s->prev_bytes = 0;
    }
    ls_maps_forget_previous();
}
