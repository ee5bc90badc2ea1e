/*
 * test_match.c — hand-computed cases for every matching rule: purity, price
 * cap, transit, period windows, no lane, several lanes, same-region lanes,
 * lexicographic objective and tie-breaking by cost, both corridor
 * directions, each unmet reason, rounding, export licences and duals.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/match.h"

#define P(y, m) ((int32_t)((y) * 12 + (m) - 1))
#define NO      LDS_MATCH_NO_PURITY

typedef struct fx {
    lds_match_offer o[16];
    lds_match_request d[16];
    lds_match_lane l[16];
    size_t no, nd, nl;
} fx;

static void offer(fx *f, const char *id, const char *mat, const char *reg, int64_t qty_milli,
                  int64_t price, int32_t from, int32_t to, int64_t purity)
{
    lds_match_offer *o = &f->o[f->no++];
    memset(o, 0, sizeof *o);
    o->id = id, o->org = "org-o", o->material = mat, o->region = reg;
    o->qty_milli = qty_milli, o->price_cents = price, o->from = from, o->to = to;
    o->purity = purity;
}

static void request(fx *f, const char *id, const char *mat, const char *reg, int64_t qty_milli,
                    int64_t maxp, int32_t due, int64_t minp)
{
    lds_match_request *d = &f->d[f->nd++];
    memset(d, 0, sizeof *d);
    d->id = id, d->org = "org-d", d->material = mat, d->region = reg;
    d->qty_milli = qty_milli, d->max_price_cents = maxp, d->due = due, d->min_purity = minp;
}

static void lane(fx *f, const char *from, const char *to, int64_t cost, int32_t transit)
{
    lds_match_lane *l = &f->l[f->nl++];
    l->from = from, l->to = to, l->cost_cents = cost, l->transit = transit;
}

static lds_match_result *run(fx *f)
{
    lds_match_input in = {f->o, f->no, f->d, f->nd, f->l, f->nl};
    lds_match_result *r = NULL;
    lds_err e;
    lds_code rc = lds_match_run(&in, &r, &e);
    if (rc != LDS_OK)
        fail_msg("lds_match_run: %s", e.msg);
    return r;
}

static const lds_match_line *line_of(const lds_match_result *r, const char *o, const char *d)
{
    for (size_t i = 0; i < r->n_lines; i++)
        if (strcmp(r->lines[i].offer_id, o) == 0 && strcmp(r->lines[i].request_id, d) == 0)
            return &r->lines[i];
    return NULL;
}

static const lds_match_unmet *unmet_of(const lds_match_result *r, const char *d)
{
    for (size_t i = 0; i < r->n_unmet; i++)
        if (strcmp(r->unmet[i].request_id, d) == 0)
            return &r->unmet[i];
    return NULL;
}

static lds_match_reason reason_of(const lds_match_result *r, const char *d)
{
    const lds_match_unmet *u = unmet_of(r, d);
    return u ? u->reason : LDS_MATCH_MET;
}

static void purity_rules(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "hi", "nd2o3", "gz", 1000, 100, P(2026, 1), P(2026, 1), 995000); /* 99.5 */
    offer(&f, "none", "nd2o3", "gz", 1000, 50, P(2026, 1), P(2026, 1), NO);
    request(&f, "exact", "nd2o3", "gz", 1000, 1000, P(2026, 1), 995000);
    request(&f, "higher", "nd2o3", "gz", 1000, 1000, P(2026, 1), 995001);
    request(&f, "any", "nd2o3", "gz", 1000, 1000, P(2026, 1), NO);
    lds_match_result *r = run(&f);
    assert_non_null(line_of(r, "hi", "exact"));   /* purity == minimum is enough */
    assert_non_null(line_of(r, "none", "any"));   /* no minimum: an offer without purity serves */
    assert_int_equal(reason_of(r, "higher"), LDS_MATCH_NO_COMPATIBLE_OFFER);
    assert_int_equal(r->matched_milli, 2000);
    assert_int_equal(r->total_cost_cents, 150);
    lds_match_result_free(r);

    /* An offer without a purity cannot serve a request with a minimum. */
    fx g = {0};
    offer(&g, "none", "nd2o3", "gz", 1000, 50, P(2026, 1), P(2026, 1), NO);
    request(&g, "min", "nd2o3", "gz", 1000, 1000, P(2026, 1), 1);
    r = run(&g);
    assert_int_equal(r->n_lines, 0);
    assert_int_equal(reason_of(r, "min"), LDS_MATCH_NO_COMPATIBLE_OFFER);
    lds_match_result_free(r);
}

