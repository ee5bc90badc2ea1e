/*
 * records.c — offers, requests and lanes: validation field by field (shared
 * by JSON bodies and CSV rows, which are both reduced to text values first),
 * insertion, keyset-paginated lists and single reads, each filtered in SQL by
 * who may see the row.  Quantities are stored in thousandths, money in cents,
 * purity as a REAL in 0..1 written from an exact 6-decimal value.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/clock.h"
#include "lodestone/csv.h"
#include "lodestone/match.h"
#include "market_int.h"

/* ---- shared helpers ------------------------------------------------------ */

const char *lds_market_kind_name(lds_market_kind k)
{
    switch (k) {
    case LDS_MARKET_OFFERS:
        return "offers";
    case LDS_MARKET_REQUESTS:
        return "requests";
    case LDS_MARKET_LANES:
        return "lanes";
    }
    return "?";
}

/* ---- field specs ----------------------------------------------------------
 * Every kind has up to NF fields, named in JSON and in CSV (NULL: not in
 * that form).  Values arrive as text; numbers are parsed exactly.
 */
enum { F_ORG, F_MATERIAL, F_REGION, F_QTY, F_PRICE, F_FROM, F_TO, F_PURITY, F_EXT, F_CURRENCY,
       NF };
enum { L_FROM, L_TO, L_COST, L_TRANSIT, L_CURRENCY, L_MODE, L_DESC, NL };

typedef struct names {
    const char *json[NF];
    const char *csv[NF];
} names;

static const names offer_names = {
    {"org_id", "material_id", "region_id", "quantity", "unit_price", "period_from", "period_to",
     "purity", "external_id", "currency"},
    {"org", "material", "region", "quantity", "unit_price", "period_from", "period_to", "purity",
     "id", NULL},
};
static const names request_names = {
    {"org_id", "material_id", "region_id", "quantity", "max_unit_price", "due_period", NULL,
     "min_purity", "external_id", "currency"},
    {"org", "material", "region", "quantity", "max_unit_price", "due_period", NULL, "min_purity",
     "id", NULL},
};
static const char *const lane_names[NL] = {"from_region", "to_region", "cost_per_unit",
                                           "transit_periods", "currency", "mode", "description"};

/** A validated offer or request (requests leave `to` empty). */
typedef struct mrec {
    int64_t org;
    char material[64], region[64];
    int64_t qty_milli, price_cents;
    char from[8], to[8];
    int64_t purity_micro; /* LDS_MATCH_NO_PURITY when absent */
    char ext[72];
} mrec;

static void ptr_of(char *buf, size_t n, const char *prefix, const char *name)
{
    snprintf(buf, n, "%s/%s", prefix, name);
}

/* Whether `sql` (?1 = `text`, or `v` when text is NULL) finds a row: 1 or
 * 0, <0 (the negated lds_code, e.g. LDS_ENOMEM) on a store error. */
static int exists_row(lds_store *s, const char *sql, const char *text, int64_t v, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, sql, &st, err);
    if (rc != LDS_OK)
        return -(int)rc;
    rc = text ? lds_stmt_bind_text(st, 1, text) : lds_stmt_bind_i64(st, 1, v);
    if (rc != LDS_OK)
        return -(int)lds_err_set(err, rc, "binding a lookup failed");
    int r = lds_stmt_step(st, err);
    lds_stmt_reset(st);
    return r == LDS_STORE_ROW ? 1 : r == LDS_STORE_DONE ? 0 : -r;
}

static const char q_org_exists[] = "SELECT 1 FROM orgs WHERE id = ?1";
static const char q_material_exists[] = "SELECT 1 FROM materials WHERE id = ?1";
static const char q_region_exists[] = "SELECT 1 FROM regions WHERE id = ?1";

/* Parses an exact decimal field; adds a field error and returns -1 if bad. */
static int decimal_field(const char *v, int dec, const char *ptr, const char *label, int64_t max,
                         int allow_zero, int64_t *out, lds_field_errors *fe)
{
    int r = lds_match_parse_decimal(v, dec, out);
    if (r == -1)
        lds_field_errors_add(fe, ptr, "%s '%.40s' is not a number", label, v);
    else if (r == -2 && dec == 0)
        lds_field_errors_add(fe, ptr, "%s '%.40s' is not a whole number", label, v);
    else if (r == -2)
        lds_field_errors_add(fe, ptr, "%s '%.40s' has more than %d decimals", label, v, dec);
    else if (r == -3 || *out > max)
        lds_field_errors_add(fe, ptr, "%s '%.40s' is out of range", label, v);
    else if (*out < 0)
        lds_field_errors_add(fe, ptr, "%s must not be negative", label);
    else if (*out == 0 && !allow_zero)
        lds_field_errors_add(fe, ptr, "%s must be positive", label);
    else
        return 0;
    return -1;
}

static int period_field(const char *v, const char *ptr, const char *label, char out[8],
                        lds_field_errors *fe)
{
    int32_t p;
    if (lds_match_parse_period(v, &p) != LDS_OK || p < 1970 * 12 || p > 9999 * 12 + 11) {
        lds_field_errors_add(fe, ptr, "%s '%.40s' is not a period YYYY-MM", label, v);
        return -1;
    }
    memcpy(out, v, 7);
    out[7] = '\0';
    return 0;
}

/*
 * Validates one offer or request from its text values (NULL: absent).
 * `forbidden` is set when a member names another organisation.  Returns a
 * store error code, or LDS_OK (the record is valid iff fe gained nothing and
 * *forbidden is 0).
 */
