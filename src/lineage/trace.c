/*
 * trace.c — backward (provenance) and forward (descendants) traces over the
 * lineage index: the lots and edges are read breadth-first from the store,
 * the shares come from the pure engine (engine.c).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/listing.h"
#include "lineage_int.h"

/* Lots of one trace with a small open-addressing map id -> index. */
typedef struct lotset {
    lds_lot *lots;
    size_t n, cap;
    int64_t *keys;   /* map slots: lot id, 0 = empty */
    size_t *vals;
    size_t mcap;     /* power of two */
} lotset;

static void lotset_free(lotset *ls)
{
    lds_free(ls->lots);
    lds_free(ls->keys);
    lds_free(ls->vals);
    memset(ls, 0, sizeof *ls);
}

static size_t slot_of(const lotset *ls, int64_t id)
{
    size_t h = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 17) & (ls->mcap - 1);
    while (ls->keys[h] && ls->keys[h] != id)
        h = (h + 1) & (ls->mcap - 1);
    return h;
}

/* Index of lot `id`, or (size_t)-1. */
static size_t lotset_find(const lotset *ls, int64_t id)
{
    if (!ls->mcap)
        return (size_t)-1;
    size_t h = slot_of(ls, id);
    return ls->keys[h] ? ls->vals[h] : (size_t)-1;
}

/* Makes room for one more lot (array and map). */
static lds_code lotset_reserve(lotset *ls, lds_err *err)
{
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 16;
        lds_lot *v = lds_realloc(ls->lots, cap * sizeof *v);
        if (!v)
            return lds_err_set(err, LDS_ENOMEM, "out of memory");
        ls->lots = v;
        ls->cap = cap;
    }
    if ((ls->n + 1) * 2 > ls->mcap) {
        size_t mcap = ls->mcap ? ls->mcap * 2 : 64;
        int64_t *k = lds_calloc(mcap, sizeof *k);
        size_t *v = lds_calloc(mcap, sizeof *v);
        if (!k || !v) {
            lds_free(k);
            lds_free(v);
            return lds_err_set(err, LDS_ENOMEM, "out of memory");
        }
        int64_t *ok = ls->keys;
        size_t *ov = ls->vals, omcap = ls->mcap;
        ls->keys = k;
        ls->vals = v;
        ls->mcap = mcap;
        for (size_t i = 0; i < omcap; i++) {
            if (ok[i]) {
                size_t h = slot_of(ls, ok[i]);
                ls->keys[h] = ok[i];
                ls->vals[h] = ov[i];
            }
        }
        lds_free(ok);
        lds_free(ov);
    }
    return LDS_OK;
}

/* Indexes the lot just written at ls->lots[ls->n]. */
static size_t lotset_commit(lotset *ls)
{
    size_t h = slot_of(ls, ls->lots[ls->n].id);
    ls->keys[h] = ls->lots[ls->n].id;
    ls->vals[h] = ls->n;
    return ls->n++;
}

/* Adds lot `id` (read from the store); *idx receives its index. */
static lds_code lotset_add(lotset *ls, lds_store *s, int64_t id, size_t *idx, lds_err *err)
{
    lds_code rc = lotset_reserve(ls, err);
    if (rc == LDS_OK)
        rc = lds_lineage__lot_by_id(s, id, &ls->lots[ls->n], err);
    if (rc == LDS_OK)
        *idx = lotset_commit(ls);
    return rc;
}

/* One stored edge with the facts of its TransformationEvent. */
typedef struct raw_edge {
    size_t input, output;
    int has_qty;
    double qty;
    char uom[8];
    char event_id[LDS_LINEAGE_URI_MAX];
    int64_t event_time_ms;
    char location[LDS_LINEAGE_URI_MAX];
} raw_edge;

typedef struct edgeset {
    raw_edge *v;
    size_t n, cap;
} edgeset;

