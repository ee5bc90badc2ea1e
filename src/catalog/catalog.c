/*
 * catalog.c — parse and validate data/catalog.json into an immutable
 * lds_catalog, derive what the document leaves to the code (metal <-> oxide,
 * content of composite materials, co-products of separation), and answer
 * conversions.  Invariant: a catalog that parsed has every reference
 * resolved, every factor finite and non-negative, a source on every factor
 * and yield, and no recipe that creates rare earths.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/catalog.h"
#include "catalog_int.h"

/* Relative slack of the mass-balance check: quantities in the document are
 * rounded to 6-7 significant decimals. */
#define MASS_BALANCE_REL 1e-6
#define MASS_BALANCE_ABS 1e-12

/* Bounds on the document (the real catalog has ~60 materials and ~40
 * recipes); they keep validation's quadratic id checks cheap on any input. */
#define CATALOG_MAX_ITEMS 4096
#define CATALOG_MAX_LINES 64

static const char *const re_symbols[LDS_RE_N] = {"La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb",
                                                 "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y",  "Sc"};
static const char *const re_oxides[LDS_RE_N] = {
    "La2O3", "CeO2",  "Pr6O11", "Nd2O3", "Sm2O3", "Eu2O3", "Gd2O3", "Tb4O7",
    "Dy2O3", "Ho2O3", "Er2O3",  "Tm2O3", "Yb2O3", "Lu2O3", "Y2O3",  "Sc2O3"};

const char *lds_re_symbol(lds_re e)
{
    return (unsigned)e < LDS_RE_N ? re_symbols[e] : NULL;
}

const char *lds_re_oxide(lds_re e)
{
    return (unsigned)e < LDS_RE_N ? re_oxides[e] : NULL;
}

int lds_re_parse(const char *symbol)
{
    if (!symbol)
        return -1;
    for (int i = 0; i < LDS_RE_N; i++)
        if (strcmp(symbol, re_symbols[i]) == 0)
            return i;
    return -1;
}

/* ---- small helpers ------------------------------------------------------ */

const char *lds_catalog__pool(lds_catalog *c, const char *s)
{
    if (!s)
        return NULL;
    if (c->n_pool == c->cap_pool) {
        size_t cap = c->cap_pool ? c->cap_pool * 2 : 64;
        char **p = lds_realloc(c->pool, cap * sizeof *p);
        if (!p)
            return NULL;
        c->pool = p;
        c->cap_pool = cap;
    }
    char *d = lds_strdup(s);
    if (!d)
        return NULL;
    c->pool[c->n_pool++] = d;
    return d;
}

void lds_catalog_free(lds_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_recs; i++) {
        lds_free(c->recs[i].in);
        lds_free(c->recs[i].out);
    }
    lds_free(c->recs);
    lds_free(c->mats);
    for (size_t i = 0; i < c->n_pool; i++)
        lds_free(c->pool[i]);
    lds_free(c->pool);
    if (c->root)
        json_decref(c->root);
    lds_free(c);
}

/* Sets an LDS_EINVAL naming the JSON pointer `path`. */
static lds_code bad(lds_err *err, const char *path, const char *fmt, ...) LDS_PRINTF(3, 4);
static lds_code bad(lds_err *err, const char *path, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lds_err_field(err, LDS_EINVAL, path, "catalog %s: %s", path, msg);
}

/* Appends "/key" (or "/index") to a JSON pointer held in `buf`. */
static const char *ptr_key(char *buf, size_t n, const char *base, const char *key)
{
    int w = snprintf(buf, n, "%s/%s", base, key);
    if (w < 0 || (size_t)w >= n)
        buf[n - 1] = '\0'; /* a truncated pointer still locates the problem */
    return buf;
}

static const char *ptr_idx(char *buf, size_t n, const char *base, size_t i)
{
    int w = snprintf(buf, n, "%s/%zu", base, i);
    if (w < 0 || (size_t)w >= n)
        buf[n - 1] = '\0';
    return buf;
}

#define PATH_MAX_LEN 160

/* Reads a string member; `required` decides whether absence is an error.
 * Empty strings are errors. */
static lds_code get_str(json_t *obj, const char *key, const char *base, int required,
                        const char **out, lds_err *err)
{
    char p[PATH_MAX_LEN];
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return bad(err, ptr_key(p, sizeof p, base, key), "required string is missing");
        return LDS_OK;
    }
    if (!json_is_string(v))
        return bad(err, ptr_key(p, sizeof p, base, key), "must be a string");
    if (json_string_length(v) == 0)
        return bad(err, ptr_key(p, sizeof p, base, key), "must not be empty");
    *out = json_string_value(v);
    return LDS_OK;
}

/* Reads a number member within [lo, hi]; absent optional numbers keep *out. */
static lds_code get_num(json_t *obj, const char *key, const char *base, int required, double lo,
                        double hi, double *out, lds_err *err)
{
    char p[PATH_MAX_LEN];
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return bad(err, ptr_key(p, sizeof p, base, key), "required number is missing");
        return LDS_OK;
    }
    if (!json_is_number(v))
        return bad(err, ptr_key(p, sizeof p, base, key), "must be a number");
    double d = json_number_value(v);
    if (!isfinite(d))
        return bad(err, ptr_key(p, sizeof p, base, key), "must be finite");
    if (d < lo)
        return bad(err, ptr_key(p, sizeof p, base, key), "%g is below the minimum %g%s", d, lo,
                   lo == 0 ? " (factors cannot be negative)" : "");
    if (d > hi)
        return bad(err, ptr_key(p, sizeof p, base, key), "%g is above the maximum %g", d, hi);
    *out = d;
    return LDS_OK;
}

