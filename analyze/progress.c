/*
 * progress.c — `leakstamp-analyze --progress-line DIR [--pid PID] [--interval SECONDS] [--once]`:
 * the status line `leakstamp run --progress` shows while a long job runs:
 *
 *   leakstamp: 1234 events  RSS 1.21 GiB  heap 812.00 MiB  top +4.00 KiB/event sim::write_ntuple_row
 *
 * Every interval (1 s) it reads what the newest report in DIR gained since the last look: a report
 * of a long run is hundreds of MB, so it is followed like `tail -f` (only new complete lines are
 * parsed), never re-read. Each line ends in '\r' so the next one overwrites it (and so does the job's
 * own stderr output); it is padded to the previous line's length and cut to the terminal width, since a
 * wrapped line can no longer be overwritten. On SIGTERM/SIGINT, or when PID (the wrapper) is gone, it
 * writes the last line with '\n' and exits.
 *
 * "top" is the site whose live bytes grew most since the second event began (the first event is
 * where warm-up buffers are made), per event since then; its function is
 * symbolized (libdw, as the full analysis does) once per new leader. Events are the stamps named by
 * the header's `event` key, else of the name seen most often so far.
 */
#include "progress.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/frames.h"
#include "read/report.h"
#include "read/strpool.h"
#include "model/symbolize.h"
#include "render/units.h"
#include "base/util.h"

typedef struct psite {
    uint64_t sid;
    char *frames;             /* the stack line's frames, raw ("mid:off\tmid:off..."), or NULL */
    double live, first;
} psite;

typedef struct pname {
    char *name;
    size_t count;
} pname;

typedef struct follow {
    char path[4096];
    FILE *f;
    char *part;               /* an incomplete last line */
    size_t npart;
    ls_report rep;            /* modules only, for the symbolizer */
    psite *sites;
    size_t nsites, cap_sites;
    u64map by_sid;
    pname *names;
    size_t nnames, cap_names;
    char *event;              /* header `event`, or NULL */
    int first_pending, first_done;
    double rss, heap;
    uint64_t top_sid;
    const char *top_label;
    strpool pool;
    ls_symbolizer *sym;
    size_t lines;             /* complete lines read */
    int is_report;            /* the first line is a report's */
    int open_errno;           /* fopen's errno when it failed */
} follow;

/* --interval's range (docs/cli.md): below it the loop is near a busy loop, above it the line is no
 * longer a progress line. */
#define PROGRESS_INTERVAL_MIN 0.05
#define PROGRESS_INTERVAL_MAX 3600.0

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void follow_reset(follow *s)
{
    if (s->f)
        fclose(s->f);
    for (size_t i = 0; i < s->nsites; i++)
        free(s->sites[i].frames);
    for (size_t i = 0; i < s->nnames; i++)
        free(s->names[i].name);
    for (size_t i = 0; i < s->rep.nmodules; i++) {
        free(s->rep.modules[i].path);
        free(s->rep.modules[i].build_id);
    }
    free(s->rep.modules);
    free(s->sites);
    free(s->names);
    free(s->part);
    free(s->event);
    u64map_free(&s->by_sid);
    if (s->sym)
        symbolizer_free(s->sym);
    strpool_free(&s->pool);
    memset(s, 0, sizeof *s);
}

static psite *site_of(follow *s, uint64_t sid)
{
    long at = u64map_get(&s->by_sid, sid);
    if (at >= 0)
        return &s->sites[at];
    VEC_PUSH(s->sites, s->nsites, s->cap_sites, ((psite){ .sid = sid }));
    u64map_put(&s->by_sid, sid, (uint32_t)(s->nsites - 1));
    return &s->sites[s->nsites - 1];
}

static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    while (n < max) {
        f[n++] = line;
        char *t = strchr(line, '\t');
        if (!t)
            break;
        *t = 0;
        line = t + 1;
    }
    return n;
}

static void count_name(follow *s, const char *name)
{
    for (size_t i = 0; i < s->nnames; i++)
        if (!strcmp(s->names[i].name, name)) {
            s->names[i].count++;
            return;
        }
    VEC_PUSH(s->names, s->nnames, s->cap_names, ((pname){ xstrdup(name), 1 }));
}

