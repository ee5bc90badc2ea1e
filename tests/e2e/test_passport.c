/*
 * test_passport.c — end to end: the digital product passport of the demo
 * corridor's EV-motor lot over HTTP, its tiers by caller (anonymous, an
 * unrelated member, a supplier in the chain, the producer, the operator),
 * the origin shares against hand-computed values, and the round trip
 * passport -> `lodestone verify --passport` (exit 0) -> tampered (exit 1).
 *
 * Shares (catalog contents; the alloy step mixes its inputs by REO content):
 * the alloy consumed 1.26 t NdPr metal and 0.235 t DyFe.  In oxide terms
 * NdPr metal carries 0.2434483/0.8277 + 0.7565517/0.8574 = 1.176505 t REO per
 * t and DyFe 0.8/0.8713 = 0.918168, so the inputs hold 1.482396 t (Xunwu, via
 * PrNd oxide) and 0.215769 t (Longnan, via Dy2O3): Longnan's share is
 * 0.215769 / 1.698165 = 0.127060 and Xunwu's 0.872940, split between the
 * two Xunwu mines as their carbonate went into separation, 9.8 : 6.0 t
 * (0.541444 and 0.331496).  Per element: Nd and Pr come only from Xunwu
 * (X1 9.8/15.8 = 0.620253), Dy only from Longnan.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "server.h"

#define MOTOR "urn:epc:class:lgtin:6975010.700001.DEMO-MOTOR-2604"
#define PATH  "/api/v1/lots/" MOTOR "/passport"
#define ORE_X1 "https://id.gs1.org/01/16975001000018/10/DEMO-ORE-X1-2601"
#define ORE_L1 "https://id.gs1.org/01/16975003000023/10/DEMO-ORE-L1-2601"

static lds_test_server srv;
static char producer_token[64]; /* org 54: made the motors */
static char supplier_token[64]; /* org 43: made the magnets */
static char key_file[1024];

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void get(const char *path, const char *token, long status, lds_http_resp *out)
{
    assert_int_equal(lds_http(&srv, "GET", path, token, NULL, NULL, 0, out), 0);
    if (out->status != status)
        fail_msg("GET %s: expected %ld, got %ld: %s", path, status, out->status, out->body);
}

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "passport.db", NULL);
    lds_test_make_token(&srv, 54, "member", producer_token, sizeof producer_token);
    lds_test_make_token(&srv, 43, "member", supplier_token, sizeof supplier_token);
    lds_http_resp r;
    get("/api/v1/ledger/public-key", NULL, 200, &r);
    lds_test_path(key_file, sizeof key_file, "passport.key");
    write_file(key_file, r.body, r.len);
    lds_http_resp_free(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

/* Runs `lodestone verify --passport` on `json`; returns the exit code, output in *out. */
static int verify(const char *name, const char *json, char **out)
{
    char file[1024], cmd[3072];
    lds_test_path(file, sizeof file, name);
    write_file(file, json, strlen(json));
    snprintf(cmd, sizeof cmd, "'%s' verify --passport '%s' --key '%s' 2>&1", lds_test_bin(), file,
             key_file);
    return lds_test_run(cmd, out);
}

static int verify_json(const char *name, const json_t *j, char **out)
{
    char *text = json_dumps(j, JSON_COMPACT);
    int rc = verify(name, text, out);
    free(text);
    return rc;
}

static const char *tier_of(const lds_http_resp *r)
{
    return json_string_value(json_object_get(r->json, "tier"));
}

static const json_t *origin_lot(const json_t *pp, const char *lot)
{
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(json_object_get(pp, "origin"), "origins"), i, o) {
        if (strcmp(json_string_value(json_object_get(o, "lot")), lot) == 0)
            return o;
    }
    fail_msg("no origin %s", lot);
    return NULL;
}