/* A source cites a URL somewhere in it, or states how the figure was made:
 * "derived: <method>" or "unsourced: <assumption>". */
static int valid_source(const char *s)
{
    static const char *const prefixes[] = {"derived:", "unsourced:"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(s, prefixes[i], n) == 0) {
            const char *rest = s + n;
            while (*rest == ' ')
                rest++;
            return *rest != '\0';
        }
    }
    const char *u = strstr(s, "https://");
    if (!u)
        u = strstr(s, "http://");
    return u && strlen(u) > strlen("https://x");
}

/* A required "source"-like member: a URL, "derived: ..." or "unsourced: ...". */
static lds_code get_source(json_t *obj, const char *key, const char *base, const char **out,
                           lds_err *err)
{
    char p[PATH_MAX_LEN];
    lds_code rc = get_str(obj, key, base, 1, out, err);
    if (rc)
        return rc;
    if (!valid_source(*out))
        return bad(err, ptr_key(p, sizeof p, base, key),
                   "source must cite a URL or start with \"derived:\" or \"unsourced:\"");
    return LDS_OK;
}

static lds_code get_array(json_t *root, const char *key, json_t **out, lds_err *err)
{
    char p[PATH_MAX_LEN];
    json_t *a = json_object_get(root, key);
    *out = NULL;
    if (!a)
        return bad(err, ptr_key(p, sizeof p, "", key), "required array is missing");
    if (!json_is_array(a) || json_array_size(a) == 0)
        return bad(err, ptr_key(p, sizeof p, "", key), "must be a non-empty array");
    if (json_array_size(a) > CATALOG_MAX_ITEMS)
        return bad(err, ptr_key(p, sizeof p, "", key), "more than %d entries", CATALOG_MAX_ITEMS);
    *out = a;
    return LDS_OK;
}

/* Rejects members outside `allowed` (NULL-terminated), so a misspelt key
 * ("souce") is an error rather than silently ignored. */
static lds_code check_keys(json_t *o, const char *base, const char *const *allowed, lds_err *err)
{
    char p[PATH_MAX_LEN];
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], key) != 0)
            k++;
        if (!allowed[k])
            return bad(err, ptr_key(p, sizeof p, base, key), "unknown member '%.40s'", key);
    }
    return LDS_OK;
}

static lds_code get_object_at(json_t *arr, size_t i, const char *base,
                              const char *const *allowed, json_t **out, lds_err *err)
{
    char p[PATH_MAX_LEN];
    json_t *o = json_array_get(arr, i);
    if (!json_is_object(o))
        return bad(err, ptr_idx(p, sizeof p, base, i), "must be an object");
    *out = o;
    return check_keys(o, ptr_idx(p, sizeof p, base, i), allowed, err);
}

static const char *const keys_root[] = {"catalog_version", "description", "export_control",
                                        "elements", "regions", "stages", "materials", "recipes",
                                        NULL};
static const char *const keys_element[] = {"symbol", "name", "oxide", "metal_per_oxide",
                                           "source", "export_controlled",
                                           "export_control_source", NULL};
static const char *const keys_export[] = {"threshold_metal_wt", "exempt_stages", "rule", "source",
                                          NULL};
static const char *const keys_stage[] = {"id", "name", "ord", "description", NULL};
static const char *const keys_region[] = {"id", "name", "name_zh", "country", "province", "city",
                                          "district", "lat", "lon", "role", "description", NULL};
static const char *const keys_content[] = {"element", "oxide_t", "metal_t", "source", NULL};
static const char *const keys_material[] = {
    "id",     "name",        "stage",   "kind",    "unit",                "unit_mass_kg",
    "formula", "spec",       "description", "source", "content", "content_from_recipe",
    "export_controlled", NULL};
static const char *const keys_line[] = {"material", "qty", NULL};
static const char *const keys_recipe[] = {
    "id",           "name",           "stage",       "output",           "output_qty",
    "yield",        "yield_source",   "lead_time_days", "lead_time_source", "inputs",
    "coproducts_by_content", "description", "source", NULL};

static long find_stage(const lds_catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n_stages; i++)
        if (strcmp(c->stage_ids[i], id) == 0)
            return (long)i;
    return -1;
}

static long find_mat(const lds_catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n_mats; i++)
        if (strcmp(c->mats[i].pub.id, id) == 0)
            return (long)i;
    return -1;
}

static long find_rec(const lds_catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n_recs; i++)
        if (strcmp(c->recs[i].pub.id, id) == 0)
            return (long)i;
    return -1;
}

/* ---- sections ------------------------------------------------------------ */

