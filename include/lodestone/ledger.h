/*
 * ledger.h — the transparency ledger engine: an RFC 9162 Merkle tree over
 * SHA-256 (leaves hash with a 0x00 prefix, nodes with 0x01; the empty tree is
 * SHA-256("")), inclusion and consistency proofs and their verifiers, and
 * Ed25519-signed tree heads over RFC 6962's TreeHeadSignature bytes.
 *
 * Everything here is pure and I/O-free except the key-file functions at the
 * end (src/ledger/keyfile.c).  Fallible functions return an lds_code and take
 * a trailing `lds_err *err` (may be NULL).
 *
 * Threads: one appender and any number of readers may use a tree at the same
 * time without locks (readers see the size published by the last completed
 * append and everything under it); two appenders need a lock between them.
 * JSON integers (sizes, indices, timestamps) are limited to 2^63 - 1.
 */
#ifndef LDS_LEDGER_H
#define LDS_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include "lodestone/buf.h"
#include "lodestone/err.h"

#define LDS_LEDGER_HASH_LEN   32  /* SHA-256 */
#define LDS_LEDGER_PUBKEY_LEN 32  /* Ed25519 public key */
#define LDS_LEDGER_SECKEY_LEN 64  /* libsodium Ed25519 secret key (seed || public key) */
#define LDS_LEDGER_SIG_LEN    64  /* Ed25519 signature */
#define LDS_LEDGER_TBS_LEN    50  /* RFC 6962 TreeHeadSignature for a v1 tree hash */
#define LDS_LEDGER_PROOF_MAX  128 /* hashes; any real proof for a uint64 tree size has <= 65 */

/* ------------------------------------------------------------------------ */
/* Hashing (RFC 9162 §2.1.1)                                                */
/* ------------------------------------------------------------------------ */

/** out = SHA-256(0x00 || data).  `data` may be NULL when `len` is 0. */
void lds_ledger_hash_leaf(const void *data, size_t len, uint8_t out[LDS_LEDGER_HASH_LEN]);
/** out = SHA-256(0x01 || left || right).  `out` may alias either input. */
void lds_ledger_hash_children(const uint8_t left[LDS_LEDGER_HASH_LEN],
                              const uint8_t right[LDS_LEDGER_HASH_LEN],
                              uint8_t out[LDS_LEDGER_HASH_LEN]);
/** out = SHA-256(""), the root of the empty tree. */
void lds_ledger_empty_root(uint8_t out[LDS_LEDGER_HASH_LEN]);

/** A proof: up to LDS_LEDGER_PROOF_MAX hashes in RFC 9162 order (leaf side first). */
typedef struct lds_ledger_proof {
    size_t n; /* number of hashes in `hash` */
    uint8_t hash[LDS_LEDGER_PROOF_MAX][LDS_LEDGER_HASH_LEN];
} lds_ledger_proof;

/* ------------------------------------------------------------------------ */
/* The append-only tree                                                     */
/* ------------------------------------------------------------------------ */

/*
 * The tree keeps every complete-subtree hash, level by level (level 0 = leaf
 * hashes), so roots and proofs for any earlier size are O(log n) lookups plus
 * at most O(log n) hashes.  Memory: about 2 hashes (64 bytes) per leaf, held
 * in fixed-size chunks so growth never copies.
 */
typedef struct lds_ledger_tree lds_ledger_tree;

/** Creates an empty tree.  LDS_ENOMEM.  Free with lds_ledger_tree_free. */
lds_code lds_ledger_tree_new(lds_ledger_tree **out, lds_err *err);
/** Frees the tree; NULL does nothing. */
void lds_ledger_tree_free(lds_ledger_tree *tree);

/**
 * Appends a leaf given its leaf hash (H(0x00 || data)).  Atomic: on
 * LDS_ENOMEM the tree is unchanged.  LDS_EOVERFLOW at 2^63 leaves.
 */
lds_code lds_ledger_tree_append(lds_ledger_tree *tree, const uint8_t leaf_hash[LDS_LEDGER_HASH_LEN],
                                lds_err *err);
