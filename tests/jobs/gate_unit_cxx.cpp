/*
 * gate_unit_cxx.cpp — the C++ twin of gate_unit.c for the CI gate's exit check: iostreams, a thrown
 * and caught exception and std::string/std::vector churn must not fail a clean job.
 * usage: gate_unit_cxx clean|leak   (leak: one std::string never deleted, from make_label)
 */
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

__attribute__((noinline)) static std::string *make_label(int i)
{
    return new std::string("label number " + std::to_string(i) + " with a long enough text");
}

int main(int argc, char **argv)
{
    bool leak = argc > 1 && !std::strcmp(argv[1], "leak");
    std::cout << "gate_unit_cxx: " << (leak ? "leak" : "clean") << std::endl;
    try {
        throw std::runtime_error("expected");
    } catch (const std::exception &e) {
        std::cerr << "caught " << e.what() << "\n";
    }
    std::vector<std::string> v(10, std::string(100, 'a'));
    std::string *label = make_label(7);
    std::cout << label->size() << "\n";
    if (!leak)
        delete label;
    return 0;
}
