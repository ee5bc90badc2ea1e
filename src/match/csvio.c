/*
 * csvio.c — offers, requests and lanes from RFC 4180 CSV into plain match
 * structs, and results out as CSV and JSON.  Decimals are parsed exactly
 * into scaled integers (never through floating point); every error names
 * the line and the column.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/csv.h"
#include "lodestone/match.h"

/* ---- formatting --------------------------------------------------------- */

/* Without printf: these run once per value of results with 10^4..10^5 lines. */
char *lds_match_fmt_period(int32_t period, char buf[16])
{
    int year = period / 12, month = period % 12 + 1;
    if (period < 0 || year > 9999) {
        snprintf(buf, 16, "%04d-%02d", year, month);
        return buf;
    }
    buf[0] = (char)('0' + year / 1000);
    buf[1] = (char)('0' + year / 100 % 10);
    buf[2] = (char)('0' + year / 10 % 10);
    buf[3] = (char)('0' + year % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + month / 10);
    buf[6] = (char)('0' + month % 10);
    buf[7] = '\0';
    return buf;
}

static char *fmt_scaled(int64_t v, int dec, char buf[32])
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char rev[32];
    int n = 0;
    for (int i = 0; i < dec; i++, mag /= 10)
        rev[n++] = (char)('0' + mag % 10);
    rev[n++] = '.';
    do {
        rev[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (v < 0)
        rev[n++] = '-';
    for (int i = 0; i < n; i++)
        buf[i] = rev[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

char *lds_match_fmt_milli(int64_t v, char buf[32])
{
    return fmt_scaled(v, 3, buf);
}

char *lds_match_fmt_cents(int64_t v, char buf[32])
{
    return fmt_scaled(v, 2, buf);
}

/* ---- parsing helpers ---------------------------------------------------- */

int lds_match_parse_decimal(const char *s, int max_dec, int64_t *out)
{
    int neg = 0, n_int = 0, n_dec = 0;
    int64_t v = 0;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s >= '0' && *s <= '9'; s++, n_int++)
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *s - '0', &v))
            return -3;
    if (*s == '.') {
        s++;
        for (; *s >= '0' && *s <= '9'; s++, n_dec++) {
            if (n_dec >= max_dec)
                return -2; /* even a zero: the format allows max_dec decimals */
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *s - '0', &v))
                return -3;
        }
    }
    if (*s || (n_int == 0 && n_dec == 0))
        return -1;
    for (int k = n_dec < max_dec ? n_dec : max_dec; k < max_dec; k++)
        if (__builtin_mul_overflow(v, 10, &v))
            return -3;
    *out = neg ? -v : v;
    return 0;
}

lds_code lds_match_parse_period(const char *s, int32_t *out)
{
    if (strlen(s) != 7 || s[4] != '-')
        return LDS_EINVAL;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return LDS_EINVAL;
    int year = atoi(s), month = atoi(s + 5);
    if (month < 1 || month > 12)
        return LDS_EINVAL;
    *out = (int32_t)(year * 12 + month - 1);
    return LDS_OK;
}

void lds_match_table_init(lds_match_table *t)
{
    memset(t, 0, sizeof *t);
}

void lds_match_table_release(lds_match_table *t)
{
    for (size_t i = 0; i < t->n_strings; i++)
        lds_free(t->strings[i]);
    lds_free(t->strings);
    lds_free(t->offers);
    lds_free(t->requests);
    lds_free(t->lanes);
    lds_match_table_init(t);
}

static const char *keep(lds_match_table *t, const char *s)
{
    if (t->n_strings == t->cap_strings) {
        size_t cap = t->cap_strings ? t->cap_strings * 2 : 256;
        char **n = lds_realloc(t->strings, cap * sizeof *n);
        if (!n)
            return NULL;
        t->strings = n;
        t->cap_strings = cap;
    }
    char *c = lds_strdup(s);
    if (c)
        t->strings[t->n_strings++] = c;
    return c;
}

static lds_code row_error(lds_err *err, unsigned line, const char *col, const char *fmt, ...)
    LDS_PRINTF(4, 5);

