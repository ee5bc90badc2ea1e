/*
 * invest.h — investor matching (pure engine) and the deal pipeline (store).
 *
 * The engine scores investor mandates against projects: sector, stage,
 * ticket range, regions and materials, plus a bonus for a project that adds
 * capacity at one of the current plan's bottlenecks (ranked by dual value).
 * It takes plain arrays, touches no store and no clock, and is deterministic:
 * equal scores are broken by ascending id.  See docs/investment.md.
 */
#ifndef LDS_INVEST_H
#define LDS_INVEST_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "projects.h"
#include "store.h"

/* ---- the matching engine (pure) ----------------------------------------- */

/** Points of each criterion when it matches (they sum to 100). */
#define LDS_INVEST_W_SECTOR   30.0
#define LDS_INVEST_W_STAGE    20.0
#define LDS_INVEST_W_TICKET   20.0
#define LDS_INVEST_W_REGION   15.0
#define LDS_INVEST_W_MATERIAL 15.0
/** Half the ticket points when the need exceeds the mandate's largest
 *  ticket (the investor can take part of the round, not all of it). */
#define LDS_INVEST_W_TICKET_PARTIAL 10.0
/** Bonus for capacity at the plan's top bottleneck; a lesser bottleneck
 *  earns it in proportion to its dual value over the top one's. */
#define LDS_INVEST_W_BOTTLENECK 25.0

/** Criterion bits of lds_invest_match.matched / .partial. */
enum {
    LDS_INVEST_C_SECTOR = 1u << 0,
    LDS_INVEST_C_STAGE = 1u << 1,
    LDS_INVEST_C_TICKET = 1u << 2,
    LDS_INVEST_C_REGION = 1u << 3,
    LDS_INVEST_C_MATERIAL = 1u << 4
};

/** What an investor wants.  An empty list means "any" (and matches). */
typedef struct lds_invest_mandate {
    int64_t id;
    int64_t org_id;
    const char *const *sectors;
    size_t n_sectors;
    const char *const *stages;     /* project stages, e.g. "financing" */
    size_t n_stages;
    double ticket_min, ticket_max; /* CNY per deal; ticket_max 0 = no upper limit */
    const char *const *regions;    /* region ids, e.g. "ganzhou" */
    size_t n_regions;
    const char *const *materials;  /* catalog material ids */
    size_t n_materials;
} lds_invest_mandate;

/** What a project offers an investor. */
typedef struct lds_invest_project {
    int64_t id;
    const char *sector;
    const char *stage;
    double financing_need;         /* CNY still to raise; 0 = none */
    const char *const *regions;    /* regions of the sponsor and the participants */
    size_t n_regions;
    const char *const *materials;  /* used or produced */
    size_t n_materials;
    int64_t capacity_facility;     /* existing facility it expands; 0 = new or none */
    const char *capacity_material; /* material of the added capacity; NULL = none */
    const char *capacity_region;   /* where; NULL = unknown */
    double capacity_t;             /* tonnes per period added; 0 = none */
} lds_invest_project;

/** A binding constraint of the latest plan, as the planning module ranks
 *  them ("bottleneck_facilities" of a plan run): a facility whose capacity
 *  is worth `dual` CNY per extra tonne. */
typedef struct lds_invest_bottleneck {
    int64_t facility_id;
    const char *facility;          /* name, for the explanation */
    const char *material;          /* what it makes; NULL = any */
    const char *region;            /* NULL = any */
    double dual;                   /* CNY per tonne of capacity, > 0 */
} lds_invest_bottleneck;

typedef struct lds_invest_input {
    const lds_invest_mandate *mandates;
    size_t n_mandates;
    const lds_invest_project *projects;
    size_t n_projects;
    const lds_invest_bottleneck *bottlenecks; /* highest dual first, or any order */
    size_t n_bottlenecks;
} lds_invest_input;

/** One scored mandate-project pair. */
typedef struct lds_invest_match {
    size_t mandate, project;       /* indices into the input arrays */
    double score;                  /* 0..125: criteria points + bottleneck bonus */
    unsigned matched;              /* LDS_INVEST_C_* fully met */
    unsigned partial;              /* LDS_INVEST_C_TICKET when only partly met */
    long bottleneck;               /* index into bottlenecks, -1 = none */
    double bonus;                  /* bottleneck points included in score */
} lds_invest_match;

/** Matches grouped by mandate (or by project): group g holds
 *  matches[first[g] .. first[g+1]), best first. */
typedef struct lds_invest_result {
    size_t n_groups, n;
    size_t *first;                 /* n_groups + 1 offsets */
    lds_invest_match *matches;
} lds_invest_result;

/**
 * For every mandate, its `k` best projects scoring at least `min_score`
 * (and above 0), best first; ties by ascending project id.  Borrows `in`.
 * LDS_EINVAL names a bad input (negative or reversed ticket range, negative
 * need, non-positive dual, a NULL string); LDS_ENOMEM.
 * `*out` is owned by the caller (lds_invest_result_free).
 */
lds_code lds_invest_match_mandates(const lds_invest_input *in, size_t k, double min_score,
                                   lds_invest_result **out, lds_err *err);

/** The same from the other side: for every project its `k` best mandates,
 *  ties by ascending mandate id. */
lds_code lds_invest_match_projects(const lds_invest_input *in, size_t k, double min_score,
                                   lds_invest_result **out, lds_err *err);

void lds_invest_result_free(lds_invest_result *r);

/** Scores one pair (no validation; indices must be in range). */
void lds_invest_score(const lds_invest_input *in, size_t mandate, size_t project,
                      lds_invest_match *out);

