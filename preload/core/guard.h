/*
 * core/guard.h — the recursion guard: how a thread enters and leaves the tool. Included by core.h only.
 *
 * While the tool itself runs on a thread, any allocation made there (by libunwind, stdio, the loader,
 * dlsym, our own libc calls) goes straight to the real allocator, untracked, and nothing the tool does
 * changes what the job sees: ls_enter() saves the flag and errno, ls_leave() puts both back. A path that
 * can block in a cancellation point (write, open: the stamp and exit records) uses ls_enter_blocking(),
 * which also holds off pthread_cancel until ls_leave_blocking(), so a cancelled thread never leaves one
 * of our locks taken.
 *
 * The rule this flag serves: never wait for a lock this thread may already hold. A signal handler can
 * run in the middle of the tool (a free inside our free, a stamp inside our stamp, a breakpoint in a
 * function the tool calls), and the interrupted code may hold a shard lock or the stamp mutex. So every
 * path that takes one of our locks first asks ls_busy(), and when this thread is already inside the
 * tool it does without (records nothing, or leaves a stale entry that is repaired later) instead of
 * waiting for itself.
 */
#ifndef LS_GUARD_H
#define LS_GUARD_H

#include <errno.h>
#include <pthread.h>

extern __thread int ls_in_tool LS_HIDDEN;
/* This thread's errno, found once: errno is a call to __errno_location through the PLT, and the guard
 * reads and writes it on every tracked allocation and free. The address is fixed for a thread's life
 * (a fork child's thread keeps it). */
extern __thread int *ls_errno_at LS_HIDDEN;

struct ls_guard {
    int was;     /* the flag before ls_enter */
    int err;     /* errno before ls_enter */
    int cancel;  /* cancel state before ls_enter_blocking */
};

/* Inside the tool on this thread: may hold one of our locks, must not wait for one. */
static inline int ls_busy(void)
{
    return ls_in_tool;
}

static inline struct ls_guard ls_enter(void)
{
    int *err = ls_errno_at;
    if (LS_UNLIKELY(!err))
        ls_errno_at = err = &errno;
    struct ls_guard g = {ls_in_tool, *err, 0};
    ls_in_tool = 1;
    return g;
}

static inline void ls_leave(struct ls_guard g)
{
    ls_in_tool = g.was;
    *ls_errno_at = g.err;   /* set by the ls_enter that made g, on this thread */
}

static inline struct ls_guard ls_enter_blocking(void)
{
    struct ls_guard g = ls_enter();
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &g.cancel);
    return g;
}

static inline void ls_leave_blocking(struct ls_guard g)
{
    int ignored;
    pthread_setcancelstate(g.cancel, &ignored);
    ls_leave(g);
}

#endif
