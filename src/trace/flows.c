/*
 * flows.c — the monthly flow report of an enterprise: per product, the
 * stock at the start of the month, what came in (received, produced), what
 * went out (consumed, shipped) and the closing stock, from the events the
 * enterprise may read.  One pass over its events up to the end of the month
 * in capture order; events before the month make the opening stock.
 * Quantities are summed in thousandths (integers), so totals are exact.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/csv.h"
#include "lodestone/lineage.h"
#include "views_int.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

lds_code lds_trace_month_bounds(const char *month, int64_t *from_ms, int64_t *to_ms,
                                lds_err *err)
{
    int ok = month && strlen(month) == 7 && month[4] == '-';
    for (int i = 0; ok && i < 7; i++)
        if (i != 4 && (month[i] < '0' || month[i] > '9'))
            ok = 0;
    int y = ok ? atoi(month) : 0, m = ok ? atoi(month + 5) : 0;
    if (!ok || y < 1970 || m < 1 || m > 12)
        return lds_err_field(err, LDS_EINVAL, "month", "month '%.20s' is not YYYY-MM (1970-01 on)",
                             month ? month : "");
    *from_ms = days_from_civil(y, (unsigned)m, 1) * 86400000;
    *to_ms = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1u : (unsigned)m + 1, 1) * 86400000;
    return LDS_OK;
}

enum { F_RECEIVED, F_CONSUMED, F_PRODUCED, F_SHIPPED };

/* Classes already resolved to a product. */
typedef struct class_entry {
    char *cls;
    char material[64];
} class_entry;

typedef struct flows_ctx {
    lds_store *s;
    lds_flow_report *r;
    lds_lot *lot; /* scratch for lineage lookups */
    size_t cap;
    class_entry *classes;
    size_t n_classes, cap_classes;
    lds_err *err;
} flows_ctx;

static lds_code material_of(flows_ctx *c, const char *cls, const char **material)
{
    for (size_t i = 0; i < c->n_classes; i++)
        if (strcmp(c->classes[i].cls, cls) == 0) {
            *material = c->classes[i].material;
            return LDS_OK;
        }
    if (c->n_classes == c->cap_classes) {
        size_t nc = c->cap_classes ? c->cap_classes * 2 : 16;
        class_entry *p = lds_realloc(c->classes, nc * sizeof *p);
        if (!p)
            return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
        c->classes = p;
        c->cap_classes = nc;
    }
    class_entry *e = &c->classes[c->n_classes];
    /* The lot's material as lineage knows it (commissioning ilmd, else the
     * product-class registry); a class never commissioned may still map. */
    char grade[LDS_LINEAGE_ID_MAX];
    lds_code rc = lds_lineage_lot_get(c->s, cls, c->lot, c->err);
    if (rc == LDS_OK)
        snprintf(e->material, sizeof e->material, "%s", c->lot->material_id);
    else if (rc == LDS_ENOTFOUND || rc == LDS_EINVAL)
        rc = lds_lineage_product_class_lookup(c->s, cls, e->material, grade, c->err);
    if (rc == LDS_ENOTFOUND || rc == LDS_EINVAL) {
        e->material[0] = '\0';
        rc = LDS_OK;
    }
    if (rc)
        return rc;
    if (!(e->cls = lds_strdup(cls)))
        return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
    c->n_classes++;
    *material = e->material;
    return LDS_OK;
}

static lds_flow_row *row_of(flows_ctx *c, const char *product, const char *material,
                            const char *uom)
{
    lds_flow_report *r = c->r;
    for (size_t i = 0; i < r->n_rows; i++)
        if (strcmp(r->rows[i].product, product) == 0 && strcmp(r->rows[i].uom, uom) == 0)
            return &r->rows[i];
    if (r->n_rows == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        lds_flow_row *p = lds_realloc(r->rows, nc * sizeof *p);
        if (!p)
            return NULL;
        r->rows = p;
        c->cap = nc;
    }
    lds_flow_row *row = &r->rows[r->n_rows++];
    memset(row, 0, sizeof *row);
    snprintf(row->product, sizeof row->product, "%s", product);
    snprintf(row->material, sizeof row->material, "%s", material);
    snprintf(row->uom, sizeof row->uom, "%s", uom);
    return row;
}

