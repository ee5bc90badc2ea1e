/*
 * ledger_int.h — internals of src/ledger shared between its files and the
 * tests: generalised subtree proofs over [start, end) ranges (the form of
 * draft-ietf-plants-merkle-tree-certs; for start = 0 they are plain RFC 9162
 * MTH, PATH and PROOF) and small helpers.
 */
#ifndef LDS_LEDGER_INT_H
#define LDS_LEDGER_INT_H

#include <stdint.h>
#include "lodestone/ledger.h"

/**
 * True when [start, end) is a valid subtree: start <= end and (start == 0 or
 * start == end or start is a multiple of bit_ceil(end - start)).
 */
int lds_ledger__subtree_valid(uint64_t start, uint64_t end);

/** MTH(D[start:end]) for a valid subtree with end <= size; SHA-256("") when empty. */
lds_code lds_ledger__subtree_hash(const lds_ledger_tree *tree, uint64_t start, uint64_t end,
                                  uint8_t out[LDS_LEDGER_HASH_LEN], lds_err *err);
/** PATH(index - start, D[start:end]) for a valid subtree, start <= index < end <= size. */
lds_code lds_ledger__subtree_inclusion(const lds_ledger_tree *tree, uint64_t index, uint64_t start,
                                       uint64_t end, lds_ledger_proof *out, lds_err *err);
/**
 * Proof that the valid subtree [start, end) is part of the tree of `n`
 * leaves (end <= n <= size): the generalised SUBPROOF; empty when the range
 * is empty or is the whole tree.
 */
lds_code lds_ledger__subtree_consistency(const lds_ledger_tree *tree, uint64_t start, uint64_t end,
                                         uint64_t n, lds_ledger_proof *out, lds_err *err);

/**
 * SHA-256(0x01 || left || right) over byte strings of any length (the
 * published hasher vectors use short ASCII strings); `out` may alias.
 */
void lds_ledger__hash_node_bytes(const uint8_t *left, size_t left_len, const uint8_t *right,
                                 size_t right_len, uint8_t out[LDS_LEDGER_HASH_LEN]);

/** Largest power of two strictly below n (n >= 2). */
static inline uint64_t lds_ledger__split(uint64_t n)
{
    uint64_t k = (uint64_t)1 << (63 - __builtin_clzll(n - 1));
    return k;
}

/** Decodes standard base64 into at most `cap` bytes; -1 if not base64 or too long. */
int lds_ledger__base64_decode(const char *b64, size_t len, uint8_t *out, size_t cap,
                              size_t *out_len);

#endif
