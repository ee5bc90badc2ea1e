/*
 * test_lots.c — lots and lineage over a real store with the catalog:
 * capture commissions lots (ilmd and the product-class registry), links
 * transformation inputs to outputs, provenance and descendants on a diamond
 * of real ore lots, and the mass balance rejecting (nothing stored) or
 * flagging a transformation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/lineage.h"
#include "lodestone/trace.h"

#define CTX                                                                                        \
    "\"@context\":[\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\","                 \
    "{\"lds\":\"https://lodestone.dev/epcis#\"}]"
#define LOT(x) "urn:epc:class:lgtin:4012345.011111." x

typedef struct fixture {
    lds_store *s;
    char db[512];
} fixture;

static int setup(void **state)
{
    static int n;
    fixture *f = calloc(1, sizeof *f);
    char name[64], cat[600];
    snprintf(name, sizeof name, "lots%d.db", n++);
    lds_test_path(f->db, sizeof f->db, name);
    remove(f->db);
    snprintf(cat, sizeof cat, "%s/data/catalog.json", lds_test_source_root());
    lds_err err;
    if (lds_store_open(f->db, &f->s, &err) || lds_store_migrate(f->s, NULL, &err) ||
        lds_catalog_load_file(f->s, cat, &err))
        fail_msg("setup: %s", err.msg);
    lds_lineage_reset_cache();
    lds_lineage_set_mass_balance(LDS_MASS_BALANCE_REJECT);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lds_store_close(f->s);
    lds_lineage_reset_cache();
    free(f);
    return 0;
}

/* Appends a commissioning ObjectEvent of `qty` t of ore from `mine`. */
static void commission(char *b, size_t n, const char *lot, double qty, const char *material,
                       const char *mine, int hour)
{
    size_t len = strlen(b);
    snprintf(b + len, n - len,
             "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-03-01T%02d:00:00Z\","
             "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"ADD\",\"bizStep\":\"commissioning\","
             "\"epcList\":[],\"quantityList\":[{\"epcClass\":\"%s\",\"quantity\":%g,\"uom\":\"TNE\"}],"
             "\"bizLocation\":{\"id\":\"urn:epc:id:sgln:4012345.00001.%s\"},"
             "\"ilmd\":{\"lds:material\":\"%s\",\"lds:region\":\"xunwu\",\"lds:mine\":\"%s\"}}",
             len > 1 ? "," : "", hour, lot, qty, mine, material, mine);
}

/* Appends a TransformationEvent: inputs "LOT:qty", one output. */
static void transform(char *b, size_t n, const char *const *in, const double *in_qty, int n_in,
                      const char *out, double out_qty, const char *material, int hour)
{
    size_t len = strlen(b);
    len += (size_t)snprintf(b + len, n - len,
                            "%s{\"type\":\"TransformationEvent\",\"eventTime\":\"2026-03-01T%02d:"
                            "00:00Z\",\"eventTimeZoneOffset\":\"+08:00\",\"inputQuantityList\":[",
                            len > 1 ? "," : "", hour);
    for (int i = 0; i < n_in; i++)
        len += (size_t)snprintf(b + len, n - len,
                                "%s{\"epcClass\":\"%s\",\"quantity\":%g,\"uom\":\"TNE\"}",
                                i ? "," : "", in[i], in_qty[i]);
    snprintf(b + len, n - len,
             "],\"outputQuantityList\":[{\"epcClass\":\"%s\",\"quantity\":%g,\"uom\":\"TNE\"}],"
             "\"bizLocation\":{\"id\":\"urn:epc:id:sgln:4012345.00002.0\"},"
             "\"ilmd\":{\"lds:material\":\"%s\"}}",
             out, out_qty, material);
}

