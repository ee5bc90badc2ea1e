/* test_costscale.c — the cost-scaling push-relabel method (src/mcf/costscale.c)
 * on hand-made instances with known optima, infeasible, unbounded and
 * overflowing instances, and random instances against a successive shortest
 * path reference written here.  Every optimal answer is checked with an exact
 * certificate (feasibility and complementary slackness). */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "../../../src/mcf/mcf_int.h"

#define INF LDS_MCF_INF
__extension__ typedef __int128 i128;

/* A problem over caller-owned arrays (no dependency on problem.c). */
typedef struct tp {
    lds_mcf_problem p;
    uint32_t tail[256], head[256];
    int64_t lower[256], upper[256], cost[256], supply[64];
} tp;

static void tp_init(tp *t, uint32_t n)
{
    memset(t, 0, sizeof *t);
    t->p.n_nodes = n;
    t->p.tail = t->tail;
    t->p.head = t->head;
    t->p.lower = t->lower;
    t->p.upper = t->upper;
    t->p.cost = t->cost;
    t->p.supply = t->supply;
    t->p.cap_arcs = 256;
}

static void tp_arc(tp *t, uint32_t u, uint32_t v, int64_t lo, int64_t up, int64_t c)
{
    uint32_t i = t->p.n_arcs++;
    t->tail[i] = u;
    t->head[i] = v;
    t->lower[i] = lo;
    t->upper[i] = up;
    t->cost[i] = c;
}

/* Feasibility (bounds and supplies); returns the cost through *cost. */
static int feasible(const lds_mcf_problem *p, const int64_t *f, i128 *cost)
{
    i128 bal[64] = {0}, total = 0;
    for (uint32_t i = 0; i < p->n_arcs; i++) {
        if (f[i] < p->lower[i] || f[i] > p->upper[i])
            return 0;
        bal[p->tail[i]] += f[i];
        bal[p->head[i]] -= f[i];
        total += (i128)f[i] * p->cost[i];
    }
    for (uint32_t u = 0; u < p->n_nodes; u++)
        if (bal[u] != p->supply[u])
            return 0;
    *cost = total;
    return 1;
}

/* Exact certificate: feasibility and complementary slackness. */
static int certify(const lds_mcf_problem *p, const int64_t *f, const int64_t *pot, i128 *cost)
{
    for (uint32_t i = 0; i < p->n_arcs; i++) {
        i128 rc = (i128)p->cost[i] - pot[p->tail[i]] + pot[p->head[i]];
        if (rc > 0 && f[i] != p->lower[i])
            return 0;
        if (rc < 0 && f[i] != p->upper[i])
            return 0;
    }
    return feasible(p, f, cost);
}

/* Solves and certifies; the optimum in 128 bits (the layout tests below
 * scale costs past 64-bit products). */
static lds_mcf_status solve_exact(const tp *t, i128 *cost)
{
    int64_t flow[256], pot[64];
    lds_mcf_status st = (lds_mcf_status)-1;
    lds_err e;
    int is_exact = 0;
    assert_int_equal(lds_mcf__cost_scaling(&t->p, 0, flow, pot, &st, &is_exact, &e), LDS_OK);
    assert_true(is_exact);
    if (st == LDS_MCF_OPTIMAL)
        assert_true(certify(&t->p, flow, pot, cost));
    return st;
}

static lds_mcf_status solve(const tp *t, int64_t *cost)
{
    i128 c = 0;
    lds_mcf_status st = solve_exact(t, &c);
    if (st == LDS_MCF_OPTIMAL)
        *cost = (int64_t)c;
    return st;
}

static void known_optimum(void **state)
{
    (void)state;
    tp t;
    int64_t cost;
    /* Two supplies, two demands, a cheap path with limited capacity. */
    tp_init(&t, 4);
    t.supply[0] = 4;
    t.supply[1] = 2;
    t.supply[2] = -3;
    t.supply[3] = -3;
    tp_arc(&t, 0, 2, 0, 2, 1);
    tp_arc(&t, 0, 3, 0, 10, 5);
    tp_arc(&t, 1, 2, 0, 10, 4);
    tp_arc(&t, 1, 3, 0, 1, 1);
    tp_arc(&t, 0, 1, 0, 10, 1);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    /* 0->2: 2 units (2), 1->3: 1 (1), 1->2: node 1's other unit (4), and
     * node 0's last two units 0->3 (10). */
    assert_int_equal(cost, 2 + 1 + 4 + 10);
}

static void negative_costs_and_parallel_arcs(void **state)
{
    (void)state;
    tp t;
    int64_t cost;
    tp_init(&t, 3);
    t.supply[0] = 5;
    t.supply[2] = -5;
    tp_arc(&t, 0, 1, 0, 3, -2);
    tp_arc(&t, 0, 1, 0, 3, 1);
    tp_arc(&t, 1, 2, 0, INF, 0);
    tp_arc(&t, 1, 1, 0, 4, -1);  /* self-loop: saturated */
    tp_arc(&t, 2, 0, 0, 0, -50); /* zero capacity */
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_int_equal(cost, 3 * -2 + 2 * 1 - 4);
}

static void negative_cycle_with_capacity(void **state)
{
    (void)state;
    tp t;
    int64_t cost;
    tp_init(&t, 3);
    tp_arc(&t, 0, 1, 0, 7, -3);
    tp_arc(&t, 1, 2, 0, INF, 1);
    tp_arc(&t, 2, 0, 0, INF, 1);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_int_equal(cost, -7);
}

