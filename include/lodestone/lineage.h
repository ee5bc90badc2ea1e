/*
 * lineage.h — lots, their lineage through TransformationEvents, the mass
 * balance of each transformation, and the two traces: provenance (backward,
 * to the origin lots and their mines, with origin shares per element) and
 * descendants (forward, with the quantity attributable).
 *
 * A lot is an EPC class with lot as it appears in a quantity element
 * (`urn:epc:class:lgtin:...` or its GS1 Digital Link form), keyed by its
 * canonical Digital Link form when it has one (so both spellings name the
 * same lot), else by the URI as given.  A lot is created by its
 * *commissioning event*: the first stored ObjectEvent ADD that lists it in
 * `quantityList`, or the first TransformationEvent that lists it in
 * `outputQuantityList`.  Its material comes from that event's `ilmd`
 * (`lds:material`, `lds:grade`, `lds:region`, `lds:mine` with
 * lds = "https://lodestone.dev/epcis#"; the full-IRI keys are taken too),
 * else from the product-class registry (GTIN or class pattern -> material).
 * A lot with no known material has no REO content and counts by its
 * quantity alone (mass in kg when the unit is a mass, else the number).
 *
 * Shares propagate through each transformation in proportion to each
 * input's REO content (the consumed quantity converted with the catalog):
 * in total REO for `share`, per element for `element_shares`.  When any
 * input of a lot has no known content, the total weights fall back to
 * quantity alone for that lot's inputs.
 *
 * Layers: the share propagation over an in-memory graph
 * (lds_lineage_propagate) and the mass-balance test (lds_lineage_mass_check)
 * are pure; everything else reads or writes the store.
 */
#ifndef LDS_LINEAGE_H
#define LDS_LINEAGE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "buf.h"
#include "catalog.h"
#include "epcis.h"
#include "err.h"
#include "registry.h"
#include "store.h"

#define LDS_LINEAGE_URI_MAX   256  /* lot, location and event-id fields */
#define LDS_LINEAGE_MAX_PAIRS 16384 /* inputs x outputs of one TransformationEvent */
#define LDS_LINEAGE_ID_MAX    64   /* material, grade, region ids */
#define LDS_LINEAGE_MAX_NODES 4096 /* lots one trace visits at most (then `truncated`) */

/** The ilmd key prefix (context "lds"). */
#define LDS_LINEAGE_NS "https://lodestone.dev/epcis#"

/* ------------------------------------------------------------------ */
/* Lots                                                                */
/* ------------------------------------------------------------------ */

/** One lot as recorded from its commissioning event. */
typedef struct lds_lot {
    int64_t id;                          /* row id */
    char lot[LDS_LINEAGE_URI_MAX];       /* canonical key (Digital Link when it has one) */
    char material_id[LDS_LINEAGE_ID_MAX]; /* catalog material, "" when unknown */
    char grade[LDS_LINEAGE_ID_MAX];      /* "" when none */
    double quantity;                     /* as given in the commissioning event */
    char uom[8];                         /* UN/CEFACT code ("KGM", "TNE"), "" = a count */
    int has_quantity;
    int has_reo;                         /* 1 when the material and quantity convert */
    lds_reo reo;                         /* REO content of the whole lot (t), when has_reo */
    double weight;                       /* quantity alone: kg for a mass unit, else the count */
    char location[LDS_LINEAGE_URI_MAX];  /* bizLocation (else readPoint) of the commissioning event */
    char region_id[LDS_LINEAGE_ID_MAX];  /* ilmd lds:region, "" when none */
    char mine[128];                      /* ilmd lds:mine, "" when none */
    int64_t producer_org;                /* org that captured the commissioning event, 0 unknown */
    char event_id[LDS_LINEAGE_URI_MAX];  /* the commissioning event's eventID */
    int64_t event_time_ms;               /* its eventTime (UTC epoch ms) */
    int is_transformation_output;        /* 1 when a TransformationEvent created it */
    int mass_balance_flag;               /* 1 when its transformation broke the mass balance (flag mode) */
    char mass_balance_note[192];         /* the numbers, when flagged */
} lds_lot;

/**
 * Normalises a lot identifier as the index keys it: the canonical Digital
 * Link form when `uri` has one, else `uri`.  LDS_EINVAL when it does not fit.
 */
lds_code lds_lineage_lot_key(const char *uri, char out[LDS_LINEAGE_URI_MAX], lds_err *err);

