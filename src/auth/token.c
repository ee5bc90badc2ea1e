/*
 * token.c — API tokens: 32 random bytes from libsodium, shown once as
 * "lds_<base64url>", stored only as SHA-256.  Lookup is by hash, so the
 * comparison happens inside the index, never on the plain token.
 */
#include <sodium.h>
#include <string.h>
#include "lodestone/auth.h"
#include "lodestone/clock.h"

static const char *const role_names[] = {NULL, "operator", "member", "investor", "provider",
                                         "auditor"};

const char *lds_role_name(lds_role role)
{
    return (unsigned)role < sizeof role_names / sizeof role_names[0] ? role_names[role] : NULL;
}

lds_code lds_role_parse(const char *s, lds_role *out, lds_err *err)
{
    for (int i = 1; i < (int)(sizeof role_names / sizeof role_names[0]); i++) {
        if (s && strcmp(s, role_names[i]) == 0) {
            *out = (lds_role)i;
            return LDS_OK;
        }
    }
    return lds_err_field(err, LDS_EINVAL, "role",
                         "role '%s' is not one of operator, member, investor, provider, auditor",
                         s ? s : "");
}

void lds_token_hash(const char *token, uint8_t out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

lds_code lds_token_create(lds_store *s, int64_t org_id, lds_role role, const char *label,
                          char out[LDS_TOKEN_LEN + 1], lds_err *err)
{
    static const char q_org[] = "SELECT 1 FROM orgs WHERE id = ?";
    static const char q_ins[] =
        "INSERT INTO tokens(hash, org_id, role, label, created_at) VALUES (?, ?, ?, ?, ?)";
    lds_stmt *st;
    lds_code rc;
    if (!lds_role_name(role))
        return lds_err_field(err, LDS_EINVAL, "role", "invalid role");
    if (sodium_init() < 0)
        return lds_err_set(err, LDS_EIO, "libsodium failed to initialise");
    if ((rc = lds_store_prepare(s, q_org, &st, err)) || (rc = lds_stmt_bind_i64(st, 1, org_id)))
        return rc;
    int r = lds_stmt_step(st, err);
    lds_stmt_reset(st);
    if (r != LDS_STORE_ROW)
        return r == LDS_STORE_DONE
                   ? lds_err_field(err, LDS_ENOTFOUND, "org", "organisation %lld does not exist",
                                   (long long)org_id)
                   : (lds_code)r;

    unsigned char raw[32];
    char text[LDS_TOKEN_LEN + 1];
    randombytes_buf(raw, sizeof raw);
    memcpy(text, "lds_", 4);
    sodium_bin2base64(text + 4, sizeof text - 4, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    uint8_t hash[32];
    lds_token_hash(text, hash);
    char now[LDS_RFC3339_LEN];
    lds_now_rfc3339(now);
    if ((rc = lds_store_prepare(s, q_ins, &st, err)) || (rc = lds_stmt_bind_blob(st, 1, hash, 32)) ||
        (rc = lds_stmt_bind_i64(st, 2, org_id)) ||
        (rc = lds_stmt_bind_text(st, 3, lds_role_name(role))) ||
        (rc = lds_stmt_bind_text(st, 4, label)) || (rc = lds_stmt_bind_text(st, 5, now)) ||
        (rc = lds_stmt_exec(st, err)))
        return rc;
    memcpy(out, text, sizeof text);
    return LDS_OK;
}

lds_code lds_token_verify(lds_store *s, const char *token, lds_principal *who, lds_err *err)
{
    static const char q[] =
        "SELECT id, org_id, role FROM tokens WHERE hash = ? AND revoked_at IS NULL";
    if (!token || strlen(token) != LDS_TOKEN_LEN || strncmp(token, "lds_", 4) != 0)
        return lds_err_set(err, LDS_EAUTH, "malformed bearer token");
    uint8_t hash[32];
    lds_token_hash(token, hash);
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, q, &st, err)) || (rc = lds_stmt_bind_blob(st, 1, hash, 32)))
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_DONE)
        return lds_err_set(err, LDS_EAUTH, "unknown or revoked token");
    if (r != LDS_STORE_ROW)
        return (lds_code)r;
    lds_principal p = {lds_stmt_col_i64(st, 0), lds_stmt_col_i64(st, 1), LDS_ROLE_NONE};
    lds_code prc = lds_role_parse(lds_stmt_col_text(st, 2), &p.role, NULL);
    lds_stmt_reset(st);
    if (prc != LDS_OK)
        return lds_err_set(err, LDS_ECORRUPT, "token %lld has an unknown role",
                           (long long)p.token_id);
    *who = p;
    return LDS_OK;
}

lds_code lds_token_revoke(lds_store *s, int64_t token_id, lds_err *err)
{
    static const char q[] =
        "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
    char now[LDS_RFC3339_LEN];
    lds_now_rfc3339(now);
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, q, &st, err)) || (rc = lds_stmt_bind_text(st, 1, now)) ||
        (rc = lds_stmt_bind_i64(st, 2, token_id)) || (rc = lds_stmt_exec(st, err)))
        return rc;
    if (lds_store_changes(s) == 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no active token %lld", (long long)token_id);
    return LDS_OK;
}
