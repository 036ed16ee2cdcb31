// sym_shared — named-stamp test job: the event function symev::Engine::processOneEvent lives in
// libsymev.so and is called from this executable through the PLT. Usage: sym_shared EVENTS [OVERLOADED]
// runs EVENTS calls of processOneEvent(int) and OVERLOADED calls of processOneEvent(int, double).
#include "lib/symev_lib.h"

#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv)
{
    int n = argc > 1 ? std::atoi(argv[1]) : 10;
    int k = argc > 2 ? std::atoi(argv[2]) : 0;
    symev::Engine e;
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += e.processOneEvent(i);
    for (int i = 0; i < k; i++)
        sum += e.processOneEvent(i, 2.0);
    std::printf("sym_shared %d %d %ld\n", n, k, sum);
    return 0;
}
