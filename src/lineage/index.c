/*
 * index.c — the capture hooks: before a document is stored, the mass
 * balance of each TransformationEvent (reject mode) and the custody rule
 * (custody.c; both modes); inside the capture transaction, the lots an
 * event commissions, the input -> output edges of a TransformationEvent
 * (flagging its outputs in flag mode) and the holders a shipment makes.
 */
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lineage_int.h"

/* A lot as known while checking a document: from the store or commissioned
 * by an earlier event of the same document. */
typedef struct known_lot {
    char key[LDS_LINEAGE_URI_MAX];
    char material[LDS_LINEAGE_ID_MAX];
    int has_qty;
    double qty;
    char uom[8];
} known_lot;

typedef struct overlay {
    known_lot *v;
    size_t n, cap;
} overlay;

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const char *event_location(const json_t *ev)
{
    const char *loc = str(json_object_get(ev, "bizLocation"), "id");
    return loc ? loc : str(json_object_get(ev, "readPoint"), "id");
}

/* Material for a new lot: the event's ilmd, else the product-class registry. */
static lds_code resolve_material(lds_store *s, const json_t *ev, const char *uri,
                                 char material[LDS_LINEAGE_ID_MAX], char grade[LDS_LINEAGE_ID_MAX],
                                 lds_err *err)
{
    const char *m = ev ? lds_lineage__ilmd(ev, "material") : NULL;
    material[0] = grade[0] = '\0';
    if (m && *m) {
        snprintf(material, LDS_LINEAGE_ID_MAX, "%s", m);
        const char *g = lds_lineage__ilmd(ev, "grade");
        snprintf(grade, LDS_LINEAGE_ID_MAX, "%s", g ? g : "");
        return LDS_OK;
    }
    lds_code rc = lds_lineage_product_class_lookup(s, uri, material, grade, err);
    return rc == LDS_ENOTFOUND || rc == LDS_EINVAL ? LDS_OK : rc;
}

/* Looks a lot up: the store first (the first commissioning wins), then the
 * overlay.  Returns 1 found, 0 not, or -code. */
static int find_lot(lds_store *s, const overlay *ov, const char *key, known_lot *out, lds_err *err)
{
    static const char q[] = "SELECT material_id, quantity, uom FROM lots WHERE lot = ?";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return -(int)rc;
    lds_stmt_bind_text(st, 1, key);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_ROW) {
        memset(out, 0, sizeof *out);
        snprintf(out->key, sizeof out->key, "%s", key);
        const char *m = lds_stmt_col_is_null(st, 0) ? "" : lds_stmt_col_text(st, 0);
        snprintf(out->material, sizeof out->material, "%s", m ? m : "");
        out->has_qty = !lds_stmt_col_is_null(st, 1);
        out->qty = lds_stmt_col_double(st, 1);
        const char *u = lds_stmt_col_is_null(st, 2) ? "" : lds_stmt_col_text(st, 2);
        snprintf(out->uom, sizeof out->uom, "%s", u ? u : "");
        lds_stmt_reset(st);
        return 1;
    }
    if (step != LDS_STORE_DONE)
        return -step;
    for (size_t i = 0; ov && i < ov->n; i++) {
        if (strcmp(ov->v[i].key, key) == 0) {
            *out = ov->v[i];
            return 1;
        }
    }
    return 0;
}

/* Outcome of weighing one transformation. */
typedef struct balance {
    int in_known, out_known;
    lds_reo in, out;
    double yield;
} balance;

static void reo_add(lds_reo *a, const lds_reo *b)
{
    a->total_oxide_t += b->total_oxide_t;
    a->total_metal_t += b->total_metal_t;
    for (int el = 0; el < LDS_RE_N; el++) {
        a->oxide_t[el] += b->oxide_t[el];
        a->metal_t[el] += b->metal_t[el];
    }
}

