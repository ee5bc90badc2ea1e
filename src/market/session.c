/*
 * session.c — the warm match sessions a process keeps between match runs,
 * one per (database, material filter).  A run takes its scope's session out
 * of the cache, brings it up to date with the records changed since (warm
 * re-solves, see run.c) and puts it back, so two runs never share one
 * session: a concurrent run on the same scope finds none and solves cold.
 * The cache is guarded by one mutex, holds at most LDS_MARKET_SESSIONS
 * sessions and LDS_MARKET_SESSION_PAIRS pair arcs in all (least recently
 * used first out), and is keyed by the database's market instance token,
 * so two databases in one process never mix.
 */
#include <pthread.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/match.h"
#include "market_int.h"

typedef struct entry {
    char instance[LDS_MARKET__INSTANCE_LEN];
    char *material; /* NULL: all materials */
    int used;
    lds_market__kept kept;
    uint64_t tick; /* last put, for least-recently-used eviction */
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry cache[LDS_MARKET_SESSIONS];
static uint64_t ticks;

static int same_key(const entry *e, const char *instance, const char *material)
{
    if (!e->used || strcmp(e->instance, instance) != 0) return 0;
    if (!e->material || !material) return !e->material && !material;
    return strcmp(e->material, material) == 0;
}

static size_t pair_slots(const lds_match_session *s)
{
    lds_match_session_stats st;
    lds_match_session_stats_get(s, &st);
    return st.pair_slots;
}

/* Empties slot `i`; returns its session for the caller to free outside the lock. */
static lds_match_session *evict(size_t i)
{
    lds_match_session *s = cache[i].kept.session;
    lds_free(cache[i].material);
    memset(&cache[i], 0, sizeof cache[i]);
    return s;
}

int lds_market__cache_take(const char *instance, const char *material, lds_market__kept *out)
{
    int found = 0;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < LDS_MARKET_SESSIONS; i++)
        if (same_key(&cache[i], instance, material)) {
            *out = cache[i].kept;
            cache[i].kept.session = NULL;
            (void)evict(i);
            found = 1;
            break;
        }
    pthread_mutex_unlock(&lock);
    return found;
}

void lds_market__cache_put(const char *instance, const char *material, lds_market__kept *kept)
{
    lds_match_session *drop[LDS_MARKET_SESSIONS + 1];
    size_t n_drop = 0;
    size_t need = pair_slots(kept->session);
    char *mat = material ? lds_strdup(material) : NULL;
    if ((material && !mat) || strlen(instance) >= LDS_MARKET__INSTANCE_LEN ||
        need > LDS_MARKET_SESSION_PAIRS) {
        lds_free(mat);
        lds_match_session_free(kept->session);
        kept->session = NULL;
        return;
    }
    pthread_mutex_lock(&lock);
    /* the same scope (put back by a concurrent run) is replaced by the newer */
    for (size_t i = 0; i < LDS_MARKET_SESSIONS; i++)
        if (same_key(&cache[i], instance, material)) drop[n_drop++] = evict(i);
    for (;;) {
        size_t total = 0, free_slot = LDS_MARKET_SESSIONS, lru = LDS_MARKET_SESSIONS;
        for (size_t i = 0; i < LDS_MARKET_SESSIONS; i++) {
            if (!cache[i].used) {
                free_slot = i;
                continue;
            }
            total += pair_slots(cache[i].kept.session);
            if (lru == LDS_MARKET_SESSIONS || cache[i].tick < cache[lru].tick) lru = i;
        }
        if (free_slot < LDS_MARKET_SESSIONS && total + need <= LDS_MARKET_SESSION_PAIRS) {
            entry *e = &cache[free_slot];
            memcpy(e->instance, instance, strlen(instance) + 1);
            e->material = mat;
            e->used = 1;
            e->kept = *kept;
            e->tick = ++ticks;
            break;
        }
        drop[n_drop++] = evict(lru); /* lru exists: the cache is full or over budget */
    }
    pthread_mutex_unlock(&lock);
    kept->session = NULL;
    for (size_t i = 0; i < n_drop; i++)
        lds_match_session_free(drop[i]);
}

void lds_market_sessions_clear(void)
{
    lds_match_session *drop[LDS_MARKET_SESSIONS];
    size_t n = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < LDS_MARKET_SESSIONS; i++)
        if (cache[i].used) drop[n++] = evict(i);
    pthread_mutex_unlock(&lock);
    for (size_t i = 0; i < n; i++)
        lds_match_session_free(drop[i]);
}

size_t lds_market_sessions_count(void)
{
    size_t n = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < LDS_MARKET_SESSIONS; i++)
        n += cache[i].used != 0;
    pthread_mutex_unlock(&lock);
    return n;
}