static void price_cap_is_delivered_price(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "o", "nd2o3", "gz", 5000, 10000, P(2026, 1), P(2026, 3), NO);
    lane(&f, "gz", "sz", 500, 1);
    request(&f, "at_cap", "nd2o3", "sz", 1000, 10500, P(2026, 3), NO); /* 100 + 5 <= 105 */
    request(&f, "below", "nd2o3", "sz", 1000, 10499, P(2026, 3), NO);
    lds_match_result *r = run(&f);
    const lds_match_line *l = line_of(r, "o", "at_cap");
    assert_non_null(l);
    assert_int_equal(l->unit_price_cents, 10000);
    assert_int_equal(l->logistics_cents, 500);
    assert_int_equal(l->line_total_cents, 10500);
    assert_int_equal(reason_of(r, "below"), LDS_MATCH_PRICE_CAP);
    assert_int_equal(unmet_of(r, "below")->unmet_milli, 1000);
    lds_match_result_free(r);
}

static void transit_and_period_windows(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "o", "dy2o3", "gz", 10000, 100, P(2026, 3), P(2026, 4), NO);
    lane(&f, "gz", "sz", 10, 2);
    request(&f, "just", "dy2o3", "sz", 1000, 1000, P(2026, 5), NO);  /* 3 + 2 = 5 */
    request(&f, "late", "dy2o3", "sz", 1000, 1000, P(2026, 4), NO);  /* 3 + 2 > 4 */
    request(&f, "early", "dy2o3", "gz", 1000, 1000, P(2026, 2), NO); /* before the window */
    request(&f, "after", "dy2o3", "sz", 1000, 1000, P(2026, 12), NO);
    request(&f, "local", "dy2o3", "gz", 1000, 1000, P(2026, 3), NO); /* same region: 0 transit */
    lds_match_result *r = run(&f);
    const lds_match_line *l = line_of(r, "o", "just");
    assert_non_null(l);
    assert_int_equal(l->ship_period, P(2026, 3));
    assert_int_equal(l->transit, 2);
    assert_int_equal(reason_of(r, "late"), LDS_MATCH_NO_LANE);
    assert_int_equal(reason_of(r, "early"), LDS_MATCH_NO_COMPATIBLE_OFFER);
    /* ships in the latest period that still arrives in time: min(to, due - transit) */
    l = line_of(r, "o", "after");
    assert_non_null(l);
    assert_int_equal(l->ship_period, P(2026, 4));
    l = line_of(r, "o", "local");
    assert_non_null(l);
    assert_int_equal(l->ship_period, P(2026, 3));
    assert_int_equal(l->logistics_cents, 0);
    assert_int_equal(l->transit, 0);
    lds_match_result_free(r);
}

static void no_lane_between_regions(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "o", "nd2o3", "gz", 1000, 100, P(2026, 1), P(2026, 12), NO);
    lane(&f, "sz", "gz", 10, 0); /* lanes are directed: this one goes the other way */
    request(&f, "d", "nd2o3", "sz", 1000, 100000, P(2026, 12), NO);
    lds_match_result *r = run(&f);
    assert_int_equal(r->n_lines, 0);
    assert_int_equal(reason_of(r, "d"), LDS_MATCH_NO_LANE);
    assert_int_equal(r->unmet_milli, 1000);
    lds_match_result_free(r);
}

