/*
 * launch/unmatched_names.c — the --event/--stamp names that matched no function in any process of the
 * job, said once after it ends, with the closest function names the processes found ("did you mean").
 * A job behind an interpreter shim is several processes (env, bash, the shim's helpers, the
 * interpreter), each with the preload; each would say it at its exit, so the launcher sets
 * LEAKSTAMP_NAMES_SUMMARY for them and reads the answer from their reports instead: the `symbol`,
 * `unmatched` and `suggest` lines of their symbols records (docs/report-format.md). Reports are those of
 * this run: the ones changed since it started.
 */
#include "launch.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct suggestion {
    char *name, *candidate;
    unsigned long distance;
    int used;
};
struct names {
    char **unmatched, **matched;
    size_t nunmatched, nmatched;
    struct suggestion *sugg;
    size_t nsugg;
};

int names_summary_wanted(void)
{
    const char *e = getenv("LEAKSTAMP_EVENT"), *s = getenv("LEAKSTAMP_STAMPS");
    return (e && *e) || (s && *s);
}

void names_summary_begin(struct timespec *start)
{
    clock_gettime(CLOCK_REALTIME, start);
    if (setenv("LEAKSTAMP_NAMES_SUMMARY", "1", 1) != 0)
        die_usage("out of memory");
}

static int listed(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

static void add(char ***v, size_t *n, const char *s)
{
    if (listed(*v, *n, s))
        return;
    char **grown = realloc(*v, (*n + 1) * sizeof **v);
    if (!grown)
        die_usage("out of memory");
    *v = grown;
    (*v)[(*n)++] = xasprintf("%s", s);
}

/* The report's escapes (\\t \\n \\r \\\\) undone in place. */
static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            *o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
}

/* Up to `max` tab-separated fields of line (modified), unescaped; returns how many. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\n")] = 0;
    while (n < max) {
        f[n++] = line;
        char *tab = strchr(line, '\t');
        if (!tab)
            break;
        *tab = 0;
        line = tab + 1;
    }
    for (int i = 0; i < n; i++)
        unescape(f[i]);
    return n;
}

/* The same candidate found by another process (the shim's bash and the interpreter share libc). */
static int suggested(const struct names *nm, const char *name, const char *candidate)
{
    for (size_t i = 0; i < nm->nsugg; i++)
        if (!strcmp(nm->sugg[i].name, name) && !strcmp(nm->sugg[i].candidate, candidate))
            return 1;
    return 0;
}

static void read_report(const char *path, struct names *nm)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *line = NULL, *fld[4];
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (strncmp(line, "symbol\t", 7) && strncmp(line, "unmatched\t", 10) && strncmp(line, "suggest\t", 8))
            continue;
        int n = split(line, fld, 4);
        if (!strcmp(fld[0], "symbol") && n >= 2)
            add(&nm->matched, &nm->nmatched, fld[1]);
        else if (!strcmp(fld[0], "unmatched") && n >= 2)
            add(&nm->unmatched, &nm->nunmatched, fld[1]);
        else if (!strcmp(fld[0], "suggest") && n == 4 && !suggested(nm, fld[1], fld[3])) {
            struct suggestion *grown = realloc(nm->sugg, (nm->nsugg + 1) * sizeof *grown);
            if (!grown)
                die_usage("out of memory");
            nm->sugg = grown;
            nm->sugg[nm->nsugg++] = (struct suggestion){ xasprintf("%s", fld[1]), xasprintf("%s", fld[3]),
                                                         strtoul(fld[2], NULL, 10), 0 };
        }
    }
    free(line);
    fclose(f);
}

static int changed_since(const struct stat *st, const struct timespec *t)
{
    return st->st_mtim.tv_sec > t->tv_sec || (st->st_mtim.tv_sec == t->tv_sec && st->st_mtim.tv_nsec >= t->tv_nsec);
}

/* The closest unused suggestion for name (the first seen among equals), or NULL. */
static struct suggestion *closest(struct names *nm, const char *name)
{
    struct suggestion *best = NULL;
    for (size_t i = 0; i < nm->nsugg; i++) {
        struct suggestion *s = &nm->sugg[i];
        if (!s->used && !strcmp(s->name, name) && (!best || s->distance < best->distance))
            best = s;
    }
    return best;
}

static void say_one(struct names *nm, const char *name)
{
    char also[2048] = "";
    size_t n = 0;
    struct suggestion *s;
    for (int k = 0; k < 3 && n < sizeof also && (s = closest(nm, name)); k++) {
        s->used = 1;
        n += (size_t)snprintf(also + n, sizeof also - n, "%s%s", k ? "; " : "; did you mean: ", s->candidate);
    }
    const char *ev = getenv("LEAKSTAMP_EVENT");
    say("%s %s matched no function in any process of the job: it recorded no stamps%s",
        ev && !strcmp(ev, name) ? "event function" : "stamp function", name, also);
}

void names_summary_say(const char *dir, const struct timespec *start)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct names nm = { 0 };
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 4, ".lsr"))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && changed_since(&st, start))
            read_report(path, &nm);
        free(path);
    }
    closedir(d);
    for (size_t i = 0; i < nm.nunmatched; i++)
        if (!listed(nm.matched, nm.nmatched, nm.unmatched[i]))
            say_one(&nm, nm.unmatched[i]);
    for (size_t i = 0; i < nm.nunmatched; i++)
        free(nm.unmatched[i]);
    for (size_t i = 0; i < nm.nmatched; i++)
        free(nm.matched[i]);
    for (size_t i = 0; i < nm.nsugg; i++)
        free(nm.sugg[i].name), free(nm.sugg[i].candidate);
    free(nm.unmatched), free(nm.matched), free(nm.sugg);
}
