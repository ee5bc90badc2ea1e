/*
 * test_epcis.c — the EPCIS engine against the shared fixtures
 * (<source_root>/../shared/epcis/: the GS1 examples, the OpenEPCIS capture
 * test resources, the event-hash reference pre-hashes and hashes) and
 * hand-made negative cases that must name the right JSON pointer.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "harness.h"
#include "epcis/epcis_int.h"
#include "lodestone/alloc.h"
#include "lodestone/epcis.h"

/* ---- fixtures ---- */

static const char *shared_dir(void)
{
    static char dir[4096];
    if (!dir[0])
        snprintf(dir, sizeof dir, "%s/../shared/epcis", lds_test_source_root());
    return dir;
}

typedef struct file_list {
    char **paths;
    size_t n, cap;
} file_list;

static void collect(file_list *fl, const char *dir, int recursive)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char p[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (recursive)
                collect(fl, p, 1);
            continue;
        }
        if (fl->n == fl->cap) {
            fl->cap = fl->cap ? fl->cap * 2 : 64;
            fl->paths = realloc(fl->paths, fl->cap * sizeof *fl->paths);
            assert_non_null(fl->paths);
        }
        fl->paths[fl->n++] = strdup(p);
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static file_list list_files(const char *sub, int recursive)
{
    file_list fl = {0};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", shared_dir(), sub);
    collect(&fl, dir, recursive);
    qsort(fl.paths, fl.n, sizeof *fl.paths, cmp_str);
    return fl;
}

static void free_files(file_list *fl)
{
    for (size_t i = 0; i < fl->n; i++)
        free(fl->paths[i]);
    free(fl->paths);
}

static json_t *load(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s (line %d)", path, je.text, je.line);
    return j;
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("bad test JSON: %s (line %d col %d)", je.text, je.line, je.column);
    return j;
}

static void print_report(const char *what, const lds_epcis_report *rep)
{
    fprintf(stderr, "%s: %zu violation(s)\n", what, rep->n_errors);
    for (int i = 0; i < rep->n_items; i++)
        fprintf(stderr, "  %s: %s\n", rep->items[i].pointer, rep->items[i].message);
}

/* Hash ID and canonical bytes of every event must be computable. */
static void hash_all_events(const json_t *doc)
{
    const json_t *events = lds_epcis_document_events(doc);
    lds_epcis_hasher *h = lds_epcis_hasher_new();
    lds_buf canon = LDS_BUF_INIT;
    size_t i;
    json_t *ev;
    assert_non_null(events);
    assert_non_null(h);
    json_array_foreach(events, i, ev)
    {
        char id[LDS_EPCIS_HASH_ID_LEN + 1];
        lds_err err;
        assert_int_equal(lds_epcis_hasher_hash_id(h, lds_epcis_document_context(doc), ev, id,
                                                  &err),
                         LDS_OK);
        assert_int_equal(strlen(id), LDS_EPCIS_HASH_ID_LEN);
        assert_memory_equal(id, "ni:///sha-256;", 14);
        assert_int_equal(lds_epcis_event_canonical(ev, lds_epcis_document_context(doc), id,
                                                   &canon, &err),
                         LDS_OK);
        /* The canonical bytes parse back to the event plus eventID/@context. */
        json_t *back = parse(canon.ptr);
        assert_non_null(json_object_get(back, "eventID"));
        assert_non_null(json_object_get(back, "@context"));
        assert_true(json_equal(json_object_get(back, "type"), json_object_get(ev, "type")));
        json_decref(back);
    }
    lds_buf_release(&canon);
    lds_epcis_hasher_free(h);
}

/* ---- the shared fixtures ---- */

/* Every document of the GS1 EPCIS repository's JSON examples validates.
 * EPCISQueryDocument.jsonld is a query document: it is validated through the
 * query-document path (events under queryResults.resultsBody.eventList). */
static void gs1_examples_validate(void **state)
{
    (void)state;
    file_list fl = list_files("examples-json", 1);
    size_t n_doc = 0, n_query = 0, n_events = 0;
    for (size_t i = 0; i < fl.n; i++) {
        json_t *doc = load(fl.paths[i]);
        const char *type = json_string_value(json_object_get(doc, "type"));
        lds_epcis_report rep;
        lds_err err;
        lds_epcis_report_init(&rep);
        assert_non_null(type);
        if (strcmp(type, "EPCISQueryDocument") == 0)
            n_query++;
        else
            n_doc++;
        lds_code rc = lds_epcis_validate_document(doc, &rep, &err);
        if (rc != LDS_OK)
            print_report(fl.paths[i], &rep);
        assert_int_equal(rc, LDS_OK);
        assert_true(rep.doc_ok);
        assert_int_equal(rep.n_invalid, 0);
        n_events += rep.n_events;
        hash_all_events(doc);
        lds_epcis_report_release(&rep);
        json_decref(doc);
    }
    fprintf(stderr, "gs1 examples: %zu EPCISDocuments + %zu EPCISQueryDocument valid, %zu events\n",
            n_doc, n_query, n_events);
    assert_int_equal(n_doc + n_query, 47);
    assert_int_equal(n_query, 1);
    free_files(&fl);
}

