/*
 * routes.c — the route table, authentication and the catalog handlers.
 * A route is a method, a path pattern ("{id}" captures one segment) and the
 * least role it needs.  A path that matches with another method gets 405
 * with Allow; no match at all gets 404.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <strings.h>
#include "api_int.h"
#include "lodestone/alloc.h"
#include "lodestone/version.h"


static void h_health(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    static const char body[] = "{\"status\":\"ok\"}";
    lds_api_reply(r, 200, "application/json", body, sizeof body - 1);
}

/* Prometheus text exposition: request counts by status class, workers, uptime. */
static void h_metrics(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    lds_server *srv = r->w->srv;
    uint64_t by_class[6] = {0};
    for (int i = 0; i < srv->n_workers; i++)
        for (int c = 1; c < 6; c++)
            by_class[c] += atomic_load_explicit(&srv->workers[i].by_class[c], memory_order_relaxed);
    by_class[2]++; /* this reply */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    lds_buf b = LDS_BUF_INIT;
    lds_buf_addf(&b, "# HELP lodestone_build_info Build of this server.\n"
                     "# TYPE lodestone_build_info gauge\n"
                     "lodestone_build_info{version=\"%s\"} 1\n"
                     "# HELP lodestone_http_workers Worker threads serving HTTP.\n"
                     "# TYPE lodestone_http_workers gauge\n"
                     "lodestone_http_workers %d\n"
                     "# HELP lodestone_uptime_seconds Seconds since the server started.\n"
                     "# TYPE lodestone_uptime_seconds gauge\n"
                     "lodestone_uptime_seconds %.3f\n"
                     "# HELP lodestone_http_responses_total Responses sent, by status class.\n"
                     "# TYPE lodestone_http_responses_total counter\n",
                 LDS_VERSION, srv->n_workers, (double)(now_ms - srv->started_ms) / 1000.0);
    for (int c = 1; c < 6; c++)
        lds_buf_addf(&b, "lodestone_http_responses_total{class=\"%dxx\"} %llu\n", c,
                     (unsigned long long)by_class[c]);
    if (b.oom)
        lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
    else
        lds_api_reply(r, 200, "text/plain; version=0.0.4", b.ptr, b.len);
    lds_buf_release(&b);
}

static void h_list(lds_req *r, const char *resource, const char *id)
{
    (void)id;
    lds_worker *w = r->w;
    const char *uri = r->uri;
    uint64_t gen = lds_api_generation(w);
    const cache_entry *hit = lds_api_cache_get(w, uri, gen);
    if (hit) {
        lds_api_reply(r, 200, "application/json", hit->body, hit->len);
        return;
    }
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    lds_err_clear(&err);
    if (lds_registry_list(w->store, resource, r->params, r->n_params, &b, &fe, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, &fe);
    } else {
        lds_api_cache_put(w, uri, gen, &b);
        lds_api_reply_json(r, 200, &b);
    }
    lds_buf_release(&b);
}

