/*
 * passport.c — the digital product passport of a lot: what it is, where its
 * rare earths came from, the custody steps that made it, and for every one
 * of those events its leaf in the transparency log with an inclusion proof
 * against the latest signed tree head, so a buyer can check offline with
 * `lodestone verify --passport` that each event was logged as claimed.
 *
 * Tiers (the reply says which):
 *   public   material, grade, origin countries and regions, certifications,
 *            the mass-balance flag, and verification data (STH, leaf hashes,
 *            audit paths; not the leaf bytes, which carry quantities)
 *   chain    + producer, facilities and steps with dates, origin shares by
 *            region, mine and origin lot (per element); for trading
 *            partners: the suppliers of the chain's lots and the
 *            organisations holding the lot (shipped to them, lineage.h)
 *   private  + quantities, counterparties (source/destination), business
 *            transactions, and each event's exact leaf bytes
 */
#include <stdlib.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/listing.h"
#include "lodestone/clock.h"
#include "lodestone/lineage.h"
#include "trace_int.h"
#include "views_int.h"

const char *lds_passport_tier_name(lds_passport_tier t)
{
    return t == LDS_PASSPORT_PRIVATE ? "private" : t == LDS_PASSPORT_CHAIN ? "chain" : "public";
}

/* 1 when `org` produced one of the lots of the provenance tree (a supplier). */
static int supplies(const lds_provenance *p, int64_t org)
{
    for (size_t i = 0; i < p->n_lots; i++)
        if (p->lots[i].producer_org == org)
            return 1;
    return 0;
}

lds_passport_tier lds_trace_passport_tier(lds_store *s, const lds_lot *lot,
                                          const lds_provenance *p, const lds_principal *who)
{
    if (!who)
        return LDS_PASSPORT_PUBLIC;
    if (who->role == LDS_ROLE_OPERATOR || (who->org_id > 0 && who->org_id == lot->producer_org))
        return LDS_PASSPORT_PRIVATE;
    /* Trading partners: the suppliers of the chain and the organisations
     * the lot was shipped to (holders); naming the lot in an event of one's
     * own makes no one a partner. */
    if (who->role == LDS_ROLE_AUDITOR || (who->org_id > 0 && (supplies(p, who->org_id) ||
                                                              lds_lineage_visible(s, lot,
                                                                                  who->org_id, 0))))
        return LDS_PASSPORT_CHAIN;
    return LDS_PASSPORT_PUBLIC;
}

/* One event of the passport. */
typedef struct pp_event {
    int64_t row, time_ms, leaf;
    int tz_min;
    char *data; /* leaf bytes (owned) */
    size_t len;
    char *event_id; /* owned */
} pp_event;

typedef struct pp_ctx {
    lds_store *s;
    pp_event *ev;
    size_t n, cap;
    lds_err *err;
} pp_ctx;

/* The custody steps of `lot`: the events naming it in a quantity list that
 * its producer, an organisation holding it at the time (lot_holders, from
 * the shipment on), the platform or an operator captured, each once (no
 * DISTINCT: it would copy every leaf into a temporary b-tree).  An event
 * another organisation posted naming the lot is not one of its steps. */