static lds_code check_rec(lds_store *s, const lds_principal *who, lds_market_kind kind,
                          const char *const *v, const char *const *nm, const char *prefix,
                          mrec *out, int *forbidden, lds_field_errors *fe, lds_err *err)
{
    char ptr[160];
    int e;
    memset(out, 0, sizeof *out);
    out->purity_micro = LDS_MATCH_NO_PURITY;
    /* organisation: a member's own unless an operator names one */
    ptr_of(ptr, sizeof ptr, prefix, nm[F_ORG]);
    if (!v[F_ORG] || !*v[F_ORG]) {
        if (who->role == LDS_ROLE_OPERATOR)
            lds_field_errors_add(fe, ptr, "an operator must name the organisation");
        else
            out->org = who->org_id;
    } else if (lds_id_parse(v[F_ORG], 0, &out->org) != 0) {
        lds_field_errors_add(fe, ptr, "organisation '%.40s' is not an id", v[F_ORG]);
    } else if ((e = exists_row(s, q_org_exists, NULL, out->org, err)) < 0) {
        return (lds_code)-e;
    } else if (e == 0) {
        lds_field_errors_add(fe, ptr, "no organisation %lld", (long long)out->org);
    } else if (who->role != LDS_ROLE_OPERATOR && out->org != who->org_id) {
        *forbidden = 1;
    }
    if (who->role != LDS_ROLE_OPERATOR && who->role != LDS_ROLE_MEMBER)
        *forbidden = 1;
    const char *what[2] = {"material", "region"};
    const char *sqls[2] = {q_material_exists, q_region_exists};
    char *dst[2] = {out->material, out->region};
    for (int i = 0; i < 2; i++) {
        const char *x = v[F_MATERIAL + i];
        ptr_of(ptr, sizeof ptr, prefix, nm[F_MATERIAL + i]);
        if (!x || !*x) {
            lds_field_errors_add(fe, ptr, "%s is required", what[i]);
        } else if (strlen(x) >= 64) {
            lds_field_errors_add(fe, ptr, "unknown %s '%.40s'", what[i], x);
        } else if ((e = exists_row(s, sqls[i], x, 0, err)) < 0) {
            return (lds_code)-e;
        } else if (e == 0) {
            lds_field_errors_add(fe, ptr, "unknown %s '%.60s'", what[i], x);
        } else {
            snprintf(dst[i], 64, "%s", x);
        }
    }
    ptr_of(ptr, sizeof ptr, prefix, nm[F_QTY]);
    if (!v[F_QTY] || !*v[F_QTY])
        lds_field_errors_add(fe, ptr, "quantity is required");
    else
        decimal_field(v[F_QTY], 3, ptr, "quantity", LDS_MATCH_MAX_QTY_MILLI, 0, &out->qty_milli,
                      fe);
    const char *plabel = kind == LDS_MARKET_OFFERS ? "unit price" : "max unit price";
    ptr_of(ptr, sizeof ptr, prefix, nm[F_PRICE]);
    if (!v[F_PRICE] || !*v[F_PRICE])
        lds_field_errors_add(fe, ptr, "%s is required", plabel);
    else
        decimal_field(v[F_PRICE], 2, ptr, plabel, LDS_MATCH_MAX_PRICE_CENTS, 1,
                      &out->price_cents, fe);
    ptr_of(ptr, sizeof ptr, prefix, nm[F_FROM]);
    const char *flabel = kind == LDS_MARKET_OFFERS ? "period_from" : "due_period";
    int ok_from = 0, ok_to = 0;
    if (!v[F_FROM] || !*v[F_FROM])
        lds_field_errors_add(fe, ptr, "%s is required", flabel);
    else
        ok_from = period_field(v[F_FROM], ptr, flabel, out->from, fe) == 0;
    if (kind == LDS_MARKET_OFFERS) {
        ptr_of(ptr, sizeof ptr, prefix, nm[F_TO]);
        if (!v[F_TO] || !*v[F_TO])
            lds_field_errors_add(fe, ptr, "period_to is required");
        else
            ok_to = period_field(v[F_TO], ptr, "period_to", out->to, fe) == 0;
        if (ok_from && ok_to && strcmp(out->to, out->from) < 0)
            lds_field_errors_add(fe, ptr, "period_to %s is before period_from %s", out->to,
                                 out->from);
    }
    if (v[F_PURITY] && *v[F_PURITY]) {
        ptr_of(ptr, sizeof ptr, prefix, nm[F_PURITY]);
        const char *label = kind == LDS_MARKET_OFFERS ? "purity" : "min_purity";
        if (decimal_field(v[F_PURITY], 6, ptr, label, 1000000, 1, &out->purity_micro, fe) != 0)
            out->purity_micro = LDS_MATCH_NO_PURITY;
    }
    if (v[F_EXT] && *v[F_EXT]) {
        ptr_of(ptr, sizeof ptr, prefix, nm[F_EXT]);
        if (strlen(v[F_EXT]) > 64)
            lds_field_errors_add(fe, ptr, "external id is longer than 64 characters");
        else
            snprintf(out->ext, sizeof out->ext, "%s", v[F_EXT]);
    }
    if (v[F_CURRENCY] && strcmp(v[F_CURRENCY], "CNY") != 0) {
        ptr_of(ptr, sizeof ptr, prefix, nm[F_CURRENCY] ? nm[F_CURRENCY] : "currency");
        lds_field_errors_add(fe, ptr, "only CNY is supported (matching compares prices)");
    }
    return LDS_OK;
}

static lds_code insert_rec(lds_store *s, lds_market_kind kind, const mrec *m, int64_t *id,
                           lds_err *err)
{
    static const char q_offer[] =
        "INSERT INTO offers(org_id, material_id, region_id, quantity_milli, unit_price_cents,"
        " currency, period_from, period_to, purity, status, synthetic, created_at, external_id)"
        " VALUES (?1, ?2, ?3, ?4, ?5, 'CNY', ?6, ?7, ?8, 'open', 0, ?9, ?10)";
    static const char q_request[] =
        "INSERT INTO requests(org_id, material_id, region_id, quantity_milli,"
        " max_unit_price_cents, currency, due_period, min_purity, status, synthetic, created_at,"
        " external_id) VALUES (?1, ?2, ?3, ?4, ?5, 'CNY', ?6, ?8, 'open', 0, ?9, ?10)";
    char now[LDS_RFC3339_LEN];
    lds_now_rfc3339(now);
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, kind == LDS_MARKET_OFFERS ? q_offer : q_request, &st, err);
    if (rc)
        return rc;
    if (lds_stmt_bind_i64(st, 1, m->org) || lds_stmt_bind_text(st, 2, m->material) ||
        lds_stmt_bind_text(st, 3, m->region) || lds_stmt_bind_i64(st, 4, m->qty_milli) ||
        lds_stmt_bind_i64(st, 5, m->price_cents) || lds_stmt_bind_text(st, 6, m->from) ||
        (kind == LDS_MARKET_OFFERS && lds_stmt_bind_text(st, 7, m->to)) ||
        (m->purity_micro == LDS_MATCH_NO_PURITY
             ? lds_stmt_bind_null(st, 8)
             : lds_stmt_bind_double(st, 8, (double)m->purity_micro / 1e6)) ||
        lds_stmt_bind_text(st, 9, now) || lds_stmt_bind_text(st, 10, m->ext[0] ? m->ext : NULL))
        return lds_err_set(err, LDS_ENOMEM, "cannot bind the record");
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    *id = lds_store_last_id(s);
    return LDS_OK;
}

