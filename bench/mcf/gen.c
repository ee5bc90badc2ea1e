/*
 * gen.c — seeded, deterministic min-cost-flow instance generator (DIMACS
 * "min" on stdout) for the bench/mcf benchmark.  Three families:
 *
 *   transport  bipartite transportation: suppliers x customers, sparse
 *              compatibility (each customer sees ~10 suppliers), costs from
 *              distances on a map; a slack node absorbs surplus supply.
 *   netgen     random transshipment in the style of NETGEN: sources, sinks and
 *              transshipment nodes, a high-capacity skeleton ring that keeps
 *              the instance feasible, random arcs with random costs and caps.
 *   chain      a multi-echelon rare-earth chain, mine -> separation -> metal ->
 *              alloy -> magnet -> motor -> OEM, facilities spread over regions,
 *              node capacities as split nodes (in -> out arcs), logistics
 *              costs from region distances, T periods with holding arcs, and
 *              an unmet-demand penalty arc per OEM and period.
 *
 * usage: gen FAMILY ARCS SEED      (ARCS is approximate: the target size)
 * The output depends only on the arguments (own PRNG, no floating point in the
 * random stream), so every machine generates the same files.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;

static uint64_t next64(void) /* splitmix64 */
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t uni(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next64() % (uint64_t)(hi - lo + 1));
}

typedef struct arc {
    uint32_t u, v;
    int64_t lo, cap, cost;
} arc;

typedef struct inst {
    uint32_t n;
    int64_t *supply;
    arc *arcs;
    size_t m, cap_m;
} inst;

#define INF_CAP INT64_MAX

static void add_arc(inst *g, uint32_t u, uint32_t v, int64_t cap, int64_t cost)
{
    if (g->m == g->cap_m) {
        g->cap_m = g->cap_m ? 2 * g->cap_m : 1024;
        g->arcs = realloc(g->arcs, g->cap_m * sizeof *g->arcs);
        if (!g->arcs) {
            fprintf(stderr, "gen: out of memory\n");
            exit(1);
        }
    }
    g->arcs[g->m++] = (arc){u, v, 0, cap, cost};
}

static void new_nodes(inst *g, uint32_t n)
{
    g->n = n;
    g->supply = calloc(n, sizeof *g->supply);
    if (!g->supply) {
        fprintf(stderr, "gen: out of memory\n");
        exit(1);
    }
}

/* Integer Euclidean distance on a 1000x1000 map (isqrt, no floats). */
static int64_t dist(int64_t x1, int64_t y1, int64_t x2, int64_t y2)
{
    uint64_t d2 = (uint64_t)((x1 - x2) * (x1 - x2) + (y1 - y2) * (y1 - y2)), r = 0;
    while ((r + 1) * (r + 1) <= d2) {
        uint64_t step = 1;
        while ((r + 2 * step) * (r + 2 * step) <= d2)
            step *= 2;
        r += step;
    }
    return (int64_t)r;
}

static void gen_transport(inst *g, size_t m_target)
{
    enum { K = 10 };
    uint32_t n_cust = (uint32_t)(m_target / (K + 1) > 2 ? m_target / (K + 1) : 2);
    uint32_t n_sup = n_cust / 10 > 2 ? n_cust / 10 : 2;
    uint32_t slack = n_sup + n_cust;
    new_nodes(g, n_sup + n_cust + 1);
    int64_t *x = malloc(sizeof(int64_t) * 2 * g->n), *y = x + g->n;
    for (uint32_t i = 0; i < g->n; i++)
        x[i] = uni(0, 1000), y[i] = uni(0, 1000);
    int64_t total_sup = 0, total_dem = 0;
    for (uint32_t j = 0; j < n_cust; j++) {
        uint32_t c = n_sup + j;
        int64_t d = uni(1, 100);
        g->supply[c] = -d;
        total_dem += d;
        /* The base supplier j mod S guarantees feasibility; others random. */
        uint32_t base = j % n_sup;
        g->supply[base] += d;
        add_arc(g, base, c, INF_CAP, 10 + dist(x[base], y[base], x[c], y[c]));
        for (int k = 1; k < K; k++) {
            uint32_t s = (uint32_t)uni(0, n_sup - 1);
            int64_t cap = next64() % 4 == 0 ? uni(10, 200) : INF_CAP;
            add_arc(g, s, c, cap, uni(0, 50) + dist(x[s], y[s], x[c], y[c]));
        }
    }
    for (uint32_t s = 0; s < n_sup; s++) {
        int64_t extra = g->supply[s] / 5 + uni(0, 100);
        g->supply[s] += extra;
        total_sup += g->supply[s];
        add_arc(g, s, slack, INF_CAP, 0);
    }
    g->supply[slack] = -(total_sup - total_dem);
    free(x);
}

