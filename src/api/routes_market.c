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

/* PATCH (`body`) or DELETE (none) an offer, request or lane: `what` is its kind. */
static lds_code do_change(lds_req *r, int what, const char *id, json_t *body, int64_t now,
                          char *loc, size_t loc_n, lds_buf *out, lds_buf *refusal,
                          lds_field_errors *fe, lds_err *err)
{
    (void)now;
    (void)loc;
    (void)loc_n;
    (void)refusal;
    lds_market_kind k = (lds_market_kind)what;
    return body ? lds_market_update(r->w->store, &r->who, k, id, body, out, fe, err)
                : lds_market_withdraw(r->w->store, &r->who, k, id, out, err);
}

static void h_withdraw(lds_req *r, const char *arg, const char *id)
{
    lds_api_write_frame(r, do_change, (int)kind_of(arg), id, 200, LDS_API_WRITE_NO_BODY);
}

static void h_update(lds_req *r, const char *arg, const char *id)
{
    lds_api_write_frame(r, do_change, (int)kind_of(arg), id, 200, 0);
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

/* POST a record (JSON) or a CSV upload of them: `arg` (the frame's id) is
 * "offers", "requests" or "lanes". */
static lds_code do_create(lds_req *r, int what, const char *arg, json_t *body, int64_t now,
                          char *loc, size_t loc_n, lds_buf *out, lds_buf *refusal,
                          lds_field_errors *fe, lds_err *err)
{
    (void)what;
    (void)now;
    (void)refusal;
    int64_t id = 0;
    lds_code rc;
    if (body)
        rc = lds_market_create(r->w->store, &r->who, kind_of(arg), body, &id, out, fe, err);
    else
        rc = lds_market_upload_csv(r->w->store, &r->who, kind_of(arg), r->body, r->body_len, out,
                                   fe, err);
    if (rc == LDS_OK && body)
        snprintf(loc, loc_n, "/api/v1/%s/%lld", arg, (long long)id);
    return rc;
}

/* POST a match run: the body (optional) is {material?, cold?}. */
static lds_code do_run(lds_req *r, int what, const char *arg, json_t *body, int64_t now,
                       char *loc, size_t loc_n, lds_buf *out, lds_buf *refusal,
                       lds_field_errors *fe, lds_err *err)
{
    (void)what;
    (void)arg;
    (void)now;
    (void)refusal;
    int64_t id = 0;
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
    lds_code rc = lds_market_run_ex(r->w->store, &r->who, material, cold, &id, out, fe, err);
    if (rc == LDS_OK)
        snprintf(loc, loc_n, "/api/v1/match-runs/%lld", (long long)id);
    return rc;
}

static void h_create(lds_req *r, const char *arg, const char *id)
{
    (void)id;
    lds_api_write_frame(r, do_create, 0, arg, 201,
                        LDS_API_WRITE_IDEM | LDS_API_WRITE_ANY_QUERY | LDS_API_WRITE_CSV);
}

static void h_run(lds_req *r, const char *arg, const char *id)
{
    (void)id;
    lds_api_write_frame(r, do_run, 0, arg, 201,
                        LDS_API_WRITE_IDEM | LDS_API_WRITE_ANY_QUERY |
                            LDS_API_WRITE_BODY_OPTIONAL);
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
