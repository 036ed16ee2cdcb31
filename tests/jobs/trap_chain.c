/*
 * trap_chain — the job's own SIGTRAP handler, installed with SA_SIGINFO | SA_RESETHAND and an sa_mask
 * holding SIGUSR1, while named stamps are armed (the tool owns the real SIGTRAP handler and chains to
 * the job's). Inside the handler SIGUSR1 must be blocked and the disposition back to SIG_DFL; the
 * second raise(SIGTRAP) then kills the process with SIGTRAP, as without the tool.
 * usage: trap_chain
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int usr1_blocked = -1, reset = -1, calls;

__attribute__((noinline)) int named(int i) { return i * 2; }

static void on_trap(int sig, siginfo_t *si, void *ctx)
{
    (void)sig, (void)si, (void)ctx;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    usr1_blocked = sigismember(&now, SIGUSR1);
    struct sigaction cur;
    sigaction(SIGTRAP, NULL, &cur);
    reset = cur.sa_handler == SIG_DFL;
    calls++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR1);
    sigaction(SIGTRAP, &sa, NULL);
    named(1);
    raise(SIGTRAP);
    printf("trap_chain: calls %d, SIGUSR1 blocked in handler %d, reset to default %d\n", calls, usr1_blocked, reset);
    fflush(stdout);
    named(2);
    raise(SIGTRAP);   /* default action now: killed by SIGTRAP */
    printf("trap_chain: survived the second SIGTRAP\n");
    return 0;
}