static void several_lanes_cheapest_in_time(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "o", "nd2o3", "gz", 10000, 1000, P(2026, 1), P(2026, 1), NO);
    lane(&f, "gz", "sz", 300, 1); /* fast, dear */
    lane(&f, "gz", "sz", 100, 3); /* slow, cheap */
    lane(&f, "gz", "sz", 500, 0); /* fastest, dearest */
    lane(&f, "gz", "sz", 400, 3); /* dominated */
    request(&f, "slack3", "nd2o3", "sz", 1000, 100000, P(2026, 4), NO);
    request(&f, "slack1", "nd2o3", "sz", 1000, 100000, P(2026, 2), NO);
    request(&f, "slack0", "nd2o3", "sz", 1000, 100000, P(2026, 1), NO);
    request(&f, "cap", "nd2o3", "sz", 1000, 1200, P(2026, 2), NO); /* 10 + 3 > 12 */
    lds_match_result *r = run(&f);
    assert_int_equal(line_of(r, "o", "slack3")->logistics_cents, 100);
    assert_int_equal(line_of(r, "o", "slack1")->logistics_cents, 300);
    assert_int_equal(line_of(r, "o", "slack0")->logistics_cents, 500);
    assert_int_equal(line_of(r, "o", "slack0")->transit, 0);
    /* the cheapest lane in time is the one priced against the cap */
    assert_int_equal(reason_of(r, "cap"), LDS_MATCH_PRICE_CAP);
    lds_match_result_free(r);
}

static void same_region_lane_overrides_default(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "o", "nd2o3", "gz", 2000, 1000, P(2026, 1), P(2026, 1), NO);
    lane(&f, "gz", "gz", 50, 1);
    request(&f, "d1", "nd2o3", "gz", 1000, 100000, P(2026, 2), NO);
    request(&f, "d0", "nd2o3", "gz", 1000, 100000, P(2026, 1), NO);
    lds_match_result *r = run(&f);
    assert_int_equal(line_of(r, "o", "d1")->logistics_cents, 50);
    assert_int_equal(reason_of(r, "d0"), LDS_MATCH_NO_LANE);
    lds_match_result_free(r);
}

static void matched_quantity_before_cost(void **state)
{
    (void)state;
    /* Cost first would give cheap A to R1 and leave R2 empty; the lexicographic
     * objective matches 20: B -> R1 and A -> R2, cost 10*50 + 10*10. */
    fx f = {0};
    offer(&f, "A", "nd2o3", "gz", 10000, 1000, P(2026, 1), P(2026, 1), NO);
    offer(&f, "B", "nd2o3", "gz", 10000, 5000, P(2026, 1), P(2026, 1), NO);
    request(&f, "R1", "nd2o3", "gz", 10000, 10000, P(2026, 1), NO);
    request(&f, "R2", "nd2o3", "gz", 10000, 2000, P(2026, 1), NO); /* only A is cheap enough */
    lds_match_result *r = run(&f);
    assert_int_equal(r->matched_milli, 20000);
    assert_int_equal(r->total_cost_cents, 60000);
    assert_non_null(line_of(r, "B", "R1"));
    assert_non_null(line_of(r, "A", "R2"));
    assert_int_equal(r->n_unmet, 0);
    lds_match_result_free(r);
}

static void ties_broken_by_cost(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "dear", "nd2o3", "gz", 5000, 2000, P(2026, 1), P(2026, 2), NO);
    offer(&f, "cheap", "nd2o3", "sz", 5000, 1500, P(2026, 1), P(2026, 2), NO);
    offer(&f, "mid", "nd2o3", "gz", 5000, 1700, P(2026, 1), P(2026, 2), NO);
    lane(&f, "sz", "gz", 400, 1); /* cheap + lane = 19 > mid = 17 */
    request(&f, "d", "nd2o3", "gz", 7000, 5000, P(2026, 3), NO);
    lds_match_result *r = run(&f);
    assert_int_equal(r->matched_milli, 7000);
    assert_int_equal(line_of(r, "mid", "d")->qty_milli, 5000);
    assert_int_equal(line_of(r, "cheap", "d")->qty_milli, 2000);
    assert_null(line_of(r, "dear", "d"));
    assert_int_equal(r->total_cost_cents, 5 * 1700 + 2 * 1900);
    assert_int_equal(r->goods_cost_cents, 5 * 1700 + 2 * 1500);
    lds_match_result_free(r);
}

