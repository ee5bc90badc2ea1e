/*
 * market.h — the market's stored records and match runs: supply offers,
 * demand requests and logistics lanes (created one by one from JSON or in
 * bulk from CSV, listed with keyset pagination), and match runs that load
 * the open records into the matching engine (match.h) and store every
 * allocation line, unmet request and dual price as rows.
 *
 * Confidentiality is enforced in SQL on every read: an organisation sees its
 * own offers and requests, the allocation lines it is party to (with their
 * counterparty) and the dual prices of the cells where it asked for
 * material; operators and auditors see everything (auditors read only).
 * See docs/market.md.
 *
 * Transactions are the caller's: wrap creations, uploads and runs in
 * lds_store_begin/commit so that a failure stores nothing.
 */
#ifndef LDS_MARKET_H
#define LDS_MARKET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "auth.h"
#include "buf.h"
#include "err.h"
#include "registry.h"
#include "store.h"

/** The record kinds: offers, requests, lanes. */
typedef enum lds_market_kind {
    LDS_MARKET_OFFERS = 0,
    LDS_MARKET_REQUESTS,
    LDS_MARKET_LANES,
} lds_market_kind;

/** "offers", "requests", "lanes". */
const char *lds_market_kind_name(lds_market_kind k);


/**
 * Creates one record from a JSON object.  Offers: org_id (optional for a
 * member: its own org), material_id, region_id, quantity (up to 3
 * decimals), unit_price (up to 2), period_from, period_to (YYYY-MM),
 * purity (0..1, optional), currency ("CNY"), external_id.  Requests: the
 * same with max_unit_price, due_period and min_purity.  Lanes: from_region,
 * to_region, cost_per_unit, transit_periods, currency, mode, description.
 * Numbers may be JSON numbers or decimal strings.  Invalid fields give
 * LDS_EINVAL with every problem in `fe` (JSON pointers); a member writing
 * for another organisation, or anyone but an operator writing a lane, gives
 * LDS_EFORBIDDEN.  On success writes the record to `out` and its id to `*id`.
 */
lds_code lds_market_create(lds_store *s, const lds_principal *who, lds_market_kind kind,
                           json_t *body, int64_t *id, lds_buf *out, lds_field_errors *fe,
                           lds_err *err);

/**
 * Creates offers, requests or lanes from CSV (RFC 4180, header row) with the
 * columns of `lodestone match`: `id,org,material,region,quantity,
 * unit_price,period_from,period_to,purity`, `id,org,material,region,
 * quantity,max_unit_price,due_period,min_purity` or `from_region,to_region,
 * cost_per_unit,transit_periods` (+ optional currency, mode, description;
 * operator only).  `id` (optional column,
 * may be empty) is stored as external_id; `org` is the org id (empty: the
 * caller's).  All rows or none: errors give LDS_EINVAL with err->line, a
 * "line N: message" text and `fe` pointers like /line/12/quantity.  Writes
 * {"created":N,"ids":[...]} to `out`.
 */
lds_code lds_market_upload_csv(lds_store *s, const lds_principal *who, lds_market_kind kind,
                               const char *csv, size_t len, lds_buf *out, lds_field_errors *fe,
                               lds_err *err);

/**
 * Lists records visible to `who` with `limit`/`next` and filters (offers
 * and requests: org, material, region, status; lanes: from, to).  Output:
 * {"items":[...],"next":"<cursor>"|null}.  Bad parameters: LDS_EINVAL + fe.
 */
lds_code lds_market_list(lds_store *s, const lds_principal *who, lds_market_kind kind,
                         const lds_kv *params, size_t n_params, lds_buf *out,
                         lds_field_errors *fe, lds_err *err);

/** Writes one record; LDS_ENOTFOUND if it does not exist or `who` may not see it. */
lds_code lds_market_get(lds_store *s, const lds_principal *who, lds_market_kind kind,
                        const char *id, lds_buf *out, lds_err *err);

/**
 * Withdraws an offer or a request (status 'withdrawn'; later runs leave it
 * out) and writes the record.  Operators and members of the record's
 * organisation may; LDS_ENOTFOUND when `who` cannot see it, LDS_EFORBIDDEN
 * when it can but may not write.  Withdrawing twice is not an error.
 */
lds_code lds_market_withdraw(lds_store *s, const lds_principal *who, lds_market_kind kind,
                             const char *id, lds_buf *out, lds_err *err);

