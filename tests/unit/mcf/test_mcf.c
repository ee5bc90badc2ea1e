/* test_mcf.c — the min-cost-flow engine on hand-made instances with known
 * optima, error paths, warm re-solves, and the DIMACS reader and writer. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/mcf.h"

typedef struct arcspec {
    uint32_t u, v;
    int64_t lo, cap, cost;
} arcspec;

static void build(lds_mcf_problem *p, uint32_t n, const int64_t *supply, const arcspec *a,
                  size_t m)
{
    lds_err e;
    assert_int_equal(lds_mcf_problem_init(p, n, (uint32_t)m, &e), LDS_OK);
    for (uint32_t u = 0; u < n; u++)
        p->supply[u] = supply ? supply[u] : 0;
    for (size_t i = 0; i < m; i++)
        assert_int_equal(
            lds_mcf_problem_add_arc(p, a[i].u, a[i].v, a[i].lo, a[i].cap, a[i].cost, NULL, &e),
            LDS_OK);
}

/* Solves with `method`, checks the certificate, returns status and cost. */
static lds_mcf_status solve_checked(const lds_mcf_problem *p, lds_mcf_method method, int64_t *cost)
{
    lds_mcf_solver *s;
    lds_err e;
    lds_mcf_status st;
    assert_int_equal(lds_mcf_solver_new(p, &s, &e), LDS_OK);
    lds_code rc = lds_mcf_solve(s, method, &st, &e);
    if (rc != LDS_OK)
        fail_msg("solve failed: %s", e.msg);
    if (st == LDS_MCF_OPTIMAL) {
        int64_t c;
        if (lds_mcf_check(p, lds_mcf_flows(s), lds_mcf_potentials(s), &c, &e) != LDS_OK)
            fail_msg("certificate rejected: %s", e.msg);
        assert_int_equal(c, lds_mcf_total_cost(s));
        *cost = c;
    }
    lds_mcf_solver_free(s);
    return st;
}

static void expect(const lds_mcf_problem *p, lds_mcf_status want, int64_t want_cost)
{
    lds_mcf_method methods[] = {LDS_MCF_SIMPLEX, LDS_MCF_COST_SCALING, LDS_MCF_AUTO};
    for (size_t i = 0; i < 3; i++) {
        int64_t c = 0;
        lds_mcf_status st = solve_checked(p, methods[i], &c);
        if (st != want)
            fail_msg("method %zu: status %s, want %s", i, lds_mcf_status_name(st),
                     lds_mcf_status_name(want));
        if (st == LDS_MCF_OPTIMAL && c != want_cost)
            fail_msg("method %zu: cost %lld, want %lld", i, (long long)c, (long long)want_cost);
    }
}

static void known_optimum(void **state)
{
    (void)state;
    /* Two paths from 0 to 3: 0-1-3 cost 2+2 cap 4, 0-2-3 cost 1+5 cap 10.
     * Ship 6: 4 units on the cheap path (16), 2 on the other (12) = 28. */
    int64_t sup[] = {6, 0, 0, -6};
    arcspec a[] = {{0, 1, 0, 4, 2}, {1, 3, 0, 10, 2}, {0, 2, 0, 10, 1}, {2, 3, 0, 10, 5}};
    lds_mcf_problem p;
    build(&p, 4, sup, a, 4);
    expect(&p, LDS_MCF_OPTIMAL, 28);
    lds_mcf_problem_release(&p);
}

static void transportation(void **state)
{
    (void)state;
    /* 2 suppliers x 3 customers, classic textbook instance. */
    int64_t sup[] = {20, 30, -10, -25, -15};
    arcspec a[] = {{0, 2, 0, LDS_MCF_INF, 8}, {0, 3, 0, LDS_MCF_INF, 6},
                   {0, 4, 0, LDS_MCF_INF, 10}, {1, 2, 0, LDS_MCF_INF, 9},
                   {1, 3, 0, LDS_MCF_INF, 12}, {1, 4, 0, LDS_MCF_INF, 13}};
    lds_mcf_problem p;
    build(&p, 5, sup, a, 6);
    /* Optimum: 0->3 20 (120), 1->2 10 (90), 1->3 5 (60), 1->4 15 (195) = 465. */
    expect(&p, LDS_MCF_OPTIMAL, 465);
    lds_mcf_problem_release(&p);
}

