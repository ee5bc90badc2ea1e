/*
 * test_mcf.c — property tests of the min-cost-flow engine: thousands of
 * random small instances (seeded; the seed of a failing case is printed,
 * LDS_SEED=<n> replays from it) are solved by every method, certified by
 * lds_mcf_check, and compared with a second, independent algorithm written
 * here: successive shortest paths with Bellman-Ford after saturating the
 * negative-cost arcs.  Warm re-solves after random changes must agree with
 * that reference on the changed instance.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/mcf.h"

#define BIG INT64_MAX

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int64_t uni(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* ---- reference solver --------------------------------------------------- */

typedef struct ref_result {
    lds_mcf_status status;
    int64_t cost;
    int has_neg_inf_cycle; /* a negative cycle of infinite capacity exists */
} ref_result;

/* Bellman-Ford negative-cycle test on the uncapacitated arcs only. */
static int neg_inf_cycle(const lds_mcf_problem *p)
{
    uint32_t n = p->n_nodes;
    int64_t *d = calloc(n + 1, sizeof *d);
    int changed = 1;
    for (uint32_t it = 0; it <= n && changed; it++) {
        changed = 0;
        for (uint32_t e = 0; e < p->n_arcs; e++) {
            if (p->upper[e] != LDS_MCF_INF)
                continue;
            if (d[p->tail[e]] + p->cost[e] < d[p->head[e]]) {
                d[p->head[e]] = d[p->tail[e]] + p->cost[e];
                changed = 1;
            }
        }
    }
    free(d);
    return changed;
}

/*
 * Successive shortest paths.  Lower bounds are shifted out, infinite
 * capacities are replaced by a bound no optimal flow needs (sum of supplies
 * plus finite capacities), negative arcs are saturated first so the residual
 * graph has no negative cycle, then every unit of excess travels a shortest
 * path (Bellman-Ford with predecessor arcs) to a deficit.
 */
static ref_result reference(const lds_mcf_problem *p)
{
    ref_result r = {LDS_MCF_OPTIMAL, 0, neg_inf_cycle(p)};
    uint32_t n = p->n_nodes, m = p->n_arcs;
    int64_t sum = 0;
    for (uint32_t u = 0; u < n; u++)
        sum += p->supply[u];
    if (sum != 0) {
        r.status = LDS_MCF_INFEASIBLE;
        return r;
    }
    if (r.has_neg_inf_cycle) {
        r.status = LDS_MCF_UNBOUNDED;
        return r;
    }
    int64_t *ex = calloc(n + 1, sizeof *ex), *cap = calloc(2 * m + 1, sizeof *cap);
    int64_t *flow = calloc(m + 1, sizeof *flow), *dist = calloc(n + 1, sizeof *dist);
    int64_t *cst = calloc(2 * m + 1, sizeof *cst);
    uint32_t *pred = calloc(n + 1, sizeof *pred);
    int64_t bound = 1;
    for (uint32_t u = 0; u < n; u++)
        ex[u] = p->supply[u];
    for (uint32_t e = 0; e < m; e++) {
        ex[p->tail[e]] -= p->lower[e];
        ex[p->head[e]] += p->lower[e];
        r.cost += p->cost[e] * p->lower[e];
        if (p->upper[e] != LDS_MCF_INF)
            bound += p->upper[e] - p->lower[e];
    }
    for (uint32_t u = 0; u < n; u++)
        if (ex[u] > 0)
            bound += ex[u];
    /* Residual arc 2e is forward, 2e+1 backward; cap[] holds residuals. */
    for (uint32_t e = 0; e < m; e++) {
        int64_t c = p->upper[e] == LDS_MCF_INF ? bound : p->upper[e] - p->lower[e];
        cap[2 * e] = c;
        cap[2 * e + 1] = 0;
        cst[2 * e] = p->cost[e];
        cst[2 * e + 1] = -p->cost[e];
        if (p->cost[e] < 0 && c > 0) { /* saturate */
            cap[2 * e] = 0;
            cap[2 * e + 1] = c;
            flow[e] = c;
            ex[p->tail[e]] -= c;
            ex[p->head[e]] += c;
            r.cost += p->cost[e] * c;
        }
    }
    for (;;) {
        uint32_t s = n;
        for (uint32_t u = 0; u < n; u++)
            if (ex[u] > 0) {
                s = u;
                break;
            }
        if (s == n)
            break;
        for (uint32_t u = 0; u < n; u++) {
            dist[u] = BIG;
            pred[u] = UINT32_MAX;
        }
        dist[s] = 0;
        for (uint32_t it = 0; it < n; it++) {
            int changed = 0;
            for (uint32_t a = 0; a < 2 * m; a++) {
                if (cap[a] == 0)
                    continue;
                uint32_t e = a / 2, from = a & 1 ? p->head[e] : p->tail[e],
                         to = a & 1 ? p->tail[e] : p->head[e];
                if (dist[from] != BIG && dist[from] + cst[a] < dist[to]) {
                    dist[to] = dist[from] + cst[a];
                    pred[to] = a;
                    changed = 1;
                }
            }
            if (!changed)
                break;
        }
        uint32_t t = n;
        for (uint32_t u = 0; u < n; u++)
            if (ex[u] < 0 && dist[u] != BIG && (t == n || dist[u] < dist[t]))
                t = u;
        if (t == n) {
            r.status = LDS_MCF_INFEASIBLE;
            break;
        }
        int64_t amt = ex[s] < -ex[t] ? ex[s] : -ex[t];
        for (uint32_t v = t; v != s;) {
            uint32_t a = pred[v];
            if (cap[a] < amt)
                amt = cap[a];
            v = a & 1 ? p->head[a / 2] : p->tail[a / 2];
        }
        for (uint32_t v = t; v != s;) {
            uint32_t a = pred[v];
            cap[a] -= amt;
            cap[a ^ 1] += amt;
            r.cost += cst[a] * amt;
            v = a & 1 ? p->head[a / 2] : p->tail[a / 2];
        }
        ex[s] -= amt;
        ex[t] += amt;
    }
    free(ex);
    free(cap);
    free(flow);
    free(dist);
    free(cst);
    free(pred);
    return r;
}

