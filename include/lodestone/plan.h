/*
 * plan.h — mine-to-market planning.  Two pure engines over plain structs:
 * MRP explosion (a forecast of end products exploded through the catalog's
 * recipes, yields and lead times into every component, magnet, alloy, metal,
 * oxide and ore, period by period) and the constrained plan (a linear
 * programme over facility capacities, joint-production recipes, inventories,
 * lanes, open offers, return flows, quotas and export licences, solved with
 * COIN-OR Clp; capacity and quota duals rank the bottlenecks).  Store glue
 * (reading a plan input and scenarios, seeding the demo planning data) is
 * separate and marked as such.  Quantities are doubles in each material's
 * own unit; money is CNY.  docs/planning.md describes the model.
 *
 * Thread-safety: the engines hold no global state; one input may be planned
 * by several threads at once.
 */
#ifndef LDS_PLAN_H
#define LDS_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "catalog.h"
#include "buf.h"
#include "err.h"
#include "store.h"

/** Days in one planning period (a month); a recipe's lead time in periods is
 *  its lead_time_days / 30 rounded half up (14 d -> 0, 21 d -> 1, 90 d -> 3). */
#define LDS_PLAN_DAYS_PER_PERIOD 30.0
/** Most periods a plan may span, and how far an explosion may reach back. */
#define LDS_PLAN_MAX_PERIODS 120
#define LDS_PLAN_MAX_BACK    48
/** Default licence lead time for controlled materials leaving China: the
 *  observed 20-45 days is one monthly period; the statutory limit of 45
 *  working days (about 2 periods) is what the export-control scenario uses. */
#define LDS_PLAN_DEFAULT_LICENCE_PERIODS 1

/** Lead time of a recipe in whole periods. */
int lds_plan_recipe_periods(const lds_recipe *r);

/** Writes the label "YYYY-MM" of period `idx` (may be negative) counted from
 *  `first` ("YYYY-MM") into out[8]; LDS_EINVAL for a malformed `first`. */
lds_code lds_plan_period_label(const char *first, int idx, char out[8], lds_err *err);
/** Index of `label` relative to `first` (may be negative); LDS_EINVAL if
 *  either is not "YYYY-MM". */
lds_code lds_plan_period_index(const char *first, const char *label, int *idx, lds_err *err);

/* ---- inputs -------------------------------------------------------------- */

/** A quantity of a material wanted (forecast) or returned (scrap) at a region
 *  in a period (0-based index from the plan's first period). */
typedef struct lds_plan_demand {
    const char *material;
    const char *region;
    int period;
    double qty;                  /* in the material's unit */
} lds_plan_demand;

typedef struct lds_plan_region {
    const char *id;
    const char *country;         /* ISO alpha-2; anything but "CN" is outside China */
} lds_plan_region;

/** A directed lane between two regions. */
typedef struct lds_plan_lane {
    const char *from, *to;
    double cost_per_t;           /* CNY per tonne shipped (units without mass: per unit) */
    int transit;                 /* whole periods */
} lds_plan_lane;

/** What a facility's capacity counts. */
typedef enum lds_plan_cap_basis {
    LDS_PLAN_CAP_REO,            /* t REO of all outputs ("t REO/yr") */
    LDS_PLAN_CAP_T,              /* t of primary output ("t/yr") */
    LDS_PLAN_CAP_UNIT,           /* pieces of primary output ("units/yr") */
    LDS_PLAN_CAP_MW              /* MW of primary output ("MW/yr") */
} lds_plan_cap_basis;

typedef struct lds_plan_facility {
    int64_t id;
    const char *name;
    int64_t org_id;              /* for quotas */
    const char *region;
    const char *stage;           /* runs recipes of this stage ... */
    const char *material;        /* ... that name this material, or name no material any
                                    other facility of the stage is dedicated to */
    double capacity;             /* per period, in `basis` */
    lds_plan_cap_basis basis;
} lds_plan_facility;

/** An open supply offer: up to `qty` over periods from..to at `unit_price`. */
typedef struct lds_plan_offer {
    int64_t id;
    const char *material;
    const char *region;
    double qty;
    double unit_price;           /* CNY per unit */
    int from, to;                /* period indices, inclusive */
} lds_plan_offer;

/** A mining or separation quota of one enterprise for one calendar year. */
typedef struct lds_plan_quota {
    int64_t org_id;
    const char *org;             /* name, for reports */
    const char *stage;           /* "mining" or "separation" */
    int year;
    double reo_t;                /* t REO in the year (all outputs of its runs) */
} lds_plan_quota;

