/*
 * test_session.c — incremental matching: after every added, changed or
 * withdrawn offer or request, the warm re-solved session equals a cold run
 * on the changed data (matched quantity, exact cost, unmet and reasons,
 * duals), and the reported line changes turn the old lines into the new.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/match.h"
#include "ref.h"

typedef struct model { /* the data the session should hold */
    lds_match_offer o[64];
    lds_match_request d[64];
    size_t no, nd;
    lds_match_lane l[REF_MAX];
    size_t nl;
} model;

static char idpool[256][16];
static int n_ids;

static const char *new_id(char kind)
{
    snprintf(idpool[n_ids], sizeof idpool[n_ids], "%c%d", kind, n_ids);
    return idpool[n_ids++];
}

static int same_line(const lds_match_line *a, const lds_match_line *b)
{
    return strcmp(a->offer_id, b->offer_id) == 0 && strcmp(a->request_id, b->request_id) == 0 &&
           a->qty_milli == b->qty_milli && a->ship_period == b->ship_period &&
           a->line_total_cents == b->line_total_cents;
}

static void compare_with_cold(uint64_t seed, int step, const model *m,
                              const lds_match_result *warm)
{
    lds_match_input in = {m->o, m->no, m->d, m->nd, m->l, m->nl};
    lds_match_result *cold = NULL;
    lds_err e;
    if (lds_match_run(&in, &cold, &e) != LDS_OK)
        fail_msg("seed %llu step %d: cold run: %s", (unsigned long long)seed, step, e.msg);
    if (warm->matched_milli != cold->matched_milli ||
        warm->exact_cost_millicents != cold->exact_cost_millicents ||
        warm->unmet_milli != cold->unmet_milli || warm->n_duals != cold->n_duals)
        fail_msg("seed %llu step %d: warm %lld/%lld, cold %lld/%lld", (unsigned long long)seed,
                 step, (long long)warm->matched_milli, (long long)warm->exact_cost_millicents,
                 (long long)cold->matched_milli, (long long)cold->exact_cost_millicents);
    /* Optima may split a shortage differently between requests, but a
     * request short in both has the same reason, and one short in only one
     * of them can only be short for lack of supply. */
    for (int pass = 0; pass < 2; pass++) {
        const lds_match_result *x = pass ? cold : warm, *y = pass ? warm : cold;
        for (size_t i = 0; i < x->n_unmet; i++) {
            const lds_match_unmet *u = &x->unmet[i];
            size_t j = 0;
            while (j < y->n_unmet && strcmp(y->unmet[j].request_id, u->request_id))
                j++;
            if (j < y->n_unmet ? y->unmet[j].reason != u->reason
                               : u->reason != LDS_MATCH_INSUFFICIENT_SUPPLY)
                fail_msg("seed %llu step %d: unmet %s differs", (unsigned long long)seed, step,
                         u->request_id);
        }
    }
    for (size_t k = 0; k < warm->n_duals; k++) {
        const lds_match_dual *a = &warm->duals[k], *b = &cold->duals[k];
        if (strcmp(a->region, b->region) || strcmp(a->material, b->material) ||
            a->period != b->period || a->has_price != b->has_price ||
            a->price_cents != b->price_cents || a->demand_milli != b->demand_milli)
            fail_msg("seed %llu step %d: dual %zu differs", (unsigned long long)seed, step, k);
    }
    lds_match_result_free(cold);
}

/* Applies the diff to a copy of the old lines and compares with the new. */
static void check_diff(const lds_match_line *old, size_t n_old, const lds_match_result *now,
                       const lds_match_diff *diff)
{
    lds_match_line tmp[256];
    size_t n = 0;
    assert_true(n_old + diff->n_items < 256);
    for (size_t i = 0; i < n_old; i++)
        tmp[n++] = old[i];
    for (size_t k = 0; k < diff->n_items; k++) {
        const lds_match_line_diff *d = &diff->items[k];
        if (d->change == LDS_MATCH_LINE_ADDED) {
            tmp[n++] = d->after;
            continue;
        }
        size_t i = 0;
        while (i < n && !same_line(&tmp[i], &d->before))
            i++;
        assert_true(i < n);
        if (d->change == LDS_MATCH_LINE_REMOVED)
            tmp[i] = tmp[--n];
        else
            tmp[i] = d->after;
    }
    assert_int_equal(n, now->n_lines);
    for (size_t j = 0; j < now->n_lines; j++) {
        size_t i = 0;
        while (i < n && !same_line(&tmp[i], &now->lines[j]))
            i++;
        assert_true(i < n);
    }
}

