/*
 * test_market.c — end to end: offers, requests and lanes over HTTP (create,
 * list, paginate), CSV upload all-or-nothing with line numbers, a match run
 * on a hand-made set whose result is known, what each organisation may see
 * of it, and the 401/403/404 cases.  The demo corridor has no ho2o3 or
 * er2o3 records, so those materials are this test's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "server.h"

static lds_test_server srv;
static char org3_token[64];   /* a member of org 3 */
static char auditor_token[64]; /* an auditor of org 1 */
static long long offer_b, request_r3; /* of the hand-made set */

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "market.db", NULL);
    lds_test_make_token(&srv, 3, "member", org3_token, sizeof org3_token);
    lds_test_make_token(&srv, 1, "auditor", auditor_token, sizeof auditor_token);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

static void post_csv(const char *path, const char *token, const char *body, long status,
                     lds_http_resp *out)
{
    assert_int_equal(lds_http(&srv, "POST", path, token, "text/csv", body, strlen(body), out), 0);
    lds_test_expect_status(out, status);
}

static void get(const char *path, const char *token, long status, lds_http_resp *out)
{
    lds_test_call(&srv, "GET", path, token, NULL, status, out);
}

static long long post_id(const char *path, const char *token, const char *body)
{
    lds_http_resp r;
    lds_test_call(&srv, "POST", path, token, body, 201, &r);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    char loc[128];
    snprintf(loc, sizeof loc, "%s/%lld", path, id);
    assert_string_equal(r.location, loc);
    lds_http_resp_free(&r);
    return id;
}

/* Counts the records of a material visible to the operator. */
static size_t count_material(const char *kind, const char *material)
{
    char path[256];
    lds_http_resp r;
    snprintf(path, sizeof path, "/api/v1/%s?material=%s&limit=500", kind, material);
    get(path, srv.operator_token, 200, &r);
    size_t n = json_array_size(json_object_get(r.json, "items"));
    lds_http_resp_free(&r);
    return n;
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void offer_is_created_and_read_back_exactly(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_test_call(&srv, "POST", "/api/v1/offers", srv.member_token,
                  "{\"material_id\":\"er2o3\",\"region_id\":\"longnan\",\"quantity\":\"12.345\","
                  "\"unit_price\":99.5,\"period_from\":\"2026-04\",\"period_to\":\"2026-06\","
                  "\"purity\":0.9995,\"external_id\":\"GZ-1\"}",
                  201, &r);
    json_t *o = r.json;
    assert_int_equal(json_integer_value(json_object_get(o, "org_id")), 2);
    assert_true(strstr(r.body, "\"quantity\":12.345,") != NULL);
    assert_true(strstr(r.body, "\"unit_price\":99.50,") != NULL);
    assert_true(strstr(r.body, "\"purity\":0.999500,") != NULL);
    assert_string_equal(str(o, "external_id"), "GZ-1");
    assert_string_equal(str(o, "status"), "open");
    long long id = json_integer_value(json_object_get(o, "id"));
    char path[64];
    snprintf(path, sizeof path, "/api/v1/offers/%lld", id);
    lds_http_resp one;
    get(path, srv.member_token, 200, &one);
    assert_string_equal(one.body, r.body);
    lds_http_resp_free(&one);
    /* another member does not see it; the operator and an auditor do */
    get(path, org3_token, 404, &one);
    lds_http_resp_free(&one);
    get(path, srv.operator_token, 200, &one);
    lds_http_resp_free(&one);
    get(path, auditor_token, 200, &one);
    lds_http_resp_free(&one);
    lds_http_resp_free(&r);
}

static void invalid_fields_are_named_by_pointer(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_test_call(&srv, "POST", "/api/v1/offers", srv.member_token,
                  "{\"material_id\":\"unobtainium\",\"region_id\":\"mars\",\"quantity\":-1,"
                  "\"unit_price\":\"1.234\",\"period_from\":\"2026-05\",\"period_to\":\"2026-04\","
                  "\"purity\":1.5,\"colour\":\"red\"}",
                  400, &r);
    const char *want[] = {"/colour", "/material_id", "/region_id", "/quantity", "/unit_price",
                          "/period_to", "/purity"};
    json_t *errors = json_object_get(r.json, "errors");
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        int found = 0;
        size_t i;
        json_t *e;
        json_array_foreach(errors, i, e) found |= strcmp(str(e, "pointer"), want[k]) == 0;
        if (!found)
            fail_msg("no error for %s in %s", want[k], r.body);
    }
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/requests", srv.member_token,
                  "{\"material_id\":\"er2o3\",\"region_id\":\"baoan\",\"quantity\":\"1.0001\","
                  "\"max_unit_price\":1,\"due_period\":\"2026-13\"}",
                  400, &r);
    assert_true(strstr(r.body, "/quantity") && strstr(r.body, "/due_period"));
    lds_http_resp_free(&r);
    assert_int_equal(count_material("offers", "unobtainium") + 0, 0);
}

static void records_paginate_and_members_see_only_their_own(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"material_id\":\"er2o3\",\"region_id\":\"baoan\",\"quantity\":%d,"
                 "\"max_unit_price\":500,\"due_period\":\"2026-0%d\"}",
                 i + 1, i + 1);
        post_id("/api/v1/requests", srv.member_token, body);
    }
    /* org 3 has one of its own */
    post_id("/api/v1/requests", org3_token,
            "{\"material_id\":\"er2o3\",\"region_id\":\"nanshan\",\"quantity\":7,"
            "\"max_unit_price\":500,\"due_period\":\"2026-02\"}");
    long long seen[64];
    int n = 0;
    char path[256], next[128] = "";
    for (int page = 0; page < 20; page++) {
        snprintf(path, sizeof path, "/api/v1/requests?material=er2o3&limit=2%s%s",
                 next[0] ? "&next=" : "", next);
        lds_http_resp r;
        get(path, srv.member_token, 200, &r);
        json_t *items = json_object_get(r.json, "items"), *it;
        size_t i;
        assert_true(json_array_size(items) <= 2);
        json_array_foreach(items, i, it)
        {
            assert_int_equal(json_integer_value(json_object_get(it, "org_id")), 2);
            long long id = json_integer_value(json_object_get(it, "id"));
            if (n)
                assert_true(id > seen[n - 1]);
            seen[n++] = id;
        }
        json_t *nx = json_object_get(r.json, "next");
        int more = json_is_string(nx);
        if (more)
            snprintf(next, sizeof next, "%s", json_string_value(nx));
        lds_http_resp_free(&r);
        if (!more)
            break;
    }
    assert_int_equal(n, 5);
    assert_int_equal(count_material("requests", "er2o3"), 6);
    /* a filter on another org gives a member nothing */
    lds_http_resp r;
    get("/api/v1/requests?org=3&material=er2o3", srv.member_token, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    lds_http_resp_free(&r);
    get("/api/v1/requests?limit=0", srv.member_token, 400, &r);
    lds_http_resp_free(&r);
    get("/api/v1/requests?next=garbage!", srv.member_token, 400, &r);
    lds_http_resp_free(&r);
    get("/api/v1/requests?colour=red", srv.member_token, 400, &r);
    lds_http_resp_free(&r);
}

