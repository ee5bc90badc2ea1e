/*
 * test_why.c — "why short": the reason chain of each unmet request,
 * hand-computed: an exhausted offer with its exact value per unit, price
 * cap, window (start and transit), no lane, licence lead time, purity, no
 * offer at all, the bound of 5 items with the count of the rest, the JSON
 * with the confidentiality rule, and a warm session change.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/buf.h"
#include "lodestone/match.h"
#include "match/match_int.h"

#define P(y, m) ((int32_t)((y)*12 + (m)-1))
#define NO      LDS_MATCH_NO_PURITY

typedef struct fx {
    lds_match_offer o[16];
    lds_match_request d[16];
    lds_match_lane l[16];
    size_t no, nd, nl;
} fx;

static lds_match_offer *offer(fx *f, const char *id, const char *org, const char *mat,
                              const char *reg, int64_t qty_milli, int64_t price, int32_t from,
                              int32_t to, int64_t purity)
{
    lds_match_offer *o = &f->o[f->no++];
    memset(o, 0, sizeof *o);
    o->id = id, o->org = org, o->material = mat, o->region = reg;
    o->qty_milli = qty_milli, o->price_cents = price, o->from = from, o->to = to;
    o->purity = purity;
    return o;
}

static lds_match_request *request(fx *f, const char *id, const char *mat, const char *reg,
                                  int64_t qty_milli, int64_t maxp, int32_t due, int64_t minp)
{
    lds_match_request *d = &f->d[f->nd++];
    memset(d, 0, sizeof *d);
    d->id = id, d->org = "org-d", d->material = mat, d->region = reg;
    d->qty_milli = qty_milli, d->max_price_cents = maxp, d->due = due, d->min_purity = minp;
    return d;
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
    if (rc != LDS_OK) fail_msg("lds_match_run: %s", e.msg);
    return r;
}

static const lds_match_unmet *unmet_of(const lds_match_result *r, const char *d)
{
    for (size_t i = 0; i < r->n_unmet; i++)
        if (strcmp(r->unmet[i].request_id, d) == 0) return &r->unmet[i];
    fail_msg("request %s is not unmet", d);
    return NULL;
}

/* A (10 t at 100.00) serves X or Y; B (10 t at 300.00) ships only from
 * 2026-04, so only X (due 2026-05).  Maximum matched: A -> Y 10, B -> X 10;
 * Y (15 t) is 5 t short.  One more tonne at A would go to X and free one
 * of B's: 300.00 - 100.00 = 200.00 per tonne at the same matched quantity. */
