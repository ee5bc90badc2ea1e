/*
 * lots.c — lot records (read, JSON, list), the product-class registry, the
 * process-wide catalog the conversions use and the visibility rule.
 */
#include <ctype.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/alloc.h"
#include "lodestone/clock.h"
#include "lodestone/config.h"
#include "lodestone/listing.h"
#include "lineage_int.h"

/* ---- the catalog ---------------------------------------------------------- */

static pthread_mutex_t cat_mu = PTHREAD_MUTEX_INITIALIZER;
static lds_catalog *cat;

const lds_catalog *lds_lineage__catalog(lds_store *s)
{
    pthread_mutex_lock(&cat_mu);
    if (!cat) {
        lds_catalog *c = NULL;
        if (lds_catalog_read(s, &c, NULL) == LDS_OK)
            cat = c;
    }
    const lds_catalog *c = cat;
    pthread_mutex_unlock(&cat_mu);
    return c;
}

void lds_lineage_reset_cache(void)
{
    pthread_mutex_lock(&cat_mu);
    lds_catalog_free(cat);
    cat = NULL;
    pthread_mutex_unlock(&cat_mu);
}

/* ---- mass-balance mode ------------------------------------------------------ */

static pthread_mutex_t mode_mu = PTHREAD_MUTEX_INITIALIZER;
static int mode = -1;

lds_mass_balance_mode lds_lineage_mass_balance(void)
{
    pthread_mutex_lock(&mode_mu);
    if (mode < 0) {
        lds_config cfg;
        lds_config_defaults(&cfg);
        if (lds_config_from_env(&cfg, NULL) == LDS_OK)
            mode = cfg.mass_balance_flag ? LDS_MASS_BALANCE_FLAG : LDS_MASS_BALANCE_REJECT;
        else
            mode = LDS_MASS_BALANCE_REJECT;
    }
    int m = mode;
    pthread_mutex_unlock(&mode_mu);
    return (lds_mass_balance_mode)m;
}

void lds_lineage_set_mass_balance(lds_mass_balance_mode m)
{
    pthread_mutex_lock(&mode_mu);
    mode = (int)m;
    pthread_mutex_unlock(&mode_mu);
}

/* ---- conversions ------------------------------------------------------------- */

static double uom_kg(const char *uom)
{
    static const struct {
        const char *code;
        double kg;
    } mass[] = {{"KGM", 1}, {"TNE", 1000}, {"GRM", 1e-3}, {"MGM", 1e-6}, {"LBR", 0.45359237}};
    for (size_t i = 0; uom && i < sizeof mass / sizeof mass[0]; i++)
        if (strcmp(uom, mass[i].code) == 0)
            return mass[i].kg;
    return 0;
}

static int uom_count(const char *uom)
{
    return !uom || !*uom || strcmp(uom, "EA") == 0 || strcmp(uom, "H87") == 0 ||
           strcmp(uom, "C62") == 0;
}

int lds_lineage__content(const lds_catalog *c, const char *material, double qty, const char *uom,
                         lds_reo *reo, double *weight)
{
    double kg = uom_kg(uom);
    *weight = kg > 0 ? qty * kg : qty;
    /* A quantity past what a double holds in kg (1.7e308 t) weighs nothing:
     * an infinite weight would split shares as inf/inf, a NaN in the JSON. */
    if (!isfinite(*weight))
        *weight = 0;
    memset(reo, 0, sizeof *reo);
    if (!c || !material || !*material || !(qty >= 0))
        return 0;
    const lds_material *m = lds_catalog_material(c, material);
    if (!m)
        return 0;
    double units;
    if (kg > 0 && m->unit_mass_kg > 0)
        units = qty * kg / m->unit_mass_kg;
    else if (uom_count(uom) && strcmp(m->unit, "t") != 0)
        units = qty;
    else
        return 0;
    return lds_catalog_convert(c, material, units, reo, NULL) == LDS_OK;
}

/* ---- lots ------------------------------------------------------------------------ */

lds_code lds_lineage_lot_key(const char *uri, char out[LDS_LINEAGE_URI_MAX], lds_err *err)
{
    lds_buf b = LDS_BUF_INIT;
    const char *key = uri;
    if (lds_epcis_uri_to_dl(uri, &b) && !b.oom)
        key = b.ptr;
    size_t n = strlen(key);
    lds_code rc = LDS_OK;
    if (n == 0 || n >= LDS_LINEAGE_URI_MAX)
        rc = lds_err_field(err, LDS_EINVAL, "lot", "a lot identifier has 1 to %d characters",
                           LDS_LINEAGE_URI_MAX - 1);
    else
        memcpy(out, key, n + 1);
    lds_buf_release(&b);
    return rc;
}

