/*
 * capture.c — EPCIS capture: validate with the EPCIS engine, complete each
 * event with its eventID (given, else the CBV 2.0 hash ID), and in one
 * transaction per document store the ledger leaf (the canonical bytes), the
 * event's scalar facts, one row per EPC / EPC class and the capture job.
 * Leaf indices are taken from the table under the ledger lock, so they are
 * dense and in commit order; the tree is appended only after the commit.
 */
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include "lodestone/alloc.h"
#include "lodestone/lineage.h"
#include "lodestone/log.h"
#include "trace_int.h"

void lds_trace__fmt_time(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    /* Unsigned and reduced, so the compiler can bound the width. */
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u,
             (unsigned)frac % 1000u);
}

lds_code lds_trace_behaviour_parse(const char *s, lds_trace_behaviour *out, lds_err *err)
{
    if (strcmp(s, "rollback") == 0)
        *out = LDS_TRACE_ROLLBACK;
    else if (strcmp(s, "proceed") == 0)
        *out = LDS_TRACE_PROCEED;
    else
        return lds_err_field(err, LDS_EINVAL, "GS1-Capture-Error-Behaviour",
                             "capture error behaviour '%.40s' is not supported: use 'rollback' "
                             "or 'proceed'",
                             s);
    return LDS_OK;
}

/* One event made ready outside the lock: its eventID, canonical bytes,
 * leaf hash and every value the rows need in stored form (CBV web URIs,
 * Digital Link identifiers), so that only SQLite work is left for the time
 * the ledger lock is held (the CPU-heavy part of a capture overlaps on
 * several workers; only the writes are serialised). */
typedef struct prep_event {
    const json_t *ev;
    lds_epcis_event_info info;  /* strings borrowed from `ev` */
    const char *id;             /* info.event_id or `hash_id` */
    int64_t key;                /* lds_store_key64(id): the indexed eventID key */
    char hash_id[LDS_EPCIS_HASH_ID_LEN + 1];
    size_t leaf_off, leaf_len;  /* in cap_ctx.leaves */
    size_t val_off[4];          /* bizStep, disposition, readPoint, bizLocation in
                                 * cap_ctx.vals; NO_VAL when absent */
    size_t first_id, n_ids;     /* in cap_ctx.ids */
    uint8_t hash[LDS_LEDGER_HASH_LEN];
} prep_event;

#define NO_VAL SIZE_MAX

/* One identifier row of an event: its stored form in cap_ctx.vals. */
typedef struct id_row {
    size_t off;
    int role;
} id_row;

/* State of one capture. */
typedef struct cap_ctx {
    lds_store *s;
    lds_epcis_hasher *hasher; /* created on the first event without eventID */
    int64_t capture_id;       /* 0 for single events */
    int64_t record_ms;
    uint64_t next_leaf;       /* index the next stored leaf gets */
    uint64_t first_leaf;
    prep_event *prep;         /* n_prep events, allocated once */
    size_t n_prep;
    lds_buf leaves;           /* canonical bytes of every prepared event, back to back */
    lds_buf leaf;             /* scratch for one canonical form */
    lds_buf vals;             /* stored forms of values, NUL-terminated, back to back */
    id_row *ids;              /* identifier rows of every prepared event */
    size_t n_ids, cap_ids;
    int oom;
    int own_checkpoint;       /* document capture: WAL checkpoint after the lock */
    int fk_off;               /* document capture: foreign keys off in its transaction */
    uint8_t *hashes;          /* leaf hashes stored, in order, for the tree after commit */
    size_t n_hashes;
    int64_t lock_cpu_ns, lock_wall_ns; /* clocks when the ledger lock was taken */
} cap_ctx;

enum { STORED = 0, DUPLICATE = 1, CONFLICT = 2, REFUSED = 3 };

/* Appends `v` in its stored form to cx->vals: the canonical Digital Link
 * form of an identifier or location when it has one (so a query matches the
 * EPC URI and the Digital Link spelling alike), the web URI of a CBV value
 * (`vocab` non-zero), else `v` as given.  Returns its offset. */
static size_t add_val(cap_ctx *cx, const char *v, lds_epcis_vocab vocab)
{
    if (!v)
        return NO_VAL;
    size_t off = cx->vals.len;
    if (vocab)
        lds_epcis_cbv_normalize(vocab, v, &cx->vals);
    else if (!lds_epcis_uri_to_dl(v, &cx->vals))
        lds_buf_adds(&cx->vals, v);
    lds_buf_addc(&cx->vals, '\0');
    if (cx->vals.oom)
        cx->oom = 1;
    return off;
}

static int collect_id(void *ctx, lds_epcis_role role, const char *uri, int has_quantity,
                      double quantity, const char *uom)
{
    (void)has_quantity;
    (void)quantity;
    (void)uom;
    cap_ctx *cx = ctx;
    if (cx->n_ids == cx->cap_ids) {
        size_t cap = cx->cap_ids ? 2 * cx->cap_ids : 64;
        id_row *ids = lds_realloc(cx->ids, cap * sizeof *ids);
        if (!ids) {
            cx->oom = 1;
            return 1;
        }
        cx->ids = ids;
        cx->cap_ids = cap;
    }
    cx->ids[cx->n_ids].off = add_val(cx, uri, 0);
    cx->ids[cx->n_ids].role = (int)role;
    cx->n_ids++;
    return 0;
}