static const char *event_name(const follow *s)
{
    if (s->event)
        return s->event;
    const pname *best = NULL;
    for (size_t i = 0; i < s->nnames; i++)
        if (!best || s->names[i].count > best->count)
            best = &s->names[i];
    return best ? best->name : NULL;
}

static size_t event_count(const follow *s)
{
    const char *ev = event_name(s);
    for (size_t i = 0; ev && i < s->nnames; i++)
        if (!strcmp(s->names[i].name, ev))
            return s->names[i].count;
    return 0;
}

static void apply_report_line(follow *s, char *l)
{
    char *f[8];
    if (!s->lines++)
        s->is_report = !strncmp(l, "leakstamp-report\t", 17);
    if (!s->is_report)
        return;   /* not a report (or not yet one): nothing of it is shown */
    if (!strncmp(l, "stack\t", 6)) {
        char *rest = l + 6, *t = strchr(rest, '\t');
        if (!t || !(t = strchr(t + 1, '\t')))
            return;
        psite *p = site_of(s, strtoull(rest, NULL, 10));
        free(p->frames);
        p->frames = xstrdup(t + 1);
        return;
    }
    int n = split_tabs(l, f, 8);
    if (!strcmp(f[0], "site") && n >= 6) {
        site_of(s, strtoull(f[1], NULL, 10))->live = strtod(f[5], NULL);
    } else if (!strcmp(f[0], "stamp") && n >= 7) {
        count_name(s, f[2]);
        s->rss = strtod(f[5], NULL);
        s->heap = strtod(f[6], NULL);
        const char *ev = event_name(s);
        if (!s->first_done && ev && !strcmp(ev, f[2]) && event_count(s) == 2)
            s->first_pending = 1;
    } else if (!strcmp(f[0], "end") && s->first_pending) {
        for (size_t i = 0; i < s->nsites; i++)   /* live at the first stamp: the base of growth */
            s->sites[i].first = s->sites[i].live;
        s->first_pending = 0;
        s->first_done = 1;
    } else if (!strcmp(f[0], "module") && n >= 7) {
        ls_module m = { .mid = strtoull(f[1], NULL, 10), .lo = strtoull(f[2], NULL, 16),
                        .hi = strtoull(f[3], NULL, 16), .bias = strtoull(f[4], NULL, 16),
                        .build_id = strcmp(f[5], "-") ? xstrdup(f[5]) : NULL, .path = xstrdup(f[6]) };
        VEC_PUSH(s->rep.modules, s->rep.nmodules, s->rep.cap_modules, m);
    } else if (!strcmp(f[0], "event") && n >= 2 && !s->event) {
        s->event = xstrdup(f[1]);
    }
}

static void read_new(follow *s)
{
    char buf[1 << 16];
    size_t got;
    while (s->f && (got = fread(buf, 1, sizeof buf, s->f)) > 0) {
        s->part = xrealloc(s->part, s->npart + got + 1);
        memcpy(s->part + s->npart, buf, got);
        s->npart += got;
        size_t start = 0;
        for (size_t i = 0; i < s->npart; i++)
            if (s->part[i] == '\n') {
                s->part[i] = 0;
                apply_report_line(s, s->part + start);
                start = i + 1;
            }
        memmove(s->part, s->part + start, s->npart - start);
        s->npart -= start;
    }
    if (s->f)
        clearerr(s->f);   /* at EOF now; the job appends more */
}

/* The newest *.lsr in dir (by modification time), into path; 0 when there is none. */
static int newest_report(const char *dir, char *path, size_t size)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    struct timespec best = { 0, 0 };
    int found = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".lsr"))
            continue;
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) < 0)
            continue;
        if (!found || st.st_mtim.tv_sec > best.tv_sec ||
            (st.st_mtim.tv_sec == best.tv_sec && st.st_mtim.tv_nsec > best.tv_nsec)) {
            best = st.st_mtim;
            snprintf(path, size, "%s", p);
            found = 1;
        }
    }
    closedir(d);
    return found;
}