typedef struct lds_plan_input {
    const lds_catalog *catalog;  /* borrowed */
    char first_period[8];        /* "YYYY-MM" */
    int n_periods;
    size_t n_regions, n_lanes, n_facilities, n_offers, n_demand, n_returns, n_quotas;
    const lds_plan_region *regions;
    const lds_plan_lane *lanes;
    const lds_plan_facility *facilities;
    const lds_plan_offer *offers;
    const lds_plan_demand *demand;   /* the forecast */
    const lds_plan_demand *returns;  /* scrap coming back: free supply */
    const lds_plan_quota *quotas;
    int licence_periods;         /* extra transit of controlled materials leaving China */
    double shortage_penalty;     /* CNY per unit short; 0 = 1e7 */
    double holding_cost;         /* CNY per unit and period in stock; 0 = 1 */
    double run_cost;             /* CNY per unit of capacity used; 0 = 1 */
    double swarf_share;          /* share of a magnet run's machining loss (alloy in - magnet
                                    out) collected as magnet_scrap at the plant; 0 = none */
} lds_plan_input;

/* ---- scenarios ----------------------------------------------------------- */

typedef enum lds_plan_shock_kind {
    LDS_PLAN_SHOCK_FACILITY_OFFLINE, /* target: facility name or "#id"; value: share lost (0 = all) */
    LDS_PLAN_SHOCK_SUPPLY_CUT,       /* target: material; value: share of offers and returns cut */
    LDS_PLAN_SHOCK_DEMAND_CHANGE,    /* target: material; value: relative change (+0.3) */
    LDS_PLAN_SHOCK_LICENCE_PERIODS,  /* value: licence lead time in periods */
    LDS_PLAN_SHOCK_CAPACITY_CHANGE   /* target: stage id; value: relative change */
} lds_plan_shock_kind;

typedef struct lds_plan_shock {
    lds_plan_shock_kind kind;
    const char *target;
    double value;
} lds_plan_shock;

typedef struct lds_plan_scenario {
    const char *name;
    size_t n_shocks;
    const lds_plan_shock *shocks;
} lds_plan_scenario;

/** Kind for a name ("facility_offline", ...); -1 when unknown. */
int lds_plan_shock_parse(const char *name);
const char *lds_plan_shock_name(lds_plan_shock_kind k);

/* ---- MRP explosion (pure) ------------------------------------------------ */

/** Gross requirement of one material in one period (negative = before the
 *  horizon: must already be under way when the plan starts). */
typedef struct lds_plan_need {
    size_t material;             /* catalog index */
    int period;
    double qty;                  /* gross requirement, material's unit */
    double coproduct;            /* released by joint recipes beyond the requirement */
    int level;                   /* low-level code: 0 = end product */
} lds_plan_need;

typedef struct lds_plan_mrp {
    size_t n;
    lds_plan_need *needs;        /* by level, material, period */
} lds_plan_mrp;

/**
 * Explodes `demand` through the catalog.  Each material is made by its
 * sourcing recipe: the recipe whose primary output it is (the first in
 * catalog order), otherwise the recipe with the largest output of it (a
 * co-product, e.g. Dy2O3 from Longnan separation).  A joint recipe runs as
 * often as its most demanding sourced output needs; its other outputs are
 * reported in `coproduct`.  Inputs are required lds_plan_recipe_periods
 * earlier.  Materials without a recipe (ore, iron, boron, cobalt) end the
 * explosion.  LDS_EINVAL names an unknown material, a bad quantity or
 * period, or a chain reaching back more than LDS_PLAN_MAX_BACK periods.
 * `*out` is owned by the caller (lds_plan_mrp_free).
 */
lds_code lds_plan_explode(const lds_catalog *c, const lds_plan_demand *demand, size_t n_demand,
                          int n_periods, lds_plan_mrp **out, lds_err *err);
/** Gross requirement of `material` in `period` (0 when none). */
double lds_plan_mrp_qty(const lds_plan_mrp *m, const lds_catalog *c, const char *material,
                        int period);
void lds_plan_mrp_free(lds_plan_mrp *m);

/* ---- the constrained plan (pure, Clp) ------------------------------------ */