/* OpenEPCIS Capture/Documents: all valid.  SensorData_with_combined_events
 * fails the GS1 JSON schema only because two sensor reports carry
 * "exception" without "type"; the EPCIS 2.0 XSD and UML make "type"
 * optional, and we accept a report with either (docs/epcis.md). */
static void openepcis_documents_validate(void **state)
{
    (void)state;
    file_list fl = list_files("third-party/openepcis-test-resources/Capture/Documents", 0);
    for (size_t i = 0; i < fl.n; i++) {
        json_t *doc = load(fl.paths[i]);
        lds_epcis_report rep;
        lds_err err;
        lds_epcis_report_init(&rep);
        lds_code rc = lds_epcis_validate_document(doc, &rep, &err);
        if (rc != LDS_OK)
            print_report(fl.paths[i], &rep);
        assert_int_equal(rc, LDS_OK);
        hash_all_events(doc);
        lds_epcis_report_release(&rep);
        json_decref(doc);
    }
    fprintf(stderr, "openepcis Capture/Documents: %zu valid\n", fl.n);
    assert_int_equal(fl.n, 38);
    free_files(&fl);
}

/* OpenEPCIS Capture/Events: single events as POST /epcis/events takes them. */
static void openepcis_events_validate(void **state)
{
    (void)state;
    file_list fl = list_files("third-party/openepcis-test-resources/Capture/Events", 0);
    for (size_t i = 0; i < fl.n; i++) {
        json_t *ev = load(fl.paths[i]);
        lds_epcis_report rep;
        lds_err err;
        char id[LDS_EPCIS_HASH_ID_LEN + 1];
        lds_epcis_report_init(&rep);
        lds_code rc = lds_epcis_validate_event(ev, &rep, &err);
        if (rc != LDS_OK)
            print_report(fl.paths[i], &rep);
        assert_int_equal(rc, LDS_OK);
        assert_int_equal(rep.n_events, 1);
        assert_int_equal(rep.event_ok[0], 1);
        assert_int_equal(lds_epcis_event_hash_id(NULL, ev, id, &err), LDS_OK);
        lds_epcis_report_release(&rep);
        json_decref(ev);
    }
    assert_int_equal(fl.n, 5);
    free_files(&fl);
}

/* Every OpenEPCIS Capture/Invalid document is rejected. */
static void openepcis_invalid_rejected(void **state)
{
    (void)state;
    file_list fl = list_files("third-party/openepcis-test-resources/Capture/Invalid", 0);
    for (size_t i = 0; i < fl.n; i++) {
        json_t *doc = load(fl.paths[i]);
        lds_epcis_report rep;
        lds_err err;
        lds_epcis_report_init(&rep);
        lds_code rc = lds_epcis_validate_document(doc, &rep, &err);
        if (rc != LDS_EINVAL)
            fprintf(stderr, "accepted but invalid: %s\n", fl.paths[i]);
        assert_int_equal(rc, LDS_EINVAL);
        assert_true(rep.n_errors > 0);
        assert_true(rep.n_items > 0);
        assert_true(rep.items[0].pointer[0] == '/');
        assert_string_equal(err.field, rep.items[0].pointer);
        lds_epcis_report_release(&rep);
        json_decref(doc);
    }
    fprintf(stderr, "openepcis Capture/Invalid: %zu rejected\n", fl.n);
    assert_int_equal(fl.n, 15);
    free_files(&fl);
}

static char *read_text(const char *path)
{
    size_t len;
    char *t = lds_test_read_file(path, &len);
    if (!t)
        fail_msg("cannot read %s", path);
    return t;
}

/* Next line of `*p` (without newline) into a malloc'd string, NULL at end. */
static char *next_line(char **p)
{
    if (!**p)
        return NULL;
    char *nl = strchr(*p, '\n');
    size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
    char *line = strndup(*p, n);
    *p += n + (nl ? 1 : 0);
    return line;
}

/* The reference pre-hashes and hashes match event by event. */
static void hash_reference_files_match(void **state)
{
    (void)state;
    static const char *const names[] = {"ReferenceEventHashAlgorithm",
                                        "ReferenceEventHashAlgorithm2",
                                        "ReferenceEventHashAlgorithm3"};
    size_t n_checked = 0;
    for (size_t f = 0; f < 3; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/third-party/epcis-event-hash-generator/%s.jsonld",
                 shared_dir(), names[f]);
        json_t *doc = load(path);
        snprintf(path, sizeof path, "%s/third-party/epcis-event-hash-generator/%s.prehashes",
                 shared_dir(), names[f]);
        char *pre = read_text(path), *pp = pre;
        snprintf(path, sizeof path, "%s/third-party/epcis-event-hash-generator/%s.hashes",
                 shared_dir(), names[f]);
        char *hashes = read_text(path), *hp = hashes;
        const json_t *events = lds_epcis_document_events(doc);
        lds_epcis_report rep;
        lds_err err;
        lds_epcis_report_init(&rep);
        assert_int_equal(lds_epcis_validate_document(doc, &rep, &err), LDS_OK);
        lds_epcis_report_release(&rep);
        size_t i;
        json_t *ev;
        lds_buf b = LDS_BUF_INIT;
        json_array_foreach(events, i, ev)
        {
            char *want_pre = next_line(&pp), *want_hash = next_line(&hp);
            char id[LDS_EPCIS_HASH_ID_LEN + 1];
            assert_non_null(want_pre);
            assert_non_null(want_hash);
            assert_int_equal(
                lds_epcis_event_prehash(lds_epcis_document_context(doc), ev, &b, &err), LDS_OK);
            assert_string_equal(b.ptr, want_pre);
            assert_int_equal(
                lds_epcis_event_hash_id(lds_epcis_document_context(doc), ev, id, &err), LDS_OK);
            assert_string_equal(id, want_hash);
            free(want_pre);
            free(want_hash);
            n_checked++;
        }
        assert_null(next_line(&hp)); /* as many hashes as events */
        lds_buf_release(&b);
        free(pre);
        free(hashes);
        json_decref(doc);
    }
    assert_int_equal(n_checked, 3);
}