static void lanes_need_the_operator(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_test_call(&srv, "POST", "/api/v1/lanes", srv.member_token,
                  "{\"from_region\":\"xunwu\",\"to_region\":\"baoan\",\"cost_per_unit\":170,"
                  "\"transit_periods\":0}",
                  403, &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/lanes", srv.operator_token,
                  "{\"from_region\":\"xunwu\",\"to_region\":\"atlantis\",\"cost_per_unit\":-1,"
                  "\"transit_periods\":0.5}",
                  400, &r);
    assert_true(strstr(r.body, "/to_region") && strstr(r.body, "/cost_per_unit") &&
                strstr(r.body, "/transit_periods"));
    lds_http_resp_free(&r);
    long long id = post_id("/api/v1/lanes", srv.operator_token,
                           "{\"from_region\":\"xunwu\",\"to_region\":\"baoan\","
                           "\"cost_per_unit\":\"170.00\",\"transit_periods\":0,\"mode\":\"road\"}");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/lanes/%lld", id);
    get(path, srv.member_token, 200, &r); /* lanes are public to every token */
    assert_true(strstr(r.body, "\"cost_per_unit\":170.00,") != NULL);
    lds_http_resp_free(&r);
    get("/api/v1/lanes?from=xunwu", srv.member_token, 200, &r);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
    lds_http_resp_free(&r);
}

static void member_cannot_write_for_another_org(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_test_call(&srv, "POST", "/api/v1/offers", srv.member_token,
                  "{\"org_id\":3,\"material_id\":\"er2o3\",\"region_id\":\"xunwu\",\"quantity\":1,"
                  "\"unit_price\":1,\"period_from\":\"2026-01\",\"period_to\":\"2026-01\"}",
                  403, &r);
    lds_http_resp_free(&r);
    post_csv("/api/v1/offers", srv.member_token,
             "id,org,material,region,quantity,unit_price,period_from,period_to,purity\n"
             "a,2,er2o3,xunwu,1,1,2026-01,2026-01,\n"
             "b,3,er2o3,xunwu,1,1,2026-01,2026-01,\n",
             403, &r);
    assert_true(strstr(r.body, "line 3") != NULL);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/offers", auditor_token,
                  "{\"material_id\":\"er2o3\",\"region_id\":\"xunwu\",\"quantity\":1,"
                  "\"unit_price\":1,\"period_from\":\"2026-01\",\"period_to\":\"2026-01\"}",
                  403, &r);
    lds_http_resp_free(&r);
}

/* One bad CSV: 400, the line in the detail, the pointer, nothing stored. */
static void bad_csv(const char *kind, const char *csv, const char *line, const char *pointer)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/%s", kind);
    size_t before = count_material(kind, "er2o3");
    lds_http_resp r;
    post_csv(path, srv.member_token, csv, 400, &r);
    if (!strstr(str(r.json, "detail"), line))
        fail_msg("no '%s' in %s", line, r.body);
    if (!strstr(r.body, pointer))
        fail_msg("no '%s' in %s", pointer, r.body);
    lds_http_resp_free(&r);
    assert_int_equal(count_material(kind, "er2o3"), before);
}

static void csv_upload_is_all_or_nothing_with_lines(void **state)
{
    (void)state;
    static const char head[] =
        "id,org,material,region,quantity,unit_price,period_from,period_to,purity\n";
    static const char good[] = "ok-1,2,er2o3,xunwu,5,80,2026-01,2026-03,0.99\n";
    char csv[1024];
    /* missing column */
    bad_csv("offers",
            "id,org,material,region,unit_price,period_from,period_to,purity\n"
            "x,2,er2o3,xunwu,80,2026-01,2026-03,\n",
            "line 1", "/line/1/quantity");
    snprintf(csv, sizeof csv, "%s%s%s", head, good, "bad,2,er2o3,xunwu,5x,80,2026-01,2026-03,\n");
    bad_csv("offers", csv, "line 3", "/line/3/quantity");
    snprintf(csv, sizeof csv, "%s%s%s", head, good, "bad,2,er2o3,gotham,5,80,2026-01,2026-03,\n");
    bad_csv("offers", csv, "line 3", "/line/3/region");
    snprintf(csv, sizeof csv, "%s%s%s%s", head, good, good,
             "bad,2,er2o3,xunwu,-5,80,2026-01,2026-03,\n");
    bad_csv("offers", csv, "line 4", "/line/4/quantity");
    snprintf(csv, sizeof csv, "%s%s%s", head, good, "bad,2,er2o3,xunwu,5,80,2026-03,2026-01,\n");
    bad_csv("offers", csv, "line 3", "/line/3/period_to");
    bad_csv("requests",
            "id,org,material,region,quantity,max_unit_price,due_period,min_purity\n"
            "r1,2,er2o3,baoan,3,100,2026-02,\n"
            "r2,2,er2o3,baoan,3,1.005,2026-02,\n",
            "line 3", "/line/3/max_unit_price");

    /* the good file stores every row, with its external id */
    size_t before = count_material("offers", "er2o3");
    snprintf(csv, sizeof csv, "%s%s%s", head, good,
             "\"ext,2\",,er2o3,longnan,1.5,81.25,2026-02,2026-02,\n");
    lds_http_resp r;
    post_csv("/api/v1/offers", srv.member_token, csv, 201, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "created")), 2);
    json_t *ids = json_object_get(r.json, "ids");
    assert_int_equal(json_array_size(ids), 2);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/offers/%lld",
             (long long)json_integer_value(json_array_get(ids, 1)));
    lds_http_resp one;
    get(path, srv.member_token, 200, &one);
    assert_string_equal(str(one.json, "external_id"), "ext,2");
    assert_true(strstr(one.body, "\"unit_price\":81.25,") != NULL);
    lds_http_resp_free(&one);
    lds_http_resp_free(&r);
    assert_int_equal(count_material("offers", "er2o3"), before + 2);
}

