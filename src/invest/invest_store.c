/*
 * invest_store.c — mandates, deals and their timeline in the store, and the
 * glue that feeds the matching engine from it (mandates, projects open to
 * investors with their regions, materials and capacity, and the latest
 * plan run's bottleneck facilities).  Roles: operators do everything and
 * auditors read everything; an investor states mandates and follows deals
 * for its own organisation and sees projects open to investors; a
 * project's sponsor and participants see and move the deals on it.
 * Writers do not begin or commit; the caller's transaction makes an error
 * store nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "invest_int.h"
#include "lodestone/alloc.h"
#include "lodestone/listing.h"
#include "lodestone/projects.h"

/* ---- small helpers -------------------------------------------------------- */

static void add_ts(lds_buf *b, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char s[32];
    gmtime_r(&t, &tm);
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    lds_buf_addf(b, "\"%s\"", s);
}

static void add_cny(lds_buf *b, int64_t cents)
{
    if (cents % 100 == 0)
        lds_buf_addf(b, "%lld", (long long)(cents / 100));
    else
        lds_buf_addf(b, "%.2f", (double)cents / 100.0);
}

/* CNY as a JSON number >= 0 into cents. */
/* Characters (UTF-8 code points) of `s`, the unit of the text limits. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int json_cny(json_t *v, int64_t *cents)
{
    if (!json_is_number(v))
        return -1;
    double x = json_number_value(v);
    if (!(x >= 0) || x > 9e15)
        return -1;
    /* More than 2 decimals is refused, not rounded (as for projects and the market). */
    double c = x * 100.0;
    if (fabs(c - (double)llround(c)) > fmax(1e-3, c * 1e-15))
        return -1;
    *cents = (int64_t)llround(c);
    return 0;
}

static lds_code invalid(const lds_field_errors *fe, lds_err *err)
{
    return lds_err_field(err, LDS_EINVAL, fe->items[0].pointer, "%s: %s", fe->items[0].pointer,
                         fe->items[0].message);
}

static lds_code step_err(int r)
{
    return r == LDS_STORE_DONE || r == LDS_STORE_ROW ? LDS_OK : (lds_code)r;
}

/* One-integer query: LDS_ENOTFOUND when no row. */
static lds_code one_i64(lds_stmt *st, int64_t *out, lds_err *err)
{
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_ROW) {
        *out = lds_stmt_col_i64(st, 0);
        lds_stmt_reset(st);
        return LDS_OK;
    }
    if (r == LDS_STORE_DONE)
        return LDS_ENOTFOUND;
    return (lds_code)r;
}

static lds_code exists(lds_store *s, const char *sql, int64_t id, const char *text, int *yes,
                       lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, sql, &st, err);
    if (rc != LDS_OK)
        return rc;
    if (text)
        lds_stmt_bind_text(st, 1, text);
    else
        lds_stmt_bind_i64(st, 1, id);
    int64_t v;
    rc = one_i64(st, &v, err);
    *yes = rc == LDS_OK;
    return rc == LDS_ENOTFOUND ? LDS_OK : rc;
}

/* Project visibility for investment: 1 read, 0 not visible; *open_to
 * receives the project's open_to_investors flag.  LDS_ENOTFOUND: no such project. */
static lds_code project_visible(lds_store *s, const lds_principal *who, int64_t project,
                                int *visible, int *member, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, "SELECT open_to_investors FROM projects WHERE id = ?1", &st,
                                    err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, project);
    int64_t open_to = 0;
    if ((rc = one_i64(st, &open_to, err)) != LDS_OK)
        return rc == LDS_ENOTFOUND ? lds_err_set(err, LDS_ENOTFOUND, "project %lld not found",
                                                 (long long)project)
                                   : rc;
    *member = 0;
    if ((rc = lds_project_is_member(s, project, who->org_id, member, err)) != LDS_OK)
        return rc;
    *visible = lds_sees_all(who) || *member || (who->role == LDS_ROLE_INVESTOR && open_to);
    return LDS_OK;
}

static void add_json_list(lds_buf *b, const char *json_text)
{
    /* Stored by this module from a validated array: written back as is. */
    lds_buf_adds(b, json_text && *json_text ? json_text : "[]");
}

/* ---- mandates --------------------------------------------------------------- */

#define MANDATE_COLS                                                                               \
    "m.id, m.investor_org, o.name, m.name, m.sectors_json, m.stages_json, m.regions_json, "       \
    "m.materials_json, m.ticket_min_cents, m.ticket_max_cents, m.currency, m.active, "            \
    "m.synthetic, m.created_ms, m.updated_ms"

static void mandate_json(lds_stmt *st, lds_buf *b)
{
    lds_buf_addf(b, "{\"id\":%lld,\"investor_org\":%lld,\"investor\":",
                 (long long)lds_stmt_col_i64(st, 0), (long long)lds_stmt_col_i64(st, 1));
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 2));
    lds_buf_adds(b, ",\"name\":");
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 3));
    lds_buf_adds(b, ",\"sectors\":");
    add_json_list(b, lds_stmt_col_text(st, 4));
    lds_buf_adds(b, ",\"stages\":");
    add_json_list(b, lds_stmt_col_text(st, 5));
    lds_buf_adds(b, ",\"regions\":");
    add_json_list(b, lds_stmt_col_text(st, 6));
    lds_buf_adds(b, ",\"materials\":");
    add_json_list(b, lds_stmt_col_text(st, 7));
    lds_buf_adds(b, ",\"ticket_min_cny\":");
    add_cny(b, lds_stmt_col_i64(st, 8));
    lds_buf_adds(b, ",\"ticket_max_cny\":");
    add_cny(b, lds_stmt_col_i64(st, 9));
    lds_buf_addf(b, ",\"currency\":\"%s\",\"active\":%s,\"synthetic\":%s,\"created\":",
                 lds_stmt_col_text(st, 10), lds_stmt_col_i64(st, 11) ? "true" : "false",
                 lds_stmt_col_i64(st, 12) ? "true" : "false");
    add_ts(b, lds_stmt_col_i64(st, 13));
    lds_buf_adds(b, ",\"updated\":");
    add_ts(b, lds_stmt_col_i64(st, 14));
    lds_buf_addc(b, '}');
}

static void mandate_item(void *ctx, lds_stmt *st, lds_buf *b)
{
    (void)ctx;
    mandate_json(st, b);
}

/* Writes the row of `st` (prepared; ?1 = id) by `item`; LDS_ENOTFOUND
 * names the `what` when there is none. */
static lds_code write_one(lds_stmt *st, int64_t id, const char *what,
                          void (*item)(lds_stmt *, lds_buf *), lds_buf *out, lds_err *err)
{
    lds_stmt_bind_i64(st, 1, id);
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "%s %lld not found", what, (long long)id);
    if (r != LDS_STORE_ROW)
        return (lds_code)r;
    item(st, out);
    lds_stmt_reset(st);
    return LDS_OK;
}

