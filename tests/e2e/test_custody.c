/*
 * test_custody.c — chain of custody for lots over HTTP against the real
 * server.  Four enterprises of the demo corridor (orgs 18-21, members):
 * A commissions lots; B naming A's lot in an event of its own gains
 * nothing (404 on the lot and its traces, the public passport tier, no
 * step in A's passport) and may neither transform it (400, pointer to the
 * input's epcClass, nothing stored) nor make it again as an output (400);
 * A ships the lot to B, by the org URI or by a facility of B, and B then
 * sees and transforms it; B ships on to C, and C holds it; a shipment by an
 * organisation that does not hold the lot gives nothing; with
 * captureErrorBehaviour proceed only the offending event is dropped; the
 * operator is exempt; a holder that did not produce a lot may not make it
 * again; commissioning another's lot again and shipping it to oneself in
 * the same document grants nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "server.h"
#include "lodestone/buf.h"

static lds_test_server srv;
static char tok_a[64], tok_b[64], tok_c[64], tok_d[64]; /* orgs 18, 19, 20, 21 */
static long long fac_b;                                   /* a facility of org 19 */

#define CTX                                                                                        \
    "\"@context\":[\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\","                 \
    "{\"lds\":\"https://lodestone.dev/epcis#\"}]"
#define LOT(x) "urn:epc:class:lgtin:4012345.077777." x
#define ORG_B  "https://lodestone.dev/org/19"
#define ORG_C  "https://lodestone.dev/org/20"
#define ORG_D  "https://lodestone.dev/org/21"

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "custody.db", NULL);
    lds_test_make_token(&srv, 18, "member", tok_a, sizeof tok_a);
    lds_test_make_token(&srv, 19, "member", tok_b, sizeof tok_b);
    lds_test_make_token(&srv, 20, "member", tok_c, sizeof tok_c);
    lds_test_make_token(&srv, 21, "member", tok_d, sizeof tok_d);
    lds_http_resp r;
    lds_test_call(&srv, "GET", "/api/v1/facilities?org=19", srv.operator_token, NULL, 200, &r);
    fac_b = (long long)lds_test_num_at(r.json, "items/0/id");
    assert_true(fac_b > 0);
    lds_http_resp_free(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

/* ---- events ---------------------------------------------------------------------- */

/* Each event gets a time of its own (a minute apart), so no two hash alike:
 * an identical event would be a duplicate of the first, not a new one. */
static int minute;

static void sep(lds_buf *b)
{
    if (b->len)
        lds_buf_addc(b, ',');
    minute++;
}

static void commission(lds_buf *b, const char *lot, double qty)
{
    sep(b);
    lds_buf_addf(b,
                 "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-05-01T%02d:%02d:00Z\","
                 "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"ADD\","
                 "\"bizStep\":\"commissioning\",\"epcList\":[],\"quantityList\":[{\"epcClass\":"
                 "\"%s\",\"quantity\":%g,\"uom\":\"TNE\"}]}",
                 minute / 60, minute % 60, lot, qty);
}

static void observe(lds_buf *b, const char *lot)
{
    sep(b);
    lds_buf_addf(b,
                 "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-05-02T%02d:%02d:00Z\","
                 "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"OBSERVE\","
                 "\"bizStep\":\"inspecting\",\"epcList\":[],\"quantityList\":[{\"epcClass\":"
                 "\"%s\",\"quantity\":1,\"uom\":\"TNE\"}]}",
                 minute / 60, minute % 60, lot);
}

/* A shipment of `lot` to `dest_type` `dest`. */
static void ship(lds_buf *b, const char *lot, const char *dest_type, const char *dest)
{
    sep(b);
    lds_buf_addf(b,
                 "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-05-03T%02d:%02d:00Z\","
                 "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"OBSERVE\","
                 "\"bizStep\":\"shipping\",\"disposition\":\"in_transit\",\"epcList\":[],"
                 "\"quantityList\":[{\"epcClass\":\"%s\",\"quantity\":5,\"uom\":\"TNE\"}],"
                 "\"destinationList\":[{\"type\":\"%s\",\"destination\":\"%s\"}]}",
                 minute / 60, minute % 60, lot, dest_type, dest);
}

static void transform(lds_buf *b, const char *in, const char *out)
{
    sep(b);
    lds_buf_addf(b,
                 "{\"type\":\"TransformationEvent\",\"eventTime\":\"2026-05-04T%02d:%02d:00Z\","
                 "\"eventTimeZoneOffset\":\"+08:00\",\"bizStep\":\"commissioning\","
                 "\"inputQuantityList\":[{\"epcClass\":\"%s\",\"quantity\":4,\"uom\":\"TNE\"}],"
                 "\"outputQuantityList\":[{\"epcClass\":\"%s\",\"quantity\":3,\"uom\":\"TNE\"}]}",
                 minute / 60, minute % 60, in, out);
}

static void post_doc(const char *token, const lds_buf *events, const char *behaviour,
                     long status, lds_http_resp *r)
{
    lds_buf d = LDS_BUF_INIT;
    lds_buf_addf(&d,
                 "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                 "\"creationDate\":\"2026-05-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[%s]}}",
                 events->ptr);
    char hdr[96];
    snprintf(hdr, sizeof hdr, "GS1-Capture-Error-Behaviour: %s", behaviour);
    assert_int_equal(lds_http_h(&srv, "POST", "/epcis/capture", token, "application/ld+json", hdr,
                                d.ptr, d.len, r),
                     0);
    if (r->status != status)
        fail_msg("capture: expected %ld, got %ld: %s", status, r->status, r->body);
    lds_buf_release(&d);
}

/* Posts one document and frees the reply. */
static void capture(const char *token, lds_buf *events, long status)
{
    lds_http_resp r;
    post_doc(token, events, "rollback", status, &r);
    lds_http_resp_free(&r);
    lds_buf_release(events);
}

/* GET /api/v1/lots/<lot><suffix>: the status. */
static long lot_status(const char *token, const char *lot, const char *suffix)
{
    lds_buf p = LDS_BUF_INIT;
    lds_buf_adds(&p, "/api/v1/lots/");
    lds_test_pct_encode(&p, lot);
    lds_buf_adds(&p, suffix);
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", p.ptr, token, NULL, NULL, 0, &r), 0);
    long st = r.status;
    lds_http_resp_free(&r);
    lds_buf_release(&p);
    return st;
}

/* GET the passport as `token`: reply in *r. */
static void passport(const char *token, const char *lot, lds_http_resp *r)
{
    lds_buf p = LDS_BUF_INIT;
    lds_buf_adds(&p, "/api/v1/lots/");
    lds_test_pct_encode(&p, lot);
    lds_buf_adds(&p, "/passport");
    assert_int_equal(lds_http(&srv, "GET", p.ptr, token, NULL, NULL, 0, r), 0);
    lds_test_expect_status(r, 200);
    lds_buf_release(&p);
}

static long count_events(const char *cls)
{
    lds_buf p = LDS_BUF_INIT;
    lds_buf_adds(&p, "/epcis/events?MATCH_anyEPCClass=");
    lds_test_pct_encode(&p, cls);
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", p.ptr, srv.operator_token, NULL, NULL, 0, &r), 0);
    lds_test_expect_status(&r, 200);
    long n = (long)json_array_size(
        lds_test_json_at(r.json, "epcisBody/queryResults/resultsBody/eventList"));
    lds_http_resp_free(&r);
    lds_buf_release(&p);
    return n;
}

/* The number of lots a trace reply lists under `key`. */
static size_t n_descendants(const char *token, const char *lot)
{
    lds_buf p = LDS_BUF_INIT;
    lds_buf_adds(&p, "/api/v1/lots/");
    lds_test_pct_encode(&p, lot);
    lds_buf_adds(&p, "/descendants");
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", p.ptr, token, NULL, NULL, 0, &r), 0);
    lds_test_expect_status(&r, 200);
    size_t n = json_array_size(json_object_get(r.json, "descendants"));
    lds_http_resp_free(&r);
    lds_buf_release(&p);
    return n;
}

/* ---- tests ----------------------------------------------------------------------- */

/* Naming another org's lot in an event of one's own grants nothing. */
static void test_observe_grants_nothing(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    commission(&ev, LOT("P1"), 10);
    capture(tok_a, &ev, 202);
    observe(&ev, LOT("P1"));
    capture(tok_b, &ev, 202);

    assert_int_equal(lot_status(tok_a, LOT("P1"), "/provenance"), 200);
    assert_int_equal(lot_status(tok_b, LOT("P1"), ""), 404);
    assert_int_equal(lot_status(tok_b, LOT("P1"), "/provenance"), 404);
    assert_int_equal(lot_status(tok_b, LOT("P1"), "/descendants"), 404);
    lds_http_resp r;
    passport(tok_b, LOT("P1"), &r);
    assert_string_equal(lds_test_str_at(r.json, "tier"), "public");
    assert_null(json_object_get(r.json, "steps"));
    lds_http_resp_free(&r);
    /* B's event is no step of A's lot: the passport has the commissioning only. */
    passport(tok_a, LOT("P1"), &r);
    assert_string_equal(lds_test_str_at(r.json, "tier"), "private");
    assert_int_equal(json_array_size(json_object_get(r.json, "events")), 1);
    lds_http_resp_free(&r);
    assert_int_equal(count_events(LOT("P1")), 2); /* both stored */
    /* B's lot list does not have it. */
    lds_test_call(&srv, "GET", "/api/v1/lots?limit=500", tok_b, NULL, 200, &r);
    assert_null(strstr(r.body, "P1"));
    lds_http_resp_free(&r);
}

/* B may not transform A's lot nor make it again. */
static void test_transform_refused(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    commission(&ev, LOT("P2"), 10);
    capture(tok_a, &ev, 202);

    /* Input: B's own new lot first, then the transformation (rollback). */
    commission(&ev, LOT("B2"), 10);
    transform(&ev, LOT("P2"), LOT("Q2"));
    lds_http_resp r;
    post_doc(tok_b, &ev, "rollback", 400, &r);
    assert_string_equal(lds_test_pointer0(&r),
                        "/epcisBody/eventList/1/inputQuantityList/0/epcClass");
    const char *msg = lds_test_str_at(r.json, "errors/0/message");
    assert_non_null(strstr(msg, "org 19 does not hold lot " LOT("P2")));
    lds_http_resp_free(&r);
    assert_int_equal(lot_status(srv.operator_token, LOT("Q2"), ""), 404);
    assert_int_equal(lot_status(srv.operator_token, LOT("B2"), ""), 404);
    assert_int_equal(count_events(LOT("P2")), 1);
    assert_int_equal(count_events(LOT("Q2")), 0);
    lds_buf_release(&ev);

    /* One event: pointer relative to it. */
    static const char single[] =
        "{" CTX ",\"type\":\"TransformationEvent\",\"eventTime\":\"2026-05-04T08:00:00Z\","
        "\"eventTimeZoneOffset\":\"+08:00\",\"inputQuantityList\":[{\"epcClass\":\"" LOT("P2")
        "\",\"quantity\":4,\"uom\":\"TNE\"}],\"outputQuantityList\":[{\"epcClass\":\"" LOT("Q2")
        "\",\"quantity\":3,\"uom\":\"TNE\"}]}";
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", tok_b, "application/json", single,
                              strlen(single), &r),
                     0);
    lds_test_expect_status(&r, 400);
    assert_string_equal(lds_test_pointer0(&r), "/inputQuantityList/0/epcClass");
    lds_http_resp_free(&r);
    assert_int_equal(count_events(LOT("Q2")), 0);

    /* Output: B makes A's existing lot from its own. */
    commission(&ev, LOT("B2"), 10);
    capture(tok_b, &ev, 202);
    transform(&ev, LOT("B2"), LOT("P2"));
    post_doc(tok_b, &ev, "rollback", 400, &r);
    assert_string_equal(lds_test_pointer0(&r),
                        "/epcisBody/eventList/0/outputQuantityList/0/epcClass");
    assert_non_null(strstr(lds_test_str_at(r.json, "errors/0/message"), "org 19 did not produce"));
    lds_http_resp_free(&r);
    lds_buf_release(&ev);
    /* A's lot got no upstream, B's lot no descendant. */
    lds_test_call(&srv, "GET", "/api/v1/lots/" LOT("P2") "/provenance", tok_a, NULL, 200, &r);
    assert_int_equal(json_array_size(lds_test_json_at(r.json, "tree/inputs")), 0);
    lds_http_resp_free(&r);
    assert_int_equal(n_descendants(tok_b, LOT("B2")), 0);

    /* The operator is exempt. */
    transform(&ev, LOT("P2"), LOT("O2"));
    capture(srv.operator_token, &ev, 202);
    assert_int_equal(n_descendants(tok_a, LOT("P2")), 1);
}

