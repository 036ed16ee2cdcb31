/*
 * maptable.c — the mappings the job made outside malloc (mmap, mremap, shmat), per call site.
 *
 * Two structures under one mutex:
 *  - the range table: every tracked range [lo, hi) with its mapping site and birth stamp, sorted by
 *    start address, highest first, without overlaps. Linux hands out mmap addresses top-down, so a
 *    new mapping usually lands at the end of the array and costs no move. munmap of part of a range
 *    trims or splits it; a new mapping over tracked ranges (MAP_FIXED, or a range whose munmap we never
 *    saw) replaces them, because the kernel says that range is new.
 *  - the mapping sites: (stack id, kind) -> counters, in a fixed array with an open-addressing index.
 *    A site keeps the file of its first file-backed mapping, copied into tool memory.
 * A site's `maps` counts its live ranges, so a mapping split in two by a munmap in its middle counts
 * twice. Mappings are system calls (a microsecond or more each), so one leaf lock costs little; it is
 * never held while unwinding (the hooks find the site first) and nothing is called under it but
 * memcpy/memmove and the tool's own raw mmap. The counters change under the lock too, so a stamp that
 * takes it reads a consistent table.
 */
#include "core/core.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define MAX_SITES (1u << 16)
#define INDEX_SLOTS (MAX_SITES * 2)

struct range {
    uintptr_t lo, hi;
    uint32_t msite, birth;   /* msite: index into sites (0: none) */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct range *ranges;
static size_t nranges, cap_ranges;
static struct ls_map_site *sites;   /* [0] unused */
static _Atomic uint32_t nsites;   /* written under the lock */
static uint32_t *index_;            /* site index + 1, 0 = empty */

int ls_maps_init(void)
{
    sites = ls_map(MAX_SITES * sizeof *sites);
    index_ = ls_map(INDEX_SLOTS * sizeof *index_);
    return sites && index_ ? 0 : -1;
}

void ls_maps_lock(void) { pthread_mutex_lock(&lock); }
void ls_maps_unlock(void) { pthread_mutex_unlock(&lock); }
void ls_maps_reset_lock(void) { pthread_mutex_init(&lock, NULL); }

static struct ls_map_site *site_at(uint32_t msite)
{
    return msite && msite <= nsites ? &sites[msite] : NULL;
}

static char *copy_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = ls_arena_alloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

/* The site of (sid, kind), made on first use; 0 when the table is full. */
static uint32_t site_of(uint32_t sid, int kind, const char *file)
{
    uint64_t h = ((uint64_t)sid * 4 + (uint64_t)kind) * 0x9e3779b97f4a7c15ull;
    for (uint32_t i = (uint32_t)(h >> 47) % INDEX_SLOTS;; i = (i + 1) % INDEX_SLOTS) {
        uint32_t at = index_[i];
        if (at && sites[at].sid == sid && sites[at].kind == kind)
            return at;
        if (at)
            continue;
        if (nsites + 1 >= MAX_SITES)
            return 0;
        at = ++nsites;
        sites[at] = (struct ls_map_site){.sid = sid, .kind = (uint8_t)kind, .file = file ? copy_text(file) : NULL};
        index_[i] = at;
        return at;
    }
}

static void count(uint32_t msite, int64_t maps, int64_t bytes)
{
    if (msite) {
        sites[msite].maps += maps;
        sites[msite].bytes += bytes;
    }
}

/* First index whose range starts below `hi`: ranges from there on are the candidates to overlap
 * [lo, hi) (the array is sorted by lo, highest first). */
static size_t first_below(uintptr_t hi)
{
    size_t a = 0, b = nranges;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (ranges[m].lo >= hi)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

static int reserve(size_t extra)
{
    if (nranges + extra <= cap_ranges)
        return 0;
    size_t cap = cap_ranges ? cap_ranges * 2 : 4096;
    struct range *fresh = ls_map(cap * sizeof *fresh);
    if (!fresh)
        return -1;
    if (nranges)
        memcpy(fresh, ranges, nranges * sizeof *fresh);
    ls_unmap(ranges, cap_ranges * sizeof *ranges);
    ranges = fresh;
    cap_ranges = cap;
    return 0;
}

static void insert_at(size_t i, struct range r)
{
    memmove(&ranges[i + 1], &ranges[i], (nranges - i) * sizeof *ranges);
    ranges[i] = r;
    nranges++;
}

static void erase(size_t i, size_t n)
{
    memmove(&ranges[i], &ranges[i + n], (nranges - i - n) * sizeof *ranges);
    nranges -= n;
}

static void keep_piece(struct ls_map_piece *out, int *nout, const struct range *r, uintptr_t lo, uintptr_t hi)
{
    if (out && *nout < LS_MAP_PIECES)
        out[(*nout)++] = (struct ls_map_piece){lo, hi, r->msite, r->birth};
}

/* Remove [lo, hi) from the table, undoing its counts; what was removed goes to out (if given). */
static int cut(uintptr_t lo, uintptr_t hi, struct ls_map_piece *out)
{
    int nout = 0;
    size_t i = first_below(hi);
    while (i < nranges && ranges[i].hi > lo) {
        struct range *r = &ranges[i];
        uintptr_t a = r->lo > lo ? r->lo : lo, b = r->hi < hi ? r->hi : hi;
        keep_piece(out, &nout, r, a, b);
        if (r->lo < lo && r->hi > hi) {   /* a hole in the middle: one range becomes two */
            if (reserve(1) < 0) {
                count(r->msite, -1, -(int64_t)(r->hi - r->lo));
                erase(i, 1);
                continue;
            }
            r = &ranges[i];   /* reserve may have moved the array */
            struct range upper = {hi, r->hi, r->msite, r->birth};
            ranges[i].hi = lo;
            insert_at(i, upper);
            count(upper.msite, 1, -(int64_t)(b - a));
            return nout;
        }
        count(r->msite, a == r->lo && b == r->hi ? -1 : 0, -(int64_t)(b - a));
        if (a == r->lo && b == r->hi) {
            erase(i, 1);
            continue;
        }
        if (a == r->lo)
            r->lo = b;   /* the lower part went */
        else
            r->hi = a;   /* the upper part went */
        i++;
    }
    return nout;
}

/* Insert [lo, hi) for msite after cutting whatever was there. `fresh`: a new mapping (totals count). */
static void put(uintptr_t lo, uintptr_t hi, uint32_t msite, uint32_t birth, int fresh)
{
    cut(lo, hi, NULL);
    if (!msite || reserve(1) < 0)
        return;
    insert_at(first_below(hi), (struct range){lo, hi, msite, birth});
    count(msite, 1, (int64_t)(hi - lo));
    if (fresh) {
        sites[msite].total_maps++;
        sites[msite].total_bytes += (int64_t)(hi - lo);
    }
}

static uintptr_t page_up(size_t len)
{
    return ((uintptr_t)len + 4095) & ~(uintptr_t)4095;
}

void ls_maps_add(uintptr_t p, size_t len, uint32_t sid, int kind, const char *file, uint32_t birth)
{
    pthread_mutex_lock(&lock);
    put(p, p + page_up(len), site_of(sid, kind, file), birth, 1);
    pthread_mutex_unlock(&lock);
}

void ls_maps_remove(uintptr_t p, size_t len)
{
    pthread_mutex_lock(&lock);
    cut(p, p + page_up(len), NULL);
    pthread_mutex_unlock(&lock);
}

int ls_maps_take(uintptr_t p, size_t len, struct ls_map_piece *out)
{
    pthread_mutex_lock(&lock);
    int n = cut(p, p + page_up(len), out);
    pthread_mutex_unlock(&lock);
    return n;
}

void ls_maps_put_back(const struct ls_map_piece *v, int n)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n; i++)
        put(v[i].lo, v[i].hi, v[i].msite, v[i].birth, 0);
    pthread_mutex_unlock(&lock);
}