static lds_code mandate_out(lds_store *s, int64_t id, lds_buf *out, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s,
                                    "SELECT " MANDATE_COLS " FROM mandates m JOIN orgs o ON o.id = "
                                    "m.investor_org WHERE m.id = ?1",
                                    &st, err);
    return rc != LDS_OK ? rc : write_one(st, id, "mandate", mandate_json, out, err);
}

enum { L_SECTORS, L_STAGES, L_REGIONS, L_MATERIALS };

/* Validates a list field; writes its compact JSON into *text (owned). */
static lds_code check_list(lds_store *s, json_t *v, int kind, const char *ptr, char **text,
                           lds_field_errors *fe, lds_err *err)
{
    *text = NULL;
    if (!json_is_array(v) || json_array_size(v) > 32) {
        lds_field_errors_add(fe, ptr, "must be an array of at most 32 names ([] = any)");
        return LDS_OK;
    }
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char p[160];
        snprintf(p, sizeof p, "%s/%zu", ptr, i);
        const char *name = json_string_value(e);
        if (!name || !*name || strlen(name) > 64) {
            lds_field_errors_add(fe, p, "must be a name");
            continue;
        }
        for (size_t k = 0; k < i; k++)
            if (json_equal(json_array_get(v, k), e)) {
                lds_field_errors_add(fe, p, "'%.60s' is listed twice", name);
                break;
            }
        int ok = 0;
        lds_code rc = LDS_OK;
        if (kind == L_SECTORS) {
            lds_sector sv;
            ok = lds_sector_parse(name, &sv);
        } else if (kind == L_STAGES) {
            lds_pstage pv;
            ok = lds_pstage_parse(name, &pv);
        } else if (kind == L_REGIONS) {
            rc = exists(s, "SELECT 1 FROM regions WHERE id = ?1", 0, name, &ok, err);
        } else {
            rc = exists(s, "SELECT 1 FROM materials WHERE id = ?1", 0, name, &ok, err);
        }
        if (rc != LDS_OK)
            return rc;
        if (!ok)
            lds_field_errors_add(fe, p, "unknown %s '%.60s'",
                                 kind == L_SECTORS   ? "sector"
                                 : kind == L_STAGES  ? "stage"
                                 : kind == L_REGIONS ? "region"
                                                     : "material",
                                 name);
    }
    *text = json_dumps(v, JSON_COMPACT);
    if (!*text)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    return LDS_OK;
}

/* Adds a field error for each member of `body` not in `keys`. */
static void unknown_keys(json_t *body, const char *const *keys, size_t n, const char *allowed,
                         lds_field_errors *fe)
{
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        int known = 0;
        for (size_t i = 0; i < n; i++)
            known |= strcmp(key, keys[i]) == 0;
        if (!known) {
            char p[128];
            snprintf(p, sizeof p, "/%.100s", key);
            lds_field_errors_add(fe, p, "unknown field '%.60s' (allowed: %s)", key, allowed);
        }
    }
}

lds_code lds_mandate_create(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                            int64_t *id, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    if (who->role != LDS_ROLE_OPERATOR && who->role != LDS_ROLE_INVESTOR)
        return lds_err_set(err, LDS_EFORBIDDEN, "only investors and operators state mandates");
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return invalid(fe, err);
    }
    static const char *const keys[] = {"name",    "investor_org", "sectors",        "stages",
                                       "regions", "materials",    "ticket_min_cny", "ticket_max_cny",
                                       "active"};
    unknown_keys(body, keys, sizeof keys / sizeof keys[0],
                 "name, investor_org, sectors, stages, regions, materials, ticket_min_cny, "
                 "ticket_max_cny, active",
                 fe);
    const char *name = json_string_value(json_object_get(body, "name"));
    if (!name || !*name || chars(name) > 200)
        lds_field_errors_add(fe, "/name", "required: a name of 1 to 200 characters");
    int64_t org = who->org_id;
    json_t *jo = json_object_get(body, "investor_org");
    if (jo) {
        if (!json_is_integer(jo) || json_integer_value(jo) <= 0) {
            lds_field_errors_add(fe, "/investor_org", "must be an organisation id");
        } else {
            org = json_integer_value(jo);
            if (who->role == LDS_ROLE_INVESTOR && org != who->org_id)
                return lds_err_field(err, LDS_EFORBIDDEN, "/investor_org",
                                     "an investor states mandates for its own organisation only");
            int ok;
            lds_code rc = exists(s, "SELECT 1 FROM orgs WHERE id = ?1", org, NULL, &ok, err);
            if (rc != LDS_OK)
                return rc;
            if (!ok)
                lds_field_errors_add(fe, "/investor_org", "no organisation %lld", (long long)org);
        }
    } else if (who->role == LDS_ROLE_OPERATOR) {
        lds_field_errors_add(fe, "/investor_org", "required when an operator states a mandate");
    }
    int64_t tmin = 0, tmax = -1;
    json_t *jmin = json_object_get(body, "ticket_min_cny"), *jmax = json_object_get(body,
                                                                                    "ticket_max_cny");
    if (jmin && json_cny(jmin, &tmin) != 0)
        lds_field_errors_add(fe, "/ticket_min_cny", "must be a number of CNY >= 0, at most 2 decimals");
    if (!jmax || json_cny(jmax, &tmax) != 0)
        lds_field_errors_add(fe, "/ticket_max_cny", "required: a number of CNY >= 0, at most 2 decimals");
    else if (tmax < tmin)
        lds_field_errors_add(fe, "/ticket_max_cny", "must be at least ticket_min_cny");
    json_t *ja = json_object_get(body, "active");
    if (ja && !json_is_boolean(ja))
        lds_field_errors_add(fe, "/active", "must be true or false");
    static const char *const lists[] = {"sectors", "stages", "regions", "materials"};
    char *text[4] = {NULL, NULL, NULL, NULL};
    lds_code rc = LDS_OK;
    for (int k = 0; k < 4 && rc == LDS_OK; k++) {
        json_t *v = json_object_get(body, lists[k]);
        char p[32];
        snprintf(p, sizeof p, "/%s", lists[k]);
        if (v)
            rc = check_list(s, v, k, p, &text[k], fe, err);
    }
    if (rc == LDS_OK && fe->n)
        rc = invalid(fe, err);
    lds_stmt *st;
    if (rc == LDS_OK)
        rc = lds_store_prepare(s,
                               "INSERT INTO mandates (investor_org, name, sectors_json, "
                               "stages_json, regions_json, materials_json, ticket_min_cents, "
                               "ticket_max_cents, active, created_ms, updated_ms) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               &st, err);
    if (rc == LDS_OK) {
        lds_stmt_bind_i64(st, 1, org);
        lds_stmt_bind_text(st, 2, name);
        for (int k = 0; k < 4; k++)
            lds_stmt_bind_text(st, 3 + k, text[k] ? text[k] : "[]");
        lds_stmt_bind_i64(st, 7, tmin);
        lds_stmt_bind_i64(st, 8, tmax);
        lds_stmt_bind_i64(st, 9, ja ? json_is_true(ja) : 1);
        lds_stmt_bind_i64(st, 10, now_ms);
        lds_stmt_bind_i64(st, 11, now_ms);
        rc = lds_stmt_exec(st, err);
    }
    for (int k = 0; k < 4; k++)
        free(text[k]); /* from jansson's allocator */
    if (rc != LDS_OK)
        return rc;
    *id = lds_store_last_id(s);
    return mandate_out(s, *id, out, err);
}

