/*
 * sth.c — signed tree heads and the JSON shapes of RFC 6962 (get-sth,
 * get-proof-by-hash, get-sth-consistency).  The signature is Ed25519 over
 * the 50-byte TreeHeadSignature; on the wire it is wrapped in TLS's
 * DigitallySigned (intrinsic hash 8, ed25519 7, length 64) like CT's ECDSA.
 */
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
#include "lodestone/alloc.h"
#include "ledger_int.h"

#define ULL(x) ((unsigned long long)(x))

enum { DS_HASH_INTRINSIC = 8, DS_SIG_ED25519 = 7, DS_LEN = 4 + LDS_LEDGER_SIG_LEN };

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

void lds_ledger_sth_tbs(uint64_t tree_size, uint64_t timestamp_ms,
                        const uint8_t root[LDS_LEDGER_HASH_LEN], uint8_t out[LDS_LEDGER_TBS_LEN])
{
    out[0] = 0; /* Version v1 */
    out[1] = 1; /* SignatureType tree_hash */
    put_u64(out + 2, timestamp_ms);
    put_u64(out + 10, tree_size);
    memcpy(out + 18, root, LDS_LEDGER_HASH_LEN);
}

lds_code lds_ledger_sth_sign(lds_ledger_sth *sth, const uint8_t secret_key[LDS_LEDGER_SECKEY_LEN],
                             lds_err *err)
{
    uint8_t tbs[LDS_LEDGER_TBS_LEN];
    lds_ledger_sth_tbs(sth->tree_size, sth->timestamp_ms, sth->root, tbs);
    if (crypto_sign_ed25519_detached(sth->signature, NULL, tbs, sizeof tbs, secret_key) != 0)
        return lds_err_set(err, LDS_EINVAL, "signing the tree head failed");
    return LDS_OK;
}

lds_code lds_ledger_tree_sign_head(const lds_ledger_tree *tree, uint64_t tree_size,
                                   uint64_t timestamp_ms,
                                   const uint8_t secret_key[LDS_LEDGER_SECKEY_LEN],
                                   lds_ledger_sth *out, lds_err *err)
{
    lds_ledger_sth sth;
    lds_code rc;
    memset(&sth, 0, sizeof sth);
    sth.tree_size = tree_size;
    sth.timestamp_ms = timestamp_ms;
    if ((rc = lds_ledger_tree_root(tree, tree_size, sth.root, err)) != LDS_OK ||
        (rc = lds_ledger_sth_sign(&sth, secret_key, err)) != LDS_OK)
        return rc;
    *out = sth;
    return LDS_OK;
}

lds_code lds_ledger_sth_verify(const lds_ledger_sth *sth,
                               const uint8_t public_key[LDS_LEDGER_PUBKEY_LEN], lds_err *err)
{
    uint8_t tbs[LDS_LEDGER_TBS_LEN];
    lds_ledger_sth_tbs(sth->tree_size, sth->timestamp_ms, sth->root, tbs);
    if (crypto_sign_ed25519_verify_detached(sth->signature, tbs, sizeof tbs, public_key) != 0)
        return lds_err_set(err, LDS_ECORRUPT,
                           "tree head signature is not valid for this public key (tree size "
                           "%llu, timestamp %llu)",
                           ULL(sth->tree_size), ULL(sth->timestamp_ms));
    return LDS_OK;
}

void lds_ledger_sth_to_json(const lds_ledger_sth *sth, lds_buf *out)
{
    uint8_t ds[DS_LEN] = {DS_HASH_INTRINSIC, DS_SIG_ED25519, 0, LDS_LEDGER_SIG_LEN};
    memcpy(ds + 4, sth->signature, LDS_LEDGER_SIG_LEN);
    lds_buf_addf(out, "{\"tree_size\":%llu,\"timestamp\":%llu,\"sha256_root_hash\":\"",
                 ULL(sth->tree_size), ULL(sth->timestamp_ms));
    lds_ledger_add_base64(out, sth->root, LDS_LEDGER_HASH_LEN);
    lds_buf_adds(out, "\",\"tree_head_signature\":\"");
    lds_ledger_add_base64(out, ds, sizeof ds);
    lds_buf_adds(out, "\"}");
}

static lds_code load_object(const char *json, size_t len, const char *what, json_t **out,
                            lds_err *err)
{
    json_error_t je;
    *out = NULL;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return lds_err_at(err, LDS_EINVAL, (unsigned)(je.line > 0 ? je.line : 0),
                          (unsigned)(je.column > 0 ? je.column : 0), "%s: malformed JSON: %s",
                          what, je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return lds_err_set(err, LDS_EINVAL, "%s: not a JSON object", what);
    }
    *out = root;
    return LDS_OK;
}

