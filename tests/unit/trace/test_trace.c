/*
 * test_trace.c — capture, query and the shared ledger over a real SQLite
 * store: what one capture writes (events, identifier rows, leaves, job),
 * rollback and proceed, duplicates, the tree rebuilt from the database and
 * catching up with another writer, proofs, query parameters and paging,
 * and allocation failures.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/store.h"
#include "lodestone/trace.h"
#include "lodestone/trace_views.h"
#include "store/store_int.h" /* lds_store__migrate_to: a store of an older schema */
#include "trace/trace_int.h" /* the ledger's locks and group-commit queue */

#define CTX "\"@context\":[\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\"]"

static const char doc3[] =
    "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
    "\"creationDate\":\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":["
    "{\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:00000000-0000-4000-8000-000000000001\","
    "\"eventTime\":\"2024-01-01T10:00:00.000+08:00\",\"eventTimeZoneOffset\":\"+08:00\","
    "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"],\"action\":\"ADD\","
    "\"bizStep\":\"commissioning\",\"bizLocation\":{\"id\":\"urn:epc:id:sgln:0614141.00888.0\"}},"
    "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-01-01T11:00:00.000+08:00\","
    "\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2\"],"
    "\"action\":\"OBSERVE\",\"bizStep\":\"shipping\"},"
    "{\"type\":\"TransformationEvent\",\"eventTime\":\"2024-01-01T12:00:00.000+08:00\","
    "\"eventTimeZoneOffset\":\"+08:00\",\"inputQuantityList\":[{\"epcClass\":"
    "\"urn:epc:class:lgtin:4012345.011111.ORE1\",\"quantity\":10,\"uom\":\"KGM\"}],"
    "\"outputQuantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.022222.OX1\","
    "\"quantity\":2,\"uom\":\"KGM\"}]}"
    "]}}";

/* Second event has a bad action. */
static const char doc_bad[] =
    "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
    "\"creationDate\":\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":["
    "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-01-02T10:00:00.000+08:00\","
    "\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.7\"],"
    "\"action\":\"ADD\"},"
    "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-01-02T11:00:00.000+08:00\","
    "\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.8\"],"
    "\"action\":\"CREATE\"}"
    "]}}";

typedef struct fixture {
    lds_store *s;
    lds_trace_ledger *lg;
    char db[512], key[600];
    lds_epcis_report rep;
} fixture;

static int setup(void **state)
{
    static int n;
    fixture *f = calloc(1, sizeof *f);
    char name[64];
    snprintf(name, sizeof name, "trace%d.db", n++);
    lds_test_path(f->db, sizeof f->db, name);
    remove(f->db);
    snprintf(f->key, sizeof f->key, "%s.ledger-key", f->db);
    remove(f->key);
    lds_err err;
    if (lds_store_open(f->db, &f->s, &err) || lds_store_migrate(f->s, NULL, &err) ||
        lds_trace_ledger_open(f->s, f->key, &f->lg, &err))
        fail_msg("setup: %s", err.msg);
    lds_epcis_report_init(&f->rep);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lds_epcis_report_release(&f->rep);
    lds_trace_ledger_free(f->lg);
    lds_store_close(f->s);
    free(f);
    return 0;
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("test JSON: %s", je.text);
    return j;
}

static int64_t count(lds_store *s, const char *sql)
{
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(s, sql, &st, NULL), LDS_OK);
    assert_int_equal(lds_stmt_step(st, NULL), LDS_STORE_ROW);
    int64_t v = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return v;
}

static const char q_leaves[] = "SELECT count(*) FROM ledger_leaves";
static const char q_events[] = "SELECT count(*) FROM epcis_events";
static const char q_jobs[] = "SELECT count(*) FROM epcis_captures";

static lds_code capture(fixture *f, const char *text, lds_trace_behaviour b,
                        lds_trace_capture_result *res)
{
    json_t *doc = parse(text);
    lds_err err;
    lds_code rc = lds_trace_capture(f->s, f->lg, doc, b, 0, &f->rep, res, &err);
    json_decref(doc);
    return rc;
}

/* Runs a query from "k=v&k=v" (no escapes) and returns the parsed document. */
static json_t *query(fixture *f, const char *qs, char *token, lds_code want)
{
    char buf[1024];
    lds_kv kv[16];
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", qs);
    for (char *p = strtok(buf, "&"); p && n < 16; p = strtok(NULL, "&")) {
        char *eq = strchr(p, '=');
        *eq = '\0';
        kv[n].key = p;
        kv[n].value = eq + 1;
        n++;
    }
    lds_buf out = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    char tok[64];
    lds_code rc = lds_trace_query(f->s, kv, n, &out, token ? token : tok, 64, &fe, &err);
    assert_int_equal(rc, want);
    json_t *j = rc == LDS_OK ? parse(out.ptr) : NULL;
    if (rc != LDS_OK)
        assert_true(fe.n > 0);
    lds_buf_release(&out);
    return j;
}

static size_t n_results(json_t *qdoc)
{
    json_t *l = json_object_get(
        json_object_get(json_object_get(json_object_get(qdoc, "epcisBody"), "queryResults"),
                        "resultsBody"),
        "eventList");
    size_t n = json_array_size(l);
    json_decref(qdoc);
    return n;
}

