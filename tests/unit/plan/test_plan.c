/* test_plan.c — MRP explosion checked by hand, the LP on tiny chains against
 * known optima and duals, joint production, quotas, export licences,
 * scenarios, bad inputs and the store glue on the demo corridor. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/catalog.h"
#include "lodestone/demo.h"
#include "lodestone/plan.h"

static lds_catalog *cat;

static int setup(void **state)
{
    (void)state;
    char path[512];
    lds_err e;
    snprintf(path, sizeof path, "%s/data/catalog.json", lds_test_source_root());
    if (lds_catalog_parse_file(path, &cat, &e) != LDS_OK) {
        fprintf(stderr, "catalog: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_catalog_free(cat);
    return 0;
}

static void near(double a, double b, double rel, int line)
{
    if (!(fabs(a - b) <= rel * fmax(1e-9, fabs(b))))
        fail_msg("line %d: %.12g is not %.12g", line, a, b);
}
#define NEAR(a, b, rel) near((double)(a), (double)(b), (rel), __LINE__)

static double out_of(const char *recipe, const char *material)
{
    const lds_recipe *r = lds_catalog_recipe(cat, recipe);
    for (size_t i = 0; r && i < r->n_outputs; i++)
        if (strcmp(r->outputs[i].material_id, material) == 0)
            return r->outputs[i].qty;
    return 0;
}

/* 1,000 battery-electric cars due in period 8, by hand from DOMAIN.md: one
 * 150 kW traction motor with 1.8 kg N42SH and one EPS motor with 0.8 kg N35
 * per car plus 1.4 kg N35 elsewhere (4 kg per car, the midpoint of 3-5 kg);
 * blocks at 70 % machining yield; N42SH alloy is 27.551 % NdPr metal, N35
 * 30 %; NdPr metal needs 1.177 t PrNd oxide per t at 96 % electrolysis
 * recovery.  Lead times: magnets 21 d = 1 period, separation 28 d = 1,
 * in-situ leaching 90 d = 3, the rest under half a period. */
static void explosion_matches_hand_figures(void **state)
{
    (void)state;
    lds_plan_demand d = {"ev_bev", "baoan", 8, 1000};
    lds_plan_mrp *m;
    lds_err e;
    assert_int_equal(lds_plan_explode(cat, &d, 1, 12, &m, &e), LDS_OK);
    NEAR(lds_plan_mrp_qty(m, cat, "ev_bev", 8), 1000, 1e-12);
    NEAR(lds_plan_mrp_qty(m, cat, "motor_ev_traction", 8), 1000, 1e-12);
    NEAR(lds_plan_mrp_qty(m, cat, "motor_eps", 8), 1000, 1e-12);
    NEAR(lds_plan_mrp_qty(m, cat, "mag_n42sh", 8), 1.8, 1e-9);      /* 1000 x 1.8 kg */
    NEAR(lds_plan_mrp_qty(m, cat, "mag_n35", 8), 2.2, 1e-9);        /* 1000 x (0.8 + 1.4) kg */
    NEAR(lds_plan_mrp_qty(m, cat, "alloy_n42sh", 7), 1.8 / 0.7, 1e-5);
    NEAR(lds_plan_mrp_qty(m, cat, "alloy_n35", 7), 2.2 / 0.7, 1e-5);
    assert_true(lds_plan_mrp_qty(m, cat, "alloy_n42sh", 8) == 0);
    double ndpr = 1.8 / 0.7 * 0.27551 + 2.2 / 0.7 * 0.30;
    NEAR(lds_plan_mrp_qty(m, cat, "ndpr_metal", 7), ndpr, 1e-4);
    NEAR(lds_plan_mrp_qty(m, cat, "prnd_oxide", 7), ndpr * 1.177 / 0.96, 2e-3);
    /* Dy: N42SH 4.0 wt%, N35 0.6 wt% in the magnet; DyFe is 80 % Dy. */
    double dy_metal = (1.8 * 0.04 + 2.2 * 0.006) / 0.7 / 0.98;
    NEAR(lds_plan_mrp_qty(m, cat, "dyfe_alloy", 7), dy_metal / 0.8, 2e-2);
    /* Oxides are separated a period before, ore leached three before that. */
    assert_true(lds_plan_mrp_qty(m, cat, "nd2o3", 7) > 0);
    assert_true(lds_plan_mrp_qty(m, cat, "carb_ionic_xunwu", 6) > 0);
    assert_true(lds_plan_mrp_qty(m, cat, "ore_ionic_xunwu", 3) > 0);
    for (int p = -10; p < 12; p++)
        if (p != 3)
            assert_true(lds_plan_mrp_qty(m, cat, "ore_ionic_xunwu", p) == 0);
    /* 1 t carbonate (45 % REO) needs 0.45 / (0.001 x 0.70) = 642.857 t ore. */
    NEAR(lds_plan_mrp_qty(m, cat, "ore_ionic_xunwu", 3),
         lds_plan_mrp_qty(m, cat, "carb_ionic_xunwu", 6) * 0.45 / 0.0007, 1e-4);
    /* Joint production: La comes out of Xunwu separation unasked. */
    int has_la = 0;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(lds_catalog_material_at(cat, m->needs[i].material)->id, "la2o3") == 0 &&
            m->needs[i].coproduct > 0)
            has_la = 1;
    assert_true(has_la);
    lds_plan_mrp_free(m);
}