static void both_corridor_directions(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "oxide", "nd2o3", "zhanggong", 20000, 60000, P(2026, 1), P(2026, 6), 995000);
    offer(&f, "scrap", "magnet_scrap", "nanshan", 3500, 8000, P(2026, 2), P(2026, 12), NO);
    lane(&f, "zhanggong", "nanshan", 1200, 1);
    lane(&f, "nanshan", "zhanggong", 800, 1);
    request(&f, "magnets", "nd2o3", "nanshan", 15000, 62000, P(2026, 4), 990000);
    request(&f, "recycler", "magnet_scrap", "zhanggong", 5000, 9000, P(2026, 6), NO);
    lds_match_result *r = run(&f);
    const lds_match_line *a = line_of(r, "oxide", "magnets");
    const lds_match_line *b = line_of(r, "scrap", "recycler");
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a->from_region, "zhanggong");
    assert_string_equal(a->to_region, "nanshan");
    assert_string_equal(b->from_region, "nanshan");
    assert_string_equal(b->to_region, "zhanggong");
    assert_int_equal(a->qty_milli, 15000);
    assert_int_equal(a->ship_period, P(2026, 3));
    assert_int_equal(b->qty_milli, 3500);
    assert_int_equal(b->ship_period, P(2026, 5));
    assert_int_equal(a->line_total_cents, 15 * 61200);
    assert_int_equal(b->line_total_cents, 3500 * 8800 / 1000);
    assert_int_equal(r->matched_milli, 18500);
    assert_int_equal(r->total_cost_cents, 15 * 61200 + 30800);
    assert_int_equal(reason_of(r, "recycler"), LDS_MATCH_INSUFFICIENT_SUPPLY);
    assert_int_equal(unmet_of(r, "recycler")->unmet_milli, 1500);
    lds_match_result_free(r);
}

static void every_unmet_reason(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "o", "tb4o7", "gz", 1000, 10000, P(2026, 1), P(2026, 6), 999000);
    offer(&f, "far", "tb4o7", "bt", 1000, 100, P(2026, 1), P(2026, 6), 999000);
    lane(&f, "gz", "sz", 1000, 1);
    request(&f, "none", "dy2o3", "gz", 1000, 100000, P(2026, 6), NO);        /* no such material */
    request(&f, "nolane", "tb4o7", "xa", 1000, 100000, P(2026, 6), NO);      /* no lane to xa */
    request(&f, "cap", "tb4o7", "sz", 1000, 10999, P(2026, 6), NO);          /* 100 + 10 > 109.99 */
    request(&f, "taken1", "tb4o7", "gz", 1000, 100000, P(2026, 6), NO);      /* o serves one */
    request(&f, "taken2", "tb4o7", "gz", 1000, 100000, P(2026, 6), NO);
    request(&f, "pure", "tb4o7", "gz", 1000, 100000, P(2026, 6), 999500);    /* purity too low */
    lds_match_result *r = run(&f);
    assert_int_equal(reason_of(r, "none"), LDS_MATCH_NO_COMPATIBLE_OFFER);
    assert_int_equal(reason_of(r, "pure"), LDS_MATCH_NO_COMPATIBLE_OFFER);
    assert_int_equal(reason_of(r, "nolane"), LDS_MATCH_NO_LANE);
    assert_int_equal(reason_of(r, "cap"), LDS_MATCH_PRICE_CAP);
    assert_int_equal(r->matched_milli, 1000);
    int t1 = reason_of(r, "taken1"), t2 = reason_of(r, "taken2");
    assert_true((t1 == LDS_MATCH_MET && t2 == LDS_MATCH_INSUFFICIENT_SUPPLY) ||
                (t2 == LDS_MATCH_MET && t1 == LDS_MATCH_INSUFFICIENT_SUPPLY));
    assert_string_equal(lds_match_reason_name(LDS_MATCH_INSUFFICIENT_SUPPLY), "insufficient_supply");
    assert_string_equal(lds_match_reason_name(LDS_MATCH_NO_LANE), "no_lane");
    assert_string_equal(lds_match_reason_name(LDS_MATCH_PRICE_CAP), "price_cap");
    assert_string_equal(lds_match_reason_name(LDS_MATCH_NO_COMPATIBLE_OFFER),
                        "no_compatible_offer");
    assert_int_equal(r->unmet_milli, 5000);
    assert_int_equal(r->n_unmet, 5);
    lds_match_result_free(r);
}