static void lower_bounds(void **state)
{
    (void)state;
    tp t;
    int64_t cost;
    tp_init(&t, 3);
    t.supply[0] = 4;
    t.supply[2] = -4;
    tp_arc(&t, 0, 2, 0, 10, 1);
    tp_arc(&t, 0, 1, 3, 10, 5); /* forced 3 units on the expensive route */
    tp_arc(&t, 1, 2, 0, 10, 5);
    tp_arc(&t, 2, 1, -2, 10, 1); /* negative lower bound: flow may go back */
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    /* 3 units 0->1 (15); 1 unit 0->2 (1); node 1 gets 3: send back via
     * 2->1 at -2 (cost -2) and 1 unit 1->2 (5)... the cheapest is 1->2 x3? */
    int64_t flow[256], pot[64];
    i128 c2;
    lds_mcf_status st;
    int is_exact;
    assert_int_equal(lds_mcf__cost_scaling(&t.p, 0, flow, pot, &st, &is_exact, NULL), LDS_OK);
    assert_true(certify(&t.p, flow, pot, &c2));
    assert_true(c2 == cost);
    /* 0->1:3 (15), 0->2:1 (1), 2->1:-2 (-2), 1->2:1 (5) = 19 */
    assert_int_equal(cost, 19);
}

static void infeasible(void **state)
{
    (void)state;
    tp t;
    int64_t cost;
    tp_init(&t, 4);
    t.supply[0] = 5;
    t.supply[3] = -5;
    tp_arc(&t, 0, 1, 0, 3, 1);
    tp_arc(&t, 1, 3, 0, 10, 1);
    tp_arc(&t, 0, 2, 0, 1, 1);
    tp_arc(&t, 2, 3, 0, 10, 1);
    assert_int_equal(solve(&t, &cost), LDS_MCF_INFEASIBLE);
    /* Unbalanced supplies. */
    tp_init(&t, 2);
    t.supply[0] = 1;
    tp_arc(&t, 0, 1, 0, 3, 1);
    assert_int_equal(solve(&t, &cost), LDS_MCF_INFEASIBLE);
    /* Isolated demand node. */
    tp_init(&t, 3);
    t.supply[0] = 2;
    t.supply[2] = -2;
    tp_arc(&t, 0, 1, 0, INF, 1);
    tp_arc(&t, 1, 0, 0, INF, 1);
    assert_int_equal(solve(&t, &cost), LDS_MCF_INFEASIBLE);
    /* Lower bound that cannot be met. */
    tp_init(&t, 2);
    tp_arc(&t, 0, 1, 2, 5, 1);
    assert_int_equal(solve(&t, &cost), LDS_MCF_INFEASIBLE);
}

static void unbounded(void **state)
{
    (void)state;
    tp t;
    int64_t cost;
    tp_init(&t, 4);
    t.supply[0] = 1;
    t.supply[3] = -1;
    tp_arc(&t, 0, 3, 0, 5, 1);
    tp_arc(&t, 1, 2, 0, INF, -1);
    tp_arc(&t, 2, 1, 0, INF, 0);
    assert_int_equal(solve(&t, &cost), LDS_MCF_UNBOUNDED);
    tp_init(&t, 1);
    tp_arc(&t, 0, 0, 0, INF, -1);
    assert_int_equal(solve(&t, &cost), LDS_MCF_UNBOUNDED);
    /* A zero-cost infinite cycle is not unbounded. */
    tp_init(&t, 2);
    tp_arc(&t, 0, 1, 0, INF, -1);
    tp_arc(&t, 1, 0, 0, INF, 1);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_int_equal(cost, 0);
}

static void overflow_rejected(void **state)
{
    (void)state;
    tp t;
    int64_t flow[4], pot[4];
    lds_mcf_status st;
    int is_exact;
    lds_err e;
    tp_init(&t, 2);
    tp_arc(&t, 0, 1, 0, 5, INT64_MAX / 2);
    assert_int_equal(lds_mcf__cost_scaling(&t.p, 0, flow, pot, &st, &is_exact, &e), LDS_EOVERFLOW);
    tp_init(&t, 3);
    t.supply[0] = INT64_MAX;
    t.supply[1] = 1;
    t.supply[2] = -1;
    assert_int_equal(lds_mcf__cost_scaling(&t.p, 0, flow, pot, &st, &is_exact, &e), LDS_EOVERFLOW);
    tp_init(&t, 2);
    tp_arc(&t, 0, 1, 0, INT64_MAX - 1, 1);
    tp_arc(&t, 0, 1, 0, INT64_MAX - 1, 1);
    assert_int_equal(lds_mcf__cost_scaling(&t.p, 0, flow, pot, &st, &is_exact, &e), LDS_EOVERFLOW);
}

static void empty_problems(void **state)
{
    (void)state;
    tp t;
    int64_t cost;
    tp_init(&t, 0);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    tp_init(&t, 5);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_int_equal(cost, 0);
}

static void out_of_memory_is_clean(void **state)
{
    (void)state;
    tp t;
    int64_t flow[8], pot[8];
    lds_mcf_status st;
    int is_exact;
    tp_init(&t, 3);
    t.supply[0] = 1;
    t.supply[2] = -1;
    tp_arc(&t, 0, 1, 0, 1, 1);
    tp_arc(&t, 1, 2, 0, 1, 1);
    for (long k = 1; k < 20; k++) {
        lds_alloc_fail_after(k);
        lds_code rc = lds_mcf__cost_scaling(&t.p, 0, flow, pot, &st, &is_exact, NULL);
        lds_alloc_fail_after(0);
        assert_true(rc == LDS_OK || rc == LDS_ENOMEM);
    }
}