static void warm_changes_equal_cold_runs(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 150; seed++) {
        uint64_t s = seed * 0x9E3779B97F4A7C15ull;
        ref_inst x;
        ref_generate(&s, &x, 6, 6);
        model m;
        memset(&m, 0, sizeof m);
        n_ids = 0;
        for (size_t i = 0; i < x.in.n_offers; i++) {
            m.o[m.no] = x.o[i];
            m.o[m.no++].id = new_id('o');
        }
        for (size_t i = 0; i < x.in.n_requests; i++) {
            m.d[m.nd] = x.d[i];
            m.d[m.nd++].id = new_id('d');
        }
        memcpy(m.l, x.l, sizeof x.l);
        m.nl = x.in.n_lanes;
        lds_match_input in = {m.o, m.no, m.d, m.nd, m.l, m.nl};
        lds_match_session *ss = NULL;
        lds_err e;
        if (lds_match_session_new(&in, &ss, &e) != LDS_OK)
            fail_msg("seed %llu: %s", (unsigned long long)seed, e.msg);
        for (int step = 0; step < 40; step++) {
            const lds_match_result *before = lds_match_session_result(ss);
            size_t n_old = before->n_lines;
            lds_match_line *old = malloc((n_old + 1) * sizeof *old);
            memcpy(old, before->lines, n_old * sizeof *old);
            lds_match_diff diff;
            lds_code rc = LDS_OK;
            int op = (int)ref_pick(&s, 0, 5);
            if (op == 0 && m.no < 60) { /* new offer */
                ref_offer(&s, &m.o[m.no], new_id('o'));
                rc = lds_match_session_put_offer(ss, &m.o[m.no], &diff, &e);
                m.no++;
            } else if (op == 1 && m.no) { /* changed offer (same id) */
                size_t i = (size_t)ref_pick(&s, 0, (int64_t)m.no - 1);
                const char *id = m.o[i].id;
                ref_offer(&s, &m.o[i], id);
                rc = lds_match_session_put_offer(ss, &m.o[i], &diff, &e);
            } else if (op == 2 && m.no) { /* withdrawn offer */
                size_t i = (size_t)ref_pick(&s, 0, (int64_t)m.no - 1);
                rc = lds_match_session_withdraw_offer(ss, m.o[i].id, &diff, &e);
                m.o[i] = m.o[--m.no];
            } else if (op == 3 && m.nd < 60) {
                ref_request(&s, &m.d[m.nd], new_id('d'));
                rc = lds_match_session_put_request(ss, &m.d[m.nd], &diff, &e);
                m.nd++;
            } else if (op == 4 && m.nd) {
                size_t i = (size_t)ref_pick(&s, 0, (int64_t)m.nd - 1);
                const char *id = m.d[i].id;
                ref_request(&s, &m.d[i], id);
                rc = lds_match_session_put_request(ss, &m.d[i], &diff, &e);
            } else if (op == 5 && m.nd) {
                size_t i = (size_t)ref_pick(&s, 0, (int64_t)m.nd - 1);
                rc = lds_match_session_withdraw_request(ss, m.d[i].id, &diff, &e);
                m.d[i] = m.d[--m.nd];
            } else {
                free(old);
                continue;
            }
            if (rc != LDS_OK)
                fail_msg("seed %llu step %d op %d: %s", (unsigned long long)seed, step, op, e.msg);
            const lds_match_result *now = lds_match_session_result(ss);
            compare_with_cold(seed, step, &m, now);
            check_diff(old, n_old, now, &diff);
            free(old);
        }
        lds_match_session_free(ss);
    }
}

