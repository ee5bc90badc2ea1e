/*
 * create.c — creation of organisations and facilities from JSON bodies.
 * Every field is checked and every problem reported at once, each with its
 * JSON pointer; nothing is written unless the whole record is valid, and the
 * write is one statement.
 */
#include <math.h>
#include <string.h>
#include "lodestone/clock.h"
#include "lodestone/registry.h"
#include "registry_int.h"

/* An organisation's kind is the role it plays on the platform; its category
 * says more (a provider may be a bank, a law firm, a test lab ...). */
static const char *const org_kinds[] = {"operator", "enterprise", "investor", "provider",
                                        "auditor", NULL};

typedef struct field_spec {
    const char *name;
    int type; /* JSON_STRING, JSON_INTEGER, JSON_REAL (number) */
    int required;
    size_t max_len;
} field_spec;

static int in_list(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(v, *list) == 0)
            return 1;
    return 0;
}

/* Checks presence, types and lengths; rejects unknown members. */
static void check_fields(json_t *body, const field_spec *spec, lds_field_errors *fe)
{
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        const field_spec *f = spec;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name)
            lds_field_errors_add(fe, "", "unknown field '%.60s'", key);
    }
    for (const field_spec *f = spec; f->name; f++) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/%s", f->name);
        json_t *v = json_object_get(body, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                lds_field_errors_add(fe, ptr, "required");
            continue;
        }
        switch (f->type) {
        case JSON_STRING:
            if (!json_is_string(v))
                lds_field_errors_add(fe, ptr, "must be a string");
            else if (json_string_length(v) == 0 && f->required)
                lds_field_errors_add(fe, ptr, "must not be empty");
            else if (json_string_length(v) > f->max_len)
                lds_field_errors_add(fe, ptr, "longer than %zu bytes", f->max_len);
            else if (strlen(json_string_value(v)) != json_string_length(v))
                lds_field_errors_add(fe, ptr, "must not contain NUL characters");
            break;
        case JSON_INTEGER:
            if (!json_is_integer(v))
                lds_field_errors_add(fe, ptr, "must be an integer");
            break;
        default:
            if (!json_is_number(v))
                lds_field_errors_add(fe, ptr, "must be a number");
            break;
        }
    }
}

static const char *str(json_t *body, const char *name)
{
    json_t *v = json_object_get(body, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int exists(lds_store *s, const char *sql, const char *text_id, int64_t int_id,
                  lds_err *err)
{
    lds_stmt *st;
    if (lds_store_prepare(s, sql, &st, err) != LDS_OK)
        return -1;
    if (text_id)
        lds_stmt_bind_text(st, 1, text_id);
    else
        lds_stmt_bind_i64(st, 1, int_id);
    int r = lds_stmt_step(st, err);
    lds_stmt_reset(st);
    return r == LDS_STORE_ROW ? 1 : r == LDS_STORE_DONE ? 0 : -1;
}

static const char q_region[] = "SELECT 1 FROM regions WHERE id = ?1";
static const char q_stage[] = "SELECT 1 FROM stages WHERE id = ?1";
static const char q_material[] = "SELECT 1 FROM materials WHERE id = ?1";
static const char q_org[] = "SELECT 1 FROM orgs WHERE id = ?1";

/* Checks that an optional text reference names an existing row. */
static lds_code check_ref(lds_store *s, json_t *body, const char *field, const char *sql,
                          const char *what, lds_field_errors *fe, lds_err *err)
{
    const char *v = str(body, field);
    if (!v)
        return LDS_OK;
    int e = exists(s, sql, v, 0, err);
    if (e < 0)
        return err ? err->code : LDS_EIO;
    if (!e) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/%s", field);
        lds_field_errors_add(fe, ptr, "no %s '%.60s'", what, v);
    }
    return LDS_OK;
}

static lds_code invalid(lds_field_errors *fe, lds_err *err)
{
    return lds_err_field(err, LDS_EINVAL, fe->items[0].pointer, "%s%s%s", fe->items[0].pointer,
                         fe->items[0].pointer[0] ? ": " : "", fe->items[0].message);
}

static lds_code create_org(lds_store *s, json_t *b, int64_t *id, lds_field_errors *fe,
                           lds_err *err)
{
    static const field_spec spec[] = {
        {"name", JSON_STRING, 1, 200},       {"name_zh", JSON_STRING, 0, 200},
        {"kind", JSON_STRING, 1, 40},        {"category", JSON_STRING, 0, 60},
        {"stage_id", JSON_STRING, 0, 40},
        {"region_id", JSON_STRING, 1, 64},   {"description", JSON_STRING, 0, 2000},
        {"website", JSON_STRING, 0, 300},    {NULL, 0, 0, 0},
    };
    static const char q_ins[] =
        "INSERT INTO orgs(name, name_zh, kind, category, stage_id, region_id, description,"
        " website, synthetic, created_at) VALUES (?1, ?2, ?3, ?9, ?4, ?5, ?6, ?7, 0, ?8)";
    lds_code rc;
    check_fields(b, spec, fe);
    const char *kind = str(b, "kind");
    if (kind && !in_list(kind, org_kinds))
        lds_field_errors_add(fe, "/kind",
                             "must be one of operator, enterprise, investor, provider, auditor");
    if ((rc = check_ref(s, b, "region_id", q_region, "region", fe, err)) ||
        (rc = check_ref(s, b, "stage_id", q_stage, "chain stage", fe, err)))
        return rc;
    if (fe->n)
        return invalid(fe, err);
    char now[LDS_RFC3339_LEN];
    lds_now_rfc3339(now);
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, q_ins, &st, err)))
        return rc;
    lds_stmt_bind_text(st, 1, str(b, "name"));
    lds_stmt_bind_text(st, 2, str(b, "name_zh"));
    lds_stmt_bind_text(st, 3, kind);
    lds_stmt_bind_text(st, 4, str(b, "stage_id"));
    lds_stmt_bind_text(st, 5, str(b, "region_id"));
    lds_stmt_bind_text(st, 6, str(b, "description"));
    lds_stmt_bind_text(st, 7, str(b, "website"));
    lds_stmt_bind_text(st, 8, now);
    lds_stmt_bind_text(st, 9, str(b, "category"));
    rc = lds_stmt_exec(st, err);
    if (rc == LDS_ECONFLICT) {
        lds_field_errors_add(fe, "/name", "an organisation with this name already exists");
        return lds_err_field(err, LDS_ECONFLICT, "/name",
                             "an organisation named '%.100s' already exists", str(b, "name"));
    }
    if (rc)
        return rc;
    *id = lds_store_last_id(s);
    return LDS_OK;
}

