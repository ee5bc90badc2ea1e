/*
 * test_reference.c — thousands of seeded random instances: the engine's
 * matched quantity, exact cost, unmet reasons and dual prices equal those of
 * the independent reference in ref.h (successive shortest paths), and every
 * allocation line obeys the rules.  The seed is printed on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/match.h"
#include "ref.h"

static size_t index_of(const lds_match_input *in, const char *id, int offer)
{
    size_t n = offer ? in->n_offers : in->n_requests;
    for (size_t i = 0; i < n; i++)
        if (strcmp(offer ? in->offers[i].id : in->requests[i].id, id) == 0)
            return i;
    fail_msg("unknown id %s", id);
    return 0;
}

static size_t seen_lines, seen_reason[6], seen_duals, seen_licence;

/* Checks one result against the reference; fails with the seed. */
static void check_instance(uint64_t seed, const lds_match_input *in, const lds_match_result *r)
{
    ref_result ref;
    ref_solve(in, -1, &ref);
    if (r->matched_milli != ref.matched || r->exact_cost_millicents != ref.cost_millicents)
        fail_msg("seed %llu: matched %lld cost %lld, reference %lld %lld", (unsigned long long)seed,
                 (long long)r->matched_milli, (long long)r->exact_cost_millicents,
                 (long long)ref.matched, (long long)ref.cost_millicents);
    int64_t used_o[REF_MAX] = {0}, got_d[REF_MAX] = {0}, total = 0, exact = 0;
    for (size_t i = 0; i < r->n_lines; i++) {
        const lds_match_line *l = &r->lines[i];
        size_t o = index_of(in, l->offer_id, 1), d = index_of(in, l->request_id, 0);
        const lds_match_offer *of = &in->offers[o];
        const lds_match_request *rq = &in->requests[d];
        int64_t cost = 0;
        if (ref_pair(in, of, rq, &cost) != 4 || cost != l->unit_price_cents + l->logistics_cents)
            fail_msg("seed %llu: line %s -> %s is not a compatible pair at its cost",
                     (unsigned long long)seed, l->offer_id, l->request_id);
        int64_t lead = l->licence_required ? LDS_MATCH_LICENCE_LEAD : 0;
        if (l->ship_period < of->from || l->ship_period > of->to ||
            l->ship_period + l->transit + lead > rq->due || l->qty_milli <= 0)
            fail_msg("seed %llu: line %s -> %s ships out of its window", (unsigned long long)seed,
                     l->offer_id, l->request_id);
        used_o[o] += l->qty_milli;
        got_d[d] += l->qty_milli;
        exact += l->qty_milli * cost;
        int64_t x = l->qty_milli * cost, q = x / 1000, rem = x % 1000;
        if (rem > 500 || (rem == 500 && (q & 1)))
            q++;
        if (q != l->line_total_cents)
            fail_msg("seed %llu: line total %lld, want %lld", (unsigned long long)seed,
                     (long long)l->line_total_cents, (long long)q);
        total += q;
        seen_lines++;
        seen_licence += l->licence_required != 0;
    }
    assert_int_equal(total, r->total_cost_cents);
    assert_int_equal(exact, r->exact_cost_millicents);
    for (size_t o = 0; o < in->n_offers; o++)
        assert_true(used_o[o] <= in->offers[o].qty_milli);
    int64_t unmet = 0;
    for (size_t d = 0; d < in->n_requests; d++) {
        const lds_match_request *rq = &in->requests[d];
        assert_true(got_d[d] <= rq->qty_milli);
        const lds_match_unmet *u = NULL;
        for (size_t k = 0; k < r->n_unmet; k++)
            if (strcmp(r->unmet[k].request_id, rq->id) == 0)
                u = &r->unmet[k];
        if (got_d[d] == rq->qty_milli) {
            assert_null(u);
            continue;
        }
        assert_non_null(u);
        assert_int_equal(u->unmet_milli, rq->qty_milli - got_d[d]);
        unmet += u->unmet_milli;
        seen_reason[u->reason]++;
        static const lds_match_reason want[] = {
            LDS_MATCH_NO_COMPATIBLE_OFFER, LDS_MATCH_NO_LANE, LDS_MATCH_LICENCE,
            LDS_MATCH_PRICE_CAP, LDS_MATCH_INSUFFICIENT_SUPPLY};
        if (u->reason != want[ref.stage[d]])
            fail_msg("seed %llu: request %s reason %s, reference %s", (unsigned long long)seed,
                     rq->id, lds_match_reason_name(u->reason),
                     lds_match_reason_name(want[ref.stage[d]]));
    }
    assert_int_equal(unmet, r->unmet_milli);
    /* Duals: one more milli at the cheapest request of each group. */
    for (size_t k = 0; k < r->n_duals; k++) {
        const lds_match_dual *du = &r->duals[k];
        int have = 0;
        int64_t best = 0;
        for (size_t d = 0; d < in->n_requests; d++) {
            const lds_match_request *rq = &in->requests[d];
            if (strcmp(rq->region, du->region) || strcmp(rq->material, du->material) ||
                rq->due != du->period)
                continue;
            ref_result more;
            ref_solve(in, (int)d, &more);
            if (more.matched != ref.matched + 1)
                continue;
            int64_t delta = more.cost_millicents - ref.cost_millicents;
            if (!have || delta < best)
                best = delta, have = 1;
        }
        seen_duals += have;
        if (have != du->has_price || (have && best != du->price_cents))
            fail_msg("seed %llu: dual %s/%s/%d = %s%lld, reference %s%lld",
                     (unsigned long long)seed, du->region, du->material, (int)du->period,
                     du->has_price ? "" : "none ", (long long)du->price_cents, have ? "" : "none ",
                     (long long)best);
    }
}

static void random_instances_match_reference(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        uint64_t s = seed * 0x9E3779B97F4A7C15ull;
        ref_inst x;
        ref_generate(&s, &x, 7, 7);
        lds_match_result *r = NULL;
        lds_err e;
        if (lds_match_run(&x.in, &r, &e) != LDS_OK)
            fail_msg("seed %llu: %s", (unsigned long long)seed, e.msg);
        check_instance(seed, &x.in, r);
        lds_match_result_free(r);
    }
    printf("lines %zu, licences %zu, priced duals %zu, reasons:", seen_lines, seen_licence,
           seen_duals);
    for (int k = 1; k < 6; k++) {
        printf(" %s %zu", lds_match_reason_name((lds_match_reason)k), seen_reason[k]);
        assert_true(seen_reason[k] > 0); /* the generator reaches every reason */
    }
    printf("\n");
    assert_true(seen_licence > 0 && seen_duals > 0);
}

static void larger_random_instances_match_reference(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        uint64_t s = seed * 0xD1B54A32D192ED03ull;
        ref_inst x;
        ref_generate(&s, &x, REF_MAX, REF_MAX);
        lds_match_result *r = NULL;
        lds_err e;
        if (lds_match_run(&x.in, &r, &e) != LDS_OK)
            fail_msg("seed %llu: %s", (unsigned long long)seed, e.msg);
        check_instance(seed, &x.in, r);
        lds_match_result_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_instances_match_reference),
        cmocka_unit_test(larger_random_instances_match_reference),
    };
    return cmocka_run_group_tests_name("match_reference", tests, NULL, NULL);
}