/** Reads one lot (any spelling of its identifier).  LDS_ENOTFOUND. */
lds_code lds_lineage_lot_get(lds_store *s, const char *lot, lds_lot *out, lds_err *err);

/** Writes a lot as a JSON object. */
void lds_lineage_lot_json(const lds_lot *lot, lds_buf *out);

/**
 * Lists lots ordered by id: `limit`, `next` (cursor) and the filters
 * `material`, `org`, `origin` ("true": only lots with no upstream).
 * `only_org` > 0 restricts the list to lots that org holds (visibility).
 * Output {"items":[...],"next":"<cursor>"|null}.  LDS_EINVAL with `fe`.
 */
lds_code lds_lineage_lot_list(lds_store *s, const lds_kv *params, size_t n_params,
                              int64_t only_org, lds_buf *out, lds_field_errors *fe, lds_err *err);

/* ------------------------------------------------------------------ */
/* Product-class registry                                              */
/* ------------------------------------------------------------------ */

/**
 * Creates a mapping from a JSON body {"epc_class": URI or pattern ending in
 * "*"} or {"gtin": "8..14 digits"} to {"material": id, "grade": optional}.
 * GS1 classes (lgtin, sgtin patterns, Digital Link) are keyed by their
 * GTIN-14, so any lot of the GTIN maps; other URIs match exactly or, ending
 * in "*", by prefix.  LDS_EINVAL with `fe`, LDS_ECONFLICT for a pattern
 * already mapped.  Writes the record to `out`, its id to `*id`.  Runs in
 * the caller's transaction (none needed).
 */
lds_code lds_lineage_product_class_create(lds_store *s, const json_t *body, int64_t org_id,
                                          int64_t *id, lds_buf *out, lds_field_errors *fe,
                                          lds_err *err);

/** Lists the mappings ({"items":[...],"next":...}; `limit`, `next`, `material`). */
lds_code lds_lineage_product_class_list(lds_store *s, const lds_kv *params, size_t n_params,
                                        lds_buf *out, lds_field_errors *fe, lds_err *err);

/**
 * Material (and grade) mapped for a lot identifier, or LDS_ENOTFOUND.
 * `material`/`grade` receive "" when not found.
 */
lds_code lds_lineage_product_class_lookup(lds_store *s, const char *lot,
                                          char material[LDS_LINEAGE_ID_MAX],
                                          char grade[LDS_LINEAGE_ID_MAX], lds_err *err);

/* ------------------------------------------------------------------ */
/* Capture hooks (called by src/trace/capture.c)                       */
/* ------------------------------------------------------------------ */

typedef enum lds_mass_balance_mode {
    LDS_MASS_BALANCE_REJECT = 0, /* a violating event is invalid (400 under rollback) */
    LDS_MASS_BALANCE_FLAG        /* it is stored and its output lots carry the flag */
} lds_mass_balance_mode;

/**
 * The process-wide mode: set by lds_lineage_set_mass_balance, else read once
 * from LODESTONE_MASS_BALANCE (lds_config.mass_balance).  Thread-safe.
 */
lds_mass_balance_mode lds_lineage_mass_balance(void);
void lds_lineage_set_mass_balance(lds_mass_balance_mode mode);

/*
 * Custody.  An organisation *holds* a lot when it produced it (captured its
 * commissioning event) or when the lot was shipped to it: an event captured
 * by a holder that names the lot (quantityList, childQuantityList or
 * outputQuantityList) with a `destinationList` entry of any type equal to
 * `https://lodestone.dev/org/{D}` or to `https://lodestone.dev/facility/{F}`
 * of org D makes D a holder (transitively: D may ship on).  Org 0 (the
 * platform's own captures) and organisations of kind 'operator' are exempt:
 * their shipments pass custody on whoever holds the lot, and they may use
 * or make any lot.
 */

/**
 * Before a document captured by `org_id` is stored, for each valid
 * TransformationEvent:
 *  - custody (both modes, unless `org_id` is exempt): each input lot already
 *    stored must be held by `org_id` (unless the platform produced it: no
 *    producer org, or an operator's), and an output lot already stored
 *    must have been produced by it (lots first made in this document are
 *    the org's own; lds_lineage_index_event repeats the rule inside the
 *    capture transaction: LDS_ECONFLICT).  A violation
 *    points at the element's epcClass
 *    ("/epcisBody/eventList/3/inputQuantityList/0/epcClass") and names the
 *    org and the lot;
 *  - the mass balance (REJECT mode) against lots stored and lots
 *    commissioned earlier in the same document: JSON pointer to the event's
 *    outputQuantityList, the numbers in the message;
 *  - in every mode: at most LDS_LINEAGE_MAX_PAIRS input x output pairs
 *    (pointer to the event's inputQuantityList).
 * Each violation is added to `rep`, the event marked invalid and LDS_EINVAL
 * returned.  LDS_OK when nothing violates; LDS_ENOMEM, LDS_EIO.
 */
