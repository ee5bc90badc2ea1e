/*
 * routes_invest.c — investor mandates, their matches with projects (both
 * ways, with explanations), deals and their transitions, and the lifecycle
 * metrics.  Handlers only frame: roles, validation and storage are in
 * src/invest and src/lifecycle.  Writes run in one transaction; creating
 * POSTs take an Idempotency-Key; a refused deal transition is a 409 problem
 * carrying `allowed`.
 */
#include <stdio.h>
#include <string.h>
#include "api_int.h"
#include "lodestone/invest.h"
#include "lodestone/lifecycle.h"

static void h_read(lds_req *r, const char *arg, const char *id)
{
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    lds_err_clear(&err);
    lds_store *s = r->w->store;
    lds_code rc;
    if (strcmp(arg, "mandates") == 0)
        rc = lds_mandate_list(s, &r->who, r->params, r->n_params, &b, &fe, &err);
    else if (strcmp(arg, "deals") == 0)
        rc = lds_deal_list(s, &r->who, r->params, r->n_params, &b, &fe, &err);
    else if (strcmp(arg, "mandate-matches") == 0)
        rc = lds_invest_mandate_matches(s, &r->who, id, r->params, r->n_params, &b, &fe, &err);
    else if (strcmp(arg, "project-matches") == 0)
        rc = lds_invest_project_matches(s, &r->who, id, r->params, r->n_params, &b, &fe, &err);
    else if (lds_api_no_params(r))
        goto out;
    else if (strcmp(arg, "mandate") == 0)
        rc = lds_mandate_get(s, &r->who, id, &b, &err);
    else if (strcmp(arg, "deal-timeline") == 0)
        rc = lds_deal_timeline(s, &r->who, id, &b, &err);
    else
        rc = lds_deal_get(s, &r->who, id, &b, &err);
    if (rc != LDS_OK)
        lds_api_problem_err(r, &err, &fe);
    else
        lds_api_reply_json(r, 200, &b);
out:
    lds_buf_release(&b);
}

enum { W_MANDATE, W_DEAL, W_DEAL_MOVE };

/* What a write does inside the frame (lds_api_write_frame, routes_projects.c). */
static lds_code do_write(lds_req *r, int what, const char *id, json_t *body, int64_t now,
                         char *loc, size_t loc_n, lds_buf *out, lds_buf *refusal,
                         lds_field_errors *fe, lds_err *err)
{
    lds_store *s = r->w->store;
    int64_t new_id = 0;
    lds_code rc;
    switch (what) {
    case W_MANDATE:
        rc = lds_mandate_create(s, &r->who, body, now, &new_id, out, fe, err);
        if (rc == LDS_OK)
            snprintf(loc, loc_n, "/api/v1/mandates/%lld", (long long)new_id);
        return rc;
    case W_DEAL:
        rc = lds_deal_create(s, &r->who, body, now, &new_id, out, fe, err);
        if (rc == LDS_OK)
            snprintf(loc, loc_n, "/api/v1/deals/%lld", (long long)new_id);
        return rc;
    default:
        return lds_deal_transition(s, &r->who, id, body, now, out, refusal, fe, err);
    }
}

static void h_mandate_create(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_MANDATE, id, 201, LDS_API_WRITE_IDEM);
}

static void h_deal_create(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_DEAL, id, 201, LDS_API_WRITE_IDEM);
}

static void h_deal_move(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_api_write_frame(r, do_write, W_DEAL_MOVE, id, 200, 0);
}

/* GET /api/v1/metrics/lifecycle[?now=RFC3339]: the whole platform's
 * lifecycle metrics (aggregates only).  `now` fixes the clock that decides
 * which open requests are past due. */
static void h_metrics(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    lds_field_errors fe = {0};
    int64_t now = lds_api_now_ms();
    for (size_t i = 0; i < r->n_params; i++) {
        if (strcmp(r->params[i].key, "now") == 0) {
            now = lds_lifecycle_time_parse(r->params[i].value);
            if (now < 0)
                lds_field_errors_add(&fe, "now", "must be an RFC 3339 UTC time "
                                                 "(YYYY-MM-DDTHH:MM:SSZ)");
        } else {
            lds_field_errors_add(&fe, r->params[i].key, "unknown parameter '%.60s' (allowed: now)",
                                 r->params[i].key);
        }
    }
    if (fe.n) {
        lds_api_problem(r, 400, "invalid-fields", NULL, fe.items[0].message, &fe);
        return;
    }
    lds_err err;
    lds_err_clear(&err);
    lds_lcm_data *d = NULL;
    lds_lcm_metrics *m = NULL;
    lds_code rc = lds_lifecycle_read(r->w->store, now, &d, &err);
    if (rc == LDS_OK)
        rc = lds_lifecycle_metrics(lds_lifecycle_data_input(d), &m, &err);
    if (rc != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
    } else {
        lds_buf b = LDS_BUF_INIT;
        lds_lifecycle_metrics_json(m, &b);
        lds_api_reply_json(r, 200, &b);
        lds_buf_release(&b);
    }
    lds_lifecycle_metrics_free(m);
    lds_lifecycle_data_free(d);
}

const lds_route lds_api_routes_invest[] = {
    {LDS_HTTP_GET, "/api/v1/mandates", LDS_ACCESS_TOKEN, h_read, "mandates"},
    {LDS_HTTP_POST, "/api/v1/mandates", LDS_ACCESS_TOKEN, h_mandate_create, NULL},
    {LDS_HTTP_GET, "/api/v1/mandates/{id}", LDS_ACCESS_TOKEN, h_read, "mandate"},
    {LDS_HTTP_GET, "/api/v1/mandates/{id}/matches", LDS_ACCESS_TOKEN, h_read, "mandate-matches"},
    {LDS_HTTP_GET, "/api/v1/projects/{id}/investor-matches", LDS_ACCESS_TOKEN, h_read,
     "project-matches"},
    {LDS_HTTP_GET, "/api/v1/deals", LDS_ACCESS_TOKEN, h_read, "deals"},
    {LDS_HTTP_POST, "/api/v1/deals", LDS_ACCESS_TOKEN, h_deal_create, NULL},
    {LDS_HTTP_GET, "/api/v1/deals/{id}", LDS_ACCESS_TOKEN, h_read, "deal"},
    {LDS_HTTP_GET, "/api/v1/deals/{id}/timeline", LDS_ACCESS_TOKEN, h_read, "deal-timeline"},
    {LDS_HTTP_POST, "/api/v1/deals/{id}/transitions", LDS_ACCESS_TOKEN, h_deal_move, NULL},
    {LDS_HTTP_GET, "/api/v1/metrics/lifecycle", LDS_ACCESS_TOKEN, h_metrics, NULL},
    {0, NULL, 0, NULL, NULL},
};
