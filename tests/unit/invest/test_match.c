/* test_match.c — investor matching on hand-made mandates and projects:
 * points per criterion, the bottleneck bonus lifting a project above its
 * equals, partial tickets, deterministic ties, explanations, both
 * directions, bad inputs, a randomized check of the top-k against scoring
 * every pair, allocation failures and the deal stage machine. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/invest.h"

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

static const char *m1_sectors[] = {"magnets", "materials"};
static const char *m1_stages[] = {"financing", "pilot_production"};
static const char *m1_regions[] = {"ganzhou"};
static const char *m1_materials[] = {"dy2o3", "ndpr_oxide"};

static const lds_invest_mandate mandates[] = {
    {1, 501, m1_sectors, 2, m1_stages, 2, 50e6, 200e6, m1_regions, 1, m1_materials, 2},
    {2, 502, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, 0}, /* anything */
};

static const char *gz_sz[] = {"ganzhou", "shenzhen"};
static const char *gz[] = {"ganzhou"};
static const char *sz[] = {"shenzhen"};
static const char *n42[] = {"ndfeb_n42sh"};
static const char *dy[] = {"dy2o3"};
static const char *n35[] = {"ndfeb_n35"};

static const lds_invest_project projects[] = {
    /* expands facility 12, the plan's second bottleneck */
    {10, "magnets", "financing", 100e6, gz_sz, 2, n42, 1, 12, "ndfeb_n42sh", "shenzhen", 500},
    /* new Dy2O3 capacity in Ganzhou: the top bottleneck; needs more than the largest ticket */
    {11, "materials", "permitting", 300e6, gz, 1, dy, 1, 0, "dy2o3", "ganzhou", 200},
    {12, "ev", "financing", 10e6, sz, 1, n35, 1, 0, NULL, NULL, 0},
    {13, "magnets", "financing", 100e6, gz, 1, n42, 1, 0, NULL, NULL, 0},
    {9, "magnets", "financing", 100e6, gz, 1, n42, 1, 0, NULL, NULL, 0},
    /* Dy2O3 capacity, but in Baotou: the Ganzhou bottleneck does not apply */
    {14, "materials", "financing", 0, gz, 1, dy, 1, 0, "dy2o3", "baotou", 100},
};

static const lds_invest_bottleneck bottlenecks[] = {
    {12, "Shenzhen magnet plant", "ndfeb_n42sh", "shenzhen", 1000},
    {11, "Longnan separation", "dy2o3", "ganzhou", 4000},
};

static lds_invest_input input(void)
{
    lds_invest_input in = {mandates, 2, projects, 6, bottlenecks, 2};
    return in;
}

static int64_t pid(const lds_invest_result *r, size_t i)
{
    return projects[r->matches[i].project].id;
}