/* ---- hand-made negative cases ---- */

static const char doc_head[] =
    "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","
    "{\"example\":\"https://ns.example.com/epcis/\"}],"
    "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
    "\"creationDate\":\"2024-05-01T10:00:00Z\",\"epcisBody\":{\"eventList\":[";
static const char doc_tail[] = "]}}";

static const char good_object[] =
    "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:00:00.000+08:00\","
    "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"OBSERVE\","
    "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2017\"],\"bizStep\":\"shipping\","
    "\"readPoint\":{\"id\":\"urn:epc:id:sgln:0614141.07346.1234\"}}";

/* Validates a document of the given events; returns the report (caller
 * releases) and the code. */
static lds_code validate_events(const char *events, lds_epcis_report *rep)
{
    size_t n = strlen(doc_head) + strlen(events) + strlen(doc_tail) + 1;
    char *text = malloc(n);
    lds_err err;
    snprintf(text, n, "%s%s%s", doc_head, events, doc_tail);
    json_t *doc = parse(text);
    lds_epcis_report_init(rep);
    lds_code rc = lds_epcis_validate_document(doc, rep, &err);
    json_decref(doc);
    free(text);
    return rc;
}

static int has_violation(const lds_epcis_report *rep, const char *pointer)
{
    for (int i = 0; i < rep->n_items; i++)
        if (strcmp(rep->items[i].pointer, pointer) == 0)
            return 1;
    return 0;
}

static void expect_violation(const char *events, const char *pointer)
{
    lds_epcis_report rep;
    lds_code rc = validate_events(events, &rep);
    if (rc != LDS_EINVAL || !has_violation(&rep, pointer)) {
        print_report(pointer, &rep);
        fail_msg("expected a violation at %s", pointer);
    }
    lds_epcis_report_release(&rep);
}

static void good_document_validates(void **state)
{
    (void)state;
    lds_epcis_report rep;
    assert_int_equal(validate_events(good_object, &rep), LDS_OK);
    assert_int_equal(rep.n_events, 1);
    assert_int_equal(rep.event_ok[0], 1);
    lds_epcis_report_release(&rep);
}

static void missing_required_field(void **state)
{
    (void)state;
    expect_violation("{\"type\":\"ObjectEvent\",\"eventTimeZoneOffset\":\"+08:00\","
                     "\"action\":\"ADD\",\"epcList\":[]}",
                     "/epcisBody/eventList/0/eventTime");
    expect_violation("{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                     "\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":[]}",
                     "/epcisBody/eventList/0/action");
    expect_violation("{\"type\":\"TransactionEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\",\"epcList\":[]}",
                     "/epcisBody/eventList/0/bizTransactionList");
    expect_violation("{\"type\":\"TransformationEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                     "\"eventTimeZoneOffset\":\"+00:00\"}",
                     "/epcisBody/eventList/0/inputEPCList");
}

static void wrong_type(void **state)
{
    (void)state;
    expect_violation("{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\","
                     "\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.012345.998877\","
                     "\"quantity\":\"200\",\"uom\":\"KGM\"}]}",
                     "/epcisBody/eventList/0/quantityList/0/quantity");
    expect_violation("{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\","
                     "\"epcList\":\"urn:epc:id:sgtin:0614141.107346.2017\"}",
                     "/epcisBody/eventList/0/epcList");
    expect_violation("{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\",\"epcList\":[],"
                     "\"readPoint\":\"urn:epc:id:sgln:0614141.07346.1234\"}",
                     "/epcisBody/eventList/0/readPoint");
}

static void unknown_event_type(void **state)
{
    (void)state;
    expect_violation("{\"type\":\"ShipmentEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                     "\"eventTimeZoneOffset\":\"+00:00\"}",
                     "/epcisBody/eventList/0/type");
    expect_violation("{\"eventTime\":\"2024-05-01T10:00:00Z\",\"eventTimeZoneOffset\":\"+00:00\"}",
                     "/epcisBody/eventList/0/type");
}

