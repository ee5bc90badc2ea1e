/*
 * test_lots.c — lots and lineage end to end over HTTP against the real
 * server: a diamond of ore lots captured as one EPCISDocument, provenance
 * (origin shares 1/6, 1/2, 1/3 as computed in tests/unit/lineage), the
 * descendants with attributable quantities, the lot read by either
 * spelling, visibility per organisation, the product-class registry, a
 * mass-balance violation refused with 400 problem+json and nothing stored
 * (rollback), the same document stored and flagged on a server in flag
 * mode, and `lodestone trace` on the server's database.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "server.h"
#include "lodestone/buf.h"

static lds_test_server srv;
static char auditor_token[64];

#define CTX                                                                                        \
    "\"@context\":[\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\","                 \
    "{\"lds\":\"https://lodestone.dev/epcis#\"}]"
#define LOT(x) "urn:epc:class:lgtin:4012345.011111." x
#define DL(x)  "https://id.gs1.org/01/04012345111118/10/" x

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "lots.db", NULL);
    lds_test_make_token(&srv, 1, "auditor", auditor_token, sizeof auditor_token);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

/* GET /api/v1/lots/<encoded lot><suffix>. */
static void get_lot(const lds_test_server *s, const char *token, const char *lot,
                    const char *suffix, lds_http_resp *r)
{
    lds_buf p = LDS_BUF_INIT;
    lds_buf_adds(&p, "/api/v1/lots/");
    lds_test_pct_encode(&p, lot);
    lds_buf_adds(&p, suffix);
    assert_int_equal(lds_http(s, "GET", p.ptr, token, NULL, NULL, 0, r), 0);
    lds_buf_release(&p);
}

static void commission(lds_buf *b, const char *lot, double qty, const char *material,
                       const char *mine, int hour)
{
    lds_buf_addf(b,
                 "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-03-01T%02d:00:00Z\","
                 "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"ADD\","
                 "\"bizStep\":\"commissioning\",\"epcList\":[],\"quantityList\":[{\"epcClass\":"
                 "\"%s\",\"quantity\":%g,\"uom\":\"TNE\"}],\"bizLocation\":{\"id\":"
                 "\"urn:epc:id:sgln:4012345.00001.%s\"},\"ilmd\":{\"lds:material\":\"%s\","
                 "\"lds:region\":\"xunwu\",\"lds:mine\":\"%s\"}}",
                 b->len ? "," : "", hour, lot, qty, mine, material, mine);
}

static void transform(lds_buf *b, const char *const *in, const double *in_qty, int n_in,
                      const char *out, double out_qty, const char *material, int hour)
{
    lds_buf_addf(b,
                 "%s{\"type\":\"TransformationEvent\",\"eventTime\":\"2026-03-01T%02d:00:00Z\","
                 "\"eventTimeZoneOffset\":\"+08:00\",\"inputQuantityList\":[",
                 b->len ? "," : "", hour);
    for (int i = 0; i < n_in; i++)
        lds_buf_addf(b, "%s{\"epcClass\":\"%s\",\"quantity\":%g,\"uom\":\"TNE\"}", i ? "," : "",
                     in[i], in_qty[i]);
    lds_buf_addf(b,
                 "],\"outputQuantityList\":[{\"epcClass\":\"%s\",\"quantity\":%g,\"uom\":\"TNE\"}],"
                 "\"bizLocation\":{\"id\":\"urn:epc:id:sgln:4012345.00002.0\"},"
                 "\"ilmd\":{\"lds:material\":\"%s\"}}",
                 out, out_qty, material);
}

static void post_doc(const lds_test_server *s, const char *token, const lds_buf *events,
                     const char *behaviour, lds_http_resp *r)
{
    lds_buf d = LDS_BUF_INIT;
    lds_buf_addf(&d,
                 "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                 "\"creationDate\":\"2026-03-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[%s]}}",
                 events->ptr);
    char hdr[96];
    snprintf(hdr, sizeof hdr, "GS1-Capture-Error-Behaviour: %s", behaviour);
    assert_int_equal(lds_http_h(s, "POST", "/epcis/capture", token, "application/ld+json", hdr,
                                d.ptr, d.len, r),
                     0);
    lds_buf_release(&d);
}

