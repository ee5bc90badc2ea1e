/*
 * custody.c — who holds a lot, and the custody rule of the capture hooks.
 *
 * An organisation holds a lot when it produced it (lots.org_id) or the lot
 * was shipped to it by a holder: an event captured by a holder that names
 * the lot (quantityList, childQuantityList or outputQuantityList) with a
 * destinationList entry (any type) `https://lodestone.dev/org/{D}` or
 * `https://lodestone.dev/facility/{F}` of an org D makes D a holder
 * (lot_holders), and D may ship on.  Exempt from the rule (they may use,
 * make and ship any lot): org 0 (the platform's own captures, the CLI) and
 * organisations of kind 'operator'.
 *
 * The rule on capture: a TransformationEvent's capturing org must hold
 * every input lot already stored with an organisation's producer (a lot
 * the platform itself produced, org 0 or an operator, is anyone's input,
 * as before the rule), and may not name as output a stored lot it did not
 * produce (a holder uses a lot, it does not add upstream to it).  The
 * index repeats the rule inside the capture transaction (a lot stored by
 * a concurrent capture after the check).  Other events may name any lot,
 * but grant nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/trace_views.h"
#include "lineage_int.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int lds_lineage__exempt(lds_store *s, int64_t org, lds_err *err)
{
    static const char q[] = "SELECT kind = 'operator' FROM orgs WHERE id = ?";
    if (org <= 0)
        return 1;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return -(int)rc;
    lds_stmt_bind_i64(st, 1, org);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_ROW) {
        int op = lds_stmt_col_i64(st, 0) != 0;
        lds_stmt_reset(st);
        return op;
    }
    return step == LDS_STORE_DONE ? 0 : -step;
}

int lds_lineage__lot_owner(lds_store *s, const char *key, int64_t *id, int64_t *producer,
                           int *has_material, lds_err *err)
{
    static const char q[] = "SELECT id, org_id, material_id IS NOT NULL FROM lots WHERE lot = ?";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return -(int)rc;
    lds_stmt_bind_text(st, 1, key);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_ROW) {
        *id = lds_stmt_col_i64(st, 0);
        *producer = lds_stmt_col_is_null(st, 1) ? 0 : lds_stmt_col_i64(st, 1);
        if (has_material)
            *has_material = lds_stmt_col_i64(st, 2) != 0;
        lds_stmt_reset(st);
        return 1;
    }
    return step == LDS_STORE_DONE ? 0 : -step;
}

int lds_lineage__holds(lds_store *s, int64_t lot_id, int64_t producer, int64_t org,
                       lds_err *err)
{
    static const char q[] = "SELECT 1 FROM lot_holders WHERE lot = ? AND org_id = ?";
    if (org <= 0)
        return 0;
    if (producer == org)
        return 1;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return -(int)rc;
    lds_stmt_bind_i64(st, 1, lot_id);
    lds_stmt_bind_i64(st, 2, org);
    return lds_stmt_exists(st, err);
}

/* The stored lot a quantity element's epcClass names: 1 (with its row id
 * and producer), 0 when it names no lot or one not stored, or -code. */
static int stored_lot(lds_store *s, const char *cls, int64_t *id, int64_t *producer,
                      lds_err *err)
{
    char key[LDS_LINEAGE_URI_MAX];
    if (!cls || lds_lineage_lot_key(cls, key, NULL))
        return 0;
    return lds_lineage__lot_owner(s, key, id, producer, NULL, err);
}

int lds_lineage__custody_check(lds_store *s, const json_t *ev, int64_t org, const char *base,
                               long index, lds_epcis_report *rep, lds_err *err)
{
    static const char *const lists[2] = {"inputQuantityList", "outputQuantityList"};
    int nv = 0;
    for (int l = 0; l < 2; l++) {
        size_t k;
        const json_t *q;
        json_array_foreach(json_object_get(ev, lists[l]), k, q)
        {
            const char *cls = str(q, "epcClass");
            int64_t id = 0, producer = 0;
            int f = stored_lot(s, cls, &id, &producer, err);
            if (f < 0)
                return f;
            if (!f) /* no lot, or one never seen: this event makes (or first names) it */
                continue;
            /* An input must be held; the platform's own lots (no producer
             * org, or an operator's) may be used by anyone, as before.  An
             * existing output is made again only by its producer: a holder
             * adding upstream would change its supplier's lot for everyone
             * (and make its own lots "suppliers" of the lot's descendants). */
            int h = l == 0 ? lds_lineage__holds(s, id, producer, org, err) : producer == org;
            if (h < 0)
                return h;
            if (!h && l == 0 && (h = lds_lineage__exempt(s, producer, err)) < 0)
                return h;
            if (h)
                continue;
            char ptr[128], msg[256]; /* the report keeps 191 bytes */
            snprintf(ptr, sizeof ptr, "%s/%s/%zu/epcClass", base, lists[l], k);
            if (l == 0)
                snprintf(msg, sizeof msg,
                         "org %lld does not hold lot %.72s; a lot is used by its producer or an "
                         "organisation it was shipped to",
                         (long long)org, cls);
            else
                snprintf(msg, sizeof msg,
                         "org %lld did not produce lot %.64s; an existing lot is made again only "
                         "by its producer",
                         (long long)org, cls);
            lds_lineage__violation(rep, index, ptr, msg);
            nv++;
        }
    }
    return nv;
}

