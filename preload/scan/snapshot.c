/*
 * snapshot.c — the copy-on-write snapshot a scan runs in.
 *
 * The parent takes the live-pointer table's locks (the stamp lock is held already), blocks every
 * signal, and clones itself like fork() but with no exit signal: a child that sends no SIGCHLD is a
 * "clone child" to the kernel, which wait(), waitpid(-1) and SIGCHLD handlers of the job never see
 * (only __WALL or __WCLONE do; the job's atfork handlers do not run either). It then unlocks and goes
 * on; its stall is the clone itself (page tables copied). The child, alone with a frozen copy of the
 * heap, resets the locks it inherited held, scans, appends one record to the report and _exits; its
 * signals stay blocked, so nothing meant for the job (a SIGTERM to the process group) runs the job's
 * handlers in it. Finished children are reaped at the next stamp (waitpid of their pid with __WCLONE);
 * the exit scan waits for its child, and for those still running, so that every record is in the
 * file before the exit record and before the job's parent reads it.
 */
#include "scan/scan.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 16
#define EXIT_WAIT_US (120u * 1000000u)   /* a scan child that takes longer at exit is killed */
static pid_t children[MAX_CHILDREN];
static int nchildren;
uint64_t ls_scan_peak;
static uint64_t mapped;

void *ls_scan_map(size_t bytes)
{
    void *p = ls_map(bytes);
    if (p && (mapped += bytes) > ls_scan_peak)
        ls_scan_peak = mapped;
    return p;
}

void ls_scan_unmap(void *p, size_t bytes)
{
    if (p) {
        ls_unmap(p, bytes);
        mapped -= bytes;
    }
}

int ls_scan_room(void **v, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap)
        return 0;
    size_t more = *cap ? *cap * 2 : first;
    void *fresh = ls_scan_map(more * elem);
    if (!fresh)
        return -1;
    if (*v)
        memcpy(fresh, *v, n * elem);
    ls_scan_unmap(*v, *cap * elem);
    *v = fresh;
    *cap = more;
    return 0;
}

static __attribute__((noreturn, noinline)) void child(struct ls_scan_info info, uint64_t before)
{
    ls_livemap_reset_locks();
    ls_stamp_reset_lock();
    atomic_store(&ls_modules_stale, 0);   /* resolved by the parent; the child adds no module ids */
    info.started_us = ls_now_us();
    info.fork_us = info.started_us - before;
    jmp_buf regs;   /* the registers of the thread that forked, on the stack the scan starts from */
    setjmp(regs);
    struct ls_blocks b = {0};
    struct ls_roots r = {0};
    if (ls_blocks_collect(&b) == 0 && ls_roots_collect(&r, (uintptr_t)&regs, !strcmp(info.label, "exit")) == 0 && ls_mark(&b, &r) == 0)
        ls_scan_write(&info, &b, &r);
    _exit(0);
}

/* 1 when pid has ended (or is no child of ours any more: a job that waits with __WALL took it). */
static int ended(pid_t pid, int block)
{
    for (;;) {
        pid_t got = waitpid(pid, NULL, __WCLONE | (block ? 0 : WNOHANG));
        if (got == pid || (got < 0 && errno == ECHILD))
            return 1;
        if (got < 0 && errno == EINTR)
            continue;
        return 0;
    }
}

static void wait_bounded(pid_t pid)
{
    uint64_t until = ls_now_us() + EXIT_WAIT_US;
    struct timespec nap = {0, 1000000};
    while (!ended(pid, 0)) {
        if (ls_now_us() > until) {
            ls_say("heap scan did not finish within %u s; no scan record", EXIT_WAIT_US / 1000000);
            kill(pid, SIGKILL);
            ended(pid, 1);
            return;
        }
        nanosleep(&nap, NULL);
    }
}

void ls_snapshot_reap(int block)
{
    for (int i = 0; i < nchildren;) {
        if (block)
            wait_bounded(children[i]);
        if (block || ended(children[i], 0))
            children[i] = children[--nchildren];
        else
            i++;
    }
}

void ls_snapshot_scan(const char *label, uint32_t seq, uint64_t event, int wait)
{
    ls_snapshot_reap(0);
    if (nchildren == MAX_CHILDREN) {
        ls_say("heap scan at stamp %u skipped: %d scans still running", seq, MAX_CHILDREN);
        return;
    }
    /* Modules and stacks get their ids here, in the parent, so that the child's definitions and the
     * parent's later ones agree (a child that numbered modules itself would number them apart). */
    ls_resolve_pending_stacks();
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    ls_livemap_lock_all();
    uint64_t before = ls_now_us();
    /* flags 0: no CLONE_VM (a copy, like fork), exit signal 0 (no SIGCHLD) */
    pid_t pid = (pid_t)syscall(SYS_clone, 0ul, NULL, NULL, NULL, 0ul);
    if (pid == 0)
        child((struct ls_scan_info){.label = label, .seq = seq, .event = event}, before);
    uint64_t took = ls_now_us() - before;
    int err = errno;
    ls_livemap_unlock_all();
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        ls_say("heap scan at stamp %u: cannot fork a snapshot (%s)", seq, strerror(err));
        return;
    }
    ls_verbose("heap scan at stamp %u: snapshot %d taken in %llu us", seq, (int)pid, (unsigned long long)took);
    if (wait)
        wait_bounded(pid);
    else
        children[nchildren++] = pid;
}
