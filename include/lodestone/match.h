/*
 * match.h — resource matching: supply offers x demand requests x logistics
 * lanes -> a min-cost-flow network -> allocation lines, unmet demand with a
 * reason, totals and dual prices.  Pure: no store, no I/O, no clock.  The
 * exact semantics (compatibility, lexicographic objective, rounding, reasons,
 * duals) are documented in docs/matching.md.
 *
 * Units: quantities are int64 thousandths of a unit (`_milli`), money is
 * int64 cents, periods are months since year 0 (year * 12 + month - 1),
 * purity is a decimal scaled by 10^6 (compare exactly; the same scale is
 * used by offers and requests).
 */
#ifndef LDS_MATCH_H
#define LDS_MATCH_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

#define LDS_MATCH_NO_PURITY        (-1) /* purity / min_purity not given */
#define LDS_MATCH_LICENCE_LEAD     2    /* periods: 45 working days, rounded up to months */
#define LDS_MATCH_MAX_QTY_MILLI    1000000000000LL /* 10^9 units */
#define LDS_MATCH_MAX_PRICE_CENTS  100000000000LL     /* 10^9 currency units per unit */
#define LDS_MATCH_MAX_TRANSIT      1200               /* periods */
#define LDS_MATCH_MAX_PAIRS        50000000           /* compatible pairs in one network */

/* ---- inputs (plain structs; strings are borrowed) --------------------- */

typedef struct lds_match_offer {
    const char *id, *org, *material, *region;
    int64_t qty_milli;      /* >= 0 */
    int64_t price_cents;    /* per unit, ex works */
    int32_t from, to;       /* periods in which it can ship, from <= to */
    int64_t purity;         /* scaled by 10^6, or LDS_MATCH_NO_PURITY */
    int controlled;         /* 1: the material needs an export licence abroad */
    int abroad;             /* 1: the offer's region is outside China */
} lds_match_offer;

typedef struct lds_match_request {
    const char *id, *org, *material, *region;
    int64_t qty_milli;      /* >= 0 */
    int64_t max_price_cents; /* max delivered price per unit (price + lane cost) */
    int32_t due;            /* period by which it must arrive */
    int64_t min_purity;     /* scaled by 10^6, or LDS_MATCH_NO_PURITY */
    int abroad;             /* 1: the request's region is outside China */
} lds_match_request;

typedef struct lds_match_lane {
    const char *from, *to;  /* regions; directed */
    int64_t cost_cents;     /* per unit */
    int32_t transit;        /* whole periods, >= 0 */
} lds_match_lane;

typedef struct lds_match_input {
    const lds_match_offer *offers;
    size_t n_offers;
    const lds_match_request *requests;
    size_t n_requests;
    const lds_match_lane *lanes;
    size_t n_lanes;
} lds_match_input;

/* ---- results ----------------------------------------------------------- */

/** Why a request is not (fully) met; see docs/matching.md for the exact rule. */
typedef enum lds_match_reason {
    LDS_MATCH_MET = 0,
    LDS_MATCH_NO_COMPATIBLE_OFFER, /* no offer of the material, purity and window */
    LDS_MATCH_NO_LANE,             /* such offers exist, but no lane arrives in time */
    LDS_MATCH_LICENCE,             /* only the export-licence lead time makes them late */
    LDS_MATCH_PRICE_CAP,           /* they arrive in time, but all above the price cap */
    LDS_MATCH_INSUFFICIENT_SUPPLY, /* compatible offers exist but are taken or too small */
} lds_match_reason;

/** "met", "no_compatible_offer", "no_lane", "licence_lead_time", "price_cap",
 *  "insufficient_supply". */
const char *lds_match_reason_name(lds_match_reason r);

typedef struct lds_match_line {
    const char *offer_id, *request_id;   /* owned by the result / session */
    const char *offer_org, *request_org, *material, *from_region, *to_region;
    int64_t qty_milli;
    int32_t ship_period;                 /* latest period that arrives in time */
    int32_t transit;                     /* periods, of the lane used */
    int64_t unit_price_cents;            /* offer price per unit */
    int64_t logistics_cents;             /* lane cost per unit */
    int64_t line_total_cents;            /* round-half-even(qty * (price + logistics)) */
    int licence_required;                /* export licence needed (lead time below) */
    int32_t licence_lead;                /* periods, 0 when no licence is needed */
} lds_match_line;

/* ---- why short: the reason chain of an unmet request --------------------- */

#define LDS_MATCH_WHY_MAX 5 /* items kept per unmet request (the rest are counted) */

/** What kind of constraint keeps an offer from (more of) a request. */
typedef enum lds_match_why_kind {
    LDS_MATCH_WHY_SUPPLY = 0, /* a compatible offer is fully allocated (or there is none) */
    LDS_MATCH_WHY_PRICE_CAP,  /* arrives in time, but price + lane > the request's cap */
    LDS_MATCH_WHY_LICENCE,    /* the export-licence lead time makes it late */
    LDS_MATCH_WHY_LANE,       /* no lane from the offer's region to the request's */
    LDS_MATCH_WHY_WINDOW,     /* ships too late (window start, or fastest lane's transit) */
    LDS_MATCH_WHY_PURITY,     /* purity below the request's minimum */
} lds_match_why_kind;