static void copy_col(char *dst, size_t n, lds_stmt *st, int col)
{
    const char *v = lds_stmt_col_is_null(st, col) ? NULL : lds_stmt_col_text(st, col);
    snprintf(dst, n, "%s", v ? v : "");
}

void lds_lineage__lot_row(lds_store *s, lds_stmt *st, int c0, lds_lot *out)
{
    memset(out, 0, sizeof *out);
    out->id = lds_stmt_col_i64(st, c0);
    copy_col(out->lot, sizeof out->lot, st, c0 + 1);
    copy_col(out->material_id, sizeof out->material_id, st, c0 + 2);
    copy_col(out->grade, sizeof out->grade, st, c0 + 3);
    out->has_quantity = !lds_stmt_col_is_null(st, c0 + 4);
    out->quantity = out->has_quantity ? lds_stmt_col_double(st, c0 + 4) : 0;
    copy_col(out->uom, sizeof out->uom, st, c0 + 5);
    copy_col(out->location, sizeof out->location, st, c0 + 6);
    copy_col(out->region_id, sizeof out->region_id, st, c0 + 7);
    copy_col(out->mine, sizeof out->mine, st, c0 + 8);
    out->producer_org = lds_stmt_col_is_null(st, c0 + 9) ? 0 : lds_stmt_col_i64(st, c0 + 9);
    copy_col(out->event_id, sizeof out->event_id, st, c0 + 10);
    out->event_time_ms = lds_stmt_col_i64(st, c0 + 11);
    out->is_transformation_output = (int)lds_stmt_col_i64(st, c0 + 12);
    out->mass_balance_flag = (int)lds_stmt_col_i64(st, c0 + 13);
    copy_col(out->mass_balance_note, sizeof out->mass_balance_note, st, c0 + 14);
    const lds_catalog *c = s ? lds_lineage__catalog(s) : NULL;
    if (out->has_quantity)
        out->has_reo = lds_lineage__content(c, out->material_id, out->quantity, out->uom,
                                            &out->reo, &out->weight);
}

lds_code lds_lineage__lot_by_id(lds_store *s, int64_t id, lds_lot *out, lds_err *err)
{
    static const char q[] = "SELECT " LDS_LINEAGE__LOT_COLS
                            " FROM lots l JOIN epcis_events e ON e.id = l.event WHERE l.id = ?";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_i64(st, 1, id);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no lot with id %lld", (long long)id);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    lds_lineage__lot_row(NULL, st, 0, out);
    lds_stmt_reset(st);
    if (out->has_quantity)
        out->has_reo = lds_lineage__content(lds_lineage__catalog(s), out->material_id,
                                            out->quantity, out->uom, &out->reo, &out->weight);
    return LDS_OK;
}

lds_code lds_lineage_lot_get(lds_store *s, const char *lot, lds_lot *out, lds_err *err)
{
    static const char q[] = "SELECT id FROM lots WHERE lot = ?";
    char key[LDS_LINEAGE_URI_MAX];
    lds_code rc = lds_lineage_lot_key(lot, key, err);
    if (rc)
        return rc == LDS_EINVAL ? lds_err_set(err, LDS_ENOTFOUND, "no lot '%.120s'", lot) : rc;
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, q, &st, err)))
        return rc;
    lds_stmt_bind_text(st, 1, key);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no lot '%.120s'", lot);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    int64_t id = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return lds_lineage__lot_by_id(s, id, out, err);
}

void lds_lineage__quantity_json(const lds_lot *l, lds_buf *b)
{
    if (l->has_quantity)
        lds_buf_addf(b, ",\"quantity\":%.17g", l->quantity);
    else
        lds_buf_adds(b, ",\"quantity\":null");
    lds_buf_adds(b, ",\"uom\":");
    lds_json_str_or_null(b, l->uom);
}

