/*
 * test_invest.c — end to end: investor mandates (create, validation with
 * nothing stored, who sees what), investor matches both ways with their
 * explanation and the bottleneck bonus of the latest plan run, deals through
 * their pipeline (refused moves are 409 with `allowed`), roles (an investor
 * cannot edit a project nor see another investor's deals), and the
 * lifecycle metrics over a hand-made history written into the database,
 * through GET /api/v1/metrics/lifecycle and `lodestone report lifecycle`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/store.h"
#include "server.h"

static lds_test_server srv;
static long long inv_a, inv_b;             /* two investor organisations */
static char inv_a_token[64], inv_b_token[64];
static char sponsor_token[64];             /* a member of org 1, the sponsor of our projects */

static long long field_id(const lds_http_resp *r)
{
    return (long long)json_integer_value(json_object_get(r->json, "id"));
}

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "invest.db", NULL);
    lds_http_resp r;
    lds_test_call(&srv, "GET", "/api/v1/orgs?kind=investor&limit=10", srv.operator_token, NULL, 200,
                  &r);
    json_t *items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= 3);
    /* The second and third: org 2 holds the harness's member token. */
    inv_a = (long long)json_integer_value(json_object_get(json_array_get(items, 1), "id"));
    inv_b = (long long)json_integer_value(json_object_get(json_array_get(items, 2), "id"));
    lds_http_resp_free(&r);
    lds_test_make_token(&srv, inv_a, "investor", inv_a_token, sizeof inv_a_token);
    lds_test_make_token(&srv, inv_b, "investor", inv_b_token, sizeof inv_b_token);
    lds_test_make_token(&srv, 1, "member", sponsor_token, sizeof sponsor_token);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

static long long mandate_a;

static void mandates_create_validate_and_scope(void **state)
{
    (void)state;
    lds_http_resp r;
    size_t before = lds_test_count_items(&srv, "/api/v1/mandates?limit=500", srv.operator_token);
    /* the demo gives every investor one mandate */
    assert_int_equal(lds_test_count_items(&srv, "/api/v1/mandates", inv_a_token), 1);
    lds_test_call(&srv, "POST", "/api/v1/mandates", inv_a_token,
                  "{\"name\":\"e2e magnets\",\"sectors\":[\"magnets\"],\"stages\":[\"proposed\","
                  "\"financing\"],\"regions\":[\"nanshan\"],\"materials\":[\"mag_n42sh\"],"
                  "\"ticket_min_cny\":10000000,\"ticket_max_cny\":500000000}",
                  201, &r);
    mandate_a = field_id(&r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "investor_org")), inv_a);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "sectors"), 0)),
                        "magnets");
    assert_int_equal(json_integer_value(json_object_get(r.json, "ticket_max_cny")), 500000000);
    assert_non_null(strstr(r.location, "/api/v1/mandates/"));
    lds_http_resp_free(&r);

    /* bad input: nothing stored */
    lds_test_call(&srv, "POST", "/api/v1/mandates", inv_a_token,
                  "{\"name\":\"x\",\"ticket_min_cny\":50,\"ticket_max_cny\":10}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/ticket_max_cny");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/mandates", inv_a_token,
                  "{\"name\":\"x\",\"sectors\":[\"spaceships\"],\"ticket_max_cny\":10}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/sectors/0");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/mandates", inv_a_token,
                  "{\"name\":\"x\",\"ticket_min_cny\":-5,\"ticket_max_cny\":10}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/ticket_min_cny");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/mandates", inv_a_token,
                  "{\"name\":\"x\",\"regions\":[\"atlantis\"],\"ticket_max_cny\":10}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/regions/0");
    lds_http_resp_free(&r);
    /* an investor states mandates for its own organisation only; members none */
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"x\",\"investor_org\":%lld,\"ticket_max_cny\":10}",
             inv_b);
    lds_test_call(&srv, "POST", "/api/v1/mandates", inv_a_token, body, 403, &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/mandates", srv.member_token,
                  "{\"name\":\"x\",\"ticket_max_cny\":10}", 403, &r);
    lds_http_resp_free(&r);
    /* operators must say for whom */
    lds_test_call(&srv, "POST", "/api/v1/mandates", srv.operator_token,
                  "{\"name\":\"x\",\"ticket_max_cny\":10}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/investor_org");
    lds_http_resp_free(&r);
    assert_int_equal(lds_test_count_items(&srv, "/api/v1/mandates?limit=500", srv.operator_token),
                     before + 1);
    assert_int_equal(
        lds_test_count_items(&srv, "/api/v1/mandates?active=true&limit=2", srv.operator_token), 2);

    /* a retried create with the same Idempotency-Key replays, stores once */
    const char *idem = "{\"name\":\"e2e retried\",\"ticket_max_cny\":1000000}";
    lds_http_resp r1, r2;
    assert_int_equal(lds_http_h(&srv, "POST", "/api/v1/mandates", inv_b_token, "application/json",
                                "Idempotency-Key: mandate-1", idem, strlen(idem), &r1),
                     0);
    lds_test_expect_status(&r1, 201);
    assert_int_equal(lds_http_h(&srv, "POST", "/api/v1/mandates", inv_b_token, "application/json",
                                "Idempotency-Key: mandate-1", idem, strlen(idem), &r2),
                     0);
    lds_test_expect_status(&r2, 201);
    assert_string_equal(r2.replayed, "true");
    assert_string_equal(r1.location, r2.location);
    lds_http_resp_free(&r1);
    lds_http_resp_free(&r2);

    /* investors see their own */
    assert_int_equal(lds_test_count_items(&srv, "/api/v1/mandates", inv_a_token), 2);
    assert_int_equal(lds_test_count_items(&srv, "/api/v1/mandates", inv_b_token), 2);
    /* asking for another investor's mandates finds none, not one's own */
    {
        char q[96];
        snprintf(q, sizeof q, "/api/v1/mandates?investor_org=%lld", inv_b);
        assert_int_equal(lds_test_count_items(&srv, q, inv_a_token), 0);
        assert_int_equal(lds_test_count_items(&srv, q, inv_b_token), 2);
    }
    char path[96];
    snprintf(path, sizeof path, "/api/v1/mandates/%lld", mandate_a);
    lds_test_call(&srv, "GET", path, inv_b_token, NULL, 404, &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", path, inv_a_token, NULL, 200, &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", "/api/v1/mandates", srv.member_token, NULL, 403, &r);
    lds_http_resp_free(&r);
}

