/*
 * inline_deep.cpp — leaks made through std:: templates inlined three and more levels deep, inside the
 * job's own functions that are themselves inlined into the event function (built with -O2, see the
 * Makefile). Each event keeps:
 *   det::TrackHistory::linkSecondaries   two std::make_shared<Secondary> on two lines   48 B + 48 B
 *   det::HitCache::remember              one std::vector<int>::reserve(25)               100 B
 *                                        one std::unordered_map<int, int> insert         16 B (a node)
 * The analyzer must name each at the job's line inside the function that allocates (LINE A, LINE B,
 * LINE C, LINE D), not at the event function or main, and keep the two make_shared lines apart.
 * usage: inline_deep EVENTS
 */
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unordered_map>
#include <vector>
#include <leakstamp.h>

namespace det {

struct Secondary {
    double p[4];
};

struct TrackHistory {
    std::vector<std::shared_ptr<Secondary>> kept;
    __attribute__((always_inline)) inline void linkSecondaries()
    {
        kept.push_back(std::make_shared<Secondary>());   // LINE A
        kept.push_back(std::make_shared<Secondary>());   // LINE B
    }
};

struct HitCache {
    std::vector<std::vector<int>> rows;
    std::unordered_map<int, int> index;
    __attribute__((always_inline)) inline void remember(int e)
    {
        rows.emplace_back();
        rows.back().reserve(25);                         // LINE C
        index.emplace(e, e);                             // LINE D
    }
};

struct DetSimAlg {
    TrackHistory history;
    HitCache cache;
    __attribute__((noinline)) void execute(int e)
    {
        history.linkSecondaries();
        cache.remember(e);
    }
};

} // namespace det

int main(int argc, char **argv)
{
    int events = argc > 1 ? std::atoi(argv[1]) : 20;
    det::DetSimAlg alg;
    /* room for every event up front: the vectors' own buffers do not grow during the run */
    alg.history.kept.reserve(2 * static_cast<size_t>(events));
    alg.cache.rows.reserve(static_cast<size_t>(events));
    alg.cache.index.reserve(static_cast<size_t>(events));
    for (int e = 0; e < events; e++) {
        leakstamp_stamp("event");
        alg.execute(e);
    }
    leakstamp_stamp("event");
    std::printf("inline_deep: %zu secondaries\n", alg.history.kept.size());
    return 0;
}
