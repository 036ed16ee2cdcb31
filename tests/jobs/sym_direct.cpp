// sym_direct — named-stamp test job: the same event code as sym_shared, compiled into this executable,
// so processOneEvent is reached by a direct call (no PLT, no GOT). Usage: sym_direct EVENTS
#include "lib/symev_lib.cpp"

#include <cstdlib>

#include <cstdio>

int main(int argc, char **argv)
{
    int n = argc > 1 ? std::atoi(argv[1]) : 10;
    symev::Engine e;
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += e.processOneEvent(i);
    std::printf("sym_direct %d %ld\n", n, sum);
    return 0;
}