static void infeasible(void **state)
{
    (void)state;
    int64_t sup[] = {5, 0, -5};
    arcspec a[] = {{0, 1, 0, 3, 1}, {1, 2, 0, 10, 1}};
    lds_mcf_problem p;
    build(&p, 3, sup, a, 2);
    expect(&p, LDS_MCF_INFEASIBLE, 0);
    /* Supplies that do not sum to zero are infeasible too. */
    p.supply[2] = -4;
    expect(&p, LDS_MCF_INFEASIBLE, 0);
    lds_mcf_problem_release(&p);
    /* A lower bound that cannot be met. */
    arcspec b[] = {{0, 1, 4, 6, 1}};
    build(&p, 2, NULL, b, 1);
    expect(&p, LDS_MCF_INFEASIBLE, 0);
    lds_mcf_problem_release(&p);
}

static void unbounded(void **state)
{
    (void)state;
    /* A negative cycle 1->2->1 of infinite capacity. */
    int64_t sup[] = {1, 0, 0, -1};
    arcspec a[] = {{0, 1, 0, 5, 1},
                   {1, 2, 0, LDS_MCF_INF, -3},
                   {2, 1, 0, LDS_MCF_INF, 1},
                   {2, 3, 0, 5, 1}};
    lds_mcf_problem p;
    build(&p, 4, sup, a, 4);
    int64_t c;
    assert_int_equal(solve_checked(&p, LDS_MCF_SIMPLEX, &c), LDS_MCF_UNBOUNDED);
    assert_int_equal(solve_checked(&p, LDS_MCF_COST_SCALING, &c), LDS_MCF_UNBOUNDED);
    /* With a finite capacity on the return arc 2->1 it is bounded: 7 units
     * circulate at -2 each, and one unit takes the path 0-1-2-3 at -1. */
    p.upper[2] = 7;
    expect(&p, LDS_MCF_OPTIMAL, -2 * 7 - 1);
    lds_mcf_problem_release(&p);
}

static void zero_capacity_and_negative_costs(void **state)
{
    (void)state;
    int64_t sup[] = {3, 0, -3};
    arcspec a[] = {{0, 2, 0, 0, -100}, /* zero capacity: unusable */
                   {0, 1, 0, 3, -2},
                   {1, 2, 0, 3, -1},
                   {1, 0, 0, 2, 1}, /* cycle 0->1->0 costs -1: saturate */
                   {0, 2, 0, 5, 4}};
    lds_mcf_problem p;
    build(&p, 3, sup, a, 5);
    /* 0->1 carries 3 (cap), 1->0 carries 0..2: cycle 0->1->0 is -2+1=-1 but
     * 0->1 is already saturated by the path, so: flows 0->1 3, 1->2 3 = -9. */
    expect(&p, LDS_MCF_OPTIMAL, -9);
    lds_mcf_problem_release(&p);
}

static void lower_bounds_parallel_isolated(void **state)
{
    (void)state;
    /* Node 3 is isolated; arcs 0->1 are parallel; one carries a lower bound
     * that forces flow around the expensive way. */
    int64_t sup[] = {4, 0, -4, 0};
    arcspec a[] = {{0, 1, 0, 10, 5}, {0, 1, 0, 10, 1}, {1, 2, 0, 10, 1},
                   {0, 2, 0, 10, 10}, {2, 0, 1, 10, 3}};
    lds_mcf_problem p;
    build(&p, 4, sup, a, 5);
    /* 2->0 must carry 1 (cost 3), so 5 units go 0->1->2 at cost 2 each. */
    expect(&p, LDS_MCF_OPTIMAL, 3 + 5 * 2);
    /* Negative lower bounds are just bounds. */
    p.lower[0] = -2;
    expect(&p, LDS_MCF_OPTIMAL, 3 + 5 * 2 - 2 * 5 + 2 * 1);
    lds_mcf_problem_release(&p);
}

