/*
 * lifecycle.h — how fast projects move: cycle time per stage and time to
 * market (median and 90th percentile, overall, per sector and per region),
 * SLA breach rates of service requests per factor and per provider, and
 * open items by stage.  A pure engine over plain arrays (sort-based, no
 * per-item allocation) plus the store glue and the renderings used by
 * GET /api/v1/metrics/lifecycle and `lodestone report lifecycle`.
 * Definitions (docs/lifecycle.md):
 *   - Percentiles interpolate linearly between closest ranks (Hyndman-Fan
 *     type 7, as numpy's default and Excel PERCENTILE.INC): over n sorted
 *     values x[0..n-1], P(p) = x[j] + (h - j)(x[j+1] - x[j]) with
 *     h = (n - 1) p and j = floor(h).  The median is P(0.5).
 *   - Cycle time of a stage: per project, the total time of its completed
 *     stays in the stage (entered until left); the stay it is in now is not
 *     counted.  A project is one sample of a stage it has left at least once.
 *   - Time to market: from creation (entering proposed) to the first entry
 *     into market_access.
 *   - A service request breaches its SLA when it was done after its due
 *     time, or is still open (open, accepted, in_progress) past it at
 *     `now`.  Rate = breached / decided, where decided = done, plus open
 *     past due; rejected and cancelled requests are not counted.
 * Times are UTC epoch milliseconds.
 */
#ifndef LDS_LIFECYCLE_H
#define LDS_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "projects.h"
#include "store.h"

/* ---- input ---------------------------------------------------------------- */

typedef struct lds_lcm_project {
    int64_t id;
    const char *sector;
    const char *region;          /* the sponsor's region */
    lds_pstage stage;            /* now */
    int64_t created_ms;          /* entered proposed */
} lds_lcm_project;

/** A stage transition; creation need not be listed (a transition into the
 *  stage the project is already in changes nothing). */
typedef struct lds_lcm_transition {
    int64_t project_id;
    lds_pstage to;
    int64_t time_ms;
} lds_lcm_transition;

typedef struct lds_lcm_request {
    int64_t project_id;
    lds_factor factor;
    int64_t provider_org;        /* 0 = not assigned */
    lds_sr_status status;
    int64_t due_ms;
    int64_t done_ms;             /* when status is done */
} lds_lcm_request;

/** An organisation's name, to label providers. */
typedef struct lds_lcm_org {
    int64_t id;
    const char *name;
} lds_lcm_org;

typedef struct lds_lcm_input {
    const lds_lcm_project *projects;
    size_t n_projects;
    const lds_lcm_transition *transitions; /* any order; equal times keep input order */
    size_t n_transitions;
    const lds_lcm_request *requests;
    size_t n_requests;
    int64_t now_ms;
    const lds_lcm_org *orgs;     /* provider names, ascending id; may be empty */
    size_t n_orgs;
} lds_lcm_input;

/* ---- output --------------------------------------------------------------- */

typedef enum lds_lcm_dim { LDS_LCM_ALL = 0, LDS_LCM_SECTOR, LDS_LCM_REGION } lds_lcm_dim;

/** Durations of one group: a stage (or time to market) over all projects,
 *  one sector or one region. */
typedef struct lds_lcm_stat {
    int stage;                   /* lds_pstage; -1 = time to market */
    lds_lcm_dim dim;
    const char *key;             /* sector or region; NULL for all (borrowed from the input) */
    size_t n;
    double median_ms, p90_ms;
} lds_lcm_stat;

typedef struct lds_lcm_sla {
    int factor;                  /* lds_factor; -1 in the per-provider table */
    int64_t provider_org;        /* per-provider table; 0 = unassigned */
    const char *provider;        /* its name from `orgs` (borrowed), NULL when unknown */
    size_t n;                    /* requests counted (not rejected/cancelled) */
    size_t decided, breached;    /* see the definition above */
    size_t done_late, open_overdue; /* breached = done_late + open_overdue */
    double rate;                 /* breached / decided; 0 when nothing decided */
} lds_lcm_sla;

typedef struct lds_lcm_open {
    size_t projects;             /* projects in the stage now */
    size_t open_requests;        /* their open, accepted or in-progress requests */
    size_t overdue_requests;     /* of which past due */
} lds_lcm_open;

typedef struct lds_lcm_metrics {
    int64_t now_ms;
    size_t n_projects, n_transitions, n_requests;
    size_t n_cycle, n_ttm, n_sla_factor, n_sla_provider;
    lds_lcm_stat *cycle;         /* by stage, then all, sectors, regions (by name) */
    lds_lcm_stat *ttm;           /* all, sectors, regions */
    lds_lcm_sla *sla_factor;     /* factor order; factors without requests left out */
    lds_lcm_sla *sla_provider;   /* by provider id */
    lds_lcm_open open[LDS_PSTAGE_COUNT];
} lds_lcm_metrics;

/**
 * Computes the metrics of `in`.  Groups without samples are left out.  The
 * result borrows the sector and region strings of `in`.  LDS_EINVAL names a
 * transition or request of an unknown project, a stage, factor or status out
 * of range, a duplicate project id, or a transition before its project's
 * creation; LDS_ENOMEM.  `*out` is owned by the caller
 * (lds_lifecycle_metrics_free).
 */
lds_code lds_lifecycle_metrics(const lds_lcm_input *in, lds_lcm_metrics **out, lds_err *err);
void lds_lifecycle_metrics_free(lds_lcm_metrics *m);

/** Linear-interpolation percentile (type 7) of the sorted `x[0..n-1]`, p in
 *  [0, 1]; 0 for n = 0.  Exposed for tests and documentation. */
double lds_lifecycle_percentile(const int64_t *sorted, size_t n, double p);

/* ---- renderings (an lds_buf, declared void * to keep buf.h out) ----------- */

/** One JSON object: {"now":..,"projects":..,"cycle_time":[..],
 *  "time_to_market":[..],"sla_by_factor":[..],"sla_by_provider":[..],
 *  "open_by_stage":[..]}; durations in days. */
void lds_lifecycle_metrics_json(const lds_lcm_metrics *m, void *buf);
/** One CSV table (RFC 4180, header row): metric,dimension,key,stage,n,
 *  median_days,p90_days,decided,breached,breach_rate,projects,
 *  open_requests,overdue_requests; cells that do not apply are empty. */
void lds_lifecycle_metrics_csv(const lds_lcm_metrics *m, void *buf);
/** Aligned text tables for a terminal. */
void lds_lifecycle_metrics_table(const lds_lcm_metrics *m, void *buf);

/** "YYYY-MM-DDTHH:MM:SSZ" to UTC epoch ms; -1 when not that form. */
int64_t lds_lifecycle_time_parse(const char *rfc3339);

/* ---- store glue ----------------------------------------------------------- */

/** The history read from the store, owning its strings and arrays. */
typedef struct lds_lcm_data lds_lcm_data;

/**
 * Reads projects, their stage transitions (project_events of kind
 * transition) and service requests.  `now_ms` becomes the input's clock.
 * `*out` is owned by the caller (lds_lifecycle_data_free).
 */
lds_code lds_lifecycle_read(lds_store *s, int64_t now_ms, lds_lcm_data **out, lds_err *err);
/** The input of `d`; borrowed, valid until lds_lifecycle_data_free. */
const lds_lcm_input *lds_lifecycle_data_input(const lds_lcm_data *d);
void lds_lifecycle_data_free(lds_lcm_data *d);

#endif
