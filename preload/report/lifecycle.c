/*
 * lifecycle.c — start-up, fork, exec and exit.
 *
 * Start-up happens in the library constructor (libc is ready by then; the few allocations made
 * earlier by the loader pass through untracked). If the report cannot be opened the tool says so in one
 * line and stays out of the way: the hooks keep forwarding to the real allocator.
 * fork: every lock of ours is taken before the fork and released on both sides (pthread_atfork), and
 * the child starts its own report file, defining stacks and modules anew; its counters continue the
 * parent's, because the child inherits the parent's heap. exec: the exit record is written with reason
 * `exec` before the image is replaced (hooks_exec.c); with LEAKSTAMP_FOLLOW_EXEC=0 the library removes
 * itself from LD_PRELOAD at start-up so nothing the job starts is tracked.
 */
#include "report/report.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pid_t ls_owner_pid;

/* Remove every LD_PRELOAD word that names libleakstamp, keeping the others, however long the value
 * (the copy is mapped, not a fixed buffer: a long LD_PRELOAD is never cut). */
static void stop_following_exec(void)
{
    const char *v = getenv("LD_PRELOAD");
    if (!v)
        return;
    size_t cap = strlen(v) + 1;
    char *out = ls_map(cap);
    if (!out) {
        ls_say("LEAKSTAMP_FOLLOW_EXEC=0: out of memory; exec'd programs are tracked too");
        return;
    }
    size_t n = 0;
    while (*v) {
        size_t w = strcspn(v, ": ");
        int ours = memmem(v, w, "libleakstamp", 12) != NULL;
        if (!ours && w) {
            if (n)
                out[n++] = ':';
            memcpy(out + n, v, w);
            n += w;
        }
        v += w;
        v += strspn(v, ": ");
    }
    out[n] = 0;
    if (n)
        setenv("LD_PRELOAD", out, 1);
    else
        unsetenv("LD_PRELOAD");
    ls_unmap(out, cap);
}

static void before_fork(void)
{
    if (!atomic_load(&ls_active))
        return;
    ls_stamp_lock();
    ls_livemap_lock_all();
    ls_maps_lock();
}

static void after_fork_parent(void)
{
    if (!atomic_load(&ls_active))
        return;
    ls_maps_unlock();
    ls_livemap_unlock_all();
    ls_stamp_unlock();
}

static void after_fork_child(void)
{
    if (!atomic_load(&ls_active))
        return;
    ls_livemap_reset_locks();
    ls_maps_reset_lock();
    ls_stamp_reset_lock();
    ls_counters_after_fork_child();
    ls_stacks_after_fork_child();
    ls_sample_after_fork_child();
    struct ls_guard g = ls_enter();
    ls_owner_pid = getpid();
    ls_outfile_close();
    ls_forget_definitions();   /* a new file: define everything again */
    ls_forget_previous_stamp();
    if (ls_outfile_open() == 0)
        ls_write_header();
    else
        atomic_store(&ls_active, 0);
    ls_leave(g);
}

static void start(void)
{
    ls_real_resolve();
    if (ls_config_load() || ls_stacks_init() || ls_livemap_init() || ls_maps_init())
        return;
    if (!ls_config.follow_exec)
        stop_following_exec();
    ls_unwind_init();
    ls_unwind_cache_init();
    ls_counters_init();
    ls_owner_pid = getpid();
    if (ls_outfile_open())
        return;
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    ls_write_header();
    atomic_store(&ls_active, ls_config.sample ? LS_ON_SAMPLED : LS_ON_EXACT);
    ls_verbose("tracking pid %d into %s", (int)ls_owner_pid, ls_outfile_path());
    ls_named_stamps.start();   /* named stamp symbols: breakpoints at --event/--stamp functions */
    ls_scans.start();          /* heap scans: LEAKSTAMP_SCAN */
}

__attribute__((constructor(101))) static void on_load(void)
{
    ls_real_ensure();
    struct ls_guard g = ls_enter();
    start();
    ls_leave(g);
}

void ls_before_exec(void)
{
    if (atomic_load(&ls_active) && getpid() == ls_owner_pid)   /* not from a vfork child */
        ls_write_exit("exec");
}

__attribute__((destructor(101))) static void on_unload(void)
{
    if (getpid() != ls_owner_pid || !atomic_load(&ls_active))
        return;
    ls_named_stamps.at_exit();   /* names that matched nothing: warned and recorded */
    ls_scans.at_exit();          /* the exit heap scan's record goes before the exit record */
    ls_write_exit("exit");
    ls_verbose("report written to %s", ls_outfile_path());
    if (ls_config.verify_unwind)
        ls_say("unwind cache: %llu hits checked, %llu disagreed with libunwind",
               (unsigned long long)atomic_load(&ls_unwind_verified),
               (unsigned long long)atomic_load(&ls_unwind_mismatched));
    atomic_store(&ls_active, 0);
}
