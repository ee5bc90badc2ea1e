/*
 * test_flows.c — end to end: the monthly flow report of an enterprise over
 * HTTP (JSON and CSV) and from the CLI, on a small document captured by
 * org 2 whose figures are computed by hand below; who may read which
 * report; and per-org visibility of EPCIS events (another org's event is a
 * 404, exactly like a missing one).
 *
 * The document (org 2, all times +08:00):
 *   e1  2026-02-20 receiving  A 100 t                     (before March)
 *   e2  2026-03-01 02:00 receiving A 50 t  (2026-02-28 UTC: March by local time)
 *   e3  2026-03-10 transformation  in A 120 t, out B 12.5 t (B bound to nd2o3;
 *       within the mass balance: 120 t x 0.1358 t Nd2O3/t x 0.96 = 15.6 t)
 *   e4  2026-03-15 shipping   B 8 t
 *   e5  2026-03-31 23:30 shipping B 2.25 t
 *   e6  2026-04-01 07:00 shipping B 1 t    (March 31 UTC: April by local time)
 *   e7  2026-03-20 commissioning C 7 kg and C without quantity (C bound to nothing)
 *   e8  2026-03-21 inspecting  A 5 t        (not a flow)
 * and the operator (org 1) commissions A (bound to carb_ionic_xunwu).
 * March for org 2:
 *   carb_ionic_xunwu TNE  opening 100  received 50  consumed 120  closing 30
 *   nd2o3            TNE  produced 12.5  shipped 10.25  closing 2.25
 *   C (its class)    KGM  produced 7  closing 7
 *   6 events in the month (e2, e3, e4, e5, e7, e8), 1 unquantified entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "server.h"

static lds_test_server srv;
static char org3_token[64];    /* a member of org 3 */
static char auditor_token[64]; /* an auditor (org 17) */

#define CTX                                                                                    \
    "\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","        \
    "{\"lds\":\"https://lodestone.dev/epcis#\"}]"
#define A "urn:epc:class:lgtin:4012345.011111.A1"
#define B "urn:epc:class:lgtin:4012345.022222.B1"
#define C "urn:epc:class:lgtin:4012345.033333.C1"
#define EV(n) "\"eventID\":\"urn:uuid:7e0f1c00-0000-4000-8000-00000000000" #n "\""
#define QL(cls, q, uom) "{\"epcClass\":\"" cls "\",\"quantity\":" #q ",\"uom\":\"" uom "\"}"
#define OBJ(n, time, action, step, list)                                                       \
    "{\"type\":\"ObjectEvent\"," EV(n) ",\"eventTime\":\"" time "\","                           \
    "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"" action "\",\"bizStep\":\"" step "\","  \
    "\"epcList\":[],\"quantityList\":[" list "]}"

static const char doc_org2[] =
    "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
    "\"creationDate\":\"2026-04-02T00:00:00Z\",\"epcisBody\":{\"eventList\":["
    OBJ(1, "2026-02-20T10:00:00+08:00", "OBSERVE", "receiving", QL(A, 100, "TNE")) ","
    OBJ(2, "2026-03-01T02:00:00+08:00", "OBSERVE", "receiving", QL(A, 50, "TNE")) ","
    "{\"type\":\"TransformationEvent\"," EV(3) ",\"eventTime\":\"2026-03-10T09:00:00+08:00\","
    "\"eventTimeZoneOffset\":\"+08:00\",\"bizStep\":\"commissioning\","
    "\"inputQuantityList\":[" QL(A, 120, "TNE") "],"
    "\"outputQuantityList\":[" QL(B, 12.5, "TNE") "],"
    "\"ilmd\":{\"lds:material\":\"nd2o3\"}},"
    OBJ(4, "2026-03-15T09:00:00+08:00", "OBSERVE", "shipping", QL(B, 8, "TNE")) ","
    OBJ(5, "2026-03-31T23:30:00+08:00", "OBSERVE", "shipping", QL(B, 2.25, "TNE")) ","
    OBJ(6, "2026-04-01T07:00:00+08:00", "OBSERVE", "shipping", QL(B, 1, "TNE")) ","
    OBJ(7, "2026-03-20T09:00:00+08:00", "ADD", "commissioning",
        QL(C, 7, "KGM") ",{\"epcClass\":\"" C "\"}") ","
    OBJ(8, "2026-03-21T09:00:00+08:00", "OBSERVE", "inspecting", QL(A, 5, "TNE")) "]}}";

static const char doc_org1[] =
    "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
    "\"creationDate\":\"2026-02-01T00:00:00Z\",\"epcisBody\":{\"eventList\":["
    "{\"type\":\"ObjectEvent\"," EV(9) ",\"eventTime\":\"2026-02-01T08:00:00+08:00\","
    "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"ADD\",\"bizStep\":\"commissioning\","
    "\"epcList\":[],\"quantityList\":[" QL(A, 200, "TNE") "],"
    "\"ilmd\":{\"lds:material\":\"carb_ionic_xunwu\",\"lds:region\":\"xunwu\"}}]}}";

static void capture(const char *token, const char *doc)
{
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "POST", "/epcis/capture", token, "application/ld+json", doc,
                              strlen(doc), &r),
                     0);
    if (r.status != 202)
        fail_msg("capture: %ld %s", r.status, r.body);
    lds_http_resp_free(&r);
}

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "flows.db", NULL);
    capture(srv.operator_token, doc_org1);
    capture(srv.member_token, doc_org2);
    lds_test_make_token(&srv, 3, "member", org3_token, sizeof org3_token);
    lds_test_make_token(&srv, 17, "auditor", auditor_token, sizeof auditor_token);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

