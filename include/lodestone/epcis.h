/*
 * epcis.h — the pure EPCIS 2.0 engine: validation of EPCISDocuments and
 * single events (JSON / JSON-LD over jansson), the CBV 2.0 event hash ID
 * (ni:///sha-256;<hex>?ver=CBV2.0), a canonical byte form for the ledger and
 * accessors the store and query layers need.  No I/O; never logs.
 *
 * Ownership: every `const json_t *` is borrowed for the call; every
 * `const char *` handed back by an accessor points into the json_t and lives
 * as long as it does.  Functions are thread-safe on distinct objects.
 */
#ifndef LDS_EPCIS_H
#define LDS_EPCIS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "buf.h"
#include "err.h"

/* ------------------------------------------------------------------ */
/* Event types and actions                                             */
/* ------------------------------------------------------------------ */

typedef enum lds_epcis_type {
    LDS_EPCIS_TYPE_UNKNOWN = 0,
    LDS_EPCIS_OBJECT,
    LDS_EPCIS_AGGREGATION,
    LDS_EPCIS_TRANSACTION,
    LDS_EPCIS_TRANSFORMATION,
    LDS_EPCIS_ASSOCIATION
} lds_epcis_type;

typedef enum lds_epcis_action {
    LDS_EPCIS_ACTION_NONE = 0, /* absent (TransformationEvent has none) */
    LDS_EPCIS_ADD,
    LDS_EPCIS_OBSERVE,
    LDS_EPCIS_DELETE
} lds_epcis_action;

/** "ObjectEvent", ... for a type; "" for LDS_EPCIS_TYPE_UNKNOWN. */
const char *lds_epcis_type_name(lds_epcis_type t);
/** Parses an event type name; LDS_EPCIS_TYPE_UNKNOWN if not one of the five. */
lds_epcis_type lds_epcis_type_parse(const char *name);
/** "ADD", "OBSERVE", "DELETE" or "" for NONE. */
const char *lds_epcis_action_name(lds_epcis_action a);

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

/* Violations kept in a report; further ones are only counted. */
#define LDS_EPCIS_MAX_VIOLATIONS 64

/** One violation: a JSON pointer (RFC 6901) into the validated value and why.
 *  Field sizes match lds_field_error (registry.h) so the HTTP layer can copy. */
typedef struct lds_epcis_violation {
    char pointer[128];
    char message[192];
    long event_index; /* index in the event list, -1 for document-level */
} lds_epcis_violation;

/**
 * Outcome of validating a document or one event.  `event_ok` has one flag per
 * event of the document's event list (1 = valid), so a caller can implement
 * captureErrorBehaviour: "rollback" stores nothing unless `n_errors == 0`;
 * "proceed" stores the events whose flag is 1 as long as `doc_ok` is 1.
 * Initialise with lds_epcis_report_init, release with lds_epcis_report_release.
 */
typedef struct lds_epcis_report {
    int doc_ok;            /* 0 if the document envelope itself is invalid */
    size_t n_events;       /* events in the list (0 when the list is unusable) */
    size_t n_invalid;      /* events with at least one violation */
    unsigned char *event_ok; /* n_events flags, owned (lds_malloc) */
    size_t n_errors;       /* all violations found, including uncounted ones */
    int n_items;           /* violations stored in `items` (<= MAX) */
    lds_epcis_violation items[LDS_EPCIS_MAX_VIOLATIONS];
} lds_epcis_report;

void lds_epcis_report_init(lds_epcis_report *rep);
void lds_epcis_report_release(lds_epcis_report *rep);

/**
 * Validates an EPCISDocument (or an EPCISQueryDocument, whose events are in
 * epcisBody.queryResults.resultsBody.eventList) per EPCIS 2.0 / CBV 2.0 and
 * the rules the JSON schema misses.  Every violation is reported (up to the
 * cap) with a JSON pointer from the document root.  Returns LDS_OK when the
 * document and all its events are valid, LDS_EINVAL when anything is not
 * (details in `rep`), LDS_ENOMEM when the per-event flags cannot be
 * allocated.  `rep` must have been initialised; it is reset first.
 */
