/*
 * test_engine.c — the pure lineage engines: origin shares on the
 * hand-computed diamond (two mines blended, split, re-blended with a third
 * lot), the forward fractions on the same graph, cycles, lots of unknown
 * content, and the mass-balance test.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "lodestone/lineage.h"

#define EPS 1e-12

/*
 * The diamond, in tonnes of REO with two elements (Nd2O3, Dy2O3):
 *
 *   A (mine A): 10 t = Nd 8 + Dy 2        B (mine B): 30 t = Nd 27 + Dy 3
 *          \                                  /
 *           T1 blend: C = 40 t = Nd 35 + Dy 5
 *          /                                  \
 *   T2 split: D gets 16 t of C               T3 split: E gets 24 t of C
 *   (Nd 14, Dy 2: C's composition)           (Nd 21, Dy 3)
 *          \                                  /
 *           T4 re-blend with H (mine A, a second lot): 20 t = Nd 10 + Dy 10
 *           F = D 16 + E 24 + H 20 = 60 t = Nd 45 + Dy 15
 *
 * Shares of C: total A 10/40 = 1/4, B 3/4; Nd A 8/35, B 27/35; Dy A 2/5, B 3/5.
 * Into F, total weights D 16/60, E 24/60, H 20/60, so C contributes 40/60 = 2/3:
 *   A = 2/3 x 1/4 = 1/6,  B = 2/3 x 3/4 = 1/2,  H = 1/3          (sum 1)
 * Nd into F: D 14/45, E 21/45, H 10/45, so C contributes 35/45 = 7/9:
 *   A = 7/9 x 8/35 = 8/45,  B = 7/9 x 27/35 = 27/45,  H = 10/45   (sum 1)
 * Dy into F: D 2/15, E 3/15, H 10/15, so C contributes 5/15 = 1/3:
 *   A = 1/3 x 2/5 = 2/15,  B = 1/3 x 3/5 = 3/15,  H = 10/15       (sum 1)
 * Each of A's tonnes reaches F once, although through two paths (D and E):
 * Nd from A in F = 8 t of 45, which is 8/45 as above.
 */
enum { A, B, C, D, E, H, F, N_NODES };

static lds_lineage_node nodes[N_NODES];
static lds_lineage_edge edges[8];
static size_t n_edges;

static void content(double *total, double *el, double nd, double dy)
{
    memset(el, 0, sizeof(double) * LDS_RE_N);
    el[LDS_RE_ND] = nd;
    el[LDS_RE_DY] = dy;
    *total = nd + dy;
}

static void node(int i, double nd, double dy)
{
    nodes[i].has_reo = 1;
    content(&nodes[i].total, nodes[i].el, nd, dy);
    nodes[i].weight = nodes[i].total * 1000; /* unused while content is known */
}

static void edge(int in, int out, double nd, double dy)
{
    lds_lineage_edge *e = &edges[n_edges++];
    memset(e, 0, sizeof *e);
    e->input = (size_t)in;
    e->output = (size_t)out;
    e->has_reo = 1;
    content(&e->total, e->el, nd, dy);
    e->weight = e->total;
}

static void build(void)
{
    memset(nodes, 0, sizeof nodes);
    n_edges = 0;
    node(A, 8, 2);
    node(B, 27, 3);
    node(C, 35, 5);
    node(D, 14, 2);
    node(E, 21, 3);
    node(H, 10, 10);
    node(F, 45, 15);
    edge(A, C, 8, 2);
    edge(B, C, 27, 3);
    edge(C, D, 14, 2);
    edge(C, E, 21, 3);
    edge(D, F, 14, 2);
    edge(E, F, 21, 3);
    edge(H, F, 10, 10);
}

static const lds_lineage_share *find(const lds_lineage_share *sh, size_t n, size_t node_ix)
{
    for (size_t i = 0; i < n; i++)
        if (sh[i].node == node_ix)
            return &sh[i];
    fail_msg("origin %zu missing", node_ix);
    return NULL;
}