static lds_code parse_elements(lds_catalog *c, json_t *root, lds_err *err)
{
    json_t *arr;
    lds_code rc = get_array(root, "elements", &arr, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char base[PATH_MAX_LEN], p[PATH_MAX_LEN];
        json_t *o = NULL;
        const char *sym, *name, *oxide, *src;
        double f = 0;
        ptr_idx(base, sizeof base, "/elements", i);
        if ((rc = get_object_at(arr, i, "/elements", keys_element, &o, err)) ||
            (rc = get_str(o, "symbol", base, 1, &sym, err)) ||
            (rc = get_str(o, "name", base, 1, &name, err)) ||
            (rc = get_str(o, "oxide", base, 1, &oxide, err)) ||
            (rc = get_num(o, "metal_per_oxide", base, 1, 0, 1, &f, err)) ||
            (rc = get_source(o, "source", base, &src, err)))
            return rc;
        int e = lds_re_parse(sym);
        if (e < 0)
            return bad(err, ptr_key(p, sizeof p, base, "symbol"),
                       "unknown rare-earth element '%.20s'", sym);
        if (c->has_element[e])
            return bad(err, ptr_key(p, sizeof p, base, "symbol"), "duplicate element '%s'", sym);
        if (strcmp(oxide, re_oxides[e]) != 0)
            return bad(err, ptr_key(p, sizeof p, base, "oxide"), "%s is counted as %s, not '%.20s'",
                       sym, re_oxides[e], oxide);
        if (f <= 0)
            return bad(err, ptr_key(p, sizeof p, base, "metal_per_oxide"), "must be positive");
        json_t *ec = json_object_get(o, "export_controlled");
        if (!json_is_boolean(ec))
            return bad(err, ptr_key(p, sizeof p, base, "export_controlled"),
                       "required boolean is missing");
        c->has_element[e] = 1;
        c->metal_per_oxide[e] = f;
        c->el_controlled[e] = json_is_true(ec);
        c->el_json[e] = o;
    }
    return LDS_OK;
}

static lds_code parse_export_control(lds_catalog *c, json_t *root, lds_err *err)
{
    char p[PATH_MAX_LEN];
    json_t *o = json_object_get(root, "export_control");
    const char *src;
    lds_code rc;
    if (!json_is_object(o))
        return bad(err, "/export_control", "required object is missing");
    if ((rc = check_keys(o, "/export_control", keys_export, err)))
        return rc;
    if ((rc = get_num(o, "threshold_metal_wt", "/export_control", 1, 0, 1, &c->ec_threshold,
                      err)) ||
        (rc = get_source(o, "source", "/export_control", &src, err)))
        return rc;
    json_t *ex = json_object_get(o, "exempt_stages");
    if (ex && !json_is_array(ex))
        return bad(err, "/export_control/exempt_stages", "must be an array of stage ids");
    c->ec_exempt = ex;
    for (size_t i = 0; ex && i < json_array_size(ex); i++) {
        json_t *v = json_array_get(ex, i);
        if (!json_is_string(v) || find_stage(c, json_string_value(v)) < 0)
            return bad(err, ptr_idx(p, sizeof p, "/export_control/exempt_stages", i),
                       "unknown stage");
    }
    return LDS_OK;
}

static lds_code parse_stages(lds_catalog *c, json_t *root, lds_err *err)
{
    json_t *arr;
    lds_code rc = get_array(root, "stages", &arr, err);
    if (rc)
        return rc;
    c->n_stages = json_array_size(arr);
    if (c->n_stages > CATALOG_MAX_STAGES)
        return bad(err, "/stages", "at most %d stages", CATALOG_MAX_STAGES);
    for (size_t i = 0; i < c->n_stages; i++) {
        char base[PATH_MAX_LEN], p[PATH_MAX_LEN];
        json_t *o = NULL;
        const char *id, *name, *desc;
        double ord = 0;
        ptr_idx(base, sizeof base, "/stages", i);
        if ((rc = get_object_at(arr, i, "/stages", keys_stage, &o, err)) ||
            (rc = get_str(o, "id", base, 1, &id, err)) ||
            (rc = get_str(o, "name", base, 1, &name, err)) ||
            (rc = get_str(o, "description", base, 0, &desc, err)) ||
            (rc = get_num(o, "ord", base, 1, 1, 1000, &ord, err)))
            return rc;
        if (ord != floor(ord))
            return bad(err, ptr_key(p, sizeof p, base, "ord"), "must be an integer");
        for (size_t j = 0; j < i; j++) {
            if (strcmp(c->stage_ids[j], id) == 0)
                return bad(err, ptr_key(p, sizeof p, base, "id"), "duplicate stage '%s'", id);
            if (c->stage_ord[j] == (int)ord)
                return bad(err, ptr_key(p, sizeof p, base, "ord"), "duplicate order %d", (int)ord);
        }
        c->stage_ids[i] = id;
        c->stage_ord[i] = (int)ord;
        c->stage_json[i] = o;
    }
    return LDS_OK;
}

static lds_code parse_regions(lds_catalog *c, json_t *root, lds_err *err)
{
    json_t *arr;
    lds_code rc = get_array(root, "regions", &arr, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char base[PATH_MAX_LEN], p[PATH_MAX_LEN];
        json_t *o = NULL;
        const char *id, *name, *country, *role, *opt;
        double lat = 0, lon = 0;
        ptr_idx(base, sizeof base, "/regions", i);
        if ((rc = get_object_at(arr, i, "/regions", keys_region, &o, err)) ||
            (rc = get_str(o, "id", base, 1, &id, err)) ||
            (rc = get_str(o, "name", base, 1, &name, err)) ||
            (rc = get_str(o, "country", base, 1, &country, err)) ||
            (rc = get_str(o, "role", base, 1, &role, err)) ||
            (rc = get_num(o, "lat", base, 1, -90, 90, &lat, err)) ||
            (rc = get_num(o, "lon", base, 1, -180, 180, &lon, err)) ||
            (rc = get_str(o, "name_zh", base, 0, &opt, err)) ||
            (rc = get_str(o, "province", base, 0, &opt, err)) ||
            (rc = get_str(o, "city", base, 0, &opt, err)) ||
            (rc = get_str(o, "district", base, 0, &opt, err)) ||
            (rc = get_str(o, "description", base, 0, &opt, err)))
            return rc;
        if (strlen(country) != 2)
            return bad(err, ptr_key(p, sizeof p, base, "country"),
                       "must be an ISO 3166-1 alpha-2 code");
        for (size_t j = 0; j < i; j++) {
            const char *other = json_string_value(json_object_get(json_array_get(arr, j), "id"));
            if (strcmp(other, id) == 0)
                return bad(err, ptr_key(p, sizeof p, base, "id"), "duplicate region '%s'", id);
        }
    }
    c->regions = arr;
    return LDS_OK;
}