static lds_code capture(fixture *f, const char *events, lds_trace_behaviour beh,
                        lds_epcis_report *rep)
{
    char *doc = malloc(strlen(events) + 512);
    sprintf(doc,
            "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
            "\"creationDate\":\"2026-03-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[%s]}}",
            events);
    json_error_t je;
    json_t *j = json_loads(doc, 0, &je);
    if (!j)
        fail_msg("bad test JSON: %s at %d:%d", je.text, je.line, je.column);
    free(doc);
    lds_trace_capture_result res;
    lds_err err;
    lds_code rc = lds_trace_capture(f->s, NULL, j, beh, 0, rep, &res, &err);
    json_decref(j);
    return rc;
}

static int64_t count(fixture *f, const char *sql_literal)
{
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(f->s, sql_literal, &st, NULL), LDS_OK);
    assert_int_equal(lds_stmt_step(st, NULL), LDS_STORE_ROW);
    int64_t n = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return n;
}

static const char q_lots[] = "SELECT count(*) FROM lots";
static const char q_events[] = "SELECT count(*) FROM epcis_events";

/*
 * The diamond of test_engine.c with real lots of one material (so every
 * element share equals the total share): A 100 t (Mine A) + B 300 t
 * (Mine B) -> C 400 t; C split 160 t -> D and 240 t -> E; D + E + H 200 t
 * (Mine C) -> F 600 t.  Into F, C weighs 400/600 = 2/3: A = 2/3 x 100/400
 * = 1/6, B = 2/3 x 300/400 = 1/2, H = 1/3.
 */
static void capture_diamond(fixture *f)
{
    static char ev[16384];
    ev[0] = '\0';
    commission(ev, sizeof ev, LOT("A"), 100, "ore_ionic_xunwu", "MineA", 1);
    commission(ev, sizeof ev, LOT("B"), 300, "ore_ionic_xunwu", "MineB", 2);
    commission(ev, sizeof ev, LOT("H"), 200, "ore_ionic_xunwu", "MineC", 3);
    const char *t1[] = {LOT("A"), LOT("B")};
    const double q1[] = {100, 300};
    transform(ev, sizeof ev, t1, q1, 2, LOT("C"), 400, "ore_ionic_xunwu", 4);
    const char *t2[] = {LOT("C")};
    const double q2[] = {160}, q3[] = {240};
    transform(ev, sizeof ev, t2, q2, 1, LOT("D"), 160, "ore_ionic_xunwu", 5);
    transform(ev, sizeof ev, t2, q3, 1, LOT("E"), 240, "ore_ionic_xunwu", 6);
    const char *t4[] = {LOT("D"), LOT("E"), LOT("H")};
    const double q4[] = {160, 240, 200};
    transform(ev, sizeof ev, t4, q4, 3, LOT("F"), 600, "ore_ionic_xunwu", 7);
    lds_epcis_report rep;
    lds_epcis_report_init(&rep);
    lds_code rc = capture(f, ev, LDS_TRACE_ROLLBACK, &rep);
    if (rc)
        fail_msg("capture: %s %s", rep.n_items ? rep.items[0].pointer : "",
                 rep.n_items ? rep.items[0].message : "");
    lds_epcis_report_release(&rep);
}

static const lds_prov_origin *origin(const lds_provenance *p, const char *lot)
{
    char key[LDS_LINEAGE_URI_MAX];
    assert_int_equal(lds_lineage_lot_key(lot, key, NULL), LDS_OK);
    for (size_t i = 0; i < p->n_origins; i++)
        if (strcmp(p->lots[p->origins[i].lot].lot, key) == 0)
            return &p->origins[i];
    fail_msg("no origin %s", lot);
    return NULL;
}