/* a + b in thousandths, held at the int64 bounds: absurd captured quantities
 * (1e300 t is valid JSON and EPCIS) saturate a total instead of overflowing it. */
static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* Adds every quantity of `list` to flow `flow`, in the month or before it. */
static lds_code add_list(flows_ctx *c, const json_t *list, int flow, int in_month)
{
    size_t i;
    const json_t *q;
    json_array_foreach(list, i, q) {
        const json_t *cls = json_object_get(q, "epcClass");
        const json_t *qty = json_object_get(q, "quantity");
        const json_t *uom = json_object_get(q, "uom");
        if (!json_is_string(cls))
            continue;
        if (!json_is_number(qty)) {
            c->r->n_unquantified += in_month;
            continue;
        }
        const char *material = "";
        lds_code rc = material_of(c, json_string_value(cls), &material);
        if (rc)
            return rc;
        lds_flow_row *row = row_of(c, material[0] ? material : json_string_value(cls), material,
                                   json_is_string(uom) ? json_string_value(uom) : "");
        if (!row)
            return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
        int64_t m = lds_trace__milli(json_number_value(qty));
        if (!in_month) {
            row->opening = flow == F_RECEIVED || flow == F_PRODUCED ? sat_add(row->opening, m)
                                                                    : sat_sub(row->opening, m);
            continue;
        }
        switch (flow) {
        case F_RECEIVED: row->received = sat_add(row->received, m); break;
        case F_CONSUMED: row->consumed = sat_add(row->consumed, m); break;
        case F_PRODUCED: row->produced = sat_add(row->produced, m); break;
        default: row->shipped = sat_add(row->shipped, m); break;
        }
    }
    return LDS_OK;
}

/* Books one event: which of its lists count as which flow. */
static lds_code book(flows_ctx *c, const char *type, const char *action, const char *biz_step,
                     const json_t *ev, int in_month)
{
    if (strcmp(type, "TransformationEvent") == 0) {
        lds_code rc = add_list(c, json_object_get(ev, "inputQuantityList"), F_CONSUMED, in_month);
        return rc ? rc : add_list(c, json_object_get(ev, "outputQuantityList"), F_PRODUCED,
                                  in_month);
    }
    if (strcmp(type, "ObjectEvent") != 0)
        return LDS_OK;
    const char *w = lds_trace__bizstep_word(biz_step);
    int flow;
    if (strcmp(w, "receiving") == 0)
        flow = F_RECEIVED;
    else if (strcmp(w, "shipping") == 0)
        flow = F_SHIPPED;
    else if (strcmp(w, "commissioning") == 0 && action && strcmp(action, "ADD") == 0)
        flow = F_PRODUCED;
    else if (strcmp(w, "decommissioning") == 0 || strcmp(w, "destroying") == 0)
        flow = F_CONSUMED;
    else
        return LDS_OK;
    return add_list(c, json_object_get(ev, "quantityList"), flow, in_month);
}

static int cmp_rows(const void *a, const void *b)
{
    const lds_flow_row *x = a, *y = b;
    int d = strcmp(x->product, y->product);
    return d ? d : strcmp(x->uom, y->uom);
}

