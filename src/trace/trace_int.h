/* trace_int.h — internals shared by the trace module's files. */
#ifndef LDS_TRACE_INT_H
#define LDS_TRACE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include "lodestone/trace.h"

typedef struct lds_trace__waiter lds_trace__waiter;

struct lds_trace_ledger {
    pthread_mutex_t mu;     /* serialises appends, catch-up and signing */
    /* Serialises appends to `tree`.  A capture takes it before dropping
     * `mu` after its commit and appends its leaves holding only this, so
     * the next capture's database writes overlap that append while the
     * tree still grows in commit order.  Order: mu, then tree_mu. */
    pthread_mutex_t tree_mu;
    /* Group commit of single events: waiters queue here; one of them, the
     * leader, writes the whole queue in one transaction. */
    pthread_mutex_t q_mu;
    pthread_cond_t q_cv;
    lds_trace__waiter *q_head, *q_tail;
    int has_leader;
    lds_ledger_tree *tree;  /* every committed leaf (lock-free readers) */
    lds_ledger_keypair kp;  /* the log's signing key */
    int has_sth;
    lds_ledger_sth sth;     /* latest head handed out */
    /* How long capture writes held `mu` (the serial part of capture: one
     * database writer), in thread CPU and wall nanoseconds, and how many
     * times; bench/trace reads them. */
    _Atomic int64_t held_cpu_ns, held_wall_ns, holds;
    /* eventID keys in epcis_event_keys_new as this process last knew it
     * (another process's captures are counted when this one starts); read
     * and written holding `mu`.  keys_known: staged_keys has been counted. */
    int64_t staged_keys;
    int keys_known;
    int64_t key_merge; /* merge at this many staged keys; 0: LDS_TRACE__KEY_MERGE */
};

/* The eventID keys of captured events go to epcis_event_keys_new; once it
 * holds this many they move to epcis_event_keys in the capture's
 * transaction (migration 15). */
#define LDS_TRACE__KEY_MERGE 16000

/* SQL, a FROM source: the event rows `e` whose eventID key is ?K (both key
 * tables).  SQLite flattens it into one join per key table; the former
 * `e.id IN (...)` form built a temporary list on every run (~0.9 us, paid
 * per event by capture's repeat probe). */
#define LDS_TRACE__EVENTS_KEYED(K)                                                                 \
    "(SELECT event AS id FROM epcis_event_keys WHERE key = " K                                     \
    " UNION ALL SELECT event FROM epcis_event_keys_new WHERE key = " K ") ek "                    \
    "JOIN epcis_events e ON e.id = ek.id"

/** Moves every staged eventID key to epcis_event_keys (in the caller's
 * transaction). */
lds_code lds_trace__merge_event_keys(lds_store *s, lds_err *err);

/** Catches the tree up with ledger_leaves (takes lg->tree_mu; signing holds lg->mu too). */
lds_code lds_trace__sync(lds_trace_ledger *lg, lds_store *s, lds_err *err);
/** lds_trace__sync for a caller that holds lg->tree_mu (and maybe not mu). */
lds_code lds_trace__sync_held(lds_trace_ledger *lg, lds_store *s, lds_err *err);
/** Wall clock in Unix milliseconds. */
int64_t lds_trace__now_ms(void);
/** Formats Unix ms as RFC 3339 UTC with milliseconds ("2024-01-02T03:04:05.678Z"). */
void lds_trace__fmt_time(int64_t ms, char out[32]);

#endif
