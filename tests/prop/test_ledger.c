/*
 * test_ledger.c — properties of the Merkle engine on random trees (seeded;
 * the seed is printed on failure and LDS_SEED=<n> replays it): for random
 * sizes n, every inclusion proof (i, n) and every consistency proof (m, n)
 * verifies, and flipping any single bit of the proof, the leaf hash or
 * either root makes verification fail.  Appending leaf by leaf agrees with
 * the recursive RFC 9162 MTH computed directly from the leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"
#include "lodestone/ledger.h"

typedef uint8_t hash_t[LDS_LEDGER_HASH_LEN];

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* splitmix64: tiny, seedable, good enough for test inputs */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t seed_value(void)
{
    const char *s = getenv("LDS_SEED");
    return s ? strtoull(s, NULL, 10) : (uint64_t)time(NULL);
}

/* Direct RFC 9162 MTH over leaf hashes, by the textbook recursion. */
static void mth(hash_t *leaves, uint64_t n, hash_t out)
{
    if (n == 0) {
        lds_ledger_empty_root(out);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[0], sizeof(hash_t));
        return;
    }
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    hash_t l, r;
    mth(leaves, k, l);
    mth(leaves + k, n - k, r);
    lds_ledger_hash_children(l, r, out);
}

#define P(p) ((p).hash[0])

static void flip(uint8_t *bytes, uint64_t bit)
{
    bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

static void check_tree(uint64_t seed, uint64_t n, int exhaustive)
{
    lds_ledger_tree *t;
    hash_t *leaves = malloc((size_t)(n ? n : 1) * sizeof(hash_t));
    assert_non_null(leaves);
    assert_int_equal(lds_ledger_tree_new(&t, NULL), LDS_OK);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t data[16];
        size_t len = (size_t)(rng() % sizeof data);
        for (size_t j = 0; j < len; j++)
            data[j] = (uint8_t)rng();
        lds_ledger_hash_leaf(data, len, leaves[i]);
        assert_int_equal(lds_ledger_tree_append(t, leaves[i], NULL), LDS_OK);
    }
    hash_t root, want;
    mth(leaves, n, want);
    assert_int_equal(lds_ledger_tree_root(t, n, root, NULL), LDS_OK);
    if (memcmp(root, want, sizeof root) != 0)
        fail_msg("seed %llu: root of %llu leaves differs from MTH", (unsigned long long)seed,
                 (unsigned long long)n);

    lds_ledger_proof p;
    lds_err e;
    for (uint64_t i = 0; i < n; i++) {
        assert_int_equal(lds_ledger_tree_inclusion(t, i, n, &p, NULL), LDS_OK);
        hash_t leaf;
        memcpy(leaf, leaves[i], sizeof leaf);
        if (lds_ledger_verify_inclusion(i, n, leaf, P(p), p.n, root, &e) != LDS_OK)
            fail_msg("seed %llu: inclusion (%llu, %llu): %s", (unsigned long long)seed,
                     (unsigned long long)i, (unsigned long long)n, e.msg);
        /* Bits: the proof's, then the leaf's, then the root's. */
        uint64_t bits = 8 * LDS_LEDGER_HASH_LEN * (p.n + 2);
        uint64_t tries = exhaustive ? bits : 24;
        for (uint64_t k = 0; k < tries; k++) {
            uint64_t bit = exhaustive ? k : rng() % bits;
            uint64_t h = bit / 256;
            uint8_t *target = h < p.n ? p.hash[h] : h == p.n ? leaf : root;
            flip(target, bit % 256);
            if (lds_ledger_verify_inclusion(i, n, leaf, P(p), p.n, root, &e) == LDS_OK)
                fail_msg("seed %llu: inclusion (%llu, %llu) survived flipping bit %llu",
                         (unsigned long long)seed, (unsigned long long)i, (unsigned long long)n,
                         (unsigned long long)bit);
            flip(target, bit % 256);
        }
    }
    for (uint64_t m = 1; m <= n; m++) {
        hash_t r1;
        mth(leaves, m, r1);
        assert_int_equal(lds_ledger_tree_consistency(t, m, n, &p, NULL), LDS_OK);
        if (lds_ledger_verify_consistency(m, n, r1, root, P(p), p.n, &e) != LDS_OK)
            fail_msg("seed %llu: consistency (%llu, %llu): %s", (unsigned long long)seed,
                     (unsigned long long)m, (unsigned long long)n, e.msg);
        uint64_t bits = 8 * LDS_LEDGER_HASH_LEN * (p.n + 2);
        uint64_t tries = exhaustive ? bits : 24;
        for (uint64_t k = 0; k < tries; k++) {
            uint64_t bit = exhaustive ? k : rng() % bits;
            uint64_t h = bit / 256;
            uint8_t *target = h < p.n ? p.hash[h] : h == p.n ? r1 : root;
            flip(target, bit % 256);
            if (lds_ledger_verify_consistency(m, n, r1, root, P(p), p.n, &e) == LDS_OK)
                fail_msg("seed %llu: consistency (%llu, %llu) survived flipping bit %llu",
                         (unsigned long long)seed, (unsigned long long)m, (unsigned long long)n,
                         (unsigned long long)bit);
            flip(target, bit % 256);
        }
        /* A proof for (m, n) does not pass for a neighbouring old size. */
        if (m + 1 < n && p.n > 0) {
            hash_t r1b;
            mth(leaves, m + 1, r1b);
            assert_int_not_equal(lds_ledger_verify_consistency(m + 1, n, r1b, root, P(p), p.n, &e),
                                 LDS_OK);
        }
    }
    lds_ledger_tree_free(t);
    free(leaves);
}

static void small_trees_exhaustive(void **state)
{
    (void)state;
    uint64_t seed = seed_value();
    rng_state = seed;
    for (uint64_t n = 1; n <= 17; n++)
        check_tree(seed, n, 1);
}

static void random_sizes(void **state)
{
    (void)state;
    uint64_t seed = seed_value();
    rng_state = seed ^ 0x5eed;
    for (int round = 0; round < 12; round++) {
        uint64_t n = 1 + rng() % (round < 8 ? 300 : 1100);
        check_tree(seed, n, 0);
    }
    printf("ledger property seed %llu\n", (unsigned long long)seed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_trees_exhaustive),
        cmocka_unit_test(random_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
