/*
 * test_http_wire.c — the server's HTTP/1.1 handling on the wire, with raw
 * sockets: keep-alive, pipelining, HTTP/1.0, Expect: 100-continue, bodies
 * that arrive in pieces, and malformed or oversized heads (each answered
 * with problem+json, never a crash).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "harness.h"
#include "server.h"

static lds_test_server srv;

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "wire.db", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

static int dial(void)
{
    int port = atoi(strrchr(srv.url, ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        fail_msg("cannot connect to %s", srv.url);
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k <= 0)
            fail_msg("write failed");
        p += k;
        n -= (size_t)k;
    }
}

/* Reads until `want` complete responses arrived, the peer closed, or 3 s passed.
 * Returns the bytes read (NUL-terminated, static); *closed says whether EOF was seen. */
static const char *read_responses(int fd, int want, int *closed)
{
    static char buf[1 << 16];
    size_t len = 0;
    *closed = 0;
    for (;;) {
        int complete = 0;
        const char *p = buf;
        buf[len] = '\0';
        for (;;) {
            const char *st = strstr(p, "HTTP/1.1 ");
            if (!st)
                break;
            const char *end = strstr(st, "\r\n\r\n");
            if (!end)
                break;
            const char *cl = strstr(st, "Content-Length: ");
            size_t body = cl && cl < end ? (size_t)atol(cl + 16) : 0;
            if (strncmp(st, "HTTP/1.1 100", 12) == 0 || strstr(st, "HEAD") == st)
                body = 0;
            if ((size_t)(end + 4 - buf) + body > len)
                break;
            if (strncmp(st, "HTTP/1.1 100", 12) != 0)
                complete++;
            p = end + 4 + body;
        }
        if (complete >= want)
            return buf;
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 3000) <= 0)
            return buf;
        ssize_t k = read(fd, buf + len, sizeof buf - 1 - len);
        if (k <= 0) {
            *closed = 1;
            buf[len] = '\0';
            return buf;
        }
        len += (size_t)k;
    }
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void pipelined_requests_answer_in_order(void **state)
{
    (void)state;
    int fd = dial(), closed;
    char req[512];
    snprintf(req, sizeof req,
             "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
             "GET /api/v1/regions?limit=1 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n"
             "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n",
             srv.member_token);
    send_all(fd, req, strlen(req));
    const char *out = read_responses(fd, 3, &closed);
    assert_int_equal(count(out, "HTTP/1.1 "), 3);
    const char *a = strstr(out, "HTTP/1.1 200"), *b = strstr(a + 1, "HTTP/1.1 200"),
               *c = strstr(out, "HTTP/1.1 404");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_true(a < b && b < c);
    assert_false(closed);
    close(fd);
}

static void http10_closes_and_head_has_no_body(void **state)
{
    (void)state;
    int fd = dial(), closed;
    const char req[] = "HEAD /healthz HTTP/1.0\r\n\r\n";
    send_all(fd, req, sizeof req - 1);
    const char *out = read_responses(fd, 2, &closed);
    assert_non_null(strstr(out, "HTTP/1.1 200"));
    assert_non_null(strstr(out, "Content-Length: 15"));
    assert_null(strstr(out, "{\"status\""));
    assert_true(closed);
    close(fd);
}

static void body_arriving_in_pieces_and_expect_continue(void **state)
{
    (void)state;
    int fd = dial(), closed;
    const char body[] = "{\"name\":\"Wire Test Co\",\"kind\":\"enterprise\",\"region_id\":\"nanshan\"}";
    char head[512];
    snprintf(head, sizeof head,
             "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\nExpect: 100-continue\r\n\r\n",
             srv.operator_token, sizeof body - 1);
    send_all(fd, head, strlen(head));
    struct pollfd pf = {fd, POLLIN, 0};
    assert_int_equal(poll(&pf, 1, 3000), 1);
    char cont[64] = "";
    ssize_t k = read(fd, cont, sizeof cont - 1);
    assert_true(k > 0);
    assert_non_null(strstr(cont, "HTTP/1.1 100 Continue"));
    send_all(fd, body, 10);
    usleep(50000);
    send_all(fd, body + 10, sizeof body - 1 - 10);
    const char *out = read_responses(fd, 1, &closed);
    assert_non_null(strstr(out, "HTTP/1.1 201"));
    assert_non_null(strstr(out, "Location: /api/v1/orgs/"));
    close(fd);
}