/* ---- JSON -> text values -------------------------------------------------- */

/* Writes a JSON scalar as text into buf; NULL for absent/null; sets *bad for
 * other types.  Reals use the shortest text that reads back the same. */
static const char *json_text(json_t *j, char *buf, size_t n, int *bad)
{
    if (!j || json_is_null(j))
        return NULL;
    if (json_is_string(j)) {
        if (strlen(json_string_value(j)) != json_string_length(j)) {
            *bad = 1;
            return NULL;
        }
        return json_string_value(j);
    }
    if (json_is_integer(j)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(j));
        return buf;
    }
    if (json_is_real(j)) {
        double d = json_real_value(j);
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, n, "%.*f", prec, d);
            if (strtod(buf, NULL) == d)
                break;
        }
        return buf;
    }
    *bad = 1;
    return NULL;
}

/* Reduces a JSON object to the text values of `nm` (count `nf`); unknown
 * members and wrong types become field errors. */
static void json_values(json_t *body, const char *const *nm, int nf, const char **v,
                        char (*bufs)[48], lds_field_errors *fe)
{
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        int known = 0;
        for (int i = 0; i < nf; i++)
            if (nm[i] && strcmp(nm[i], key) == 0)
                known = 1;
        if (!known) {
            char ptr[160];
            snprintf(ptr, sizeof ptr, "/%.100s", key);
            lds_field_errors_add(fe, ptr, "unknown field '%.60s'", key);
        }
    }
    for (int i = 0; i < nf; i++) {
        v[i] = NULL;
        if (!nm[i])
            continue;
        int bad = 0;
        v[i] = json_text(json_object_get(body, nm[i]), bufs[i], 48, &bad);
        if (bad) {
            char ptr[160];
            snprintf(ptr, sizeof ptr, "/%s", nm[i]);
            lds_field_errors_add(fe, ptr, "must be a string or a number");
        }
    }
}

/* ---- lanes ------------------------------------------------------------------ */

/*
 * Validates a lane from its text values (pointers under `prefix`) and, when
 * it is valid and nothing before it failed (fe empty), inserts it.
 */
static lds_code lane_from_values(lds_store *s, const char *const *v, const char *prefix,
                                 int64_t *id, lds_field_errors *fe, lds_err *err)
{
    char ptr[160];
    int e, before = fe->n;
    for (int i = L_FROM; i <= L_TO; i++) {
        ptr_of(ptr, sizeof ptr, prefix, lane_names[i]);
        if (!v[i] || !*v[i])
            lds_field_errors_add(fe, ptr, "region is required");
        else if ((e = exists_row(s, q_region_exists, v[i], 0, err)) < 0)
            return (lds_code)-e;
        else if (e == 0)
            lds_field_errors_add(fe, ptr, "unknown region '%.60s'", v[i]);
    }
    int64_t cost = 0, transit = 0;
    ptr_of(ptr, sizeof ptr, prefix, lane_names[L_COST]);
    if (!v[L_COST] || !*v[L_COST])
        lds_field_errors_add(fe, ptr, "cost_per_unit is required");
    else
        decimal_field(v[L_COST], 2, ptr, "cost_per_unit", LDS_MATCH_MAX_PRICE_CENTS, 1, &cost,
                      fe);
    ptr_of(ptr, sizeof ptr, prefix, lane_names[L_TRANSIT]);
    if (!v[L_TRANSIT] || !*v[L_TRANSIT])
        lds_field_errors_add(fe, ptr, "transit_periods is required");
    else
        decimal_field(v[L_TRANSIT], 0, ptr, "transit_periods", LDS_MATCH_MAX_TRANSIT, 1,
                      &transit, fe);
    if (v[L_CURRENCY] && *v[L_CURRENCY] && strcmp(v[L_CURRENCY], "CNY") != 0) {
        ptr_of(ptr, sizeof ptr, prefix, lane_names[L_CURRENCY]);
        lds_field_errors_add(fe, ptr, "only CNY is supported (matching compares prices)");
    }
    for (int i = L_MODE; i <= L_DESC; i++)
        if (v[i] && strlen(v[i]) > 200) {
            ptr_of(ptr, sizeof ptr, prefix, lane_names[i]);
            lds_field_errors_add(fe, ptr, "longer than 200 characters");
        }
    if (fe->n > before || before)
        return LDS_OK;
    static const char q[] =
        "INSERT INTO lanes(from_region, to_region, cost_per_unit_cents, transit_periods,"
        " currency, mode, description, synthetic, created_at)"
        " VALUES (?1, ?2, ?3, ?4, 'CNY', ?5, ?6, 0, ?7)";
    char now[LDS_RFC3339_LEN];
    lds_now_rfc3339(now);
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    const char *mode = v[L_MODE] && *v[L_MODE] ? v[L_MODE] : NULL;
    const char *desc = v[L_DESC] && *v[L_DESC] ? v[L_DESC] : NULL;
    if (lds_stmt_bind_text(st, 1, v[L_FROM]) || lds_stmt_bind_text(st, 2, v[L_TO]) ||
        lds_stmt_bind_i64(st, 3, cost) || lds_stmt_bind_i64(st, 4, transit) ||
        lds_stmt_bind_text(st, 5, mode) || lds_stmt_bind_text(st, 6, desc) ||
        lds_stmt_bind_text(st, 7, now))
        return lds_err_set(err, LDS_ENOMEM, "cannot bind the lane");
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    *id = lds_store_last_id(s);
    return LDS_OK;
}