/* Shipping passes custody on, by org URI or facility, transitively. */
static void test_shipping(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    commission(&ev, LOT("P3"), 10);
    commission(&ev, LOT("P4"), 10);
    capture(tok_a, &ev, 202);
    assert_int_equal(lot_status(tok_b, LOT("P3"), ""), 404);

    /* D, not a holder, ships A's lot to B and to itself: nothing. */
    ship(&ev, LOT("P3"), "owning_party", ORG_B);
    ship(&ev, LOT("P3"), "owning_party", ORG_D);
    capture(tok_d, &ev, 202);
    assert_int_equal(lot_status(tok_b, LOT("P3"), ""), 404);
    assert_int_equal(lot_status(tok_d, LOT("P3"), ""), 404);

    /* A ships P3 to org B (owning party), P4 to a facility of B (location). */
    ship(&ev, LOT("P3"), "owning_party", ORG_B);
    char fac[96];
    snprintf(fac, sizeof fac, "https://lodestone.dev/facility/%lld", fac_b);
    ship(&ev, LOT("P4"), "location", fac);
    capture(tok_a, &ev, 202);
    assert_int_equal(lot_status(tok_b, LOT("P3"), "/provenance"), 200);
    assert_int_equal(lot_status(tok_b, LOT("P4"), "/descendants"), 200);
    assert_int_equal(lot_status(tok_c, LOT("P3"), ""), 404);
    lds_http_resp r;
    passport(tok_b, LOT("P3"), &r);
    assert_string_equal(lds_test_str_at(r.json, "tier"), "chain");
    lds_http_resp_free(&r);
    lds_test_call(&srv, "GET", "/api/v1/lots?limit=500", tok_b, NULL, 200, &r);
    assert_non_null(strstr(r.body, "P3"));
    lds_http_resp_free(&r);

    /* B transforms both. */
    transform(&ev, LOT("P3"), LOT("Q3"));
    transform(&ev, LOT("P4"), LOT("Q4"));
    capture(tok_b, &ev, 202);
    assert_int_equal(n_descendants(tok_a, LOT("P3")), 1);
    assert_int_equal(n_descendants(tok_a, LOT("P4")), 1);

    /* B ships P3 on to C: C holds it and may use it. */
    ship(&ev, LOT("P3"), "possessing_party", ORG_C);
    capture(tok_b, &ev, 202);
    assert_int_equal(lot_status(tok_c, LOT("P3"), ""), 200);
    transform(&ev, LOT("P3"), LOT("Q5"));
    capture(tok_c, &ev, 202);
    assert_int_equal(n_descendants(tok_a, LOT("P3")), 2);
    assert_int_equal(lot_status(tok_d, LOT("P3"), ""), 404);
}