/**
 * Changes an open offer or request: `patch` is a JSON object of the fields
 * to set (quantity, unit_price / max_unit_price, period_from, period_to /
 * due_period, purity / min_purity, external_id; null removes an optional
 * one), validated like a creation; the organisation, material, region and
 * currency cannot change (withdraw and create another).  Operators and
 * members of the record's organisation may; LDS_ENOTFOUND when `who` cannot
 * see it, LDS_EFORBIDDEN when it can but may not write, LDS_ECONFLICT when
 * the record is withdrawn, LDS_EINVAL with `fe` for bad fields.  Writes the
 * record as it now is.  The next match run re-solves warm (see below).
 */
lds_code lds_market_update(lds_store *s, const lds_principal *who, lds_market_kind kind,
                           const char *id, json_t *patch, lds_buf *out, lds_field_errors *fe,
                           lds_err *err);

/**
 * Runs a match over the open offers and requests (only `material` when not
 * NULL) and all lanes, and stores the run with its lines, unmet requests and
 * duals.  Operators and members may run; others get LDS_EFORBIDDEN.  An
 * unknown material is LDS_EINVAL with fe "/material".  Writes the run
 * summary as `who` may see it to `out` and the run id to `*run_id`.
 */
lds_code lds_market_run(lds_store *s, const lds_principal *who, const char *material,
                        int64_t *run_id, lds_buf *out, lds_field_errors *fe, lds_err *err);

/**
 * lds_market_run, choosing how to solve.  The process keeps one warm match
 * session per (database, material filter) between runs (at most 4, bounded
 * in size): a run applies the offers and requests changed since the scope's
 * last run (the market_changes log, written by triggers, so changes from any
 * connection or process count) as warm updates and re-solves warm; it builds
 * cold on the scope's first run in the process, when lanes or the catalog
 * changed, after more than 32 changed records, or when `cold` is set.  The
 * run stores and shows which it was ("solve": mode, time, changes, note).
 * The kept session follows what the run saw, committed or not: when changes
 * it saw are rolled back, the next run notices (each change-log row has a
 * random stamp) and builds cold.
 */
lds_code lds_market_run_ex(lds_store *s, const lds_principal *who, const char *material,
                           int cold, int64_t *run_id, lds_buf *out, lds_field_errors *fe,
                           lds_err *err);

/** Frees every kept match session (tests, benchmarks, memory pressure). */
void lds_market_sessions_clear(void);
/** How many match sessions the process keeps now. */
size_t lds_market_sessions_count(void);

/** Writes a stored run (totals, allocations, unmet, duals) filtered for `who`;
 *  LDS_ENOTFOUND if there is none. */
lds_code lds_market_run_get(lds_store *s, const lds_principal *who, const char *id,
                            lds_buf *out, lds_err *err);

/** Lists runs (newest first is not promised: ordered by id) with limit/next. */
lds_code lds_market_run_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                             size_t n_params, lds_buf *out, lds_field_errors *fe, lds_err *err);

/** Writes the allocation lines `who` may see as CSV with a header row. */
lds_code lds_market_run_lines_csv(lds_store *s, const lds_principal *who, const char *id,
                                  lds_buf *out, lds_err *err);

/** Writes the unmet requests `who` may see as CSV with a header row
 *  (request_id, org_id, material, region, due_period, requested, unmet,
 *  reason, cell_price); LDS_ENOTFOUND when there is no such run. */
lds_code lds_market_run_unmet_csv(lds_store *s, const lds_principal *who, const char *id,
                                  lds_buf *out, lds_err *err);

/** The same lines (and the visible unmet requests, on a second sheet) as an
 *  XLSX workbook, bytes in `out`. */
lds_code lds_market_run_lines_xlsx(lds_store *s, const lds_principal *who, const char *id,
                                   lds_buf *out, lds_err *err);

/**
 * Inserts the synthetic corridor lanes (Ganzhou counties <-> Shenzhen
 * districts, Baotou, Ningbo, Germany, the US), marked synthetic, unless the
 * database already has synthetic lanes.  Regions missing from the catalog are
 * skipped.  Call it inside or outside a transaction, after the catalog.
 */
lds_code lds_market_seed_demo_lanes(lds_store *s, lds_err *err);

#endif
