/* test_metrics.c — lifecycle metrics on a hand-made history (medians and
 * 90th percentiles computed by hand with linear interpolation), SLA breach
 * rates, open items, the renderings, bad inputs, a randomized comparison
 * with a plain sort, and allocation failures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/lifecycle.h"

#define D 86400000LL /* ms per day */

static void near(double a, double b, int line)
{
    if (!(fabs(a - b) <= 1e-9 * fmax(1, fabs(b))))
        fail_msg("line %d: %.12g is not %.12g", line, a, b);
}
#define NEAR(a, b) near((double)(a), (double)(b), __LINE__)

/* The history (days from 0):
 *  P1 magnets/ganzhou: proposed 0, permitting 10, financing 30, technical_validation 60,
 *     pilot_production 100, talent 130, market_access 150 (now)
 *  P2 magnets/shenzhen: created 5, permitting 9, financing 25, on_hold 35, financing 55,
 *     technical_validation 75 (now)
 *  P3 ev/shenzhen: 0, permitting 20, financing 50, tv 60, pilot 90, talent 100,
 *     market_access 110, operating 200
 *  P4 ev/ganzhou: created 0 (its creation listed as a move to proposed), still proposed
 *  P5 wind/ganzhou: 0, permitting 2, abandoned 50 */
static const lds_lcm_project projects[] = {
    {1, "magnets", "ganzhou", LDS_PSTAGE_MARKET_ACCESS, 0},
    {2, "magnets", "shenzhen", LDS_PSTAGE_TECHNICAL_VALIDATION, 5 * D},
    {3, "ev", "shenzhen", LDS_PSTAGE_OPERATING, 0},
    {4, "ev", "ganzhou", LDS_PSTAGE_PROPOSED, 0},
    {5, "wind", "ganzhou", LDS_PSTAGE_ABANDONED, 0},
};

/* Deliberately out of order across and within projects. */
static const lds_lcm_transition transitions[] = {
    {3, LDS_PSTAGE_OPERATING, 200 * D},
    {1, LDS_PSTAGE_PERMITTING, 10 * D},
    {2, LDS_PSTAGE_PERMITTING, 9 * D},
    {1, LDS_PSTAGE_MARKET_ACCESS, 150 * D},
    {1, LDS_PSTAGE_FINANCING, 30 * D},
    {1, LDS_PSTAGE_TECHNICAL_VALIDATION, 60 * D},
    {1, LDS_PSTAGE_PILOT_PRODUCTION, 100 * D},
    {1, LDS_PSTAGE_TALENT, 130 * D},
    {2, LDS_PSTAGE_FINANCING, 25 * D},
    {2, LDS_PSTAGE_ON_HOLD, 35 * D},
    {2, LDS_PSTAGE_TECHNICAL_VALIDATION, 75 * D},
    {2, LDS_PSTAGE_FINANCING, 55 * D},
    {3, LDS_PSTAGE_PERMITTING, 20 * D},
    {3, LDS_PSTAGE_FINANCING, 50 * D},
    {3, LDS_PSTAGE_TECHNICAL_VALIDATION, 60 * D},
    {3, LDS_PSTAGE_PILOT_PRODUCTION, 90 * D},
    {3, LDS_PSTAGE_TALENT, 100 * D},
    {3, LDS_PSTAGE_MARKET_ACCESS, 110 * D},
    {4, LDS_PSTAGE_PROPOSED, 0},
    {5, LDS_PSTAGE_PERMITTING, 2 * D},
    {5, LDS_PSTAGE_ABANDONED, 50 * D},
};

/* Now = day 300. */
static const lds_lcm_request requests[] = {
    {1, LDS_FACTOR_PERMITTING, 100, LDS_SR_DONE, 10 * D, 8 * D},          /* on time */
    {1, LDS_FACTOR_FINANCING, 100, LDS_SR_DONE, 30 * D, 40 * D},          /* late */
    {2, LDS_FACTOR_PERMITTING, 101, LDS_SR_OPEN, 200 * D, 0},             /* open, overdue */
    {2, LDS_FACTOR_TECHNICAL_VALIDATION, 101, LDS_SR_IN_PROGRESS, 400 * D, 0}, /* not due */
    {3, LDS_FACTOR_PERMITTING, 100, LDS_SR_REJECTED, 30 * D, 0},          /* not counted */
    {4, LDS_FACTOR_PERMITTING, 0, LDS_SR_ACCEPTED, 250 * D, 0},           /* unassigned, overdue */
};

