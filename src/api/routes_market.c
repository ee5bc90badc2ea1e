/*
 * routes_market.c — the market's HTTP resources: offers, requests and lanes
 * (JSON one by one, or CSV in bulk; offers and requests changed by PATCH and
 * withdrawn by DELETE), match runs and
 * their allocation lines as CSV.  Handlers only frame: validation,
 * visibility and storage are in src/market.  Creating requests take an
 * Idempotency-Key and run in one transaction with it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "api_int.h"
#include "lodestone/market.h"

static lds_market_kind kind_of(const char *arg)
{
    return strcmp(arg, "offers") == 0     ? LDS_MARKET_OFFERS
           : strcmp(arg, "requests") == 0 ? LDS_MARKET_REQUESTS
                                          : LDS_MARKET_LANES;
}

static void h_list(lds_req *r, const char *arg, const char *id)
{
    (void)id;
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    lds_err_clear(&err);
    lds_code rc = arg ? lds_market_list(r->w->store, &r->who, kind_of(arg), r->params,
                                        r->n_params, &b, &fe, &err)
                      : lds_market_run_list(r->w->store, &r->who, r->params, r->n_params, &b,
                                            &fe, &err);
    if (rc != LDS_OK)
        lds_api_problem_err(r, &err, &fe);
    else
        lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

static void h_get(lds_req *r, const char *arg, const char *id)
{
    if (lds_api_no_params(r))
        return;
    lds_buf b = LDS_BUF_INIT;
    lds_err err;
    lds_err_clear(&err);
    lds_code rc = arg ? lds_market_get(r->w->store, &r->who, kind_of(arg), id, &b, &err)
                      : lds_market_run_get(r->w->store, &r->who, id, &b, &err);
    if (rc != LDS_OK)
        lds_api_problem_err(r, &err, NULL);
    else
        lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

static void h_withdraw(lds_req *r, const char *arg, const char *id)
{
    if (lds_api_no_params(r))
        return;
    lds_buf b = LDS_BUF_INIT;
    lds_err err;
    lds_err_clear(&err);
    lds_store *s = r->w->store;
    lds_code rc = lds_store_begin(s, &err);
    if (rc == LDS_OK) {
        rc = lds_market_withdraw(s, &r->who, kind_of(arg), id, &b, &err);
        if (rc == LDS_OK)
            rc = lds_store_commit(s, &err);
        else
            lds_store_rollback(s);
        lds_api_generation_bump(r->w);
    }
    if (rc != LDS_OK)
        lds_api_problem_err(r, &err, NULL);
    else
        lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

static void h_update(lds_req *r, const char *arg, const char *id)
{
    if (lds_api_no_params(r))
        return;
    json_t *body = lds_api_read_json(r);
    if (!body)
        return;
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    lds_err_clear(&err);
    lds_store *s = r->w->store;
    lds_code rc = lds_store_begin(s, &err);
    if (rc == LDS_OK) {
        rc = lds_market_update(s, &r->who, kind_of(arg), id, body, &b, &fe, &err);
        if (rc == LDS_OK)
            rc = lds_store_commit(s, &err);
        else
            lds_store_rollback(s);
        lds_api_generation_bump(r->w);
    }
    if (rc != LDS_OK)
        lds_api_problem_err(r, &err, &fe);
    else
        lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
    json_decref(body);
}

/* GET /api/v1/match-runs/{id}/<arg>: the run's allocations (CSV or XLSX)
 * or unmet requests (CSV), an attachment named after the run. */