lds_code lds_mandate_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                          size_t n_params, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    if (!lds_sees_all(who) && who->role != LDS_ROLE_INVESTOR)
        return lds_err_set(err, LDS_EFORBIDDEN, "mandates are for investors and operators");
    static const char *const filters[] = {"investor_org", "active"};
    const char *fval[2] = {NULL, NULL};
    int64_t limit = 0, after = 0, inv = 0, active = -1;
    const char *next = NULL;
    lds_list_params(params, n_params, filters, 2, fval, &limit, &next, fe);
    if (next && lds_id_parse(next, 1, &after) != 0)
        lds_field_errors_add(fe, "next", "not a cursor this API issued");
    if (fval[0] && lds_id_parse(fval[0], 1, &inv) != 0)
        lds_field_errors_add(fe, "investor_org", "must be an organisation id");
    if (fval[1]) {
        if (strcmp(fval[1], "true") == 0)
            active = 1;
        else if (strcmp(fval[1], "false") == 0)
            active = 0;
        else
            lds_field_errors_add(fe, "active", "must be true or false");
    }
    if (fe->n)
        return invalid(fe, err);
    /* An investor reads its own mandates; a filter naming another investor
     * matches none of them (-1 is no organisation's id). */
    if (!lds_sees_all(who))
        inv = inv == 0 || inv == who->org_id ? who->org_id : -1;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s,
                                    "SELECT " MANDATE_COLS " FROM mandates m JOIN orgs o ON o.id "
                                    "= m.investor_org WHERE m.id > ?1 AND (?2 = 0 OR "
                                    "m.investor_org = ?2) AND (?3 < 0 OR m.active = ?3) "
                                    "ORDER BY m.id LIMIT ?4",
                                    &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, after);
    lds_stmt_bind_i64(st, 2, inv);
    lds_stmt_bind_i64(st, 3, active);
    lds_stmt_bind_i64(st, 4, limit + 1);
    return lds_write_id_page(st, limit, mandate_item, NULL, out, err);
}

/* Reads a mandate's owner, checking who may see it. */
static lds_code mandate_owner(lds_store *s, const lds_principal *who, const char *id_text,
                              int64_t *id, int64_t *owner, lds_err *err)
{
    if (lds_id_parse(id_text, 1, id) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no mandate '%.40s'", id_text);
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, "SELECT investor_org FROM mandates WHERE id = ?1", &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, *id);
    rc = one_i64(st, owner, err);
    if (rc == LDS_ENOTFOUND || (rc == LDS_OK && !lds_sees_all(who) && *owner != who->org_id))
        return lds_err_set(err, LDS_ENOTFOUND, "mandate %lld not found", (long long)*id);
    return rc;
}

lds_code lds_mandate_get(lds_store *s, const lds_principal *who, const char *id, lds_buf *out,
                         lds_err *err)
{
    int64_t mid, owner;
    lds_code rc = mandate_owner(s, who, id, &mid, &owner, err);
    return rc != LDS_OK ? rc : mandate_out(s, mid, out, err);
}

/* ---- the matching glue ---------------------------------------------------- */

/* Everything the engine borrows, owned here. */
typedef struct pool {
    void **ptrs;
    size_t n, cap;
    int oom;
} pool;

static void *pool_keep(pool *p, void *x)
{
    if (!x) {
        p->oom = 1;
        return NULL;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        void **v = lds_realloc(p->ptrs, cap * sizeof *v);
        if (!v) {
            lds_free(x);
            p->oom = 1;
            return NULL;
        }
        p->ptrs = v;
        p->cap = cap;
    }
    p->ptrs[p->n++] = x;
    return x;
}

static const char *pool_str(pool *p, const char *s)
{
    return pool_keep(p, lds_strdup(s ? s : ""));
}

static void pool_release(pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        lds_free(p->ptrs[i]);
    lds_free(p->ptrs);
}

/* A growable list of borrowed strings. */
typedef struct strvec {
    const char **v;
    size_t n, cap;
} strvec;

static int strvec_add(strvec *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return 0;
    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 4;
        const char **v = lds_realloc((void *)sv->v, cap * sizeof *v);
        if (!v)
            return -1;
        sv->v = v;
        sv->cap = cap;
    }
    sv->v[sv->n++] = s;
    return 0;
}

typedef struct match_data {
    pool pool;
    lds_invest_input in;
    lds_invest_mandate *mandates;
    lds_invest_project *projects;
    lds_invest_bottleneck bottlenecks[LDS_INVEST_TOP_BOTTLENECKS];
    strvec *p_regions, *p_materials; /* per project */
    const char **titles;             /* per project */
    const char **investors, **mandate_names; /* per mandate */
    int64_t plan_run;                /* 0 = no plan run */
} match_data;

static void match_data_release(match_data *d)
{
    for (size_t i = 0; i < d->in.n_projects; i++) {
        lds_free((void *)d->p_regions[i].v);
        lds_free((void *)d->p_materials[i].v);
    }
    lds_free(d->p_regions);
    lds_free(d->p_materials);
    lds_free(d->projects);
    lds_free(d->mandates);
    lds_free((void *)d->titles);
    lds_free((void *)d->investors);
    lds_free((void *)d->mandate_names);
    pool_release(&d->pool);
}

/* Parses a stored JSON list into a pooled array. */
static const char *const *list_of(pool *p, const char *json_text, size_t *n)
{
    *n = 0;
    json_t *a = json_loads(json_text ? json_text : "[]", 0, NULL);
    if (!json_is_array(a)) {
        json_decref(a);
        return NULL;
    }
    size_t m = json_array_size(a);
    const char **v = m ? pool_keep(p, lds_calloc(m, sizeof *v)) : NULL;
    for (size_t i = 0; v && i < m; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        v[(*n)++] = pool_str(p, s);
    }
    json_decref(a);
    return v;
}

static long project_index(const match_data *d, int64_t id)
{
    size_t lo = 0, hi = d->in.n_projects;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->projects[mid].id < id)
            lo = mid + 1;
        else if (d->projects[mid].id > id)
            hi = mid;
        else
            return (long)mid;
    }
    return -1;
}

static int cmp_bottleneck(const void *a, const void *b)
{
    const lds_invest_bottleneck *x = a, *y = b;
    if (x->dual != y->dual)
        return x->dual > y->dual ? -1 : 1;
    return (x->facility_id > y->facility_id) - (x->facility_id < y->facility_id);
}