/* A demo project by title (its id and the facility of its capacity line). */
static long long demo_project(const char *title_prefix, long long *facility)
{
    lds_http_resp r;
    lds_test_call(&srv, "GET", "/api/v1/projects?limit=500", srv.operator_token, NULL, 200, &r);
    long long id = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r.json, "items"), i, e)
    {
        const char *t = json_string_value(json_object_get(e, "title"));
        if (t && strncmp(t, title_prefix, strlen(title_prefix)) == 0) {
            id = (long long)json_integer_value(json_object_get(e, "id"));
            *facility = (long long)json_integer_value(
                json_object_get(json_array_get(json_object_get(e, "capacity"), 0), "facility"));
        }
    }
    lds_http_resp_free(&r);
    if (!id)
        fail_msg("no demo project '%s'", title_prefix);
    return id;
}

/* The match of mandate `mandate` in a project's investor matches, or NULL. */
static json_t *match_of(const lds_http_resp *r, long long mandate)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "items"), i, e)
        if (json_integer_value(json_object_get(e, "mandate_id")) == mandate)
            return e;
    return NULL;
}

/* Position of project `id` in a mandate's matches, or -1. */
static long position_of(const lds_http_resp *r, long long id)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "items"), i, e)
        if (json_integer_value(json_object_get(e, "project_id")) == id)
            return (long)i;
    return -1;
}

/*
 * The demo's two projects at the baseline plan's bottlenecks (a Xunwu
 * in-situ leach site, the Xunwu SX plant): no bonus before a plan run; once
 * POST /api/v1/plans stored one, their investor matches carry the bonus
 * 25 x dual / top dual with the facility, its rank and its dual value, and
 * they rank higher on the upstream mandate.
 */
