/* test_costscale_layout.c — cost scaling keeps its residual arcs in 32-bit
 * fields when every original cost and every residual capacity fits int32,
 * and in 64-bit fields otherwise (src/mcf/costscale_body.h).  These tests
 * sit on both sides of that boundary: values that just fit, values one past
 * it (a build that narrowed them would wrap and return a wrong optimum or a
 * rejected certificate), and random instances scaled by 2^31 so that the
 * 64-bit layout must give exactly 2^31 times the 32-bit layout's optimum. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "../../../src/mcf/mcf_int.h"

#define INF LDS_MCF_INF
__extension__ typedef __int128 i128;

typedef struct tp {
    lds_mcf_problem p;
    uint32_t tail[128], head[128];
    int64_t lower[128], upper[128], cost[128], supply[32];
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
    t->p.cap_arcs = 128;
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

/* Exact certificate (feasibility and complementary slackness, in 128 bits);
 * returns the cost through *cost. */
static int certify(const lds_mcf_problem *p, const int64_t *f, const int64_t *pot, i128 *cost)
{
    i128 bal[32] = {0}, total = 0;
    for (uint32_t i = 0; i < p->n_arcs; i++) {
        if (f[i] < p->lower[i] || f[i] > p->upper[i])
            return 0;
        bal[p->tail[i]] += f[i];
        bal[p->head[i]] -= f[i];
        total += (i128)f[i] * p->cost[i];
        i128 rc = (i128)p->cost[i] - pot[p->tail[i]] + pot[p->head[i]];
        if (rc > 0 && f[i] != p->lower[i])
            return 0;
        if (rc < 0 && f[i] != p->upper[i])
            return 0;
    }
    for (uint32_t u = 0; u < p->n_nodes; u++)
        if (bal[u] != p->supply[u])
            return 0;
    *cost = total;
    return 1;
}

static lds_mcf_status solve(const tp *t, i128 *cost)
{
    int64_t flow[128], pot[32];
    lds_mcf_status st = (lds_mcf_status)-1;
    lds_err e;
    assert_int_equal(lds_mcf__cost_scaling(&t->p, flow, pot, &st, &e), LDS_OK);
    if (st == LDS_MCF_OPTIMAL)
        assert_true(certify(&t->p, flow, pot, cost));
    return st;
}

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
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == 2 + (i128)INT32_MAX);
    /* One more does not: 64-bit arcs (narrowed, the dear route would look
     * like a gain of 2^31 and take every unit). */
    two_routes(&t, 2, 1, (int64_t)INT32_MAX + 1, 3);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == 2 + ((i128)1 << 31));
    /* -INT32_MAX fits; INT32_MIN does not (its reverse arc costs 2^31). */
    two_routes(&t, 2, -INT32_MAX, 5, 3);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == 2 * -(i128)INT32_MAX + 5);
    two_routes(&t, 2, INT32_MIN, 5, 3);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
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
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == (i128)INT32_MAX * 1 + (i128)INT32_MAX * 2 + 2 * 3);
    /* A capacity of 2^31 + 5 does not (narrowed it would be negative). */
    tp_init(&t, 2);
    t.supply[0] = ((int64_t)1 << 31) + 9;
    t.supply[1] = -t.supply[0];
    tp_arc(&t, 0, 1, 0, ((int64_t)1 << 31) + 5, 1);
    tp_arc(&t, 0, 1, 0, 10, 7);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == ((i128)1 << 31) + 5 + 4 * 7);
    /* What counts is upper - lower: 2^31 + 4 - 5 fits. */
    tp_init(&t, 2);
    t.supply[0] = ((int64_t)1 << 31) + 5;
    t.supply[1] = -t.supply[0];
    tp_arc(&t, 0, 1, 5, ((int64_t)1 << 31) + 4, 2);
    tp_arc(&t, 0, 1, 0, 1, 3);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == (((i128)1 << 31) + 4) * 2 + 3);
    /* Small capacities, but an uncapacitated arc's bound (total supply plus
     * capacities, plus one) passes INT32_MAX: 64-bit arcs. */
    two_routes(&t, 3, 1, 7, INT32_MAX);
    assert_int_equal(solve(&t, &cost), LDS_MCF_OPTIMAL);
    assert_true(cost == 3 + ((i128)INT32_MAX - 3) * 7);
}

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
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
        lds_mcf_status s0 = solve(&t, &c0), s1 = solve(&big_flow, &c1),
                       s2 = solve(&big_cost, &c2);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(costs_at_the_boundary),
        cmocka_unit_test(capacities_at_the_boundary),
        cmocka_unit_test(scaled_copies_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