/*
 * The hand-made set (material ho2o3, all in China):
 *   offer A  org 2, xunwu,   10 @ 100, 2026-01..03, purity 0.995
 *   offer B  org 3, longnan,  5 @  90, 2026-01..01, no purity
 *   lanes    xunwu->baoan 170, longnan->baoan 180, longnan->zhanggong 60
 *   R1 org 4, baoan,     8, cap 300, due 2026-02, min purity 0.99 -> only A (270)
 *   R2 org 4, baoan,     6, cap 250, due 2026-01 -> A 270, B 270: price cap
 *   R3 org 2, zhanggong, 4, cap 200, due 2026-03 -> only B (150; no lane from xunwu)
 * Result: A->R1 8 (2160.00), B->R3 4 (600.00); matched 12, cost 2760.00;
 * R2 unmet 6, price_cap.
 */
static void match_run_gives_the_known_result_and_each_org_its_part(void **state)
{
    (void)state;
    post_id("/api/v1/lanes", srv.operator_token,
            "{\"from_region\":\"longnan\",\"to_region\":\"baoan\",\"cost_per_unit\":180,"
            "\"transit_periods\":0}");
    post_id("/api/v1/lanes", srv.operator_token,
            "{\"from_region\":\"longnan\",\"to_region\":\"zhanggong\",\"cost_per_unit\":60,"
            "\"transit_periods\":0}");
    lds_http_resp r;
    get("/api/v1/lanes?from=xunwu&to=baoan", srv.operator_token, 200, &r);
    int has_lane = json_array_size(json_object_get(r.json, "items")) > 0;
    lds_http_resp_free(&r);
    if (!has_lane)
        post_id("/api/v1/lanes", srv.operator_token,
                "{\"from_region\":\"xunwu\",\"to_region\":\"baoan\",\"cost_per_unit\":170,"
                "\"transit_periods\":0}");
    long long a = post_id("/api/v1/offers", srv.member_token,
                          "{\"material_id\":\"ho2o3\",\"region_id\":\"xunwu\",\"quantity\":10,"
                          "\"unit_price\":100,\"period_from\":\"2026-01\","
                          "\"period_to\":\"2026-03\",\"purity\":\"0.995\"}");
    long long b = offer_b = post_id("/api/v1/offers", org3_token,
                          "{\"material_id\":\"ho2o3\",\"region_id\":\"longnan\",\"quantity\":5,"
                          "\"unit_price\":90,\"period_from\":\"2026-01\","
                          "\"period_to\":\"2026-01\"}");
    long long r1 = post_id("/api/v1/requests", srv.operator_token,
                           "{\"org_id\":4,\"material_id\":\"ho2o3\",\"region_id\":\"baoan\","
                           "\"quantity\":8,\"max_unit_price\":300,\"due_period\":\"2026-02\","
                           "\"min_purity\":0.99}");
    long long r2 = post_id("/api/v1/requests", srv.operator_token,
                           "{\"org_id\":4,\"material_id\":\"ho2o3\",\"region_id\":\"baoan\","
                           "\"quantity\":6,\"max_unit_price\":250,\"due_period\":\"2026-01\"}");
    long long r3 = request_r3 = post_id("/api/v1/requests", srv.member_token,
                           "{\"material_id\":\"ho2o3\",\"region_id\":\"zhanggong\","
                           "\"quantity\":4,\"max_unit_price\":200,\"due_period\":\"2026-03\"}");

    /* an investor may not run; a bad material is a field error */
    lds_test_call(&srv, "POST", "/api/v1/match-runs", auditor_token, "{\"material\":\"ho2o3\"}",
                  403, &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/match-runs", srv.member_token, "[]", 400, &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/match-runs", srv.member_token, "{\"material\":7}", 400,
                  &r);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/match-runs", srv.member_token, "{\"scope\":\"all\"}", 400,
                  &r);
    assert_true(strstr(r.body, "/scope") != NULL);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/match-runs", srv.member_token,
                  "{\"material\":\"kryptonite\"}", 400, &r);
    assert_true(strstr(r.body, "/material") != NULL);
    lds_http_resp_free(&r);

    lds_test_call(&srv, "POST", "/api/v1/match-runs", srv.operator_token,
                  "{\"material\":\"ho2o3\"}", 201, &r);
    long long run = json_integer_value(json_object_get(r.json, "id"));
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/match-runs/%lld", run);
    assert_string_equal(r.location, loc);
    json_t *totals = json_object_get(r.json, "totals");
    assert_true(strstr(r.body, "\"matched_quantity\":12.000,") != NULL);
    assert_true(strstr(r.body, "\"total_cost\":2760.00,") != NULL);
    assert_non_null(totals);
    json_t *lines = json_object_get(r.json, "allocations");
    assert_int_equal(json_array_size(lines), 2);
    json_t *l0 = json_array_get(lines, 0), *l1 = json_array_get(lines, 1);
    /* lines are sorted by offer id as text: A < B as numbers and as equal-length text */
    json_t *la = json_integer_value(json_object_get(l0, "offer_id")) == a ? l0 : l1;
    json_t *lb = la == l0 ? l1 : l0;
    assert_int_equal(json_integer_value(json_object_get(la, "request_id")), r1);
    assert_int_equal(json_integer_value(json_object_get(lb, "offer_id")), b);
    assert_int_equal(json_integer_value(json_object_get(lb, "request_id")), r3);
    assert_string_equal(str(la, "ship_period"), "2026-02");
    assert_string_equal(str(lb, "ship_period"), "2026-01");
    json_t *unmet = json_object_get(r.json, "unmet");
    assert_int_equal(json_array_size(unmet), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(unmet, 0), "request_id")),
                     r2);
    assert_string_equal(str(json_array_get(unmet, 0), "reason"), "price_cap");
    assert_true(json_array_size(json_object_get(r.json, "duals")) >= 2);
    lds_http_resp_free(&r);

    /* org 2: seller of A->R1 and buyer of B->R3; not R2's unmet (org 4) */
    get(loc, srv.member_token, 200, &r);
    assert_string_equal(str(r.json, "scope"), "org");
    assert_null(json_object_get(r.json, "totals"));
    assert_int_equal(json_array_size(json_object_get(r.json, "allocations")), 2);
    assert_int_equal(json_array_size(json_object_get(r.json, "unmet")), 0);
    json_t *duals = json_object_get(r.json, "duals");
    assert_int_equal(json_array_size(duals), 1); /* zhanggong ho2o3 2026-03: its own cell */
    assert_string_equal(str(json_array_get(duals, 0), "region"), "zhanggong");
    assert_null(json_object_get(json_array_get(duals, 0), "demand"));
    assert_true(strstr(r.body, "\"bought\":4.000,\"bought_cost\":600.00,\"sold\":8.000,"
                               "\"sold_value\":2160.00") != NULL);
    lds_http_resp_free(&r);

    /* org 3: only its own line, with the counterparty org 2 named */
    get(loc, org3_token, 200, &r);
    lines = json_object_get(r.json, "allocations");
    assert_int_equal(json_array_size(lines), 1);
    json_t *only = json_array_get(lines, 0);
    assert_int_equal(json_integer_value(json_object_get(only, "offer_id")), b);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(only, "buyer"), "org_id")),
                     2);
    assert_string_equal(str(only, "side"), "seller");
    assert_true(strstr(r.body, "\"unit_price\":100.00") == NULL); /* A's price is not shown */
    assert_int_equal(json_array_size(json_object_get(r.json, "duals")), 0);
    lds_http_resp_free(&r);

    /* the auditor reads everything */
    get(loc, auditor_token, 200, &r);
    assert_string_equal(str(r.json, "scope"), "all");
    assert_int_equal(json_array_size(json_object_get(r.json, "allocations")), 2);
    assert_int_equal(json_array_size(json_object_get(r.json, "unmet")), 1);
    lds_http_resp_free(&r);

    /* allocations as CSV, filtered the same way */
    char csvpath[96];
    snprintf(csvpath, sizeof csvpath, "%s/allocations.csv", loc);
    get(csvpath, org3_token, 200, &r);
    assert_true(strncmp(r.content_type, "text/csv", 8) == 0);
    int n_lines = 0;
    for (const char *p = r.body; *p; p++)
        n_lines += *p == '\n';
    assert_int_equal(n_lines, 2); /* header + its one line */
    assert_non_null(strstr(r.body, ",ho2o3,longnan,zhanggong,4.000,2026-01,0,90.00,60.00,600.00,"));
    lds_http_resp_free(&r);
    get(csvpath, srv.operator_token, 200, &r);
    n_lines = 0;
    for (const char *p = r.body; *p; p++)
        n_lines += *p == '\n';
    assert_int_equal(n_lines, 3);
    lds_http_resp_free(&r);

    /* and as XLSX: a zip container of the same visible lines */
    char xlsxpath[96];
    snprintf(xlsxpath, sizeof xlsxpath, "%s/allocations.xlsx", loc);
    get(xlsxpath, org3_token, 200, &r);
    assert_string_equal(r.content_type,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_true(r.len > 1000);
    assert_memory_equal(r.body, "PK\x03\x04", 4);
    lds_http_resp_free(&r);
    get("/api/v1/match-runs/999999/allocations.xlsx", org3_token, 404, &r);
    lds_http_resp_free(&r);

    /* the list shows the run */
    get("/api/v1/match-runs?limit=500", srv.member_token, 200, &r);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
    lds_http_resp_free(&r);
}

