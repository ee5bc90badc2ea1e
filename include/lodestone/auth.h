/*
 * auth.h — API tokens and roles.  A token is "lds_" followed by 43 base64url
 * characters of 32 random bytes; only its SHA-256 is stored, so a database
 * leak reveals no usable token.  Each token belongs to one organisation and
 * carries one role.
 */
#ifndef LDS_AUTH_H
#define LDS_AUTH_H

#include <stdint.h>
#include "err.h"
#include "store.h"

typedef enum lds_role {
    LDS_ROLE_NONE = 0,
    LDS_ROLE_OPERATOR,
    LDS_ROLE_MEMBER,
    LDS_ROLE_INVESTOR,
    LDS_ROLE_PROVIDER,
    LDS_ROLE_AUDITOR,
} lds_role;

#define LDS_TOKEN_LEN 47 /* "lds_" + 43 */

typedef struct lds_principal {
    int64_t token_id;
    int64_t org_id;
    lds_role role;
} lds_principal;

/** "operator", "member", ... ; NULL for LDS_ROLE_NONE. */
const char *lds_role_name(lds_role role);
/** Parses a role name; LDS_EINVAL naming the allowed values if unknown. */
lds_code lds_role_parse(const char *s, lds_role *out, lds_err *err);

/** SHA-256 of a token string (the stored form). */
void lds_token_hash(const char *token, uint8_t out[32]);

/**
 * Creates a token for `org_id` with `role`, stores its hash and writes the
 * token text (LDS_TOKEN_LEN chars + NUL) into `out`.  LDS_ENOTFOUND if the
 * organisation does not exist.
 */
lds_code lds_token_create(lds_store *s, int64_t org_id, lds_role role, const char *label,
                          char out[LDS_TOKEN_LEN + 1], lds_err *err);

/**
 * Looks up a presented token.  LDS_EAUTH if it is malformed, unknown or
 * revoked; LDS_OK with `*who` filled otherwise.
 */
lds_code lds_token_verify(lds_store *s, const char *token, lds_principal *who, lds_err *err);

/** Revokes a token by id (LDS_ENOTFOUND if none). */
lds_code lds_token_revoke(lds_store *s, int64_t token_id, lds_err *err);

#endif