static lds_code create_lane(lds_store *s, json_t *body, int64_t *id, lds_field_errors *fe,
                            lds_err *err)
{
    const char *v[NL];
    char bufs[NL][48];
    json_values(body, lane_names, NL, v, bufs, fe);
    lds_code rc = lane_from_values(s, v, "", id, fe, err);
    if (rc == LDS_OK && fe->n)
        return lds_invalid_first(fe, err);
    return rc;
}

/* ---- reads ------------------------------------------------------------------ */

/* Column order of offer/request reads (requests: period_to is NULL). */
static const char offers_sel[] =
    "SELECT o.id, o.org_id, g.name, o.material_id, o.region_id, o.quantity_milli,"
    " o.unit_price_cents, o.currency, o.period_from, o.period_to, o.purity, o.status,"
    " o.external_id, o.synthetic, o.created_at FROM offers o JOIN orgs g ON g.id = o.org_id"
    " WHERE (?1 = 1 OR o.org_id = ?2) AND (?3 IS NULL OR o.org_id = ?3)"
    " AND (?4 IS NULL OR o.material_id = ?4) AND (?5 IS NULL OR o.region_id = ?5)"
    " AND (?6 IS NULL OR o.status = ?6) AND o.id > ?7 AND (?9 IS NULL OR o.id = ?9)"
    " ORDER BY o.id LIMIT ?8";
static const char requests_sel[] =
    "SELECT o.id, o.org_id, g.name, o.material_id, o.region_id, o.quantity_milli,"
    " o.max_unit_price_cents, o.currency, o.due_period, NULL, o.min_purity, o.status,"
    " o.external_id, o.synthetic, o.created_at FROM requests o JOIN orgs g ON g.id = o.org_id"
    " WHERE (?1 = 1 OR o.org_id = ?2) AND (?3 IS NULL OR o.org_id = ?3)"
    " AND (?4 IS NULL OR o.material_id = ?4) AND (?5 IS NULL OR o.region_id = ?5)"
    " AND (?6 IS NULL OR o.status = ?6) AND o.id > ?7 AND (?9 IS NULL OR o.id = ?9)"
    " ORDER BY o.id LIMIT ?8";
static const char lanes_sel[] =
    "SELECT id, from_region, to_region, cost_per_unit_cents, transit_periods, currency, mode,"
    " description, synthetic, created_at FROM lanes"
    " WHERE (?1 IS NULL OR from_region = ?1) AND (?2 IS NULL OR to_region = ?2)"
    " AND id > ?3 AND (?5 IS NULL OR id = ?5) ORDER BY id LIMIT ?4";

static void add_text_or_null(lds_buf *b, lds_stmt *st, int col)
{
    if (lds_stmt_col_is_null(st, col))
        lds_buf_adds(b, "null");
    else
        lds_buf_add_json_str(b, lds_stmt_col_text(st, col));
}

static void add_purity(lds_buf *b, lds_stmt *st, int col)
{
    if (lds_stmt_col_is_null(st, col)) {
        lds_buf_adds(b, "null");
        return;
    }
    long long micro = llround(lds_stmt_col_double(st, col) * 1e6);
    lds_buf_addf(b, "%lld.%06lld", micro / 1000000, micro % 1000000);
}

static void rec_json(lds_market_kind kind, lds_stmt *st, lds_buf *b)
{
    char q[32], p[32];
    int is_offer = kind == LDS_MARKET_OFFERS;
    lds_buf_addf(b, "{\"id\":%lld,\"org_id\":%lld,\"org_name\":",
                 (long long)lds_stmt_col_i64(st, 0), (long long)lds_stmt_col_i64(st, 1));
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 2));
    lds_buf_adds(b, ",\"material_id\":");
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 3));
    lds_buf_adds(b, ",\"region_id\":");
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 4));
    lds_buf_addf(b, ",\"quantity\":%s,\"%s\":%s,\"currency\":",
                 lds_match_fmt_milli(lds_stmt_col_i64(st, 5), q),
                 is_offer ? "unit_price" : "max_unit_price",
                 lds_match_fmt_cents(lds_stmt_col_i64(st, 6), p));
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 7));
    lds_buf_adds(b, is_offer ? ",\"period_from\":" : ",\"due_period\":");
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 8));
    if (is_offer) {
        lds_buf_adds(b, ",\"period_to\":");
        lds_buf_add_json_str(b, lds_stmt_col_text(st, 9));
    }
    lds_buf_adds(b, is_offer ? ",\"purity\":" : ",\"min_purity\":");
    add_purity(b, st, 10);
    lds_buf_adds(b, ",\"status\":");
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 11));
    lds_buf_adds(b, ",\"external_id\":");
    add_text_or_null(b, st, 12);
    lds_buf_addf(b, ",\"synthetic\":%s,\"created_at\":",
                 lds_stmt_col_i64(st, 13) ? "true" : "false");
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 14));
    lds_buf_addc(b, '}');
}

static void lane_json(lds_stmt *st, lds_buf *b)
{
    char c[32];
    lds_buf_addf(b, "{\"id\":%lld,\"from_region\":", (long long)lds_stmt_col_i64(st, 0));
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 1));
    lds_buf_adds(b, ",\"to_region\":");
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 2));
    lds_buf_addf(b, ",\"cost_per_unit\":%s,\"transit_periods\":%lld,\"currency\":",
                 lds_match_fmt_cents(lds_stmt_col_i64(st, 3), c),
                 (long long)lds_stmt_col_i64(st, 4));
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 5));
    lds_buf_adds(b, ",\"mode\":");
    add_text_or_null(b, st, 6);
    lds_buf_adds(b, ",\"description\":");
    add_text_or_null(b, st, 7);
    lds_buf_addf(b, ",\"synthetic\":%s,\"created_at\":",
                 lds_stmt_col_i64(st, 8) ? "true" : "false");
    lds_buf_add_json_str(b, lds_stmt_col_text(st, 9));
    lds_buf_addc(b, '}');
}