static void gen_netgen(inst *g, size_t m_target)
{
    uint32_t n = (uint32_t)(m_target / 10 > 8 ? m_target / 10 : 8);
    uint32_t n_src = n / 20 > 1 ? n / 20 : 1, n_snk = n / 20 > 1 ? n / 20 : 1;
    new_nodes(g, n);
    /* Sources are 0..n_src-1, sinks the last n_snk nodes. */
    int64_t total = 0;
    for (uint32_t i = 0; i < n_src; i++) {
        int64_t s = uni(100, 2000);
        g->supply[i] = s;
        total += s;
    }
    for (uint32_t i = 0; i + 1 < n_snk; i++) {
        int64_t d = total / n_snk;
        g->supply[n - 1 - i] = -d;
        total -= d;
    }
    g->supply[n - n_snk] -= total;
    /* Skeleton: a ring over a random permutation, uncapacitated, with
     * costs at the top of the range so it is used mainly as a fallback. */
    uint32_t *perm = malloc(sizeof *perm * n);
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)uni(0, i), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (uint32_t i = 0; i < n; i++)
        add_arc(g, perm[i], perm[(i + 1) % n], INF_CAP, uni(5000, 10000));
    free(perm);
    while (g->m < m_target) {
        uint32_t u = (uint32_t)uni(0, n - 1), v = (uint32_t)uni(0, n - 1);
        if (u == v)
            continue;
        int64_t cap = next64() % 10 < 3 ? INF_CAP : uni(100, 1000);
        add_arc(g, u, v, cap, uni(1, 10000));
    }
}

/*
 * The chain: stage 0 mines ... stage 6 OEMs.  Node layout per period t:
 * facility f of stage s < 6 has nodes in/out; OEMs have one demand node.
 * Node 0 is the super source (the ore body) with supply = total demand.
 */
enum { STAGES = 7, REGIONS = 16, PERIODS = 12, LINKS = 6 };

