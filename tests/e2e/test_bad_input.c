/*
 * test_bad_input.c — malformed bodies of every kind (truncated, wrong types,
 * huge numbers, deep nesting, invalid UTF-8, empty, ...) each get a 4xx
 * problem+json, nothing is written, and the server keeps serving.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "server.h"

static lds_test_server srv;

typedef struct bad_case {
    const char *path;
    const char *body;
    size_t len; /* 0 = strlen(body) */
} bad_case;

#define ORGS "/api/v1/orgs"
#define FACS "/api/v1/facilities"
#define S(x) x, sizeof(x) - 1

static const bad_case cases[] = {
    {ORGS, S("")},
    {ORGS, S("{")},
    {ORGS, S("{\"name\":")},
    {ORGS, S("{\"name\":\"unterminated}")},
    {ORGS, S("[]")},
    {ORGS, S("null")},
    {ORGS, S("42")},
    {ORGS, S("\"just a string\"")},
    {ORGS, S("{\"name\":1e999,\"kind\":\"enterprise\",\"region_id\":\"x\"}")},
    {ORGS, S("{\"name\":123456789012345678901234567890}")},
    {ORGS, S("{\"name\":\"\xff\xfe\",\"kind\":\"enterprise\"}")},
    {ORGS, S("{\"name\":\"\xc0\xaf\"}")},
    {ORGS, S("{\"name\":\"a\\u0000b\",\"kind\":\"enterprise\",\"region_id\":\"x\"}")},
    {ORGS, S("{\"name\":\"a\",\"name\":\"b\"}")},
    {ORGS, S("{} trailing")},
    {ORGS, S("{'name':'single quotes'}")},
    {ORGS, S("{\"name\":\"x\",}")},
    {ORGS, S("/* comment */ {}")},
    {ORGS, S("{\"name\":[\"array\"],\"kind\":\"enterprise\",\"region_id\":\"x\"}")},
    {ORGS, S("{\"name\":{\"o\":1},\"kind\":\"enterprise\",\"region_id\":\"x\"}")},
    {ORGS, S("{\"name\":\"\",\"kind\":\"enterprise\",\"region_id\":\"x\"}")},
    {ORGS, S("{\"name\":\"ok\",\"kind\":7,\"region_id\":\"x\"}")},
    {ORGS, S("{\"name\":\"ok\",\"kind\":\"enterprise\",\"region_id\":null}")},
    {ORGS, S("{\"name\":true,\"kind\":false,\"region_id\":true}")},
    {ORGS, S("\xef\xbb\xbf{}")},
    {ORGS, S("{\"name\":\"\\ud800\"}")},
    {ORGS, S("{\"name\":\"raw\x01control\"}")},
    {ORGS, S("{\"n\":01}")},
    {ORGS, S("{\"name\":\"x\"}\0{}")},
    {ORGS, S("{\"name\":\"x\",\"kind\":\"enterprise\",\"region_id\":\"x\",\"unknown\":1}")},
    {FACS, S("{\"org_id\":\"1\",\"name\":\"f\",\"region_id\":\"x\",\"stage_id\":\"magnet\","
             "\"capacity\":1,\"capacity_unit\":\"t/yr\"}")},
    {FACS, S("{\"org_id\":1,\"name\":\"f\",\"region_id\":\"x\",\"stage_id\":\"magnet\","
             "\"capacity\":-5,\"capacity_unit\":\"t/yr\"}")},
    {FACS, S("{\"org_id\":1,\"name\":\"f\",\"region_id\":\"x\",\"stage_id\":\"magnet\","
             "\"capacity\":1e300,\"capacity_unit\":\"t/yr\"}")},
    {FACS, S("{\"org_id\":1,\"name\":\"f\",\"region_id\":\"x\",\"stage_id\":\"magnet\","
             "\"capacity\":\"NaN\",\"capacity_unit\":\"t/yr\"}")},
    {FACS, S("{\"org_id\":1,\"name\":\"f\",\"region_id\":\"x\",\"stage_id\":\"magnet\","
             "\"capacity\":1.23456,\"capacity_unit\":\"t/yr\"}")},
    {FACS, S("{\"org_id\":9223372036854775807,\"name\":\"f\",\"region_id\":\"x\","
             "\"stage_id\":\"magnet\",\"capacity\":1,\"capacity_unit\":\"t/yr\"}")},
    {FACS, S("{\"org_id\":-1,\"name\":\"f\",\"region_id\":\"x\",\"stage_id\":\"magnet\","
             "\"capacity\":1,\"capacity_unit\":\"t/yr\",\"lat\":200}")},
    {FACS, S("{\"org_id\":1}")},
};

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "bad.db", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

static long count_of(const char *resource)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/%s?limit=500", resource);
    long n = 0;
    lds_http_resp r;
    for (;;) {
        assert_int_equal(lds_http(&srv, "GET", path, srv.operator_token, NULL, NULL, 0, &r), 0);
        assert_int_equal(r.status, 200);
        n += (long)json_array_size(json_object_get(r.json, "items"));
        json_t *next = json_object_get(r.json, "next");
        if (!json_is_string(next)) {
            lds_http_resp_free(&r);
            return n;
        }
        snprintf(path, sizeof path, "/api/v1/%s?limit=500&next=%s", resource,
                 json_string_value(next));
        lds_http_resp_free(&r);
    }
}

static void check_case(const char *path, const char *body, size_t len, const char *label)
{
    lds_http_resp r;
    if (lds_http(&srv, "POST", path, srv.operator_token, "application/json", body, len, &r) != 0)
        fail_msg("%s: transport error (server gone?)", label);
    if (r.status < 400 || r.status > 499)
        fail_msg("%s: expected 4xx, got %ld: %s", label, r.status, r.body);
    if (strcmp(r.content_type, "application/problem+json") != 0 || !r.json ||
        !json_is_string(json_object_get(r.json, "detail")))
        fail_msg("%s: not problem+json: %s", label, r.body);
    lds_http_resp_free(&r);
}

static void malformed_bodies_get_problem_json(void **state)
{
    (void)state;
    long orgs_before = count_of("orgs"), facs_before = count_of("facilities");
    size_t n = sizeof cases / sizeof cases[0];
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        char label[64];
        snprintf(label, sizeof label, "case %zu", i);
        check_case(cases[i].path, cases[i].body, cases[i].len, label);
        assert_true(lds_test_server_alive(&srv));
    }
    assert_int_equal(count_of("orgs"), orgs_before);
    assert_int_equal(count_of("facilities"), facs_before);
}

static void deep_nesting_and_huge_strings(void **state)
{
    (void)state;
    size_t depth = 5000;
    char *deep = malloc(depth * 2 + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    check_case(ORGS, deep, depth * 2, "5000 nested arrays");
    for (size_t i = 0; i < depth; i++)
        deep[i] = '{';
    check_case(ORGS, deep, depth, "5000 unclosed objects");
    free(deep);

    size_t big = 100000;
    char *s = malloc(big + 64);
    int k = snprintf(s, 64, "{\"name\":\"");
    memset(s + k, 'x', big);
    strcpy(s + k + big, "\",\"kind\":\"enterprise\",\"region_id\":\"x\"}");
    check_case(ORGS, s, strlen(s), "100 kB name");
    free(s);
}

static void server_still_serves(void **state)
{
    (void)state;
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", "/healthz", NULL, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_bodies_get_problem_json),
        cmocka_unit_test(deep_nesting_and_huge_strings),
        cmocka_unit_test(server_still_serves),
    };
    return cmocka_run_group_tests_name("e2e bad input", tests, setup, teardown);
}
