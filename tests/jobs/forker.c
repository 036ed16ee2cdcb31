/*
 * forker.c — fork and exec under the preload.
 *   forker fork      parent leaks 100 B per event, forks; the child leaks 200 B per event for 3 events
 *                    and exits 0; the parent waits, runs 3 more events, and exits with the child's status.
 *   forker exec PROG ARGS...   leaks 10 B, stamps once, then execs PROG (the report ends with `exec`).
 *   forker vfork     vfork + exec of /bin/true (the vfork child must not write the parent's report).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <leakstamp.h>

__attribute__((noinline)) static void parent_leak(void) { if (!malloc(100)) abort(); }
__attribute__((noinline)) static void child_leak(void) { if (!malloc(200)) abort(); }

static int do_fork(void)
{
    for (int e = 0; e < 3; e++) {
        leakstamp_stamp("event");
        parent_leak();
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        for (int e = 0; e < 3; e++) {
            leakstamp_stamp("event");
            child_leak();
        }
        leakstamp_stamp("event");
        exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    for (int e = 0; e < 3; e++) {
        leakstamp_stamp("event");
        parent_leak();
    }
    leakstamp_stamp("event");
    printf("forker: child status %d\n", WEXITSTATUS(status));
    return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "fork"))
        return do_fork();
    if (argc >= 3 && !strcmp(argv[1], "exec")) {
        if (!malloc(10))
            abort();
        leakstamp_stamp("before-exec");
        execv(argv[2], argv + 2);
        perror("execv");
        return 127;
    }
    if (argc >= 2 && !strcmp(argv[1], "vfork")) {
        leakstamp_stamp("before");
        pid_t pid = vfork();
        if (pid == 0) {
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        leakstamp_stamp("after");
        return WEXITSTATUS(status);
    }
    fprintf(stderr, "usage: forker fork | exec PROG ARGS... | vfork\n");
    return 2;
}
