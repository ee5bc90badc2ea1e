/*
 * tree.c — the in-memory append-only Merkle tree.  Level l holds the hashes
 * of the complete subtrees of 2^l leaves, so node (l, i) exists once the tree
 * has (i + 1) << l leaves and never changes afterwards; roots and proofs for
 * any earlier size are assembled from these nodes (RFC 9162 §2.1).
 *
 * One writer and any number of readers may run at once without locks: the
 * writer fills every node of size n + 1 before publishing the size with a
 * release store, hashes never move (fixed chunks), and a grown chunk table
 * replaces the old one atomically while the old one is kept until free.
 */
#include <string.h>
#include "lodestone/alloc.h"
#include "ledger_int.h"

#define CHUNK_SHIFT 12u /* 4096 hashes = 128 KiB per chunk */
#define CHUNK_LEN   ((uint64_t)1 << CHUNK_SHIFT)
#define MAX_LEVELS  64u

typedef uint8_t hash_t[LDS_LEDGER_HASH_LEN];

typedef struct level {
    hash_t **chunks;           /* chunks[i >> CHUNK_SHIFT][i & (CHUNK_LEN - 1)]; atomic */
    size_t n_chunks;           /* allocated chunks (writer only) */
    size_t cap_chunks;         /* slots in `chunks` (writer only) */
    hash_t **retired[MAX_LEVELS]; /* outgrown tables, freed with the tree (readers may hold them) */
    unsigned n_retired;
} level;

struct lds_ledger_tree {
    uint64_t size;             /* leaves, atomic; level l holds size >> l nodes */
    level levels[MAX_LEVELS];
};

lds_code lds_ledger_tree_new(lds_ledger_tree **out, lds_err *err)
{
    *out = NULL;
    lds_ledger_tree *t = lds_calloc(1, sizeof *t);
    if (!t)
        return lds_err_set(err, LDS_ENOMEM, "out of memory creating the ledger tree");
    *out = t;
    return LDS_OK;
}

void lds_ledger_tree_free(lds_ledger_tree *tree)
{
    if (!tree)
        return;
    for (unsigned l = 0; l < MAX_LEVELS; l++) {
        level *lv = &tree->levels[l];
        for (size_t c = 0; c < lv->n_chunks; c++)
            lds_free(lv->chunks[c]);
        lds_free(lv->chunks);
        for (unsigned r = 0; r < lv->n_retired; r++)
            lds_free(lv->retired[r]);
    }
    lds_free(tree);
}

/* The published size: everything it covers is visible to this thread. */
static inline uint64_t published_size(const lds_ledger_tree *t)
{
    return __atomic_load_n(&t->size, __ATOMIC_ACQUIRE);
}

uint64_t lds_ledger_tree_size(const lds_ledger_tree *tree)
{
    return published_size(tree);
}

static inline const uint8_t *node_at(const lds_ledger_tree *t, unsigned lvl, uint64_t index)
{
    hash_t **chunks = __atomic_load_n(&t->levels[lvl].chunks, __ATOMIC_ACQUIRE);
    return chunks[index >> CHUNK_SHIFT][index & (CHUNK_LEN - 1)];
}

/* Makes room for node `index` at level `lvl`; 0 or -1 on OOM (nothing lost). */
static int reserve(level *lv, uint64_t index)
{
    size_t chunk = (size_t)(index >> CHUNK_SHIFT);
    if (chunk < lv->n_chunks)
        return 0;
    if (lv->n_chunks == lv->cap_chunks) {
        /* Copy rather than realloc: a reader may still be using the old
         * table, so it is retired, not freed (doubling: < 64 of them). */
        size_t cap = lv->cap_chunks ? lv->cap_chunks * 2 : 4;
        if (lv->chunks && lv->n_retired == MAX_LEVELS)
            return -1;
        hash_t **p = lds_malloc(cap * sizeof *p);
        if (!p)
            return -1;
        if (lv->n_chunks)
            memcpy(p, lv->chunks, lv->n_chunks * sizeof *p);
        if (lv->chunks)
            lv->retired[lv->n_retired++] = lv->chunks;
        __atomic_store_n(&lv->chunks, p, __ATOMIC_RELEASE);
        lv->cap_chunks = cap;
    }
    hash_t *c = lds_malloc((size_t)CHUNK_LEN * sizeof *c);
    if (!c)
        return -1;
    lv->chunks[lv->n_chunks++] = c;
    return 0;
}