/* Weighs a TransformationEvent's inputs and outputs. */
static lds_code weigh(lds_store *s, const lds_catalog *c, const json_t *ev, const overlay *ov,
                      balance *b, lds_err *err)
{
    memset(b, 0, sizeof *b);
    b->yield = 0;
    const json_t *ins = json_object_get(ev, "inputQuantityList");
    const json_t *outs = json_object_get(ev, "outputQuantityList");
    b->in_known = json_array_size(ins) > 0 && json_array_size(json_object_get(ev, "inputEPCList")) == 0;
    size_t i;
    const json_t *q;
    char key[LDS_LINEAGE_URI_MAX];
    known_lot kl;
    json_array_foreach(ins, i, q)
    {
        const char *cls = str(q, "epcClass");
        if (!cls || lds_lineage_lot_key(cls, key, NULL)) {
            b->in_known = 0;
            continue;
        }
        int f = find_lot(s, ov, key, &kl, err);
        if (f < 0)
            return (lds_code)-f;
        const json_t *jq = json_object_get(q, "quantity");
        double qty = json_is_number(jq) ? json_number_value(jq) : kl.qty;
        const char *uom = json_is_number(jq) ? (str(q, "uom") ? str(q, "uom") : "") : kl.uom;
        lds_reo r;
        double w;
        if (!f || (!json_is_number(jq) && !kl.has_qty) ||
            !lds_lineage__content(c, kl.material, qty, uom, &r, &w)) {
            b->in_known = 0;
            continue;
        }
        reo_add(&b->in, &r);
    }
    if (!b->in_known) {
        b->yield = 1;
        return LDS_OK; /* nothing to check: the outputs need not be weighed */
    }
    json_array_foreach(outs, i, q)
    {
        const char *cls = str(q, "epcClass");
        const json_t *jq = json_object_get(q, "quantity");
        if (!cls || !json_is_number(jq) || lds_lineage_lot_key(cls, key, NULL))
            continue;
        int f = find_lot(s, ov, key, &kl, err);
        if (f < 0)
            return (lds_code)-f;
        char grade[LDS_LINEAGE_ID_MAX];
        lds_code rc;
        if (!f && (rc = resolve_material(s, ev, cls, kl.material, grade, err)))
            return rc;
        lds_reo r;
        double w;
        if (!lds_lineage__content(c, kl.material, json_number_value(jq),
                                  str(q, "uom") ? str(q, "uom") : "", &r, &w))
            continue;
        b->out_known = 1;
        reo_add(&b->out, &r);
        double y = lds_lineage_best_yield(c, kl.material);
        if (y > b->yield)
            b->yield = y;
    }
    if (b->yield <= 0)
        b->yield = 1;
    return LDS_OK;
}

void lds_lineage__violation(lds_epcis_report *rep, long index, const char *pointer,
                            const char *msg)
{
    rep->n_errors++;
    if (rep->n_items >= LDS_EPCIS_MAX_VIOLATIONS)
        return;
    lds_epcis_violation *v = &rep->items[rep->n_items++];
    snprintf(v->pointer, sizeof v->pointer, "%s", pointer);
    snprintf(v->message, sizeof v->message, "%s", msg);
    v->event_index = index;
}

