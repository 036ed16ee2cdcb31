// symplugin_lib.cpp — libsymplugin.so, the plugin sym_dlopen loads with dlopen: its event function
// plugin::Handler::handle is known only after the dlopen (named-stamp tests). Each event leaks 2048
// bytes. The C entry point symplugin_event is what the (C) host looks up with dlsym.
#include <cstdlib>
#include <cstring>

namespace plugin {
struct Handler {
    static long handle(int i);
};

static void *chain;

__attribute__((noinline)) long Handler::handle(int i)
{
    void **b = static_cast<void **>(std::malloc(2048));
    std::memset(b, 5, 2048);
    *b = chain;
    chain = b;
    return i;
}
} // namespace plugin

extern "C" long symplugin_event(int i)
{
    return plugin::Handler::handle(i);
}
