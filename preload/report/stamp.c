/*
 * stamp.c — stamps and the exit record: the two records that carry per-site numbers.
 *
 * A stamp walks every site once, reading its counters, and writes a `site` line for each one whose
 * live count or bytes changed since the previous stamp (so a record's size follows the number of
 * sites that moved, not the number that exist). The exit record instead scans the live-pointer table,
 * so its per-site live counts and the birth histogram come from the same consistent snapshot.
 * Stamps are serialised by one mutex, which is never taken on the allocation path and never held while
 * the loader lock is wanted (modules.c reads /proc/self/maps instead of calling dl_iterate_phdr).
 */
#include "report/report.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t stamp_mutex = PTHREAD_MUTEX_INITIALIZER;
static sigset_t held_mask;            /* the holder's signal mask before it took the lock */
static _Atomic uintptr_t holder;      /* pthread_self() of the holder, 0 when free */
/* A record is built in `rec` (definitions first, as they are met) with its site or live lines in
 * `body`; the stamp or exit line and the body are appended when the walk is done. Both buffers are
 * kept between stamps, unless a record made them large (many new stacks at once), so that one big
 * record does not pin its memory for the rest of the run. */
#define KEEP_BYTES (1u << 20)
static struct ls_buf rec, body, head;   /* head: the stamp or exit line */

/* While a thread holds the stamp lock, asynchronous signals wait: a handler that interrupted the holder
 * and stamped, forked or exited would wait for the holder, that is for itself. Faults and SIGTRAP stay
 * deliverable (blocked, the kernel kills the process instead; SIGTRAP: breakpoints in libc functions
 * the tool calls, see trap.c). The raw system call keeps the job's interposed sigprocmask out of it. */
static void block_async_signals(sigset_t *old)
{
    sigset_t s;
    sigfillset(&s);   /* glibc leaves out its own SIGCANCEL and SIGSETXID */
    sigdelset(&s, SIGTRAP);
    sigdelset(&s, SIGSEGV);
    sigdelset(&s, SIGBUS);
    sigdelset(&s, SIGILL);
    sigdelset(&s, SIGFPE);
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, old, _NSIG / 8);
}

static void restore_signals(const sigset_t *old)
{
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, old, NULL, _NSIG / 8);
}

static void took_lock(const sigset_t *old)
{
    held_mask = *old;
    atomic_store(&holder, (uintptr_t)pthread_self());
}

void ls_stamp_lock(void)
{
    sigset_t old;
    block_async_signals(&old);
    pthread_mutex_lock(&stamp_mutex);
    took_lock(&old);
}

/* For the exit record and the symbols record, which a signal handler may reach while this thread is
 * inside the tool (`inside`: ls_busy() before the caller entered): never wait for a lock this thread
 * holds, and wait for another thread a bounded time only. 0 when taken. */
int ls_stamp_lock_bounded(int inside)
{
    if (!inside) {
        ls_stamp_lock();
        return 0;
    }
    if (atomic_load(&holder) == (uintptr_t)pthread_self())
        return -1;
    sigset_t old;
    block_async_signals(&old);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    if (pthread_mutex_timedlock(&stamp_mutex, &until) != 0) {
        restore_signals(&old);
        return -1;
    }
    took_lock(&old);
    return 0;
}

void ls_stamp_unlock(void)
{
    sigset_t old = held_mask;
    atomic_store(&holder, 0);
    pthread_mutex_unlock(&stamp_mutex);
    restore_signals(&old);
}

/* fork child: the forking thread held the lock (lifecycle.c before_fork); it is the only thread left. */
void ls_stamp_reset_lock(void)
{
    sigset_t old = held_mask;
    atomic_store(&holder, 0);
    pthread_mutex_init(&stamp_mutex, NULL);
    restore_signals(&old);
}

struct totals {
    uint64_t live_bytes, live_allocs, allocs;
};

/* The per-site sums of all threads' counters, index = site id; grown as sites appear, kept. */
static struct ls_plain_counts *sums;
static size_t sums_cap;

static uint32_t sum_counters(void)
{
    uint32_t n = ls_stacks_count();
    if (n + 1 > sums_cap) {
        size_t cap = sums_cap ? sums_cap : 4096;
        while (cap < n + 1)
            cap *= 2;
        struct ls_plain_counts *fresh = ls_map(cap * sizeof *fresh);
        if (!fresh)
            return 0;
        ls_unmap(sums, sums_cap * sizeof *sums);
        sums = fresh;
        sums_cap = cap;
    }
    ls_counters_sum(sums, n);
    return n;
}

static void put_site_line(struct ls_buf *b, struct ls_stack_rec *s, const struct ls_plain_counts *c)
{
    ls_buf_str(b, "site\t"), ls_buf_u64(b, atomic_load(&s->id)), ls_buf_tab(b);
    ls_buf_i64(b, c->live_allocs - s->prev_allocs), ls_buf_tab(b);
    ls_buf_i64(b, c->live_bytes - s->prev_bytes), ls_buf_tab(b);
    ls_buf_i64(b, c->live_allocs), ls_buf_tab(b), ls_buf_i64(b, c->live_bytes), ls_buf_tab(b);
    ls_buf_i64(b, c->total_allocs), ls_buf_tab(b), ls_buf_i64(b, c->total_bytes), ls_buf_nl(b);
}