/* A value of cx->vals bound as text, or NULL. */
static void bind_val(lds_stmt *st, int idx, const cap_ctx *cx, size_t off)
{
    if (off == NO_VAL)
        lds_stmt_bind_null(st, idx);
    else
        lds_stmt_bind_text_static(st, idx, cx->vals.ptr + off);
}

/* Prepares one valid event: info, eventID, canonical bytes, leaf hash,
 * stored values and identifier rows. */
static lds_code prep_one(cap_ctx *cx, const json_t *ev, const json_t *doc_ctx, lds_err *err)
{
    prep_event *p = &cx->prep[cx->n_prep];
    lds_code rc;
    p->ev = ev;
    if ((rc = lds_epcis_event_info_get(ev, &p->info, err)))
        return rc;
    p->id = p->info.event_id;
    if (!p->id) {
        if (!cx->hasher && !(cx->hasher = lds_epcis_hasher_new()))
            return lds_err_set(err, LDS_ENOMEM, "out of memory");
        if ((rc = lds_epcis_hasher_hash_id(cx->hasher, doc_ctx, ev, p->hash_id, err)))
            return rc;
        p->id = p->hash_id;
    }
    p->key = lds_store_key64(p->id);
    if ((rc = lds_epcis_event_canonical(ev, doc_ctx, p->id, &cx->leaf, err)))
        return rc;
    if (cx->leaf.len > INT32_MAX)
        return lds_err_set(err, LDS_ETOOBIG, "event too large");
    lds_ledger_hash_leaf(cx->leaf.ptr, cx->leaf.len, p->hash);
    p->leaf_off = cx->leaves.len;
    p->leaf_len = cx->leaf.len;
    lds_buf_add(&cx->leaves, cx->leaf.ptr, cx->leaf.len);
    p->val_off[0] = add_val(cx, p->info.biz_step, LDS_EPCIS_VOCAB_BIZSTEP);
    p->val_off[1] = add_val(cx, p->info.disposition, LDS_EPCIS_VOCAB_DISPOSITION);
    p->val_off[2] = add_val(cx, p->info.read_point, 0);
    p->val_off[3] = add_val(cx, p->info.biz_location, 0);
    p->first_id = cx->n_ids;
    lds_epcis_event_each_id(ev, collect_id, cx);
    p->n_ids = cx->n_ids - p->first_id;
    if (cx->leaves.oom || cx->leaf.oom || cx->oom)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    cx->n_prep++;
    return LDS_OK;
}

/* INSERTs of 1..ID_ROWS identifier rows, so an event's rows take one
 * statement.  INSERT OR IGNORE: an event naming an EPC twice in one role
 * indexes it once. */
#define ID_ROWS 8
#define R1 "(?, ?, ?)"
#define R2 R1 ", " R1
#define R4 R2 ", " R2
#define INS_IDS "INSERT OR IGNORE INTO epcis_event_ids (uri, role, event) VALUES "
static const char *const ins_ids[ID_ROWS + 1] = {
    NULL,
    INS_IDS R1,
    INS_IDS R2,
    INS_IDS R2 ", " R1,
    INS_IDS R4,
    INS_IDS R4 ", " R1,
    INS_IDS R4 ", " R2,
    INS_IDS R4 ", " R2 ", " R1,
    INS_IDS R4 ", " R4,
};

/* Writes the identifier rows of the event with rowid `event`. */
static lds_code write_ids(cap_ctx *cx, const prep_event *p, int64_t event, lds_err *err)
{
    const id_row *r = cx->ids + p->first_id;
    size_t left = p->n_ids;
    while (left) {
        size_t k = left < ID_ROWS ? left : ID_ROWS;
        lds_stmt *st;
        lds_code rc = lds_store_prepare(cx->s, ins_ids[k], &st, err);
        if (rc)
            return rc;
        for (size_t i = 0; i < k; i++) {
            lds_stmt_bind_text_static(st, (int)(3 * i + 1), cx->vals.ptr + r[i].off);
            lds_stmt_bind_i64(st, (int)(3 * i + 2), r[i].role);
            lds_stmt_bind_i64(st, (int)(3 * i + 3), event);
        }
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
        r += k;
        left -= k;
    }
    return LDS_OK;
}

/* Writes one prepared event; *outcome is STORED, DUPLICATE or CONFLICT.
 * An eventID already stored is found first through its 64-bit key (the
 * key tables hold keys, not IDs; the text is compared on a key match, so
 * two IDs sharing a key are both stored) and nothing is written for it;
 * else the leaf goes in first (the event row references it), then the
 * event, its staged key, its identifier rows and its lineage.  Values are
 * bound without copies: they live in cx until the capture ends. */