/* Appends a zeroed edge; NULL when out of memory. */
static raw_edge *edge_new(edgeset *es, lds_err *err)
{
    if (es->n == es->cap) {
        size_t cap = es->cap ? es->cap * 2 : 32;
        raw_edge *v = lds_realloc(es->v, cap * sizeof *v);
        if (!v) {
            lds_err_set(err, LDS_ENOMEM, "out of memory");
            return NULL;
        }
        es->v = v;
        es->cap = cap;
    }
    raw_edge *e = &es->v[es->n++];
    memset(e, 0, sizeof *e);
    return e;
}

/* The edges into a lot with their event's facts and the input lots, in one
 * statement (x = the edge, t = its TransformationEvent, l and e = the input
 * lot and its commissioning event, as LDS_LINEAGE__LOT_COLS names them). */
static const char q_into[] =
    "SELECT x.in_qty, x.in_uom, t.event_id, t.event_time_ms, "
    "coalesce(t.biz_location, t.read_point), " LDS_LINEAGE__LOT_COLS
    " FROM lot_edges x JOIN epcis_events t ON t.id = x.event "
    "JOIN lots l ON l.id = x.input_lot JOIN epcis_events e ON e.id = l.event "
    "WHERE x.output_lot = ?";

static void copy_text(char *dst, size_t n, lds_stmt *st, int col)
{
    const char *v = lds_stmt_col_is_null(st, col) ? NULL : lds_stmt_col_text(st, col);
    snprintf(dst, n, "%s", v ? v : "");
}

/*
 * Reads the edges into lot index `v` of `ls`, adding unseen input lots to
 * `ls`.  Stops adding lots at LDS_LINEAGE_MAX_NODES (sets *truncated).
 */
static lds_code read_into(lds_store *s, lotset *ls, edgeset *es, size_t v, int *truncated,
                          lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q_into, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_i64(st, 1, ls->lots[v].id);
    int step;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        int64_t in_id = lds_stmt_col_i64(st, 5);
        size_t idx = lotset_find(ls, in_id);
        if (idx == (size_t)-1) {
            if (ls->n >= LDS_LINEAGE_MAX_NODES) {
                *truncated = 1;
                continue;
            }
            if ((rc = lotset_reserve(ls, err)))
                break;
            lds_lineage__lot_row(s, st, 5, &ls->lots[ls->n]);
            idx = lotset_commit(ls);
        }
        raw_edge *e = edge_new(es, err);
        if (!e) {
            rc = LDS_ENOMEM;
            break;
        }
        e->input = idx;
        e->output = v;
        e->has_qty = !lds_stmt_col_is_null(st, 0);
        e->qty = lds_stmt_col_double(st, 0);
        copy_text(e->uom, sizeof e->uom, st, 1);
        copy_text(e->event_id, sizeof e->event_id, st, 2);
        e->event_time_ms = lds_stmt_col_i64(st, 3);
        copy_text(e->location, sizeof e->location, st, 4);
    }
    lds_stmt_reset(st);
    if (!rc && step != LDS_STORE_ROW && step != LDS_STORE_DONE)
        rc = (lds_code)step;
    return rc;
}

