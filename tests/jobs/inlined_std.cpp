/*
 * inlined_std.cpp — a leak made through libstdc++ templates that the optimiser inlines into the job:
 * each event keeps one 200-character std::string (its buffer is allocated by std::string's code from
 * /usr/include/c++, inlined into remember_name). The analyzer must name remember_name's line, not the
 * system header.
 * usage: inlined_std EVENTS
 */
#pragma GCC optimize("O2")
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <leakstamp.h>

static std::vector<std::string *> names;

__attribute__((noinline)) static void remember_name(int event)
{
    names.push_back(new std::string(200, static_cast<char>('a' + event % 26)));   // LEAK LINE
}

int main(int argc, char **argv)
{
    int events = argc > 1 ? std::atoi(argv[1]) : 20;
    names.reserve(static_cast<size_t>(events));
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        remember_name(e);
    }
    leakstamp_stamp("event");
    std::printf("inlined_std: %zu names\n", names.size());
    return 0;
}
