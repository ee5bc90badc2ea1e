/*
 * routes_trace.c — the EPCIS 2.0 REST capture and query interface and the
 * transparency log's read API.  A capture runs synchronously: the document
 * is validated, stored and committed (with its ledger leaves) before the
 * reply, which is the standard's 202 with the capture job's Location; the
 * job is already finished when the client reads it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "api_int.h"
#include "lodestone/alloc.h"
#include "lodestone/config.h"
#include "lodestone/trace.h"
#include "lodestone/trace_views.h"

/* Roles that may write events: the operator and the chain's enterprises. */
static int may_capture(lds_req *r)
{
    lds_role role = r->who.role;
    if (role == LDS_ROLE_OPERATOR || role == LDS_ROLE_MEMBER || role == LDS_ROLE_PROVIDER)
        return 1;
    char detail[160];
    snprintf(detail, sizeof detail, "capturing events needs an operator, member or provider "
                                    "token; this one has '%s'",
             lds_role_name(role));
    lds_api_problem(r, 403, "forbidden", NULL, detail, NULL);
    return 0;
}

static lds_trace_ledger *ledger_of(lds_req *r)
{
    lds_trace_ledger *lg = r->w->srv->ledger;
    if (!lg)
        lds_api_problem(r, 503, "unavailable", NULL, "the transparency log is not available",
                        NULL);
    return lg;
}

/* Percent-encodes everything but RFC 3986 unreserved characters. */
static void add_encoded(lds_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            lds_buf_addc(b, (char)c);
        } else {
            lds_buf_addc(b, '%');
            lds_buf_addc(b, hex[c >> 4]);
            lds_buf_addc(b, hex[c & 15]);
        }
    }
}

