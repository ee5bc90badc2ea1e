/*
 * test_api.c — end to end: the real server on an ephemeral port over a
 * seeded temporary database, driven over HTTP.  Happy paths, pagination
 * across pages, and every error status the API promises.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "server.h"

static lds_test_server srv;

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "api.db", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

static void assert_problem(const lds_http_resp *r, long status)
{
    if (r->status != status)
        fail_msg("expected %ld, got %ld: %s", status, r->status, r->body);
    assert_string_equal(r->content_type, "application/problem+json");
    assert_non_null(r->json);
    assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
    assert_true(json_is_string(json_object_get(r->json, "type")));
    assert_true(json_is_string(json_object_get(r->json, "title")));
    assert_true(json_is_string(json_object_get(r->json, "detail")));
}

static void healthz_is_ok_without_token(void **state)
{
    (void)state;
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", "/healthz", NULL, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\":\"ok\"}");
    assert_string_equal(r.content_type, "application/json");
    lds_http_resp_free(&r);
}

/* Walks every page of a list and returns the ids seen, checking order. */
static int walk_pages(const char *base, int limit, long long *ids, int cap)
{
    char path[512], next[256] = "";
    int n = 0;
    for (int page = 0; page < 1000; page++) {
        snprintf(path, sizeof path, "%s%slimit=%d%s%s", base, strchr(base, '?') ? "&" : "?", limit,
                 next[0] ? "&next=" : "", next);
        lds_http_resp r;
        assert_int_equal(lds_http(&srv, "GET", path, srv.member_token, NULL, NULL, 0, &r), 0);
        if (r.status != 200)
            fail_msg("GET %s -> %ld %s", path, r.status, r.body);
        json_t *items = json_object_get(r.json, "items");
        assert_true(json_is_array(items));
        assert_true(json_array_size(items) <= (size_t)limit);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            long long id = json_integer_value(json_object_get(it, "id"));
            if (n > 0)
                assert_true(id > ids[n - 1]);
            assert_true(n < cap);
            ids[n++] = id;
        }
        json_t *nx = json_object_get(r.json, "next");
        if (json_is_null(nx)) {
            lds_http_resp_free(&r);
            return n;
        }
        assert_true(json_is_string(nx));
        assert_int_equal(json_array_size(items), (size_t)limit);
        snprintf(next, sizeof next, "%s", json_string_value(nx));
        lds_http_resp_free(&r);
    }
    fail_msg("pagination did not end");
    return n;
}

static void orgs_paginate_across_pages(void **state)
{
    (void)state;
    static long long all[4096], paged[4096];
    int n_all = walk_pages("/api/v1/orgs", 500, all, 4096);
    assert_true(n_all >= 60);
    int n_paged = walk_pages("/api/v1/orgs", 7, paged, 4096);
    assert_int_equal(n_paged, n_all);
    assert_memory_equal(all, paged, sizeof all[0] * (size_t)n_all);
}

static void list_filters_select_matching_rows(void **state)
{
    (void)state;
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/orgs?stage=magnet&limit=500", srv.member_token,
                              NULL, NULL, 0, &r),
                     0);
    assert_int_equal(r.status, 200);
    json_t *items = json_object_get(r.json, "items"), *it;
    size_t i;
    assert_true(json_array_size(items) > 0);
    json_array_foreach(items, i, it)
        assert_string_equal(json_string_value(json_object_get(it, "stage_id")), "magnet");
    lds_http_resp_free(&r);

    assert_int_equal(lds_http(&srv, "GET", "/api/v1/regions", srv.member_token, NULL, NULL, 0, &r),
                     0);
    assert_int_equal(r.status, 200);
    const char *region = json_string_value(
        json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
    assert_non_null(region);
    char path[256];
    snprintf(path, sizeof path, "/api/v1/orgs?region=%s&limit=500", region);
    lds_http_resp r2;
    assert_int_equal(lds_http(&srv, "GET", path, srv.member_token, NULL, NULL, 0, &r2), 0);
    assert_int_equal(r2.status, 200);
    json_array_foreach(json_object_get(r2.json, "items"), i, it)
        assert_string_equal(json_string_value(json_object_get(it, "region_id")), region);
    lds_http_resp_free(&r2);
    lds_http_resp_free(&r);
}

