/*
 * routes_reports.c — reports over the trace: the monthly flow report of an
 * enterprise (JSON or CSV) and the digital product passport of a lot
 * (trace_views.h; the lot in the path as in routes_lots.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "api_int.h"
#include "lodestone/listing.h"
#include "lodestone/alloc.h"
#include "lodestone/config.h"
#include "lodestone/trace_views.h"

static const char *param(const lds_req *r, const char *key)
{
    for (size_t i = 0; i < r->n_params; i++)
        if (strcmp(r->params[i].key, key) == 0)
            return r->params[i].value;
    return NULL;
}

/* CSV when asked with format=csv or an Accept naming text/csv (and not JSON first). */
static int wants_csv(const lds_req *r, int *bad)
{
    const char *f = param(r, "format");
    *bad = 0;
    if (f) {
        if (strcmp(f, "csv") == 0)
            return 1;
        if (strcmp(f, "json") != 0)
            *bad = 1;
        return 0;
    }
    const char *acc = lds_api_header(r, "Accept");
    if (!acc)
        return 0;
    const char *csv = strcasestr(acc, "text/csv");
    const char *json = strcasestr(acc, "application/json");
    return csv && (!json || csv < json);
}

static void h_flows(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    lds_err err;
    lds_err_clear(&err);
    lds_field_errors fe = {0};
    for (size_t i = 0; i < r->n_params; i++)
        if (strcmp(r->params[i].key, "org") && strcmp(r->params[i].key, "month") &&
            strcmp(r->params[i].key, "format"))
            lds_field_errors_add(&fe, r->params[i].key, "unknown parameter (org, month, format)");
    const char *org_s = param(r, "org"), *month = param(r, "month");
    long long org = r->who.org_id;
    if (org_s && lds_parse_int(org_s, 1, INT64_MAX, &org, "org", &err) != LDS_OK)
        lds_field_errors_add(&fe, "org", "%s", err.msg);
    int64_t from, to;
    if (!month)
        lds_field_errors_add(&fe, "month", "required: the month as YYYY-MM");
    else if (lds_trace_month_bounds(month, &from, &to, &err) != LDS_OK)
        lds_field_errors_add(&fe, "month", "%s", err.msg);
    int bad_format;
    int csv = wants_csv(r, &bad_format);
    if (bad_format)
        lds_field_errors_add(&fe, "format", "format is json or csv");
    if (fe.n) {
        lds_api_problem(r, 400, "invalid-fields", NULL, "invalid query parameters", &fe);
        return;
    }
    if (org != r->who.org_id && !lds_sees_all(&r->who)) {
        char detail[200];
        snprintf(detail, sizeof detail,
                 "a '%s' token reads the flow report of its own organisation (%lld) only",
                 lds_role_name(r->who.role), (long long)r->who.org_id);
        lds_api_problem(r, 403, "forbidden", NULL, detail, NULL);
        return;
    }
    lds_flow_report rep;
    if (lds_trace_flows(r->w->store, org, month, &rep, &err) != LDS_OK) {
        lds_field_errors_add(&fe, err.field[0] ? err.field : "org", "%s", err.msg);
        lds_api_problem_err(r, &err, &fe);
        return;
    }
    lds_buf b = LDS_BUF_INIT;
    if (csv) {
        lds_trace_flows_csv(&rep, &b);
        char disp[96];
        snprintf(disp, sizeof disp, "attachment; filename=\"flows-%lld-%s.csv\"", org, month);
        lds_api_add_header(r, "Content-Disposition", disp);
        if (b.oom)
            lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
        else
            lds_api_reply(r, 200, "text/csv; charset=utf-8", b.ptr, b.len);
    } else {
        lds_trace_flows_json(&rep, &b);
        lds_api_reply_json(r, 200, &b);
    }
    lds_buf_release(&b);
    lds_trace_flows_free(&rep);
}

/*
 * The passport is public: a buyer anywhere, with no account, reads the
 * public tier and verifies it offline.  A bearer token, when sent, is
 * checked (a bad one is a 401, not a silent downgrade) and selects the
 * tier by the caller's role and relation to the lot.
 */
static void h_passport(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    lds_err err;
    lds_err_clear(&err);
    if (r->n_params) {
        lds_field_errors fe = {0};
        lds_field_errors_add(&fe, r->params[0].key, "unknown parameter '%.60s'",
                             r->params[0].key);
        lds_api_problem(r, 400, "invalid-fields", NULL, "the passport takes no query parameters",
                        &fe);
        return;
    }
    lds_principal who, *whop = NULL;
    const char *auth = lds_api_header(r, "Authorization");
    if (auth) {
        const char *token = strncasecmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
        while (token && *token == ' ')
            token++;
        lds_code rc = token ? lds_token_verify(r->w->store, token, &who, &err) : LDS_EAUTH;
        if (rc == LDS_EAUTH) {
            lds_api_add_header(r, "WWW-Authenticate",
                               "Bearer realm=\"lodestone\", error=\"invalid_token\"");
            lds_api_problem(r, 401, "unauthorized", NULL,
                            token ? err.msg : "the Authorization header must be 'Bearer <token>'",
                            NULL);
            return;
        }
        if (rc != LDS_OK) {
            lds_api_problem_err(r, &err, NULL);
            return;
        }
        r->who = who;
        whop = &who;
    }
    lds_trace_ledger *lg = r->w->srv->ledger;
    if (!lg) {
        lds_api_problem(r, 503, "unavailable", NULL, "the transparency log is not available",
                        NULL);
        return;
    }
    lds_lot *lot = lds_malloc(sizeof *lot);
    if (!lot) {
        lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
        return;
    }
    lds_provenance p;
    memset(&p, 0, sizeof p);
    lds_buf b = LDS_BUF_INIT;
    if (lds_lineage_lot_get(r->w->store, id, lot, &err) != LDS_OK ||
        lds_lineage_provenance(r->w->store, lot->lot, &p, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
    } else {
        lds_passport_tier tier = lds_trace_passport_tier(r->w->store, lot, &p, whop);
        if (lds_trace_passport(r->w->store, lg, lot, &p, tier, &b, &err) != LDS_OK) {
            lds_api_problem_err(r, &err, NULL);
        } else {
            lds_api_add_header(r, "Passport-Tier", lds_passport_tier_name(tier));
            lds_api_add_header(r, "Vary", "Authorization");
            lds_api_reply_json(r, 200, &b);
        }
        lds_provenance_release(&p);
    }
    lds_buf_release(&b);
    lds_free(lot);
}

const lds_route lds_api_routes_reports[] = {
    {LDS_HTTP_GET, "/api/v1/reports/flows", LDS_ACCESS_TOKEN, h_flows, NULL},
    {LDS_HTTP_GET, "/api/v1/lots/{id}/passport", LDS_ACCESS_PUBLIC, h_passport, NULL},
    {0, NULL, 0, NULL, NULL},
};
