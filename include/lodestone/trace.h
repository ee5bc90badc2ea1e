/*
 * trace.h — EPCIS 2.0 capture and query over the store, and the
 * transparency log that every accepted event enters as a leaf.  The EPCIS
 * engine (epcis.h) validates and canonicalises; the ledger engine (ledger.h)
 * hashes and proves; this module stores, indexes and serialises appends.
 * The database is the source of truth: the in-memory tree is rebuilt from
 * the leaf table and catches up with leaves other processes committed.
 */
#ifndef LDS_TRACE_H
#define LDS_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "buf.h"
#include "epcis.h"
#include "err.h"
#include "ledger.h"
#include "registry.h"
#include "store.h"

/* ------------------------------------------------------------------ */
/* The shared transparency log                                        */
/* ------------------------------------------------------------------ */

/**
 * The process-wide view of the ledger: the Merkle tree of every committed
 * leaf, the signing key and the latest signed tree head.  One per server,
 * shared by all workers: appends are serialised by an internal mutex (held
 * across the capture transaction, so leaf indices are assigned in commit
 * order); proofs read the tree without locks.
 */
typedef struct lds_trace_ledger lds_trace_ledger;

/**
 * Where the key pair lives: `key_path` when non-empty, else "<db>.ledger-key"
 * next to the database (a "sqlite:" prefix is dropped).  LDS_EINVAL when the
 * result does not fit `n` bytes.
 */
lds_code lds_trace_key_path(const char *db_path, const char *key_path, char *out, size_t n,
                            lds_err *err);

/**
 * Builds the tree from the leaf table of `s` (borrowed for the call) and
 * loads the key pair from `key_path`, creating it (mode 0600) when missing.
 * LDS_ECORRUPT when the leaf indices have a gap, key-file errors as
 * lds_ledger_keyfile_load_or_create, LDS_ENOMEM, LDS_EIO.
 */
lds_code lds_trace_ledger_open(lds_store *s, const char *key_path, lds_trace_ledger **out,
                               lds_err *err);
/** Frees the ledger; NULL does nothing. */
void lds_trace_ledger_free(lds_trace_ledger *lg);

/** The Ed25519 public key (32 bytes, owned by `lg`). */
const uint8_t *lds_trace_ledger_public_key(const lds_trace_ledger *lg);

/**
 * The signed tree head over every committed leaf.  A head for a new size is
 * signed and stored in ledger_sths; otherwise the stored one is returned, so
 * repeated calls give the same bytes.  Thread-safe.
 */
lds_code lds_trace_ledger_sth(lds_trace_ledger *lg, lds_store *s, lds_ledger_sth *out,
                              lds_err *err);

/** Inclusion proof of `leaf_index` in the tree of `tree_size` leaves.  LDS_EINVAL
 *  (out of range, naming the parameter).  Thread-safe. */
lds_code lds_trace_ledger_inclusion(lds_trace_ledger *lg, lds_store *s, uint64_t leaf_index,
                                    uint64_t tree_size, lds_ledger_proof *out, lds_err *err);

/** Consistency proof between tree sizes `first` and `second`.  LDS_EINVAL.  Thread-safe. */
lds_code lds_trace_ledger_consistency(lds_trace_ledger *lg, lds_store *s, uint64_t first,
                                      uint64_t second, lds_ledger_proof *out, lds_err *err);

/** Current number of leaves (after catching up with the database). */
lds_code lds_trace_ledger_size(lds_trace_ledger *lg, lds_store *s, uint64_t *size, lds_err *err);

/** Appends the exact bytes of leaf `index` to `out`.  LDS_ENOTFOUND. */
lds_code lds_trace_leaf(lds_store *s, uint64_t index, lds_buf *out, lds_err *err);

/** The leaf index of an event.  LDS_ENOTFOUND. */
lds_code lds_trace_event_leaf_index(lds_store *s, const char *event_id, uint64_t *index,
                                    lds_err *err);

/* ------------------------------------------------------------------ */
/* Capture                                                             */
/* ------------------------------------------------------------------ */

typedef enum lds_trace_behaviour {
    LDS_TRACE_ROLLBACK = 0, /* store nothing if any event is invalid (the standard's default) */
    LDS_TRACE_PROCEED       /* store the valid events, report the others */
} lds_trace_behaviour;

/** Parses "rollback" / "proceed" (case-sensitive, as the standard spells them). */
lds_code lds_trace_behaviour_parse(const char *s, lds_trace_behaviour *out, lds_err *err);