/* One content entry: {"element", "oxide_t" | "metal_t", "source"}. */
static lds_code parse_content(lds_catalog *c, mat_int *m, json_t *arr, const char *base,
                              lds_err *err)
{
    char cbase[PATH_MAX_LEN], p[PATH_MAX_LEN];
    lds_code rc;
    for (size_t k = 0; k < json_array_size(arr); k++) {
        json_t *o = NULL;
        const char *sym, *src;
        ptr_idx(cbase, sizeof cbase, base, k);
        if ((rc = get_object_at(arr, k, base, keys_content, &o, err)) ||
            (rc = get_str(o, "element", cbase, 1, &sym, err)) ||
            (rc = get_source(o, "source", cbase, &src, err)))
            return rc;
        int e = lds_re_parse(sym);
        if (e < 0 || !c->has_element[e])
            return bad(err, ptr_key(p, sizeof p, cbase, "element"),
                       "unknown element '%.20s' (not in /elements)", sym);
        if (m->seen[e])
            return bad(err, ptr_key(p, sizeof p, cbase, "element"), "duplicate element '%s'", sym);
        int has_ox = json_object_get(o, "oxide_t") != NULL;
        int has_me = json_object_get(o, "metal_t") != NULL;
        if (has_ox == has_me)
            return bad(err, cbase, "give exactly one of oxide_t and metal_t");
        double v = 0;
        if ((rc = get_num(o, has_ox ? "oxide_t" : "metal_t", cbase, 1, 0, 1.5, &v, err)))
            return rc;
        m->seen[e] = 1;
        if (has_ox) {
            m->pub.oxide_t[e] = v;
            m->pub.metal_t[e] = v * c->metal_per_oxide[e];
        } else {
            m->pub.metal_t[e] = v;
            m->pub.oxide_t[e] = v / c->metal_per_oxide[e];
        }
    }
    return LDS_OK;
}

static lds_code parse_materials(lds_catalog *c, json_t *root, lds_err *err)
{
    json_t *arr;
    lds_code rc = get_array(root, "materials", &arr, err);
    if (rc)
        return rc;
    size_t n = json_array_size(arr);
    c->mats = lds_calloc(n, sizeof *c->mats);
    if (!c->mats)
        return lds_err_set(err, LDS_ENOMEM, "out of memory reading the catalog");
    for (size_t i = 0; i < n; i++) {
        char base[PATH_MAX_LEN], p[PATH_MAX_LEN];
        json_t *o = NULL;
        mat_int *m = &c->mats[i];
        const char *opt, *src, *stage;
        double mass = 0;
        ptr_idx(base, sizeof base, "/materials", i);
        if ((rc = get_object_at(arr, i, "/materials", keys_material, &o, err)) ||
            (rc = get_str(o, "id", base, 1, &m->pub.id, err)) ||
            (rc = get_str(o, "name", base, 1, &m->pub.name, err)) ||
            (rc = get_str(o, "stage", base, 1, &stage, err)) ||
            (rc = get_str(o, "kind", base, 1, &m->pub.kind, err)) ||
            (rc = get_str(o, "unit", base, 1, &m->pub.unit, err)) ||
            (rc = get_num(o, "unit_mass_kg", base, 0, 0, 1e9, &mass, err)) ||
            (rc = get_str(o, "formula", base, 0, &opt, err)) ||
            (rc = get_str(o, "spec", base, 0, &opt, err)) ||
            (rc = get_str(o, "description", base, 0, &opt, err)) ||
            (rc = get_source(o, "source", base, &src, err)) ||
            (rc = get_str(o, "content_from_recipe", base, 0, &m->content_from, err)))
            return rc;
        m->json = o;
        if (find_stage(c, stage) < 0)
            return bad(err, ptr_key(p, sizeof p, base, "stage"), "unknown stage '%.40s'", stage);
        m->pub.stage_id = stage;
        if (json_object_get(o, "unit_mass_kg") && mass <= 0)
            return bad(err, ptr_key(p, sizeof p, base, "unit_mass_kg"), "must be positive");
        if (strcmp(m->pub.unit, "t") == 0 && mass != 1000)
            return bad(err, ptr_key(p, sizeof p, base, "unit_mass_kg"),
                       "a material counted in 't' has unit_mass_kg 1000");
        m->pub.unit_mass_kg = mass;
        if (find_mat(c, m->pub.id) >= 0)
            return bad(err, ptr_key(p, sizeof p, base, "id"), "duplicate material '%s'", m->pub.id);
        json_t *content = json_object_get(o, "content");
        if (content && m->content_from)
            return bad(err, base, "give either content or content_from_recipe, not both");
        if (!content && !m->content_from)
            return bad(err, ptr_key(p, sizeof p, base, "content"),
                       "required (an empty array for materials without rare earths)");
        if (content) {
            if (!json_is_array(content))
                return bad(err, ptr_key(p, sizeof p, base, "content"), "must be an array");
            if ((rc = parse_content(c, m, content, ptr_key(p, sizeof p, base, "content"), err)))
                return rc;
            m->resolved = 1;
        }
        json_t *ec = json_object_get(o, "export_controlled");
        if (ec && !json_is_boolean(ec))
            return bad(err, ptr_key(p, sizeof p, base, "export_controlled"), "must be a boolean");
        c->n_mats++; /* visible to find_mat only once complete */
    }
    return LDS_OK;
}