static void capture_writes_events_identifiers_leaves_and_job(void **state)
{
    fixture *f = *state;
    lds_trace_capture_result res;
    assert_int_equal(capture(f, doc3, LDS_TRACE_ROLLBACK, &res), LDS_OK);
    assert_int_equal(res.n_events, 3);
    assert_int_equal(res.n_stored, 3);
    assert_int_equal(res.first_leaf, 0);
    assert_int_equal(count(f->s, q_leaves), 3);
    assert_int_equal(count(f->s, q_events), 3);
    static const char q_ids[] = "SELECT count(*) FROM epcis_event_ids";
    assert_int_equal(count(f->s, q_ids), 4);

    /* The given eventID is kept; the stored bytes are the leaf. */
    lds_buf b = LDS_BUF_INIT, leaf = LDS_BUF_INIT;
    lds_err err;
    assert_int_equal(
        lds_trace_event_json(f->s, "urn:uuid:00000000-0000-4000-8000-000000000001", &b, &err),
        LDS_OK);
    uint64_t idx = 99;
    const char *id1 = "urn:uuid:00000000-0000-4000-8000-000000000001";
    assert_int_equal(lds_trace_event_leaf_index(f->s, id1, &idx, &err), LDS_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(lds_trace_leaf(f->s, 0, &leaf, &err), LDS_OK);
    assert_int_equal(b.len, leaf.len);
    assert_memory_equal(b.ptr, leaf.ptr, b.len);
    assert_int_equal(lds_trace_leaf(f->s, 3, &leaf, &err), LDS_ENOTFOUND);

    /* The second event got its CBV 2.0 hash ID. */
    json_t *doc = parse(doc3);
    json_t *ev = json_array_get(json_object_get(json_object_get(doc, "epcisBody"), "eventList"), 1);
    char id[LDS_EPCIS_HASH_ID_LEN + 1];
    assert_int_equal(lds_epcis_event_hash_id(lds_epcis_document_context(doc), ev, id, NULL),
                     LDS_OK);
    lds_buf_reset(&b);
    assert_int_equal(lds_trace_event_json(f->s, id, &b, &err), LDS_OK);
    assert_non_null(strstr(b.ptr, id));
    json_decref(doc);

    /* The job. */
    lds_buf_reset(&b);
    assert_int_equal(lds_trace_capture_job_json(f->s, res.capture_id, &b, &err), LDS_OK);
    json_t *job = parse(b.ptr);
    assert_true(json_is_true(json_object_get(job, "success")));
    assert_true(json_is_false(json_object_get(job, "running")));
    assert_int_equal(json_integer_value(json_object_get(job, "storedCount")), 3);
    json_decref(job);
    assert_int_equal(lds_trace_capture_job_json(f->s, 999, &b, &err), LDS_ENOTFOUND);
    lds_buf_release(&b);
    lds_buf_release(&leaf);

    /* The tree follows: its leaf hashes are those of the stored bytes. */
    uint64_t size = 0;
    assert_int_equal(lds_trace_ledger_size(f->lg, f->s, &size, &err), LDS_OK);
    assert_int_equal(size, 3);
}

static void rollback_stores_nothing_and_proceed_stores_the_valid(void **state)
{
    fixture *f = *state;
    lds_trace_capture_result res;
    assert_int_equal(capture(f, doc_bad, LDS_TRACE_ROLLBACK, &res), LDS_EINVAL);
    assert_int_equal(f->rep.n_invalid, 1);
    assert_string_equal(f->rep.items[0].pointer, "/epcisBody/eventList/1/action");
    assert_int_equal(count(f->s, q_leaves), 0);
    assert_int_equal(count(f->s, q_jobs), 0);

    assert_int_equal(capture(f, doc_bad, LDS_TRACE_PROCEED, &res), LDS_OK);
    assert_int_equal(res.n_stored, 1);
    assert_int_equal(res.n_invalid, 1);
    assert_int_equal(count(f->s, q_leaves), 1);
    lds_buf b = LDS_BUF_INIT;
    assert_int_equal(lds_trace_capture_job_json(f->s, res.capture_id, &b, NULL), LDS_OK);
    json_t *job = parse(b.ptr);
    assert_true(json_is_false(json_object_get(job, "success")));
    json_t *e0 = json_array_get(json_object_get(job, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(e0, "pointer")),
                        "/epcisBody/eventList/1/action");
    json_decref(job);
    lds_buf_release(&b);

    /* A broken envelope is refused even under proceed. */
    assert_int_equal(capture(f, "{\"type\":\"EPCISDocument\"}", LDS_TRACE_PROCEED, &res),
                     LDS_EINVAL);
    lds_trace_behaviour beh;
    assert_int_equal(lds_trace_behaviour_parse("proceed", &beh, NULL), LDS_OK);
    assert_int_equal(beh, LDS_TRACE_PROCEED);
    assert_int_equal(lds_trace_behaviour_parse("all", &beh, NULL), LDS_EINVAL);
}

static void duplicates_are_idempotent(void **state)
{
    fixture *f = *state;
    lds_trace_capture_result res;
    assert_int_equal(capture(f, doc3, LDS_TRACE_ROLLBACK, &res), LDS_OK);
    assert_int_equal(capture(f, doc3, LDS_TRACE_ROLLBACK, &res), LDS_OK);
    assert_int_equal(res.n_stored, 0);
    assert_int_equal(res.n_duplicates, 3);
    assert_int_equal(count(f->s, q_leaves), 3);

    /* One event: same bytes -> duplicate; other bytes -> conflict. */
    const char *ev_text = "{" CTX ",\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:00000000-"
                          "0000-4000-8000-000000000001\",\"eventTime\":\"2024-01-01T10:00:"
                          "00.000+08:00\","
                          "\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[\"urn:epc:id:sgtin:"
                          "0614141.107346.1\"],\"action\":\"ADD\",\"bizStep\":\"commissioning\","
                          "\"bizLocation\":{\"id\":\"urn:epc:id:sgln:0614141.00888.0\"}}";
    json_t *ev = parse(ev_text);
    lds_err err;
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, ev, 0, &f->rep, &res, &err), LDS_OK);
    assert_int_equal(res.n_duplicates, 1);
    json_object_set_new(ev, "action", json_string("OBSERVE"));
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, ev, 0, &f->rep, &res, &err),
                     LDS_ECONFLICT);
    json_object_del(ev, "@context");
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, ev, 0, &f->rep, &res, &err), LDS_EINVAL);
    json_decref(ev);
    assert_int_equal(count(f->s, q_leaves), 3);
}

static void tree_is_rebuilt_from_the_database_and_catches_up(void **state)
{
    fixture *f = *state;
    lds_trace_capture_result res;
    lds_err err;
    assert_int_equal(capture(f, doc3, LDS_TRACE_ROLLBACK, &res), LDS_OK);
    lds_ledger_sth a, b;
    assert_int_equal(lds_trace_ledger_sth(f->lg, f->s, &a, &err), LDS_OK);
    assert_int_equal(a.tree_size, 3);
    assert_int_equal(lds_ledger_sth_verify(&a, lds_trace_ledger_public_key(f->lg), NULL), LDS_OK);

    /* Reopened: same key, same root, the stored head is served again. */
    lds_trace_ledger_free(f->lg);
    assert_int_equal(lds_trace_ledger_open(f->s, f->key, &f->lg, &err), LDS_OK);
    assert_int_equal(lds_trace_ledger_sth(f->lg, f->s, &b, &err), LDS_OK);
    assert_memory_equal(&a, &b, sizeof a);

    /* Another writer (no ledger object, as the CLI) appends; the log catches up. */
    json_t *doc = parse(doc_bad);
    assert_int_equal(lds_trace_capture(f->s, NULL, doc, LDS_TRACE_PROCEED, 0, &f->rep, &res, &err),
                     LDS_OK);
    json_decref(doc);
    assert_int_equal(res.first_leaf, 3);
    assert_int_equal(lds_trace_ledger_sth(f->lg, f->s, &b, &err), LDS_OK);
    assert_int_equal(b.tree_size, 4);
    assert_true(b.timestamp_ms >= a.timestamp_ms);

    /* Proofs: inclusion of every leaf, consistency 3 -> 4. */
    for (uint64_t i = 0; i < 4; i++) {
        lds_ledger_proof p;
        lds_buf leaf = LDS_BUF_INIT;
        uint8_t h[LDS_LEDGER_HASH_LEN];
        assert_int_equal(lds_trace_ledger_inclusion(f->lg, f->s, i, 4, &p, &err), LDS_OK);
        assert_int_equal(lds_trace_leaf(f->s, i, &leaf, &err), LDS_OK);
        lds_ledger_hash_leaf(leaf.ptr, leaf.len, h);
        assert_int_equal(lds_ledger_verify_inclusion(i, 4, h, p.hash[0], p.n, b.root, NULL),
                         LDS_OK);
        lds_buf_release(&leaf);
    }
    lds_ledger_proof c;
    assert_int_equal(lds_trace_ledger_consistency(f->lg, f->s, 3, 4, &c, &err), LDS_OK);
    assert_int_equal(
        lds_ledger_verify_consistency(3, 4, a.root, b.root, c.hash[0], c.n, NULL), LDS_OK);
    assert_int_equal(lds_trace_ledger_consistency(f->lg, f->s, 0, 4, &c, &err), LDS_EINVAL);
    assert_int_equal(lds_trace_ledger_consistency(f->lg, f->s, 2, 5, &c, &err), LDS_EINVAL);
    assert_int_equal(lds_trace_ledger_inclusion(f->lg, f->s, 4, 4, &c, &err), LDS_EINVAL);
    assert_string_equal(err.field, "leaf_index");
}

