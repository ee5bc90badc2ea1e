/*
 * demo.h — the synthetic Ganzhou–Shenzhen demo corridor.  A deterministic
 * generator (own xoshiro256** PRNG, integer arithmetic only) writes
 * fictional organisations, facilities, and open supply offers and demand
 * requests for twelve monthly periods into a store that already holds the
 * catalog.  Every row it writes carries synthetic = 1, and the meta table
 * says so ('dataset').  The same seed gives byte-identical rows.
 */
#ifndef LDS_DEMO_H
#define LDS_DEMO_H

#include <stdint.h>
#include "err.h"
#include "store.h"

/** Seed used by `lodestone seed --demo` and `lodestone demo`. */
#define LDS_DEMO_DEFAULT_SEED 20260101u
/** The platform operator organisation (orgs.kind = 'operator'). */
#define LDS_DEMO_OPERATOR_NAME "Ganzhou\xe2\x80\x93Shenzhen Rare Earth Innovation Centre"
/** First monthly period of offers and requests, and how many follow. */
#define LDS_DEMO_FIRST_PERIOD "2026-01"
#define LDS_DEMO_N_PERIODS    12

/**
 * Seeds the corridor in one transaction.  The catalog (regions, stages,
 * materials) must be loaded first (LDS_EINVAL otherwise).  Seeding is
 * idempotent per seed: if the database already holds the demo for `seed`,
 * nothing changes and LDS_OK is returned; if it holds the demo of another
 * seed, LDS_ECONFLICT.  On error nothing is written.
 */
lds_code lds_demo_seed(lds_store *s, uint64_t seed, lds_err *err);

/** Id of the operator organisation (kind 'operator'); LDS_ENOTFOUND if none. */
lds_code lds_demo_operator_org(lds_store *s, int64_t *org_id, lds_err *err);

#endif
