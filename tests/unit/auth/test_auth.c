/* test_auth.c — tokens: format, hash-only storage, verification, revocation, roles. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "lodestone/auth.h"
#include "lodestone/store.h"

static lds_store *db;

static int setup(void **state)
{
    (void)state;
    char path[512];
    lds_err err;
    lds_test_path(path, sizeof path, "auth.db");
    remove(path);
    if (lds_store_open(path, &db, &err) || lds_store_migrate(db, NULL, &err))
        return -1;
    static const char r[] = "INSERT INTO regions(id, name, country, lat, lon, role) VALUES ('r', 'R', 'CN', 1, 1, 'upstream')";
    static const char o[] = "INSERT INTO orgs(id, name, kind, region_id, created_at) VALUES (1, 'Op', 'operator', 'r', 'now'), (2, 'Mem', 'enterprise', 'r', 'now')";
    lds_stmt *st;
    if (lds_store_prepare(db, r, &st, &err) || lds_stmt_exec(st, &err) ||
        lds_store_prepare(db, o, &st, &err) || lds_stmt_exec(st, &err))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_store_close(db);
    return 0;
}

static void token_hash_is_sha256(void **state)
{
    (void)state;
    uint8_t h[32];
    lds_token_hash("abc", h);
    /* FIPS 180-2 test vector for "abc". */
    static const uint8_t want[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                     0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                     0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    assert_memory_equal(h, want, 32);
}

static void created_token_verifies_and_only_hash_is_stored(void **state)
{
    (void)state;
    char tok[LDS_TOKEN_LEN + 1];
    lds_err err;
    assert_int_equal(lds_token_create(db, 2, LDS_ROLE_MEMBER, "test", tok, &err), LDS_OK);
    assert_int_equal(strlen(tok), LDS_TOKEN_LEN);
    assert_memory_equal(tok, "lds_", 4);
    lds_principal who;
    assert_int_equal(lds_token_verify(db, tok, &who, &err), LDS_OK);
    assert_int_equal(who.org_id, 2);
    assert_int_equal(who.role, LDS_ROLE_MEMBER);

    static const char q[] = "SELECT hash FROM tokens WHERE id = ?1";
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(db, q, &st, &err), LDS_OK);
    lds_stmt_bind_i64(st, 1, who.token_id);
    assert_int_equal(lds_stmt_step(st, &err), LDS_STORE_ROW);
    int n = 0;
    const uint8_t *stored = lds_stmt_col_blob(st, 0, &n);
    uint8_t want[32];
    lds_token_hash(tok, want);
    assert_int_equal(n, 32);
    assert_memory_equal(stored, want, 32);
    lds_stmt_reset(st);

    char other[LDS_TOKEN_LEN + 1];
    assert_int_equal(lds_token_create(db, 2, LDS_ROLE_MEMBER, NULL, other, &err), LDS_OK);
    assert_string_not_equal(tok, other);
}

static void wrong_tokens_are_refused(void **state)
{
    (void)state;
    char tok[LDS_TOKEN_LEN + 1];
    lds_err err;
    lds_principal who;
    assert_int_equal(lds_token_create(db, 1, LDS_ROLE_OPERATOR, NULL, tok, &err), LDS_OK);
    tok[10] = tok[10] == 'A' ? 'B' : 'A';
    assert_int_equal(lds_token_verify(db, tok, &who, &err), LDS_EAUTH);
    assert_int_equal(lds_token_verify(db, "", &who, &err), LDS_EAUTH);
    assert_int_equal(lds_token_verify(db, "lds_short", &who, &err), LDS_EAUTH);
    assert_int_equal(lds_token_verify(db, NULL, &who, &err), LDS_EAUTH);
}

static void revoked_token_stops_working(void **state)
{
    (void)state;
    char tok[LDS_TOKEN_LEN + 1];
    lds_err err;
    lds_principal who;
    assert_int_equal(lds_token_create(db, 1, LDS_ROLE_AUDITOR, NULL, tok, &err), LDS_OK);
    assert_int_equal(lds_token_verify(db, tok, &who, &err), LDS_OK);
    assert_int_equal(lds_token_revoke(db, who.token_id, &err), LDS_OK);
    assert_int_equal(lds_token_verify(db, tok, &who, &err), LDS_EAUTH);
    assert_int_equal(lds_token_revoke(db, who.token_id, &err), LDS_ENOTFOUND);
}

static void unknown_org_and_roles_are_rejected(void **state)
{
    (void)state;
    char tok[LDS_TOKEN_LEN + 1];
    lds_err err;
    assert_int_equal(lds_token_create(db, 999, LDS_ROLE_MEMBER, NULL, tok, &err), LDS_ENOTFOUND);
    lds_role role;
    assert_int_equal(lds_role_parse("investor", &role, &err), LDS_OK);
    assert_int_equal(role, LDS_ROLE_INVESTOR);
    assert_int_equal(lds_role_parse("admin", &role, &err), LDS_EINVAL);
    assert_non_null(strstr(err.msg, "operator"));
    for (int r = LDS_ROLE_OPERATOR; r <= LDS_ROLE_AUDITOR; r++) {
        lds_role back;
        assert_int_equal(lds_role_parse(lds_role_name((lds_role)r), &back, &err), LDS_OK);
        assert_int_equal(back, r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_hash_is_sha256),
        cmocka_unit_test(created_token_verifies_and_only_hash_is_stored),
        cmocka_unit_test(wrong_tokens_are_refused),
        cmocka_unit_test(revoked_token_stops_working),
        cmocka_unit_test(unknown_org_and_roles_are_rejected),
    };
    return cmocka_run_group_tests_name("auth", tests, setup, teardown);
}