static void queries_filter_and_page(void **state)
{
    fixture *f = *state;
    lds_trace_capture_result res;
    assert_int_equal(capture(f, doc3, LDS_TRACE_ROLLBACK, &res), LDS_OK);
    assert_int_equal(n_results(query(f, "eventType=ObjectEvent", NULL, LDS_OK)), 2);
    assert_int_equal(n_results(query(f, "eventType=ObjectEvent|TransformationEvent", NULL, LDS_OK)),
                     3);
    assert_int_equal(n_results(query(f, "EQ_action=OBSERVE", NULL, LDS_OK)), 1);
    assert_int_equal(n_results(query(f, "EQ_bizStep=shipping", NULL, LDS_OK)), 1);
    assert_int_equal(
        n_results(query(f, "EQ_bizStep=https://ref.gs1.org/cbv/BizStep-commissioning", NULL,
                        LDS_OK)),
        1);
    assert_int_equal(
        n_results(query(f, "EQ_bizLocation=urn:epc:id:sgln:0614141.00888.0", NULL, LDS_OK)), 1);
    assert_int_equal(
        n_results(query(f, "GE_eventTime=2024-01-01T03:00:00Z&LT_eventTime=2024-01-01T04:00:00Z",
                        NULL, LDS_OK)),
        1);
    assert_int_equal(n_results(query(f, "GE_recordTime=2000-01-01T00:00:00Z", NULL, LDS_OK)), 3);
    assert_int_equal(n_results(query(f, "LT_eventTime=2024-01-01T11:00:00 08:00", NULL, LDS_OK)),
                     1);
    assert_int_equal(n_results(query(f, "GE_recordTime=2999-01-01T00:00:00Z", NULL, LDS_OK)), 0);
    assert_int_equal(n_results(query(f, "MATCH_epc=urn:epc:id:sgtin:0614141.107346.2", NULL,
                                     LDS_OK)),
                     1);
    assert_int_equal(n_results(query(f, "MATCH_anyEPC=urn:epc:idpat:sgtin:0614141.107346.*", NULL,
                                     LDS_OK)),
                     2);
    assert_int_equal(n_results(query(
                         f, "MATCH_inputEPCClass=urn:epc:class:lgtin:4012345.011111.ORE1", NULL,
                         LDS_OK)),
                     1);
    assert_int_equal(n_results(query(
                         f, "MATCH_outputEPCClass=urn:epc:class:lgtin:4012345.011111.ORE1", NULL,
                         LDS_OK)),
                     0);
    assert_int_equal(n_results(query(f, "MATCH_anyEPCClass=urn:epc:class:lgtin:4012345.022222.OX1",
                                     NULL, LDS_OK)),
                     1);
    assert_int_equal(n_results(query(f, "MATCH_epcClass=urn:epc:class:lgtin:4012345.022222.OX1",
                                     NULL, LDS_OK)),
                     0);

    /* Paging. */
    char tok[64], qs[160];
    assert_int_equal(n_results(query(f, "perPage=2", tok, LDS_OK)), 2);
    assert_true(tok[0]);
    snprintf(qs, sizeof qs, "perPage=2&nextPageToken=%s", tok);
    char tok2[64];
    assert_int_equal(n_results(query(f, qs, tok2, LDS_OK)), 1);
    assert_string_equal(tok2, "");
    snprintf(qs, sizeof qs, "eventType=ObjectEvent&nextPageToken=%s", tok);
    query(f, qs, NULL, LDS_EINVAL);

    /* Bad parameters. */
    query(f, "nope=1", NULL, LDS_EINVAL);
    query(f, "perPage=0", NULL, LDS_EINVAL);
    query(f, "perPage=1001", NULL, LDS_EINVAL);
    query(f, "eventType=FooEvent", NULL, LDS_EINVAL);
    query(f, "EQ_action=MAYBE", NULL, LDS_EINVAL);
    query(f, "GE_eventTime=yesterday", NULL, LDS_EINVAL);
    query(f, "nextPageToken=xyz", NULL, LDS_EINVAL);
    query(f, "EQ_action=ADD&EQ_action=OBSERVE", NULL, LDS_EINVAL);
}

static void allocation_failures_are_clean(void **state)
{
    fixture *f = *state;
    json_t *doc = parse(doc3);
    int ok = 0;
    for (long n = 1; n < 200 && !ok; n++) {
        lds_trace_capture_result res;
        lds_err err;
        lds_alloc_fail_after(n);
        lds_code rc = lds_trace_capture(f->s, f->lg, doc, LDS_TRACE_ROLLBACK, 0, &f->rep, &res,
                                        &err);
        lds_alloc_fail_after(0);
        assert_true(rc == LDS_OK || rc == LDS_ENOMEM);
        assert_int_equal(count(f->s, "PRAGMA foreign_keys"), 1); /* back on after any failure */
        if (rc == LDS_OK) {
            ok = 1;
            assert_int_equal(res.n_stored, 3);
        } else {
            assert_int_equal(count(f->s, q_leaves), 0); /* nothing half-written */
        }
    }
    assert_true(ok);
    json_decref(doc);
    uint64_t size = 0;
    assert_int_equal(lds_trace_ledger_size(f->lg, f->s, &size, NULL), LDS_OK);
    assert_int_equal(size, 3);
}

/* Several workers posting single events at once share commits (group
 * commit); every event ends up exactly once, leaves dense and provable. */
#define GC_THREADS 6
#define GC_EVENTS  40

typedef struct gc_arg {
    fixture *f;
    int t;
    int failures;
} gc_arg;