/* The diamond: A 100 t + B 300 t -> C 400 t; C -> D 160 t and E 240 t;
 * D + E + H 200 t -> F 600 t, all one ore (so element shares = totals). */
static void diamond(lds_buf *ev)
{
    commission(ev, LOT("A"), 100, "ore_ionic_xunwu", "MineA", 1);
    commission(ev, LOT("B"), 300, "ore_ionic_xunwu", "MineB", 2);
    commission(ev, LOT("H"), 200, "ore_ionic_xunwu", "MineC", 3);
    const char *t1[] = {LOT("A"), LOT("B")}, *t2[] = {LOT("C")};
    const char *t4[] = {LOT("D"), LOT("E"), LOT("H")};
    const double q1[] = {100, 300}, q2[] = {160}, q3[] = {240}, q4[] = {160, 240, 200};
    transform(ev, t1, q1, 2, LOT("C"), 400, "ore_ionic_xunwu", 4);
    transform(ev, t2, q2, 1, LOT("D"), 160, "ore_ionic_xunwu", 5);
    transform(ev, t2, q3, 1, LOT("E"), 240, "ore_ionic_xunwu", 6);
    transform(ev, t4, q4, 3, LOT("F"), 600, "ore_ionic_xunwu", 7);
}

static double origin_share(json_t *origins, const char *lot)
{
    size_t i;
    json_t *o;
    json_array_foreach(origins, i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "lot")), lot) == 0)
            return json_number_value(json_object_get(o, "share"));
    }
    fail_msg("no origin %s", lot);
    return -1;
}