lds_code lds_ledger_tree_append(lds_ledger_tree *tree, const uint8_t leaf_hash[LDS_LEDGER_HASH_LEN],
                                lds_err *err)
{
    uint64_t size = tree->size;
    if (size >= ((uint64_t)1 << 63))
        return lds_err_set(err, LDS_EOVERFLOW, "ledger tree is full (2^63 leaves)");
    /* The new leaf completes one node on each level while the size's low
     * bits are 1; reserve every slot first so a failure changes nothing. */
    unsigned top = (unsigned)__builtin_ctzll(~size); /* levels 0..top receive a node */
    for (unsigned l = 0; l <= top; l++)
        if (reserve(&tree->levels[l], size >> l) != 0)
            return lds_err_set(err, LDS_ENOMEM, "out of memory appending to the ledger tree");
    hash_t h;
    memcpy(h, leaf_hash, sizeof h);
    for (unsigned l = 0;; l++) {
        uint64_t i = size >> l;
        level *lv = &tree->levels[l];
        memcpy(lv->chunks[i >> CHUNK_SHIFT][i & (CHUNK_LEN - 1)], h, sizeof h);
        if (l == top)
            break;
        /* i is odd: its left sibling i - 1 is complete, so the parent is too. */
        lds_ledger_hash_children(node_at(tree, l, i - 1), h, h);
    }
    __atomic_store_n(&tree->size, size + 1, __ATOMIC_RELEASE); /* publish */
    return LDS_OK;
}

lds_code lds_ledger_tree_append_data(lds_ledger_tree *tree, const void *data, size_t len,
                                     lds_err *err)
{
    hash_t h;
    lds_ledger_hash_leaf(data, len, h);
    return lds_ledger_tree_append(tree, h, err);
}

lds_code lds_ledger_tree_leaf_hash(const lds_ledger_tree *tree, uint64_t index,
                                   uint8_t out[LDS_LEDGER_HASH_LEN], lds_err *err)
{
    uint64_t size = published_size(tree);
    if (index >= size)
        return lds_err_set(err, LDS_EINVAL, "leaf index %llu is not below tree size %llu",
                           (unsigned long long)index, (unsigned long long)size);
    memcpy(out, node_at(tree, 0, index), LDS_LEDGER_HASH_LEN);
    return LDS_OK;
}

int lds_ledger__subtree_valid(uint64_t start, uint64_t end)
{
    if (start > end)
        return 0;
    if (start == 0 || start == end)
        return 1;
    uint64_t len = end - start;
    if (len > ((uint64_t)1 << 63))
        return 0;
    uint64_t ceil = len <= 1 ? 1 : (uint64_t)1 << (64 - __builtin_clzll(len - 1));
    return (start & (ceil - 1)) == 0;
}

/*
 * MTH(D[start:end]) for a valid range inside the tree.  A valid range splits,
 * left to right, into complete nodes of strictly decreasing size (the binary
 * digits of end - start); MTH is their right fold, exactly as the RFC's
 * recursion on the largest power of two below n.
 */
static void range_hash(const lds_ledger_tree *t, uint64_t start, uint64_t end, hash_t out)
{
    const uint8_t *nodes[MAX_LEVELS];
    unsigned n = 0;
    if (start == end) {
        lds_ledger_empty_root(out);
        return;
    }
    while (start < end) {
        unsigned lvl = 63u - (unsigned)__builtin_clzll(end - start);
        nodes[n++] = node_at(t, lvl, start >> lvl);
        start += (uint64_t)1 << lvl;
    }
    memcpy(out, nodes[n - 1], LDS_LEDGER_HASH_LEN);
    while (n-- > 1)
        lds_ledger_hash_children(nodes[n - 1], out, out);
}

/* Node hash of a complete subtree [start, start + 2^lvl). */
static const uint8_t *complete(const lds_ledger_tree *t, uint64_t start, uint64_t len)
{
    unsigned lvl = (unsigned)__builtin_ctzll(len);
    return node_at(t, lvl, start >> lvl);
}

lds_code lds_ledger_tree_root(const lds_ledger_tree *tree, uint64_t size,
                              uint8_t out[LDS_LEDGER_HASH_LEN], lds_err *err)
{
    uint64_t have = published_size(tree);
    if (size > have)
        return lds_err_set(err, LDS_EINVAL, "tree size %llu is beyond the %llu leaves logged",
                           (unsigned long long)size, (unsigned long long)have);
    range_hash(tree, 0, size, out);
    return LDS_OK;
}

lds_code lds_ledger__subtree_hash(const lds_ledger_tree *tree, uint64_t start, uint64_t end,
                                  uint8_t out[LDS_LEDGER_HASH_LEN], lds_err *err)
{
    uint64_t have = published_size(tree);
    if (!lds_ledger__subtree_valid(start, end) || end > have)
        return lds_err_set(err, LDS_EINVAL, "[%llu, %llu) is not a valid subtree of %llu leaves",
                           (unsigned long long)start, (unsigned long long)end,
                           (unsigned long long)have);
    range_hash(tree, start, end, out);
    return LDS_OK;
}

/* Reverses the first n hashes of a proof built top-down into RFC order. */
static void reverse(lds_ledger_proof *p)
{
    for (size_t i = 0, j = p->n ? p->n - 1 : 0; i < j; i++, j--) {
        hash_t tmp;
        memcpy(tmp, p->hash[i], sizeof tmp);
        memcpy(p->hash[i], p->hash[j], sizeof tmp);
        memcpy(p->hash[j], tmp, sizeof tmp);
    }
}

