/* test_catalog.c (property) — over random recipes, quantities and demo seeds:
 * no recipe run creates rare earths, conversions are linear and additive,
 * and every demo seed yields a corridor with the same invariants.  The seed
 * is printed on failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/catalog.h"
#include "lodestone/demo.h"
#include "lodestone/store.h"
#include "demo/demo_int.h"

#define N_TRIALS 2000

static char catalog_path[512];

static const char *catalog_file(void)
{
    snprintf(catalog_path, sizeof catalog_path, "%s/data/catalog.json", lds_test_source_root());
    return catalog_path;
}

static uint64_t base_seed(void)
{
    const char *env = getenv("LDS_PROP_SEED");
    return env ? strtoull(env, NULL, 10) : 20260101u;
}

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-9 + 1e-6 * fabs(b);
}

/* Runs a random recipe a random number of times: per element, what comes
 * out never exceeds what went in, and the primary output's share is positive. */
static void recipe_runs_conserve_elements(void **state)
{
    (void)state;
    lds_catalog *c;
    lds_err e;
    uint64_t seed = base_seed();
    lds_demo_rng rng;
    lds_demo__rng_init(&rng, seed);
    assert_int_equal(lds_catalog_parse_file(catalog_file(), &c, &e), LDS_OK);
    size_t n = lds_catalog_n_recipes(c);
    for (int t = 0; t < N_TRIALS; t++) {
        const lds_recipe *r = lds_catalog_recipe_at(c, (size_t)lds_demo__rng_between(&rng, 0, (int64_t)n - 1));
        double runs = (double)lds_demo__rng_between(&rng, 1, 1000000) / 1000.0;
        lds_reo in, out, tmp;
        memset(&in, 0, sizeof in);
        memset(&out, 0, sizeof out);
        for (size_t k = 0; k < r->n_inputs; k++) {
            assert_int_equal(lds_catalog_convert(c, r->inputs[k].material_id,
                                                 runs * r->inputs[k].qty, &tmp, &e),
                             LDS_OK);
            for (int x = 0; x < LDS_RE_N; x++)
                in.oxide_t[x] += tmp.oxide_t[x];
        }
        for (size_t k = 0; k < r->n_outputs; k++) {
            assert_int_equal(lds_catalog_convert(c, r->outputs[k].material_id,
                                                 runs * r->outputs[k].qty, &tmp, &e),
                             LDS_OK);
            for (int x = 0; x < LDS_RE_N; x++)
                out.oxide_t[x] += tmp.oxide_t[x];
        }
        for (int x = 0; x < LDS_RE_N; x++)
            if (out.oxide_t[x] > in.oxide_t[x] * (1 + 1e-6) + 1e-12)
                fail_msg("seed %llu: recipe %s x %.3f creates %s (%g > %g)",
                         (unsigned long long)seed, r->id, runs, lds_re_oxide((lds_re)x),
                         out.oxide_t[x], in.oxide_t[x]);
        assert_true(r->output_qty > 0);
    }
    lds_catalog_free(c);
}

/* convert(a + b) == convert(a) + convert(b), and totals are the sums. */
static void conversions_are_linear(void **state)
{
    (void)state;
    lds_catalog *c;
    lds_err e;
    uint64_t seed = base_seed() + 1;
    lds_demo_rng rng;
    lds_demo__rng_init(&rng, seed);
    assert_int_equal(lds_catalog_parse_file(catalog_file(), &c, &e), LDS_OK);
    size_t n = lds_catalog_n_materials(c);
    for (int t = 0; t < N_TRIALS; t++) {
        const lds_material *m = lds_catalog_material_at(c, (size_t)lds_demo__rng_between(&rng, 0, (int64_t)n - 1));
        double a = (double)lds_demo__rng_between(&rng, 0, 1000000000) / 1000.0;
        double b = (double)lds_demo__rng_between(&rng, 0, 1000000000) / 1000.0;
        lds_reo ra, rb, rab;
        assert_int_equal(lds_catalog_convert(c, m->id, a, &ra, &e), LDS_OK);
        assert_int_equal(lds_catalog_convert(c, m->id, b, &rb, &e), LDS_OK);
        assert_int_equal(lds_catalog_convert(c, m->id, a + b, &rab, &e), LDS_OK);
        double sum = 0;
        for (int x = 0; x < LDS_RE_N; x++) {
            if (!near(rab.oxide_t[x], ra.oxide_t[x] + rb.oxide_t[x]))
                fail_msg("seed %llu: %s not additive in %s", (unsigned long long)seed, m->id,
                         lds_re_oxide((lds_re)x));
            sum += rab.oxide_t[x];
            /* Every oxide weighs more than the metal it holds. */
            assert_true(rab.metal_t[x] <= rab.oxide_t[x]);
        }
        assert_true(near(rab.total_oxide_t, sum));
    }
    lds_catalog_free(c);
}

/* Every seed gives a corridor with the required spread, and a seed never
 * gives two different corridors. */
static void every_seed_gives_a_valid_corridor(void **state)
{
    (void)state;
    static const char q_orgs[] = "SELECT count(*) FROM orgs";
    static const char q_periods[] =
        "SELECT (SELECT count(DISTINCT period_from) FROM offers)"
        " * (SELECT count(DISTINCT due_period) FROM requests)";
    static const char q_stages[] = "SELECT count(DISTINCT stage_id) FROM orgs";
    static const char q_synth[] = "SELECT (SELECT count(*) FROM orgs WHERE synthetic = 0)"
                                  " + (SELECT count(*) FROM offers WHERE synthetic = 0)";
    static const char q_neg[] =
        "SELECT count(*) FROM offers WHERE unit_price_cents <= 0 OR quantity_milli <= 0";
    const char *const qs[] = {q_orgs, q_periods, q_stages, q_synth, q_neg};
    const int64_t lo[] = {60, 144, 8, 0, 0};
    const int64_t hi[] = {200, 144, 8, 0, 0};
    uint64_t seed0 = base_seed();
    for (uint64_t k = 0; k < 6; k++) {
        uint64_t seed = seed0 * 7919u + k * 0x9e3779b97f4a7c15u;
        lds_store *s;
        lds_err e;
        assert_int_equal(lds_store_open(":memory:", &s, &e), LDS_OK);
        assert_int_equal(lds_store_migrate(s, NULL, &e), LDS_OK);
        assert_int_equal(lds_catalog_load_file(s, catalog_file(), &e), LDS_OK);
        if (lds_demo_seed(s, seed, &e) != LDS_OK)
            fail_msg("seed %llu: %s", (unsigned long long)seed, e.msg);
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
            lds_stmt *st;
            assert_int_equal(lds_store_prepare(s, qs[i], &st, &e), LDS_OK);
            assert_int_equal(lds_stmt_step(st, &e), LDS_STORE_ROW);
            int64_t v = lds_stmt_col_i64(st, 0);
            if (v < lo[i] || v > hi[i])
                fail_msg("seed %llu: query %zu gave %lld", (unsigned long long)seed, i,
                         (long long)v);
        }
        lds_store_close(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recipe_runs_conserve_elements),
        cmocka_unit_test(conversions_are_linear),
        cmocka_unit_test(every_seed_gives_a_valid_corridor),
    };
    return cmocka_run_group_tests_name("catalog properties", tests, NULL, NULL);
}