/*
 * Runs the kind's select with filters `fval` (offers/requests: org,
 * material, region, status; lanes: from, to), after id `after`, at most
 * `limit` rows (+1 to know whether there is more), or only `only_id` (>0).
 */
static lds_code select_rows(lds_store *s, const lds_principal *who, lds_market_kind kind,
                            const char *const *fval, int64_t after, int64_t limit, int64_t only_id,
                            lds_buf *out, int *n_out, int64_t *last_id, lds_err *err)
{
    lds_stmt *st;
    lds_code rc;
    const char *sql = kind == LDS_MARKET_OFFERS     ? offers_sel
                      : kind == LDS_MARKET_REQUESTS ? requests_sel
                                                    : lanes_sel;
    if ((rc = lds_store_prepare(s, sql, &st, err)))
        return rc;
    int bad = 0;
    if (kind == LDS_MARKET_LANES) {
        bad |= lds_stmt_bind_text(st, 1, fval[0]) || lds_stmt_bind_text(st, 2, fval[1]);
        bad |= lds_stmt_bind_i64(st, 3, after) || lds_stmt_bind_i64(st, 4, limit);
        bad |= only_id > 0 ? lds_stmt_bind_i64(st, 5, only_id) : lds_stmt_bind_null(st, 5);
    } else {
        int64_t org_filter;
        bad |= lds_stmt_bind_i64(st, 1, lds_sees_all(who)) || lds_stmt_bind_i64(st, 2, who->org_id);
        if (fval[0] && lds_id_parse(fval[0], 0, &org_filter) == 0)
            bad |= lds_stmt_bind_i64(st, 3, org_filter);
        else
            bad |= lds_stmt_bind_null(st, 3);
        for (int i = 1; i < 4; i++)
            bad |= lds_stmt_bind_text(st, 3 + i, fval[i]);
        bad |= lds_stmt_bind_i64(st, 7, after) || lds_stmt_bind_i64(st, 8, limit);
        bad |= only_id > 0 ? lds_stmt_bind_i64(st, 9, only_id) : lds_stmt_bind_null(st, 9);
    }
    if (bad)
        return lds_err_set(err, LDS_ENOMEM, "cannot bind the query");
    int r, n = 0;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n)
            lds_buf_addc(out, ',');
        if (kind == LDS_MARKET_LANES)
            lane_json(st, out);
        else
            rec_json(kind, st, out);
        *last_id = lds_stmt_col_i64(st, 0);
        n++;
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    *n_out = n;
    return LDS_OK;
}

lds_code lds_market_list(lds_store *s, const lds_principal *who, lds_market_kind kind,
                         const lds_kv *params, size_t n_params, lds_buf *out,
                         lds_field_errors *fe, lds_err *err)
{
    static const char *const rec_filters[] = {"org", "material", "region", "status", NULL};
    static const char *const lane_filters[] = {"from", "to", NULL};
    const char *fval[4] = {0};
    int64_t limit, after;
    lds_page_params(params, n_params, kind == LDS_MARKET_LANES ? lane_filters : rec_filters, fval,
                    0, &limit, &after, fe);
    int64_t tmp;
    if (kind != LDS_MARKET_LANES && fval[0] && lds_id_parse(fval[0], 0, &tmp) != 0)
        lds_field_errors_add(fe, "org", "'org' must be a non-negative integer id");
    if (fe->n)
        return lds_err_set(err, LDS_EINVAL, "invalid query parameter '%s': %s",
                           fe->items[0].pointer, fe->items[0].message);
    /* Fetch one more row than the page to know whether a next page exists;
     * the extra row is written to a scratch buffer and dropped. */
    lds_buf rows = LDS_BUF_INIT;
    int n = 0;
    int64_t last = 0;
    lds_code rc = select_rows(s, who, kind, fval, after, limit + 1, 0, &rows, &n, &last, err);
    if (rc) {
        lds_buf_release(&rows);
        return rc;
    }
    lds_buf_adds(out, "{\"items\":[");
    if (n > limit) {
        /* Re-read the page exactly: simpler than trimming JSON text. */
        lds_buf_reset(&rows);
        int n2 = 0;
        rc = select_rows(s, who, kind, fval, after, limit, 0, &rows, &n2, &last, err);
        if (rc) {
            lds_buf_release(&rows);
            return rc;
        }
    }
    lds_buf_add(out, rows.ptr, rows.len);
    lds_buf_adds(out, "],\"next\":");
    if (n > limit)
        lds_cursor_put(last, out);
    else
        lds_buf_adds(out, "null");
    lds_buf_addc(out, '}');
    int oom = rows.oom || out->oom;
    lds_buf_release(&rows);
    return oom ? lds_err_set(err, LDS_ENOMEM, "out of memory writing the list") : LDS_OK;
}