static lds_code get_u64(const json_t *obj, const char *key, uint64_t *out, lds_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return lds_err_field(err, LDS_EINVAL, key, "%s is missing", key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return lds_err_field(err, LDS_EINVAL, key, "%s must be a non-negative integer", key);
    *out = (uint64_t)json_integer_value(v);
    return LDS_OK;
}

static lds_code get_hash(const json_t *v, const char *field, uint8_t out[LDS_LEDGER_HASH_LEN],
                         lds_err *err)
{
    if (!json_is_string(v))
        return lds_err_field(err, LDS_EINVAL, field, "%s must be a base64 string", field);
    lds_err inner;
    if (lds_ledger_hash_from_base64(json_string_value(v), out, &inner) != LDS_OK)
        return lds_err_field(err, LDS_EINVAL, field, "%s: %s", field, inner.msg);
    return LDS_OK;
}

static lds_code sth_from_object(const json_t *root, lds_ledger_sth *out, lds_err *err)
{
    lds_ledger_sth sth;
    lds_code rc;
    memset(&sth, 0, sizeof sth);
    if ((rc = get_u64(root, "tree_size", &sth.tree_size, err)) != LDS_OK ||
        (rc = get_u64(root, "timestamp", &sth.timestamp_ms, err)) != LDS_OK)
        return rc;
    json_t *h = json_object_get(root, "sha256_root_hash");
    if (!h)
        return lds_err_field(err, LDS_EINVAL, "sha256_root_hash", "sha256_root_hash is missing");
    if ((rc = get_hash(h, "sha256_root_hash", sth.root, err)) != LDS_OK)
        return rc;
    json_t *s = json_object_get(root, "tree_head_signature");
    if (!s)
        return lds_err_field(err, LDS_EINVAL, "tree_head_signature",
                             "tree_head_signature is missing");
    if (!json_is_string(s))
        return lds_err_field(err, LDS_EINVAL, "tree_head_signature",
                             "tree_head_signature must be a base64 string");
    const char *b64 = json_string_value(s);
    uint8_t ds[DS_LEN + 64];
    size_t n;
    if (lds_ledger__base64_decode(b64, strlen(b64), ds, sizeof ds, &n) != 0)
        return lds_err_field(err, LDS_EINVAL, "tree_head_signature",
                             "tree_head_signature is not base64 of a DigitallySigned struct");
    if (n < 4)
        return lds_err_field(err, LDS_EINVAL, "tree_head_signature",
                             "tree_head_signature is %zu bytes, too short", n);
    if (ds[0] != DS_HASH_INTRINSIC || ds[1] != DS_SIG_ED25519)
        return lds_err_field(err, LDS_EINVAL, "tree_head_signature",
                             "tree_head_signature uses hash %u / signature algorithm %u; only "
                             "Ed25519 (8/7) is supported",
                             ds[0], ds[1]);
    if (((size_t)ds[2] << 8 | ds[3]) != LDS_LEDGER_SIG_LEN || n != DS_LEN)
        return lds_err_field(err, LDS_EINVAL, "tree_head_signature",
                             "tree_head_signature must hold a 64-byte Ed25519 signature");
    memcpy(sth.signature, ds + 4, LDS_LEDGER_SIG_LEN);
    *out = sth;
    return LDS_OK;
}

lds_code lds_ledger_sth_from_json(const char *json, size_t len, lds_ledger_sth *out, lds_err *err)
{
    json_t *root;
    lds_code rc = load_object(json, len, "signed tree head", &root, err);
    if (rc != LDS_OK)
        return rc;
    rc = sth_from_object(root, out, err);
    json_decref(root);
    return rc;
}

static void add_proof_array(lds_buf *out, const lds_ledger_proof *proof)
{
    lds_buf_addc(out, '[');
    for (size_t i = 0; i < proof->n; i++) {
        lds_buf_adds(out, i ? ",\"" : "\"");
        lds_ledger_add_base64(out, proof->hash[i], LDS_LEDGER_HASH_LEN);
        lds_buf_addc(out, '"');
    }
    lds_buf_addc(out, ']');
}

void lds_ledger_inclusion_to_json(uint64_t leaf_index, const lds_ledger_proof *proof, lds_buf *out)
{
    lds_buf_addf(out, "{\"leaf_index\":%llu,\"audit_path\":", ULL(leaf_index));
    add_proof_array(out, proof);
    lds_buf_addc(out, '}');
}

void lds_ledger_consistency_to_json(const lds_ledger_proof *proof, lds_buf *out)
{
    lds_buf_adds(out, "{\"consistency\":");
    add_proof_array(out, proof);
    lds_buf_addc(out, '}');
}

static lds_code get_proof(const json_t *obj, const char *key, lds_ledger_proof *out, lds_err *err)
{
    json_t *arr = json_object_get(obj, key);
    char field[64];
    if (!arr)
        return lds_err_field(err, LDS_EINVAL, key, "%s is missing", key);
    if (!json_is_array(arr))
        return lds_err_field(err, LDS_EINVAL, key, "%s must be an array of base64 hashes", key);
    size_t n = json_array_size(arr);
    if (n > LDS_LEDGER_PROOF_MAX)
        return lds_err_field(err, LDS_EINVAL, key, "%s has %zu hashes, more than any tree needs",
                             key, n);
    for (size_t i = 0; i < n; i++) {
        snprintf(field, sizeof field, "%s[%zu]", key, i);
        lds_code rc = get_hash(json_array_get(arr, i), field, out->hash[i], err);
        if (rc != LDS_OK)
            return rc;
    }
    out->n = n;
    return LDS_OK;
}

lds_code lds_ledger_inclusion_from_json(const char *json, size_t len, uint64_t *leaf_index,
                                        lds_ledger_proof *out, lds_err *err)
{
    json_t *root;
    lds_code rc = load_object(json, len, "inclusion proof", &root, err);
    if (rc != LDS_OK)
        return rc;
    if ((rc = get_u64(root, "leaf_index", leaf_index, err)) == LDS_OK)
        rc = get_proof(root, "audit_path", out, err);
    json_decref(root);
    return rc;
}

lds_code lds_ledger_consistency_from_json(const char *json, size_t len, lds_ledger_proof *out,
                                          lds_err *err)
{
    json_t *root;
    lds_code rc = load_object(json, len, "consistency proof", &root, err);
    if (rc != LDS_OK)
        return rc;
    rc = get_proof(root, "consistency", out, err);
    json_decref(root);
    return rc;
}

/* Leaves in a passport are capped: they are single EPCIS events. */
#define PASSPORT_LEAF_MAX (1u << 20)

static lds_code passport_event(const json_t *ev, size_t i, const lds_ledger_sth *sth,
                               uint8_t *leaf, lds_err *err)
{
    char field[64];
    uint64_t index;
    lds_ledger_proof proof;
    lds_code rc;
    if (!json_is_object(ev))
        return lds_err_set(err, LDS_EINVAL, "events[%zu] is not an object", i);
    json_t *b = json_object_get(ev, "leaf_base64");
    if (!json_is_string(b))
        return lds_err_set(err, LDS_EINVAL, "events[%zu].leaf_base64 must be a base64 string", i);
    size_t n;
    const char *b64 = json_string_value(b);
    if (lds_ledger__base64_decode(b64, strlen(b64), leaf, PASSPORT_LEAF_MAX, &n) != 0)
        return lds_err_set(err, LDS_EINVAL,
                           "events[%zu].leaf_base64 is not base64 (or over %u bytes)", i,
                           PASSPORT_LEAF_MAX);
    if ((rc = get_u64(ev, "leaf_index", &index, err)) != LDS_OK ||
        (rc = get_proof(ev, "audit_path", &proof, err)) != LDS_OK) {
        if (err) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            snprintf(field, sizeof field, "events[%zu]", i);
            lds_err_field(err, rc, field, "events[%zu]: %s", i, msg);
        }
        return rc;
    }
    uint8_t h[LDS_LEDGER_HASH_LEN];
    lds_ledger_hash_leaf(leaf, n, h);
    rc = lds_ledger_verify_inclusion(index, sth->tree_size, h,
                                     proof.hash[0], proof.n,
                                     sth->root, err);
    if (rc != LDS_OK && err) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        lds_err_set(err, rc, "event %zu (leaf %llu): %s", i, ULL(index), msg);
    }
    return rc;
}