static void *gc_worker(void *p)
{
    gc_arg *a = p;
    lds_store *s = NULL;
    lds_epcis_report *rep = malloc(sizeof *rep);
    if (!rep || lds_store_open(a->f->db, &s, NULL) != LDS_OK) {
        a->failures++;
        free(rep);
        return NULL;
    }
    lds_epcis_report_init(rep);
    for (int i = 0; i < GC_EVENTS; i++) {
        char text[640];
        snprintf(text, sizeof text,
                 "{" CTX ",\"type\":\"ObjectEvent\",\"eventTime\":\"2024-02-01T10:%02d:%02d.000Z\","
                 "\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":[\"urn:epc:id:sgtin:0614141."
                 "107346.t%di%d\"],\"action\":\"OBSERVE\"}",
                 a->t, i, a->t, i);
        json_t *ev = json_loads(text, 0, NULL);
        lds_trace_capture_result res;
        lds_err err;
        if (!ev || lds_trace_capture_event(s, a->f->lg, ev, 0, rep, &res, &err) != LDS_OK ||
            res.n_stored != 1)
            a->failures++;
        json_decref(ev);
    }
    lds_epcis_report_release(rep);
    free(rep);
    lds_store_close(s);
    return NULL;
}

static void concurrent_single_events_share_commits(void **state)
{
    fixture *f = *state;
    pthread_t th[GC_THREADS];
    gc_arg args[GC_THREADS];
    for (int t = 0; t < GC_THREADS; t++) {
        args[t] = (gc_arg){f, t, 0};
        assert_int_equal(pthread_create(&th[t], NULL, gc_worker, &args[t]), 0);
    }
    for (int t = 0; t < GC_THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(args[t].failures, 0);
    }
    const uint64_t n = GC_THREADS * GC_EVENTS;
    assert_int_equal(count(f->s, q_leaves), n);
    assert_int_equal(count(f->s, q_events), n);
    static const char q_max[] = "SELECT max(idx) FROM ledger_leaves";
    assert_int_equal(count(f->s, q_max), n - 1);
    lds_ledger_sth sth;
    lds_err err;
    assert_int_equal(lds_trace_ledger_sth(f->lg, f->s, &sth, &err), LDS_OK);
    assert_int_equal(sth.tree_size, n);
    for (uint64_t i = 0; i < n; i += 37) {
        lds_ledger_proof p;
        lds_buf leaf = LDS_BUF_INIT;
        uint8_t h[LDS_LEDGER_HASH_LEN];
        assert_int_equal(lds_trace_leaf(f->s, i, &leaf, &err), LDS_OK);
        lds_ledger_hash_leaf(leaf.ptr, leaf.len, h);
        assert_int_equal(lds_trace_ledger_inclusion(f->lg, f->s, i, n, &p, &err), LDS_OK);
        assert_int_equal(lds_ledger_verify_inclusion(i, n, h, p.hash[0], p.n, sth.root, NULL),
                         LDS_OK);
        lds_buf_release(&leaf);
    }
}

/* One single event posted as `org` from its own connection. */
typedef struct one_arg {
    fixture *f;
    const char *text;
    int64_t org;
    lds_code rc;
    size_t stored;
    char msg[256];
} one_arg;

static void *one_worker(void *p)
{
    one_arg *a = p;
    lds_store *s = NULL;
    lds_epcis_report *rep = malloc(sizeof *rep);
    lds_err err;
    lds_err_clear(&err);
    a->rc = LDS_EIO;
    if (rep && lds_store_open(a->f->db, &s, &err) == LDS_OK) {
        lds_epcis_report_init(rep);
        json_t *ev = json_loads(a->text, 0, NULL);
        lds_trace_capture_result res;
        a->rc = lds_trace_capture_event(s, a->f->lg, ev, a->org, rep, &res, &err);
        a->stored = res.n_stored;
        snprintf(a->msg, sizeof a->msg, "%s", err.msg);
        json_decref(ev);
        lds_epcis_report_release(rep);
    }
    free(rep);
    lds_store_close(s);
    return NULL;
}

/* Waits until the group-commit queue's tail is no longer `tail` (a new
 * waiter queued); with `tail` NULL and `leader`, until a leader has taken
 * the queue. */
static void *wait_queue(lds_trace_ledger *lg, void *tail, int leader)
{
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&lg->q_mu);
        void *t = lg->q_tail;
        int done = leader ? lg->has_leader && !lg->q_head : t && t != tail;
        pthread_mutex_unlock(&lg->q_mu);
        if (done)
            return t;
        struct timespec ts = {0, 500000};
        nanosleep(&ts, NULL);
    }
    fail_msg("the group-commit queue did not move");
    return NULL;
}

#define SINGLE(body) "{" CTX ",\"eventTimeZoneOffset\":\"+00:00\"," body "}"

/*
 * A single TransformationEvent whose output lot another organisation
 * stored after the event's custody check (both in one group commit) is
 * refused alone: the other events of the batch are stored.  The ledger
 * lock is held by the test meanwhile, so the batch forms deterministically:
 * a first event's leader waits for the lock; then org 31 commissions lot
 * X, org 32 transforms into X (checked while X is not stored yet) and org
 * 33 posts an event of its own, all three queued for the next batch.
 */
static void a_refused_single_event_fails_only_itself(void **state)
{
    fixture *f = *state;
    static const char ins_org[] = "INSERT INTO orgs (id, name, kind, region_id, created_at) "
                                  "VALUES (?1, 'org ' || ?1, 'enterprise', 'zhanggong', "
                                  "'2026-01-01')";
    static const char fk_off[] = "PRAGMA foreign_keys=OFF"; /* no catalog: no regions */
    static const char fk_on[] = "PRAGMA foreign_keys=ON";
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(f->s, fk_off, &st, NULL), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, NULL), LDS_OK);
    for (int64_t o = 31; o <= 33; o++) {
        assert_int_equal(lds_store_prepare(f->s, ins_org, &st, NULL), LDS_OK);
        lds_stmt_bind_i64(st, 1, o);
        assert_int_equal(lds_stmt_exec(st, NULL), LDS_OK);
    }
    assert_int_equal(lds_store_prepare(f->s, fk_on, &st, NULL), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, NULL), LDS_OK);