static void test_capture_and_trace(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    diamond(&ev);
    lds_http_resp r;
    post_doc(&srv, srv.operator_token, &ev, "rollback", &r);
    lds_test_expect_status(&r, 202);
    lds_http_resp_free(&r);
    lds_buf_release(&ev);

    /* Provenance of F, path in the URN spelling. */
    get_lot(&srv, srv.operator_token, LOT("F"), "/provenance", &r);
    lds_test_expect_status(&r, 200);
    json_t *origins = json_object_get(r.json, "origins");
    assert_int_equal(json_array_size(origins), 3);
    double a = origin_share(origins, DL("A")), b = origin_share(origins, DL("B"));
    double h = origin_share(origins, DL("H"));
    assert_true(fabs(a - 1.0 / 6) < 1e-8);
    assert_true(fabs(b - 0.5) < 1e-8);
    assert_true(fabs(h - 1.0 / 3) < 1e-8);
    assert_true(fabs(a + b + h - 1) < 1e-8);
    /* Largest first, with location and element shares. */
    json_t *first = json_array_get(origins, 0);
    assert_string_equal(json_string_value(json_object_get(first, "lot")), DL("B"));
    assert_string_equal(json_string_value(json_object_get(first, "location")),
                        "urn:epc:id:sgln:4012345.00001.MineB");
    assert_true(fabs(json_number_value(json_object_get(json_object_get(first, "element_shares"),
                                                       "Nd")) -
                     0.5) < 1e-8);
    json_t *tree = json_object_get(r.json, "tree");
    assert_int_equal(json_array_size(json_object_get(tree, "inputs")), 3);
    assert_false(json_is_true(json_object_get(r.json, "mass_balance_flag")));
    lds_http_resp_free(&r);

    /* Descendants of A: 100 t of A end in F (600 t): 1/6 of it. */
    get_lot(&srv, srv.operator_token, DL("A"), "/descendants", &r);
    lds_test_expect_status(&r, 200);
    json_t *ds = json_object_get(r.json, "descendants");
    assert_int_equal(json_array_size(ds), 4);
    size_t i;
    json_t *d;
    int seen_f = 0;
    json_array_foreach(ds, i, d)
    {
        if (strcmp(json_string_value(json_object_get(d, "lot")), DL("F")) == 0) {
            seen_f = 1;
            assert_true(fabs(json_number_value(json_object_get(d, "quantity")) - 100) < 1e-6);
            assert_int_equal(json_integer_value(json_object_get(d, "depth")), 3);
        }
    }
    assert_true(seen_f);
    lds_http_resp_free(&r);

    /* One lot; the list; origins only. */
    get_lot(&srv, srv.operator_token, DL("C"), "", &r);
    lds_test_expect_status(&r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "material")), "ore_ionic_xunwu");
    assert_true(json_is_true(json_object_get(r.json, "transformation_output")));
    assert_true(fabs(json_number_value(json_object_get(r.json, "quantity")) - 400) < 1e-9);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/lots?origin=true&limit=500",
                              srv.operator_token, NULL, NULL, 0, &r),
                     0);
    lds_test_expect_status(&r, 200);
    int mine = 0;
    json_array_foreach(json_object_get(r.json, "items"), i, d)
    {
        const char *l = json_string_value(json_object_get(d, "lot"));
        mine += strcmp(l, DL("A")) == 0 || strcmp(l, DL("B")) == 0 || strcmp(l, DL("H")) == 0;
        assert_true(strcmp(l, DL("C")) != 0);
    }
    assert_int_equal(mine, 3);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/lots?colour=red", srv.operator_token, NULL,
                              NULL, 0, &r),
                     0);
    lds_test_expect_status(&r, 400);
    lds_http_resp_free(&r);

    /* Visibility: the member of org 2 did not capture these lots; the
     * auditor sees everything. */
    get_lot(&srv, srv.member_token, DL("F"), "/provenance", &r);
    lds_test_expect_status(&r, 404);
    lds_http_resp_free(&r);
    get_lot(&srv, auditor_token, DL("F"), "", &r);
    lds_test_expect_status(&r, 200);
    lds_http_resp_free(&r);
    get_lot(&srv, srv.operator_token, DL("nope"), "", &r);
    lds_test_expect_status(&r, 404);
    lds_http_resp_free(&r);
    get_lot(&srv, NULL, DL("F"), "", &r);
    lds_test_expect_status(&r, 401);
    lds_http_resp_free(&r);
}

static long count_events(const char *cls)
{
    lds_buf p = LDS_BUF_INIT;
    lds_buf_adds(&p, "/epcis/events?MATCH_anyEPCClass=");
    lds_test_pct_encode(&p, cls);
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", p.ptr, srv.operator_token, NULL, NULL, 0, &r), 0);
    lds_test_expect_status(&r, 200);
    json_t *list = json_object_get(
        json_object_get(json_object_get(json_object_get(r.json, "epcisBody"), "queryResults"),
                        "resultsBody"),
        "eventList");
    long n = (long)json_array_size(list);
    lds_http_resp_free(&r);
    lds_buf_release(&p);
    return n;
}

/* 100 t of ore (0.1 t REO) cannot give 50 t of Nd2O3. */
static void violating(lds_buf *ev, const char *in_lot, const char *out_lot)
{
    commission(ev, in_lot, 100, "ore_ionic_xunwu", "MineA", 8);
    const char *in[] = {in_lot};
    const double q[] = {100};
    transform(ev, in, q, 1, out_lot, 50, "nd2o3", 9);
}

