/*
 * projects.h — industrial projects carried through stage gates, the service
 * requests that meet the gates, and the providers that take them.  Three
 * layers: the vocabularies (stages, factors, statuses, sectors) with their
 * stable names; the pure gate engine (lifecycle configuration parsed from
 * data/lifecycle.json, and what a project may move to now); and the store
 * layer behind /api/v1/projects, /service-requests and /providers, which
 * checks roles, validates input and writes the timeline.  docs/projects.md
 * describes the stage machine, the gates and the roles.
 *
 * Tables (migration v6): projects, project_orgs, project_materials,
 * project_capacity, project_documents, project_events (the timeline),
 * project_lifecycle, service_providers, service_requests,
 * service_request_comments; for the investment module mandates, deals and
 * deal_events.  Times are UTC epoch milliseconds, money CNY cents; mandate
 * and provider list fields are JSON arrays of names ([] = any).
 *
 * Thread-safety: no global state; a store handle is used by one thread.
 */
#ifndef LDS_PROJECTS_H
#define LDS_PROJECTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "auth.h"
#include "buf.h"
#include "err.h"
#include "registry.h"
#include "store.h"

/* ---- vocabularies --------------------------------------------------------
 * Each enum has a stable lower-case name (the stored and JSON form),
 * lds_<x>_name() (NULL when out of range) and lds_<x>_parse() (1 and the
 * value when known, else 0).
 */

/** Project stages: the main sequence in order, then the two side states. */
typedef enum lds_pstage {
    LDS_PSTAGE_PROPOSED = 0,
    LDS_PSTAGE_PERMITTING,
    LDS_PSTAGE_FINANCING,
    LDS_PSTAGE_TECHNICAL_VALIDATION,
    LDS_PSTAGE_PILOT_PRODUCTION,
    LDS_PSTAGE_TALENT,
    LDS_PSTAGE_MARKET_ACCESS,
    LDS_PSTAGE_OPERATING,
    LDS_PSTAGE_ON_HOLD,
    LDS_PSTAGE_ABANDONED,
    LDS_PSTAGE_COUNT
} lds_pstage;

/** Factor types of service requests and provider capabilities. */
typedef enum lds_factor {
    LDS_FACTOR_PERMITTING = 0,
    LDS_FACTOR_FINANCING,
    LDS_FACTOR_TECHNICAL_VALIDATION,
    LDS_FACTOR_PILOT_PRODUCTION,
    LDS_FACTOR_TALENT,
    LDS_FACTOR_MARKET_ACCESS,
    LDS_FACTOR_LOGISTICS,
    LDS_FACTOR_LEGAL_IP,
    LDS_FACTOR_COUNT
} lds_factor;

/** Service-request status: open → accepted → in_progress → done, or
 *  rejected (by the provider) / cancelled (by the project side). */
typedef enum lds_sr_status {
    LDS_SR_OPEN = 0,
    LDS_SR_ACCEPTED,
    LDS_SR_IN_PROGRESS,
    LDS_SR_DONE,
    LDS_SR_REJECTED,
    LDS_SR_CANCELLED,
    LDS_SR_COUNT
} lds_sr_status;

/** Deal pipeline per project-investor pair (written by the investment module). */
typedef enum lds_deal_stage {
    LDS_DEAL_INTRODUCED = 0,
    LDS_DEAL_DILIGENCE,
    LDS_DEAL_TERM_SHEET,
    LDS_DEAL_CLOSED,
    LDS_DEAL_DECLINED,
    LDS_DEAL_COUNT
} lds_deal_stage;

/** "Rare Earth +" sectors of projects and mandates. */
typedef enum lds_sector {
    LDS_SECTOR_MAGNETS = 0,
    LDS_SECTOR_MOTORS,
    LDS_SECTOR_EV,
    LDS_SECTOR_ROBOTICS,
    LDS_SECTOR_DRONES,
    LDS_SECTOR_WIND,
    LDS_SECTOR_ELECTRONICS,
    LDS_SECTOR_MATERIALS,  /* separation, metals, alloys */
    LDS_SECTOR_RECYCLING,
    LDS_SECTOR_COUNT
} lds_sector;

