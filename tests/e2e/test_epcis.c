/*
 * test_epcis.c — EPCIS capture and query and the transparency log, end to
 * end over HTTP against the real server: every EPCISDocument of the
 * standard's examples is captured, read back by eventID and found by a
 * query; every OpenEPCIS invalid document is refused with its JSON pointers
 * and nothing stored; duplicates, paging, proceed; then the signed tree head,
 * inclusion and consistency proofs verify with the ledger engine and with
 * `lodestone verify`, and a tampered leaf does not.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "server.h"
#include "lodestone/buf.h"
#include "lodestone/epcis.h"
#include "lodestone/ledger.h"

static lds_test_server srv;
static int n_examples_events; /* events captured from the examples */
static json_t *seen_ids;      /* eventIDs captured so far (the examples reuse some) */

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "epcis.db", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

static void fmt_ms(int64_t ms, char out[40])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* One GET over a raw socket, for the Link header the harness does not keep. */
static long raw_get(const char *path, const char *token, char *link, size_t link_cap,
                    json_t **json)
{
    int port = atoi(strrchr(srv.url, ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[4096];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     "Connection: close\r\n\r\n",
                     path, token);
    assert_int_equal(write(fd, req, (size_t)n), n);
    lds_buf in = LDS_BUF_INIT;
    char chunk[8192];
    ssize_t got;
    while ((got = read(fd, chunk, sizeof chunk)) > 0)
        lds_buf_add(&in, chunk, (size_t)got);
    close(fd);
    long status = strtol(in.ptr + 9, NULL, 10);
    char *body = strstr(in.ptr, "\r\n\r\n");
    assert_non_null(body);
    *body = '\0';
    link[0] = '\0';
    char *l = strstr(in.ptr, "\r\nLink: <");
    if (l) {
        l += 9;
        char *e = strchr(l, '>');
        snprintf(link, link_cap, "%.*s", (int)(e - l), l);
    }
    *json = json_loads(body + 4, 0, NULL);
    lds_buf_release(&in);
    return status;
}

static json_t *event_list(json_t *qdoc)
{
    return json_object_get(
        json_object_get(json_object_get(json_object_get(qdoc, "epcisBody"), "queryResults"),
                        "resultsBody"),
        "eventList");
}

static int list_has(json_t *list, const char *event_id)
{
    size_t i;
    json_t *ev;
    json_array_foreach(list, i, ev)
    {
        if (strcmp(json_string_value(json_object_get(ev, "eventID")), event_id) == 0)
            return 1;
    }
    return 0;
}

static uint64_t tree_size(void)
{
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/ledger/sth", NULL, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    uint64_t n = (uint64_t)json_integer_value(json_object_get(r.json, "tree_size"));
    lds_http_resp_free(&r);
    return n;
}

/* Checks one captured event: GET by (URL-encoded) eventID and found by a query. */
static void check_event(const json_t *doc_ctx, json_t *ev, const char *file, int i)
{
    char id[LDS_EPCIS_HASH_ID_LEN + 1];
    const char *event_id = json_string_value(json_object_get(ev, "eventID"));
    if (!event_id) {
        assert_int_equal(lds_epcis_event_hash_id(doc_ctx, ev, id, NULL), LDS_OK);
        event_id = id;
    }
    lds_buf path = LDS_BUF_INIT;
    lds_buf_adds(&path, "/epcis/events/");
    lds_test_pct_encode(&path, event_id);
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", path.ptr, srv.member_token, NULL, NULL, 0, &r), 0);
    if (r.status != 200)
        fail_msg("%s event %d (%s): GET -> %ld %s", file, i, event_id, r.status, r.body);
    assert_string_equal(json_string_value(json_object_get(r.json, "eventID")), event_id);
    if (json_object_get(seen_ids, event_id)) {
        /* A reused eventID: the first capture holds it; this one was a duplicate. */
        lds_http_resp_free(&r);
        lds_buf_release(&path);
        return;
    }
    json_object_set_new(seen_ids, event_id, json_true());
    assert_string_equal(json_string_value(json_object_get(r.json, "type")),
                        json_string_value(json_object_get(ev, "type")));
    lds_http_resp_free(&r);

    lds_epcis_event_info info;
    assert_int_equal(lds_epcis_event_info_get(ev, &info, NULL), LDS_OK);
    char ge[40], lt[40];
    fmt_ms(info.event_time_ms, ge);
    fmt_ms(info.event_time_ms + 1, lt);
    lds_buf_reset(&path);
    lds_buf_addf(&path, "/epcis/events?perPage=1000&eventType=%s&GE_eventTime=",
                 lds_epcis_type_name(info.type));
    lds_test_pct_encode(&path, ge);
    lds_buf_adds(&path, "&LT_eventTime=");
    lds_test_pct_encode(&path, lt);
    if (info.biz_step) {
        lds_buf_adds(&path, "&EQ_bizStep=");
        lds_test_pct_encode(&path, info.biz_step);
    }
    assert_int_equal(lds_http(&srv, "GET", path.ptr, srv.member_token, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "type")),
                        "EPCISQueryDocument");
    if (!list_has(event_list(r.json), event_id))
        fail_msg("%s event %d: not found by %s", file, i, path.ptr);
    lds_http_resp_free(&r);
    lds_buf_release(&path);
}