static void test_mass_balance_rejected(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    violating(&ev, LOT("R1"), LOT("RX"));
    lds_http_resp r;
    post_doc(&srv, srv.member_token, &ev, "rollback", &r);
    lds_test_expect_status(&r, 400);
    json_t *errs = json_object_get(r.json, "errors");
    assert_true(json_array_size(errs) >= 2); /* total REO and Nd2O3 */
    json_t *e0 = json_array_get(errs, 0);
    assert_string_equal(json_string_value(json_object_get(e0, "pointer")),
                        "/epcisBody/eventList/1/outputQuantityList");
    assert_non_null(strstr(json_string_value(json_object_get(e0, "message")),
                           "REO out 50.000000 t exceeds in 0.100000 t x best yield 0.96"));
    int nd = 0;
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        nd |= strstr(json_string_value(json_object_get(e, "message")), "Nd2O3 out") != NULL;
    }
    assert_true(nd);
    lds_http_resp_free(&r);
    /* Nothing of the document is stored, and the server keeps serving. */
    get_lot(&srv, srv.operator_token, LOT("R1"), "", &r);
    lds_test_expect_status(&r, 404);
    lds_http_resp_free(&r);
    assert_int_equal(count_events(LOT("R1")), 0);
    assert_int_equal(count_events(LOT("RX")), 0);

    /* Proceed keeps the valid commissioning and refuses the transformation. */
    post_doc(&srv, srv.member_token, &ev, "proceed", &r);
    lds_test_expect_status(&r, 202);
    assert_int_equal(json_integer_value(json_object_get(r.json, "invalidCount")), 1);
    assert_int_equal(json_integer_value(json_object_get(r.json, "storedCount")), 1);
    lds_http_resp_free(&r);
    assert_int_equal(count_events(LOT("RX")), 0);
    /* The member's org captured R1: its token sees it. */
    get_lot(&srv, srv.member_token, LOT("R1"), "", &r);
    lds_test_expect_status(&r, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "producer_org")), 2);
    lds_http_resp_free(&r);
    lds_buf_release(&ev);

    /* A single event is checked too. */
    static const char single[] =
        "{" CTX ",\"type\":\"TransformationEvent\",\"eventTime\":\"2026-03-01T10:00:00Z\","
        "\"eventTimeZoneOffset\":\"+08:00\",\"inputQuantityList\":[{\"epcClass\":\"" LOT("R1")
        "\",\"quantity\":100,\"uom\":\"TNE\"}],\"outputQuantityList\":[{\"epcClass\":\"" LOT("RY")
        "\",\"quantity\":1,\"uom\":\"TNE\"}],\"ilmd\":{\"lds:material\":\"nd2o3\"}}";
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token,
                              "application/ld+json", single, sizeof single - 1, &r),
                     0);
    lds_test_expect_status(&r, 400);
    assert_string_equal(lds_test_pointer0(&r), "/outputQuantityList");
    lds_http_resp_free(&r);
    assert_int_equal(count_events(LOT("RY")), 0);

    /* A valid single event is recorded for its poster's organisation in the
     * same commit: the lot it makes has the member's org as producer. */
    static const char single_ok[] =
        "{" CTX ",\"type\":\"TransformationEvent\",\"eventTime\":\"2026-03-01T10:00:00Z\","
        "\"eventTimeZoneOffset\":\"+08:00\",\"inputQuantityList\":[{\"epcClass\":\"" LOT("R1")
        "\",\"quantity\":100,\"uom\":\"TNE\"}],\"outputQuantityList\":[{\"epcClass\":\"" LOT("RZ")
        "\",\"quantity\":1,\"uom\":\"KGM\"}],\"ilmd\":{\"lds:material\":\"nd2o3\"}}";
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token,
                              "application/ld+json", single_ok, sizeof single_ok - 1, &r),
                     0);
    lds_test_expect_status(&r, 201);
    lds_http_resp_free(&r);
    get_lot(&srv, srv.member_token, LOT("RZ"), "", &r);
    lds_test_expect_status(&r, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "producer_org")), 2);
    lds_http_resp_free(&r);
}