/* ---- random instances against successive shortest paths --------------- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/*
 * Reference: lower bounds shifted, negative arcs saturated, then successive
 * shortest paths (Bellman-Ford) from a super source to a super sink.
 * Returns 0 when infeasible.  Uncapacitated arcs must have cost >= 0.
 */
static int ssp_reference(const lds_mcf_problem *p, int64_t *out_cost)
{
    enum { MAXN = 66, MAXA = 2 * (256 + 64) };
    uint32_t n = p->n_nodes + 2, s = p->n_nodes, tt = p->n_nodes + 1, na = 0;
    uint32_t to[MAXA], from[MAXA];
    int64_t cap[MAXA], cst[MAXA], bal[MAXN] = {0}, total = 0, big = 1;
    for (uint32_t u = 0; u < p->n_nodes; u++)
        bal[u] = p->supply[u], big += llabs(p->supply[u]);
    for (uint32_t i = 0; i < p->n_arcs; i++)
        if (p->upper[i] != INF)
            big += p->upper[i] - p->lower[i];
    for (uint32_t i = 0; i < p->n_arcs; i++) {
        int64_t c = p->cost[i], cp = (p->upper[i] == INF ? big : p->upper[i] - p->lower[i]);
        uint32_t u = p->tail[i], v = p->head[i];
        bal[u] -= p->lower[i];
        bal[v] += p->lower[i];
        total += p->lower[i] * c;
        if (c < 0) { /* saturate, keep the reverse */
            bal[u] -= cp;
            bal[v] += cp;
            total += cp * c;
            from[na] = v, to[na] = u, cap[na] = cp, cst[na] = -c, na++;
            from[na] = u, to[na] = v, cap[na] = 0, cst[na] = c, na++;
        } else {
            from[na] = u, to[na] = v, cap[na] = cp, cst[na] = c, na++;
            from[na] = v, to[na] = u, cap[na] = 0, cst[na] = -c, na++;
        }
    }
    int64_t need = 0;
    for (uint32_t u = 0; u < p->n_nodes; u++) {
        if (bal[u] > 0) {
            from[na] = s, to[na] = u, cap[na] = bal[u], cst[na] = 0, na++;
            from[na] = u, to[na] = s, cap[na] = 0, cst[na] = 0, na++;
            need += bal[u];
        } else if (bal[u] < 0) {
            from[na] = u, to[na] = tt, cap[na] = -bal[u], cst[na] = 0, na++;
            from[na] = tt, to[na] = u, cap[na] = 0, cst[na] = 0, na++;
        }
    }
    while (need > 0) {
        int64_t d[MAXN];
        uint32_t pa[MAXN];
        for (uint32_t u = 0; u < n; u++)
            d[u] = INT64_MAX, pa[u] = UINT32_MAX;
        d[s] = 0;
        for (uint32_t it = 0; it < n; it++)
            for (uint32_t a = 0; a < na; a++)
                if (cap[a] > 0 && d[from[a]] != INT64_MAX && d[from[a]] + cst[a] < d[to[a]])
                    d[to[a]] = d[from[a]] + cst[a], pa[to[a]] = a;
        if (d[tt] == INT64_MAX)
            return 0;
        int64_t delta = need;
        for (uint32_t v = tt; v != s; v = from[pa[v]])
            if (cap[pa[v]] < delta)
                delta = cap[pa[v]];
        for (uint32_t v = tt; v != s; v = from[pa[v]]) {
            cap[pa[v]] -= delta;
            cap[pa[v] ^ 1] += delta;
        }
        total += delta * d[tt];
        need -= delta;
    }
    *out_cost = total;
    return 1;
}

static void random_against_reference(void **state)
{
    (void)state;
    rng_state = 0x9e3779b97f4a7c15ull;
    int n_opt = 0, n_inf = 0;
    for (int iter = 0; iter < 3000; iter++) {
        tp t;
        uint32_t n = 2 + (uint32_t)(rnd() % 30), m = (uint32_t)(rnd() % (6 * n + 1));
        tp_init(&t, n);
        int64_t maxc = 1 + (int64_t)(rnd() % (iter % 3 == 0 ? 5 : 1000));
        for (uint32_t i = 0; i < m; i++) {
            uint32_t u = (uint32_t)(rnd() % n), v = (uint32_t)(rnd() % n);
            int64_t lo = rnd() % 5 == 0 ? (int64_t)(rnd() % 3) : 0;
            int is_inf = rnd() % 4 == 0;
            int64_t c = (int64_t)(rnd() % (uint64_t)(2 * maxc + 1)) - maxc;
            if (is_inf && c < 0)
                c = -c;
            tp_arc(&t, u, v, lo, is_inf ? INF : lo + (int64_t)(rnd() % 20), c);
        }
        for (int k = 0; k < (int)(n / 2); k++) {
            uint32_t a = (uint32_t)(rnd() % n), b = (uint32_t)(rnd() % n);
            int64_t q = (int64_t)(rnd() % 8);
            t.supply[a] += q;
            t.supply[b] -= q;
        }
        int64_t ref = 0, got = 0;
        int is_feasible = ssp_reference(&t.p, &ref);
        lds_mcf_status st = solve(&t, &got);
        if (is_feasible) {
            assert_int_equal(st, LDS_MCF_OPTIMAL);
            assert_int_equal(got, ref);
            n_opt++;
        } else {
            assert_int_equal(st, LDS_MCF_INFEASIBLE);
            n_inf++;
        }
    }
    print_message("%d optimal, %d infeasible\n", n_opt, n_inf);
    assert_true(n_opt > 300 && n_inf > 300);
}