static void get(const char *path, const char *token, const char *accept, long status,
                lds_http_resp *out)
{
    char h[64];
    snprintf(h, sizeof h, "Accept: %s", accept ? accept : "*/*");
    assert_int_equal(lds_http_h(&srv, "GET", path, token, NULL, h, NULL, 0, out), 0);
    if (out->status != status)
        fail_msg("GET %s: expected %ld, got %ld: %s", path, status, out->status, out->body);
}

static const json_t *product(const json_t *rep, const char *name)
{
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(rep, "products"), i, p) {
        if (strcmp(json_string_value(json_object_get(p, "product")), name) == 0)
            return p;
    }
    fail_msg("no product %s", name);
    return NULL;
}

static void test_flows_json(void **state)
{
    (void)state;
    lds_http_resp r;
    get("/api/v1/reports/flows?org=2&month=2026-03", srv.member_token, NULL, 200, &r);
    assert_non_null(r.json);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "org"), "id")), 2);
    assert_string_equal(json_string_value(json_object_get(r.json, "month")), "2026-03");
    assert_int_equal(json_integer_value(json_object_get(r.json, "events")), 6);
    assert_int_equal(json_integer_value(json_object_get(r.json, "unquantified_entries")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "products")), 3);

    const json_t *a = product(r.json, "carb_ionic_xunwu");
    assert_string_equal(json_string_value(json_object_get(a, "uom")), "TNE");
    assert_string_equal(json_string_value(json_object_get(a, "material")), "carb_ionic_xunwu");
    assert_true(lds_test_num_at(a, "opening_stock") == 100);
    assert_true(lds_test_num_at(a, "inputs/received") == 50);
    assert_true(lds_test_num_at(a, "inputs/consumed") == 120);
    assert_true(lds_test_num_at(a, "outputs/produced") == 0);
    assert_true(lds_test_num_at(a, "outputs/shipped") == 0);
    assert_true(lds_test_num_at(a, "closing_stock") == 30);

    const json_t *b = product(r.json, "nd2o3");
    assert_true(lds_test_num_at(b, "opening_stock") == 0);
    assert_true(lds_test_num_at(b, "outputs/produced") == 12.5);
    assert_true(lds_test_num_at(b, "outputs/shipped") == 10.25);
    assert_true(lds_test_num_at(b, "closing_stock") == 2.25);

    const json_t *c = product(r.json, C);
    assert_true(json_is_null(json_object_get(c, "material")));
    assert_string_equal(json_string_value(json_object_get(c, "uom")), "KGM");
    assert_true(lds_test_num_at(c, "outputs/produced") == 7);
    assert_true(lds_test_num_at(c, "closing_stock") == 7);
    lds_http_resp_free(&r);

    /* April: e6 only; opening stocks carry March's closing. */
    get("/api/v1/reports/flows?month=2026-04", srv.member_token, "application/json", 200, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "events")), 1);
    b = product(r.json, "nd2o3");
    assert_true(lds_test_num_at(b, "opening_stock") == 2.25);
    assert_true(lds_test_num_at(b, "outputs/shipped") == 1);
    assert_true(lds_test_num_at(b, "closing_stock") == 1.25);
    assert_true(lds_test_num_at(product(r.json, "carb_ionic_xunwu"), "closing_stock") == 30);
    lds_http_resp_free(&r);
}

