/*
 * fuzz_ledger_proof.c — arbitrary bytes as ledger proofs and tree heads.
 * The first byte picks the input: 0 get-sth JSON, 1 inclusion-proof JSON,
 * 2 consistency-proof JSON, 3 passport JSON, 4 raw sizes and hashes for the
 * unchecked-length verifiers.  Beyond "no crash, no leak", it checks
 * soundness: a proof that verifies against the fixed 50-leaf tree must be
 * byte for byte the proof the tree itself produces (RFC 9162 proofs are
 * unique), and a decoded head re-encodes to something that decodes the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "lodestone/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_LEAVES 50u

typedef struct fixture {
    lds_ledger_tree *tree;
    lds_ledger_keypair key; /* from the all-zero seed: corpora can be signed offline */
} fixture;

static fixture *fixture_get(void)
{
    static fixture fx;
    if (fx.tree)
        return &fx;
    uint8_t seed[32] = {0};
    crypto_sign_ed25519_seed_keypair(fx.key.public_key, fx.key.secret_key, seed);
    if (lds_ledger_tree_new(&fx.tree, NULL) != LDS_OK)
        abort();
    for (unsigned i = 0; i < N_LEAVES; i++) {
        uint8_t b = (uint8_t)i;
        if (lds_ledger_tree_append_data(fx.tree, &b, 1, NULL) != LDS_OK)
            abort();
    }
    return &fx;
}

static int same_proof(const lds_ledger_proof *a, const lds_ledger_proof *b)
{
    return a->n == b->n && memcmp(a->hash, b->hash, a->n * LDS_LEDGER_HASH_LEN) == 0;
}

static void fuzz_sth(fixture *fx, const char *text, size_t len)
{
    lds_ledger_sth sth, again;
    if (lds_ledger_sth_from_json(text, len, &sth, NULL) != LDS_OK)
        return;
    (void)lds_ledger_sth_verify(&sth, fx->key.public_key, NULL);
    lds_buf b = LDS_BUF_INIT;
    lds_ledger_sth_to_json(&sth, &b);
    if (!b.oom && (lds_ledger_sth_from_json(b.ptr, b.len, &again, NULL) != LDS_OK ||
                   memcmp(&sth, &again, sizeof sth) != 0))
        abort(); /* encode/decode must round-trip */
    lds_buf_release(&b);
}

static void fuzz_inclusion(fixture *fx, const char *text, size_t len)
{
    lds_ledger_proof p, mine;
    uint64_t index;
    uint8_t leaf[32], root[32];
    if (lds_ledger_inclusion_from_json(text, len, &index, &p, NULL) != LDS_OK)
        return;
    for (uint64_t size = 1; size <= N_LEAVES; size += 7) {
        lds_ledger_tree_root(fx->tree, size, root, NULL);
        if (index < size)
            lds_ledger_tree_leaf_hash(fx->tree, index, leaf, NULL);
        else
            memset(leaf, 0xab, sizeof leaf);
        if (lds_ledger_verify_inclusion(index, size, leaf, p.hash[0], p.n, root, NULL) != LDS_OK)
            continue;
        if (lds_ledger_tree_inclusion(fx->tree, index, size, &mine, NULL) != LDS_OK ||
            !same_proof(&p, &mine))
            abort(); /* a forged proof verified */
    }
}

static void fuzz_consistency(fixture *fx, const char *text, size_t len)
{
    lds_ledger_proof p, mine;
    uint8_t r1[32], r2[32];
    if (lds_ledger_consistency_from_json(text, len, &p, NULL) != LDS_OK)
        return;
    for (uint64_t m = 1; m <= N_LEAVES; m += 3) {
        uint64_t n = N_LEAVES - (m % 5);
        if (n < m)
            continue;
        lds_ledger_tree_root(fx->tree, m, r1, NULL);
        lds_ledger_tree_root(fx->tree, n, r2, NULL);
        if (lds_ledger_verify_consistency(m, n, r1, r2, p.hash[0], p.n, NULL) != LDS_OK)
            continue;
        if (lds_ledger_tree_consistency(fx->tree, m, n, &mine, NULL) != LDS_OK ||
            !same_proof(&p, &mine))
            abort();
    }
}

static uint64_t take_u64(const uint8_t **d, size_t *n)
{
    uint64_t v = 0;
    for (int i = 0; i < 8 && *n; i++, (*d)++, (*n)--)
        v = v << 8 | **d;
    return v;
}

/* Raw form: u64 a, u64 b, then hashes as [len byte][bytes] records. */
static void fuzz_raw(const uint8_t *d, size_t n)
{
    uint64_t a = take_u64(&d, &n), b = take_u64(&d, &n);
    lds_ledger_bytes h[70];
    size_t k = 0;
    while (n && k < 70) {
        size_t len = *d++ % 40;
        n--;
        if (len > n)
            len = n;
        h[k].ptr = d;
        h[k].len = len;
        d += len;
        n -= len;
        k++;
    }
    if (k < 2)
        return;
    (void)lds_ledger_verify_inclusion_bytes(a, b, h[0], h + 2, k - 2, h[1], NULL);
    (void)lds_ledger_verify_consistency_bytes(a, b, h[0], h[1], h + 2, k - 2, NULL);
    /* Small sizes reach the full algorithms more often. */
    (void)lds_ledger_verify_inclusion_bytes(a % 64, b % 64, h[0], h + 2, k - 2, h[1], NULL);
    (void)lds_ledger_verify_consistency_bytes(a % 64, b % 64, h[0], h[1], h + 2, k - 2, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fixture *fx = fixture_get();
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    size_t n_events;
    switch (data[0] % 5) {
    case 0: fuzz_sth(fx, text, len); break;
    case 1: fuzz_inclusion(fx, text, len); break;
    case 2: fuzz_consistency(fx, text, len); break;
    case 3:
        (void)lds_ledger_passport_verify(text, len, fx->key.public_key, &n_events, NULL);
        break;
    default: fuzz_raw(data + 1, size - 1); break;
    }
    return 0;
}