lds_code lds_market_get(lds_store *s, const lds_principal *who, lds_market_kind kind,
                        const char *id, lds_buf *out, lds_err *err)
{
    int64_t v;
    const char *kname = kind == LDS_MARKET_OFFERS     ? "offer"
                        : kind == LDS_MARKET_REQUESTS ? "request"
                                                      : "lane";
    if (lds_id_parse(id, 1, &v) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no %s '%.60s'", kname, id);
    const char *fval[4] = {0};
    int n = 0;
    int64_t last = 0;
    lds_code rc = select_rows(s, who, kind, fval, 0, 1, v, out, &n, &last, err);
    if (rc)
        return rc;
    if (n == 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no %s %lld", kname, (long long)v);
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}

/* ---- create ----------------------------------------------------------------- */

static lds_code forbid(const lds_principal *who, const char *where, lds_err *err)
{
    if (who->role == LDS_ROLE_MEMBER)
        return lds_err_set(err, LDS_EFORBIDDEN,
                           "%sa member may only create records of its own organisation (%lld)",
                           where, (long long)who->org_id);
    return lds_err_set(err, LDS_EFORBIDDEN,
                       "%sonly an operator or a member of the organisation may create records "
                       "(the token has '%s')",
                       where, lds_role_name(who->role));
}

/* Checks an offer's or request's JSON `body` into `m`: a store error, a
 * forbidden organisation or the invalid fields as the error. */
static lds_code check_body(lds_store *s, const lds_principal *who, lds_market_kind kind,
                           json_t *body, mrec *m, lds_field_errors *fe, lds_err *err)
{
    const names *nm = kind == LDS_MARKET_OFFERS ? &offer_names : &request_names;
    const char *v[NF];
    char bufs[NF][48];
    json_values(body, nm->json, NF, v, bufs, fe);
    int forbidden = 0;
    lds_code rc = check_rec(s, who, kind, v, nm->json, "", m, &forbidden, fe, err);
    if (rc)
        return rc;
    if (forbidden)
        return forbid(who, "", err);
    return fe->n ? lds_invalid_first(fe, err) : LDS_OK;
}

lds_code lds_market_create(lds_store *s, const lds_principal *who, lds_market_kind kind,
                           json_t *body, int64_t *id, lds_buf *out, lds_field_errors *fe,
                           lds_err *err)
{
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return lds_invalid_first(fe, err);
    }
    lds_code rc;
    int64_t new_id = 0;
    if (kind == LDS_MARKET_LANES) {
        if (who->role != LDS_ROLE_OPERATOR)
            return lds_err_set(err, LDS_EFORBIDDEN, "lanes are written by the operator");
        rc = create_lane(s, body, &new_id, fe, err);
    } else {
        mrec m;
        if ((rc = check_body(s, who, kind, body, &m, fe, err)))
            return rc;
        rc = insert_rec(s, kind, &m, &new_id, err);
    }
    if (rc)
        return rc;
    char idtxt[24];
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)new_id);
    if ((rc = lds_market_get(s, who, kind, idtxt, out, err)))
        return rc;
    *id = new_id;
    return LDS_OK;
}

lds_code lds_market_withdraw(lds_store *s, const lds_principal *who, lds_market_kind kind,
                             const char *id, lds_buf *out, lds_err *err)
{
    static const char q_offer[] = "UPDATE offers SET status = 'withdrawn' WHERE id = ?1";
    static const char q_request[] = "UPDATE requests SET status = 'withdrawn' WHERE id = ?1";
    if (kind == LDS_MARKET_LANES)
        return lds_err_set(err, LDS_EINVAL, "lanes are not withdrawn");
    lds_buf scratch = LDS_BUF_INIT;
    lds_code rc = lds_market_get(s, who, kind, id, &scratch, err);
    lds_buf_release(&scratch);
    if (rc)
        return rc;
    if (who->role != LDS_ROLE_OPERATOR && who->role != LDS_ROLE_MEMBER)
        return lds_err_set(err, LDS_EFORBIDDEN, "a '%s' token cannot withdraw records",
                           lds_role_name(who->role));
    /* a member sees only its own organisation's records, so it owns this one */
    int64_t v = 0;
    lds_id_parse(id, 0, &v);
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, kind == LDS_MARKET_OFFERS ? q_offer : q_request, &st, err)) ||
        (rc = lds_stmt_bind_i64(st, 1, v)) || (rc = lds_stmt_exec(st, err)))
        return rc;
    return lds_market_get(s, who, kind, id, out, err);
}

/* Fields an update may set, by kind (the rest identify the record). */
static int updatable(int f)
{
    return f == F_QTY || f == F_PRICE || f == F_FROM || f == F_TO || f == F_PURITY || f == F_EXT;
}

lds_code lds_market_update(lds_store *s, const lds_principal *who, lds_market_kind kind,
                           const char *id, json_t *patch, lds_buf *out, lds_field_errors *fe,
                           lds_err *err)
{
    static const char q_offer[] =
        "UPDATE offers SET quantity_milli = ?2, unit_price_cents = ?3, period_from = ?4,"
        " period_to = ?5, purity = ?6, external_id = ?7 WHERE id = ?1";
    static const char q_request[] =
        "UPDATE requests SET quantity_milli = ?2, max_unit_price_cents = ?3, due_period = ?4,"
        " min_purity = ?6, external_id = ?7 WHERE id = ?1";
    if (kind == LDS_MARKET_LANES)
        return lds_err_set(err, LDS_EINVAL, "lanes are not changed: create another lane");
    if (!json_is_object(patch)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return lds_invalid_first(fe, err);
    }
    lds_buf cur = LDS_BUF_INIT;
    lds_code rc = lds_market_get(s, who, kind, id, &cur, err);
    if (rc) {
        lds_buf_release(&cur);
        return rc;
    }
    if (who->role != LDS_ROLE_OPERATOR && who->role != LDS_ROLE_MEMBER) {
        lds_buf_release(&cur);
        return lds_err_set(err, LDS_EFORBIDDEN, "a '%s' token cannot change records",
                           lds_role_name(who->role));
    }
    json_t *rec = json_loadb(cur.ptr, cur.len, 0, NULL);
    lds_buf_release(&cur);
    json_t *body = json_object();
    if (!rec || !body) {
        json_decref(rec);
        json_decref(body);
        return lds_err_set(err, LDS_ENOMEM, "out of memory changing a record");
    }
    const char *what = kind == LDS_MARKET_OFFERS ? "offer" : "request";
    const char *status = json_string_value(json_object_get(rec, "status"));
    if (!status || strcmp(status, "open") != 0) {
        rc = lds_err_set(err, LDS_ECONFLICT, "%s %s is %s: only open records change", what, id,
                         status ? status : "not open");
        goto done;
    }
    /* the record as it is, then the patch over it */
    const names *nm = kind == LDS_MARKET_OFFERS ? &offer_names : &request_names;
    for (int f = 0; f < NF; f++) {
        json_t *v = nm->json[f] ? json_object_get(rec, nm->json[f]) : NULL;
        if (v && !json_is_null(v))
            json_object_set(body, nm->json[f], v);
    }
    const char *key;
    json_t *val;
    json_object_foreach(patch, key, val)
    {
        int f = 0;
        while (f < NF && !(nm->json[f] && strcmp(nm->json[f], key) == 0))
            f++;
        char ptr[160];
        snprintf(ptr, sizeof ptr, "/%.100s", key);
        if (f == NF)
            lds_field_errors_add(fe, ptr, "unknown field '%.60s'", key);
        else if (!updatable(f))
            lds_field_errors_add(fe, ptr,
                                 "%s cannot be changed: withdraw the %s and create another",
                                 key, what);
        else if (json_is_null(val))
            json_object_del(body, key);
        else
            json_object_set(body, key, val);
    }
    if (fe->n) {
        rc = lds_invalid_first(fe, err);
        goto done;
    }
    mrec m;
    if ((rc = check_body(s, who, kind, body, &m, fe, err)))
        goto done;
    int64_t rid = 0;
    lds_id_parse(id, 0, &rid);
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, kind == LDS_MARKET_OFFERS ? q_offer : q_request, &st, err)))
        goto done;
    if (lds_stmt_bind_i64(st, 1, rid) || lds_stmt_bind_i64(st, 2, m.qty_milli) ||
        lds_stmt_bind_i64(st, 3, m.price_cents) || lds_stmt_bind_text(st, 4, m.from) ||
        (kind == LDS_MARKET_OFFERS && lds_stmt_bind_text(st, 5, m.to)) ||
        (m.purity_micro == LDS_MATCH_NO_PURITY
             ? lds_stmt_bind_null(st, 6)
             : lds_stmt_bind_double(st, 6, (double)m.purity_micro / 1e6)) ||
        lds_stmt_bind_text(st, 7, m.ext[0] ? m.ext : NULL)) {
        rc = lds_err_set(err, LDS_ENOMEM, "cannot bind the record");
        goto done;
    }
    if ((rc = lds_stmt_exec(st, err)) == LDS_OK)
        rc = lds_market_get(s, who, kind, id, out, err);