static void withdraw_unknown_and_diff_of_new_offer(void **state)
{
    (void)state;
    lds_match_offer o = {"O1", "up", "nd2o3", "zhanggong", 5000, 10000, 24312, 24315,
                         LDS_MATCH_NO_PURITY, 0, 0};
    lds_match_request d = {"R1", "down", "nd2o3", "zhanggong", 8000, 20000, 24314,
                           LDS_MATCH_NO_PURITY, 0};
    lds_match_input in = {&o, 1, &d, 1, NULL, 0};
    lds_match_session *s;
    lds_err e;
    assert_int_equal(lds_match_session_new(&in, &s, &e), LDS_OK);
    assert_int_equal(lds_match_session_result(s)->matched_milli, 5000);
    lds_match_diff diff;
    assert_int_equal(lds_match_session_withdraw_offer(s, "nope", &diff, &e), LDS_ENOTFOUND);
    lds_match_offer o2 = o;
    o2.id = "O2";
    o2.price_cents = 9000;
    assert_int_equal(lds_match_session_put_offer(s, &o2, &diff, &e), LDS_OK);
    const lds_match_result *r = lds_match_session_result(s);
    assert_int_equal(r->matched_milli, 8000);
    /* O2 is cheaper: it takes 5, O1 keeps 3 of its 5 -> one added, one changed */
    assert_int_equal(diff.n_items, 2);
    assert_int_equal(diff.items[0].change, LDS_MATCH_LINE_CHANGED);
    assert_string_equal(diff.items[0].before.offer_id, "O1");
    assert_int_equal(diff.items[0].before.qty_milli, 5000);
    assert_int_equal(diff.items[0].after.qty_milli, 3000);
    assert_int_equal(diff.items[1].change, LDS_MATCH_LINE_ADDED);
    assert_string_equal(diff.items[1].after.offer_id, "O2");
    assert_int_equal(diff.items[1].after.qty_milli, 5000);
    assert_int_equal(lds_match_session_withdraw_request(s, "R1", &diff, &e), LDS_OK);
    assert_int_equal(diff.n_items, 2);
    assert_int_equal(diff.items[0].change, LDS_MATCH_LINE_REMOVED);
    assert_int_equal(lds_match_session_result(s)->n_duals, 0);
    /* a bad record leaves the session as it was */
    o2.qty_milli = -5;
    assert_int_equal(lds_match_session_put_offer(s, &o2, &diff, &e), LDS_EINVAL);
    lds_match_session_free(s);
}

static void many_additions_outgrow_spare_nodes(void **state)
{
    (void)state;
    lds_match_input in = {0};
    lds_match_session *s;
    lds_err e;
    assert_int_equal(lds_match_session_new(&in, &s, &e), LDS_OK);
    char ids[400][16];
    for (int i = 0; i < 400; i++) {
        snprintf(ids[i], sizeof ids[i], "%c%d", i % 2 ? 'd' : 'o', i);
        if (i % 2 == 0) {
            lds_match_offer o = {ids[i], "up", "nd2o3", "gz", 1000, 100 + i, 24312, 24312,
                                 LDS_MATCH_NO_PURITY, 0, 0};
            assert_int_equal(lds_match_session_put_offer(s, &o, NULL, &e), LDS_OK);
        } else {
            lds_match_request d = {ids[i], "down", "nd2o3", "gz", 1500, 100000, 24312 + i % 5,
                                   LDS_MATCH_NO_PURITY, 0};
            assert_int_equal(lds_match_session_put_request(s, &d, NULL, &e), LDS_OK);
        }
    }
    const lds_match_result *r = lds_match_session_result(s);
    assert_int_equal(r->matched_milli, 200000);
    assert_int_equal(r->unmet_milli, 100000);
    lds_match_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(warm_changes_equal_cold_runs),
        cmocka_unit_test(withdraw_unknown_and_diff_of_new_offer),
        cmocka_unit_test(many_additions_outgrow_spare_nodes),
    };
    return cmocka_run_group_tests_name("match_session", tests, NULL, NULL);
}