void lds_lineage_lot_json(const lds_lot *l, lds_buf *b)
{
    char when[40];
    lds_lineage__fmt_ms(l->event_time_ms, when);
    lds_buf_adds(b, "{\"lot\":");
    lds_buf_add_json_str(b, l->lot);
    lds_buf_adds(b, ",\"material\":");
    lds_json_str_or_null(b, l->material_id);
    lds_buf_adds(b, ",\"grade\":");
    lds_json_str_or_null(b, l->grade);
    lds_lineage__quantity_json(l, b);
    if (l->has_reo) {
        lds_buf_addf(b, ",\"reo_t\":%.9g,\"reo_by_oxide\":{", l->reo.total_oxide_t);
        int first = 1;
        for (int el = 0; el < LDS_RE_N; el++) {
            if (l->reo.oxide_t[el] <= 0)
                continue;
            lds_buf_addf(b, "%s\"%s\":%.9g", first ? "" : ",", lds_re_oxide((lds_re)el),
                         l->reo.oxide_t[el]);
            first = 0;
        }
        lds_buf_addc(b, '}');
    } else {
        lds_buf_adds(b, ",\"reo_t\":null");
    }
    lds_buf_adds(b, ",\"location\":");
    lds_json_str_or_null(b, l->location);
    lds_buf_adds(b, ",\"region\":");
    lds_json_str_or_null(b, l->region_id);
    lds_buf_adds(b, ",\"mine\":");
    lds_json_str_or_null(b, l->mine);
    if (l->producer_org)
        lds_buf_addf(b, ",\"producer_org\":%lld", (long long)l->producer_org);
    else
        lds_buf_adds(b, ",\"producer_org\":null");
    lds_buf_adds(b, ",\"commissioning_event\":");
    lds_json_str_or_null(b, l->event_id);
    lds_buf_addf(b, ",\"commissioned_at\":\"%s\",\"transformation_output\":%s", when,
                 l->is_transformation_output ? "true" : "false");
    lds_buf_addf(b, ",\"mass_balance_flag\":%s", l->mass_balance_flag ? "true" : "false");
    if (l->mass_balance_flag) {
        lds_buf_adds(b, ",\"mass_balance_note\":");
        lds_json_str_or_null(b, l->mass_balance_note);
    }
    lds_buf_addc(b, '}');
}

void lds_lineage__fmt_ms(int64_t ms, char out[40])
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, 40, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u,
             (unsigned)frac % 1000u);
}

/* limit, next (the last id given, as digits) and the named filters. */
static void page_args(const lds_kv *params, size_t n_params, const char *const *filters,
                      int n_filters, const char **fval, int64_t *limit, int64_t *after,
                      lds_field_errors *fe)
{
    const char *next = NULL;
    lds_list_params(params, n_params, filters, n_filters, fval, limit, &next, fe);
    if (!next)
        return;
    char *end;
    long long v = strtoll(next, &end, 10);
    if (!*next || *end || v < 0)
        lds_field_errors_add(fe, "next", "not a cursor this API issued");
    else
        *after = v;
}

static lds_code invalid(const lds_field_errors *fe, lds_err *err)
{
    return lds_err_field(err, LDS_EINVAL, fe->items[0].pointer, "%s: %s", fe->items[0].pointer,
                         fe->items[0].message);
}

typedef struct lot_item_ctx {
    lds_store *s;
    lds_lot *lot; /* scratch: a lot is large */
} lot_item_ctx;

static void lot_item(void *ctx, lds_stmt *st, lds_buf *b)
{
    lot_item_ctx *c = ctx;
    lds_lineage__lot_row(c->s, st, 0, c->lot);
    lds_lineage_lot_json(c->lot, b);
}

lds_code lds_lineage_lot_list(lds_store *s, const lds_kv *params, size_t n_params,
                              int64_t only_org, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    static const char q[] =
        "SELECT " LDS_LINEAGE__LOT_COLS " FROM lots l JOIN epcis_events e ON e.id = l.event "
        "WHERE l.id > ?1 AND (?2 IS NULL OR l.material_id = ?2) "
        "AND (?3 IS NULL OR l.org_id = ?3) AND (?4 IS NULL OR l.org_id = ?4 OR EXISTS (SELECT 1 "
        "FROM lot_holders h WHERE h.lot = l.id AND h.org_id = ?4)) "
        "AND (?5 IS NULL OR (?5 = 1) = NOT EXISTS (SELECT 1 FROM lot_edges x WHERE "
        "x.output_lot = l.id)) ORDER BY l.id LIMIT ?6";
    static const char *const filters[] = {"material", "org", "origin"};
    const char *fval[3] = {NULL, NULL, NULL};
    int64_t limit = 0, after = 0, org = 0;
    page_args(params, n_params, filters, 3, fval, &limit, &after, fe);
    if (fval[1]) {
        long long v;
        if (lds_parse_int(fval[1], 1, INT64_MAX, &v, "org", NULL))
            lds_field_errors_add(fe, "org", "an organisation id is a positive integer");
        org = v;
    }
    if (fval[2] && strcmp(fval[2], "true") && strcmp(fval[2], "false"))
        lds_field_errors_add(fe, "origin", "'true' or 'false'");
    if (fe->n)
        return invalid(fe, err);
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_i64(st, 1, after);
    lds_stmt_bind_text(st, 2, fval[0]);
    if (org)
        lds_stmt_bind_i64(st, 3, org);
    if (only_org > 0)
        lds_stmt_bind_i64(st, 4, only_org);
    if (fval[2])
        lds_stmt_bind_i64(st, 5, strcmp(fval[2], "true") == 0);
    lds_stmt_bind_i64(st, 6, limit + 1);
    lot_item_ctx c = {s, lds_malloc(sizeof(lds_lot))};
    if (!c.lot) {
        lds_stmt_reset(st);
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    }
    rc = lds_write_id_page(st, limit, lot_item, &c, out, err);
    lds_free(c.lot);
    return rc;
}

