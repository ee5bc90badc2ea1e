/*
 * ledger.c — the shared transparency log over the store: the tree is rebuilt
 * from ledger_leaves at start and caught up with rows other processes
 * committed.  `mu` serialises the captures' transactions (and signing);
 * `tree_mu` serialises appends to the tree (a capture takes it before
 * dropping `mu` and appends its committed leaves after); proofs read the
 * tree without locks.
 */
#include <string.h>
#include <time.h>
#include "lodestone/alloc.h"
#include "trace_int.h"

lds_code lds_trace_key_path(const char *db_path, const char *key_path, char *out, size_t n,
                            lds_err *err)
{
    int len;
    if (key_path && key_path[0]) {
        len = snprintf(out, n, "%s", key_path);
    } else {
        if (strncmp(db_path, "sqlite:", 7) == 0)
            db_path += 7;
        len = snprintf(out, n, "%s.ledger-key", db_path);
    }
    if (len < 0 || (size_t)len >= n)
        return lds_err_set(err, LDS_EINVAL, "ledger key path is too long");
    return LDS_OK;
}

/* Appends the leaf hashes of committed rows idx >= tree size, under tree_mu. */
lds_code lds_trace__sync(lds_trace_ledger *lg, lds_store *s, lds_err *err)
{
    pthread_mutex_lock(&lg->tree_mu);
    lds_code rc = lds_trace__sync_held(lg, s, err);
    pthread_mutex_unlock(&lg->tree_mu);
    return rc;
}

lds_code lds_trace__sync_held(lds_trace_ledger *lg, lds_store *s, lds_err *err)
{
    static const char q_max[] = "SELECT coalesce(max(idx) + 1, 0) FROM ledger_leaves";
    static const char q[] = "SELECT idx, leaf_hash FROM ledger_leaves WHERE idx >= ? ORDER BY idx";
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, q_max, &st, err)))
        return rc;
    int step = lds_stmt_step(st, err);
    if (step != LDS_STORE_ROW)
        return step == LDS_STORE_DONE ? lds_err_set(err, LDS_EIO, "no leaf count") : (lds_code)step;
    uint64_t db_size = (uint64_t)lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    uint64_t size = lds_ledger_tree_size(lg->tree);
    if (db_size <= size)
        return LDS_OK;
    if ((rc = lds_store_prepare(s, q, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, (int64_t)size);
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        int n = 0;
        const void *h = lds_stmt_col_blob(st, 1, &n);
        if ((uint64_t)lds_stmt_col_i64(st, 0) != size || n != LDS_LEDGER_HASH_LEN) {
            lds_stmt_reset(st);
            return lds_err_set(err, LDS_ECORRUPT, "ledger leaf %llu is missing or malformed",
                               (unsigned long long)size);
        }
        if ((rc = lds_ledger_tree_append(lg->tree, h, err))) {
            lds_stmt_reset(st);
            return rc;
        }
        size++;
    }
    return step == LDS_STORE_DONE ? LDS_OK : (lds_code)step;
}

lds_code lds_trace_ledger_open(lds_store *s, const char *key_path, lds_trace_ledger **out,
                               lds_err *err)
{
    *out = NULL;
    lds_trace_ledger *lg = lds_calloc(1, sizeof *lg);
    if (!lg)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    lds_code rc;
    if (pthread_mutex_init(&lg->mu, NULL) != 0) {
        lds_free(lg);
        return lds_err_set(err, LDS_EIO, "cannot create the ledger lock");
    }
    if (pthread_mutex_init(&lg->q_mu, NULL) != 0) {
        pthread_mutex_destroy(&lg->mu);
        lds_free(lg);
        return lds_err_set(err, LDS_EIO, "cannot create the ledger lock");
    }
    if (pthread_mutex_init(&lg->tree_mu, NULL) != 0) {
        pthread_mutex_destroy(&lg->q_mu);
        pthread_mutex_destroy(&lg->mu);
        lds_free(lg);
        return lds_err_set(err, LDS_EIO, "cannot create the ledger lock");
    }
    if (pthread_cond_init(&lg->q_cv, NULL) != 0) {
        pthread_mutex_destroy(&lg->tree_mu);
        pthread_mutex_destroy(&lg->q_mu);
        pthread_mutex_destroy(&lg->mu);
        lds_free(lg);
        return lds_err_set(err, LDS_EIO, "cannot create the ledger lock");
    }
    if ((rc = lds_ledger_tree_new(&lg->tree, err)) ||
        (rc = lds_ledger_keyfile_load_or_create(key_path, &lg->kp, err)) ||
        (rc = lds_trace__sync(lg, s, err))) {
        lds_trace_ledger_free(lg);
        return rc;
    }
    *out = lg;
    return LDS_OK;
}

