/*
 * trace_views.h — what each party sees of the trace: who may read which
 * event, the monthly flow report of an enterprise (inputs, outputs and
 * stocks per product, the form regulators ask rare-earth producers to file),
 * digital product passports with tiered visibility and ledger proofs, and
 * the demo corridor's lot history.  Built on trace.h over the same store.
 *
 * Conventions shared with capture: a facility is named in events by the URI
 * LDS_TRACE_FACILITY_URI "<id>" (bizLocation / readPoint), an organisation
 * as a party (source / destination) by LDS_TRACE_ORG_URI "<id>"; lots are
 * bound to catalog materials by the commissioning event's `ilmd` keys
 * (prefix "lds" = LDS_TRACE_ILMD_NS): lds:material, lds:grade, lds:region,
 * lds:mine.
 */
#ifndef LDS_TRACE_VIEWS_H
#define LDS_TRACE_VIEWS_H

#include <stddef.h>
#include <stdint.h>
#include "auth.h"
#include "buf.h"
#include "err.h"
#include "lineage.h"
#include "registry.h"
#include "store.h"
#include "trace.h"

#define LDS_TRACE_FACILITY_URI "https://lodestone.dev/facility/"
#define LDS_TRACE_ORG_URI      "https://lodestone.dev/org/"
#define LDS_TRACE_ILMD_NS      "https://lodestone.dev/epcis#"

/* ------------------------------------------------------------------ */
/* Event visibility                                                    */
/* ------------------------------------------------------------------ */

/**
 * The organisation whose view a caller gets of the event repository: 0
 * (everything) for operators and auditors, else the caller's org.  An org
 * sees the events it captured (epcis_captures.org_id) and the events whose
 * bizLocation or readPoint is one of its facilities.
 */
int64_t lds_trace_viewer_org(const lds_principal *who);

/** 1 when `org` (0 = everyone's view) may read the stored event `event_id`,
 *  0 when not or when there is no such event, negative lds_code on error. */
int lds_trace_event_visible(lds_store *s, int64_t org, const char *event_id, lds_err *err);

/** 1 when `org` (0 = everyone's view) may read ledger leaf `index`: the leaf of
 *  an event it may read (lds_trace_event_visible); 0 when not or when no
 *  event is logged at that index; negative lds_code on error. */
int lds_trace_leaf_visible(lds_store *s, int64_t org, uint64_t index, lds_err *err);

/** 1 when `org` (0 = everyone's view) may read capture job `capture_id`: the
 *  jobs its org ran (imports without an org: operators and auditors only);
 *  0 when not or when there is no such job; negative lds_code on error. */
int lds_trace_capture_visible(lds_store *s, int64_t org, int64_t capture_id, lds_err *err);

/** lds_trace_event_json for the view of `org` (0 = all): an event the org may
 *  not read is LDS_ENOTFOUND, exactly like a missing one. */
lds_code lds_trace_event_json_as(lds_store *s, int64_t org, const char *event_id, lds_buf *out,
                                 lds_err *err);

/** lds_trace_query restricted to the events `org` may read (0 = all). */
lds_code lds_trace_query_as(lds_store *s, int64_t org, const lds_kv *params, size_t n_params,
                            lds_buf *out, char *next_token, size_t token_cap,
                            lds_field_errors *fe, lds_err *err);

/* ------------------------------------------------------------------ */
/* Monthly flow report                                                 */
/* ------------------------------------------------------------------ */

/** One product (a catalog material, else the EPC class itself) in one unit.
 *  Quantities are thousandths of `uom`. */
typedef struct lds_flow_row {
    char product[256];  /* material id when the lot is bound, else the EPC class */
    char material[64];  /* "" when the class is bound to no material */
    char uom[16];       /* UN/CEFACT code as captured ("" = a count of instances) */
    int64_t opening, received, consumed, produced, shipped, closing;
} lds_flow_row;

typedef struct lds_flow_report {
    int64_t org_id;
    char org_name[256];
    char month[8];           /* "YYYY-MM" */
    size_t n_events;         /* the org's events in the month */
    size_t n_unquantified;   /* list entries in the month without a quantity (not counted) */
    size_t n_rows;
    lds_flow_row *rows;      /* sorted by product, then uom */
} lds_flow_report;

/** Parses "YYYY-MM" into the bounds of the month, as milliseconds of a
 *  local-time clock (UTC arithmetic).  LDS_EINVAL naming `month`. */