/*
 * Same-document tricks: B commissions A's lot again, ships it to itself and
 * transforms it, in one document.  The commissioning changes nothing (the
 * first stands), the shipment grants nothing (B holds nothing to ship), so
 * the transformation is refused: with rollback nothing is stored, with
 * proceed only the transformation is dropped.
 */
static void test_same_document_tricks(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    commission(&ev, LOT("P9"), 10);
    capture(tok_a, &ev, 202);
    for (int pass = 0; pass < 2; pass++) {
        commission(&ev, LOT("P9"), 99);
        ship(&ev, LOT("P9"), "owning_party", ORG_B);
        transform(&ev, LOT("P9"), pass ? LOT("Q9b") : LOT("Q9"));
        lds_http_resp r;
        post_doc(tok_b, &ev, pass ? "proceed" : "rollback", pass ? 202 : 400, &r);
        if (!pass)
            assert_string_equal(lds_test_pointer0(&r),
                                "/epcisBody/eventList/2/inputQuantityList/0/epcClass");
        else
            assert_int_equal(json_integer_value(json_object_get(r.json, "invalidCount")), 1);
        lds_http_resp_free(&r);
        lds_buf_release(&ev);
        assert_int_equal(lot_status(tok_b, LOT("P9"), ""), 404);
        assert_int_equal(count_events(LOT("P9")), 1 + 2 * pass);
    }
    assert_int_equal(lot_status(srv.operator_token, LOT("Q9"), ""), 404);
    assert_int_equal(lot_status(srv.operator_token, LOT("Q9b"), ""), 404);
    lds_http_resp r;
    lds_test_call(&srv, "GET", "/api/v1/lots/" LOT("P9"), tok_a, NULL, 200, &r);
    assert_true(lds_test_num_at(r.json, "quantity") == 10);
    assert_true(lds_test_num_at(r.json, "producer_org") == 18);
    lds_http_resp_free(&r);
    assert_int_equal(n_descendants(tok_a, LOT("P9")), 0);
}