static void solver_takes_ownership(void **state)
{
    (void)state;
    int64_t sup[] = {6, 0, 0, -6};
    arcspec a[] = {{0, 1, 0, 4, 2}, {1, 3, 0, 10, 2}, {0, 2, 0, 10, 1}, {2, 3, 0, 10, 5}};
    lds_mcf_problem p;
    build(&p, 4, sup, a, 4);
    lds_mcf_solver *s;
    lds_mcf_status st;
    lds_err e;
    assert_int_equal(lds_mcf_solver_new_take(&p, &s, &e), LDS_OK);
    assert_null(p.tail); /* emptied: the solver owns the arrays now */
    assert_int_equal(p.n_arcs, 0);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_OPTIMAL);
    assert_int_equal(lds_mcf_total_cost(s), 28);
    assert_int_equal(lds_mcf_last_method(s), LDS_MCF_SIMPLEX);
    const int64_t *f = lds_mcf_flows(s);
    assert_int_equal(f[0], 4);
    assert_int_equal(f[2], 2);
    /* A change invalidates the solution until the next solve. */
    assert_int_equal(lds_mcf_set_cost(s, 3, 1, &e), LDS_OK);
    assert_null(lds_mcf_flows(s));
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_int_equal(lds_mcf_total_cost(s), 12);
    lds_mcf_problem_release(&p); /* harmless on the emptied struct */
    lds_mcf_solver_free(s);
    lds_mcf_solver_free(NULL);
}

static void empty_and_trivial(void **state)
{
    (void)state;
    lds_mcf_problem p;
    build(&p, 0, NULL, NULL, 0);
    expect(&p, LDS_MCF_OPTIMAL, 0);
    lds_mcf_problem_release(&p);
    build(&p, 3, NULL, NULL, 0);
    expect(&p, LDS_MCF_OPTIMAL, 0);
    lds_mcf_problem_release(&p);
}

static void overflow_rejected(void **state)
{
    (void)state;
    lds_mcf_problem p;
    lds_mcf_solver *s;
    lds_mcf_status st;
    lds_err e;
    int64_t sup[] = {INT64_MAX / 2, -(INT64_MAX / 2)};
    arcspec a[] = {{0, 1, 0, LDS_MCF_INF, 1}};
    build(&p, 2, sup, a, 1);
    assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_EOVERFLOW);
    assert_non_null(strstr(e.msg, "supply"));
    lds_mcf_solver_free(s);
    /* Costs whose big-M cannot be represented. */
    p.supply[0] = 1;
    p.supply[1] = -1;
    p.cost[0] = INT64_MAX / 4;
    assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_EOVERFLOW);
    lds_mcf_solver_free(s);
    /* A total cost beyond int64 (each term fits). */
    p.cost[0] = (int64_t)1 << 40;
    p.supply[0] = (int64_t)1 << 30;
    p.supply[1] = -((int64_t)1 << 30);
    assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_EOVERFLOW);
    assert_non_null(strstr(e.msg, "cost"));
    lds_mcf_solver_free(s);
    lds_mcf_problem_release(&p);
    /* A hand-built problem with a dangling arc is refused, not read out of
     * bounds. */
    arcspec ok[] = {{0, 1, 0, 5, 1}};
    build(&p, 2, NULL, ok, 1);
    p.head[0] = 7;
    assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "out of range"));
    lds_mcf_solver_free(s);
    lds_mcf_problem_release(&p);
    /* Bad arcs are refused at construction. */
    assert_int_equal(lds_mcf_problem_init(&p, 2, 0, &e), LDS_OK);
    assert_int_equal(lds_mcf_problem_add_arc(&p, 0, 2, 0, 1, 1, NULL, &e), LDS_EINVAL);
    assert_int_equal(lds_mcf_problem_add_arc(&p, 0, 1, 5, 1, 1, NULL, &e), LDS_EINVAL);
    lds_mcf_problem_release(&p);
}

static void checker_rejects_bad_certificates(void **state)
{
    (void)state;
    int64_t sup[] = {2, 0, -2};
    arcspec a[] = {{0, 1, 0, 5, 1}, {1, 2, 0, 5, 1}, {0, 2, 0, 5, 3}};
    lds_mcf_problem p;
    build(&p, 3, sup, a, 3);
    lds_err e;
    int64_t flow[] = {2, 2, 0}, pot[] = {0, -1, -2}, c;
    assert_int_equal(lds_mcf_check(&p, flow, pot, &c, &e), LDS_OK);
    assert_int_equal(c, 4);
    int64_t bad_flow[] = {1, 1, 1};
    assert_int_equal(lds_mcf_check(&p, bad_flow, pot, &c, &e), LDS_EINVAL);
    int64_t unbalanced[] = {2, 1, 0};
    assert_int_equal(lds_mcf_check(&p, unbalanced, pot, &c, &e), LDS_EINVAL);
    int64_t bad_pot[] = {0, 0, 0};
    assert_int_equal(lds_mcf_check(&p, flow, bad_pot, &c, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "reduced cost"));
    int64_t over[] = {6, 6, -4};
    assert_int_equal(lds_mcf_check(&p, over, pot, &c, &e), LDS_EINVAL);
    lds_mcf_problem_release(&p);
}