/* ---- random instances ------------------------------------------------------ */

static void random_arc(lds_mcf_problem *p, uint32_t n, uint32_t *u, uint32_t *v, int64_t *lo,
                       int64_t *up, int64_t *c)
{
    (void)p;
    *u = (uint32_t)uni(0, n - 1);
    *v = (uint32_t)uni(0, n - 1);
    int64_t kind = uni(0, 9);
    *lo = kind == 0 ? uni(-3, 3) : 0;
    *up = kind == 1 ? LDS_MCF_INF : *lo + uni(0, 12);
    *c = uni(-6, 12);
    if (*up == LDS_MCF_INF && *c < 0 && uni(0, 3) != 0)
        *c = -*c; /* keep most instances bounded */
}

static void random_instance(lds_mcf_problem *p)
{
    lds_err e;
    uint32_t n = (uint32_t)uni(1, 9);
    uint32_t m = (uint32_t)uni(0, 3 * n + 4);
    assert_int_equal(lds_mcf_problem_init(p, n, m, &e), LDS_OK);
    int64_t total = 0;
    for (uint32_t u = 0; u + 1 < n; u++) {
        p->supply[u] = uni(0, 3) == 0 ? uni(-15, 15) : 0;
        total += p->supply[u];
    }
    p->supply[n - 1] = -total;
    for (uint32_t i = 0; i < m; i++) {
        uint32_t u, v;
        int64_t lo, up, c;
        random_arc(p, n, &u, &v, &lo, &up, &c);
        assert_int_equal(lds_mcf_problem_add_arc(p, u, v, lo, up, c, NULL, &e), LDS_OK);
    }
}

