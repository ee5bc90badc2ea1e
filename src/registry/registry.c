/*
 * registry.c — list and get of the corridor's records (regions, orgs,
 * facilities, materials, recipes).  Each resource is a descriptor: a list
 * query whose filters are fixed nullable slots (?1..?k), then the cursor and
 * the limit, so the SQL is a literal and every value is bound.  Rows are
 * written straight to JSON from their column names and types.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "lodestone/registry.h"
#include "registry_int.h"

#define MAX_FILTERS 4

typedef struct resource {
    const char *name;
    const char *singular;               /* for messages */
    int int_key;                        /* ids are integers (else text) */
    const char *filters[MAX_FILTERS];   /* query parameter names, in ?1..?k order */
    int filter_int[MAX_FILTERS];        /* 1 if the filter value is an integer */
    const char *list_sql;               /* ?1..?k filters, ?k+1 cursor, ?k+2 limit */
    const char *get_sql;                /* ?1 id */
} resource;

static const char regions_list[] =
    "SELECT id, name, name_zh, country, province, city, district, lat, lon, role, description"
    " FROM regions WHERE (?1 IS NULL OR country = ?1) AND (?2 IS NULL OR role = ?2)"
    " AND id > ?3 ORDER BY id LIMIT ?4";
static const char regions_get[] =
    "SELECT id, name, name_zh, country, province, city, district, lat, lon, role, description,"
    " (SELECT count(*) FROM orgs o WHERE o.region_id = r.id) AS org_count,"
    " (SELECT count(*) FROM facilities f WHERE f.region_id = r.id) AS facility_count"
    " FROM regions r WHERE id = ?1";
static const char orgs_list[] =
    "SELECT id, name, name_zh, kind, category, stage_id, region_id, description, website,"
    " synthetic, created_at FROM orgs WHERE (?1 IS NULL OR region_id = ?1)"
    " AND (?2 IS NULL OR stage_id = ?2) AND (?3 IS NULL OR kind = ?3)"
    " AND (?4 IS NULL OR category = ?4) AND id > ?5 ORDER BY id LIMIT ?6";
static const char orgs_get[] =
    "SELECT id, name, name_zh, kind, category, stage_id, region_id, description, website,"
    " synthetic, created_at,"
    " (SELECT count(*) FROM facilities f WHERE f.org_id = o.id) AS facility_count"
    " FROM orgs o WHERE id = ?1";
static const char facilities_list[] =
    "SELECT id, org_id, name, region_id, stage_id, material_id, capacity_milli / 1000.0 AS capacity, capacity_unit,"
    " lat, lon, synthetic, created_at FROM facilities"
    " WHERE (?1 IS NULL OR org_id = ?1) AND (?2 IS NULL OR region_id = ?2)"
    " AND (?3 IS NULL OR stage_id = ?3) AND (?4 IS NULL OR material_id = ?4)"
    " AND id > ?5 ORDER BY id LIMIT ?6";
static const char facilities_get[] =
    "SELECT id, org_id, name, region_id, stage_id, material_id, capacity_milli / 1000.0 AS capacity, capacity_unit,"
    " lat, lon, synthetic, created_at FROM facilities WHERE id = ?1";
static const char materials_list[] =
    "SELECT id, name, stage_id, kind, unit, unit_mass_kg, formula, spec, export_controlled,"
    " description, source FROM materials WHERE (?1 IS NULL OR stage_id = ?1)"
    " AND (?2 IS NULL OR kind = ?2) AND id > ?3 ORDER BY id LIMIT ?4";
static const char materials_get[] =
    "SELECT id, name, stage_id, kind, unit, unit_mass_kg, formula, spec, export_controlled,"
    " description, source FROM materials WHERE id = ?1";
static const char recipes_list[] =
    "SELECT id, name, stage_id, output_material_id, output_qty, lead_time_days, description,"
    " source FROM recipes WHERE (?1 IS NULL OR stage_id = ?1)"
    " AND (?2 IS NULL OR output_material_id = ?2) AND id > ?3 ORDER BY id LIMIT ?4";