/* The latest plan run's bottleneck facilities, highest dual first. */
static lds_code read_bottlenecks(lds_store *s, match_data *d, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s,
                                    "SELECT id, result_json FROM plan_runs WHERE result_json IS "
                                    "NOT NULL ORDER BY id DESC LIMIT 1",
                                    &st, err);
    if (rc != LDS_OK)
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_DONE)
        return LDS_OK;
    if (r != LDS_STORE_ROW)
        return (lds_code)r;
    d->plan_run = lds_stmt_col_i64(st, 0);
    json_t *j = json_loads(lds_stmt_col_text(st, 1), 0, NULL);
    lds_stmt_reset(st);
    json_t *arr = json_object_get(j, "bottleneck_facilities");
    size_t i, n = 0;
    json_t *e;
    lds_invest_bottleneck all[64];
    json_array_foreach(arr, i, e)
    {
        double dual = json_number_value(json_object_get(e, "value_max"));
        if (n == 64 || !(dual > 0))
            continue;
        lds_invest_bottleneck *b = &all[n++];
        b->facility_id = json_integer_value(json_object_get(e, "facility_id"));
        b->facility = pool_str(&d->pool, json_string_value(json_object_get(e, "facility")));
        b->region = pool_str(&d->pool, json_string_value(json_object_get(e, "region")));
        b->material = NULL;
        b->dual = dual;
    }
    json_decref(j);
    qsort(all, n, sizeof *all, cmp_bottleneck);
    if (n > LDS_INVEST_TOP_BOTTLENECKS)
        n = LDS_INVEST_TOP_BOTTLENECKS;
    for (size_t k = 0; k < n; k++) {
        if ((rc = lds_store_prepare(s, "SELECT material_id FROM facilities WHERE id = ?1", &st,
                                    err)) != LDS_OK)
            return rc;
        lds_stmt_bind_i64(st, 1, all[k].facility_id);
        if (lds_stmt_step(st, err) == LDS_STORE_ROW && !lds_stmt_col_is_null(st, 0))
            all[k].material = pool_str(&d->pool, lds_stmt_col_text(st, 0));
        lds_stmt_reset(st);
        d->bottlenecks[k] = all[k];
    }
    d->in.bottlenecks = d->bottlenecks;
    d->in.n_bottlenecks = n;
    return d->pool.oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}

/* Adds column 1 of the (project id, name) rows of `sql` (a literal; ?1 =
 * one project or 0 for all) to the named projects' lists. */
static lds_code read_pairs(lds_store *s, match_data *d, const char *sql, int64_t project,
                           strvec *lists, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, sql, &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, project);
    int r;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        long i = project_index(d, lds_stmt_col_i64(st, 0));
        if (i < 0)
            continue;
        const char *name = pool_str(&d->pool, lds_stmt_col_text(st, 1));
        if (!name || strvec_add(&lists[i], name)) {
            lds_stmt_reset(st);
            return lds_err_set(err, LDS_ENOMEM, "out of memory");
        }
    }
    return r == LDS_STORE_DONE ? LDS_OK : (lds_code)r;
}

/* Projects (one when `project` > 0, else those open to investors and not
 * finished) with their regions, materials and largest capacity. */
static lds_code read_projects(lds_store *s, match_data *d, int64_t project, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(
        s,
        "SELECT p.id, p.title, p.sector, p.stage, p.financing_need_cents, p.region_id, "
        "o.region_id FROM projects p JOIN orgs o ON o.id = p.sponsor_org WHERE (?1 > 0 AND p.id = "
        "?1) OR (?1 = 0 AND p.open_to_investors = 1 AND p.stage NOT IN ('operating', "
        "'abandoned')) ORDER BY p.id",
        &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, project);
    size_t cap = 0, n = 0;
    int r;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n == cap) {
            size_t c = cap ? cap * 2 : 64;
            lds_invest_project *v = lds_realloc(d->projects, c * sizeof *v);
            strvec *pr = v ? lds_realloc(d->p_regions, c * sizeof *pr) : NULL;
            if (pr)
                d->p_regions = pr;
            strvec *pm = pr ? lds_realloc(d->p_materials, c * sizeof *pm) : NULL;
            if (pm)
                d->p_materials = pm;
            const char **t = pm ? lds_realloc((void *)d->titles, c * sizeof *t) : NULL;
            if (t)
                d->titles = t;
            if (v)
                d->projects = v;
            if (!v || !pr || !pm || !t) {
                lds_stmt_reset(st);
                d->in.n_projects = n;
                return lds_err_set(err, LDS_ENOMEM, "out of memory");
            }
            cap = c;
        }
        lds_invest_project *p = &d->projects[n];
        memset(p, 0, sizeof *p);
        memset(&d->p_regions[n], 0, sizeof d->p_regions[n]);
        memset(&d->p_materials[n], 0, sizeof d->p_materials[n]);
        d->in.n_projects = ++n;
        p->id = lds_stmt_col_i64(st, 0);
        d->titles[n - 1] = pool_str(&d->pool, lds_stmt_col_text(st, 1));
        p->sector = pool_str(&d->pool, lds_stmt_col_text(st, 2));
        p->stage = pool_str(&d->pool, lds_stmt_col_text(st, 3));
        p->financing_need = (double)lds_stmt_col_i64(st, 4) / 100.0;
        const char *r1 = pool_str(&d->pool, lds_stmt_col_text(st, 5));
        const char *r2 = pool_str(&d->pool, lds_stmt_col_text(st, 6));
        if (d->pool.oom || strvec_add(&d->p_regions[n - 1], r1) ||
            strvec_add(&d->p_regions[n - 1], r2)) {
            lds_stmt_reset(st);
            return lds_err_set(err, LDS_ENOMEM, "out of memory");
        }
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    d->in.projects = d->projects;
    /* participants' regions, then materials used or made */
    if ((rc = read_pairs(s, d,
                         "SELECT po.project_id, o.region_id FROM project_orgs po JOIN orgs o ON "
                         "o.id = po.org_id WHERE ?1 = 0 OR po.project_id = ?1",
                         project, d->p_regions, err)) != LDS_OK ||
        (rc = read_pairs(s, d,
                         "SELECT project_id, material_id FROM project_materials WHERE ?1 = 0 OR "
                         "project_id = ?1",
                         project, d->p_materials, err)) != LDS_OK)
        return rc;
    /* the largest capacity line of each project (tonnes per month) */
    if ((rc = lds_store_prepare(s,
                                "SELECT project_id, facility_id, material_id, region_id, "
                                "tonnes_milli, per FROM project_capacity WHERE ?1 = 0 OR "
                                "project_id = ?1 ORDER BY project_id, id",
                                &st, err)) != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, project);
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        long i = project_index(d, lds_stmt_col_i64(st, 0));
        if (i < 0)
            continue;
        lds_invest_project *p = &d->projects[i];
        double t = (double)lds_stmt_col_i64(st, 4) / 1000.0;
        const char *per = lds_stmt_col_text(st, 5);
        if (per && strcmp(per, "year") == 0)
            t /= 12.0;
        if (t <= p->capacity_t)
            continue;
        p->capacity_t = t;
        p->capacity_facility = lds_stmt_col_is_null(st, 1) ? 0 : lds_stmt_col_i64(st, 1);
        p->capacity_material = pool_str(&d->pool, lds_stmt_col_text(st, 2));
        p->capacity_region =
            lds_stmt_col_is_null(st, 3) ? NULL : pool_str(&d->pool, lds_stmt_col_text(st, 3));
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    for (size_t i = 0; i < d->in.n_projects; i++) {
        d->projects[i].regions = d->p_regions[i].v;
        d->projects[i].n_regions = d->p_regions[i].n;
        d->projects[i].materials = d->p_materials[i].v;
        d->projects[i].n_materials = d->p_materials[i].n;
    }
    return d->pool.oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}