lds_code lds_lineage_check_document(lds_store *s, const json_t *doc, int64_t org_id,
                                    lds_epcis_report *rep, lds_err *err);
/** The same for one event (POST /epcis/events); pointers relative to the event. */
lds_code lds_lineage_check_event(lds_store *s, const json_t *event, int64_t org_id,
                                 lds_epcis_report *rep, lds_err *err);

/**
 * Inside the capture transaction, after the event row `event_row` is
 * written: records the lots it commissions and, for a TransformationEvent,
 * its input -> output edges, flagging the outputs when the mass balance
 * fails; for an event with a destinationList, the holders it makes
 * (lot_holders).  `capture_id` 0 for the platform's own single events (no
 * producer org then).  A TransformationEvent of a non-exempt organisation
 * naming a stored input lot it does not hold, or a stored output lot it
 * did not produce (stored by a concurrent capture after the check), is
 * LDS_ECONFLICT with nothing more written: the caller rolls back.
 */
lds_code lds_lineage_index_event(lds_store *s, const json_t *event, int64_t event_row,
                                 int64_t capture_id, lds_err *err);

/* ------------------------------------------------------------------ */
/* Pure engines                                                        */
/* ------------------------------------------------------------------ */

/** A lot in an in-memory lineage graph. */
typedef struct lds_lineage_node {
    int has_reo;
    double total;             /* REO content of the lot (t) */
    double el[LDS_RE_N];      /* per-element oxide content (t) */
    double weight;            /* quantity alone (see lds_lot.weight) */
} lds_lineage_node;

/** An input -> output edge: the input consumed by the transformation. */
typedef struct lds_lineage_edge {
    size_t input, output;     /* node indices */
    int has_reo;
    double total;             /* REO content of the consumed input quantity (t) */
    double el[LDS_RE_N];
    double weight;            /* consumed quantity alone */
} lds_lineage_edge;

/** A node's share of the root's content. */
typedef struct lds_lineage_share {
    size_t node;              /* origin node index (no edge into it) */
    double share;             /* of the root's total REO (quantity alone if unknown) */
    unsigned element_mask;    /* bit e: element_share[e] is known */
    double element_share[LDS_RE_N];
} lds_lineage_share;

/**
 * Propagates origin shares to `root` over the graph: a node with no edge
 * into it is an origin (share 1 of itself); for any other node the shares
 * of its inputs are mixed with weights = edge content / sum (total REO; per
 * element for element shares; quantity alone when an input has no known
 * content).  Edges that close a cycle are ignored.  `out` receives one
 * entry per origin reachable from root (capacity `n_nodes`), in order of
 * first visit; `*n_out` their number.  Shares sum to 1 (each element's too,
 * over the origins that carry it).  LDS_EINVAL for a bad index, LDS_ENOMEM.
 */
lds_code lds_lineage_propagate(const lds_lineage_node *nodes, size_t n_nodes,
                               const lds_lineage_edge *edges, size_t n_edges, size_t root,
                               lds_lineage_share *out, size_t *n_out, lds_err *err);

/**
 * Forward: the fraction of each node that comes from `root` (1 for root, 0
 * for nodes it does not reach), mixing by the same total weights.
 * `fraction` has n_nodes entries.  LDS_EINVAL, LDS_ENOMEM.
 */
lds_code lds_lineage_fractions(const lds_lineage_node *nodes, size_t n_nodes,
                               const lds_lineage_edge *edges, size_t n_edges, size_t root,
                               double *fraction, lds_err *err);

/** One mass-balance violation. */
typedef struct lds_mass_violation {
    int element;              /* lds_re, or -1 for total REO */
    double in_t, out_t, yield, limit_t;
} lds_mass_violation;

/**
 * Checks out <= in x yield in total REO and per element (tolerance 1e-9 t
 * plus 1e-6 relative).  Returns the number of violations (written up to
 * `cap`).  Pure.
 */
size_t lds_lineage_mass_check(const lds_reo *in, const lds_reo *out, double yield,
                              lds_mass_violation *v, size_t cap);