static void test_public_tier(void **state)
{
    (void)state;
    lds_http_resp r;
    get(PATH, NULL, 200, &r); /* no token: a buyer anywhere */
    assert_string_equal(tier_of(&r), "public");
    const json_t *pp = r.json;
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(pp, "material"), "id")),
        "motor_ev_traction");
    const json_t *origin = json_object_get(pp, "origin");
    assert_int_equal(json_array_size(json_object_get(origin, "countries")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(origin, "countries"), 0)),
                        "CN");
    assert_int_equal(json_array_size(json_object_get(origin, "regions")), 2);
    assert_null(json_object_get(origin, "by_region")); /* shares are chain tier */
    assert_null(json_object_get(pp, "steps"));
    assert_null(json_object_get(pp, "producer"));
    assert_int_equal(json_array_size(json_object_get(pp, "certifications")), 3);
    /* 34 events: the whole mine-to-motor history; hashes only. */
    const json_t *events = json_object_get(pp, "events");
    assert_int_equal(json_array_size(events), 34);
    assert_non_null(json_object_get(json_array_get(events, 0), "leaf_hash"));
    assert_null(json_object_get(json_array_get(events, 0), "leaf_base64"));
    assert_null(strstr(r.body, "\"quantity\""));

    char *out = NULL;
    assert_int_equal(verify("public.json", r.body, &out), 0);
    assert_non_null(strstr(out, "all 34 event proofs"));
    free(out);

    /* Tampered: another event's hash, a changed root. */
    json_t *t = json_deep_copy(pp);
    json_object_set(json_array_get(json_object_get(t, "events"), 7), "leaf_hash",
                    json_object_get(json_array_get(events, 8), "leaf_hash"));
    assert_int_equal(verify_json("public_t1.json", t, &out), 1);
    assert_non_null(strstr(out, "event 7 (leaf"));
    free(out);
    json_decref(t);
    t = json_deep_copy(pp);
    json_object_set_new(json_object_get(t, "sth"), "sha256_root_hash",
                        json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    assert_int_equal(verify_json("public_t2.json", t, &out), 1);
    free(out);
    json_decref(t);
    lds_http_resp_free(&r);

    /* An unrelated member sees the public tier too; a bad token is refused. */
    get(PATH, srv.member_token, 200, &r);
    assert_string_equal(tier_of(&r), "public");
    lds_http_resp_free(&r);
    get(PATH, "not-a-token", 401, &r);
    lds_http_resp_free(&r);
    get("/api/v1/lots/urn:epc:class:lgtin:6975010.700001.NOPE/passport", NULL, 404, &r);
    lds_http_resp_free(&r);
    /* The Digital Link spelling, percent-encoded, names the same lot. */
    get("/api/v1/lots/https%3A%2F%2Fid.gs1.org%2F01%2F76975010000018%2F10%2FDEMO-MOTOR-2604"
        "/passport",
        NULL, 200, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "lot")),
                        "https://id.gs1.org/01/76975010000018/10/DEMO-MOTOR-2604");
    lds_http_resp_free(&r);
}