static lds_code parse_lines(lds_catalog *c, json_t *arr, const char *base, lds_recipe_line **out,
                            size_t *n_out, lds_err *err)
{
    char lbase[PATH_MAX_LEN], p[PATH_MAX_LEN];
    lds_code rc;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return bad(err, base, "must be a non-empty array");
    if (json_array_size(arr) > CATALOG_MAX_LINES)
        return bad(err, base, "more than %d lines", CATALOG_MAX_LINES);
    size_t n = json_array_size(arr);
    lds_recipe_line *l = lds_calloc(n, sizeof *l);
    if (!l)
        return lds_err_set(err, LDS_ENOMEM, "out of memory reading the catalog");
    *out = l;
    for (size_t k = 0; k < n; k++) {
        json_t *o = NULL;
        const char *mid;
        double q = 0;
        ptr_idx(lbase, sizeof lbase, base, k);
        if ((rc = get_object_at(arr, k, base, keys_line, &o, err)) ||
            (rc = get_str(o, "material", lbase, 1, &mid, err)) ||
            (rc = get_num(o, "qty", lbase, 1, 0, 1e9, &q, err)))
            return rc;
        long mi = find_mat(c, mid);
        if (mi < 0)
            return bad(err, ptr_key(p, sizeof p, lbase, "material"), "unknown material '%.40s'",
                       mid);
        if (q <= 0)
            return bad(err, ptr_key(p, sizeof p, lbase, "qty"), "must be positive");
        for (size_t j = 0; j < k; j++)
            if (l[j].material == (size_t)mi)
                return bad(err, ptr_key(p, sizeof p, lbase, "material"),
                           "material '%s' listed twice", mid);
        l[k].material_id = c->mats[mi].pub.id;
        l[k].material = (size_t)mi;
        l[k].qty = q;
        *n_out = k + 1;
    }
    return LDS_OK;
}

static lds_code parse_recipes(lds_catalog *c, json_t *root, lds_err *err)
{
    json_t *arr;
    lds_code rc = get_array(root, "recipes", &arr, err);
    if (rc)
        return rc;
    size_t n = json_array_size(arr);
    c->recs = lds_calloc(n, sizeof *c->recs);
    if (!c->recs)
        return lds_err_set(err, LDS_ENOMEM, "out of memory reading the catalog");
    for (size_t i = 0; i < n; i++) {
        char base[PATH_MAX_LEN], p[PATH_MAX_LEN];
        json_t *o = NULL;
        rec_int *r = &c->recs[i];
        const char *out_id, *opt;
        ptr_idx(base, sizeof base, "/recipes", i);
        c->n_recs = i + 1; /* so lds_catalog_free releases partial lines */
        r->pub.yield = 1;
        if ((rc = get_object_at(arr, i, "/recipes", keys_recipe, &o, err)) ||
            (rc = get_str(o, "id", base, 1, &r->pub.id, err)) ||
            (rc = get_str(o, "name", base, 1, &r->pub.name, err)) ||
            (rc = get_str(o, "stage", base, 1, &r->pub.stage_id, err)) ||
            (rc = get_str(o, "output", base, 1, &out_id, err)) ||
            (rc = get_str(o, "description", base, 0, &opt, err)) ||
            (rc = get_source(o, "source", base, &opt, err)) ||
            (rc = get_num(o, "yield", base, 0, 0, 1, &r->pub.yield, err)) ||
            (rc = get_num(o, "lead_time_days", base, 0, 0, 3650, &r->pub.lead_time_days, err)))
            return rc;
        r->json = o;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->recs[j].pub.id, r->pub.id) == 0)
                return bad(err, ptr_key(p, sizeof p, base, "id"), "duplicate recipe '%s'",
                           r->pub.id);
        if (find_stage(c, r->pub.stage_id) < 0)
            return bad(err, ptr_key(p, sizeof p, base, "stage"), "unknown stage '%.40s'",
                       r->pub.stage_id);
        long oi = find_mat(c, out_id);
        if (oi < 0)
            return bad(err, ptr_key(p, sizeof p, base, "output"), "unknown material '%.40s'",
                       out_id);
        r->pub.output = (size_t)oi;
        r->pub.output_id = c->mats[oi].pub.id;
        if (json_object_get(o, "yield")) {
            if (r->pub.yield <= 0)
                return bad(err, ptr_key(p, sizeof p, base, "yield"), "must be in (0, 1]");
            if ((rc = get_source(o, "yield_source", base, &opt, err)))
                return rc;
        }
        if (r->pub.lead_time_days > 0 && (rc = get_source(o, "lead_time_source", base, &opt, err)))
            return rc;
        if ((rc = parse_lines(c, json_object_get(o, "inputs"), ptr_key(p, sizeof p, base, "inputs"),
                              &r->in, &r->pub.n_inputs, err)))
            return rc;
        r->pub.inputs = r->in;
        json_t *cop = json_object_get(o, "coproducts_by_content");
        if (cop) {
            if (!json_is_object(cop))
                return bad(err, ptr_key(p, sizeof p, base, "coproducts_by_content"),
                           "must be an object of element -> material");
            if (json_object_get(o, "output_qty"))
                return bad(err, ptr_key(p, sizeof p, base, "output_qty"),
                           "derived from content when coproducts_by_content is given");
            r->cop = cop;
        } else {
            if ((rc = get_num(o, "output_qty", base, 1, 0, 1e9, &r->pub.output_qty, err)))
                return rc;
            if (r->pub.output_qty <= 0)
                return bad(err, ptr_key(p, sizeof p, base, "output_qty"), "must be positive");
            r->out = lds_calloc(1, sizeof *r->out);
            if (!r->out)
                return lds_err_set(err, LDS_ENOMEM, "out of memory reading the catalog");
            r->out[0].material = r->pub.output;
            r->out[0].material_id = r->pub.output_id;
            r->out[0].qty = r->pub.output_qty;
            r->pub.outputs = r->out;
            r->pub.n_outputs = 1;
        }
    }
    return LDS_OK;
}