/* The org id after `prefix` in `uri` (digits only, > 0), else 0. */
static int64_t id_after(const char *uri, const char *prefix, size_t n)
{
    if (strncmp(uri, prefix, n) != 0)
        return 0;
    const char *p = uri + n;
    if (*p < '1' || *p > '9')
        return 0;
    int64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

/* The organisation a destination names: 0 when none (not a platform URI,
 * or an unknown facility), else the org id; -code on a store error. */
static int64_t dest_org(lds_store *s, const char *uri, lds_err *err)
{
    static const char q[] = "SELECT org_id FROM facilities WHERE id = ?";
    int64_t v = id_after(uri, LDS_TRACE_ORG_URI, sizeof LDS_TRACE_ORG_URI - 1);
    if (v)
        return v;
    int64_t fac = id_after(uri, LDS_TRACE_FACILITY_URI, sizeof LDS_TRACE_FACILITY_URI - 1);
    if (!fac)
        return 0;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return -(int64_t)rc;
    lds_stmt_bind_i64(st, 1, fac);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_ROW) {
        v = lds_stmt_col_is_null(st, 0) ? 0 : lds_stmt_col_i64(st, 0);
        lds_stmt_reset(st);
        return v;
    }
    return step == LDS_STORE_DONE ? 0 : -(int64_t)step;
}

#define MAX_DEST 16

lds_code lds_lineage__custody_index(lds_store *s, const json_t *ev, int64_t event_row,
                                    int64_t capture_id, lds_err *err)
{
    static const char q_org[] = "SELECT c.org_id, o.kind = 'operator' FROM epcis_captures c "
                                "LEFT JOIN orgs o ON o.id = c.org_id WHERE c.id = ?";
    static const char ins[] = "INSERT OR IGNORE INTO lot_holders (lot, org_id, event) "
                              "VALUES (?, ?, ?)";
    static const char *const lists[3] = {"quantityList", "childQuantityList",
                                         "outputQuantityList"};
    const json_t *dl = json_object_get(ev, "destinationList");
    int64_t dest[MAX_DEST];
    size_t n_dest = 0, i;
    const json_t *d;
    /* The receiving organisations; no store access unless a platform URI. */
    json_array_foreach(dl, i, d)
    {
        const char *uri = str(d, "destination");
        if (!uri || strncmp(uri, "https://lodestone.dev/", 22) != 0)
            continue;
        int64_t o = dest_org(s, uri, err);
        if (o < 0)
            return (lds_code)-o;
        int dup = o == 0;
        for (size_t k = 0; k < n_dest && !dup; k++)
            dup = dest[k] == o;
        if (!dup && n_dest < MAX_DEST)
            dest[n_dest++] = o;
    }
    if (!n_dest)
        return LDS_OK;
    /* Who ships: the capture's org (0 = the platform), and whether exempt. */
    int64_t org = 0;
    int exempt = 1;
    lds_stmt *st;
    lds_code rc;
    if (capture_id) {
        if ((rc = lds_store_prepare(s, q_org, &st, err)))
            return rc;
        lds_stmt_bind_i64(st, 1, capture_id);
        int step = lds_stmt_step(st, err);
        if (step == LDS_STORE_ROW) {
            org = lds_stmt_col_is_null(st, 0) ? 0 : lds_stmt_col_i64(st, 0);
            exempt = org <= 0 || (!lds_stmt_col_is_null(st, 1) && lds_stmt_col_i64(st, 1));
            lds_stmt_reset(st);
        } else if (step != LDS_STORE_DONE) {
            return (lds_code)step;
        }
    }
    for (int l = 0; l < 3; l++) {
        const json_t *q;
        json_array_foreach(json_object_get(ev, lists[l]), i, q)
        {
            int64_t id = 0, producer = 0;
            int f = stored_lot(s, str(q, "epcClass"), &id, &producer, err);
            if (f < 0)
                return (lds_code)-f;
            if (!f)
                continue;
            if (!exempt) {
                int h = lds_lineage__holds(s, id, producer, org, err);
                if (h < 0)
                    return (lds_code)-h;
                if (!h) /* not the shipper's to pass on */
                    continue;
            }
            for (size_t k = 0; k < n_dest; k++) {
                if (dest[k] == producer)
                    continue;
                if ((rc = lds_store_prepare(s, ins, &st, err)))
                    return rc;
                lds_stmt_bind_i64(st, 1, id);
                lds_stmt_bind_i64(st, 2, dest[k]);
                lds_stmt_bind_i64(st, 3, event_row);
                if ((rc = lds_stmt_exec(st, err)))
                    return rc;
            }
        }
    }
    return LDS_OK;
}
