/* market_int.h — internals shared by the market module's files. */
#ifndef LDS_MARKET_INT_H
#define LDS_MARKET_INT_H

#include <stdint.h>
#include "lodestone/buf.h"
#include "lodestone/listing.h"
#include "lodestone/market.h"
#include "lodestone/match.h"


/* run.c: the stored run (?1 id), its lines and unmet requests filtered by
 * lds_market__bind_scope (?1 run, ?2 sees all, ?3 caller's org). */
extern const char lds_market__q_run[];
extern const char lds_market__q_lines[];
extern const char lds_market__q_unmet[];
lds_code lds_market__bind_scope(lds_stmt *st, int64_t run_id, const lds_principal *who);
/** Parses the run id `idtxt` into *id and finds the run: LDS_ENOTFOUND when
 *  there is none.  With `row`, *row is lds_market__q_run stepped onto the
 *  run's row (the caller resets it). */
lds_code lds_market__run_row(lds_store *s, const char *idtxt, int64_t *id, lds_stmt **row,
                             lds_err *err);

/* session.c: warm match sessions kept between runs, per (database, material).
 * At most LDS_MARKET_SESSIONS sessions with LDS_MARKET_SESSION_PAIRS pair arcs
 * in all (about 120 bytes each: 500 MB at most, see docs/market.md). */
#define LDS_MARKET_SESSIONS      4
#define LDS_MARKET_SESSION_PAIRS 4000000
#define LDS_MARKET__INSTANCE_LEN 40
/* A run applies up to this many changed offers and requests warm; more, and
 * it rebuilds cold (each warm change re-solves once). */
#define LDS_MARKET_WARM_CHANGES 32
#define LDS_MARKET__STR2(x) #x
#define LDS_MARKET__STR(x)  LDS_MARKET__STR2(x)
/* Rows of market_changes kept (older ones are pruned by each run). */
#define LDS_MARKET_CHANGES_KEPT 10000

typedef struct lds_market__kept {
    lds_match_session *session; /* owned */
    int64_t seq;                /* last market_changes.seq it has applied */
    int64_t stamp;              /* that row's random stamp (0: none) */
    int64_t n_lanes;            /* lanes it was built with */
    int64_t run_id;             /* the run it last produced */
} lds_market__kept;

/** Takes the session of (instance, material) out of the cache: 1 and `*out`
 *  filled, or 0 when there is none. */
int lds_market__cache_take(const char *instance, const char *material, lds_market__kept *out);
/** Puts a session (ownership passes; kept->session becomes NULL), replacing
 *  one of the same scope and evicting the least recently used as needed. */
void lds_market__cache_put(const char *instance, const char *material, lds_market__kept *kept);

#endif