/* ---- product classes ------------------------------------------------------------ */

/* The GTIN-14 of a canonical Digital Link ("https://id.gs1.org/01/<14>..."), or "". */
static void dl_gtin(const char *dl, char gtin[15])
{
    static const char pre[] = "https://id.gs1.org/01/";
    gtin[0] = '\0';
    if (strncmp(dl, pre, sizeof pre - 1) != 0)
        return;
    const char *g = dl + sizeof pre - 1;
    for (int i = 0; i < 14; i++)
        if (!isdigit((unsigned char)g[i]))
            return;
    if (g[14] != '\0' && g[14] != '/')
        return;
    memcpy(gtin, g, 14);
    gtin[14] = '\0';
}

/* GS1 check digit of the first 13 digits. */
static char gtin_check(const char *d13)
{
    int sum = 0;
    for (int i = 0; i < 13; i++)
        sum += (d13[i] - '0') * (i % 2 == 0 ? 3 : 1);
    return (char)('0' + (10 - sum % 10) % 10);
}

/* GTIN-14 for a class URI or pattern; "" when it has none. */
static void class_gtin(const char *uri, char gtin[15])
{
    lds_buf b = LDS_BUF_INIT;
    gtin[0] = '\0';
    if (lds_epcis_uri_to_dl(uri, &b) && !b.oom)
        dl_gtin(b.ptr, gtin);
    lds_buf_release(&b);
    if (gtin[0])
        return;
    /* "urn:epc:class:lgtin:CompanyPrefix.ItemRef.*": try it with a lot. */
    size_t n = strlen(uri);
    if (n > 2 && n < 200 && uri[n - 1] == '*' && uri[n - 2] == '.') {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%.*sX", (int)(n - 1), uri);
        if (lds_epcis_uri_to_dl(tmp, &b) && !b.oom)
            dl_gtin(b.ptr, gtin);
        lds_buf_release(&b);
    }
}

static void pc_json(lds_stmt *st, lds_buf *b)
{
    lds_buf_addf(b, "{\"id\":%lld,\"epc_class\":", (long long)lds_stmt_col_i64(st, 0));
    lds_json_str_or_null(b, lds_stmt_col_text(st, 1));
    lds_buf_adds(b, ",\"gtin\":");
    lds_json_str_or_null(b, lds_stmt_col_is_null(st, 2) ? NULL : lds_stmt_col_text(st, 2));
    lds_buf_adds(b, ",\"material\":");
    lds_json_str_or_null(b, lds_stmt_col_text(st, 3));
    lds_buf_adds(b, ",\"grade\":");
    lds_json_str_or_null(b, lds_stmt_col_is_null(st, 4) ? NULL : lds_stmt_col_text(st, 4));
    if (lds_stmt_col_is_null(st, 5))
        lds_buf_adds(b, ",\"org_id\":null");
    else
        lds_buf_addf(b, ",\"org_id\":%lld", (long long)lds_stmt_col_i64(st, 5));
    lds_buf_adds(b, ",\"created_at\":");
    lds_json_str_or_null(b, lds_stmt_col_text(st, 6));
    lds_buf_addc(b, '}');
}

static void pc_item(void *ctx, lds_stmt *st, lds_buf *b)
{
    (void)ctx;
    pc_json(st, b);
}

static const char pc_by_id[] = "SELECT id, pattern, gtin, material_id, grade, org_id, created_at "
                               "FROM product_classes WHERE id = ?";