static void explosion_reaches_before_horizon(void **state)
{
    (void)state;
    lds_plan_demand d = {"wind_turbine_dd", "de_bw", 0, 10};
    lds_plan_mrp *m;
    lds_err e;
    assert_int_equal(lds_plan_explode(cat, &d, 1, 12, &m, &e), LDS_OK);
    /* assembly 90 d (3) + generator 56 d (2) + magnet 21 d (1) before period 0 */
    NEAR(lds_plan_mrp_qty(m, cat, "mag_n42sh", -5), 7.0, 1e-9);
    lds_plan_mrp_free(m);
}

static const lds_plan_region regions[] = {{"zhanggong", "CN"}, {"de_bw", "DE"}, {"xunwu", "CN"}};

static lds_plan_input tiny(void)
{
    lds_plan_input in;
    memset(&in, 0, sizeof in);
    in.catalog = cat;
    snprintf(in.first_period, sizeof in.first_period, "2026-01");
    in.n_periods = 3;
    in.regions = regions;
    in.n_regions = 3;
    in.shortage_penalty = 1e7;
    return in;
}

/* One N52 magnet plant (10 t a period) with alloy offered at 300,000 CNY/t;
 * 20 t of magnets due in period 1.  Magnets take one period, so only the
 * period-1 run counts: 10 t made from 14.2857 t alloy, 10 t short.
 * Optimum = 10 x 1e7 + 10/0.7 x 300,000 + 10 x 1 (run cost); the capacity
 * dual in period 1 = 1e7 - 300,000/0.7 - 1. */
static void tiny_chain_optimum_and_duals(void **state)
{
    (void)state;
    lds_plan_input in = tiny();
    lds_plan_facility f = {1, "Magnet plant", 10, "zhanggong", "magnet", "mag_n52", 10,
                           LDS_PLAN_CAP_T};
    lds_plan_offer o = {7, "alloy_n52", "zhanggong", 100, 300000, 0, 1};
    lds_plan_demand d = {"mag_n52", "zhanggong", 1, 20};
    in.facilities = &f;
    in.n_facilities = 1;
    in.offers = &o;
    in.n_offers = 1;
    in.demand = &d;
    in.n_demand = 1;
    lds_plan_result *r;
    lds_err e;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_OK);
    const lds_recipe *mr = lds_catalog_recipe(cat, "mag_n52");
    double alloy = mr->inputs[0].qty * 10 / mr->output_qty;
    NEAR(r->objective, 10 * 1e7 + alloy * 300000 + 10, 1e-9);
    NEAR(r->cost, alloy * 300000, 1e-9);
    assert_int_equal(r->n_shortages, 1);
    NEAR(r->shortages[0].qty, 10, 1e-9);
    NEAR(r->shortages[0].value, 1e7, 1e-9);
    assert_true(r->n_bottlenecks >= 1);
    assert_int_equal(r->bottlenecks[0].kind, LDS_PLAN_LIMIT_CAPACITY);
    assert_int_equal(r->bottlenecks[0].period, 1);
    NEAR(r->bottlenecks[0].value, 1e7 - mr->inputs[0].qty / mr->output_qty * 300000 - 1, 1e-9);
    assert_true(r->shortages[0].n_reasons >= 1);
    assert_int_equal(r->shortages[0].reasons[0].kind, LDS_PLAN_LIMIT_CAPACITY);
    assert_int_equal(r->n_prod, 1);
    NEAR(r->prod[0].output_qty, 10, 1e-9);
    /* Period 0 cannot be served from the chain: the lead time says so. */
    d.period = 0;
    lds_plan_result_free(r);
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_OK);
    assert_int_equal(r->n_shortages, 1);
    int lead = 0;
    for (size_t i = 0; i < r->shortages[0].n_reasons; i++)
        lead |= r->shortages[0].reasons[i].kind == LDS_PLAN_LIMIT_LEAD_TIME;
    assert_true(lead);
    lds_plan_result_free(r);
}