lds_code lds_trace_month_bounds(const char *month, int64_t *from_ms, int64_t *to_ms,
                                lds_err *err);

/**
 * Computes the flow report of organisation `org_id` for `month` ("YYYY-MM").
 * The org's events are those it may read (lds_trace_viewer_org's rule); an
 * event falls in the month of its local time (eventTime plus
 * eventTimeZoneOffset).  Per product: received (ObjectEvents with bizStep
 * receiving), consumed (TransformationEvent inputs; decommissioning and
 * destroying), produced (TransformationEvent outputs; commissioning ADD),
 * shipped (bizStep shipping); opening stock is the sum of those flows
 * before the month, closing = opening + received + produced - consumed -
 * shipped.  LDS_EINVAL (bad month), LDS_ENOTFOUND (no such org), LDS_ENOMEM.
 * Free with lds_trace_flows_free.
 */
lds_code lds_trace_flows(lds_store *s, int64_t org_id, const char *month, lds_flow_report *out,
                         lds_err *err);
void lds_trace_flows_free(lds_flow_report *r);
/** Writes thousandths as a decimal without trailing zeros ("12.5", "-3"); n >= 32. */
void lds_trace_fmt_milli(int64_t v, char *out, size_t n);
/** The report as JSON (documented in docs/trace.md). */
void lds_trace_flows_json(const lds_flow_report *r, lds_buf *out);
/** The report as RFC 4180 CSV with a header row. */
void lds_trace_flows_csv(const lds_flow_report *r, lds_buf *out);

/* ------------------------------------------------------------------ */
/* Digital product passports                                           */
/* ------------------------------------------------------------------ */

/** What a caller sees of a passport (each tier includes the ones before). */
typedef enum lds_passport_tier {
    LDS_PASSPORT_PUBLIC = 0, /* material, grade, origin countries/regions, certifications,
                                verification data (leaf hashes, audit paths, STH) */
    LDS_PASSPORT_CHAIN,      /* + producer, facilities and steps with dates, origin shares */
    LDS_PASSPORT_PRIVATE     /* + quantities, counterparties, business transactions, leaf bytes */
} lds_passport_tier;

/** "public", "chain", "private". */
const char *lds_passport_tier_name(lds_passport_tier t);

/**
 * The tier of `who` (NULL: an anonymous caller) for `lot` with its
 * provenance `p`: private for operators and the lot's producer (the org
 * that captured its commissioning event); chain for auditors and trading
 * partners (an org that produced a lot of the provenance tree, or captured
 * an event naming the lot, e.g. its receiving); public for everyone else.
 */
lds_passport_tier lds_trace_passport_tier(lds_store *s, const lds_lot *lot,
                                          const lds_provenance *p, const lds_principal *who);

/**
 * Writes the passport of `lot` (with its provenance `p`) at `tier`: every
 * event naming a lot of the provenance tree, in time order, with its leaf
 * hash (and for the private tier its leaf bytes) and an inclusion proof
 * against the latest signed tree head, which the passport carries as
 * "sth".  `lodestone verify --passport` checks it offline.  The format is
 * in docs/trace.md.  LDS_ENOMEM, LDS_EIO, LDS_ECORRUPT.
 */
lds_code lds_trace_passport(lds_store *s, lds_trace_ledger *lg, const lds_lot *lot,
                            const lds_provenance *p, lds_passport_tier tier, lds_buf *out,
                            lds_err *err);

/* ------------------------------------------------------------------ */
/* Demo lot history                                                    */
/* ------------------------------------------------------------------ */

/**
 * Captures the demo corridor's lot history through the normal capture path
 * (so every event is a ledger leaf): ionic-clay ore lots from Xunwu and
 * Longnan mines, leaching to carbonate, SX separation into oxides in
 * Zhanggong, NdPr metal and DyFe, N42SH alloy and magnets in Ganzhou and
 * Shenzhen, EV traction motors in Shenzhen, each step captured by its
 * producing demo organisation at its facility, with quantities from the
 * catalog's contents and yields.  Synthetic and deterministic; does
 * nothing when the history is already stored.  Needs the demo corridor.
 */
lds_code lds_trace_seed_demo(lds_store *s, lds_err *err);

/** The lot (EPC class) of the demo's EV traction motors, for docs and tests. */
#define LDS_TRACE_DEMO_MOTOR_LOT "urn:epc:class:lgtin:6975010.700001.DEMO-MOTOR-2604"

#endif
