/* test_store.c — the SQLite store: migrations, pragmas, statements, transactions. */
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "lodestone/store.h"
#include "store/store_int.h"

static lds_store *open_fresh(const char *name)
{
    char path[512];
    lds_test_path(path, sizeof path, name);
    remove(path);
    lds_store *s = NULL;
    lds_err err;
    if (lds_store_open(path, &s, &err) != LDS_OK)
        fail_msg("open: %s", err.msg);
    return s;
}

static int64_t scalar(lds_store *s, const char *sql)
{
    lds_stmt *st;
    lds_err err;
    assert_int_equal(lds_store_prepare(s, sql, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &err), LDS_STORE_ROW);
    int64_t v = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return v;
}

static void migrations_are_recorded_and_idempotent(void **state)
{
    (void)state;
    lds_store *s = open_fresh("mig.db");
    lds_err err;
    int applied = -1, version = -1;
    assert_int_equal(lds_store_schema_version(s, &version, &err), LDS_OK);
    assert_int_equal(version, 0);
    assert_int_equal(lds_store_migrate(s, &applied, &err), LDS_OK);
    assert_int_equal(applied, lds_store__n_migrations);
    assert_int_equal(lds_store_schema_version(s, &version, &err), LDS_OK);
    assert_int_equal(version, lds_store_latest_version());
    static const char q_count[] = "SELECT count(*) FROM schema_migrations";
    assert_int_equal(scalar(s, q_count), lds_store__n_migrations);
    assert_int_equal(lds_store_migrate(s, &applied, &err), LDS_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(scalar(s, q_count), lds_store__n_migrations);
    lds_store_close(s);
}

static void versions_increase_strictly(void **state)
{
    (void)state;
    for (int i = 1; i < lds_store__n_migrations; i++)
        assert_true(lds_store__migrations[i].version > lds_store__migrations[i - 1].version);
}

static void newer_schema_is_refused(void **state)
{
    (void)state;
    lds_store *s = open_fresh("newer.db");
    lds_err err;
    assert_int_equal(lds_store_migrate(s, NULL, &err), LDS_OK);
    static const char q[] = "INSERT INTO schema_migrations(version, name, applied_at) VALUES (9999, 'future', 'x')";
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(s, q, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_OK);
    assert_int_equal(lds_store_migrate(s, NULL, &err), LDS_ECONFLICT);
    assert_non_null(strstr(err.msg, "newer"));
    lds_store_close(s);
}

static void wal_foreign_keys_and_busy_timeout_are_on(void **state)
{
    (void)state;
    lds_store *s = open_fresh("pragma.db");
    lds_err err;
    static const char q_fk[] = "PRAGMA foreign_keys";
    static const char q_busy[] = "PRAGMA busy_timeout";
    static const char q_mode[] = "PRAGMA journal_mode";
    assert_int_equal(scalar(s, q_fk), 1);
    assert_true(scalar(s, q_busy) >= 1000);
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(s, q_mode, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &err), LDS_STORE_ROW);
    assert_string_equal(lds_stmt_col_text(st, 0), "wal");
    lds_stmt_reset(st);

    assert_int_equal(lds_store_migrate(s, NULL, &err), LDS_OK);
    static const char q_bad[] =
        "INSERT INTO orgs(name, kind, region_id, created_at) VALUES ('x', 'enterprise', 'nowhere', 'now')";
    assert_int_equal(lds_store_prepare(s, q_bad, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_ECONFLICT);
    lds_store_close(s);
}

static void statements_are_cached_and_bound(void **state)
{
    (void)state;
    lds_store *s = open_fresh("stmt.db");
    lds_err err;
    static const char q[] = "SELECT ?1 + 1, ?2, ?3";
    lds_stmt *a, *b;
    assert_int_equal(lds_store_prepare(s, q, &a, &err), LDS_OK);
    assert_int_equal(lds_stmt_bind_i64(a, 1, 41), LDS_OK);
    assert_int_equal(lds_stmt_bind_text(a, 2, "it's; DROP TABLE x"), LDS_OK);
    assert_int_equal(lds_stmt_step(a, &err), LDS_STORE_ROW);
    assert_int_equal(lds_stmt_col_i64(a, 0), 42);
    assert_string_equal(lds_stmt_col_text(a, 1), "it's; DROP TABLE x");
    assert_true(lds_stmt_col_is_null(a, 2));
    assert_int_equal(lds_stmt_col_type(a, 2), LDS_COL_NULL);
    assert_int_equal(lds_store_prepare(s, q, &b, &err), LDS_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(lds_stmt_step(b, &err), LDS_STORE_ROW); /* bindings were cleared */
    assert_true(lds_stmt_col_is_null(b, 1));
    lds_stmt_reset(b);
    static const char bad[] = "SELEC nonsense";
    assert_int_not_equal(lds_store_prepare(s, bad, &a, &err), LDS_OK);
    assert_true(strlen(err.msg) > 0);
    lds_store_close(s);
}

/* A statement kept while many others are prepared (the cache grows several
 * times meanwhile) stays valid and keeps its place in its rows. */
static void kept_statement_survives_cache_growth(void **state)
{
    (void)state;
    lds_store *s = open_fresh("grow.db");
    lds_err err;
    static const char q[] = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                            "WHERE i < 3) SELECT i FROM n";
    static char others[300][48]; /* distinct addresses: distinct cache keys */
    lds_stmt *kept;
    assert_int_equal(lds_store_prepare(s, q, &kept, &err), LDS_OK);
    assert_int_equal(lds_stmt_step(kept, &err), LDS_STORE_ROW);
    assert_int_equal(lds_stmt_col_i64(kept, 0), 1);
    for (int i = 0; i < 300; i++) {
        snprintf(others[i], sizeof others[i], "SELECT %d", i);
        assert_int_equal(scalar(s, others[i]), i);
    }
    assert_int_equal(lds_stmt_step(kept, &err), LDS_STORE_ROW);
    assert_int_equal(lds_stmt_col_i64(kept, 0), 2);
    lds_stmt *again;
    assert_int_equal(lds_store_prepare(s, q, &again, &err), LDS_OK);
    assert_ptr_equal(again, kept);
    lds_stmt_reset(again);
    lds_store_close(s);
}

static void rollback_leaves_nothing(void **state)
{
    (void)state;
    lds_store *s = open_fresh("tx.db");
    lds_err err;
    assert_int_equal(lds_store_migrate(s, NULL, &err), LDS_OK);
    uint64_t g0 = lds_store_generation(s);
    static const char ins[] = "INSERT INTO meta(key, value) VALUES ('k', 'v')";
    static const char cnt[] = "SELECT count(*) FROM meta";
    lds_stmt *st;
    assert_int_equal(lds_store_begin(s, &err), LDS_OK);
    assert_int_equal(lds_store_prepare(s, ins, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_OK);
    lds_store_rollback(s);
    assert_int_equal(scalar(s, cnt), 0);
    assert_int_equal(lds_store_begin(s, &err), LDS_OK);
    assert_int_equal(lds_store_prepare(s, ins, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_OK);
    assert_int_equal(lds_store_commit(s, &err), LDS_OK);
    assert_int_equal(scalar(s, cnt), 1);
    assert_true(lds_store_generation(s) != g0);
    lds_store_close(s);
}

static void generation_sees_other_connections(void **state)
{
    (void)state;
    char path[512];
    lds_test_path(path, sizeof path, "gen.db");
    remove(path);
    lds_store *a = NULL, *b = NULL;
    lds_err err;
    assert_int_equal(lds_store_open(path, &a, &err), LDS_OK);
    assert_int_equal(lds_store_migrate(a, NULL, &err), LDS_OK);
    assert_int_equal(lds_store_open(path, &b, &err), LDS_OK);
    uint64_t ga = lds_store_generation(a);
    static const char ins[] = "INSERT INTO meta(key, value) VALUES ('other', 'conn')";
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(b, ins, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_OK);
    assert_true(lds_store_generation(a) != ga);
    lds_store_close(a);
    lds_store_close(b);
}

static void end_reads_releases_the_snapshot(void **state)
{
    (void)state;
    char path[512];
    lds_test_path(path, sizeof path, "snap.db");
    remove(path);
    lds_store *a = NULL, *b = NULL;
    lds_err err;
    assert_int_equal(lds_store_open(path, &a, &err), LDS_OK);
    assert_int_equal(lds_store_migrate(a, NULL, &err), LDS_OK);
    assert_int_equal(lds_store_open(path, &b, &err), LDS_OK);
    static const char ins[] = "INSERT INTO meta(key, value) VALUES (?1, 'v')";
    static const char all[] = "SELECT key FROM meta";
    static const char cnt[] = "SELECT count(*) FROM meta";
    lds_stmt *st;
    for (int i = 0; i < 2; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(lds_store_prepare(a, ins, &st, &err), LDS_OK);
        lds_stmt_bind_text(st, 1, key);
        assert_int_equal(lds_stmt_exec(st, &err), LDS_OK);
    }
    /* b reads one row of two and stops: its snapshot stays open. */
    assert_int_equal(lds_store_prepare(b, all, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &err), LDS_STORE_ROW);
    assert_int_equal(lds_store_prepare(a, ins, &st, &err), LDS_OK);
    lds_stmt_bind_text(st, 1, "k2");
    assert_int_equal(lds_stmt_exec(st, &err), LDS_OK);
    assert_int_equal(scalar(b, cnt), 2); /* still the old snapshot */
    lds_store_end_reads(b);
    assert_int_equal(scalar(b, cnt), 3);
    lds_store_close(a);
    lds_store_close(b);
}

static void open_reports_unusable_paths(void **state)
{
    (void)state;
    lds_store *s = NULL;
    lds_err err;
    assert_int_equal(lds_store_open("/nonexistent-dir/x/y.db", &s, &err), LDS_EIO);
    assert_null(s);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x/y.db"));
    assert_int_equal(lds_store_open("", &s, &err), LDS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_are_recorded_and_idempotent),
        cmocka_unit_test(versions_increase_strictly),
        cmocka_unit_test(newer_schema_is_refused),
        cmocka_unit_test(wal_foreign_keys_and_busy_timeout_are_on),
        cmocka_unit_test(statements_are_cached_and_bound),
        cmocka_unit_test(kept_statement_survives_cache_growth),
        cmocka_unit_test(rollback_leaves_nothing),
        cmocka_unit_test(generation_sees_other_connections),
        cmocka_unit_test(end_reads_releases_the_snapshot),
        cmocka_unit_test(open_reports_unusable_paths),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
