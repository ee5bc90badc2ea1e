/* test_plan_api.c — plans over HTTP: solve under a scenario, read back, roles, bad input,
 * two plans compared side by side. */
#include <math.h>
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
    assert_string_equal(lds_test_pointer0(&r), "/scenario");
    lds_http_resp_free(&r);
    lds_http(&srv, "POST", "/api/v1/plans", srv.operator_token, "application/json",
             "{\"scenario\":7,\"x\":1}", 19, &r);
    assert_int_equal(r.status, 400);
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/api/v1/plans/99999", srv.operator_token, NULL, NULL, 0, &r);
    assert_int_equal(r.status, 404);
    lds_http_resp_free(&r);
}

static json_t *row_where(json_t *arr, const char *k1, const char *v1, const char *k2,
                         const char *v2, const char *k3, const char *v3)
{
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, k1)), v1) == 0 &&
            (!k2 || strcmp(json_string_value(json_object_get(it, k2)), v2) == 0) &&
            (!k3 || strcmp(json_string_value(json_object_get(it, k3)), v3) == 0))
            return it;
    }
    return NULL;
}

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static void close_to(double x, double y)
{
    if (fabs(x - y) > 1e-6 * (1 + fabs(y)))
        fail_msg("%.9g != %.9g", x, y);
}

/* Two plans side by side: the as-is plan and the Dy/Tb export-control one;
 * every figure of the comparison is the one each plan reports. */
static void two_scenarios_compare_side_by_side(void **state)
{
    (void)state;
    lds_http_resp pa, pb, c;
    lds_http(&srv, "POST", "/api/v1/plans", srv.operator_token, NULL, NULL, 0, &pa);
    assert_int_equal(pa.status, 201);
    const char body[] = "{\"scenario\":\"export-controls-dy-tb-50\"}";
    lds_http(&srv, "POST", "/api/v1/plans", srv.operator_token, "application/json", body,
             sizeof body - 1, &pb);
    assert_int_equal(pb.status, 201);
    long long ia = json_integer_value(json_object_get(pa.json, "id"));
    long long ib = json_integer_value(json_object_get(pb.json, "id"));
    json_t *ra = json_object_get(pa.json, "result"), *rb = json_object_get(pb.json, "result");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/plans/compare?a=%lld&b=%lld", ia, ib);
    lds_http(&srv, "GET", path, srv.operator_token,
             NULL, NULL, 0, &c);
    if (c.status != 200)
        fail_msg("compare -> %ld %s", c.status, c.body);
    json_t *cmp = c.json;
    assert_int_equal(json_integer_value(json_object_get(json_object_get(cmp, "a"), "id")), ia);
    assert_string_equal(json_string_value(json_object_get(json_object_get(cmp, "a"), "scenario")),
                        "as-is");
    assert_string_equal(json_string_value(json_object_get(json_object_get(cmp, "b"), "scenario")),
                        "export-controls-dy-tb-50");
    /* headline figures: a, b and b - a */
    json_t *totals = json_object_get(cmp, "totals");
    static const char *const figs[] = {"cost_cny", "short_total", "fill_rate"};
    for (size_t k = 0; k < 3; k++) {
        json_t *row = row_where(totals, "figure", figs[k], NULL, NULL, NULL, NULL);
        assert_non_null(row);
        close_to(num(row, "a"), num(ra, figs[k]));
        close_to(num(row, "b"), num(rb, figs[k]));
        close_to(num(row, "delta"), num(rb, figs[k]) - num(ra, figs[k]));
    }
    /* every shortage of either plan is a row with its quantity on its side */
    json_t *sh = json_object_get(cmp, "shortages");
    json_t *plans[2] = {ra, rb};
    size_t i;
    json_t *it;
    for (int side = 0; side < 2; side++) {
        json_array_foreach(json_object_get(plans[side], "shortages"), i, it)
        {
            json_t *row =
                row_where(sh, "material", json_string_value(json_object_get(it, "material")),
                          "region", json_string_value(json_object_get(it, "region")), "period",
                          json_string_value(json_object_get(it, "period")));
            assert_non_null(row);
            close_to(num(row, side ? "b" : "a"), num(it, "short"));
        }
    }
    json_array_foreach(sh, i, it)
    {
        double a = json_is_null(json_object_get(it, "a")) ? 0 : num(it, "a");
        double b = json_is_null(json_object_get(it, "b")) ? 0 : num(it, "b");
        close_to(num(it, "delta"), b - a);
    }
    assert_true(json_is_array(json_object_get(cmp, "surplus")));
    assert_true(json_is_array(json_object_get(cmp, "bottleneck_facilities")));
    lds_http_resp_free(&c);

    /* a plan against itself: nothing differs */
    snprintf(path, sizeof path, "/api/v1/plans/compare?a=%lld&b=%lld", ib, ib);
    lds_http(&srv, "GET", path, srv.operator_token, NULL, NULL, 0, &c);
    assert_int_equal(c.status, 200);
    json_array_foreach(json_object_get(c.json, "totals"), i, it)
        assert_true(num(it, "delta") == 0);
    json_array_foreach(json_object_get(c.json, "shortages"), i, it)
        assert_true(num(it, "delta") == 0);
    assert_int_equal(json_array_size(json_object_get(c.json, "production")), 0);
    lds_http_resp_free(&c);

    /* refusals */
    lds_http(&srv, "GET", path, srv.member_token, NULL, NULL, 0, &c);
    assert_int_equal(c.status, 403);
    lds_http_resp_free(&c);
    snprintf(path, sizeof path, "/api/v1/plans/compare?a=%lld", ia);
    lds_http(&srv, "GET", path, srv.operator_token, NULL, NULL, 0, &c);
    assert_int_equal(c.status, 400);
    assert_string_equal(lds_test_pointer0(&c), "/b");
    lds_http_resp_free(&c);
    lds_http(&srv, "GET", "/api/v1/plans/compare?a=x&b=1&c=2", srv.operator_token, NULL, NULL, 0,
             &c);
    assert_int_equal(c.status, 400);
    assert_non_null(strstr(c.body, "\"/a\""));
    assert_non_null(strstr(c.body, "\"/c\""));
    lds_http_resp_free(&c);
    snprintf(path, sizeof path, "/api/v1/plans/compare?a=%lld&b=99999", ia);
    lds_http(&srv, "GET", path, srv.operator_token, NULL, NULL, 0, &c);
    assert_int_equal(c.status, 404);
    lds_http_resp_free(&c);
    lds_http_resp_free(&pa);
    lds_http_resp_free(&pb);
}