/** Hashes `data` as a leaf and appends it; as lds_ledger_tree_append. */
lds_code lds_ledger_tree_append_data(lds_ledger_tree *tree, const void *data, size_t len,
                                     lds_err *err);
/** Number of leaves. */
uint64_t lds_ledger_tree_size(const lds_ledger_tree *tree);
/** The leaf hash at `index`.  LDS_EINVAL when index >= size. */
lds_code lds_ledger_tree_leaf_hash(const lds_ledger_tree *tree, uint64_t index,
                                   uint8_t out[LDS_LEDGER_HASH_LEN], lds_err *err);
/** Root of the first `size` leaves (MTH(D[0:size])).  LDS_EINVAL when size > tree size. */
lds_code lds_ledger_tree_root(const lds_ledger_tree *tree, uint64_t size,
                              uint8_t out[LDS_LEDGER_HASH_LEN], lds_err *err);
/**
 * Inclusion proof PATH(leaf_index, D[0:tree_size]) (RFC 9162 §2.1.3.1).
 * LDS_EINVAL unless leaf_index < tree_size <= size.  `out` is written only on success.
 */
lds_code lds_ledger_tree_inclusion(const lds_ledger_tree *tree, uint64_t leaf_index,
                                   uint64_t tree_size, lds_ledger_proof *out, lds_err *err);
/**
 * Consistency proof PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1); empty when
 * first == second.  LDS_EINVAL unless 0 < first <= second <= size (a proof
 * from the empty tree is meaningless).
 */
lds_code lds_ledger_tree_consistency(const lds_ledger_tree *tree, uint64_t first, uint64_t second,
                                     lds_ledger_proof *out, lds_err *err);

/* ------------------------------------------------------------------------ */
/* Verifiers (RFC 9162 §2.1.3.2 and §2.1.4.2)                               */
/* ------------------------------------------------------------------------ */

/**
 * Checks that `leaf_hash` is leaf `leaf_index` of the tree of `tree_size`
 * leaves whose root is `root`.  `proof` points to `n_proof` hashes of 32
 * bytes each, back to back (e.g. `p.hash[0]` of an lds_ledger_proof; may be
 * NULL when 0).  LDS_OK, or LDS_ECORRUPT with the reason (index out of range,
 * proof too short / too long, root mismatch).
 */
lds_code lds_ledger_verify_inclusion(uint64_t leaf_index, uint64_t tree_size,
                                     const uint8_t leaf_hash[LDS_LEDGER_HASH_LEN],
                                     const uint8_t *proof, size_t n_proof,
                                     const uint8_t root[LDS_LEDGER_HASH_LEN], lds_err *err);

/**
 * Checks that the tree of `size1` leaves with `root1` is a prefix of the tree
 * of `size2` leaves with `root2`.  Edge cases as transparency-dev/merkle:
 * size1 > size2 and size1 == 0 are errors; size1 == size2 needs an empty
 * proof and equal roots.  `proof` as for lds_ledger_verify_inclusion.
 * LDS_OK or LDS_ECORRUPT with the reason.
 */
lds_code lds_ledger_verify_consistency(uint64_t size1, uint64_t size2,
                                       const uint8_t root1[LDS_LEDGER_HASH_LEN],
                                       const uint8_t root2[LDS_LEDGER_HASH_LEN],
                                       const uint8_t *proof, size_t n_proof, lds_err *err);

/** A borrowed byte string of any length, for hashes as they arrive from outside. */
typedef struct lds_ledger_bytes {
    const uint8_t *ptr;
    size_t len;
} lds_ledger_bytes;

/**
 * As lds_ledger_verify_inclusion, for hashes not yet known to be 32 bytes
 * (decoded JSON, fuzz input): any hash of the wrong length is an error.
 */
lds_code lds_ledger_verify_inclusion_bytes(uint64_t leaf_index, uint64_t tree_size,
                                           lds_ledger_bytes leaf_hash,
                                           const lds_ledger_bytes *proof, size_t n_proof,
                                           lds_ledger_bytes root, lds_err *err);