#define LOTX "urn:epc:class:lgtin:4012345.033333.X1"
    one_arg a[4] = {
        {f, SINGLE("\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T10:00:00Z\","
                   "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.g0\"],\"action\":\"OBSERVE\""),
         33, 0, 0, ""},
        {f, SINGLE("\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T10:01:00Z\","
                   "\"epcList\":[],\"action\":\"ADD\",\"quantityList\":[{\"epcClass\":\"" LOTX
                   "\",\"quantity\":5,\"uom\":\"TNE\"}]"),
         31, 0, 0, ""},
        {f, SINGLE("\"type\":\"TransformationEvent\",\"eventTime\":\"2024-03-01T10:02:00Z\","
                   "\"inputQuantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.033333.Y1\","
                   "\"quantity\":9,\"uom\":\"TNE\"}],\"outputQuantityList\":[{\"epcClass\":\"" LOTX
                   "\",\"quantity\":5,\"uom\":\"TNE\"}]"),
         32, 0, 0, ""},
        {f, SINGLE("\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T10:03:00Z\","
                   "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.g3\"],\"action\":\"OBSERVE\""),
         33, 0, 0, ""},
    };
    pthread_t th[4];
    pthread_mutex_lock(&f->lg->mu);
    assert_int_equal(pthread_create(&th[0], NULL, one_worker, &a[0]), 0);
    wait_queue(f->lg, NULL, 1);
    void *tail = NULL;
    for (int i = 1; i < 4; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, one_worker, &a[i]), 0);
        tail = wait_queue(f->lg, tail, 0);
    }
    pthread_mutex_unlock(&f->lg->mu);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        if (i == 2)
            continue;
        if (a[i].rc != LDS_OK || a[i].stored != 1)
            fail_msg("event %d: rc %d stored %zu: %s", i, a[i].rc, a[i].stored, a[i].msg);
    }
    assert_int_equal(a[2].rc, LDS_ECONFLICT);
    assert_int_equal(a[2].stored, 0);
    assert_non_null(strstr(a[2].msg, "org 32 did not produce lot"));
    /* Three events, three leaves, the tree as the database; X is org 31's
     * without upstream; no job of org 32 is left. */
    assert_int_equal(count(f->s, q_events), 3);
    assert_int_equal(count(f->s, q_leaves), 3);
    static const char q_x[] = "SELECT count(*) FROM lots l JOIN lot_edges x ON x.output_lot = l.id";
    static const char q_job32[] = "SELECT count(*) FROM epcis_captures WHERE org_id = 32";
    static const char q_owner[] = "SELECT org_id FROM lots WHERE event = (SELECT min(id) FROM "
                                  "epcis_events WHERE type = 'ObjectEvent' AND action = 'ADD')";
    assert_int_equal(count(f->s, q_x), 0);
    assert_int_equal(count(f->s, q_job32), 0);
    assert_int_equal(count(f->s, q_owner), 31);
    lds_ledger_sth sth;
    lds_err err;
    assert_int_equal(lds_trace_ledger_sth(f->lg, f->s, &sth, &err), LDS_OK);
    assert_int_equal(sth.tree_size, 3);
#undef LOTX
}

/* Documents from several capturers while a reader signs heads: each
 * capture appends its leaves to the tree after dropping the ledger lock
 * (under the tree lock), so the tree must still be the leaves in index
 * order.  Checked against a tree rebuilt from the database. */
#define DOC_THREADS 3
#define DOC_DOCS 6
#define DOC_EVENTS 20

typedef struct doc_arg {
    fixture *f;
    int t;
    int failures;
    _Atomic int *stop;
} doc_arg;

static void *doc_worker(void *p)
{
    doc_arg *a = p;
    lds_store *s = NULL;
    lds_epcis_report *rep = malloc(sizeof *rep);
    if (!rep || lds_store_open(a->f->db, &s, NULL) != LDS_OK) {
        a->failures++;
        free(rep);
        return NULL;
    }
    lds_epcis_report_init(rep);
    for (int d = 0; d < DOC_DOCS; d++) {
        lds_buf b = LDS_BUF_INIT;
        lds_buf_adds(&b, "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                         "\"creationDate\":\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[");
        for (int e = 0; e < DOC_EVENTS; e++)
            lds_buf_addf(&b,
                         "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-02-0%dT10:%02d:%02d.000Z\","
                         "\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":[\"urn:epc:id:sgtin:"
                         "0614141.107346.t%dd%de%d\"],\"action\":\"OBSERVE\"}",
                         e ? "," : "", a->t + 1, d, e, a->t, d, e);
        lds_buf_adds(&b, "]}}");
        json_t *doc = json_loadb(b.ptr, b.len, 0, NULL);
        lds_trace_capture_result res;
        lds_err err;
        if (!doc ||
            lds_trace_capture(s, a->f->lg, doc, LDS_TRACE_ROLLBACK, 0, rep, &res, &err) != LDS_OK ||
            res.n_stored != DOC_EVENTS)
            a->failures++;
        json_decref(doc);
        lds_buf_release(&b);
    }
    lds_epcis_report_release(rep);
    free(rep);
    lds_store_close(s);
    return NULL;
}

static void *sth_worker(void *p)
{
    doc_arg *a = p;
    lds_store *s = NULL;
    if (lds_store_open(a->f->db, &s, NULL) != LDS_OK) {
        a->failures++;
        return NULL;
    }
    uint64_t last = 0;
    while (!atomic_load(a->stop)) {
        lds_ledger_sth sth;
        lds_err err;
        if (lds_trace_ledger_sth(a->f->lg, s, &sth, &err) != LDS_OK || sth.tree_size < last ||
            sth.tree_size % DOC_EVENTS != 0) /* whole documents only */
            a->failures++;
        last = sth.tree_size;
        lds_store_end_reads(s);
    }
    lds_store_close(s);
    return NULL;
}

static void concurrent_documents_keep_the_tree_in_leaf_order(void **state)
{
    fixture *f = *state;
    _Atomic int stop = 0;
    pthread_t th[DOC_THREADS], reader;
    doc_arg args[DOC_THREADS], rarg = {f, 0, 0, &stop};
    assert_int_equal(pthread_create(&reader, NULL, sth_worker, &rarg), 0);
    for (int t = 0; t < DOC_THREADS; t++) {
        args[t] = (doc_arg){f, t, 0, &stop};
        assert_int_equal(pthread_create(&th[t], NULL, doc_worker, &args[t]), 0);
    }
    for (int t = 0; t < DOC_THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(args[t].failures, 0);
    }
    atomic_store(&stop, 1);
    pthread_join(reader, NULL);
    assert_int_equal(rarg.failures, 0);
    const uint64_t n = DOC_THREADS * DOC_DOCS * DOC_EVENTS;
    assert_int_equal(count(f->s, q_leaves), n);
    lds_ledger_sth a, b;
    lds_err err;
    assert_int_equal(lds_trace_ledger_sth(f->lg, f->s, &a, &err), LDS_OK);
    assert_int_equal(a.tree_size, n);
    lds_trace_ledger_free(f->lg); /* rebuilt from ledger_leaves, in index order */
    assert_int_equal(lds_trace_ledger_open(f->s, f->key, &f->lg, &err), LDS_OK);
    assert_int_equal(lds_trace_ledger_sth(f->lg, f->s, &b, &err), LDS_OK);
    assert_int_equal(b.tree_size, n);
    assert_memory_equal(a.root, b.root, sizeof a.root);
}

/* Document captures write without SQLite's foreign-key checks (capture.c):
 * the rows they write still satisfy every foreign key, and the connection
 * has the checks back afterwards (allocation_failures_are_clean checks the
 * failures inside the transaction); single events keep them. */
static void captures_keep_foreign_keys_and_restore_the_checks(void **state)
{
    fixture *f = *state;
    static const char q_on[] = "PRAGMA foreign_keys";
    static const char q_bad[] = "SELECT count(*) FROM pragma_foreign_key_check";
    static const char q_lots[] = "SELECT count(*) FROM lots";
    static const char q_edges[] = "SELECT count(*) FROM lot_edges";
    static const char ins_orphan[] =
        "INSERT INTO epcis_event_ids (uri, role, event) VALUES ('urn:x', 0, 999999)";
    lds_trace_capture_result res;
    lds_err err;

    assert_int_equal(capture(f, doc3, LDS_TRACE_ROLLBACK, &res), LDS_OK);
    assert_int_equal(count(f->s, q_on), 1);
    assert_int_equal(capture(f, doc_bad, LDS_TRACE_ROLLBACK, &res), LDS_EINVAL);
    assert_int_equal(count(f->s, q_on), 1);
    json_t *ev = parse("{" CTX ",\"type\":\"ObjectEvent\",\"eventTime\":\"2024-01-03T10:00:00.000+08:00\","
                       "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"OBSERVE\","
                       "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.9\"]}");
    lds_code rc = lds_trace_capture_event(f->s, f->lg, ev, 0, &f->rep, &res, &err);
    json_decref(ev);
    if (rc != LDS_OK)
        fail_msg("single event: %s", err.msg);
    assert_int_equal(count(f->s, q_on), 1);

    assert_int_equal(count(f->s, q_events), 4);
    assert_int_equal(count(f->s, q_lots), 2);
    assert_int_equal(count(f->s, q_edges), 1);
    assert_int_equal(count(f->s, q_bad), 0);
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(f->s, ins_orphan, &st, NULL), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_ECONFLICT);
}