/* Cold-solves the solver's current problem and compares with `s`. */
static void assert_same_as_cold(lds_mcf_solver *s, lds_mcf_status st)
{
    const lds_mcf_problem *q = lds_mcf_solver_problem(s);
    int64_t c = 0;
    lds_mcf_status cold = solve_checked(q, LDS_MCF_SIMPLEX, &c);
    if (st != cold)
        fail_msg("warm status %s, cold %s", lds_mcf_status_name(st), lds_mcf_status_name(cold));
    if (st == LDS_MCF_OPTIMAL) {
        lds_err e;
        int64_t wc;
        if (lds_mcf_check(q, lds_mcf_flows(s), lds_mcf_potentials(s), &wc, &e) != LDS_OK)
            fail_msg("warm certificate rejected: %s", e.msg);
        assert_int_equal(wc, c);
        assert_int_equal(lds_mcf_total_cost(s), c);
    }
}

static void warm_resolve(void **state)
{
    (void)state;
    int64_t sup[] = {20, 30, -10, -25, -15};
    arcspec a[] = {{0, 2, 0, 30, 8}, {0, 3, 0, 30, 6}, {0, 4, 0, 30, 10},
                   {1, 2, 0, 30, 9}, {1, 3, 0, 30, 12}, {1, 4, 0, 30, 13}};
    lds_mcf_problem p;
    build(&p, 5, sup, a, 6);
    lds_mcf_solver *s;
    lds_mcf_status st;
    lds_err e;
    assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
    /* Changes before the first solve are simply part of the cold start. */
    for (int i = 0; i < 40; i++)
        assert_int_equal(lds_mcf_add_arc(s, 0, 1, 0, 1, 50, NULL, &e), LDS_OK);
    assert_int_equal(lds_mcf_set_cost(s, 0, 8, &e), LDS_OK);
    assert_int_equal(lds_mcf_set_bounds(s, 0, 0, 30, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_same_as_cold(s, st);
    /* One supply/demand pair. */
    assert_int_equal(lds_mcf_set_supply(s, 0, 25, &e), LDS_OK);
    assert_int_equal(lds_mcf_set_supply(s, 3, -30, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_same_as_cold(s, st);
    /* A cost change, a tighter bound, a lower bound. */
    assert_int_equal(lds_mcf_set_cost(s, 1, 20, &e), LDS_OK);
    assert_int_equal(lds_mcf_set_bounds(s, 3, 0, 4, &e), LDS_OK);
    assert_int_equal(lds_mcf_set_bounds(s, 5, 2, 30, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_same_as_cold(s, st);
    /* A new cheap offer arc. */
    uint32_t id;
    assert_int_equal(lds_mcf_add_arc(s, 1, 3, 0, 100, 1, &id, &e), LDS_OK);
    assert_int_equal(id, 46);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_same_as_cold(s, st);
    /* Make it infeasible, then feasible again. */
    assert_int_equal(lds_mcf_set_supply(s, 0, 500, &e), LDS_OK);
    assert_int_equal(lds_mcf_set_supply(s, 2, -480, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_INFEASIBLE);
    assert_same_as_cold(s, st);
    assert_int_equal(lds_mcf_set_supply(s, 0, 25, &e), LDS_OK);
    assert_int_equal(lds_mcf_set_supply(s, 2, -10, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_OPTIMAL);
    assert_same_as_cold(s, st);
    /* Range errors. */
    assert_int_equal(lds_mcf_set_supply(s, 9, 1, &e), LDS_EINVAL);
    assert_int_equal(lds_mcf_set_cost(s, 99, 1, &e), LDS_EINVAL);
    assert_int_equal(lds_mcf_set_bounds(s, 0, 5, 4, &e), LDS_EINVAL);
    lds_mcf_solver_free(s);
    lds_mcf_problem_release(&p);
}

/* Pricing reads 16- or 32-bit copies of the costs while every cost fits; a
 * cost beyond them (from the start, through set_cost or add_arc) must
 * switch it back to wider costs.  Truncated, -40000 would read as +25536
 * in 16 bits and 7 - 2^33 as +7 in 32 bits: the cheap path would look
 * dear and never enter the basis. */
static void wide_costs_case(int64_t big)
{
    /* Ship 6 from 0 to 3: path 0-1-4-3 costs 2 - big + 0 (cap 4 on 0-1),
     * path 0-2-3 costs 1 + 5: 4 units at 2 - big and 2 at 6, 20 - 4 big.
     * The cheap path does not end in its cheapest arc into the demand
     * node, so only pricing can find it. */
    int64_t sup[] = {6, 0, 0, -6, 0};
    arcspec a[] = {{0, 1, 0, 4, 2}, {1, 4, 0, 10, -big}, {4, 3, 0, 10, 0},
                   {0, 2, 0, 10, 1}, {2, 3, 0, 10, 5}};
    lds_mcf_problem p;
    build(&p, 5, sup, a, 5);
    expect(&p, LDS_MCF_OPTIMAL, 20 - 4 * big);
    lds_mcf_problem_release(&p);

    /* Warm: small costs first (4 on 0-1-4-3 at 4, 2 on 0-2-3 at 6: 28),
     * then arc 1 goes to -big (20 - 4 big), back to 2 (28), then a new arc
     * 0-3 of capacity 1 at -big: one unit there, 4 at 4 and 1 at 6, so
     * 22 - big. */
    a[1].cost = 2;
    build(&p, 5, sup, a, 5);
    lds_mcf_solver *s;
    lds_mcf_status st;
    lds_err e;
    assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_OPTIMAL);
    assert_int_equal(lds_mcf_total_cost(s), 28);
    assert_int_equal(lds_mcf_set_cost(s, 1, -big, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_OPTIMAL);
    assert_int_equal(lds_mcf_total_cost(s), 20 - 4 * big);
    assert_same_as_cold(s, st);
    assert_int_equal(lds_mcf_set_cost(s, 1, 2, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_OK);
    assert_int_equal(lds_mcf_total_cost(s), 28);
    assert_int_equal(lds_mcf_add_arc(s, 0, 3, 0, 1, -big, NULL, &e), LDS_OK);
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_OPTIMAL);
    assert_int_equal(lds_mcf_total_cost(s), 22 - big);
    assert_same_as_cold(s, st);
    lds_mcf_solver_free(s);
    lds_mcf_problem_release(&p);
}

static void costs_beyond_32_bits(void **state)
{
    (void)state;
    wide_costs_case(40000);            /* beyond 16 bits */
    wide_costs_case(((int64_t)1 << 33) - 7); /* beyond 32 bits */
}

static lds_code parse_str(const char *text, lds_mcf_problem *p, lds_err *e)
{
    return lds_mcf_dimacs_parse(text, strlen(text), p, e);
}

static void expect_parse_error(const char *text, unsigned line, const char *needle)
{
    lds_mcf_problem p;
    lds_err e;
    lds_err_clear(&e);
    lds_code rc = parse_str(text, &p, &e);
    if (rc != LDS_EINVAL)
        fail_msg("parsed although malformed (rc %d):\n%s", rc, text);
    if (e.line != line)
        fail_msg("error on line %u, want %u (%s):\n%s", e.line, line, e.msg, text);
    if (needle && !strstr(e.msg, needle))
        fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void dimacs_parses(void **state)
{
    (void)state;
    const char *text = "c a comment\n"
                       "p min 4 5\r\n"
                       "n 1 4\n"
                       "n 3 -4\n"
                       "\n"
                       "c arcs\n"
                       "a 1 2 0 10 5\n"
                       "a\t1 2 0 10 1 \n"
                       "a 2 3 0 10 1\n"
                       "a 1 3 0 10 10\n"
                       "a 3 1 1 10 3";
    lds_mcf_problem p;
    lds_err e;
    assert_int_equal(parse_str(text, &p, &e), LDS_OK);
    assert_int_equal(p.n_nodes, 4);
    assert_int_equal(p.n_arcs, 5);
    assert_int_equal(p.supply[0], 4);
    assert_int_equal(p.supply[2], -4);
    assert_int_equal(p.tail[4], 2);
    assert_int_equal(p.head[4], 0);
    assert_int_equal(p.lower[4], 1);
    expect(&p, LDS_MCF_OPTIMAL, 13);
    lds_mcf_problem_release(&p);
}

static void dimacs_errors_have_lines(void **state)
{
    (void)state;
    expect_parse_error("", 1, "missing problem line");
    expect_parse_error("c only\nc comments\n", 2, "missing problem line");
    expect_parse_error("a 1 2 0 1 1\n", 1, "before the problem line");
    expect_parse_error("n 1 1\n", 1, "before the problem line");
    expect_parse_error("p min 2 1\np min 2 1\n", 2, "duplicate problem line");
    expect_parse_error("p max 2 1\n", 1, "'min'");
    expect_parse_error("p min x 1\n", 1, "not an integer");
    expect_parse_error("p min -2 1\n", 1, "out of range");
    expect_parse_error("p min 2 1\nc\na 1 3 0 1 1\n", 3, "out of range");
    expect_parse_error("p min 2 1\na 0 2 0 1 1\n", 2, "out of range");
    expect_parse_error("p min 2 1\na 1 2 0 1 1x\n", 2, "not an integer");
    expect_parse_error("p min 2 1\na 1 2 0 1\n", 2, "missing cost");
    expect_parse_error("p min 2 1\na 1 2 0 1 1 7\n", 2, "trailing");
    expect_parse_error("p min 2 1\na 1 2 0 99999999999999999999 1\n", 2, "64-bit");
    expect_parse_error("p min 2 1\na 1 2 0 9223372036854775808 1\n", 2, "64-bit");
    expect_parse_error("p min 2 1\na 1 2 5 1 1\n", 2, "exceeds capacity");
    expect_parse_error("p min 2 1\na 1 2 0 1 1\na 1 2 0 1 1\n", 3, "more arcs");
    expect_parse_error("p min 2 2\na 1 2 0 1 1\n", 1, "declares 2 arcs");
    expect_parse_error("p min 2 0\nn 1 1\nn 1 2\n", 3, "duplicate node");
    expect_parse_error("p min 2 0\nn 3 1\n", 2, "out of range");
    expect_parse_error("p min 2 0\nx 1 2\n", 2, "unknown line type");
    expect_parse_error("p min 2 0\nnode 1 2\n", 2, "unknown line type");
    /* The extreme int64 values themselves are fine. */
    lds_mcf_problem p;
    lds_err e;
    assert_int_equal(parse_str("p min 2 1\na 1 2 -9223372036854775808 9223372036854775807 -5\n",
                               &p, &e),
                     LDS_OK);
    assert_int_equal(p.lower[0], INT64_MIN);
    assert_int_equal(p.upper[0], LDS_MCF_INF);
    lds_mcf_problem_release(&p);
}

static void dimacs_round_trip(void **state)
{
    (void)state;
    int64_t sup[] = {7, 0, -3, -4, 0};
    arcspec a[] = {{0, 1, 0, LDS_MCF_INF, 3}, {1, 2, -5, 9, -2}, {1, 3, 2, 8, 0},
                   {4, 0, 0, 0, INT64_MIN}, {3, 3, 1, 1, 1}};
    lds_mcf_problem p, q;
    build(&p, 5, sup, a, 5);
    char *text;
    size_t len;
    lds_err e;
    assert_int_equal(lds_mcf_dimacs_write(&p, &text, &len, &e), LDS_OK);
    assert_int_equal(strlen(text), len);
    assert_int_equal(lds_mcf_dimacs_parse(text, len, &q, &e), LDS_OK);
    assert_int_equal(q.n_nodes, p.n_nodes);
    assert_int_equal(q.n_arcs, p.n_arcs);
    assert_memory_equal(q.supply, p.supply, 5 * sizeof *p.supply);
    assert_memory_equal(q.tail, p.tail, 5 * sizeof *p.tail);
    assert_memory_equal(q.head, p.head, 5 * sizeof *p.head);
    assert_memory_equal(q.lower, p.lower, 5 * sizeof *p.lower);
    assert_memory_equal(q.upper, p.upper, 5 * sizeof *p.upper);
    assert_memory_equal(q.cost, p.cost, 5 * sizeof *p.cost);
    lds_free(text);
    lds_mcf_problem_release(&p);
    lds_mcf_problem_release(&q);
}

static void out_of_memory_is_clean(void **state)
{
    (void)state;
    const char *text = "p min 4 5\nn 1 4\nn 3 -4\na 1 2 0 10 5\na 1 2 0 10 1\n"
                       "a 2 3 0 10 1\na 1 3 0 10 10\na 3 1 1 10 3\n";
    for (long nth = 1; nth < 60; nth++) {
        lds_mcf_problem p;
        lds_err e;
        lds_alloc_fail_after(nth);
        lds_code rc = parse_str(text, &p, &e);
        if (rc == LDS_OK) {
            lds_mcf_solver *s = NULL;
            lds_mcf_status st;
            rc = lds_mcf_solver_new(&p, &s, &e);
            if (rc == LDS_OK)
                rc = lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e);
            lds_mcf_solver_free(s);
            lds_mcf_problem_release(&p);
        }
        lds_alloc_fail_after(0);
        assert_true(rc == LDS_OK || rc == LDS_ENOMEM);
    }
}

/* Pricing holds an arc at its upper bound reversed (tail and head swapped,
 * cost negated).  Cost changes of such arcs, a cost of -32768 (whose 16-bit
 * negation would wrap back to -32768) and a bound change must keep the
 * orientation: each step is checked against a cold solve. */
static void arcs_at_upper_bound(void **state)
{
    (void)state;
    /* Ship 10 from 0 to 1 over three parallel arcs: a2 (cap 3, cost -32768)
     * and a0 (cap 4, cost 1) full, the rest on a1 (cost 5): -98304 + 4 + 15. */
    int64_t sup[] = {10, -10};
    arcspec a[] = {{0, 1, 0, 4, 1}, {0, 1, 0, 20, 5}, {0, 1, 0, 3, -32768}};
    lds_mcf_problem p;
    build(&p, 2, sup, a, 3);
    expect(&p, LDS_MCF_OPTIMAL, -98285);
    lds_mcf_solver *s;
    lds_mcf_status st;
    lds_err e;
    assert_int_equal(lds_mcf_solver_new(&p, &s, &e), LDS_OK);
    struct {
        uint32_t arc;
        int64_t cost, upper, want;
    } steps[] = {
        {0, 7, 4, -98304 + 35},     /* a0 dearer than a1: 3 on a2, 7 on a1 */
        {0, 1, 4, -98285},          /* back at its upper bound */
        {2, 100, 3, 4 + 30},        /* a2 leaves its upper bound */
        {0, -40000, 4, -160000 + 30}, /* beyond 16 bits while at the upper bound */
        {0, -40000, 2, -80000 + 40},  /* tighter bound on the arc at its upper bound */
    };
    assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_OK);
    assert_int_equal(st, LDS_MCF_OPTIMAL);
    assert_int_equal(lds_mcf_total_cost(s), -98285);
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        assert_int_equal(lds_mcf_set_cost(s, steps[k].arc, steps[k].cost, &e), LDS_OK);
        assert_int_equal(lds_mcf_set_bounds(s, steps[k].arc, 0, steps[k].upper, &e), LDS_OK);
        assert_int_equal(lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &e), LDS_OK);
        assert_int_equal(st, LDS_MCF_OPTIMAL);
        if (lds_mcf_total_cost(s) != steps[k].want)
            fail_msg("step %zu: cost %lld, want %lld", k, (long long)lds_mcf_total_cost(s),
                     (long long)steps[k].want);
        assert_same_as_cold(s, st);
    }
    lds_mcf_solver_free(s);
    lds_mcf_problem_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_optimum),
        cmocka_unit_test(transportation),
        cmocka_unit_test(infeasible),
        cmocka_unit_test(unbounded),
        cmocka_unit_test(zero_capacity_and_negative_costs),
        cmocka_unit_test(lower_bounds_parallel_isolated),
        cmocka_unit_test(empty_and_trivial),
        cmocka_unit_test(solver_takes_ownership),
        cmocka_unit_test(overflow_rejected),
        cmocka_unit_test(checker_rejects_bad_certificates),
        cmocka_unit_test(warm_resolve),
        cmocka_unit_test(costs_beyond_32_bits),
        cmocka_unit_test(dimacs_parses),
        cmocka_unit_test(dimacs_errors_have_lines),
        cmocka_unit_test(dimacs_round_trip),
        cmocka_unit_test(out_of_memory_is_clean),
        cmocka_unit_test(arcs_at_upper_bound),
    };
    return cmocka_run_group_tests_name("mcf", tests, NULL, NULL);
}