static void demo_bottleneck_bonus(void **state)
{
    (void)state;
    lds_http_resp r;
    long long leach_fac = 0, sx_fac = 0;
    long long leach = demo_project("In-situ leach well fields", &leach_fac);
    long long sx = demo_project("SX separation train expansion", &sx_fac);
    assert_true(leach_fac > 0 && sx_fac > 0);
    /* the upstream mandate: materials, financing, xunwu, 30M-400M CNY,
     * dy2o3/tb4o7/prnd_oxide/recycled_oxide */
    long long upstream = 0;
    lds_test_call(&srv, "GET", "/api/v1/mandates?limit=500", srv.operator_token, NULL, 200, &r);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r.json, "items"), i, e)
        if (!strcmp(json_string_value(json_object_get(e, "name")),
                    "Upstream value retention in Ganzhou (synthetic demo mandate)"))
            upstream = (long long)json_integer_value(json_object_get(e, "id"));
    lds_http_resp_free(&r);
    assert_true(upstream > 0);

    /* Before any plan run: no bonus.  Leach: sector 30 + stage 20 + ticket
     * 20 (150M) + region 15, its carbonate is none of the mandate's
     * materials; SX: the same + material 15 (prnd_oxide). */
    char path[160];
    snprintf(path, sizeof path, "/api/v1/projects/%lld/investor-matches", leach);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    assert_true(json_is_null(json_object_get(r.json, "plan_run")));
    json_t *m = match_of(&r, upstream);
    assert_non_null(m);
    assert_true(fabs(json_number_value(json_object_get(m, "score")) - 85) < 1e-9);
    assert_true(json_is_null(json_object_get(json_object_get(m, "explanation"), "bottleneck")));
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/mandates/%lld/matches?limit=50", upstream);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    long sx_before = position_of(&r, sx), leach_before = position_of(&r, leach);
    assert_true(sx_before >= 1 && leach_before > sx_before);
    /* what ranked first: as many points as SX, a lower id */
    json_t *e0 = json_array_get(json_object_get(r.json, "items"), 0);
    long long first = (long long)json_integer_value(json_object_get(e0, "project_id"));
    assert_true(fabs(json_number_value(json_object_get(e0, "score")) - 100) < 1e-9);
    assert_true(first < sx);
    lds_http_resp_free(&r);

    /* The plan run, and the duals of the two facilities. */
    lds_test_call(&srv, "POST", "/api/v1/plans", srv.operator_token, NULL, 201, &r);
    long long run = field_id(&r);
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/plans/%lld", run);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    json_t *res = json_object_get(r.json, "result");
    json_t *bf = json_object_get(res ? res : r.json, "bottleneck_facilities");
    double top = 0, d_leach = 0, d_sx = 0;
    char leach_name[200] = "";
    size_t rank_leach = 1, rank_sx = 1;
    json_array_foreach(bf, i, e)
    {
        double v = json_number_value(json_object_get(e, "value_max"));
        long long f = (long long)json_integer_value(json_object_get(e, "facility_id"));
        top = v > top ? v : top;
        if (f == leach_fac) {
            d_leach = v;
            snprintf(leach_name, sizeof leach_name, "%s",
                     json_string_value(json_object_get(e, "facility")));
        }
        if (f == sx_fac)
            d_sx = v;
    }
    json_array_foreach(bf, i, e)
    {
        double v = json_number_value(json_object_get(e, "value_max"));
        rank_leach += v > d_leach;
        rank_sx += v > d_sx;
    }
    lds_http_resp_free(&r);
    if (!(d_leach > 0) || !(d_sx > 0))
        fail_msg("the demo's baseline plan no longer binds at facilities %lld and %lld", leach_fac,
                 sx_fac);
    assert_true(json_array_size(bf) <= 10); /* all of them within the matcher's top 10 */

    /* Leach: at a top bottleneck, +25 x d / top. */
    snprintf(path, sizeof path, "/api/v1/projects/%lld/investor-matches", leach);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "plan_run")), run);
    m = match_of(&r, upstream);
    assert_non_null(m);
    double bonus = 25.0 * d_leach / top;
    assert_true(fabs(json_number_value(json_object_get(m, "score")) - (85 + bonus)) <= 0.05);
    json_t *bn = json_object_get(json_object_get(m, "explanation"), "bottleneck");
    assert_int_equal(json_integer_value(json_object_get(bn, "facility_id")), leach_fac);
    assert_int_equal(json_integer_value(json_object_get(bn, "rank")), rank_leach);
    assert_true(fabs(json_number_value(json_object_get(bn, "dual")) - d_leach) <= 1e-5 * d_leach);
    char want[512];
    snprintf(want, sizeof want,
             "adds 50 t per period of carb_ionic_xunwu capacity at %s, the plan's bottleneck "
             "#%zu (dual value %.2f CNY per t of capacity): +%.1f points",
             leach_name, rank_leach, d_leach, bonus);
    assert_string_equal(json_string_value(json_object_get(bn, "detail")), want);
    lds_http_resp_free(&r);

    /* SX: its own plant, 360 t/yr = 30 t per period. */
    snprintf(path, sizeof path, "/api/v1/projects/%lld/investor-matches", sx);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    m = match_of(&r, upstream);
    assert_non_null(m);
    bn = json_object_get(json_object_get(m, "explanation"), "bottleneck");
    assert_int_equal(json_integer_value(json_object_get(bn, "facility_id")), sx_fac);
    assert_int_equal(json_integer_value(json_object_get(bn, "rank")), rank_sx);
    /* scores are written to 4 significant digits */
    assert_true(fabs(json_number_value(json_object_get(m, "score")) - (100 + 25.0 * d_sx / top)) <=
                0.05);
    assert_non_null(strstr(json_string_value(json_object_get(bn, "detail")),
                           "adds 30 t per period of prnd_oxide capacity at "));
    lds_http_resp_free(&r);

    /* On the mandate's side both rank higher than without the plan. */
    snprintf(path, sizeof path, "/api/v1/mandates/%lld/matches?limit=50", upstream);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    assert_int_equal(position_of(&r, leach), 0);
    assert_true(position_of(&r, leach) < leach_before);
    assert_true(position_of(&r, sx) < position_of(&r, first)); /* the bonus breaks the tie */
    lds_http_resp_free(&r);
}

