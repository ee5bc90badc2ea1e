/*
 * sqlite.c — the SQLite backend of store.h.  One connection per lds_store,
 * WAL journal, foreign keys on, busy timeout; statements are prepared once
 * and cached in a small open-addressing table keyed by the SQL literal's
 * address.  The table holds pointers: a statement handed out stays where it
 * is when the table grows, so a caller may keep one while preparing others.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/clock.h"
#include "lodestone/sha256.h"
#include "lodestone/store.h"
#include "store_int.h"

#define BUSY_TIMEOUT_MS 5000

struct lds_stmt {
    const char *key; /* the SQL literal whose address keys the cache */
    sqlite3_stmt *st;
    lds_store *owner;
};

struct lds_store {
    sqlite3 *db;
    lds_stmt **slots; /* open addressing, power-of-two size; NULL = empty */
    size_t n_slots;
    size_t n_used;
    int in_tx;
};

static lds_code db_error(lds_store *s, int rc, const char *what, lds_err *err)
{
    int prim = rc & 0xff;
    lds_code code = LDS_EIO;
    if (prim == SQLITE_CONSTRAINT)
        code = LDS_ECONFLICT;
    else if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        code = LDS_EBUSY;
    else if (prim == SQLITE_NOMEM)
        code = LDS_ENOMEM;
    else if (prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB)
        code = LDS_ECORRUPT;
    return lds_err_set(err, code, "%s: %s", what, s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

static lds_code exec_sql(lds_store *s, const char *sql, lds_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        lds_code code = db_error(s, rc, "sql", err);
        if (msg && err)
            lds_err_set(err, code, "%s", msg);
        sqlite3_free(msg);
        return code;
    }
    return LDS_OK;
}

int64_t lds_store_key64(const char *text)
{
    uint8_t d[LDS_SHA256_LEN];
    lds_sha256(text, strlen(text), d);
    uint64_t k = 0;
    for (int i = 0; i < 8; i++)
        k = k << 8 | d[i];
    return (int64_t)k;
}

/* lds_key64(text) in SQL: the key of the text's UTF-8 bytes, NULL for NULL. */
static void sql_key64(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const unsigned char *t = sqlite3_value_text(argv[0]);
    if (!t) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    uint8_t d[LDS_SHA256_LEN];
    lds_sha256(t, (size_t)sqlite3_value_bytes(argv[0]), d);
    uint64_t k = 0;
    for (int i = 0; i < 8; i++)
        k = k << 8 | d[i];
    sqlite3_result_int64(ctx, (sqlite3_int64)k);
}

/* SQLite's memory statistics take a process-wide mutex on every allocation
 * and free: with several connections writing at once (the server's
 * workers, parallel captures) they contend on it for figures nothing here
 * reads.  Turned off once, before SQLite initialises (sqlite3_config is
 * refused after that, harmlessly). */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

lds_code lds_store_open(const char *path, lds_store **out, lds_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    *out = NULL;
    if (!path || !*path)
        return lds_err_field(err, LDS_EINVAL, "db", "database path is empty");
    if (strncmp(path, "sqlite:", 7) == 0)
        path += 7;
    lds_store *s = lds_calloc(1, sizeof *s);
    if (!s)
        return lds_err_set(err, LDS_ENOMEM, "out of memory opening store");
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        lds_code code = lds_err_set(err, LDS_EIO, "cannot open database '%s': %s", path,
                                    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        lds_store_close(s);
        return code;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    rc = sqlite3_create_function_v2(s->db, "lds_key64", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                    sql_key64, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        lds_code code = db_error(s, rc, "cannot open database: lds_key64", err);
        lds_store_close(s);
        return code;
    }
    lds_code code = exec_sql(s,
                             "PRAGMA journal_mode=WAL;"
                             "PRAGMA synchronous=NORMAL;"
                             "PRAGMA foreign_keys=ON;"
                             /* A 64 MiB page cache (SQLite's default is 2 MiB), filled
                              * only as pages are used: a growing EPCIS store inserts at
                              * random places of its eventID and identifier indexes, and
                              * with 2 MiB every such page was read back from the file
                              * and dirty pages spilled to the WAL before the commit
                              * (100 capture documents: 2.9 -> 1.2 reads and 4.6 -> 3.0
                              * writes per event, docs/benchmarks-trace.md). */
                             "PRAGMA cache_size=-65536;",
                             err);
    if (code != LDS_OK) {
        if (err)
            lds_err_set(err, code, "cannot open database '%s': %s", path, err->msg);
        lds_store_close(s);
        return code;
    }
    *out = s;
    return LDS_OK;
}

void lds_store_close(lds_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_slots; i++)
        if (s->slots[i]) {
            sqlite3_finalize(s->slots[i]->st);
            lds_free(s->slots[i]);
        }
    lds_free(s->slots);
    sqlite3_close_v2(s->db);
    lds_free(s);
}

static size_t slot_of(const lds_store *s, const char *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 7) & (s->n_slots - 1);
}