static void bad_event_time(void **state)
{
    (void)state;
    static const char *const bad[] = {"2024-05-01", "2024-05-01T10:00:00", "2024-13-01T10:00:00Z",
                                      "2024-02-30T10:00:00Z", "2024-05-01T25:00:00Z",
                                      "01/05/2024 10:00", "2024-05-01T10:00:00.Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char ev[512];
        snprintf(ev, sizeof ev,
                 "{\"type\":\"ObjectEvent\",\"eventTime\":\"%s\","
                 "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\",\"epcList\":[]}",
                 bad[i]);
        expect_violation(ev, "/epcisBody/eventList/0/eventTime");
    }
}

static void bad_offset(void **state)
{
    (void)state;
    static const char *const bad[] = {"+8:00", "08:00", "+15:00", "+14:30", "+01:60", "Z", "+0100"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char ev[512];
        snprintf(ev, sizeof ev,
                 "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                 "\"eventTimeZoneOffset\":\"%s\",\"action\":\"ADD\",\"epcList\":[]}",
                 bad[i]);
        expect_violation(ev, "/epcisBody/eventList/0/eventTimeZoneOffset");
    }
}

static void bad_uri(void **state)
{
    (void)state;
    static const char head[] = "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                               "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\",";
    char ev[1024];
    snprintf(ev, sizeof ev, "%s\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2017\","
                            "\"not a uri\"]}", head);
    expect_violation(ev, "/epcisBody/eventList/0/epcList/1");
    snprintf(ev, sizeof ev, "%s\"epcList\":[\"urn:epc:id:sgtin:0614141.10734.2017\"]}", head);
    expect_violation(ev, "/epcisBody/eventList/0/epcList/0"); /* 12 digits, not 13 */
    snprintf(ev, sizeof ev, "%s\"epcList\":[\"https://id.gs1.org/01/09521141012346/21/1\"]}",
             head);
    expect_violation(ev, "/epcisBody/eventList/0/epcList/0"); /* check digit */
    snprintf(ev, sizeof ev, "%s\"epcList\":[],\"bizLocation\":{\"id\":\"warehouse 7\"}}", head);
    expect_violation(ev, "/epcisBody/eventList/0/bizLocation/id");
    snprintf(ev, sizeof ev, "%s\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2017\","
                            "\"urn:epc:id:sgtin:0614141.107346.2017\"]}", head);
    expect_violation(ev, "/epcisBody/eventList/0/epcList/1"); /* duplicate */
    snprintf(ev, sizeof ev, "%s\"epcList\":[],\"bizStep\":\"urn:epcglobal:cbv:bizstep:shipping\"}",
             head);
    expect_violation(ev, "/epcisBody/eventList/0/bizStep");
    snprintf(ev, sizeof ev, "%s\"epcList\":[],\"myField\":\"x\"}", head);
    expect_violation(ev, "/epcisBody/eventList/0/myField");
}

static void aggregation_add_needs_parent(void **state)
{
    (void)state;
    static const char agg[] =
        "{\"type\":\"AggregationEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
        "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"%s\","
        "\"childEPCs\":[\"urn:epc:id:sgtin:0614141.107346.2017\"]}";
    char ev[512];
    snprintf(ev, sizeof ev, agg, "ADD");
    expect_violation(ev, "/epcisBody/eventList/0/parentID");
    snprintf(ev, sizeof ev, agg, "DELETE");
    expect_violation(ev, "/epcisBody/eventList/0/parentID");
    /* OBSERVE may omit parentID. */
    snprintf(ev, sizeof ev, agg, "OBSERVE");
    lds_epcis_report rep;
    assert_int_equal(validate_events(ev, &rep), LDS_OK);
    lds_epcis_report_release(&rep);
}

/* All violations are reported, and per-event flags support "proceed". */
static void reports_every_violation_per_event(void **state)
{
    (void)state;
    char events[4096];
    snprintf(events, sizeof events,
             "%s,{\"type\":\"ObjectEvent\",\"eventTime\":\"nope\",\"eventTimeZoneOffset\":\"x\","
             "\"action\":\"MOVE\",\"epcList\":[\"bad uri\"],\"bizStep\":\"teleporting\"},%s,"
             "{\"type\":\"AggregationEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
             "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\",\"childEPCs\":[]}",
             good_object, good_object);
    lds_epcis_report rep;
    assert_int_equal(validate_events(events, &rep), LDS_EINVAL);
    assert_true(rep.doc_ok);
    assert_int_equal(rep.n_events, 4);
    assert_int_equal(rep.n_invalid, 2);
    assert_int_equal(rep.event_ok[0], 1);
    assert_int_equal(rep.event_ok[1], 0);
    assert_int_equal(rep.event_ok[2], 1);
    assert_int_equal(rep.event_ok[3], 0);
    assert_true(has_violation(&rep, "/epcisBody/eventList/1/eventTime"));
    assert_true(has_violation(&rep, "/epcisBody/eventList/1/eventTimeZoneOffset"));
    assert_true(has_violation(&rep, "/epcisBody/eventList/1/action"));
    assert_true(has_violation(&rep, "/epcisBody/eventList/1/epcList/0"));
    assert_true(has_violation(&rep, "/epcisBody/eventList/1/bizStep"));
    assert_true(has_violation(&rep, "/epcisBody/eventList/3/parentID"));
    assert_true(has_violation(&rep, "/epcisBody/eventList/3/childEPCs"));
    assert_int_equal(rep.n_errors, 7);
    for (int i = 0; i < rep.n_items; i++)
        assert_int_equal(rep.items[i].event_index,
                         strncmp(rep.items[i].pointer, "/epcisBody/eventList/1", 22) == 0 ? 1 : 3);
    lds_epcis_report_release(&rep);

    /* The cap keeps the first violations and still counts them all. */
    lds_buf many = LDS_BUF_INIT;
    for (int i = 0; i < 100; i++)
        lds_buf_addf(&many, "%s{\"type\":\"Nope\"}", i ? "," : "");
    assert_int_equal(validate_events(many.ptr, &rep), LDS_EINVAL);
    assert_int_equal(rep.n_errors, 100);
    assert_int_equal(rep.n_items, LDS_EPCIS_MAX_VIOLATIONS);
    assert_int_equal(rep.n_invalid, 100);
    lds_epcis_report_release(&rep);
    lds_buf_release(&many);
}

