/*
 * test_custody.c — the custody rule of the lineage capture hooks over a
 * real store: lds_lineage_check_document / lds_lineage_check_event refuse
 * a TransformationEvent whose organisation does not hold a stored input
 * lot, or names as output a stored lot it does not hold (pointer to the
 * epcClass, org and lot in the message, in reject and flag mode alike);
 * shipping events (destinationList org or facility URI) captured by a
 * holder record the receiver in lot_holders, transitively; org 0 and
 * operator organisations are exempt; the platform's own lots are anyone's
 * input; a lot first made in the same document is the org's own.
 *
 * Orgs: 10, 11, 13, 14 enterprises (facility 501 is org 11's), 12 operator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/lineage.h"
#include "lodestone/trace.h"

#define CTX                                                                                        \
    "\"@context\":[\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\","                 \
    "{\"lds\":\"https://lodestone.dev/epcis#\"}]"
#define LOT(x) "urn:epc:class:lgtin:4012345.088888." x

typedef struct fixture {
    lds_store *s;
    char db[512];
    int minute; /* each event its own time: no two hash alike */
} fixture;

static const char ins_org[] = "INSERT INTO orgs (id, name, kind, region_id, created_at) "
                              "VALUES (?1, 'org ' || ?1, ?2, 'zhanggong', '2026-01-01')";
static const char ins_fac[] =
    "INSERT INTO facilities (id, org_id, name, region_id, stage_id, capacity_milli, "
    "capacity_unit, created_at) VALUES (501, 11, 'plant', 'zhanggong', 'separation', 0, 't', "
    "'2026-01-01')";

static int setup(void **state)
{
    static int n;
    fixture *f = calloc(1, sizeof *f);
    char name[64], cat[600];
    snprintf(name, sizeof name, "custody%d.db", n++);
    lds_test_path(f->db, sizeof f->db, name);
    remove(f->db);
    snprintf(cat, sizeof cat, "%s/data/catalog.json", lds_test_source_root());
    lds_err err;
    if (lds_store_open(f->db, &f->s, &err) || lds_store_migrate(f->s, NULL, &err) ||
        lds_catalog_load_file(f->s, cat, &err))
        fail_msg("setup: %s", err.msg);
    static const struct {
        int id;
        const char *kind;
    } orgs[] = {{10, "enterprise"}, {11, "enterprise"}, {12, "operator"},
                {13, "enterprise"}, {14, "enterprise"}};
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++) {
        lds_stmt *st;
        assert_int_equal(lds_store_prepare(f->s, ins_org, &st, NULL), LDS_OK);
        lds_stmt_bind_i64(st, 1, orgs[i].id);
        lds_stmt_bind_text(st, 2, orgs[i].kind);
        assert_int_equal(lds_stmt_exec(st, NULL), LDS_OK);
    }
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(f->s, ins_fac, &st, NULL), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, NULL), LDS_OK);
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
    lds_lineage_set_mass_balance(LDS_MASS_BALANCE_REJECT);
    free(f);
    return 0;
}

/* Appends "," when needed and returns the event's time. */
static const char *next(fixture *f, char *b, char when[32])
{
    if (strlen(b) > 0)
        strcat(b, ",");
    f->minute++;
    snprintf(when, 32, "2026-05-01T%02d:%02d:00Z", f->minute / 60, f->minute % 60);
    return when;
}

static void commission(fixture *f, char *b, size_t n, const char *lot)
{
    char when[32];
    next(f, b, when);
    size_t len = strlen(b);
    snprintf(b + len, n - len,
             "{\"type\":\"ObjectEvent\",\"eventTime\":\"%s\",\"eventTimeZoneOffset\":\"+08:00\","
             "\"action\":\"ADD\",\"epcList\":[],\"quantityList\":[{\"epcClass\":\"%s\","
             "\"quantity\":10,\"uom\":\"TNE\"}]}",
             when, lot);
}

static void ship(fixture *f, char *b, size_t n, const char *lot, const char *dest)
{
    char when[32];
    next(f, b, when);
    size_t len = strlen(b);
    snprintf(b + len, n - len,
             "{\"type\":\"ObjectEvent\",\"eventTime\":\"%s\",\"eventTimeZoneOffset\":\"+08:00\","
             "\"action\":\"OBSERVE\",\"bizStep\":\"shipping\",\"epcList\":[],\"quantityList\":"
             "[{\"epcClass\":\"%s\",\"quantity\":5,\"uom\":\"TNE\"}],\"destinationList\":"
             "[{\"type\":\"location\",\"destination\":\"urn:epc:id:sgln:4012345.00001.0\"},"
             "{\"type\":\"owning_party\",\"destination\":\"%s\"}]}",
             when, lot, dest);
}