static void money_rounds_half_even_per_line(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "a", "m", "r", 5, 100, P(2026, 1), P(2026, 1), NO);  /* 0.005 * 1.00 = 0.5 c -> 0 */
    offer(&f, "b", "m2", "r", 15, 100, P(2026, 1), P(2026, 1), NO); /* 0.015 * 1.00 = 1.5 c -> 2 */
    offer(&f, "c", "m3", "r", 25, 100, P(2026, 1), P(2026, 1), NO); /* 2.5 c -> 2 */
    offer(&f, "e", "m4", "r", 1234, 333, P(2026, 1), P(2026, 1), NO); /* 410.922 c -> 411 */
    request(&f, "A", "m", "r", 5, 100, P(2026, 1), NO);
    request(&f, "B", "m2", "r", 15, 100, P(2026, 1), NO);
    request(&f, "C", "m3", "r", 25, 100, P(2026, 1), NO);
    request(&f, "E", "m4", "r", 1234, 333, P(2026, 1), NO);
    lds_match_result *r = run(&f);
    assert_int_equal(line_of(r, "a", "A")->line_total_cents, 0);
    assert_int_equal(line_of(r, "b", "B")->line_total_cents, 2);
    assert_int_equal(line_of(r, "c", "C")->line_total_cents, 2);
    assert_int_equal(line_of(r, "e", "E")->line_total_cents, 411);
    assert_int_equal(r->total_cost_cents, 415);
    assert_int_equal(r->exact_cost_millicents, 500 + 1500 + 2500 + 1234 * 333);
    lds_match_result_free(r);
}

static void export_licence_adds_lead_time(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "dy", "dy2o3", "gz", 3000, 100000, P(2026, 1), P(2026, 6), NO);
    f.o[0].controlled = 1;
    offer(&f, "nd", "nd2o3", "gz", 1000, 100000, P(2026, 1), P(2026, 6), NO);
    lane(&f, "gz", "de", 2000, 1);
    request(&f, "de_ok", "dy2o3", "de", 1000, 200000, P(2026, 4), NO); /* 1 + 1 + 2 <= 4 */
    f.d[0].abroad = 1;
    request(&f, "de_late", "dy2o3", "de", 1000, 200000, P(2026, 3), NO); /* needs 4 */
    f.d[1].abroad = 1;
    request(&f, "nd_de", "nd2o3", "de", 1000, 200000, P(2026, 2), NO); /* not controlled */
    f.d[2].abroad = 1;
    lds_match_result *r = run(&f);
    const lds_match_line *l = line_of(r, "dy", "de_ok");
    assert_non_null(l);
    assert_true(l->licence_required);
    assert_int_equal(l->licence_lead, LDS_MATCH_LICENCE_LEAD);
    assert_int_equal(l->ship_period, P(2026, 1)); /* 4 - 1 transit - 2 licence */
    assert_int_equal(reason_of(r, "de_late"), LDS_MATCH_LICENCE);
    l = line_of(r, "nd", "nd_de");
    assert_non_null(l);
    assert_false(l->licence_required);
    assert_int_equal(l->licence_lead, 0);
    lds_match_result_free(r);
}

static void duals_are_marginal_costs(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "cheap", "nd2o3", "gz", 4000, 1000, P(2026, 1), P(2026, 1), NO);
    offer(&f, "dear", "nd2o3", "gz", 10000, 1500, P(2026, 1), P(2026, 1), NO);
    lane(&f, "gz", "sz", 200, 0);
    request(&f, "d", "nd2o3", "sz", 6000, 5000, P(2026, 1), NO);
    request(&f, "e", "nd2o3", "xa", 1000, 5000, P(2026, 1), NO); /* unreachable */
    lds_match_result *r = run(&f);
    assert_int_equal(r->n_duals, 2);
    /* sz: 4 from cheap, 2 from dear; one more unit comes from dear at 15 + 2 */
    const lds_match_dual *du = &r->duals[0];
    assert_string_equal(du->region, "sz");
    assert_int_equal(du->period, P(2026, 1));
    assert_true(du->has_price);
    assert_int_equal(du->price_cents, 1700);
    assert_int_equal(du->demand_milli, 6000);
    assert_int_equal(du->matched_milli, 6000);
    assert_string_equal(r->duals[1].region, "xa");
    assert_false(r->duals[1].has_price);
    lds_match_result_free(r);
}