static const lds_lcm_org orgs[] = {{99, "Unused Co."}, {100, "Ganzhou Test Lab"}, {101, "Bank B"}};

static lds_lcm_input input(void)
{
    lds_lcm_input in = {projects, 5, transitions, sizeof transitions / sizeof transitions[0],
                        requests, sizeof requests / sizeof requests[0], 300 * D, orgs, 3};
    return in;
}

static const lds_lcm_stat *find(const lds_lcm_stat *v, size_t n, int stage, lds_lcm_dim dim,
                                const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].stage == stage && v[i].dim == dim &&
            (key ? v[i].key && strcmp(v[i].key, key) == 0 : !v[i].key))
            return &v[i];
    return NULL;
}

static void expect(const lds_lcm_metrics *m, int stage, lds_lcm_dim dim, const char *key,
                   size_t n, double median_d, double p90_d, int line)
{
    const lds_lcm_stat *st = stage < 0 ? find(m->ttm, m->n_ttm, stage, dim, key)
                                       : find(m->cycle, m->n_cycle, stage, dim, key);
    if (!st)
        fail_msg("line %d: no group stage %d dim %d key %s", line, stage, (int)dim,
                 key ? key : "-");
    if (st->n != n)
        fail_msg("line %d: n %zu, expected %zu", line, st->n, n);
    near(st->median_ms, median_d * D, line);
    near(st->p90_ms, p90_d * D, line);
}
#define EXPECT(st, dim, key, n, med, p90) expect(m, st, dim, key, n, med, p90, __LINE__)