/** "supply", "price_cap", "licence", "lane", "window", "purity". */
const char *lds_match_why_kind_name(lds_match_why_kind k);

/** One binding constraint of an unmet request (see docs/matching.md "Why short"). */
typedef struct lds_match_why {
    lds_match_why_kind kind;
    const char *offer_id, *offer_org;    /* the offer concerned; NULL for lane and licence items
                                            and for "no offer of the material" */
    const char *from_region, *to_region; /* lane and licence: from -> to; else NULL */
    const char *material;                /* the request's material */
    int has_dual;                        /* 1 for supply items of an offer */
    int64_t dual_cents;                  /* per unit: decrease of the optimal total cost, at the
                                            same matched quantity, per extra unit of the offer */
    char detail[256];                    /* full text (offer id, prices, other requests) */
    char redacted[192];                  /* the same for a viewer who is not the offer's org:
                                            no offer id, no price, no other request */
} lds_match_why;

typedef struct lds_match_unmet {
    const char *request_id, *request_org, *material, *region;
    int32_t due;
    int64_t requested_milli, unmet_milli;
    lds_match_reason reason;
    const lds_match_why *why;            /* most relevant first, at most LDS_MATCH_WHY_MAX;
                                            NULL until explained (lds_match_session_explain) */
    size_t n_why;
    size_t n_why_more;                   /* further items left out */
} lds_match_unmet;

/**
 * Writes the why list of `u` as a JSON array.  `viewer_org` NULL: every
 * field; else the viewer is that org: items about another org's offer lose
 * offer id, org and prices (the redacted text) but keep kind, ref regions
 * and dual.  A trailing {"kind":"more","count":N} item counts the rest.
 */
void lds_match_write_why_json(const lds_match_unmet *u, const char *viewer_org, lds_buf *b);

/** Dual price of one (region, material, due period) of the requests. */
typedef struct lds_match_dual {
    const char *region, *material;
    int32_t period;
    int64_t demand_milli, matched_milli;
    int has_price;                       /* 0 when no unsold supply can reach it */
    int64_t price_cents;                 /* per unit: increase of the optimal total cost
                                            when one more unit is matched there */
} lds_match_dual;

typedef struct lds_match_result {
    lds_match_line *lines;               /* sorted by offer id, then request id */
    size_t n_lines;
    lds_match_unmet *unmet;              /* requests with unmet > 0, in request order */
    size_t n_unmet;
    lds_match_dual *duals;               /* sorted by region, material, period */
    size_t n_duals;
    int64_t matched_milli, unmet_milli, supply_milli, demand_milli;
    int64_t total_cost_cents;            /* sum of line totals */
    int64_t goods_cost_cents;            /* sum of round-half-even(qty * price) */
    int64_t exact_cost_millicents;       /* sum of qty_milli * (price + logistics) */
    size_t n_pairs;                      /* compatible (offer, request) pairs */
    lds_match_why *why__;                /* private: storage of the unmet requests' why lists */
    void *owner__;                       /* private */
} lds_match_result;

/**
 * Runs a match.  `in` is borrowed for the call only; `*out` is self-contained
 * (free with lds_match_result_free).  Errors: LDS_EINVAL (a negative
 * quantity, an inverted window, a value out of range: err->field names the
 * record), LDS_EOVERFLOW (sums too large to solve exactly), LDS_ETOOBIG (more
 * than LDS_MATCH_MAX_PAIRS compatible pairs), LDS_ENOMEM.
 */
lds_code lds_match_run(const lds_match_input *in, lds_match_result **out, lds_err *err);
void lds_match_result_free(lds_match_result *r);

/* ---- incremental matching --------------------------------------------- */

typedef struct lds_match_session lds_match_session;

typedef enum lds_match_change {
    LDS_MATCH_LINE_ADDED = 1,
    LDS_MATCH_LINE_REMOVED,
    LDS_MATCH_LINE_CHANGED,
} lds_match_change;

typedef struct lds_match_line_diff {
    lds_match_change change;
    lds_match_line before;               /* zero for ADDED */
    lds_match_line after;                /* zero for REMOVED */
} lds_match_line_diff;

typedef struct lds_match_diff {
    lds_match_line_diff *items;          /* owned by the session, valid until the next change */
    size_t n_items;
} lds_match_diff;

/** Builds and solves (cold) a session over a copy of `in`. */
lds_code lds_match_session_new(const lds_match_input *in, lds_match_session **out, lds_err *err);
void lds_match_session_free(lds_match_session *s);
/** The current result (borrowed; valid until the next change or free). */
const lds_match_result *lds_match_session_result(const lds_match_session *s);

/**
 * Fills the why lists (unmet[].why) of the current result, computed from
 * the solved network; a no-op when done already.  A change leaves the new
 * result without them until this is called again (lds_match_run calls it
 * always), so warm re-solves that nobody explains pay nothing for it.
 * Errors: LDS_ENOMEM, LDS_EINVAL when a failed change left the session
 * without a solved network (the next change rebuilds it); on error the
 * lists stay empty.
 */