static int is_json_type(const char *ct)
{
    static const char *const types[] = {"application/json", "application/ld+json"};
    if (!ct)
        return 0;
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(types[i]);
        if (strncasecmp(ct, types[i], n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return 1;
    }
    return 0;
}

/*
 * Reads an EPCIS body like lds_api_read_json, except that a repeated object
 * key is taken (the last occurrence wins, as in JavaScript's JSON.parse):
 * the standard's own example AssociationEvent-h.jsonld repeats "eventID".
 * What the ledger hashes is the re-serialised canonical form, so the
 * ambiguity does not reach the log.  Every other error is answered by
 * lds_api_read_json.  The document lives in the worker's JSON arena
 * (json_arena.h), dropped after the request: a 1,000-event document is
 * tens of thousands of nodes, and freeing them one by one was a sixth of
 * batch-capture CPU.
 */
static json_t *read_epcis(lds_req *r)
{
    json_t *doc = NULL;
    lds_err err;
    lds_err_clear(&err);
    const char *body = r->body_len ? r->body : "";
    if (r->body_len <= r->w->srv->cfg.max_body_bytes &&
        is_json_type(lds_api_header(r, "Content-Type"))) {
        if (lds_api_parse_json(r->w->arena, body, r->body_len, JSON_REJECT_DUPLICATES, &doc,
                               &err) == LDS_OK ||
            (strstr(err.msg, "duplicate object key") &&
             lds_api_parse_json(r->w->arena, body, r->body_len, 0, &doc, &err) == LDS_OK))
            return doc;
    }
    /* Replies with the problem (size, media type, syntax, memory). */
    doc = lds_api_read_json(r);
    if (doc && lds_json_arena_adopt(r->w->arena, doc) != 0) { /* parsed there after an OOM here */
        json_decref(doc);
        lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
        return NULL;
    }
    return doc;
}

/* 400 problem+json listing each violation with its JSON pointer. */
static void problem_report(lds_req *r, const lds_epcis_report *rep, const lds_err *err)
{
    lds_field_errors fe = {0};
    for (int i = 0; i < rep->n_items && fe.n < LDS_MAX_FIELD_ERRORS; i++)
        lds_field_errors_add(&fe, rep->items[i].pointer, "%s", rep->items[i].message);
    if (err->code == LDS_ECONFLICT)
        lds_api_problem(r, 409, "conflict", NULL, err->msg, &fe);
    else
        lds_api_problem(r, 400, "epcis-validation", "Invalid EPCIS document", err->msg, &fe);
}

static void h_capture(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    if (!may_capture(r))
        return;
    lds_err err;
    lds_err_clear(&err);
    lds_trace_behaviour beh = LDS_TRACE_ROLLBACK;
    const char *hb = lds_api_header(r, "GS1-Capture-Error-Behaviour");
    if (hb && lds_trace_behaviour_parse(hb, &beh, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
        return;
    }
    json_t *doc = read_epcis(r);
    if (!doc)
        return;
    lds_epcis_report *rep = lds_malloc(sizeof *rep);
    if (!rep) {
        lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
        return;
    }
    lds_epcis_report_init(rep);
    lds_trace_capture_result res;
    lds_code rc = lds_trace_capture(r->w->store, r->w->srv->ledger, doc, beh, r->who.org_id, rep,
                                    &res, &err);
    lds_api_generation_bump(r->w);
    if (rc == LDS_EINVAL && rep->n_errors) {
        problem_report(r, rep, &err);
    } else if (rc != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
    } else {
        lds_buf b = LDS_BUF_INIT;
        if (lds_trace_capture_job_json(r->w->store, res.capture_id, &b, &err) != LDS_OK) {
            lds_api_problem_err(r, &err, NULL);
        } else {
            char loc[64];
            snprintf(loc, sizeof loc, "/epcis/capture/%lld", (long long)res.capture_id);
            lds_api_add_header(r, "Location", loc);
            lds_api_add_header(r, "GS1-EPCIS-Version", "2.0.0");
            lds_api_reply_json(r, 202, &b);
        }
        lds_buf_release(&b);
    }
    lds_epcis_report_release(rep);
    lds_free(rep);
}

static void h_capture_job(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_err err;
    lds_err_clear(&err);
    long long cid = 0;
    if (lds_parse_int(id, 1, INT64_MAX, &cid, "captureID", &err) != LDS_OK) {
        err.code = LDS_ENOTFOUND;
        snprintf(err.msg, sizeof err.msg, "no capture job '%.60s'", id);
        lds_api_problem_err(r, &err, NULL);
        return;
    }
    /* Another org's job (its counts and error messages) is a 404 like a missing one. */
    int vis = lds_trace_capture_visible(r->w->store, lds_trace_viewer_org(&r->who), cid, &err);
    if (vis <= 0) {
        if (vis == 0)
            lds_err_set(&err, LDS_ENOTFOUND, "no capture job %lld", cid);
        lds_api_problem_err(r, &err, NULL);
        return;
    }
    lds_buf b = LDS_BUF_INIT;
    if (lds_trace_capture_job_json(r->w->store, cid, &b, &err) != LDS_OK)
        lds_api_problem_err(r, &err, NULL);
    else
        lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

static void h_event_post(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    if (!may_capture(r))
        return;
    json_t *ev = read_epcis(r);
    if (!ev)
        return;
    lds_err err;
    lds_err_clear(&err);
    lds_epcis_report *rep = lds_malloc(sizeof *rep);
    if (!rep) {
        lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
        return;
    }
    lds_epcis_report_init(rep);
    lds_trace_capture_result res;
    /* Who captured it decides who may read it (trace_views.h).  Operators act
     * for the platform: their single events carry no organisation. */
    int64_t org = r->who.role == LDS_ROLE_OPERATOR ? 0 : r->who.org_id;
    lds_code rc =
        lds_trace_capture_event(r->w->store, r->w->srv->ledger, ev, org, rep, &res, &err);
    lds_api_generation_bump(r->w);
    if ((rc == LDS_EINVAL || rc == LDS_ECONFLICT) && rep->n_errors) {
        problem_report(r, rep, &err);
    } else if (rc != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
    } else {
        lds_buf loc = LDS_BUF_INIT, b = LDS_BUF_INIT;
        lds_buf_adds(&loc, "/epcis/events/");
        add_encoded(&loc, res.event_id);
        lds_buf_adds(&b, "{\"eventID\":");
        lds_buf_add_json_str(&b, res.event_id);
        lds_buf_addf(&b, ",\"duplicate\":%s}", res.n_duplicates ? "true" : "false");
        lds_api_add_header(r, "Location", loc.ptr);
        lds_api_reply_json(r, res.n_duplicates ? 200 : 201, &b);
        lds_buf_release(&loc);
        lds_buf_release(&b);
    }
    lds_epcis_report_release(rep);
    lds_free(rep);
}

static void h_events(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    lds_err err;
    lds_err_clear(&err);
    lds_field_errors fe = {0};
    lds_buf b = LDS_BUF_INIT;
    char token[64];
    /* Operators and auditors see every event, others their org's (trace_views.h). */
    if (lds_trace_query_as(r->w->store, lds_trace_viewer_org(&r->who), r->params, r->n_params,
                           &b, token, sizeof token, &fe, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, &fe);
        lds_buf_release(&b);
        return;
    }
    if (token[0]) {
        lds_buf link = LDS_BUF_INIT;
        lds_buf_adds(&link, "</epcis/events?");
        for (size_t i = 0; i < r->n_params; i++) {
            if (strcmp(r->params[i].key, "nextPageToken") == 0)
                continue;
            add_encoded(&link, r->params[i].key);
            lds_buf_addc(&link, '=');
            add_encoded(&link, r->params[i].value);
            lds_buf_addc(&link, '&');
        }
        lds_buf_addf(&link, "nextPageToken=%s>; rel=\"next\"", token);
        lds_api_add_header(r, "Link", link.ptr);
        lds_buf_release(&link);
    }
    lds_api_add_header(r, "GS1-EPCIS-Version", "2.0.0");
    lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

static void h_event_get(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_err err;
    lds_err_clear(&err);
    lds_buf b = LDS_BUF_INIT;
    if (lds_trace_event_json_as(r->w->store, lds_trace_viewer_org(&r->who), id, &b, &err) !=
        LDS_OK)
        lds_api_problem_err(r, &err, NULL);
    else
        lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

/* ---- ledger --------------------------------------------------------------- */

static const char *param(const lds_req *r, const char *key)
{
    for (size_t i = 0; i < r->n_params; i++)
        if (strcmp(r->params[i].key, key) == 0)
            return r->params[i].value;
    return NULL;
}

/* Parses an unsigned query parameter; replies 400 and returns -1 when bad. */
static int param_u64(lds_req *r, const char *key, uint64_t *out, int required)
{
    const char *v = param(r, key);
    if (!v) {
        if (!required)
            return 0;
        lds_field_errors fe = {0};
        lds_field_errors_add(&fe, key, "required");
        lds_api_problem(r, 400, "invalid-fields", NULL, "a required parameter is missing", &fe);
        return -1;
    }
    long long n = 0;
    lds_err err;
    lds_err_clear(&err);
    if (lds_parse_int(v, 0, INT64_MAX, &n, key, &err) != LDS_OK) {
        lds_field_errors fe = {0};
        lds_field_errors_add(&fe, key, "%s", err.msg);
        lds_api_problem(r, 400, "invalid-fields", NULL, "bad query parameter", &fe);
        return -1;
    }
    *out = (uint64_t)n;
    return 1;
}

static void h_sth(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    lds_trace_ledger *lg = ledger_of(r);
    if (!lg)
        return;
    lds_err err;
    lds_err_clear(&err);
    lds_ledger_sth sth;
    if (lds_trace_ledger_sth(lg, r->w->store, &sth, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
        return;
    }
    lds_buf b = LDS_BUF_INIT;
    lds_ledger_sth_to_json(&sth, &b);
    lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

static void h_public_key(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    lds_trace_ledger *lg = ledger_of(r);
    if (!lg)
        return;
    lds_buf b = LDS_BUF_INIT;
    lds_ledger_add_base64(&b, lds_trace_ledger_public_key(lg), LDS_LEDGER_PUBKEY_LEN);
    lds_buf_addc(&b, '\n');
    lds_api_reply(r, 200, "text/plain; charset=utf-8", b.ptr, b.len);
    lds_buf_release(&b);
}

static void h_leaf(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_err err;
    lds_err_clear(&err);
    long long idx = 0;
    if (lds_parse_int(id, 0, INT64_MAX, &idx, "index", &err) != LDS_OK) {
        lds_api_problem(r, 404, "not-found", NULL, "a leaf index is a non-negative integer",
                        NULL);
        return;
    }
    /* The bytes carry quantities and counterparties: only for those who may
     * read the event (trace_views.h); any other leaf is a 404 like a missing one. */
    int vis = lds_trace_leaf_visible(r->w->store, lds_trace_viewer_org(&r->who), (uint64_t)idx,
                                     &err);
    if (vis <= 0) {
        if (vis == 0)
            lds_err_set(&err, LDS_ENOTFOUND, "no leaf %lld", idx);
        lds_api_problem_err(r, &err, NULL);
        return;
    }
    lds_buf b = LDS_BUF_INIT;
    if (lds_trace_leaf(r->w->store, (uint64_t)idx, &b, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
    } else {
        uint8_t h[LDS_LEDGER_HASH_LEN];
        lds_buf hb = LDS_BUF_INIT;
        lds_ledger_hash_leaf(b.ptr, b.len, h);
        lds_ledger_add_base64(&hb, h, sizeof h);
        lds_api_add_header(r, "Leaf-Hash", hb.ptr);
        lds_buf_release(&hb);
        /* The exact bytes hashed; octet-stream so no client re-encodes them. */
        lds_api_reply(r, 200, "application/octet-stream", b.ptr, b.len);
    }
    lds_buf_release(&b);
}

static void h_inclusion(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    lds_trace_ledger *lg = ledger_of(r);
    if (!lg)
        return;
    lds_err err;
    lds_err_clear(&err);
    uint64_t leaf = 0, size = 0;
    int has_leaf, has_size;
    const char *event_id = param(r, "event_id");
    if ((has_leaf = param_u64(r, "leaf_index", &leaf, 0)) < 0 ||
        (has_size = param_u64(r, "tree_size", &size, 0)) < 0)
        return;
    if (!has_leaf == !event_id) {
        lds_field_errors fe = {0};
        lds_field_errors_add(&fe, "leaf_index", "give exactly one of leaf_index and event_id");
        lds_api_problem(r, 400, "invalid-fields", NULL, "which leaf?", &fe);
        return;
    }
    if (event_id) {
        /* Another org's event is a 404 as on /epcis/events/{id}: no probing. */
        int64_t org = lds_trace_viewer_org(&r->who);
        int vis = org ? lds_trace_event_visible(r->w->store, org, event_id, &err) : 1;
        if (vis == 0)
            lds_err_field(&err, LDS_ENOTFOUND, "event_id", "no event '%.200s'", event_id);
        if (vis <= 0 || lds_trace_event_leaf_index(r->w->store, event_id, &leaf, &err) != LDS_OK) {
            lds_api_problem_err(r, &err, NULL);
            return;
        }
    }
    if (!has_size) {
        lds_ledger_sth sth;
        if (lds_trace_ledger_sth(lg, r->w->store, &sth, &err) != LDS_OK) {
            lds_api_problem_err(r, &err, NULL);
            return;
        }
        size = sth.tree_size;
    }
    lds_ledger_proof *proof = lds_malloc(sizeof *proof);
    if (!proof) {
        lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
        return;
    }
    if (lds_trace_ledger_inclusion(lg, r->w->store, leaf, size, proof, &err) != LDS_OK) {
        lds_field_errors fe = {0};
        if (err.field[0])
            lds_field_errors_add(&fe, err.field, "%s", err.msg);
        lds_api_problem_err(r, &err, &fe);
    } else {
        lds_buf b = LDS_BUF_INIT;
        lds_ledger_inclusion_to_json(leaf, proof, &b);
        if (!b.oom && b.len > 1) {
            /* Also say which tree the path is for: {"leaf_index":..,"tree_size":..,...} */
            b.len--;
            lds_buf_addf(&b, ",\"tree_size\":%llu}", (unsigned long long)size);
        }
        lds_api_reply_json(r, 200, &b);
        lds_buf_release(&b);
    }
    lds_free(proof);
}

static void h_consistency(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    lds_trace_ledger *lg = ledger_of(r);
    if (!lg)
        return;
    uint64_t first = 0, second = 0;
    if (param_u64(r, "first", &first, 1) < 0 || param_u64(r, "second", &second, 1) < 0)
        return;
    lds_err err;
    lds_err_clear(&err);
    lds_ledger_proof *proof = lds_malloc(sizeof *proof);
    if (!proof) {
        lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
        return;
    }
    if (lds_trace_ledger_consistency(lg, r->w->store, first, second, proof, &err) != LDS_OK) {
        lds_field_errors fe = {0};
        if (err.field[0])
            lds_field_errors_add(&fe, err.field, "%s", err.msg);
        lds_api_problem_err(r, &err, &fe);
    } else {
        lds_buf b = LDS_BUF_INIT;
        lds_ledger_consistency_to_json(proof, &b);
        lds_api_reply_json(r, 200, &b);
        lds_buf_release(&b);
    }
    lds_free(proof);
}

const lds_route lds_api_routes_trace[] = {
    {LDS_HTTP_POST, "/epcis/capture", LDS_ACCESS_TOKEN, h_capture, NULL},
    {LDS_HTTP_GET, "/epcis/capture/{id}", LDS_ACCESS_TOKEN, h_capture_job, NULL},
    {LDS_HTTP_POST, "/epcis/events", LDS_ACCESS_TOKEN, h_event_post, NULL},
    {LDS_HTTP_GET, "/epcis/events", LDS_ACCESS_TOKEN, h_events, NULL},
    {LDS_HTTP_GET, "/epcis/events/{id}", LDS_ACCESS_TOKEN, h_event_get, NULL},
    {LDS_HTTP_GET, "/api/v1/ledger/sth", LDS_ACCESS_PUBLIC, h_sth, NULL},
    {LDS_HTTP_GET, "/api/v1/ledger/public-key", LDS_ACCESS_PUBLIC, h_public_key, NULL},
    {LDS_HTTP_GET, "/api/v1/ledger/leaves/{id}", LDS_ACCESS_TOKEN, h_leaf, NULL},
    {LDS_HTTP_GET, "/api/v1/ledger/proof/inclusion", LDS_ACCESS_TOKEN, h_inclusion, NULL},
    {LDS_HTTP_GET, "/api/v1/ledger/proof/consistency", LDS_ACCESS_TOKEN, h_consistency, NULL},
    {0, NULL, 0, NULL, NULL},
};