static void key_path_defaults_next_to_the_database(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(lds_trace_key_path("sqlite:/x/a.db", "", out, sizeof out, NULL), LDS_OK);
    assert_string_equal(out, "/x/a.db.ledger-key");
    assert_int_equal(lds_trace_key_path("/x/a.db", "/k/key", out, sizeof out, NULL), LDS_OK);
    assert_string_equal(out, "/k/key");
    char small[8];
    assert_int_equal(lds_trace_key_path("/x/a.db", NULL, small, sizeof small, NULL), LDS_EINVAL);
}

/* Two single events with the given eventIDs. */
static json_t *event_with_id(const char *id, int serial)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{" CTX ",\"type\":\"ObjectEvent\",\"eventID\":\"%s\",\"eventTime\":"
             "\"2024-03-01T10:00:00.000+08:00\",\"eventTimeZoneOffset\":\"+08:00\","
             "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.%d\"],\"action\":\"OBSERVE\"}",
             id, serial);
    return parse(text);
}

/* Staged eventID keys moved to epcis_event_keys are still found: repeats
 * are duplicates, look-ups by eventID answer, new events stage again. */
static void merged_event_keys_still_find_events(void **state)
{
    fixture *f = *state;
    const char *a = "urn:uuid:0c0ffee0-0000-4000-8000-0000000000a1";
    const char *b = "urn:uuid:0c0ffee0-0000-4000-8000-0000000000b1";
    lds_trace_capture_result res;
    lds_err err;
    json_t *ea = event_with_id(a, 1), *eb = event_with_id(b, 2);
    static const char q_merged[] = "SELECT count(*) FROM epcis_event_keys";
    static const char q_staged[] = "SELECT count(*) FROM epcis_event_keys_new";
    static const char q_a_merged[] =
        "SELECT count(*) FROM epcis_event_keys k JOIN epcis_events e ON e.id = k.event "
        "WHERE k.key = lds_key64('urn:uuid:0c0ffee0-0000-4000-8000-0000000000a1') "
        "AND e.event_id = 'urn:uuid:0c0ffee0-0000-4000-8000-0000000000a1'";
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, ea, 0, &f->rep, &res, &err), LDS_OK);
    assert_int_equal(res.n_stored, 1);
    assert_int_equal(count(f->s, q_staged), 1);
    assert_int_equal(count(f->s, q_merged), 0);

    assert_int_equal(lds_store_begin(f->s, &err), LDS_OK);
    assert_int_equal(lds_trace__merge_event_keys(f->s, &err), LDS_OK);
    assert_int_equal(lds_store_commit(f->s, &err), LDS_OK);
    assert_int_equal(count(f->s, q_staged), 0);
    assert_int_equal(count(f->s, q_a_merged), 1);

    /* A again: a duplicate found in the merged table, nothing written. */
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, ea, 0, &f->rep, &res, &err), LDS_OK);
    assert_int_equal(res.n_stored, 0);
    assert_int_equal(res.n_duplicates, 1);
    assert_int_equal(count(f->s, q_events), 1);
    uint64_t idx = 99;
    assert_int_equal(lds_trace_event_leaf_index(f->s, a, &idx, &err), LDS_OK);
    assert_int_equal(idx, 0);
    lds_buf got = LDS_BUF_INIT;
    assert_int_equal(lds_trace_event_json(f->s, a, &got, &err), LDS_OK);
    assert_non_null(strstr(got.ptr, a));
    lds_buf_release(&got);
    assert_int_equal(lds_trace_event_visible(f->s, 0, a, &err), 1);
    assert_int_equal(lds_trace_event_leaf_index(f->s, b, &idx, &err), LDS_ENOTFOUND);

    /* B is staged beside the merged A; both are found. */
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, eb, 0, &f->rep, &res, &err), LDS_OK);
    assert_int_equal(res.n_stored, 1);
    assert_int_equal(count(f->s, q_staged), 1);
    assert_int_equal(count(f->s, q_merged), 1);
    assert_int_equal(lds_trace_event_leaf_index(f->s, b, &idx, &err), LDS_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(lds_trace_event_leaf_index(f->s, a, &idx, &err), LDS_OK);
    assert_int_equal(idx, 0);
    json_decref(ea);
    json_decref(eb);
}

/* Captures move the staged keys once the ledger's threshold is reached,
 * in their own transaction; a ledger opened on a store with staged keys
 * counts them first. */
static void staged_keys_are_merged_at_the_threshold(void **state)
{
    fixture *f = *state;
    static const char q_merged[] = "SELECT count(*) FROM epcis_event_keys";
    static const char q_staged[] = "SELECT count(*) FROM epcis_event_keys_new";
    lds_trace_capture_result res;
    lds_err err;
    char id[64];
    f->lg->key_merge = 3;
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "urn:uuid:0c0ffee0-0000-4000-8000-0000000001%02d", i);
        json_t *e = event_with_id(id, 10 + i);
        assert_int_equal(lds_trace_capture_event(f->s, f->lg, e, 0, &f->rep, &res, &err),
                         LDS_OK);
        assert_int_equal(res.n_stored, 1);
        json_decref(e);
        /* 1 and 2 staged; the third capture reaches 3 and merges all. */
        assert_int_equal(count(f->s, q_staged), i < 2 ? i + 1 : 0);
        assert_int_equal(count(f->s, q_merged), i < 2 ? 0 : 3);
    }
    assert_int_equal(f->lg->staged_keys, 0);

    /* Two more staged; a repeat of a merged one stores nothing. */
    for (int i = 3; i < 5; i++) {
        snprintf(id, sizeof id, "urn:uuid:0c0ffee0-0000-4000-8000-0000000001%02d", i);
        json_t *e = event_with_id(id, 10 + i);
        assert_int_equal(lds_trace_capture_event(f->s, f->lg, e, 0, &f->rep, &res, &err),
                         LDS_OK);
        json_decref(e);
    }
    json_t *again = event_with_id("urn:uuid:0c0ffee0-0000-4000-8000-000000000100", 10);
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, again, 0, &f->rep, &res, &err),
                     LDS_OK);
    assert_int_equal(res.n_duplicates, 1);
    json_decref(again);
    assert_int_equal(count(f->s, q_staged), 2);
    assert_int_equal(f->lg->staged_keys, 2);

    /* A new ledger on this store knows nothing yet: it counts the two
     * staged keys, adds its event's and merges at 3. */
    lds_trace_ledger_free(f->lg);
    f->lg = NULL;
    assert_int_equal(lds_trace_ledger_open(f->s, f->key, &f->lg, &err), LDS_OK);
    assert_int_equal(f->lg->keys_known, 0);
    f->lg->key_merge = 3;
    json_t *e = event_with_id("urn:uuid:0c0ffee0-0000-4000-8000-000000000199", 99);
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, e, 0, &f->rep, &res, &err), LDS_OK);
    assert_int_equal(res.n_stored, 1);
    json_decref(e);
    assert_int_equal(count(f->s, q_staged), 0);
    assert_int_equal(count(f->s, q_merged), 6);
    assert_int_equal(count(f->s, q_events), 6);
}