/* Xunwu carbonate separated for 10 t of Nd2O3: every other oxide of the ore
 * comes out with it and is reported as surplus. */
static void joint_production_reports_surplus(void **state)
{
    (void)state;
    lds_plan_input in = tiny();
    lds_plan_facility f = {1, "SX plant", 20, "xunwu", "separation", "carb_ionic_xunwu", 1000,
                           LDS_PLAN_CAP_REO};
    lds_plan_offer o = {1, "carb_ionic_xunwu", "xunwu", 10000, 59300, 0, 2};
    lds_plan_demand d = {"nd2o3", "xunwu", 2, 10};
    in.facilities = &f;
    in.n_facilities = 1;
    in.offers = &o;
    in.n_offers = 1;
    in.demand = &d;
    in.n_demand = 1;
    lds_plan_result *r;
    lds_err e;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_OK);
    assert_int_equal(r->n_shortages, 0);
    double runs = 10 / out_of("sep_sx_xunwu", "nd2o3");
    double la = 0, ce = 0;
    for (size_t i = 0; i < r->n_surplus; i++) {
        const char *id = lds_catalog_material_at(cat, r->surplus[i].material)->id;
        if (strcmp(id, "la2o3") == 0)
            la += r->surplus[i].qty;
        if (strcmp(id, "ceo2") == 0)
            ce += r->surplus[i].qty;
    }
    NEAR(la, runs * out_of("sep_sx_xunwu", "la2o3"), 1e-6);
    NEAR(ce, runs * out_of("sep_sx_xunwu", "ceo2"), 1e-6);
    NEAR(r->cost, runs * 59300, 1e-6);
    lds_plan_result_free(r);
}

static void quota_binds(void **state)
{
    (void)state;
    lds_plan_input in = tiny();
    lds_plan_facility f = {1, "SX plant", 20, "xunwu", "separation", "carb_ionic_xunwu", 1000,
                           LDS_PLAN_CAP_REO};
    lds_plan_offer o = {1, "carb_ionic_xunwu", "xunwu", 10000, 59300, 0, 2};
    lds_plan_demand d = {"nd2o3", "xunwu", 2, 10};
    lds_plan_quota q = {20, "Separator", "separation", 2026, 5.0};
    in.facilities = &f;
    in.n_facilities = 1;
    in.offers = &o;
    in.n_offers = 1;
    in.demand = &d;
    in.n_demand = 1;
    in.quotas = &q;
    in.n_quotas = 1;
    lds_plan_result *r;
    lds_err e;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_OK);
    /* 5 t REO of output allowed: runs = 5 / REO per run */
    const lds_recipe *sr = lds_catalog_recipe(cat, "sep_sx_xunwu");
    double reo_run = 0;
    for (size_t i = 0; i < sr->n_outputs; i++) {
        lds_reo x;
        assert_int_equal(lds_catalog_convert(cat, sr->outputs[i].material_id, sr->outputs[i].qty,
                                             &x, &e), LDS_OK);
        reo_run += x.total_oxide_t;
    }
    double made = 5 / reo_run * out_of("sep_sx_xunwu", "nd2o3");
    assert_int_equal(r->n_shortages, 1);
    NEAR(r->shortages[0].qty, 10 - made, 1e-6);
    assert_true(r->n_bottlenecks >= 1);
    assert_int_equal(r->bottlenecks[0].kind, LDS_PLAN_LIMIT_QUOTA);
    assert_true(r->bottlenecks[0].value > 0);
    int quota = 0;
    for (size_t i = 0; i < r->shortages[0].n_reasons; i++)
        quota |= r->shortages[0].reasons[i].kind == LDS_PLAN_LIMIT_QUOTA;
    assert_true(quota);
    lds_plan_result_free(r);
}

