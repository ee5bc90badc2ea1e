// lemon_solve.cc — reference timings with LEMON 1.3 for bench/mcf/run.
//
// usage: lemon_solve FILE.min ns|cs REPEATS
// Reads the DIMACS file into a SmartDigraph (not timed), then runs LEMON's
// NetworkSimplex (block search pivot, the default) or CostScaling
// (PARTIAL_AUGMENT, factor 16, the default) REPEATS times, constructing the
// algorithm object inside the timed region each time, and prints one line:
//   lemon-ns|lemon-cs cpu_s=S wall_s=W cost=C status=ST peak_mb=M
// with the medians of the process CPU time and of the wall time per solve.
// Values and costs are 64-bit (long long), as in our engine: with int,
// CostScaling overflows on the larger instances and reports wrong optima.
// peak_mb is the process's resident high-water mark during the solves: the
// mark is reset (/proc/self/clear_refs) after the graph is loaded, so it
// counts the loaded graph plus the solver, as for our driver.
#include <lemon/cost_scaling.h>
#include <lemon/dimacs.h>
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace lemon;
typedef SmartDigraph G;
typedef long long V;

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void reset_peak()
{
    FILE *f = std::fopen("/proc/self/clear_refs", "w");
    if (f) {
        std::fputs("5", f);
        std::fclose(f);
    }
}

static double peak_mb()
{
    FILE *f = std::fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && std::fgets(line, sizeof line, f))
        if (std::strncmp(line, "VmHWM:", 6) == 0)
            kb = std::atol(line + 6);
    if (f)
        std::fclose(f);
    return kb / 1024.0;
}

template <typename Alg> static const char *status_name(typename Alg::ProblemType t)
{
    return t == Alg::OPTIMAL ? "optimal" : t == Alg::INFEASIBLE ? "infeasible" : "unbounded";
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: lemon_solve FILE.min ns|cs REPEATS\n");
        return 2;
    }
    std::string method = argv[2];
    int repeats = std::atoi(argv[3]);
    G g;
    G::ArcMap<V> lower(g), cap(g), cost(g);
    G::NodeMap<V> supply(g);
    {
        std::ifstream in(argv[1]);
        if (!in) {
            std::fprintf(stderr, "lemon_solve: cannot open %s\n", argv[1]);
            return 1;
        }
        readDimacsMin(in, g, lower, cap, cost, supply);
    }
    reset_peak();
    std::vector<double> times, walls;
    long long total = 0;
    const char *status = "?";
    for (int r = 0; r < repeats; r++) {
        double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
        if (method == "ns") {
            typedef NetworkSimplex<G, V, V> NS;
            NS ns(g);
            ns.lowerMap(lower).upperMap(cap).costMap(cost).supplyMap(supply);
            NS::ProblemType st = ns.run();
            times.push_back(clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
            walls.push_back(clock_s(CLOCK_MONOTONIC) - w0);
            status = status_name<NS>(st);
            total = st == NS::OPTIMAL ? ns.totalCost<long long>() : 0;
        } else {
            typedef CostScaling<G, V, V> CS;
            CS cs(g);
            cs.lowerMap(lower).upperMap(cap).costMap(cost).supplyMap(supply);
            CS::ProblemType st = cs.run();
            times.push_back(clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
            walls.push_back(clock_s(CLOCK_MONOTONIC) - w0);
            status = status_name<CS>(st);
            total = st == CS::OPTIMAL ? cs.totalCost<long long>() : 0;
        }
    }
    std::sort(times.begin(), times.end());
    std::sort(walls.begin(), walls.end());
    std::printf("lemon-%s cpu_s=%.4f wall_s=%.4f cost=%lld status=%s peak_mb=%.1f\n",
                method.c_str(), times[times.size() / 2], walls[walls.size() / 2], total, status,
                peak_mb());
    return 0;
}
