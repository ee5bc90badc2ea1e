/*
 * hash.c — RFC 9162 §2.1.1 hashing and base64 helpers.  Leaves hash with a
 * 0x00 prefix and interior nodes with 0x01, so a leaf can never be passed
 * off as a node (second-preimage resistance).  SHA-256 is lds_sha256 (SHA-NI
 * where the CPU has it); the rare node over inputs longer than a hash goes
 * through libsodium's incremental API.
 */
#include <string.h>
#include <sodium.h>
#include "lodestone/sha256.h"
#include "ledger_int.h"

void lds_ledger_hash_leaf(const void *data, size_t len, uint8_t out[LDS_LEDGER_HASH_LEN])
{
    lds_sha256_prefixed(0x00, data, len, out);
}

void lds_ledger__hash_node_bytes(const uint8_t *left, size_t left_len, const uint8_t *right,
                                 size_t right_len, uint8_t out[LDS_LEDGER_HASH_LEN])
{
    /* One contiguous message is measurably faster than three updates, and
     * it makes `out` safe to alias either input. */
    uint8_t msg[1 + 2 * LDS_LEDGER_HASH_LEN];
    if (left_len <= LDS_LEDGER_HASH_LEN && right_len <= LDS_LEDGER_HASH_LEN) {
        msg[0] = 0x01;
        if (left_len)
            memcpy(msg + 1, left, left_len);
        if (right_len)
            memcpy(msg + 1 + left_len, right, right_len);
        lds_sha256(msg, 1 + left_len + right_len, out);
        return;
    }
    static const uint8_t prefix = 0x01;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, left, left_len);
    crypto_hash_sha256_update(&st, right, right_len);
    crypto_hash_sha256_final(&st, out);
}

void lds_ledger_hash_children(const uint8_t left[LDS_LEDGER_HASH_LEN],
                              const uint8_t right[LDS_LEDGER_HASH_LEN],
                              uint8_t out[LDS_LEDGER_HASH_LEN])
{
    lds_ledger__hash_node_bytes(left, LDS_LEDGER_HASH_LEN, right, LDS_LEDGER_HASH_LEN, out);
}

void lds_ledger_empty_root(uint8_t out[LDS_LEDGER_HASH_LEN])
{
    lds_sha256("", 0, out);
}

int lds_ledger__base64_decode(const char *b64, size_t len, uint8_t *out, size_t cap,
                              size_t *out_len)
{
    const char *end = NULL;
    size_t n = 0;
    *out_len = 0;
    if (len == 0)
        return 0;
    if (sodium_base642bin(out, cap, b64, len, NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    if (end != b64 + len)
        return -1; /* trailing garbage */
    *out_len = n;
    return 0;
}

lds_code lds_ledger_hash_from_base64(const char *b64, uint8_t out[LDS_LEDGER_HASH_LEN],
                                     lds_err *err)
{
    uint8_t tmp[LDS_LEDGER_HASH_LEN + 3];
    size_t n;
    if (!b64)
        return lds_err_set(err, LDS_EINVAL, "hash is missing");
    if (lds_ledger__base64_decode(b64, strlen(b64), tmp, sizeof tmp, &n) != 0)
        return lds_err_set(err, LDS_EINVAL, "hash is not base64 of 32 bytes");
    if (n != LDS_LEDGER_HASH_LEN)
        return lds_err_set(err, LDS_EINVAL, "hash decodes to %zu bytes, want 32", n);
    memcpy(out, tmp, LDS_LEDGER_HASH_LEN);
    return LDS_OK;
}

lds_code lds_ledger_pubkey_from_base64(const char *b64, size_t len,
                                       uint8_t out[LDS_LEDGER_PUBKEY_LEN], lds_err *err)
{
    uint8_t tmp[LDS_LEDGER_PUBKEY_LEN + 3];
    size_t n;
    while (len && (*b64 == ' ' || *b64 == '\t' || *b64 == '\n' || *b64 == '\r')) {
        b64++;
        len--;
    }
    while (len && (b64[len - 1] == ' ' || b64[len - 1] == '\t' || b64[len - 1] == '\n' ||
                   b64[len - 1] == '\r'))
        len--;
    if (lds_ledger__base64_decode(b64, len, tmp, sizeof tmp, &n) != 0)
        return lds_err_set(err, LDS_EINVAL, "public key is not base64 of 32 bytes");
    if (n != LDS_LEDGER_PUBKEY_LEN)
        return lds_err_set(err, LDS_EINVAL, "public key decodes to %zu bytes, want 32", n);
    memcpy(out, tmp, LDS_LEDGER_PUBKEY_LEN);
    return LDS_OK;
}

void lds_ledger_add_base64(lds_buf *out, const uint8_t *bytes, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    if (lds_buf_grow(out, cap) != 0)
        return; /* out->oom is set */
    sodium_bin2base64(out->ptr + out->len, cap, bytes, n, sodium_base64_VARIANT_ORIGINAL);
    out->len += cap - 1;
}
