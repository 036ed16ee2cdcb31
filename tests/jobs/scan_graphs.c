/*
 * scan_graphs.c — heap graphs whose memcheck categories are known, for the heap scan's tests
 * (tests/integration/test_scan.sh). `scan_graphs MODE` builds one graph and exits; the exit scan
 * classifies it. Every graph's blocks come from one function named for the graph (its own site), and
 * the pointers that built it are cleared, so only the graph's own pointers remain.
 *
 *   tree       7 nodes (32 B) rooted in a global, the root's left subtree (3 nodes) dropped:
 *              4 reachable, 1 definite, 2 indirect
 *   cycle      3 nodes (48 B) pointing round, nothing else: 1 definite, 2 indirect
 *   interior   1 block (64 B) that a global points into (offset 8) only: 1 possible
 *   self       1 block (40 B) that points at itself only: 1 definite
 *   stack      1 block (24 B) held by the main thread's local across a stamp (scan at event 1), then
 *              dropped: at event 1 reachable, held by the stack; at exit definite
 *   thread     1 block (56 B) held only by a local of a thread blocked in read(2) at exit: reachable,
 *              held by a thread's stack
 *   tls        1 block (72 B) held by a __thread variable of the main thread, 1 (88 B) of a blocked
 *              thread: both reachable, held by TLS
 */
#include <leakstamp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct node {
    struct node *l, *r;
    void *pad[2];
};

struct node *g_tree;
char *g_inside;
static __thread void *t_hold;
static int wake[2], ready[2];

static __attribute__((noinline)) void *tree_node(void) { return calloc(1, sizeof(struct node)); }
static __attribute__((noinline)) void *cycle_node(void) { return calloc(1, 48); }
static __attribute__((noinline)) void *interior_block(void) { return calloc(1, 64); }
static __attribute__((noinline)) void *self_block(void) { return calloc(1, 40); }
static __attribute__((noinline)) void *stack_block(void) { return calloc(1, 24); }
static __attribute__((noinline)) void *thread_block(void) { return calloc(1, 56); }
static __attribute__((noinline)) void *tls_block_main(void) { return calloc(1, 72); }
static __attribute__((noinline)) void *tls_block_thread(void) { return calloc(1, 88); }

static __attribute__((noinline)) void tree(void)
{
    struct node **v = malloc(7 * sizeof *v);
    for (int i = 0; i < 7; i++)
        v[i] = tree_node();
    for (int i = 0; i < 3; i++)
        v[i]->l = v[2 * i + 1], v[i]->r = v[2 * i + 2];
    g_tree = v[0];
    g_tree->l = NULL;   /* drops v[1] (definite) and its children v[3], v[4] (indirect) */
    free(v);
}

static __attribute__((noinline)) void cycle(void)
{
    void **a = cycle_node(), **b = cycle_node(), **c = cycle_node();
    a[0] = b, b[0] = c, c[0] = a;
    a = b = c = NULL;
}

static __attribute__((noinline)) void interior(void) { g_inside = (char *)interior_block() + 8; }

static __attribute__((noinline)) void self(void)
{
    void **p = self_block();
    p[0] = p;
    p = NULL;
}

static __attribute__((noinline)) void stack(void)
{
    void *volatile p = stack_block();
    (void)p;
    leakstamp_stamp("tick");   /* the scan at event 1 sees p in this frame */
    p = NULL;
}

static void *blocked(void *arg)
{
    void *volatile mine = arg ? tls_block_thread() : thread_block();
    if (arg)
        t_hold = mine, mine = NULL;
    char c = 0;
    ssize_t n = write(ready[1], &c, 1);   /* the block is held: main may exit */
    n = read(wake[0], &c, 1);             /* blocked until the process exits */
    (void)n;
    return NULL;
}

static void start_blocked(int with_tls)
{
    pthread_t t;
    pthread_create(&t, NULL, blocked, with_tls ? (void *)1 : NULL);
    char c;
    if (read(ready[0], &c, 1) != 1)   /* until it has allocated (a fixed sleep raced a slow machine) */
        exit(1);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (pipe(wake) || pipe(ready))
        return 1;
    if (!strcmp(mode, "tree"))
        tree();
    else if (!strcmp(mode, "cycle"))
        cycle();
    else if (!strcmp(mode, "interior"))
        interior();
    else if (!strcmp(mode, "self"))
        self();
    else if (!strcmp(mode, "stack"))
        stack();
    else if (!strcmp(mode, "thread"))
        start_blocked(0);
    else if (!strcmp(mode, "tls")) {
        t_hold = tls_block_main();
        start_blocked(1);
    } else {
        fprintf(stderr, "usage: scan_graphs tree|cycle|interior|self|stack|thread|tls\n");
        return 2;
    }
    printf("built %s\n", mode);
    return 0;
}