static lds_code write_one(cap_ctx *cx, const prep_event *p, int *outcome, lds_err *err)
{
    static const char q_dup[] = "SELECT l.data FROM " LDS_TRACE__EVENTS_KEYED("?1")
                                " JOIN ledger_leaves l ON l.idx = e.leaf_idx "
                                "WHERE e.event_id = ?2";
    static const char ins_key[] = "INSERT INTO epcis_event_keys_new (key, event) VALUES (?, ?)";
    static const char ins_leaf[] = "INSERT INTO ledger_leaves (idx, leaf_hash, data) "
                                   "VALUES (?, ?, ?)";
    static const char ins_event[] =
        "INSERT INTO epcis_events (event_id, event_key, type, action, event_time_ms, "
        "tz_offset_min, record_time_ms, biz_step, disposition, read_point, biz_location, "
        "leaf_idx, capture_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    const char *leaf = cx->leaves.ptr + p->leaf_off;
    lds_code rc;
    lds_stmt *st;

    if ((rc = lds_store_prepare(cx->s, q_dup, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, p->key);
    lds_stmt_bind_text_static(st, 2, p->id);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_ROW) {
        /* A repeated eventID is idempotent; same bytes or not is reported. */
        int n = 0;
        const void *d = lds_stmt_col_blob(st, 0, &n);
        *outcome = (size_t)n == p->leaf_len && memcmp(d, leaf, p->leaf_len) == 0 ? DUPLICATE
                                                                                : CONFLICT;
        lds_stmt_reset(st);
        return LDS_OK;
    }
    if (step != LDS_STORE_DONE)
        return (lds_code)step;

    if ((rc = lds_store_prepare(cx->s, ins_leaf, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, (int64_t)cx->next_leaf);
    lds_stmt_bind_blob_static(st, 2, p->hash, LDS_LEDGER_HASH_LEN);
    lds_stmt_bind_blob_static(st, 3, leaf, (int)p->leaf_len);
    if ((rc = lds_stmt_exec(st, err)))
        return rc;

    const lds_epcis_event_info *info = &p->info;
    if ((rc = lds_store_prepare(cx->s, ins_event, &st, err)))
        return rc;
    lds_stmt_bind_text_static(st, 1, p->id);
    lds_stmt_bind_i64(st, 2, p->key);
    lds_stmt_bind_text_static(st, 3, lds_epcis_type_name(info->type));
    if (info->action == LDS_EPCIS_ACTION_NONE)
        lds_stmt_bind_null(st, 4);
    else
        lds_stmt_bind_text_static(st, 4, lds_epcis_action_name(info->action));
    lds_stmt_bind_i64(st, 5, info->event_time_ms);
    lds_stmt_bind_i64(st, 6, info->event_tz_offset_min);
    lds_stmt_bind_i64(st, 7, cx->record_ms);
    for (int i = 0; i < 4; i++)
        bind_val(st, 8 + i, cx, p->val_off[i]);
    lds_stmt_bind_i64(st, 12, (int64_t)cx->next_leaf);
    if (cx->capture_id)
        lds_stmt_bind_i64(st, 13, cx->capture_id);
    else
        lds_stmt_bind_null(st, 13);
    if ((rc = lds_stmt_exec(st, err)))
        return rc;

    int64_t event_row = lds_store_last_id(cx->s);
    if ((rc = lds_store_prepare(cx->s, ins_key, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, p->key);
    lds_stmt_bind_i64(st, 2, event_row);
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    if ((rc = write_ids(cx, p, event_row, err)))
        return rc;
    if ((rc = lds_lineage_index_event(cx->s, p->ev, event_row, cx->capture_id, err)))
        return rc;
    memcpy(cx->hashes + cx->n_hashes * LDS_LEDGER_HASH_LEN, p->hash, LDS_LEDGER_HASH_LEN);
    cx->n_hashes++;
    cx->next_leaf++;
    *outcome = STORED;
    return LDS_OK;
}

/* Allocates room for `n` prepared events. */
static lds_code cap_init(cap_ctx *cx, lds_store *s, size_t n, lds_err *err)
{
    memset(cx, 0, sizeof *cx);
    cx->s = s;
    cx->record_ms = lds_trace__now_ms();
    lds_buf_init(&cx->leaves);
    lds_buf_init(&cx->leaf);
    lds_buf_init(&cx->vals);
    if (n == 0)
        n = 1;
    cx->prep = lds_calloc(n, sizeof *cx->prep);
    cx->hashes = lds_malloc(n * LDS_LEDGER_HASH_LEN);
    if (!cx->prep || !cx->hashes)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    return LDS_OK;
}

static void cap_release(cap_ctx *cx)
{
    lds_epcis_hasher_free(cx->hasher);
    lds_buf_release(&cx->leaves);
    lds_buf_release(&cx->leaf);
    lds_buf_release(&cx->vals);
    lds_free(cx->ids);
    lds_free(cx->prep);
    lds_free(cx->hashes);
}

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Takes the ledger lock, noting when (its hold times are the serial part of
 * capture, lds_trace_ledger.held_*). */
static void ledger_lock(lds_trace_ledger *lg, int64_t *cpu_ns, int64_t *wall_ns)
{
    pthread_mutex_lock(&lg->mu);
    *cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    *wall_ns = clock_ns(CLOCK_MONOTONIC);
}

static void ledger_unlock(lds_trace_ledger *lg, int64_t cpu_ns, int64_t wall_ns)
{
    atomic_fetch_add(&lg->held_cpu_ns, clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_ns);
    atomic_fetch_add(&lg->held_wall_ns, clock_ns(CLOCK_MONOTONIC) - wall_ns);
    atomic_fetch_add(&lg->holds, 1);
    pthread_mutex_unlock(&lg->mu);
}

/*
 * Foreign keys are not enforced inside a document capture's transaction.
 * Every reference a capture writes points at a row it has just written
 * itself in the same transaction (the leaf before its event, the job before
 * its events, the event before its key, identifier and lineage rows, a lot
 * before its edges and holders), so SQLite's per-row parent look-ups only
 * repeated what the code guarantees, at ~1.1 us per event under the ledger
 * lock (8 % of the serial part).  The switch cannot happen inside a
 * transaction: start() turns the checks off before BEGIN and finish() back
 * on after COMMIT or ROLLBACK, so the connection's other writes keep them.
 * Each switch expires the connection's prepared statements (recompiled on
 * their next run, several us apiece): spread over a document's events that
 * is noise, over a group commit of a few single events it is not, so
 * single events keep the checks.  Tests run `PRAGMA foreign_key_check`
 * over captured stores.
 */
static void foreign_keys_on(cap_ctx *cx)
{
    if (cx->fk_off && lds_store_foreign_keys(cx->s, 1) != 1)
        LDS_LOG(LDS_LOG_ERROR, "trace", NULL,
                "foreign keys could not be turned back on after a capture");
}

/* Opens the write transaction and reads the next leaf index.  With a ledger,
 * its lock is taken first and held until finish(). */
static lds_code start(cap_ctx *cx, lds_trace_ledger *lg, lds_err *err)
{
    static const char q_next[] = "SELECT coalesce(max(idx) + 1, 0) FROM ledger_leaves";
    if (lg)
        ledger_lock(lg, &cx->lock_cpu_ns, &cx->lock_wall_ns);
    if (cx->fk_off)
        lds_store_foreign_keys(cx->s, 0);
    lds_code rc = lds_store_begin(cx->s, err);
    if (rc == LDS_OK) {
        lds_stmt *st;
        if ((rc = lds_store_prepare(cx->s, q_next, &st, err)) == LDS_OK) {
            int step = lds_stmt_step(st, err);
            if (step == LDS_STORE_ROW) {
                cx->next_leaf = cx->first_leaf = (uint64_t)lds_stmt_col_i64(st, 0);
                lds_stmt_reset(st);
            } else {
                rc = step == LDS_STORE_DONE ? lds_err_set(err, LDS_EIO, "no leaf count")
                                            : (lds_code)step;
            }
        }
        if (rc)
            lds_store_rollback(cx->s);
    }
    if (rc)
        foreign_keys_on(cx);
    if (rc && lg)
        ledger_unlock(lg, cx->lock_cpu_ns, cx->lock_wall_ns);
    return rc;
}

/*
 * WAL checkpoints of document captures.  SQLite checkpoints inside COMMIT
 * once the WAL passes 1000 pages (its default, which the store keeps): that
 * would copy pages to the database file and fsync it with the ledger lock
 * held, stalling every other capture.  A document's COMMIT runs with the
 * automatic checkpoint off, and the capturing thread checkpoints after it
 * has dropped the lock, once CKPT_EVENTS events have been stored since the
 * last one (PASSIVE: it never waits for readers or for the next writer, so
 * the copy overlaps the next capture; pages written by several documents
 * are copied once).  Other writes keep the automatic checkpoint.
 *
 * SQLite starts the WAL file over only when a write begins after a
 * checkpoint has copied every frame; with captures writing while the
 * checkpoint runs that may never happen, so once the WAL holds more than
 * WAL_RESTART_FRAMES frames the checkpoint is repeated under the ledger
 * lock (no capture of this process writing; it copies only the frames
 * written meanwhile), and the next capture starts the WAL over.
 */
#define CKPT_EVENTS 8000
#define WAL_RESTART_FRAMES 16384 /* 64 MiB of 4 KiB pages */

/* Runs a PASSIVE checkpoint; returns the WAL's size in frames, or -1. */
static int64_t wal_checkpoint(lds_store *s)
{
    static const char q[] = "PRAGMA wal_checkpoint(PASSIVE)";
    lds_stmt *st;
    int64_t frames = -1;
    if (lds_store_prepare(s, q, &st, NULL) != LDS_OK)
        return -1;
    if (lds_stmt_step(st, NULL) == LDS_STORE_ROW)
        frames = lds_stmt_col_i64(st, 1);
    lds_stmt_reset(st);
    return frames;
}

static void set_autocheckpoint(lds_store *s, int on)
{
    static const char q_off[] = "PRAGMA wal_autocheckpoint=0";
    static const char q_on[] = "PRAGMA wal_autocheckpoint=1000";
    lds_stmt *st;
    if (lds_store_prepare(s, on ? q_on : q_off, &st, NULL) == LDS_OK)
        lds_stmt_exec(st, NULL);
}

static void checkpoint_after(cap_ctx *cx, lds_trace_ledger *lg)
{
    static _Atomic size_t since; /* events stored since the last checkpoint */
    size_t n = atomic_fetch_add(&since, cx->n_hashes) + cx->n_hashes;
    if (n < CKPT_EVENTS || atomic_exchange(&since, 0) < CKPT_EVENTS)
        return;
    if (wal_checkpoint(cx->s) > WAL_RESTART_FRAMES && lg) {
        int64_t cpu_ns, wall_ns;
        ledger_lock(lg, &cpu_ns, &wall_ns);
        wal_checkpoint(cx->s);
        ledger_unlock(lg, cpu_ns, wall_ns);
    }
}

lds_code lds_trace__merge_event_keys(lds_store *s, lds_err *err)
{
    static const char q_move[] = "INSERT INTO epcis_event_keys (key, event) "
                                 "SELECT key, event FROM epcis_event_keys_new";
    static const char q_clear[] = "DELETE FROM epcis_event_keys_new";
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, q_move, &st, err)) || (rc = lds_stmt_exec(st, err)))
        return rc;
    if ((rc = lds_store_prepare(s, q_clear, &st, err)) || (rc = lds_stmt_exec(st, err)))
        return rc;
    return LDS_OK;
}

/* Before the commit, holding the ledger lock: moves the staged eventID keys
 * to epcis_event_keys once LDS_TRACE__KEY_MERGE (or lg->key_merge) are
 * staged (the first capture of a ledger counts them).  *staged: how many remain staged. */
static lds_code merge_keys_if_due(cap_ctx *cx, lds_trace_ledger *lg, int64_t *staged,
                                  lds_err *err)
{
    static const char q_count[] = "SELECT count(*) FROM epcis_event_keys_new";
    int64_t n = lg->staged_keys + (int64_t)cx->n_hashes;
    if (!lg->keys_known) {
        lds_stmt *st;
        lds_code rc = lds_store_prepare(cx->s, q_count, &st, err);
        if (rc)
            return rc;
        int step = lds_stmt_step(st, err);
        if (step != LDS_STORE_ROW)
            return step == LDS_STORE_DONE ? lds_err_set(err, LDS_EIO, "no staged key count")
                                          : (lds_code)step;
        n = lds_stmt_col_i64(st, 0);
        lds_stmt_reset(st);
    }
    *staged = n;
    if (n < (lg->key_merge > 0 ? lg->key_merge : LDS_TRACE__KEY_MERGE))
        return LDS_OK;
    *staged = 0;
    return lds_trace__merge_event_keys(cx->s, err);
}

/* Commits (when `commit`) or rolls back, updates the tree and drops the lock. */
static lds_code finish(cap_ctx *cx, lds_trace_ledger *lg, int commit, lds_err *err)
{
    lds_code rc = LDS_OK;
    int64_t staged = 0;
    if (commit && lg && cx->n_hashes)
        rc = merge_keys_if_due(cx, lg, &staged, err);
    if (commit && rc == LDS_OK) {
        if (cx->own_checkpoint)
            set_autocheckpoint(cx->s, 0);
        rc = lds_store_commit(cx->s, err);
        if (cx->own_checkpoint)
            set_autocheckpoint(cx->s, 1);
        if (rc == LDS_OK && lg && cx->n_hashes) {
            lg->staged_keys = staged;
            lg->keys_known = 1;
        }
    }
    if (!commit || rc)
        lds_store_rollback(cx->s);
    foreign_keys_on(cx);
    if (lg) {
        /* The tree follows the database, in commit order: the tree lock is
         * taken before the ledger lock is dropped, so the next capture may
         * write and commit meanwhile but appends only after these leaves.
         * If another process appended, or an append fails, a sync catches
         * up (the next one, if this one fails). */
        int append = rc == LDS_OK && commit;
        if (append)
            pthread_mutex_lock(&lg->tree_mu);
        ledger_unlock(lg, cx->lock_cpu_ns, cx->lock_wall_ns);
        if (append) {
            if (lds_ledger_tree_size(lg->tree) == cx->first_leaf) {
                for (size_t i = 0; i < cx->n_hashes; i++)
                    if (lds_ledger_tree_append(lg->tree, cx->hashes + i * LDS_LEDGER_HASH_LEN,
                                               NULL))
                        break;
            } else {
                lds_trace__sync_held(lg, cx->s, NULL);
            }
            pthread_mutex_unlock(&lg->tree_mu);
        }
    }
    if (rc == LDS_OK && commit && cx->own_checkpoint)
        checkpoint_after(cx, lg);
    return rc;
}

static void add_violation(lds_epcis_report *rep, long index, const char *pointer, const char *msg)
{
    rep->n_errors++;
    if (rep->n_items >= LDS_EPCIS_MAX_VIOLATIONS)
        return;
    lds_epcis_violation *v = &rep->items[rep->n_items++];
    snprintf(v->pointer, sizeof v->pointer, "%s", pointer);
    snprintf(v->message, sizeof v->message, "%s", msg);
    v->event_index = index;
}

/* The job's errors: the violations of rejected events, as JSON. */
static void errors_json(const lds_epcis_report *rep, lds_buf *out)
{
    lds_buf_addc(out, '[');
    for (int i = 0; i < rep->n_items; i++) {
        if (i)
            lds_buf_addc(out, ',');
        lds_buf_adds(out, "{\"pointer\":");
        lds_buf_add_json_str(out, rep->items[i].pointer);
        lds_buf_adds(out, ",\"message\":");
        lds_buf_add_json_str(out, rep->items[i].message);
        lds_buf_addf(out, ",\"eventIndex\":%ld}", rep->items[i].event_index);
    }
    lds_buf_addc(out, ']');
}

lds_code lds_trace_capture(lds_store *s, lds_trace_ledger *lg, const json_t *doc,
                           lds_trace_behaviour behaviour, int64_t org_id, lds_epcis_report *rep,
                           lds_trace_capture_result *res, lds_err *err)
{
    static const char ins_job[] = "INSERT INTO epcis_captures (created_ms, running, success, "
                                  "error_behaviour, org_id) VALUES (?, 1, 0, ?, ?)";
    static const char upd_job[] =
        "UPDATE epcis_captures SET finished_ms = ?, running = 0, success = ?, n_events = ?, "
        "n_stored = ?, n_duplicates = ?, n_invalid = ?, errors_json = ? WHERE id = ?";
    memset(res, 0, sizeof *res);
    lds_code rc = lds_epcis_validate_document(doc, rep, err);
    if (rc != LDS_OK && rc != LDS_EINVAL)
        return rc;
    if (rep->doc_ok) { /* mass balance of transformations (reject mode) */
        lds_code mrc = lds_lineage_check_document(s, doc, org_id, rep, err);
        if (mrc != LDS_OK && mrc != LDS_EINVAL)
            return mrc;
        if (mrc == LDS_EINVAL)
            rc = LDS_EINVAL;
    }
    res->n_events = rep->n_events;
    res->n_invalid = rep->n_invalid;
    if (!rep->doc_ok || (rc == LDS_EINVAL && behaviour == LDS_TRACE_ROLLBACK))
        return lds_err_set(err, LDS_EINVAL, "the document has %zu violation%s; nothing was stored",
                           rep->n_errors, rep->n_errors == 1 ? "" : "s");
    const json_t *events = lds_epcis_document_events(doc);
    const json_t *doc_ctx = lds_epcis_document_context(doc);

    size_t n = events ? json_array_size(events) : 0;
    cap_ctx cx;
    lds_buf errs = LDS_BUF_INIT;
    if ((rc = cap_init(&cx, s, n, err))) {
        cap_release(&cx);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (rep->event_ok[i] && (rc = prep_one(&cx, json_array_get(events, i), doc_ctx, err))) {
            cap_release(&cx);
            return rc;
        }
    }
    cx.own_checkpoint = 1;
    cx.fk_off = 1;
    if ((rc = start(&cx, lg, err))) {
        cap_release(&cx);
        return rc;
    }
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, ins_job, &st, err)))
        goto done;
    lds_stmt_bind_i64(st, 1, cx.record_ms);
    lds_stmt_bind_text(st, 2, behaviour == LDS_TRACE_ROLLBACK ? "rollback" : "proceed");
    if (org_id)
        lds_stmt_bind_i64(st, 3, org_id);
    else
        lds_stmt_bind_null(st, 3);
    if ((rc = lds_stmt_exec(st, err)))
        goto done;
    cx.capture_id = lds_store_last_id(s);

    for (size_t i = 0; i < cx.n_prep; i++) {
        int outcome = STORED;
        if ((rc = write_one(&cx, &cx.prep[i], &outcome, err)))
            goto done;
        /* In a document, a reused eventID is a duplicate whatever its bytes:
         * the first capture wins.  The standard's own examples reuse
         * eventIDs across different events, and a batch must not fail on an
         * event the repository already holds. */
        if (outcome == DUPLICATE || outcome == CONFLICT)
            res->n_duplicates++;
        else
            res->n_stored++;
    }
    if (res->n_invalid && behaviour == LDS_TRACE_ROLLBACK) {
        rc = lds_err_set(err, LDS_EINVAL, "the document has %zu violation%s; nothing was stored",
                         rep->n_errors, rep->n_errors == 1 ? "" : "s");
        goto done;
    }
    if (res->n_invalid)
        errors_json(rep, &errs);
    if ((rc = lds_store_prepare(s, upd_job, &st, err)))
        goto done;
    lds_stmt_bind_i64(st, 1, lds_trace__now_ms());
    lds_stmt_bind_i64(st, 2, res->n_invalid == 0);
    lds_stmt_bind_i64(st, 3, (int64_t)res->n_events);
    lds_stmt_bind_i64(st, 4, (int64_t)res->n_stored);
    lds_stmt_bind_i64(st, 5, (int64_t)res->n_duplicates);
    lds_stmt_bind_i64(st, 6, (int64_t)res->n_invalid);
    if (res->n_invalid)
        lds_stmt_bind_text(st, 7, errs.ptr);
    else
        lds_stmt_bind_null(st, 7);
    lds_stmt_bind_i64(st, 8, cx.capture_id);
    if (errs.oom)
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
    else
        rc = lds_stmt_exec(st, err);