static lds_code create_facility(lds_store *s, json_t *b, int64_t *id, lds_field_errors *fe,
                                lds_err *err)
{
    static const field_spec spec[] = {
        {"org_id", JSON_INTEGER, 1, 0},       {"name", JSON_STRING, 1, 200},
        {"region_id", JSON_STRING, 1, 64},    {"stage_id", JSON_STRING, 1, 40},
        {"material_id", JSON_STRING, 0, 64},  {"capacity", JSON_REAL, 1, 0},
        {"capacity_unit", JSON_STRING, 1, 40}, {"lat", JSON_REAL, 0, 0},
        {"lon", JSON_REAL, 0, 0},             {NULL, 0, 0, 0},
    };
    static const char q_ins[] =
        "INSERT INTO facilities(org_id, name, region_id, stage_id, material_id, capacity_milli,"
        " capacity_unit, lat, lon, synthetic, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10)";
    lds_code rc;
    check_fields(b, spec, fe);
    json_t *org = json_object_get(b, "org_id");
    if (json_is_integer(org)) {
        int e = exists(s, q_org, NULL, json_integer_value(org), err);
        if (e < 0)
            return err ? err->code : LDS_EIO;
        if (!e)
            lds_field_errors_add(fe, "/org_id", "no organisation %lld",
                                 (long long)json_integer_value(org));
    }
    if ((rc = check_ref(s, b, "region_id", q_region, "region", fe, err)) ||
        (rc = check_ref(s, b, "stage_id", q_stage, "chain stage", fe, err)) ||
        (rc = check_ref(s, b, "material_id", q_material, "material", fe, err)))
        return rc;
    int64_t cap_milli = 0;
    json_t *cap = json_object_get(b, "capacity");
    if (json_is_number(cap)) {
        double c = json_number_value(cap);
        double scaled = c * 1000.0;
        if (!(c >= 0) || scaled > 9e15)
            lds_field_errors_add(fe, "/capacity", "must be between 0 and 9e12");
        else if (fabs(scaled - nearbyint(scaled)) > 1e-6 * (scaled > 1 ? scaled : 1))
            lds_field_errors_add(fe, "/capacity", "at most 3 decimals");
        else
            cap_milli = (int64_t)nearbyint(scaled);
    }
    json_t *lat = json_object_get(b, "lat"), *lon = json_object_get(b, "lon");
    if (json_is_number(lat) && fabs(json_number_value(lat)) > 90)
        lds_field_errors_add(fe, "/lat", "must be between -90 and 90");
    if (json_is_number(lon) && fabs(json_number_value(lon)) > 180)
        lds_field_errors_add(fe, "/lon", "must be between -180 and 180");
    if (fe->n)
        return invalid(fe, err);
    char now[LDS_RFC3339_LEN];
    lds_now_rfc3339(now);
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, q_ins, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, json_integer_value(org));
    lds_stmt_bind_text(st, 2, str(b, "name"));
    lds_stmt_bind_text(st, 3, str(b, "region_id"));
    lds_stmt_bind_text(st, 4, str(b, "stage_id"));
    lds_stmt_bind_text(st, 5, str(b, "material_id"));
    lds_stmt_bind_i64(st, 6, cap_milli);
    lds_stmt_bind_text(st, 7, str(b, "capacity_unit"));
    if (json_is_number(lat))
        lds_stmt_bind_double(st, 8, json_number_value(lat));
    if (json_is_number(lon))
        lds_stmt_bind_double(st, 9, json_number_value(lon));
    lds_stmt_bind_text(st, 10, now);
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    *id = lds_store_last_id(s);
    return LDS_OK;
}

lds_code lds_registry_create(lds_store *s, const char *resource, json_t *body, int64_t *id,
                             lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    lds_code rc;
    *id = 0;
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return lds_err_field(err, LDS_EINVAL, "", "the body must be a JSON object");
    }
    int64_t new_id = 0;
    if (strcmp(resource, "orgs") == 0)
        rc = create_org(s, body, &new_id, fe, err);
    else if (strcmp(resource, "facilities") == 0)
        rc = create_facility(s, body, &new_id, fe, err);
    else
        return lds_err_set(err, LDS_ENOTFOUND, "records of '%s' cannot be created", resource);
    if (rc)
        return rc;
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)new_id);
    if ((rc = lds_registry_get(s, resource, idtext, out, err)))
        return rc;
    *id = new_id;
    return LDS_OK;
}