/* Medium instances: deeper trees, both pricing layouts, bigger values. */
static void random_medium_instance(lds_mcf_problem *p)
{
    lds_err e;
    uint32_t n = (uint32_t)uni(20, 90);
    uint32_t m = (uint32_t)uni(n, 8 * n);
    assert_int_equal(lds_mcf_problem_init(p, n, m, &e), LDS_OK);
    int layered = uni(0, 1) == 0;
    /* A third of the instances use large values (costs to ~1e9, capacities
     * to ~3e5): big-M artificial costs and wide potentials, no overflow. */
    int64_t cost_scale = uni(0, 2) == 0 ? 1000003 : 1, cap_scale = cost_scale > 1 ? 997 : 1;
    int64_t total = 0;
    for (uint32_t u = 0; u + 1 < n; u++) {
        p->supply[u] = uni(0, 4) == 0 ? uni(-400, 400) * cap_scale : 0;
        total += p->supply[u];
    }
    p->supply[n - 1] = -total;
    for (uint32_t i = 0; i < m; i++) {
        uint32_t u = (uint32_t)uni(0, n - 1), v;
        if (layered) /* mostly forward arcs: long paths, deep trees */
            v = uni(0, 9) ? (uint32_t)(u + 1 + uni(0, 2)) % n : (uint32_t)uni(0, n - 1);
        else
            v = (uint32_t)uni(0, n - 1);
        int64_t lo = uni(0, 15) == 0 ? uni(0, 20) * cap_scale : 0;
        int64_t up = uni(0, 7) == 0 ? LDS_MCF_INF : lo + uni(0, 300) * cap_scale;
        int64_t c = uni(-50, 1000) * cost_scale;
        if (up == LDS_MCF_INF && c < 0)
            c = -c;
        assert_int_equal(lds_mcf_problem_add_arc(p, u, v, lo, up, c, NULL, &e), LDS_OK);
    }
}

static uint64_t base_seed(void)
{
    const char *s = getenv("LDS_SEED");
    return s ? strtoull(s, NULL, 10) : 20261130;
}

/* Compares one solve of `p`'s current state with the reference. */
static void compare(const lds_mcf_problem *p, lds_mcf_solver *s, lds_mcf_status st,
                    uint64_t seed, const char *what)
{
    ref_result r = reference(p);
    lds_err e;
    int ok = st == r.status;
    if (!ok && r.has_neg_inf_cycle && st == LDS_MCF_INFEASIBLE)
        ok = 1; /* infeasible and unbounded at once: either answer is right */
    if (ok && st == LDS_MCF_OPTIMAL) {
        int64_t c;
        if (lds_mcf_check(p, lds_mcf_flows(s), lds_mcf_potentials(s), &c, &e) != LDS_OK) {
            fail_msg("seed %" PRIu64 " %s: certificate rejected: %s", seed, what, e.msg);
        }
        if (c != r.cost || lds_mcf_total_cost(s) != r.cost)
            fail_msg("seed %" PRIu64 " %s: cost %lld, reference %lld", seed, what, (long long)c,
                     (long long)r.cost);
    }
    if (!ok)
        fail_msg("seed %" PRIu64 " %s: status %s, reference %s", seed, what,
                 lds_mcf_status_name(st), lds_mcf_status_name(r.status));
}

static void random_cold_solves(void **state)
{
    (void)state;
    uint64_t seed0 = base_seed();
    lds_mcf_method methods[] = {LDS_MCF_SIMPLEX, LDS_MCF_COST_SCALING, LDS_MCF_AUTO};
    const char *names[] = {"simplex", "cost-scaling", "auto"};
    for (uint64_t i = 0; i < 4000; i++) {
        uint64_t seed = seed0 + i;
        rng_state = seed;
        lds_mcf_problem p;
        random_instance(&p);
        for (int k = 0; k < 3; k++) {
            lds_mcf_solver *s;
            lds_mcf_status st;
            lds_err e;
            assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
            if (lds_mcf_solve(s, methods[k], &st, &e) != LDS_OK)
                fail_msg("seed %" PRIu64 " %s: %s", seed, names[k], e.msg);
            compare(&p, s, st, seed, names[k]);
            lds_mcf_solver_free(s);
        }
        lds_mcf_problem_release(&p);
    }
}