/* Engine input from the lots and edges. */
static lds_code to_graph(lds_store *s, const lotset *ls, const edgeset *es,
                         lds_lineage_node **nodes, lds_lineage_edge **edges, lds_err *err)
{
    const lds_catalog *c = lds_lineage__catalog(s);
    *nodes = lds_calloc(ls->n ? ls->n : 1, sizeof **nodes);
    *edges = lds_calloc(es->n ? es->n : 1, sizeof **edges);
    if (!*nodes || !*edges)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    for (size_t i = 0; i < ls->n; i++) {
        const lds_lot *l = &ls->lots[i];
        lds_lineage_node *n = &(*nodes)[i];
        n->has_reo = l->has_reo;
        n->total = l->reo.total_oxide_t;
        memcpy(n->el, l->reo.oxide_t, sizeof n->el);
        n->weight = l->weight;
    }
    for (size_t i = 0; i < es->n; i++) {
        const raw_edge *r = &es->v[i];
        const lds_lot *in = &ls->lots[r->input];
        lds_lineage_edge *e = &(*edges)[i];
        e->input = r->input;
        e->output = r->output;
        lds_reo reo;
        if (r->has_qty)
            e->has_reo = lds_lineage__content(c, in->material_id, r->qty, r->uom, &reo,
                                              &e->weight);
        else if (in->has_quantity)
            e->has_reo = lds_lineage__content(c, in->material_id, in->quantity, in->uom, &reo,
                                              &e->weight);
        else {
            e->has_reo = 0;
            e->weight = 0;
            memset(&reo, 0, sizeof reo);
        }
        e->total = reo.total_oxide_t;
        memcpy(e->el, reo.oxide_t, sizeof e->el);
    }
    return LDS_OK;
}

lds_code lds_lineage_provenance(lds_store *s, const char *lot, lds_provenance *out,
                                lds_err *err)
{
    memset(out, 0, sizeof *out);
    lds_lot root;
    lds_code rc = lds_lineage_lot_get(s, lot, &root, err);
    if (rc)
        return rc;
    lotset ls = {0};
    edgeset es = {NULL, 0, 0};
    lds_lineage_node *nodes = NULL;
    lds_lineage_edge *edges = NULL;
    lds_lineage_share *shares = NULL;
    size_t idx;
    if ((rc = lotset_add(&ls, s, root.id, &idx, err)))
        goto done;
    /* Breadth-first upstream: every lot's incoming edges are read once. */
    for (size_t v = 0; v < ls.n; v++)
        if ((rc = read_into(s, &ls, &es, v, &out->truncated, err)))
            goto done;
    if ((rc = to_graph(s, &ls, &es, &nodes, &edges, err)))
        goto done;
    shares = lds_malloc(ls.n * sizeof *shares);
    if (!shares) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
        goto done;
    }
    size_t n_sh = 0;
    if ((rc = lds_lineage_propagate(nodes, ls.n, edges, es.n, 0, shares, &n_sh, err)))
        goto done;
    out->links = lds_calloc(es.n ? es.n : 1, sizeof *out->links);
    out->origins = lds_calloc(n_sh ? n_sh : 1, sizeof *out->origins);
    if (!out->links || !out->origins) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < es.n; i++) {
        lds_prov_link *l = &out->links[i];
        l->input = es.v[i].input;
        l->output = es.v[i].output;
        l->has_quantity = es.v[i].has_qty;
        l->quantity = es.v[i].qty;
        snprintf(l->uom, sizeof l->uom, "%s", es.v[i].uom);
        snprintf(l->event_id, sizeof l->event_id, "%s", es.v[i].event_id);
        l->event_time_ms = es.v[i].event_time_ms;
        snprintf(l->location, sizeof l->location, "%s", es.v[i].location);
    }
    out->n_links = es.n;
    for (size_t i = 0; i < n_sh; i++) {
        lds_prov_origin *o = &out->origins[i];
        o->lot = shares[i].node;
        o->share = shares[i].share;
        o->element_mask = shares[i].element_mask;
        memcpy(o->element_share, shares[i].element_share, sizeof o->element_share);
    }
    out->n_origins = n_sh;
    /* Largest share first (insertion sort: stable, and origins are few). */
    for (size_t i = 1; i < n_sh; i++) {
        lds_prov_origin o = out->origins[i];
        size_t k = i;
        for (; k > 0 && out->origins[k - 1].share < o.share; k--)
            out->origins[k] = out->origins[k - 1];
        out->origins[k] = o;
    }
    for (size_t i = 0; i < ls.n; i++)
        out->mass_balance_flag |= ls.lots[i].mass_balance_flag;
    out->lots = ls.lots;
    out->n_lots = ls.n;
    ls.lots = NULL;
