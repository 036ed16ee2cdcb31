/*
 * sym_tail.cpp — two classes of the same name in two namespaces (alpha::Engine, beta::Engine), for naming a
 * function by an unqualified tail: `Engine::step` names two functions (ambiguous), `Solo::run` one.
 * alpha::Engine::step runs A times and leaks 100 bytes each, beta::Engine::step B times leaking 200,
 * gamma::Solo::run A times leaking 300.
 * usage: sym_tail A B
 */
#include <cstdio>
#include <cstdlib>
#include <vector>

static std::vector<void *> kept;

namespace alpha {
struct Engine {
    __attribute__((noinline)) void step() { kept.push_back(std::malloc(100)); }
};
}  // namespace alpha
namespace beta {
struct Engine {
    __attribute__((noinline)) void step() { kept.push_back(std::malloc(200)); }
};
}  // namespace beta
namespace gamma {
struct Solo {
    __attribute__((noinline)) void run() { kept.push_back(std::malloc(300)); }
};
}  // namespace gamma

int main(int argc, char **argv)
{
    int a = argc > 1 ? std::atoi(argv[1]) : 3, b = argc > 2 ? std::atoi(argv[2]) : 5;
    kept.reserve(static_cast<size_t>(2 * a + b));
    alpha::Engine x;
    beta::Engine y;
    gamma::Solo z;
    for (int i = 0; i < a; i++)
        x.step(), z.run();
    for (int i = 0; i < b; i++)
        y.step();
    std::printf("sym_tail: %zu blocks\n", kept.size());
    return 0;
}