static void exhausted_offer_with_its_value(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "A", "org-a", "dy", "gz", 10000, 10000, P(2026, 1), P(2026, 6), NO);
    offer(&f, "B", "org-b", "dy", "gz", 10000, 30000, P(2026, 4), P(2026, 6), NO);
    request(&f, "X", "dy", "gz", 10000, 50000, P(2026, 5), NO);
    request(&f, "Y", "dy", "gz", 15000, 50000, P(2026, 2), NO);
    lds_match_result *r = run(&f);
    assert_int_equal(r->matched_milli, 20000);
    assert_int_equal(r->n_unmet, 1);
    const lds_match_unmet *u = unmet_of(r, "Y");
    assert_int_equal(u->unmet_milli, 5000);
    assert_int_equal(u->n_why, 2);
    assert_int_equal(u->n_why_more, 0);
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_SUPPLY);
    assert_string_equal(u->why[0].offer_id, "A");
    assert_string_equal(u->why[0].offer_org, "org-a");
    assert_int_equal(u->why[0].has_dual, 1);
    assert_int_equal(u->why[0].dual_cents, 20000);
    assert_string_equal(u->why[0].detail,
                        "offer A (10.000) fully allocated to request Y; one more unit there is "
                        "worth 200.00 (it would reach this request at 100.00 + lane 0.00)");
    assert_int_equal(u->why[1].kind, LDS_MATCH_WHY_WINDOW);
    assert_string_equal(u->why[1].offer_id, "B");
    assert_int_equal(u->why[1].has_dual, 0);
    assert_string_equal(u->why[1].detail, "offer B ships only from 2026-04, due 2026-02");

    /* JSON: everything for the operator; the request's org sees neither
     * offer's id, org nor price, but the kinds and the value. */
    lds_buf b;
    lds_buf_init(&b);
    lds_match_write_why_json(u, NULL, &b);
    assert_false(b.oom);
    assert_non_null(strstr(b.ptr, "{\"kind\":\"supply\",\"offer\":\"A\",\"offer_org\":\"org-a\""));
    assert_non_null(strstr(b.ptr, "\"dual\":200.00}"));
    lds_buf_reset(&b);
    lds_match_write_why_json(u, "org-d", &b);
    assert_null(strstr(b.ptr, "\"A\""));
    assert_null(strstr(b.ptr, "100.00"));
    assert_null(strstr(b.ptr, "org-a"));
    assert_string_equal(b.ptr,
                        "[{\"kind\":\"supply\",\"offer\":null,\"offer_org\":null,"
                        "\"own_offer\":false,\"material\":\"dy\",\"detail\":\"a compatible offer "
                        "of another organisation is fully allocated; one more unit there is "
                        "worth 200.00\",\"dual\":200.00},{\"kind\":\"window\",\"offer\":null,"
                        "\"offer_org\":null,\"own_offer\":false,\"material\":\"dy\",\"detail\":"
                        "\"an offer of another organisation cannot arrive by 2026-02\",\"dual\":"
                        "null}]");
    /* the offer's own org sees its own offer in full */
    lds_buf_reset(&b);
    lds_match_write_why_json(u, "org-a", &b);
    assert_non_null(strstr(b.ptr, "\"offer\":\"A\",\"offer_org\":\"org-a\",\"own_offer\":true"));
    assert_non_null(strstr(b.ptr, "\"detail\":\"an offer of another organisation cannot"));
    lds_buf_release(&b);

    /* the whole result's JSON carries the list */
    lds_buf_init(&b);
    lds_match_write_json(r, &b);
    assert_non_null(strstr(b.ptr, "\"reason\":\"insufficient_supply\",\"why\":[{\"kind\":"
                                  "\"supply\",\"offer\":\"A\""));
    lds_buf_release(&b);
    lds_match_result_free(r);
}

/* C (10 t) goes to Z1 (4 t) and Z2 (6 t) in gz at lane 0.00 rather than to
 * Z3 in sz at lane 50.00; no other supply, so one more tonne saves nothing. */
static void value_zero_and_allocated_requests(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "C", "org-c", "dy", "gz", 10000, 10000, P(2026, 1), P(2026, 6), NO);
    lane(&f, "gz", "sz", 5000, 0);
    request(&f, "Z1", "dy", "gz", 4000, 50000, P(2026, 2), NO);
    request(&f, "Z2", "dy", "gz", 6000, 50000, P(2026, 2), NO);
    request(&f, "Z3", "dy", "sz", 5000, 50000, P(2026, 2), NO);
    lds_match_result *r = run(&f);
    const lds_match_unmet *u = unmet_of(r, "Z3");
    assert_int_equal(u->unmet_milli, 5000);
    assert_int_equal(u->n_why, 1);
    assert_int_equal(u->why[0].dual_cents, 0);
    assert_string_equal(u->why[0].detail,
                        "offer C (10.000) fully allocated to requests Z1 and Z2; one more unit "
                        "there is worth 0.00 (it would reach this request at 100.00 + lane 50.00)");
    lds_match_result_free(r);
}