done:
    lotset_free(&ls);
    lds_free(es.v);
    lds_free(nodes);
    lds_free(edges);
    lds_free(shares);
    if (rc)
        lds_provenance_release(out);
    return rc;
}

void lds_provenance_release(lds_provenance *p)
{
    lds_free(p->lots);
    lds_free(p->links);
    lds_free(p->origins);
    memset(p, 0, sizeof *p);
}

/* One node of the tree; a lot already expanded is written as a reference. */
static void tree_json(const lds_provenance *p, size_t v, unsigned char *seen, int depth,
                      lds_buf *b)
{
    const lds_lot *l = &p->lots[v];
    lds_buf_adds(b, "{\"lot\":");
    lds_buf_add_json_str(b, l->lot);
    lds_buf_adds(b, ",\"material\":");
    lds_json_str_or_null(b, l->material_id);
    lds_lineage__quantity_json(l, b);
    if (l->has_reo)
        lds_buf_addf(b, ",\"reo_t\":%.9g", l->reo.total_oxide_t);
    lds_buf_adds(b, ",\"location\":");
    lds_json_str_or_null(b, l->location);
    if (l->mass_balance_flag)
        lds_buf_adds(b, ",\"mass_balance_flag\":true");
    if (seen[v] || depth > 64) {
        lds_buf_adds(b, ",\"repeated\":true}");
        return;
    }
    seen[v] = 1;
    lds_buf_adds(b, ",\"inputs\":[");
    int first = 1;
    for (size_t i = 0; i < p->n_links; i++) {
        const lds_prov_link *k = &p->links[i];
        if (k->output != v)
            continue;
        char when[40];
        lds_lineage__fmt_ms(k->event_time_ms, when);
        lds_buf_adds(b, first ? "{\"event_id\":" : ",{\"event_id\":");
        first = 0;
        lds_buf_add_json_str(b, k->event_id);
        lds_buf_addf(b, ",\"event_time\":\"%s\",\"location\":", when);
        lds_json_str_or_null(b, k->location);
        if (k->has_quantity)
            lds_buf_addf(b, ",\"quantity\":%.17g", k->quantity);
        else
            lds_buf_adds(b, ",\"quantity\":null");
        lds_buf_adds(b, ",\"uom\":");
        lds_json_str_or_null(b, k->uom);
        lds_buf_adds(b, ",\"from\":");
        tree_json(p, k->input, seen, depth + 1, b);
        lds_buf_addc(b, '}');
    }
    lds_buf_adds(b, "]}");
}

/* Adds `share` to the entry named `key` of a small name -> share table. */
typedef struct agg {
    const char *key[64];
    double share[64];
    int n;
} agg;

static void agg_add(agg *a, const char *key, double share)
{
    const char *k = key && *key ? key : "unknown";
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->key[i], k) == 0) {
            a->share[i] += share;
            return;
        }
    if (a->n < 64) {
        a->key[a->n] = k;
        a->share[a->n++] = share;
    }
}

static void agg_json(const agg *a, lds_buf *b)
{
    lds_buf_addc(b, '{');
    for (int i = 0; i < a->n; i++) {
        if (i)
            lds_buf_addc(b, ',');
        lds_buf_add_json_str(b, a->key[i]);
        lds_buf_addf(b, ":%.9g", a->share[i]);
    }
    lds_buf_addc(b, '}');
}