done:
    json_decref(rec);
    json_decref(body);
    return rc;
}

/* ---- CSV upload ------------------------------------------------------------- */

lds_code lds_market_upload_csv(lds_store *s, const lds_principal *who, lds_market_kind kind,
                               const char *csv, size_t len, lds_buf *out, lds_field_errors *fe,
                               lds_err *err)
{
    int is_lane = kind == LDS_MARKET_LANES;
    if (is_lane && who->role != LDS_ROLE_OPERATOR)
        return lds_err_set(err, LDS_EFORBIDDEN, "lanes are written by the operator");
    if (who->role != LDS_ROLE_OPERATOR && who->role != LDS_ROLE_MEMBER)
        return forbid(who, "", err);
    const names *nm = kind == LDS_MARKET_OFFERS ? &offer_names : &request_names;
    lds_csv_spec spec[NF];
    int map_f[NF]; /* spec index -> field index */
    size_t n_spec = 0;
    if (is_lane) {
        /* the `lodestone match` lane columns, plus optional mode and description */
        for (int f = 0; f < NL; f++) {
            spec[n_spec].name = lane_names[f];
            spec[n_spec].optional = f >= L_CURRENCY;
            map_f[n_spec++] = f;
        }
    } else {
        for (int f = 0; f < NF; f++) {
            if (!nm->csv[f])
                continue;
            spec[n_spec].name = nm->csv[f];
            spec[n_spec].optional = f == F_EXT || f == F_PURITY;
            map_f[n_spec++] = f;
        }
    }
    lds_csv_reader *rd = NULL;
    lds_code rc = lds_csv_reader_new(csv, len, &rd, err);
    int index[NF];
    if (rc == LDS_OK)
        rc = lds_csv_bind(rd, spec, n_spec, index, err);
    if (rc) {
        char ptr[160];
        unsigned line = err && err->line ? err->line : 1;
        snprintf(ptr, sizeof ptr, "/line/%u%s%s", line, err && err->field[0] ? "/" : "",
                 err ? err->field : "");
        lds_field_errors_add(fe, ptr, "%s", err ? err->msg : "malformed CSV");
        lds_csv_reader_free(rd);
        if (rc != LDS_EINVAL)
            return rc;
        return lds_err_at(err, LDS_EINVAL, line, 0, "line %u: %s", line, fe->items[0].message);
    }
    lds_buf ids = LDS_BUF_INIT;
    int n_rows = 0, forbidden_line = 0;
    unsigned first_bad = 0;
    for (;;) {
        const char *const *fields;
        size_t n_fields;
        unsigned line;
        if ((rc = lds_csv_next(rd, &fields, &n_fields, &line, err))) {
            unsigned l = err && err->line ? err->line : 0;
            char ptr[64];
            snprintf(ptr, sizeof ptr, "/line/%u", l);
            lds_field_errors_add(fe, ptr, "%s", err ? err->msg : "malformed CSV");
            if (!first_bad)
                first_bad = l;
            break;
        }
        if (n_fields == 0)
            break;
        const char *v[NF] = {0};
        for (size_t i = 0; i < n_spec; i++)
            if (index[i] >= 0)
                v[map_f[i]] = fields[index[i]];
        char prefix[32];
        snprintf(prefix, sizeof prefix, "/line/%u", line);
        int before = fe->n, forbidden = 0;
        if (is_lane) {
            int64_t id = 0;
            if ((rc = lane_from_values(s, v, prefix, &id, fe, err)))
                break;
            if (fe->n > before && !first_bad)
                first_bad = line;
            if (fe->n == 0)
                lds_buf_addf(&ids, "%s%lld", n_rows ? "," : "", (long long)id);
            n_rows++;
            if (fe->n >= LDS_MAX_FIELD_ERRORS)
                break;
            continue;
        }
        mrec m;
        if ((rc = check_rec(s, who, kind, v, nm->csv, prefix, &m, &forbidden, fe, err)))
            break;
        if (forbidden && !forbidden_line)
            forbidden_line = (int)line;
        if ((fe->n > before || forbidden) && !first_bad)
            first_bad = line;
        if (fe->n == 0 && !forbidden_line) {
            int64_t id;
            if ((rc = insert_rec(s, kind, &m, &id, err)))
                break;
            lds_buf_addf(&ids, "%s%lld", n_rows ? "," : "", (long long)id);
        }
        n_rows++;
        if (fe->n >= LDS_MAX_FIELD_ERRORS)
            break;
    }
    lds_csv_reader_free(rd);
    if (rc == LDS_OK && forbidden_line) {
        char where[32];
        snprintf(where, sizeof where, "line %d: ", forbidden_line);
        rc = forbid(who, where, err);
    } else if ((rc == LDS_OK || rc == LDS_EINVAL) && fe->n) {
        rc = lds_err_at(err, LDS_EINVAL, first_bad, 0, "line %u: %s (%s)", first_bad,
                        fe->items[0].message, fe->items[0].pointer);
    } else if (rc == LDS_OK && n_rows == 0) {
        lds_field_errors_add(fe, "/line/2", "no rows after the header");
        rc = lds_err_at(err, LDS_EINVAL, 2, 0, "line 2: no rows after the header");
    }
    if (rc == LDS_OK) {
        lds_buf_addf(out, "{\"created\":%d,\"kind\":\"%s\",\"ids\":[%s]}", n_rows,
                     lds_market_kind_name(kind), ids.ptr);
        if (out->oom || ids.oom)
            rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
    }
    lds_buf_release(&ids);
    return rc;
}