/* Adds an event's commissioned lots to the overlay. */
static lds_code remember(lds_store *s, overlay *ov, const json_t *ev, const json_t *list,
                         lds_err *err)
{
    size_t i;
    const json_t *q;
    json_array_foreach(list, i, q)
    {
        const char *cls = str(q, "epcClass");
        known_lot kl;
        memset(&kl, 0, sizeof kl);
        if (!cls || lds_lineage_lot_key(cls, kl.key, NULL))
            continue;
        known_lot tmp;
        int f = find_lot(s, ov, kl.key, &tmp, err);
        if (f < 0)
            return (lds_code)-f;
        if (f)
            continue;
        char grade[LDS_LINEAGE_ID_MAX];
        lds_code rc = resolve_material(s, ev, cls, kl.material, grade, err);
        if (rc)
            return rc;
        const json_t *jq = json_object_get(q, "quantity");
        kl.has_qty = json_is_number(jq);
        kl.qty = kl.has_qty ? json_number_value(jq) : 0;
        snprintf(kl.uom, sizeof kl.uom, "%s", str(q, "uom") ? str(q, "uom") : "");
        if (ov->n == ov->cap) {
            size_t cap = ov->cap ? ov->cap * 2 : 16;
            known_lot *v = lds_realloc(ov->v, cap * sizeof *v);
            if (!v)
                return lds_err_set(err, LDS_ENOMEM, "out of memory");
            ov->v = v;
            ov->cap = cap;
        }
        ov->v[ov->n++] = kl;
    }
    return LDS_OK;
}

static int is_type(const json_t *ev, const char *type)
{
    const char *t = str(ev, "type");
    return t && strcmp(t, type) == 0;
}

static int is_add(const json_t *ev)
{
    const char *a = str(ev, "action");
    return a && strcmp(a, "ADD") == 0;
}

/* Marks events[i] invalid in the report (documents). */
static void invalidate(lds_epcis_report *rep, size_t i)
{
    if (rep->event_ok && i < rep->n_events && rep->event_ok[i]) {
        rep->event_ok[i] = 0;
        rep->n_invalid++;
    }
}

/* Checks events[i] for i with ok[i] (NULL: all); pointers are prefix/i/... or,
 * with `single`, relative to the event.  Custody for `org_id` unless it is
 * exempt (both modes), the mass balance in reject mode. */
