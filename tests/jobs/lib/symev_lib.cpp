// symev_lib.cpp — the event code of the named-stamp test jobs (tests/integration/test_named_stamps.sh).
// Built twice: as libsymev.so, called from sym_shared (the event function is exported and called from
// another object), and compiled into sym_direct (a direct call inside one executable). Every event
// leaks SYMEV_LEAK bytes in one malloc at leak_block(); the blocks are chained through themselves, so
// the event makes no other allocation.
#include "symev_lib.h"

#include <cstring>
#include <new>

namespace symev {

static void *chain;

__attribute__((noinline)) static void leak_block(std::size_t n)
{
    void **b = static_cast<void **>(::operator new(n));
    std::memset(b, 1, n);
    *b = chain;
    chain = b;
}

long Engine::processOneEvent(int id)
{
    leak_block(SYMEV_LEAK);
    events_++;
    return id + events_;
}

// An overload: `symev::Engine::processOneEvent` names both, `...(int)` only the one above.
long Engine::processOneEvent(int id, double weight)
{
    leak_block(SYMEV_LEAK);
    events_++;
    return id + static_cast<long>(weight);
}

} // namespace symev