static void eventids_sharing_a_key_are_both_stored(void **state)
{
    /* eventIDs are indexed by a 64-bit key (lds_store_key64) and compared as
     * text on a key match.  A real collision of two IDs' keys is made here by
     * giving the stored event A the key of B before B is captured. */
    fixture *f = *state;
    const char *a = "urn:uuid:0c0ffee0-0000-4000-8000-00000000000a";
    const char *b = "urn:uuid:0c0ffee0-0000-4000-8000-00000000000b";
    lds_trace_capture_result res;
    lds_err err;
    json_t *ea = event_with_id(a, 1), *eb = event_with_id(b, 2);
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, ea, 0, &f->rep, &res, &err), LDS_OK);
    assert_int_equal(res.n_stored, 1);
    static const char forge[] = "UPDATE epcis_events SET event_key = ?1 WHERE event_id = ?2";
    static const char forge_key[] =
        "UPDATE epcis_event_keys_new SET key = ?1 WHERE key = lds_key64(?2)";
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(f->s, forge, &st, &err), LDS_OK);
    lds_stmt_bind_i64(st, 1, lds_store_key64(b));
    lds_stmt_bind_text(st, 2, a);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_OK);
    assert_int_equal(lds_store_changes(f->s), 1);
    assert_int_equal(lds_store_prepare(f->s, forge_key, &st, &err), LDS_OK);
    lds_stmt_bind_i64(st, 1, lds_store_key64(b));
    lds_stmt_bind_text(st, 2, a);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_OK);
    assert_int_equal(lds_store_changes(f->s), 1);
    /* A's key moves to the merged table; B's will be staged: the shared key
     * spans both tables. */
    assert_int_equal(lds_store_begin(f->s, &err), LDS_OK);
    assert_int_equal(lds_trace__merge_event_keys(f->s, &err), LDS_OK);
    assert_int_equal(lds_store_commit(f->s, &err), LDS_OK);
    static const char q_merged[] = "SELECT count(*) FROM epcis_event_keys";
    static const char q_staged[] = "SELECT count(*) FROM epcis_event_keys_new";
    assert_int_equal(count(f->s, q_merged), 1);
    assert_int_equal(count(f->s, q_staged), 0);

    /* B finds A under its key, but A is another eventID: B is stored. */
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, eb, 0, &f->rep, &res, &err), LDS_OK);
    assert_int_equal(res.n_stored, 1);
    assert_int_equal(res.n_duplicates, 0);
    assert_int_equal(res.first_leaf, 1);
    assert_int_equal(count(f->s, q_events), 2);
    assert_int_equal(count(f->s, q_leaves), 2);
    static const char q_shared[] =
        "SELECT count(DISTINCT event_id) FROM epcis_events WHERE event_key = (SELECT event_key "
        "FROM epcis_events WHERE event_id = 'urn:uuid:0c0ffee0-0000-4000-8000-00000000000b')";
    assert_int_equal(count(f->s, q_shared), 2);
    assert_int_equal(count(f->s, q_staged), 1);

    /* Look-ups under the shared key return B's own row. */
    uint64_t idx = 99;
    assert_int_equal(lds_trace_event_leaf_index(f->s, b, &idx, &err), LDS_OK);
    assert_int_equal(idx, 1);
    lds_buf got = LDS_BUF_INIT;
    assert_int_equal(lds_trace_event_json(f->s, b, &got, &err), LDS_OK);
    assert_non_null(strstr(got.ptr, b));
    assert_null(strstr(got.ptr, a));
    lds_buf_release(&got);

    /* B again is a duplicate (same bytes) or a conflict (other bytes), and
     * writes nothing; a third ID under no stored key is stored. */
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, eb, 0, &f->rep, &res, &err), LDS_OK);
    assert_int_equal(res.n_stored, 0);
    assert_int_equal(res.n_duplicates, 1);
    json_object_set_new(eb, "action", json_string("ADD"));
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, eb, 0, &f->rep, &res, &err),
                     LDS_ECONFLICT);
    assert_int_equal(count(f->s, q_events), 2);
    assert_int_equal(count(f->s, q_leaves), 2);
    json_t *ec = event_with_id("urn:uuid:0c0ffee0-0000-4000-8000-00000000000c", 3);
    assert_int_equal(lds_trace_capture_event(f->s, f->lg, ec, 0, &f->rep, &res, &err), LDS_OK);
    assert_int_equal(res.n_stored, 1);
    assert_int_equal(res.first_leaf, 2);
    uint64_t size = 0;
    assert_int_equal(lds_trace_ledger_size(f->lg, f->s, &size, &err), LDS_OK);
    assert_int_equal(size, 3);
    json_decref(ea);
    json_decref(eb);
    json_decref(ec);
}

static void repeats_within_a_document_are_found_by_key(void **state)
{
    /* The same eventID twice in one document: the second is found in the
     * transaction that stored the first and counts as a duplicate. */
    fixture *f = *state;
    static const char doc[] =
        "{" CTX ",\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
        "\"creationDate\":\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":["
        "{\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:00000000-0000-4000-8000-0000000000d1\","
        "\"eventTime\":\"2024-01-01T10:00:00.000+08:00\",\"eventTimeZoneOffset\":\"+08:00\","
        "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"],\"action\":\"ADD\"},"
        "{\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:00000000-0000-4000-8000-0000000000d1\","
        "\"eventTime\":\"2024-01-01T11:00:00.000+08:00\",\"eventTimeZoneOffset\":\"+08:00\","
        "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2\"],\"action\":\"ADD\"},"
        "{\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:00000000-0000-4000-8000-0000000000d2\","
        "\"eventTime\":\"2024-01-01T12:00:00.000+08:00\",\"eventTimeZoneOffset\":\"+08:00\","
        "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.3\"],\"action\":\"ADD\"}"
        "]}}";
    lds_trace_capture_result res;
    assert_int_equal(capture(f, doc, LDS_TRACE_ROLLBACK, &res), LDS_OK);
    assert_int_equal(res.n_stored, 2);
    assert_int_equal(res.n_duplicates, 1);
    assert_int_equal(count(f->s, q_events), 2);
    assert_int_equal(count(f->s, q_leaves), 2);
    static const char q_ids[] = "SELECT count(*) FROM epcis_event_ids";
    assert_int_equal(count(f->s, q_ids), 2); /* none for the repeat */
    /* The first event's bytes are the ones kept (serial .1, not .2). */
    lds_buf got = LDS_BUF_INIT;
    lds_err err;
    assert_int_equal(
        lds_trace_event_json(f->s, "urn:uuid:00000000-0000-4000-8000-0000000000d1", &got, &err),
        LDS_OK);
    assert_non_null(strstr(got.ptr, "107346.1"));
    assert_null(strstr(got.ptr, "107346.2"));
    lds_buf_release(&got);
}

