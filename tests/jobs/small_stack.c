/*
 * small_stack.c — allocations on small stacks: a 32 KiB fiber (makecontext) and a thread with the
 * minimum stack size (PTHREAD_STACK_MIN), each allocating first through a few frames. Both stacks are
 * painted before use; the job prints how many bytes of each were ever written ("fiber N", "thread N")
 * and exits 3 if the fiber's stack overflowed its painted range. Without the tool the numbers show the
 * job's own use; under it, the tool's (docs/preload.md states the bound).
 * usage: small_stack
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define FIBER_STACK (32 * 1024)
#define PAINT 0xa5

static ucontext_t main_ctx, fiber_ctx;
static void *volatile keep[64];

__attribute__((noinline)) static void allocate(int depth)
{
    if (depth > 0) {
        allocate(depth - 1);
        __asm__ volatile("" ::: "memory");
        return;
    }
    for (int i = 0; i < 64; i++) {
        free(keep[i]);
        keep[i] = malloc(16 + (size_t)i * 8);
    }
}

static void fiber(void)
{
    allocate(4);
}

/* Bytes of a painted stack [lo, lo + size) written since it was painted (it grows down). */
static size_t used(const unsigned char *lo, size_t size)
{
    size_t i = 0;
    while (i < size && lo[i] == PAINT)
        i++;
    return size - i;
}

static size_t thread_stack_size;
static unsigned char *thread_stack;

static void *thread_main(void *arg)
{
    (void)arg;
    allocate(4);
    return NULL;
}

int main(void)
{
    unsigned char *stack = aligned_alloc(4096, FIBER_STACK);
    memset(stack, PAINT, FIBER_STACK);
    getcontext(&fiber_ctx);
    fiber_ctx.uc_stack.ss_sp = stack;
    fiber_ctx.uc_stack.ss_size = FIBER_STACK;
    fiber_ctx.uc_link = &main_ctx;
    makecontext(&fiber_ctx, fiber, 0);
    swapcontext(&main_ctx, &fiber_ctx);
    size_t fiber_used = used(stack, FIBER_STACK);

    /* the thread's stack is ours too, so it can be painted and measured */
    thread_stack_size = PTHREAD_STACK_MIN;
    thread_stack = aligned_alloc(4096, thread_stack_size);
    memset(thread_stack, PAINT, thread_stack_size);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstack(&a, thread_stack, thread_stack_size);
    pthread_t t;
    if (pthread_create(&t, &a, thread_main, NULL))
        return 1;
    pthread_join(t, NULL);
    size_t thread_used = used(thread_stack, thread_stack_size);
    printf("fiber %zu\nthread %zu\n", fiber_used, thread_used);
    return fiber_used >= FIBER_STACK || thread_used >= thread_stack_size ? 3 : 0;
}