/* One request per material, each kept from its offer by one constraint. */
static void each_kind_of_constraint(void **state)
{
    (void)state;
    fx f = {0};
    /* price cap: 1250.00 + 35.00 > 1200.00 */
    offer(&f, "P", "org-p", "nd", "gz", 60000, 125000, P(2026, 1), P(2026, 6), NO);
    lane(&f, "gz", "de_bw", 3500, 1);
    request(&f, "Rp", "nd", "de_bw", 1000, 120000, P(2026, 5), NO);
    /* window by transit: ships from 2026-05, 1 period, due 2026-05 */
    offer(&f, "W", "org-w", "pr", "gz", 1000, 100, P(2026, 5), P(2026, 6), NO);
    lane(&f, "gz", "sz", 100, 1);
    request(&f, "Rw", "pr", "sz", 1000, 100000, P(2026, 5), NO);
    /* no lane xunwu -> de_bw, two offers there: one item */
    offer(&f, "N1", "org-n", "tb", "xunwu", 1000, 100, P(2026, 1), P(2026, 6), NO);
    offer(&f, "N2", "org-n", "tb", "xunwu", 1000, 100, P(2026, 1), P(2026, 6), NO);
    request(&f, "Rn", "tb", "de_bw", 1000, 100000, P(2026, 5), NO);
    /* licence: 2026-03 + 2 lead + 1 transit > 2026-05 */
    lds_match_offer *lo =
        offer(&f, "L", "org-l", "dy", "gz", 1000, 100, P(2026, 3), P(2026, 6), NO);
    lo->controlled = 1;
    request(&f, "Rl", "dy", "de_bw", 1000, 100000, P(2026, 5), NO)->abroad = 1;
    /* purity 0.995 < 0.999 */
    offer(&f, "Q", "org-q", "la", "gz", 1000, 100, P(2026, 1), P(2026, 6), 995000);
    request(&f, "Rq", "la", "gz", 1000, 100000, P(2026, 5), 999000);
    /* no offer of the material */
    request(&f, "Rx", "ce", "gz", 1000, 100000, P(2026, 5), NO);
    lds_match_result *r = run(&f);
    assert_int_equal(r->n_unmet, 6);

    const lds_match_unmet *u = unmet_of(r, "Rp");
    assert_int_equal(u->reason, LDS_MATCH_PRICE_CAP);
    assert_int_equal(u->n_why, 1);
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_PRICE_CAP);
    assert_int_equal(u->why[0].has_dual, 0);
    assert_string_equal(u->why[0].detail,
                        "offer P could serve but price 1250.00 + lane 35.00 > cap 1200.00");
    assert_string_equal(u->why[0].redacted,
                        "an offer of another organisation could serve, but above the cap 1200.00");

    u = unmet_of(r, "Rw");
    assert_int_equal(u->reason, LDS_MATCH_NO_LANE);
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_WINDOW);
    assert_string_equal(
        u->why[0].detail,
        "offer W ships only from 2026-05, transit 1 period (gz -> sz), due 2026-05");

    u = unmet_of(r, "Rn");
    assert_int_equal(u->reason, LDS_MATCH_NO_LANE);
    assert_int_equal(u->n_why, 1);
    assert_int_equal(u->n_why_more, 0);
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_LANE);
    assert_null(u->why[0].offer_id);
    assert_string_equal(u->why[0].from_region, "xunwu");
    assert_string_equal(u->why[0].to_region, "de_bw");
    assert_string_equal(u->why[0].detail, "no lane xunwu -> de_bw");

    u = unmet_of(r, "Rl");
    assert_int_equal(u->reason, LDS_MATCH_LICENCE);
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_LICENCE);
    assert_string_equal(u->why[0].detail, "licence lead time 2 periods (dy, export to de_bw)");

    u = unmet_of(r, "Rq");
    assert_int_equal(u->reason, LDS_MATCH_NO_COMPATIBLE_OFFER);
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_PURITY);
    assert_string_equal(u->why[0].detail, "offer Q purity 0.995 below the minimum 0.999");

    u = unmet_of(r, "Rx");
    assert_int_equal(u->n_why, 1);
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_SUPPLY);
    assert_null(u->why[0].offer_id);
    assert_int_equal(u->why[0].has_dual, 0);
    assert_string_equal(u->why[0].detail, "no offer of ce");
    lds_match_result_free(r);
}