/**
 * As lds_ledger_verify_consistency for unchecked hashes.  When size1 == size2
 * (and both are non-zero) the roots are compared as opaque byte strings, as
 * transparency-dev's verifier does; otherwise a hash of the wrong length is
 * an error.
 */
lds_code lds_ledger_verify_consistency_bytes(uint64_t size1, uint64_t size2, lds_ledger_bytes root1,
                                             lds_ledger_bytes root2, const lds_ledger_bytes *proof,
                                             size_t n_proof, lds_err *err);

/* ------------------------------------------------------------------------ */
/* Signed tree heads                                                         */
/* ------------------------------------------------------------------------ */

typedef struct lds_ledger_sth {
    uint64_t tree_size;
    uint64_t timestamp_ms;                      /* milliseconds since the Unix epoch */
    uint8_t root[LDS_LEDGER_HASH_LEN];          /* sha256_root_hash */
    uint8_t signature[LDS_LEDGER_SIG_LEN];      /* Ed25519 over lds_ledger_sth_tbs() */
} lds_ledger_sth;

/**
 * Writes the 50 bytes that are signed (RFC 6962 §3.5 TreeHeadSignature):
 * version v1 (0), signature_type tree_hash (1), timestamp (uint64), tree_size
 * (uint64), sha256_root_hash (32 bytes); integers big-endian.
 */
void lds_ledger_sth_tbs(uint64_t tree_size, uint64_t timestamp_ms,
                        const uint8_t root[LDS_LEDGER_HASH_LEN], uint8_t out[LDS_LEDGER_TBS_LEN]);
/** Signs `sth` (its size, timestamp and root) with `secret_key`; fills sth->signature. */
lds_code lds_ledger_sth_sign(lds_ledger_sth *sth, const uint8_t secret_key[LDS_LEDGER_SECKEY_LEN],
                             lds_err *err);
/**
 * Fills `out` with the signed head of the first `tree_size` leaves of `tree`
 * at `timestamp_ms`.  LDS_EINVAL when tree_size exceeds the tree.
 */
lds_code lds_ledger_tree_sign_head(const lds_ledger_tree *tree, uint64_t tree_size,
                                   uint64_t timestamp_ms,
                                   const uint8_t secret_key[LDS_LEDGER_SECKEY_LEN],
                                   lds_ledger_sth *out, lds_err *err);
/** LDS_OK when the signature is valid for `public_key`, else LDS_ECORRUPT. */
lds_code lds_ledger_sth_verify(const lds_ledger_sth *sth,
                               const uint8_t public_key[LDS_LEDGER_PUBKEY_LEN], lds_err *err);

/**
 * Appends the STH as RFC 6962 get-sth JSON to `out`:
 * {"tree_size":N,"timestamp":MS,"sha256_root_hash":B64,"tree_head_signature":B64}.
 * tree_head_signature is a TLS DigitallySigned struct, as in RFC 6962:
 * hash algorithm intrinsic (8), signature algorithm ed25519 (7) (RFC 8422),
 * a 2-byte length (64) and the signature — 68 bytes.
 */
void lds_ledger_sth_to_json(const lds_ledger_sth *sth, lds_buf *out);
/**
 * Parses get-sth JSON (text of `len` bytes; other members are ignored).
 * LDS_EINVAL naming the field when a member is missing, of the wrong type,
 * out of range, badly encoded, or signed with another algorithm.
 */
lds_code lds_ledger_sth_from_json(const char *json, size_t len, lds_ledger_sth *out, lds_err *err);

/* ------------------------------------------------------------------------ */
/* Proof JSON (RFC 6962 get-proof-by-hash / get-sth-consistency shapes)      */
/* ------------------------------------------------------------------------ */

/** Appends {"leaf_index":N,"audit_path":[B64,...]} to `out`. */
void lds_ledger_inclusion_to_json(uint64_t leaf_index, const lds_ledger_proof *proof, lds_buf *out);
/** Parses {"leaf_index":N,"audit_path":[...]}; every hash must be 32 bytes.  LDS_EINVAL. */
lds_code lds_ledger_inclusion_from_json(const char *json, size_t len, uint64_t *leaf_index,
                                        lds_ledger_proof *out, lds_err *err);