static int grow_cache(lds_store *s)
{
    size_t n = s->n_slots ? s->n_slots * 2 : 64;
    lds_stmt **old = s->slots;
    size_t n_old = s->n_slots;
    lds_stmt **slots = lds_calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    s->slots = slots;
    s->n_slots = n;
    for (size_t i = 0; i < n_old; i++) {
        if (!old[i])
            continue;
        size_t j = slot_of(s, old[i]->key);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = old[i];
    }
    lds_free(old);
    return 0;
}

lds_code lds_store_prepare(lds_store *s, const char *sql, lds_stmt **out, lds_err *err)
{
    *out = NULL;
    if ((s->n_used + 1) * 2 > s->n_slots && grow_cache(s) != 0)
        return lds_err_set(err, LDS_ENOMEM, "out of memory preparing statement");
    size_t j = slot_of(s, sql);
    while (s->slots[j] && s->slots[j]->key != sql)
        j = (j + 1) & (s->n_slots - 1);
    lds_stmt *e = s->slots[j];
    if (!e) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK)
            return db_error(s, rc, "prepare", err);
        if (!(e = lds_malloc(sizeof *e))) {
            sqlite3_finalize(st);
            return lds_err_set(err, LDS_ENOMEM, "out of memory preparing statement");
        }
        s->slots[j] = e;
        e->key = sql;
        e->st = st;
        e->owner = s;
        s->n_used++;
    } else {
        sqlite3_reset(e->st);
        sqlite3_clear_bindings(e->st);
    }
    *out = e;
    return LDS_OK;
}

static lds_code bind_rc(int rc)
{
    return rc == SQLITE_OK ? LDS_OK : rc == SQLITE_NOMEM ? LDS_ENOMEM : LDS_EINVAL;
}

lds_code lds_stmt_bind_i64(lds_stmt *st, int idx, int64_t v)
{
    return bind_rc(sqlite3_bind_int64(st->st, idx, v));
}

lds_code lds_stmt_bind_double(lds_stmt *st, int idx, double v)
{
    return bind_rc(sqlite3_bind_double(st->st, idx, v));
}

lds_code lds_stmt_bind_text(lds_stmt *st, int idx, const char *v)
{
    if (!v)
        return bind_rc(sqlite3_bind_null(st->st, idx));
    return bind_rc(sqlite3_bind_text(st->st, idx, v, -1, SQLITE_TRANSIENT));
}

lds_code lds_stmt_bind_blob(lds_stmt *st, int idx, const void *v, int n)
{
    return bind_rc(sqlite3_bind_blob(st->st, idx, v, n, SQLITE_TRANSIENT));
}

lds_code lds_stmt_bind_text_static(lds_stmt *st, int idx, const char *v)
{
    if (!v)
        return bind_rc(sqlite3_bind_null(st->st, idx));
    return bind_rc(sqlite3_bind_text(st->st, idx, v, -1, SQLITE_STATIC));
}

lds_code lds_stmt_bind_blob_static(lds_stmt *st, int idx, const void *v, int n)
{
    return bind_rc(sqlite3_bind_blob(st->st, idx, v, n, SQLITE_STATIC));
}

lds_code lds_stmt_bind_null(lds_stmt *st, int idx)
{
    return bind_rc(sqlite3_bind_null(st->st, idx));
}

int lds_stmt_step(lds_stmt *st, lds_err *err)
{
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW)
        return LDS_STORE_ROW;
    if (rc == SQLITE_DONE)
        return LDS_STORE_DONE;
    lds_code code = db_error(st->owner, rc, "query", err);
    sqlite3_reset(st->st);
    return (int)code;
}

lds_code lds_stmt_exec(lds_stmt *st, lds_err *err)
{
    int rc;
    while ((rc = lds_stmt_step(st, err)) == LDS_STORE_ROW)
        ;
    sqlite3_reset(st->st);
    return rc == LDS_STORE_DONE ? LDS_OK : (lds_code)rc;
}