static void test_chain_tier(void **state)
{
    (void)state;
    lds_http_resp r;
    get(PATH, supplier_token, 200, &r);
    assert_string_equal(tier_of(&r), "chain");
    const json_t *pp = r.json, *origin = json_object_get(pp, "origin");
    const json_t *by_region = json_object_get(origin, "by_region");
    assert_true(fabs(lds_test_num_at(by_region, "longnan") - 0.127060) < 2e-6);
    assert_true(fabs(lds_test_num_at(by_region, "xunwu") - 0.872940) < 2e-6);
    const json_t *x1 = origin_lot(pp, ORE_X1), *l1 = origin_lot(pp, ORE_L1);
    assert_true(fabs(lds_test_num_at(x1, "share") - 0.872940 * 9.8 / 15.8) < 2e-6);
    assert_true(fabs(lds_test_num_at(x1, "element_shares/Nd") - 9.8 / 15.8) < 2e-6);
    assert_true(lds_test_num_at(x1, "element_shares/Dy") == 0);
    assert_true(fabs(lds_test_num_at(l1, "element_shares/Dy") - 1) < 1e-9);
    assert_string_equal(json_string_value(json_object_get(l1, "region")), "longnan");
    /* Steps with dates and facilities, no quantities. */
    const json_t *steps = json_object_get(pp, "steps");
    assert_int_equal(json_array_size(steps), 34);
    const json_t *last = json_array_get(steps, 33);
    assert_string_equal(json_string_value(json_object_get(last, "biz_step")), "assembling");
    assert_string_equal(json_string_value(json_object_get(last, "time")),
                        "2026-04-10T01:00:00.000Z");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(last, "location"), "org_id")), 54);
    assert_true(json_is_string(json_array_get(json_object_get(last, "inputs"), 0)));
    assert_null(strstr(r.body, "\"quantity\""));
    assert_null(strstr(r.body, "leaf_base64"));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(pp, "producer"), "org_id")), 54);
    char *out = NULL;
    assert_int_equal(verify("chain.json", r.body, &out), 0);
    free(out);
    lds_http_resp_free(&r);
}

static void test_private_tier(void **state)
{
    (void)state;
    lds_http_resp r;
    get(PATH, producer_token, 200, &r);
    assert_string_equal(tier_of(&r), "private");
    lds_http_resp_free(&r);
    get(PATH, srv.operator_token, 200, &r);
    assert_string_equal(tier_of(&r), "private");
    const json_t *pp = r.json;
    assert_true(lds_test_num_at(pp, "quantity") == 500);
    const json_t *last = json_array_get(json_object_get(pp, "steps"), 33);
    const json_t *in = json_array_get(json_object_get(last, "inputs"), 0);
    assert_true(lds_test_num_at(in, "quantity") == 0.91);
    assert_string_equal(json_string_value(json_object_get(in, "uom")), "TNE");
    /* A shipping step names its counterparties. */
    assert_non_null(strstr(r.body, "\"sources\":[{"));
    const json_t *ev = json_array_get(json_object_get(pp, "events"), 0);
    assert_non_null(json_object_get(ev, "leaf_base64"));
    char *out = NULL;
    assert_int_equal(verify("private.json", r.body, &out), 0);
    assert_non_null(strstr(out, "(private tier)"));
    free(out);

    /* Tampered leaf bytes: the stated hash no longer matches, and without the
     * hash the proof no longer leads to the root. */
    json_t *t = json_deep_copy(pp);
    json_t *e2 = json_array_get(json_object_get(t, "events"), 2);
    char *b64 = strdup(json_string_value(json_object_get(e2, "leaf_base64")));
    b64[10] = b64[10] == 'A' ? 'B' : 'A';
    json_object_set_new(e2, "leaf_base64", json_string(b64));
    free(b64);
    assert_int_equal(verify_json("private_t1.json", t, &out), 1);
    assert_non_null(strstr(out, "tampered"));
    free(out);
    json_object_del(e2, "leaf_hash");
    assert_int_equal(verify_json("private_t2.json", t, &out), 1);
    assert_non_null(strstr(out, "event 2 (leaf 2)"));
    free(out);
    json_decref(t);

    /* A passport that shows one event's leaf under another's eventID. */
    t = json_deep_copy(pp);
    json_object_set_new(json_array_get(json_object_get(t, "events"), 4), "event_id",
                        json_string("urn:uuid:00d3e000-2026-4000-8000-000000000001"));
    assert_int_equal(verify_json("private_t3.json", t, &out), 1);
    assert_non_null(strstr(out, "is not the eventID of its leaf"));
    free(out);
    json_decref(t);
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_tier),
        cmocka_unit_test(test_chain_tier),
        cmocka_unit_test(test_private_tier),
    };
    return cmocka_run_group_tests_name("e2e_passport", tests, setup, teardown);
}
