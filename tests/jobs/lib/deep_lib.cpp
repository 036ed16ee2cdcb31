// deep_lib.cpp — libdeep.so: deep_release frees a block the executable allocated (deepbind.c opens the
// library with RTLD_DEEPBIND); deep_keep keeps one 64-byte block per call (stamp_stack.c: a new stack in
// a library loaded late).
#include <cstdlib>

static void *chain;

extern "C" void deep_release(void *p)
{
    std::free(p);
}

extern "C" long deep_keep(int n)
{
    void **b = static_cast<void **>(std::malloc(64));
    *b = chain;
    chain = b;
    return n;
}