static long long project_p, project_q, closed_project;
static long long top_facility;
static double top_dual;

static void matches_explain_and_rank_bottlenecks(void **state)
{
    (void)state;
    lds_http_resp r;
    /* the latest plan run's bottlenecks */
    lds_test_call(&srv, "POST", "/api/v1/plans", srv.operator_token, NULL, 201, &r);
    long long run = field_id(&r);
    lds_http_resp_free(&r);
    char path[160], body[1024];
    snprintf(path, sizeof path, "/api/v1/plans/%lld", run);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    json_t *res = json_object_get(r.json, "result");
    json_t *bf = json_object_get(res ? res : r.json, "bottleneck_facilities");
    if (!json_array_size(bf))
        fail_msg("the demo plan has no bottleneck facility: %.300s", r.body);
    /* the top one by value_max */
    size_t i;
    json_t *e;
    json_array_foreach(bf, i, e)
    {
        double v = json_number_value(json_object_get(e, "value_max"));
        if (v > top_dual) {
            top_dual = v;
            top_facility = (long long)json_integer_value(json_object_get(e, "facility_id"));
        }
    }
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/facilities/%lld", top_facility);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    const char *mat = json_string_value(json_object_get(r.json, "material_id"));
    if (!mat)
        mat = json_string_value(json_object_get(r.json, "material"));
    char material[64];
    snprintf(material, sizeof material, "%s", mat ? mat : "mag_n42sh");
    lds_http_resp_free(&r);

    /* P adds capacity at the top bottleneck, Q is the same without it */
    snprintf(body, sizeof body,
             "{\"title\":\"e2e magnet line P\",\"sponsor_org\":1,\"sector\":\"magnets\","
             "\"region\":\"nanshan\",\"financing_need_cny\":100000000,\"open_to_investors\":true,"
             "\"materials\":[{\"material\":\"mag_n42sh\",\"direction\":\"produces\"}],"
             "\"capacity\":[{\"facility\":%lld,\"material\":\"%s\",\"tonnes\":1200,"
             "\"per\":\"year\"}]}",
             top_facility, material);
    lds_test_call(&srv, "POST", "/api/v1/projects", srv.operator_token, body, 201, &r);
    project_p = field_id(&r);
    lds_http_resp_free(&r);
    lds_test_call(
        &srv, "POST", "/api/v1/projects", srv.operator_token,
        "{\"title\":\"e2e magnet line Q\",\"sponsor_org\":1,\"sector\":\"magnets\","
        "\"region\":\"nanshan\",\"financing_need_cny\":100000000,\"open_to_investors\":true,"
        "\"materials\":[{\"material\":\"mag_n42sh\",\"direction\":\"produces\"}]}",
        201, &r);
    project_q = field_id(&r);
    lds_http_resp_free(&r);
    lds_test_call(
        &srv, "POST", "/api/v1/projects", srv.operator_token,
        "{\"title\":\"e2e closed line\",\"sponsor_org\":1,\"sector\":\"magnets\","
        "\"region\":\"nanshan\",\"financing_need_cny\":100000000,\"open_to_investors\":false}",
        201, &r);
    closed_project = field_id(&r);
    lds_http_resp_free(&r);

    /* the mandate's matches: P first with the bonus, Q 25 points lower */
    snprintf(path, sizeof path, "/api/v1/mandates/%lld/matches?limit=50", mandate_a);
    lds_test_call(&srv, "GET", path, inv_a_token, NULL, 200, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "plan_run")), run);
    json_t *items = json_object_get(r.json, "items");
    json_t *first = json_array_get(items, 0), *mp = NULL, *mq = NULL;
    json_array_foreach(items, i, e)
    {
        long long id = (long long)json_integer_value(json_object_get(e, "project_id"));
        if (id == project_p)
            mp = e;
        if (id == project_q)
            mq = e;
        assert_true(id != closed_project); /* not open to investors */
    }
    assert_non_null(mp);
    assert_non_null(mq);
    assert_ptr_equal(first, mp);
    double sp = json_number_value(json_object_get(mp, "score")),
           sq = json_number_value(json_object_get(mq, "score"));
    /* sector 30 + stage 20 + ticket 20 + region 15 + material 15 */
    assert_true(fabs(sq - 100) < 1e-9);
    assert_true(fabs(sp - 125) < 1e-9);
    json_t *bn = json_object_get(json_object_get(mp, "explanation"), "bottleneck");
    assert_int_equal(json_integer_value(json_object_get(bn, "facility_id")), top_facility);
    assert_int_equal(json_integer_value(json_object_get(bn, "rank")), 1);
    assert_true(fabs(json_number_value(json_object_get(bn, "dual")) - top_dual) <=
                1e-5 * top_dual);
    assert_non_null(strstr(json_string_value(json_object_get(bn, "detail")),
                           "the plan's bottleneck #1 (dual value"));
    assert_true(json_is_null(json_object_get(json_object_get(mq, "explanation"), "bottleneck")));
    json_t *matched = json_object_get(json_object_get(mq, "explanation"), "matched");
    assert_int_equal(json_array_size(matched), 5);
    lds_http_resp_free(&r);

    /* the project's side: investor A sees only its own mandates; sponsor all */
    snprintf(path, sizeof path, "/api/v1/projects/%lld/investor-matches", project_p);
    lds_test_call(&srv, "GET", path, inv_a_token, NULL, 200, &r);
    items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= 1);
    json_array_foreach(items, i, e)
        assert_int_equal(json_integer_value(json_object_get(e, "investor_org")), inv_a);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "mandate_id")),
                     mandate_a);
    json_t *crit = json_object_get(json_object_get(json_array_get(items, 0), "explanation"),
                                   "criteria");
    assert_string_equal(json_string_value(json_object_get(json_array_get(crit, 0), "detail")),
                        "sector magnets is one of the mandate's sectors");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", path, sponsor_token, NULL, 200, &r);
    assert_true(json_array_size(json_object_get(r.json, "items")) > 1);
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/projects/%lld/investor-matches", closed_project);
    lds_test_call(&srv, "GET", path, inv_a_token, NULL, 404, &r);
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/projects/%lld/investor-matches?limit=0", project_p);
    lds_test_call(&srv, "GET", path, inv_a_token, NULL, 400, &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", "/api/v1/projects/999999/investor-matches", srv.operator_token, NULL,
                  404, &r);
    lds_http_resp_free(&r);
}