static void capture_dir(const char *dir, int *n_docs)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    for (size_t k = 0; k < n; k++) {
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, names[k]);
        struct stat stt;
        assert_int_equal(stat(p, &stt), 0);
        if (S_ISDIR(stt.st_mode)) {
            capture_dir(p, n_docs);
            free(names[k]);
            continue;
        }
        size_t len;
        char *text = lds_test_read_file(p, &len);
        assert_non_null(text);
        json_t *doc = json_loadb(text, len, 0, NULL);
        const char *type = doc ? json_string_value(json_object_get(doc, "type")) : NULL;
        if (!type || strcmp(type, "EPCISDocument") != 0) {
            json_decref(doc);
            free(text);
            free(names[k]);
            continue;
        }
        lds_http_resp r;
        const char *ct = (*n_docs % 2) ? "application/json" : "application/ld+json";
        assert_int_equal(
            lds_http(&srv, "POST", "/epcis/capture", srv.member_token, ct, text, len, &r), 0);
        if (r.status != 202)
            fail_msg("%s: capture -> %ld %s", p, r.status, r.body);
        assert_true(strncmp(r.location, "/epcis/capture/", 15) == 0);
        char loc[256];
        snprintf(loc, sizeof loc, "%s", r.location);
        lds_http_resp_free(&r);
        assert_int_equal(lds_http(&srv, "GET", loc, srv.member_token, NULL, NULL, 0, &r), 0);
        assert_int_equal(r.status, 200);
        assert_true(json_is_false(json_object_get(r.json, "running")));
        assert_true(json_is_true(json_object_get(r.json, "success")));
        lds_http_resp_free(&r);
        json_t *events = json_object_get(json_object_get(doc, "epcisBody"), "eventList");
        size_t i;
        json_t *ev;
        json_array_foreach(events, i, ev)
        {
            check_event(lds_epcis_document_context(doc), ev, p, (int)i);
            n_examples_events++;
        }
        (*n_docs)++;
        json_decref(doc);
        free(text);
        free(names[k]);
    }
    free(names);
}

static void examples_are_captured_read_back_and_queried(void **state)
{
    (void)state;
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/../shared/epcis/examples-json", lds_test_source_root());
    int n_docs = 0;
    seen_ids = json_object();
    uint64_t before = tree_size(); /* the demo corridor's lot history */
    capture_dir(dir, &n_docs);
    assert_true(n_docs >= 40);
    assert_true(n_examples_events >= n_docs);
    /* Every distinct eventID is one leaf. */
    assert_int_equal(tree_size(), before + json_object_size(seen_ids));
    json_decref(seen_ids);
}

static void invalid_documents_are_rejected_and_nothing_stored(void **state)
{
    (void)state;
    char dir[2048];
    snprintf(dir, sizeof dir,
             "%s/../shared/epcis/third-party/openepcis-test-resources/Capture/Invalid",
             lds_test_source_root());
    uint64_t before = tree_size();
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        size_t len;
        char *text = lds_test_read_file(p, &len);
        assert_non_null(text);
        lds_http_resp r;
        assert_int_equal(lds_http(&srv, "POST", "/epcis/capture", srv.member_token,
                                  "application/json", text, len, &r),
                         0);
        if (r.status != 400)
            fail_msg("%s: expected 400, got %ld %s", p, r.status, r.body);
        assert_string_equal(r.content_type, "application/problem+json");
        json_t *errs = json_object_get(r.json, "errors");
        assert_true(json_array_size(errs) > 0);
        size_t i;
        json_t *e;
        json_array_foreach(errs, i, e)
        {
            const char *ptr = json_string_value(json_object_get(e, "pointer"));
            assert_non_null(ptr);
            assert_true(ptr[0] == '/');
            assert_non_null(json_string_value(json_object_get(e, "message")));
        }
        lds_http_resp_free(&r);
        free(text);
        n++;
    }
    closedir(d);
    assert_int_equal(n, 15);
    assert_int_equal(tree_size(), before); /* rollback: nothing stored */
    assert_true(lds_test_server_alive(&srv));
}