lds_code lds_match_session_explain(lds_match_session *s, lds_err *err);

/** What a session holds and how it has solved so far. */
typedef struct lds_match_session_stats {
    size_t offers, requests;        /* live records */
    size_t record_slots;            /* offers + requests ever put (withdrawn, replaced too) */
    size_t pairs;                   /* live compatible pairs (arcs with capacity) */
    size_t pair_slots;              /* pair arcs in the network, dead ones included */
    uint64_t cold_solves;           /* full builds: the first, and each rebuild */
    uint64_t warm_solves;           /* changes re-solved warm from the last flow and basis */
    uint64_t why_built;             /* unmet requests whose why chain explain built */
    uint64_t why_kept;              /* ... and whose chain it kept (nothing of its material
                                       changed since the previous explain) */
} lds_match_session_stats;

void lds_match_session_stats_get(const lds_match_session *s, lds_match_session_stats *st);

struct lds_mcf_problem;
/**
 * The min-cost-flow network of the last solve (phase 2: supplies of U and T
 * set to the matched quantity), borrowed until the next change; for
 * benchmarks and DIMACS export.  NULL when the session has no solver.
 */
const struct lds_mcf_problem *lds_match_session_problem(const lds_match_session *s);

/**
 * Adds an offer, or replaces the one with the same id, then re-solves warm.
 * `diff` (may be NULL) receives the allocation lines that changed.  On any
 * error (LDS_EINVAL for a bad record, LDS_ENOMEM, LDS_EOVERFLOW) the
 * session's data and result are unchanged and it stays usable (the next
 * change rebuilds the network cold if a warm update was cut short).
 */
lds_code lds_match_session_put_offer(lds_match_session *s, const lds_match_offer *o,
                                     lds_match_diff *diff, lds_err *err);
lds_code lds_match_session_put_request(lds_match_session *s, const lds_match_request *d,
                                       lds_match_diff *diff, lds_err *err);
/** Withdraws by id; LDS_ENOTFOUND when there is none. */
lds_code lds_match_session_withdraw_offer(lds_match_session *s, const char *id,
                                          lds_match_diff *diff, lds_err *err);
lds_code lds_match_session_withdraw_request(lds_match_session *s, const char *id,
                                            lds_match_diff *diff, lds_err *err);

/* ---- CSV (RFC 4180, header row) ---------------------------------------- */

/** Owns the strings and arrays of parsed CSV rows (release with
 *  lds_match_table_release).  `input` points into it. */
typedef struct lds_match_table {
    lds_match_input input;
    lds_match_offer *offers;
    lds_match_request *requests;
    lds_match_lane *lanes;
    size_t cap_offers, cap_requests, cap_lanes;
    char **strings;
    size_t n_strings, cap_strings;
    /* Optional: when set, every region a row names must satisfy it, else the
     * row fails with "unknown region" (e.g. checked against the catalog). */
    int (*known_region)(void *ctx, const char *region);
    void *known_ctx;
} lds_match_table;

void lds_match_table_init(lds_match_table *t);
void lds_match_table_release(lds_match_table *t);

/**
 * Parses offers (`id,org,material,region,quantity,unit_price,period_from,
 * period_to,purity`), requests (`id,org,material,region,quantity,
 * max_unit_price,due_period,min_purity`) or lanes (`from_region,to_region,
 * cost_per_unit,transit_periods`) and appends them to `t`.  Periods are
 * YYYY-MM, quantities have up to 3 decimals, money up to 2, purity up to 6.
 * Errors are LDS_EINVAL with err->line and err->field (the column); on error
 * nothing is appended.
 */
lds_code lds_match_parse_offers(lds_match_table *t, const char *csv, size_t len, lds_err *err);
lds_code lds_match_parse_requests(lds_match_table *t, const char *csv, size_t len, lds_err *err);
lds_code lds_match_parse_lanes(lds_match_table *t, const char *csv, size_t len, lds_err *err);

/** Writes allocation lines / unmet requests as CSV with a header row. */
void lds_match_write_lines_csv(const lds_match_result *r, lds_buf *b);
void lds_match_write_unmet_csv(const lds_match_result *r, lds_buf *b);
/** Writes the whole result as one JSON object (exact decimals). */
void lds_match_write_json(const lds_match_result *r, lds_buf *b);

/** Formats helpers: "YYYY-MM", "12.345" (milli), "12.34" (cents).  Return `buf`. */
char *lds_match_fmt_period(int32_t period, char buf[16]);
char *lds_match_fmt_milli(int64_t v, char buf[32]);
char *lds_match_fmt_cents(int64_t v, char buf[32]);
/** Parses "YYYY-MM" into a period; LDS_EINVAL otherwise. */
lds_code lds_match_parse_period(const char *s, int32_t *out);
/** Parses a decimal ("-12.5", "7", ".25") with at most `max_dec` decimal
 *  digits (trailing zeros count), scaled by 10^max_dec, exactly; 0 on
 *  success, -1 syntax, -2 too many decimals, -3 out of range. */
int lds_match_parse_decimal(const char *s, int max_dec, int64_t *out);

#endif
