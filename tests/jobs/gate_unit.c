/*
 * gate_unit.c — a unit-test-style job for the CI gate (tests/integration/test_gate.sh): no stamps,
 * so the gate checks what is still live at exit. It uses the parts of libc that keep memory until
 * exit on purpose (stdio buffers, locale data, an opened and closed file), which must not fail it.
 * usage: gate_unit clean|leak|crash|exit3
 *   leak   leaks one 100-byte block from unit_leaky_helper and a strdup'ed string from
 *          unit_parse_name; clean frees both; crash dies of SIGSEGV; exit3 exits with status 3.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *kept;

__attribute__((noinline)) static void unit_leaky_helper(int leak)
{
    char *p = malloc(100);
    memset(p, 'x', 100);
    kept = p;
    if (!leak)
        free(p);
    kept = NULL;
}

__attribute__((noinline)) static void unit_parse_name(int leak)
{
    char *name = strdup("a name longer than the small-string optimisation");
    if (!leak)
        free(name);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "clean";
    setlocale(LC_ALL, "");
    printf("gate_unit: %s\n", mode);
    fprintf(stderr, "gate_unit: on stderr\n");
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char line[256];
        if (fgets(line, sizeof line, f))
            (void)line;
        fclose(f);
    }
    int leak = !strcmp(mode, "leak");
    unit_leaky_helper(leak);
    unit_parse_name(leak);
    if (!strcmp(mode, "crash")) {
        fflush(stdout);
        raise(SIGSEGV);
    }
    if (!strcmp(mode, "exit3"))
        return 3;
    return 0;
}