/* The display function of a raw stack ("mid:off\t..."), symbolized. */
static const char *label_of(follow *s, const char *raw)
{
    if (!raw)
        return "?";
    if (!s->sym)
        s->sym = symbolizer_new(&s->pool);
    ls_symframe *fr = NULL;
    size_t n = 0, cap = 0;
    const char *p = raw;
    while (*p) {
        ls_frame f = { 0, 0 };
        char *end;
        if (*p == '?')
            f.addr = strtoull(p + 2, &end, 16);
        else {
            uint64_t mid = strtoull(p, &end, 10);
            f.addr = *end == ':' ? strtoull(end + 1, &end, 16) : 0;
            for (size_t m = 0; m < s->rep.nmodules; m++)
                if (s->rep.modules[m].mid == mid)
                    f.module = (uint32_t)m + 1;
        }
        symbolize_frame(s->sym, &s->rep, &f, &fr, &n, &cap);
        p = *end == '\t' ? end + 1 : end + strlen(end);
    }
    frames_classify(fr, n, NULL, 0);
    const char *l = n ? frames_function_label(&s->pool, &fr[frames_display(fr, n)]) : "?";
    free(fr);
    return l;
}

static size_t term_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 100;
}

static void draw_status_line(follow *s, size_t *last_len, int final)
{
    char text[1024], rss[32], heap[32], rate[32];
    size_t events = event_count(s);
    units_bytes(s->rss, rss, sizeof rss);
    units_bytes(s->heap, heap, sizeof heap);
    int n = snprintf(text, sizeof text, "leakstamp: %zu event%s  RSS %s  heap %s", events,
                     events == 1 ? "" : "s", rss, heap);
    const psite *top = NULL;
    for (size_t i = 0; i < s->nsites; i++)
        if (s->sites[i].live - s->sites[i].first > 0 &&
            (!top || s->sites[i].live - s->sites[i].first > top->live - top->first))
            top = &s->sites[i];
    if (top && s->first_done && events > 2) {
        if (top->sid != s->top_sid || !s->top_label) {
            s->top_sid = top->sid;
            s->top_label = label_of(s, top->frames);
        }
        units_bytes_signed((top->live - top->first) / (double)(events - 2), rate, sizeof rate);
        snprintf(text + n, sizeof text - (size_t)n, "  top %s/event %s", rate, s->top_label);
    }
    size_t len = strlen(text), width = term_width() - 1;
    if (len > width)
        len = width;
    printf("%.*s%*s%c", (int)len, text, *last_len > len ? (int)(*last_len - len) : 0, "", final ? '\n' : '\r');
    fflush(stdout);
    *last_len = len;
}

int progress_requested(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--progress-line"))
            return 1;
    return 0;
}

/* What --progress-line was given. */
typedef struct progress_args {
    const char *dir;
    long pid;                 /* 0: none */
    double interval;
    int once;
} progress_args;

/* One line naming the option and value, exit status 2 (docs/cli.md). */
static int usage_error(const char *opt, const char *value, const char *what)
{
    if (value)
        fprintf(stderr, "leakstamp-analyze: %s %s: %s\n", opt, value, what);
    else
        fprintf(stderr, "leakstamp-analyze: %s: %s\n", opt, what);
    return 2;
}

/* A positive decimal pid. Digits only: strtol would take " 12", "+12" and "12abc". */
static int parse_pid(const char *v, long *pid)
{
    if (*v < '1' || *v > '9' || strspn(v, "0123456789") != strlen(v))
        return -1;
    errno = 0;
    long n = strtol(v, NULL, 10);
    if (errno || n > INT_MAX)
        return -1;
    *pid = n;
    return 0;
}

/* Seconds within the documented range. A leading digit or '.' keeps out "inf", "nan", signs and
 * hex floats; the range keeps a busy loop (tiny values) and an endless sleep (huge ones) out. */
