/*
 * idempotency.c — `Idempotency-Key` on creating requests.  The first request
 * with a key is executed and its reply stored in the same transaction as the
 * record it creates; a retry with the same key and the same request gets the
 * stored reply again (marked `Idempotent-Replayed: true`); the same key with a
 * different request is refused with 422.  Keys are scoped to the caller's
 * organisation.
 */
#include <sodium.h>
#include <string.h>
#include "api_int.h"
#include "lodestone/clock.h"

static void idem_hash(const lds_req *r, uint8_t out[32])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)r->method_name, strlen(r->method_name));
    crypto_hash_sha256_update(&st, (const unsigned char *)" ", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)r->path, strlen(r->path));
    crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)r->body, r->body_len);
    crypto_hash_sha256_final(&st, out);
}

static int idem_replay(lds_req *r, const char *key, const uint8_t hash[32])
{
    static const char q[] =
        "SELECT request_hash, status, body, location FROM idempotency_keys"
        " WHERE org_id = ?1 AND key = ?2";
    lds_stmt *st;
    lds_err err;
    if (lds_store_prepare(r->w->store, q, &st, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
        return 1;
    }
    lds_stmt_bind_i64(st, 1, r->who.org_id);
    lds_stmt_bind_text(st, 2, key);
    int rc = lds_stmt_step(st, &err);
    if (rc == LDS_STORE_DONE)
        return 0;
    if (rc != LDS_STORE_ROW) {
        lds_api_problem_err(r, &err, NULL);
        return 1;
    }
    int n = 0;
    const void *stored = lds_stmt_col_blob(st, 0, &n);
    if (n != 32 || memcmp(stored, hash, 32) != 0) {
        lds_stmt_reset(st);
        lds_api_problem(r, 422, "idempotency-key-reused", NULL,
                        "this Idempotency-Key was already used for a different request", NULL);
        return 1;
    }
    int status = (int)lds_stmt_col_i64(st, 1);
    const char *body = lds_stmt_col_text(st, 2);
    const char *loc = lds_stmt_col_text(st, 3);
    if (loc)
        lds_api_add_header(r, "Location", loc);
    lds_api_add_header(r, "Idempotent-Replayed", "true");
    lds_api_reply(r, status, "application/json", body ? body : "", body ? strlen(body) : 0);
    lds_stmt_reset(st);
    return 1;
}

int lds_api_idem_begin(lds_req *r, const char **key, uint8_t hash[32])
{
    *key = lds_api_header(r, "Idempotency-Key");
    if (!*key)
        return 0;
    size_t n = strlen(*key);
    if (n == 0 || n > 200) {
        lds_field_errors fe = {0};
        lds_field_errors_add(&fe, "Idempotency-Key", "must be 1 to 200 characters");
        lds_api_problem(r, 400, "invalid-fields", NULL, "bad Idempotency-Key header", &fe);
        return 1;
    }
    idem_hash(r, hash);
    return idem_replay(r, *key, hash);
}

lds_code lds_api_idem_record(lds_req *r, const char *key, const uint8_t hash[32], int status,
                             const lds_buf *body, const char *location, lds_err *err)
{
    static const char q[] =
        "INSERT INTO idempotency_keys(org_id, key, request_hash, status, body, location,"
        " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    char now[LDS_RFC3339_LEN];
    lds_now_rfc3339(now);
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(r->w->store, q, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, r->who.org_id);
    lds_stmt_bind_text(st, 2, key);
    lds_stmt_bind_blob(st, 3, hash, 32);
    lds_stmt_bind_i64(st, 4, status);
    lds_stmt_bind_text(st, 5, body->ptr);
    lds_stmt_bind_text(st, 6, location);
    lds_stmt_bind_text(st, 7, now);
    return lds_stmt_exec(st, err);
}
