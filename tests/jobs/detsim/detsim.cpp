/*
 * detsim.cpp — libdetsim.so, the C++ half of a real-shaped job (issue 12): a detector-simulation-like
 * library that a Python driver (run.py, started through the bash shim `python3`) loads with ctypes long
 * after start-up. Each event (det::DetSimAlg::execute) generates particles with CLHEP random engines and
 * vectors, builds a HepMC3::GenEvent, clusters jets with FastJet on a persistent pool of worker threads,
 * and keeps track objects in a G4Allocator-style free-list pool (32 KiB chunks). Built at -O2, so the
 * std:: templates (make_shared, unordered_map::emplace, vector::reserve) are inlined into our functions.
 *
 * KNOWN LEAKS, per event, exact (the tests in tests/integration/test_real_job.sh assert them):
 *   TrackHistory::linkSecondaries  LEAK-SECONDARY   3 x std::make_shared<Secondary>   3 x 56 B = 168 B
 *                                  LEAK-VERTEX      2 x std::make_shared<VertexInfo>  2 x 40 B =  80 B
 *   GeometryCache::volumeFor       LEAK-CACHE       4 new unordered_map nodes         4 x 64 B = 256 B
 *   TrackPool::Grow                LEAK-POOL        1 chunk of 32 KiB             1 x 32768 B
 *                                  (drained by the stepper in even events, by linkSecondaries in odd ones)
 *   Digitizer::digitize            LEAK-DIGI        1 x vector<float>::reserve(500) 1 x 2000 B
 *   JetFinder::summarise (worker)  LEAK-JETS        1 x new JetSummary            1 x 96 B
 * Total 35,368 B and 12 blocks per event. Containers that hold the leaked objects are reserved at
 * detsim_init, so they add nothing per event. Everything else (HepMC3 events, FastJet sequences, the
 * task queue) is freed within its event.
 */
#include <CLHEP/Random/JamesRandom.h>
#include <CLHEP/Random/RandFlat.h>
#include <CLHEP/Random/RandGauss.h>
#include <CLHEP/Vector/LorentzVector.h>
#include <HepMC3/GenEvent.h>
#include <HepMC3/GenParticle.h>
#include <HepMC3/GenVertex.h>
#include <fastjet/ClusterSequence.hh>

#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_map>
#include <vector>

namespace det {

/* ---- a G4Allocator-style pool: 32 KiB chunks carved into objects, a free list ---- */

struct Step {
    double x, y, z, t, px, py, pz, e;
    int track, parent;
    char pad[56];
};
static_assert(sizeof(Step) == 128, "Step is 128 bytes");

class TrackPool {
public:
    static constexpr std::size_t kChunk = 32 * 1024;
    static constexpr std::size_t kPerChunk = (kChunk - 16) / sizeof(Step);   // 255: a header first