/** Appends {"consistency":[B64,...]} to `out`. */
void lds_ledger_consistency_to_json(const lds_ledger_proof *proof, lds_buf *out);
/** Parses {"consistency":[...]}.  LDS_EINVAL. */
lds_code lds_ledger_consistency_from_json(const char *json, size_t len, lds_ledger_proof *out,
                                          lds_err *err);

/**
 * Decodes standard base64 (with padding) into exactly 32 bytes.  LDS_EINVAL
 * ("not base64" / "decodes to N bytes, want 32").
 */
lds_code lds_ledger_hash_from_base64(const char *b64, uint8_t out[LDS_LEDGER_HASH_LEN],
                                     lds_err *err);
/** Same for an Ed25519 public key; surrounding whitespace is ignored. */
lds_code lds_ledger_pubkey_from_base64(const char *b64, size_t len,
                                       uint8_t out[LDS_LEDGER_PUBKEY_LEN], lds_err *err);
/** Appends the standard base64 of `n` bytes to `out` (no quotes). */
void lds_ledger_add_base64(lds_buf *out, const uint8_t *bytes, size_t n);

/* ------------------------------------------------------------------------ */
/* Passports                                                                */
/* ------------------------------------------------------------------------ */

/**
 * Verifies a passport document offline:
 *   {"sth": {get-sth JSON}, "events": [{"leaf_base64": B64 of the exact leaf
 *    bytes, "leaf_index": N, "audit_path": [B64,...]}, ...]}
 * The STH signature must verify with `public_key` and every event's leaf
 * must be included in it.  Other members (of the passport and of each event)
 * are ignored, so a richer passport can carry these fields.  On success
 * `*n_events` is the number of events checked.  LDS_EINVAL for a malformed
 * document, LDS_ECORRUPT naming the first event that fails.
 */
lds_code lds_ledger_passport_verify(const char *json, size_t len,
                                    const uint8_t public_key[LDS_LEDGER_PUBKEY_LEN],
                                    size_t *n_events, lds_err *err);

/* ------------------------------------------------------------------------ */
/* Keys (src/ledger/keyfile.c — the only part that does I/O)                */
/* ------------------------------------------------------------------------ */

typedef struct lds_ledger_keypair {
    uint8_t public_key[LDS_LEDGER_PUBKEY_LEN];
    uint8_t secret_key[LDS_LEDGER_SECKEY_LEN];
} lds_ledger_keypair;

/** Creates a fresh Ed25519 key pair.  LDS_EIO if libsodium cannot initialise. */
lds_code lds_ledger_keypair_generate(lds_ledger_keypair *out, lds_err *err);
/**
 * Writes the secret key to `path` (created with mode 0600; must not exist):
 * one line "ed25519-secret-key <base64 of the 64-byte key>".  LDS_ECONFLICT
 * if the file exists, LDS_EIO otherwise.
 */
lds_code lds_ledger_keyfile_save(const char *path, const lds_ledger_keypair *kp, lds_err *err);
/**
 * Reads a key file written by lds_ledger_keyfile_save.  Refuses a file that
 * group or others may read (LDS_EFORBIDDEN), LDS_ENOTFOUND when missing,
 * LDS_ECORRUPT when malformed or when the public half does not match.
 */
lds_code lds_ledger_keyfile_load(const char *path, lds_ledger_keypair *out, lds_err *err);
/** Loads `path`, or generates and saves a new key pair there if it does not exist. */
lds_code lds_ledger_keyfile_load_or_create(const char *path, lds_ledger_keypair *out, lds_err *err);
/**
 * Reads a public-key file: the raw 32-byte key in base64 (what GET
 * /api/v1/ledger/public-key returns).  LDS_ENOTFOUND, LDS_EIO, LDS_EINVAL.
 */
lds_code lds_ledger_pubkey_load(const char *path, uint8_t out[LDS_LEDGER_PUBKEY_LEN],
                                lds_err *err);

#endif