lds_code lds_lineage_product_class_create(lds_store *s, const json_t *body, int64_t org_id,
                                          int64_t *id, lds_buf *out, lds_field_errors *fe,
                                          lds_err *err)
{
    static const char q_mat[] = "SELECT 1 FROM materials WHERE id = ?";
    static const char q_dup[] = "SELECT id FROM product_classes WHERE pattern = ?";
    static const char ins[] = "INSERT INTO product_classes (pattern, gtin, material_id, grade, "
                              "org_id, created_at) VALUES (?, ?, ?, ?, ?, ?)";
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body is a JSON object");
        return invalid(fe, err);
    }
    const char *key;
    json_t *v;
    json_t *mut; /* jansson's iteration takes a non-const object; nothing is changed */
    memcpy(&mut, &body, sizeof mut);
    json_object_foreach(mut, key, v)
    {
        if (strcmp(key, "epc_class") && strcmp(key, "gtin") && strcmp(key, "material") &&
            strcmp(key, "grade")) {
            char ptr[96];
            snprintf(ptr, sizeof ptr, "/%.80s", key);
            lds_field_errors_add(fe, ptr, "unknown field");
        }
    }
    const json_t *jc = json_object_get(body, "epc_class"), *jg = json_object_get(body, "gtin");
    const json_t *jm = json_object_get(body, "material"), *jr = json_object_get(body, "grade");
    char pattern[LDS_LINEAGE_URI_MAX] = "", gtin[15] = "";
    if (!jc == !jg) {
        lds_field_errors_add(fe, "/epc_class", "give exactly one of epc_class and gtin");
    } else if (jc) {
        const char *c = json_string_value(jc);
        if (!c || !*c || strlen(c) >= LDS_LINEAGE_URI_MAX || !strchr(c, ':'))
            lds_field_errors_add(fe, "/epc_class",
                                 "an EPC class URI, class pattern (ending in '*') or GS1 "
                                 "Digital Link of under %d characters",
                                 LDS_LINEAGE_URI_MAX);
        else {
            snprintf(pattern, sizeof pattern, "%s", c);
            class_gtin(c, gtin);
        }
    } else {
        const char *g = json_string_value(jg);
        size_t n = g ? strlen(g) : 0;
        int digits = n == 8 || n == 12 || n == 13 || n == 14;
        for (size_t i = 0; digits && i < n; i++)
            digits = isdigit((unsigned char)g[i]) != 0;
        if (!digits) {
            lds_field_errors_add(fe, "/gtin", "a GTIN of 8, 12, 13 or 14 digits");
        } else {
            memset(gtin, '0', 14);
            memcpy(gtin + 14 - n, g, n);
            gtin[14] = '\0';
            if (gtin_check(gtin) != gtin[13])
                lds_field_errors_add(fe, "/gtin", "check digit should be %c", gtin_check(gtin));
            snprintf(pattern, sizeof pattern, "https://id.gs1.org/01/%s", gtin);
        }
    }
    const char *mat = json_string_value(jm);
    if (!mat || !*mat)
        lds_field_errors_add(fe, "/material", "required: a catalog material id");
    const char *grade = NULL;
    if (jr && !json_is_null(jr)) {
        grade = json_string_value(jr);
        if (!grade || !*grade || strlen(grade) >= LDS_LINEAGE_ID_MAX)
            lds_field_errors_add(fe, "/grade", "a string of 1 to %d characters",
                                 LDS_LINEAGE_ID_MAX - 1);
    }
    lds_stmt *st;
    lds_code rc;
    if (mat && *mat) {
        if ((rc = lds_store_prepare(s, q_mat, &st, err)))
            return rc;
        lds_stmt_bind_text(st, 1, mat);
        int step = lds_stmt_step(st, err);
        if (step == LDS_STORE_DONE)
            lds_field_errors_add(fe, "/material", "no catalog material '%.60s'", mat);
        else if (step != LDS_STORE_ROW)
            return (lds_code)step;
        lds_stmt_reset(st);
    }
    if (fe->n)
        return invalid(fe, err);
    /* A GS1 class is keyed by its GTIN: one mapping per GTIN. */
    if (gtin[0])
        snprintf(pattern, sizeof pattern, "https://id.gs1.org/01/%s", gtin);
    if ((rc = lds_store_prepare(s, q_dup, &st, err)))
        return rc;
    lds_stmt_bind_text(st, 1, pattern);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_ROW) {
        long long other = (long long)lds_stmt_col_i64(st, 0);
        lds_stmt_reset(st);
        return lds_err_field(err, LDS_ECONFLICT, jc ? "/epc_class" : "/gtin",
                             "'%.120s' is already mapped (product class %lld)", pattern, other);
    }
    if (step != LDS_STORE_DONE)
        return (lds_code)step;
    char now[LDS_RFC3339_LEN];
    lds_now_rfc3339(now);
    if ((rc = lds_store_prepare(s, ins, &st, err)))
        return rc;
    lds_stmt_bind_text(st, 1, pattern);
    lds_stmt_bind_text(st, 2, gtin[0] ? gtin : NULL);
    lds_stmt_bind_text(st, 3, mat);
    lds_stmt_bind_text(st, 4, grade);
    if (org_id > 0)
        lds_stmt_bind_i64(st, 5, org_id);
    else
        lds_stmt_bind_null(st, 5);
    lds_stmt_bind_text(st, 6, now);
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    *id = lds_store_last_id(s);
    if ((rc = lds_store_prepare(s, pc_by_id, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, *id);
    if ((step = lds_stmt_step(st, err)) != LDS_STORE_ROW)
        return step == LDS_STORE_DONE ? lds_err_set(err, LDS_EIO, "product class vanished")
                                      : (lds_code)step;
    pc_json(st, out);
    lds_stmt_reset(st);
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}

lds_code lds_lineage_product_class_list(lds_store *s, const lds_kv *params, size_t n_params,
                                        lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    static const char q[] = "SELECT id, pattern, gtin, material_id, grade, org_id, created_at "
                            "FROM product_classes WHERE id > ?1 AND (?2 IS NULL OR "
                            "material_id = ?2) ORDER BY id LIMIT ?3";
    static const char *const filters[] = {"material"};
    const char *fval[1] = {NULL};
    int64_t limit = 0, after = 0;
    page_args(params, n_params, filters, 1, fval, &limit, &after, fe);
    if (fe->n)
        return invalid(fe, err);
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_i64(st, 1, after);
    lds_stmt_bind_text(st, 2, fval[0]);
    lds_stmt_bind_i64(st, 3, limit + 1);
    return lds_write_id_page(st, limit, pc_item, NULL, out, err);
}

lds_code lds_lineage_product_class_lookup(lds_store *s, const char *lot,
                                          char material[LDS_LINEAGE_ID_MAX],
                                          char grade[LDS_LINEAGE_ID_MAX], lds_err *err)
{
    static const char q_gtin[] = "SELECT material_id, grade FROM product_classes WHERE gtin = ? "
                                 "ORDER BY id LIMIT 1";
    static const char q_pat[] =
        "SELECT material_id, grade FROM product_classes WHERE gtin IS NULL AND (pattern = ?1 "
        "OR (substr(pattern, -1) = '*' AND substr(?1, 1, length(pattern) - 1) = "
        "substr(pattern, 1, length(pattern) - 1))) ORDER BY length(pattern) DESC, id LIMIT 1";
    material[0] = grade[0] = '\0';
    char key[LDS_LINEAGE_URI_MAX], gtin[15];
    lds_code rc = lds_lineage_lot_key(lot, key, err);
    if (rc)
        return rc;
    dl_gtin(key, gtin);
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, gtin[0] ? q_gtin : q_pat, &st, err)))
        return rc;
    lds_stmt_bind_text(st, 1, gtin[0] ? gtin : lot);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no product class for '%.120s'", lot);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    copy_col(material, LDS_LINEAGE_ID_MAX, st, 0);
    copy_col(grade, LDS_LINEAGE_ID_MAX, st, 1);
    lds_stmt_reset(st);
    return LDS_OK;
}

/* ---- ilmd and visibility ------------------------------------------------------ */

const char *lds_lineage__ilmd(const json_t *event, const char *name)
{
    const json_t *ilmd = json_object_get(event, "ilmd");
    if (!json_is_object(ilmd))
        return NULL;
    char k[96];
    snprintf(k, sizeof k, "lds:%s", name);
    const json_t *v = json_object_get(ilmd, k);
    if (!v) {
        snprintf(k, sizeof k, "%s%s", LDS_LINEAGE_NS, name);
        v = json_object_get(ilmd, k);
    }
    if (json_is_integer(v) || json_is_real(v))
        return NULL;
    return json_string_value(v);
}

int lds_lineage_visible(lds_store *s, const lds_lot *lot, int64_t org_id, int all)
{
    if (all)
        return 1;
    if (org_id <= 0)
        return 0;
    return lds_lineage__holds(s, lot->id, lot->producer_org, org_id, NULL) == 1;
}