static void hand_made_scores_and_ranking(void **state)
{
    (void)state;
    lds_invest_input in = input();
    lds_invest_result *r = NULL;
    lds_err e;
    assert_int_equal(lds_invest_match_mandates(&in, 10, 0, &r, &e), LDS_OK);
    assert_int_equal(r->n_groups, 2);
    /* Mandate 1: P11 30 + 10 (partial ticket) + 15 + 15 + 25 (the top
     * bottleneck) = 95; P10 30 + 20 + 20 + 15 + 25 x 1000/4000 = 91.25;
     * P9 and P13 85 (tie: lower id first); P14 materials 30, financing 20,
     * no need 0, ganzhou 15, dy2o3 15 = 80 (its capacity is in Baotou);
     * P12 only the stage: 20. */
    assert_int_equal(r->first[0], 0);
    assert_int_equal(r->first[1], 6);
    assert_int_equal(pid(r, 0), 11);
    NEAR(r->matches[0].score, 95);
    NEAR(r->matches[0].bonus, 25);
    assert_int_equal(r->matches[0].bottleneck, 1);
    assert_int_equal(r->matches[0].partial, LDS_INVEST_C_TICKET);
    assert_int_equal(r->matches[0].matched,
                     LDS_INVEST_C_SECTOR | LDS_INVEST_C_REGION | LDS_INVEST_C_MATERIAL);
    assert_int_equal(pid(r, 1), 10);
    NEAR(r->matches[1].score, 91.25);
    assert_int_equal(r->matches[1].bottleneck, 0);
    assert_int_equal(pid(r, 2), 9);
    NEAR(r->matches[2].score, 85);
    assert_int_equal(r->matches[2].bottleneck, -1);
    assert_int_equal(pid(r, 3), 13);
    NEAR(r->matches[3].score, 85);
    assert_int_equal(pid(r, 4), 14);
    NEAR(r->matches[4].score, 80);
    assert_int_equal(r->matches[4].bottleneck, -1); /* Baotou, not Ganzhou */
    assert_int_equal(pid(r, 5), 12);
    NEAR(r->matches[5].score, 20);
    assert_int_equal(r->matches[5].matched, LDS_INVEST_C_STAGE);
    /* Mandate 2 takes anything: 100 (80 without a need) plus the bonus. */
    assert_int_equal(r->first[2], 12);
    assert_int_equal(pid(r, 6), 11);
    NEAR(r->matches[6].score, 125);
    assert_int_equal(pid(r, 7), 10);
    NEAR(r->matches[7].score, 106.25);
    assert_int_equal(pid(r, 8), 9);
    assert_int_equal(pid(r, 9), 12);
    assert_int_equal(pid(r, 10), 13);
    assert_int_equal(pid(r, 11), 14);
    NEAR(r->matches[11].score, 80);
    lds_invest_result_free(r);

    /* top 3 and a floor of 50 */
    assert_int_equal(lds_invest_match_mandates(&in, 3, 0, &r, &e), LDS_OK);
    assert_int_equal(r->first[1], 3);
    assert_int_equal(pid(r, 0), 11);
    assert_int_equal(pid(r, 1), 10);
    assert_int_equal(pid(r, 2), 9);
    lds_invest_result_free(r);
    assert_int_equal(lds_invest_match_mandates(&in, 10, 50, &r, &e), LDS_OK);
    assert_int_equal(r->first[1], 5); /* P12 (20) left out */
    lds_invest_result_free(r);

    /* Without bottlenecks P10 falls back to the tie with P9 and P13, after P9. */
    in.n_bottlenecks = 0;
    assert_int_equal(lds_invest_match_mandates(&in, 10, 0, &r, &e), LDS_OK);
    assert_int_equal(pid(r, 0), 9);
    assert_int_equal(pid(r, 1), 10);
    assert_int_equal(pid(r, 2), 13);
    assert_int_equal(pid(r, 3), 14);
    assert_int_equal(pid(r, 4), 11);
    NEAR(r->matches[4].score, 70);
    lds_invest_result_free(r);
}

static void by_project_and_single_pairs(void **state)
{
    (void)state;
    lds_invest_input in = input();
    lds_invest_result *r = NULL;
    lds_err e;
    assert_int_equal(lds_invest_match_projects(&in, 5, 0, &r, &e), LDS_OK);
    assert_int_equal(r->n_groups, 6);
    /* project 12 (index 2): mandate 2 (100) then mandate 1 (20) */
    size_t a = r->first[2];
    assert_int_equal(r->first[3] - a, 2);
    assert_int_equal(mandates[r->matches[a].mandate].id, 2);
    NEAR(r->matches[a].score, 100);
    assert_int_equal(mandates[r->matches[a + 1].mandate].id, 1);
    NEAR(r->matches[a + 1].score, 20);
    /* every engine score equals the pair scorer's */
    for (size_t i = 0; i < r->n; i++) {
        lds_invest_match one;
        lds_invest_score(&in, r->matches[i].mandate, r->matches[i].project, &one);
        NEAR(one.score, r->matches[i].score);
        assert_int_equal(one.matched, r->matches[i].matched);
        assert_int_equal(one.partial, r->matches[i].partial);
        assert_int_equal(one.bottleneck, r->matches[i].bottleneck);
    }
    lds_invest_result_free(r);
}