done:
    {
        lds_code frc = finish(&cx, lg, rc == LDS_OK, err);
        if (rc == LDS_OK)
            rc = frc;
    }
    if (rc == LDS_OK) {
        res->capture_id = cx.capture_id;
        res->first_leaf = cx.first_leaf;
    } else {
        res->n_stored = res->n_duplicates = 0;
    }
    lds_buf_release(&errs);
    cap_release(&cx);
    return rc;
}

/*
 * A single event posted for organisation `org_id` is recorded under a
 * one-event capture job of that organisation, in the transaction that writes
 * it, so who captured it (and may read it, trace_views.h) is never missing.
 * `write_one` then runs with that job; a duplicate or a refused eventID drops
 * the job again.  org_id 0 (the platform's own posts) writes no job.
 *
 * An organisation's TransformationEvent is written inside a savepoint: the
 * lineage index refuses it (LDS_ECONFLICT) when a lot it names was stored
 * by another capture after the check before the write (lineage.h), and
 * then only this event is undone (*outcome REFUSED, the reason in `err`),
 * not the other events of its group commit.
 */
static lds_code write_single_event(cap_ctx *cx, int64_t org_id, int *outcome, lds_err *err)
{
    static const char ins[] = "INSERT INTO epcis_captures (created_ms, finished_ms, running, "
                              "success, error_behaviour, n_events, n_stored, org_id) "
                              "VALUES (?1, ?1, 0, 1, 'rollback', 1, 1, ?2)";
    static const char del[] = "DELETE FROM epcis_captures WHERE id = ?1";
    lds_stmt *st;
    lds_code rc;
    cx->capture_id = 0;
    if (org_id) {
        if ((rc = lds_store_prepare(cx->s, ins, &st, err)))
            return rc;
        lds_stmt_bind_i64(st, 1, cx->record_ms);
        lds_stmt_bind_i64(st, 2, org_id);
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
        cx->capture_id = lds_store_last_id(cx->s);
    }
    rc = write_one(cx, &cx->prep[0], outcome, err);
    if (rc == LDS_OK && cx->capture_id && *outcome != STORED) {
        if ((rc = lds_store_prepare(cx->s, del, &st, err)))
            return rc;
        lds_stmt_bind_i64(st, 1, cx->capture_id);
        rc = lds_stmt_exec(st, err);
    }
    return rc;
}