/* Random changes and warm AUTO re-solves after a cold solve by `cold`. */
static void warm_rounds(lds_mcf_method cold, uint64_t seed0, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        uint64_t seed = seed0 + i;
        rng_state = seed;
        lds_mcf_problem p;
        random_instance(&p);
        lds_mcf_solver *s;
        lds_mcf_status st;
        lds_err e;
        assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
        if (lds_mcf_solve(s, cold, &st, &e) != LDS_OK)
            fail_msg("seed %" PRIu64 ": %s", seed, e.msg);
        compare(lds_mcf_solver_problem(s), s, st, seed, "cold");
        uint32_t n = p.n_nodes;
        for (int round = 0; round < 6; round++) {
            int n_changes = (int)uni(1, 3);
            for (int k = 0; k < n_changes; k++) {
                const lds_mcf_problem *q = lds_mcf_solver_problem(s);
                int64_t kind = uni(0, 4);
                if (kind == 0) { /* move supply between a pair of nodes */
                    uint32_t a = (uint32_t)uni(0, n - 1), b = (uint32_t)uni(0, n - 1);
                    int64_t d = uni(-8, 8);
                    assert_int_equal(lds_mcf_set_supply(s, a, q->supply[a] + d, &e), LDS_OK);
                    assert_int_equal(lds_mcf_set_supply(s, b, q->supply[b] - d, &e), LDS_OK);
                } else if (kind == 1 && q->n_arcs) {
                    uint32_t a = (uint32_t)uni(0, q->n_arcs - 1);
                    int64_t c = uni(-6, 12);
                    if (q->upper[a] == LDS_MCF_INF && c < 0)
                        c = -c;
                    assert_int_equal(lds_mcf_set_cost(s, a, c, &e), LDS_OK);
                } else if (kind == 2 && q->n_arcs) {
                    uint32_t a = (uint32_t)uni(0, q->n_arcs - 1);
                    int64_t lo = uni(0, 3) == 0 ? uni(-3, 3) : 0;
                    int64_t up = uni(0, 5) == 0 && q->cost[a] >= 0 ? LDS_MCF_INF : lo + uni(0, 12);
                    assert_int_equal(lds_mcf_set_bounds(s, a, lo, up, &e), LDS_OK);
                } else {
                    uint32_t u, v;
                    int64_t lo, up, c;
                    random_arc(&p, n, &u, &v, &lo, &up, &c);
                    assert_int_equal(lds_mcf_add_arc(s, u, v, lo, up, c, NULL, &e), LDS_OK);
                }
            }
            if (lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e) != LDS_OK)
                fail_msg("seed %" PRIu64 " round %d: %s", seed, round, e.msg);
            char what[32];
            snprintf(what, sizeof what, "warm round %d", round);
            compare(lds_mcf_solver_problem(s), s, st, seed, what);
        }
        lds_mcf_solver_free(s);
        lds_mcf_problem_release(&p);
    }
}

static void random_warm_resolves(void **state)
{
    (void)state;
    warm_rounds(LDS_MCF_SIMPLEX, base_seed() + 1000000, 1500);
}

/* After a cost-scaling cold solve the crossover leaves a simplex basis:
 * the same warm changes must re-solve from it to the reference optimum. */
static void random_warm_after_cost_scaling(void **state)
{
    (void)state;
    warm_rounds(LDS_MCF_COST_SCALING, base_seed() + 4000000, 1500);
}

/* Medium instances, cold by `cold`, then warm rounds; returns how many cold
 * solves needed simplex pivots after the crossover. */