static void bad_input_is_rejected(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "o", "m", "r", -1, 100, P(2026, 1), P(2026, 1), NO);
    lds_match_input in = {f.o, f.no, f.d, f.nd, f.l, f.nl};
    lds_match_result *r = NULL;
    lds_err e;
    assert_int_equal(lds_match_run(&in, &r, &e), LDS_EINVAL);
    assert_null(r);
    assert_string_equal(e.field, "/offers/0");
    f.o[0].qty_milli = 1;
    f.o[0].to = P(2025, 12);
    assert_int_equal(lds_match_run(&in, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "before"));
    f.o[0].to = P(2026, 1);
    offer(&f, "o", "m", "r", 1, 1, P(2026, 1), P(2026, 1), NO);
    in.n_offers = 2;
    assert_int_equal(lds_match_run(&in, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "duplicate"));
    /* empty input is a valid (empty) run */
    lds_match_input empty = {0};
    assert_int_equal(lds_match_run(&empty, &r, &e), LDS_OK);
    assert_int_equal(r->matched_milli, 0);
    assert_int_equal(r->n_lines, 0);
    lds_match_result_free(r);
}

static void allocation_failures_are_clean(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "A", "nd2o3", "gz", 10000, 1000, P(2026, 1), P(2026, 2), NO);
    offer(&f, "B", "nd2o3", "sz", 10000, 5000, P(2026, 1), P(2026, 1), 990000);
    lane(&f, "sz", "gz", 100, 1);
    lane(&f, "gz", "sz", 300, 0);
    request(&f, "R1", "nd2o3", "gz", 10000, 10000, P(2026, 3), NO);
    request(&f, "R2", "nd2o3", "sz", 15000, 2000, P(2026, 1), NO);
    lds_match_input in = {f.o, f.no, f.d, f.nd, f.l, f.nl};
    int saw_ok = 0;
    for (long nth = 1; nth < 400 && !saw_ok; nth++) {
        lds_match_result *r = NULL;
        lds_err e;
        lds_alloc_fail_after(nth);
        lds_code rc = lds_match_run(&in, &r, &e);
        lds_alloc_fail_after(0);
        assert_true(rc == LDS_OK || rc == LDS_ENOMEM);
        if (rc == LDS_OK) {
            saw_ok = 1;
            assert_int_equal(r->matched_milli, 20000);
        }
        lds_match_result_free(r);
    }
    assert_true(saw_ok);
    /* A failed change leaves the session's data as it was, and the session
     * still answers correctly afterwards (it rebuilds cold when needed). */
    for (long nth = 1; nth < 200; nth++) {
        lds_match_session *s = NULL;
        lds_err e;
        assert_int_equal(lds_match_session_new(&in, &s, &e), LDS_OK);
        lds_match_offer extra = f.o[0];
        extra.id = "C";
        lds_alloc_fail_after(nth);
        lds_code rc = lds_match_session_put_offer(s, &extra, NULL, &e);
        lds_alloc_fail_after(0);
        assert_true(rc == LDS_OK || rc == LDS_ENOMEM);
        lds_match_offer again = f.o[1];
        again.id = "D";
        assert_int_equal(lds_match_session_put_offer(s, &again, NULL, &e), LDS_OK);
        const lds_match_result *r = lds_match_session_result(s);
        /* with C, R2 gets 15 from A and C; without it only A's 10 */
        assert_int_equal(r->matched_milli, rc == LDS_OK ? 25000 : 20000);
        assert_int_equal(lds_match_session_withdraw_offer(s, "C", NULL, &e),
                         rc == LDS_OK ? LDS_OK : LDS_ENOTFOUND);
        assert_int_equal(lds_match_session_result(s)->matched_milli, 20000);
        lds_match_session_free(s);
        if (rc == LDS_OK)
            break;
    }
}

