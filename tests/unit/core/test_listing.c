/* test_listing.c — the ids, cursors, list parameters and writers of
 * src/core/listing.c that the market, projects, investment and lots share. */
#include <string.h>
#include "harness.h"
#include "lodestone/listing.h"

static void ids_are_digits_only_and_at_least_min(void **state)
{
    (void)state;
    int64_t v = -1;
    assert_int_equal(lds_id_parse("12", 1, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(lds_id_parse("007", 1, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(lds_id_parse("123456789012345678", 1, &v), 0); /* 18 digits */
    assert_int_equal(v, 123456789012345678LL);
    v = -1;
    assert_int_equal(lds_id_parse("0", 1, &v), -1); /* below min */
    assert_int_equal(v, -1);                         /* untouched on error */
    assert_int_equal(lds_id_parse("0", 0, &v), 0);
    assert_int_equal(v, 0);
    static const char *const bad[] = {"", "+5", " 5", "-1", "12a", "1e3", "1234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lds_id_parse(bad[i], 0, &v), -1);
    assert_int_equal(lds_id_parse(NULL, 0, &v), -1);
}

static void cursors_round_trip_as_base64url(void **state)
{
    (void)state;
    lds_buf b = LDS_BUF_INIT;
    lds_cursor_put(42, &b); /* "42" = 0x34 0x32 -> "NDI" without padding */
    assert_string_equal(b.ptr, "\"NDI\"");
    lds_buf_release(&b);
    int64_t v = 0;
    assert_int_equal(lds_cursor_get("NDI", 1, &v), 0);
    assert_int_equal(v, 42);
    /* "MA" is "0": a cursor the projects lists (ids from 1) never issue */
    assert_int_equal(lds_cursor_get("MA", 1, &v), -1);
    assert_int_equal(lds_cursor_get("MA", 0, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(lds_cursor_get("42", 0, &v), -1);  /* "42" decodes to bytes, not digits */
    assert_int_equal(lds_cursor_get("N!I", 0, &v), -1); /* not base64url */
}

static void page_params_split_limit_next_and_filters(void **state)
{
    (void)state;
    static const char *const filters[] = {"material", "org", NULL};
    const char *fval[2] = {NULL, NULL};
    int64_t limit = 0, after = -1;
    lds_field_errors fe = {0};
    lds_kv ok[] = {{"limit", "2"}, {"next", "NDI"}, {"material", "nd2o3"}};
    lds_page_params(ok, 3, filters, fval, 1, &limit, &after, &fe);
    assert_int_equal(fe.n, 0);
    assert_int_equal(limit, 2);
    assert_int_equal(after, 42);
    assert_string_equal(fval[0], "nd2o3");
    assert_null(fval[1]);

    lds_kv bad[] = {{"next", "MA"}};
    lds_page_params(bad, 1, filters, fval, 1, &limit, &after, &fe);
    assert_int_equal(fe.n, 1);
    assert_string_equal(fe.items[0].pointer, "next");
    assert_string_equal(fe.items[0].message, "not a cursor this API issued");
    lds_err err;
    lds_err_clear(&err);
    assert_int_equal(lds_invalid_first(&fe, &err), LDS_EINVAL);
    assert_string_equal(err.msg, "next: not a cursor this API issued");
    assert_string_equal(err.field, "next");

    lds_field_errors body = {0};
    lds_field_errors_add(&body, "", "the body must be a JSON object");
    assert_int_equal(lds_invalid_first(&body, &err), LDS_EINVAL);
    assert_string_equal(err.msg, "the body must be a JSON object"); /* no ": " without a pointer */
}

static void optional_strings_and_roles(void **state)
{
    (void)state;
    lds_buf b = LDS_BUF_INIT;
    lds_json_str_or_null(&b, NULL);
    lds_buf_addc(&b, ',');
    lds_json_str_or_null(&b, "");
    lds_buf_addc(&b, ',');
    lds_json_str_or_null(&b, "a\"b");
    assert_string_equal(b.ptr, "null,null,\"a\\\"b\"");
    lds_buf_release(&b);
    lds_principal who = {1, 7, LDS_ROLE_OPERATOR};
    assert_true(lds_sees_all(&who));
    who.role = LDS_ROLE_AUDITOR;
    assert_true(lds_sees_all(&who));
    static const lds_role others[] = {LDS_ROLE_NONE, LDS_ROLE_MEMBER, LDS_ROLE_INVESTOR,
                                      LDS_ROLE_PROVIDER};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        who.role = others[i];
        assert_false(lds_sees_all(&who));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_are_digits_only_and_at_least_min),
        cmocka_unit_test(cursors_round_trip_as_base64url),
        cmocka_unit_test(page_params_split_limit_next_and_filters),
        cmocka_unit_test(optional_strings_and_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