/* Seven offers over the cap: the five closest to it, then a count of 2. */
static void bounded_by_relevance(void **state)
{
    (void)state;
    fx f = {0};
    static const char *ids[] = {"o1", "o2", "o3", "o4", "o5", "o6", "o7"};
    static const int64_t price[] = {10700, 10100, 10600, 10200, 10500, 10300, 10400};
    for (size_t i = 0; i < 7; i++)
        offer(&f, ids[i], "org-o", "dy", "gz", 1000, price[i], P(2026, 1), P(2026, 6), NO);
    request(&f, "R", "dy", "gz", 1000, 10000, P(2026, 5), NO);
    lds_match_result *r = run(&f);
    const lds_match_unmet *u = unmet_of(r, "R");
    assert_int_equal(u->n_why, LDS_MATCH_WHY_MAX);
    assert_int_equal(u->n_why_more, 2);
    static const char *want[] = {"o2", "o4", "o6", "o7", "o5"}; /* excess 1.00 .. 5.00 */
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(u->why[i].offer_id, want[i]);
    lds_buf b;
    lds_buf_init(&b);
    lds_match_write_why_json(u, NULL, &b);
    static const char tail[] = "\"dual\":null},{\"kind\":\"more\",\"count\":2}]";
    size_t n = strlen(b.ptr);
    assert_true(n > sizeof tail);
    assert_string_equal(b.ptr + n - (sizeof tail - 1), tail);
    lds_buf_release(&b);
    lds_match_result_free(r);
}

/* Six exhausted offers at 1.00 .. 6.00 all serve R: one more unit at Sk
 * replaces a unit of S6, worth 6.00 - k.00.  The five most valuable are
 * shown; S6 (0.00) and the late offer W are counted. */
static void many_exhausted_offers(void **state)
{
    (void)state;
    fx f = {0};
    static const char *ids[] = {"S1", "S2", "S3", "S4", "S5", "S6"};
    for (size_t i = 0; i < 6; i++)
        offer(&f, ids[i], "org-s", "dy", "gz", 1000, 100 * (int64_t)(i + 1), P(2026, 1), P(2026, 6),
              NO);
    offer(&f, "W", "org-w", "dy", "gz", 1000, 100, P(2026, 9), P(2026, 12), NO);
    request(&f, "R", "dy", "gz", 10000, 100000, P(2026, 5), NO);
    lds_match_result *r = run(&f);
    const lds_match_unmet *u = unmet_of(r, "R");
    assert_int_equal(u->unmet_milli, 4000);
    assert_int_equal(u->n_why, 5);
    assert_int_equal(u->n_why_more, 2);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(u->why[i].kind, LDS_MATCH_WHY_SUPPLY);
        assert_string_equal(u->why[i].offer_id, ids[i]);
        assert_int_equal(u->why[i].dual_cents, 100 * (5 - (int64_t)i));
    }
    assert_string_equal(u->why[0].detail,
                        "offer S1 (1.000) fully allocated to request R; one more unit there is "
                        "worth 5.00 (it would reach this request at 1.00 + lane 0.00)");
    lds_match_result_free(r);
}

/* A warm change rebuilds the chains.  X is in sz (lane 50.00): with B, one
 * more tonne at A replaces one of B's to X: 350.00 - 150.00 = 200.00, every
 * request keeping its quantity (serving Y instead and cutting X would
 * save 250.00, but that is not the same deliveries); withdrawing B
 * leaves X short (A goes to Y, the cheaper delivery) with A fully
 * allocated and nothing to re-route (value 0.00). */