static const char recipes_get[] =
    "SELECT id, name, stage_id, output_material_id, output_qty, lead_time_days, description,"
    " source FROM recipes WHERE id = ?1";

static const resource resources[] = {
    {"regions", "region", 0, {"country", "role"}, {0, 0}, regions_list, regions_get},
    {"orgs", "organisation", 1, {"region", "stage", "kind", "category"}, {0, 0, 0, 0}, orgs_list,
     orgs_get},
    {"facilities", "facility", 1, {"org", "region", "stage", "material"}, {1, 0, 0, 0}, facilities_list,
     facilities_get},
    {"materials", "material", 0, {"stage", "kind"}, {0, 0}, materials_list, materials_get},
    {"recipes", "recipe", 0, {"stage", "output"}, {0, 0}, recipes_list, recipes_get},
};

static const resource *find(const char *name)
{
    for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++)
        if (strcmp(resources[i].name, name) == 0)
            return &resources[i];
    return NULL;
}

int lds_registry_has(const char *name)
{
    return find(name) != NULL;
}

void lds_field_errors_add(lds_field_errors *fe, const char *pointer, const char *fmt, ...)
{
    if (!fe || fe->n >= LDS_MAX_FIELD_ERRORS)
        return;
    lds_field_error *e = &fe->items[fe->n++];
    snprintf(e->pointer, sizeof e->pointer, "%s", pointer);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

static int is_bool_column(const char *name)
{
    return strcmp(name, "synthetic") == 0 || strcmp(name, "export_controlled") == 0;
}

void lds_registry__row_json(lds_stmt *st, lds_buf *out)
{
    int n = lds_stmt_col_count(st);
    lds_buf_addc(out, '{');
    for (int c = 0; c < n; c++) {
        const char *name = lds_stmt_col_name(st, c);
        if (c)
            lds_buf_addc(out, ',');
        lds_buf_add_json_str(out, name);
        lds_buf_addc(out, ':');
        switch (lds_stmt_col_type(st, c)) {
        case LDS_COL_INT:
            if (is_bool_column(name))
                lds_buf_adds(out, lds_stmt_col_i64(st, c) ? "true" : "false");
            else
                lds_buf_addf(out, "%lld", (long long)lds_stmt_col_i64(st, c));
            break;
        case LDS_COL_REAL:
            lds_buf_addf(out, "%.15g", lds_stmt_col_double(st, c));
            break;
        case LDS_COL_TEXT:
            lds_buf_add_json_str(out, lds_stmt_col_text(st, c));
            break;
        default:
            lds_buf_adds(out, "null");
        }
    }
    lds_buf_addc(out, '}');
}

/* Cursors are the last id seen, base64url-encoded so clients treat them as opaque. */
static void encode_cursor(const char *id, lds_buf *out)
{
    char enc[256];
    size_t n = strlen(id);
    if (n > 150)
        n = 150; /* ids are short; never reached with our keys */
    sodium_bin2base64(enc, sizeof enc, (const unsigned char *)id, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    lds_buf_add_json_str(out, enc);
}

static int decode_cursor(const char *cur, char *id, size_t n)
{
    size_t len = 0;
    if (strlen(cur) > 200 ||
        sodium_base642bin((unsigned char *)id, n - 1, cur, strlen(cur), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    id[len] = '\0';
    return strlen(id) == len && len > 0 ? 0 : -1;
}

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    if (!*s || strlen(s) > 19)
        return -1;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0)
        return -1;
    *out = v;
    return 0;
}

void lds_list_params(const lds_kv *params, size_t n_params, const char *const *filters,
                     int n_filters, const char **fval, int64_t *limit, const char **next,
                     lds_field_errors *fe)
{
    *limit = LDS_REGISTRY_DEFAULT_LIMIT;
    *next = NULL;
    for (size_t i = 0; i < n_params; i++) {
        const char *k = params[i].key, *v = params[i].value;
        int matched = 0;
        if (strcmp(k, "limit") == 0) {
            matched = 1;
            if (parse_i64(v, limit) != 0 || *limit < 1 || *limit > LDS_REGISTRY_MAX_LIMIT)
                lds_field_errors_add(fe, "limit", "limit must be an integer from 1 to %d",
                                     LDS_REGISTRY_MAX_LIMIT);
        } else if (strcmp(k, "next") == 0) {
            matched = 1;
            *next = v;
        } else {
            for (int f = 0; f < n_filters; f++) {
                if (strcmp(k, filters[f]) == 0) {
                    matched = 1;
                    if (fval[f])
                        lds_field_errors_add(fe, k, "parameter '%s' given twice", k);
                    fval[f] = v;
                }
            }
        }
        if (!matched) {
            char allowed[160] = "limit, next";
            for (int f = 0; f < n_filters; f++) {
                strncat(allowed, ", ", sizeof allowed - strlen(allowed) - 1);
                strncat(allowed, filters[f], sizeof allowed - strlen(allowed) - 1);
            }
            lds_field_errors_add(fe, k, "unknown parameter '%.60s' (allowed: %s)", k, allowed);
        }
    }
}

lds_code lds_registry_list(lds_store *s, const char *name, const lds_kv *params, size_t n_params,
                           lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    const resource *res = find(name);
    if (!res)
        return lds_err_set(err, LDS_ENOTFOUND, "no resource '%s'", name);
    const char *fval[MAX_FILTERS] = {0};
    const char *cursor;
    int64_t limit;
    int n_filters = 0;
    while (n_filters < MAX_FILTERS && res->filters[n_filters])
        n_filters++;
    lds_list_params(params, n_params, res->filters, n_filters, fval, &limit, &cursor, fe);
    char last[160] = "";
    int64_t last_int = 0;
    if (cursor && (decode_cursor(cursor, last, sizeof last) != 0 ||
                   (res->int_key && parse_i64(last, &last_int) != 0)))
        lds_field_errors_add(fe, "next", "not a cursor this API issued");
    for (int f = 0; f < n_filters; f++) {
        int64_t tmp;
        if (fval[f] && res->filter_int[f] && parse_i64(fval[f], &tmp) != 0)
            lds_field_errors_add(fe, res->filters[f], "'%s' must be a non-negative integer id",
                                 res->filters[f]);
    }
    if (fe && fe->n)
        return lds_err_set(err, LDS_EINVAL, "invalid query parameter '%s': %s",
                           fe->items[0].pointer, fe->items[0].message);

    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, res->list_sql, &st, err)))
        return rc;
    for (int f = 0; f < n_filters; f++) {
        int64_t iv;
        if (!fval[f])
            rc = lds_stmt_bind_null(st, f + 1);
        else if (res->filter_int[f] && parse_i64(fval[f], &iv) == 0)
            rc = lds_stmt_bind_i64(st, f + 1, iv);
        else
            rc = lds_stmt_bind_text(st, f + 1, fval[f]);
        if (rc)
            return lds_err_set(err, rc, "binding filter failed");
    }
    rc = res->int_key ? lds_stmt_bind_i64(st, n_filters + 1, last_int)
                      : lds_stmt_bind_text(st, n_filters + 1, last);
    if (rc || (rc = lds_stmt_bind_i64(st, n_filters + 2, limit + 1)))
        return lds_err_set(err, rc, "binding cursor failed");

    lds_buf_adds(out, "{\"items\":[");
    int64_t n = 0;
    char last_id[160] = "";
    int r;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n == limit) {
            n++;
            break;
        }
        if (n)
            lds_buf_addc(out, ',');
        lds_registry__row_json(st, out);
        snprintf(last_id, sizeof last_id, "%s", lds_stmt_col_text(st, 0));
        n++;
    }
    lds_stmt_reset(st);
    if (r != LDS_STORE_ROW && r != LDS_STORE_DONE)
        return (lds_code)r;
    lds_buf_adds(out, "],\"next\":");
    if (n > limit)
        encode_cursor(last_id, out);
    else
        lds_buf_adds(out, "null");
    lds_buf_addc(out, '}');
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory writing list") : LDS_OK;
}

