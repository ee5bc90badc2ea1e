/*
 * routes_projects.c — projects, stage transitions, documents, the timeline,
 * service requests with comments, and providers.  Handlers only frame:
 * roles, validation and storage are in src/projects.  Every write runs in
 * one transaction (an error stores nothing); creating POSTs take an
 * Idempotency-Key.  A refused transition is a 409 problem carrying
 * `allowed` and `unmet`.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "api_int.h"
#include "lodestone/projects.h"

int64_t lds_api_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lds_api_no_params(lds_req *r)
{
    if (!r->n_params)
        return 0;
    lds_field_errors fe = {0};
    lds_field_errors_add(&fe, r->params[0].key, "unknown parameter '%.60s'", r->params[0].key);
    lds_api_problem(r, 400, "invalid-fields", NULL, "this resource takes no query parameters", &fe);
    return -1;
}

static void reply(lds_req *r, lds_code rc, const lds_err *err, const lds_field_errors *fe,
                  const lds_buf *b)
{
    if (rc != LDS_OK)
        lds_api_problem_err(r, err, fe);
    else
        lds_api_reply_json(r, 200, b);
}

/* ---- reads --------------------------------------------------------------- */

static void h_read(lds_req *r, const char *arg, const char *id)
{
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    lds_err_clear(&err);
    lds_store *s = r->w->store;
    lds_code rc;
    int64_t now = lds_api_now_ms();
    /* Lists take query parameters; single records none. */
    if (strcmp(arg, "projects") == 0)
        rc = lds_project_list(s, &r->who, r->params, r->n_params, &b, &fe, &err);
    else if (strcmp(arg, "service-requests") == 0)
        rc = lds_sr_list(s, &r->who, r->params, r->n_params, now, &b, &fe, &err);
    else if (strcmp(arg, "providers") == 0)
        rc = lds_provider_list(s, &r->who, r->params, r->n_params, now, &b, &fe, &err);
    else if (strcmp(arg, "timeline") == 0)
        rc = lds_project_timeline(s, &r->who, id, r->params, r->n_params, &b, &fe, &err);
    else if (lds_api_no_params(r))
        goto out;
    else if (strcmp(arg, "project") == 0)
        rc = lds_project_get(s, &r->who, id, &b, &err);
    else if (strcmp(arg, "documents") == 0)
        rc = lds_project_doc_list(s, &r->who, id, &b, &err);
    else
        rc = lds_sr_get(s, &r->who, id, now, &b, &err);
    reply(r, rc, &err, &fe, &b);
out:
    lds_buf_release(&b);
}

/* ---- writes -------------------------------------------------------------- */

enum {
    W_PROJECT,
    W_PROJECT_PATCH,
    W_TRANSITION,
    W_DOCUMENT,
    W_SR,
    W_SR_PATCH,
    W_COMMENT,
    W_PROVIDER
};

static lds_code do_write(lds_req *r, int what, const char *id, json_t *body, int64_t now,
                         char *loc, size_t loc_n, lds_buf *out, lds_buf *refusal,
                         lds_field_errors *fe, lds_err *err)
{
    lds_store *s = r->w->store;
    int64_t new_id = 0;
    lds_code rc;
    switch (what) {
    case W_PROJECT:
        rc = lds_project_create(s, &r->who, body, now, &new_id, out, fe, err);
        if (rc == LDS_OK)
            snprintf(loc, loc_n, "/api/v1/projects/%lld", (long long)new_id);
        return rc;
    case W_PROJECT_PATCH:
        return lds_project_patch(s, &r->who, id, body, now, out, fe, err);
    case W_TRANSITION:
        return lds_project_transition(s, &r->who, id, body, now, out, refusal, fe, err);
    case W_DOCUMENT:
        rc = lds_project_doc_add(s, &r->who, id, body, now, &new_id, out, fe, err);
        if (rc == LDS_OK)
            snprintf(loc, loc_n, "/api/v1/projects/%.20s/documents", id);
        return rc;
    case W_SR:
        rc = lds_sr_create(s, &r->who, body, now, &new_id, out, fe, err);
        if (rc == LDS_OK)
            snprintf(loc, loc_n, "/api/v1/service-requests/%lld", (long long)new_id);
        return rc;
    case W_SR_PATCH:
        return lds_sr_patch(s, &r->who, id, body, now, out, fe, err);
    case W_COMMENT:
        rc = lds_sr_comment(s, &r->who, id, body, now, &new_id, out, fe, err);
        if (rc == LDS_OK)
            snprintf(loc, loc_n, "/api/v1/service-requests/%.20s", id);
        return rc;
    default:
        return lds_provider_put(s, &r->who, body, now, out, fe, err);
    }
}

static int is_csv(const lds_req *r)
{
    const char *ct = lds_api_header(r, "Content-Type");
    return ct && strncasecmp(ct, "text/csv", 8) == 0 && (ct[8] == '\0' || ct[8] == ';');
}

/* The write frame (api_int.h): Idempotency-Key (creating POSTs), JSON
 * body, one transaction, `status` on success, a refused transition as 409
 * with the refusal's members.  The registry, market, investment and lots
 * routes write through it too. */