static void test_lots_and_provenance(void **state)
{
    fixture *f = *state;
    capture_diamond(f);
    assert_int_equal(count(f, q_lots), 7);
    lds_lot lot;
    lds_err err;
    /* Both spellings name the lot. */
    assert_int_equal(lds_lineage_lot_get(f->s, LOT("A"), &lot, &err), LDS_OK);
    assert_string_equal(lot.lot, "https://id.gs1.org/01/04012345111118/10/A");
    assert_int_equal(lds_lineage_lot_get(f->s, "https://id.gs1.org/01/04012345111118/10/A", &lot,
                                         &err),
                     LDS_OK);
    assert_string_equal(lot.material_id, "ore_ionic_xunwu");
    assert_string_equal(lot.mine, "MineA");
    assert_string_equal(lot.region_id, "xunwu");
    assert_string_equal(lot.location, "urn:epc:id:sgln:4012345.00001.MineA");
    assert_true(lot.has_reo);
    /* 100 t of ore at 0.1% REO (catalog) = 0.1 t REO. */
    assert_true(fabs(lot.reo.total_oxide_t - 0.1) < 1e-6);
    assert_int_equal(lds_lineage_lot_get(f->s, LOT("nope"), &lot, &err), LDS_ENOTFOUND);

    lds_provenance p;
    assert_int_equal(lds_lineage_provenance(f->s, LOT("F"), &p, &err), LDS_OK);
    assert_int_equal(p.n_lots, 7);
    assert_int_equal(p.n_links, 7); /* A-C, B-C, C-D, C-E, D-F, E-F, H-F */
    assert_int_equal(p.n_origins, 3);
    assert_true(fabs(origin(&p, LOT("A"))->share - 1.0 / 6) < 1e-9);
    assert_true(fabs(origin(&p, LOT("B"))->share - 1.0 / 2) < 1e-9);
    assert_true(fabs(origin(&p, LOT("H"))->share - 1.0 / 3) < 1e-9);
    const lds_prov_origin *a = origin(&p, LOT("A"));
    assert_true(a->element_mask & (1u << LDS_RE_DY));
    assert_true(fabs(a->element_share[LDS_RE_DY] - 1.0 / 6) < 1e-9);
    assert_int_equal(p.mass_balance_flag, 0);
    lds_buf b = LDS_BUF_INIT;
    lds_provenance_json(&p, &b);
    json_t *j = json_loads(b.ptr, 0, NULL);
    assert_non_null(j);
    json_t *by_mine = json_object_get(j, "by_mine");
    assert_true(fabs(json_real_value(json_object_get(by_mine, "MineB")) - 0.5) < 1e-8);
    json_t *tree = json_object_get(j, "tree");
    assert_int_equal(json_array_size(json_object_get(tree, "inputs")), 3);
    json_decref(j);
    lds_buf_release(&b);
    lds_provenance_release(&p);

    /* Forward from A: a quarter of C, D, E; a sixth of F = 100 t of 600. */
    lds_descendants d;
    assert_int_equal(lds_lineage_descendants(f->s, LOT("A"), &d, &err), LDS_OK);
    assert_int_equal(d.n_lots, 4);
    double want_q[4] = {0}, got_q[4] = {0};
    for (size_t i = 0; i < d.n_lots; i++) {
        const char *k = d.lots[i].lot.lot;
        char last = k[strlen(k) - 1];
        int ix = last == 'C' ? 0 : last == 'D' ? 1 : last == 'E' ? 2 : 3;
        got_q[ix] = d.lots[i].quantity;
        if (ix == 3) {
            assert_int_equal(d.lots[i].depth, 3);
            assert_true(fabs(d.lots[i].fraction - 1.0 / 6) < 1e-9);
        }
    }
    want_q[0] = 100, want_q[1] = 40, want_q[2] = 60, want_q[3] = 100;
    for (int i = 0; i < 4; i++)
        assert_true(fabs(got_q[i] - want_q[i]) < 1e-6);
    lds_descendants_release(&d);

    /* The list: origins only. */
    lds_kv kv[] = {{"origin", "true"}};
    lds_field_errors fe = {0};
    assert_int_equal(lds_lineage_lot_list(f->s, kv, 1, 0, &b, &fe, &err), LDS_OK);
    j = json_loads(b.ptr, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 3);
    json_decref(j);
    lds_buf_release(&b);
}