/* ---- derivations --------------------------------------------------------- */

/* Content of materials made by a recipe without loss (components, end
 * products): sum of inputs' content over the output quantity.  Resolved in
 * dependency order; a pass without progress means a cycle. */
static lds_code resolve_content_from(lds_catalog *c, lds_err *err)
{
    char base[PATH_MAX_LEN], p[PATH_MAX_LEN];
    for (;;) {
        int progress = 0, pending = 0;
        for (size_t i = 0; i < c->n_mats; i++) {
            mat_int *m = &c->mats[i];
            if (m->resolved)
                continue;
            ptr_idx(base, sizeof base, "/materials", i);
            long ri = find_rec(c, m->content_from);
            if (ri < 0)
                return bad(err, ptr_key(p, sizeof p, base, "content_from_recipe"), "unknown recipe '%.40s'",
                           m->content_from);
            rec_int *r = &c->recs[ri];
            if (r->pub.output != i || r->cop)
                return bad(err, ptr_key(p, sizeof p, base, "content_from_recipe"),
                           "recipe '%s' does not make '%s' as a single output", r->pub.id,
                           m->pub.id);
            int ready = 1;
            for (size_t k = 0; k < r->pub.n_inputs; k++)
                if (!c->mats[r->in[k].material].resolved)
                    ready = 0;
            if (!ready) {
                pending = 1;
                continue;
            }
            for (size_t k = 0; k < r->pub.n_inputs; k++) {
                const lds_material *in = &c->mats[r->in[k].material].pub;
                for (int e = 0; e < LDS_RE_N; e++) {
                    m->pub.oxide_t[e] += r->in[k].qty * in->oxide_t[e] / r->pub.output_qty;
                    m->pub.metal_t[e] += r->in[k].qty * in->metal_t[e] / r->pub.output_qty;
                }
            }
            m->resolved = 1;
            progress = 1;
        }
        if (!pending)
            return LDS_OK;
        if (!progress)
            for (size_t i = 0; i < c->n_mats; i++)
                if (!c->mats[i].resolved) {
                    ptr_idx(base, sizeof base, "/materials", i);
                    return bad(err, ptr_key(p, sizeof p, base, "content_from_recipe"),
                               "content depends on itself through recipe '%s'",
                               c->mats[i].content_from);
                }
    }
}

/* Co-products of a separation recipe: every element of the inputs leaves as
 * the material the map names, in proportion to that material's content of
 * the element, after the recipe's yield. */
static lds_code derive_coproducts(lds_catalog *c, size_t ri, lds_err *err)
{
    char base[PATH_MAX_LEN], p[PATH_MAX_LEN];
    rec_int *r = &c->recs[ri];
    double in_ox[LDS_RE_N] = {0};
    snprintf(base, sizeof base, "/recipes/%zu/coproducts_by_content", ri);
    for (size_t k = 0; k < r->pub.n_inputs; k++)
        for (int e = 0; e < LDS_RE_N; e++)
            in_ox[e] += r->in[k].qty * c->mats[r->in[k].material].pub.oxide_t[e];
    r->out = lds_calloc(LDS_RE_N, sizeof *r->out);
    if (!r->out)
        return lds_err_set(err, LDS_ENOMEM, "out of memory reading the catalog");
    const char *key;
    json_t *v;
    json_object_foreach(r->cop, key, v)
    {
        int e = lds_re_parse(key);
        if (e < 0 || !c->has_element[e])
            return bad(err, ptr_key(p, sizeof p, base, key), "unknown element");
        if (!json_is_string(v))
            return bad(err, ptr_key(p, sizeof p, base, key), "must be a material id");
        long mi = find_mat(c, json_string_value(v));
        if (mi < 0)
            return bad(err, ptr_key(p, sizeof p, base, key), "unknown material '%.40s'",
                       json_string_value(v));
    }
    for (int e = 0; e < LDS_RE_N; e++) {
        if (in_ox[e] <= 0)
            continue;
        json_t *mv = json_object_get(r->cop, re_symbols[e]);
        if (!mv)
            return bad(err, base, "inputs contain %s but no co-product takes it", re_oxides[e]);
        long mi = find_mat(c, json_string_value(mv));
        const lds_material *pm = &c->mats[mi].pub;
        if (pm->oxide_t[e] <= 0)
            return bad(err, ptr_key(p, sizeof p, base, re_symbols[e]),
                       "material '%s' contains no %s", pm->id, re_oxides[e]);
        for (size_t k = 0; k < r->pub.n_outputs; k++)
            if (r->out[k].material == (size_t)mi)
                return bad(err, ptr_key(p, sizeof p, base, re_symbols[e]),
                           "material '%s' takes two elements", pm->id);
        lds_recipe_line *l = &r->out[r->pub.n_outputs++];
        l->material = (size_t)mi;
        l->material_id = pm->id;
        l->qty = in_ox[e] * r->pub.yield / pm->oxide_t[e];
        if (l->material == r->pub.output)
            r->pub.output_qty = l->qty;
    }
    r->pub.outputs = r->out;
    if (r->pub.output_qty <= 0)
        return bad(err, base, "primary output '%s' is not produced",
                   r->pub.output_id);
    return LDS_OK;
}