static void run_creation_is_idempotent_with_a_key(void **state)
{
    (void)state;
    lds_http_resp r1, r2;
    const char body[] = "{\"material\":\"ho2o3\"}";
    assert_int_equal(lds_http_h(&srv, "POST", "/api/v1/match-runs", srv.member_token,
                                "application/json", "Idempotency-Key: run-1", body,
                                strlen(body), &r1),
                     0);
    lds_test_expect_status(&r1, 201);
    assert_int_equal(lds_http_h(&srv, "POST", "/api/v1/match-runs", srv.member_token,
                                "application/json", "Idempotency-Key: run-1", body,
                                strlen(body), &r2),
                     0);
    lds_test_expect_status(&r2, 201);
    assert_string_equal(r2.replayed, "true");
    assert_string_equal(r1.location, r2.location);
    lds_http_resp_free(&r1);
    lds_http_resp_free(&r2);
}

/* Withdrawing offer B and running again: the line B->R3 is reported removed,
 * to its seller too, and B is no longer matched. */
static void withdrawal_shows_as_a_removed_line_in_the_next_run(void **state)
{
    (void)state;
    char path[64];
    lds_http_resp r;
    snprintf(path, sizeof path, "/api/v1/offers/%lld", offer_b);
    assert_int_equal(lds_http(&srv, "DELETE", path, srv.member_token, NULL, NULL, 0, &r), 0);
    lds_test_expect_status(&r, 404); /* not org 2's: it cannot even see it */
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "DELETE", path, auditor_token, NULL, NULL, 0, &r), 0);
    lds_test_expect_status(&r, 403);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "DELETE", path, org3_token, NULL, NULL, 0, &r), 0);
    lds_test_expect_status(&r, 200);
    assert_string_equal(str(r.json, "status"), "withdrawn");
    lds_http_resp_free(&r);

    lds_test_call(&srv, "POST", "/api/v1/match-runs", srv.operator_token,
                  "{\"material\":\"ho2o3\"}", 201, &r);
    assert_true(json_is_integer(json_object_get(r.json, "previous_run")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "counts"),
                                                        "offers")),
                     1);
    json_t *ch, *changes = json_object_get(r.json, "changes");
    size_t i;
    int removed_b = 0;
    json_array_foreach(changes, i, ch)
    {
        assert_int_not_equal(json_integer_value(json_object_get(ch, "offer_id")) == offer_b &&
                                 strcmp(str(ch, "change"), "removed") != 0,
                             1);
        removed_b |= json_integer_value(json_object_get(ch, "offer_id")) == offer_b &&
                     json_integer_value(json_object_get(ch, "request_id")) == request_r3;
    }
    assert_true(removed_b);
    const char *loc = r.location;
    char run_path[sizeof r.location];
    snprintf(run_path, sizeof run_path, "%s", loc);
    lds_http_resp_free(&r);

    get(run_path, org3_token, 200, &r);
    changes = json_object_get(r.json, "changes");
    assert_int_equal(json_array_size(changes), 1);
    assert_string_equal(str(json_array_get(changes, 0), "change"), "removed");
    assert_true(strstr(r.body, "\"quantity_before\":4.000,\"quantity_after\":null") != NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "allocations")), 0);
    lds_http_resp_free(&r);
}