static void percentile_is_linear_type7(void **state)
{
    (void)state;
    int64_t x[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    NEAR(lds_lifecycle_percentile(x, 10, 0.5), 5.5);
    NEAR(lds_lifecycle_percentile(x, 10, 0.9), 9.1); /* h = 8.1 */
    NEAR(lds_lifecycle_percentile(x, 10, 0.0), 1);
    NEAR(lds_lifecycle_percentile(x, 10, 1.0), 10);
    NEAR(lds_lifecycle_percentile(x, 1, 0.9), 1);
    NEAR(lds_lifecycle_percentile(x, 0, 0.5), 0);
    int64_t y[4] = {2, 4, 10, 20};
    NEAR(lds_lifecycle_percentile(y, 4, 0.5), 7);  /* h = 1.5 */
    NEAR(lds_lifecycle_percentile(y, 4, 0.9), 17); /* h = 2.7: 10 + 0.7 x 10 */
}

static void hand_made_history(void **state)
{
    (void)state;
    lds_lcm_input in = input();
    lds_lcm_metrics *m = NULL;
    lds_err e;
    assert_int_equal(lds_lifecycle_metrics(&in, &m, &e), LDS_OK);
    /* proposed stays: P1 10, P2 4, P3 20, P5 2 (P4 has not left) */
    EXPECT(LDS_PSTAGE_PROPOSED, LDS_LCM_ALL, NULL, 4, 7, 17);
    EXPECT(LDS_PSTAGE_PROPOSED, LDS_LCM_SECTOR, "magnets", 2, 7, 9.4); /* 4, 10 */
    EXPECT(LDS_PSTAGE_PROPOSED, LDS_LCM_SECTOR, "ev", 1, 20, 20);
    EXPECT(LDS_PSTAGE_PROPOSED, LDS_LCM_SECTOR, "wind", 1, 2, 2);
    EXPECT(LDS_PSTAGE_PROPOSED, LDS_LCM_REGION, "ganzhou", 2, 6, 9.2); /* 2, 10 */
    EXPECT(LDS_PSTAGE_PROPOSED, LDS_LCM_REGION, "shenzhen", 2, 12, 18.4); /* 4, 20 */
    /* permitting: 20, 16, 30, 48 -> 25 and 30 + 0.7 x 18 */
    EXPECT(LDS_PSTAGE_PERMITTING, LDS_LCM_ALL, NULL, 4, 25, 42.6);
    /* financing: P1 30, P2 10 + 20 over two stays, P3 30 */
    EXPECT(LDS_PSTAGE_FINANCING, LDS_LCM_ALL, NULL, 3, 30, 30);
    EXPECT(LDS_PSTAGE_ON_HOLD, LDS_LCM_ALL, NULL, 1, 20, 20);
    /* technical validation: P1 40, P3 30 (P2 is in it) */
    EXPECT(LDS_PSTAGE_TECHNICAL_VALIDATION, LDS_LCM_ALL, NULL, 2, 35, 39);
    EXPECT(LDS_PSTAGE_MARKET_ACCESS, LDS_LCM_ALL, NULL, 1, 90, 90);
    assert_null(find(m->cycle, m->n_cycle, LDS_PSTAGE_OPERATING, LDS_LCM_ALL, NULL));
    assert_null(find(m->cycle, m->n_cycle, LDS_PSTAGE_PROPOSED, LDS_LCM_SECTOR, "solar"));
    /* time to market: P1 150, P3 110 */
    EXPECT(-1, LDS_LCM_ALL, NULL, 2, 130, 146);
    EXPECT(-1, LDS_LCM_SECTOR, "magnets", 1, 150, 150);
    EXPECT(-1, LDS_LCM_SECTOR, "ev", 1, 110, 110);
    EXPECT(-1, LDS_LCM_REGION, "ganzhou", 1, 150, 150);
    EXPECT(-1, LDS_LCM_REGION, "shenzhen", 1, 110, 110);
    assert_int_equal(m->n_ttm, 5);
    /* order: stage, then all, sectors by name, regions by name */
    assert_int_equal(m->cycle[0].stage, LDS_PSTAGE_PROPOSED);
    assert_int_equal(m->cycle[0].dim, LDS_LCM_ALL);
    assert_string_equal(m->cycle[1].key, "ev");
    assert_string_equal(m->cycle[2].key, "magnets");
    assert_string_equal(m->cycle[3].key, "wind");
    assert_string_equal(m->cycle[4].key, "ganzhou");

    /* SLA per factor: permitting 3 counted (one rejected left out), 2 breached */
    assert_int_equal(m->n_sla_factor, 3);
    assert_int_equal(m->sla_factor[0].factor, LDS_FACTOR_PERMITTING);
    assert_int_equal(m->sla_factor[0].n, 3);
    assert_int_equal(m->sla_factor[0].decided, 3);
    assert_int_equal(m->sla_factor[0].breached, 2);
    assert_int_equal(m->sla_factor[0].open_overdue, 2);
    NEAR(m->sla_factor[0].rate, 2.0 / 3.0);
    assert_int_equal(m->sla_factor[1].factor, LDS_FACTOR_FINANCING);
    assert_int_equal(m->sla_factor[1].done_late, 1);
    NEAR(m->sla_factor[1].rate, 1);
    assert_int_equal(m->sla_factor[2].factor, LDS_FACTOR_TECHNICAL_VALIDATION);
    assert_int_equal(m->sla_factor[2].decided, 0);
    /* per provider: unassigned, 100, 101 */
    assert_int_equal(m->n_sla_provider, 3);
    assert_int_equal(m->sla_provider[0].provider_org, 0);
    assert_int_equal(m->sla_provider[0].breached, 1);
    assert_int_equal(m->sla_provider[1].provider_org, 100);
    assert_int_equal(m->sla_provider[1].n, 2);
    NEAR(m->sla_provider[1].rate, 0.5);
    assert_null(m->sla_provider[0].provider);
    assert_string_equal(m->sla_provider[1].provider, "Ganzhou Test Lab");
    assert_int_equal(m->sla_provider[2].provider_org, 101);
    assert_string_equal(m->sla_provider[2].provider, "Bank B");
    assert_int_equal(m->sla_provider[2].decided, 1);
    NEAR(m->sla_provider[2].rate, 1);
    /* open items */
    assert_int_equal(m->open[LDS_PSTAGE_PROPOSED].projects, 1);
    assert_int_equal(m->open[LDS_PSTAGE_PROPOSED].open_requests, 1);
    assert_int_equal(m->open[LDS_PSTAGE_PROPOSED].overdue_requests, 1);
    assert_int_equal(m->open[LDS_PSTAGE_TECHNICAL_VALIDATION].projects, 1);
    assert_int_equal(m->open[LDS_PSTAGE_TECHNICAL_VALIDATION].open_requests, 2);
    assert_int_equal(m->open[LDS_PSTAGE_TECHNICAL_VALIDATION].overdue_requests, 1);
    assert_int_equal(m->open[LDS_PSTAGE_OPERATING].projects, 1);
    assert_int_equal(m->open[LDS_PSTAGE_OPERATING].open_requests, 0);

    lds_buf b = LDS_BUF_INIT;
    lds_lifecycle_metrics_json(m, &b);
    assert_non_null(strstr(b.ptr, "{\"stage\":\"permitting\",\"dimension\":\"all\",\"key\":null,"
                                  "\"n\":4,\"median_days\":25,\"p90_days\":42.6}"));
    assert_non_null(strstr(b.ptr, "\"time_to_market\":[{\"dimension\":\"all\",\"key\":null,"
                                  "\"n\":2,\"median_days\":130,\"p90_days\":146}"));
    assert_non_null(strstr(b.ptr, "{\"factor\":\"permitting\",\"requests\":3,\"decided\":3,"
                                  "\"breached\":2,\"done_late\":0,\"open_overdue\":2,"
                                  "\"breach_rate\":0.666667}"));
    assert_non_null(strstr(b.ptr, "\"breach_rate\":null"));
    assert_non_null(strstr(b.ptr, "{\"provider_org\":null,\"provider\":null,"));
    assert_non_null(strstr(b.ptr, "{\"provider_org\":100,\"provider\":\"Ganzhou Test Lab\","
                                  "\"requests\":2,"));
    lds_buf_reset(&b);
    lds_lifecycle_metrics_csv(m, &b);
    assert_non_null(strstr(b.ptr, "metric,dimension,key,stage,n,median_days,p90_days,decided,"
                                  "breached,breach_rate,projects,open_requests,overdue_requests\r\n"
                                  "cycle_time,all,,proposed,4,7,17,,,,,,\r\n"));
    assert_non_null(strstr(b.ptr, "\r\ntime_to_market,region,shenzhen,,1,110,110,,,,,,\r\n"));
    assert_non_null(strstr(b.ptr, "\r\nsla,provider,100,,2,,,2,1,0.5,,,\r\n"));
    assert_non_null(strstr(b.ptr, "\r\nopen,all,,technical_validation,,,,,,,1,2,1\r\n"));
    lds_buf_reset(&b);
    lds_lifecycle_metrics_table(m, &b);
    assert_non_null(strstr(b.ptr, "Time to market"));
    assert_non_null(strstr(b.ptr, "66.7%"));
    assert_non_null(strstr(b.ptr, "Ganzhou Test Lab (100)"));
    lds_buf_release(&b);
    lds_lifecycle_metrics_free(m);
}

static void bad_inputs_are_named(void **state)
{
    (void)state;
    lds_lcm_metrics *m = NULL;
    lds_err e;
    lds_lcm_input in = input();
    lds_lcm_transition bad_t[] = {{9, LDS_PSTAGE_PERMITTING, D}};
    in.transitions = bad_t;
    in.n_transitions = 1;
    assert_int_equal(lds_lifecycle_metrics(&in, &m, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "unknown project"));
    assert_null(m);
    lds_lcm_transition early[] = {{2, LDS_PSTAGE_PERMITTING, 4 * D}}; /* P2 created day 5 */
    in.transitions = early;
    assert_int_equal(lds_lifecycle_metrics(&in, &m, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "before it was created"));
    in = input();
    lds_lcm_request bad_r[] = {{7, LDS_FACTOR_TALENT, 0, LDS_SR_OPEN, D, 0}};
    in.requests = bad_r;
    in.n_requests = 1;
    assert_int_equal(lds_lifecycle_metrics(&in, &m, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "unknown project 7"));
    in = input();
    lds_lcm_project dup[] = {{1, "ev", "ganzhou", LDS_PSTAGE_PROPOSED, 0},
                             {1, "ev", "ganzhou", LDS_PSTAGE_PROPOSED, 0},
                             {0, "ev", "ganzhou", LDS_PSTAGE_PROPOSED, 0}};
    in.projects = dup;
    in.n_projects = 3;
    in.n_transitions = in.n_requests = 0;
    assert_int_equal(lds_lifecycle_metrics(&in, &m, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "listed twice"));
    /* empty history: zero everything, no groups */
    lds_lcm_input empty = {NULL, 0, NULL, 0, NULL, 0, 0, NULL, 0};
    assert_int_equal(lds_lifecycle_metrics(&empty, &m, &e), LDS_OK);
    assert_int_equal(m->n_cycle + m->n_ttm + m->n_sla_factor + m->n_sla_provider, 0);
    lds_lifecycle_metrics_free(m);
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Random histories (many ties, including all-equal groups) against a plain
 * sort of the same samples. */
static void random_histories_agree_with_sorting(void **state)
{
    (void)state;
    unsigned seed = 20261130;
    srand(seed);
    enum { NP = 3000 };
    static lds_lcm_project ps[NP];
    static lds_lcm_transition ts[NP * 3];
    static int64_t want[NP], ttm[NP];
    static const char *sectors[] = {"magnets", "ev", "wind"};
    size_t nt = 0, nw = 0, nttm = 0;
    for (int i = 0; i < NP; i++) {
        ps[i] = (lds_lcm_project){NP - i, sectors[i % 3], i % 2 ? "ganzhou" : "shenzhen",
                                  LDS_PSTAGE_FINANCING, (int64_t)(rand() % 50) * D};
        int64_t a = ps[i].created_ms + (int64_t)(rand() % (i % 7 == 0 ? 1 : 40)) * D;
        int64_t b2 = a + (int64_t)(rand() % 90) * D;
        ts[nt++] = (lds_lcm_transition){ps[i].id, LDS_PSTAGE_PERMITTING, a};
        ts[nt++] = (lds_lcm_transition){ps[i].id, LDS_PSTAGE_FINANCING, b2};
        if (a > ps[i].created_ms || rand() % 2) /* a zero-length stay still counts */
            want[nw++] = a - ps[i].created_ms;
        else
            nt--, nt--, ps[i].stage = LDS_PSTAGE_PROPOSED;
        if (i % 5 == 0 && ps[i].stage == LDS_PSTAGE_FINANCING) {
            ts[nt++] = (lds_lcm_transition){ps[i].id, LDS_PSTAGE_MARKET_ACCESS, b2 + 7 * D};
            ttm[nttm++] = b2 + 7 * D - ps[i].created_ms;
        }
    }
    lds_lcm_input in = {ps, NP, ts, nt, NULL, 0, 0, NULL, 0};
    lds_lcm_metrics *m = NULL;
    lds_err e;
    if (lds_lifecycle_metrics(&in, &m, &e) != LDS_OK)
        fail_msg("seed %u: %s", seed, e.msg);
    qsort(want, nw, sizeof *want, cmp64);
    qsort(ttm, nttm, sizeof *ttm, cmp64);
    const lds_lcm_stat *st = find(m->cycle, m->n_cycle, LDS_PSTAGE_PROPOSED, LDS_LCM_ALL, NULL);
    assert_non_null(st);
    assert_int_equal(st->n, nw);
    NEAR(st->median_ms, lds_lifecycle_percentile(want, nw, 0.5));
    NEAR(st->p90_ms, lds_lifecycle_percentile(want, nw, 0.9));
    st = find(m->ttm, m->n_ttm, -1, LDS_LCM_ALL, NULL);
    assert_non_null(st);
    assert_int_equal(st->n, nttm);
    NEAR(st->median_ms, lds_lifecycle_percentile(ttm, nttm, 0.5));
    NEAR(st->p90_ms, lds_lifecycle_percentile(ttm, nttm, 0.9));
    lds_lifecycle_metrics_free(m);
}

static void survives_allocation_failures(void **state)
{
    (void)state;
    lds_lcm_input in = input();
    int done = 0;
    for (long nth = 1; nth < 200 && !done; nth++) {
        lds_lcm_metrics *m = NULL;
        lds_err e;
        lds_alloc_fail_after(nth);
        lds_code rc = lds_lifecycle_metrics(&in, &m, &e);
        lds_alloc_fail_after(0);
        if (rc == LDS_OK) {
            done = 1;
            assert_int_equal(m->n_ttm, 5);
            lds_lifecycle_metrics_free(m);
        } else {
            assert_int_equal(rc, LDS_ENOMEM);
            assert_null(m);
        }
    }
    assert_true(done);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percentile_is_linear_type7),
        cmocka_unit_test(hand_made_history),
        cmocka_unit_test(bad_inputs_are_named),
        cmocka_unit_test(random_histories_agree_with_sorting),
        cmocka_unit_test(survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