static void document_envelope_errors(void **state)
{
    (void)state;
    lds_epcis_report rep;
    lds_err err;
    json_t *doc = parse("{\"type\":\"EPCISDocument\",\"schemaVersion\":2,"
                        "\"creationDate\":\"yesterday\",\"epcisBody\":{}}");
    lds_epcis_report_init(&rep);
    assert_int_equal(lds_epcis_validate_document(doc, &rep, &err), LDS_EINVAL);
    assert_false(rep.doc_ok);
    assert_true(has_violation(&rep, "/@context"));
    assert_true(has_violation(&rep, "/schemaVersion"));
    assert_true(has_violation(&rep, "/creationDate"));
    assert_true(has_violation(&rep, "/epcisBody/eventList"));
    lds_epcis_report_release(&rep);
    json_decref(doc);

    doc = parse("[1,2]");
    assert_int_equal(lds_epcis_validate_document(doc, &rep, &err), LDS_EINVAL);
    json_decref(doc);
    doc = parse("{\"type\":\"Thing\"}");
    assert_int_equal(lds_epcis_validate_document(doc, &rep, &err), LDS_EINVAL);
    assert_true(has_violation(&rep, "/type"));
    lds_epcis_report_release(&rep);
    json_decref(doc);
}

static void single_event_pointers(void **state)
{
    (void)state;
    lds_epcis_report rep;
    lds_err err;
    json_t *ev = parse(good_object);
    lds_epcis_report_init(&rep);
    /* A single event must carry its @context. */
    assert_int_equal(lds_epcis_validate_event(ev, &rep, &err), LDS_EINVAL);
    assert_true(has_violation(&rep, "/@context"));
    json_object_set_new(ev, "@context",
                        json_string("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"));
    assert_int_equal(lds_epcis_validate_event(ev, &rep, &err), LDS_OK);
    json_object_set_new(ev, "epcList", json_pack("[s]", "urn:epc:id:sgtin:bad"));
    assert_int_equal(lds_epcis_validate_event(ev, &rep, &err), LDS_EINVAL);
    assert_true(has_violation(&rep, "/epcList/0"));
    assert_string_equal(err.field, "/epcList/0");
    lds_epcis_report_release(&rep);
    json_decref(ev);
}

/* ---- hash ID properties ---- */


static void hash_of(const char *event_json, char out[LDS_EPCIS_HASH_ID_LEN + 1])
{
    json_t *ctx = parse("[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","
                        "{\"example\":\"https://ns.example.com/epcis/\"}]");
    json_t *ev = parse(event_json);
    lds_err err;
    assert_int_equal(lds_epcis_event_hash_id(ctx, ev, out, &err), LDS_OK);
    json_decref(ev);
    json_decref(ctx);
}

static void hash_id_is_canonical(void **state)
{
    (void)state;
    char a[LDS_EPCIS_HASH_ID_LEN + 1], b[LDS_EPCIS_HASH_ID_LEN + 1];
    hash_of("{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-03-04T11:00:30.000+01:00\","
            "\"eventTimeZoneOffset\":\"+01:00\",\"action\":\"OBSERVE\",\"bizStep\":\"shipping\","
            "\"epcList\":[\"urn:epc:id:sgtin:0614141.011111.987\",\"urn:epc:id:sscc:4012345.0000000333\"],"
            "\"example:f\":{\"example:a\":\"1\",\"example:b\":[\"2\",\"1\"]}}",
            a);
    /* Key order, list order, time zone, CBV spelling, EPC vs Digital Link,
     * eventID and recordTime do not change the hash. */
    hash_of("{\"example:f\":{\"example:b\":[\"1\",\"2\"],\"example:a\":\"1.0\"},"
            "\"epcList\":[\"https://id.gs1.org/00/040123450000003338\","
            "\"https://example.com/gtin/00614141111114/ser/987?x=1\"],"
            "\"bizStep\":\"https://ref.gs1.org/cbv/BizStep-shipping\",\"action\":\"OBSERVE\","
            "\"eventTimeZoneOffset\":\"+01:00\",\"eventTime\":\"2020-03-04T10:00:30Z\","
            "\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:1\","
            "\"recordTime\":\"2024-01-01T00:00:00Z\"}",
            b);
    assert_string_equal(a, b);
    /* A changed value changes it. */
    hash_of("{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-03-04T11:00:30.001+01:00\","
            "\"eventTimeZoneOffset\":\"+01:00\",\"action\":\"OBSERVE\",\"bizStep\":\"shipping\","
            "\"epcList\":[\"urn:epc:id:sgtin:0614141.011111.987\",\"urn:epc:id:sscc:4012345.0000000333\"],"
            "\"example:f\":{\"example:a\":\"1\",\"example:b\":[\"2\",\"1\"]}}",
            b);
    assert_string_not_equal(a, b);
}