static lds_code check_events(lds_store *s, const json_t *events, const char *prefix,
                             const json_t *single, int64_t org_id, lds_epcis_report *rep,
                             lds_err *err)
{
    size_t n = single ? 1 : json_array_size(events), i;
#define EVENT(i) (single ? single : json_array_get(events, (i)))
    int any = 0, too_many = 0;
    for (i = 0; i < n; i++) {
        const json_t *ev = EVENT(i);
        if (!is_type(ev, "TransformationEvent") ||
            (rep->event_ok && i < rep->n_events && !rep->event_ok[i]))
            continue;
        any = 1;
        /* Each input is linked to each output: their product is bounded
         * (the edges are written under the capture lock). */
        size_t n_in = json_array_size(json_object_get(ev, "inputQuantityList"));
        size_t n_out = json_array_size(json_object_get(ev, "outputQuantityList"));
        if (n_in * n_out > LDS_LINEAGE_MAX_PAIRS) {
            char ptr[128], msg[192];
            if (single)
                snprintf(ptr, sizeof ptr, "/inputQuantityList");
            else
                snprintf(ptr, sizeof ptr, "%s/%zu/inputQuantityList", prefix, i);
            snprintf(msg, sizeof msg,
                     "%zu input lots x %zu output lots = %zu pairs; a transformation links at "
                     "most %d",
                     n_in, n_out, n_in * n_out, LDS_LINEAGE_MAX_PAIRS);
            lds_lineage__violation(rep, single ? 0 : (long)i, ptr, msg);
            invalidate(rep, i);
            too_many = 1;
        }
    }
    if (!any)
        return LDS_OK;
    const lds_catalog *c = lds_lineage_mass_balance() == LDS_MASS_BALANCE_REJECT
                               ? lds_lineage__catalog(s)
                               : NULL;
    int custody = 0;
    if (org_id > 0) {
        int ex = lds_lineage__exempt(s, org_id, err);
        if (ex < 0)
            return (lds_code)-ex;
        custody = !ex;
    }
    overlay ov = {NULL, 0, 0};
    lds_code rc = LDS_OK;
    int violated = too_many ? 4 : 0; /* 1 mass balance, 2 custody, 4 too many pairs */
    if (!c && !custody)
        n = 0;
    for (i = 0; i < n && rc == LDS_OK; i++) {
        const json_t *ev = EVENT(i);
        if (rep->event_ok && i < rep->n_events && !rep->event_ok[i])
            continue;
        if (is_type(ev, "ObjectEvent") && is_add(ev)) {
            if (c)
                rc = remember(s, &ov, ev, json_object_get(ev, "quantityList"), err);
            continue;
        }
        if (!is_type(ev, "TransformationEvent"))
            continue;
        if (custody) {
            char base[96];
            if (single)
                base[0] = '\0';
            else
                snprintf(base, sizeof base, "%s/%zu", prefix, i);
            int nc = lds_lineage__custody_check(s, ev, org_id, base, single ? 0 : (long)i, rep,
                                                err);
            if (nc < 0) {
                rc = (lds_code)-nc;
                break;
            }
            if (nc) {
                invalidate(rep, i);
                violated |= 2;
                continue;
            }
        }
        if (!c)
            continue;
        balance b;
        if ((rc = weigh(s, c, ev, &ov, &b, err)))
            break;
        lds_mass_violation v[LDS_RE_N + 1];
        size_t nv = b.in_known && b.out_known
                        ? lds_lineage_mass_check(&b.in, &b.out, b.yield, v, LDS_RE_N + 1)
                        : 0;
        if (nv) {
            char ptr[128], msg[192];
            if (single)
                snprintf(ptr, sizeof ptr, "/outputQuantityList");
            else
                snprintf(ptr, sizeof ptr, "%s/%zu/outputQuantityList", prefix, i);
            for (size_t k = 0; k < nv && k < LDS_RE_N + 1; k++) {
                lds_lineage_mass_message(&v[k], msg, sizeof msg);
                lds_lineage__violation(rep, single ? 0 : (long)i, ptr, msg);
            }
            invalidate(rep, i);
            violated |= 1;
            continue;
        }
        rc = remember(s, &ov, ev, json_object_get(ev, "outputQuantityList"), err);
    }
#undef EVENT
    lds_free(ov.v);
    if (rc)
        return rc;
    if (violated == 4)
        return lds_err_set(err, LDS_EINVAL, "a transformation lists too many input and output "
                                            "lots");
    if (violated & 2)
        return lds_err_set(err, LDS_EINVAL,
                           violated & 1 ? "transformations use lots their organisation does not "
                                          "hold and break the mass balance"
                                        : "a transformation uses or makes a lot its organisation "
                                          "does not hold");
    return violated ? lds_err_set(err, LDS_EINVAL, "a transformation breaks the mass balance")
                    : LDS_OK;
}

lds_code lds_lineage_check_document(lds_store *s, const json_t *doc, int64_t org_id,
                                    lds_epcis_report *rep, lds_err *err)
{
    const json_t *events = lds_epcis_document_events(doc);
    if (!json_is_array(events))
        return LDS_OK;
    const char *type = str(doc, "type");
    const char *prefix = type && strcmp(type, "EPCISQueryDocument") == 0
                             ? "/epcisBody/queryResults/resultsBody/eventList"
                             : "/epcisBody/eventList";
    return check_events(s, events, prefix, NULL, org_id, rep, err);
}

lds_code lds_lineage_check_event(lds_store *s, const json_t *event, int64_t org_id,
                                 lds_epcis_report *rep, lds_err *err)
{
    if (!is_type(event, "TransformationEvent"))
        return LDS_OK;
    return check_events(s, NULL, "", event, org_id, rep, err);
}

/* ---- the index ------------------------------------------------------------------ */

typedef struct ix {
    lds_store *s;
    const json_t *ev;
    int64_t event_row;
    int64_t time_ms;
    int64_t org;
    const char *location;
    const char *region, *mine;
    int is_transformation;
    int64_t capture_id;
    int org_read; /* `org` looked up (lazily: only a new lot needs it) */
    int exempt;   /* `org` is exempt from custody (0, an operator); with org_read */
} ix;