/* Active mandates (one when `mandate` > 0; of one investor when `org` > 0). */
static lds_code read_mandates(lds_store *s, match_data *d, int64_t mandate, int64_t org,
                              lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s,
                                    "SELECT " MANDATE_COLS " FROM mandates m JOIN orgs o ON o.id "
                                    "= m.investor_org WHERE (?1 > 0 AND m.id = ?1) OR (?1 = 0 AND "
                                    "m.active = 1 AND (?2 = 0 OR m.investor_org = ?2)) "
                                    "ORDER BY m.id",
                                    &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, mandate);
    lds_stmt_bind_i64(st, 2, org);
    size_t cap = 0, n = 0;
    int r;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n == cap) {
            size_t c = cap ? cap * 2 : 32;
            lds_invest_mandate *v = lds_realloc(d->mandates, c * sizeof *v);
            if (v)
                d->mandates = v;
            const char **a = v ? lds_realloc((void *)d->investors, c * sizeof *a) : NULL;
            if (a)
                d->investors = a;
            const char **b = a ? lds_realloc((void *)d->mandate_names, c * sizeof *b) : NULL;
            if (b)
                d->mandate_names = b;
            if (!v || !a || !b) {
                lds_stmt_reset(st);
                return lds_err_set(err, LDS_ENOMEM, "out of memory");
            }
            cap = c;
        }
        lds_invest_mandate *m = &d->mandates[n];
        memset(m, 0, sizeof *m);
        m->id = lds_stmt_col_i64(st, 0);
        m->org_id = lds_stmt_col_i64(st, 1);
        d->investors[n] = pool_str(&d->pool, lds_stmt_col_text(st, 2));
        d->mandate_names[n] = pool_str(&d->pool, lds_stmt_col_text(st, 3));
        m->sectors = list_of(&d->pool, lds_stmt_col_text(st, 4), &m->n_sectors);
        m->stages = list_of(&d->pool, lds_stmt_col_text(st, 5), &m->n_stages);
        m->regions = list_of(&d->pool, lds_stmt_col_text(st, 6), &m->n_regions);
        m->materials = list_of(&d->pool, lds_stmt_col_text(st, 7), &m->n_materials);
        m->ticket_min = (double)lds_stmt_col_i64(st, 8) / 100.0;
        m->ticket_max = (double)lds_stmt_col_i64(st, 9) / 100.0;
        n++;
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    d->in.mandates = d->mandates;
    d->in.n_mandates = n;
    return d->pool.oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}

static lds_code match_params(const lds_kv *params, size_t n_params, int64_t *limit,
                             double *min_score, lds_field_errors *fe, lds_err *err)
{
    *limit = 20;
    *min_score = 0;
    for (size_t i = 0; i < n_params; i++) {
        const char *k = params[i].key, *v = params[i].value ? params[i].value : "";
        char *end;
        if (strcmp(k, "limit") == 0) {
            long x = strtol(v, &end, 10);
            if (*end || end == v || x < 1 || x > 500)
                lds_field_errors_add(fe, "limit", "must be 1 to 500");
            else
                *limit = x;
        } else if (strcmp(k, "min_score") == 0) {
            double x = strtod(v, &end);
            if (*end || end == v || !(x >= 0) || x > 1000)
                lds_field_errors_add(fe, "min_score", "must be a number from 0");
            else
                *min_score = x;
        } else {
            lds_field_errors_add(fe, k, "unknown parameter '%.60s' (allowed: limit, min_score)",
                                 k);
        }
    }
    return fe->n ? invalid(fe, err) : LDS_OK;
}

/* Reads the engine's input into `d` and matches: one project (`project` > 0)
 * against the active mandates (of `org` when > 0), or one mandate against
 * the projects open to investors. */
static lds_code run_match(lds_store *s, match_data *d, int64_t project, int64_t mandate,
                          int64_t org, size_t limit, double min_score, lds_invest_result **res,
                          lds_err *err)
{
    lds_code rc;
    if ((rc = read_projects(s, d, project, err)) != LDS_OK ||
        (rc = read_mandates(s, d, mandate, org, err)) != LDS_OK ||
        (rc = read_bottlenecks(s, d, err)) != LDS_OK)
        return rc;
    return project ? lds_invest_match_projects(&d->in, limit, min_score, res, err)
                   : lds_invest_match_mandates(&d->in, limit, min_score, res, err);
}

static void add_bottleneck_source(lds_buf *out, const match_data *d)
{
    if (d->plan_run)
        lds_buf_addf(out, ",\"plan_run\":%lld,\"bottlenecks\":%zu", (long long)d->plan_run,
                     d->in.n_bottlenecks);
    else
        lds_buf_adds(out, ",\"plan_run\":null,\"bottlenecks\":0");
}

