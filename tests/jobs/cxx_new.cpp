/*
 * cxx_new.cpp — every operator new/delete form. Per event it leaks HITS 48-byte objects from
 * leak_new48 (the "48-byte new per hit" case), one new[] of 100 bytes, one nothrow new, one aligned new,
 * one aligned new[], and frees objects through sized, nothrow and aligned delete. It also checks the
 * standard's failure semantics: a throwing new of an impossible size throws std::bad_alloc, which the
 * job catches; a nothrow new of an impossible size returns null; a new_handler is called and can make
 * the allocation succeed. Exits 1 if any of these is wrong.
 * usage: cxx_new EVENTS HITS
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>
#include <leakstamp.h>

struct Obj48 { char bytes[48]; };
struct alignas(64) Aligned64 { char bytes[64]; };

static std::vector<void *> *kept;

__attribute__((noinline)) static void leak_new48() { kept->push_back(new Obj48()); }
__attribute__((noinline)) static void leak_new_array() { kept->push_back(new char[100]); }
__attribute__((noinline)) static void leak_nothrow() { kept->push_back(new (std::nothrow) Obj48()); }
__attribute__((noinline)) static void leak_aligned() { kept->push_back(new Aligned64()); }
__attribute__((noinline)) static void leak_aligned_array() { kept->push_back(new Aligned64[2]); }

/* A throwing new of an impossible size must throw std::bad_alloc, which the job catches. */
static bool impossible_new_throws()
{
    try {
        volatile size_t huge = (size_t)1 << 62;
        char *p = new char[huge];
        delete[] p;
        return false;
    } catch (const std::bad_alloc &) {
        return true;
    }
}

__attribute__((noinline)) static int churn()
{
    int bad = 0;
    delete new Obj48();                               // sized delete
    delete[] new char[10];
    ::operator delete(::operator new(16, std::nothrow), std::nothrow);
    delete new Aligned64();                           // aligned sized delete
    delete[] new Aligned64[3];
    Aligned64 *a = static_cast<Aligned64 *>(::operator new(sizeof(Aligned64), std::align_val_t(64)));
    if (reinterpret_cast<uintptr_t>(a) % 64)
        bad = 1;
    ::operator delete(a, std::align_val_t(64));
    bad |= !impossible_new_throws();
    volatile size_t huge = (size_t)1 << 62;
    if (::operator new(huge, std::nothrow) != nullptr)
        bad = 1;
    return bad;
}

static int handler_calls;
static void handler() { handler_calls++; std::set_new_handler(nullptr); }

int main(int argc, char **argv)
{
    int events = argc > 1 ? atoi(argv[1]) : 10;
    int hits = argc > 2 ? atoi(argv[2]) : 5;
    kept = new std::vector<void *>();
    kept->reserve((size_t)events * (hits + 10));
    int bad = 0;
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        for (int h = 0; h < hits; h++)
            leak_new48();
        leak_new_array();
        leak_nothrow();
        leak_aligned();
        leak_aligned_array();
        bad |= churn();
    }
    leakstamp_stamp("event");
    // a new_handler is called before bad_alloc is thrown
    std::set_new_handler(handler);
    bad |= !impossible_new_throws();
    if (handler_calls != 1)
        bad = 1;
    std::printf("cxx_new: %zu objects kept, bad=%d\n", kept->size(), bad);
    return bad;
}