/* The organisation of the capture, read on first need. */
static lds_code ix_org(ix *x, lds_err *err)
{
    static const char q_org[] = "SELECT c.org_id, o.kind = 'operator' FROM epcis_captures c "
                                "LEFT JOIN orgs o ON o.id = c.org_id WHERE c.id = ?";
    if (x->org_read)
        return LDS_OK;
    x->org_read = 1;
    x->exempt = 1;
    if (!x->capture_id)
        return LDS_OK;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(x->s, q_org, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_i64(st, 1, x->capture_id);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_ROW) {
        x->org = lds_stmt_col_is_null(st, 0) ? 0 : lds_stmt_col_i64(st, 0);
        x->exempt = x->org <= 0 || (!lds_stmt_col_is_null(st, 1) && lds_stmt_col_i64(st, 1));
        lds_stmt_reset(st);
        return LDS_OK;
    }
    return step == LDS_STORE_DONE ? LDS_OK : (lds_code)step;
}

/* Looks a lot up by key: *id 0 when absent; *producer its org (0: none). */
static lds_code lot_id(lds_store *s, const char *key, int64_t *id, int *has_material,
                       int64_t *producer, lds_err *err)
{
    int f = lds_lineage__lot_owner(s, key, id, producer, has_material, err);
    return f < 0 ? (lds_code)-f : LDS_OK;
}

/*
 * The custody rule again, inside the capture transaction, for a stored lot
 * a transformation names (`key`, producer org `producer`): the check before
 * the write saw the store as it was then, and a concurrent capture may have
 * stored the lot since.  An input must be held by the capturing org (or be
 * the platform's), an existing output made by it.  LDS_ECONFLICT otherwise:
 * the capture fails and nothing of it is stored.
 */
static lds_code guard(ix *x, int64_t id, int64_t producer, int is_output, const char *key,
                      lds_err *err)
{
    if (!x->is_transformation)
        return LDS_OK;
    lds_code rc = ix_org(x, err);
    if (rc || x->exempt || producer == x->org)
        return rc;
    if (!is_output) {
        int h = lds_lineage__holds(x->s, id, producer, x->org, err);
        if (h == 0)
            h = lds_lineage__exempt(x->s, producer, err);
        if (h < 0)
            return (lds_code)-h;
        if (h)
            return LDS_OK;
    }
    return lds_err_set(err, LDS_ECONFLICT,
                       "org %lld %s lot %.120s (stored meanwhile by another capture); nothing was "
                       "stored",
                       (long long)x->org, is_output ? "did not produce" : "does not hold", key);
}

/*
 * Creates the lot when it is new; *id receives its row id (0 when the
 * element names no lot), *has_material whether the lot has a material.
 * Outputs are usually new, so they are inserted first (and looked up only
 * when the insert is ignored); inputs usually exist, so they are looked up
 * first.
 */