static void h_get(lds_req *r, const char *resource, const char *id)
{
    lds_buf b = LDS_BUF_INIT;
    lds_err err;
    lds_err_clear(&err);
    if (lds_api_no_params(r))
        return;
    if (lds_registry_get(r->w->store, resource, id, &b, &err) != LDS_OK)
        lds_api_problem_err(r, &err, NULL);
    else
        lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

/* Creates a record of the resource `res` (the frame's id) inside the write frame. */
static lds_code do_create(lds_req *r, int what, const char *res, json_t *body, int64_t now,
                          char *loc, size_t loc_n, lds_buf *out, lds_buf *refusal,
                          lds_field_errors *fe, lds_err *err)
{
    (void)what;
    (void)now;
    (void)refusal;
    int64_t new_id = 0;
    lds_code rc = lds_registry_create(r->w->store, res, body, &new_id, out, fe, err);
    if (rc == LDS_OK)
        snprintf(loc, loc_n, "/api/v1/%s/%lld", res, (long long)new_id);
    return rc;
}

/* POST a registry record: query parameters are ignored, as they always were. */
static void h_create(lds_req *r, const char *resource, const char *id)
{
    (void)id;
    lds_api_write_frame(r, do_create, 0, resource, 201,
                        LDS_API_WRITE_IDEM | LDS_API_WRITE_ANY_QUERY);
}

/* Who the bearer token speaks for: its organisation and role, so a client
 * (the dashboard) shows what that role may do without probing. */
static void h_me(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    if (lds_api_no_params(r))
        return;
    lds_buf b = LDS_BUF_INIT;
    lds_buf_addf(&b, "{\"org_id\":%lld,\"role\":\"%s\"}", (long long)r->who.org_id,
                 lds_role_name(r->who.role));
    lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

const lds_route lds_api_routes_registry[] = {
    {LDS_HTTP_GET, "/healthz", LDS_ACCESS_PUBLIC, h_health, NULL},
    {LDS_HTTP_GET, "/metrics", LDS_ACCESS_PUBLIC, h_metrics, NULL},
    {LDS_HTTP_GET, "/api/v1/me", LDS_ACCESS_TOKEN, h_me, NULL},
    {LDS_HTTP_GET, "/api/v1/regions", LDS_ACCESS_TOKEN, h_list, "regions"},
    {LDS_HTTP_GET, "/api/v1/regions/{id}", LDS_ACCESS_TOKEN, h_get, "regions"},
    {LDS_HTTP_GET, "/api/v1/orgs", LDS_ACCESS_TOKEN, h_list, "orgs"},
    {LDS_HTTP_POST, "/api/v1/orgs", LDS_ACCESS_OPERATOR, h_create, "orgs"},
    {LDS_HTTP_GET, "/api/v1/orgs/{id}", LDS_ACCESS_TOKEN, h_get, "orgs"},
    {LDS_HTTP_GET, "/api/v1/facilities", LDS_ACCESS_TOKEN, h_list, "facilities"},
    {LDS_HTTP_POST, "/api/v1/facilities", LDS_ACCESS_OPERATOR, h_create, "facilities"},
    {LDS_HTTP_GET, "/api/v1/facilities/{id}", LDS_ACCESS_TOKEN, h_get, "facilities"},
    {LDS_HTTP_GET, "/api/v1/materials", LDS_ACCESS_TOKEN, h_list, "materials"},
    {LDS_HTTP_GET, "/api/v1/materials/{id}", LDS_ACCESS_TOKEN, h_get, "materials"},
    {LDS_HTTP_GET, "/api/v1/recipes", LDS_ACCESS_TOKEN, h_list, "recipes"},
    {LDS_HTTP_GET, "/api/v1/recipes/{id}", LDS_ACCESS_TOKEN, h_get, "recipes"},
    {0, NULL, 0, NULL, NULL},
};

/* Matches the request's segments against a pattern; sets *id for "{id}". */
static int match(const lds_req *r, const char *pattern, const char **id)
{
    int i = 0;
    const char *p = pattern;
    *id = NULL;
    while (*p == '/')
        p++;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (i >= r->n_segs)
            return 0;
        if (n == 4 && strncmp(p, "{id}", 4) == 0) {
            if (!r->segs[i][0])
                return 0;
            *id = r->segs[i];
        } else if (strlen(r->segs[i]) != n || strncmp(r->segs[i], p, n) != 0) {
            return 0;
        }
        i++;
        p += n;
        while (*p == '/')
            p++;
    }
    return i == r->n_segs;
}

static const char *method_of(lds_http_method m)
{
    static const char *const names[] = {"?", "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH",
                                        "OPTIONS"};
    return (unsigned)m < sizeof names / sizeof names[0] ? names[m] : "?";
}

/* Every module's routes; a new resource adds its table here. */
static const lds_route *const tables[] = {
    lds_api_routes_registry,
    lds_api_routes_market,
    lds_api_routes_trace,
    lds_api_routes_plan,
    lds_api_routes_lots,
    lds_api_routes_reports,
    lds_api_routes_projects,
    lds_api_routes_invest,
};

/* Checks the bearer token; replies 401/403 and returns -1 when refused. */
static int authorize(lds_req *r, lds_access need)
{
    if (need == LDS_ACCESS_PUBLIC)
        return 0;
    const char *auth = lds_api_header(r, "Authorization");
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
        lds_api_add_header(r, "WWW-Authenticate", "Bearer realm=\"lodestone\"");
        lds_api_problem(r, 401, "unauthorized", NULL,
                        auth ? "the Authorization header must be 'Bearer <token>'"
                             : "this resource needs 'Authorization: Bearer <token>'",
                        NULL);
        return -1;
    }
    const char *token = auth + 7;
    while (*token == ' ')
        token++;
    lds_worker *w = r->w;
    uint64_t gen = lds_api_generation(w);
    size_t slot = 0;
    for (const char *p = token; *p && p < token + 16; p++)
        slot = slot * 31 + (unsigned char)*p;
    token_entry *te = &w->tokens[slot % LDS_API_CACHE_SLOTS];
    if (te->generation == gen && te->token[0] && strcmp(te->token, token) == 0) {
        r->who = te->who;
    } else {
        lds_err err;
        lds_err_clear(&err);
        lds_code rc = lds_token_verify(w->store, token, &r->who, &err);
        if (rc == LDS_EAUTH) {
            lds_api_add_header(r, "WWW-Authenticate",
                               "Bearer realm=\"lodestone\", error=\"invalid_token\"");
            lds_api_problem(r, 401, "unauthorized", NULL, err.msg, NULL);
            return -1;
        }
        if (rc != LDS_OK) {
            lds_api_problem_err(r, &err, NULL);
            return -1;
        }
        snprintf(te->token, sizeof te->token, "%s", token);
        te->who = r->who;
        te->generation = gen;
    }
    if (need == LDS_ACCESS_OPERATOR && r->who.role != LDS_ROLE_OPERATOR) {
        char detail[160];
        snprintf(detail, sizeof detail, "this action needs the operator role; the token has '%s'",
                 lds_role_name(r->who.role));
        lds_api_problem(r, 403, "forbidden", NULL, detail, NULL);
        return -1;
    }
    return 0;
}

void lds_api_dispatch(lds_req *r)
{
    lds_http_method m = r->method == LDS_HTTP_HEAD ? LDS_HTTP_GET : r->method;
    char allow[96] = "";
    const char *id;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        for (const lds_route *rt = tables[t]; rt->pattern; rt++) {
            if (!match(r, rt->pattern, &id))
                continue;
            if (rt->method == m) {
                if (authorize(r, rt->access) == 0)
                    rt->fn(r, rt->arg, id);
                return;
            }
            if (!strstr(allow, method_of(rt->method))) {
                if (allow[0])
                    strcat(allow, ", ");
                strcat(allow, method_of(rt->method));
                if (rt->method == LDS_HTTP_GET)
                    strcat(allow, ", HEAD");
            }
        }
    }
    if (allow[0]) {
        char detail[128];
        snprintf(detail, sizeof detail, "%s is not allowed here; allowed: %s", r->method_name,
                 allow);
        lds_api_add_header(r, "Allow", allow);
        lds_api_problem(r, 405, "method-not-allowed", NULL, detail, NULL);
        return;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "no resource at '%.120s'", r->path);
    lds_api_problem(r, 404, "not-found", NULL, detail, NULL);
}