/* A TransformationEvent: inputs in1 (and in2 when not NULL) -> out. */
static void transform(fixture *f, char *b, size_t n, const char *in1, const char *in2,
                      const char *out)
{
    char when[32];
    next(f, b, when);
    size_t len = strlen(b);
    char in2q[160] = "";
    if (in2)
        snprintf(in2q, sizeof in2q, ",{\"epcClass\":\"%s\",\"quantity\":1,\"uom\":\"TNE\"}", in2);
    snprintf(b + len, n - len,
             "{\"type\":\"TransformationEvent\",\"eventTime\":\"%s\",\"eventTimeZoneOffset\":"
             "\"+08:00\",\"inputQuantityList\":[{\"epcClass\":\"%s\",\"quantity\":4,\"uom\":"
             "\"TNE\"}%s],\"outputQuantityList\":[{\"epcClass\":\"%s\",\"quantity\":3,\"uom\":"
             "\"TNE\"}]}",
             when, in1, in2q, out);
}

static json_t *document(const char *events)
{
    char *doc = malloc(strlen(events) + 512);
    sprintf(doc,
            "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
            "\"creationDate\":\"2026-05-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[%s]}}",
            events);
    json_error_t je;
    json_t *j = json_loads(doc, 0, &je);
    if (!j)
        fail_msg("bad test JSON: %s at %d:%d", je.text, je.line, je.column);
    free(doc);
    return j;
}

/* Captures `events` as `org` (rollback); the report is left in *rep. */
static lds_code capture_rep(fixture *f, const char *events, int64_t org, lds_epcis_report *rep)
{
    json_t *j = document(events);
    lds_trace_capture_result res;
    lds_err err;
    lds_epcis_report_init(rep);
    lds_code rc = lds_trace_capture(f->s, NULL, j, LDS_TRACE_ROLLBACK, org, rep, &res, &err);
    json_decref(j);
    return rc;
}

static lds_code capture(fixture *f, char *events, int64_t org)
{
    lds_epcis_report *rep = malloc(sizeof *rep);
    lds_code rc = capture_rep(f, events, org, rep);
    lds_epcis_report_release(rep);
    free(rep);
    events[0] = '\0';
    return rc;
}

static int64_t scalar(fixture *f, const char *sql_literal)
{
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(f->s, sql_literal, &st, NULL), LDS_OK);
    assert_int_equal(lds_stmt_step(st, NULL), LDS_STORE_ROW);
    int64_t n = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return n;
}

static const char q_events[] = "SELECT count(*) FROM epcis_events";
static const char q_holders[] = "SELECT count(*) FROM lot_holders";
static const char q_held_11[] =
    "SELECT count(*) FROM lot_holders h JOIN lots l ON l.id = h.lot WHERE h.org_id = 11";
static const char q_held_13[] =
    "SELECT count(*) FROM lot_holders h JOIN lots l ON l.id = h.lot WHERE h.org_id = 13";

static int visible(fixture *f, const char *lot, int64_t org)
{
    lds_lot l;
    assert_int_equal(lds_lineage_lot_get(f->s, lot, &l, NULL), LDS_OK);
    return lds_lineage_visible(f->s, &l, org, 0);
}