static const char *const ctx =
    "\"@context\":[\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\"]";

static void proceed_stores_the_valid_events(void **state)
{
    (void)state;
    char p[2048];
    snprintf(p, sizeof p,
             "%s/../shared/epcis/third-party/openepcis-test-resources/Capture/Invalid/"
             "ObjectEvent_with_non_standard_bizStep_in_second_event.json",
             lds_test_source_root());
    size_t len;
    char *text = lds_test_read_file(p, &len);
    assert_non_null(text);
    uint64_t before = tree_size();
    lds_http_resp r;
    assert_int_equal(lds_http_h(&srv, "POST", "/epcis/capture", srv.member_token,
                                "application/json", "GS1-Capture-Error-Behaviour: proceed", text,
                                len, &r),
                     0);
    if (r.status != 202)
        fail_msg("proceed: %ld %s", r.status, r.body);
    assert_true(json_is_false(json_object_get(r.json, "success")));
    assert_int_equal(json_integer_value(json_object_get(r.json, "invalidCount")), 1);
    assert_true(json_array_size(json_object_get(r.json, "errors")) >= 1);
    json_int_t stored = json_integer_value(json_object_get(r.json, "storedCount")) +
                        json_integer_value(json_object_get(r.json, "duplicateCount"));
    assert_true(stored >= 1);
    uint64_t added = (uint64_t)json_integer_value(json_object_get(r.json, "storedCount"));
    lds_http_resp_free(&r);
    assert_int_equal(tree_size(), before + added);
    /* An unknown behaviour is refused. */
    assert_int_equal(lds_http_h(&srv, "POST", "/epcis/capture", srv.member_token,
                                "application/json", "GS1-Capture-Error-Behaviour: sometimes",
                                text, len, &r),
                     0);
    assert_int_equal(r.status, 400);
    lds_http_resp_free(&r);
    free(text);
}

