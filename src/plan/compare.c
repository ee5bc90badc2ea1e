/*
 * compare.c — two stored plans side by side (typically the same forecast
 * under two scenarios): headline totals, shortages, bottleneck facilities,
 * co-product surplus and production per facility, each row with the value
 * in plan a, in plan b and b - a.  Works on the stored result JSON, so any
 * two runs compare, whenever they were solved.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/plan.h"

/* Rounds away float noise of sums: plan figures carry at most 6 decimals. */
static double r6(double v)
{
    double x = round(v * 1e6) / 1e6;
    return x == 0 ? 0 : x; /* no -0 */
}

static json_t *num_or_null(int has, double v)
{
    return has ? json_real(r6(v)) : json_null();
}

/* One row of a side-by-side table: key fields, then a, b and delta. */
typedef struct row {
    char key[256];
    json_t *ident; /* the key fields as an object (owned) */
    double a, b;
    int has_a, has_b;
} row;

typedef struct table {
    row *rows;
    size_t n, cap;
} table;

static row *find_or_add(table *t, const char *key, json_t *ident)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].key, key) == 0) {
            json_decref(ident);
            return &t->rows[i];
        }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        row *r = lds_realloc(t->rows, cap * sizeof *r);
        if (!r) {
            json_decref(ident);
            return NULL;
        }
        t->rows = r;
        t->cap = cap;
    }
    row *r = &t->rows[t->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%s", key);
    r->ident = ident;
    return r;
}

static void table_release(table *t)
{
    for (size_t i = 0; i < t->n; i++)
        json_decref(t->rows[i].ident);
    lds_free(t->rows);
}

static const char *s_of(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/*
 * Adds every item of plan[list] into `t`, keyed by the fields `keys`
 * (NULL-terminated; "#name" for an integer field), summing `value`.
 * Returns -1 when out of memory.
 */
static int gather(table *t, json_t *plan, const char *list, const char *const *keys,
                  const char *value, int side)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(plan, list), i, it)
    {
        char key[256] = "";
        size_t len = 0;
        json_t *ident = json_object();
        if (!ident) return -1;
        for (const char *const *k = keys; *k; k++) {
            const char *name = **k == '#' ? *k + 1 : *k;
            json_t *v = json_object_get(it, name);
            if (**k == '#')
                len += (size_t)snprintf(key + len, sizeof key - len, "%lld|",
                                        (long long)json_integer_value(v));
            else
                len += (size_t)snprintf(key + len, sizeof key - len, "%s|", s_of(it, name));
            if (len >= sizeof key) len = sizeof key - 1;
            json_object_set(ident, name, v ? v : json_null());
        }
        row *r = find_or_add(t, key, ident);
        if (!r) return -1;
        double v = json_number_value(json_object_get(it, value));
        if (side == 0) {
            r->a += v;
            r->has_a = 1;
        } else {
            r->b += v;
            r->has_b = 1;
        }
    }
    return 0;
}

/* Writes the table as an array of {ident..., a, b, delta}; rows present in
 * one plan only have null on the other side and a delta against zero. */
static json_t *table_json(const table *t, int only_differences)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < t->n; i++) {
        const row *r = &t->rows[i];
        double d = r6((r->has_b ? r->b : 0) - (r->has_a ? r->a : 0));
        if (only_differences && d == 0 && r->has_a == r->has_b) continue;
        json_t *o = json_deep_copy(r->ident);
        if (!o) continue;
        json_object_set_new(o, "a", num_or_null(r->has_a, r->a));
        json_object_set_new(o, "b", num_or_null(r->has_b, r->b));
        json_object_set_new(o, "delta", json_real(d));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *load(lds_store *s, int64_t id, lds_err *err)
{
    char *text = NULL;
    if (lds_plan_get_run(s, id, &text, err) != LDS_OK) return NULL;
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    lds_free(text);
    if (!j)
        lds_err_set(err, LDS_ECORRUPT, "plan %lld: stored result is not JSON (%s)", (long long)id,
                    je.text);
    return j;
}

lds_code lds_plan_compare(lds_store *s, int64_t a_id, int64_t b_id, char **json, lds_err *err)
{
    *json = NULL;
    json_t *pa = load(s, a_id, err);
    if (!pa) return err ? err->code : LDS_ENOTFOUND;
    json_t *pb = load(s, b_id, err);
    if (!pb) {
        json_decref(pa);
        return err ? err->code : LDS_ENOTFOUND;
    }
    json_t *out = json_object();
    json_t *plans[2] = {pa, pb};
    int64_t ids[2] = {a_id, b_id};
    static const char *const side_name[2] = {"a", "b"};
    for (int k = 0; k < 2; k++)
        json_object_set_new(out, side_name[k],
                            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)ids[k], "scenario",
                                      s_of(plans[k], "scenario"), "first_period",
                                      s_of(plans[k], "first_period")));
    /* headline figures */
    static const char *const heads[] = {"cost_cny",       "demand_total",     "short_total",
                                        "fill_rate",      "scrap_recycled_t", "recycled_oxide_t",
                                        "recycled_share", "objective"};
    json_t *totals = json_array();
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        json_t *va = json_object_get(pa, heads[i]), *vb = json_object_get(pb, heads[i]);
        if (!json_is_number(va) && !json_is_number(vb)) continue;
        double x = json_number_value(va), y = json_number_value(vb);
        json_array_append_new(totals,
                              json_pack("{s:s, s:o, s:o, s:f}", "figure", heads[i], "a",
                                        num_or_null(json_is_number(va), x), "b",
                                        num_or_null(json_is_number(vb), y), "delta", r6(y - x)));
    }
    json_object_set_new(out, "totals", totals);

    static const char *const k_short[] = {"material", "region", "period", NULL};
    static const char *const k_fac[] = {"#facility_id", "facility", "region", NULL};
    static const char *const k_mat[] = {"material", NULL};
    static const struct {
        const char *name, *list, *value;
        const char *const *keys;
        int only_diff;
    } tables[] = {
        {"shortages", "shortages", "short", k_short, 0},
        {"bottleneck_facilities", "bottleneck_facilities", "value_sum", k_fac, 0},
        {"surplus", "surplus", "qty", k_mat, 0},
        {"production", "production", "output_qty", k_fac, 1},
    };
    lds_code rc = LDS_OK;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] && rc == LDS_OK; i++) {
        table t = {0};
        for (int k = 0; k < 2 && rc == LDS_OK; k++)
            if (gather(&t, plans[k], tables[i].list, tables[i].keys, tables[i].value, k))
                rc = lds_err_set(err, LDS_ENOMEM, "plan compare: out of memory");
        if (rc == LDS_OK)
            json_object_set_new(out, tables[i].name, table_json(&t, tables[i].only_diff));
        table_release(&t);
    }
    if (rc == LDS_OK) {
        char *text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
        *json = text ? lds_strdup(text) : NULL; /* the caller frees with lds_free */
        free(text);
        if (!*json) rc = lds_err_set(err, LDS_ENOMEM, "plan compare: out of memory");
    }
    json_decref(out);
    json_decref(pa);
    json_decref(pb);
    return rc;
}