/** "Dy2O3 out 0.120000 t > in 0.100000 t x best yield 0.96 = 0.096000 t" */
void lds_lineage_mass_message(const lds_mass_violation *v, char *buf, size_t n);

/**
 * The catalog's best yield for a step producing `material_id`: the highest
 * yield of the recipes listing it as an output; 1 when none does.
 */
double lds_lineage_best_yield(const lds_catalog *c, const char *material_id);

/* ------------------------------------------------------------------ */
/* Traces                                                              */
/* ------------------------------------------------------------------ */

/** An input -> output link of the provenance tree (one TransformationEvent). */
typedef struct lds_prov_link {
    size_t input, output;                 /* indices into lds_provenance.lots */
    char event_id[LDS_LINEAGE_URI_MAX];   /* the TransformationEvent */
    int64_t event_time_ms;
    char location[LDS_LINEAGE_URI_MAX];   /* its bizLocation (else readPoint), "" when none */
    double quantity;                      /* input quantity consumed, in `uom` */
    char uom[8];
    int has_quantity;
} lds_prov_link;

/** An origin lot with its shares of the traced lot. */
typedef struct lds_prov_origin {
    size_t lot;                           /* index into lds_provenance.lots */
    double share;                         /* of total REO; origins' shares sum to 1 */
    unsigned element_mask;                /* bit e: element_share[e] known */
    double element_share[LDS_RE_N];
} lds_prov_origin;

/**
 * Backward trace.  lots[0] is the traced lot; every upstream lot appears
 * once; links are the transformation edges between them (a DAG: a lot can
 * feed several others).  Owned arrays: release with lds_provenance_release.
 */
typedef struct lds_provenance {
    lds_lot *lots;
    size_t n_lots;
    lds_prov_link *links;
    size_t n_links;
    lds_prov_origin *origins;
    size_t n_origins;
    int mass_balance_flag;                /* some lot of the tree is flagged */
    int truncated;                        /* more than LDS_LINEAGE_MAX_NODES lots */
} lds_provenance;

/** Traces `lot` (any spelling) back to its origin lots.  LDS_ENOTFOUND, LDS_ENOMEM, LDS_EIO. */
lds_code lds_lineage_provenance(lds_store *s, const char *lot, lds_provenance *out,
                                lds_err *err);
void lds_provenance_release(lds_provenance *p);
/**
 * Writes {"lot":{...},"tree":{lot, material, quantity, inputs:[{event_id,
 * quantity, uom, from:{...}}]},"origins":[{lot, location, region, mine,
 * share, element_shares:{"Nd":..}}],"by_region":{..},"by_mine":{..},
 * "mass_balance_flag":bool,"truncated":bool}.
 */
void lds_provenance_json(const lds_provenance *p, lds_buf *out);

/** A lot downstream of the traced one. */
typedef struct lds_desc_lot {
    lds_lot lot;
    int depth;                            /* transformations from the traced lot */
    double fraction;                      /* of this lot that comes from the traced one */
    double quantity;                      /* attributable: fraction x lot quantity, in lot.uom */
    double reo_t;                         /* attributable REO (t) when lot.has_reo */
} lds_desc_lot;

typedef struct lds_descendants {
    lds_lot root;
    lds_desc_lot *lots;                   /* breadth-first order */
    size_t n_lots;
    int truncated;
} lds_descendants;

/** Traces `lot` forward.  LDS_ENOTFOUND, LDS_ENOMEM, LDS_EIO. */
lds_code lds_lineage_descendants(lds_store *s, const char *lot, lds_descendants *out,
                                 lds_err *err);
void lds_descendants_release(lds_descendants *d);
/** Writes {"lot":{...},"descendants":[{lot, material, depth, fraction, quantity, uom, reo_t}],"truncated":bool}. */
void lds_descendants_json(const lds_descendants *d, lds_buf *out);

/**
 * Visibility: with `all` (operators, auditors) every lot; otherwise a lot
 * `org_id` holds: it produced it (captured its commissioning event) or the
 * lot was shipped to it by a holder (see "Custody" above).  Naming a lot in
 * an event of one's own grants nothing.  The traces of a visible lot are
 * shown whole.  1 visible, 0 not.
 */
int lds_lineage_visible(lds_store *s, const lds_lot *lot, int64_t org_id, int all);

/** Frees the cached catalog (tests that reload it). */
void lds_lineage_reset_cache(void);

#endif