typedef struct lds_plan_prod {
    size_t facility, recipe;     /* indices into input facilities / catalog recipes */
    int period;                  /* outputs available; inputs taken lead-time earlier */
    double runs, output_qty;     /* recipe runs; primary output in its unit */
    double cap_used;             /* in the facility's basis */
} lds_plan_prod;

typedef struct lds_plan_flow {
    size_t material;             /* catalog index */
    size_t lane;
    int period;                  /* shipped; arrives period + transit */
    int transit;                 /* lane transit plus any licence lead time */
    int licensed;                /* export licence required */
    double qty;
} lds_plan_flow;

typedef struct lds_plan_buy {
    size_t offer;
    int period;
    double qty;
} lds_plan_buy;

typedef enum lds_plan_limit_kind {
    LDS_PLAN_LIMIT_CAPACITY,     /* facility capacity in a period */
    LDS_PLAN_LIMIT_QUOTA,        /* an enterprise's yearly quota */
    LDS_PLAN_LIMIT_SUPPLY,       /* an open offer fully taken */
    LDS_PLAN_LIMIT_LEAD_TIME,    /* cannot be made from scratch by then */
    LDS_PLAN_LIMIT_LICENCE,      /* controlled input must leave China under licence */
    LDS_PLAN_LIMIT_LANE          /* no lane reaches the region */
} lds_plan_limit_kind;

const char *lds_plan_limit_name(lds_plan_limit_kind k);

/** A constraint with its dual value: what one more unit of it is worth
 *  (CNY saved per tonne of capacity, per t REO of quota, per unit offered). */
typedef struct lds_plan_limit {
    lds_plan_limit_kind kind;
    size_t index;                /* facility, quota, offer or material index; see kind */
    int period;                  /* -1 for yearly or timeless limits */
    double value;                /* dual value, >= 0 */
    double used, bound;
    char what[160];              /* human-readable */
} lds_plan_limit;

typedef struct lds_plan_shortage {
    size_t material;
    size_t region;
    int period;
    double demand, qty;          /* forecast and unplanned part */
    double value;                /* dual of the material balance (CNY per unit) */
    size_t n_reasons;
    lds_plan_limit *reasons;     /* binding constraints upstream, by value, at most 8 */
} lds_plan_shortage;

typedef struct lds_plan_surplus {
    size_t material;
    int period;
    double qty;                  /* co-product made but not needed (summed over regions) */
} lds_plan_surplus;

typedef struct lds_plan_result {
    int status;                  /* Clp status: 0 optimal */
    double objective;            /* incl. shortage penalties */
    double cost;                 /* purchases + logistics (CNY) */
    double demand_total, short_total; /* summed over the forecast, mixed units */
    double fill_rate;            /* 1 - short/demand */
    double scrap_recycled_t;     /* magnet scrap put through recycling recipes */
    double recycled_oxide_t;     /* oxide separated from recycled material */
    double recycled_share;       /* recycled_oxide_t / all separated oxide */
    int n_rows, n_cols;
    double solve_seconds;
    size_t n_prod, n_flows, n_buys, n_shortages, n_surplus, n_bottlenecks;
    lds_plan_prod *prod;
    lds_plan_flow *flows;
    lds_plan_buy *buys;
    lds_plan_shortage *shortages;
    lds_plan_surplus *surplus;
    lds_plan_limit *bottlenecks; /* capacity and quota rows with value > 0, highest first */
} lds_plan_result;

/**
 * Builds and solves the plan of `in` under `scenario` (NULL = as is).  The
 * LP building is deterministic; see docs/planning.md.  LDS_EINVAL names a
 * bad input (unknown material/region/facility/stage in a record or shock, a
 * period outside the horizon, a negative quantity); LDS_EINFEASIBLE when Clp
 * reports infeasible (shortage slack makes that a bug); LDS_ENOMEM.
 * `*out` is owned by the caller (lds_plan_result_free).
 */
lds_code lds_plan_solve(const lds_plan_input *in, const lds_plan_scenario *scenario,
                        lds_plan_result **out, lds_err *err);
void lds_plan_result_free(lds_plan_result *r);

/** Appends the result as one JSON object (see docs/planning.md) to `json`
 *  (an lds_buf; declared as void * to keep buf.h out of this header). */
void lds_plan_result_json(const lds_plan_input *in, const lds_plan_result *r, const char *scenario,
                          void *json);

/* ---- store glue ---------------------------------------------------------- */

/** An input read from the store, owning its strings and arrays. */
typedef struct lds_plan_data lds_plan_data;