/** Outcome of one capture. */
typedef struct lds_trace_capture_result {
    int64_t capture_id; /* the job row, 0 when nothing was recorded */
    size_t n_events;    /* events in the document */
    size_t n_stored;    /* new events stored */
    size_t n_duplicates; /* events whose eventID was already stored */
    size_t n_invalid;   /* invalid events (not stored) */
    uint64_t first_leaf; /* leaf index of the first stored event */
    char event_id[LDS_EPCIS_HASH_ID_LEN + 64]; /* single-event capture: its eventID */
} lds_trace_capture_result;

/**
 * Captures an EPCISDocument (or EPCISQueryDocument): validates it with the
 * EPCIS engine, gives events without eventID their CBV 2.0 hash ID, and in
 * one transaction stores the events, their identifier rows, their ledger
 * leaves (canonical bytes) and the capture job; the transaction commits
 * before this returns.  An eventID already stored makes the event a
 * duplicate (idempotent, not stored again, counted): the first capture
 * wins.  `lg` may be NULL (the CLI): leaves are still written, and a
 * server catches up on its next ledger call.
 *
 * Under ROLLBACK any invalid event gives LDS_EINVAL with nothing stored;
 * under PROCEED the valid events are stored and LDS_OK returned with
 * `res->n_invalid` counted, as long as the envelope is valid (else
 * LDS_EINVAL).  `rep` (initialised by the caller) receives the violations;
 * a reused eventID is added to it.  LDS_ENOMEM, LDS_EIO, LDS_EBUSY.
 */
lds_code lds_trace_capture(lds_store *s, lds_trace_ledger *lg, const json_t *doc,
                           lds_trace_behaviour behaviour, int64_t org_id, lds_epcis_report *rep,
                           lds_trace_capture_result *res, lds_err *err);

/**
 * Captures one event (POST /epcis/events; it carries its own "@context").
 * Same storage as a document of one event.  With a
 * ledger, concurrent calls from several threads are group-committed: one of
 * them writes every queued event in one transaction, and each call returns
 * after the commit that holds its event.  A repeat of
 * the stored bytes is a duplicate.  LDS_EINVAL with `rep` filled,
 * LDS_ECONFLICT when the eventID is stored with other bytes (a single event
 * is one deliberate request, so it is told rather than ignored).  A stored
 * event posted for `org_id` (0: the platform itself) is recorded under a
 * one-event capture job of that organisation in the same transaction.
 */
lds_code lds_trace_capture_event(lds_store *s, lds_trace_ledger *lg, const json_t *event,
                                 int64_t org_id, lds_epcis_report *rep,
                                 lds_trace_capture_result *res, lds_err *err);

/** Writes the capture job as JSON (the REST binding's CaptureJob).  LDS_ENOTFOUND. */
lds_code lds_trace_capture_job_json(lds_store *s, int64_t capture_id, lds_buf *out,
                                    lds_err *err);

/* ------------------------------------------------------------------ */
/* Query                                                               */
/* ------------------------------------------------------------------ */

#define LDS_TRACE_PER_PAGE_DEFAULT 100
#define LDS_TRACE_PER_PAGE_MAX     1000

/** Appends the stored event (its canonical JSON) to `out`.  LDS_ENOTFOUND. */
lds_code lds_trace_event_json(lds_store *s, const char *event_id, lds_buf *out, lds_err *err);

/**
 * Runs a SimpleEventQuery given as REST query parameters (eventType,
 * EQ_action, EQ_bizStep, EQ_disposition, EQ_readPoint, EQ_bizLocation,
 * GE/LT_eventTime, GE/LT_recordTime, MATCH_epc, MATCH_parentID,
 * MATCH_inputEPC, MATCH_outputEPC, MATCH_anyEPC, MATCH_epcClass,
 * MATCH_inputEPCClass, MATCH_outputEPCClass, MATCH_anyEPCClass, perPage,
 * nextPageToken; lists are '|'-separated).  Writes an EPCISQueryDocument to
 * `out` with events in capture order.  When more events match,
 * `next_token` (at least 64 bytes) receives the token for the next page,
 * else "".  LDS_EINVAL with each bad parameter in `fe`.
 */
lds_code lds_trace_query(lds_store *s, const lds_kv *params, size_t n_params, lds_buf *out,
                         char *next_token, size_t token_cap, lds_field_errors *fe, lds_err *err);

#endif