void lds_api_write_frame(lds_req *r, lds_api_write_fn fn, int what, const char *id, int status,
                         int flags)
{
    const char *key = NULL;
    uint8_t hash[32];
    if (!(flags & LDS_API_WRITE_ANY_QUERY) && lds_api_no_params(r))
        return;
    if ((flags & LDS_API_WRITE_IDEM) && lds_api_idem_begin(r, &key, hash))
        return;
    json_t *body = NULL;
    int csv = (flags & LDS_API_WRITE_CSV) && is_csv(r);
    int none = (flags & LDS_API_WRITE_NO_BODY) ||
               ((flags & LDS_API_WRITE_BODY_OPTIONAL) && r->body_len == 0);
    if (!csv && !none && !(body = lds_api_read_json(r)))
        return;
    lds_buf b = LDS_BUF_INIT, refusal = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    lds_err_clear(&err);
    char loc[96] = "";
    lds_store *s = r->w->store;
    lds_code rc = lds_store_begin(s, &err);
    if (rc == LDS_OK) {
        rc = fn(r, what, id, body, lds_api_now_ms(), loc, sizeof loc, &b, &refusal, &fe, &err);
        if (rc == LDS_OK && key)
            rc = lds_api_idem_record(r, key, hash, status, &b, loc[0] ? loc : NULL, &err);
        if (rc == LDS_OK)
            rc = lds_store_commit(s, &err);
        else
            lds_store_rollback(s);
        lds_api_generation_bump(r->w);
    }
    if (rc == LDS_ECONFLICT && refusal.len && !refusal.oom) {
        lds_buf p = LDS_BUF_INIT;
        lds_api_problem_body(&p, 409, "transition-refused", "Transition refused", err.msg, r->path,
                             r->id, NULL);
        p.len--; /* reopen the object for the extension members */
        lds_buf_addc(&p, ',');
        lds_buf_add(&p, refusal.ptr, refusal.len);
        lds_buf_addc(&p, '}');
        if (p.oom)
            lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
        else
            lds_api_reply(r, 409, "application/problem+json", p.ptr, p.len);
        lds_buf_release(&p);
    } else if (rc != LDS_OK) {
        if ((flags & LDS_API_WRITE_CONFLICT_FIELD) && rc == LDS_ECONFLICT && err.field[0] &&
            fe.n == 0)
            lds_field_errors_add(&fe, err.field, "%s", err.msg);
        lds_api_problem_err(r, &err, &fe);
    } else {
        if (loc[0] && status == 201)
            lds_api_add_header(r, "Location", loc);
        lds_api_reply_json(r, status, &b);
    }
    lds_buf_release(&b);
    lds_buf_release(&refusal);
    json_decref(body);
}

static void h_project_create(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_PROJECT, id, 201, LDS_API_WRITE_IDEM);
}

static void h_project_patch(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_PROJECT_PATCH, id, 200, 0);
}

static void h_transition(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_TRANSITION, id, 200, 0);
}

static void h_document(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_DOCUMENT, id, 201, LDS_API_WRITE_IDEM);
}

static void h_sr_create(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_SR, id, 201, LDS_API_WRITE_IDEM);
}

static void h_sr_patch(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_SR_PATCH, id, 200, 0);
}

static void h_comment(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_COMMENT, id, 201, LDS_API_WRITE_IDEM);
}

static void h_provider(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_PROVIDER, id, 201, LDS_API_WRITE_IDEM);
}

const lds_route lds_api_routes_projects[] = {
    {LDS_HTTP_GET, "/api/v1/projects", LDS_ACCESS_TOKEN, h_read, "projects"},
    {LDS_HTTP_POST, "/api/v1/projects", LDS_ACCESS_TOKEN, h_project_create, NULL},
    {LDS_HTTP_GET, "/api/v1/projects/{id}", LDS_ACCESS_TOKEN, h_read, "project"},
    {LDS_HTTP_PATCH, "/api/v1/projects/{id}", LDS_ACCESS_TOKEN, h_project_patch, NULL},
    {LDS_HTTP_POST, "/api/v1/projects/{id}/transitions", LDS_ACCESS_TOKEN, h_transition, NULL},
    {LDS_HTTP_GET, "/api/v1/projects/{id}/timeline", LDS_ACCESS_TOKEN, h_read, "timeline"},
    {LDS_HTTP_GET, "/api/v1/projects/{id}/documents", LDS_ACCESS_TOKEN, h_read, "documents"},
    {LDS_HTTP_POST, "/api/v1/projects/{id}/documents", LDS_ACCESS_TOKEN, h_document, NULL},
    {LDS_HTTP_GET, "/api/v1/service-requests", LDS_ACCESS_TOKEN, h_read, "service-requests"},
    {LDS_HTTP_POST, "/api/v1/service-requests", LDS_ACCESS_TOKEN, h_sr_create, NULL},
    {LDS_HTTP_GET, "/api/v1/service-requests/{id}", LDS_ACCESS_TOKEN, h_read, "service-request"},
    {LDS_HTTP_PATCH, "/api/v1/service-requests/{id}", LDS_ACCESS_TOKEN, h_sr_patch, NULL},
    {LDS_HTTP_POST, "/api/v1/service-requests/{id}/comments", LDS_ACCESS_TOKEN, h_comment, NULL},
    {LDS_HTTP_GET, "/api/v1/providers", LDS_ACCESS_TOKEN, h_read, "providers"},
    {LDS_HTTP_POST, "/api/v1/providers", LDS_ACCESS_TOKEN, h_provider, NULL},
    {0, NULL, 0, NULL, NULL},
};
