/* test_problem.c — RFC 9457 problem details as the API writes them. */
#include <jansson.h>
#include <string.h>
#include "harness.h"
#include "api/api_int.h"

static void problem_has_the_rfc_members(void **state)
{
    (void)state;
    lds_buf b = LDS_BUF_INIT;
    lds_api_problem_body(&b, 404, "not-found", NULL, "no orgs with id '9'", "/api/v1/orgs/9",
                         "0-1", NULL);
    json_error_t je;
    json_t *j = json_loads(b.ptr, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")),
                        "urn:lodestone:problem:not-found");
    assert_string_equal(json_string_value(json_object_get(j, "title")), "Not Found");
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "no orgs with id '9'");
    assert_string_equal(json_string_value(json_object_get(j, "instance")), "/api/v1/orgs/9");
    assert_null(json_object_get(j, "errors"));
    json_decref(j);
    lds_buf_release(&b);
}

static void invalid_fields_become_pointer_message_pairs(void **state)
{
    (void)state;
    lds_field_errors fe = {0};
    lds_field_errors_add(&fe, "/name", "required");
    lds_field_errors_add(&fe, "/region_id", "no region '%s'", "x\"y");
    lds_buf b = LDS_BUF_INIT;
    lds_api_problem_body(&b, 400, "invalid-fields", NULL, "invalid", "/api/v1/orgs", NULL, &fe);
    json_t *j = json_loads(b.ptr, 0, NULL);
    assert_non_null(j);
    json_t *errs = json_object_get(j, "errors");
    assert_int_equal(json_array_size(errs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "pointer")),
                        "/name");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 1), "message")),
                        "no region 'x\"y'");
    json_decref(j);
    lds_buf_release(&b);
}

static void field_errors_are_capped(void **state)
{
    (void)state;
    lds_field_errors fe = {0};
    for (int i = 0; i < 100; i++)
        lds_field_errors_add(&fe, "/x", "error %d", i);
    assert_int_equal(fe.n, LDS_MAX_FIELD_ERRORS);
}

static void error_codes_map_to_statuses(void **state)
{
    (void)state;
    assert_int_equal(lds_code_http_status(LDS_EAUTH), 401);
    assert_int_equal(lds_code_http_status(LDS_EFORBIDDEN), 403);
    assert_int_equal(lds_code_http_status(LDS_ETOOBIG), 413);
    assert_int_equal(lds_code_http_status(LDS_EIO), 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(problem_has_the_rfc_members),
        cmocka_unit_test(invalid_fields_become_pointer_message_pairs),
        cmocka_unit_test(field_errors_are_capped),
        cmocka_unit_test(error_codes_map_to_statuses),
    };
    return cmocka_run_group_tests_name("api problem", tests, NULL, NULL);
}