static lds_code write_single(cap_ctx *cx, int64_t org_id, int *outcome, lds_err *err)
{
    static const char sp[] = "SAVEPOINT single_event";
    static const char sp_undo[] = "ROLLBACK TO single_event";
    static const char sp_end[] = "RELEASE single_event";
    if (!org_id || cx->prep[0].info.type != LDS_EPCIS_TRANSFORMATION)
        return write_single_event(cx, org_id, outcome, err);
    lds_stmt *st;
    lds_err e, scratch;
    lds_err_clear(&e);
    lds_code rc;
    if ((rc = lds_store_prepare(cx->s, sp, &st, &e)) || (rc = lds_stmt_exec(st, &e)) ||
        (rc = write_single_event(cx, org_id, outcome, &e)) != LDS_ECONFLICT)
        goto out;
    /* Refused: this event's rows (and its job) are undone, the rest stands. */
    if ((rc = lds_store_prepare(cx->s, sp_undo, &st, &scratch)) ||
        (rc = lds_stmt_exec(st, &scratch))) {
        e = scratch;
        goto out;
    }
    *outcome = REFUSED;
    cx->capture_id = 0;
out:
    if (rc == LDS_OK && ((rc = lds_store_prepare(cx->s, sp_end, &st, &scratch)) ||
                         (rc = lds_stmt_exec(st, &scratch))))
        e = scratch;
    if (err && (rc != LDS_OK || *outcome == REFUSED))
        *err = e;
    return rc;
}