static void test_diamond_shares(void **state)
{
    (void)state;
    build();
    lds_lineage_share sh[N_NODES];
    size_t n = 0;
    lds_err err;
    assert_int_equal(lds_lineage_propagate(nodes, N_NODES, edges, n_edges, F, sh, &n, &err),
                     LDS_OK);
    assert_int_equal(n, 3); /* A, B, H */
    const lds_lineage_share *a = find(sh, n, A), *b = find(sh, n, B), *h = find(sh, n, H);
    assert_true(fabs(a->share - 1.0 / 6) < EPS);
    assert_true(fabs(b->share - 1.0 / 2) < EPS);
    assert_true(fabs(h->share - 1.0 / 3) < EPS);
    unsigned both = (1u << LDS_RE_ND) | (1u << LDS_RE_DY);
    assert_int_equal(a->element_mask, both);
    assert_int_equal(h->element_mask, both);
    assert_true(fabs(a->element_share[LDS_RE_ND] - 8.0 / 45) < EPS);
    assert_true(fabs(b->element_share[LDS_RE_ND] - 27.0 / 45) < EPS);
    assert_true(fabs(h->element_share[LDS_RE_ND] - 10.0 / 45) < EPS);
    assert_true(fabs(a->element_share[LDS_RE_DY] - 2.0 / 15) < EPS);
    assert_true(fabs(b->element_share[LDS_RE_DY] - 3.0 / 15) < EPS);
    assert_true(fabs(h->element_share[LDS_RE_DY] - 10.0 / 15) < EPS);

    /* Traced from C: only the two mines. */
    assert_int_equal(lds_lineage_propagate(nodes, N_NODES, edges, n_edges, C, sh, &n, &err),
                     LDS_OK);
    assert_int_equal(n, 2);
    assert_true(fabs(find(sh, n, A)->share - 0.25) < EPS);
    assert_true(fabs(find(sh, n, B)->element_share[LDS_RE_DY] - 0.6) < EPS);

    /* An origin traced alone is its own single origin. */
    assert_int_equal(lds_lineage_propagate(nodes, N_NODES, edges, n_edges, A, sh, &n, &err),
                     LDS_OK);
    assert_int_equal(n, 1);
    assert_true(fabs(sh[0].share - 1) < EPS);
    assert_true(fabs(sh[0].element_share[LDS_RE_ND] - 1) < EPS);
    assert_int_equal(sh[0].element_mask, both); /* A has no other element */
}

/* Forward: A's 10 t end in F as 10 t of F's 60: fraction 1/6; C, D, E are
 * a quarter A; H and B get nothing from A. */
static void test_diamond_fractions(void **state)
{
    (void)state;
    build();
    double f[N_NODES];
    lds_err err;
    assert_int_equal(lds_lineage_fractions(nodes, N_NODES, edges, n_edges, A, f, &err), LDS_OK);
    assert_true(fabs(f[A] - 1) < EPS);
    assert_true(fabs(f[C] - 0.25) < EPS);
    assert_true(fabs(f[D] - 0.25) < EPS);
    assert_true(fabs(f[E] - 0.25) < EPS);
    assert_true(fabs(f[F] - 1.0 / 6) < EPS);
    assert_true(f[B] == 0 && f[H] == 0);
    /* From C: 2/3 of F. */
    assert_int_equal(lds_lineage_fractions(nodes, N_NODES, edges, n_edges, C, f, &err), LDS_OK);
    assert_true(fabs(f[F] - 2.0 / 3) < EPS);
}

/* Inputs of unknown material weigh by quantity alone: 30 kg and 10 kg. */
static void test_unknown_content(void **state)
{
    (void)state;
    lds_lineage_node nn[3];
    lds_lineage_edge ee[2];
    memset(nn, 0, sizeof nn);
    memset(ee, 0, sizeof ee);
    ee[0].input = 0;
    ee[0].output = 2;
    ee[0].weight = 30;
    ee[1].input = 1;
    ee[1].output = 2;
    ee[1].has_reo = 1; /* one input known is not enough for content weights */
    ee[1].total = 5;
    ee[1].el[LDS_RE_ND] = 5;
    ee[1].weight = 10;
    lds_lineage_share sh[3];
    size_t n = 0;
    assert_int_equal(lds_lineage_propagate(nn, 3, ee, 2, 2, sh, &n, NULL), LDS_OK);
    assert_int_equal(n, 2);
    assert_true(fabs(find(sh, n, 0)->share - 0.75) < EPS);
    assert_true(fabs(find(sh, n, 1)->share - 0.25) < EPS);
    /* Nd came only from the known input. */
    assert_true(fabs(find(sh, n, 1)->element_share[LDS_RE_ND] - 1) < EPS);
    assert_int_equal(find(sh, n, 0)->element_share[LDS_RE_ND], 0);
    assert_int_equal(find(sh, n, 0)->element_mask, 1u << LDS_RE_ND);
}