lds_code lds_epcis_validate_document(const json_t *doc, lds_epcis_report *rep, lds_err *err);

/**
 * Validates one event as taken by POST /epcis/events: the event must carry
 * its own "@context".  Pointers are relative to the event ("/epcList/0").
 * `rep->n_events` is 1 on return.  Same return codes as above.
 */
lds_code lds_epcis_validate_event(const json_t *event, lds_epcis_report *rep, lds_err *err);

/** The event list of an EPCISDocument or EPCISQueryDocument (borrowed), or
 *  NULL when the document has none. */
const json_t *lds_epcis_document_events(const json_t *doc);

/* ------------------------------------------------------------------ */
/* Event hash ID (CBV 2.0, section "event hash ID")                    */
/* ------------------------------------------------------------------ */

/* "ni:///sha-256;" + 64 hex + "?ver=CBV2.0" */
#define LDS_EPCIS_HASH_ID_LEN 89

/**
 * Reusable scratch state for pre-hash computation, so hashing a batch does
 * not allocate per event.  Not thread-safe: one per thread.
 */
typedef struct lds_epcis_hasher lds_epcis_hasher;

lds_epcis_hasher *lds_epcis_hasher_new(void);
void lds_epcis_hasher_free(lds_epcis_hasher *h);

/**
 * Builds the canonical pre-hash string of `event` into `out` (reset first).
 * `doc_context` is the "@context" of the enclosing document (may be NULL);
 * namespace prefixes declared there and in the event's own "@context" are
 * expanded.  Returns LDS_EINVAL if `event` is not an object with a string
 * "type", LDS_ENOMEM on allocation failure.
 */
lds_code lds_epcis_hasher_prehash(lds_epcis_hasher *h, const json_t *doc_context,
                                  const json_t *event, lds_buf *out, lds_err *err);

/**
 * Computes the event hash ID into `out` (NUL-terminated,
 * LDS_EPCIS_HASH_ID_LEN characters).  Same arguments and codes as above.
 */
lds_code lds_epcis_hasher_hash_id(lds_epcis_hasher *h, const json_t *doc_context,
                                  const json_t *event, char out[LDS_EPCIS_HASH_ID_LEN + 1],
                                  lds_err *err);

/** One-shot variants (allocate a temporary hasher). */
lds_code lds_epcis_event_prehash(const json_t *doc_context, const json_t *event, lds_buf *out,
                                 lds_err *err);
lds_code lds_epcis_event_hash_id(const json_t *doc_context, const json_t *event,
                                 char out[LDS_EPCIS_HASH_ID_LEN + 1], lds_err *err);

/** The "@context" of a document (borrowed) or NULL. */
const json_t *lds_epcis_document_context(const json_t *doc);

/* ------------------------------------------------------------------ */
/* Canonical bytes (ledger leaf)                                       */
/* ------------------------------------------------------------------ */

/**
 * Writes the canonical bytes of an accepted event into `out` (reset first):
 * the event as given, with "eventID" set to `event_id` when the event has
 * none and "@context" set to `doc_context` when the event has none, then
 * serialised per RFC 8785 (JSON Canonicalization Scheme): no whitespace,
 * object members sorted by UTF-16 code units, minimal string escapes, numbers
 * in ECMAScript shortest form (integers beyond 2^53 are written exactly).
 * The result is itself a valid single event for POST /epcis/events.
 * Returns LDS_EINVAL if `event` is not an object, LDS_ENOMEM on OOM.
 */
lds_code lds_epcis_event_canonical(const json_t *event, const json_t *doc_context,
                                   const char *event_id, lds_buf *out, lds_err *err);

/* ------------------------------------------------------------------ */
/* Accessors for storage and queries                                   */
/* ------------------------------------------------------------------ */

/** Scalar facts of an event.  Strings are borrowed from the json_t. */
typedef struct lds_epcis_event_info {
    lds_epcis_type type;
    lds_epcis_action action;
    const char *event_id;          /* as given, NULL if absent */
    int64_t event_time_ms;         /* eventTime as UTC epoch milliseconds */
    int event_tz_offset_min;       /* eventTimeZoneOffset in minutes (+01:00 -> 60) */
    int has_record_time;
    int64_t record_time_ms;        /* recordTime if given */
    const char *biz_step;          /* as given ("shipping" or a URI), NULL if absent */
    const char *disposition;
    const char *read_point;        /* readPoint.id */
    const char *biz_location;      /* bizLocation.id */
    const char *parent_id;
    const char *transformation_id;
} lds_epcis_event_info;

