/* test_http_parse.c — the HTTP/1.x request-head parser and percent-decoding. */
#include <string.h>
#include "harness.h"
#include "api/http_parse.h"

static char scratch[16385];

static int parse(const char *text, lds_http_head *h, const char **why)
{
    return lds_http_parse_head(text, strlen(text), 16384, scratch, h, why);
}

static void parses_a_keep_alive_get(void **state)
{
    (void)state;
    lds_http_head h;
    const char *why = NULL;
    const char req[] = "GET /api/v1/orgs?limit=5 HTTP/1.1\r\nHost: x\r\nAuthorization:  Bearer t  \r\n\r\nNEXT";
    assert_int_equal(parse(req, &h, &why), 1);
    assert_int_equal(h.method, LDS_HTTP_GET);
    assert_string_equal(h.target, "/api/v1/orgs?limit=5");
    assert_int_equal(h.minor, 1);
    assert_true(h.keep_alive);
    assert_int_equal(h.head_len, strlen(req) - 4);
    assert_string_equal(lds_http_header_get(&h, "authorization"), "Bearer t");
    assert_null(lds_http_header_get(&h, "Cookie"));
}

static void waits_for_the_whole_head(void **state)
{
    (void)state;
    lds_http_head h;
    const char *why = NULL;
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &h, &why), 0);
    assert_int_equal(parse("GET / HTT", &h, &why), 0);
    assert_int_equal(parse("", &h, &why), 0);
}

static void reads_body_framing_and_connection(void **state)
{
    (void)state;
    lds_http_head h;
    const char *why = NULL;
    assert_int_equal(parse("POST /x HTTP/1.1\nHost: x\nContent-Length: 12\nConnection: close\nExpect: 100-continue\n\n", &h, &why), 1);
    assert_int_equal(h.content_length, 12);
    assert_false(h.keep_alive);
    assert_true(h.expect_continue);
    assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &h, &why), 1);
    assert_false(h.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h, &why), 1);
    assert_true(h.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", &h, &why), 1);
}

static void refuses_what_could_smuggle_or_confuse(void **state)
{
    (void)state;
    lds_http_head h;
    const char *why = NULL;
    static const struct {
        const char *text;
        int status;
    } bad[] = {
        {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\n\r\n", 400},               /* no Host */
        {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
        {"GET / FTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET http://a/ HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400},
        {"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\x01y\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(bad[i].text, &h, &why);
        if (rc != bad[i].status)
            fail_msg("case %zu: got %d, want %d", i, rc, bad[i].status);
        assert_non_null(why);
    }
}

static void oversized_heads_are_431(void **state)
{
    (void)state;
    static char big[20000];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    lds_http_head h;
    const char *why = NULL;
    assert_int_equal(lds_http_parse_head(big, strlen(big), 16384, scratch, &h, &why), 431);
    /* 65 headers is one too many. */
    char many[4096] = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 64; i++)
        strcat(many, "A: b\r\n");
    strcat(many, "\r\n");
    assert_int_equal(parse(many, &h, &why), 431);
}

static void percent_decoding(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(lds_http_decode("a%20b+c", 7, out, sizeof out, 1), 5);
    assert_string_equal(out, "a b c");
    assert_int_equal(lds_http_decode("a+b", 3, out, sizeof out, 0), 3);
    assert_string_equal(out, "a+b");
    assert_int_equal(lds_http_decode("%zz", 3, out, sizeof out, 0), -1);
    assert_int_equal(lds_http_decode("%4", 2, out, sizeof out, 0), -1);
    assert_int_equal(lds_http_decode("a%00b", 5, out, sizeof out, 0), -1);
    assert_int_equal(lds_http_decode("abcdef", 6, out, 4, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_keep_alive_get),
        cmocka_unit_test(waits_for_the_whole_head),
        cmocka_unit_test(reads_body_framing_and_connection),
        cmocka_unit_test(refuses_what_could_smuggle_or_confuse),
        cmocka_unit_test(oversized_heads_are_431),
        cmocka_unit_test(percent_decoding),
    };
    return cmocka_run_group_tests_name("http parse", tests, NULL, NULL);
}