static void investor_cannot_edit_a_project(void **state)
{
    (void)state;
    lds_http_resp r;
    char path[96];
    snprintf(path, sizeof path, "/api/v1/projects/%lld", project_p);
    lds_test_call(&srv, "GET", path, inv_a_token, NULL, 200, &r); /* open to investors: readable */
    lds_http_resp_free(&r);
    lds_test_call(&srv, "PATCH", path, inv_a_token, "{\"title\":\"taken over\"}", 403, &r);
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/projects/%lld/transitions", project_p);
    lds_test_call(&srv, "POST", path, inv_a_token, "{\"to\":\"permitting\",\"reason\":\"x\"}", 403,
                  &r);
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/projects/%lld", project_p);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "title")), "e2e magnet line P");
    lds_http_resp_free(&r);
}

static void deals_follow_their_pipeline(void **state)
{
    (void)state;
    lds_http_resp r;
    char body[256], path[96];
    snprintf(body, sizeof body, "{\"project\":%lld,\"mandate\":%lld,\"reason\":\"met at the fair\"}",
             project_p, mandate_a);
    lds_test_call(&srv, "POST", "/api/v1/deals", inv_a_token, body, 201, &r);
    long long deal = field_id(&r);
    assert_string_equal(json_string_value(json_object_get(r.json, "stage")), "introduced");
    json_t *allowed = json_object_get(r.json, "allowed");
    assert_int_equal(json_array_size(allowed), 2);
    assert_string_equal(json_string_value(json_array_get(allowed, 0)), "diligence");
    lds_http_resp_free(&r);
    /* one deal per pair */
    lds_test_call(&srv, "POST", "/api/v1/deals", inv_a_token, body, 409, &r);
    lds_http_resp_free(&r);
    /* not open to investors: nothing to open */
    snprintf(body, sizeof body, "{\"project\":%lld}", closed_project);
    lds_test_call(&srv, "POST", "/api/v1/deals", inv_a_token, body, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/project");
    lds_http_resp_free(&r);
    snprintf(body, sizeof body, "{\"project\":%lld,\"amount_cny\":-1}", project_q);
    lds_test_call(&srv, "POST", "/api/v1/deals", inv_a_token, body, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/amount_cny");
    lds_http_resp_free(&r);
    /* a tenth of a cent is refused, not rounded away into a stored deal */
    snprintf(body, sizeof body, "{\"project\":%lld,\"amount_cny\":0.001}", project_q);
    lds_test_call(&srv, "POST", "/api/v1/deals", inv_a_token, body, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/amount_cny");
    lds_http_resp_free(&r);
    snprintf(body, sizeof body, "{\"project\":%lld,\"amount_cny\":-1}", project_q);
    lds_test_call(&srv, "POST", "/api/v1/deals", srv.member_token, body, 403, &r);
    lds_http_resp_free(&r);

    snprintf(path, sizeof path, "/api/v1/deals/%lld/transitions", deal);
    lds_test_call(&srv, "POST", path, inv_a_token, "{\"to\":\"closed\",\"reason\":\"too fast\"}",
                  409, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "from")), "introduced");
    allowed = json_object_get(r.json, "allowed");
    assert_int_equal(json_array_size(allowed), 2);
    assert_string_equal(json_string_value(json_array_get(allowed, 0)), "diligence");
    assert_string_equal(json_string_value(json_array_get(allowed, 1)), "declined");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", path, inv_a_token, "{\"to\":\"signed\"}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/to");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", path, inv_a_token,
                  "{\"to\":\"diligence\",\"amount_cny\":12.345}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/amount_cny");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", path, inv_b_token, "{\"to\":\"diligence\"}", 404,
                  &r); /* not B's deal */
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", path, inv_a_token,
                  "{\"to\":\"diligence\",\"reason\":\"data room\"}", 200, &r);
    lds_http_resp_free(&r);
    /* the sponsor moves it too */
    lds_test_call(&srv, "POST", path, sponsor_token,
                  "{\"to\":\"term_sheet\",\"reason\":\"signed\",\"amount_cny\":80000000}", 200, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "stage")), "term_sheet");
    assert_int_equal(json_integer_value(json_object_get(r.json, "amount_cny")), 80000000);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", path, srv.operator_token, "{\"to\":\"closed\"}", 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "allowed")), 0);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", path, inv_a_token, "{\"to\":\"declined\"}", 409, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "allowed")), 0);
    lds_http_resp_free(&r);

    /* the timeline */
    snprintf(path, sizeof path, "/api/v1/deals/%lld", deal);
    lds_test_call(&srv, "GET", path, inv_a_token, NULL, 200, &r);
    json_t *tl = json_object_get(r.json, "timeline");
    assert_int_equal(json_array_size(tl), 4);
    assert_true(json_is_null(json_object_get(json_array_get(tl, 0), "from")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 0), "to")),
                        "introduced");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 0), "reason")),
                        "met at the fair");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 2), "actor_role")),
                        "member");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 3), "to")), "closed");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", path, inv_b_token, NULL, 404, &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", path, sponsor_token, NULL, 200, &r);
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/deals/%lld/timeline", deal);
    lds_test_call(&srv, "GET", path, sponsor_token, NULL, 200, &r);
    tl = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(tl), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 1), "from")),
                        "introduced");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 1), "to")),
                        "diligence");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 1), "reason")),
                        "data room");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", path, inv_b_token, NULL, 404, &r);
    lds_http_resp_free(&r);

    /* lists: A sees it, B does not, the sponsor sees its project's */
    char q[96];
    snprintf(q, sizeof q, "/api/v1/deals?project=%lld", project_p);
    assert_int_equal(lds_test_count_items(&srv, q, inv_a_token), 1);
    assert_int_equal(lds_test_count_items(&srv, q, inv_b_token), 0);
    assert_int_equal(lds_test_count_items(&srv, q, sponsor_token), 1);
    assert_int_equal(lds_test_count_items(&srv, q, srv.operator_token), 1);
    lds_test_call(&srv, "GET", "/api/v1/deals?stage=won", srv.operator_token, NULL, 400, &r);
    lds_http_resp_free(&r);
    /* the demo's deals carry histories */
    lds_test_call(&srv, "GET", "/api/v1/deals?limit=500", srv.operator_token, NULL, 200, &r);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 9);
    lds_http_resp_free(&r);
}