/**
 * Fills `info` from an event.  Returns LDS_EINVAL (with err->field set) when
 * the type, eventTime or eventTimeZoneOffset is missing or malformed; the
 * other fields are optional and left NULL/0.  Intended for validated events.
 */
lds_code lds_epcis_event_info_get(const json_t *event, lds_epcis_event_info *info, lds_err *err);

/** Where an identifier appears in an event. */
typedef enum lds_epcis_role {
    LDS_EPCIS_ROLE_EPC = 1,        /* epcList */
    LDS_EPCIS_ROLE_PARENT,         /* parentID */
    LDS_EPCIS_ROLE_CHILD_EPC,      /* childEPCs */
    LDS_EPCIS_ROLE_INPUT_EPC,      /* inputEPCList */
    LDS_EPCIS_ROLE_OUTPUT_EPC,     /* outputEPCList */
    LDS_EPCIS_ROLE_CLASS,          /* quantityList[].epcClass */
    LDS_EPCIS_ROLE_CHILD_CLASS,    /* childQuantityList[].epcClass */
    LDS_EPCIS_ROLE_INPUT_CLASS,    /* inputQuantityList[].epcClass */
    LDS_EPCIS_ROLE_OUTPUT_CLASS    /* outputQuantityList[].epcClass */
} lds_epcis_role;

/**
 * Callback for lds_epcis_event_each_id.  `uri` is borrowed.  For class roles
 * `has_quantity` says whether a quantity was given, `quantity` is it and `uom`
 * the unit or NULL.  Return non-zero to stop the iteration.
 */
typedef int (*lds_epcis_id_fn)(void *ctx, lds_epcis_role role, const char *uri,
                               int has_quantity, double quantity, const char *uom);

/** Calls `fn` for every EPC and EPC class of the event, in document order.
 *  Returns the first non-zero callback value, else 0.  Never allocates. */
int lds_epcis_event_each_id(const json_t *event, lds_epcis_id_fn fn, void *ctx);

/** CBV vocabularies with bare-word forms. */
typedef enum lds_epcis_vocab {
    LDS_EPCIS_VOCAB_BIZSTEP = 1,
    LDS_EPCIS_VOCAB_DISPOSITION,
    LDS_EPCIS_VOCAB_BTT,           /* business transaction type */
    LDS_EPCIS_VOCAB_SDT,           /* source/destination type */
    LDS_EPCIS_VOCAB_ER             /* error reason */
} lds_epcis_vocab;

/**
 * Writes the canonical web-URI form of a CBV value into `out` (appended):
 * "shipping", "cbv:BizStep-shipping", "urn:epcglobal:cbv:bizstep:shipping"
 * and "https://ref.gs1.org/cbv/BizStep-shipping" all give the last form; any
 * other value is written unchanged.  Lets queries match either spelling.
 */
void lds_epcis_cbv_normalize(lds_epcis_vocab vocab, const char *value, lds_buf *out);

/** 1 if `word` is a bare CBV 2.0 word of the vocabulary. */
int lds_epcis_cbv_known(lds_epcis_vocab vocab, const char *word);

/**
 * Converts an EPC URI (urn:epc:id / class / idpat) or a GS1 Digital Link URI
 * to the constrained canonical Digital Link form used by the hash ID
 * (https://id.gs1.org/..., lowest granularity, no query string).  Appends to
 * `out` and returns 1, or returns 0 and leaves `out` alone when `uri` has no
 * such form.
 */
int lds_epcis_uri_to_dl(const char *uri, lds_buf *out);

/**
 * Parses an RFC 3339 timestamp with mandatory offset into UTC epoch ms
 * (fractions beyond ms truncated) and its offset in minutes.  Returns 0 on
 * success, -1 when malformed.
 */
int lds_epcis_parse_time(const char *s, int64_t *epoch_ms, int *offset_min);

#endif