static void every_catalog_resource_lists_and_gets(void **state)
{
    (void)state;
    static const char *const res[] = {"regions", "orgs", "facilities", "materials", "recipes"};
    for (size_t k = 0; k < sizeof res / sizeof res[0]; k++) {
        char path[128];
        lds_http_resp r, one;
        snprintf(path, sizeof path, "/api/v1/%s?limit=3", res[k]);
        assert_int_equal(lds_http(&srv, "GET", path, srv.member_token, NULL, NULL, 0, &r), 0);
        if (r.status != 200)
            fail_msg("%s -> %ld", path, r.status);
        json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
        if (!first)
            fail_msg("%s is empty in the demo corridor", res[k]);
        json_t *id = json_object_get(first, "id");
        if (json_is_integer(id))
            snprintf(path, sizeof path, "/api/v1/%s/%lld", res[k], (long long)json_integer_value(id));
        else
            snprintf(path, sizeof path, "/api/v1/%s/%s", res[k], json_string_value(id));
        assert_int_equal(lds_http(&srv, "GET", path, srv.member_token, NULL, NULL, 0, &one), 0);
        assert_int_equal(one.status, 200);
        assert_true(json_equal(json_object_get(one.json, "id"), id));
        lds_http_resp_free(&one);
        lds_http_resp_free(&r);
    }
}

static void unknown_id_is_404_and_unknown_route_is_404(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_http(&srv, "GET", "/api/v1/orgs/987654", srv.member_token, NULL, NULL, 0, &r);
    assert_problem(&r, 404);
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/api/v1/orgs/not-a-number", srv.member_token, NULL, NULL, 0, &r);
    assert_problem(&r, 404);
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/api/v1/nothing-here", srv.member_token, NULL, NULL, 0, &r);
    assert_problem(&r, 404);
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/no/such/file.html", NULL, NULL, NULL, 0, &r);
    assert_problem(&r, 404);
    lds_http_resp_free(&r);
}

static void missing_or_bad_token_is_401(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_http(&srv, "GET", "/api/v1/orgs", NULL, NULL, NULL, 0, &r);
    assert_problem(&r, 401);
    assert_non_null(strstr(r.www_authenticate, "Bearer"));
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/api/v1/orgs", "lds_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL,
             0, &r);
    assert_problem(&r, 401);
    assert_non_null(strstr(r.www_authenticate, "invalid_token"));
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/api/v1/orgs", "garbage", NULL, NULL, 0, &r);
    assert_problem(&r, 401);
    lds_http_resp_free(&r);
}