/* Runs after the others: three plans are stored by now. */
static void plans_are_listed_newest_first_in_pages(void **state)
{
    (void)state;
    lds_http_resp p1, p2, r;
    lds_http(&srv, "GET", "/api/v1/plans?limit=2", srv.operator_token, NULL, NULL, 0, &p1);
    assert_int_equal(p1.status, 200);
    json_t *items = json_object_get(p1.json, "items");
    assert_int_equal(json_array_size(items), 2);
    long long first = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    long long second = json_integer_value(json_object_get(json_array_get(items, 1), "id"));
    assert_true(first > second && second > 0);
    /* The newest run is the compare test's export-control plan. */
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(items, 0), "scenario")),
        "export-controls-dy-tb-50");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "status")),
                        "optimal");
    const char *next = json_string_value(json_object_get(p1.json, "next"));
    assert_non_null(next);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/plans?limit=2&next=%s", next);
    lds_http(&srv, "GET", path, srv.operator_token, NULL, NULL, 0, &p2);
    assert_int_equal(p2.status, 200);
    json_t *rest = json_object_get(p2.json, "items");
    assert_int_equal(json_array_size(rest), 1);
    assert_true(json_integer_value(json_object_get(json_array_get(rest, 0), "id")) < second);
    assert_true(json_is_null(json_object_get(p2.json, "next")));
    lds_http_resp_free(&p1);
    lds_http_resp_free(&p2);
    lds_http(&srv, "GET", "/api/v1/plans", srv.member_token, NULL, NULL, 0, &r);
    assert_int_equal(r.status, 403);
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/api/v1/plans?limit=0", srv.operator_token, NULL, NULL, 0, &r);
    assert_int_equal(r.status, 400);
    lds_http_resp_free(&r);
    lds_http(&srv, "GET", "/api/v1/plans?next=abc", srv.operator_token, NULL, NULL, 0, &r);
    assert_int_equal(r.status, 400);
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(operator_plans_and_reads_back),
        cmocka_unit_test(refusals),
        cmocka_unit_test(two_scenarios_compare_side_by_side),
        cmocka_unit_test(plans_are_listed_newest_first_in_pages),
    };
    return cmocka_run_group_tests_name("e2e plan api", tests, setup, teardown);
}