/* An mremap: the new range carries the first piece's site and birth; growth counts as mapped. */
void ls_maps_move(const struct ls_map_piece *first, uintptr_t p, size_t len)
{
    pthread_mutex_lock(&lock);
    uintptr_t hi = p + page_up(len);
    put(p, hi, first->msite, first->birth, 0);
    int64_t grown = (int64_t)(hi - p) - (int64_t)(first->hi - first->lo);
    if (first->msite && grown > 0)
        sites[first->msite].total_bytes += grown;
    pthread_mutex_unlock(&lock);
}

size_t ls_maps_length_at(uintptr_t p)
{
    pthread_mutex_lock(&lock);
    size_t i = first_below(p + 1), len = 0;
    if (i < nranges && ranges[i].lo == p)
        len = ranges[i].hi - ranges[i].lo;
    pthread_mutex_unlock(&lock);
    return len;
}

uint32_t ls_maps_count(void)
{
    return atomic_load_explicit(&nsites, memory_order_relaxed);
}

void ls_maps_each_site(void (*fn)(uint32_t, struct ls_map_site *, void *), void *arg)
{
    pthread_mutex_lock(&lock);
    for (uint32_t i = 1; i <= nsites; i++)
        fn(i, &sites[i], arg);
    pthread_mutex_unlock(&lock);
}

static void walk_ranges(void (*fn)(const struct ls_map_piece *, const struct ls_map_site *, void *), void *arg)
{
    for (size_t i = 0; i < nranges; i++) {
        struct ls_map_piece pc = {ranges[i].lo, ranges[i].hi, ranges[i].msite, ranges[i].birth};
        fn(&pc, site_at(pc.msite), arg);
    }
}

void ls_maps_each_range(void (*fn)(const struct ls_map_piece *, const struct ls_map_site *, void *), void *arg)
{
    pthread_mutex_lock(&lock);
    walk_ranges(fn, arg);
    pthread_mutex_unlock(&lock);
}

/* bounded: the exit record from a signal handler that may have interrupted a mapping hook on this
 * thread, which then holds the lock for good: wait 2 s at most, -1 if it could not be taken. */
int ls_maps_each_range_bounded(void (*fn)(const struct ls_map_piece *, const struct ls_map_site *, void *),
                               void *arg, int bounded)
{
    if (!bounded) {
        ls_maps_each_range(fn, arg);
        return 0;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    if (pthread_mutex_timedlock(&lock, &until) != 0)
        return -1;
    walk_ranges(fn, arg);
    pthread_mutex_unlock(&lock);
    return 0;
}