static lds_code add_events_of(pp_ctx *c, const lds_lot *lot)
{
    static const char q[] =
        "SELECT e.id, e.event_time_ms, e.tz_offset_min, e.leaf_idx, l.data, e.event_id "
        "FROM epcis_event_ids i JOIN epcis_events e ON e.id = i.event "
        "JOIN ledger_leaves l ON l.idx = e.leaf_idx "
        "LEFT JOIN epcis_captures c ON c.id = e.capture_id "
        "WHERE i.uri = ?1 AND i.role IN (6, 7, 8, 9) "
        "AND (c.org_id IS NULL OR c.org_id = ?2 "
        "OR EXISTS (SELECT 1 FROM lot_holders h WHERE h.lot = ?3 AND h.org_id = c.org_id "
        "AND h.event <= e.id) "
        "OR EXISTS (SELECT 1 FROM orgs o WHERE o.id = c.org_id AND o.kind = 'operator'))";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(c->s, q, &st, c->err);
    if (rc)
        return rc;
    lds_stmt_bind_text(st, 1, lot->lot);
    if (lot->producer_org > 0)
        lds_stmt_bind_i64(st, 2, lot->producer_org);
    lds_stmt_bind_i64(st, 3, lot->id);
    int step;
    while ((step = lds_stmt_step(st, c->err)) == LDS_STORE_ROW) {
        int64_t row = lds_stmt_col_i64(st, 0);
        int dup = 0;
        for (size_t i = 0; i < c->n && !dup; i++)
            dup = c->ev[i].row == row;
        if (dup)
            continue;
        if (c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 32;
            pp_event *p = lds_realloc(c->ev, nc * sizeof *p);
            if (!p) {
                lds_stmt_reset(st);
                return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
            }
            c->ev = p;
            c->cap = nc;
        }
        pp_event *e = &c->ev[c->n];
        int n = 0;
        const char *d = lds_stmt_col_blob(st, 4, &n);
        e->event_id = NULL;
        if (!(e->data = lds_malloc((size_t)n + 1)) ||
            !(e->event_id = lds_strdup(lds_stmt_col_text(st, 5)))) {
            lds_free(e->data);
            lds_stmt_reset(st);
            return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
        }
        memcpy(e->data, d, (size_t)n);
        e->data[n] = '\0';
        e->len = (size_t)n;
        e->row = row;
        e->time_ms = lds_stmt_col_i64(st, 1);
        e->tz_min = (int)lds_stmt_col_i64(st, 2);
        e->leaf = lds_stmt_col_i64(st, 3);
        c->n++;
    }
    return step == LDS_STORE_DONE ? LDS_OK : (lds_code)step;
}