/**
 * Reads catalog, regions, facilities, open offers, forecast, returns and
 * quotas from the store into a plan input over the forecast's periods (or
 * the demo's 12 from 2026-01 when no forecast).  Lanes: the store's lanes
 * table (cost read as CNY per tonne) when it has rows, else the default
 * corridor lanes (lds_plan_default_lanes).
 * `*out` is owned by the caller (lds_plan_data_free).
 */
lds_code lds_plan_read(lds_store *s, lds_plan_data **out, lds_err *err);
/** The input of `d`; borrowed, valid until lds_plan_data_free. */
const lds_plan_input *lds_plan_data_input(const lds_plan_data *d);
/** Reads the named scenario's shocks into `d` and points *out at it
 *  (borrowed from `d`).  LDS_ENOTFOUND for an unknown name. */
lds_code lds_plan_read_scenario(lds_store *s, lds_plan_data *d, const char *name,
                                const lds_plan_scenario **out, lds_err *err);
void lds_plan_data_free(lds_plan_data *d);

/**
 * Stores a solved plan as a row of plan_runs (scenario, UTC time, status
 * "optimal", objective and the JSON of lds_plan_result_json) and returns its
 * id in *id.  Borrows everything.
 */
lds_code lds_plan_save_run(lds_store *s, const lds_plan_input *in, const lds_plan_result *r,
                           const char *scenario, int64_t *id, lds_err *err);

/**
 * What `POST /api/v1/plans` needs: reads the input, solves it under
 * `scenario` (NULL or "" = as stored; LDS_ENOTFOUND for an unknown name) and
 * saves the run.  *id receives the plan_runs id; *json (when `json` is not
 * NULL) the result JSON, owned by the caller (lds_free).
 */
lds_code lds_plan_run(lds_store *s, const char *scenario, int64_t *id, char **json, lds_err *err);

/**
 * What `GET /api/v1/plans/compare?a=&b=` needs: plans `a` and `b` side by
 * side, as JSON owned by the caller (lds_free): {"a":{id,scenario,...},
 * "b":{...}, "totals":[{figure,a,b,delta}], "shortages":[{material,region,
 * period,a,b,delta}], "bottleneck_facilities":[{facility_id,facility,region,
 * a,b,delta}] (dual values summed over periods), "surplus":[{material,a,b,
 * delta}] (summed over periods), "production":[{facility_id,facility,region,
 * a,b,delta}] (output summed over periods; facilities that differ only)}.
 * delta is b - a; a row missing from one plan has null there.
 * LDS_ENOTFOUND when either run does not exist.
 */
lds_code lds_plan_compare(lds_store *s, int64_t a, int64_t b, char **json, lds_err *err);

/**
 * What `GET /api/v1/plans` needs: stored runs, newest first, at most `limit`
 * with ids below `before` (0: from the newest), as
 * {"items":[{id,scenario,created_at,status,objective}],"next":"<id>"|null}
 * appended to `out`.
 */
lds_code lds_plan_list_runs(lds_store *s, int64_t before, int64_t limit, lds_buf *out,
                            lds_err *err);

/** What `GET /api/v1/plans/{id}` needs: the stored result JSON of run `id`
 *  (caller frees with lds_free); LDS_ENOTFOUND when there is no such run. */
lds_code lds_plan_get_run(lds_store *s, int64_t id, char **json, lds_err *err);

/**
 * The default corridor lanes between the regions given (by id): within
 * Ganzhou, within Shenzhen, Ganzhou <-> Shenzhen (434 km), both <-> Baotou and
 * Ningbo, and Shenzhen/Ningbo ports -> Germany / Michigan (one period by sea).
 * Writes at most `cap` lanes into `out` and returns how many exist.
 */
size_t lds_plan_default_lanes(const lds_plan_region *regions, size_t n_regions, lds_plan_lane *out,
                              size_t cap);

/**
 * Seeds the planning data of the demo corridor (requires lds_demo_seed):
 * a 12-month forecast of end products (from DOMAIN.md magnet content and
 * sector demand, scaled to the corridor), magnet-scrap returns, mining and
 * separation quotas for the corridor's miners and separators (DOMAIN.md §3
 * scaled; synthetic), and the scenarios "baseline" and
 * "export-controls-dy-tb-50".  One transaction; idempotent (a second call
 * changes nothing).
 */
lds_code lds_plan_seed_demo(lds_store *s, lds_err *err);

#endif