lds_code lds_invest_project_matches(lds_store *s, const lds_principal *who, const char *id_text,
                                    const lds_kv *params, size_t n_params, lds_buf *out,
                                    lds_field_errors *fe, lds_err *err)
{
    int64_t pid, limit;
    double min_score;
    if (lds_id_parse(id_text, 1, &pid) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no project '%.40s'", id_text);
    lds_code rc = match_params(params, n_params, &limit, &min_score, fe, err);
    if (rc != LDS_OK)
        return rc;
    int visible, member;
    if ((rc = project_visible(s, who, pid, &visible, &member, err)) != LDS_OK)
        return rc;
    if (!visible)
        return lds_err_set(err, LDS_ENOTFOUND, "project %lld not found", (long long)pid);
    match_data d;
    memset(&d, 0, sizeof d);
    int64_t only_org = lds_sees_all(who) || member ? 0 : who->org_id;
    lds_invest_result *res = NULL;
    rc = run_match(s, &d, pid, 0, only_org, (size_t)limit, min_score, &res, err);
    if (rc == LDS_OK && d.in.n_projects == 1) {
        lds_buf_addf(out, "{\"project_id\":%lld", (long long)pid);
        add_bottleneck_source(out, &d);
        lds_buf_adds(out, ",\"items\":[");
        for (size_t i = 0; i < res->n; i++) {
            const lds_invest_match *m = &res->matches[i];
            lds_buf_addf(out, "%s{\"mandate_id\":%lld,\"investor_org\":%lld,\"investor\":",
                         i ? "," : "", (long long)d.mandates[m->mandate].id,
                         (long long)d.mandates[m->mandate].org_id);
            lds_buf_add_json_str(out, d.investors[m->mandate]);
            lds_buf_adds(out, ",\"mandate\":");
            lds_buf_add_json_str(out, d.mandate_names[m->mandate]);
            lds_buf_addf(out, ",\"score\":%.4g,\"explanation\":", m->score);
            lds_invest_explain_json(&d.in, m, out);
            lds_buf_addc(out, '}');
        }
        lds_buf_adds(out, "]}");
    }
    lds_invest_result_free(res);
    match_data_release(&d);
    lds_store_end_reads(s);
    return rc;
}

lds_code lds_invest_mandate_matches(lds_store *s, const lds_principal *who, const char *id_text,
                                    const lds_kv *params, size_t n_params, lds_buf *out,
                                    lds_field_errors *fe, lds_err *err)
{
    int64_t mid, owner, limit;
    double min_score;
    lds_code rc = mandate_owner(s, who, id_text, &mid, &owner, err);
    if (rc != LDS_OK)
        return rc;
    if ((rc = match_params(params, n_params, &limit, &min_score, fe, err)) != LDS_OK)
        return rc;
    match_data d;
    memset(&d, 0, sizeof d);
    lds_invest_result *res = NULL;
    rc = run_match(s, &d, 0, mid, 0, (size_t)limit, min_score, &res, err);
    if (rc == LDS_OK) {
        lds_buf_addf(out, "{\"mandate_id\":%lld", (long long)mid);
        add_bottleneck_source(out, &d);
        lds_buf_adds(out, ",\"items\":[");
        for (size_t i = 0; i < res->n; i++) {
            const lds_invest_match *m = &res->matches[i];
            const lds_invest_project *p = &d.projects[m->project];
            lds_buf_addf(out, "%s{\"project_id\":%lld,\"title\":", i ? "," : "",
                         (long long)p->id);
            lds_buf_add_json_str(out, d.titles[m->project]);
            lds_buf_addf(out, ",\"sector\":\"%s\",\"stage\":\"%s\",\"score\":%.4g,"
                              "\"explanation\":",
                         p->sector, p->stage, m->score);
            lds_invest_explain_json(&d.in, m, out);
            lds_buf_addc(out, '}');
        }
        lds_buf_adds(out, "]}");
    }
    lds_invest_result_free(res);
    match_data_release(&d);
    lds_store_end_reads(s);
    return rc;
}

lds_code lds_invest__top_projects(lds_store *s, int64_t mandate, size_t k, int64_t *ids,
                                  size_t *n, lds_err *err)
{
    match_data d;
    memset(&d, 0, sizeof d);
    lds_invest_result *res = NULL;
    *n = 0;
    lds_code rc = run_match(s, &d, 0, mandate, 0, k, 0, &res, err);
    for (size_t i = 0; rc == LDS_OK && i < res->n; i++)
        ids[(*n)++] = d.projects[res->matches[i].project].id;
    lds_invest_result_free(res);
    match_data_release(&d);
    return rc;
}

/* ---- deals ------------------------------------------------------------------ */

#define DEAL_COLS                                                                                  \
    "d.id, d.project_id, p.title, d.investor_org, o.name, d.mandate_id, d.stage, d.amount_cents, " \
    "d.currency, d.synthetic, d.created_ms, d.updated_ms"

/* The names of the deal stages in the bit set `stages`, comma-separated JSON strings. */
static void add_stages(lds_buf *b, unsigned stages)
{
    int first = 1;
    for (int k = 0; k < LDS_DEAL_COUNT; k++)
        if (stages & (1u << k)) {
            lds_buf_addf(b, "%s\"%s\"", first ? "" : ",", lds_deal_stage_name(k));
            first = 0;
        }
}

static void deal_json(lds_stmt *st, lds_buf *b)
{
    lds_buf_addf(b, "{\"id\":%lld,\"project_id\":%lld,\"project\":",
                 (long long)lds_stmt_col_i64(st, 0), (long long)lds_stmt_col_i64(st, 1));
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 2));
    lds_buf_addf(b, ",\"investor_org\":%lld,\"investor\":", (long long)lds_stmt_col_i64(st, 3));
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 4));
    if (lds_stmt_col_is_null(st, 5))
        lds_buf_adds(b, ",\"mandate_id\":null");
    else
        lds_buf_addf(b, ",\"mandate_id\":%lld", (long long)lds_stmt_col_i64(st, 5));
    const char *stage = lds_stmt_col_text(st, 6);
    lds_buf_addf(b, ",\"stage\":\"%s\",\"amount_cny\":", stage);
    if (lds_stmt_col_is_null(st, 7))
        lds_buf_adds(b, "null");
    else
        add_cny(b, lds_stmt_col_i64(st, 7));
    lds_buf_addf(b, ",\"currency\":\"%s\",\"synthetic\":%s,\"allowed\":[",
                 lds_stmt_col_text(st, 8), lds_stmt_col_i64(st, 9) ? "true" : "false");
    lds_deal_stage ds;
    if (lds_deal_stage_parse(stage, &ds))
        add_stages(b, lds_deal_next(ds));
    lds_buf_adds(b, "],\"created\":");
    add_ts(b, lds_stmt_col_i64(st, 10));
    lds_buf_adds(b, ",\"updated\":");
    add_ts(b, lds_stmt_col_i64(st, 11));
    lds_buf_addc(b, '}');
}

static void deal_item(void *ctx, lds_stmt *st, lds_buf *b)
{
    (void)ctx;
    deal_json(st, b);
}

/* The deal's events as a JSON array, oldest first. */
static lds_code deal_timeline(lds_store *s, int64_t id, lds_buf *out, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s,
                                    "SELECT id, time_ms, actor_org, actor_role, from_stage, "
                                    "to_stage, reason FROM deal_events WHERE deal_id = ?1 "
                                    "ORDER BY time_ms, id",
                                    &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, id);
    lds_buf_addc(out, '[');
    int n = 0, r;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        lds_buf_addf(out, "%s{\"id\":%lld,\"time\":", n++ ? "," : "",
                     (long long)lds_stmt_col_i64(st, 0));
        add_ts(out, lds_stmt_col_i64(st, 1));
        if (lds_stmt_col_is_null(st, 2))
            lds_buf_adds(out, ",\"actor_org\":null");
        else
            lds_buf_addf(out, ",\"actor_org\":%lld", (long long)lds_stmt_col_i64(st, 2));
        static const char *const names[] = {"actor_role", "from", "to", "reason"};
        for (int k = 0; k < 4; k++) {
            lds_buf_addf(out, ",\"%s\":", names[k]);
            if (lds_stmt_col_is_null(st, 3 + k))
                lds_buf_adds(out, "null");
            else
                lds_buf_add_json_str(out, lds_stmt_col_text(st, 3 + k));
        }
        lds_buf_addc(out, '}');
    }
    lds_buf_addc(out, ']');
    return step_err(r);
}

/* The deal's record with its timeline. */
static lds_code deal_out(lds_store *s, int64_t id, lds_buf *out, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s,
                                    "SELECT " DEAL_COLS " FROM deals d JOIN projects p ON p.id = "
                                    "d.project_id JOIN orgs o ON o.id = d.investor_org "
                                    "WHERE d.id = ?1",
                                    &st, err);
    if (rc != LDS_OK || (rc = write_one(st, id, "deal", deal_json, out, err)) != LDS_OK)
        return rc;
    out->len--; /* reopen the object for the timeline */
    lds_buf_adds(out, ",\"timeline\":");
    if ((rc = deal_timeline(s, id, out, err)) != LDS_OK)
        return rc;
    lds_buf_addc(out, '}');
    return LDS_OK;
}