static int cmp_events(const void *a, const void *b)
{
    const pp_event *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static void add_double(lds_buf *b, double v)
{
    lds_buf_addf(b, "%.6g", v);
}

/* {"id","name","stage"} of a catalog material, or null. */
static void add_material(lds_store *s, lds_buf *b, const char *id)
{
    static const char q[] = "SELECT name, stage_id FROM materials WHERE id = ?";
    lds_stmt *st;
    if (!id || !*id || lds_store_prepare(s, q, &st, NULL)) {
        lds_buf_adds(b, "null");
        return;
    }
    lds_stmt_bind_text(st, 1, id);
    lds_buf_adds(b, "{\"id\":");
    lds_buf_add_json_str(b, id);
    if (lds_stmt_step(st, NULL) == LDS_STORE_ROW) {
        lds_buf_adds(b, ",\"name\":");
        lds_buf_add_json_str(b, lds_stmt_col_text(st, 0));
        lds_buf_adds(b, ",\"stage\":");
        lds_buf_add_json_str(b, lds_stmt_col_text(st, 1));
        lds_stmt_reset(st);
    }
    lds_buf_addc(b, '}');
}

/* {"id","name","country"} of a region (country "" when unknown). */
static void add_region(lds_store *s, lds_buf *b, const char *id, char *country, size_t n)
{
    static const char q[] = "SELECT name, country FROM regions WHERE id = ?";
    lds_stmt *st;
    country[0] = '\0';
    lds_buf_adds(b, "{\"id\":");
    lds_buf_add_json_str(b, id);
    if (lds_store_prepare(s, q, &st, NULL) == LDS_OK) {
        lds_stmt_bind_text(st, 1, id);
        if (lds_stmt_step(st, NULL) == LDS_STORE_ROW) {
            snprintf(country, n, "%s", lds_stmt_col_text(st, 1));
            lds_buf_adds(b, ",\"name\":");
            lds_buf_add_json_str(b, lds_stmt_col_text(st, 0));
            lds_buf_adds(b, ",\"country\":");
            lds_buf_add_json_str(b, country);
            lds_stmt_reset(st);
        }
    }
    lds_buf_addc(b, '}');
}

/* A location: a registry facility with its org, else the URI as given. */
static void add_location(lds_store *s, lds_buf *b, const char *uri)
{
    static const char q[] = "SELECT f.name, f.region_id, f.org_id, o.name FROM facilities f "
                            "JOIN orgs o ON o.id = f.org_id WHERE f.id = ?";
    size_t np = strlen(LDS_TRACE_FACILITY_URI);
    lds_stmt *st;
    if (!uri) {
        lds_buf_adds(b, "null");
        return;
    }
    if (strncmp(uri, LDS_TRACE_FACILITY_URI, np) == 0 &&
        lds_store_prepare(s, q, &st, NULL) == LDS_OK) {
        char *end;
        long long id = strtoll(uri + np, &end, 10);
        lds_stmt_bind_i64(st, 1, id);
        if (*end == '\0' && lds_stmt_step(st, NULL) == LDS_STORE_ROW) {
            lds_buf_addf(b, "{\"uri\":");
            lds_buf_add_json_str(b, uri);
            lds_buf_addf(b, ",\"facility_id\":%lld,\"name\":", id);
            lds_buf_add_json_str(b, lds_stmt_col_text(st, 0));
            lds_buf_adds(b, ",\"region\":");
            lds_buf_add_json_str(b, lds_stmt_col_text(st, 1));
            lds_buf_addf(b, ",\"org_id\":%lld,\"org_name\":", (long long)lds_stmt_col_i64(st, 2));
            lds_buf_add_json_str(b, lds_stmt_col_text(st, 3));
            lds_buf_addc(b, '}');
            lds_stmt_reset(st);
            return;
        }
        lds_stmt_reset(st);
    }
    lds_buf_adds(b, "{\"uri\":");
    lds_buf_add_json_str(b, uri);
    lds_buf_addc(b, '}');
}

/* The lots of a quantity list (as given) into a JSON array; with quantities when `qty`. */
static void add_lots(lds_buf *b, const json_t *list, int qty)
{
    size_t i;
    const json_t *q;
    int first = 1;
    lds_buf_addc(b, '[');
    json_array_foreach(list, i, q) {
        const json_t *cls = json_object_get(q, "epcClass");
        if (!json_is_string(cls))
            continue;
        lds_buf_adds(b, first ? "" : ",");
        first = 0;
        if (!qty) {
            lds_buf_add_json_str(b, json_string_value(cls));
            continue;
        }
        lds_buf_adds(b, "{\"lot\":");
        lds_buf_add_json_str(b, json_string_value(cls));
        const json_t *n = json_object_get(q, "quantity"), *u = json_object_get(q, "uom");
        lds_buf_adds(b, ",\"quantity\":");
        if (json_is_number(n))
            lds_buf_addf(b, "%.10g", json_number_value(n));
        else
            lds_buf_adds(b, "null");
        lds_buf_adds(b, ",\"uom\":");
        lds_json_str_or_null(b, json_is_string(u) ? json_string_value(u) : NULL);
        lds_buf_addc(b, '}');
    }
    lds_buf_addc(b, ']');
}

/* Copies a member of the event as JSON, or null. */
static void add_member(lds_buf *b, const json_t *ev, const char *key)
{
    const json_t *v = json_object_get(ev, key);
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    lds_buf_adds(b, text ? text : "null");
    free(text);
}

static void add_step(lds_store *s, lds_buf *b, const pp_event *e, const json_t *ev,
                     lds_passport_tier tier)
{
    int priv = tier == LDS_PASSPORT_PRIVATE;
    const json_t *type = json_object_get(ev, "type");
    const char *t = json_is_string(type) ? json_string_value(type) : "";
    char when[32];
    lds_trace__fmt_time(e->time_ms, when);
    lds_buf_adds(b, "{\"event_id\":");
    add_member(b, ev, "eventID");
    lds_buf_adds(b, ",\"type\":");
    lds_buf_add_json_str(b, t);
    const json_t *bs = json_object_get(ev, "bizStep");
    lds_buf_adds(b, ",\"biz_step\":");
    const char *word = json_is_string(bs) ? lds_trace__bizstep_word(json_string_value(bs)) : "";
    lds_json_str_or_null(b, *word ? word : json_is_string(bs) ? json_string_value(bs) : NULL);
    lds_buf_adds(b, ",\"time\":");
    lds_buf_add_json_str(b, when);
    lds_buf_adds(b, ",\"time_zone_offset\":");
    add_member(b, ev, "eventTimeZoneOffset");
    const json_t *loc = json_object_get(json_object_get(ev, "bizLocation"), "id");
    if (!json_is_string(loc))
        loc = json_object_get(json_object_get(ev, "readPoint"), "id");
    lds_buf_adds(b, ",\"location\":");
    add_location(s, b, json_is_string(loc) ? json_string_value(loc) : NULL);
    if (strcmp(t, "TransformationEvent") == 0) {
        lds_buf_adds(b, ",\"inputs\":");
        add_lots(b, json_object_get(ev, "inputQuantityList"), priv);
        lds_buf_adds(b, ",\"outputs\":");
        add_lots(b, json_object_get(ev, "outputQuantityList"), priv);
    } else {
        lds_buf_adds(b, ",\"lots\":");
        add_lots(b, json_object_get(ev, "quantityList"), priv);
    }
    if (priv) {
        lds_buf_adds(b, ",\"sources\":");
        add_member(b, ev, "sourceList");
        lds_buf_adds(b, ",\"destinations\":");
        add_member(b, ev, "destinationList");
        lds_buf_adds(b, ",\"business_transactions\":");
        add_member(b, ev, "bizTransactionList");
    }
    lds_buf_addc(b, '}');
}

/* Certifications: each event's certificationInfo (a URI or a list of them). */
static void add_cert(lds_buf *b, const json_t *ev, const json_t *one, int *first)
{
    if (!json_is_string(one))
        return;
    lds_buf_adds(b, *first ? "{\"event_id\":" : ",{\"event_id\":");
    *first = 0;
    add_member(b, ev, "eventID");
    lds_buf_adds(b, ",\"certification\":");
    lds_buf_add_json_str(b, json_string_value(one));
    lds_buf_addc(b, '}');
}

static void add_certifications(lds_buf *b, json_t **parsed, size_t n)
{
    int first = 1;
    lds_buf_addc(b, '[');
    for (size_t i = 0; i < n; i++) {
        const json_t *ci = json_object_get(parsed[i], "certificationInfo");
        if (json_is_array(ci)) {
            for (size_t k = 0; k < json_array_size(ci); k++)
                add_cert(b, parsed[i], json_array_get(ci, k), &first);
        } else if (ci) {
            add_cert(b, parsed[i], ci, &first);
        }
    }
    lds_buf_addc(b, ']');
}

/* Origins: public regions and countries; chain shares. */
static void add_origin(lds_store *s, lds_buf *b, const lds_provenance *p, int chain)
{
    /* Regions in order of first appearance, with summed shares. */
    const char *reg[64];
    double reg_share[64];
    size_t n_reg = 0;
    for (size_t k = 0; k < p->n_origins; k++) {
        const lds_lot *l = &p->lots[p->origins[k].lot];
        const char *r = l->region_id[0] ? l->region_id : NULL;
        if (!r)
            continue;
        size_t i = 0;
        while (i < n_reg && strcmp(reg[i], r))
            i++;
        if (i == n_reg && n_reg < 64) {
            reg[n_reg] = r;
            reg_share[n_reg++] = 0;
        }
        if (i < n_reg)
            reg_share[i] += p->origins[k].share;
    }
    char countries[64][8];
    size_t n_c = 0;
    lds_buf regions = LDS_BUF_INIT;
    lds_buf_addc(&regions, '[');
    for (size_t i = 0; i < n_reg; i++) {
        char c[8];
        if (i)
            lds_buf_addc(&regions, ',');
        add_region(s, &regions, reg[i], c, sizeof c);
        size_t j = 0;
        while (j < n_c && strcmp(countries[j], c))
            j++;
        if (j == n_c && c[0])
            snprintf(countries[n_c++], sizeof countries[0], "%s", c);
    }
    lds_buf_addc(&regions, ']');
    lds_buf_adds(b, "{\"countries\":[");
    for (size_t j = 0; j < n_c; j++) {
        if (j)
            lds_buf_addc(b, ',');
        lds_buf_add_json_str(b, countries[j]);
    }
    lds_buf_adds(b, "],\"regions\":");
    lds_buf_add(b, regions.ptr, regions.len);
    lds_buf_release(&regions);
    if (chain) {
        lds_buf_adds(b, ",\"by_region\":{");
        for (size_t i = 0; i < n_reg; i++) {
            lds_buf_adds(b, i ? "," : "");
            lds_buf_add_json_str(b, reg[i]);
            lds_buf_addc(b, ':');
            add_double(b, reg_share[i]);
        }
        lds_buf_adds(b, "},\"by_mine\":{");
        int first = 1;
        for (size_t k = 0; k < p->n_origins; k++) {
            const lds_lot *l = &p->lots[p->origins[k].lot];
            if (!l->mine[0])
                continue;
            /* Sum over the origin lots of the same mine, once per mine. */
            size_t prev = 0;
            while (prev < k && strcmp(p->lots[p->origins[prev].lot].mine, l->mine))
                prev++;
            if (prev < k)
                continue;
            double sum = 0;
            for (size_t m = k; m < p->n_origins; m++)
                if (strcmp(p->lots[p->origins[m].lot].mine, l->mine) == 0)
                    sum += p->origins[m].share;
            lds_buf_adds(b, first ? "" : ",");
            first = 0;
            lds_buf_add_json_str(b, l->mine);
            lds_buf_addc(b, ':');
            add_double(b, sum);
        }
        lds_buf_adds(b, "},\"origins\":[");
        for (size_t k = 0; k < p->n_origins; k++) {
            const lds_prov_origin *o = &p->origins[k];
            const lds_lot *l = &p->lots[o->lot];
            lds_buf_adds(b, k ? ",{\"lot\":" : "{\"lot\":");
            lds_buf_add_json_str(b, l->lot);
            lds_buf_adds(b, ",\"material\":");
            lds_json_str_or_null(b, l->material_id);
            lds_buf_adds(b, ",\"region\":");
            lds_json_str_or_null(b, l->region_id);
            lds_buf_adds(b, ",\"mine\":");
            lds_json_str_or_null(b, l->mine);
            lds_buf_adds(b, ",\"share\":");
            add_double(b, o->share);
            lds_buf_adds(b, ",\"element_shares\":{");
            int f = 1;
            for (int e = 0; e < LDS_RE_N; e++) {
                if (!(o->element_mask & (1u << e)))
                    continue;
                lds_buf_addf(b, "%s\"%s\":", f ? "" : ",", lds_re_symbol((lds_re)e));
                add_double(b, o->element_share[e]);
                f = 0;
            }
            lds_buf_adds(b, "}}");
        }
        lds_buf_addc(b, ']');
    }
    lds_buf_addc(b, '}');
}

static lds_code add_producer(lds_store *s, lds_buf *b, const lds_lot *lot)
{
    static const char q[] = "SELECT name, region_id FROM orgs WHERE id = ?";
    lds_stmt *st;
    lds_buf_adds(b, "{\"org_id\":");
    if (lot->producer_org > 0)
        lds_buf_addf(b, "%lld", (long long)lot->producer_org);
    else
        lds_buf_adds(b, "null");
    if (lot->producer_org > 0 && lds_store_prepare(s, q, &st, NULL) == LDS_OK) {
        lds_stmt_bind_i64(st, 1, lot->producer_org);
        if (lds_stmt_step(st, NULL) == LDS_STORE_ROW) {
            lds_buf_adds(b, ",\"name\":");
            lds_buf_add_json_str(b, lds_stmt_col_text(st, 0));
            lds_buf_adds(b, ",\"region\":");
            lds_buf_add_json_str(b, lds_stmt_col_text(st, 1));
            lds_stmt_reset(st);
        }
    }
    lds_buf_adds(b, ",\"location\":");
    add_location(s, b, lot->location[0] ? lot->location : NULL);
    lds_buf_adds(b, ",\"commissioned\":");
    char when[32];
    lds_trace__fmt_time(lot->event_time_ms, when);
    lds_buf_add_json_str(b, when);
    lds_buf_addc(b, '}');
    return LDS_OK;
}

/*
 * Holds one read transaction over many small reads: while a statement is
 * stepped and not reset, the connection stays in its read transaction, so
 * the reads after it skip the per-statement lock and WAL-index work.  Never
 * held across a write (the tree head may be stored).
 */
static lds_stmt *read_hold(lds_store *s)
{
    static const char q[] = "SELECT 1";
    lds_stmt *st;
    if (lds_store_prepare(s, q, &st, NULL) != LDS_OK)
        return NULL;
    if (lds_stmt_step(st, NULL) != LDS_STORE_ROW) {
        lds_stmt_reset(st);
        return NULL;
    }
    return st;
}

static void read_release(lds_stmt *st)
{
    if (st)
        lds_stmt_reset(st);
}

lds_code lds_trace_passport(lds_store *s, lds_trace_ledger *lg, const lds_lot *lot,
                            const lds_provenance *p, lds_passport_tier tier, lds_buf *b,
                            lds_err *err)
{
    pp_ctx c = {s, NULL, 0, 0, err};
    json_t **parsed = NULL;
    lds_ledger_proof *proof = NULL;
    lds_code rc = LDS_OK;
    lds_stmt *hold = read_hold(s);
    for (size_t i = 0; i < p->n_lots && rc == LDS_OK; i++)
        rc = add_events_of(&c, &p->lots[i]);
    read_release(hold);
    hold = NULL;
    if (rc)
        goto done;
    if (c.n)
        qsort(c.ev, c.n, sizeof *c.ev, cmp_events);
    parsed = lds_calloc(c.n ? c.n : 1, sizeof *parsed);
    proof = lds_malloc(sizeof *proof);
    if (!parsed || !proof) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
        goto done;
    }
    /* Parsing the leaves is most of a passport's work: the public tier needs
     * only the ones with certifications. */
    for (size_t i = 0; i < c.n; i++)
        if ((tier >= LDS_PASSPORT_CHAIN ||
             memmem(c.ev[i].data, c.ev[i].len, "\"certificationInfo\"", 19)) &&
            !(parsed[i] = json_loadb(c.ev[i].data, c.ev[i].len, 0, NULL))) {
            rc = lds_err_set(err, LDS_ECORRUPT, "leaf %lld is not JSON", (long long)c.ev[i].leaf);
            goto done;
        }
    /* The head is signed after the events were read, so it covers all of them. */
    lds_ledger_sth sth;
    if ((rc = lds_trace_ledger_sth(lg, s, &sth, err)))
        goto done;
    hold = read_hold(s); /* the rest only reads */

    char now[LDS_RFC3339_LEN];
    lds_now_rfc3339(now);
    lds_buf_adds(b, "{\"type\":\"DigitalProductPassport\",\"tier\":");
    lds_buf_add_json_str(b, lds_passport_tier_name(tier));
    lds_buf_adds(b, ",\"lot\":");
    lds_buf_add_json_str(b, lot->lot);
    lds_buf_adds(b, ",\"generated_at\":");
    lds_buf_add_json_str(b, now);
    lds_buf_adds(b, ",\"material\":");
    add_material(s, b, lot->material_id);
    lds_buf_adds(b, ",\"grade\":");
    lds_json_str_or_null(b, lot->grade);
    lds_buf_adds(b, ",\"origin\":");
    add_origin(s, b, p, tier >= LDS_PASSPORT_CHAIN);
    lds_buf_adds(b, ",\"certifications\":");
    add_certifications(b, parsed, c.n);
    lds_buf_addf(b, ",\"mass_balance_flag\":%s,\"truncated\":%s",
                 p->mass_balance_flag ? "true" : "false", p->truncated ? "true" : "false");
    if (tier >= LDS_PASSPORT_CHAIN) {
        lds_buf_adds(b, ",\"producer\":");
        add_producer(s, b, lot);
        lds_buf_adds(b, ",\"steps\":[");
        for (size_t i = 0; i < c.n; i++) {
            if (i)
                lds_buf_addc(b, ',');
            add_step(s, b, &c.ev[i], parsed[i], tier);
        }
        lds_buf_addc(b, ']');
    }
    if (tier == LDS_PASSPORT_PRIVATE) {
        lds_buf_addf(b, ",\"quantity\":");
        if (lot->has_quantity)
            lds_buf_addf(b, "%.10g", lot->quantity);
        else
            lds_buf_adds(b, "null");
        lds_buf_adds(b, ",\"uom\":");
        lds_json_str_or_null(b, lot->uom);
    }
    lds_buf_adds(b, ",\"verification\":{\"log_public_key\":\"");
    lds_ledger_add_base64(b, lds_trace_ledger_public_key(lg), LDS_LEDGER_PUBKEY_LEN);
    lds_buf_adds(b, "\",\"how\":\"save this passport and the key, then run: lodestone verify "
                    "--passport PASSPORT.json --key KEY (checks the tree head signature and "
                    "every event's inclusion proof)\"");
    lds_buf_addf(b, ",\"leaves\":\"%s\"}",
                 tier == LDS_PASSPORT_PRIVATE
                     ? "leaf_base64 is each event's exact leaf (its canonical JSON)"
                     : "leaf_hash is SHA-256(0x00 || leaf); the leaf bytes are in the private "
                       "tier");
    lds_buf_adds(b, ",\"sth\":");
    lds_ledger_sth_to_json(&sth, b);
    lds_buf_adds(b, ",\"events\":[");
    for (size_t i = 0; i < c.n; i++) {
        const pp_event *e = &c.ev[i];
        if ((rc = lds_trace_ledger_inclusion(lg, s, (uint64_t)e->leaf, sth.tree_size, proof,
                                             err)))
            goto done;
        uint8_t h[LDS_LEDGER_HASH_LEN];
        lds_ledger_hash_leaf(e->data, e->len, h);
        lds_buf_adds(b, i ? ",{\"event_id\":" : "{\"event_id\":");
        lds_buf_add_json_str(b, e->event_id);
        lds_buf_addf(b, ",\"leaf_index\":%lld,\"leaf_hash\":\"", (long long)e->leaf);
        lds_ledger_add_base64(b, h, sizeof h);
        lds_buf_adds(b, "\"");
        if (tier == LDS_PASSPORT_PRIVATE) {
            lds_buf_adds(b, ",\"leaf_base64\":\"");
            lds_ledger_add_base64(b, (const uint8_t *)e->data, e->len);
            lds_buf_adds(b, "\"");
        }
        lds_buf_adds(b, ",\"audit_path\":[");
        for (size_t k = 0; k < proof->n; k++) {
            lds_buf_adds(b, k ? ",\"" : "\"");
            lds_ledger_add_base64(b, proof->hash[k], LDS_LEDGER_HASH_LEN);
            lds_buf_addc(b, '"');
        }
        lds_buf_adds(b, "]}");
    }
    lds_buf_adds(b, "]}");
    if (b->oom)
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
done:
    read_release(hold);
    for (size_t i = 0; i < c.n; i++) {
        lds_free(c.ev[i].data);
        lds_free(c.ev[i].event_id);
        if (parsed)
            json_decref(parsed[i]);
    }
    lds_free(c.ev);
    lds_free(parsed);
    lds_free(proof);
    return rc;
}
