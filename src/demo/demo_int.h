/*
 * demo_int.h — the demo generator's PRNG, exposed for tests: splitmix64
 * seeds xoshiro256**, so a seed fixes the whole stream on every platform.
 */
#ifndef LDS_DEMO_INT_H
#define LDS_DEMO_INT_H

#include <stdint.h>

typedef struct lds_demo_rng {
    uint64_t s[4];
} lds_demo_rng;

void lds_demo__rng_init(lds_demo_rng *r, uint64_t seed);
uint64_t lds_demo__rng_next(lds_demo_rng *r);
/** Uniform integer in [lo, hi] (lo when hi <= lo). */
int64_t lds_demo__rng_between(lds_demo_rng *r, int64_t lo, int64_t hi);

#endif