    void *Alloc()
    {
        if (!head_)
            Grow();
        Link *l = head_;
        head_ = l->next;
        return l;
    }
    void Free(void *p)
    {
        Link *l = static_cast<Link *>(p);
        l->next = head_;
        head_ = l;
    }

private:
    struct Link {
        Link *next;
    };
    struct Chunk {
        Chunk *next;
        char pad[8];
    };
    __attribute__((noinline)) void Grow()
    {
        char *mem = static_cast<char *>(::operator new(kChunk));   // LEAK-POOL
        Chunk *c = reinterpret_cast<Chunk *>(mem);
        c->next = chunks_;
        chunks_ = c;
        char *first = mem + sizeof(Chunk);
        for (std::size_t i = kPerChunk; i-- > 0;)
            Free(first + i * sizeof(Step));
    }
    Link *head_ = nullptr;
    Chunk *chunks_ = nullptr;
};

static TrackPool pool;
static std::mutex pool_mutex;

static Step *new_step(int track, int parent, const CLHEP::HepLorentzVector &p)
{
    std::lock_guard<std::mutex> lock(pool_mutex);
    Step *s = new (pool.Alloc()) Step{};
    s->track = track, s->parent = parent;
    s->px = p.px(), s->py = p.py(), s->pz = p.pz(), s->e = p.e();
    return s;
}

/* ---- what is kept ---- */

struct Secondary {
    double px, py, pz, e;
    int track, parent;
};
static_assert(sizeof(Secondary) == 40, "Secondary is 40 bytes");
struct VertexInfo {
    double x, y, z;
};
struct Volume {
    double origin[3], half[3];
};
static_assert(sizeof(Volume) == 48, "Volume is 48 bytes");
struct JetSummary {
    double pt[8], eta[2], phi[2];
};
static_assert(sizeof(JetSummary) == 96, "JetSummary is 96 bytes");

class TrackHistory {
public:
    void reserve(std::size_t events)
    {
        secondaries_.reserve(3 * events);
        vertices_.reserve(2 * events);
    }
    __attribute__((noinline)) void linkSecondaries(int event, const std::vector<CLHEP::HepLorentzVector> &momenta);
    std::size_t size() const { return secondaries_.size() + vertices_.size(); }

private:
    std::vector<std::shared_ptr<Secondary>> secondaries_;
    std::vector<std::shared_ptr<VertexInfo>> vertices_;
};

void TrackHistory::linkSecondaries(int event, const std::vector<CLHEP::HepLorentzVector> &momenta)
{
    for (int k = 0; k < 3; k++) {
        const CLHEP::HepLorentzVector &p = momenta[static_cast<std::size_t>(k) % momenta.size()];
        auto s = std::make_shared<Secondary>(Secondary{p.px(), p.py(), p.pz(), p.e(), k, event});   // LEAK-SECONDARY
        secondaries_.push_back(std::move(s));
    }
    for (int k = 0; k < 2; k++) {
        auto v = std::make_shared<VertexInfo>(VertexInfo{0.1 * k, 0.2 * k, 0.3 * event});   // LEAK-VERTEX
        vertices_.push_back(std::move(v));
    }
    /* the secondaries' tracks live in the pool: in odd events this drains the free list */
    for (std::size_t k = 0; k < 155; k++)
        new_step(static_cast<int>(k), event, momenta[k % momenta.size()]);   // kept, never freed
}

class GeometryCache {
public:
    void reserve(std::size_t events) { cache_.reserve(4 * events + 64); }
    __attribute__((noinline)) const Volume &volumeFor(std::uint64_t key)
    {
        auto it = cache_.find(key);
        if (it != cache_.end())
            return it->second;
        double c = static_cast<double>(key);
        return cache_.emplace(key, Volume{{c, c, c}, {1, 2, 3}}).first->second;   // LEAK-CACHE
    }
    std::size_t size() const { return cache_.size(); }

private:
    std::unordered_map<std::uint64_t, Volume> cache_;
};

class Digitizer {
public:
    void reserve(std::size_t events) { kept_.reserve(events); }
    __attribute__((noinline)) void digitize(const HepMC3::GenEvent &ev)
    {
        std::vector<float> hits;
        hits.reserve(500);   // LEAK-DIGI
        for (const auto &p : ev.particles())
            if (p->status() == 1)
                hits.push_back(static_cast<float>(p->momentum().e()));
        kept_.push_back(std::move(hits));
    }

private:
    std::vector<std::vector<float>> kept_;
};

/* ---- a persistent pool of worker threads ---- */

class WorkerPool {
public:
    explicit WorkerPool(int n)
    {
        for (int i = 0; i < n; i++)
            threads_.emplace_back([this] { run(); });
    }
    ~WorkerPool()
    {
        {
            std::lock_guard<std::mutex> lock(m_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto &t : threads_)
            t.join();
    }
    void submit(std::function<void()> f)
    {
        {
            std::lock_guard<std::mutex> lock(m_);
            queue_.push_back(std::move(f));
            pending_++;
        }
        cv_.notify_one();
    }
    void wait()
    {
        std::unique_lock<std::mutex> lock(m_);
        done_.wait(lock, [this] { return pending_ == 0; });
    }

private:
    void run()
    {
        for (;;) {
            std::function<void()> f;
            {
                std::unique_lock<std::mutex> lock(m_);
                cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
                if (stop_ && queue_.empty())
                    return;
                f = std::move(queue_.front());
                queue_.pop_front();
            }
            f();
            f = nullptr;   // its captures (heap: larger than std::function's buffer) go before the event ends
            std::lock_guard<std::mutex> lock(m_);
            if (--pending_ == 0)
                done_.notify_all();
        }
    }
    std::vector<std::thread> threads_;
    std::deque<std::function<void()>> queue_;
    std::mutex m_;
    std::condition_variable cv_, done_;
    int pending_ = 0;
    bool stop_ = false;
};

class JetFinder {
public:
    void reserve(std::size_t events) { kept_.reserve(events); }
    /* On a worker thread: cluster, then keep a summary (the per-event leak of the worker). */
    void cluster(const std::vector<fastjet::PseudoJet> &in, double r, double *sum_pt)
    {
        fastjet::JetDefinition def(fastjet::antikt_algorithm, r);
        fastjet::ClusterSequence seq(in, def);
        std::vector<fastjet::PseudoJet> jets = fastjet::sorted_by_pt(seq.inclusive_jets(5.0));
        double s = 0;
        for (const auto &j : jets)
            s += j.pt();
        *sum_pt = s;
        if (r < 0.5)
            summarise(jets);
    }

private:
    __attribute__((noinline)) void summarise(const std::vector<fastjet::PseudoJet> &jets)
    {
        JetSummary *js = new JetSummary{};   // LEAK-JETS
        for (std::size_t i = 0; i < jets.size() && i < 8; i++)
            js->pt[i] = jets[i].pt();
        std::lock_guard<std::mutex> lock(m_);
        kept_.push_back(js);
    }
    std::mutex m_;
    std::vector<JetSummary *> kept_;
};

/* ---- the algorithm: one call per event ---- */

class DetSimAlg {
public:
    DetSimAlg(int events, int threads) : engine_(20261201L), flat_(engine_), gauss_(engine_), workers_(threads)
    {
        history_.reserve(static_cast<std::size_t>(events));
        geometry_.reserve(static_cast<std::size_t>(events));
        digitizer_.reserve(static_cast<std::size_t>(events));
        jets_.reserve(static_cast<std::size_t>(events));
    }
    void execute();
    double checksum() const { return checksum_; }
    std::size_t kept() const { return history_.size() + geometry_.size(); }

private:
    std::vector<CLHEP::HepLorentzVector> generate(int n);
    void stepTracks(const std::vector<CLHEP::HepLorentzVector> &momenta);