/* An input another org holds: refused with the pointer and the names. */
static void test_input_not_held(void **state)
{
    fixture *f = *state;
    char ev[4096] = "";
    commission(f, ev, sizeof ev, LOT("L1"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    int64_t before = scalar(f, q_events);

    commission(f, ev, sizeof ev, LOT("N1"));
    transform(f, ev, sizeof ev, LOT("N1"), LOT("L1"), LOT("M1"));
    lds_epcis_report *rep = malloc(sizeof *rep);
    assert_int_equal(capture_rep(f, ev, 11, rep), LDS_EINVAL);
    assert_int_equal(rep->n_items, 1);
    assert_string_equal(rep->items[0].pointer,
                        "/epcisBody/eventList/1/inputQuantityList/1/epcClass");
    assert_string_equal(rep->items[0].message,
                        "org 11 does not hold lot " LOT("L1") "; a lot is used by its producer "
                        "or an organisation it was shipped to");
    assert_int_equal(rep->items[0].event_index, 1);
    assert_int_equal(rep->n_invalid, 1);
    assert_false(rep->event_ok[1]);
    assert_true(rep->event_ok[0]);
    lds_epcis_report_release(rep);
    free(rep);
    ev[0] = '\0';
    assert_int_equal(scalar(f, q_events), before); /* rollback: nothing */

    /* The producer itself, the platform (org 0) and an operator may. */
    transform(f, ev, sizeof ev, LOT("L1"), NULL, LOT("M1"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    transform(f, ev, sizeof ev, LOT("L1"), NULL, LOT("M2"));
    assert_int_equal(capture(f, ev, 0), LDS_OK);
    transform(f, ev, sizeof ev, LOT("L1"), NULL, LOT("M3"));
    assert_int_equal(capture(f, ev, 12), LDS_OK);
    /* A lot never seen keeps today's behaviour. */
    transform(f, ev, sizeof ev, LOT("NEW"), NULL, LOT("M4"));
    assert_int_equal(capture(f, ev, 11), LDS_OK);
}

/* Both inputs of another org: two violations, one per element. */
static void test_two_inputs_single_event(void **state)
{
    fixture *f = *state;
    char ev[4096] = "";
    commission(f, ev, sizeof ev, LOT("A"));
    commission(f, ev, sizeof ev, LOT("B"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    transform(f, ev, sizeof ev, LOT("A"), LOT("B"), LOT("C"));
    json_t *doc = document(ev);
    json_t *event = json_array_get(json_object_get(json_object_get(doc, "epcisBody"), "eventList"),
                                   0);
    lds_epcis_report *rep = malloc(sizeof *rep);
    lds_epcis_report_init(rep);
    lds_err err;
    assert_int_equal(lds_lineage_check_event(f->s, event, 13, rep, &err), LDS_EINVAL);
    assert_int_equal(rep->n_items, 2);
    assert_string_equal(rep->items[0].pointer, "/inputQuantityList/0/epcClass");
    assert_string_equal(rep->items[1].pointer, "/inputQuantityList/1/epcClass");
    assert_non_null(strstr(rep->items[1].message, "org 13 does not hold lot " LOT("B")));
    lds_epcis_report_release(rep);
    lds_epcis_report_init(rep);
    assert_int_equal(lds_lineage_check_event(f->s, event, 10, rep, &err), LDS_OK);
    assert_int_equal(rep->n_items, 0);
    lds_epcis_report_release(rep);
    free(rep);
    json_decref(doc);
}

/* An existing lot as output: refused unless held, in flag mode too. */
static void test_output_not_held(void **state)
{
    fixture *f = *state;
    char ev[4096] = "";
    commission(f, ev, sizeof ev, LOT("L2"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    commission(f, ev, sizeof ev, LOT("N2"));
    assert_int_equal(capture(f, ev, 11), LDS_OK);
    lds_lineage_set_mass_balance(LDS_MASS_BALANCE_FLAG);
    transform(f, ev, sizeof ev, LOT("N2"), NULL, LOT("L2"));
    lds_epcis_report *rep = malloc(sizeof *rep);
    assert_int_equal(capture_rep(f, ev, 11, rep), LDS_EINVAL);
    assert_int_equal(rep->n_items, 1);
    assert_string_equal(rep->items[0].pointer,
                        "/epcisBody/eventList/0/outputQuantityList/0/epcClass");
    assert_non_null(strstr(rep->items[0].message, "org 11 did not produce lot " LOT("L2")));
    lds_epcis_report_release(rep);
    free(rep);
    ev[0] = '\0';
    /* Made in the same document first: the org's own. */
    commission(f, ev, sizeof ev, LOT("N3"));
    transform(f, ev, sizeof ev, LOT("N3"), NULL, LOT("O3"));
    transform(f, ev, sizeof ev, LOT("O3"), NULL, LOT("P3"));
    assert_int_equal(capture(f, ev, 11), LDS_OK);
    assert_true(visible(f, LOT("P3"), 11));
}

/* Shipping by the org URI and by a facility; transitively; not by a non-holder. */
static void test_shipping_makes_holders(void **state)
{
    fixture *f = *state;
    char ev[4096] = "";
    commission(f, ev, sizeof ev, LOT("S1"));
    commission(f, ev, sizeof ev, LOT("S2"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    assert_false(visible(f, LOT("S1"), 11));

    /* Org 13 names S1 and ships it to itself and 11: nothing. */
    ship(f, ev, sizeof ev, LOT("S1"), "https://lodestone.dev/org/11");
    ship(f, ev, sizeof ev, LOT("S1"), "https://lodestone.dev/org/13");
    assert_int_equal(capture(f, ev, 13), LDS_OK);
    assert_int_equal(scalar(f, q_holders), 0);
    assert_false(visible(f, LOT("S1"), 13));

    /* The producer ships S1 to org 11, S2 to org 11's facility 501. */
    ship(f, ev, sizeof ev, LOT("S1"), "https://lodestone.dev/org/11");
    ship(f, ev, sizeof ev, LOT("S2"), "https://lodestone.dev/facility/501");
    /* An unknown facility or a malformed org URI names no one. */
    ship(f, ev, sizeof ev, LOT("S1"), "https://lodestone.dev/facility/999");
    ship(f, ev, sizeof ev, LOT("S1"), "https://lodestone.dev/org/13x");
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    assert_int_equal(scalar(f, q_held_11), 2);
    assert_int_equal(scalar(f, q_holders), 2);
    assert_true(visible(f, LOT("S1"), 11));
    assert_true(visible(f, LOT("S2"), 11));
    assert_false(visible(f, LOT("S1"), 13));
    assert_true(visible(f, LOT("S1"), 10));
    transform(f, ev, sizeof ev, LOT("S1"), LOT("S2"), LOT("T1"));
    assert_int_equal(capture(f, ev, 11), LDS_OK);

    /* 11 ships S1 on to 13; 13 ships it on to 14. */
    ship(f, ev, sizeof ev, LOT("S1"), "https://lodestone.dev/org/13");
    assert_int_equal(capture(f, ev, 11), LDS_OK);
    assert_int_equal(scalar(f, q_held_13), 1);
    ship(f, ev, sizeof ev, LOT("S1"), "https://lodestone.dev/org/14");
    assert_int_equal(capture(f, ev, 13), LDS_OK);
    assert_true(visible(f, LOT("S1"), 14));
    assert_int_equal(scalar(f, q_holders), 4);
}

/* Only the exact spellings name an org: a destination URI with a leading
 * zero, a trailing slash, a query, a fragment, a sign, percent-encoding, an
 * uppercase scheme or host, or an id past int64 names no one. */
static void test_destination_spellings(void **state)
{
    fixture *f = *state;
    char ev[8192] = "";
    commission(f, ev, sizeof ev, LOT("U1"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    static const char *const uris[] = {
        "https://lodestone.dev/org/013",        "https://lodestone.dev/org/13/",
        "https://lodestone.dev/org/13?x=1",     "https://lodestone.dev/org/13#f",
        "https://lodestone.dev/org/+13",        "https://lodestone.dev/org/%31%33",
        "HTTPS://LODESTONE.DEV/org/13",         "https://Lodestone.dev/org/13",
        "https://lodestone.dev/ORG/13",         "https://lodestone.dev//org/13",
        "https://lodestone.dev/facility/0501",  "https://lodestone.dev/facility/501/",
        "https://lodestone.dev/org/0",          "https://lodestone.dev/org/-13",
        "https://lodestone.dev/org/92233720368547758070",
    };
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++)
        ship(f, ev, sizeof ev, LOT("U1"), uris[i]);
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    assert_int_equal(scalar(f, q_holders), 0);
    assert_false(visible(f, LOT("U1"), 13));
    assert_false(visible(f, LOT("U1"), 11));
    ship(f, ev, sizeof ev, LOT("U1"), "https://lodestone.dev/org/13");
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    assert_true(visible(f, LOT("U1"), 13));
}

/* A pallet (AggregationEvent childQuantityList) shipped to an org's facility. */
static void test_aggregation_shipment(void **state)
{
    fixture *f = *state;
    char ev[4096] = "";
    commission(f, ev, sizeof ev, LOT("G1"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    snprintf(ev, sizeof ev,
             "{\"type\":\"AggregationEvent\",\"eventTime\":\"2026-05-02T00:00:00Z\","
             "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"ADD\",\"bizStep\":\"shipping\","
             "\"parentID\":\"urn:epc:id:sscc:4012345.0000000001\",\"childEPCs\":[],"
             "\"childQuantityList\":[{\"epcClass\":\"%s\",\"quantity\":2,\"uom\":\"TNE\"}],"
             "\"destinationList\":[{\"type\":\"location\","
             "\"destination\":\"https://lodestone.dev/facility/501\"}]}",
             LOT("G1"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    assert_int_equal(scalar(f, q_held_11), 1);
    assert_true(visible(f, LOT("G1"), 11));
}

/* The platform's lots (org 0, operators) are anyone's input, not output. */
static void test_platform_lots(void **state)
{
    fixture *f = *state;
    char ev[4096] = "";
    commission(f, ev, sizeof ev, LOT("Z1"));
    assert_int_equal(capture(f, ev, 0), LDS_OK);
    commission(f, ev, sizeof ev, LOT("Z2"));
    assert_int_equal(capture(f, ev, 12), LDS_OK);
    transform(f, ev, sizeof ev, LOT("Z1"), LOT("Z2"), LOT("Y1"));
    assert_int_equal(capture(f, ev, 11), LDS_OK);
    commission(f, ev, sizeof ev, LOT("N5"));
    assert_int_equal(capture(f, ev, 11), LDS_OK);
    transform(f, ev, sizeof ev, LOT("N5"), NULL, LOT("Z1"));
    assert_int_equal(capture(f, ev, 11), LDS_EINVAL);
    /* The platform ships to an org: it holds then. */
    ship(f, ev, sizeof ev, LOT("Z1"), "https://lodestone.dev/org/11");
    assert_int_equal(capture(f, ev, 0), LDS_OK);
    assert_true(visible(f, LOT("Z1"), 11));
}

static const char q_edges_into[] =
    "SELECT count(*) FROM lot_edges x JOIN lots l ON l.id = x.output_lot WHERE l.lot = ?";

static int64_t edges_into(fixture *f, const char *lot)
{
    char key[LDS_LINEAGE_URI_MAX];
    assert_int_equal(lds_lineage_lot_key(lot, key, NULL), 0);
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(f->s, q_edges_into, &st, NULL), LDS_OK);
    lds_stmt_bind_text(st, 1, key);
    assert_int_equal(lds_stmt_step(st, NULL), LDS_STORE_ROW);
    int64_t n = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return n;
}

/* A holder that is not the producer may use a lot, not make it again: else
 * a customer could add upstream (other mines, its own lots) to its
 * supplier's lot, seen by every other holder and downstream. */
static void test_holder_cannot_remake(void **state)
{
    fixture *f = *state;
    char ev[4096] = "";
    commission(f, ev, sizeof ev, LOT("H1"));
    ship(f, ev, sizeof ev, LOT("H1"), "https://lodestone.dev/org/11");
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    assert_true(visible(f, LOT("H1"), 11));
    commission(f, ev, sizeof ev, LOT("K1"));
    assert_int_equal(capture(f, ev, 11), LDS_OK);
    transform(f, ev, sizeof ev, LOT("K1"), NULL, LOT("H1"));
    lds_epcis_report *rep = malloc(sizeof *rep);
    assert_int_equal(capture_rep(f, ev, 11, rep), LDS_EINVAL);
    assert_int_equal(rep->n_items, 1);
    assert_string_equal(rep->items[0].pointer,
                        "/epcisBody/eventList/0/outputQuantityList/0/epcClass");
    assert_non_null(strstr(rep->items[0].message, "org 11 did not produce lot " LOT("H1")));
    lds_epcis_report_release(rep);
    free(rep);
    ev[0] = '\0';
    assert_int_equal(edges_into(f, LOT("H1")), 0);
    /* The producer still may; and the holder may use it. */
    commission(f, ev, sizeof ev, LOT("K2"));
    transform(f, ev, sizeof ev, LOT("K2"), NULL, LOT("H1"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    assert_int_equal(edges_into(f, LOT("H1")), 1);
    transform(f, ev, sizeof ev, LOT("H1"), NULL, LOT("H2"));
    assert_int_equal(capture(f, ev, 11), LDS_OK);
}

/* A TransformationEvent with n_in inputs M<i> and n_out outputs O<tag><j> (malloc'd). */
static char *wide(fixture *f, int n_in, int n_out, const char *tag)
{
    size_t cap = 512 + (size_t)(n_in + n_out) * 96;
    char *ev = calloc(1, cap), when[32];
    next(f, ev, when);
    snprintf(ev, cap,
             "{\"type\":\"TransformationEvent\",\"eventTime\":\"%s\",\"eventTimeZoneOffset\":"
             "\"+08:00\",\"inputQuantityList\":[",
             when);
    for (int i = 0; i < n_in + n_out; i++) {
        size_t len = strlen(ev);
        if (i == n_in)
            len += (size_t)snprintf(ev + len, cap - len, "],\"outputQuantityList\":[");
        int first = i == 0 || i == n_in;
        if (i < n_in)
            snprintf(ev + len, cap - len,
                     "%s{\"epcClass\":\"" LOT("M%d") "\",\"quantity\":1,\"uom\":\"TNE\"}",
                     first ? "" : ",", i);
        else
            snprintf(ev + len, cap - len,
                     "%s{\"epcClass\":\"" LOT("O%s%d") "\",\"quantity\":1,\"uom\":\"TNE\"}",
                     first ? "" : ",", tag, i - n_in);
    }
    strcat(ev, "]}");
    return ev;
}

/* More than 64 inputs: an edge from each (the first 64 only, before); the
 * pairs of one transformation are bounded, with a pointer. */
static void test_many_inputs(void **state)
{
    fixture *f = *state;
    char *ev = wide(f, 70, 1, "A");
    assert_int_equal(capture(f, ev, 11), LDS_OK);
    assert_int_equal(edges_into(f, LOT("OA0")), 70);
    free(ev);
    ev = wide(f, 129, 128, "B"); /* 16,512 pairs */
    lds_epcis_report *rep = malloc(sizeof *rep);
    assert_int_equal(capture_rep(f, ev, 11, rep), LDS_EINVAL);
    assert_int_equal(rep->n_items, 1);
    assert_string_equal(rep->items[0].pointer, "/epcisBody/eventList/0/inputQuantityList");
    assert_non_null(strstr(rep->items[0].message, "129 input lots x 128 output lots"));
    lds_epcis_report_release(rep);
    free(rep);
    free(ev);
    assert_int_equal(edges_into(f, LOT("OB0")), 0);
}

/*
 * The rule holds inside the capture transaction too: a lot another org
 * commissioned after the check (a concurrent capture) is neither linked as
 * an output nor as an input; the index refuses the event.
 */
static void test_index_guard(void **state)
{
    fixture *f = *state;
    char ev[4096] = "";
    commission(f, ev, sizeof ev, LOT("R1"));
    commission(f, ev, sizeof ev, LOT("R2"));
    assert_int_equal(capture(f, ev, 10), LDS_OK);
    commission(f, ev, sizeof ev, LOT("R3"));
    assert_int_equal(capture(f, ev, 11), LDS_OK);
    static const char ins_job[] = "INSERT INTO epcis_captures (created_ms, running, success, "
                                  "error_behaviour, org_id) VALUES (0, 0, 1, 'rollback', 11)";
    static const char q_row[] = "SELECT max(id) FROM epcis_events";
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(f->s, ins_job, &st, NULL), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, NULL), LDS_OK);
    int64_t job = lds_store_last_id(f->s);
    int64_t row = scalar(f, q_row);
    const char *const cases[][2] = {{LOT("R3"), LOT("R1")},  /* 10's lot as output */
                                    {LOT("R2"), LOT("R4")},  /* 10's lot as input */
                                    {LOT("R3"), LOT("R5")}}; /* its own: fine */
    for (int c = 0; c < 3; c++) {
        transform(f, ev, sizeof ev, cases[c][0], NULL, cases[c][1]);
        json_t *j = json_loads(ev, 0, NULL);
        assert_non_null(j);
        ev[0] = '\0';
        lds_err err;
        assert_int_equal(lds_store_begin(f->s, &err), LDS_OK);
        lds_code rc = lds_lineage_index_event(f->s, j, row, job, &err);
        int64_t n_edges = edges_into(f, cases[c][1]);
        lds_store_rollback(f->s);
        json_decref(j);
        if (c < 2) {
            assert_int_equal(rc, LDS_ECONFLICT);
            assert_non_null(strstr(err.msg, "org 11"));
        } else {
            assert_int_equal(rc, LDS_OK);
            assert_int_equal(n_edges, 1);
        }
    }
    /* The platform (no capture job) is exempt. */
    transform(f, ev, sizeof ev, LOT("R2"), NULL, LOT("R1"));
    json_t *j = json_loads(ev, 0, NULL);
    lds_err err;
    assert_int_equal(lds_store_begin(f->s, &err), LDS_OK);
    assert_int_equal(lds_lineage_index_event(f->s, j, row, 0, &err), LDS_OK);
    lds_store_rollback(f->s);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_input_not_held, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_inputs_single_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_not_held, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shipping_makes_holders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregation_shipment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_platform_lots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_holder_cannot_remake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_guard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destination_spellings, setup, teardown),
    };
    return cmocka_run_group_tests_name("lineage_custody", tests, NULL, NULL);
}