static void test_flows_csv(void **state)
{
    (void)state;
    static const char want[] =
        "org_id,month,product,material,uom,opening_stock,received,consumed,produced,shipped,"
        "closing_stock\n"
        "2,2026-03,carb_ionic_xunwu,carb_ionic_xunwu,TNE,100,50,120,0,0,30\n"
        "2,2026-03,nd2o3,nd2o3,TNE,0,0,0,12.5,10.25,2.25\n"
        "2,2026-03," C ",,KGM,0,0,0,7,0,7\n";
    lds_http_resp r;
    get("/api/v1/reports/flows?org=2&month=2026-03", srv.member_token, "text/csv", 200, &r);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    assert_string_equal(r.body, want);
    lds_http_resp_free(&r);
    get("/api/v1/reports/flows?org=2&month=2026-03&format=csv", srv.operator_token, NULL, 200,
        &r);
    assert_string_equal(r.body, want);
    lds_http_resp_free(&r);

    /* The CLI gives the same bytes. */
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "'%s' report flows --org 2 --month 2026-03 --csv --db '%s'",
             lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 0);
    assert_string_equal(out, want);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' report flows --org 2 --month 2026-03 --json --db '%s'",
             lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_true(lds_test_num_at(product(j, "nd2o3"), "closing_stock") == 2.25);
    json_decref(j);
    free(out);
    /* The default table. */
    snprintf(cmd, sizeof cmd, "'%s' report flows --org 2 --month 2026-03 --db '%s'",
             lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 0);
    assert_non_null(strstr(out, "(org 2), 2026-03; 6 events in the month"));
    assert_non_null(strstr(out, "1 list entries without a quantity were not counted"));
    char *line = strstr(out, "\nnd2o3 ");
    assert_non_null(line);
    char prod[32], uom[8], v[6][16];
    assert_int_equal(sscanf(line + 1, "%31s %7s %15s %15s %15s %15s %15s %15s", prod, uom, v[0],
                            v[1], v[2], v[3], v[4], v[5]),
                     8);
    assert_string_equal(uom, "TNE");
    assert_string_equal(v[3], "12.5");  /* produced */
    assert_string_equal(v[4], "10.25"); /* shipped */
    assert_string_equal(v[5], "2.25");  /* closing */
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' report flows --help", lds_test_bin());
    assert_int_equal(lds_test_run(cmd, &out), 0);
    assert_non_null(strstr(out, "Usage: lodestone report flows"));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' report flows --org 2 --month 2026-3 --db '%s' 2>&1",
             lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 2);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' report flows --org 9999 --month 2026-03 --db '%s' 2>&1",
             lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 1);
    assert_non_null(strstr(out, "no organisation 9999"));
    free(out);
}

static void test_flows_access(void **state)
{
    (void)state;
    lds_http_resp r;
    get("/api/v1/reports/flows?org=1&month=2026-03", srv.member_token, NULL, 403, &r);
    lds_http_resp_free(&r);
    get("/api/v1/reports/flows?org=2&month=2026-03", auditor_token, NULL, 200, &r);
    assert_true(lds_test_num_at(product(r.json, "nd2o3"), "closing_stock") == 2.25);
    lds_http_resp_free(&r);
    get("/api/v1/reports/flows?org=2&month=2026-03&format=xml", srv.member_token, NULL, 400, &r);
    lds_http_resp_free(&r);
    get("/api/v1/reports/flows?org=2&month=2026-03", NULL, NULL, 401, &r);
    lds_http_resp_free(&r);
    get("/api/v1/reports/flows?org=2&month=2026-13", srv.member_token, NULL, 400, &r);
    assert_non_null(strstr(r.body, "\"month\""));
    lds_http_resp_free(&r);
    get("/api/v1/reports/flows?org=2", srv.member_token, NULL, 400, &r);
    lds_http_resp_free(&r);
    get("/api/v1/reports/flows?org=99999&month=2026-03", srv.operator_token, NULL, 404, &r);
    lds_http_resp_free(&r);
    /* The operator's own report does not see org 2's events. */
    get("/api/v1/reports/flows?org=1&month=2026-02", srv.operator_token, NULL, 200, &r);
    const json_t *a = product(r.json, "carb_ionic_xunwu");
    assert_true(lds_test_num_at(a, "outputs/produced") == 200);
    assert_true(lds_test_num_at(a, "inputs/received") == 0);
    lds_http_resp_free(&r);
}