/* User data is kept as given but bounded in depth; a query document's
 * pointers run through queryResults.resultsBody. */
static void deep_extensions_and_query_pointers(void **state)
{
    (void)state;
    lds_buf ev = LDS_BUF_INIT;
    lds_buf_adds(&ev, "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                      "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\",\"epcList\":[],"
                      "\"example:deep\":");
    for (int i = 0; i < 40; i++)
        lds_buf_adds(&ev, "{\"example:x\":");
    lds_buf_adds(&ev, "1");
    for (int i = 0; i < 40; i++)
        lds_buf_addc(&ev, '}');
    lds_buf_addc(&ev, '}');
    expect_violation(ev.ptr, "/epcisBody/eventList/0/example:deep");
    /* The hash still works (and stays bounded) on unvalidated input. */
    char id[LDS_EPCIS_HASH_ID_LEN + 1];
    hash_of(ev.ptr, id);
    lds_buf_release(&ev);

    lds_epcis_report rep;
    lds_err err;
    json_t *doc = parse("{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","
                        "\"type\":\"EPCISQueryDocument\",\"epcisBody\":{\"queryResults\":{"
                        "\"queryName\":\"SimpleEventQuery\",\"resultsBody\":{\"eventList\":["
                        "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-05-01T10:00:00Z\","
                        "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\"}]}}}}");
    lds_epcis_report_init(&rep);
    assert_int_equal(lds_epcis_validate_document(doc, &rep, &err), LDS_EINVAL);
    assert_true(has_violation(&rep, "/epcisBody/queryResults/resultsBody/eventList/0/epcList"));
    assert_non_null(lds_epcis_document_events(doc));
    lds_epcis_report_release(&rep);
    json_decref(doc);
}

static void prehash_value_rules(void **state)
{
    (void)state;
    lds_buf b = LDS_BUF_INIT;
    lds_err err;
    json_t *ev = parse(
        "{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-01-01T00:59:59.9995+01:00\","
        "\"eventTimeZoneOffset\":\"+01:00\",\"action\":\"ADD\","
        "\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.012345.998877\","
        "\"quantity\":2.50,\"uom\":\"KGM\"},{\"epcClass\":\"urn:epc:idpat:sgtin:4012345.012345.*\","
        "\"quantity\":1e-05}],\"disposition\":\"urn:epcglobal:cbv:disp:in_transit\","
        "\"readPoint\":{\"id\":\"urn:epc:id:sgln:4012345.00001.0\"}}");
    assert_int_equal(lds_epcis_event_prehash(NULL, ev, &b, &err), LDS_OK);
    assert_string_equal(
        b.ptr,
        "eventType=ObjectEventeventTime=2020-01-01T00:00:00.000ZeventTimeZoneOffset=+01:00"
        "quantityListquantityElementepcClass=https://id.gs1.org/01/04012345123456/10/998877"
        "quantity=2.5uom=KGMquantityElementepcClass=https://id.gs1.org/01/04012345123456"
        "quantity=1e-05action=ADDdisposition=https://ref.gs1.org/cbv/Disp-in_transit"
        "readPointid=https://id.gs1.org/414/4012345000016");
    lds_buf_release(&b);
    json_decref(ev);
}

static void dl_conversions(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118/21/9876"},
        {"urn:epc:id:sgtin:4012345.011111.A(1)", "https://id.gs1.org/01/04012345111118/21/A%281%29"},
        {"urn:epc:id:sscc:4012345.0000000111", "https://id.gs1.org/00/040123450000001112"},
        {"urn:epc:id:sgln:4012345.00011.987", "https://id.gs1.org/414/4012345000115/254/987"},
        {"urn:epc:id:pgln:4012345.00000", "https://id.gs1.org/417/4012345000009"},
        {"urn:epc:id:giai:4000001.111", "https://id.gs1.org/8004/4000001111"},
        {"urn:epc:id:gdti:4012345.11111.123", "https://id.gs1.org/253/4012345111118123"},
        {"urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877"},
        {"https://example.com/gtin/4012345123456/lot/L1/ser/S1?linkType=all",
         "https://id.gs1.org/01/04012345123456/21/S1"},
        {"https://id.gs1.org/01/04012345123456/22/V1/21/S1", "https://id.gs1.org/01/04012345123456/21/S1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lds_buf b = LDS_BUF_INIT;
        assert_int_equal(lds_epcis_uri_to_dl(cases[i][0], &b), 1);
        assert_string_equal(b.ptr, cases[i][1]);
        lds_buf_release(&b);
    }
    lds_buf b = LDS_BUF_INIT;
    assert_int_equal(lds_epcis_uri_to_dl("urn:epc:id:sgtin:4012345.01111.9876", &b), 0);
    assert_int_equal(lds_epcis_uri_to_dl("https://example.com/po/12345678", &b), 0);
    assert_int_equal(lds_epcis_uri_to_dl("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", &b), 0);
    assert_int_equal(b.len, 0);
    lds_buf_release(&b);
}

