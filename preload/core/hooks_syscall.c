/*
 * hooks_syscall.c — pipe2 and syscall(), interposed so that libunwind never holds a descriptor in the
 * job, and so that a raw rt_sigprocmask through syscall() cannot block SIGTRAP (trap/ sets the filter).
 *
 * libunwind (1.6) opens a pipe when it initialises and, to check that an address is readable (it
 * validates reads during its steps), reads a byte from the pipe and then writes the address's first
 * byte into it with syscall(SYS_write, pipe, addr, 1): EFAULT means unreadable. That pipe took
 * descriptors 3 and 4 of every tracked process, and libunwind went on using those numbers after a
 * daemon had closed them and reused them: reads stole the job's bytes, writes corrupted its data.
 * So, for calls that come from libunwind while the tool runs on this thread (our unwinding):
 *   - pipe2 fails with EMFILE: libunwind keeps -1 for both ends (and retries, cheaply, each time);
 *   - syscall(SYS_write, -1, addr, 1) answers the question itself, with process_vm_readv of that one
 *     byte from our own process, which needs no descriptor (and is always allowed on oneself).
 * Every other call, including the job's own use of libunwind, goes to the real function unchanged.
 */
#include "core/core.h"

#include <stdarg.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int (*real_pipe2)(int[2], int);
static long (*real_syscall)(long, ...);
long (*ls_syscall_filter)(long n, long a[6], int *handled) LS_HIDDEN;

static int from_unwinder(uintptr_t ra)
{
    return ls_busy() && ls_in_unwinder(ra);
}

LS_EXPORT int pipe2(int fds[2], int flags)
{
    if (from_unwinder((uintptr_t)__builtin_return_address(0))) {
        errno = EMFILE;
        return -1;
    }
    if (LS_UNLIKELY(!real_pipe2))
        real_pipe2 = (int (*)(int[2], int))ls_next_symbol("pipe2");
    return real_pipe2(fds, flags);
}

/* libunwind's validation write: 1 if the byte at addr is readable, else -1 with EFAULT. */
static long probe(long addr)
{
    char byte;
    struct iovec local = {&byte, 1}, remote = {(void *)addr, 1};
    if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 1)
        return 1;
    errno = EFAULT;
    return -1;
}

LS_EXPORT long syscall(long n, ...)
{
    long a[6];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (n == SYS_write && (int)a[0] == -1 && a[2] == 1 && from_unwinder((uintptr_t)__builtin_return_address(0)))
        return probe(a[1]);
    if (ls_syscall_filter) {
        int handled = 0;
        long rc = ls_syscall_filter(n, a, &handled);
        if (handled)
            return rc;
    }
    if (LS_UNLIKELY(!real_syscall))
        real_syscall = (long (*)(long, ...))ls_next_symbol("syscall");
    return real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