static void session_changes_update_the_chain(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "A", "org-a", "dy", "gz", 10000, 10000, P(2026, 1), P(2026, 6), NO);
    offer(&f, "B", "org-b", "dy", "gz", 10000, 30000, P(2026, 4), P(2026, 6), NO);
    lane(&f, "gz", "sz", 5000, 0);
    request(&f, "X", "dy", "sz", 10000, 50000, P(2026, 5), NO);
    request(&f, "Y", "dy", "gz", 15000, 50000, P(2026, 2), NO);
    lds_match_input in = {f.o, f.no, f.d, f.nd, f.l, f.nl};
    lds_match_session *s = NULL;
    lds_err e;
    assert_int_equal(lds_match_session_new(&in, &s, &e), LDS_OK);
    const lds_match_unmet *u = unmet_of(lds_match_session_result(s), "Y");
    assert_int_equal(u->n_why, 0); /* not explained yet */
    assert_int_equal(lds_match_session_explain(s, &e), LDS_OK);
    assert_int_equal(u->n_why, 2);
    assert_int_equal(u->why[0].dual_cents, 20000);
    assert_int_equal(lds_match_session_withdraw_offer(s, "B", NULL, &e), LDS_OK);
    assert_int_equal(lds_match_session_explain(s, &e), LDS_OK);
    assert_int_equal(lds_match_session_explain(s, &e), LDS_OK); /* once is enough */
    const lds_match_result *r = lds_match_session_result(s);
    assert_int_equal(r->matched_milli, 10000);
    assert_int_equal(r->n_unmet, 2);
    u = unmet_of(r, "X");
    assert_int_equal(u->n_why, 1); /* B is gone */
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_SUPPLY);
    assert_string_equal(u->why[0].offer_id, "A");
    assert_int_equal(u->unmet_milli, 10000);
    assert_int_equal(u->why[0].dual_cents, 0);
    assert_string_equal(u->why[0].detail,
                        "offer A (10.000) fully allocated to request Y; one more unit there is "
                        "worth 0.00 (it would reach this request at 100.00 + lane 50.00)");
    lds_match_session_free(s);
}

/* ---- kept chains: a warm change re-explains only what it can change ------ */

/* Every unmet request's id, chain in full and as its org sees it. */
static char *dump_why(const lds_match_session *s)
{
    const lds_match_result *r = lds_match_session_result(s);
    lds_buf b = LDS_BUF_INIT;
    for (size_t i = 0; i < r->n_unmet; i++) {
        const lds_match_unmet *u = &r->unmet[i];
        lds_buf_adds(&b, u->request_id);
        lds_buf_addc(&b, ' ');
        lds_match_write_why_json(u, NULL, &b);
        lds_match_write_why_json(u, u->request_org, &b);
        lds_buf_addc(&b, '\n');
    }
    lds_buf_addc(&b, '\0');
    assert_false(b.oom);
    char *out = strdup(b.ptr);
    lds_buf_release(&b);
    assert_non_null(out);
    return out;
}

/* Explains with the kept chains, then again from scratch; both the same. */
static void explain_both_ways(lds_match_session *s)
{
    lds_err e;
    assert_int_equal(lds_match_session_explain(s, &e), LDS_OK);
    char *kept = dump_why(s);
    lds_match__why_forget(s);
    assert_int_equal(lds_match_session_explain(s, &e), LDS_OK);
    char *full = dump_why(s);
    assert_string_equal(kept, full);
    free(kept);
    free(full);
}

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static const char *const mats[] = {"dy", "tb", "nd"};
static const char *const regs[] = {"gz", "sz", "bt"};
static const char *const orgs[] = {"org-a", "org-b", "org-c"};

static void random_offer(lds_match_offer *o, const char *id, uint64_t *x)
{
    memset(o, 0, sizeof *o);
    o->id = id;
    o->org = orgs[rng_next(x) % 3];
    o->material = mats[rng_next(x) % 3];
    o->region = regs[rng_next(x) % 3];
    o->qty_milli = 1000 * (int64_t)(1 + rng_next(x) % 8);
    o->price_cents = 1000 * (int64_t)(5 + rng_next(x) % 20);
    o->from = P(2026, 1 + (int)(rng_next(x) % 6));
    o->to = o->from + (int32_t)(rng_next(x) % 4);
    o->purity = rng_next(x) % 3 ? 999000 + (int64_t)(rng_next(x) % 1000) : NO;
}