#define DAY 86400000LL

static void bind_exec(lds_store *s, const char *sql, const int64_t *v, int n, const char *text)
{
    lds_stmt *st;
    lds_err e;
    if (lds_store_prepare(s, sql, &st, &e) != LDS_OK)
        fail_msg("%s", e.msg);
    for (int i = 0; i < n; i++)
        lds_stmt_bind_i64(st, i + 1, v[i]);
    if (text)
        lds_stmt_bind_text(st, n + 1, text);
    if (lds_stmt_exec(st, &e) != LDS_OK)
        fail_msg("%s", e.msg);
}

/* A hand-made history in a sector of its own ("e2e_hand"), written straight
 * into the database, days from 2026-01-01:
 *   H1: proposed 0, permitting 10, market_access 40  -> proposed 10, permitting 30, ttm 40
 *   H2: proposed 0, permitting 4, market_access 10   -> proposed 4, permitting 6, ttm 10
 *   H3: proposed 0, permitting 30 (now)               -> proposed 30
 * proposed [4, 10, 30]: median 10, p90 10 + 0.8 x 20 = 26
 * permitting [6, 30]: median 18, p90 6 + 0.9 x 24 = 27.6
 * time to market [10, 40]: median 25, p90 10 + 0.9 x 30 = 37
 * Requests of provider org 1 (no demo provider): done on time, done late,
 * open past due at the asked `now` -> 3 decided, 2 breached. */