/*
 * PATH(m, D[s:s+len]) (RFC 9162 §2.1.3.1), walked from the top: at each
 * split k the sibling of the half holding m is recorded.  Only the first
 * left turn can meet an incomplete right sibling; below it every sibling is
 * a stored node, so a proof costs O(log n) lookups and O(log n) hashes.
 */
static void path(const lds_ledger_tree *t, uint64_t m, uint64_t s, uint64_t len,
                 lds_ledger_proof *out)
{
    out->n = 0;
    while (len > 1) {
        uint64_t k = lds_ledger__split(len);
        if (m < k) {
            range_hash(t, s + k, s + len, out->hash[out->n++]);
            len = k;
        } else {
            memcpy(out->hash[out->n++], complete(t, s, k), LDS_LEDGER_HASH_LEN);
            s += k;
            m -= k;
            len -= k;
        }
    }
    reverse(out);
}

lds_code lds_ledger_tree_inclusion(const lds_ledger_tree *tree, uint64_t leaf_index,
                                   uint64_t tree_size, lds_ledger_proof *out, lds_err *err)
{
    uint64_t have = published_size(tree);
    if (tree_size > have)
        return lds_err_set(err, LDS_EINVAL, "tree size %llu is beyond the %llu leaves logged",
                           (unsigned long long)tree_size, (unsigned long long)have);
    if (leaf_index >= tree_size)
        return lds_err_set(err, LDS_EINVAL, "leaf index %llu is not below tree size %llu",
                           (unsigned long long)leaf_index, (unsigned long long)tree_size);
    path(tree, leaf_index, 0, tree_size, out);
    return LDS_OK;
}

lds_code lds_ledger__subtree_inclusion(const lds_ledger_tree *tree, uint64_t index, uint64_t start,
                                       uint64_t end, lds_ledger_proof *out, lds_err *err)
{
    if (!lds_ledger__subtree_valid(start, end) || end > published_size(tree) || index < start ||
        index >= end)
        return lds_err_set(err, LDS_EINVAL, "no leaf %llu in subtree [%llu, %llu)",
                           (unsigned long long)index, (unsigned long long)start,
                           (unsigned long long)end);
    path(tree, index - start, start, end - start, out);
    return LDS_OK;
}

/*
 * SUBPROOF (RFC 9162 §2.1.4.1) generalised to a valid subtree [lo, hi) of
 * D[s:s+len], walked from the top.  `known` is the RFC's flag b: true while
 * the subtree is still a node the verifier already has.  When [lo, hi)
 * straddles the split it starts at 0 (validity), the left half is complete
 * in both trees and the old tree is no longer a single node (b = false).
 */
static void subproof(const lds_ledger_tree *t, uint64_t lo, uint64_t hi, uint64_t len,
                     lds_ledger_proof *out)
{
    uint64_t s = 0;
    int known = 1;
    out->n = 0;
    if (lo == hi)
        return;
    for (;;) {
        if (lo == 0 && hi == len) {
            if (!known)
                range_hash(t, s, s + len, out->hash[out->n++]);
            break;
        }
        uint64_t k = lds_ledger__split(len);
        if (hi <= k) {
            range_hash(t, s + k, s + len, out->hash[out->n++]);
            len = k;
        } else if (lo >= k) {
            memcpy(out->hash[out->n++], complete(t, s, k), LDS_LEDGER_HASH_LEN);
            s += k;
            lo -= k;
            hi -= k;
            len -= k;
        } else {
            memcpy(out->hash[out->n++], complete(t, s, k), LDS_LEDGER_HASH_LEN);
            known = 0;
            s += k;
            hi -= k;
            len -= k;
        }
    }
    reverse(out);
}

lds_code lds_ledger_tree_consistency(const lds_ledger_tree *tree, uint64_t first, uint64_t second,
                                     lds_ledger_proof *out, lds_err *err)
{
    uint64_t have = published_size(tree);
    if (second > have)
        return lds_err_set(err, LDS_EINVAL, "tree size %llu is beyond the %llu leaves logged",
                           (unsigned long long)second, (unsigned long long)have);
    if (first == 0)
        return lds_err_set(err, LDS_EINVAL,
                           "a consistency proof from the empty tree is meaningless");
    if (first > second)
        return lds_err_set(err, LDS_EINVAL, "first size %llu is larger than second size %llu",
                           (unsigned long long)first, (unsigned long long)second);
    subproof(tree, 0, first, second, out);
    return LDS_OK;
}

lds_code lds_ledger__subtree_consistency(const lds_ledger_tree *tree, uint64_t start, uint64_t end,
                                         uint64_t n, lds_ledger_proof *out, lds_err *err)
{
    if (!lds_ledger__subtree_valid(start, end) || end > n || n > published_size(tree))
        return lds_err_set(err, LDS_EINVAL, "[%llu, %llu) is not a valid subtree of %llu leaves",
                           (unsigned long long)start, (unsigned long long)end,
                           (unsigned long long)n);
    subproof(tree, start, end, n, out);
    return LDS_OK;
}
