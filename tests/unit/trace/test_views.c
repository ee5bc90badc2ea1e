/*
 * test_views.c — the small pieces of the trace views: month bounds in local
 * time, quantities in thousandths and their decimal form, CBV bizStep words,
 * and who sees every event.
 */
#include <stdint.h>
#include "harness.h"
#include "trace/views_int.h"

static void month_bounds(void **state)
{
    (void)state;
    int64_t from, to;
    lds_err err;
    assert_int_equal(lds_trace_month_bounds("1970-01", &from, &to, &err), LDS_OK);
    assert_int_equal(from, 0);
    assert_int_equal(to, 31LL * 86400000);
    /* 2026-03-01T00:00Z is 1772323200 s; March has 31 days. */
    assert_int_equal(lds_trace_month_bounds("2026-03", &from, &to, &err), LDS_OK);
    assert_int_equal(from, 1772323200000LL);
    assert_int_equal(to - from, 31LL * 86400000);
    assert_int_equal(lds_trace_month_bounds("2024-02", &from, &to, &err), LDS_OK);
    assert_int_equal(to - from, 29LL * 86400000); /* leap year */
    assert_int_equal(lds_trace_month_bounds("2100-02", &from, &to, &err), LDS_OK);
    assert_int_equal(to - from, 28LL * 86400000); /* not a leap year */
    assert_int_equal(lds_trace_month_bounds("2026-12", &from, &to, &err), LDS_OK);
    assert_int_equal(to, 1798761600000LL); /* 2027-01-01 */
    static const char *const bad[] = {"2026-13", "2026-00", "2026-3", "26-03", "2026/03",
                                      "1969-12", "2026-03-01", "", "abcd-ef"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lds_err_clear(&err);
        assert_int_equal(lds_trace_month_bounds(bad[i], &from, &to, &err), LDS_EINVAL);
        assert_string_equal(err.field, "month");
    }
    assert_int_equal(lds_trace_month_bounds(NULL, &from, &to, &err), LDS_EINVAL);
}

static void milli(void **state)
{
    (void)state;
    char t[32];
    assert_int_equal(lds_trace__milli(25.5), 25500);
    assert_int_equal(lds_trace__milli(0.0005), 1); /* half away from zero */
    assert_int_equal(lds_trace__milli(-0.0005), -1);
    assert_int_equal(lds_trace__milli(2.25), 2250);
    assert_int_equal(lds_trace__milli(1e300), 9000000000000000000LL); /* clamped */
    static const struct {
        int64_t v;
        const char *s;
    } cases[] = {{0, "0"},          {1, "0.001"},   {10, "0.01"},     {1500, "1.5"},
                 {-1500, "-1.5"},   {-1, "-0.001"}, {12000, "12"},    {123456, "123.456"},
                 {INT64_MIN, "-9223372036854775.808"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lds_trace_fmt_milli(cases[i].v, t, sizeof t);
        assert_string_equal(t, cases[i].s);
    }
}

static void bizstep_word(void **state)
{
    (void)state;
    assert_string_equal(lds_trace__bizstep_word("https://ref.gs1.org/cbv/BizStep-shipping"),
                        "shipping");
    assert_string_equal(lds_trace__bizstep_word("urn:epcglobal:cbv:bizstep:receiving"),
                        "receiving");
    assert_string_equal(lds_trace__bizstep_word("commissioning"), "commissioning");
    assert_string_equal(lds_trace__bizstep_word("https://example.com/steps/refining"), "");
    assert_string_equal(lds_trace__bizstep_word(NULL), "");
}

static void viewer(void **state)
{
    (void)state;
    lds_principal op = {1, 1, LDS_ROLE_OPERATOR}, au = {2, 17, LDS_ROLE_AUDITOR};
    lds_principal me = {3, 5, LDS_ROLE_MEMBER}, none = {4, 0, LDS_ROLE_MEMBER};
    assert_int_equal(lds_trace_viewer_org(&op), 0);
    assert_int_equal(lds_trace_viewer_org(&au), 0);
    assert_int_equal(lds_trace_viewer_org(&me), 5);
    assert_int_equal(lds_trace_viewer_org(&none), -1); /* sees nothing, not everything */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(month_bounds),
        cmocka_unit_test(milli),
        cmocka_unit_test(bizstep_word),
        cmocka_unit_test(viewer),
    };
    return cmocka_run_group_tests_name("trace_views", tests, NULL, NULL);
}