static void session_failures_keep_data(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "A", "nd2o3", "gz", 10000, 1000, P(2026, 1), P(2026, 2), NO);
    offer(&f, "B", "nd2o3", "gz", 4000, 1500, P(2026, 1), P(2026, 2), NO);
    request(&f, "R1", "nd2o3", "gz", 8000, 10000, P(2026, 3), NO);
    request(&f, "R2", "nd2o3", "gz", 8000, 10000, P(2026, 3), NO);
    lds_match_input in = {f.o, f.no, f.d, f.nd, f.l, f.nl};
    for (int op = 0; op < 3; op++)
        for (long nth = 1; nth < 300; nth++) {
            lds_match_session *s = NULL;
            lds_err e;
            assert_int_equal(lds_match_session_new(&in, &s, &e), LDS_OK);
            int64_t before = lds_match_session_result(s)->matched_milli, want_ok, want_fail;
            lds_match_request d = f.d[0];
            d.id = "R3";
            lds_alloc_fail_after(nth);
            lds_code rc;
            if (op == 0) {
                rc = lds_match_session_put_request(s, &d, NULL, &e);
                want_ok = 14000;
            } else if (op == 1) {
                rc = lds_match_session_withdraw_offer(s, "B", NULL, &e);
                want_ok = 10000;
            } else {
                rc = lds_match_session_withdraw_request(s, "R2", NULL, &e);
                want_ok = 8000;
            }
            lds_alloc_fail_after(0);
            assert_true(rc == LDS_OK || rc == LDS_ENOMEM);
            want_fail = before;
            const lds_match_result *r = lds_match_session_result(s);
            assert_int_equal(r->matched_milli, rc == LDS_OK ? want_ok : want_fail);
            /* and a later change is applied to the right data */
            lds_match_offer more = f.o[1];
            more.id = "M";
            assert_int_equal(lds_match_session_put_offer(s, &more, NULL, &e), LDS_OK);
            r = lds_match_session_result(s);
            int64_t demand = r->demand_milli, supply = r->supply_milli;
            assert_int_equal(r->matched_milli, demand < supply ? demand : supply);
            lds_match_session_free(s);
            if (rc == LDS_OK)
                break;
        }
}

static void zero_quantities_and_window_ends(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "empty", "nd2o3", "gz", 0, 100, P(2026, 1), P(2026, 12), NO);
    offer(&f, "early", "nd2o3", "gz", 3000, 200, P(2026, 1), P(2026, 2), NO);
    lane(&f, "gz", "sz", 50, 1);
    request(&f, "nothing", "nd2o3", "sz", 0, 1000, P(2026, 6), NO);
    request(&f, "later", "nd2o3", "sz", 1000, 1000, P(2026, 9), NO);
    request(&f, "before", "nd2o3", "gz", 1000, 1000, P(2025, 12), NO);
    lds_match_result *r = run(&f);
    assert_null(unmet_of(r, "nothing")); /* nothing asked, nothing unmet */
    const lds_match_line *l = line_of(r, "early", "later");
    assert_non_null(l);
    assert_int_equal(l->ship_period, P(2026, 2)); /* the window's end, not due - transit */
    assert_null(line_of(r, "empty", "later"));     /* zero supply makes no line */
    assert_int_equal(reason_of(r, "before"), LDS_MATCH_NO_COMPATIBLE_OFFER);
    assert_int_equal(r->supply_milli, 3000);
    assert_int_equal(r->demand_milli, 2000);
    lds_match_result_free(r);
}