/* GET /api/v1/me names the token's organisation and role. */
static void me_names_the_token_org_and_role(void **state)
{
    (void)state;
    const struct {
        const char *token;
        long long org;
        const char *role;
    } cases[] = {{srv.operator_token, 1, "operator"}, {srv.member_token, 2, "member"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lds_http_resp r;
        lds_http(&srv, "GET", "/api/v1/me", cases[i].token, NULL, NULL, 0, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(json_integer_value(json_object_get(r.json, "org_id")), cases[i].org);
        assert_string_equal(json_string_value(json_object_get(r.json, "role")), cases[i].role);
        lds_http_resp_free(&r);
    }
    lds_http_resp r;
    lds_http(&srv, "GET", "/api/v1/me", NULL, NULL, NULL, 0, &r);
    assert_problem(&r, 401);
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/api/v1/me?x=1", srv.member_token, NULL, NULL, 0, &r);
    assert_problem(&r, 400);
    lds_http_resp_free(&r);
}

static void member_cannot_write_403(void **state)
{
    (void)state;
    lds_http_resp r;
    const char body[] = "{\"name\":\"Should Not Exist\",\"kind\":\"enterprise\",\"region_id\":\"x\"}";
    lds_http(&srv, "POST", "/api/v1/orgs", srv.member_token, "application/json", body,
             sizeof body - 1, &r);
    assert_problem(&r, 403);
    lds_http_resp_free(&r);
}

static void wrong_method_is_405_with_allow(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_http(&srv, "DELETE", "/api/v1/orgs", srv.operator_token, NULL, NULL, 0, &r);
    assert_problem(&r, 405);
    assert_non_null(strstr(r.allow, "GET"));
    assert_non_null(strstr(r.allow, "POST"));
    lds_http_resp_free(&r);
    lds_http(&srv, "POST", "/api/v1/regions", srv.operator_token, "application/json", "{}", 2, &r);
    assert_problem(&r, 405);
    assert_string_equal(r.allow, "GET, HEAD");
    lds_http_resp_free(&r);
}

static void body_over_limit_is_413(void **state)
{
    (void)state;
    size_t n = (1u << 20) + 10;
    char *big = malloc(n);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    lds_http_resp r;
    lds_http(&srv, "POST", "/api/v1/orgs", srv.operator_token, "application/json", big, n, &r);
    assert_problem(&r, 413);
    lds_http_resp_free(&r);
    free(big);
}

static void wrong_content_type_is_415(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_http(&srv, "POST", "/api/v1/orgs", srv.operator_token, "text/plain", "{}", 2, &r);
    assert_problem(&r, 415);
    lds_http_resp_free(&r);
    lds_http(&srv, "POST", "/api/v1/orgs", srv.operator_token, NULL, "{}", 2, &r);
    assert_problem(&r, 415);
    lds_http_resp_free(&r);
}

static void malformed_json_is_400_with_line_and_column(void **state)
{
    (void)state;
    lds_http_resp r;
    const char body[] = "{\n  \"name\": \"x\",\n  \"kind\" \"enterprise\"\n}";
    lds_http(&srv, "POST", "/api/v1/orgs", srv.operator_token, "application/json", body,
             sizeof body - 1, &r);
    assert_problem(&r, 400);
    assert_int_equal(json_integer_value(json_object_get(r.json, "line")), 3);
    assert_true(json_integer_value(json_object_get(r.json, "column")) > 0);
    lds_http_resp_free(&r);
}

static void invalid_fields_list_json_pointers(void **state)
{
    (void)state;
    lds_http_resp r;
    const char body[] = "{\"name\": 42, \"kind\": \"pirate\", \"region_id\": \"atlantis\"}";
    lds_http(&srv, "POST", "/api/v1/orgs", srv.operator_token, "application/json", body,
             sizeof body - 1, &r);
    assert_problem(&r, 400);
    json_t *errs = json_object_get(r.json, "errors"), *e;
    size_t i;
    int saw_name = 0, saw_kind = 0, saw_region = 0;
    json_array_foreach(errs, i, e)
    {
        const char *p = json_string_value(json_object_get(e, "pointer"));
        assert_true(json_is_string(json_object_get(e, "message")));
        saw_name |= strcmp(p, "/name") == 0;
        saw_kind |= strcmp(p, "/kind") == 0;
        saw_region |= strcmp(p, "/region_id") == 0;
    }
    assert_true(saw_name && saw_kind && saw_region);
    lds_http_resp_free(&r);
}

static void operator_creates_org_and_facility(void **state)
{
    (void)state;
    lds_http_resp r, g, f, dup;
    lds_http(&srv, "GET", "/api/v1/regions?limit=1", srv.operator_token, NULL, NULL, 0, &g);
    const char *region = json_string_value(
        json_object_get(json_array_get(json_object_get(g.json, "items"), 0), "id"));
    assert_non_null(region);
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"Test Magnetics Co.\",\"kind\":\"enterprise\",\"stage_id\":\"magnet\","
             "\"region_id\":\"%s\",\"description\":\"created by the e2e suite\"}",
             region);
    lds_http(&srv, "POST", "/api/v1/orgs", srv.operator_token, "application/json", body,
             strlen(body), &r);
    if (r.status != 201)
        fail_msg("create org -> %ld %s", r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    char want[64];
    snprintf(want, sizeof want, "/api/v1/orgs/%lld", id);
    assert_string_equal(r.location, want);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), "Test Magnetics Co.");

    lds_http(&srv, "POST", "/api/v1/orgs", srv.operator_token, "application/json", body,
             strlen(body), &dup);
    assert_problem(&dup, 409);

    snprintf(body, sizeof body,
             "{\"org_id\":%lld,\"name\":\"Line 1\",\"region_id\":\"%s\",\"stage_id\":\"magnet\","
             "\"capacity\":1500.5,\"capacity_unit\":\"t/yr\"}",
             id, region);
    lds_http(&srv, "POST", "/api/v1/facilities", srv.operator_token, "application/json", body,
             strlen(body), &f);
    if (f.status != 201)
        fail_msg("create facility -> %ld %s", f.status, f.body);
    assert_true(json_real_value(json_object_get(f.json, "capacity")) == 1500.5);
    lds_http_resp_free(&f);
    lds_http_resp_free(&dup);
    lds_http_resp_free(&r);
    lds_http_resp_free(&g);
}