/** Kinds of timeline entries (project_events.kind). */
typedef enum lds_pevent_kind {
    LDS_PEVENT_TRANSITION = 0, /* creation is a transition from NULL to proposed */
    LDS_PEVENT_EDIT,
    LDS_PEVENT_DOCUMENT,
    LDS_PEVENT_SERVICE,
    LDS_PEVENT_COUNT
} lds_pevent_kind;

const char *lds_pstage_name(lds_pstage s);
int lds_pstage_parse(const char *name, lds_pstage *out);
const char *lds_factor_name(lds_factor f);
int lds_factor_parse(const char *name, lds_factor *out);
const char *lds_sr_status_name(lds_sr_status s);
int lds_sr_status_parse(const char *name, lds_sr_status *out);
const char *lds_deal_stage_name(lds_deal_stage s);
int lds_deal_stage_parse(const char *name, lds_deal_stage *out);
const char *lds_sector_name(lds_sector s);
int lds_sector_parse(const char *name, lds_sector *out);
const char *lds_pevent_kind_name(lds_pevent_kind k);

/** True for the main-sequence stages before `operating` (proposed ..
 *  market_access): the ones a project can be put on hold from. */
int lds_pstage_is_active(lds_pstage s);
/** True for operating and abandoned: nothing leaves them. */
int lds_pstage_is_terminal(lds_pstage s);

/* ---- the gate engine (pure) ----------------------------------------------
 * A stage's gate is what must hold to ENTER it: documents of given kinds
 * attached to the project, and/or a service request of a given factor in
 * status done.  Predecessors: each main stage follows the one before it;
 * on_hold is entered from any active stage and left only back to the stage
 * it was held at (no gate re-check: it was met on entry) or to abandoned;
 * abandoned is entered from any active stage or on_hold.  Neither gate
 * applies to on_hold nor abandoned.
 */
#define LDS_GATE_MAX_CRIT      8  /* criteria per stage */
#define LDS_GATE_MAX_DOC_KINDS 32 /* declared document kinds */
#define LDS_GATE_NAME_LEN      48

typedef enum lds_gate_kind { LDS_GATE_DOCUMENT = 0, LDS_GATE_SERVICE } lds_gate_kind;

typedef struct lds_gate_crit {
    lds_gate_kind kind;
    char doc_kind[LDS_GATE_NAME_LEN]; /* LDS_GATE_DOCUMENT: required document kind */
    lds_factor factor;                /* LDS_GATE_SERVICE: factor of a done request */
    char label[160];                  /* human text, e.g. "EIA approval on file" */
} lds_gate_crit;

/** The lifecycle configuration: document kinds and per-stage gates. */
typedef struct lds_lifecycle {
    int n_doc_kinds;
    char doc_kinds[LDS_GATE_MAX_DOC_KINDS][LDS_GATE_NAME_LEN];
    int n_crit[LDS_PSTAGE_COUNT];
    lds_gate_crit crit[LDS_PSTAGE_COUNT][LDS_GATE_MAX_CRIT];
    int sla_days[LDS_FACTOR_COUNT]; /* default due date of a request, days after creation */
} lds_lifecycle;

/**
 * Parses a lifecycle document (data/lifecycle.json):
 *   {"document_kinds": ["eia_approval", ...],
 *    "sla_days": {"permitting": 60, ...},            (optional; default 30)
 *    "gates": {"financing": [{"document": "eia_approval", "label": "..."},
 *                            {"service": "permitting", "label": "..."}], ...}}
 * Unknown stages, factors, document kinds or keys are LDS_EINVAL naming the
 * JSON pointer.  Gates on on_hold or abandoned are refused.
 */
lds_code lds_lifecycle_parse(const char *json, size_t len, lds_lifecycle *out, lds_err *err);
/** True when `kind` is one of the declared document kinds. */
int lds_lifecycle_has_doc_kind(const lds_lifecycle *lc, const char *kind);

