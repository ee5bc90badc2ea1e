/*
 * test_scale.c — incremental matching on a medium corridor (400 offers x
 * 400 requests, 6 regions, 4 materials, ~10^4 compatible pairs): 80 seeded
 * random changes (new, changed and withdrawn offers and requests), each
 * warm result equal to a cold run on the same data in matched quantity,
 * exact cost, unmet quantity and duals.  Warm starts on networks this size
 * take paths (degenerate pivots, deep trees, spare-node reuse) that the
 * tiny instances of test_session.c do not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/match.h"

#define N_MAX 600

static uint64_t rng = 88172645463325252ull;

static int64_t pick(int64_t lo, int64_t hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (int64_t)(rng % (uint64_t)(hi - lo + 1));
}

static const char *const regions[] = {"zhanggong", "longnan", "nanshan", "baoan", "baotou", "de_bw"};
static const char *const mats[] = {"nd2o3", "dy2o3", "mag_n52", "magnet_scrap"};
static char ids[2 * N_MAX + 400][16];
static int n_ids;

static const char *new_id(char c)
{
    snprintf(ids[n_ids], sizeof ids[n_ids], "%c%d", c, n_ids);
    return ids[n_ids++];
}

static void make_offer(lds_match_offer *o, const char *id)
{
    memset(o, 0, sizeof *o);
    o->id = id;
    o->org = "up";
    o->material = mats[pick(0, 3)];
    o->region = regions[pick(0, 5)];
    o->qty_milli = pick(1, 200) * 250;
    o->price_cents = pick(100, 160) * 100 + pick(0, 99);
    o->from = (int32_t)(24312 + pick(0, 11));
    o->to = o->from + (int32_t)pick(0, 4);
    o->purity = pick(0, 2) ? 990000 + pick(0, 9) * 1000 : LDS_MATCH_NO_PURITY;
    o->controlled = strcmp(o->material, "dy2o3") == 0;
    o->abroad = strcmp(o->region, "de_bw") == 0;
}

static void make_request(lds_match_request *d, const char *id)
{
    memset(d, 0, sizeof *d);
    d->id = id;
    d->org = "down";
    d->material = mats[pick(0, 3)];
    d->region = regions[pick(0, 5)];
    d->qty_milli = pick(1, 160) * 250 + pick(0, 249);
    d->max_price_cents = pick(110, 170) * 100;
    d->due = (int32_t)(24312 + pick(0, 11));
    d->min_purity = pick(0, 3) ? LDS_MATCH_NO_PURITY : 990000 + pick(0, 9) * 1000;
    d->abroad = strcmp(d->region, "de_bw") == 0;
}

static void same_as_cold(int step, const lds_match_result *w, const lds_match_input *in)
{
    lds_match_result *c = NULL;
    lds_err e;
    if (lds_match_run(in, &c, &e) != LDS_OK)
        fail_msg("step %d: cold run: %s", step, e.msg);
    if (w->matched_milli != c->matched_milli || w->exact_cost_millicents != c->exact_cost_millicents ||
        w->unmet_milli != c->unmet_milli || w->n_duals != c->n_duals || w->n_pairs != c->n_pairs)
        fail_msg("step %d: warm %lld/%lld/%zu pairs, cold %lld/%lld/%zu pairs", step,
                 (long long)w->matched_milli, (long long)w->exact_cost_millicents, w->n_pairs,
                 (long long)c->matched_milli, (long long)c->exact_cost_millicents, c->n_pairs);
    for (size_t k = 0; k < w->n_duals; k++)
        if (w->duals[k].has_price != c->duals[k].has_price ||
            w->duals[k].price_cents != c->duals[k].price_cents)
            fail_msg("step %d: dual %zu differs", step, k);
    lds_match_result_free(c);
}

static void warm_equals_cold_on_a_corridor(void **state)
{
    (void)state;
    static lds_match_offer of[N_MAX];
    static lds_match_request rq[N_MAX];
    lds_match_lane ln[64];
    size_t no = 400, nd = 400, nl = 0;
    for (size_t a = 0; a < 6; a++)
        for (size_t b = 0; b < 6; b++)
            if (a != b && pick(0, 3)) {
                ln[nl].from = regions[a];
                ln[nl].to = regions[b];
                ln[nl].cost_cents = pick(100, 900);
                ln[nl++].transit = (int32_t)pick(0, 2);
            }
    for (size_t i = 0; i < no; i++)
        make_offer(&of[i], new_id('o'));
    for (size_t i = 0; i < nd; i++)
        make_request(&rq[i], new_id('d'));
    lds_match_input in = {of, no, rq, nd, ln, nl};
    lds_match_session *s;
    lds_err e;
    assert_int_equal(lds_match_session_new(&in, &s, &e), LDS_OK);
    assert_true(lds_match_session_result(s)->n_pairs > 5000);
    same_as_cold(-1, lds_match_session_result(s), &in);
    for (int step = 0; step < 80; step++) {
        int op = (int)pick(0, 5);
        lds_code rc;
        lds_match_diff diff;
        if (op == 0 && no < N_MAX) {
            make_offer(&of[no], new_id('o'));
            rc = lds_match_session_put_offer(s, &of[no++], &diff, &e);
        } else if (op == 1) {
            size_t i = (size_t)pick(0, (int64_t)no - 1);
            make_offer(&of[i], of[i].id);
            rc = lds_match_session_put_offer(s, &of[i], &diff, &e);
        } else if (op == 2) {
            size_t i = (size_t)pick(0, (int64_t)no - 1);
            rc = lds_match_session_withdraw_offer(s, of[i].id, &diff, &e);
            of[i] = of[--no];
        } else if (op == 3 && nd < N_MAX) {
            make_request(&rq[nd], new_id('d'));
            rc = lds_match_session_put_request(s, &rq[nd++], &diff, &e);
        } else if (op == 4) {
            size_t i = (size_t)pick(0, (int64_t)nd - 1);
            make_request(&rq[i], rq[i].id);
            rc = lds_match_session_put_request(s, &rq[i], &diff, &e);
        } else {
            size_t i = (size_t)pick(0, (int64_t)nd - 1);
            rc = lds_match_session_withdraw_request(s, rq[i].id, &diff, &e);
            rq[i] = rq[--nd];
        }
        if (rc != LDS_OK)
            fail_msg("step %d op %d: %s", step, op, e.msg);
        in.n_offers = no;
        in.n_requests = nd;
        same_as_cold(step, lds_match_session_result(s), &in);
    }
    lds_match_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(warm_equals_cold_on_a_corridor),
    };
    return cmocka_run_group_tests_name("match_scale", tests, NULL, NULL);
}