    CLHEP::HepJamesRandom engine_;
    CLHEP::RandFlat flat_;
    CLHEP::RandGauss gauss_;
    TrackHistory history_;
    GeometryCache geometry_;
    Digitizer digitizer_;
    JetFinder jets_;
    WorkerPool workers_;
    int event_ = 0;
    double checksum_ = 0;
};

std::vector<CLHEP::HepLorentzVector> DetSimAlg::generate(int n)
{
    std::vector<CLHEP::HepLorentzVector> out;
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; i++) {
        double px = gauss_.fire(0, 10), py = gauss_.fire(0, 10), pz = flat_.fire(-50, 50);
        out.emplace_back(px, py, pz, std::sqrt(px * px + py * py + pz * pz + 0.0195));
    }
    return out;
}

/* The stepper's tracks: 100 kept in the pool every event; in even events this drains the free list. */
__attribute__((noinline)) void DetSimAlg::stepTracks(const std::vector<CLHEP::HepLorentzVector> &momenta)
{
    for (std::size_t k = 0; k < 100; k++)
        new_step(static_cast<int>(k), -1, momenta[k % momenta.size()]);   // kept, never freed
}

__attribute__((noinline)) void DetSimAlg::execute()
{
    int event = event_++;
    std::vector<CLHEP::HepLorentzVector> momenta = generate(120);

    HepMC3::GenEvent ev(HepMC3::Units::GEV, HepMC3::Units::MM);
    auto beam = std::make_shared<HepMC3::GenParticle>(HepMC3::FourVector(0, 0, 6500, 6500), 2212, 4);
    auto vtx = std::make_shared<HepMC3::GenVertex>();
    vtx->add_particle_in(beam);
    for (const auto &p : momenta)
        vtx->add_particle_out(std::make_shared<HepMC3::GenParticle>(HepMC3::FourVector(p.px(), p.py(), p.pz(), p.e()), 211, 1));
    ev.add_vertex(vtx);

    std::vector<fastjet::PseudoJet> in;
    for (const auto &p : ev.particles())
        if (p->status() == 1)
            in.emplace_back(p->momentum().px(), p->momentum().py(), p->momentum().pz(), p->momentum().e());
    double pt_small = 0, pt_large = 0;
    workers_.submit([&] { jets_.cluster(in, 0.4, &pt_small); });
    workers_.submit([&] { jets_.cluster(in, 1.0, &pt_large); });

    if (event % 2 == 0) {
        stepTracks(momenta);
        history_.linkSecondaries(event, momenta);
    } else {
        history_.linkSecondaries(event, momenta);
        stepTracks(momenta);
    }
    for (std::uint64_t k = 0; k < 4; k++)
        checksum_ += geometry_.volumeFor(1000u * static_cast<std::uint64_t>(event) + k).half[1];
    digitizer_.digitize(ev);
    workers_.wait();
    checksum_ += static_cast<double>(static_cast<long>(pt_small + pt_large) % 7);
}

}  // namespace det

static det::DetSimAlg *alg;

extern "C" {

__attribute__((visibility("default"))) int detsim_init(int events, int threads)
{
    fastjet::ClusterSequence::set_fastjet_banner_stream(nullptr);
    alg = new det::DetSimAlg(events, threads);
    return 0;
}

__attribute__((visibility("default"))) void detsim_event(void)
{
    alg->execute();
}

/* The checksum depends on the random stream only, so the job prints the same with and without us. */
__attribute__((visibility("default"))) double detsim_finish(void)
{
    double c = alg->checksum();
    std::printf("detsim: %zu objects kept\n", alg->kept());
    std::fflush(stdout);
    return c;
}

}