/* The whole demo corridor (its offers, requests and seeded lanes), no body. */
static void whole_corridor_run_matches_demo_supply(void **state)
{
    (void)state;
    lds_http_resp r;
    get("/api/v1/lanes?limit=500", srv.member_token, 200, &r);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 20); /* seed --demo lanes */
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "POST", "/api/v1/match-runs", srv.operator_token, NULL, NULL,
                              0, &r),
                     0);
    lds_test_expect_status(&r, 201);
    assert_true(json_is_null(json_object_get(r.json, "material")));
    json_t *counts = json_object_get(r.json, "counts");
    assert_true(json_integer_value(json_object_get(counts, "offers")) > 100);
    assert_true(json_integer_value(json_object_get(counts, "compatible_pairs")) > 0);
    assert_true(json_array_size(json_object_get(r.json, "allocations")) > 0);
    char loc[sizeof r.location];
    snprintf(loc, sizeof loc, "%s", r.location);
    lds_http_resp_free(&r);
    /* a member's view holds only lines it is party to */
    get(loc, srv.member_token, 200, &r);
    json_t *ln;
    size_t i;
    json_array_foreach(json_object_get(r.json, "allocations"), i, ln)
    {
        long long seller =
            json_integer_value(json_object_get(json_object_get(ln, "seller"), "org_id"));
        long long buyer =
            json_integer_value(json_object_get(json_object_get(ln, "buyer"), "org_id"));
        assert_true(seller == 2 || buyer == 2);
    }
    json_array_foreach(json_object_get(r.json, "unmet"), i, ln)
        assert_int_equal(json_integer_value(json_object_get(ln, "org_id")), 2);
    lds_http_resp_free(&r);
}

static void auth_and_not_found(void **state)
{
    (void)state;
    static const char *const paths[] = {"/api/v1/offers", "/api/v1/requests", "/api/v1/lanes",
                                        "/api/v1/match-runs", "/api/v1/match-runs/1",
                                        "/api/v1/match-runs/1/allocations.csv"};
    lds_http_resp r;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        get(paths[i], NULL, 401, &r);
        lds_http_resp_free(&r);
    }
    lds_test_call(&srv, "POST", "/api/v1/offers", NULL, "{}", 401, &r);
    lds_http_resp_free(&r);
    get("/api/v1/match-runs/999999", srv.operator_token, 404, &r);
    lds_http_resp_free(&r);
    get("/api/v1/match-runs/abc/allocations.csv", srv.operator_token, 404, &r);
    lds_http_resp_free(&r);
    get("/api/v1/offers/999999", srv.operator_token, 404, &r);
    lds_http_resp_free(&r);
    get("/api/v1/requests/-1", srv.operator_token, 404, &r);
    lds_http_resp_free(&r);
    get("/api/v1/lanes/0", srv.operator_token, 404, &r);
    lds_http_resp_free(&r);
    /* lanes in CSV: the operator only, all or nothing */
    post_csv("/api/v1/lanes", srv.operator_token, "from_region,to_region\nx,y\n", 400, &r);
    assert_non_null(strstr(r.body, "/line/1/cost_per_unit"));
    lds_http_resp_free(&r);
    static const char lanes[] = "from_region,to_region,cost_per_unit,transit_periods,mode\n"
                                "ningbo,us_mi,1700,1,sea\n"
                                "us_mi,ningbo,1600.5,1,\n";
    post_csv("/api/v1/lanes", srv.member_token, lanes, 403, &r);
    lds_http_resp_free(&r);
    get("/api/v1/lanes?from=us_mi&to=ningbo", srv.operator_token, 200, &r);
    size_t n_before = json_array_size(json_object_get(r.json, "items"));
    lds_http_resp_free(&r);
    post_csv("/api/v1/lanes", srv.operator_token,
             "from_region,to_region,cost_per_unit,transit_periods\n"
             "us_mi,ningbo,1600,1\n"
             "us_mi,ningbo,1600,-1\n",
             400, &r);
    assert_non_null(strstr(r.body, "/line/3/transit_periods"));
    lds_http_resp_free(&r);
    get("/api/v1/lanes?from=us_mi&to=ningbo", srv.operator_token, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), n_before);
    lds_http_resp_free(&r);
    post_csv("/api/v1/lanes", srv.operator_token, lanes, 201, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "created")), 2);
    lds_http_resp_free(&r);
    get("/api/v1/lanes?from=us_mi&to=ningbo", srv.operator_token, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), n_before + 1);
    assert_non_null(strstr(r.body, "\"cost_per_unit\":1600.50,"));
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "DELETE", "/api/v1/offers", srv.operator_token, NULL, NULL, 0,
                              &r),
                     0);
    lds_test_expect_status(&r, 405);
    lds_http_resp_free(&r);
}

/* The member of a run's `list` ("allocations" or "changes") for (offer,
 * request), or NULL. */