/* A random instance with costs up to 1e5 and a costly ring that keeps most
 * feasible; with `is_unbounded`, also a negative uncapacitated cycle on two
 * nodes of their own. */
static void random_costly(tp *t, int is_unbounded)
{
    uint32_t n = 4 + (uint32_t)(rnd() % 36), m = 2 * n + (uint32_t)(rnd() % (4 * n));
    tp_init(t, n + 2 * (uint32_t)is_unbounded);
    for (uint32_t u = 0; u < n; u++)
        tp_arc(t, u, (u + 1) % n, 0, rnd() % 3 ? INF : 10, 100000);
    for (uint32_t i = n; i < m; i++) {
        uint32_t u = (uint32_t)(rnd() % n), v = (uint32_t)(rnd() % n);
        int64_t up = rnd() % 4 == 0 ? INF : (int64_t)(rnd() % 30);
        tp_arc(t, u, v, 0, up, (int64_t)(rnd() % 100001) - (up == INF ? 0 : 20000));
    }
    for (uint32_t k = 0; k < n / 2; k++) {
        uint32_t a = (uint32_t)(rnd() % n), b = (uint32_t)(rnd() % n);
        int64_t q = (int64_t)(rnd() % 20);
        t->supply[a] += q;
        t->supply[b] -= q;
    }
    if (is_unbounded) {
        tp_arc(t, n, n + 1, 0, INF, -3);
        tp_arc(t, n + 1, n, 0, INF, 1);
    }
}

/*
 * The hand-over to the simplex (solver.c): with `handoff` the phases stop
 * once epsilon has fallen that many-fold and return a feasible flow that
 * need not be optimal (a coarse 8-fold here, after the first phase, so that
 * most runs stop early); the solver's COST_SCALING finishes with the
 * simplex from its own, finer hand-over.  An unbounded problem, which the
 * capped flow of an early stop cannot show, is still reported unbounded:
 * the solver then runs cost scaling to the end.
 */
static void handoff_to_simplex(void **state)
{
    (void)state;
    rng_state = 0x5851f42d4c957f2dull;
    int64_t flow[256], pot[64], ref = 0;
    lds_mcf_status st;
    int is_exact, n_early = 0, n_not_optimal = 0;
    i128 cost;
    lds_mcf_solver *s;
    for (int iter = 0; iter < 400; iter++) {
        tp t;
        random_costly(&t, 0);
        assert_int_equal(lds_mcf__cost_scaling(&t.p, 8, flow, pot, &st, &is_exact, NULL), LDS_OK);
        int is_feasible = ssp_reference(&t.p, &ref);
        assert_int_equal(st, is_feasible ? LDS_MCF_OPTIMAL : LDS_MCF_INFEASIBLE);
        if (!is_feasible)
            continue;
        assert_true(feasible(&t.p, flow, &cost));
        if (!is_exact) {
            n_early++;
            n_not_optimal += cost != ref;
        } else {
            assert_true(certify(&t.p, flow, pot, &cost));
        }
        assert_true(cost >= ref);
        assert_int_equal(lds_mcf_solver_new(&t.p, &s, NULL), LDS_OK);
        assert_int_equal(lds_mcf_solve(s, LDS_MCF_COST_SCALING, &st, NULL), LDS_OK);
        assert_int_equal(st, LDS_MCF_OPTIMAL);
        assert_int_equal(lds_mcf_total_cost(s), ref);
        assert_true(certify(&t.p, lds_mcf_flows(s), lds_mcf_potentials(s), &cost));
        lds_mcf_solver_free(s);
    }
    print_message("%d stopped early, %d of them not yet optimal\n", n_early, n_not_optimal);
    assert_true(n_early > 200 && n_not_optimal > 0);

    n_early = 0;
    for (int iter = 0; iter < 400; iter++) {
        tp t;
        random_costly(&t, 1);
        assert_int_equal(
            lds_mcf__cost_scaling(&t.p, LDS_MCF__CS_HANDOFF, flow, pot, &st, &is_exact, NULL),
            LDS_OK);
        n_early += st == LDS_MCF_OPTIMAL && !is_exact;
        assert_int_equal(lds_mcf_solver_new(&t.p, &s, NULL), LDS_OK);
        assert_int_equal(lds_mcf_solve(s, LDS_MCF_COST_SCALING, &st, NULL), LDS_OK);
        assert_true(st == LDS_MCF_UNBOUNDED || st == LDS_MCF_INFEASIBLE);
        lds_mcf_solver_free(s);
    }
    print_message("unbounded: %d stopped early at the solver's hand-over\n", n_early);
    assert_true(n_early > 0);
}

/* Solves `p` by cost scaling and by the simplex: the same status and, when
 * optimal, a certified cost-scaling optimum equal to the simplex's.
 * Returns 1 if optimal. */