/* A -> B -> A: the edge closing the cycle is ignored; B's origin is A. */
static void test_cycle(void **state)
{
    (void)state;
    lds_lineage_node nn[2];
    lds_lineage_edge ee[2];
    memset(nn, 0, sizeof nn);
    memset(ee, 0, sizeof ee);
    ee[0] = (lds_lineage_edge){.input = 0, .output = 1, .weight = 1};
    ee[1] = (lds_lineage_edge){.input = 1, .output = 0, .weight = 1};
    lds_lineage_share sh[2];
    size_t n = 0;
    assert_int_equal(lds_lineage_propagate(nn, 2, ee, 2, 1, sh, &n, NULL), LDS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sh[0].node, 0);
    assert_true(fabs(sh[0].share - 1) < EPS);
    double f[2];
    assert_int_equal(lds_lineage_fractions(nn, 2, ee, 2, 0, f, NULL), LDS_OK);
    assert_true(f[0] == 1);
    lds_err err;
    assert_int_equal(lds_lineage_propagate(nn, 2, ee, 2, 5, sh, &n, &err), LDS_EINVAL);
    ee[0].output = 9;
    assert_int_equal(lds_lineage_propagate(nn, 2, ee, 2, 0, sh, &n, &err), LDS_EINVAL);
}

/* 1 t REO in (Nd 0.9, Dy 0.1); yield 0.96. */
static void test_mass_balance(void **state)
{
    (void)state;
    lds_reo in, out;
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    in.oxide_t[LDS_RE_ND] = 0.9;
    in.oxide_t[LDS_RE_DY] = 0.1;
    in.total_oxide_t = 1.0;
    /* Pass: 0.864 Nd + 0.096 Dy = 0.96 t, exactly at the limit. */
    out.oxide_t[LDS_RE_ND] = 0.864;
    out.oxide_t[LDS_RE_DY] = 0.096;
    out.total_oxide_t = 0.96;
    lds_mass_violation v[4];
    assert_int_equal(lds_lineage_mass_check(&in, &out, 0.96, v, 4), 0);
    /* Dy 0.12 > 0.1 x 0.96 = 0.096, total 0.72 + 0.12 = 0.84 is fine. */
    out.oxide_t[LDS_RE_ND] = 0.72;
    out.oxide_t[LDS_RE_DY] = 0.12;
    out.total_oxide_t = 0.84;
    assert_int_equal(lds_lineage_mass_check(&in, &out, 0.96, v, 4), 1);
    assert_int_equal(v[0].element, LDS_RE_DY);
    assert_true(fabs(v[0].limit_t - 0.096) < EPS);
    char msg[192];
    lds_lineage_mass_message(&v[0], msg, sizeof msg);
    assert_string_equal(msg, "mass balance: Dy2O3 out 0.120000 t exceeds in 0.100000 t x best "
                             "yield 0.96 = 0.096000 t");
    /* Total and Nd too: 1.0 Nd + 0.12 Dy. */
    out.oxide_t[LDS_RE_ND] = 1.0;
    out.total_oxide_t = 1.12;
    assert_int_equal(lds_lineage_mass_check(&in, &out, 0.96, v, 4), 3);
    assert_int_equal(v[0].element, -1);
    assert_int_equal(v[1].element, LDS_RE_ND);
    /* Counted beyond the cap. */
    assert_int_equal(lds_lineage_mass_check(&in, &out, 0.96, v, 1), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diamond_shares),  cmocka_unit_test(test_diamond_fractions),
        cmocka_unit_test(test_unknown_content), cmocka_unit_test(test_cycle),
        cmocka_unit_test(test_mass_balance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
