/*
 * demo_leaky.cpp — the bundled leaky demo job: a small "detector simulation" event loop with the
 * patterns that confuse leak hunts, and one real leak.
 *   - a 50 MB lookup table allocated once in the first event (warm-up, not a leak);
 *   - a geometry cache that fills during the first events and then stays full (bounded);
 *   - per-event hits (1,701 x 48 bytes) freed at the end of the event, and track buffers freed one
 *     event later (churn and lagged frees: stable);
 *   - THE LEAK: Digitizer::digitize keeps one 48-byte Hit per noisy channel (18 per event) in a list
 *     that is never cleared, and a 4 KiB ntuple row per event is never freed.
 * `--no-leak` fixes both, so the same job serves the CI gate's clean case.
 * usage: demo_leaky [EVENTS] [--no-leak]
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>
#include <leakstamp.h>

struct Hit {
    double x, y, z, t, e;
    int channel, flags;
};
static_assert(sizeof(Hit) == 48, "a Hit is 48 bytes");

namespace sim {

class LookupTable {
public:
    LookupTable() : data_(new char[50u << 20]) { std::memset(data_, 1, 50u << 20); }
    char at(size_t i) const { return data_[i % (50u << 20)]; }
private:
    char *data_;   // lives for the whole job, on purpose
};

class GeometryCache {
public:
    const std::vector<double> &volume(int id)
    {
        auto it = cache_.find(id);
        if (it != cache_.end())
            return it->second;
        return cache_[id] = std::vector<double>(64, id * 0.5);
    }
private:
    std::map<int, std::vector<double>> cache_;
};

class Digitizer {
public:
    explicit Digitizer(bool leak) : leak_(leak) {}
    __attribute__((noinline)) double digitize(const std::vector<Hit *> &hits)
    {
        double sum = 0;
        for (const Hit *h : hits) {
            sum += h->e;
            if (h->channel % 100 == 0) {           // a noisy channel: keep a copy for the summary
                Hit *copy = new Hit(*h);
                if (leak_)
                    noisy_.push_back(copy);         // BUG: never cleared
                else
                    delete copy;
            }
        }
        return sum;
    }
private:
    bool leak_;
    std::vector<Hit *> noisy_;
};

__attribute__((noinline)) void write_ntuple_row(bool leak, double value)
{
    char *row = static_cast<char *>(std::malloc(4096));
    std::snprintf(row, 4096, "%f", value);
    if (!leak)
        std::free(row);                             // BUG in the leaky mode: the row is never freed
}

__attribute__((noinline)) std::vector<Hit *> make_hits(int event)
{
    std::vector<Hit *> hits;
    for (int i = 0; i < 1701; i++)
        hits.push_back(new Hit{i * 0.1, i * 0.2, i * 0.3, event * 1.0, 1.0, i, 0});
    return hits;
}

}  // namespace sim

int main(int argc, char **argv)
{
    int events = 30;
    bool leak = true;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--no-leak"))
            leak = false;
        else
            events = std::atoi(argv[i]);
    }
    sim::LookupTable *table = nullptr;
    sim::GeometryCache geometry;
    sim::Digitizer digitizer(leak);
    std::vector<double> *previous_tracks = nullptr;
    double total = 0;
    for (int event = 0; event < events; event++) {
        leakstamp_stamp("event");
        if (!table)
            table = new sim::LookupTable();         // warm-up: first event only
        for (int v = 0; v < 10; v++)                // the cache fills over the first 8 events
            total += geometry.volume((event * 10 + v) % 80)[0];
        std::vector<Hit *> hits = sim::make_hits(event);
        leakstamp_stamp("digitize");
        total += digitizer.digitize(hits);
        sim::write_ntuple_row(leak, total);
        auto *tracks = new std::vector<double>(1000, event);   // freed one event later
        delete previous_tracks;
        previous_tracks = tracks;
        for (Hit *h : hits)
            delete h;
        total += table->at(event);
    }
    leakstamp_stamp("event");
    delete previous_tracks;
    std::printf("demo: %d events, checksum %.1f\n", events, total);
    return 0;
}
