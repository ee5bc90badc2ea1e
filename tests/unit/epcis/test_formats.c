/*
 * test_formats.c — the engine's number and time writers and the Digital
 * Link conversion memo, on hand-computed values: the printf-free paths
 * (integers, UTC milliseconds) must write exactly what the general ones do,
 * a memoised conversion must give what the conversion gives, and JSON
 * string literals are the same on the one-copy and the escaping path.
 */
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "epcis/epcis_int.h"
#include "lodestone/buf.h"
#include "lodestone/epcis.h"

static void es(double v, const char *want)
{
    lds_buf b = LDS_BUF_INIT;
    lds_epcis__num_es(&b, v);
    assert_non_null(b.ptr);
    assert_string_equal(b.ptr, want);
    lds_buf_release(&b);
}

static void py(double v, const char *want)
{
    lds_buf b = LDS_BUF_INIT;
    lds_epcis__num_hash(&b, v);
    assert_non_null(b.ptr);
    assert_string_equal(b.ptr, want);
    lds_buf_release(&b);
}

/* RFC 8785 / ECMAScript Number::toString. */
static void numbers_es(void **state)
{
    (void)state;
    es(120, "120");
    es(-7, "-7");
    es(0, "0");
    es(-0.0, "0");
    es(1000.5, "1000.5");
    es(0.1, "0.1");
    es(9007199254740991.0, "9007199254740991"); /* 2^53 - 1: integer path */
    es(9007199254740992.0, "9007199254740992"); /* 2^53: shortest-digits path */
    es(1e21, "1e+21");
    es(123456789012345680000.0, "123456789012345680000");
    es(5e-7, "5e-7");
}

/* The hash ID's Python-style numbers. */
static void numbers_hash(void **state)
{
    (void)state;
    py(120, "120");
    py(-3, "-3");
    py(0, "0");
    py(-0.0, "0");
    py(0.5, "0.5");
    py(1000.5, "1000.5");
    py(8999999999999999000.0, "8999999999999998976");
}

static void utc(const char *in, const char *want)
{
    lds_buf b = LDS_BUF_INIT;
    assert_int_equal(lds_epcis__time_utc_ms(&b, in), 0);
    assert_non_null(b.ptr);
    assert_string_equal(b.ptr, want);
    lds_buf_release(&b);
}

static void times_utc_ms(void **state)
{
    (void)state;
    utc("2025-03-01T08:00:00.123456+08:00", "2025-03-01T00:00:00.123Z");
    utc("2025-03-01T08:00:00+08:00", "2025-03-01T00:00:00.000Z");
    utc("2025-03-01T00:00:00.0005Z", "2025-03-01T00:00:00.000Z"); /* half to even: 0 */
    utc("2025-03-01T00:00:00.0015Z", "2025-03-01T00:00:00.002Z"); /* half to even: 2 */
    utc("2025-12-31T23:59:59.9996Z", "2026-01-01T00:00:00.000Z"); /* carry over the year */
    utc("0999-01-02T03:04:05.006-01:30", "0999-01-02T04:34:05.006Z");
    lds_buf b = LDS_BUF_INIT;
    assert_int_equal(lds_epcis__time_utc_ms(&b, "2025-03-01"), -1);
    assert_int_equal(b.len, 0);
    lds_buf_release(&b);
}

/* Converting twice (the second from the memo) gives the same bytes,
 * appended after what the buffer held; a URI without a Digital Link form
 * gives 0 and leaves the buffer alone both times. */
static void dl_memo_same_answers(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        lds_buf b = LDS_BUF_INIT;
        lds_buf_adds(&b, "x");
        assert_int_equal(lds_epcis_uri_to_dl("urn:epc:id:sgtin:0614141.107346.2017", &b), 1);
        assert_string_equal(b.ptr, "xhttps://id.gs1.org/01/10614141073464/21/2017");
        assert_int_equal(lds_epcis_uri_to_dl("urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", &b),
                         0);
        /* 12 digits of company prefix and item reference instead of 13 */
        assert_int_equal(lds_epcis_uri_to_dl("urn:epc:id:sgtin:0614141.10734.2017", &b), 0);
        assert_string_equal(b.ptr, "xhttps://id.gs1.org/01/10614141073464/21/2017");
        lds_buf_release(&b);
    }
    /* Many distinct identifiers (more than the memo holds, so entries are
     * replaced): each conversion equals the first one of the same URI. */
    char uri[64], first[300][80];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 300; i++) {
            snprintf(uri, sizeof uri, "urn:epc:id:sgtin:0614141.107346.%d", i * 7919);
            lds_buf b = LDS_BUF_INIT;
            assert_int_equal(lds_epcis_uri_to_dl(uri, &b), 1);
            assert_non_null(b.ptr);
            if (round == 0) {
                assert_true(b.len < sizeof first[i]);
                memcpy(first[i], b.ptr, b.len + 1);
            } else {
                assert_string_equal(b.ptr, first[i]);
            }
            lds_buf_release(&b);
        }
    assert_string_equal(first[1], "https://id.gs1.org/01/10614141073464/21/7919");
}

static void js(const char *in, size_t n, const char *want)
{
    lds_buf b = LDS_BUF_INIT;
    lds_buf_adds(&b, "x");
    lds_epcis__json_str(&b, in, n);
    assert_string_equal(b.ptr, want);
    assert_int_equal(b.len, strlen(want));
    lds_buf_release(&b);
}

/* RFC 8785 string literals: the one-copy path (nothing to escape) and the
 * escaping path, appended after what the buffer held. */
static void json_strings(void **state)
{
    (void)state;
    js("NdPr oxide", 10, "x\"NdPr oxide\"");
    js("", 0, "x\"\"");
    js("a\"b\\c", 5, "x\"a\\\"b\\\\c\"");
    js("t\tn\n\x01", 5, "x\"t\\tn\\n\\u0001\"");
    js("caf\xc3\xa9", 5, "x\"caf\xc3\xa9\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_es),
        cmocka_unit_test(numbers_hash),
        cmocka_unit_test(times_utc_ms),
        cmocka_unit_test(dl_memo_same_answers),
        cmocka_unit_test(json_strings),
    };
    return cmocka_run_group_tests_name("epcis_formats", tests, NULL, NULL);
}