lds_code lds_trace_flows(lds_store *s, int64_t org_id, const char *month, lds_flow_report *out,
                         lds_err *err)
{
    static const char q_org[] = "SELECT name FROM orgs WHERE id = ?";
    /* The org's events (as lds_trace_event_visible), by local time; of those at
     * its facilities, not the ones another enterprise captured: the report is
     * the org's own filing, and any member or provider may post an event naming
     * any facility.  Unattributed events (CLI imports, an operator's single
     * events) and captures of an operator organisation count. */
    static const char q_events[] =
        "SELECT e.type, e.action, e.biz_step, e.event_time_ms + 60000 * e.tz_offset_min, l.data "
        "FROM epcis_events e JOIN ledger_leaves l ON l.idx = e.leaf_idx "
        "LEFT JOIN epcis_captures c ON c.id = e.capture_id "
        "WHERE e.event_time_ms + 60000 * e.tz_offset_min < ?2 "
        "AND (c.org_id = ?1 "
        "OR ((c.org_id IS NULL OR c.org_id IN (SELECT o.id FROM orgs o WHERE o.kind = 'operator')) "
        "AND (e.biz_location IN (SELECT '" LDS_TRACE_FACILITY_URI "' || f.id FROM facilities f "
        "WHERE f.org_id = ?1) "
        "OR e.read_point IN (SELECT '" LDS_TRACE_FACILITY_URI "' || f.id FROM facilities f "
        "WHERE f.org_id = ?1)))) "
        "ORDER BY e.id";
    memset(out, 0, sizeof *out);
    int64_t from, to;
    lds_code rc = lds_trace_month_bounds(month, &from, &to, err);
    if (rc)
        return rc;
    out->org_id = org_id;
    snprintf(out->month, sizeof out->month, "%s", month);
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, q_org, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, org_id);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_DONE)
        return lds_err_field(err, LDS_ENOTFOUND, "org", "no organisation %lld",
                             (long long)org_id);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    snprintf(out->org_name, sizeof out->org_name, "%s", lds_stmt_col_text(st, 0));
    lds_stmt_reset(st);

    flows_ctx c = {s, out, lds_malloc(sizeof(lds_lot)), 0, NULL, 0, 0, err};
    if (!c.lot) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = lds_store_prepare(s, q_events, &st, err)))
        goto done;
    lds_stmt_bind_i64(st, 1, org_id);
    lds_stmt_bind_i64(st, 2, to);
    /* Rows are copied out first: bindings are looked up with other statements. */
    typedef struct ev_row {
        char type[32], action[16], biz_step[160];
        int in_month;
        json_t *ev;
    } ev_row;
    ev_row *evs = NULL;
    size_t n_evs = 0, cap_evs = 0;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n_evs == cap_evs) {
            size_t nc = cap_evs ? cap_evs * 2 : 64;
            ev_row *p = lds_realloc(evs, nc * sizeof *p);
            if (!p) {
                lds_stmt_reset(st);
                rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
                break;
            }
            evs = p;
            cap_evs = nc;
        }
        ev_row *e = &evs[n_evs];
        const char *a = lds_stmt_col_text(st, 1), *b = lds_stmt_col_text(st, 2);
        snprintf(e->type, sizeof e->type, "%s", lds_stmt_col_text(st, 0));
        snprintf(e->action, sizeof e->action, "%s", a ? a : "");
        snprintf(e->biz_step, sizeof e->biz_step, "%s", b ? b : "");
        e->in_month = lds_stmt_col_i64(st, 3) >= from;
        int n = 0;
        const char *data = lds_stmt_col_blob(st, 4, &n);
        if (!(e->ev = json_loadb(data, (size_t)n, 0, NULL)))
            continue; /* a leaf is always JSON; nothing to book otherwise */
        n_evs++;
    }
    if (rc == LDS_OK && step != LDS_STORE_DONE)
        rc = (lds_code)step;
    for (size_t i = 0; i < n_evs; i++) {
        if (rc == LDS_OK) {
            out->n_events += (size_t)evs[i].in_month;
            rc = book(&c, evs[i].type, evs[i].action, evs[i].biz_step, evs[i].ev,
                      evs[i].in_month);
        }
        json_decref(evs[i].ev);
    }
    lds_free(evs);
    if (rc == LDS_OK) {
        /* Products with no stock and no flow in the month are left out. */
        size_t kept = 0;
        for (size_t i = 0; i < out->n_rows; i++) {
            lds_flow_row *r = &out->rows[i];
            r->closing = sat_sub(sat_sub(sat_add(sat_add(r->opening, r->received), r->produced),
                                         r->consumed),
                                 r->shipped);
            if (r->opening || r->received || r->produced || r->consumed || r->shipped)
                out->rows[kept++] = *r;
        }
        out->n_rows = kept;
        if (out->n_rows)
            qsort(out->rows, out->n_rows, sizeof *out->rows, cmp_rows);
    }