static void single_events_duplicates_and_conflicts(void **state)
{
    (void)state;
    char ev[1024];
    snprintf(ev, sizeof ev,
             "{%s,\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:6f1c4a1e-0000-4000-8000-"
             "000000000001\",\"eventTime\":\"2024-03-01T08:00:00.000+08:00\","
             "\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346."
             "9001\"],\"action\":\"OBSERVE\",\"bizStep\":\"shipping\"}",
             ctx);
    uint64_t before = tree_size();
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token,
                              "application/ld+json", ev, strlen(ev), &r),
                     0);
    if (r.status != 201)
        fail_msg("%ld %s", r.status, r.body);
    assert_string_equal(r.location,
                        "/epcis/events/urn%3Auuid%3A6f1c4a1e-0000-4000-8000-000000000001");
    lds_http_resp_free(&r);
    /* The same event again: idempotent. */
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token, "application/json",
                              ev, strlen(ev), &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "duplicate")));
    lds_http_resp_free(&r);
    assert_int_equal(tree_size(), before + 1);
    /* The same eventID with other content: conflict. */
    char *other = strstr(ev, "9001");
    memcpy(other, "9002", 4);
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token, "application/json",
                              ev, strlen(ev), &r),
                     0);
    assert_int_equal(r.status, 409);
    lds_http_resp_free(&r);
    assert_int_equal(tree_size(), before + 1);

    /* Without eventID: the CBV 2.0 hash ID, reachable through its encoded form. */
    snprintf(ev, sizeof ev,
             "{%s,\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T09:00:00.000+08:00\","
             "\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346."
             "9003\"],\"action\":\"OBSERVE\"}",
             ctx);
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token, "application/json",
                              ev, strlen(ev), &r),
                     0);
    assert_int_equal(r.status, 201);
    assert_true(strncmp(r.location, "/epcis/events/ni%3A%2F%2F%2Fsha-256%3B", 38) == 0);
    char loc[256];
    snprintf(loc, sizeof loc, "%s", r.location);
    const char *id = json_string_value(json_object_get(r.json, "eventID"));
    char want[LDS_EPCIS_HASH_ID_LEN + 1];
    json_t *parsed = json_loads(ev, 0, NULL);
    assert_int_equal(lds_epcis_event_hash_id(NULL, parsed, want, NULL), LDS_OK);
    assert_string_equal(id, want);
    json_decref(parsed);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", loc, srv.member_token, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "eventID")), want);
    lds_http_resp_free(&r);
    /* MATCH_epc finds it, by EPC URI, by pattern and by Digital Link. */
    static const char *const q[] = {
        "/epcis/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346.9003",
        "/epcis/events?MATCH_anyEPC=urn:epc:idpat:sgtin:0614141.107346.*&EQ_action=OBSERVE",
        "/epcis/events?MATCH_epc=https://id.gs1.org/01/10614141073464/21/9003",
    };
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
        assert_int_equal(lds_http(&srv, "GET", q[k], srv.member_token, NULL, NULL, 0, &r), 0);
        assert_int_equal(r.status, 200);
        if (!list_has(event_list(r.json), want))
            fail_msg("%s does not find the event", q[k]);
        lds_http_resp_free(&r);
    }
    /* Bad event: 400 with pointers, nothing stored; unknown event: 404; reads need a token. */
    static const char bad[] = "{\"type\":\"ObjectEvent\",\"action\":\"MAYBE\"}";
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token, "application/json",
                              bad, sizeof bad - 1, &r),
                     0);
    assert_int_equal(r.status, 400);
    assert_true(json_array_size(json_object_get(r.json, "errors")) > 0);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", "/epcis/events/urn%3Auuid%3Anope", srv.member_token,
                              NULL, NULL, 0, &r),
                     0);
    assert_int_equal(r.status, 404);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", "/epcis/events", NULL, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 401);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", "/epcis/capture/999999", srv.member_token, NULL, NULL,
                              0, &r),
                     0);
    assert_int_equal(r.status, 404);
    lds_http_resp_free(&r);
}

static void queries_page_with_next_page_token(void **state)
{
    (void)state;
    lds_buf doc = LDS_BUF_INIT;
    lds_buf_addf(&doc,
                 "{%s,\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                 "\"creationDate\":\"2024-03-02T00:00:00Z\",\"epcisBody\":{\"eventList\":[",
                 ctx);
    for (int i = 0; i < 25; i++)
        lds_buf_addf(&doc,
                     "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-02T10:00:%02d.000Z\","
                     "\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":[\"urn:epc:id:sgtin:"
                     "0614141.107346.p%d\"],\"action\":\"ADD\",\"bizStep\":\"commissioning\","
                     "\"disposition\":\"active\",\"readPoint\":{\"id\":\"urn:epc:id:sgln:"
                     "0614141.00777.0\"},\"bizLocation\":{\"id\":\"urn:epc:id:sgln:0614141.00888."
                     "0\"}}",
                     i ? "," : "", i, i);
    lds_buf_adds(&doc, "]}}");
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "POST", "/epcis/capture", srv.member_token,
                              "application/json", doc.ptr, doc.len, &r),
                     0);
    if (r.status != 202)
        fail_msg("%ld %s", r.status, r.body);
    lds_http_resp_free(&r);
    char path[2048], link[2048];
    snprintf(path, sizeof path,
             "/epcis/events?EQ_bizLocation=urn:epc:id:sgln:0614141.00888.0&perPage=10"
             "&EQ_bizStep=commissioning%%7Cshipping&EQ_disposition=active"
             "&EQ_readPoint=urn:epc:id:sgln:0614141.00777.0&GE_recordTime=2000-01-01T00:00:00Z");
    int total = 0, pages = 0;
    for (;;) {
        json_t *j;
        long st = raw_get(path, srv.member_token, link, sizeof link, &j);
        assert_int_equal(st, 200);
        size_t n = json_array_size(event_list(j));
        total += (int)n;
        pages++;
        json_decref(j);
        if (!link[0])
            break;
        assert_int_equal(n, 10);
        snprintf(path, sizeof path, "%s", link);
    }
    assert_int_equal(total, 25);
    assert_int_equal(pages, 3);
    /* A token does not carry over to another query. */
    json_t *j;
    snprintf(path, sizeof path,
             "/epcis/events?perPage=10&EQ_bizLocation=urn:epc:id:sgln:0614141.00888.0");
    raw_get(path, srv.member_token, link, sizeof link, &j);
    json_decref(j);
    assert_true(link[0]);
    const char *tok = strstr(link, "nextPageToken=");
    assert_non_null(tok);
    snprintf(path, sizeof path, "/epcis/events?eventType=ObjectEvent&%s", tok);
    assert_int_equal(raw_get(path, srv.member_token, link, sizeof link, &j), 400);
    json_decref(j);
    lds_buf_release(&doc);
}