static void metrics_on_a_known_history(void **state)
{
    (void)state;
    lds_store *s;
    lds_err e;
    if (lds_store_open(srv.db, &s, &e) != LDS_OK)
        fail_msg("%s", e.msg);
    int64_t t0 = 1767225600000LL; /* 2026-01-01T00:00:00Z */
    assert_int_equal(lds_store_begin(s, &e), LDS_OK);
    static const char *const ins_p =
        "INSERT INTO projects (id, title, sponsor_org, sector, region_id, stage, stage_since_ms, "
        "created_ms, updated_ms) VALUES (?1, 'e2e hand', 1, 'e2e_hand', 'nanshan', ?3, ?2, ?2, ?2)";
    static const char *const ins_e =
        "INSERT INTO project_events (project_id, time_ms, kind, to_stage) VALUES (?1, ?2, "
        "'transition', ?3)";
    int64_t v[2];
    v[0] = 900001, v[1] = t0;
    bind_exec(s, ins_p, v, 2, "market_access");
    v[0] = 900002;
    bind_exec(s, ins_p, v, 2, "market_access");
    v[0] = 900003;
    bind_exec(s, ins_p, v, 2, "permitting");
    const struct {
        int64_t p, day;
        const char *to;
    } ev[] = {{900001, 0, "proposed"},   {900001, 10, "permitting"}, {900001, 40, "market_access"},
              {900002, 4, "permitting"}, {900002, 10, "market_access"}, {900003, 30, "permitting"}};
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
        v[0] = ev[i].p, v[1] = t0 + ev[i].day * DAY;
        bind_exec(s, ins_e, v, 2, ev[i].to);
    }
    bind_exec(s, "INSERT INTO service_requests (project_id, factor, description, provider_org, "
                 "status, due_ms, created_by_org, created_ms, updated_ms, done_ms) VALUES (?1, "
                 "'permitting', 'e2e', 1, 'done', ?2, 1, ?4, ?4, ?3)",
              (int64_t[]){900001, t0 + 20 * DAY, t0 + 15 * DAY, t0}, 4, NULL);
    bind_exec(s, "INSERT INTO service_requests (project_id, factor, description, provider_org, "
                 "status, due_ms, created_by_org, created_ms, updated_ms, done_ms) VALUES (?1, "
                 "'permitting', 'e2e', 1, 'done', ?2, 1, ?4, ?4, ?3)",
              (int64_t[]){900002, t0 + 5 * DAY, t0 + 9 * DAY, t0}, 4, NULL);
    bind_exec(s, "INSERT INTO service_requests (project_id, factor, description, provider_org, "
                 "status, due_ms, created_by_org, created_ms, updated_ms) VALUES (?1, "
                 "'permitting', 'e2e', 1, 'in_progress', ?2, 1, ?3, ?3)",
              (int64_t[]){900003, t0 + 60 * DAY, t0}, 3, NULL);
    assert_int_equal(lds_store_commit(s, &e), LDS_OK);
    lds_store_close(s);

    lds_http_resp r;
    lds_test_call(&srv, "GET", "/api/v1/metrics/lifecycle?now=2026-12-01T00:00:00Z", inv_a_token,
                  NULL, 200, &r);
    struct {
        const char *list, *stage;
        size_t n;
        double median, p90;
    } want[] = {{"cycle_time", "proposed", 3, 10, 26},
                {"cycle_time", "permitting", 2, 18, 27.6},
                {"time_to_market", NULL, 2, 25, 37}};
    for (size_t k = 0; k < 3; k++) {
        json_t *arr = json_object_get(r.json, want[k].list), *e2, *hit = NULL;
        size_t i;
        json_array_foreach(arr, i, e2)
        {
            const char *key = json_string_value(json_object_get(e2, "key"));
            const char *st = json_string_value(json_object_get(e2, "stage"));
            if (key && strcmp(key, "e2e_hand") == 0 &&
                (!want[k].stage || (st && strcmp(st, want[k].stage) == 0)))
                hit = e2;
        }
        if (!hit)
            fail_msg("no e2e_hand group in %s", want[k].list);
        assert_int_equal(json_integer_value(json_object_get(hit, "n")), want[k].n);
        assert_true(fabs(json_number_value(json_object_get(hit, "median_days")) - want[k].median) <
                    1e-6);
        assert_true(fabs(json_number_value(json_object_get(hit, "p90_days")) - want[k].p90) < 1e-6);
    }
    json_t *prov = json_object_get(r.json, "sla_by_provider"), *e3;
    size_t i;
    int seen = 0;
    json_array_foreach(prov, i, e3)
    {
        if (json_integer_value(json_object_get(e3, "provider_org")) != 1)
            continue;
        seen = 1;
        assert_int_equal(json_integer_value(json_object_get(e3, "requests")), 3);
        assert_int_equal(json_integer_value(json_object_get(e3, "decided")), 3);
        assert_int_equal(json_integer_value(json_object_get(e3, "breached")), 2);
        assert_int_equal(json_integer_value(json_object_get(e3, "open_overdue")), 1);
        assert_non_null(strstr(json_string_value(json_object_get(e3, "provider")),
                               "Innovation Centre"));
    }
    assert_true(seen);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", "/api/v1/metrics/lifecycle?now=yesterday", srv.operator_token, NULL,
                  400, &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", "/api/v1/metrics/lifecycle", NULL, NULL, 401, &r);
    lds_http_resp_free(&r);
    /* `now` is exactly YYYY-MM-DDTHH:MM:SSZ on a day that exists: no sign,
     * no short field, no 30 February rolled into March */
    static const char *bad_now[] = {"2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z",
                                    "2027-02-29T00:00:00Z", "2026-01-01T-1:00:00Z",
                                    "2026-01-01T00:-1:00Z", "2026-%2B1-01T00:00:00Z",
                                    "2026-1-1T0:0:0Z",      "2026-01-01T00:00:00Zx"};
    for (size_t k = 0; k < sizeof bad_now / sizeof *bad_now; k++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/metrics/lifecycle?now=%s", bad_now[k]);
        lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 400, &r);
        json_t *e0 = json_array_get(json_object_get(r.json, "errors"), 0);
        assert_string_equal(json_string_value(json_object_get(e0, "pointer")), "now");
        lds_http_resp_free(&r);
    }
    lds_test_call(&srv, "GET", "/api/v1/metrics/lifecycle?now=2028-02-29T00:00:00Z",
                  srv.operator_token, NULL, 200, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "now_ms")), 1835395200000LL);
    lds_http_resp_free(&r);

    /* the same from the command line */
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "'%s' report lifecycle --db '%s' --csv --now 2026-12-01T00:00:00Z",
             lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 0);
    assert_non_null(strstr(out, "\r\ncycle_time,sector,e2e_hand,proposed,3,10,26,,,,,,\r\n"));
    assert_non_null(strstr(out, "\r\ntime_to_market,sector,e2e_hand,,2,25,37,,,,,,\r\n"));
    assert_non_null(strstr(out, "\r\nsla,provider,1,,3,,,3,2,0.666667,,,\r\n"));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' report lifecycle --db '%s' --now 2026-12-01T00:00:00Z",
             lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 0);
    assert_non_null(strstr(out, "Time to market"));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' report lifecycle --db '%s' --json --csv >/dev/null 2>&1",
             lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 2);
    free(out);
    snprintf(cmd, sizeof cmd,
             "'%s' report lifecycle --db '%s' --now 2026-02-30T00:00:00Z >/dev/null 2>&1",
             lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 2);
    free(out);
}