/* ---- canonical bytes, accessors, helpers ---- */

static void canonical_is_jcs(void **state)
{
    (void)state;
    lds_buf b = LDS_BUF_INIT;
    lds_err err;
    json_t *ev = parse("{\"type\":\"ObjectEvent\",\"b\":[1.50,1e21,0.000001,1e-7,-0.0,100],"
                       "\"a\":\"x\\u0001\\\"/\",\"\\u00e9\":1,\"\\ud83d\\ude00\":2,\"\\uffff\":3}");
    json_t *ctx = json_string("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld");
    assert_int_equal(lds_epcis_event_canonical(ev, ctx, "ni:///x", &b, &err), LDS_OK);
    assert_string_equal(
        b.ptr, "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","
               "\"a\":\"x\\u0001\\\"/\",\"b\":[1.5,1e+21,0.000001,1e-7,0,100],"
               "\"eventID\":\"ni:///x\",\"type\":\"ObjectEvent\",\"\xc3\xa9\":1,"
               "\"\xf0\x9f\x98\x80\":2,\"\xef\xbf\xbf\":3}");
    /* An event with its own eventID keeps it. */
    json_object_set_new(ev, "eventID", json_string("urn:uuid:given"));
    assert_int_equal(lds_epcis_event_canonical(ev, NULL, "ni:///x", &b, &err), LDS_OK);
    assert_non_null(strstr(b.ptr, "\"eventID\":\"urn:uuid:given\""));
    assert_null(strstr(b.ptr, "@context"));
    lds_buf_release(&b);
    json_decref(ctx);
    json_decref(ev);
}

typedef struct id_seen {
    int n;
    lds_epcis_role roles[16];
    double qty_sum;
} id_seen;

static int on_id(void *ctx, lds_epcis_role role, const char *uri, int has_q, double q,
                 const char *uom)
{
    id_seen *s = ctx;
    (void)uri;
    (void)uom;
    if (s->n < 16)
        s->roles[s->n] = role;
    s->n++;
    if (has_q)
        s->qty_sum += q;
    return 0;
}

static void event_accessors(void **state)
{
    (void)state;
    lds_epcis_event_info info;
    lds_err err;
    json_t *ev = parse(
        "{\"type\":\"TransformationEvent\",\"eventTime\":\"2024-05-01T10:00:00.250+08:00\","
        "\"eventTimeZoneOffset\":\"+08:00\",\"recordTime\":\"2024-05-01T02:00:01Z\","
        "\"inputEPCList\":[\"urn:epc:id:sgtin:0614141.107346.1\"],"
        "\"inputQuantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.012345.A\","
        "\"quantity\":10,\"uom\":\"KGM\"}],\"outputQuantityList\":[{\"epcClass\":"
        "\"urn:epc:class:lgtin:4012345.012345.B\",\"quantity\":7.5,\"uom\":\"KGM\"}],"
        "\"bizStep\":\"commissioning\",\"readPoint\":{\"id\":\"urn:epc:id:sgln:0614141.07346.1\"}}");
    assert_int_equal(lds_epcis_event_info_get(ev, &info, &err), LDS_OK);
    assert_int_equal(info.type, LDS_EPCIS_TRANSFORMATION);
    assert_int_equal(info.action, LDS_EPCIS_ACTION_NONE);
    assert_int_equal(info.event_time_ms, 1714528800250LL);
    assert_int_equal(info.event_tz_offset_min, 480);
    assert_true(info.has_record_time);
    assert_int_equal(info.record_time_ms, 1714528801000LL);
    assert_string_equal(info.biz_step, "commissioning");
    assert_string_equal(info.read_point, "urn:epc:id:sgln:0614141.07346.1");
    assert_null(info.event_id);
    id_seen s = {0};
    assert_int_equal(lds_epcis_event_each_id(ev, on_id, &s), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.roles[0], LDS_EPCIS_ROLE_INPUT_EPC);
    assert_int_equal(s.roles[1], LDS_EPCIS_ROLE_INPUT_CLASS);
    assert_int_equal(s.roles[2], LDS_EPCIS_ROLE_OUTPUT_CLASS);
    assert_true(s.qty_sum == 17.5);
    json_decref(ev);

    ev = parse("{\"type\":\"ObjectEvent\",\"eventTime\":\"bad\"}");
    assert_int_equal(lds_epcis_event_info_get(ev, &info, &err), LDS_EINVAL);
    assert_string_equal(err.field, "/eventTime");
    json_decref(ev);

    assert_string_equal(lds_epcis_type_name(LDS_EPCIS_ASSOCIATION), "AssociationEvent");
    assert_int_equal(lds_epcis_type_parse("AggregationEvent"), LDS_EPCIS_AGGREGATION);
    assert_string_equal(lds_epcis_action_name(LDS_EPCIS_DELETE), "DELETE");
}