static void write_text(const char *name, const char *data, size_t len, char *path, size_t cap)
{
    lds_test_path(path, cap, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static int run_verify(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s verify -q %s 2>/dev/null", lds_test_bin(), args);
    char *out = NULL;
    int rc = lds_test_run(cmd, &out);
    free(out);
    return rc;
}

static void ledger_heads_and_proofs_verify(void **state)
{
    (void)state;
    lds_http_resp r, k;
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/ledger/sth", NULL, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/ledger/public-key", NULL, NULL, NULL, 0, &k),
                     0);
    assert_int_equal(k.status, 200);
    lds_ledger_sth sth;
    uint8_t pub[LDS_LEDGER_PUBKEY_LEN];
    assert_int_equal(lds_ledger_sth_from_json(r.body, r.len, &sth, NULL), LDS_OK);
    assert_int_equal(lds_ledger_pubkey_from_base64(k.body, k.len, pub, NULL), LDS_OK);
    assert_int_equal(lds_ledger_sth_verify(&sth, pub, NULL), LDS_OK);
    assert_true(sth.tree_size > 10);
    char sth_path[600], key_path[600], leaf_path[600], proof_path[600];
    write_text("sth1.json", r.body, r.len, sth_path, sizeof sth_path);
    write_text("log.pub", k.body, k.len, key_path, sizeof key_path);
    lds_http_resp_free(&r);
    lds_http_resp_free(&k);

    /* Inclusion of several leaves, by index and by eventID. */
    uint64_t picks[] = {0, sth.tree_size / 2, sth.tree_size - 1};
    for (size_t p = 0; p < 3; p++) {
        char path[256];
        snprintf(path, sizeof path, "/api/v1/ledger/leaves/%llu", (unsigned long long)picks[p]);
        lds_http_resp leaf, proof;
        /* Leaf bytes only for who may read the event: the operator reads all. */
        assert_int_equal(lds_http(&srv, "GET", path, srv.operator_token, NULL, NULL, 0, &leaf), 0);
        assert_int_equal(leaf.status, 200);
        snprintf(path, sizeof path,
                 "/api/v1/ledger/proof/inclusion?leaf_index=%llu&tree_size=%llu",
                 (unsigned long long)picks[p], (unsigned long long)sth.tree_size);
        assert_int_equal(lds_http(&srv, "GET", path, srv.member_token, NULL, NULL, 0, &proof), 0);
        assert_int_equal(proof.status, 200);
        lds_ledger_proof pr;
        uint64_t idx;
        assert_int_equal(lds_ledger_inclusion_from_json(proof.body, proof.len, &idx, &pr, NULL),
                         LDS_OK);
        assert_int_equal(idx, picks[p]);
        uint8_t h[LDS_LEDGER_HASH_LEN];
        lds_ledger_hash_leaf(leaf.body, leaf.len, h);
        assert_int_equal(
            lds_ledger_verify_inclusion(idx, sth.tree_size, h, pr.hash[0], pr.n, sth.root, NULL),
            LDS_OK);
        /* The leaf is an event: its eventID gives the same proof. */
        json_t *ev = json_loadb(leaf.body, leaf.len, 0, NULL);
        assert_non_null(ev);
        lds_buf q = LDS_BUF_INIT;
        lds_buf_adds(&q, "/api/v1/ledger/proof/inclusion?event_id=");
        lds_test_pct_encode(&q, json_string_value(json_object_get(ev, "eventID")));
        lds_buf_addf(&q, "&tree_size=%llu", (unsigned long long)sth.tree_size);
        lds_http_resp by_id;
        assert_int_equal(lds_http(&srv, "GET", q.ptr, srv.operator_token, NULL, NULL, 0, &by_id),
                         0);
        assert_int_equal(by_id.status, 200);
        assert_int_equal(json_integer_value(json_object_get(by_id.json, "leaf_index")), idx);
        lds_http_resp_free(&by_id);
        lds_buf_release(&q);
        json_decref(ev);

        /* lodestone verify on the files as served: 0; a tampered leaf: 1. */
        write_text("leaf.bin", leaf.body, leaf.len, leaf_path, sizeof leaf_path);
        write_text("proof.json", proof.body, proof.len, proof_path, sizeof proof_path);
        char args[4096];
        snprintf(args, sizeof args, "--sth %s --key %s --leaf %s --proof %s", sth_path, key_path,
                 leaf_path, proof_path);
        assert_int_equal(run_verify(args), 0);
        leaf.body[leaf.len / 2] ^= 1;
        write_text("leaf.bin", leaf.body, leaf.len, leaf_path, sizeof leaf_path);
        assert_int_equal(run_verify(args), 1);
        lds_http_resp_free(&leaf);
        lds_http_resp_free(&proof);
    }
    /* Out-of-range proofs are 400. */
    char bad[256];
    snprintf(bad, sizeof bad, "/api/v1/ledger/proof/inclusion?leaf_index=%llu&tree_size=%llu",
             (unsigned long long)sth.tree_size, (unsigned long long)sth.tree_size);
    assert_int_equal(lds_http(&srv, "GET", bad, srv.member_token, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 400);
    lds_http_resp_free(&r);

    /* More events, a second head, and a consistency proof between the two. */
    char ev[1024];
    snprintf(ev, sizeof ev,
             "{%s,\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-03T09:00:00.000+08:00\","
             "\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346."
             "c1\"],\"action\":\"OBSERVE\"}",
             ctx);
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token, "application/json",
                              ev, strlen(ev), &r),
                     0);
    assert_int_equal(r.status, 201);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/ledger/sth", NULL, NULL, NULL, 0, &r), 0);
    lds_ledger_sth sth2;
    assert_int_equal(lds_ledger_sth_from_json(r.body, r.len, &sth2, NULL), LDS_OK);
    assert_int_equal(lds_ledger_sth_verify(&sth2, pub, NULL), LDS_OK);
    assert_int_equal(sth2.tree_size, sth.tree_size + 1);
    char sth2_path[600], cons_path[600];
    write_text("sth2.json", r.body, r.len, sth2_path, sizeof sth2_path);
    lds_http_resp_free(&r);
    char path[256];
    snprintf(path, sizeof path, "/api/v1/ledger/proof/consistency?first=%llu&second=%llu",
             (unsigned long long)sth.tree_size, (unsigned long long)sth2.tree_size);
    assert_int_equal(lds_http(&srv, "GET", path, srv.member_token, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    lds_ledger_proof cp;
    assert_int_equal(lds_ledger_consistency_from_json(r.body, r.len, &cp, NULL), LDS_OK);
    assert_int_equal(lds_ledger_verify_consistency(sth.tree_size, sth2.tree_size, sth.root,
                                                   sth2.root, cp.hash[0], cp.n, NULL),
                     LDS_OK);
    write_text("cons.json", r.body, r.len, cons_path, sizeof cons_path);
    lds_http_resp_free(&r);
    char args[4096];
    snprintf(args, sizeof args, "--sth %s --sth2 %s --key %s --consistency %s", sth_path,
             sth2_path, key_path, cons_path);
    assert_int_equal(run_verify(args), 0);
    /* The same head is served again (stored, not re-signed). */
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/ledger/sth", NULL, NULL, NULL, 0, &r), 0);
    lds_ledger_sth again;
    assert_int_equal(lds_ledger_sth_from_json(r.body, r.len, &again, NULL), LDS_OK);
    assert_memory_equal(again.signature, sth2.signature, LDS_LEDGER_SIG_LEN);
    lds_http_resp_free(&r);
}

/* A leaf's bytes are the event with its quantities and counterparties: another
 * org's leaf is a 404 like a missing one, and so is a proof asked by its eventID
 * (as GET /epcis/events/{id}); the org's own event's leaf and proof are served. */
static void ledger_leaves_follow_event_visibility(void **state)
{
    (void)state;
    lds_http_resp r;
    /* Leaf 0 is the demo's first event, at a mine of another organisation. */
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/ledger/leaves/0", srv.operator_token, NULL,
                              NULL, 0, &r),
                     0);
    assert_int_equal(r.status, 200);
    json_t *ev0 = json_loadb(r.body, r.len, 0, NULL);
    assert_non_null(ev0);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", "/api/v1/ledger/leaves/0", srv.member_token, NULL, NULL,
                              0, &r),
                     0);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "\"detail\":\"no leaf 0\""));
    assert_null(strstr(r.body, "eventID"));
    lds_http_resp_free(&r);
    lds_buf q = LDS_BUF_INIT;
    lds_buf_adds(&q, "/api/v1/ledger/proof/inclusion?event_id=");
    lds_test_pct_encode(&q, json_string_value(json_object_get(ev0, "eventID")));
    assert_int_equal(lds_http(&srv, "GET", q.ptr, srv.member_token, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 404);
    assert_null(strstr(r.body, "leaf_index\":"));
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", q.ptr, srv.operator_token, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "leaf_index")), 0);
    lds_http_resp_free(&r);
    lds_buf_release(&q);
    json_decref(ev0);

    /* The member's own event: its proof by eventID and its leaf are served. */
    char ev[1024];
    snprintf(ev, sizeof ev,
             "{%s,\"eventID\":\"urn:uuid:6d1f0c2e-5a4b-4c3d-9e8f-7a6b5c4d3e2f\","
             "\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-04T09:00:00.000+08:00\","
             "\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346."
             "lv1\"],\"action\":\"OBSERVE\"}",
             ctx);
    assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token, "application/json",
                              ev, strlen(ev), &r),
                     0);
    assert_int_equal(r.status, 201);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET",
                              "/api/v1/ledger/proof/inclusion?event_id=urn%3Auuid%3A6d1f0c2e-5a4b-"
                              "4c3d-9e8f-7a6b5c4d3e2f",
                              srv.member_token, NULL, NULL, 0, &r),
                     0);
    assert_int_equal(r.status, 200);
    long long idx = (long long)json_integer_value(json_object_get(r.json, "leaf_index"));
    assert_true(idx > 0);
    lds_http_resp_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/ledger/leaves/%lld", idx);
    assert_int_equal(lds_http(&srv, "GET", path, srv.member_token, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"eventID\":\"urn:uuid:6d1f0c2e-5a4b-4c3d-9e8f-7a6b5c4d3e2f\""));
    lds_http_resp_free(&r);
}