/* Appends ,"key":[rows...] for a child query bound to one id. */
static lds_code add_children(lds_store *s, const char *sql, const char *key, const char *id,
                             lds_buf *out, lds_err *err)
{
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, sql, &st, err)) || (rc = lds_stmt_bind_text(st, 1, id)))
        return rc;
    lds_buf_addf(out, ",\"%s\":[", key);
    int r, n = 0;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n++)
            lds_buf_addc(out, ',');
        lds_registry__row_json(st, out);
    }
    lds_buf_addc(out, ']');
    return r == LDS_STORE_DONE ? LDS_OK : (lds_code)r;
}

lds_code lds_registry_get(lds_store *s, const char *name, const char *id, lds_buf *out,
                          lds_err *err)
{
    static const char q_content[] =
        "SELECT element, oxide, oxide_t_per_t, source FROM material_content"
        " WHERE material_id = ?1 ORDER BY element";
    static const char q_inputs[] =
        "SELECT material_id, qty FROM recipe_inputs WHERE recipe_id = ?1 ORDER BY material_id";
    static const char q_outputs[] =
        "SELECT material_id, qty FROM recipe_outputs WHERE recipe_id = ?1 ORDER BY material_id";
    const resource *res = find(name);
    if (!res)
        return lds_err_set(err, LDS_ENOTFOUND, "no resource '%s'", name);
    int64_t iv = 0;
    if (res->int_key && parse_i64(id, &iv) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no %s with id '%.40s'", res->singular, id);
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, res->get_sql, &st, err)))
        return rc;
    rc = res->int_key ? lds_stmt_bind_i64(st, 1, iv) : lds_stmt_bind_text(st, 1, id);
    if (rc)
        return lds_err_set(err, rc, "binding id failed");
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no %s with id '%.40s'", res->singular, id);
    if (r != LDS_STORE_ROW)
        return (lds_code)r;
    lds_registry__row_json(st, out);
    lds_stmt_reset(st);
    if (strcmp(name, "materials") == 0 || strcmp(name, "recipes") == 0) {
        out->len--; /* reopen the object to add its details */
        if (strcmp(name, "materials") == 0)
            rc = add_children(s, q_content, "content", id, out, err);
        else if (!(rc = add_children(s, q_inputs, "inputs", id, out, err)))
            rc = add_children(s, q_outputs, "outputs", id, out, err);
        lds_buf_addc(out, '}');
        if (rc)
            return rc;
    }
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory writing record") : LDS_OK;
}

lds_code lds_registry_count(lds_store *s, const char *name, int64_t *n, lds_err *err)
{
    static const char *const sql[][2] = {
        {"regions", "SELECT count(*) FROM regions"},
        {"orgs", "SELECT count(*) FROM orgs"},
        {"facilities", "SELECT count(*) FROM facilities"},
        {"materials", "SELECT count(*) FROM materials"},
        {"recipes", "SELECT count(*) FROM recipes"},
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        if (strcmp(sql[i][0], name) != 0)
            continue;
        lds_stmt *st;
        lds_code rc;
        if ((rc = lds_store_prepare(s, sql[i][1], &st, err)))
            return rc;
        int r = lds_stmt_step(st, err);
        if (r == LDS_STORE_ROW)
            *n = lds_stmt_col_i64(st, 0);
        lds_stmt_reset(st);
        return r == LDS_STORE_ROW ? LDS_OK : (lds_code)r;
    }
    return lds_err_set(err, LDS_ENOTFOUND, "no resource '%s'", name);
}