static void gen_chain(inst *g, size_t m_target)
{
    static const char *const names[STAGES] = {"mine",   "separation", "metal", "alloy",
                                              "magnet", "motor",      "oem"};
    (void)names;
    /* Facilities per stage: fewer upstream, more downstream (rare-earth
     * chains narrow at separation and widen towards products). */
    static const uint32_t weight[STAGES] = {2, 1, 1, 2, 3, 4, 5};
    uint32_t wsum = 0;
    for (int s = 0; s < STAGES; s++)
        wsum += weight[s];
    /* Arcs per period: LINKS + 2 (split, holding) per non-OEM facility, one
     * extraction arc per mine and one penalty arc per OEM. */
    size_t per_period = m_target / PERIODS;
    size_t per_unit = (size_t)(wsum - weight[STAGES - 1]) * (LINKS + 2) + weight[0] +
                      weight[STAGES - 1];
    uint32_t unit = (uint32_t)(per_period / per_unit);
    if (unit < 1)
        unit = 1;
    uint32_t nf[STAGES], base[STAGES], n_fac = 0;
    for (int s = 0; s < STAGES; s++) {
        nf[s] = weight[s] * unit;
        base[s] = n_fac;
        n_fac += nf[s];
    }
    uint32_t nodes_per_period = 2 * (n_fac - nf[STAGES - 1]) + nf[STAGES - 1];
    new_nodes(g, 1 + PERIODS * nodes_per_period);
    uint32_t *region = malloc(sizeof *region * n_fac);
    int64_t *capf = malloc(sizeof *capf * n_fac), *proc = malloc(sizeof *proc * n_fac);
    int64_t rx[REGIONS], ry[REGIONS];
    for (int r = 0; r < REGIONS; r++)
        rx[r] = uni(0, 1000), ry[r] = uni(0, 1000);
    /* Demand per OEM per period, and stage capacities sized to 1.4x the
     * total demand on average, unevenly spread. */
    int64_t demand_per_oem = 50;
    int64_t total_demand_pp = demand_per_oem * nf[STAGES - 1];
    for (int s = 0; s < STAGES; s++) {
        for (uint32_t f = 0; f < nf[s]; f++) {
            uint32_t i = base[s] + f;
            /* Upstream concentrated in few regions, downstream everywhere. */
            region[i] = (uint32_t)(s <= 1 ? uni(0, 3) : uni(0, REGIONS - 1));
            int64_t avg = total_demand_pp * 14 / 10 / nf[s];
            capf[i] = avg / 2 + uni(0, avg);
            proc[i] = uni(20, 200) * (s + 1);
        }
    }
#define IN(t, i)  (1 + (uint32_t)(t) * nodes_per_period + 2 * (i))
#define OUT(t, i) (IN(t, i) + 1)
#define OEM(t, f) (1 + (uint32_t)(t) * nodes_per_period + 2 * base[STAGES - 1] + (f))
    int64_t penalty = 20000;
    int64_t total = 0;
    for (int t = 0; t < PERIODS; t++) {
        /* Mines draw from the ore body (extraction cost). */
        for (uint32_t f = 0; f < nf[0]; f++)
            add_arc(g, 0, IN(t, base[0] + f), INF_CAP, uni(100, 400));
        for (int s = 0; s + 1 < STAGES; s++) {
            for (uint32_t f = 0; f < nf[s]; f++) {
                uint32_t i = base[s] + f;
                add_arc(g, IN(t, i), OUT(t, i), capf[i], proc[i]);
                if (t + 1 < PERIODS)
                    add_arc(g, OUT(t, i), OUT(t + 1, i), INF_CAP, uni(1, 5) * (s + 1));
                for (int k = 0; k < LINKS; k++) {
                    uint32_t j = base[s + 1] + (uint32_t)uni(0, nf[s + 1] - 1);
                    int64_t d = dist(rx[region[i]], ry[region[i]], rx[region[j]], ry[region[j]]);
                    int64_t cap = next64() % 3 == 0 ? capf[i] / 2 + 1 : INF_CAP;
                    uint32_t to = s + 1 == STAGES - 1 ? OEM(t, j - base[s + 1]) : IN(t, j);
                    add_arc(g, OUT(t, i), to, cap, 5 + d * (uni(1, 3)));
                }
            }
        }
        for (uint32_t f = 0; f < nf[STAGES - 1]; f++) {
            int64_t d = demand_per_oem / 2 + uni(0, demand_per_oem);
            g->supply[OEM(t, f)] = -d;
            total += d;
            add_arc(g, 0, OEM(t, f), INF_CAP, penalty); /* unmet demand */
        }
    }
    g->supply[0] = total;
#undef IN
#undef OUT
#undef OEM
    free(region);
    free(capf);
    free(proc);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen transport|netgen|chain ARCS SEED\n");
        return 2;
    }
    size_t m_target = (size_t)strtoull(argv[2], NULL, 10);
    rng = strtoull(argv[3], NULL, 10) * 0x2545f4914f6cdd1dull + 1;
    inst g = {0};
    if (strcmp(argv[1], "transport") == 0)
        gen_transport(&g, m_target);
    else if (strcmp(argv[1], "netgen") == 0)
        gen_netgen(&g, m_target);
    else if (strcmp(argv[1], "chain") == 0)
        gen_chain(&g, m_target);
    else {
        fprintf(stderr, "gen: unknown family '%s'\n", argv[1]);
        return 2;
    }
    static char obuf[1 << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    printf("c lodestone bench/mcf/gen %s %s %s\n", argv[1], argv[2], argv[3]);
    printf("p min %" PRIu32 " %zu\n", g.n, g.m);
    for (uint32_t i = 0; i < g.n; i++)
        if (g.supply[i] != 0)
            printf("n %" PRIu32 " %" PRId64 "\n", i + 1, g.supply[i]);
    /* Uncapacitated arcs are written with a capacity no flow can reach: the
     * total supply (DIMACS has no infinity; LEMON reads this file too). */
    int64_t big = 0;
    for (uint32_t i = 0; i < g.n; i++)
        if (g.supply[i] > 0)
            big += g.supply[i];
    for (size_t i = 0; i < g.m; i++) {
        const arc *a = &g.arcs[i];
        printf("a %" PRIu32 " %" PRIu32 " %" PRId64 " %" PRId64 " %" PRId64 "\n", a->u + 1,
               a->v + 1, a->lo, a->cap == INF_CAP ? big : a->cap, a->cost);
    }
    free(g.arcs);
    free(g.supply);
    return fflush(stdout) == 0 ? 0 : 1;
}