/* A capture job (its counts and error messages) is its org's: job 1 is the
 * demo mine's first capture, a 404 for another org as for a missing job. */
static void capture_jobs_are_their_orgs(void **state)
{
    (void)state;
    lds_http_resp r;
    assert_int_equal(lds_http(&srv, "GET", "/epcis/capture/1", srv.operator_token, NULL, NULL, 0,
                              &r),
                     0);
    assert_int_equal(r.status, 200);
    lds_http_resp_free(&r);
    assert_int_equal(lds_http(&srv, "GET", "/epcis/capture/1", srv.member_token, NULL, NULL, 0, &r),
                     0);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "\"detail\":\"no capture job 1\""));
    assert_null(strstr(r.body, "eventCount"));
    lds_http_resp_free(&r);
}

static void bad_requests_get_problems_and_the_server_keeps_serving(void **state)
{
    (void)state;
    static const struct {
        const char *ct, *body;
        long status;
    } cases[] = {
        {"text/plain", "{}", 415},
        {"application/json", "{\"type\":", 400},
        {"application/json", "[]", 400},
        {"application/json", "{\"type\":\"EPCISDocument\"}", 400},
        {"application/ld+json", "{\"type\":\"EPCISDocument\",\"@context\":[],"
                                "\"schemaVersion\":\"2.0\",\"creationDate\":\"x\","
                                "\"epcisBody\":{\"eventList\":[{\"type\":\"FooEvent\"}]}}",
         400},
    };
    uint64_t before = tree_size();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lds_http_resp r;
        assert_int_equal(lds_http(&srv, "POST", "/epcis/capture", srv.member_token, cases[i].ct,
                                  cases[i].body, strlen(cases[i].body), &r),
                         0);
        if (r.status != cases[i].status)
            fail_msg("case %zu: %ld %s", i, r.status, r.body);
        assert_string_equal(r.content_type, "application/problem+json");
        lds_http_resp_free(&r);
        assert_int_equal(lds_http(&srv, "POST", "/epcis/events", srv.member_token, cases[i].ct,
                                  cases[i].body, strlen(cases[i].body), &r),
                         0);
        assert_true(r.status == 400 || r.status == 415);
        lds_http_resp_free(&r);
    }
    static const char *const bad_gets[] = {
        "/api/v1/ledger/leaves/-1",
        "/api/v1/ledger/leaves/abc",
        "/api/v1/ledger/proof/inclusion",
        "/api/v1/ledger/proof/inclusion?leaf_index=0&event_id=x",
        "/api/v1/ledger/proof/inclusion?leaf_index=x",
        "/api/v1/ledger/proof/consistency?first=1",
        "/api/v1/ledger/proof/consistency?first=0&second=1",
        "/api/v1/ledger/proof/consistency?first=1&second=99999999",
        "/epcis/capture/abc",
        "/epcis/events?GE_eventTime=never",
    };
    for (size_t i = 0; i < sizeof bad_gets / sizeof bad_gets[0]; i++) {
        lds_http_resp r;
        assert_int_equal(lds_http(&srv, "GET", bad_gets[i], srv.member_token, NULL, NULL, 0, &r),
                         0);
        if (r.status != 400 && r.status != 404)
            fail_msg("%s: %ld %s", bad_gets[i], r.status, r.body);
        assert_string_equal(r.content_type, "application/problem+json");
        lds_http_resp_free(&r);
    }
    assert_int_equal(tree_size(), before);
    assert_true(lds_test_server_alive(&srv));
}

