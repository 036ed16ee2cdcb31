/*
 * exit_in_handler — a job whose SIGTERM handler calls exit() (or exec), as daemons and CI runners do,
 * while its main thread is inside a stamp or inside malloc/free. A helper thread sends the signal after
 * a few milliseconds. The job must end with the handler's status, not hang. In mmap mode the main
 * thread maps and unmaps under 20,000 tracked mappings, so that the signal may land while the mapping
 * hook holds the mapping table (the window is short: this mode is coverage more than a reproducer).
 * usage: exit_in_handler stamp|malloc|exec|mmap
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <leakstamp.h>

static pthread_t main_thread;
static int exec_mode;

static void on_term(int sig)
{
    (void)sig;
    if (exec_mode)
        execl("/bin/true", "true", (char *)NULL);
    exit(3);
}

static void *killer(void *arg)
{
    (void)arg;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    usleep(5000 + (unsigned)(t.tv_nsec / 1000) % 20000);
    pthread_kill(main_thread, SIGTERM);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "malloc";
    int stamps = strcmp(mode, "malloc") != 0;
    exec_mode = !strcmp(mode, "exec");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    main_thread = pthread_self();
    if (!strcmp(mode, "mmap")) {
        for (int i = 0; i < 20000; i++)
            mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        pthread_t t;
        pthread_create(&t, NULL, killer, NULL);
        for (;;) {
            void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p != MAP_FAILED)
                munmap(p, 4096);
        }
    }
    pthread_t t;
    pthread_create(&t, NULL, killer, NULL);
    void *keep[64] = {0};
    for (unsigned i = 0;; i++) {
        if (stamps)
            leakstamp_stamp("tick");
        void *p = malloc(16 + i % 200);
        free(keep[i % 64]);
        keep[i % 64] = p;
    }
}