static lds_code deal_event(lds_store *s, int64_t deal, int64_t now_ms, const lds_principal *who,
                           const char *from, const char *to, const char *reason, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s,
                                    "INSERT INTO deal_events (deal_id, time_ms, actor_org, "
                                    "actor_role, from_stage, to_stage, reason) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                    &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, deal);
    lds_stmt_bind_i64(st, 2, now_ms);
    if (who && who->org_id)
        lds_stmt_bind_i64(st, 3, who->org_id);
    else
        lds_stmt_bind_null(st, 3);
    lds_stmt_bind_text(st, 4, who ? lds_role_name(who->role) : NULL);
    lds_stmt_bind_text(st, 5, from);
    lds_stmt_bind_text(st, 6, to);
    lds_stmt_bind_text(st, 7, reason);
    return lds_stmt_exec(st, err);
}

static const char *reason_of(json_t *body, lds_field_errors *fe)
{
    json_t *v = json_object_get(body, "reason");
    if (!v || json_is_null(v))
        return NULL;
    const char *s = json_string_value(v);
    if (!s || chars(s) > 1000) {
        lds_field_errors_add(fe, "/reason", "must be text of at most 1000 characters");
        return NULL;
    }
    return s;
}

lds_code lds_deal_create(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                         int64_t *id, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    if (who->role != LDS_ROLE_OPERATOR && who->role != LDS_ROLE_INVESTOR)
        return lds_err_set(err, LDS_EFORBIDDEN, "only investors and operators open deals");
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return invalid(fe, err);
    }
    static const char *const keys[] = {"project", "investor_org", "mandate", "amount_cny",
                                       "reason"};
    unknown_keys(body, keys, 5, "project, investor_org, mandate, amount_cny, reason", fe);
    int64_t project = 0, org = who->org_id, mandate = 0, amount = -1;
    json_t *v = json_object_get(body, "project");
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        lds_field_errors_add(fe, "/project", "required: a project id");
    else
        project = json_integer_value(v);
    v = json_object_get(body, "investor_org");
    if (v) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            lds_field_errors_add(fe, "/investor_org", "must be an organisation id");
        else if (who->role == LDS_ROLE_INVESTOR && json_integer_value(v) != who->org_id)
            return lds_err_field(err, LDS_EFORBIDDEN, "/investor_org",
                                 "an investor opens deals for its own organisation only");
        else
            org = json_integer_value(v);
    } else if (who->role == LDS_ROLE_OPERATOR) {
        lds_field_errors_add(fe, "/investor_org", "required when an operator opens a deal");
    }
    v = json_object_get(body, "mandate");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            lds_field_errors_add(fe, "/mandate", "must be a mandate id");
        else
            mandate = json_integer_value(v);
    }
    v = json_object_get(body, "amount_cny");
    if (v && !json_is_null(v) && json_cny(v, &amount) != 0)
        lds_field_errors_add(fe, "/amount_cny", "must be a number of CNY >= 0, at most 2 decimals");
    const char *reason = reason_of(body, fe);
    if (fe->n)
        return invalid(fe, err);
    int visible, member, ok;
    lds_code rc = project_visible(s, who, project, &visible, &member, err);
    if (rc == LDS_ENOTFOUND || (rc == LDS_OK && !visible)) {
        lds_field_errors_add(fe, "/project", "no project %lld open to investors",
                             (long long)project);
        return invalid(fe, err);
    }
    if (rc != LDS_OK)
        return rc;
    if ((rc = exists(s, "SELECT 1 FROM orgs WHERE id = ?1", org, NULL, &ok, err)) != LDS_OK)
        return rc;
    if (!ok) {
        lds_field_errors_add(fe, "/investor_org", "no organisation %lld", (long long)org);
        return invalid(fe, err);
    }
    if (mandate) {
        lds_stmt *st;
        int64_t owner = 0;
        if ((rc = lds_store_prepare(s, "SELECT investor_org FROM mandates WHERE id = ?1", &st,
                                    err)) != LDS_OK)
            return rc;
        lds_stmt_bind_i64(st, 1, mandate);
        rc = one_i64(st, &owner, err);
        if (rc != LDS_OK && rc != LDS_ENOTFOUND)
            return rc;
        if (rc == LDS_ENOTFOUND || owner != org) {
            lds_field_errors_add(fe, "/mandate", "no mandate %lld of organisation %lld",
                                 (long long)mandate, (long long)org);
            return invalid(fe, err);
        }
    }
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, "SELECT id FROM deals WHERE project_id = ?1 AND investor_org = ?2",
                                &st, err)) != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, project);
    lds_stmt_bind_i64(st, 2, org);
    int64_t existing = 0;
    rc = one_i64(st, &existing, err);
    if (rc == LDS_OK)
        return lds_err_set(err, LDS_ECONFLICT,
                           "project %lld and investor %lld already have deal %lld",
                           (long long)project, (long long)org, (long long)existing);
    if (rc != LDS_ENOTFOUND)
        return rc;
    if ((rc = lds_store_prepare(s,
                                "INSERT INTO deals (project_id, investor_org, mandate_id, stage, "
                                "amount_cents, created_ms, updated_ms) "
                                "VALUES (?, ?, ?, 'introduced', ?, ?, ?)",
                                &st, err)) != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, project);
    lds_stmt_bind_i64(st, 2, org);
    if (mandate)
        lds_stmt_bind_i64(st, 3, mandate);
    else
        lds_stmt_bind_null(st, 3);
    if (amount >= 0)
        lds_stmt_bind_i64(st, 4, amount);
    else
        lds_stmt_bind_null(st, 4);
    lds_stmt_bind_i64(st, 5, now_ms);
    lds_stmt_bind_i64(st, 6, now_ms);
    if ((rc = lds_stmt_exec(st, err)) != LDS_OK)
        return rc;
    *id = lds_store_last_id(s);
    if ((rc = deal_event(s, *id, now_ms, who, NULL, "introduced", reason, err)) != LDS_OK)
        return rc;
    return deal_out(s, *id, out, err);
}

/* Reads a deal's stage, project and investor; LDS_ENOTFOUND when `who`
 * may not see it.  *can_move: investor of the deal, project member or operator. */
static lds_code deal_access(lds_store *s, const lds_principal *who, const char *id_text,
                            int64_t *id, char stage[16], int *can_move, lds_err *err)
{
    if (lds_id_parse(id_text, 1, id) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no deal '%.40s'", id_text);
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s,
                                    "SELECT project_id, investor_org, stage FROM deals WHERE id = ?1",
                                    &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, *id);
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "deal %lld not found", (long long)*id);
    if (r != LDS_STORE_ROW)
        return (lds_code)r;
    int64_t project = lds_stmt_col_i64(st, 0), investor = lds_stmt_col_i64(st, 1);
    snprintf(stage, 16, "%s", lds_stmt_col_text(st, 2));
    lds_stmt_reset(st);
    int member = 0;
    if ((rc = lds_project_is_member(s, project, who->org_id, &member, err)) != LDS_OK)
        return rc;
    int own = who->org_id == investor && who->role == LDS_ROLE_INVESTOR;
    if (!lds_sees_all(who) && !own && !member)
        return lds_err_set(err, LDS_ENOTFOUND, "deal %lld not found", (long long)*id);
    *can_move = who->role == LDS_ROLE_OPERATOR || own ||
                (member && who->role == LDS_ROLE_MEMBER);
    return LDS_OK;
}