static lds_code upsert_lot(ix *x, const json_t *q, int is_output, int64_t *id, int *has_material,
                           lds_err *err)
{
    static const char ins[] =
        "INSERT OR IGNORE INTO lots (lot, material_id, grade, quantity, uom, location, "
        "region_id, mine, org_id, event, event_time_ms, is_output) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    const char *cls = str(q, "epcClass");
    char key[LDS_LINEAGE_URI_MAX];
    int64_t producer = 0;
    *id = 0;
    *has_material = 0;
    if (!cls || lds_lineage_lot_key(cls, key, NULL))
        return LDS_OK;
    lds_code rc;
    if (!is_output && ((rc = lot_id(x->s, key, id, has_material, &producer, err)) || *id))
        return rc ? rc : guard(x, *id, producer, 0, key, err);
    if ((rc = ix_org(x, err)))
        return rc;
    char material[LDS_LINEAGE_ID_MAX], grade[LDS_LINEAGE_ID_MAX];
    /* The ilmd describes what an event commissions (its outputs), so an
     * input recorded here takes its material from the registry only. */
    if ((rc = resolve_material(x->s, is_output || !x->is_transformation ? x->ev : NULL, cls,
                               material, grade, err)))
        return rc;
    lds_stmt *st;
    if ((rc = lds_store_prepare(x->s, ins, &st, err)))
        return rc;
    lds_stmt_bind_text(st, 1, key);
    lds_stmt_bind_text(st, 2, material[0] ? material : NULL);
    lds_stmt_bind_text(st, 3, grade[0] ? grade : NULL);
    const json_t *jq = json_object_get(q, "quantity");
    if (json_is_number(jq))
        lds_stmt_bind_double(st, 4, json_number_value(jq));
    lds_stmt_bind_text(st, 5, str(q, "uom"));
    lds_stmt_bind_text(st, 6, x->location);
    lds_stmt_bind_text(st, 7, x->region);
    lds_stmt_bind_text(st, 8, x->mine);
    if (x->org > 0)
        lds_stmt_bind_i64(st, 9, x->org);
    lds_stmt_bind_i64(st, 10, x->event_row);
    lds_stmt_bind_i64(st, 11, x->time_ms);
    lds_stmt_bind_i64(st, 12, is_output);
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    if (lds_store_changes(x->s) == 0) { /* it existed: the first commissioning stands */
        if ((rc = lot_id(x->s, key, id, has_material, &producer, err)))
            return rc;
        return *id ? guard(x, *id, producer, is_output, key, err) : LDS_OK;
    }
    *id = lds_store_last_id(x->s);
    *has_material = material[0] != '\0';
    return LDS_OK;
}