static void random_request(lds_match_request *d, const char *id, uint64_t *x)
{
    memset(d, 0, sizeof *d);
    d->id = id;
    d->org = orgs[rng_next(x) % 3];
    d->material = mats[rng_next(x) % 3];
    d->region = regs[rng_next(x) % 3];
    d->qty_milli = 1000 * (int64_t)(1 + rng_next(x) % 10);
    d->max_price_cents = 1000 * (int64_t)(8 + rng_next(x) % 25);
    d->due = P(2026, 2 + (int)(rng_next(x) % 8));
    d->min_purity = rng_next(x) % 4 ? NO : 999500;
}

/* A random sequence of warm puts, replacements (some to another material)
 * and withdrawals: after each, the chains explained with the kept ones are
 * byte for byte those of a full build, and some were kept. */
static void kept_chains_equal_a_full_build(void **state)
{
    (void)state;
    enum { NO_ = 24, ND_ = 36, STEPS = 120 };
    static char oid[NO_][16], did[ND_][16];
    uint8_t o_live[NO_] = {0}, d_live[ND_] = {0};
    lds_match_offer o[NO_];
    lds_match_request d[ND_];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < NO_; i++)
        snprintf(oid[i], sizeof oid[i], "o%d", i);
    for (int i = 0; i < ND_; i++)
        snprintf(did[i], sizeof did[i], "r%d", i);
    for (int i = 0; i < NO_ / 2; i++) {
        random_offer(&o[i], oid[i], &x);
        o_live[i] = 1;
    }
    for (int i = 0; i < ND_ / 2; i++) {
        random_request(&d[i], did[i], &x);
        d_live[i] = 1;
    }
    lds_match_lane l[] = {
        {"gz", "sz", 500, 1}, {"gz", "sz", 1500, 0}, {"sz", "gz", 300, 1}, {"bt", "gz", 800, 2}};
    lds_match_input in = {o, NO_ / 2, d, ND_ / 2, l, 4};
    lds_match_session *s = NULL;
    lds_err e;
    assert_int_equal(lds_match_session_new(&in, &s, &e), LDS_OK);
    explain_both_ways(s);
    for (int step = 0; step < STEPS; step++) {
        unsigned what = (unsigned)(rng_next(&x) % 4);
        if (what < 2) { /* put (new or replacing) an offer */
            int i = (int)(rng_next(&x) % NO_);
            lds_match_offer n;
            random_offer(&n, oid[i], &x);
            assert_int_equal(lds_match_session_put_offer(s, &n, NULL, &e), LDS_OK);
            o_live[i] = 1;
        } else if (what == 2) { /* put a request */
            int i = (int)(rng_next(&x) % ND_);
            lds_match_request n;
            random_request(&n, did[i], &x);
            assert_int_equal(lds_match_session_put_request(s, &n, NULL, &e), LDS_OK);
            d_live[i] = 1;
        } else { /* withdraw one live record */
            int i = (int)(rng_next(&x) % NO_), j = (int)(rng_next(&x) % ND_);
            if (o_live[i]) {
                assert_int_equal(lds_match_session_withdraw_offer(s, oid[i], NULL, &e), LDS_OK);
                o_live[i] = 0;
            } else if (d_live[j]) {
                assert_int_equal(lds_match_session_withdraw_request(s, did[j], NULL, &e), LDS_OK);
                d_live[j] = 0;
            }
        }
        if (step % 7 == 3) continue; /* not explained: the next explain covers two changes */
        explain_both_ways(s);
    }
    lds_match_session_stats st;
    lds_match_session_stats_get(s, &st);
    assert_true(st.warm_solves > 0);
    assert_true(st.why_kept > 0);
    assert_true(st.why_built > 0);
    lds_match_session_free(s);
}

/* Two materials short of supply; a change of a tb offer keeps dy's chain
 * as it was (one chain kept, one built), and the tb chain names the new
 * offer; an offer moved from tb to dy changes both. */