/**
 * Appends the explanation of `m` as one JSON object to `json` (an lds_buf,
 * declared void * to keep buf.h out of this header):
 *   {"score":..,"matched":["sector",..],"unmatched":[..],
 *    "criteria":[{"criterion":"sector","matched":true,"points":30,"detail":".."},..],
 *    "bottleneck":{"facility_id":..,"facility":"..","dual":..,"bonus":..,"detail":".."}|null}
 */
void lds_invest_explain_json(const lds_invest_input *in, const lds_invest_match *m, void *json);

/* ---- deal pipeline ------------------------------------------------------ */

/** Next stages a deal may take from `from` (bit per lds_deal_stage of
 *  projects.h): introduced -> diligence -> term_sheet -> closed, and
 *  declined from any of the three open stages; closed and declined end it. */
unsigned lds_deal_next(lds_deal_stage from);

/* ---- store layer -----------------------------------------------------------
 * Tables mandates, deals and deal_events (migration v6).  Roles: operators
 * do everything, auditors read everything; an investor states mandates and
 * opens and follows deals for its own organisation and sees the projects
 * open to investors; a project's sponsor and participants see its deals,
 * its investor matches, and move its deals.  A record the caller may not
 * read is LDS_ENOTFOUND; one it may read but not change LDS_EFORBIDDEN.
 * Writers do not begin or commit (the caller's transaction makes an error
 * store nothing).  `now_ms` is the clock (UTC epoch ms).  Outputs are JSON
 * text appended to `out`; invalid fields go to `fe` with JSON pointers.
 */

/** How many of the latest plan run's bottleneck facilities (by dual value)
 *  earn the matching bonus. */
#define LDS_INVEST_TOP_BOTTLENECKS 10

/**
 * States a mandate: {name, investor_org? (required for operators; an
 * investor's own org otherwise), sectors?, stages?, regions?, materials?
 * (arrays of known names, [] = any), ticket_min_cny?, ticket_max_cny,
 * active?}.  Writes the mandate to `out`, its id to `*id`.
 */
lds_code lds_mandate_create(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                            int64_t *id, lds_buf *out, lds_field_errors *fe, lds_err *err);
/** Lists mandates (investors: their own); filters investor_org, active; limit/next. */
lds_code lds_mandate_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                          size_t n_params, lds_buf *out, lds_field_errors *fe, lds_err *err);
lds_code lds_mandate_get(lds_store *s, const lds_principal *who, const char *id, lds_buf *out,
                         lds_err *err);

/**
 * The active mandates ranked for project `id` with explanations
 * ({"project_id","plan_run","bottlenecks","items":[{mandate_id, investor_org,
 * investor, mandate, score, explanation}]}).  Operators, auditors and the
 * project's members see every mandate; an investor its own, and only for a
 * project open to investors.  Parameters: limit (1..500, default 20),
 * min_score.  Bottlenecks: the latest plan run's top
 * LDS_INVEST_TOP_BOTTLENECKS facilities.
 */
lds_code lds_invest_project_matches(lds_store *s, const lds_principal *who, const char *id,
                                    const lds_kv *params, size_t n_params, lds_buf *out,
                                    lds_field_errors *fe, lds_err *err);
/** The projects open to investors (not operating or abandoned) ranked for
 *  mandate `id` ({"mandate_id",...,"items":[{project_id, title, sector,
 *  stage, score, explanation}]}); same parameters. */
lds_code lds_invest_mandate_matches(lds_store *s, const lds_principal *who, const char *id,
                                    const lds_kv *params, size_t n_params, lds_buf *out,
                                    lds_field_errors *fe, lds_err *err);

/**
 * Opens a deal {project, investor_org? (as for mandates), mandate?,
 * amount_cny?, reason?} at stage introduced; the project must be visible to
 * the investor (open to investors).  One deal per project-investor pair:
 * LDS_ECONFLICT names the existing one.  `out` gets the deal with its timeline.
 */
lds_code lds_deal_create(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                         int64_t *id, lds_buf *out, lds_field_errors *fe, lds_err *err);
/** Lists visible deals; filters project, stage, investor_org; limit/next. */
lds_code lds_deal_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                       size_t n_params, lds_buf *out, lds_field_errors *fe, lds_err *err);
/** One deal with its timeline (oldest first). */
lds_code lds_deal_get(lds_store *s, const lds_principal *who, const char *id, lds_buf *out,
                      lds_err *err);
/** The timeline alone: {"deal_id":..,"items":[{id, time, actor_org,
 *  actor_role, from, to, reason}]}, oldest first. */
lds_code lds_deal_timeline(lds_store *s, const lds_principal *who, const char *id,
                           lds_buf *out, lds_err *err);
/**
 * Moves a deal: {to, reason?, amount_cny?}.  Unknown stage: LDS_EINVAL (/to).
 * Not allowed from the current stage: LDS_ECONFLICT with `refusal` holding
 * the JSON members `"from":..,"allowed":[...],"unmet":[]` (no braces).
 */
lds_code lds_deal_transition(lds_store *s, const lds_principal *who, const char *id,
                             json_t *body, int64_t now_ms, lds_buf *out, lds_buf *refusal,
                             lds_field_errors *fe, lds_err *err);

/**
 * Demo mandates of the corridor's investors (every org of kind "investor")
 * and deals with histories over the past two years on projects open to
 * investors (deterministic, synthetic; requires lds_projects_seed_demo).
 * Idempotent: does nothing when mandates exist.
 */
lds_code lds_invest_seed_demo(lds_store *s, lds_err *err);

#endif