/* Mandates page by the plain last id: limit 2 gives two items and `next`
 * the second's id; the page after it starts past that id and is the last. */
static void mandates_page_by_last_id(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_test_call(&srv, "GET", "/api/v1/mandates?limit=2", srv.operator_token, NULL, 200, &r);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 2);
    long long first = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    long long second = json_integer_value(json_object_get(json_array_get(items, 1), "id"));
    assert_true(first < second);
    char want[32], path[96];
    snprintf(want, sizeof want, "%lld", second);
    assert_string_equal(json_string_value(json_object_get(r.json, "next")), want);
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/mandates?limit=500&next=%lld", second);
    lds_test_call(&srv, "GET", path, srv.operator_token, NULL, 200, &r);
    items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= 1);
    assert_true(json_integer_value(json_object_get(json_array_get(items, 0), "id")) > second);
    assert_true(json_is_null(json_object_get(r.json, "next")));
    lds_http_resp_free(&r);
}

/* A mandate's name counts characters, not bytes: 200 Chinese characters
 * (600 bytes) are a name, 201 are too many. */
static void mandate_name_counts_characters(void **state)
{
    (void)state;
    char name[1024], body[1200];
    name[0] = '\0';
    for (int i = 0; i < 200; i++)
        strcat(name, "\xe7\xa8\x80"); /* U+7A00 */
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"ticket_max_cny\":10}", name);
    lds_http_resp r;
    lds_test_call(&srv, "POST", "/api/v1/mandates", inv_b_token, body, 201, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), name);
    lds_http_resp_free(&r);
    strcat(name, "\xe7\xa8\x80");
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"ticket_max_cny\":10}", name);
    lds_test_call(&srv, "POST", "/api/v1/mandates", inv_b_token, body, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/name");
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mandates_create_validate_and_scope),
        cmocka_unit_test(mandates_page_by_last_id),
        cmocka_unit_test(demo_bottleneck_bonus),
        cmocka_unit_test(matches_explain_and_rank_bottlenecks),
        cmocka_unit_test(investor_cannot_edit_a_project),
        cmocka_unit_test(deals_follow_their_pipeline),
        cmocka_unit_test(metrics_on_a_known_history),
        cmocka_unit_test(mandate_name_counts_characters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