/* Dy2O3 offered in Ganzhou, wanted in Germany next period: without a licence
 * lead time it arrives; with two periods of licence it cannot; with half the
 * supply cut, half is short. */
static void export_controls_and_scenarios(void **state)
{
    (void)state;
    lds_plan_input in = tiny();
    lds_plan_lane l = {"zhanggong", "de_bw", 1500, 0};
    lds_plan_offer o = {1, "dy2o3", "zhanggong", 4, 1330000, 0, 2};
    lds_plan_demand d = {"dy2o3", "de_bw", 1, 4};
    in.lanes = &l;
    in.n_lanes = 1;
    in.offers = &o;
    in.n_offers = 1;
    in.demand = &d;
    in.n_demand = 1;
    lds_plan_result *r;
    lds_err e;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_OK);
    assert_int_equal(r->n_shortages, 0);
    assert_int_equal(r->n_flows, 1);
    assert_int_equal(r->flows[0].licensed, 1);
    lds_plan_result_free(r);

    lds_plan_shock lic = {LDS_PLAN_SHOCK_LICENCE_PERIODS, "", 2};
    lds_plan_scenario sc = {"licence", 1, &lic};
    assert_int_equal(lds_plan_solve(&in, &sc, &r, &e), LDS_OK);
    assert_int_equal(r->n_shortages, 1);
    NEAR(r->shortages[0].qty, 4, 1e-9);
    int licence = 0;
    for (size_t i = 0; i < r->shortages[0].n_reasons; i++)
        licence |= r->shortages[0].reasons[i].kind == LDS_PLAN_LIMIT_LICENCE;
    assert_true(licence);
    lds_plan_result_free(r);

    lds_plan_shock cut = {LDS_PLAN_SHOCK_SUPPLY_CUT, "dy2o3", 0.5};
    lds_plan_scenario sc2 = {"cut", 1, &cut};
    assert_int_equal(lds_plan_solve(&in, &sc2, &r, &e), LDS_OK);
    assert_int_equal(r->n_shortages, 1);
    NEAR(r->shortages[0].qty, 2, 1e-9);
    assert_int_equal(r->shortages[0].reasons[0].kind, LDS_PLAN_LIMIT_SUPPLY);
    lds_plan_result_free(r);

    lds_plan_shock up = {LDS_PLAN_SHOCK_DEMAND_CHANGE, "dy2o3", 0.5};
    lds_plan_scenario sc3 = {"up", 1, &up};
    assert_int_equal(lds_plan_solve(&in, &sc3, &r, &e), LDS_OK);
    NEAR(r->short_total, 2, 1e-9);
    lds_plan_result_free(r);
}

static void bad_inputs_are_named(void **state)
{
    (void)state;
    lds_plan_input in = tiny();
    lds_plan_demand d = {"unobtainium", "de_bw", 1, 4};
    in.demand = &d;
    in.n_demand = 1;
    lds_plan_result *r;
    lds_err e;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "unobtainium"));
    assert_null(r);
    d.material = "dy2o3";
    d.period = 12;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "horizon"));
    d.period = 1;
    d.qty = -1;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_EINVAL);
    d.qty = 1;
    d.region = "atlantis";
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "atlantis"));
    d.region = "de_bw";
    lds_plan_shock s = {LDS_PLAN_SHOCK_FACILITY_OFFLINE, "Nowhere Works", 1};
    lds_plan_scenario sc = {"x", 1, &s};
    assert_int_equal(lds_plan_solve(&in, &sc, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "Nowhere Works"));
    lds_plan_lane l = {"zhanggong", "mars", 1, 0};
    in.lanes = &l;
    in.n_lanes = 1;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "mars"));
    in.n_lanes = 0;
    snprintf(in.first_period, sizeof in.first_period, "2026-13");
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_EINVAL);
    lds_plan_mrp *m;
    assert_int_equal(lds_plan_explode(cat, &d, 1, 0, &m, &e), LDS_EINVAL);
    assert_null(m);
    assert_int_equal(lds_plan_shock_parse("supply_cut"), LDS_PLAN_SHOCK_SUPPLY_CUT);
    assert_int_equal(lds_plan_shock_parse("nope"), -1);
}

