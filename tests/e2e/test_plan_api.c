/* test_plan_api.c — plans over HTTP: solve under a scenario, read back, roles, bad input. */
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "server.h"

static lds_test_server srv;

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "plan.db", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

static void operator_plans_and_reads_back(void **state)
{
    (void)state;
    lds_http_resp a, b;
    const char body[] = "{\"scenario\":\"export-controls-dy-tb-50\"}";
    lds_http(&srv, "POST", "/api/v1/plans", srv.operator_token, "application/json", body,
             sizeof body - 1, &a);
    if (a.status != 201)
        fail_msg("POST /plans -> %ld %s", a.status, a.body);
    json_t *res = json_object_get(a.json, "result");
    assert_string_equal(json_string_value(json_object_get(res, "scenario")),
                        "export-controls-dy-tb-50");
    assert_int_equal(json_integer_value(json_object_get(res, "periods")), 12);
    double fill = json_number_value(json_object_get(res, "fill_rate"));
    assert_true(fill > 0.5 && fill <= 1.0);
    assert_non_null(strstr(a.location, "/api/v1/plans/"));
    char path[256];
    snprintf(path, sizeof path, "%s", a.location);
    lds_http(&srv, "GET", path, srv.operator_token, NULL, NULL, 0, &b);
    assert_int_equal(b.status, 200);
    assert_true(json_equal(json_object_get(b.json, "result"), res));
    lds_http_resp_free(&b);
    lds_http(&srv, "GET", path, srv.member_token, NULL, NULL, 0, &b);
    assert_int_equal(b.status, 403);
    lds_http_resp_free(&b);
    lds_http_resp_free(&a);
}

static void refusals(void **state)
{
    (void)state;
    lds_http_resp r;
    lds_http(&srv, "POST", "/api/v1/plans", srv.member_token, "application/json", "{}", 2, &r);
    assert_int_equal(r.status, 403);
    lds_http_resp_free(&r);
    lds_http(&srv, "POST", "/api/v1/plans", srv.operator_token, "application/json",
             "{\"scenario\":\"no-such\"}", 22, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "errors"), 0), "pointer")),
                        "/scenario");
    lds_http_resp_free(&r);
    lds_http(&srv, "POST", "/api/v1/plans", srv.operator_token, "application/json",
             "{\"scenario\":7,\"x\":1}", 19, &r);
    assert_int_equal(r.status, 400);
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/api/v1/plans/99999", srv.operator_token, NULL, NULL, 0, &r);
    assert_int_equal(r.status, 404);
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(operator_plans_and_reads_back),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests_name("e2e plan api", tests, setup, teardown);
}
