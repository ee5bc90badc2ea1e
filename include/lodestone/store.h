/*
 * store.h — the one narrow storage interface.  Business modules speak SQL
 * written as string literals in portable dialect (`?` placeholders) through
 * prepared statements; they never see SQLite or libpq.  No SQL is ever built
 * from input: values are bound.  Statements are cached per connection, keyed
 * by the literal's address, so every query is prepared once.
 *
 * One lds_store is one connection and is used by one thread at a time; the
 * HTTP server opens one per worker thread.
 */
#ifndef LDS_STORE_H
#define LDS_STORE_H

#include <stdint.h>
#include "err.h"

typedef struct lds_store lds_store;
typedef struct lds_stmt lds_stmt;

enum { LDS_STORE_ROW = 100, LDS_STORE_DONE = 101 };

/**
 * Opens (creating if needed) the database at `path` ("sqlite:" prefix
 * optional).  WAL, foreign keys and a busy timeout are set.  Migrations are
 * not run; call lds_store_migrate.
 */
lds_code lds_store_open(const char *path, lds_store **out, lds_err *err);
void lds_store_close(lds_store *s);

/** Applies pending migrations, each in its own transaction, recording them in
 *  schema_migrations.  `applied` (may be NULL) receives how many ran. */
lds_code lds_store_migrate(lds_store *s, int *applied, lds_err *err);
/** Highest migration version recorded in the database (0 if none). */
lds_code lds_store_schema_version(lds_store *s, int *version, lds_err *err);
/** Number of migrations the code knows. */
int lds_store_latest_version(void);

lds_code lds_store_begin(lds_store *s, lds_err *err);
lds_code lds_store_commit(lds_store *s, lds_err *err);
/** Rolls back if a transaction is open; never fails observably. */
void lds_store_rollback(lds_store *s);

/**
 * Returns the cached prepared statement for `sql`, which must be a string
 * literal (its address is the cache key).  The statement is reset and its
 * bindings cleared.  Borrowed: do not free; valid until lds_store_close.
 */
lds_code lds_store_prepare(lds_store *s, const char *sql, lds_stmt **out, lds_err *err);

/* Parameter indices are 1-based. */
lds_code lds_stmt_bind_i64(lds_stmt *st, int idx, int64_t v);
lds_code lds_stmt_bind_double(lds_stmt *st, int idx, double v);
/** Binds a copy of `v` (NULL binds SQL NULL). */
lds_code lds_stmt_bind_text(lds_stmt *st, int idx, const char *v);
lds_code lds_stmt_bind_blob(lds_stmt *st, int idx, const void *v, int n);
lds_code lds_stmt_bind_null(lds_stmt *st, int idx);
/** Binds `v` itself, not a copy (NULL binds SQL NULL): `v` must stay valid
 *  and unchanged while the statement may still be stepped with it, that is
 *  until lds_store_prepare hands the statement out again (clearing its
 *  bindings) or the store is closed. */
lds_code lds_stmt_bind_text_static(lds_stmt *st, int idx, const char *v);
/** As lds_stmt_bind_text_static, for `n` bytes of blob. */
lds_code lds_stmt_bind_blob_static(lds_stmt *st, int idx, const void *v, int n);

/**
 * Advances: returns LDS_STORE_ROW when a row is ready, LDS_STORE_DONE when
 * finished, or an lds_code error (LDS_ECONFLICT for constraint violations,
 * LDS_EBUSY, LDS_EIO) with `err` filled.
 */
int lds_stmt_step(lds_stmt *st, lds_err *err);
/** Ends a statement's iteration early, releasing its read snapshot; call it
 *  after reading the rows you need from a SELECT that may have more. */
void lds_stmt_reset(lds_stmt *st);
/** Runs a statement that returns no rows. */
lds_code lds_stmt_exec(lds_stmt *st, lds_err *err);
/** Runs a query for whether it has a row: 1 (the statement is reset), 0
 *  none, or -code with `err` filled. */
int lds_stmt_exists(lds_stmt *st, lds_err *err);

enum { LDS_COL_NULL = 0, LDS_COL_INT, LDS_COL_REAL, LDS_COL_TEXT, LDS_COL_BLOB };

/* Column indices are 0-based; text is borrowed until the next step/reset. */
int lds_stmt_col_type(lds_stmt *st, int col);
int64_t lds_stmt_col_i64(lds_stmt *st, int col);
double lds_stmt_col_double(lds_stmt *st, int col);
const char *lds_stmt_col_text(lds_stmt *st, int col);
const void *lds_stmt_col_blob(lds_stmt *st, int col, int *n);
int lds_stmt_col_is_null(lds_stmt *st, int col);
int lds_stmt_col_count(lds_stmt *st);
const char *lds_stmt_col_name(lds_stmt *st, int col);

/**
 * Resets every statement still in the middle of its rows, so the connection
 * holds no read snapshot and sees other connections' commits.  The server
 * calls it after each request.
 */
void lds_store_end_reads(lds_store *s);

/**
 * The 64-bit key of a text: the first 8 bytes of its SHA-256, read
 * big-endian, as a signed integer.  An index on such a key is a few times
 * smaller than one on long random texts (EPCIS eventIDs); different texts
 * may share a key, so a look-up by key also compares the text.  Store
 * connections offer the same function in SQL as `lds_key64(text)` (NULL
 * for NULL), which migrations use to fill key columns.
 */
int64_t lds_store_key64(const char *text);

/** Rowid of the last insert on this connection. */
int64_t lds_store_last_id(lds_store *s);
/** Rows changed by the last statement. */
int64_t lds_store_changes(lds_store *s);

/**
 * Turns foreign-key enforcement on this connection on or off (on by
 * default) and returns the resulting setting, 1 or 0.  Outside a
 * transaction only: inside one the setting does not change.  A change
 * expires the connection's prepared statements, each recompiled on its next
 * run (several microseconds apiece).
 */
int lds_store_foreign_keys(lds_store *s, int on);

/**
 * A counter that changes whenever any connection (this one included)
 * commits a change; response caches key on it.
 */
uint64_t lds_store_generation(lds_store *s);

#endif