static void explanations_say_why(void **state)
{
    (void)state;
    lds_invest_input in = input();
    lds_invest_match m;
    lds_buf b = LDS_BUF_INIT;
    lds_invest_score(&in, 0, 1, &m); /* mandate 1, project 11 */
    lds_invest_explain_json(&in, &m, &b);
    assert_non_null(strstr(b.ptr, "{\"score\":95,\"matched\":[\"sector\",\"region\",\"material\"],"
                                  "\"partial\":[\"ticket\"],\"unmatched\":[\"stage\"],"));
    assert_non_null(strstr(b.ptr, "\"detail\":\"stage permitting is not one of the mandate's "
                                  "stages (financing, pilot_production)\""));
    assert_non_null(strstr(b.ptr, "financing need 300000000 CNY exceeds the largest ticket "
                                  "200000000 CNY: a partial ticket"));
    assert_non_null(strstr(b.ptr, "{\"criterion\":\"ticket\",\"matched\":false,\"points\":10,"));
    assert_non_null(strstr(b.ptr, "the project uses or makes the mandate's materials: dy2o3"));
    assert_non_null(strstr(b.ptr, "\"bottleneck\":{\"facility_id\":11,\"facility\":\"Longnan "
                                  "separation\",\"rank\":1,\"dual\":4000,\"bonus\":25,"));
    assert_non_null(strstr(b.ptr, "adds 200 t per period of dy2o3 capacity at Longnan "
                                  "separation, the plan's bottleneck #1 (dual value 4000.00 CNY "
                                  "per t of capacity): +25.0 points"));
    lds_buf_reset(&b);
    lds_invest_score(&in, 0, 2, &m); /* mandate 1, project 12 */
    lds_invest_explain_json(&in, &m, &b);
    assert_non_null(strstr(b.ptr, "\"unmatched\":[\"sector\",\"ticket\",\"region\",\"material\"]"));
    assert_non_null(strstr(b.ptr, "financing need 10000000 CNY is below the smallest ticket "
                                  "50000000 CNY"));
    assert_non_null(strstr(b.ptr, "none of the project's regions (shenzhen) is one of the "
                                  "mandate's (ganzhou)"));
    assert_non_null(strstr(b.ptr, "\"bottleneck\":null}"));
    lds_buf_reset(&b);
    lds_invest_score(&in, 0, 0, &m); /* mandate 1, project 10: second bottleneck */
    lds_invest_explain_json(&in, &m, &b);
    assert_non_null(strstr(b.ptr, "bottleneck #2 (dual value 1000.00 CNY per t"));
    assert_non_null(strstr(b.ptr, "the project works in the mandate's regions: ganzhou"));
    lds_buf_reset(&b);
    lds_invest_score(&in, 1, 5, &m); /* mandate 2, project 14 */
    lds_invest_explain_json(&in, &m, &b);
    assert_non_null(strstr(b.ptr, "the mandate takes any sector (project: materials)"));
    assert_non_null(strstr(b.ptr, "the project has no financing need"));
    lds_buf_release(&b);
}

static void bad_inputs_are_named(void **state)
{
    (void)state;
    lds_invest_result *r = NULL;
    lds_err e;
    lds_invest_mandate m = mandates[0];
    lds_invest_input in = {&m, 1, projects, 6, bottlenecks, 2};
    m.ticket_max = 10e6; /* below ticket_min */
    assert_int_equal(lds_invest_match_mandates(&in, 5, 0, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "mandate 1: ticket_max"));
    assert_null(r);
    m = mandates[0];
    m.ticket_min = -1;
    assert_int_equal(lds_invest_match_mandates(&in, 5, 0, &r, &e), LDS_EINVAL);
    lds_invest_project p = projects[0];
    p.financing_need = -5;
    in = (lds_invest_input){mandates, 2, &p, 1, bottlenecks, 2};
    assert_int_equal(lds_invest_match_projects(&in, 5, 0, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "project 10"));
    p = projects[0];
    p.sector = NULL;
    assert_int_equal(lds_invest_match_projects(&in, 5, 0, &r, &e), LDS_EINVAL);
    lds_invest_bottleneck b = bottlenecks[0];
    b.dual = 0;
    in = (lds_invest_input){mandates, 2, projects, 6, &b, 1};
    assert_int_equal(lds_invest_match_projects(&in, 5, 0, &r, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "bottleneck 0"));
    /* nothing to match is fine */
    in = (lds_invest_input){NULL, 0, NULL, 0, NULL, 0};
    assert_int_equal(lds_invest_match_mandates(&in, 5, 0, &r, &e), LDS_OK);
    assert_int_equal(r->n, 0);
    lds_invest_result_free(r);
}

/* A random population (more than 64 materials, so bitsets span words)
 * against scoring every pair and sorting. */