static lds_code flag_outputs(ix *x, const json_t *outs, const char *note, lds_err *err)
{
    static const char upd[] = "UPDATE lots SET mb_flag = 1, mb_note = ? WHERE lot = ?";
    size_t i;
    const json_t *q;
    json_array_foreach(outs, i, q)
    {
        char key[LDS_LINEAGE_URI_MAX];
        const char *cls = str(q, "epcClass");
        if (!cls || lds_lineage_lot_key(cls, key, NULL))
            continue;
        lds_stmt *st;
        lds_code rc = lds_store_prepare(x->s, upd, &st, err);
        if (rc)
            return rc;
        lds_stmt_bind_text(st, 1, note);
        lds_stmt_bind_text(st, 2, key);
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    return LDS_OK;
}

/* The lots an event commissions and a transformation's edges. */
static lds_code index_lineage(lds_store *s, const json_t *ev, int64_t event_row,
                              int64_t capture_id, lds_err *err)
{
    static const char ins_edge[] = "INSERT OR IGNORE INTO lot_edges (output_lot, input_lot, "
                                   "event, in_qty, in_uom) VALUES (?, ?, ?, ?, ?)";
    int transformation = is_type(ev, "TransformationEvent");
    const json_t *list;
    if (transformation)
        list = json_object_get(ev, "outputQuantityList");
    else if (is_type(ev, "ObjectEvent") && is_add(ev))
        list = json_object_get(ev, "quantityList");
    else
        return LDS_OK;
    const json_t *ins = transformation ? json_object_get(ev, "inputQuantityList") : NULL;
    if (json_array_size(list) == 0 && json_array_size(ins) == 0)
        return LDS_OK;

    ix x = {s,
            ev,
            event_row,
            0,
            0,
            event_location(ev),
            lds_lineage__ilmd(ev, "region"),
            lds_lineage__ilmd(ev, "mine"),
            transformation,
            capture_id,
            0,
            1};
    int tz;
    const char *t = str(ev, "eventTime");
    if (!t || lds_epcis_parse_time(t, &x.time_ms, &tz))
        x.time_ms = 0;
    lds_stmt *st;
    lds_code rc;
    size_t n_out = json_array_size(list), n_in = json_array_size(ins);
    int known, any_out_known = 0, all_in_known = n_in > 0;
    size_t i;
    const json_t *q;
    if (!transformation) {
        json_array_foreach(list, i, q)
        {
            int64_t id;
            if ((rc = upsert_lot(&x, q, 0, &id, &known, err)))
                return rc;
        }
        return LDS_OK;
    }
    /* Every input and output is linked (the check before the write bounds
     * their product: LDS_LINEAGE_MAX_PAIRS). */
    if (n_out * n_in > LDS_LINEAGE_MAX_PAIRS)
        return lds_err_set(err, LDS_EINVAL, "a transformation links %zu inputs to %zu outputs: "
                                            "at most %d pairs",
                           n_in, n_out, LDS_LINEAGE_MAX_PAIRS);
    int64_t ids_local[128], *out_ids = ids_local;
    if (n_out + n_in > sizeof ids_local / sizeof ids_local[0] &&
        !(out_ids = lds_malloc((n_out + n_in) * sizeof *out_ids)))
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    int64_t *in_ids = out_ids + n_out;
    rc = LDS_OK;
    json_array_foreach(list, i, q)
    {
        if ((rc = upsert_lot(&x, q, 1, &out_ids[i], &known, err)))
            goto done;
        any_out_known |= known;
    }
    /* An input never commissioned gets a record from this event (no
     * location or origin facts), so the lineage is not lost. */
    ix xi = x;
    xi.location = NULL;
    xi.region = xi.mine = NULL;
    json_array_foreach(ins, i, q)
    {
        if ((rc = upsert_lot(&xi, q, 0, &in_ids[i], &known, err)))
            goto done;
        all_in_known &= known;
    }
    for (size_t o = 0; o < n_out; o++) {
        for (size_t k = 0; k < n_in; k++) {
            if (!out_ids[o] || !in_ids[k] || out_ids[o] == in_ids[k])
                continue;
            const json_t *iq = json_array_get(ins, k);
            if ((rc = lds_store_prepare(s, ins_edge, &st, err)))
                goto done;
            lds_stmt_bind_i64(st, 1, out_ids[o]);
            lds_stmt_bind_i64(st, 2, in_ids[k]);
            lds_stmt_bind_i64(st, 3, event_row);
            const json_t *jq = json_object_get(iq, "quantity");
            if (json_is_number(jq))
                lds_stmt_bind_double(st, 4, json_number_value(jq));
            lds_stmt_bind_text(st, 5, str(iq, "uom"));
            if ((rc = lds_stmt_exec(st, err)))
                goto done;
        }
    }
    /* Weigh with what is stored now (this event's outputs included), when
     * every input and some output has a material. */
    const lds_catalog *c = all_in_known && any_out_known ? lds_lineage__catalog(s) : NULL;
    if (!c)
        goto done;
    balance b;
    if ((rc = weigh(s, c, ev, NULL, &b, err)))
        goto done;
    lds_mass_violation v[LDS_RE_N + 1];
    size_t nv = b.in_known && b.out_known
                    ? lds_lineage_mass_check(&b.in, &b.out, b.yield, v, LDS_RE_N + 1)
                    : 0;
    if (nv) {
        char note[192];
        lds_lineage_mass_message(&v[0], note, sizeof note);
        rc = flag_outputs(&x, list, note, err);
    }
done:
    if (out_ids != ids_local)
        lds_free(out_ids);
    return rc;
}

lds_code lds_lineage_index_event(lds_store *s, const json_t *ev, int64_t event_row,
                                 int64_t capture_id, lds_err *err)
{
    lds_code rc = index_lineage(s, ev, event_row, capture_id, err);
    /* Custody passes on with a shipment: one member look-up for the rest. */
    if (rc == LDS_OK && json_array_size(json_object_get(ev, "destinationList")))
        rc = lds_lineage__custody_index(s, ev, event_row, capture_id, err);
    return rc;
}
