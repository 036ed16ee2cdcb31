// symev_lib.h — the event class of the named-stamp test jobs (see symev_lib.cpp).
#pragma once
#define SYMEV_LEAK 4096

namespace symev {
class Engine {
public:
    long processOneEvent(int id);
    long processOneEvent(int id, double weight);
private:
    long events_ = 0;
};
} // namespace symev