static void h_download(lds_req *r, const char *arg, const char *id)
{
    if (lds_api_no_params(r))
        return;
    int xlsx = strcmp(arg, "allocations.xlsx") == 0;
    lds_buf b = LDS_BUF_INIT;
    lds_err err;
    lds_err_clear(&err);
    lds_store *s = r->w->store;
    lds_code rc = xlsx ? lds_market_run_lines_xlsx(s, &r->who, id, &b, &err)
                  : strcmp(arg, "unmet.csv") == 0
                      ? lds_market_run_unmet_csv(s, &r->who, id, &b, &err)
                      : lds_market_run_lines_csv(s, &r->who, id, &b, &err);
    if (rc != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
    } else {
        char disp[96];
        snprintf(disp, sizeof disp, "attachment; filename=\"match-run-%.20s-%s\"", id, arg);
        lds_api_add_header(r, "Content-Disposition", disp);
        lds_api_reply(r, 200,
                      xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                           : "text/csv; charset=utf-8",
                      b.ptr, b.len);
    }
    lds_buf_release(&b);
}

static int is_csv(const lds_req *r)
{
    const char *ct = lds_api_header(r, "Content-Type");
    return ct && strncasecmp(ct, "text/csv", 8) == 0 && (ct[8] == '\0' || ct[8] == ';');
}

/* What a creating handler does inside the transaction. */
typedef lds_code (*create_fn)(lds_req *r, const char *arg, json_t *body, int64_t *id, char *loc,
                              size_t loc_n, lds_buf *out, lds_field_errors *fe, lds_err *err);

static lds_code do_create(lds_req *r, const char *arg, json_t *body, int64_t *id, char *loc,
                          size_t loc_n, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    lds_code rc;
    if (body)
        rc = lds_market_create(r->w->store, &r->who, kind_of(arg), body, id, out, fe, err);
    else
        rc = lds_market_upload_csv(r->w->store, &r->who, kind_of(arg), r->body, r->body_len, out,
                                   fe, err);
    if (rc == LDS_OK && body)
        snprintf(loc, loc_n, "/api/v1/%s/%lld", arg, (long long)*id);
    return rc;
}

static lds_code do_run(lds_req *r, const char *arg, json_t *body, int64_t *id, char *loc,
                       size_t loc_n, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    (void)arg;
    const char *material = NULL;
    int cold = 0;
    if (body) {
        const char *key;
        json_t *val;
        if (!json_is_object(body)) {
            lds_field_errors_add(fe, "", "the body must be a JSON object");
        } else {
            json_object_foreach(body, key, val)
            {
                if (strcmp(key, "cold") == 0) {
                    if (!json_is_boolean(val))
                        lds_field_errors_add(fe, "/cold", "must be true or false");
                    else
                        cold = json_is_true(val);
                } else if (strcmp(key, "material") != 0) {
                    char ptr[128];
                    snprintf(ptr, sizeof ptr, "/%.100s", key);
                    lds_field_errors_add(fe, ptr,
                                         "unknown field '%.60s' (allowed: material, cold)", key);
                } else if (!json_is_null(val) && !json_is_string(val)) {
                    lds_field_errors_add(fe, "/material", "must be a material id");
                } else if (json_is_string(val)) {
                    material = json_string_value(val);
                }
            }
        }
        if (fe->n)
            return lds_err_field(err, LDS_EINVAL, fe->items[0].pointer, "%s: %s",
                                 fe->items[0].pointer, fe->items[0].message);
    }
    lds_code rc = lds_market_run_ex(r->w->store, &r->who, material, cold, id, out, fe, err);
    if (rc == LDS_OK)
        snprintf(loc, loc_n, "/api/v1/match-runs/%lld", (long long)*id);
    return rc;
}