static void test_event_visibility(void **state)
{
    (void)state;
    lds_http_resp r;
    const char *op_event = "/epcis/events/urn:uuid:7e0f1c00-0000-4000-8000-000000000009";
    const char *own_event = "/epcis/events/urn:uuid:7e0f1c00-0000-4000-8000-000000000003";
    get(op_event, srv.operator_token, NULL, 200, &r);
    lds_http_resp_free(&r);
    get(op_event, srv.member_token, NULL, 404, &r); /* not 403: existence is not told */
    assert_string_equal(r.content_type, "application/problem+json");
    lds_http_resp_free(&r);
    get(own_event, srv.member_token, NULL, 200, &r);
    lds_http_resp_free(&r);
    get(own_event, org3_token, NULL, 404, &r);
    lds_http_resp_free(&r);

    /* A single event is its poster's: org 3 reads it back, org 2 does not. */
    static const char single[] =
        "{" CTX ",\"type\":\"ObjectEvent\"," EV(a) ",\"eventTime\":\"2026-03-22T09:00:00+08:00\","
        "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"OBSERVE\",\"bizStep\":\"inspecting\","
        "\"epcList\":[],\"quantityList\":[" QL(A, 1, "TNE") "]}";
    const char *single_path = "/epcis/events/urn:uuid:7e0f1c00-0000-4000-8000-00000000000a";
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", org3_token, "application/json",
                              single, strlen(single), &r),
                     0);
    assert_int_equal(r.status, 201);
    lds_http_resp_free(&r);
    get(single_path, org3_token, NULL, 200, &r);
    lds_http_resp_free(&r);
    get(single_path, srv.member_token, NULL, 404, &r);
    lds_http_resp_free(&r);
    get(single_path, srv.operator_token, NULL, 200, &r);
    lds_http_resp_free(&r);

    /* The query: A appears in e1, e2, e3 (input), e8 for org 2 and e9 for org 1. */
    get("/epcis/events?MATCH_anyEPCClass=" A, srv.member_token, NULL, 200, &r);
    const json_t *list = json_object_get(
        json_object_get(json_object_get(json_object_get(r.json, "epcisBody"), "queryResults"),
                        "resultsBody"),
        "eventList");
    assert_int_equal(json_array_size(list), 4);
    size_t i;
    const json_t *ev;
    json_array_foreach(list, i, ev) {
        assert_null(strstr(json_string_value(json_object_get(ev, "eventID")), "0009"));
    }
    lds_http_resp_free(&r);
    get("/epcis/events?MATCH_anyEPCClass=" A, srv.operator_token, NULL, 200, &r);
    list = json_object_get(
        json_object_get(json_object_get(json_object_get(r.json, "epcisBody"), "queryResults"),
                        "resultsBody"),
        "eventList");
    assert_int_equal(json_array_size(list), 6); /* and org 3's single event */
    lds_http_resp_free(&r);
}

/* The demo corridor's lot history (seeded with the server): the Shenzhen motor
 * maker (org 54 under the default seed) received 1 t of N42SH magnets on
 * 2026-04-05 and made 500 motors from 0.91 t on 2026-04-10; the Zhanggong
 * separator (org 29) received 15.8 t of Xunwu carbonate in January and made
 * 2 t of PrNd oxide in February. */
static void test_demo_history(void **state)
{
    (void)state;
    lds_http_resp r;
    get("/api/v1/reports/flows?org=54&month=2026-04", srv.operator_token, NULL, 200, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "events")), 2);
    const json_t *m = product(r.json, "mag_n42sh");
    assert_true(lds_test_num_at(m, "inputs/received") == 1);
    assert_true(lds_test_num_at(m, "inputs/consumed") == 0.91);
    assert_true(lds_test_num_at(m, "closing_stock") == 0.09);
    const json_t *motors = product(r.json, "motor_ev_traction");
    assert_true(json_is_null(json_object_get(motors, "uom")));
    assert_true(lds_test_num_at(motors, "outputs/produced") == 500);
    lds_http_resp_free(&r);

    get("/api/v1/reports/flows?org=29&month=2026-02", srv.operator_token, NULL, 200, &r);
    const json_t *carb = product(r.json, "carb_ionic_xunwu");
    assert_true(lds_test_num_at(carb, "opening_stock") == 15.8);
    assert_true(lds_test_num_at(carb, "inputs/consumed") == 15.8);
    assert_true(lds_test_num_at(carb, "closing_stock") == 0);
    assert_true(lds_test_num_at(product(r.json, "prnd_oxide"), "outputs/produced") == 2);
    lds_http_resp_free(&r);

    /* Every demo event went through capture: the motor lot's event is stored. */
    get("/epcis/events?MATCH_outputEPCClass=urn:epc:class:lgtin:6975010.700001.DEMO-MOTOR-2604",
        srv.operator_token, NULL, 200, &r);
    const json_t *list = json_object_get(
        json_object_get(json_object_get(json_object_get(r.json, "epcisBody"), "queryResults"),
                        "resultsBody"),
        "eventList");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "type")),
                        "TransformationEvent");
    lds_http_resp_free(&r);
}