static void periods_and_lanes(void **state)
{
    (void)state;
    char out[8];
    int idx;
    assert_int_equal(lds_plan_period_label("2026-01", 13, out, NULL), LDS_OK);
    assert_string_equal(out, "2027-02");
    assert_int_equal(lds_plan_period_label("2026-01", -5, out, NULL), LDS_OK);
    assert_string_equal(out, "2025-08");
    assert_int_equal(lds_plan_period_index("2026-01", "2026-12", &idx, NULL), LDS_OK);
    assert_int_equal(idx, 11);
    assert_int_equal(lds_plan_period_index("2026-01", "2026-1", &idx, NULL), LDS_EINVAL);
    lds_plan_lane lanes[64];
    size_t n = lds_plan_default_lanes(regions, 3, lanes, 64);
    /* zhanggong<->xunwu both ways; nothing leaves for Germany from inland */
    assert_int_equal(n, 2);
}

static void demo_corridor_plans_and_compares(void **state)
{
    (void)state;
    char path[512], catp[512];
    lds_store *s;
    lds_err e;
    lds_test_path(path, sizeof path, "plan.db");
    remove(path);
    snprintf(catp, sizeof catp, "%s/data/catalog.json", lds_test_source_root());
    assert_int_equal(lds_store_open(path, &s, &e), LDS_OK);
    assert_int_equal(lds_store_migrate(s, NULL, &e), LDS_OK);
    assert_int_equal(lds_catalog_load_file(s, catp, &e), LDS_OK);
    assert_int_equal(lds_demo_seed(s, LDS_DEMO_DEFAULT_SEED, &e), LDS_OK);
    assert_int_equal(lds_plan_seed_demo(s, &e), LDS_OK);
    assert_int_equal(lds_plan_seed_demo(s, &e), LDS_OK); /* idempotent */
    lds_plan_data *d;
    assert_int_equal(lds_plan_read(s, &d, &e), LDS_OK);
    const lds_plan_input *in = lds_plan_data_input(d);
    assert_int_equal(in->n_periods, 12);
    assert_true(in->n_demand == 96);
    assert_true(in->n_quotas > 0);
    assert_true(in->n_returns == 12);
    lds_plan_result *base, *shock;
    const lds_plan_scenario *sc;
    assert_int_equal(lds_plan_read_scenario(s, d, "baseline", &sc, &e), LDS_OK);
    assert_int_equal(lds_plan_solve(in, sc, &base, &e), LDS_OK);
    assert_int_equal(lds_plan_read_scenario(s, d, "export-controls-dy-tb-50", &sc, &e), LDS_OK);
    assert_int_equal(sc->n_shocks, 6);
    assert_int_equal(lds_plan_solve(in, sc, &shock, &e), LDS_OK);
    assert_true(base->n_prod > 0);
    assert_true(base->n_bottlenecks > 0);
    assert_true(shock->short_total >= base->short_total);
    assert_true(shock->n_shortages > 0);
    for (size_t i = 1; i < base->n_bottlenecks; i++)
        assert_true(base->bottlenecks[i - 1].value >= base->bottlenecks[i].value);
    assert_int_equal(lds_plan_read_scenario(s, d, "no-such", &sc, &e), LDS_ENOTFOUND);
    /* the API's pair: run and store, then read back */
    int64_t id = 0;
    char *json = NULL, *again = NULL;
    assert_int_equal(lds_plan_run(s, "export-controls-dy-tb-50", &id, &json, &e), LDS_OK);
    assert_true(id > 0);
    assert_non_null(strstr(json, "\"scenario\":\"export-controls-dy-tb-50\""));
    assert_int_equal(lds_plan_get_run(s, id, &again, &e), LDS_OK);
    assert_string_equal(json, again);
    lds_free(json);
    lds_free(again);
    assert_int_equal(lds_plan_get_run(s, id + 100, &again, &e), LDS_ENOTFOUND);
    assert_null(again);
    assert_int_equal(lds_plan_run(s, "no-such", &id, NULL, &e), LDS_ENOTFOUND);
    lds_plan_result_free(base);
    lds_plan_result_free(shock);
    lds_plan_data_free(d);
    lds_store_close(s);
}