void lds_provenance_json(const lds_provenance *p, lds_buf *b)
{
    if (!p->n_lots) {
        lds_buf_adds(b, "null");
        return;
    }
    lds_buf_adds(b, "{\"lot\":");
    lds_lineage_lot_json(&p->lots[0], b);
    lds_buf_adds(b, ",\"tree\":");
    unsigned char *seen = lds_calloc(p->n_lots, 1);
    if (!seen) {
        b->oom = 1;
        return;
    }
    tree_json(p, 0, seen, 0, b);
    lds_free(seen);
    lds_buf_adds(b, ",\"origins\":[");
    agg by_region = {0}, by_mine = {0};
    for (size_t i = 0; i < p->n_origins; i++) {
        const lds_prov_origin *o = &p->origins[i];
        const lds_lot *l = &p->lots[o->lot];
        if (i)
            lds_buf_addc(b, ',');
        lds_buf_adds(b, "{\"lot\":");
        lds_buf_add_json_str(b, l->lot);
        lds_buf_adds(b, ",\"material\":");
        lds_json_str_or_null(b, l->material_id);
        lds_buf_adds(b, ",\"location\":");
        lds_json_str_or_null(b, l->location);
        lds_buf_adds(b, ",\"region\":");
        lds_json_str_or_null(b, l->region_id);
        lds_buf_adds(b, ",\"mine\":");
        lds_json_str_or_null(b, l->mine);
        if (l->producer_org)
            lds_buf_addf(b, ",\"producer_org\":%lld", (long long)l->producer_org);
        lds_buf_adds(b, ",\"commissioning_event\":");
        lds_json_str_or_null(b, l->event_id);
        lds_buf_addf(b, ",\"share\":%.9g,\"element_shares\":{", o->share);
        int first = 1;
        for (int el = 0; el < LDS_RE_N; el++) {
            if (!(o->element_mask & (1u << el)))
                continue;
            lds_buf_addf(b, "%s\"%s\":%.9g", first ? "" : ",", lds_re_symbol((lds_re)el),
                         o->element_share[el]);
            first = 0;
        }
        lds_buf_adds(b, "}}");
        agg_add(&by_region, l->region_id, o->share);
        agg_add(&by_mine, l->mine, o->share);
    }
    lds_buf_adds(b, "],\"by_region\":");
    agg_json(&by_region, b);
    lds_buf_adds(b, ",\"by_mine\":");
    agg_json(&by_mine, b);
    lds_buf_addf(b, ",\"mass_balance_flag\":%s,\"truncated\":%s}",
                 p->mass_balance_flag ? "true" : "false", p->truncated ? "true" : "false");
}

/* ---- descendants ------------------------------------------------------------- */

static const char q_from[] = "SELECT DISTINCT output_lot FROM lot_edges WHERE input_lot = ?";

