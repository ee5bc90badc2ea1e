/*
 * verify.c — proof verification exactly as RFC 9162 §2.1.3.2 (inclusion)
 * and §2.1.4.2 (consistency), with transparency-dev/merkle's edge rules.
 * Verifiers only hash and compare; every failure names its reason.
 */
#include <string.h>
#include <sodium.h>
#include "ledger_int.h"

#define ULL(x)   ((unsigned long long)(x))
#define PROOF(i) (proof + (i) * LDS_LEDGER_HASH_LEN) /* the i-th hash */

lds_code lds_ledger_verify_inclusion(uint64_t leaf_index, uint64_t tree_size,
                                     const uint8_t leaf_hash[LDS_LEDGER_HASH_LEN],
                                     const uint8_t *proof, size_t n_proof,
                                     const uint8_t root[LDS_LEDGER_HASH_LEN], lds_err *err)
{
    if (leaf_index >= tree_size)
        return lds_err_set(err, LDS_ECORRUPT, "leaf index %llu is not below tree size %llu",
                           ULL(leaf_index), ULL(tree_size));
    uint64_t fn = leaf_index, sn = tree_size - 1;
    uint8_t r[LDS_LEDGER_HASH_LEN];
    memcpy(r, leaf_hash, sizeof r);
    for (size_t i = 0; i < n_proof; i++) {
        if (sn == 0)
            return lds_err_set(err, LDS_ECORRUPT,
                               "inclusion proof is too long: %zu hashes, leaf %llu of a tree of "
                               "%llu needs %zu",
                               n_proof, ULL(leaf_index), ULL(tree_size), i);
        if ((fn & 1) || fn == sn) {
            lds_ledger_hash_children(PROOF(i), r, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            lds_ledger_hash_children(r, PROOF(i), r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return lds_err_set(err, LDS_ECORRUPT,
                           "inclusion proof is too short: %zu hashes for leaf %llu of a tree "
                           "of %llu",
                           n_proof, ULL(leaf_index), ULL(tree_size));
    if (sodium_memcmp(r, root, sizeof r) != 0)
        return lds_err_set(err, LDS_ECORRUPT,
                           "inclusion proof does not lead to the root: leaf %llu is not in the "
                           "tree of %llu with that root",
                           ULL(leaf_index), ULL(tree_size));
    return LDS_OK;
}

lds_code lds_ledger_verify_consistency(uint64_t size1, uint64_t size2,
                                       const uint8_t root1[LDS_LEDGER_HASH_LEN],
                                       const uint8_t root2[LDS_LEDGER_HASH_LEN],
                                       const uint8_t *proof, size_t n_proof, lds_err *err)
{
    if (size1 > size2)
        return lds_err_set(err, LDS_ECORRUPT, "first tree size %llu is larger than second %llu",
                           ULL(size1), ULL(size2));
    if (size1 == 0)
        return lds_err_set(err, LDS_ECORRUPT,
                           "consistency with the empty tree (size 0) proves nothing");
    if (size1 == size2) {
        if (n_proof != 0)
            return lds_err_set(err, LDS_ECORRUPT,
                               "equal tree sizes need an empty proof, got %zu hashes", n_proof);
        if (sodium_memcmp(root1, root2, LDS_LEDGER_HASH_LEN) != 0)
            return lds_err_set(err, LDS_ECORRUPT, "equal tree sizes %llu but different roots",
                               ULL(size1));
        return LDS_OK;
    }
    if (n_proof == 0)
        return lds_err_set(err, LDS_ECORRUPT, "consistency proof from %llu to %llu is empty",
                           ULL(size1), ULL(size2));
    /* When size1 is a power of two the old root is itself a node of the new
     * tree and the proof leaves it out: the verifier supplies it. */
    size_t i = 0;
    const uint8_t *seed;
    if ((size1 & (size1 - 1)) == 0) {
        seed = root1;
    } else {
        seed = PROOF(0);
        i = 1;
    }
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[LDS_LEDGER_HASH_LEN], sr[LDS_LEDGER_HASH_LEN];
    memcpy(fr, seed, sizeof fr);
    memcpy(sr, seed, sizeof sr);
    for (; i < n_proof; i++) {
        if (sn == 0)
            return lds_err_set(err, LDS_ECORRUPT,
                               "consistency proof from %llu to %llu is too long (%zu hashes)",
                               ULL(size1), ULL(size2), n_proof);
        if ((fn & 1) || fn == sn) {
            lds_ledger_hash_children(PROOF(i), fr, fr);
            lds_ledger_hash_children(PROOF(i), sr, sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            lds_ledger_hash_children(sr, PROOF(i), sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return lds_err_set(err, LDS_ECORRUPT,
                           "consistency proof from %llu to %llu is too short (%zu hashes)",
                           ULL(size1), ULL(size2), n_proof);
    if (sodium_memcmp(fr, root1, sizeof fr) != 0)
        return lds_err_set(err, LDS_ECORRUPT,
                           "consistency proof does not rebuild the first root (size %llu)",
                           ULL(size1));
    if (sodium_memcmp(sr, root2, sizeof sr) != 0)
        return lds_err_set(err, LDS_ECORRUPT,
                           "consistency proof does not rebuild the second root (size %llu)",
                           ULL(size2));
    return LDS_OK;
}

/* Copies unchecked hashes into fixed-size storage, rejecting wrong lengths. */
static lds_code take_hash(lds_ledger_bytes b, const char *what, uint8_t out[LDS_LEDGER_HASH_LEN],
                          lds_err *err)
{
    if (b.len != LDS_LEDGER_HASH_LEN || (b.len && !b.ptr))
        return lds_err_set(err, LDS_ECORRUPT, "%s is %zu bytes, want 32", what, b.len);
    memcpy(out, b.ptr, LDS_LEDGER_HASH_LEN);
    return LDS_OK;
}

static lds_code take_proof(const lds_ledger_bytes *proof, size_t n_proof, lds_ledger_proof *out,
                           lds_err *err)
{
    if (n_proof > LDS_LEDGER_PROOF_MAX)
        return lds_err_set(err, LDS_ECORRUPT, "proof has %zu hashes, more than any tree needs",
                           n_proof);
    for (size_t i = 0; i < n_proof; i++) {
        if (proof[i].len != LDS_LEDGER_HASH_LEN || !proof[i].ptr)
            return lds_err_set(err, LDS_ECORRUPT, "proof hash %zu is %zu bytes, want 32", i,
                               proof[i].len);
        memcpy(out->hash[i], proof[i].ptr, LDS_LEDGER_HASH_LEN);
    }
    out->n = n_proof;
    return LDS_OK;
}

lds_code lds_ledger_verify_inclusion_bytes(uint64_t leaf_index, uint64_t tree_size,
                                           lds_ledger_bytes leaf_hash,
                                           const lds_ledger_bytes *proof, size_t n_proof,
                                           lds_ledger_bytes root, lds_err *err)
{
    uint8_t leaf[LDS_LEDGER_HASH_LEN], r[LDS_LEDGER_HASH_LEN];
    lds_ledger_proof p;
    lds_code rc;
    if ((rc = take_hash(leaf_hash, "leaf hash", leaf, err)) != LDS_OK ||
        (rc = take_hash(root, "root hash", r, err)) != LDS_OK ||
        (rc = take_proof(proof, n_proof, &p, err)) != LDS_OK)
        return rc;
    return lds_ledger_verify_inclusion(leaf_index, tree_size, leaf,
                                       p.hash[0], p.n, r, err);
}

lds_code lds_ledger_verify_consistency_bytes(uint64_t size1, uint64_t size2, lds_ledger_bytes root1,
                                             lds_ledger_bytes root2, const lds_ledger_bytes *proof,
                                             size_t n_proof, lds_err *err)
{
    uint8_t r1[LDS_LEDGER_HASH_LEN], r2[LDS_LEDGER_HASH_LEN];
    lds_ledger_proof p;
    lds_code rc;
    if (size1 == size2 && size1 != 0) {
        /* Nothing is hashed: the roots are opaque, as in transparency-dev. */
        if (n_proof != 0)
            return lds_err_set(err, LDS_ECORRUPT,
                               "equal tree sizes need an empty proof, got %zu hashes", n_proof);
        if (root1.len != root2.len || (root1.len && memcmp(root1.ptr, root2.ptr, root1.len) != 0))
            return lds_err_set(err, LDS_ECORRUPT, "equal tree sizes %llu but different roots",
                               ULL(size1));
        return LDS_OK;
    }
    if (size1 > size2 || size1 == 0)
        return lds_ledger_verify_consistency(size1, size2, NULL, NULL, NULL, 0, err);
    if ((rc = take_hash(root1, "first root", r1, err)) != LDS_OK ||
        (rc = take_hash(root2, "second root", r2, err)) != LDS_OK ||
        (rc = take_proof(proof, n_proof, &p, err)) != LDS_OK)
        return rc;
    return lds_ledger_verify_consistency(size1, size2, r1, r2,
                                         p.hash[0], p.n, err);
}