/** What the engine needs to know about one project.  Borrowed. */
typedef struct lds_gate_state {
    lds_pstage stage;
    lds_pstage held_stage;           /* when stage is on_hold: the stage held at */
    const char *const *doc_kinds;    /* kinds of the attached documents */
    size_t n_docs;
    unsigned done_factors;           /* bit (1u << factor): a request of it is done */
} lds_gate_state;

typedef struct lds_gate_result {
    unsigned allowed; /* bit (1u << stage): reachable now (predecessor and gate) */
    int n_unmet;      /* unmet criteria of the stage asked for */
    const lds_gate_crit *unmet[LDS_GATE_MAX_CRIT];
    int predecessor_ok; /* the stage asked for may follow the current one */
} lds_gate_result;

/** True when `to` may directly follow the state's stage (gates aside). */
int lds_gate_follows(const lds_gate_state *st, lds_pstage to);

/**
 * Evaluates a transition of a project in state `st` to `to`: fills `res`
 * (allowed = every stage reachable now; unmet = the criteria of `to` not
 * met; predecessor_ok).  Returns 1 when the transition is allowed.
 */
int lds_gate_eval(const lds_lifecycle *lc, const lds_gate_state *st, lds_pstage to,
                  lds_gate_result *res);

/* ---- store layer ---------------------------------------------------------
 * Functions taking `who` apply the roles: operators see and do everything;
 * sponsors and participants (members of the sponsor or a project_orgs org)
 * read and edit their projects; investors read projects open to investors;
 * auditors read everything; providers read projects they have requests on.
 * A record the caller may not read is LDS_ENOTFOUND; one it may read but not
 * change is LDS_EFORBIDDEN.  Writers do not begin or commit: the caller runs
 * them in one transaction, so an error stores nothing.  `now_ms` is the
 * clock (UTC epoch ms), passed in so tests and the demo control it.
 * Outputs are JSON text in `out`; invalid fields go to `fe` with pointers.
 */

/** Loads a lifecycle document from `path` into the store (replacing any). */
lds_code lds_projects_load_lifecycle(lds_store *s, const char *path, int64_t now_ms,
                                     lds_err *err);
/** Loads $LODESTONE_LIFECYCLE, else data/lifecycle.json (relative to the
 *  working directory), as lds_projects_load_lifecycle does; `lodestone seed`
 *  calls it with and without --demo. */
lds_code lds_projects_seed_lifecycle(lds_store *s, lds_err *err);
/** As lds_projects_seed_lifecycle, only when no lifecycle is stored yet
 *  (`*loaded` says whether it loaded one); `lodestone migrate` calls it. */
lds_code lds_projects_ensure_lifecycle(lds_store *s, int *loaded, lds_err *err);
/** Reads the stored lifecycle; with none stored, an empty one (no gates). */
lds_code lds_projects_lifecycle(lds_store *s, lds_lifecycle *out, lds_err *err);

/** Whether `org` sponsors project `project` or takes part in it (*yes;
 *  0 when there is no such project). */
lds_code lds_project_is_member(lds_store *s, int64_t project, int64_t org, int *yes, lds_err *err);

/** Access of `who` to project `id`: *can_read / *can_edit (either may be
 *  NULL).  LDS_ENOTFOUND when no such project. */
lds_code lds_project_access(lds_store *s, const lds_principal *who, int64_t id, int *can_read,
                            int *can_edit, lds_err *err);

/**
 * Creates a project: {title, sponsor_org, sector, region?, financing_need_cny?,
 * description?, open_to_investors?, participants?: [org ids],
 * materials?: [{material, direction}], capacity?: [{facility?, material,
 * region?, tonnes, per?}]}.  A member may sponsor only for its own org.
 * Stage is proposed; the timeline gets the creation.
 */