static json_t *pair_in(json_t *run, const char *list, long long offer, long long request)
{
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(run, list), i, e)
    {
        if (json_integer_value(json_object_get(e, "offer_id")) == offer &&
            json_integer_value(json_object_get(e, "request_id")) == request)
            return e;
    }
    return NULL;
}

static json_t *line_of(json_t *run, long long offer, long long request)
{
    return pair_in(run, "allocations", offer, request);
}

static json_t *change_of(json_t *run, long long offer, long long request)
{
    return pair_in(run, "changes", offer, request);
}

static void run_tm(const char *body, lds_http_resp *r)
{
    lds_test_call(&srv, "POST", "/api/v1/match-runs", srv.operator_token, body, 201, r);
}

static const char *solve_mode(const lds_http_resp *r)
{
    return str(json_object_get(r->json, "solve"), "mode");
}

/*
 * Incremental matching through the API (material tm2o3, all in nanshan, so
 * no lane is involved):
 *   X org 2, 10 @ 100; Y org 3, 10 @ 120 (2026-01..03); P org 4, 12, cap 200, due 2026-03
 *   run 1: X->P 10 (1000.00), Y->P 2 (240.00) = 1240.00
 *   + Z org 2, 5 @ 80 -> run 2 (warm): Z->P 5 (400.00), X->P 7 (700.00) = 1100.00;
 *     Z->P added, X->P changed 10 -> 7, Y->P removed
 *   run 3 with "cold": true: the same allocations
 *   Z withdrawn -> run 4 (warm): run 1's lines again
 *   a new lane -> run 5 is cold ("lanes changed")
 */