int lds_stmt_exists(lds_stmt *st, lds_err *err)
{
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_ROW) {
        sqlite3_reset(st->st);
        return 1;
    }
    return step == LDS_STORE_DONE ? 0 : -step;
}

void lds_stmt_reset(lds_stmt *st)
{
    sqlite3_reset(st->st);
}

int lds_stmt_col_type(lds_stmt *st, int col)
{
    switch (sqlite3_column_type(st->st, col)) {
    case SQLITE_INTEGER:
        return LDS_COL_INT;
    case SQLITE_FLOAT:
        return LDS_COL_REAL;
    case SQLITE_TEXT:
        return LDS_COL_TEXT;
    case SQLITE_BLOB:
        return LDS_COL_BLOB;
    default:
        return LDS_COL_NULL;
    }
}

int64_t lds_stmt_col_i64(lds_stmt *st, int col)
{
    return sqlite3_column_int64(st->st, col);
}

double lds_stmt_col_double(lds_stmt *st, int col)
{
    return sqlite3_column_double(st->st, col);
}

const char *lds_stmt_col_text(lds_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->st, col);
}

const void *lds_stmt_col_blob(lds_stmt *st, int col, int *n)
{
    const void *p = sqlite3_column_blob(st->st, col);
    if (n)
        *n = sqlite3_column_bytes(st->st, col);
    return p;
}

int lds_stmt_col_is_null(lds_stmt *st, int col)
{
    return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int lds_stmt_col_count(lds_stmt *st)
{
    return sqlite3_column_count(st->st);
}

const char *lds_stmt_col_name(lds_stmt *st, int col)
{
    return sqlite3_column_name(st->st, col);
}

void lds_store_end_reads(lds_store *s)
{
    for (sqlite3_stmt *st = sqlite3_next_stmt(s->db, NULL); st; st = sqlite3_next_stmt(s->db, st))
        if (sqlite3_stmt_busy(st))
            sqlite3_reset(st);
}

int64_t lds_store_last_id(lds_store *s)
{
    return sqlite3_last_insert_rowid(s->db);
}

int64_t lds_store_changes(lds_store *s)
{
    return sqlite3_changes64(s->db);
}

int lds_store_foreign_keys(lds_store *s, int on)
{
    int now = -1;
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_FKEY, on ? 1 : 0, &now);
    return now;
}

uint64_t lds_store_generation(lds_store *s)
{
    static const char q[] = "PRAGMA data_version";
    lds_stmt *st;
    uint64_t other = 0;
    if (lds_store_prepare(s, q, &st, NULL) == LDS_OK && lds_stmt_step(st, NULL) == LDS_STORE_ROW)
        other = (uint64_t)lds_stmt_col_i64(st, 0);
    if (st)
        sqlite3_reset(st->st);
    /* data_version moves on other connections' commits, total_changes on ours. */
    return (other << 40) + (uint64_t)sqlite3_total_changes64(s->db);
}

lds_code lds_store_begin(lds_store *s, lds_err *err)
{
    lds_code rc = exec_sql(s, "BEGIN IMMEDIATE", err);
    if (rc == LDS_OK)
        s->in_tx = 1;
    return rc;
}

lds_code lds_store_commit(lds_store *s, lds_err *err)
{
    lds_code rc = exec_sql(s, "COMMIT", err);
    if (rc == LDS_OK)
        s->in_tx = 0;
    else
        lds_store_rollback(s);
    return rc;
}

void lds_store_rollback(lds_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = 0;
}

/* ---- migrations ---------------------------------------------------------- */

int lds_store_latest_version(void)
{
    return lds_store__migrations[lds_store__n_migrations - 1].version;
}

lds_code lds_store_schema_version(lds_store *s, int *version, lds_err *err)
{
    static const char q_has[] =
        "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'";
    static const char q_max[] = "SELECT coalesce(max(version),0) FROM schema_migrations";
    lds_stmt *st;
    lds_code rc;
    *version = 0;
    if ((rc = lds_store_prepare(s, q_has, &st, err)))
        return rc;
    int r = lds_stmt_step(st, err);
    if (r != LDS_STORE_ROW)
        return r == LDS_STORE_DONE ? lds_err_set(err, LDS_EIO, "no row") : (lds_code)r;
    int has = (int)lds_stmt_col_i64(st, 0);
    sqlite3_reset(st->st);
    if (!has)
        return LDS_OK;
    if ((rc = lds_store_prepare(s, q_max, &st, err)))
        return rc;
    r = lds_stmt_step(st, err);
    if (r != LDS_STORE_ROW)
        return r == LDS_STORE_DONE ? lds_err_set(err, LDS_EIO, "no row") : (lds_code)r;
    *version = (int)lds_stmt_col_i64(st, 0);
    sqlite3_reset(st->st);
    return LDS_OK;
}