/*
 * A buyer holding its supplier's lot may not make it again: else it would
 * hang its own lot upstream of the supplier's, and the descendants of its
 * own lot would list what other buyers made from the supplier's lot.
 */
static void test_holder_remake_refused(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    commission(&ev, LOT("P8"), 10);
    ship(&ev, LOT("P8"), "owning_party", ORG_B);
    ship(&ev, LOT("P8"), "owning_party", ORG_C);
    capture(tok_a, &ev, 202);
    transform(&ev, LOT("P8"), LOT("C8"));
    capture(tok_c, &ev, 202);

    commission(&ev, LOT("K8"), 10);
    capture(tok_b, &ev, 202);
    transform(&ev, LOT("K8"), LOT("P8"));
    lds_http_resp r;
    post_doc(tok_b, &ev, "rollback", 400, &r);
    assert_string_equal(lds_test_pointer0(&r),
                        "/epcisBody/eventList/0/outputQuantityList/0/epcClass");
    assert_non_null(strstr(lds_test_str_at(r.json, "errors/0/message"),
                           "org 19 did not produce lot " LOT("P8")));
    lds_http_resp_free(&r);
    lds_buf_release(&ev);
    assert_int_equal(n_descendants(tok_b, LOT("K8")), 0);
    lds_test_call(&srv, "GET", "/api/v1/lots/" LOT("P8") "/provenance", tok_c, NULL, 200, &r);
    assert_int_equal(json_array_size(lds_test_json_at(r.json, "tree/inputs")), 0);
    lds_http_resp_free(&r);
    /* B still uses it. */
    transform(&ev, LOT("P8"), LOT("B8"));
    capture(tok_b, &ev, 202);
    assert_int_equal(n_descendants(tok_a, LOT("P8")), 2);
}

