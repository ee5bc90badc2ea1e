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
static void values_bound_without_copies_are_read_in_place(void **state)
{
    (void)state;
    lds_store *s = open_fresh("static.db");
    lds_err err;
    static const char q[] = "SELECT ?1, length(?2), hex(?2), ?3 IS NULL";
    char text[16] = "urn:uuid:a";
    const unsigned char blob[3] = {0x00, 0xab, 0xff};
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(s, q, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_bind_text_static(st, 1, text), LDS_OK);
    assert_int_equal(lds_stmt_bind_blob_static(st, 2, blob, 3), LDS_OK);
    assert_int_equal(lds_stmt_bind_text_static(st, 3, NULL), LDS_OK);
    /* Not copied: the bytes at the time of the step are the ones used. */
    text[9] = 'b';
    assert_int_equal(lds_stmt_step(st, &err), LDS_STORE_ROW);
    assert_string_equal(lds_stmt_col_text(st, 0), "urn:uuid:b");
    assert_int_equal(lds_stmt_col_i64(st, 1), 3);
    assert_string_equal(lds_stmt_col_text(st, 2), "00ABFF");
    assert_int_equal(lds_stmt_col_i64(st, 3), 1);
    lds_stmt_reset(st);
    /* Handed out again, the statement no longer refers to them. */
    assert_int_equal(lds_store_prepare(s, q, &st, &err), LDS_OK);
    memset(text, 'x', sizeof text);
    assert_int_equal(lds_stmt_step(st, &err), LDS_STORE_ROW);
    assert_true(lds_stmt_col_is_null(st, 0));
    assert_true(lds_stmt_col_is_null(st, 1));
    lds_stmt_reset(st);
    lds_store_close(s);
}

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

/* ---- migration 14: eventIDs keyed by a 64-bit integer -------------------- */

#define V_BEFORE_KEY 13 /* the schema before the eventID key */

static void exec_ok(lds_store *s, const char *sql)
{
    lds_stmt *st;
    lds_err err;
    if (lds_store_prepare(s, sql, &st, &err) || lds_stmt_exec(st, &err))
        fail_msg("%s: %s", sql, err.msg);
}

/* What a v13 store holds after two captured events: a job, two leaves, two
 * events (rowids 5 and 9), identifier rows, a lot with a holder and an
 * edge, all referencing the events by rowid. */
static void fill_v13(lds_store *s)
{
    static const char *const rows[] = {
        "INSERT INTO epcis_captures (id, created_ms, error_behaviour) VALUES (1, 1, 'rollback')",
        "INSERT INTO ledger_leaves (idx, leaf_hash, data) VALUES (0, zeroblob(32), 'leaf A')",
        "INSERT INTO ledger_leaves (idx, leaf_hash, data) VALUES (1, zeroblob(32), 'leaf B')",
        "INSERT INTO epcis_events (id, event_id, type, action, event_time_ms, tz_offset_min, "
        "record_time_ms, biz_step, leaf_idx, capture_id) VALUES (5, 'urn:uuid:a', "
        "'ObjectEvent', 'ADD', 1000, 480, 2000, 'https://ref.gs1.org/cbv/BizStep-shipping', 0, 1)",
        "INSERT INTO epcis_events (id, event_id, type, event_time_ms, tz_offset_min, "
        "record_time_ms, read_point, leaf_idx, capture_id) VALUES (9, "
        "'ni:///sha-256;abc?ver=CBV2.0', 'TransformationEvent', 3000, -60, 4000, 'urn:rp', 1, 1)",
        "INSERT INTO epcis_event_ids (uri, role, event) VALUES ('urn:epc:id:sgtin:1.2.3', 0, 5)",
        "INSERT INTO epcis_event_ids (uri, role, event) VALUES ('urn:epc:class:lgtin:1.2.L', 3, 9)",
        "INSERT INTO lots (id, lot, event, event_time_ms) VALUES (1, 'lot-in', 5, 1000)",
        "INSERT INTO lots (id, lot, event, event_time_ms, is_output) VALUES (2, 'lot-out', 9, "
        "3000, 1)",
        "INSERT INTO lot_edges (output_lot, input_lot, event, in_qty) VALUES (2, 1, 9, 10)",
        "INSERT INTO lot_holders (lot, org_id, event) VALUES (1, 7, 5)",
        NULL,
    };
    for (int i = 0; rows[i]; i++)
        exec_ok(s, rows[i]);
}

static void key64_is_the_sha256_prefix_in_c_and_sql(void **state)
{
    (void)state;
    /* Hand-checked: int.from_bytes(sha256(text)[:8], 'big') as a signed int64. */
    assert_true(lds_store_key64("urn:uuid:a") == INT64_C(5800002453013001881));
    assert_true(lds_store_key64("ni:///sha-256;abc?ver=CBV2.0") == INT64_C(783101926333802692));
    assert_true(lds_store_key64("") == INT64_C(-2039914840885289964));
    lds_store *s = open_fresh("key64.db");
    static const char q1[] = "SELECT lds_key64('urn:uuid:a')";
    static const char q2[] = "SELECT lds_key64('') = -2039914840885289964";
    static const char q3[] = "SELECT lds_key64(NULL) IS NULL";
    assert_true(scalar(s, q1) == INT64_C(5800002453013001881));
    assert_int_equal(scalar(s, q2), 1);
    assert_int_equal(scalar(s, q3), 1);
    lds_store_close(s);
}

