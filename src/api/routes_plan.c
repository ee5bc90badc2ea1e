/*
 * routes_plan.c — mine-to-market plans: `POST /api/v1/plans` solves the
 * stored forecast under a scenario and keeps the run; `GET /api/v1/plans`
 * lists the runs, `GET /api/v1/plans/{id}` reads one back.  Plans show every facility's production,
 * so they are for the operator (and auditors may read them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "lodestone/listing.h"
#include "lodestone/alloc.h"
#include "lodestone/plan.h"

static void h_plan_create(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    const char *scenario = NULL;
    json_t *body = NULL;
    if (r->body_len) {
        if (!(body = lds_api_read_json(r)))
            return;
        lds_field_errors fe = {0};
        if (!json_is_object(body)) {
            lds_field_errors_add(&fe, "", "the body must be a JSON object");
        } else {
            const char *key;
            json_t *v;
            json_object_foreach(body, key, v)
            {
                if (strcmp(key, "scenario") == 0) {
                    if (!json_is_string(v) && !json_is_null(v))
                        lds_field_errors_add(&fe, "/scenario", "must be a string");
                    else
                        scenario = json_string_value(v);
                } else {
                    lds_field_errors_add(&fe, "", "unknown field '%.60s' (allowed: scenario)", key);
                }
            }
        }
        if (fe.n) {
            lds_api_problem(r, 400, "invalid-fields", NULL, fe.items[0].message, &fe);
            json_decref(body);
            return;
        }
    }
    int64_t run_id = 0;
    char *json = NULL;
    lds_err err;
    lds_err_clear(&err);
    lds_code rc = lds_plan_run(r->w->store, scenario, &run_id, &json, &err);
    lds_api_generation_bump(r->w);
    if (rc == LDS_ENOTFOUND) {
        lds_field_errors fe = {0};
        lds_field_errors_add(&fe, "/scenario", "%s", err.msg);
        lds_api_problem(r, 400, "invalid-fields", NULL, err.msg, &fe);
    } else if (rc != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
    } else {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v1/plans/%lld", (long long)run_id);
        lds_api_add_header(r, "Location", loc);
        lds_buf b = LDS_BUF_INIT;
        lds_buf_addf(&b, "{\"id\":%lld,\"scenario\":", (long long)run_id);
        lds_buf_add_json_str(&b, scenario && *scenario ? scenario : "as-is");
        lds_buf_adds(&b, ",\"result\":");
        lds_buf_adds(&b, json ? json : "null");
        lds_buf_addc(&b, '}');
        lds_api_reply_json(r, 201, &b);
        lds_buf_release(&b);
    }
    lds_free(json);
    json_decref(body);
}

/* Plans are read by operators and auditors: else answers 403 and returns 1. */
static int refused_reader(lds_req *r)
{
    if (lds_sees_all(&r->who))
        return 0;
    lds_api_problem(r, 403, "forbidden", NULL, "plans are read by operators and auditors", NULL);
    return 1;
}

static void h_plan_get(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    if (refused_reader(r))
        return;
    char *end = NULL;
    long long run_id = strtoll(id, &end, 10);
    if (!*id || *end || run_id <= 0) {
        lds_api_problem(r, 404, "not-found", NULL, "no plan with that id", NULL);
        return;
    }
    char *json = NULL;
    lds_err err;
    lds_err_clear(&err);
    if (lds_plan_get_run(r->w->store, run_id, &json, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
        return;
    }
    lds_buf b = LDS_BUF_INIT;
    lds_buf_addf(&b, "{\"id\":%lld,\"result\":", run_id);
    lds_buf_adds(&b, json ? json : "null");
    lds_buf_addc(&b, '}');
    lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
    lds_free(json);
}

/* Stored runs, newest first: `limit` (1..500, default 50) and the cursor `next`. */
static void h_plan_list(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    if (refused_reader(r))
        return;
    lds_field_errors fe = {0};
    int64_t limit = 0;
    const char *next = NULL;
    lds_list_params(r->params, r->n_params, NULL, 0, NULL, &limit, &next, &fe);
    long long before = 0;
    if (next) {
        char *end = NULL;
        before = strtoll(next, &end, 10);
        if (!*next || *end || before <= 0)
            lds_field_errors_add(&fe, "/next", "not a cursor this list gave out");
    }
    if (fe.n) {
        lds_api_problem(r, 400, "invalid-fields", NULL, fe.items[0].message, &fe);
        return;
    }
    lds_buf b = LDS_BUF_INIT;
    lds_err err;
    lds_err_clear(&err);
    if (lds_plan_list_runs(r->w->store, before, limit, &b, &err) != LDS_OK)
        lds_api_problem_err(r, &err, NULL);
    else
        lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

/* A positive plan id from query parameter `key`, or 0 after noting the problem in fe. */
static int64_t plan_param(const lds_req *r, const char *key, lds_field_errors *fe)
{
    char ptr[8];
    snprintf(ptr, sizeof ptr, "/%s", key);
    for (size_t i = 0; i < r->n_params; i++) {
        if (strcmp(r->params[i].key, key) != 0)
            continue;
        const char *v = r->params[i].value ? r->params[i].value : "";
        char *end = NULL;
        long long id = strtoll(v, &end, 10);
        if (!*v || *end || id <= 0) {
            lds_field_errors_add(fe, ptr, "must be a plan id (a positive integer)");
            return 0;
        }
        return id;
    }
    lds_field_errors_add(fe, ptr, "required: the id of a plan");
    return 0;
}

static void h_plan_compare(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    if (refused_reader(r))
        return;
    lds_field_errors fe = {0};
    for (size_t i = 0; i < r->n_params; i++)
        if (strcmp(r->params[i].key, "a") != 0 && strcmp(r->params[i].key, "b") != 0) {
            char ptr[80];
            snprintf(ptr, sizeof ptr, "/%.60s", r->params[i].key);
            lds_field_errors_add(&fe, ptr, "unknown parameter '%.60s' (allowed: a, b)",
                                 r->params[i].key);
        }
    int64_t a = plan_param(r, "a", &fe), b = plan_param(r, "b", &fe);
    if (fe.n) {
        lds_api_problem(r, 400, "invalid-fields", NULL, fe.items[0].message, &fe);
        return;
    }
    char *json = NULL;
    lds_err err;
    lds_err_clear(&err);
    if (lds_plan_compare(r->w->store, a, b, &json, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
    } else {
        lds_buf buf = LDS_BUF_INIT;
        lds_buf_adds(&buf, json);
        lds_api_reply_json(r, 200, &buf);
        lds_buf_release(&buf);
    }
    lds_free(json);
}

const lds_route lds_api_routes_plan[] = {
    {LDS_HTTP_GET, "/api/v1/plans/compare", LDS_ACCESS_TOKEN, h_plan_compare, NULL},
    {LDS_HTTP_POST, "/api/v1/plans", LDS_ACCESS_OPERATOR, h_plan_create, NULL},
    {LDS_HTTP_GET, "/api/v1/plans", LDS_ACCESS_TOKEN, h_plan_list, NULL},
    {LDS_HTTP_GET, "/api/v1/plans/{id}", LDS_ACCESS_TOKEN, h_plan_get, NULL},
    {0, NULL, 0, NULL, NULL},
};