/* With proceed, only the offending transformation is dropped. */
static void test_proceed(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    commission(&ev, LOT("P6"), 10);
    capture(tok_a, &ev, 202);

    commission(&ev, LOT("B6"), 10);
    transform(&ev, LOT("P6"), LOT("Q6"));
    transform(&ev, LOT("B6"), LOT("R6"));
    lds_http_resp r;
    post_doc(tok_b, &ev, "proceed", 202, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "invalidCount")), 1);
    assert_int_equal(json_integer_value(json_object_get(r.json, "storedCount")), 2);
    lds_http_resp_free(&r);
    lds_buf_release(&ev);
    assert_int_equal(lot_status(tok_b, LOT("B6"), ""), 200);
    assert_int_equal(lot_status(tok_b, LOT("R6"), ""), 200);
    assert_int_equal(lot_status(srv.operator_token, LOT("Q6"), ""), 404);
    assert_int_equal(count_events(LOT("P6")), 1);
    assert_int_equal(n_descendants(tok_a, LOT("P6")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_observe_grants_nothing),
        cmocka_unit_test(test_transform_refused),
        cmocka_unit_test(test_shipping),
        cmocka_unit_test(test_proceed),
        cmocka_unit_test(test_holder_remake_refused),
        cmocka_unit_test(test_same_document_tricks),
    };
    return cmocka_run_group_tests_name("e2e_custody", tests, setup, teardown);
}