/* A prepared single event waiting for a group commit. */
struct lds_trace__waiter {
    cap_ctx *cx;   /* the requester's prepared event (lives while it waits) */
    int64_t org_id; /* who posted it (0: the platform) */
    int done;
    int outcome;
    lds_code rc;
    lds_err err;
    lds_trace__waiter *next;
};

/*
 * Writes a batch of prepared single events in one transaction on the
 * leader's connection `s`: the commit (WAL write, locks) is paid once per
 * batch instead of once per event.  A storage error fails the whole batch.
 */
static void write_batch(lds_store *s, lds_trace_ledger *lg, lds_trace__waiter *batch)
{
    size_t n = 0;
    for (lds_trace__waiter *w = batch; w; w = w->next)
        n++;
    cap_ctx bx;
    lds_err err;
    lds_err_clear(&err);
    lds_code rc = cap_init(&bx, s, n, &err);
    if (rc == LDS_OK)
        rc = start(&bx, lg, &err);
    if (rc == LDS_OK) {
        for (lds_trace__waiter *w = batch; w && rc == LDS_OK; w = w->next) {
            cap_ctx *cx = w->cx;
            cx->s = s;
            cx->next_leaf = bx.next_leaf;
            cx->n_hashes = 0;
            rc = write_single(cx, w->org_id, &w->outcome, &err);
            if (rc == LDS_OK && w->outcome == REFUSED)
                w->err = err; /* this event only: the batch goes on */
            bx.next_leaf = cx->next_leaf;
            if (rc == LDS_OK && w->outcome == STORED)
                memcpy(bx.hashes + LDS_LEDGER_HASH_LEN * bx.n_hashes++, cx->hashes,
                       LDS_LEDGER_HASH_LEN);
        }
        lds_code frc = finish(&bx, lg, rc == LDS_OK, &err);
        if (rc == LDS_OK)
            rc = frc;
    }
    for (lds_trace__waiter *w = batch; w; w = w->next) {
        w->rc = rc;
        if (rc != LDS_OK)
            w->err = err;
        else
            w->cx->first_leaf = w->cx->next_leaf - (w->outcome == STORED);
    }
    cap_release(&bx);
}