static void cbv_normalize_and_time(void **state)
{
    (void)state;
    static const char *const forms[] = {"shipping", "urn:epcglobal:cbv:bizstep:shipping",
                                        "cbv:BizStep-shipping",
                                        "https://ref.gs1.org/cbv/BizStep-shipping"};
    for (size_t i = 0; i < 4; i++) {
        lds_buf b = LDS_BUF_INIT;
        lds_epcis_cbv_normalize(LDS_EPCIS_VOCAB_BIZSTEP, forms[i], &b);
        assert_string_equal(b.ptr, "https://ref.gs1.org/cbv/BizStep-shipping");
        lds_buf_release(&b);
    }
    lds_buf b = LDS_BUF_INIT;
    lds_epcis_cbv_normalize(LDS_EPCIS_VOCAB_DISPOSITION, "https://example.com/d/x", &b);
    assert_string_equal(b.ptr, "https://example.com/d/x");
    lds_buf_reset(&b);
    /* Half-even rounding to ms with a carry across midnight and the year. */
    assert_int_equal(lds_epcis__time_utc_ms(&b, "2020-12-31T23:59:59.9995-00:00"), 0);
    assert_string_equal(b.ptr, "2021-01-01T00:00:00.000Z");
    lds_buf_reset(&b);
    assert_int_equal(lds_epcis__time_utc_ms(&b, "2020-01-01T00:00:00.0005Z"), 0);
    assert_string_equal(b.ptr, "2020-01-01T00:00:00.000Z");
    lds_buf_reset(&b);
    assert_int_equal(lds_epcis__time_utc_ms(&b, "1969-12-31T23:00:00.0015-02:00"), 0);
    assert_string_equal(b.ptr, "1970-01-01T01:00:00.002Z");
    lds_buf_release(&b);
    int64_t ms;
    int off;
    assert_int_equal(lds_epcis_parse_time("2024-02-29T12:00:00-05:30", &ms, &off), 0);
    assert_int_equal(off, -330);
    assert_int_equal(ms, 1709227800000LL);
    assert_int_equal(lds_epcis_parse_time("2023-02-29T12:00:00Z", &ms, &off), -1);
}

/* Allocation failures end in a clean LDS_ENOMEM (or success), never a crash
 * or a leak. */
static void survives_allocation_failures(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path,
             "%s/examples-json/WithFullCombinationOfFields/object_event_all_possible_fields.jsonld",
             shared_dir());
    json_t *doc = load(path);
    const json_t *ev = json_array_get(lds_epcis_document_events(doc), 0);
    int saw_enomem = 0;
    for (long n = 1; n < 400; n++) {
        lds_epcis_report rep;
        lds_err err;
        lds_buf b = LDS_BUF_INIT;
        char id[LDS_EPCIS_HASH_ID_LEN + 1];
        lds_epcis_report_init(&rep);
        lds_alloc_fail_after(n);
        lds_code r1 = lds_epcis_validate_document(doc, &rep, &err);
        lds_code r2 = lds_epcis_event_hash_id(lds_epcis_document_context(doc), ev, id, &err);
        lds_code r3 = lds_epcis_event_canonical(ev, NULL, "ni:///x", &b, &err);
        lds_alloc_fail_after(0);
        assert_true(r1 == LDS_OK || r1 == LDS_ENOMEM);
        assert_true(r2 == LDS_OK || r2 == LDS_ENOMEM);
        assert_true(r3 == LDS_OK || r3 == LDS_ENOMEM);
        saw_enomem |= r1 == LDS_ENOMEM || r2 == LDS_ENOMEM || r3 == LDS_ENOMEM;
        lds_buf_release(&b);
        lds_epcis_report_release(&rep);
    }
    assert_true(saw_enomem);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gs1_examples_validate),
        cmocka_unit_test(openepcis_documents_validate),
        cmocka_unit_test(openepcis_events_validate),
        cmocka_unit_test(openepcis_invalid_rejected),
        cmocka_unit_test(hash_reference_files_match),
        cmocka_unit_test(good_document_validates),
        cmocka_unit_test(missing_required_field),
        cmocka_unit_test(wrong_type),
        cmocka_unit_test(unknown_event_type),
        cmocka_unit_test(bad_event_time),
        cmocka_unit_test(bad_offset),
        cmocka_unit_test(bad_uri),
        cmocka_unit_test(aggregation_add_needs_parent),
        cmocka_unit_test(reports_every_violation_per_event),
        cmocka_unit_test(document_envelope_errors),
        cmocka_unit_test(single_event_pointers),
        cmocka_unit_test(hash_id_is_canonical),
        cmocka_unit_test(deep_extensions_and_query_pointers),
        cmocka_unit_test(prehash_value_rules),
        cmocka_unit_test(dl_conversions),
        cmocka_unit_test(canonical_is_jcs),
        cmocka_unit_test(event_accessors),
        cmocka_unit_test(cbv_normalize_and_time),
        cmocka_unit_test(survives_allocation_failures),
    };
    return cmocka_run_group_tests_name("epcis", tests, NULL, NULL);
}