/* No recipe may create rare earths: per element, outputs <= inputs. */
static lds_code check_mass_balance(const lds_catalog *c, size_t ri, lds_err *err)
{
    char base[PATH_MAX_LEN];
    const rec_int *r = &c->recs[ri];
    ptr_idx(base, sizeof base, "/recipes", ri);
    for (int e = 0; e < LDS_RE_N; e++) {
        double in = 0, out = 0;
        for (size_t k = 0; k < r->pub.n_inputs; k++)
            in += r->in[k].qty * c->mats[r->in[k].material].pub.oxide_t[e];
        for (size_t k = 0; k < r->pub.n_outputs; k++)
            out += r->out[k].qty * c->mats[r->out[k].material].pub.oxide_t[e];
        if (out > in * (1 + MASS_BALANCE_REL) + MASS_BALANCE_ABS)
            return bad(err, base, "recipe '%s' creates %s: %.6g t out of %.6g t in", r->pub.id,
                       re_oxides[e], out, in);
    }
    return LDS_OK;
}

static int stage_exempt(const lds_catalog *c, const char *stage)
{
    for (size_t i = 0; c->ec_exempt && i < json_array_size(c->ec_exempt); i++)
        if (strcmp(json_string_value(json_array_get(c->ec_exempt, i)), stage) == 0)
            return 1;
    return 0;
}

static lds_code derive_export_control(lds_catalog *c, lds_err *err)
{
    char p[PATH_MAX_LEN];
    for (size_t i = 0; i < c->n_mats; i++) {
        lds_material *m = &c->mats[i].pub;
        double ctrl_t = 0;
        int top = -1;
        for (int e = 0; e < LDS_RE_N; e++)
            if (c->el_controlled[e] && m->metal_t[e] > 0) {
                ctrl_t += m->metal_t[e];
                if (top < 0 || m->metal_t[e] > m->metal_t[top])
                    top = e;
            }
        m->n_elements = 0;
        for (int e = 0; e < LDS_RE_N; e++)
            m->n_elements += m->oxide_t[e] > 0;
        m->export_controlled = m->unit_mass_kg > 0 && !stage_exempt(c, m->stage_id) &&
                               ctrl_t > c->ec_threshold * m->unit_mass_kg / 1000.0;
        json_t *given = json_object_get(c->mats[i].json, "export_controlled");
        if (given && json_is_true(given) != m->export_controlled) {
            snprintf(p, sizeof p, "/materials/%zu/export_controlled", i);
            if (m->export_controlled)
                return bad(err, p, "false, but '%s' holds %.3g wt%% %s (controlled elements)",
                           m->id, 100.0 * ctrl_t * 1000.0 / m->unit_mass_kg, re_symbols[top]);
            return bad(err, p, "true, but '%s' falls outside the export-control rule", m->id);
        }
    }
    return LDS_OK;
}

/* ---- entry points --------------------------------------------------------- */

static lds_code parse_root(lds_catalog *c, lds_err *err)
{
    lds_code rc;
    json_t *root = c->root;
    if (!json_is_object(root))
        return bad(err, "", "the document must be a JSON object");
    if ((rc = check_keys(root, "", keys_root, err)))
        return rc;
    if ((rc = get_str(root, "catalog_version", "", 1, &c->version, err)) ||
        (rc = parse_elements(c, root, err)) || (rc = parse_stages(c, root, err)) ||
        (rc = parse_export_control(c, root, err)) || (rc = parse_regions(c, root, err)) ||
        (rc = parse_materials(c, root, err)) || (rc = parse_recipes(c, root, err)) ||
        (rc = resolve_content_from(c, err)))
        return rc;
    for (size_t i = 0; i < c->n_recs; i++)
        if (c->recs[i].cop && (rc = derive_coproducts(c, i, err)))
            return rc;
    for (size_t i = 0; i < c->n_recs; i++)
        if ((rc = check_mass_balance(c, i, err)))
            return rc;
    return derive_export_control(c, err);
}

static lds_code finish_parse(json_t *root, json_error_t *jerr, const char *what,
                             lds_catalog **out, lds_err *err)
{
    if (!root)
        return lds_err_at(err, LDS_EINVAL, (unsigned)(jerr->line > 0 ? jerr->line : 0),
                          (unsigned)(jerr->column > 0 ? jerr->column : 0), "%s: %s", what,
                          jerr->text);
    lds_catalog *c = lds_calloc(1, sizeof *c);
    if (!c) {
        json_decref(root);
        return lds_err_set(err, LDS_ENOMEM, "out of memory reading the catalog");
    }
    c->root = root;
    lds_code rc = parse_root(c, err);
    if (rc) {
        lds_catalog_free(c);
        return rc;
    }
    *out = c;
    return LDS_OK;
}