static void event_key_migration_keeps_events_and_references(void **state)
{
    (void)state;
    lds_store *s = open_fresh("mig14.db");
    lds_err err;
    int applied = -1, version = -1;
    assert_int_equal(lds_store__migrate_to(s, V_BEFORE_KEY, &applied, &err), LDS_OK);
    assert_int_equal(applied, V_BEFORE_KEY);
    fill_v13(s);
    static const char q_auto[] = "SELECT count(*) FROM sqlite_master WHERE tbl_name = "
                                 "'epcis_events' AND name LIKE 'sqlite_autoindex%'";
    assert_int_equal(scalar(s, q_auto), 1); /* the UNIQUE text index */

    assert_int_equal(lds_store__migrate_to(s, V_BEFORE_KEY + 1, &applied, &err), LDS_OK);
    assert_int_equal(applied, 1);

    /* Rows, rowids and every value kept; keys filled in. */
    static const char q_n[] = "SELECT count(*) FROM epcis_events";
    static const char q_a[] =
        "SELECT event_key = 5800002453013001881 AND event_id = 'urn:uuid:a' AND type = "
        "'ObjectEvent' AND action = 'ADD' AND event_time_ms = 1000 AND tz_offset_min = 480 AND "
        "record_time_ms = 2000 AND biz_step = 'https://ref.gs1.org/cbv/BizStep-shipping' AND "
        "disposition IS NULL AND leaf_idx = 0 AND capture_id = 1 FROM epcis_events WHERE id = 5";
    static const char q_b[] =
        "SELECT event_key = 783101926333802692 AND type = 'TransformationEvent' AND action IS "
        "NULL AND tz_offset_min = -60 AND read_point = 'urn:rp' AND leaf_idx = 1 "
        "FROM epcis_events WHERE id = 9";
    assert_int_equal(scalar(s, q_n), 2);
    assert_int_equal(scalar(s, q_a), 1);
    assert_int_equal(scalar(s, q_b), 1);

    /* The references still join. */
    static const char q_refs[] =
        "SELECT (SELECT count(*) FROM epcis_event_ids i JOIN epcis_events e ON e.id = i.event) "
        "+ (SELECT count(*) FROM lots l JOIN epcis_events e ON e.id = l.event) "
        "+ (SELECT count(*) FROM lot_edges x JOIN epcis_events e ON e.id = x.event) "
        "+ (SELECT count(*) FROM lot_holders h JOIN epcis_events e ON e.id = h.event)";
    assert_int_equal(scalar(s, q_refs), 2 + 2 + 1 + 1);

    /* Indexes: time and key, no UNIQUE text index; the key index is used. */
    static const char q_idx[] =
        "SELECT group_concat(name, ',') = 'epcis_events_key,epcis_events_time' "
        "FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND "
        "tbl_name = 'epcis_events' ORDER BY name)";
    assert_int_equal(scalar(s, q_idx), 1);
    assert_int_equal(scalar(s, q_auto), 0);
    static const char q_plan[] = "EXPLAIN QUERY PLAN SELECT leaf_idx FROM epcis_events "
                                 "WHERE event_key = ?1 AND event_id = ?2";
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(s, q_plan, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &err), LDS_STORE_ROW);
    assert_non_null(strstr(lds_stmt_col_text(st, 3), "USING INDEX epcis_events_key (event_key=?)"));
    lds_stmt_reset(st);
    static const char q_dup_ok[] = "SELECT count(*) FROM epcis_events WHERE event_key = "
                                   "lds_key64('urn:uuid:a') AND event_id = 'urn:uuid:a'";
    assert_int_equal(scalar(s, q_dup_ok), 1);

    /* Migration 15: the keys move to epcis_event_keys (none staged), the
     * index on epcis_events(event_key) goes, and a look-up by eventID probes
     * both key tables by their primary keys. */
    assert_int_equal(lds_store_migrate(s, &applied, &err), LDS_OK);
    assert_int_equal(applied, lds_store__n_migrations - V_BEFORE_KEY - 1);
    assert_int_equal(lds_store_schema_version(s, &version, &err), LDS_OK);
    assert_int_equal(version, lds_store_latest_version());
    static const char q_keys[] =
        "SELECT count(*) FROM epcis_event_keys k JOIN epcis_events e ON e.id = k.event "
        "AND e.event_key = k.key WHERE (k.event = 5 AND k.key = 5800002453013001881) "
        "OR (k.event = 9 AND k.key = 783101926333802692)";
    static const char q_nkeys[] = "SELECT count(*) FROM epcis_event_keys";
    static const char q_staged[] = "SELECT count(*) FROM epcis_event_keys_new";
    assert_int_equal(scalar(s, q_keys), 2);
    assert_int_equal(scalar(s, q_nkeys), 2);
    assert_int_equal(scalar(s, q_staged), 0);
    static const char q_idx15[] =
        "SELECT group_concat(name, ',') = 'epcis_events_time' "
        "FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND "
        "tbl_name = 'epcis_events' ORDER BY name)";
    assert_int_equal(scalar(s, q_idx15), 1);
    static const char q_plan15[] =
        "EXPLAIN QUERY PLAN SELECT e.leaf_idx FROM (SELECT event AS id FROM epcis_event_keys "
        "WHERE key = ?1 UNION ALL SELECT event FROM epcis_event_keys_new WHERE key = ?1) ek "
        "JOIN epcis_events e ON e.id = ek.id WHERE e.event_id = ?2";
    int n_pk = 0, n_scan = 0;
    assert_int_equal(lds_store_prepare(s, q_plan15, &st, &err), LDS_OK);
    while (lds_stmt_step(st, &err) == LDS_STORE_ROW) {
        const char *d = lds_stmt_col_text(st, 3);
        n_pk += strstr(d, "USING PRIMARY KEY (key=?)") != NULL;
        n_scan += strncmp(d, "SCAN", 4) == 0;
    }
    lds_stmt_reset(st);
    assert_int_equal(n_pk, 2);
    assert_int_equal(n_scan, 0);
    static const char q_lookup[] =
        "SELECT e.leaf_idx FROM (SELECT event AS id FROM epcis_event_keys WHERE key = "
        "lds_key64('ni:///sha-256;abc?ver=CBV2.0') UNION ALL SELECT event FROM "
        "epcis_event_keys_new WHERE key = lds_key64('ni:///sha-256;abc?ver=CBV2.0')) ek "
        "JOIN epcis_events e ON e.id = ek.id";
    assert_int_equal(scalar(s, q_lookup), 1);

    /* Foreign keys are on again and hold. */
    static const char q_fk[] = "PRAGMA foreign_keys";
    assert_int_equal(scalar(s, q_fk), 1);
    static const char bad[] = "INSERT INTO epcis_event_ids (uri, role, event) VALUES ('u', 0, 99)";
    assert_int_equal(lds_store_prepare(s, bad, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_ECONFLICT);
    static const char no_key[] =
        "INSERT INTO epcis_events (event_id, type, event_time_ms, tz_offset_min, "
        "record_time_ms, leaf_idx) VALUES ('urn:uuid:c', 'ObjectEvent', 1, 0, 1, 0)";
    assert_int_equal(lds_store_prepare(s, no_key, &st, &err), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &err), LDS_ECONFLICT); /* event_key NOT NULL */
    lds_store_close(s);
}