lds_code lds_deal_get(lds_store *s, const lds_principal *who, const char *id, lds_buf *out,
                      lds_err *err)
{
    int64_t did;
    char stage[16];
    int can_move;
    lds_code rc = deal_access(s, who, id, &did, stage, &can_move, err);
    return rc != LDS_OK ? rc : deal_out(s, did, out, err);
}

lds_code lds_deal_timeline(lds_store *s, const lds_principal *who, const char *id,
                           lds_buf *out, lds_err *err)
{
    int64_t did;
    char stage[16];
    int can_move;
    lds_code rc = deal_access(s, who, id, &did, stage, &can_move, err);
    if (rc != LDS_OK)
        return rc;
    lds_buf_addf(out, "{\"deal_id\":%lld,\"items\":", (long long)did);
    if ((rc = deal_timeline(s, did, out, err)) != LDS_OK)
        return rc;
    lds_buf_addc(out, '}');
    return LDS_OK;
}

lds_code lds_deal_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                       size_t n_params, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    static const char *const filters[] = {"project", "stage", "investor_org"};
    const char *fval[3] = {NULL, NULL, NULL};
    int64_t limit = 0, after = 0, project = 0, inv = 0;
    const char *next = NULL;
    lds_list_params(params, n_params, filters, 3, fval, &limit, &next, fe);
    if (next && lds_id_parse(next, 1, &after) != 0)
        lds_field_errors_add(fe, "next", "not a cursor this API issued");
    if (fval[0] && lds_id_parse(fval[0], 1, &project) != 0)
        lds_field_errors_add(fe, "project", "must be a project id");
    lds_deal_stage ds;
    if (fval[1] && !lds_deal_stage_parse(fval[1], &ds))
        lds_field_errors_add(fe, "stage",
                             "unknown deal stage (introduced, diligence, term_sheet, closed, "
                             "declined)");
    if (fval[2] && lds_id_parse(fval[2], 1, &inv) != 0)
        lds_field_errors_add(fe, "investor_org", "must be an organisation id");
    if (fe->n)
        return invalid(fe, err);
    lds_stmt *st;
    lds_code rc = lds_store_prepare(
        s,
        "SELECT " DEAL_COLS " FROM deals d JOIN projects p ON p.id = d.project_id JOIN orgs o ON "
        "o.id = d.investor_org WHERE d.id > ?1 AND (?2 = 1 OR (?3 = 1 AND d.investor_org = ?4) OR "
        "p.sponsor_org = ?4 OR EXISTS (SELECT 1 FROM project_orgs po WHERE po.project_id = "
        "p.id AND po.org_id = ?4)) AND (?5 = 0 OR d.project_id = ?5) AND (?6 IS NULL OR "
        "d.stage = ?6) AND (?7 = 0 OR d.investor_org = ?7) ORDER BY d.id LIMIT ?8",
        &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, after);
    lds_stmt_bind_i64(st, 2, lds_sees_all(who));
    lds_stmt_bind_i64(st, 3, who->role == LDS_ROLE_INVESTOR);
    lds_stmt_bind_i64(st, 4, who->org_id);
    lds_stmt_bind_i64(st, 5, project);
    lds_stmt_bind_text(st, 6, fval[1]);
    lds_stmt_bind_i64(st, 7, inv);
    lds_stmt_bind_i64(st, 8, limit + 1);
    return lds_write_id_page(st, limit, deal_item, NULL, out, err);
}

lds_code lds_deal_transition(lds_store *s, const lds_principal *who, const char *id_text,
                             json_t *body, int64_t now_ms, lds_buf *out, lds_buf *refusal,
                             lds_field_errors *fe, lds_err *err)
{
    int64_t id;
    char stage[16];
    int can_move;
    lds_code rc = deal_access(s, who, id_text, &id, stage, &can_move, err);
    if (rc != LDS_OK)
        return rc;
    if (!can_move)
        return lds_err_set(err, LDS_EFORBIDDEN,
                           "only the deal's investor, the project's members or an operator "
                           "move a deal");
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return invalid(fe, err);
    }
    static const char *const keys[] = {"to", "reason", "amount_cny"};
    unknown_keys(body, keys, 3, "to, reason, amount_cny", fe);
    const char *to = json_string_value(json_object_get(body, "to"));
    lds_deal_stage want = LDS_DEAL_INTRODUCED, from = LDS_DEAL_INTRODUCED;
    if (!to)
        lds_field_errors_add(fe, "/to", "required: the deal stage to move to");
    else if (!lds_deal_stage_parse(to, &want))
        lds_field_errors_add(fe, "/to",
                             "unknown deal stage '%.40s' (introduced, diligence, term_sheet, "
                             "closed, declined)",
                             to);
    int64_t amount = -1;
    json_t *v = json_object_get(body, "amount_cny");
    if (v && !json_is_null(v) && json_cny(v, &amount) != 0)
        lds_field_errors_add(fe, "/amount_cny", "must be a number of CNY >= 0, at most 2 decimals");
    const char *reason = reason_of(body, fe);
    if (fe->n)
        return invalid(fe, err);
    if (!lds_deal_stage_parse(stage, &from))
        return lds_err_set(err, LDS_ECORRUPT, "deal %lld: unknown stage in the store",
                           (long long)id);
    unsigned next = lds_deal_next(from);
    if (!(next & (1u << want))) {
        lds_buf_addf(refusal, "\"from\":\"%s\",\"allowed\":[", stage);
        add_stages(refusal, next);
        lds_buf_adds(refusal, "],\"unmet\":[]");
        return lds_err_set(err, LDS_ECONFLICT, "deal %lld cannot move from %s to %s",
                           (long long)id, stage, to);
    }
    lds_stmt *st;
    if ((rc = lds_store_prepare(s,
                                "UPDATE deals SET stage = ?2, updated_ms = ?3, amount_cents = "
                                "COALESCE(?4, amount_cents) WHERE id = ?1",
                                &st, err)) != LDS_OK)
        return rc;
    lds_stmt_bind_i64(st, 1, id);
    lds_stmt_bind_text(st, 2, to);
    lds_stmt_bind_i64(st, 3, now_ms);
    if (amount >= 0)
        lds_stmt_bind_i64(st, 4, amount);
    else
        lds_stmt_bind_null(st, 4);
    if ((rc = lds_stmt_exec(st, err)) != LDS_OK)
        return rc;
    if ((rc = deal_event(s, id, now_ms, who, stage, to, reason, err)) != LDS_OK)
        return rc;
    return deal_out(s, id, out, err);
}