/* Site lines for everything that moved; definitions for stacks seen for the first time. */
static void collect_sites(struct totals *t)
{
    uint32_t n = sum_counters();
    for (uint32_t id = 1; id <= n; id++) {
        struct ls_stack_rec *s = ls_stacks_get(id);
        const struct ls_plain_counts *c = &sums[id];
        if (!s)
            continue;
        t->live_allocs += (uint64_t)c->live_allocs;
        t->live_bytes += (uint64_t)c->live_bytes;
        t->allocs += (uint64_t)c->total_allocs;
        if (c->live_allocs == s->prev_allocs && c->live_bytes == s->prev_bytes)
            continue;
        ls_define_stack(&rec, s);
        put_site_line(&body, s, c);
        s->prev_allocs = c->live_allocs;
        s->prev_bytes = c->live_bytes;
    }
}

/* The numbers every stamp and exit line share, after the time. */
static void put_process(struct ls_buf *b, const struct totals *t)
{
    uint64_t vm, rss;
    ls_proc_stat(&vm, &rss);
    ls_buf_u64(b, vm), ls_buf_tab(b), ls_buf_u64(b, rss), ls_buf_tab(b);
    ls_buf_u64(b, t->live_bytes), ls_buf_tab(b), ls_buf_u64(b, t->live_allocs), ls_buf_tab(b);
    ls_buf_u64(b, t->allocs), ls_buf_tab(b), ls_buf_u64(b, t->allocs - t->live_allocs);
}

/* `toolmem <vm> <rss>`: the tool's own mappings (core/arena.c), after the stamp or exit line, so that
 * the analyzer can keep the tool's memory apart from the job's (docs/report-format.md). */
static void put_tool_memory(struct ls_buf *b, int fresh)
{
    uint64_t vm, rss;
    ls_tool_memory(&vm, &rss, fresh);
    ls_buf_str(b, "toolmem\t"), ls_buf_u64(b, vm), ls_buf_tab(b), ls_buf_u64(b, rss), ls_buf_nl(b);
}

/* definitions (already in rec) + head + body + end as one write. A failed write forgets what it defined, so the next
 * record defines it again (readers accept an identical repeated definition). */
static void write_record(const char *end)
{
    ls_buf_put(&rec, head.data, head.len);
    ls_buf_put(&rec, body.data, body.len);
    ls_buf_str(&rec, end);
    if (body.failed || rec.failed || ls_outfile_write(rec.data, rec.len) < 0)
        ls_forget_definitions();
    rec.len = body.len = 0;
    rec.failed = body.failed = 0;
    if (rec.cap > KEEP_BYTES)
        ls_buf_free(&rec);
    if (body.cap > KEEP_BYTES)
        ls_buf_free(&body);
}

void ls_stamp_internal(const char *name)
{
    /* A stamp from inside the tool (a signal handler that stamps while this thread is in a stamp)
     * would wait for itself: it is dropped. */
    if (!atomic_load(&ls_active) || ls_busy())
        return;
    struct ls_guard g = ls_enter_blocking();
    ls_stamp_lock();
    uint64_t now = ls_now_us();
    uint32_t seq = atomic_fetch_add(&ls_stamp_seq, 1) + 1;
    struct totals t = {0};
    collect_sites(&t);
    ls_put_map_lines(&rec, &body);   /* mappings outside malloc (stamp_maps.c) */
    head.len = 0;
    ls_buf_str(&head, "stamp\t"), ls_buf_u64(&head, seq), ls_buf_tab(&head);
    ls_buf_esc(&head, name ? name : "(null)"), ls_buf_tab(&head);
    ls_buf_u64(&head, now), ls_buf_tab(&head);
    put_process(&head, &t);
    ls_buf_nl(&head);
    put_tool_memory(&head, 0);
    char end[32];
    snprintf(end, sizeof end, "end\t%u\n", seq);
    write_record(end);
    ls_scans.after_stamp(name, seq);   /* a heap scan named for this event (scan/) */
    ls_stamp_unlock();
    ls_leave_blocking(g);
}

LS_EXPORT void leakstamp_stamp(const char *name)
{
    ls_stamp_internal(name);
}

/* ---- exit record ---- */

struct birth {
    uint32_t site, seq;
    int64_t allocs, bytes;   /* 1 and the size, or a sample's weights */
};
struct births {
    struct birth *v;
    size_t n, cap;
};

static void take_birth(const struct ls_live *e, void *arg)
{
    struct births *sc = arg;
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 1 << 16;
        struct birth *v = ls_map(cap * sizeof *v);
        if (!v)
            return;
        if (sc->v)
            memcpy(v, sc->v, sc->n * sizeof *v);
        ls_unmap(sc->v, sc->cap * sizeof *v);
        sc->v = v;
        sc->cap = cap;
    }
    struct birth *b = &sc->v[sc->n++];
    b->site = e->site;
    b->seq = e->birth;
    ls_live_weight(e, &b->allocs, &b->bytes);
}