/* Queues `me` and returns once its batch is committed (or failed). */
static void group_commit(lds_store *s, lds_trace_ledger *lg, lds_trace__waiter *me)
{
    pthread_mutex_lock(&lg->q_mu);
    if (lg->q_tail)
        lg->q_tail->next = me;
    else
        lg->q_head = me;
    lg->q_tail = me;
    while (!me->done && lg->has_leader)
        pthread_cond_wait(&lg->q_cv, &lg->q_mu);
    if (me->done) {
        pthread_mutex_unlock(&lg->q_mu);
        return;
    }
    /* Lead: take everything queued so far (`me` included). */
    lg->has_leader = 1;
    lds_trace__waiter *batch = lg->q_head;
    lg->q_head = lg->q_tail = NULL;
    pthread_mutex_unlock(&lg->q_mu);

    write_batch(s, lg, batch);

    pthread_mutex_lock(&lg->q_mu);
    for (lds_trace__waiter *w = batch; w; w = w->next)
        w->done = 1;
    lg->has_leader = 0;
    pthread_cond_broadcast(&lg->q_cv);
    pthread_mutex_unlock(&lg->q_mu);
}

lds_code lds_trace_capture_event(lds_store *s, lds_trace_ledger *lg, const json_t *event,
                                 int64_t org_id, lds_epcis_report *rep,
                                 lds_trace_capture_result *res, lds_err *err)
{
    memset(res, 0, sizeof *res);
    lds_code rc = lds_epcis_validate_event(event, rep, err);
    if (rc == LDS_OK)
        rc = lds_lineage_check_event(s, event, org_id, rep, err);
    if (rc == LDS_EINVAL)
        return lds_err_set(err, LDS_EINVAL, "the event has %zu violation%s; nothing was stored",
                           rep->n_errors, rep->n_errors == 1 ? "" : "s");
    if (rc)
        return rc;
    res->n_events = 1;
    cap_ctx cx;
    if ((rc = cap_init(&cx, s, 1, err)) || (rc = prep_one(&cx, event, NULL, err))) {
        cap_release(&cx);
        return rc;
    }
    int outcome = STORED;
    if (lg) {
        /* Concurrent single events from several workers share commits. */
        lds_trace__waiter me;
        memset(&me, 0, sizeof me);
        me.cx = &cx;
        me.org_id = org_id;
        group_commit(s, lg, &me);
        rc = me.rc;
        outcome = me.outcome;
        if ((rc || outcome == REFUSED) && err)
            *err = me.err;
    } else if ((rc = start(&cx, NULL, err)) == LDS_OK) {
        rc = write_single(&cx, org_id, &outcome, err);
        lds_code frc = finish(&cx, NULL, rc == LDS_OK && outcome == STORED, err);
        if (rc == LDS_OK)
            rc = frc;
    }
    if (rc == LDS_OK) {
        snprintf(res->event_id, sizeof res->event_id, "%s", cx.prep[0].id);
        res->n_stored = outcome == STORED;
        res->n_duplicates = outcome == DUPLICATE;
        res->first_leaf = cx.first_leaf;
        if (outcome == REFUSED) {
            /* The custody rule, checked again under the lock (lineage.h). */
            res->event_id[0] = '\0';
            rc = LDS_ECONFLICT; /* err says why */
        } else if (outcome == CONFLICT) {
            /* Nothing was written for this event; the batch's others stand. */
            add_violation(rep, 0, "/eventID", "eventID is already stored for another event");
            rc = lds_err_field(err, LDS_ECONFLICT, "/eventID",
                               "eventID '%.120s' is already stored for another event",
                               cx.prep[0].id);
        }
    }
    cap_release(&cx);
    return rc;
}