static void test_product_classes(void **state)
{
    (void)state;
    lds_http_resp r;
    static const char body[] =
        "{\"epc_class\":\"urn:epc:class:lgtin:4012345.033333.*\",\"material\":\"dy2o3\","
        "\"grade\":\"99.5%\"}";
    assert_int_equal(lds_http(&srv, "POST", "/api/v1/product-classes", srv.member_token,
                              "application/json", body, sizeof body - 1, &r),
                     0);
    lds_test_expect_status(&r, 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "gtin")), "04012345333336");
    assert_non_null(strstr(r.location, "/api/v1/product-classes/"));
    lds_http_resp_free(&r);
    /* Again: conflict. */
    assert_int_equal(lds_http(&srv, "POST", "/api/v1/product-classes", srv.member_token,
                              "application/json", body, sizeof body - 1, &r),
                     0);
    lds_test_expect_status(&r, 409);
    /* the conflicting member is named as an invalid field */
    assert_string_equal(lds_test_pointer0(&r), "/epc_class");
    lds_http_resp_free(&r);
    static const char bad[] = "{\"gtin\":\"123\",\"material\":\"kryptonite\"}";
    assert_int_equal(lds_http(&srv, "POST", "/api/v1/product-classes", srv.member_token,
                              "application/json", bad, sizeof bad - 1, &r),
                     0);
    lds_test_expect_status(&r, 400);
    assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 2);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "POST", "/api/v1/product-classes", auditor_token,
                              "application/json", body, sizeof body - 1, &r),
                     0);
    lds_test_expect_status(&r, 403);
    lds_http_resp_free(&r);

    /* A lot of that class without ilmd: 500 kg of Dy2O3 = 0.5 t REO. */
    lds_buf ev = LDS_BUF_INIT;
    lds_buf_adds(&ev, "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-03-02T01:00:00Z\","
                      "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"ADD\",\"epcList\":[],"
                      "\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.033333.D1\","
                      "\"quantity\":500,\"uom\":\"KGM\"}]}");
    post_doc(&srv, srv.member_token, &ev, "rollback", &r);
    lds_test_expect_status(&r, 202);
    lds_http_resp_free(&r);
    lds_buf_release(&ev);
    get_lot(&srv, srv.member_token, "https://id.gs1.org/01/04012345333336/10/D1", "", &r);
    lds_test_expect_status(&r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "material")), "dy2o3");
    assert_true(fabs(json_number_value(json_object_get(r.json, "reo_t")) - 0.5) < 1e-9);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/product-classes?material=dy2o3",
                              srv.member_token, NULL, NULL, 0, &r),
                     0);
    lds_test_expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    lds_http_resp_free(&r);
}

/* In flag mode the same violation is stored and flagged. */
static void test_mass_balance_flagged(void **state)
{
    (void)state;
    static const char *const env[] = {"LODESTONE_MASS_BALANCE=flag", NULL};
    lds_test_server fs;
    lds_test_server_start(&fs, "lots-flag.db", env);
    lds_buf ev = LDS_BUF_INIT;
    violating(&ev, LOT("G1"), LOT("GX"));
    lds_http_resp r;
    post_doc(&fs, fs.operator_token, &ev, "rollback", &r);
    lds_test_expect_status(&r, 202);
    lds_http_resp_free(&r);
    lds_buf_release(&ev);
    get_lot(&fs, fs.operator_token, LOT("GX"), "", &r);
    lds_test_expect_status(&r, 200);
    assert_true(json_is_true(json_object_get(r.json, "mass_balance_flag")));
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "mass_balance_note")),
                           "exceeds in 0.100000 t"));
    lds_http_resp_free(&r);
    get_lot(&fs, fs.operator_token, LOT("GX"), "/provenance", &r);
    lds_test_expect_status(&r, 200);
    assert_true(json_is_true(json_object_get(r.json, "mass_balance_flag")));
    lds_http_resp_free(&r);
    lds_test_server_stop(&fs);
}