typedef struct ref {
    double score;
    int64_t id;
} ref;
static int cmp_ref(const void *a, const void *b)
{
    const ref *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static void random_topk_equals_brute_force(void **state)
{
    (void)state;
    enum { NM = 60, NP = 400, NMAT = 90, K = 7 };
    static char mat_names[NMAT][16];
    static const char *mats[NMAT];
    static const char *sectors[] = {"magnets", "motors", "ev", "wind", "drones"};
    static const char *stages[] = {"proposed", "permitting", "financing", "pilot_production"};
    static const char *regions[] = {"ganzhou", "shenzhen", "baotou", "ningbo"};
    for (int i = 0; i < NMAT; i++) {
        snprintf(mat_names[i], sizeof mat_names[i], "mat%02u", (unsigned)i);
        mats[i] = mat_names[i];
    }
    static lds_invest_mandate ms[NM];
    static lds_invest_project ps[NP];
    srand(424242);
    for (int i = 0; i < NM; i++) {
        int lo = rand() % 10;
        ms[i] = (lds_invest_mandate){100 - i, 1, sectors + rand() % 4, (size_t)(rand() % 2),
                                     stages + rand() % 3, (size_t)(rand() % 2),
                                     lo * 10e6, rand() % 3 ? (lo + rand() % 10) * 10e6 : 0,
                                     regions + rand() % 3, (size_t)(rand() % 2),
                                     mats + rand() % (NMAT - 3), (size_t)(rand() % 4)};
    }
    for (int i = 0; i < NP; i++) {
        int m0 = rand() % (NMAT - 2);
        ps[i] = (lds_invest_project){i % 50 * 1000 + i / 50, sectors[rand() % 5],
                                     stages[rand() % 4], (rand() % 20) * 10e6,
                                     regions + rand() % 3, 1 + (size_t)(rand() % 2),
                                     mats + m0, 1 + (size_t)(rand() % 2), 0,
                                     rand() % 4 ? NULL : mats[m0], NULL, 50};
    }
    lds_invest_bottleneck bn[] = {{0, "a", "mat05", NULL, 300}, {0, "b", "mat70", NULL, 900}};
    lds_invest_input in = {ms, NM, ps, NP, bn, 2};
    lds_invest_result *r = NULL;
    lds_err e;
    assert_int_equal(lds_invest_match_mandates(&in, K, 0, &r, &e), LDS_OK);
    static ref all[NP];
    for (size_t mi = 0; mi < NM; mi++) {
        size_t n = 0;
        for (size_t pi = 0; pi < NP; pi++) {
            lds_invest_match one;
            lds_invest_score(&in, mi, pi, &one);
            if (one.score > 0)
                all[n++] = (ref){one.score, ps[pi].id};
        }
        qsort(all, n, sizeof *all, cmp_ref);
        size_t want = n < K ? n : K;
        assert_int_equal(r->first[mi + 1] - r->first[mi], want);
        for (size_t k = 0; k < want; k++) {
            const lds_invest_match *got = &r->matches[r->first[mi] + k];
            NEAR(got->score, all[k].score);
            assert_int_equal(ps[got->project].id, all[k].id);
        }
    }
    lds_invest_result_free(r);
}

static void survives_allocation_failures(void **state)
{
    (void)state;
    lds_invest_input in = input();
    int done = 0;
    for (long nth = 1; nth < 100 && !done; nth++) {
        lds_invest_result *r = NULL;
        lds_err e;
        lds_alloc_fail_after(nth);
        lds_code rc = lds_invest_match_mandates(&in, 4, 0, &r, &e);
        lds_alloc_fail_after(0);
        if (rc == LDS_OK) {
            done = 1;
            assert_int_equal(r->n, 8);
            lds_invest_result_free(r);
        } else {
            assert_int_equal(rc, LDS_ENOMEM);
            assert_null(r);
        }
    }
    assert_true(done);
}

static void deal_stage_machine(void **state)
{
    (void)state;
    assert_int_equal(lds_deal_next(LDS_DEAL_INTRODUCED),
                     1u << LDS_DEAL_DILIGENCE | 1u << LDS_DEAL_DECLINED);
    assert_int_equal(lds_deal_next(LDS_DEAL_DILIGENCE),
                     1u << LDS_DEAL_TERM_SHEET | 1u << LDS_DEAL_DECLINED);
    assert_int_equal(lds_deal_next(LDS_DEAL_TERM_SHEET),
                     1u << LDS_DEAL_CLOSED | 1u << LDS_DEAL_DECLINED);
    assert_int_equal(lds_deal_next(LDS_DEAL_CLOSED), 0);
    assert_int_equal(lds_deal_next(LDS_DEAL_DECLINED), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_made_scores_and_ranking),
        cmocka_unit_test(by_project_and_single_pairs),
        cmocka_unit_test(explanations_say_why),
        cmocka_unit_test(bad_inputs_are_named),
        cmocka_unit_test(random_topk_equals_brute_force),
        cmocka_unit_test(survives_allocation_failures),
        cmocka_unit_test(deal_stage_machine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