static void cli_capture_imports_and_refuses(void **state)
{
    (void)state;
    char db[600], cmd[8192];
    lds_test_path(db, sizeof db, "cli.db");
    const char *root = lds_test_source_root();
    char *out = NULL;
    snprintf(cmd, sizeof cmd,
             "%s capture --db %s %s/../shared/epcis/examples-json/AssociationEvent/"
             "AssociationEvent-a.jsonld %s/../shared/epcis/examples-json/WithSensorData/"
             "SensorDataExample1.jsonld 2>&1",
             lds_test_bin(), db, root, root);
    assert_int_equal(lds_test_run(cmd, &out), 0);
    assert_non_null(strstr(out, "stored"));
    assert_non_null(strstr(out, "ledger: "));
    free(out);
    /* Again: duplicates, nothing new. */
    assert_int_equal(lds_test_run(cmd, &out), 0);
    assert_non_null(strstr(out, " 0 stored"));
    free(out);
    snprintf(cmd, sizeof cmd,
             "%s capture --db %s %s/../shared/epcis/third-party/openepcis-test-resources/"
             "Capture/Invalid/ObjectEvent_with_invalid_action.json 2>&1",
             lds_test_bin(), db, root);
    assert_int_equal(lds_test_run(cmd, &out), 1);
    assert_non_null(strstr(out, "/epcisBody/eventList/0/action"));
    free(out);
    char bad[600];
    lds_test_path(bad, sizeof bad, "broken.json");
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("{\n  \"type\": \"EPCISDocument\",\n  oops\n}\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s capture --db %s %s 2>&1", lds_test_bin(), db, bad);
    assert_int_equal(lds_test_run(cmd, &out), 1);
    assert_non_null(strstr(out, "broken.json:3:"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s capture --db %s 2>&1", lds_test_bin(), db);
    assert_int_equal(lds_test_run(cmd, &out), 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(examples_are_captured_read_back_and_queried),
        cmocka_unit_test(invalid_documents_are_rejected_and_nothing_stored),
        cmocka_unit_test(proceed_stores_the_valid_events),
        cmocka_unit_test(single_events_duplicates_and_conflicts),
        cmocka_unit_test(queries_page_with_next_page_token),
        cmocka_unit_test(ledger_heads_and_proofs_verify),
        cmocka_unit_test(ledger_leaves_follow_event_visibility),
        cmocka_unit_test(capture_jobs_are_their_orgs),
        cmocka_unit_test(bad_requests_get_problems_and_the_server_keeps_serving),
        cmocka_unit_test(cli_capture_imports_and_refuses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