static int by_site_then_seq(const void *a, const void *b)
{
    const struct birth *x = a, *y = b;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One `live` line for the run of entries [i, j) of one site. */
static void put_live_line(struct ls_buf *b, const struct birth *v, size_t i, size_t j)
{
    struct ls_stack_rec *s = ls_stacks_get(v[i].site);
    int64_t allocs = 0, bytes = 0;
    for (size_t k = i; k < j; k++)
        allocs += v[k].allocs, bytes += v[k].bytes;
    ls_define_stack(&rec, s);
    ls_buf_str(b, "live\t"), ls_buf_u64(b, v[i].site), ls_buf_tab(b);
    ls_buf_i64(b, allocs), ls_buf_tab(b), ls_buf_i64(b, bytes), ls_buf_tab(b);
    ls_buf_i64(b, sums[v[i].site].total_allocs), ls_buf_tab(b), ls_buf_i64(b, sums[v[i].site].total_bytes);
    ls_buf_tab(b);
    for (size_t k = i; k < j;) {
        int64_t born = 0;
        size_t m = k;
        for (; m < j && v[m].seq == v[k].seq; m++)
            born += v[m].allocs;
        if (k > i)
            ls_buf_put(b, ",", 1);
        ls_buf_u64(b, v[k].seq), ls_buf_put(b, ":", 1), ls_buf_i64(b, born);
        k = m;
    }
    ls_buf_nl(b);
}

/* Live lines from the live-pointer table, with births; -1 if a shard could not be locked (this thread
 * may hold it: a signal handler that interrupted the allocator calls exit). */
static int put_live_from_table(uint32_t n, struct totals *t, int inside)
{
    struct births births = {0};
    int rc = ls_livemap_each_bounded(take_birth, &births, inside);
    if (rc == 0) {
        ls_sort(births.v, births.n, sizeof *births.v, by_site_then_seq);   /* never qsort: see sort.c */
        for (size_t i = 0, j; i < births.n; i = j) {
            for (j = i; j < births.n && births.v[j].site == births.v[i].site; j++) {
                t->live_allocs += (uint64_t)births.v[j].allocs;
                t->live_bytes += (uint64_t)births.v[j].bytes;
            }
            if (births.v[i].site && births.v[i].site <= n && ls_stacks_get(births.v[i].site))
                put_live_line(&body, births.v, i, j);
        }
    }
    ls_unmap(births.v, births.cap * sizeof *births.v);
    return rc;
}

/* The degraded form (docs/report-format.md): live lines from the per-site counters, without births. */
static void put_live_from_counters(uint32_t n, struct totals *t)
{
    for (uint32_t id = 1; id <= n; id++) {
        struct ls_stack_rec *s = ls_stacks_get(id);
        const struct ls_plain_counts *c = &sums[id];
        if (!s || (!c->live_allocs && !c->live_bytes))
            continue;
        t->live_allocs += (uint64_t)c->live_allocs;
        t->live_bytes += (uint64_t)c->live_bytes;
        ls_define_stack(&rec, s);
        ls_buf_str(&body, "live\t"), ls_buf_u64(&body, id), ls_buf_tab(&body);
        ls_buf_i64(&body, c->live_allocs), ls_buf_tab(&body), ls_buf_i64(&body, c->live_bytes), ls_buf_tab(&body);
        ls_buf_i64(&body, c->total_allocs), ls_buf_tab(&body), ls_buf_i64(&body, c->total_bytes), ls_buf_nl(&body);
    }
}

void ls_write_exit(const char *reason)
{
    if (!atomic_load(&ls_active))
        return;
    struct ls_guard g = ls_enter_blocking();
    if (ls_stamp_lock_bounded(g.was)) {
        ls_say("exit inside the tool's own record (a signal handler called exit or exec): no exit record");
        ls_leave_blocking(g);
        return;
    }
    uint32_t n = sum_counters();
    struct totals t = {0};
    body.len = 0;
    if (put_live_from_table(n, &t, g.was)) {
        body.len = 0;
        t = (struct totals){0};
        put_live_from_counters(n, &t);
    }
    for (uint32_t id = 1; id <= n; id++)
        t.allocs += (uint64_t)sums[id].total_allocs;
    ls_put_map_exit_lines(&rec, &body, g.was);
    head.len = 0;
    ls_buf_str(&head, "exit\t"), ls_buf_str(&head, reason), ls_buf_tab(&head);
    ls_buf_u64(&head, ls_now_us()), ls_buf_tab(&head);
    put_process(&head, &t);
    ls_buf_tab(&head), ls_buf_u64(&head, atomic_load(&ls_stamp_seq)), ls_buf_nl(&head);
    put_tool_memory(&head, 1);
    write_record("end\texit\n");
    ls_stamp_unlock();
    ls_leave_blocking(g);
}