static int against_simplex(const lds_mcf_problem *p)
{
    lds_mcf_solver *cs_solver, *ns_solver;
    lds_mcf_status st_cs, st_ns;
    lds_err e;
    assert_int_equal(lds_mcf_solver_new(p, &cs_solver, &e), LDS_OK);
    assert_int_equal(lds_mcf_solver_new(p, &ns_solver, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(cs_solver, LDS_MCF_COST_SCALING, &st_cs, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(ns_solver, LDS_MCF_SIMPLEX, &st_ns, &e), LDS_OK);
    assert_int_equal(st_cs, st_ns);
    int is_optimal = st_cs == LDS_MCF_OPTIMAL;
    if (is_optimal) {
        int64_t cost;
        assert_int_equal(lds_mcf_check(p, lds_mcf_flows(cs_solver), lds_mcf_potentials(cs_solver),
                                       &cost, &e),
                         LDS_OK);
        assert_int_equal(cost, lds_mcf_total_cost(ns_solver));
    }
    lds_mcf_solver_free(cs_solver);
    lds_mcf_solver_free(ns_solver);
    return is_optimal;
}

/* Medium random instances (up to 400 nodes): cost scaling through the
 * public API, certified by lds_mcf_check and equal to the simplex optimum. */
static void random_against_simplex(void **state)
{
    (void)state;
    rng_state = 0x2545f4914f6cdd1dull;
    for (int iter = 0; iter < 60; iter++) {
        uint32_t n = 50 + (uint32_t)(rnd() % 350), m = n * (2 + (uint32_t)(rnd() % 8));
        lds_mcf_problem p;
        lds_err e;
        assert_int_equal(lds_mcf_problem_init(&p, n, m, &e), LDS_OK);
        for (uint32_t i = 0; i < m; i++) {
            uint32_t u = (uint32_t)(rnd() % n), v = (uint32_t)(rnd() % n);
            int64_t lo = rnd() % 10 == 0 ? (int64_t)(rnd() % 4) : 0;
            int64_t up = rnd() % 5 == 0 ? INF : lo + (int64_t)(rnd() % 50);
            int64_t c = (int64_t)(rnd() % 2001) - (up == INF ? 0 : 500);
            assert_int_equal(lds_mcf_problem_add_arc(&p, u, v, lo, up, c, NULL, &e), LDS_OK);
        }
        for (uint32_t k = 0; k < n / 3; k++) {
            uint32_t a = (uint32_t)(rnd() % n), b = (uint32_t)(rnd() % n);
            int64_t q = (int64_t)(rnd() % 30);
            p.supply[a] += q;
            p.supply[b] -= q;
        }
        against_simplex(&p);
        lds_mcf_problem_release(&p);
    }
}

/* BFS depth from the supply nodes (the AUTO rule's depth test). */
static void supply_depth_layers(void **state)
{
    (void)state;
    lds_mcf_problem p;
    lds_err e;
    assert_int_equal(lds_mcf_problem_init(&p, 12, 16, &e), LDS_OK);
    for (uint32_t u = 0; u + 1 < 12; u++) /* a path 0 -> 1 -> ... -> 11 */
        assert_int_equal(lds_mcf_problem_add_arc(&p, u, u + 1, 0, 5, 1, NULL, &e), LDS_OK);
    p.supply[0] = 5;
    p.supply[11] = -5;
    assert_int_equal(lds_mcf__supply_depth(&p, 100), 11);
    assert_int_equal(lds_mcf__supply_depth(&p, 8), 8); /* counting stops at 8 */
    p.supply[6] = 2; /* a second source: nodes 7..11 are 1..5 layers from it */
    p.supply[11] = -7;
    assert_int_equal(lds_mcf__supply_depth(&p, 100), 5);
    p.upper[2] = 0; /* arc 2 -> 3 carries nothing: 3..5 are unreachable */
    assert_int_equal(lds_mcf__supply_depth(&p, 100), 5);
    p.supply[6] = 0;
    p.supply[11] = -5;
    assert_int_equal(lds_mcf__supply_depth(&p, 100), 2);
    p.supply[0] = 0;
    p.supply[11] = 0;
    assert_int_equal(lds_mcf__supply_depth(&p, 100), 0); /* no supply */
    lds_mcf_problem_release(&p);
}

/* `layers` layers of `width` nodes, each node `deg` arcs into the next
 * layer, supplies on the first layer, plus `extra` arcs inside layer 0. */
static void layered(lds_mcf_problem *p, uint32_t layers, uint32_t width, uint32_t deg,
                    uint32_t extra)
{
    lds_err e;
    uint32_t n = layers * width;
    assert_int_equal(lds_mcf_problem_init(p, n, (layers - 1) * width * deg + extra, &e), LDS_OK);
    for (uint32_t l = 0; l + 1 < layers; l++)
        for (uint32_t i = 0; i < width; i++)
            for (uint32_t k = 0; k < deg; k++)
                assert_int_equal(lds_mcf_problem_add_arc(p, l * width + i,
                                                         (l + 1) * width + (i + k) % width, 0,
                                                         10, 1, NULL, &e),
                                 LDS_OK);
    for (uint32_t k = 0; k < extra; k++)
        assert_int_equal(lds_mcf_problem_add_arc(p, k % width, (k + 1) % width, 0, 10, 1, NULL, &e),
                         LDS_OK);
    for (uint32_t i = 0; i < width; i++) {
        p->supply[i] = 1;
        p->supply[n - 1 - i] = -1;
    }
}

/* AUTO: cost scaling for cold solves of deep (>= 8 layers) networks with at
 * least 5e4 arcs, the simplex otherwise. */
static void auto_rule(void **state)
{
    (void)state;
    lds_mcf_problem p;
    layered(&p, 10, 280, 20, 0); /* 9 * 280 * 20 = 50,400 arcs, depth 9 */
    assert_int_equal(p.n_arcs, 50400);
    assert_int_equal(lds_mcf__supply_depth(&p, 100), 9);
    assert_int_equal(lds_mcf__auto_method(&p), LDS_MCF_COST_SCALING);
    lds_mcf_problem_release(&p);

    layered(&p, 9, 250, 25, 0); /* exactly 50,000 arcs, depth 8 */
    assert_int_equal(p.n_arcs, 50000);
    assert_int_equal(lds_mcf__auto_method(&p), LDS_MCF_COST_SCALING);
    lds_mcf_problem_release(&p);

    layered(&p, 9, 250, 25, 0);
    p.n_arcs--; /* one arc short of the size threshold */
    assert_int_equal(lds_mcf__auto_method(&p), LDS_MCF_SIMPLEX);
    lds_mcf_problem_release(&p);

    layered(&p, 8, 4000, 20, 0); /* 560,000 arcs but only 7 layers deep */
    assert_int_equal(lds_mcf__supply_depth(&p, 100), 7);
    assert_int_equal(lds_mcf__auto_method(&p), LDS_MCF_SIMPLEX);
    lds_mcf_problem_release(&p);

    layered(&p, 30, 100, 4, 0); /* deep but small */
    assert_int_equal(lds_mcf__auto_method(&p), LDS_MCF_SIMPLEX);
    lds_mcf_problem_release(&p);
}

/* After a cost-scaling solve the solver holds a simplex basis (crossover):
 * re-solving without changes pivots nowhere, and a supply change re-solves
 * warm to the same optimum as a cold solve. */
static void crossover_basis(void **state)
{
    (void)state;
    tp t;
    /* Routes 0 -> 3: via 1 (cost 2+1, cap 4), via 2 (cost 1+3, cap 10),
     * via 2 then 1 (1+1+1, the same cost as via 1: ties leave arcs strictly
     * between their bounds), and directly at cost 5.  Arc 1 -> 3 (cap 4)
     * takes 4 units at 3 each, 2 -> 3 the other 5 at 4 each. */
    tp_init(&t, 4);
    tp_arc(&t, 0, 1, 0, 4, 2);
    tp_arc(&t, 1, 3, 0, 4, 1);
    tp_arc(&t, 0, 2, 0, 10, 1);
    tp_arc(&t, 2, 3, 0, 10, 3);
    tp_arc(&t, 0, 3, 0, INF, 5);
    tp_arc(&t, 1, 2, 0, 3, 1);
    tp_arc(&t, 2, 1, 0, 3, 1);
    t.supply[0] = 9;
    t.supply[3] = -9;
    lds_mcf_solver *s;
    lds_mcf_status st;
    lds_err e;
    int64_t cost;
    assert_int_equal(lds_mcf_solver_new(&t.p, &s, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_COST_SCALING, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_OPTIMAL);
    assert_int_equal(lds_mcf_total_cost(s), 32);
    assert_int_equal(lds_mcf_check(&t.p, lds_mcf_flows(s), lds_mcf_potentials(s), &cost, &e),
                     LDS_OK);
    assert_int_equal(cost, 32);
    assert_int_equal(lds_mcf_last_method(s), LDS_MCF_COST_SCALING);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_int_equal(lds_mcf_last_method(s), LDS_MCF_SIMPLEX); /* warm: the basis exists */
    assert_int_equal(lds_mcf_pivots(s), 0);
    assert_int_equal(lds_mcf_total_cost(s), 32);
    /* Two more units: 2 -> 3 has room for both at 4 each (the direct arc
     * costs 5): 32 + 8. */
    assert_int_equal(lds_mcf_set_supply(s, 0, 11, &e), LDS_OK);
    assert_int_equal(lds_mcf_set_supply(s, 3, -11, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_OPTIMAL);
    assert_int_equal(lds_mcf_total_cost(s), 40);
    assert_int_equal(lds_mcf_check(lds_mcf_solver_problem(s), lds_mcf_flows(s),
                                   lds_mcf_potentials(s), &cost, &e),
                     LDS_OK);
    assert_int_equal(cost, 40);
    lds_mcf_solver_free(s);
}

/* ---- the two arc layouts ----------------------------------------------
 * Cost scaling keeps its residual arcs in 32-bit fields when every original
 * cost and every residual capacity fits int32, and in 64-bit fields
 * otherwise (src/mcf/costscale_body.h).  These tests sit on both sides of
 * that boundary: values that just fit, values one past it (a build that
 * narrowed them would wrap and return a wrong optimum or a rejected
 * certificate), and random instances scaled by 2^31 so that the 64-bit
 * layout must give exactly 2^31 times the 32-bit layout's optimum. */

/* Two routes from 0 to 3: 0->1->3 and 0->2->3, the first limited. */
static void two_routes(tp *t, int64_t cap, int64_t c_cheap, int64_t c_dear, int64_t demand)
{
    tp_init(t, 4);
    t->supply[0] = demand;
    t->supply[3] = -demand;
    tp_arc(t, 0, 1, 0, cap, c_cheap);
    tp_arc(t, 1, 3, 0, INF, 0);
    tp_arc(t, 0, 2, 0, INF, c_dear);
    tp_arc(t, 2, 3, 0, INF, 0);
}

static void costs_at_the_boundary(void **state)
{
    (void)state;
    tp t;
    i128 cost;
    /* INT32_MAX fits: 32-bit arcs.  3 units, 2 on the cheap route. */
    two_routes(&t, 2, 1, INT32_MAX, 3);
    assert_int_equal(solve_exact(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == 2 + (i128)INT32_MAX);
    /* One more does not: 64-bit arcs (narrowed, the dear route would look
     * like a gain of 2^31 and take every unit). */
    two_routes(&t, 2, 1, (int64_t)INT32_MAX + 1, 3);
    assert_int_equal(solve_exact(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == 2 + ((i128)1 << 31));
    /* -INT32_MAX fits; INT32_MIN does not (its reverse arc costs 2^31). */
    two_routes(&t, 2, -INT32_MAX, 5, 3);
    assert_int_equal(solve_exact(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == 2 * -(i128)INT32_MAX + 5);
    two_routes(&t, 2, INT32_MIN, 5, 3);
    assert_int_equal(solve_exact(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == 2 * (i128)INT32_MIN + 5);
}

static void capacities_at_the_boundary(void **state)
{
    (void)state;
    tp t;
    i128 cost;
    /* Capacities of INT32_MAX fit (32-bit arcs); the supply, 2^32, does
     * not need to: excesses are 64-bit in both layouts. */
    tp_init(&t, 2);
    t.supply[0] = (int64_t)1 << 32;
    t.supply[1] = -((int64_t)1 << 32);
    tp_arc(&t, 0, 1, 0, INT32_MAX, 3);
    tp_arc(&t, 0, 1, 0, INT32_MAX, 1);
    tp_arc(&t, 0, 1, 0, INT32_MAX, 2);
    assert_int_equal(solve_exact(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == (i128)INT32_MAX * 1 + (i128)INT32_MAX * 2 + 2 * 3);
    /* A capacity of 2^31 + 5 does not (narrowed it would be negative). */
    tp_init(&t, 2);
    t.supply[0] = ((int64_t)1 << 31) + 9;
    t.supply[1] = -t.supply[0];
    tp_arc(&t, 0, 1, 0, ((int64_t)1 << 31) + 5, 1);
    tp_arc(&t, 0, 1, 0, 10, 7);
    assert_int_equal(solve_exact(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == ((i128)1 << 31) + 5 + 4 * 7);
    /* What counts is upper - lower: 2^31 + 4 - 5 fits. */
    tp_init(&t, 2);
    t.supply[0] = ((int64_t)1 << 31) + 5;
    t.supply[1] = -t.supply[0];
    tp_arc(&t, 0, 1, 5, ((int64_t)1 << 31) + 4, 2);
    tp_arc(&t, 0, 1, 0, 1, 3);
    assert_int_equal(solve_exact(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == (((i128)1 << 31) + 4) * 2 + 3);
    /* Small capacities, but an uncapacitated arc's bound (total supply plus
     * capacities, plus one) passes INT32_MAX: 64-bit arcs. */
    two_routes(&t, 3, 1, 7, INT32_MAX);
    assert_int_equal(solve_exact(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == 3 + ((i128)INT32_MAX - 3) * 7);
}

/* Random instances (32-bit arcs), then the same instance with capacities,
 * lower bounds and supplies times 2^31, and with costs times 2^31 (both
 * 64-bit arcs): the same status, and optimum times 2^31. */
static void scaled_copies_agree(void **state)
{
    (void)state;
    const int64_t k = (int64_t)1 << 31;
    rng_state = 0x5851f42d4c957f2dull;
    int n_opt = 0;
    for (int iter = 0; iter < 400; iter++) {
        tp t, big_flow, big_cost;
        uint32_t n = 2 + (uint32_t)(rnd() % 20), m = (uint32_t)(rnd() % (5 * n + 1));
        tp_init(&t, n);
        for (uint32_t i = 0; i < m; i++) {
            uint32_t u = (uint32_t)(rnd() % n), v = (uint32_t)(rnd() % n);
            int64_t lo = rnd() % 5 == 0 ? (int64_t)(rnd() % 3) : 0;
            int is_inf = rnd() % 4 == 0;
            int64_t c = (int64_t)(rnd() % 401) - 200;
            if (is_inf && c < 0)
                c = -c;
            tp_arc(&t, u, v, lo, is_inf ? INF : lo + (int64_t)(rnd() % 20), c);
        }
        for (int j = 0; j < (int)(n / 2); j++) {
            uint32_t a = (uint32_t)(rnd() % n), b = (uint32_t)(rnd() % n);
            int64_t q = (int64_t)(rnd() % 8);
            t.supply[a] += q;
            t.supply[b] -= q;
        }
        big_flow = t;
        big_cost = t;
        big_flow.p.tail = big_flow.tail, big_flow.p.head = big_flow.head;
        big_flow.p.lower = big_flow.lower, big_flow.p.upper = big_flow.upper;
        big_flow.p.cost = big_flow.cost, big_flow.p.supply = big_flow.supply;
        big_cost.p.tail = big_cost.tail, big_cost.p.head = big_cost.head;
        big_cost.p.lower = big_cost.lower, big_cost.p.upper = big_cost.upper;
        big_cost.p.cost = big_cost.cost, big_cost.p.supply = big_cost.supply;
        for (uint32_t i = 0; i < m; i++) {
            big_flow.lower[i] *= k;
            if (big_flow.upper[i] != INF)
                big_flow.upper[i] *= k;
            big_cost.cost[i] *= k;
        }
        for (uint32_t u = 0; u < n; u++)
            big_flow.supply[u] *= k;
        i128 c0 = 0, c1 = 0, c2 = 0;
        lds_mcf_status s0 = solve_exact(&t, &c0), s1 = solve_exact(&big_flow, &c1),
                       s2 = solve_exact(&big_cost, &c2);
        assert_int_equal(s1, s0);
        assert_int_equal(s2, s0);
        if (s0 == LDS_MCF_OPTIMAL) {
            assert_true(c1 == c0 * k);
            assert_true(c2 == c0 * k);
            n_opt++;
        }
    }
    print_message("%d optimal\n", n_opt);
    assert_true(n_opt > 100);
}

/* High-degree nodes, with hundreds of arcs each (an arc's position in its
 * head's list then needs more than a byte: a layout that finds reverse arcs
 * by that position needs its fallback here; docs/benchmarks-mcf.md).  A
 * star of 600 unit sources into one hub whose only way on (capacity 300) is
 * cheaper than each source's direct arc: the hub receives more than it can
 * pass and must send 300 units back to sources at offsets up to 600 of its
 * list.  Optimum: 300 via the hub at 1 + 1, 300 direct at 5, 2100.  Then
 * random networks with three hubs of degree 300-900 against the simplex. */
static void hub_nodes(void **state)
{
    (void)state;
    lds_mcf_problem p;
    lds_mcf_solver *s;
    lds_mcf_status st;
    lds_err e;
    int64_t cost;
    const uint32_t n_src = 600, hub = 600, sink = 601;
    assert_int_equal(lds_mcf_problem_init(&p, 602, 2 * n_src + 1, &e), LDS_OK);
    for (uint32_t i = 0; i < n_src; i++) {
        assert_int_equal(lds_mcf_problem_add_arc(&p, i, hub, 0, 1, 1, NULL, &e), LDS_OK);
        p.supply[i] = 1;
    }
    assert_int_equal(lds_mcf_problem_add_arc(&p, hub, sink, 0, 300, 1, NULL, &e), LDS_OK);
    for (uint32_t i = 0; i < n_src; i++)
        assert_int_equal(lds_mcf_problem_add_arc(&p, i, sink, 0, 1, 5, NULL, &e), LDS_OK);
    p.supply[sink] = -(int64_t)n_src;
    assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_COST_SCALING, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_OPTIMAL);
    assert_int_equal(lds_mcf_check(&p, lds_mcf_flows(s), lds_mcf_potentials(s), &cost, &e),
                     LDS_OK);
    assert_int_equal(cost, 300 * 2 + 300 * 5);
    assert_int_equal(lds_mcf_flows(s)[n_src], 300); /* hub -> sink (arc n_src) saturated */
    lds_mcf_solver_free(s);
    lds_mcf_problem_release(&p);

    rng_state = 0x9e3779b97f4a7c15ull;
    int n_opt = 0;
    for (int iter = 0; iter < 12; iter++) {
        uint32_t n = 400 + (uint32_t)(rnd() % 400), m = 4 * n;
        assert_int_equal(lds_mcf_problem_init(&p, n, m + 4 * n, &e), LDS_OK);
        for (uint32_t u = 0; u < n; u++) /* an expensive ring: always feasible */
            assert_int_equal(lds_mcf_problem_add_arc(&p, u, (u + 1) % n, 0, INF, 1000, NULL, &e),
                             LDS_OK);
        for (uint32_t i = 0; i < m; i++) {
            uint32_t u = (uint32_t)(rnd() % n), v = (uint32_t)(rnd() % n);
            int64_t up = rnd() % 5 == 0 ? INF : (int64_t)(rnd() % 40);
            int64_t c = (int64_t)(rnd() % 1001) - (up == INF ? 0 : 300);
            assert_int_equal(lds_mcf_problem_add_arc(&p, u, v, 0, up, c, NULL, &e), LDS_OK);
        }
        for (uint32_t h = 0; h < 3; h++) { /* hubs 0, 1, 2: arcs both ways */
            for (uint32_t v = 3; v < n; v++) {
                if (rnd() % 4 == 0)
                    continue;
                int is_in = (int)(rnd() % 2);
                assert_int_equal(lds_mcf_problem_add_arc(&p, is_in ? v : h, is_in ? h : v, 0,
                                                         (int64_t)(rnd() % 30),
                                                         (int64_t)(rnd() % 801) - 200, NULL,
                                                         &e),
                                 LDS_OK);
            }
        }
        for (uint32_t k = 0; k < n / 3; k++) {
            uint32_t a = (uint32_t)(rnd() % n), b = (uint32_t)(rnd() % n);
            int64_t q = (int64_t)(rnd() % 40);
            p.supply[a] += q;
            p.supply[b] -= q;
        }
        n_opt += against_simplex(&p);
        lds_mcf_problem_release(&p);
    }
    assert_int_equal(n_opt, 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_optimum),
        cmocka_unit_test(negative_costs_and_parallel_arcs),
        cmocka_unit_test(negative_cycle_with_capacity),
        cmocka_unit_test(lower_bounds),
        cmocka_unit_test(infeasible),
        cmocka_unit_test(unbounded),
        cmocka_unit_test(overflow_rejected),
        cmocka_unit_test(empty_problems),
        cmocka_unit_test(out_of_memory_is_clean),
        cmocka_unit_test(random_against_reference),
        cmocka_unit_test(random_against_simplex),
        cmocka_unit_test(supply_depth_layers),
        cmocka_unit_test(auto_rule),
        cmocka_unit_test(crossover_basis),
        cmocka_unit_test(costs_at_the_boundary),
        cmocka_unit_test(capacities_at_the_boundary),
        cmocka_unit_test(scaled_copies_agree),
        cmocka_unit_test(hub_nodes),
        cmocka_unit_test(handoff_to_simplex),
    };
    return cmocka_run_group_tests_name("mcf_costscale", tests, NULL, NULL);
}