/* Magnet runs return half their machining loss as scrap: 10 t of N52 from
 * 10/0.7 t alloy leave 4.2857 t, of which 2.1429 t are collected. */
static void swarf_returns_as_scrap(void **state)
{
    (void)state;
    lds_plan_input in = tiny();
    lds_plan_facility f = {1, "Magnet plant", 10, "zhanggong", "magnet", "mag_n52", 10,
                           LDS_PLAN_CAP_T};
    lds_plan_offer o = {7, "alloy_n52", "zhanggong", 100, 300000, 0, 1};
    lds_plan_demand d[2] = {{"mag_n52", "zhanggong", 1, 10}, {"magnet_scrap", "zhanggong", 2, 2}};
    in.facilities = &f;
    in.n_facilities = 1;
    in.offers = &o;
    in.n_offers = 1;
    in.demand = d;
    in.n_demand = 2;
    lds_plan_result *r;
    lds_err e;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_OK);
    assert_int_equal(r->n_shortages, 1); /* no swarf collected: the scrap is short */
    lds_plan_result_free(r);
    in.swarf_share = 0.5;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_OK);
    assert_int_equal(r->n_shortages, 0);
    lds_plan_result_free(r);
    /* with alloy for exactly 10 t of magnets, 3 t of scrap is more than the
     * plant's 0.5 x (10/0.7 - 10) = 2.142857 t of swarf */
    const lds_recipe *mr = lds_catalog_recipe(cat, "mag_n52");
    o.qty = mr->inputs[0].qty * 10 / mr->output_qty;
    d[1].qty = 3;
    assert_int_equal(lds_plan_solve(&in, NULL, &r, &e), LDS_OK);
    assert_int_equal(r->n_shortages, 1);
    NEAR(r->shortages[0].qty, 3 - 0.5 * (mr->inputs[0].qty * 10 - 10), 1e-9);
    lds_plan_result_free(r);
}

/* Seeded random two-stage chains (alloy -> N52 magnets) in one region:
 * the reported plan never exceeds a capacity, never uses more alloy than it
 * bought by then, serves exactly demand - short, and its cost is what the
 * purchases say. */
static void random_chains_keep_their_books(void **state)
{
    (void)state;
    uint64_t x = 20260101;
    const lds_recipe *mr = lds_catalog_recipe(cat, "mag_n52");
    double alloy_per_t = mr->inputs[0].qty / mr->output_qty;
    for (int round = 0; round < 30; round++) {
        lds_plan_input in = tiny();
        in.n_periods = 6;
        lds_plan_facility f[3];
        lds_plan_offer o[4];
        lds_plan_demand d[6];
        size_t nf = 1 + (size_t)(x % 3), no = 1 + (size_t)((x >> 8) % 4);
        for (size_t i = 0; i < nf; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            f[i] = (lds_plan_facility){(int64_t)i + 1, "plant", 1, "zhanggong", "magnet",
                                       "mag_n52", 1.0 + (double)(x >> 40) / (double)(1ULL << 22),
                                       LDS_PLAN_CAP_T};
        }
        for (size_t i = 0; i < no; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            int from = (int)((x >> 33) % 6);
            o[i] = (lds_plan_offer){(int64_t)i + 1, "alloy_n52", "zhanggong",
                                    (double)((x >> 20) % 40), 250000.0 + (double)((x >> 10) % 100000),
                                    from, from + (int)((x >> 50) % 3)};
        }
        for (int t = 0; t < 6; t++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            d[t] = (lds_plan_demand){"mag_n52", "zhanggong", t, (double)((x >> 30) % 12)};
        }
        in.facilities = f;
        in.n_facilities = nf;
        in.offers = o;
        in.n_offers = no;
        in.demand = d;
        in.n_demand = 6;
        lds_plan_result *r;
        lds_err e;
        if (lds_plan_solve(&in, NULL, &r, &e) != LDS_OK)
            fail_msg("round %d: %s", round, e.msg);
        double made[6] = {0}, bought[6] = {0}, shorted[6] = {0}, cost = 0;
        for (size_t i = 0; i < r->n_prod; i++) {
            assert_true(r->prod[i].cap_used <= f[r->prod[i].facility].capacity * (1 + 1e-7) + 1e-9);
            made[r->prod[i].period] += r->prod[i].output_qty;
        }
        for (size_t i = 0; i < r->n_buys; i++) {
            bought[r->buys[i].period] += r->buys[i].qty;
            cost += r->buys[i].qty * o[r->buys[i].offer].unit_price;
        }
        for (size_t i = 0; i < r->n_shortages; i++)
            shorted[r->shortages[i].period] += r->shortages[i].qty;
        double cum_made = 0, cum_served = 0, cum_bought = 0, cum_used = 0;
        for (int t = 0; t < 6; t++) {
            cum_made += made[t];
            cum_served += d[t].qty - shorted[t];
            cum_bought += bought[t];
            cum_used += t + 1 < 6 ? made[t + 1] * alloy_per_t : 0; /* runs take alloy a period early */
            assert_true(shorted[t] <= d[t].qty + 1e-7);
            assert_true(cum_made + 1e-6 >= cum_served);
            assert_true(cum_bought + 1e-6 >= cum_used);
        }
        NEAR(r->cost, cost, 1e-9);
        lds_plan_result_free(r);
    }
}