void lds_trace_ledger_free(lds_trace_ledger *lg)
{
    if (!lg)
        return;
    lds_ledger_tree_free(lg->tree);
    pthread_cond_destroy(&lg->q_cv);
    pthread_mutex_destroy(&lg->tree_mu);
    pthread_mutex_destroy(&lg->q_mu);
    pthread_mutex_destroy(&lg->mu);
    memset(&lg->kp, 0, sizeof lg->kp);
    lds_free(lg);
}

const uint8_t *lds_trace_ledger_public_key(const lds_trace_ledger *lg)
{
    return lg->kp.public_key;
}

int64_t lds_trace__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Loads the stored head of `size` signed by our key, if any. */
static int load_sth(lds_trace_ledger *lg, lds_store *s, uint64_t size, lds_ledger_sth *out)
{
    static const char q[] = "SELECT timestamp_ms, root, signature FROM ledger_sths "
                            "WHERE tree_size = ? AND public_key = ?";
    lds_stmt *st;
    if (lds_store_prepare(s, q, &st, NULL))
        return 0;
    lds_stmt_bind_i64(st, 1, (int64_t)size);
    lds_stmt_bind_blob(st, 2, lg->kp.public_key, LDS_LEDGER_PUBKEY_LEN);
    int found = 0;
    if (lds_stmt_step(st, NULL) == LDS_STORE_ROW) {
        int nr = 0, ns = 0;
        const void *root = lds_stmt_col_blob(st, 1, &nr);
        const void *sig = lds_stmt_col_blob(st, 2, &ns);
        if (nr == LDS_LEDGER_HASH_LEN && ns == LDS_LEDGER_SIG_LEN) {
            out->tree_size = size;
            out->timestamp_ms = (uint64_t)lds_stmt_col_i64(st, 0);
            memcpy(out->root, root, LDS_LEDGER_HASH_LEN);
            memcpy(out->signature, sig, LDS_LEDGER_SIG_LEN);
            found = 1;
        }
    }
    lds_stmt_reset(st);
    return found;
}

lds_code lds_trace_ledger_sth(lds_trace_ledger *lg, lds_store *s, lds_ledger_sth *out,
                              lds_err *err)
{
    static const char ins[] = "INSERT OR IGNORE INTO ledger_sths "
                              "(tree_size, timestamp_ms, root, signature, public_key) "
                              "VALUES (?, ?, ?, ?, ?)";
    lds_code rc;
    pthread_mutex_lock(&lg->mu);
    if ((rc = lds_trace__sync(lg, s, err)))
        goto done;
    uint64_t size = lds_ledger_tree_size(lg->tree);
    if (lg->has_sth && lg->sth.tree_size == size) {
        *out = lg->sth;
        goto done;
    }
    lds_ledger_sth sth;
    if (!load_sth(lg, s, size, &sth)) {
        /* Timestamps never go backwards, even if the wall clock does. */
        uint64_t now = (uint64_t)lds_trace__now_ms();
        if (lg->has_sth && now < lg->sth.timestamp_ms)
            now = lg->sth.timestamp_ms;
        if ((rc = lds_ledger_tree_sign_head(lg->tree, size, now, lg->kp.secret_key, &sth, err)))
            goto done;
        lds_stmt *st;
        if ((rc = lds_store_prepare(s, ins, &st, err)))
            goto done;
        lds_stmt_bind_i64(st, 1, (int64_t)sth.tree_size);
        lds_stmt_bind_i64(st, 2, (int64_t)sth.timestamp_ms);
        lds_stmt_bind_blob(st, 3, sth.root, LDS_LEDGER_HASH_LEN);
        lds_stmt_bind_blob(st, 4, sth.signature, LDS_LEDGER_SIG_LEN);
        lds_stmt_bind_blob(st, 5, lg->kp.public_key, LDS_LEDGER_PUBKEY_LEN);
        if ((rc = lds_stmt_exec(st, err)))
            goto done;
    }
    lg->sth = sth;
    lg->has_sth = 1;
    *out = sth;
done:
    pthread_mutex_unlock(&lg->mu);
    return rc;
}