static void change_of_one_material_keeps_the_other(void **state)
{
    (void)state;
    fx f = {0};
    offer(&f, "A", "org-a", "dy", "gz", 5000, 10000, P(2026, 1), P(2026, 6), NO);
    offer(&f, "T", "org-a", "tb", "gz", 2000, 20000, P(2026, 1), P(2026, 6), NO);
    request(&f, "X", "dy", "gz", 8000, 50000, P(2026, 5), NO);
    request(&f, "Y", "tb", "gz", 4000, 50000, P(2026, 5), NO);
    lds_match_input in = {f.o, f.no, f.d, f.nd, f.l, f.nl};
    lds_match_session *s = NULL;
    lds_err e;
    lds_match_session_stats st;
    assert_int_equal(lds_match_session_new(&in, &s, &e), LDS_OK);
    assert_int_equal(lds_match_session_explain(s, &e), LDS_OK);
    lds_match_session_stats_get(s, &st);
    assert_int_equal(st.why_built, 2);
    assert_int_equal(st.why_kept, 0);
    lds_match_offer t2 = f.o[1];
    t2.id = "T2";
    t2.price_cents = 60000; /* above Y's cap */
    assert_int_equal(lds_match_session_put_offer(s, &t2, NULL, &e), LDS_OK);
    assert_int_equal(lds_match_session_explain(s, &e), LDS_OK);
    lds_match_session_stats_get(s, &st);
    assert_int_equal(st.why_built, 3); /* Y */
    assert_int_equal(st.why_kept, 1);  /* X */
    const lds_match_result *r = lds_match_session_result(s);
    const lds_match_unmet *u = unmet_of(r, "Y");
    assert_int_equal(u->n_why, 2);
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_SUPPLY);
    assert_string_equal(u->why[0].offer_id, "T");
    assert_int_equal(u->why[1].kind, LDS_MATCH_WHY_PRICE_CAP);
    assert_string_equal(u->why[1].detail,
                        "offer T2 could serve but price 600.00 + lane 0.00 > cap 500.00");
    u = unmet_of(r, "X");
    assert_int_equal(u->n_why, 1);
    assert_string_equal(u->why[0].offer_id, "A");
    assert_int_equal(u->unmet_milli, 3000);
    /* T2 becomes a dy offer in reach of X: both materials change */
    t2.material = "dy";
    t2.price_cents = 30000;
    assert_int_equal(lds_match_session_put_offer(s, &t2, NULL, &e), LDS_OK);
    assert_int_equal(lds_match_session_explain(s, &e), LDS_OK);
    lds_match_session_stats_get(s, &st);
    assert_int_equal(st.why_built, 5); /* X and Y */
    assert_int_equal(st.why_kept, 1);
    r = lds_match_session_result(s);
    assert_int_equal(r->n_unmet, 2);
    u = unmet_of(r, "Y");
    assert_int_equal(u->n_why, 1); /* T2 has left tb */
    assert_string_equal(u->why[0].offer_id, "T");
    u = unmet_of(r, "X");
    assert_int_equal(u->unmet_milli, 1000); /* 8 - 5 - 2 */
    assert_int_equal(u->n_why, 2);
    assert_int_equal(u->why[0].kind, LDS_MATCH_WHY_SUPPLY);
    assert_int_equal(u->why[1].kind, LDS_MATCH_WHY_SUPPLY);
    explain_both_ways(s);
    lds_match_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exhausted_offer_with_its_value),
        cmocka_unit_test(value_zero_and_allocated_requests),
        cmocka_unit_test(each_kind_of_constraint),
        cmocka_unit_test(bounded_by_relevance),
        cmocka_unit_test(many_exhausted_offers),
        cmocka_unit_test(session_changes_update_the_chain),
        cmocka_unit_test(kept_chains_equal_a_full_build),
        cmocka_unit_test(change_of_one_material_keeps_the_other),
    };
    return cmocka_run_group_tests_name("match_why", tests, NULL, NULL);
}