lds_code lds_lineage_descendants(lds_store *s, const char *lot, lds_descendants *out,
                                 lds_err *err)
{
    memset(out, 0, sizeof *out);
    lds_code rc = lds_lineage_lot_get(s, lot, &out->root, err);
    if (rc)
        return rc;
    lotset ls = {0};
    edgeset es = {NULL, 0, 0};
    lds_lineage_node *nodes = NULL;
    lds_lineage_edge *edges = NULL;
    double *frac = NULL;
    int *depth = NULL;
    size_t n_down = 1, idx;
    int64_t *ids = NULL;
    size_t n_ids = 0, cap_ids = 0;
    if ((rc = lotset_add(&ls, s, out->root.id, &idx, err)))
        goto done;
    /* Forward breadth-first: the downstream lots come first in `ls`
     * (indices < n_down); their other inputs are added after. */
    depth = lds_calloc(LDS_LINEAGE_MAX_NODES, sizeof *depth);
    if (!depth) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t v = 0; v < n_down; v++) {
        lds_stmt *st;
        if ((rc = lds_store_prepare(s, q_from, &st, err)))
            goto done;
        lds_stmt_bind_i64(st, 1, ls.lots[v].id);
        n_ids = 0;
        int step;
        while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
            if (n_ids == cap_ids) {
                size_t cap = cap_ids ? cap_ids * 2 : 16;
                int64_t *p = lds_realloc(ids, cap * sizeof *p);
                if (!p) {
                    lds_stmt_reset(st);
                    rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
                    goto done;
                }
                ids = p;
                cap_ids = cap;
            }
            ids[n_ids++] = lds_stmt_col_i64(st, 0);
        }
        lds_stmt_reset(st);
        if (step != LDS_STORE_DONE) {
            rc = (lds_code)step;
            goto done;
        }
        for (size_t k = 0; k < n_ids; k++) {
            if (lotset_find(&ls, ids[k]) != (size_t)-1)
                continue;
            if (ls.n >= LDS_LINEAGE_MAX_NODES) {
                out->truncated = 1;
                break;
            }
            if ((rc = lotset_add(&ls, s, ids[k], &idx, err)))
                goto done;
            depth[idx] = depth[v] + 1;
            n_down = ls.n;
        }
    }
    /* Every input of each downstream lot, for the mixing weights. */
    for (size_t v = 1; v < n_down; v++)
        if ((rc = read_into(s, &ls, &es, v, &out->truncated, err)))
            goto done;
    if ((rc = to_graph(s, &ls, &es, &nodes, &edges, err)))
        goto done;
    frac = lds_malloc(ls.n * sizeof *frac);
    out->lots = lds_calloc(n_down, sizeof *out->lots);
    if (!frac || !out->lots) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = lds_lineage_fractions(nodes, ls.n, edges, es.n, 0, frac, err)))
        goto done;
    for (size_t v = 1; v < n_down; v++) {
        lds_desc_lot *d = &out->lots[out->n_lots++];
        d->lot = ls.lots[v];
        d->depth = depth[v];
        d->fraction = frac[v];
        d->quantity = d->lot.has_quantity ? frac[v] * d->lot.quantity : 0;
        d->reo_t = d->lot.has_reo ? frac[v] * d->lot.reo.total_oxide_t : 0;
    }
done:
    lotset_free(&ls);
    lds_free(es.v);
    lds_free(nodes);
    lds_free(edges);
    lds_free(frac);
    lds_free(depth);
    lds_free(ids);
    if (rc)
        lds_descendants_release(out);
    return rc;
}

void lds_descendants_release(lds_descendants *d)
{
    lds_free(d->lots);
    d->lots = NULL;
    d->n_lots = 0;
}

void lds_descendants_json(const lds_descendants *d, lds_buf *b)
{
    lds_buf_adds(b, "{\"lot\":");
    lds_lineage_lot_json(&d->root, b);
    lds_buf_adds(b, ",\"descendants\":[");
    for (size_t i = 0; i < d->n_lots; i++) {
        const lds_desc_lot *x = &d->lots[i];
        if (i)
            lds_buf_addc(b, ',');
        lds_buf_adds(b, "{\"lot\":");
        lds_buf_add_json_str(b, x->lot.lot);
        lds_buf_adds(b, ",\"material\":");
        lds_json_str_or_null(b, x->lot.material_id);
        lds_buf_addf(b, ",\"depth\":%d,\"fraction\":%.9g", x->depth, x->fraction);
        if (x->lot.has_quantity)
            lds_buf_addf(b, ",\"quantity\":%.9g", x->quantity);
        else
            lds_buf_adds(b, ",\"quantity\":null");
        lds_buf_adds(b, ",\"uom\":");
        lds_json_str_or_null(b, x->lot.uom);
        if (x->lot.has_reo)
            lds_buf_addf(b, ",\"reo_t\":%.9g", x->reo_t);
        else
            lds_buf_adds(b, ",\"reo_t\":null");
        lds_buf_adds(b, ",\"location\":");
        lds_json_str_or_null(b, x->lot.location);
        lds_buf_adds(b, ",\"commissioning_event\":");
        lds_json_str_or_null(b, x->lot.event_id);
        lds_buf_addf(b, ",\"mass_balance_flag\":%s}", x->lot.mass_balance_flag ? "true" : "false");
    }
    lds_buf_addf(b, "],\"truncated\":%s}", d->truncated ? "true" : "false");
}