lds_code lds_trace_capture_job_json(lds_store *s, int64_t capture_id, lds_buf *out,
                                    lds_err *err)
{
    static const char q[] =
        "SELECT created_ms, finished_ms, running, success, error_behaviour, n_events, n_stored, "
        "n_duplicates, n_invalid, errors_json FROM epcis_captures WHERE id = ?";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_i64(st, 1, capture_id);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no capture job %lld", (long long)capture_id);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    char created[32], finished[32];
    lds_trace__fmt_time(lds_stmt_col_i64(st, 0), created);
    int running = (int)lds_stmt_col_i64(st, 2);
    lds_buf_addf(out, "{\"captureID\":\"%lld\",\"createdAt\":\"%s\"", (long long)capture_id,
                 created);
    if (!lds_stmt_col_is_null(st, 1)) {
        lds_trace__fmt_time(lds_stmt_col_i64(st, 1), finished);
        lds_buf_addf(out, ",\"finishedAt\":\"%s\"", finished);
    }
    lds_buf_addf(out,
                 ",\"running\":%s,\"success\":%s,\"captureErrorBehaviour\":\"%s\","
                 "\"eventCount\":%lld,\"storedCount\":%lld,\"duplicateCount\":%lld,"
                 "\"invalidCount\":%lld,\"errors\":%s}",
                 running ? "true" : "false", lds_stmt_col_i64(st, 3) ? "true" : "false",
                 lds_stmt_col_text(st, 4), (long long)lds_stmt_col_i64(st, 5),
                 (long long)lds_stmt_col_i64(st, 6), (long long)lds_stmt_col_i64(st, 7),
                 (long long)lds_stmt_col_i64(st, 8),
                 lds_stmt_col_is_null(st, 9) ? "[]" : lds_stmt_col_text(st, 9));
    lds_stmt_reset(st);
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}