static void migration_leaving_a_dangling_reference_is_rolled_back(void **state)
{
    (void)state;
    lds_store *s = open_fresh("mig14bad.db");
    lds_err err;
    assert_int_equal(lds_store__migrate_to(s, V_BEFORE_KEY, NULL, &err), LDS_OK);
    fill_v13(s);
    /* A row that names an event that is not there (only possible with
     * foreign keys off): the rebuild must not commit over it. */
    exec_ok(s, "PRAGMA foreign_keys=OFF");
    exec_ok(s, "INSERT INTO lot_holders (lot, org_id, event) VALUES (2, 8, 77)");
    exec_ok(s, "PRAGMA foreign_keys=ON");
    int version = -1;
    assert_int_equal(lds_store_migrate(s, NULL, &err), LDS_ECONFLICT);
    assert_non_null(strstr(err.msg, "migration 14"));
    if (!strstr(err.msg, "row of 'epcis_events'") || !strstr(err.msg, "lot_holders"))
        fail_msg("%s", err.msg);
    assert_int_equal(lds_store_schema_version(s, &version, &err), LDS_OK);
    assert_int_equal(version, V_BEFORE_KEY);
    static const char q_old[] = "SELECT count(*) FROM sqlite_master WHERE name = "
                                "'epcis_events_new' OR name = 'epcis_events_key'";
    static const char q_fk[] = "PRAGMA foreign_keys";
    static const char q_n[] = "SELECT count(*) FROM epcis_events";
    assert_int_equal(scalar(s, q_old), 0);
    assert_int_equal(scalar(s, q_fk), 1);
    assert_int_equal(scalar(s, q_n), 2);
    lds_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_are_recorded_and_idempotent),
        cmocka_unit_test(key64_is_the_sha256_prefix_in_c_and_sql),
        cmocka_unit_test(event_key_migration_keeps_events_and_references),
        cmocka_unit_test(migration_leaving_a_dangling_reference_is_rolled_back),
        cmocka_unit_test(versions_increase_strictly),
        cmocka_unit_test(newer_schema_is_refused),
        cmocka_unit_test(wal_foreign_keys_and_busy_timeout_are_on),
        cmocka_unit_test(statements_are_cached_and_bound),
        cmocka_unit_test(values_bound_without_copies_are_read_in_place),
        cmocka_unit_test(kept_statement_survives_cache_growth),
        cmocka_unit_test(rollback_leaves_nothing),
        cmocka_unit_test(generation_sees_other_connections),
        cmocka_unit_test(end_reads_releases_the_snapshot),
        cmocka_unit_test(open_reports_unusable_paths),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