static int parse_interval(const char *v, double *interval)
{
    char *end;
    if (!((*v >= '0' && *v <= '9') || *v == '.') || (*v == '0' && (v[1] == 'x' || v[1] == 'X')))
        return -1;
    double d = strtod(v, &end);
    if (*end || !isfinite(d) || d < PROGRESS_INTERVAL_MIN || d > PROGRESS_INTERVAL_MAX)
        return -1;
    *interval = d;
    return 0;
}

/* The directory must exist now: `leakstamp run` makes it before starting us, and a typo would
 * otherwise wait silently until the job ends. */
static int check_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) < 0)
        return usage_error("--progress-line", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return usage_error("--progress-line", dir, strerror(ENOTDIR));
    return 0;
}

static int parse_one_arg(progress_args *a, int argc, char **argv, int *i)
{
    const char *opt = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    int with_value = !strcmp(opt, "--progress-line") || !strcmp(opt, "--pid") || !strcmp(opt, "--interval");
    if (!strcmp(opt, "--once")) {
        a->once = 1;
        return 0;
    }
    if (!with_value) {
        fprintf(stderr, "leakstamp-analyze: %s: unknown option (usage: leakstamp-analyze --progress-line DIR "
                "[--pid PID] [--interval SECONDS] [--once])\n", opt);
        return 2;
    }
    if (!v)
        return usage_error(opt, NULL, "missing value");
    ++*i;
    if (!strcmp(opt, "--progress-line"))
        a->dir = v;
    else if (!strcmp(opt, "--pid") && parse_pid(v, &a->pid) < 0)
        return usage_error(opt, v, "expected a process id (a positive integer)");
    else if (!strcmp(opt, "--interval") && parse_interval(v, &a->interval) < 0) {
        char what[64];
        snprintf(what, sizeof what, "expected seconds from %g to %g", PROGRESS_INTERVAL_MIN, PROGRESS_INTERVAL_MAX);
        return usage_error(opt, v, what);
    }
    return 0;
}

static int parse_args(progress_args *a, int argc, char **argv)
{
    *a = (progress_args){ .interval = 1 };
    for (int i = 1; i < argc; i++) {
        int rc = parse_one_arg(a, argc, argv, &i);
        if (rc)
            return rc;
    }
    if (!a->dir || !*a->dir)
        return usage_error("--progress-line", NULL, "missing directory");
    return check_dir(a->dir);
}

/* Whether process pid is gone. EPERM means it exists but is not ours to signal. */
static int pid_gone(long pid)
{
    return pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* --once has no later look to wait for: no report to show is an error, not an empty line. */
static int once_without_report(const follow *s, const char *dir)
{
    if (!s->path[0])
        return usage_error("--progress-line", dir, "no *.lsr report files in this directory");
    const char *what = s->open_errno ? strerror(s->open_errno)
                       : s->lines ? "not a leakstamp report (no 'leakstamp-report' first line)"
                       : "empty (no report header yet)";
    fprintf(stderr, "leakstamp-analyze: %s: %s\n", s->path, what);
    return 2;
}

static void follow_newest(follow *s, const char *dir)
{
    char path[4096];
    if (!newest_report(dir, path, sizeof path))
        return;
    if (strcmp(path, s->path)) {      /* a newer process: follow its report instead */
        follow_reset(s);
        snprintf(s->path, sizeof s->path, "%s", path);
        s->f = fopen(path, "r");
        s->open_errno = s->f ? 0 : errno;
    }
    read_new(s);
}

int progress_main(int argc, char **argv)
{
    progress_args a;
    int rc = parse_args(&a, argc, argv);
    if (rc)
        return rc;
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    follow s;
    memset(&s, 0, sizeof s);
    size_t last_len = 0;
    for (;;) {
        follow_newest(&s, a.dir);
        int done = stop || a.once || pid_gone(a.pid);
        if (s.is_report)
            draw_status_line(&s, &last_len, done);
        else if (a.once)
            rc = once_without_report(&s, a.dir);
        if (done)
            break;
        struct timespec ts = { (time_t)a.interval, (long)((a.interval - (double)(time_t)a.interval) * 1e9) };
        nanosleep(&ts, NULL);
    }
    follow_reset(&s);
    return rc;
}
