// scan_holders.cpp — jobs whose growing objects have a known holder, for the heap scan's retainer tests
// (tests/integration/test_scan.sh). `scan_holders MODE [EVENTS]` runs EVENTS (default 30) events, each
// a stamp "tick" followed by one 48-byte object allocated in make_object():
//   vector     kept in a global std::vector<Obj*> g_objects: held by the vector's buffer (heap)
//   list       pushed on a singly linked list whose head is the global g_head: a list of its own blocks
//   dropped    allocated and forgotten: lost
//   overwrite  stored in the global g_last, overwriting the previous one: one held, the rest lost
#include <leakstamp.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

struct Obj {
    Obj *next;
    char payload[40];
};

std::vector<Obj *> g_objects;
Obj *g_head;
Obj *g_last;

static __attribute__((noinline)) Obj *make_object() { return new Obj(); }

static __attribute__((noinline)) void event(const char *mode)
{
    Obj *o = make_object();
    if (!strcmp(mode, "vector"))
        g_objects.push_back(o);
    else if (!strcmp(mode, "list"))
        o->next = g_head, g_head = o;
    else if (!strcmp(mode, "overwrite"))
        g_last = o;
    o = nullptr;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "vector";
    int events = argc > 2 ? atoi(argv[2]) : 30;
    for (int i = 0; i < events; i++) {
        leakstamp_stamp("tick");
        event(mode);
    }
    std::printf("%s: %d events\n", mode, events);
    return 0;
}