static void idempotency_key_replays_the_first_reply(void **state)
{
    (void)state;
    lds_http_resp a, b, c;
    const char body[] =
        "{\"name\":\"Idempotent Alloys Ltd\",\"kind\":\"enterprise\",\"region_id\":\"nanshan\"}";
    const char other[] =
        "{\"name\":\"Another Alloys Ltd\",\"kind\":\"enterprise\",\"region_id\":\"nanshan\"}";
    lds_http_h(&srv, "POST", "/api/v1/orgs", srv.operator_token, "application/json",
               "Idempotency-Key: retry-42", body, sizeof body - 1, &a);
    if (a.status != 201)
        fail_msg("first -> %ld %s", a.status, a.body);
    assert_string_equal(a.replayed, "");
    lds_http_h(&srv, "POST", "/api/v1/orgs", srv.operator_token, "application/json",
               "Idempotency-Key: retry-42", body, sizeof body - 1, &b);
    assert_int_equal(b.status, 201);
    assert_string_equal(b.replayed, "true");
    assert_string_equal(a.location, b.location);
    assert_string_equal(a.body, b.body);
    lds_http_h(&srv, "POST", "/api/v1/orgs", srv.operator_token, "application/json",
               "Idempotency-Key: retry-42", other, sizeof other - 1, &c);
    assert_problem(&c, 422);
    lds_http_resp_free(&c);
    /* Without the key, the same body is a duplicate name. */
    lds_http(&srv, "POST", "/api/v1/orgs", srv.operator_token, "application/json", body,
             sizeof body - 1, &c);
    assert_problem(&c, 409);
    lds_http_resp_free(&a);
    lds_http_resp_free(&b);
    lds_http_resp_free(&c);
}

static void web_page_is_served(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_http(&srv, "GET", "/", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/html"));
    assert_non_null(strstr(r.body, "Lodestone"));
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/../Makefile", NULL, NULL, NULL, 0, &r);
    assert_int_not_equal(r.status, 200);
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(healthz_is_ok_without_token),
        cmocka_unit_test(orgs_paginate_across_pages),
        cmocka_unit_test(list_filters_select_matching_rows),
        cmocka_unit_test(every_catalog_resource_lists_and_gets),
        cmocka_unit_test(unknown_id_is_404_and_unknown_route_is_404),
        cmocka_unit_test(missing_or_bad_token_is_401),
        cmocka_unit_test(me_names_the_token_org_and_role),
        cmocka_unit_test(member_cannot_write_403),
        cmocka_unit_test(wrong_method_is_405_with_allow),
        cmocka_unit_test(body_over_limit_is_413),
        cmocka_unit_test(wrong_content_type_is_415),
        cmocka_unit_test(malformed_json_is_400_with_line_and_column),
        cmocka_unit_test(invalid_fields_list_json_pointers),
        cmocka_unit_test(operator_creates_org_and_facility),
        cmocka_unit_test(idempotency_key_replays_the_first_reply),
        cmocka_unit_test(web_page_is_served),
    };
    return cmocka_run_group_tests_name("e2e api", tests, setup, teardown);
}