static void bad_heads_get_problem_json_and_close(void **state)
{
    (void)state;
    static const struct {
        const char *req;
        const char *status;
    } cases[] = {
        {"BLAH\r\n\r\n", "HTTP/1.1 400"},
        {"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400"},
        {"GET /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.1 501"},
        {"GET /healthz HTTP/3.0\r\nHost: t\r\n\r\n", "HTTP/1.1 505"},
        {"POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n", "HTTP/1.1 413"},
        {"GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 400"},
        {"GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 400"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int fd = dial(), closed;
        send_all(fd, cases[i].req, strlen(cases[i].req));
        const char *out = read_responses(fd, 1, &closed);
        if (!strstr(out, cases[i].status) || !strstr(out, "application/problem+json"))
            fail_msg("case %zu: %s", i, out);
        close(fd);
    }
    /* A head over the limit (16 KiB) is refused with 431. */
    int fd = dial(), closed;
    static char big[20000];
    memset(big, 'x', sizeof big);
    memcpy(big, "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ", 38);
    send_all(fd, big, sizeof big);
    const char *out = read_responses(fd, 1, &closed);
    assert_non_null(strstr(out, "HTTP/1.1 431"));
    close(fd);
}

static void half_requests_and_resets_do_not_hurt(void **state)
{
    (void)state;
    for (int i = 0; i < 20; i++) {
        int fd = dial();
        send_all(fd, "GET /healthz HTT", 16);
        close(fd);
    }
    int fd = dial(), closed;
    send_all(fd, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 35);
    const char *out = read_responses(fd, 1, &closed);
    assert_non_null(strstr(out, "HTTP/1.1 200"));
    close(fd);
    assert_true(lds_test_server_alive(&srv));
}

/* A client that sends 300 pipelined requests before reading any reply: the
 * server stops reading while the client does not read, then answers all. */
static void pipelining_client_that_reads_late(void **state)
{
    (void)state;
    int fd = dial();
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET /api/v1/orgs?limit=50 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n",
                     srv.member_token);
    for (int i = 0; i < 300; i++)
        send_all(fd, req, (size_t)n);
    sleep(1);
    /* Now read everything: 300 replies of ~17 KB each. */
    size_t total = 0;
    int replies = 0;
    char buf[65536];
    static char tail[16];
    for (;;) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 3000) <= 0)
            break;
        ssize_t k = read(fd, buf, sizeof buf);
        if (k <= 0)
            break;
        total += (size_t)k;
        /* count status lines, including ones split across reads */
        char joined[sizeof tail + sizeof buf];
        size_t tl = strlen(tail);
        memcpy(joined, tail, tl);
        memcpy(joined + tl, buf, (size_t)k);
        for (size_t i = 0; i + 15 <= tl + (size_t)k; i++)
            if (i + 15 > tl && memcmp(joined + i, "HTTP/1.1 200 OK", 15) == 0)
                replies++;
        size_t keep = (size_t)k < sizeof tail - 1 ? (size_t)k : sizeof tail - 1;
        memcpy(tail, buf + (size_t)k - keep, keep);
        tail[keep] = '\0';
        if (replies == 300)
            break;
    }
    close(fd);
    if (replies != 300)
        fail_msg("got %d replies (%zu bytes)", replies, total);
    assert_true(total > 300u * 10000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pipelined_requests_answer_in_order),
        cmocka_unit_test(http10_closes_and_head_has_no_body),
        cmocka_unit_test(body_arriving_in_pieces_and_expect_continue),
        cmocka_unit_test(bad_heads_get_problem_json_and_close),
        cmocka_unit_test(half_requests_and_resets_do_not_hurt),
        cmocka_unit_test(pipelining_client_that_reads_late),
    };
    return cmocka_run_group_tests_name("e2e http wire", tests, setup, teardown);
}