/* Any member may post an event naming any facility: one at the motor maker's
 * plant (org 54, facility 37) posted by org 3 stays out of org 54's filing,
 * while the operator's single event there (unattributed) counts in it. */
#define E "urn:epc:class:lgtin:4012345.055555.E1"
#define AT37(n, q)                                                                              \
    "{" CTX ",\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:7e0f1c00-0000-4000-8000-0000000006" \
    #n "\",\"eventTime\":\"2026-04-20T10:00:00+08:00\",\"eventTimeZoneOffset\":\"+08:00\","    \
    "\"action\":\"OBSERVE\",\"bizStep\":\"receiving\",\"bizLocation\":{\"id\":"                 \
    "\"https://lodestone.dev/facility/37\"},\"epcList\":[],\"quantityList\":[" QL(E, q, "TNE") "]}"
static void test_foreign_capture_at_facility(void **state)
{
    (void)state;
    static const char forged[] = AT37(1, 999), own[] = AT37(2, 4);
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", org3_token, "application/json",
                              forged, strlen(forged), &r),
                     0);
    assert_int_equal(r.status, 201);
    lds_http_resp_free(&r);
    get("/api/v1/reports/flows?org=54&month=2026-04", srv.operator_token, NULL, 200, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "events")), 2);
    lds_http_resp_free(&r);
    /* org 3's own report has it: org 3 captured it. */
    get("/api/v1/reports/flows?month=2026-04", org3_token, NULL, 200, &r);
    assert_true(lds_test_num_at(product(r.json, E), "inputs/received") == 999);
    lds_http_resp_free(&r);

    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.operator_token,
                              "application/json", own, strlen(own), &r),
                     0);
    assert_int_equal(r.status, 201);
    lds_http_resp_free(&r);
    get("/api/v1/reports/flows?org=54&month=2026-04", srv.operator_token, NULL, 200, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "events")), 3);
    assert_true(lds_test_num_at(product(r.json, E), "inputs/received") == 4);
    lds_http_resp_free(&r);
}

/* Quantities as large as JSON allows (1e300 t passes EPCIS validation) hold
 * the month's totals at the int64 bound (9223372036854775.807 in thousandths)
 * instead of overflowing them: the report still answers, and the server
 * lives on. */
#define D "urn:epc:class:lgtin:4012345.044444.D1"
#define OBJ5(n, step, q)                                                                       \
    "{\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:7e0f1c00-0000-4000-8000-0000000005" #n   \
    "\",\"eventTime\":\"2026-05-10T10:00:00+08:00\",\"eventTimeZoneOffset\":\"+08:00\","       \
    "\"action\":\"OBSERVE\",\"bizStep\":\"" step "\",\"epcList\":[],\"quantityList\":[" QL(D, q, \
                                                                                    "TNE") "]}"
static void test_flows_saturate(void **state)
{
    (void)state;
    static const char doc[] =
        "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
        "\"creationDate\":\"2026-05-11T00:00:00Z\",\"epcisBody\":{\"eventList\":["
        OBJ5(01, "receiving", 1e300) "," OBJ5(02, "receiving", 1e300) ","
        OBJ5(03, "shipping", 1) "]}}";
    char token5[64];
    lds_test_make_token(&srv, 5, "member", token5, sizeof token5);
    capture(token5, doc);
    lds_http_resp r;
    get("/api/v1/reports/flows?month=2026-05&format=csv", token5, NULL, 200, &r);
    assert_string_equal(r.body, "org_id,month,product,material,uom,opening_stock,received,"
                                "consumed,produced,shipped,closing_stock\n"
                                "5,2026-05," D ",,TNE,0,9223372036854775.807,0,0,1,"
                                "9223372036854774.807\n");
    lds_http_resp_free(&r);
    /* the month after: the saturated stock opens and closes it */
    get("/api/v1/reports/flows?month=2026-06&format=csv", token5, NULL, 200, &r);
    assert_non_null(strstr(r.body, ",TNE,9223372036854774.807,0,0,0,0,9223372036854774.807\n"));
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flows_json),
        cmocka_unit_test(test_flows_csv),
        cmocka_unit_test(test_flows_access),
        cmocka_unit_test(test_event_visibility),
        cmocka_unit_test(test_demo_history),
        cmocka_unit_test(test_flows_saturate),
        cmocka_unit_test(test_foreign_capture_at_facility),
    };
    return cmocka_run_group_tests_name("e2e_flows", tests, setup, teardown);
}