/* Copies the rows one capture wrote from `from` into `to`, column by column,
 * leaving out event_key (a store from before migration 14 has none). */
static void copy_rows(lds_store *from, lds_store *to)
{
    static const char q_leaf[] = "SELECT idx, leaf_hash, data FROM ledger_leaves ORDER BY idx";
    static const char i_leaf[] =
        "INSERT INTO ledger_leaves (idx, leaf_hash, data) VALUES (?, ?, ?)";
    static const char q_job[] = "SELECT id, created_ms, error_behaviour FROM epcis_captures";
    static const char i_job[] =
        "INSERT INTO epcis_captures (id, created_ms, error_behaviour) VALUES (?, ?, ?)";
    static const char q_ev[] =
        "SELECT id, event_id, type, action, event_time_ms, tz_offset_min, record_time_ms, "
        "biz_step, disposition, read_point, biz_location, leaf_idx, capture_id FROM epcis_events";
    static const char i_ev[] =
        "INSERT INTO epcis_events (id, event_id, type, action, event_time_ms, tz_offset_min, "
        "record_time_ms, biz_step, disposition, read_point, biz_location, leaf_idx, capture_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char q_ids[] = "SELECT uri, role, event FROM epcis_event_ids";
    static const char i_ids[] = "INSERT INTO epcis_event_ids (uri, role, event) VALUES (?, ?, ?)";
    const char *const pairs[][2] = {{q_leaf, i_leaf}, {q_job, i_job}, {q_ev, i_ev}, {q_ids, i_ids}};
    lds_err err;
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        lds_stmt *q, *ins;
        assert_int_equal(lds_store_prepare(from, pairs[p][0], &q, &err), LDS_OK);
        int step;
        while ((step = lds_stmt_step(q, &err)) == LDS_STORE_ROW) {
            assert_int_equal(lds_store_prepare(to, pairs[p][1], &ins, &err), LDS_OK);
            for (int c = 0; c < lds_stmt_col_count(q); c++) {
                switch (lds_stmt_col_type(q, c)) {
                case LDS_COL_INT:
                    lds_stmt_bind_i64(ins, c + 1, lds_stmt_col_i64(q, c));
                    break;
                case LDS_COL_TEXT:
                    lds_stmt_bind_text(ins, c + 1, lds_stmt_col_text(q, c));
                    break;
                case LDS_COL_BLOB: {
                    int n = 0;
                    const void *b = lds_stmt_col_blob(q, c, &n);
                    lds_stmt_bind_blob(ins, c + 1, b, n);
                    break;
                }
                default:
                    lds_stmt_bind_null(ins, c + 1);
                }
            }
            if (lds_stmt_exec(ins, &err))
                fail_msg("copy: %s", err.msg);
        }
        assert_int_equal(step, LDS_STORE_DONE);
    }
}

static void a_store_from_before_the_key_migrates_and_dedupes(void **state)
{
    /* A store of schema 13 holding doc3 (rows as that schema stored them)
     * is migrated; capturing doc3 again then finds every event, by the keys
     * the migration computed, and stores nothing. */
    fixture *f = *state;
    lds_trace_capture_result res;
    lds_err err;
    assert_int_equal(capture(f, doc3, LDS_TRACE_ROLLBACK, &res), LDS_OK);
    char path[600], key[700];
    snprintf(path, sizeof path, "%s.v13", f->db);
    snprintf(key, sizeof key, "%s.ledger-key", path);
    remove(path);
    remove(key);
    lds_store *old;
    assert_int_equal(lds_store_open(path, &old, &err), LDS_OK);
    assert_int_equal(lds_store__migrate_to(old, 13, NULL, &err), LDS_OK);
    assert_int_equal(lds_store_begin(old, &err), LDS_OK);
    copy_rows(f->s, old);
    assert_int_equal(lds_store_commit(old, &err), LDS_OK);

    int applied = 0;
    assert_int_equal(lds_store_migrate(old, &applied, &err), LDS_OK);
    assert_true(applied >= 1);
    static const char q_keys[] =
        "SELECT count(*) FROM epcis_events WHERE event_key = lds_key64(event_id)";
    assert_int_equal(count(old, q_keys), 3);
    lds_trace_ledger *lg;
    assert_int_equal(lds_trace_ledger_open(old, key, &lg, &err), LDS_OK);
    json_t *doc = parse(doc3);
    assert_int_equal(lds_trace_capture(old, lg, doc, LDS_TRACE_ROLLBACK, 0, &f->rep, &res, &err),
                     LDS_OK);
    json_decref(doc);
    assert_int_equal(res.n_stored, 0);
    assert_int_equal(res.n_duplicates, 3);
    assert_int_equal(count(old, q_events), 3);
    assert_int_equal(count(old, q_leaves), 3);
    uint64_t idx = 99;
    const char *id1 = "urn:uuid:00000000-0000-4000-8000-000000000001";
    assert_int_equal(lds_trace_event_leaf_index(old, id1, &idx, &err), LDS_OK);
    assert_int_equal(idx, 0);
    /* And the ledger's head over the migrated leaves equals the original's. */
    lds_ledger_sth a, b;
    assert_int_equal(lds_trace_ledger_sth(f->lg, f->s, &a, &err), LDS_OK);
    assert_int_equal(lds_trace_ledger_sth(lg, old, &b, &err), LDS_OK);
    assert_int_equal(b.tree_size, 3);
    assert_memory_equal(a.root, b.root, sizeof a.root);
    lds_trace_ledger_free(lg);
    lds_store_close(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(capture_writes_events_identifiers_leaves_and_job, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(rollback_stores_nothing_and_proceed_stores_the_valid,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(duplicates_are_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(eventids_sharing_a_key_are_both_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(merged_event_keys_still_find_events, setup, teardown),
        cmocka_unit_test_setup_teardown(staged_keys_are_merged_at_the_threshold, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(repeats_within_a_document_are_found_by_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_store_from_before_the_key_migrates_and_dedupes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(tree_is_rebuilt_from_the_database_and_catches_up, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(queries_filter_and_page, setup, teardown),
        cmocka_unit_test_setup_teardown(allocation_failures_are_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_single_events_share_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(a_refused_single_event_fails_only_itself, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(concurrent_documents_keep_the_tree_in_leaf_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(captures_keep_foreign_keys_and_restore_the_checks, setup,
                                        teardown),
        cmocka_unit_test(key_path_defaults_next_to_the_database),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