/* 100 t ore (0.1 t REO) -> 50 t Nd2O3: far beyond in x 0.96. */
static void violating(char *ev, size_t n)
{
    ev[0] = '\0';
    commission(ev, n, LOT("H2"), 100, "ore_ionic_xunwu", "MineA", 8);
    const char *in[] = {LOT("H2")};
    const double q[] = {100};
    transform(ev, n, in, q, 1, LOT("X"), 50, "nd2o3", 9);
}

static void test_mass_balance_reject(void **state)
{
    fixture *f = *state;
    static char ev[4096];
    violating(ev, sizeof ev);
    lds_epcis_report rep;
    lds_epcis_report_init(&rep);
    assert_int_equal(capture(f, ev, LDS_TRACE_ROLLBACK, &rep), LDS_EINVAL);
    assert_true(rep.n_items >= 2); /* total REO and Nd2O3 */
    assert_string_equal(rep.items[0].pointer, "/epcisBody/eventList/1/outputQuantityList");
    assert_non_null(strstr(rep.items[0].message, "REO out 50.000000 t exceeds in 0.100000 t x "
                                                 "best yield 0.96 = 0.096000 t"));
    assert_int_equal(count(f, q_lots), 0);
    assert_int_equal(count(f, q_events), 0);
    /* Proceed: the commissioning is stored, the transformation is not. */
    lds_epcis_report_release(&rep);
    lds_epcis_report_init(&rep);
    assert_int_equal(capture(f, ev, LDS_TRACE_PROCEED, &rep), LDS_OK);
    assert_int_equal(count(f, q_events), 1);
    assert_int_equal(count(f, q_lots), 1);
    lds_epcis_report_release(&rep);
}

static void test_mass_balance_flag(void **state)
{
    fixture *f = *state;
    static char ev[4096];
    violating(ev, sizeof ev);
    lds_lineage_set_mass_balance(LDS_MASS_BALANCE_FLAG);
    lds_epcis_report rep;
    lds_epcis_report_init(&rep);
    assert_int_equal(capture(f, ev, LDS_TRACE_ROLLBACK, &rep), LDS_OK);
    lds_epcis_report_release(&rep);
    lds_lot lot;
    assert_int_equal(lds_lineage_lot_get(f->s, LOT("X"), &lot, NULL), LDS_OK);
    assert_int_equal(lot.mass_balance_flag, 1);
    assert_non_null(strstr(lot.mass_balance_note, "exceeds"));
    lds_provenance p;
    assert_int_equal(lds_lineage_provenance(f->s, LOT("X"), &p, NULL), LDS_OK);
    assert_int_equal(p.mass_balance_flag, 1);
    assert_int_equal(p.n_origins, 1);
    lds_provenance_release(&p);
    lds_lineage_set_mass_balance(LDS_MASS_BALANCE_REJECT);
}