static void csv_tables_parse_exactly(void **state)
{
    (void)state;
    const char *offers = "id,org,material,region,quantity,unit_price,period_from,period_to,purity\r\n"
                         "O1,\"Ganzhou \"\"Rare\"\", Ltd\",nd2o3,zhanggong,1.5,99.9,2026-01,2026-03,99.95\r\n"
                         "O2,x,nd2o3,zhanggong,2,100,2026-02,2026-02,\r\n";
    const char *requests = "id,org,material,region,quantity,max_unit_price,due_period\n"
                           "R1,y,nd2o3,nanshan,3.000,105.50,2026-04\n";
    const char *lanes = "from_region,to_region,cost_per_unit,transit_periods\n"
                        "zhanggong,nanshan,5.5,1\n";
    lds_match_table t;
    lds_match_table_init(&t);
    lds_err e;
    assert_int_equal(lds_match_parse_offers(&t, offers, strlen(offers), &e), LDS_OK);
    assert_int_equal(lds_match_parse_requests(&t, requests, strlen(requests), &e), LDS_OK);
    assert_int_equal(lds_match_parse_lanes(&t, lanes, strlen(lanes), &e), LDS_OK);
    assert_int_equal(t.input.n_offers, 2);
    assert_string_equal(t.offers[0].org, "Ganzhou \"Rare\", Ltd");
    assert_int_equal(t.offers[0].qty_milli, 1500);
    assert_int_equal(t.offers[0].price_cents, 9990);
    assert_int_equal(t.offers[0].purity, 99950000);
    assert_int_equal(t.offers[1].purity, LDS_MATCH_NO_PURITY);
    assert_int_equal(t.offers[0].from, P(2026, 1));
    assert_int_equal(t.requests[0].min_purity, LDS_MATCH_NO_PURITY); /* column left out */
    assert_int_equal(t.requests[0].max_price_cents, 10550);
    assert_int_equal(t.lanes[0].cost_cents, 550);
    lds_match_result *r = NULL;
    assert_int_equal(lds_match_run(&t.input, &r, &e), LDS_OK);
    /* O1: 99.90 + 5.50 = 105.40 <= 105.50; O2: 100 + 5.5 = 105.50 <= 105.50 */
    assert_int_equal(r->matched_milli, 3000);
    assert_int_equal(r->total_cost_cents, 15810 + 15825);
    lds_buf b = LDS_BUF_INIT;
    lds_match_write_lines_csv(r, &b);
    assert_non_null(strstr(b.ptr, "O1,R1,\"Ganzhou \"\"Rare\"\", Ltd\",y,nd2o3,zhanggong,nanshan,"
                                  "1.500,2026-03,1,99.90,5.50,158.10,no,0\n"));
    lds_buf_release(&b);
    lds_match_result_free(r);
    /* an error appends nothing and names line and column */
    const char *bad = "id,org,material,region,quantity,unit_price,period_from,period_to,purity\n"
                      "O3,x,nd2o3,zhanggong,1,1,2026-01,2026-01,\n"
                      "O4,x,nd2o3,zhanggong,1,1,2026-1,2026-01,\n";
    assert_int_equal(lds_match_parse_offers(&t, bad, strlen(bad), &e), LDS_EINVAL);
    assert_int_equal(e.line, 3);
    assert_string_equal(e.field, "period_from");
    assert_int_equal(t.input.n_offers, 2);
    lds_match_table_release(&t);
    char buf[32];
    assert_string_equal(lds_match_fmt_milli(-1500, buf), "-1.500");
    assert_string_equal(lds_match_fmt_cents(5, buf), "0.05");
    assert_string_equal(lds_match_fmt_period(P(2026, 12), buf), "2026-12");
    assert_string_equal(lds_match_fmt_period(P(987, 1), buf), "0987-01");
    assert_string_equal(lds_match_fmt_milli(0, buf), "0.000");
    assert_string_equal(lds_match_fmt_milli(-1, buf), "-0.001");
    assert_string_equal(lds_match_fmt_milli(1000000000000, buf), "1000000000.000");
    assert_string_equal(lds_match_fmt_cents(123456, buf), "1234.56");
    assert_string_equal(lds_match_fmt_cents(INT64_MIN, buf), "-92233720368547758.08");
    int64_t v;
    assert_int_equal(lds_match_parse_decimal("1.20", 2, &v), 0);
    assert_int_equal(v, 120);
    assert_int_equal(lds_match_parse_decimal("1.200", 2, &v), -2);
    assert_int_equal(lds_match_parse_decimal("1.231", 2, &v), -2);
    assert_int_equal(lds_match_parse_decimal(".", 2, &v), -1);
    assert_int_equal(lds_match_parse_decimal("99999999999999999999", 2, &v), -3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(purity_rules),
        cmocka_unit_test(price_cap_is_delivered_price),
        cmocka_unit_test(transit_and_period_windows),
        cmocka_unit_test(no_lane_between_regions),
        cmocka_unit_test(several_lanes_cheapest_in_time),
        cmocka_unit_test(same_region_lane_overrides_default),
        cmocka_unit_test(matched_quantity_before_cost),
        cmocka_unit_test(ties_broken_by_cost),
        cmocka_unit_test(both_corridor_directions),
        cmocka_unit_test(every_unmet_reason),
        cmocka_unit_test(money_rounds_half_even_per_line),
        cmocka_unit_test(export_licence_adds_lead_time),
        cmocka_unit_test(duals_are_marginal_costs),
        cmocka_unit_test(bad_input_is_rejected),
        cmocka_unit_test(allocation_failures_are_clean),
        cmocka_unit_test(session_failures_keep_data),
        cmocka_unit_test(zero_quantities_and_window_ends),
        cmocka_unit_test(csv_tables_parse_exactly),
    };
    return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