lds_code lds_ledger_passport_verify(const char *json, size_t len,
                                    const uint8_t public_key[LDS_LEDGER_PUBKEY_LEN],
                                    size_t *n_events, lds_err *err)
{
    json_t *root;
    lds_ledger_sth sth;
    uint8_t *leaf = NULL;
    *n_events = 0;
    lds_code rc = load_object(json, len, "passport", &root, err);
    if (rc != LDS_OK)
        return rc;
    json_t *s = json_object_get(root, "sth");
    json_t *events = json_object_get(root, "events");
    if (!json_is_object(s)) {
        rc = lds_err_field(err, LDS_EINVAL, "sth",
                           "passport: sth must be a signed tree head object");
        goto done;
    }
    if (!json_is_array(events)) {
        rc = lds_err_field(err, LDS_EINVAL, "events", "passport: events must be an array");
        goto done;
    }
    if ((rc = sth_from_object(s, &sth, err)) != LDS_OK)
        goto done;
    if ((rc = lds_ledger_sth_verify(&sth, public_key, err)) != LDS_OK)
        goto done;
    leaf = lds_malloc(PASSPORT_LEAF_MAX);
    if (!leaf) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory verifying a passport");
        goto done;
    }
    for (size_t i = 0; i < json_array_size(events); i++)
        if ((rc = passport_event(json_array_get(events, i), i, &sth, leaf, err)) != LDS_OK)
            goto done;
    *n_events = json_array_size(events);
done:
    lds_free(leaf);
    json_decref(root);
    return rc;
}