static void test_product_classes(void **state)
{
    fixture *f = *state;
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    int64_t id = 0;
    json_t *body = json_pack("{s:s, s:s, s:s}", "epc_class",
                             "urn:epc:class:lgtin:4012345.022222.*", "material", "nd2o3", "grade",
                             "99.5%");
    assert_int_equal(lds_lineage_product_class_create(f->s, body, 2, &id, &b, &fe, &err), LDS_OK);
    assert_non_null(strstr(b.ptr, "\"gtin\":\"04012345222227\""));
    /* The same GTIN again is a conflict. */
    lds_buf_reset(&b);
    json_t *dup = json_pack("{s:s, s:s}", "gtin", "04012345222227", "material", "nd2o3");
    assert_int_equal(lds_lineage_product_class_create(f->s, dup, 2, &id, &b, &fe, &err),
                     LDS_ECONFLICT);
    json_decref(dup);
    /* Bad fields, each with its pointer. */
    json_t *bad = json_pack("{s:s, s:s, s:i}", "gtin", "04012345222226", "material", "unobtainium",
                            "colour", 3);
    fe.n = 0;
    assert_int_equal(lds_lineage_product_class_create(f->s, bad, 2, &id, &b, &fe, &err),
                     LDS_EINVAL);
    assert_int_equal(fe.n, 3);
    json_decref(bad);
    json_decref(body);

    /* A lot of that GTIN without ilmd gets the material from the registry. */
    static char ev[2048];
    snprintf(ev, sizeof ev,
             "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-03-02T01:00:00Z\","
             "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"ADD\",\"epcList\":[],"
             "\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.022222.L9\","
             "\"quantity\":2000,\"uom\":\"KGM\"}]}");
    lds_epcis_report rep;
    lds_epcis_report_init(&rep);
    assert_int_equal(capture(f, ev, LDS_TRACE_ROLLBACK, &rep), LDS_OK);
    lds_epcis_report_release(&rep);
    lds_lot lot;
    assert_int_equal(lds_lineage_lot_get(f->s, "https://id.gs1.org/01/04012345222227/10/L9", &lot,
                                         &err),
                     LDS_OK);
    assert_string_equal(lot.material_id, "nd2o3");
    assert_string_equal(lot.grade, "99.5%");
    assert_true(fabs(lot.reo.total_oxide_t - 2.0) < 1e-9); /* 2000 kg of oxide */
    lds_buf_reset(&b);
    fe.n = 0;
    assert_int_equal(lds_lineage_product_class_list(f->s, NULL, 0, &b, &fe, &err), LDS_OK);
    json_t *j = json_loads(b.ptr, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    json_decref(j);
    lds_buf_release(&b);
}

/* An input never commissioned is recorded from the transformation without
 * the transformation's ilmd (that describes the outputs); with its content
 * unknown there is nothing to check, so even reject mode stores it. */
static void test_uncommissioned_input(void **state)
{
    fixture *f = *state;
    static char ev[2048];
    ev[0] = '\0';
    const char *in[] = {LOT("U")};
    const double q[] = {5};
    transform(ev, sizeof ev, in, q, 1, LOT("V"), 50, "nd2o3", 10);
    lds_epcis_report rep;
    lds_epcis_report_init(&rep);
    assert_int_equal(capture(f, ev, LDS_TRACE_ROLLBACK, &rep), LDS_OK);
    lds_epcis_report_release(&rep);
    lds_lot lot;
    assert_int_equal(lds_lineage_lot_get(f->s, LOT("U"), &lot, NULL), LDS_OK);
    assert_string_equal(lot.material_id, "");
    assert_int_equal(lot.has_reo, 0);
    assert_true(fabs(lot.weight - 5000) < 1e-9); /* 5 t by quantity alone, in kg */
    assert_int_equal(lds_lineage_lot_get(f->s, LOT("V"), &lot, NULL), LDS_OK);
    assert_string_equal(lot.material_id, "nd2o3");
    assert_int_equal(lot.mass_balance_flag, 0);
    lds_provenance p;
    assert_int_equal(lds_lineage_provenance(f->s, LOT("V"), &p, NULL), LDS_OK);
    assert_int_equal(p.n_origins, 1);
    assert_true(fabs(p.origins[0].share - 1) < 1e-12);
    assert_int_equal(p.origins[0].element_mask, 0); /* no element known upstream */
    lds_provenance_release(&p);

    /* A second run into V: V keeps its first commissioning (50 t), and
     * gains the second input; by quantity alone U 5 t, W 15 t. */
    ev[0] = '\0';
    const char *in2[] = {LOT("W")};
    const double q2[] = {15};
    transform(ev, sizeof ev, in2, q2, 1, LOT("V"), 20, "nd2o3", 11);
    lds_epcis_report_init(&rep);
    assert_int_equal(capture(f, ev, LDS_TRACE_ROLLBACK, &rep), LDS_OK);
    lds_epcis_report_release(&rep);
    assert_int_equal(lds_lineage_lot_get(f->s, LOT("V"), &lot, NULL), LDS_OK);
    assert_true(fabs(lot.quantity - 50) < 1e-12);
    assert_int_equal(lds_lineage_provenance(f->s, LOT("V"), &p, NULL), LDS_OK);
    assert_int_equal(p.n_origins, 2);
    assert_true(fabs(p.origins[0].share - 0.75) < 1e-12); /* W first: largest share */
    assert_true(fabs(p.origins[1].share - 0.25) < 1e-12);
    lds_provenance_release(&p);
}

/* Keyset pages of the list; non-GS1 class patterns by prefix, longest first. */
static void test_list_pages_and_patterns(void **state)
{
    fixture *f = *state;
    capture_diamond(f);
    lds_kv kv[] = {{"limit", "3"}, {"next", NULL}};
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    int total = 0, pages = 0;
    char cursor[32] = "";
    do {
        kv[1].value = cursor;
        lds_buf_reset(&b);
        assert_int_equal(lds_lineage_lot_list(f->s, kv, cursor[0] ? 2 : 1, 0, &b, &fe, &err),
                         LDS_OK);
        json_t *j = json_loads(b.ptr, 0, NULL);
        total += (int)json_array_size(json_object_get(j, "items"));
        const char *next = json_string_value(json_object_get(j, "next"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(j);
        pages++;
    } while (cursor[0]);
    assert_int_equal(total, 7);
    assert_int_equal(pages, 3);
    /* Only org 5's lots: none (the test captured without an org). */
    lds_buf_reset(&b);
    assert_int_equal(lds_lineage_lot_list(f->s, NULL, 0, 5, &b, &fe, &err), LDS_OK);
    assert_string_equal(b.ptr, "{\"items\":[],\"next\":null}");
    lds_kv bad[] = {{"next", "zz"}};
    assert_int_equal(lds_lineage_lot_list(f->s, bad, 1, 0, &b, &fe, &err), LDS_EINVAL);

    int64_t id;
    json_t *p1 = json_pack("{s:s, s:s}", "epc_class", "urn:example:lot:*", "material", "ceo2");
    json_t *p2 = json_pack("{s:s, s:s}", "epc_class", "urn:example:lot:nd-*", "material",
                           "nd2o3");
    fe.n = 0;
    lds_buf_reset(&b);
    assert_int_equal(lds_lineage_product_class_create(f->s, p1, 0, &id, &b, &fe, &err), LDS_OK);
    lds_buf_reset(&b);
    assert_int_equal(lds_lineage_product_class_create(f->s, p2, 0, &id, &b, &fe, &err), LDS_OK);
    json_decref(p1);
    json_decref(p2);
    char m[LDS_LINEAGE_ID_MAX], g[LDS_LINEAGE_ID_MAX];
    assert_int_equal(lds_lineage_product_class_lookup(f->s, "urn:example:lot:nd-7", m, g, &err),
                     LDS_OK);
    assert_string_equal(m, "nd2o3");
    assert_int_equal(lds_lineage_product_class_lookup(f->s, "urn:example:lot:x", m, g, &err),
                     LDS_OK);
    assert_string_equal(m, "ceo2");
    assert_int_equal(lds_lineage_product_class_lookup(f->s, "urn:other:1", m, g, &err),
                     LDS_ENOTFOUND);
    /* A GS1 lot of an unmapped GTIN is not caught by a non-GS1 pattern. */
    assert_int_equal(lds_lineage_product_class_lookup(f->s, LOT("A"), m, g, &err), LDS_ENOTFOUND);
    lds_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lots_and_provenance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mass_balance_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mass_balance_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_product_classes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uncommissioned_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_pages_and_patterns, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