/* Every allocation failing in turn ends in LDS_ENOMEM with nothing leaked,
 * or in the same optimum. */
static void survives_allocation_failures(void **state)
{
    (void)state;
    lds_plan_input in = tiny();
    lds_plan_facility f = {1, "SX plant", 20, "xunwu", "separation", "carb_ionic_xunwu", 1000,
                           LDS_PLAN_CAP_REO};
    lds_plan_offer o = {1, "carb_ionic_xunwu", "xunwu", 10000, 59300, 0, 2};
    lds_plan_demand d = {"nd2o3", "xunwu", 2, 10};
    lds_plan_quota q = {20, "Separator", "separation", 2026, 5.0};
    in.facilities = &f;
    in.n_facilities = 1;
    in.offers = &o;
    in.n_offers = 1;
    in.demand = &d;
    in.n_demand = 1;
    in.quotas = &q;
    in.n_quotas = 1;
    lds_plan_result *ref, *r;
    lds_err e;
    assert_int_equal(lds_plan_solve(&in, NULL, &ref, &e), LDS_OK);
    int done = 0;
    for (long n = 1; n < 5000 && !done; n++) {
        lds_alloc_fail_after(n);
        lds_code rc = lds_plan_solve(&in, NULL, &r, &e);
        lds_alloc_fail_after(0);
        if (rc == LDS_OK) {
            NEAR(r->objective, ref->objective, 1e-9);
            assert_int_equal(r->n_shortages, ref->n_shortages);
            lds_plan_result_free(r);
            done = 1;
        } else {
            assert_int_equal(rc, LDS_ENOMEM);
            assert_null(r);
        }
    }
    assert_true(done);
    lds_plan_result_free(ref);
    done = 0;
    lds_plan_demand ev = {"ev_bev", "baoan", 8, 1000};
    for (long n = 1; n < 1000 && !done; n++) {
        lds_plan_mrp *m;
        lds_alloc_fail_after(n);
        lds_code rc = lds_plan_explode(cat, &ev, 1, 12, &m, &e);
        lds_alloc_fail_after(0);
        if (rc == LDS_OK) {
            lds_plan_mrp_free(m);
            done = 1;
        } else {
            assert_int_equal(rc, LDS_ENOMEM);
        }
    }
    assert_true(done);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(explosion_matches_hand_figures),
        cmocka_unit_test(explosion_reaches_before_horizon),
        cmocka_unit_test(tiny_chain_optimum_and_duals),
        cmocka_unit_test(joint_production_reports_surplus),
        cmocka_unit_test(quota_binds),
        cmocka_unit_test(export_controls_and_scenarios),
        cmocka_unit_test(bad_inputs_are_named),
        cmocka_unit_test(periods_and_lanes),
        cmocka_unit_test(demo_corridor_plans_and_compares),
        cmocka_unit_test(swarf_returns_as_scrap),
        cmocka_unit_test(random_chains_keep_their_books),
        cmocka_unit_test(survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