static void new_offer_is_rematched_warm_and_equals_a_cold_run(void **state)
{
    (void)state;
    lds_http_resp r, cold;
    long long x = post_id("/api/v1/offers", srv.member_token,
                          "{\"material_id\":\"tm2o3\",\"region_id\":\"nanshan\",\"quantity\":10,"
                          "\"unit_price\":100,\"period_from\":\"2026-01\","
                          "\"period_to\":\"2026-03\"}");
    long long y = post_id("/api/v1/offers", org3_token,
                          "{\"material_id\":\"tm2o3\",\"region_id\":\"nanshan\",\"quantity\":10,"
                          "\"unit_price\":120,\"period_from\":\"2026-01\","
                          "\"period_to\":\"2026-03\"}");
    long long p = post_id("/api/v1/requests", srv.operator_token,
                          "{\"org_id\":4,\"material_id\":\"tm2o3\",\"region_id\":\"nanshan\","
                          "\"quantity\":12,\"max_unit_price\":200,\"due_period\":\"2026-03\"}");
    run_tm("{\"material\":\"tm2o3\"}", &r);
    assert_string_equal(solve_mode(&r), "cold");
    assert_true(strstr(r.body, "\"total_cost\":1240.00,") != NULL);
    assert_non_null(line_of(r.json, x, p));
    assert_true(strstr(r.body, "\"matched_quantity\":12.000,") != NULL);
    json_t *ly = line_of(r.json, y, p);
    assert_non_null(ly);
    assert_true(json_real_value(json_object_get(ly, "quantity")) == 2.0);
    lds_http_resp_free(&r);

    long long z = post_id("/api/v1/offers", srv.member_token,
                          "{\"material_id\":\"tm2o3\",\"region_id\":\"nanshan\",\"quantity\":5,"
                          "\"unit_price\":80,\"period_from\":\"2026-02\","
                          "\"period_to\":\"2026-03\"}");
    run_tm("{\"material\":\"tm2o3\"}", &r);
    json_t *solve = json_object_get(r.json, "solve");
    assert_string_equal(str(solve, "mode"), "warm");
    assert_int_equal(json_integer_value(json_object_get(solve, "changes_applied")), 1);
    assert_true(json_is_number(json_object_get(solve, "time_ms")));
    assert_true(json_is_number(json_object_get(solve, "cpu_ms")));
    assert_true(strstr(r.body, "\"total_cost\":1100.00,") != NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "allocations")), 2);
    assert_true(json_real_value(json_object_get(line_of(r.json, z, p), "quantity")) == 5.0);
    assert_true(json_real_value(json_object_get(line_of(r.json, x, p), "quantity")) == 7.0);
    assert_null(line_of(r.json, y, p));
    assert_int_equal(json_array_size(json_object_get(r.json, "changes")), 3);
    assert_string_equal(str(change_of(r.json, z, p), "change"), "added");
    assert_string_equal(str(change_of(r.json, x, p), "change"), "changed");
    assert_true(json_real_value(json_object_get(change_of(r.json, x, p), "quantity_before")) ==
                10.0);
    assert_true(json_real_value(json_object_get(change_of(r.json, x, p), "quantity_after")) ==
                7.0);
    assert_string_equal(str(change_of(r.json, y, p), "change"), "removed");

    /* the same data solved cold gives the same allocations, and no change */
    run_tm("{\"material\":\"tm2o3\",\"cold\":true}", &cold);
    assert_string_equal(solve_mode(&cold), "cold");
    assert_string_equal(str(json_object_get(cold.json, "solve"), "note"), "cold run requested");
    assert_true(json_equal(json_object_get(r.json, "allocations"),
                           json_object_get(cold.json, "allocations")));
    assert_true(
        json_equal(json_object_get(r.json, "totals"), json_object_get(cold.json, "totals")));
    assert_true(json_equal(json_object_get(r.json, "unmet"), json_object_get(cold.json, "unmet")));
    assert_int_equal(json_array_size(json_object_get(cold.json, "changes")), 0);
    lds_http_resp_free(&cold);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/match-runs", srv.operator_token, "{\"cold\":1}", 400, &r);
    assert_true(strstr(r.body, "/cold") != NULL);
    lds_http_resp_free(&r);

    /* withdrawing Z goes back to run 1's lines, warm; a member sees mode and time only */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/offers/%lld", z);
    assert_int_equal(lds_http(&srv, "DELETE", path, srv.member_token, NULL, NULL, 0, &r), 0);
    lds_test_expect_status(&r, 200);
    lds_http_resp_free(&r);
    lds_test_call(&srv, "POST", "/api/v1/match-runs", srv.member_token, "{\"material\":\"tm2o3\"}",
                  201, &r);
    solve = json_object_get(r.json, "solve");
    assert_string_equal(str(solve, "mode"), "warm");
    assert_null(json_object_get(solve, "changes_applied"));
    assert_true(json_real_value(json_object_get(line_of(r.json, x, p), "quantity")) == 10.0);
    assert_null(line_of(r.json, y, p)); /* Y is org 3's and P org 4's: not the member's line */
    assert_string_equal(str(change_of(r.json, z, p), "change"), "removed");
    char run_path[sizeof r.location];
    snprintf(run_path, sizeof run_path, "%s", r.location);
    lds_http_resp_free(&r);
    get(run_path, srv.operator_token, 200, &r);
    assert_true(strstr(r.body, "\"total_cost\":1240.00,") != NULL);
    assert_true(json_real_value(json_object_get(line_of(r.json, y, p), "quantity")) == 2.0);
    assert_string_equal(str(change_of(r.json, y, p), "change"), "added");
    lds_http_resp_free(&r);

    /* a new lane: the kept session cannot follow, the run is cold and says why */
    post_id("/api/v1/lanes", srv.operator_token,
            "{\"from_region\":\"nanshan\",\"to_region\":\"baotou\",\"cost_per_unit\":300,"
            "\"transit_periods\":1}");
    run_tm("{\"material\":\"tm2o3\"}", &r);
    assert_string_equal(solve_mode(&r), "cold");
    assert_string_equal(str(json_object_get(r.json, "solve"), "note"), "lanes changed");
    assert_true(strstr(r.body, "\"total_cost\":1240.00,") != NULL);
    lds_http_resp_free(&r);
    /* the list of runs says how each was solved */
    get("/api/v1/match-runs?limit=500", srv.operator_token, 200, &r);
    json_t *runs = json_object_get(r.json, "items");
    assert_string_equal(str(json_array_get(runs, json_array_size(runs) - 1), "solve_mode"),
                        "cold");
    assert_string_equal(str(json_array_get(runs, json_array_size(runs) - 2), "solve_mode"),
                        "warm");
    lds_http_resp_free(&r);
    /* and the next run with nothing changed is warm with no change applied */
    run_tm("{\"material\":\"tm2o3\"}", &r);
    assert_string_equal(solve_mode(&r), "warm");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "solve"),
                                                        "changes_applied")),
                     0);
    assert_int_equal(json_array_size(json_object_get(r.json, "changes")), 0);
    lds_http_resp_free(&r);

    /* X's price changed to 130: Y (120) is now cheaper -> Y->P 10, X->P 2 = 1460.00, warm */
    snprintf(path, sizeof path, "/api/v1/offers/%lld", x);
    static const char price[] = "{\"unit_price\":\"130.00\"}";
    assert_int_equal(lds_http(&srv, "PATCH", path, srv.member_token, "application/json", price,
                              strlen(price), &r),
                     0);
    lds_test_expect_status(&r, 200);
    assert_true(strstr(r.body, "\"unit_price\":130.00,") != NULL);
    assert_true(strstr(r.body, "\"quantity\":10.000,") != NULL); /* the rest is kept */
    lds_http_resp_free(&r);
    run_tm("{\"material\":\"tm2o3\"}", &r);
    assert_string_equal(solve_mode(&r), "warm");
    assert_true(strstr(r.body, "\"total_cost\":1460.00,") != NULL);
    assert_string_equal(str(change_of(r.json, x, p), "change"), "changed");
    assert_true(json_real_value(json_object_get(change_of(r.json, x, p), "quantity_after")) ==
                2.0);
    assert_true(json_real_value(json_object_get(change_of(r.json, y, p), "quantity_after")) ==
                10.0);
    lds_http_resp_free(&r);
    /* what a change may not do */
    static const char bad[] = "{\"material_id\":\"er2o3\",\"quantity\":-1}";
    assert_int_equal(lds_http(&srv, "PATCH", path, srv.member_token, "application/json", bad,
                              strlen(bad), &r),
                     0);
    lds_test_expect_status(&r, 400);
    assert_true(strstr(r.body, "/material_id") != NULL);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "PATCH", path, org3_token, "application/json", price,
                              strlen(price), &r),
                     0);
    lds_test_expect_status(&r, 404); /* org 3 cannot see org 2's offer */
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "PATCH", path, auditor_token, "application/json", price,
                              strlen(price), &r),
                     0);
    lds_test_expect_status(&r, 403);
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/offers/%lld", z); /* withdrawn */
    assert_int_equal(lds_http(&srv, "PATCH", path, srv.member_token, "application/json", price,
                              strlen(price), &r),
                     0);
    lds_test_expect_status(&r, 409);
    lds_http_resp_free(&r);
    /* P now asks for 20: all of Y (10 @ 120) and of X (10 @ 130) */
    snprintf(path, sizeof path, "/api/v1/requests/%lld", p);
    static const char more[] = "{\"quantity\":20}";
    assert_int_equal(lds_http(&srv, "PATCH", path, srv.operator_token, "application/json", more,
                              strlen(more), &r),
                     0);
    lds_test_expect_status(&r, 200);
    lds_http_resp_free(&r);
    run_tm("{\"material\":\"tm2o3\"}", &r);
    assert_string_equal(solve_mode(&r), "warm");
    assert_true(strstr(r.body, "\"total_cost\":2500.00,") != NULL); /* 10 x 120 + 10 x 130 */
    lds_http_resp_free(&r);

    /* P asks for 25: 5 unmet, and no unsold supply can reach its cell (price null) */
    static const char more2[] = "{\"quantity\":25}";
    assert_int_equal(lds_http(&srv, "PATCH", path, srv.operator_token, "application/json", more2,
                              strlen(more2), &r),
                     0);
    lds_test_expect_status(&r, 200);
    lds_http_resp_free(&r);
    run_tm("{\"material\":\"tm2o3\"}", &r);
    json_t *u = json_array_get(json_object_get(r.json, "unmet"), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "unmet")), 1);
    assert_string_equal(str(u, "reason"), "insufficient_supply");
    assert_true(json_is_null(json_object_get(u, "cell_price")));
    /* why short: Y (org 3, 120.00) and X (org 2, 130.00) both go to P in
     * full; one more unit of Y would replace one of X's: worth 10.00, one
     * more of X replaces nothing dearer: 0.00 */
    json_t *why = json_object_get(u, "why");
    assert_int_equal(json_array_size(why), 2);
    json_t *w0 = json_array_get(why, 0), *w1 = json_array_get(why, 1);
    char want_id[32], detail[256];
    snprintf(want_id, sizeof want_id, "%lld", y);
    assert_string_equal(str(w0, "kind"), "supply");
    assert_string_equal(str(w0, "offer"), want_id);
    assert_string_equal(str(w0, "offer_org"), "3");
    assert_true(json_real_value(json_object_get(w0, "dual")) == 10.0);
    snprintf(detail, sizeof detail,
             "offer %lld (10.000) fully allocated to request %lld; one more unit there is worth "
             "10.00 (it would reach this request at 120.00 + lane 0.00)",
             y, p);
    assert_string_equal(str(w0, "detail"), detail);
    snprintf(want_id, sizeof want_id, "%lld", x);
    assert_string_equal(str(w1, "offer"), want_id);
    assert_true(json_real_value(json_object_get(w1, "dual")) == 0.0);
    char why_run[sizeof r.location];
    snprintf(why_run, sizeof why_run, "%s", r.location);
    lds_http_resp_free(&r);
    /* P's org 4 sees the same chain, without the other orgs' offer ids and
     * prices; org 3, whose offer Y is, does not see P's unmet at all */
    char org4_token[64];
    lds_test_make_token(&srv, 4, "member", org4_token, sizeof org4_token);
    get(why_run, org4_token, 200, &r);
    u = json_array_get(json_object_get(r.json, "unmet"), 0);
    why = json_object_get(u, "why");
    assert_int_equal(json_array_size(why), 2);
    w0 = json_array_get(why, 0);
    assert_string_equal(str(w0, "kind"), "supply");
    assert_true(json_is_null(json_object_get(w0, "offer")));
    assert_true(json_is_null(json_object_get(w0, "offer_org")));
    assert_true(json_real_value(json_object_get(w0, "dual")) == 10.0);
    assert_string_equal(str(w0, "detail"), "a compatible offer of another organisation is fully "
                                           "allocated; one more unit there is worth 10.00");
    assert_null(strstr(str(json_array_get(why, 1), "detail"), "130.00"));
    lds_http_resp_free(&r);
    get(why_run, org3_token, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "unmet")), 0);
    lds_http_resp_free(&r);
    /* W 10 @ 150 serves P's last 5; Q (cap 100) is unmet on price, and one more
     * unit in its cell would come from W's unsold 5 at 150.00 */
    post_id("/api/v1/offers", srv.member_token,
            "{\"material_id\":\"tm2o3\",\"region_id\":\"nanshan\",\"quantity\":10,"
            "\"unit_price\":150,\"period_from\":\"2026-01\",\"period_to\":\"2026-03\"}");
    long long q = post_id("/api/v1/requests", srv.operator_token,
                          "{\"org_id\":4,\"material_id\":\"tm2o3\",\"region_id\":\"nanshan\","
                          "\"quantity\":3,\"max_unit_price\":100,\"due_period\":\"2026-03\"}");
    run_tm("{\"material\":\"tm2o3\"}", &r);
    assert_string_equal(solve_mode(&r), "warm");
    assert_true(strstr(r.body, "\"total_cost\":3250.00,") != NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "unmet")), 1);
    u = json_array_get(json_object_get(r.json, "unmet"), 0);
    assert_int_equal(json_integer_value(json_object_get(u, "request_id")), q);
    assert_string_equal(str(u, "reason"), "price_cap");
    assert_true(json_real_value(json_object_get(u, "cell_price")) == 150.0);
    /* every offer is over Q's cap 100.00, the closest first: Y 120, X 130, W 150 */
    why = json_object_get(u, "why");
    assert_int_equal(json_array_size(why), 3);
    snprintf(detail, sizeof detail,
             "offer %lld could serve but price 120.00 + lane 0.00 > cap 100.00", y);
    assert_string_equal(str(json_array_get(why, 0), "detail"), detail);
    assert_string_equal(str(json_array_get(why, 0), "kind"), "price_cap");
    assert_true(json_is_null(json_object_get(json_array_get(why, 0), "dual")));
    snprintf(detail, sizeof detail,
             "offer %lld could serve but price 130.00 + lane 0.00 > cap 100.00", x);
    assert_string_equal(str(json_array_get(why, 1), "detail"), detail);
    char csv_path[sizeof r.location + 16];
    snprintf(csv_path, sizeof csv_path, "%s/unmet.csv", r.location);
    lds_http_resp_free(&r);
    /* the same as CSV; org 4's request is not the member's */
    get(csv_path, srv.operator_token, 200, &r);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    char want[256];
    snprintf(want, sizeof want,
             "request_id,org_id,material,region,due_period,requested,unmet,reason,cell_price\n"
             "%lld,4,tm2o3,nanshan,2026-03,3.000,3.000,price_cap,150.00\n",
             q);
    assert_string_equal(r.body, want);
    lds_http_resp_free(&r);
    get(csv_path, srv.member_token, 200, &r);
    assert_string_equal(r.body,
                        "request_id,org_id,material,region,due_period,requested,unmet,reason,"
                        "cell_price\n");
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offer_is_created_and_read_back_exactly),
        cmocka_unit_test(invalid_fields_are_named_by_pointer),
        cmocka_unit_test(records_paginate_and_members_see_only_their_own),
        cmocka_unit_test(lanes_need_the_operator),
        cmocka_unit_test(member_cannot_write_for_another_org),
        cmocka_unit_test(csv_upload_is_all_or_nothing_with_lines),
        cmocka_unit_test(match_run_gives_the_known_result_and_each_org_its_part),
        cmocka_unit_test(run_creation_is_idempotent_with_a_key),
        cmocka_unit_test(withdrawal_shows_as_a_removed_line_in_the_next_run),
        cmocka_unit_test(whole_corridor_run_matches_demo_supply),
        cmocka_unit_test(auth_and_not_found),
        cmocka_unit_test(new_offer_is_rematched_warm_and_equals_a_cold_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
