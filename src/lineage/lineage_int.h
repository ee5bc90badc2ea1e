/* lineage_int.h — internals shared by the lineage module's files. */
#ifndef LDS_LINEAGE_INT_H
#define LDS_LINEAGE_INT_H

#include "lodestone/lineage.h"

/** The catalog read once from the store and kept for the process (NULL
 *  when the store has none).  Borrowed; immutable. */
const lds_catalog *lds_lineage__catalog(lds_store *s);

/**
 * REO content of `qty` in unit `uom` ("" = a count) of `material` ("" =
 * unknown): returns 1 and fills `reo` when it converts, else 0.  `weight`
 * always receives the quantity alone (kg for a mass unit, else `qty`).
 */
int lds_lineage__content(const lds_catalog *c, const char *material, double qty, const char *uom,
                         lds_reo *reo, double *weight);

/** Fills a lot from a row of LDS_LINEAGE__LOT_COLS (starting at column `c0`). */
void lds_lineage__lot_row(lds_store *s, lds_stmt *st, int c0, lds_lot *out);

/** Writes ,"quantity":<q or null>,"uom":<uom or null> of a lot. */
void lds_lineage__quantity_json(const lds_lot *l, lds_buf *b);

/* The columns lds_lineage__lot_row reads, in order (l = lots, e = its event). */
#define LDS_LINEAGE__LOT_COLS                                                                    \
    "l.id, l.lot, l.material_id, l.grade, l.quantity, l.uom, l.location, l.region_id, l.mine, "  \
    "l.org_id, e.event_id, l.event_time_ms, l.is_output, l.mb_flag, l.mb_note"

/** Reads a lot by row id.  LDS_ENOTFOUND. */
lds_code lds_lineage__lot_by_id(lds_store *s, int64_t id, lds_lot *out, lds_err *err);

/** The ilmd string value of `name` ("material", ...): "lds:<name>" or the full IRI. */
const char *lds_lineage__ilmd(const json_t *event, const char *name);

/** Formats Unix ms as RFC 3339 UTC with milliseconds. */
void lds_lineage__fmt_ms(int64_t ms, char out[40]);

/* ---- custody (custody.c) ---- */

/** 1 when `org` is exempt from the custody rule (0: the platform; an
 *  organisation of kind 'operator'), 0 when not, -code on a store error. */
int lds_lineage__exempt(lds_store *s, int64_t org, lds_err *err);

/** Looks a stored lot up by key: 1 found (*id, *producer: 0 when none,
 *  *has_material when not NULL), 0 not stored, -code. */
int lds_lineage__lot_owner(lds_store *s, const char *key, int64_t *id, int64_t *producer,
                           int *has_material, lds_err *err);

/** 1 when `org` (> 0) holds lot `lot_id` (its producer or in lot_holders),
 *  0 not, -code. */
int lds_lineage__holds(lds_store *s, int64_t lot_id, int64_t producer, int64_t org,
                       lds_err *err);

/**
 * The custody rule on one TransformationEvent captured by `org` (not
 * exempt): each stored input lot and each stored output lot `org` does not
 * hold is a violation added to `rep` (pointer base + "/inputQuantityList/k/
 * epcClass", event index `index`).  Returns the number added, or -code.
 */
int lds_lineage__custody_check(lds_store *s, const json_t *ev, int64_t org, const char *base,
                               long index, lds_epcis_report *rep, lds_err *err);

/**
 * Inside the capture transaction: when the event has a destinationList
 * naming platform orgs or facilities and the capture's org holds (or is
 * exempt), records each receiving org as holder of each lot the event
 * names.  Returns at once for an event without destinationList.
 */
lds_code lds_lineage__custody_index(lds_store *s, const json_t *ev, int64_t event_row,
                                    int64_t capture_id, lds_err *err);

/** Adds a violation to a capture report (index.c). */
void lds_lineage__violation(lds_epcis_report *rep, long index, const char *pointer,
                            const char *msg);

#endif