static lds_code row_error(lds_err *err, unsigned line, const char *col, const char *fmt, ...)
{
    if (!err)
        return LDS_EINVAL;
    lds_err_at(err, LDS_EINVAL, line, 0, "%s", "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    snprintf(err->field, sizeof err->field, "%s", col ? col : "");
    return LDS_EINVAL;
}

/* Trims spaces and tabs in place (fields are the reader's scratch copies). */
static const char *trim(const char *s, char *buf, size_t cap)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

typedef struct rowctx {
    const char *const *f;
    const int *idx;
    const lds_csv_spec *spec;
    unsigned line;
    lds_err *err;
    char tmp[128];
} rowctx;

static const char *field(rowctx *c, int k)
{
    return c->idx[k] < 0 ? "" : c->f[c->idx[k]];
}

static lds_code need_text(rowctx *c, int k, const char **out)
{
    const char *v = trim(field(c, k), c->tmp, sizeof c->tmp);
    if (!*v)
        return row_error(c->err, c->line, c->spec[k].name, "%s is empty", c->spec[k].name);
    if (strlen(field(c, k)) >= sizeof c->tmp)
        return row_error(c->err, c->line, c->spec[k].name, "%s is longer than %zu bytes",
                         c->spec[k].name, sizeof c->tmp - 1);
    *out = v;
    return LDS_OK;
}

/* A decimal with at most `dec` decimals; `allow_empty` gives `empty_val`. */
static lds_code need_decimal(rowctx *c, int k, int dec, int allow_empty, int64_t empty_val,
                             int64_t *out)
{
    const char *name = c->spec[k].name;
    const char *v = trim(field(c, k), c->tmp, sizeof c->tmp);
    if (!*v) {
        if (allow_empty) {
            *out = empty_val;
            return LDS_OK;
        }
        return row_error(c->err, c->line, name, "%s is empty", name);
    }
    int r = lds_match_parse_decimal(v, dec, out);
    if (r == -1)
        return row_error(c->err, c->line, name, "%s: '%s' is not a number", name, v);
    if (r == -2 && dec == 0)
        return row_error(c->err, c->line, name, "%s: '%s' is not a whole number", name, v);
    if (r == -2)
        return row_error(c->err, c->line, name, "%s: '%s' has more than %d decimals", name, v,
                         dec);
    if (r == -3)
        return row_error(c->err, c->line, name, "%s: '%s' is out of range", name, v);
    if (*out < 0)
        return row_error(c->err, c->line, name, "%s: '%s' is negative", name, v);
    return LDS_OK;
}

static lds_code need_region(lds_match_table *t, rowctx *c, int k, const char **out)
{
    lds_code rc = need_text(c, k, out);
    if (rc == LDS_OK && t->known_region && !t->known_region(t->known_ctx, *out))
        return row_error(c->err, c->line, c->spec[k].name, "%s: unknown region '%s'",
                         c->spec[k].name, *out);
    return rc;
}

static lds_code need_period(rowctx *c, int k, int32_t *out)
{
    const char *name = c->spec[k].name;
    const char *v = trim(field(c, k), c->tmp, sizeof c->tmp);
    if (!*v)
        return row_error(c->err, c->line, name, "%s is empty", name);
    if (lds_match_parse_period(v, out) != LDS_OK)
        return row_error(c->err, c->line, name, "%s: '%s' is not a period (YYYY-MM)", name, v);
    return LDS_OK;
}

static lds_code need_int(rowctx *c, int k, int64_t max, int32_t *out)
{
    int64_t v;
    lds_code rc = need_decimal(c, k, 0, 0, 0, &v);
    if (rc != LDS_OK)
        return rc;
    if (v > max)
        return row_error(c->err, c->line, c->spec[k].name, "%s: %lld is larger than %lld",
                         c->spec[k].name, (long long)v, (long long)max);
    *out = (int32_t)v;
    return LDS_OK;
}

typedef enum kind { K_OFFERS, K_REQUESTS, K_LANES } kind;

static const lds_csv_spec offer_cols[] = {
    {"id", 0},         {"org", 0},         {"material", 0},
    {"region", 0},     {"quantity", 0},    {"unit_price", 0},
    {"period_from", 0}, {"period_to", 0},  {"purity", 1},
};
static const lds_csv_spec request_cols[] = {
    {"id", 0},       {"org", 0},            {"material", 0},   {"region", 0},
    {"quantity", 0}, {"max_unit_price", 0}, {"due_period", 0}, {"min_purity", 1},
};
static const lds_csv_spec lane_cols[] = {
    {"from_region", 0}, {"to_region", 0}, {"cost_per_unit", 0}, {"transit_periods", 0},
};

/* Checks that ids are unique within the file (sorted copy of the ids). */
typedef struct idline {
    const char *id;
    unsigned line;
} idline;

static int cmp_idline(const void *a, const void *b)
{
    const idline *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static lds_code parse_rows(lds_match_table *t, kind k, const char *csv, size_t len, lds_err *err)
{
    const lds_csv_spec *spec = k == K_OFFERS ? offer_cols : k == K_REQUESTS ? request_cols : lane_cols;
    size_t n_spec = k == K_OFFERS     ? sizeof offer_cols / sizeof *offer_cols
                    : k == K_REQUESTS ? sizeof request_cols / sizeof *request_cols
                                      : sizeof lane_cols / sizeof *lane_cols;
    size_t n0 = k == K_OFFERS ? t->input.n_offers : k == K_REQUESTS ? t->input.n_requests
                                                                     : t->input.n_lanes;
    size_t strings0 = t->n_strings;
    lds_csv_reader *r = NULL;
    idline *ids = NULL;
    size_t n_ids = 0, cap_ids = 0;
    int idx[16];
    lds_code rc = lds_csv_reader_new(csv, len, &r, err);
    if (rc == LDS_OK)
        rc = lds_csv_bind(r, spec, n_spec, idx, err);
    rowctx c;
    memset(&c, 0, sizeof c);
    c.idx = idx;
    c.spec = spec;
    c.err = err;
    while (rc == LDS_OK) {
        size_t nf;
        rc = lds_csv_next(r, &c.f, &nf, &c.line, err);
        if (rc != LDS_OK || nf == 0)
            break;
        const char *id = NULL, *org = NULL, *mat = NULL, *reg = NULL;
        if (k == K_LANES) {
            lds_match_lane l;
            memset(&l, 0, sizeof l);
            if ((rc = need_region(t, &c, 0, &id)) != LDS_OK || !(l.from = keep(t, id)) ||
                (rc = need_region(t, &c, 1, &id)) != LDS_OK || !(l.to = keep(t, id)))
                goto row_fail;
            if ((rc = need_decimal(&c, 2, 2, 0, 0, &l.cost_cents)) != LDS_OK ||
                (rc = need_int(&c, 3, LDS_MATCH_MAX_TRANSIT, &l.transit)) != LDS_OK)
                goto row_fail;
            if (l.cost_cents > LDS_MATCH_MAX_PRICE_CENTS) {
                rc = row_error(err, c.line, "cost_per_unit", "cost_per_unit is too large");
                goto row_fail;
            }
            if (t->input.n_lanes == t->cap_lanes) {
                size_t cap = t->cap_lanes ? t->cap_lanes * 2 : 64;
                lds_match_lane *n = lds_realloc(t->lanes, cap * sizeof *n);
                if (!n)
                    goto oom;
                t->lanes = n;
                t->cap_lanes = cap;
                t->input.lanes = n;
            }
            t->lanes[t->input.n_lanes++] = l;
            continue;
        }
        if ((rc = need_text(&c, 0, &id)) != LDS_OK || !(id = keep(t, id)) ||
            !(org = keep(t, trim(field(&c, 1), c.tmp, sizeof c.tmp))) ||
            (rc = need_text(&c, 2, &mat)) != LDS_OK || !(mat = keep(t, mat)) ||
            (rc = need_region(t, &c, 3, &reg)) != LDS_OK || !(reg = keep(t, reg)))
            goto row_fail;
        if (cap_ids == n_ids) {
            cap_ids = cap_ids ? cap_ids * 2 : 256;
            idline *n = lds_realloc(ids, cap_ids * sizeof *n);
            if (!n)
                goto oom;
            ids = n;
        }
        ids[n_ids].id = id;
        ids[n_ids++].line = c.line;
        if (k == K_OFFERS) {
            lds_match_offer o;
            memset(&o, 0, sizeof o);
            o.id = id, o.org = org, o.material = mat, o.region = reg;
            if ((rc = need_decimal(&c, 4, 3, 0, 0, &o.qty_milli)) != LDS_OK ||
                (rc = need_decimal(&c, 5, 2, 0, 0, &o.price_cents)) != LDS_OK ||
                (rc = need_period(&c, 6, &o.from)) != LDS_OK ||
                (rc = need_period(&c, 7, &o.to)) != LDS_OK ||
                (rc = need_decimal(&c, 8, 6, 1, LDS_MATCH_NO_PURITY, &o.purity)) != LDS_OK)
                goto row_fail;
            if (o.qty_milli > LDS_MATCH_MAX_QTY_MILLI) {
                rc = row_error(err, c.line, "quantity", "quantity is too large");
                goto row_fail;
            }
            if (o.price_cents > LDS_MATCH_MAX_PRICE_CENTS) {
                rc = row_error(err, c.line, "unit_price", "unit_price is too large");
                goto row_fail;
            }
            if (o.to < o.from) {
                rc = row_error(err, c.line, "period_to", "period_to is before period_from");
                goto row_fail;
            }
            if (t->input.n_offers == t->cap_offers) {
                size_t cap = t->cap_offers ? t->cap_offers * 2 : 256;
                lds_match_offer *n = lds_realloc(t->offers, cap * sizeof *n);
                if (!n)
                    goto oom;
                t->offers = n;
                t->cap_offers = cap;
                t->input.offers = n;
            }
            t->offers[t->input.n_offers++] = o;
        } else {
            lds_match_request d;
            memset(&d, 0, sizeof d);
            d.id = id, d.org = org, d.material = mat, d.region = reg;
            if ((rc = need_decimal(&c, 4, 3, 0, 0, &d.qty_milli)) != LDS_OK ||
                (rc = need_decimal(&c, 5, 2, 0, 0, &d.max_price_cents)) != LDS_OK ||
                (rc = need_period(&c, 6, &d.due)) != LDS_OK ||
                (rc = need_decimal(&c, 7, 6, 1, LDS_MATCH_NO_PURITY, &d.min_purity)) != LDS_OK)
                goto row_fail;
            if (d.qty_milli > LDS_MATCH_MAX_QTY_MILLI) {
                rc = row_error(err, c.line, "quantity", "quantity is too large");
                goto row_fail;
            }
            if (d.max_price_cents > 2 * LDS_MATCH_MAX_PRICE_CENTS) {
                rc = row_error(err, c.line, "max_unit_price", "max_unit_price is too large");
                goto row_fail;
            }
            if (t->input.n_requests == t->cap_requests) {
                size_t cap = t->cap_requests ? t->cap_requests * 2 : 256;
                lds_match_request *n = lds_realloc(t->requests, cap * sizeof *n);
                if (!n)
                    goto oom;
                t->requests = n;
                t->cap_requests = cap;
                t->input.requests = n;
            }
            t->requests[t->input.n_requests++] = d;
        }
        continue;
    row_fail:
        if (rc == LDS_OK)
            goto oom;
        break;
    }
    if (rc == LDS_OK && n_ids > 1) {
        qsort(ids, n_ids, sizeof *ids, cmp_idline);
        for (size_t i = 1; i < n_ids; i++)
            if (strcmp(ids[i].id, ids[i - 1].id) == 0) {
                rc = row_error(err, ids[i].line, "id", "duplicate id '%s' (first on line %u)",
                               ids[i].id, ids[i - 1].line);
                break;
            }
    }
    goto done;
oom:
    rc = lds_err_set(err, LDS_ENOMEM, "out of memory reading CSV");
done:
    if (rc != LDS_OK) { /* nothing is appended on error */
        if (k == K_OFFERS)
            t->input.n_offers = n0;
        else if (k == K_REQUESTS)
            t->input.n_requests = n0;
        else
            t->input.n_lanes = n0;
        while (t->n_strings > strings0)
            lds_free(t->strings[--t->n_strings]);
    }
    lds_free(ids);
    lds_csv_reader_free(r);
    return rc;
}

lds_code lds_match_parse_offers(lds_match_table *t, const char *csv, size_t len, lds_err *err)
{
    return parse_rows(t, K_OFFERS, csv, len, err);
}

lds_code lds_match_parse_requests(lds_match_table *t, const char *csv, size_t len, lds_err *err)
{
    return parse_rows(t, K_REQUESTS, csv, len, err);
}

lds_code lds_match_parse_lanes(lds_match_table *t, const char *csv, size_t len, lds_err *err)
{
    return parse_rows(t, K_LANES, csv, len, err);
}

/* ---- output ------------------------------------------------------------- */

void lds_match_write_lines_csv(const lds_match_result *r, lds_buf *b)
{
    static const char *const head[] = {
        "offer",      "request",     "offer_org",       "request_org", "material",
        "from_region", "to_region",  "quantity",        "ship_period", "transit_periods",
        "unit_price", "logistics_cost", "line_total", "licence_required", "licence_lead_periods"};
    lds_csv_write_row(b, head, sizeof head / sizeof *head);
    for (size_t i = 0; i < r->n_lines; i++) {
        const lds_match_line *l = &r->lines[i];
        char q[32], per[16], tr[16], up[32], lc[32], lt[32], ll[16];
        snprintf(tr, sizeof tr, "%d", (int)l->transit);
        snprintf(ll, sizeof ll, "%d", (int)l->licence_lead);
        const char *row[] = {l->offer_id,
                             l->request_id,
                             l->offer_org,
                             l->request_org,
                             l->material,
                             l->from_region,
                             l->to_region,
                             lds_match_fmt_milli(l->qty_milli, q),
                             lds_match_fmt_period(l->ship_period, per),
                             tr,
                             lds_match_fmt_cents(l->unit_price_cents, up),
                             lds_match_fmt_cents(l->logistics_cents, lc),
                             lds_match_fmt_cents(l->line_total_cents, lt),
                             l->licence_required ? "yes" : "no",
                             ll};
        lds_csv_write_row(b, row, sizeof row / sizeof *row);
    }
}

void lds_match_write_unmet_csv(const lds_match_result *r, lds_buf *b)
{
    static const char *const head[] = {"request", "org", "material", "region", "due_period",
                                       "requested_quantity", "unmet_quantity", "reason"};
    lds_csv_write_row(b, head, sizeof head / sizeof *head);
    for (size_t i = 0; i < r->n_unmet; i++) {
        const lds_match_unmet *u = &r->unmet[i];
        char per[16], q[32], uq[32];
        const char *row[] = {u->request_id,
                             u->request_org,
                             u->material,
                             u->region,
                             lds_match_fmt_period(u->due, per),
                             lds_match_fmt_milli(u->requested_milli, q),
                             lds_match_fmt_milli(u->unmet_milli, uq),
                             lds_match_reason_name(u->reason)};
        lds_csv_write_row(b, row, sizeof row / sizeof *row);
    }
}

static void kv_str(lds_buf *b, const char *k, const char *v, int comma)
{
    lds_buf_addf(b, "%s\"%s\":", comma ? "," : "", k);
    lds_buf_add_json_str(b, v);
}

void lds_match_write_json(const lds_match_result *r, lds_buf *b)
{
    char x[32], y[32], per[16];
    lds_buf_addf(b, "{\"matched_quantity\":%s,\"matched_quantity_milli\":%lld",
                 lds_match_fmt_milli(r->matched_milli, x), (long long)r->matched_milli);
    lds_buf_addf(b, ",\"total_cost\":%s,\"total_cost_cents\":%lld",
                 lds_match_fmt_cents(r->total_cost_cents, x), (long long)r->total_cost_cents);
    lds_buf_addf(b, ",\"goods_cost\":%s,\"logistics_cost\":%s",
                 lds_match_fmt_cents(r->goods_cost_cents, x),
                 lds_match_fmt_cents(r->total_cost_cents - r->goods_cost_cents, y));
    lds_buf_addf(b, ",\"exact_cost_millicents\":%lld", (long long)r->exact_cost_millicents);
    lds_buf_addf(b, ",\"unmet_quantity\":%s", lds_match_fmt_milli(r->unmet_milli, x));
    lds_buf_addf(b, ",\"supply_quantity\":%s", lds_match_fmt_milli(r->supply_milli, x));
    lds_buf_addf(b, ",\"demand_quantity\":%s", lds_match_fmt_milli(r->demand_milli, x));
    lds_buf_addf(b, ",\"compatible_pairs\":%zu,\"allocations\":[", r->n_pairs);
    for (size_t i = 0; i < r->n_lines; i++) {
        const lds_match_line *l = &r->lines[i];
        lds_buf_adds(b, i ? ",{" : "{");
        kv_str(b, "offer", l->offer_id, 0);
        kv_str(b, "request", l->request_id, 1);
        kv_str(b, "offer_org", l->offer_org, 1);
        kv_str(b, "request_org", l->request_org, 1);
        kv_str(b, "material", l->material, 1);
        kv_str(b, "from_region", l->from_region, 1);
        kv_str(b, "to_region", l->to_region, 1);
        lds_buf_addf(b, ",\"quantity\":%s", lds_match_fmt_milli(l->qty_milli, x));
        kv_str(b, "ship_period", lds_match_fmt_period(l->ship_period, per), 1);
        lds_buf_addf(b, ",\"transit_periods\":%d", (int)l->transit);
        lds_buf_addf(b, ",\"unit_price\":%s", lds_match_fmt_cents(l->unit_price_cents, x));
        lds_buf_addf(b, ",\"logistics_cost\":%s", lds_match_fmt_cents(l->logistics_cents, x));
        lds_buf_addf(b, ",\"delivered_unit_price\":%s",
                     lds_match_fmt_cents(l->unit_price_cents + l->logistics_cents, x));
        lds_buf_addf(b, ",\"line_total\":%s", lds_match_fmt_cents(l->line_total_cents, x));
        lds_buf_addf(b, ",\"licence_required\":%s,\"licence_lead_periods\":%d}",
                     l->licence_required ? "true" : "false", (int)l->licence_lead);
    }
    lds_buf_adds(b, "],\"unmet\":[");
    for (size_t i = 0; i < r->n_unmet; i++) {
        const lds_match_unmet *u = &r->unmet[i];
        lds_buf_adds(b, i ? ",{" : "{");
        kv_str(b, "request", u->request_id, 0);
        kv_str(b, "org", u->request_org, 1);
        kv_str(b, "material", u->material, 1);
        kv_str(b, "region", u->region, 1);
        kv_str(b, "due_period", lds_match_fmt_period(u->due, per), 1);
        lds_buf_addf(b, ",\"quantity\":%s", lds_match_fmt_milli(u->unmet_milli, x));
        lds_buf_addf(b, ",\"unmet_quantity\":%s", lds_match_fmt_milli(u->unmet_milli, x));
        lds_buf_addf(b, ",\"requested_quantity\":%s", lds_match_fmt_milli(u->requested_milli, x));
        kv_str(b, "reason", lds_match_reason_name(u->reason), 1);
        lds_buf_adds(b, ",\"why\":");
        lds_match_write_why_json(u, NULL, b);
        lds_buf_addc(b, '}');
    }
    lds_buf_adds(b, "],\"duals\":[");
    for (size_t i = 0; i < r->n_duals; i++) {
        const lds_match_dual *d = &r->duals[i];
        lds_buf_adds(b, i ? ",{" : "{");
        kv_str(b, "region", d->region, 0);
        kv_str(b, "material", d->material, 1);
        kv_str(b, "period", lds_match_fmt_period(d->period, per), 1);
        lds_buf_addf(b, ",\"demand_quantity\":%s", lds_match_fmt_milli(d->demand_milli, x));
        lds_buf_addf(b, ",\"matched_quantity\":%s", lds_match_fmt_milli(d->matched_milli, x));
        if (d->has_price)
            lds_buf_addf(b, ",\"price\":%s}", lds_match_fmt_cents(d->price_cents, x));
        else
            lds_buf_adds(b, ",\"price\":null}");
    }
    lds_buf_adds(b, "]}\n");
}