lds_code lds_catalog_parse(const char *json, size_t len, lds_catalog **out, lds_err *err)
{
    json_error_t jerr;
    *out = NULL;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    return finish_parse(root, &jerr, "catalog", out, err);
}

lds_code lds_catalog_parse_file(const char *path, lds_catalog **out, lds_err *err)
{
    json_error_t jerr;
    *out = NULL;
    if (!path)
        return lds_err_set(err, LDS_EINVAL, "catalog path is NULL");
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root && jerr.line <= 0)
        return lds_err_set(err, LDS_EIO, "cannot read catalog %s: %s", path, jerr.text);
    return finish_parse(root, &jerr, path, out, err);
}

lds_code lds_catalog_load_file(lds_store *s, const char *path, lds_err *err)
{
    lds_catalog *c;
    lds_code rc = lds_catalog_parse_file(path, &c, err);
    if (rc)
        return rc;
    rc = lds_catalog_store(c, s, err);
    lds_catalog_free(c);
    return rc;
}

const char *lds_catalog_version(const lds_catalog *c)
{
    return c->version;
}

size_t lds_catalog_n_materials(const lds_catalog *c)
{
    return c->n_mats;
}

const lds_material *lds_catalog_material_at(const lds_catalog *c, size_t i)
{
    return i < c->n_mats ? &c->mats[i].pub : NULL;
}

const lds_material *lds_catalog_material(const lds_catalog *c, const char *id)
{
    long i = id ? find_mat(c, id) : -1;
    return i < 0 ? NULL : &c->mats[i].pub;
}

size_t lds_catalog_n_recipes(const lds_catalog *c)
{
    return c->n_recs;
}

const lds_recipe *lds_catalog_recipe_at(const lds_catalog *c, size_t i)
{
    return i < c->n_recs ? &c->recs[i].pub : NULL;
}

const lds_recipe *lds_catalog_recipe(const lds_catalog *c, const char *id)
{
    long i = id ? find_rec(c, id) : -1;
    return i < 0 ? NULL : &c->recs[i].pub;
}

const lds_recipe *lds_catalog_recipe_for(const lds_catalog *c, const char *material_id,
                                         size_t nth)
{
    for (size_t i = 0; material_id && i < c->n_recs; i++)
        if (strcmp(c->recs[i].pub.output_id, material_id) == 0 && nth-- == 0)
            return &c->recs[i].pub;
    return NULL;
}

static lds_code check_qty(double qty, lds_err *err)
{
    if (!isfinite(qty) || qty < 0)
        return lds_err_field(err, LDS_EINVAL, "qty", "quantity must be finite and non-negative");
    return LDS_OK;
}

void lds_catalog__sum(lds_reo *out)
{
    out->total_oxide_t = out->total_metal_t = 0;
    for (int e = 0; e < LDS_RE_N; e++) {
        out->total_oxide_t += out->oxide_t[e];
        out->total_metal_t += out->metal_t[e];
    }
}

lds_code lds_catalog_convert(const lds_catalog *c, const char *material_id, double qty,
                             lds_reo *out, lds_err *err)
{
    lds_code rc = check_qty(qty, err);
    if (rc)
        return rc;
    const lds_material *m = lds_catalog_material(c, material_id);
    if (!m)
        return lds_err_field(err, LDS_ENOTFOUND, "material", "no material '%.40s'",
                             material_id ? material_id : "(null)");
    memset(out, 0, sizeof *out);
    for (int e = 0; e < LDS_RE_N; e++) {
        out->oxide_t[e] = qty * m->oxide_t[e];
        out->metal_t[e] = qty * m->metal_t[e];
    }
    lds_catalog__sum(out);
    return LDS_OK;
}

lds_code lds_catalog_reo(lds_store *s, const char *material_id, double qty, lds_reo *out,
                         lds_err *err)
{
    static const char q_mat[] = "SELECT 1 FROM materials WHERE id = ?1";
    static const char q_content[] =
        "SELECT element, oxide_t_per_t, metal_t_per_t FROM material_content"
        " WHERE material_id = ?1";
    lds_stmt *st;
    lds_code rc = check_qty(qty, err);
    if (rc)
        return rc;
    if (!material_id)
        return lds_err_field(err, LDS_EINVAL, "material", "material id is NULL");
    if ((rc = lds_store_prepare(s, q_mat, &st, err)) ||
        (rc = lds_stmt_bind_text(st, 1, material_id)))
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_DONE)
        return lds_err_field(err, LDS_ENOTFOUND, "material", "no material '%.40s'", material_id);
    if (r != LDS_STORE_ROW)
        return (lds_code)r;
    if ((rc = lds_store_prepare(s, q_content, &st, err)) ||
        (rc = lds_stmt_bind_text(st, 1, material_id)))
        return rc;
    lds_reo acc;
    memset(&acc, 0, sizeof acc);
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        int e = lds_re_parse(lds_stmt_col_text(st, 0));
        if (e < 0)
            return lds_err_set(err, LDS_ECORRUPT, "material_content of '%.40s': unknown element",
                               material_id);
        acc.oxide_t[e] += qty * lds_stmt_col_double(st, 1);
        acc.metal_t[e] += qty * lds_stmt_col_double(st, 2);
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    lds_catalog__sum(&acc);
    *out = acc;
    return LDS_OK;
}