/* `lodestone trace` on the server's database (WAL: readers alongside). */
static void test_cli_trace(void **state)
{
    (void)state;
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "'%s' trace '%s' --db '%s'", lds_test_bin(), LOT("F"), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 0);
    assert_non_null(strstr(out, "upstream of " DL("F") " (7 lots, 7 links)"));
    /* The origins table: B first with 0.5000. */
    char *orig = strstr(out, "\norigins\n");
    assert_non_null(orig);
    char *b_row = strstr(orig, "  0.5000  "), *a_row = strstr(orig, "  0.1667  ");
    if (!b_row || !a_row || !strstr(b_row, "MineB") || strstr(b_row, "MineB") > a_row ||
        !strstr(a_row, "MineA"))
        fail_msg("origins table: %s", orig);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' trace '%s' --forward --json --db '%s'", lds_test_bin(),
             DL("A"), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "descendants")), 4);
    json_decref(j);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' trace '%s' --forward --db '%s'", lds_test_bin(), DL("A"),
             srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 0);
    assert_non_null(strstr(out, "    3   0.166667             100  TNE    ore_ionic_xunwu     " DL("F")));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' trace '%s' --db '%s' 2>/dev/null", lds_test_bin(),
             LOT("nothing"), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 1);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' trace --db '%s' 2>/dev/null", lds_test_bin(), srv.db);
    assert_int_equal(lds_test_run(cmd, &out), 2);
    free(out);
}

/* A lot of 1.7e308 t (valid JSON and EPCIS, but past what a double holds in
 * kg) carries no weight: its output's provenance, descendants and passport
 * stay valid JSON (no NaN from inf/inf) and the single origin holds the
 * whole share. */
static void test_huge_quantity(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    commission(&ev, LOT("Z1"), 1.7e308, "ore_ionic_xunwu", "MineZ", 1);
    const char *in[] = {LOT("Z1")};
    const double q[] = {1.7e308};
    transform(&ev, in, q, 1, LOT("Z2"), 1e-300, "nd2o3", 2);
    lds_http_resp r;
    post_doc(&srv, srv.operator_token, &ev, "rollback", &r);
    lds_test_expect_status(&r, 202);
    lds_http_resp_free(&r);
    lds_buf_release(&ev);

    get_lot(&srv, srv.operator_token, LOT("Z2"), "/provenance", &r);
    lds_test_expect_status(&r, 200);
    assert_non_null(r.json);
    json_t *origins = json_object_get(r.json, "origins");
    assert_int_equal(json_array_size(origins), 1);
    assert_true(fabs(origin_share(origins, DL("Z1")) - 1) < 1e-12);
    lds_http_resp_free(&r);
    get_lot(&srv, srv.operator_token, LOT("Z1"), "/descendants", &r);
    lds_test_expect_status(&r, 200);
    assert_non_null(r.json);
    json_t *d0 = json_array_get(json_object_get(r.json, "descendants"), 0);
    assert_true(fabs(json_number_value(json_object_get(d0, "fraction")) - 1) < 1e-12);
    lds_http_resp_free(&r);
    get_lot(&srv, NULL, LOT("Z2"), "/passport", &r);
    lds_test_expect_status(&r, 200);
    assert_non_null(r.json);
    lds_http_resp_free(&r);
}

/* A lot id that is not UTF-8 (%FF%FE in the path) is a 404 whose
 * problem+json is still JSON: the bytes come back as U+FFFD. */
static void test_non_utf8_lot_id(void **state)
{
    (void)state;
    lds_http_resp r;
    get_lot(&srv, srv.operator_token, "\xff\xfe", "/provenance", &r);
    lds_test_expect_status(&r, 404);
    assert_non_null(r.json);
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")),
                           "\xef\xbf\xbd\xef\xbf\xbd"));
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_and_trace),
        cmocka_unit_test(test_mass_balance_rejected),
        cmocka_unit_test(test_product_classes),
        cmocka_unit_test(test_mass_balance_flagged),
        cmocka_unit_test(test_cli_trace),
        cmocka_unit_test(test_huge_quantity),
        cmocka_unit_test(test_non_utf8_lot_id),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