/* ---- demo lanes ------------------------------------------------------------- */

/*
 * Synthetic lanes of the corridor, in CNY per tonne (the unit of the traded
 * materials).  Ganzhou-Shenzhen is 434 km by high-speed rail and 3-4 h by
 * road (DOMAIN.md s.4): trucked freight at roughly 0.5 CNY/t-km with
 * handling gives ~220 CNY/t and arrives within the month (0 periods).  Other
 * distances are road km from a map (unsourced); overseas lanes are sea
 * freight of about 5 weeks (1 period).  Back-haul (scrap to recyclers) is
 * cheaper than the forward leg.
 */
static const struct {
    const char *from, *to, *mode, *desc;
    int64_t cents;
    int transit;
} demo_lanes[] = {
    {"longnan", "zhanggong", "road", "Longnan county to the Ganzhou hub, ~120 km", 6000, 0},
    {"xunwu", "zhanggong", "road", "Xunwu county to the Ganzhou hub, ~150 km", 7000, 0},
    {"zhanggong", "longnan", "road", "Ganzhou hub to Longnan county, ~120 km", 6000, 0},
    {"zhanggong", "xunwu", "road", "Ganzhou hub to Xunwu county, ~150 km", 7000, 0},
    {"zhanggong", "nanshan", "road", "Ganzhou to Shenzhen Nanshan, 434 km, 3-4 h", 22000, 0},
    {"zhanggong", "baoan", "road", "Ganzhou to Shenzhen Bao'an, ~430 km, 3-4 h", 22000, 0},
    {"longnan", "baoan", "road", "Longnan to Shenzhen Bao'an, ~330 km", 18000, 0},
    {"xunwu", "baoan", "road", "Xunwu to Shenzhen Bao'an, ~300 km", 17000, 0},
    {"nanshan", "zhanggong", "road", "back-haul Shenzhen to Ganzhou (scrap, equipment)", 15000, 0},
    {"baoan", "zhanggong", "road", "back-haul Shenzhen to Ganzhou (scrap, equipment)", 15000, 0},
    {"baoan", "nanshan", "road", "within Shenzhen, ~25 km", 2000, 0},
    {"nanshan", "baoan", "road", "within Shenzhen, ~25 km", 2000, 0},
    {"baotou", "zhanggong", "rail", "Baotou to Ganzhou, ~2,000 km", 60000, 0},
    {"zhanggong", "baotou", "rail", "Ganzhou to Baotou, ~2,000 km", 60000, 0},
    {"baotou", "baoan", "rail", "Baotou to Shenzhen, ~2,300 km", 65000, 0},
    {"zhanggong", "ningbo", "road", "Ganzhou to Ningbo magnet cluster, ~900 km", 40000, 0},
    {"ningbo", "baoan", "road", "Ningbo to Shenzhen, ~1,100 km", 45000, 0},
    {"baoan", "de_bw", "sea", "Shenzhen (Yantian) to Stuttgart via Hamburg, ~5 weeks", 150000, 1},
    {"nanshan", "de_bw", "sea", "Shenzhen (Shekou) to Stuttgart via Hamburg, ~5 weeks", 150000, 1},
    {"baoan", "us_mi", "sea", "Shenzhen to Detroit via Long Beach, ~5 weeks", 180000, 1},
    {"ningbo", "de_bw", "sea", "Ningbo to Stuttgart via Hamburg, ~5 weeks", 140000, 1},
    {"de_bw", "baoan", "sea", "Germany to Shenzhen (end-of-life magnets), ~5 weeks", 120000, 1},
};

lds_code lds_market_seed_demo_lanes(lds_store *s, lds_err *err)
{
    static const char q_has[] = "SELECT 1 FROM lanes WHERE synthetic = 1 LIMIT 1";
    static const char q_ins[] =
        "INSERT INTO lanes(from_region, to_region, cost_per_unit_cents, transit_periods,"
        " currency, mode, description, synthetic, created_at)"
        " SELECT ?1, ?2, ?3, ?4, 'CNY', ?5, ?6, 1, ?7"
        " WHERE EXISTS (SELECT 1 FROM regions WHERE id = ?1)"
        " AND EXISTS (SELECT 1 FROM regions WHERE id = ?2)";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q_has, &st, err);
    if (rc)
        return rc;
    int r = lds_stmt_step(st, err);
    lds_stmt_reset(st);
    if (r == LDS_STORE_ROW)
        return LDS_OK;
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    for (size_t i = 0; i < sizeof demo_lanes / sizeof demo_lanes[0]; i++) {
        if ((rc = lds_store_prepare(s, q_ins, &st, err)))
            return rc;
        if (lds_stmt_bind_text(st, 1, demo_lanes[i].from) ||
            lds_stmt_bind_text(st, 2, demo_lanes[i].to) ||
            lds_stmt_bind_i64(st, 3, demo_lanes[i].cents) ||
            lds_stmt_bind_i64(st, 4, demo_lanes[i].transit) ||
            lds_stmt_bind_text(st, 5, demo_lanes[i].mode) ||
            lds_stmt_bind_text(st, 6, demo_lanes[i].desc) ||
            lds_stmt_bind_text(st, 7, "2026-01-01T00:00:00Z"))
            return lds_err_set(err, LDS_ENOMEM, "cannot bind a demo lane");
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    return LDS_OK;
}