lds_code lds_trace_ledger_size(lds_trace_ledger *lg, lds_store *s, uint64_t *size, lds_err *err)
{
    pthread_mutex_lock(&lg->mu);
    lds_code rc = lds_trace__sync(lg, s, err);
    pthread_mutex_unlock(&lg->mu);
    if (rc == LDS_OK)
        *size = lds_ledger_tree_size(lg->tree);
    return rc;
}

/* Makes sure the tree has at least `size` leaves if the database does. */
static lds_code ensure(lds_trace_ledger *lg, lds_store *s, uint64_t size, lds_err *err)
{
    if (lds_ledger_tree_size(lg->tree) >= size)
        return LDS_OK;
    uint64_t have = 0;
    return lds_trace_ledger_size(lg, s, &have, err);
}

lds_code lds_trace_ledger_inclusion(lds_trace_ledger *lg, lds_store *s, uint64_t leaf_index,
                                    uint64_t tree_size, lds_ledger_proof *out, lds_err *err)
{
    lds_code rc = ensure(lg, s, tree_size, err);
    if (rc)
        return rc;
    uint64_t size = lds_ledger_tree_size(lg->tree);
    if (tree_size > size)
        return lds_err_field(err, LDS_EINVAL, "tree_size", "tree_size %llu exceeds the log (%llu)",
                             (unsigned long long)tree_size, (unsigned long long)size);
    if (leaf_index >= tree_size)
        return lds_err_field(err, LDS_EINVAL, "leaf_index",
                             "leaf_index %llu is not below tree_size %llu",
                             (unsigned long long)leaf_index, (unsigned long long)tree_size);
    return lds_ledger_tree_inclusion(lg->tree, leaf_index, tree_size, out, err);
}

lds_code lds_trace_ledger_consistency(lds_trace_ledger *lg, lds_store *s, uint64_t first,
                                      uint64_t second, lds_ledger_proof *out, lds_err *err)
{
    lds_code rc = ensure(lg, s, second, err);
    if (rc)
        return rc;
    uint64_t size = lds_ledger_tree_size(lg->tree);
    if (second > size)
        return lds_err_field(err, LDS_EINVAL, "second", "second %llu exceeds the log (%llu)",
                             (unsigned long long)second, (unsigned long long)size);
    if (first == 0 || first > second)
        return lds_err_field(err, LDS_EINVAL, "first", "first must be in 1..second (%llu)",
                             (unsigned long long)second);
    return lds_ledger_tree_consistency(lg->tree, first, second, out, err);
}

lds_code lds_trace_leaf(lds_store *s, uint64_t index, lds_buf *out, lds_err *err)
{
    static const char q[] = "SELECT data FROM ledger_leaves WHERE idx = ?";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_i64(st, 1, index > INT64_MAX ? -1 : (int64_t)index);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no leaf %llu", (unsigned long long)index);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    int n = 0;
    const void *p = lds_stmt_col_blob(st, 0, &n);
    lds_buf_add(out, p, (size_t)n);
    lds_stmt_reset(st);
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}

lds_code lds_trace_event_leaf_index(lds_store *s, const char *event_id, uint64_t *index,
                                    lds_err *err)
{
    static const char q[] =
        "SELECT e.leaf_idx FROM " LDS_TRACE__EVENTS_KEYED("?1") " WHERE e.event_id = ?2";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_i64(st, 1, lds_store_key64(event_id));
    lds_stmt_bind_text(st, 2, event_id);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_DONE)
        return lds_err_field(err, LDS_ENOTFOUND, "event_id", "no event '%.200s'", event_id);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    *index = (uint64_t)lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return LDS_OK;
}