done:
    for (size_t i = 0; i < c.n_classes; i++)
        lds_free(c.classes[i].cls);
    lds_free(c.classes);
    lds_free(c.lot);
    if (rc)
        lds_trace_flows_free(out);
    return rc;
}

void lds_trace_flows_free(lds_flow_report *r)
{
    if (!r)
        return;
    lds_free(r->rows);
    r->rows = NULL;
    r->n_rows = 0;
}

static void add_num(lds_buf *b, const char *key, int64_t v, int comma)
{
    lds_buf_addf(b, "%s\"%s\":", comma ? "," : "", key);
    lds_trace__add_milli(b, v);
}

void lds_trace_flows_json(const lds_flow_report *r, lds_buf *b)
{
    int64_t from = 0, to = 0;
    lds_trace_month_bounds(r->month, &from, &to, NULL);
    lds_buf_addf(b, "{\"org\":{\"id\":%lld,\"name\":", (long long)r->org_id);
    lds_buf_add_json_str(b, r->org_name);
    lds_buf_adds(b, "},\"month\":");
    lds_buf_add_json_str(b, r->month);
    lds_buf_addf(b,
                 ",\"time_basis\":\"local time of each event (eventTime + eventTimeZoneOffset)\","
                 "\"events\":%zu,\"unquantified_entries\":%zu,\"products\":[",
                 r->n_events, r->n_unquantified);
    for (size_t i = 0; i < r->n_rows; i++) {
        const lds_flow_row *row = &r->rows[i];
        lds_buf_adds(b, i ? ",{\"product\":" : "{\"product\":");
        lds_buf_add_json_str(b, row->product);
        lds_buf_adds(b, ",\"material\":");
        if (row->material[0])
            lds_buf_add_json_str(b, row->material);
        else
            lds_buf_adds(b, "null");
        lds_buf_adds(b, ",\"uom\":");
        if (row->uom[0])
            lds_buf_add_json_str(b, row->uom);
        else
            lds_buf_adds(b, "null");
        add_num(b, "opening_stock", row->opening, 1);
        lds_buf_adds(b, ",\"inputs\":{");
        add_num(b, "received", row->received, 0);
        add_num(b, "consumed", row->consumed, 1);
        lds_buf_adds(b, "},\"outputs\":{");
        add_num(b, "produced", row->produced, 0);
        add_num(b, "shipped", row->shipped, 1);
        lds_buf_addc(b, '}');
        add_num(b, "closing_stock", row->closing, 1);
        lds_buf_addc(b, '}');
    }
    lds_buf_adds(b, "]}");
}

void lds_trace_flows_csv(const lds_flow_report *r, lds_buf *b)
{
    static const char *const head[] = {"org_id", "month", "product", "material", "uom",
                                       "opening_stock", "received", "consumed", "produced",
                                       "shipped", "closing_stock"};
    lds_csv_write_row(b, head, sizeof head / sizeof head[0]);
    for (size_t i = 0; i < r->n_rows; i++) {
        const lds_flow_row *row = &r->rows[i];
        char org[24], nums[6][40];
        snprintf(org, sizeof org, "%lld", (long long)r->org_id);
        const int64_t v[6] = {row->opening,  row->received, row->consumed,
                              row->produced, row->shipped,  row->closing};
        for (int k = 0; k < 6; k++)
            lds_trace_fmt_milli(v[k], nums[k], sizeof nums[k]);
        const char *f[] = {org,     r->month, row->product, row->material, row->uom, nums[0],
                           nums[1], nums[2],  nums[3],      nums[4],       nums[5]};
        lds_csv_write_row(b, f, sizeof f / sizeof f[0]);
    }
}