lds_code lds_project_create(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                            int64_t *id, lds_buf *out, lds_field_errors *fe, lds_err *err);
/** Lists visible projects; filters stage, sector, region, sponsor, open_to_investors. */
lds_code lds_project_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                          size_t n_params, lds_buf *out, lds_field_errors *fe, lds_err *err);
lds_code lds_project_get(lds_store *s, const lds_principal *who, const char *id, lds_buf *out,
                         lds_err *err);
/** Edits title, sector, region, financing_need_cny, description,
 *  open_to_investors, participants, materials, capacity; stage is refused
 *  (use a transition).  Records an 'edit' with the changed fields. */
lds_code lds_project_patch(lds_store *s, const lds_principal *who, const char *id, json_t *body,
                           int64_t now_ms, lds_buf *out, lds_field_errors *fe, lds_err *err);
/**
 * Moves a project: {to, reason}.  Unknown stage: LDS_EINVAL (/to).  Refused
 * (predecessor or gate): LDS_ECONFLICT with `refusal` holding the JSON
 * members `"allowed":[...],"unmet":[...]` (no braces) for the problem body.
 */
lds_code lds_project_transition(lds_store *s, const lds_principal *who, const char *id,
                                json_t *body, int64_t now_ms, lds_buf *out, lds_buf *refusal,
                                lds_field_errors *fe, lds_err *err);
/** The timeline, oldest first (paged with limit/next; filter kind). */
lds_code lds_project_timeline(lds_store *s, const lds_principal *who, const char *id,
                              const lds_kv *params, size_t n_params, lds_buf *out,
                              lds_field_errors *fe, lds_err *err);
/** Attaches a document {kind, title, uri?, sha256?}; kind from the lifecycle. */
lds_code lds_project_doc_add(lds_store *s, const lds_principal *who, const char *id, json_t *body,
                             int64_t now_ms, int64_t *doc_id, lds_buf *out, lds_field_errors *fe,
                             lds_err *err);
lds_code lds_project_doc_list(lds_store *s, const lds_principal *who, const char *id,
                              lds_buf *out, lds_err *err);

/** Declares a provider's capabilities {org?, factors:[...], regions?:[...],
 *  max_open, sla_days?, description?} (one row per factor, replacing). */
lds_code lds_provider_put(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                          lds_buf *out, lds_field_errors *fe, lds_err *err);
/** Lists capabilities with current load; filters factor, region, org. */
lds_code lds_provider_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                           size_t n_params, int64_t now_ms, lds_buf *out, lds_field_errors *fe,
                           lds_err *err);

/**
 * Creates a service request {project, factor, description, provider_org?,
 * due?}.  Without a provider the platform proposes one from capabilities,
 * regions and load, and says why (`proposal`).
 */
lds_code lds_sr_create(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                       int64_t *id, lds_buf *out, lds_field_errors *fe, lds_err *err);
/** Lists visible requests; filters project, factor, status, provider,
 *  overdue=true (not done/rejected/cancelled and due before now). */
lds_code lds_sr_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                     size_t n_params, int64_t now_ms, lds_buf *out, lds_field_errors *fe,
                     lds_err *err);
lds_code lds_sr_get(lds_store *s, const lds_principal *who, const char *id, int64_t now_ms,
                    lds_buf *out, lds_err *err);
/** {status?, provider_org?, due?, description?} with the status machine
 *  checked (LDS_ECONFLICT naming the allowed next statuses). */
lds_code lds_sr_patch(lds_store *s, const lds_principal *who, const char *id, json_t *body,
                      int64_t now_ms, lds_buf *out, lds_field_errors *fe, lds_err *err);
lds_code lds_sr_comment(lds_store *s, const lds_principal *who, const char *id, json_t *body,
                        int64_t now_ms, int64_t *comment_id, lds_buf *out, lds_field_errors *fe,
                        lds_err *err);

/** Next statuses a request may take from `from` (bit per lds_sr_status). */
unsigned lds_sr_next(lds_sr_status from);

/** Demo projects, providers, investors and their history (deterministic,
 *  synthetic); loads data/lifecycle.json (or $LODESTONE_LIFECYCLE) first. */
lds_code lds_projects_seed_demo(lds_store *s, lds_err *err);

#endif