/* After a migration that ran with foreign keys off: any row that now
 * references a missing parent fails it (step 10 of SQLite's procedure for
 * schema changes ALTER TABLE cannot make). */
static lds_code fk_check(lds_store *s, lds_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_error(s, rc, "foreign key check", err);
    rc = sqlite3_step(st);
    lds_code code = LDS_OK;
    if (rc == SQLITE_ROW) {
        char row[32] = "a row"; /* WITHOUT ROWID tables have no rowid to name */
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            snprintf(row, sizeof row, "row %lld", (long long)sqlite3_column_int64(st, 1));
        code = lds_err_set(err, LDS_ECONFLICT,
                           "foreign key check: %s of table '%s' references a missing row of '%s'",
                           row, (const char *)sqlite3_column_text(st, 0),
                           (const char *)sqlite3_column_text(st, 2));
    }
    else if (rc != SQLITE_DONE)
        code = db_error(s, rc, "foreign key check", err);
    sqlite3_finalize(st);
    return code;
}

/* Runs migration `m` in one transaction.  A migration whose first statement
 * is LDS_STORE__FK_OFF runs with foreign keys off (the pragma is a no-op
 * inside a transaction, so it is set around it) and must leave no
 * dangling reference; foreign keys are on again afterwards either way. */
static lds_code apply_one(lds_store *s, const lds_store__migration *m, lds_err *err)
{
    static const char q_rec[] =
        "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)";
    const char *const *q = m->sql;
    int fk_off = *q && strcmp(*q, LDS_STORE__FK_OFF) == 0;
    lds_code rc;
    if (fk_off) {
        if ((rc = exec_sql(s, "PRAGMA foreign_keys=OFF", err)))
            return rc;
        q++;
    }
    if ((rc = lds_store_begin(s, err)) == LDS_OK) {
        for (; *q && rc == LDS_OK; q++)
            rc = exec_sql(s, *q, err);
        if (rc == LDS_OK && fk_off)
            rc = fk_check(s, err);
        if (rc) {
            lds_store_rollback(s);
            if (err) {
                char why[sizeof err->msg];
                snprintf(why, sizeof why, "%s", err->msg);
                lds_err_set(err, rc, "migration %d (%s): %s", m->version, m->name, why);
            }
        } else {
            char now[LDS_RFC3339_LEN];
            lds_now_rfc3339(now);
            lds_stmt *st;
            if ((rc = lds_store_prepare(s, q_rec, &st, err)) ||
                (rc = lds_stmt_bind_i64(st, 1, m->version)) ||
                (rc = lds_stmt_bind_text(st, 2, m->name)) ||
                (rc = lds_stmt_bind_text(st, 3, now)) || (rc = lds_stmt_exec(st, err)) ||
                (rc = lds_store_commit(s, err)))
                lds_store_rollback(s);
        }
    }
    if (fk_off) {
        lds_code frc = exec_sql(s, "PRAGMA foreign_keys=ON", rc ? NULL : err);
        if (rc == LDS_OK)
            rc = frc;
    }
    return rc;
}

lds_code lds_store__migrate_to(lds_store *s, int target, int *applied, lds_err *err)
{
    lds_code rc;
    int current = 0, n = 0;
    if (applied)
        *applied = 0;
    rc = exec_sql(s,
                  "CREATE TABLE IF NOT EXISTS schema_migrations ("
                  " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
                  err);
    if (rc)
        return rc;
    if ((rc = lds_store_schema_version(s, &current, err)))
        return rc;
    if (current > lds_store_latest_version())
        return lds_err_set(err, LDS_ECONFLICT,
                           "database schema version %d is newer than this build knows (%d)",
                           current, lds_store_latest_version());
    for (int i = 0; i < lds_store__n_migrations; i++) {
        const lds_store__migration *m = &lds_store__migrations[i];
        if (m->version <= current || m->version > target)
            continue;
        if ((rc = apply_one(s, m, err)))
            return rc;
        n++;
        if (applied)
            *applied = n;
    }
    return LDS_OK;
}

lds_code lds_store_migrate(lds_store *s, int *applied, lds_err *err)
{
    return lds_store__migrate_to(s, lds_store_latest_version(), applied, err);
}
