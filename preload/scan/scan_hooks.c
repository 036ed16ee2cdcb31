/*
 * scan_hooks.c — when the preload scans the heap: LEAKSTAMP_SCAN, the count of event stamps, and
 * the `ls_scans` table through which report/ (stamp.c, lifecycle.c) calls this room.
 *
 * LEAKSTAMP_SCAN unset or empty: one scan at exit. `0` (or off/no/false): none. `N,M,...`: a scan after
 * the N-th, M-th... event stamp, and one at exit. The event stamp is the one named by LEAKSTAMP_EVENT;
 * without it, every stamp name is counted on its own and a scan happens when the first name reaches
 * N. Scans need exact mode: in sampled mode most blocks are not in the table, so nothing could be
 * said about the others.
 */
#include "scan/scan.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SCANS 64
#define MAX_NAMES 64
static uint64_t wanted[MAX_SCANS];   /* event numbers, in the order given */
static int nwanted, at_exit_too;
static const char *event_name;
static struct {
    uint64_t hash, count;
} names[MAX_NAMES];
static int nnames;

static int parse(const char *v)
{
    if (!strcmp(v, "0") || !strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
        return 0;
    for (const char *p = v; *p;) {
        char *end;
        unsigned long long n = strtoull(p, &end, 10);
        if (end == p || n == 0 || (*end && *end != ',') || nwanted == MAX_SCANS || *p == '-' || *p == '+')
            return -1;
        wanted[nwanted++] = n;
        p = *end ? end + 1 : end;
    }
    at_exit_too = 1;
    return 0;
}

static void start(void)
{
    const char *v = getenv("LEAKSTAMP_SCAN");
    if (!v || !*v)
        at_exit_too = 1;
    else if (parse(v)) {
        ls_say("LEAKSTAMP_SCAN=%s: expected 0, or event numbers such as 20 or 10,20; no heap scans", v);
        nwanted = at_exit_too = 0;
    }
    if (ls_config.sample && (nwanted || at_exit_too)) {
        if (v && *v)
            ls_say("LEAKSTAMP_SCAN: heap scans need exact mode (LEAKSTAMP_SAMPLE is set); no heap scans");
        nwanted = at_exit_too = 0;
    }
    const char *ev = getenv("LEAKSTAMP_EVENT");
    event_name = ev && *ev ? ev : NULL;
    if (nwanted || at_exit_too)
        ls_roots_note_main_thread();
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

/* The number of stamps named `name` so far, this one included; 0 when it is not an event stamp. */
static uint64_t count_event(const char *name)
{
    if (event_name)
        return strcmp(name, event_name) ? 0 : ++names[0].count;
    uint64_t h = hash(name);
    for (int i = 0; i < nnames; i++)
        if (names[i].hash == h)
            return ++names[i].count;
    if (nnames == MAX_NAMES)
        return 0;
    names[nnames].hash = h;
    return names[nnames++].count = 1;
}

/* The stamp lock is held. */
static void after_stamp(const char *name, uint32_t seq)
{
    if (!nwanted)
        return;
    uint64_t event = count_event(name ? name : "(null)");
    for (int i = 0; event && i < nwanted; i++)
        if (wanted[i] == event) {
            wanted[i] = 0;   /* once: a name that reaches N later does not scan again */
            ls_snapshot_scan("event", seq, event, 0);
        }
    ls_snapshot_reap(0);
}

static void at_exit(void)
{
    if (!at_exit_too && !nwanted)
        return;
    struct ls_guard g = ls_enter_blocking();
    ls_stamp_lock();
    ls_snapshot_reap(1);   /* the scans of the run first, so records follow the order of their stamps */
    if (at_exit_too)
        ls_snapshot_scan("exit", atomic_load(&ls_stamp_seq), 0, 1);
    ls_stamp_unlock();
    ls_leave_blocking(g);
}

const struct ls_scans ls_scans = {start, after_stamp, at_exit};