static uint64_t medium_rounds(lds_mcf_method cold, uint64_t seed0, uint64_t count)
{
    uint64_t n_repaired = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t seed = seed0 + i;
        rng_state = seed;
        lds_mcf_problem p;
        random_medium_instance(&p);
        lds_mcf_solver *s;
        lds_mcf_status st;
        lds_err e;
        assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
        if (lds_mcf_solve(s, cold, &st, &e) != LDS_OK)
            fail_msg("seed %" PRIu64 ": %s", seed, e.msg);
        compare(&p, s, st, seed, "medium cold");
        if (st == LDS_MCF_OPTIMAL && cold == LDS_MCF_COST_SCALING) {
            n_repaired += lds_mcf_pivots(s) > 0;
            /* The crossover basis is optimal: a re-solve without changes
             * does no pivot and returns the same answer. */
            int64_t before = lds_mcf_total_cost(s);
            assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
            assert_int_equal(st, LDS_MCF_OPTIMAL);
            assert_int_equal(lds_mcf_pivots(s), 0);
            assert_int_equal(lds_mcf_total_cost(s), before);
        }
        for (int round = 0; round < 4; round++) {
            const lds_mcf_problem *q = lds_mcf_solver_problem(s);
            uint32_t a = (uint32_t)uni(0, q->n_nodes - 1), b = (uint32_t)uni(0, q->n_nodes - 1);
            int64_t d = uni(-100, 100);
            assert_int_equal(lds_mcf_set_supply(s, a, q->supply[a] + d, &e), LDS_OK);
            assert_int_equal(lds_mcf_set_supply(s, b, q->supply[b] - d, &e), LDS_OK);
            uint32_t arc = (uint32_t)uni(0, q->n_arcs - 1);
            if (q->upper[arc] != LDS_MCF_INF)
                assert_int_equal(lds_mcf_set_bounds(s, arc, q->lower[arc], q->lower[arc] + uni(0, 300), &e), LDS_OK);
            assert_int_equal(lds_mcf_add_arc(s, a, b, 0, uni(1, 200), uni(0, 500), NULL, &e), LDS_OK);
            if (lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e) != LDS_OK)
                fail_msg("seed %" PRIu64 " round %d: %s", seed, round, e.msg);
            compare(lds_mcf_solver_problem(s), s, st, seed, "medium warm");
        }
        lds_mcf_solver_free(s);
        lds_mcf_problem_release(&p);
    }
    return n_repaired;
}

static void random_medium_solves(void **state)
{
    (void)state;
    medium_rounds(LDS_MCF_AUTO, base_seed() + 3000000, 150);
}

static void random_medium_after_cost_scaling(void **state)
{
    (void)state;
    uint64_t n_repaired = medium_rounds(LDS_MCF_COST_SCALING, base_seed() + 5000000, 150);
    printf("medium instances needing pivots after the crossover: %" PRIu64 " of 150\n",
           n_repaired);
}

static void dimacs_round_trip_random(void **state)
{
    (void)state;
    uint64_t seed0 = base_seed() + 2000000;
    for (uint64_t i = 0; i < 500; i++) {
        uint64_t seed = seed0 + i;
        rng_state = seed;
        lds_mcf_problem p, q;
        random_instance(&p);
        char *text;
        size_t len;
        lds_err e;
        assert_int_equal(lds_mcf_dimacs_write(&p, &text, &len, &e), LDS_OK);
        if (lds_mcf_dimacs_parse(text, len, &q, &e) != LDS_OK)
            fail_msg("seed %" PRIu64 ": reparse failed on line %u: %s", seed, e.line, e.msg);
        assert_int_equal(q.n_arcs, p.n_arcs);
        assert_int_equal(q.n_nodes, p.n_nodes);
        for (uint32_t a = 0; a < p.n_arcs; a++) {
            assert_int_equal(q.tail[a], p.tail[a]);
            assert_int_equal(q.head[a], p.head[a]);
            assert_int_equal(q.lower[a], p.lower[a]);
            assert_int_equal(q.upper[a], p.upper[a]);
            assert_int_equal(q.cost[a], p.cost[a]);
        }
        assert_memory_equal(q.supply, p.supply, p.n_nodes * sizeof *p.supply);
        lds_free(text);
        lds_mcf_problem_release(&p);
        lds_mcf_problem_release(&q);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_cold_solves),
        cmocka_unit_test(random_warm_resolves),
        cmocka_unit_test(random_warm_after_cost_scaling),
        cmocka_unit_test(random_medium_solves),
        cmocka_unit_test(random_medium_after_cost_scaling),
        cmocka_unit_test(dimacs_round_trip_random),
    };
    return cmocka_run_group_tests_name("mcf properties", tests, NULL, NULL);
}