/* The creating frame: Idempotency-Key, body, one transaction, 201. */
static void create_frame(lds_req *r, const char *arg, create_fn fn, int body_optional,
                         int allow_csv)
{
    const char *key;
    uint8_t hash[32];
    if (lds_api_idem_begin(r, &key, hash))
        return;
    json_t *body = NULL;
    int csv = allow_csv && is_csv(r);
    if (!csv && !(body_optional && r->body_len == 0)) {
        body = lds_api_read_json(r);
        if (!body)
            return;
    }
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    lds_err_clear(&err);
    int64_t new_id = 0;
    char loc[96] = "";
    lds_store *s = r->w->store;
    lds_code rc = lds_store_begin(s, &err);
    if (rc == LDS_OK) {
        rc = fn(r, arg, body, &new_id, loc, sizeof loc, &b, &fe, &err);
        if (rc == LDS_OK && key)
            rc = lds_api_idem_record(r, key, hash, 201, &b, loc[0] ? loc : NULL, &err);
        if (rc == LDS_OK)
            rc = lds_store_commit(s, &err);
        else
            lds_store_rollback(s);
        lds_api_generation_bump(r->w);
    }
    if (rc != LDS_OK) {
        lds_api_problem_err(r, &err, &fe);
    } else {
        if (loc[0])
            lds_api_add_header(r, "Location", loc);
        lds_api_reply_json(r, 201, &b);
    }
    lds_buf_release(&b);
    json_decref(body);
}

static void h_create(lds_req *r, const char *arg, const char *id)
{
    (void)id;
    create_frame(r, arg, do_create, 0, 1);
}

static void h_run(lds_req *r, const char *arg, const char *id)
{
    (void)id;
    create_frame(r, arg, do_run, 1, 0);
}

const lds_route lds_api_routes_market[] = {
    {LDS_HTTP_GET, "/api/v1/offers", LDS_ACCESS_TOKEN, h_list, "offers"},
    {LDS_HTTP_POST, "/api/v1/offers", LDS_ACCESS_TOKEN, h_create, "offers"},
    {LDS_HTTP_GET, "/api/v1/offers/{id}", LDS_ACCESS_TOKEN, h_get, "offers"},
    {LDS_HTTP_PATCH, "/api/v1/offers/{id}", LDS_ACCESS_TOKEN, h_update, "offers"},
    {LDS_HTTP_DELETE, "/api/v1/offers/{id}", LDS_ACCESS_TOKEN, h_withdraw, "offers"},
    {LDS_HTTP_GET, "/api/v1/requests", LDS_ACCESS_TOKEN, h_list, "requests"},
    {LDS_HTTP_POST, "/api/v1/requests", LDS_ACCESS_TOKEN, h_create, "requests"},
    {LDS_HTTP_GET, "/api/v1/requests/{id}", LDS_ACCESS_TOKEN, h_get, "requests"},
    {LDS_HTTP_PATCH, "/api/v1/requests/{id}", LDS_ACCESS_TOKEN, h_update, "requests"},
    {LDS_HTTP_DELETE, "/api/v1/requests/{id}", LDS_ACCESS_TOKEN, h_withdraw, "requests"},
    {LDS_HTTP_GET, "/api/v1/lanes", LDS_ACCESS_TOKEN, h_list, "lanes"},
    {LDS_HTTP_POST, "/api/v1/lanes", LDS_ACCESS_OPERATOR, h_create, "lanes"},
    {LDS_HTTP_GET, "/api/v1/lanes/{id}", LDS_ACCESS_TOKEN, h_get, "lanes"},
    {LDS_HTTP_GET, "/api/v1/match-runs", LDS_ACCESS_TOKEN, h_list, NULL},
    {LDS_HTTP_POST, "/api/v1/match-runs", LDS_ACCESS_TOKEN, h_run, NULL},
    {LDS_HTTP_GET, "/api/v1/match-runs/{id}", LDS_ACCESS_TOKEN, h_get, NULL},
    {LDS_HTTP_GET, "/api/v1/match-runs/{id}/allocations.csv", LDS_ACCESS_TOKEN, h_download,
     "allocations.csv"},
    {LDS_HTTP_GET, "/api/v1/match-runs/{id}/allocations.xlsx", LDS_ACCESS_TOKEN, h_download,
     "allocations.xlsx"},
    {LDS_HTTP_GET, "/api/v1/match-runs/{id}/unmet.csv", LDS_ACCESS_TOKEN, h_download, "unmet.csv"},
    {0, NULL, 0, NULL, NULL},
};
