/*
 * run.c — match runs: load the open offers and requests (optionally one
 * material) and every lane into the engine's plain structs, run it, and store
 * the run with one row per allocation line, unmet request and dual price.
 * Every row carries the organisations concerned, so reads filter in SQL: a
 * member sees the lines it is party to, its own unmet requests and the duals
 * of the cells it asked in; operators and auditors see the whole run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/clock.h"
#include "lodestone/alloc.h"
#include "lodestone/csv.h"
#include "lodestone/match.h"
#include "market_int.h"

/* Owned strings of a loaded input. */
typedef struct pool {
    char **items;
    size_t n, cap;
    int oom;
} pool;

static const char *pool_add(pool *p, const char *s)
{
    if (p->oom)
        return "";
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        char **items = lds_realloc(p->items, cap * sizeof *items);
        if (!items) {
            p->oom = 1;
            return "";
        }
        p->items = items;
        p->cap = cap;
    }
    char *c = lds_strdup(s ? s : "");
    if (!c) {
        p->oom = 1;
        return "";
    }
    p->items[p->n++] = c;
    return c;
}

static void pool_release(pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        lds_free(p->items[i]);
    lds_free(p->items);
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *a = lds_realloc(*arr, c * size);
    if (!a)
        return -1;
    *arr = a;
    *cap = c;
    return 0;
}

static int32_t period_of(const char *s)
{
    int32_t p = 0;
    return lds_match_parse_period(s ? s : "", &p) == LDS_OK ? p : 0;
}

static int64_t purity_of(lds_stmt *st, int col)
{
    if (lds_stmt_col_is_null(st, col))
        return LDS_MATCH_NO_PURITY;
    return (int64_t)llround(lds_stmt_col_double(st, col) * 1e6);
}

typedef struct loaded {
    pool strings;
    lds_match_offer *offers;
    lds_match_request *requests;
    lds_match_lane *lanes;
    size_t n_offers, n_requests, n_lanes, cap_o, cap_r, cap_l;
} loaded;

static void loaded_release(loaded *l)
{
    pool_release(&l->strings);
    lds_free(l->offers);
    lds_free(l->requests);
    lds_free(l->lanes);
}

/* The columns of one offer / request as the engine needs them; the one-record
 * queries add a last column: 1 when the record is open, in CNY and in scope. */
#define OFFER_COLS                                                                          \
    "SELECT o.id, o.org_id, o.material_id, o.region_id, o.quantity_milli,"                 \
    " o.unit_price_cents, o.period_from, o.period_to, o.purity, m.export_controlled,"      \
    " g.country"
#define OFFER_FROM                                                                          \
    " FROM offers o JOIN materials m ON m.id = o.material_id JOIN regions g ON g.id = o.region_id"
#define REQUEST_COLS                                                                        \
    "SELECT o.id, o.org_id, o.material_id, o.region_id, o.quantity_milli,"                 \
    " o.max_unit_price_cents, o.due_period, o.min_purity, g.country"
#define REQUEST_FROM " FROM requests o JOIN regions g ON g.id = o.region_id"
#define IN_SCOPE "o.status = 'open' AND o.currency = 'CNY' AND (?1 IS NULL OR o.material_id = ?1)"

/* Columns 0-3 of an offer or request row: id, org, material, region. */
static void read_head(lds_stmt *st, pool *p, const char **id, const char **org,
                      const char **material, const char **region)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)lds_stmt_col_i64(st, 0));
    *id = pool_add(p, num);
    snprintf(num, sizeof num, "%lld", (long long)lds_stmt_col_i64(st, 1));
    *org = pool_add(p, num);
    *material = pool_add(p, lds_stmt_col_text(st, 2));
    *region = pool_add(p, lds_stmt_col_text(st, 3));
}

/* Whether the country in column `col` is abroad (not CN). */
static int abroad_of(lds_stmt *st, int col)
{
    const char *c = lds_stmt_col_text(st, col);
    return c && strcmp(c, "CN") != 0;
}

static void read_offer(lds_stmt *st, pool *p, lds_match_offer *o)
{
    read_head(st, p, &o->id, &o->org, &o->material, &o->region);
    o->qty_milli = lds_stmt_col_i64(st, 4);
    o->price_cents = lds_stmt_col_i64(st, 5);
    o->from = period_of(lds_stmt_col_text(st, 6));
    o->to = period_of(lds_stmt_col_text(st, 7));
    o->purity = purity_of(st, 8);
    o->controlled = lds_stmt_col_i64(st, 9) != 0;
    o->abroad = abroad_of(st, 10);
}

static void read_request(lds_stmt *st, pool *p, lds_match_request *d)
{
    read_head(st, p, &d->id, &d->org, &d->material, &d->region);
    d->qty_milli = lds_stmt_col_i64(st, 4);
    d->max_price_cents = lds_stmt_col_i64(st, 5);
    d->due = period_of(lds_stmt_col_text(st, 6));
    d->min_purity = purity_of(st, 7);
    d->abroad = abroad_of(st, 8);
}

static lds_code load(lds_store *s, const char *material, loaded *l, lds_err *err)
{
    static const char q_offers[] = OFFER_COLS OFFER_FROM " WHERE " IN_SCOPE " ORDER BY o.id";
    static const char q_requests[] = REQUEST_COLS REQUEST_FROM " WHERE " IN_SCOPE " ORDER BY o.id";
    static const char q_lanes[] =
        "SELECT from_region, to_region, cost_per_unit_cents, transit_periods FROM lanes"
        " WHERE currency = 'CNY' ORDER BY id";
    lds_stmt *st;
    lds_code rc;
    int r;
    if ((rc = lds_store_prepare(s, q_offers, &st, err)) ||
        (rc = lds_stmt_bind_text(st, 1, material)))
        return rc;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (grow((void **)&l->offers, &l->cap_o, l->n_offers, sizeof *l->offers)) {
            lds_stmt_reset(st);
            return lds_err_set(err, LDS_ENOMEM, "out of memory loading offers");
        }
        read_offer(st, &l->strings, &l->offers[l->n_offers++]);
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    if ((rc = lds_store_prepare(s, q_requests, &st, err)) ||
        (rc = lds_stmt_bind_text(st, 1, material)))
        return rc;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (grow((void **)&l->requests, &l->cap_r, l->n_requests, sizeof *l->requests)) {
            lds_stmt_reset(st);
            return lds_err_set(err, LDS_ENOMEM, "out of memory loading requests");
        }
        read_request(st, &l->strings, &l->requests[l->n_requests++]);
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    if ((rc = lds_store_prepare(s, q_lanes, &st, err)))
        return rc;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (grow((void **)&l->lanes, &l->cap_l, l->n_lanes, sizeof *l->lanes)) {
            lds_stmt_reset(st);
            return lds_err_set(err, LDS_ENOMEM, "out of memory loading lanes");
        }
        lds_match_lane *ln = &l->lanes[l->n_lanes++];
        ln->from = pool_add(&l->strings, lds_stmt_col_text(st, 0));
        ln->to = pool_add(&l->strings, lds_stmt_col_text(st, 1));
        ln->cost_cents = lds_stmt_col_i64(st, 2);
        ln->transit = (int32_t)lds_stmt_col_i64(st, 3);
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    return l->strings.oom ? lds_err_set(err, LDS_ENOMEM, "out of memory loading the market")
                          : LDS_OK;
}

/* ---- the warm session of a scope ----------------------------------------- */

/* How a run was solved; stored with the run. */
typedef struct solve_info {
    int warm;            /* re-solved a kept session */
    int64_t us;          /* engine time, microseconds (wall) */
    int64_t cpu_us;      /* the same, CPU time of the solving thread */
    int64_t changes;     /* records applied warm */
    char note[160];      /* why cold, or what the warm run did */
    int64_t n_offers, n_requests, n_lanes;
} solve_info;

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Times engine calls: wall and this thread's CPU. */
typedef struct stopwatch {
    int64_t wall, cpu;
} stopwatch;

static stopwatch sw_start(void)
{
    return (stopwatch){clock_us(CLOCK_MONOTONIC), clock_us(CLOCK_THREAD_CPUTIME_ID)};
}

static void sw_add(stopwatch t0, solve_info *si)
{
    si->us += clock_us(CLOCK_MONOTONIC) - t0.wall;
    si->cpu_us += clock_us(CLOCK_THREAD_CPUTIME_ID) - t0.cpu;
}

/* The database's market instance token and the change log's ends. */
static lds_code read_sync(lds_store *s, char inst[LDS_MARKET__INSTANCE_LEN], int64_t *max_seq,
                          int64_t *min_seq, lds_err *err)
{
    static const char q_inst[] = "SELECT token FROM market_instance WHERE id = 1";
    static const char q_seq[] =
        "SELECT coalesce(max(seq), 0), coalesce(min(seq), 0) FROM market_changes";
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, q_inst, &st, err)))
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_ROW)
        snprintf(inst, LDS_MARKET__INSTANCE_LEN, "%s",
                 lds_stmt_col_text(st, 0) ? lds_stmt_col_text(st, 0) : "");
    lds_stmt_reset(st);
    if (r == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ECORRUPT, "market_instance has no row");
    if (r != LDS_STORE_ROW)
        return (lds_code)r;
    if ((rc = lds_store_prepare(s, q_seq, &st, err)))
        return rc;
    if ((r = lds_stmt_step(st, err)) != LDS_STORE_ROW)
        return r == LDS_STORE_DONE ? lds_err_set(err, LDS_ECORRUPT, "no aggregate row")
                                   : (lds_code)r;
    *max_seq = lds_stmt_col_i64(st, 0);
    *min_seq = lds_stmt_col_i64(st, 1);
    lds_stmt_reset(st);
    return LDS_OK;
}

/* The random stamp of change-log row `seq` (0 when it has none); -1 when
 * there is no such row. */
static lds_code stamp_of(lds_store *s, int64_t seq, int64_t *stamp, lds_err *err)
{
    static const char q[] = "SELECT coalesce(stamp, 0) FROM market_changes WHERE seq = ?1";
    lds_stmt *st;
    lds_code rc;
    *stamp = -1;
    if (seq <= 0) {
        *stamp = 0;
        return LDS_OK;
    }
    if ((rc = lds_store_prepare(s, q, &st, err)) || (rc = lds_stmt_bind_i64(st, 1, seq)))
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_ROW)
        *stamp = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return r == LDS_STORE_ROW || r == LDS_STORE_DONE ? LDS_OK : (lds_code)r;
}

typedef struct changed {
    int kind; /* 0 offer, 1 request */
    int64_t id;
} changed;

/* Puts or withdraws one offer or request in the session as the database has
 * it now; its engine time is added to si->us. */
static lds_code apply_one(lds_store *s, const char *material, lds_match_session *ms,
                          const changed *c, solve_info *si, lds_err *err)
{
    static const char q_offer[] =
        OFFER_COLS ", " IN_SCOPE OFFER_FROM " WHERE o.id = ?2";
    static const char q_request[] =
        REQUEST_COLS ", " IN_SCOPE REQUEST_FROM " WHERE o.id = ?2";
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, c->kind ? q_request : q_offer, &st, err)) ||
        (rc = lds_stmt_bind_text(st, 1, material)) || (rc = lds_stmt_bind_i64(st, 2, c->id)))
        return rc;
    int r = lds_stmt_step(st, err);
    if (r != LDS_STORE_ROW && r != LDS_STORE_DONE)
        return (lds_code)r;
    pool p = {0};
    lds_match_offer o;
    lds_match_request d;
    int live = r == LDS_STORE_ROW && lds_stmt_col_i64(st, c->kind ? 9 : 11) != 0;
    if (live) {
        if (c->kind)
            read_request(st, &p, &d);
        else
            read_offer(st, &p, &o);
    }
    lds_stmt_reset(st);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)c->id);
    stopwatch t0 = sw_start();
    if (p.oom)
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory reading a changed record");
    else if (live)
        rc = c->kind ? lds_match_session_put_request(ms, &d, NULL, err)
                     : lds_match_session_put_offer(ms, &o, NULL, err);
    else {
        rc = c->kind ? lds_match_session_withdraw_request(ms, id, NULL, err)
                     : lds_match_session_withdraw_offer(ms, id, NULL, err);
        if (rc == LDS_ENOTFOUND) /* never in scope, or already out */
            rc = LDS_OK;
    }
    sw_add(t0, si);
    pool_release(&p);
    return rc;
}

/* Brings a kept session up to date with the change log up to `max_seq`, warm.
 * When it cannot (lanes or the catalog changed, too many changes, the log
 * does not reach back), frees the session and says why in si->note; the
 * caller then builds cold. */
static lds_code catch_up(lds_store *s, const char *material, lds_market__kept *k,
                         int64_t max_seq, int64_t min_seq, solve_info *si, lds_err *err)
{
    static const char q_log[] =
        "SELECT kind, record_id FROM market_changes WHERE seq > ?1 AND seq <= ?2 ORDER BY seq";
    changed list[LDS_MARKET_WARM_CHANGES];
    size_t n = 0;
    const char *why = NULL;
    lds_code rc = LDS_OK;
    int64_t stamp = 0;
    if (k->seq > max_seq)
        why = "the database's change log went back (restored from a copy?)";
    else if (k->seq < max_seq && min_seq > k->seq + 1)
        why = "the change log no longer reaches back to the last run";
    else if ((rc = stamp_of(s, k->seq, &stamp, err)))
        return rc;
    else if (stamp != k->stamp)
        why = "the change log differs from what the last run saw (changes rolled back)";
    if (!why && k->seq < max_seq) {
        lds_stmt *st;
        if ((rc = lds_store_prepare(s, q_log, &st, err)) ||
            (rc = lds_stmt_bind_i64(st, 1, k->seq)) || (rc = lds_stmt_bind_i64(st, 2, max_seq)))
            return rc;
        int r;
        while (!why && (r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
            const char *kind = lds_stmt_col_text(st, 0);
            kind = kind ? kind : "";
            if (strcmp(kind, "lane") == 0) {
                why = "lanes changed";
            } else if (strcmp(kind, "catalog") == 0) {
                why = "a material's export control or a region's country changed";
            } else {
                changed c = {strcmp(kind, "request") == 0, lds_stmt_col_i64(st, 1)};
                size_t i = 0;
                while (i < n && (list[i].kind != c.kind || list[i].id != c.id))
                    i++;
                if (i < n)
                    continue;
                if (n == LDS_MARKET_WARM_CHANGES)
                    why = "more than " LDS_MARKET__STR(LDS_MARKET_WARM_CHANGES)
                          " offers and requests changed";
                else
                    list[n++] = c;
            }
        }
        lds_stmt_reset(st);
        if (!why && r != LDS_STORE_DONE)
            return (lds_code)r;
    }
    for (size_t i = 0; !why && i < n; i++) {
        lds_err e2;
        lds_err_clear(&e2);
        rc = apply_one(s, material, k->session, &list[i], si, &e2);
        if (rc != LDS_OK && rc != LDS_ENOMEM && rc != LDS_EINVAL && rc != LDS_EOVERFLOW) {
            if (err)
                *err = e2;
            return rc; /* a store error: the run fails */
        }
        if (rc != LDS_OK) {
            snprintf(si->note, sizeof si->note, "warm update failed (%.100s)", e2.msg);
            lds_match_session_free(k->session);
            k->session = NULL;
            si->us = si->cpu_us = 0;
            return LDS_OK;
        }
    }
    if (why) {
        snprintf(si->note, sizeof si->note, "%s", why);
        lds_match_session_free(k->session);
        k->session = NULL;
        si->us = si->cpu_us = 0;
        return LDS_OK;
    }
    si->warm = 1;
    si->changes = (int64_t)n;
    if (n == 0)
        snprintf(si->note, sizeof si->note, "no change since run %lld", (long long)k->run_id);
    return LDS_OK;
}

/* Loads the scope and builds a new session (cold). */
static lds_code build_cold(lds_store *s, const char *material, lds_market__kept *k,
                           solve_info *si, lds_err *err)
{
    loaded l;
    memset(&l, 0, sizeof l);
    lds_code rc = load(s, material, &l, err);
    if (rc == LDS_OK) {
        lds_match_input in = {l.offers, l.n_offers, l.requests, l.n_requests, l.lanes, l.n_lanes};
        stopwatch t0 = sw_start();
        si->us = si->cpu_us = 0;
        rc = lds_match_session_new(&in, &k->session, err);
        sw_add(t0, si);
        k->n_lanes = (int64_t)l.n_lanes;
    }
    loaded_release(&l);
    return rc;
}

/* Multi-row inserts of allocation lines (17 columns, numbered in order). */
#define LINE_BATCH 32
#define LINE_ROW   "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define LINE_ROW4  LINE_ROW "," LINE_ROW "," LINE_ROW "," LINE_ROW
#define LINE_ROW16 LINE_ROW4 "," LINE_ROW4 "," LINE_ROW4 "," LINE_ROW4
#define LINE_INSERT                                                                            \
    "INSERT INTO match_lines(run_id, line_no, offer_id, request_id, offer_org, request_org,"   \
    " material_id, from_region, to_region, quantity_milli, ship_period, transit_periods,"     \
    " unit_price_cents, logistics_cents, line_total_cents, licence_required,"                 \
    " licence_lead_periods) VALUES "
static const char q_line[] = LINE_INSERT LINE_ROW;
static const char q_lines_batch[] = LINE_INSERT LINE_ROW16 "," LINE_ROW16;

/* Binds line `i` of run `id` at parameters base+1 .. base+17; non-zero on failure. */
static int bind_line(lds_stmt *st, int base, int64_t id, size_t i, const lds_match_line *ln)
{
    char per[16];
    return lds_stmt_bind_i64(st, base + 1, id) || lds_stmt_bind_i64(st, base + 2, (int64_t)i + 1) ||
           lds_stmt_bind_i64(st, base + 3, strtoll(ln->offer_id, NULL, 10)) ||
           lds_stmt_bind_i64(st, base + 4, strtoll(ln->request_id, NULL, 10)) ||
           lds_stmt_bind_i64(st, base + 5, strtoll(ln->offer_org, NULL, 10)) ||
           lds_stmt_bind_i64(st, base + 6, strtoll(ln->request_org, NULL, 10)) ||
           lds_stmt_bind_text(st, base + 7, ln->material) ||
           lds_stmt_bind_text(st, base + 8, ln->from_region) ||
           lds_stmt_bind_text(st, base + 9, ln->to_region) ||
           lds_stmt_bind_i64(st, base + 10, ln->qty_milli) ||
           lds_stmt_bind_text(st, base + 11, lds_match_fmt_period(ln->ship_period, per)) ||
           lds_stmt_bind_i64(st, base + 12, ln->transit) ||
           lds_stmt_bind_i64(st, base + 13, ln->unit_price_cents) ||
           lds_stmt_bind_i64(st, base + 14, ln->logistics_cents) ||
           lds_stmt_bind_i64(st, base + 15, ln->line_total_cents) ||
           lds_stmt_bind_i64(st, base + 16, ln->licence_required) ||
           lds_stmt_bind_i64(st, base + 17, ln->licence_lead);
}

static lds_code store_result(lds_store *s, const lds_principal *who, const char *material,
                             const solve_info *si, const lds_match_result *res, int64_t *run_id,
                             lds_err *err)
{
    static const char q_run[] =
        "INSERT INTO match_runs(material_id, run_by_org, run_by_role, created_at, n_offers,"
        " n_requests, n_lanes, n_pairs, supply_milli, demand_milli, matched_milli, unmet_milli,"
        " total_cost_cents, goods_cost_cents, solve_mode, solve_us, solve_changes, solve_note,"
        " solve_cpu_us)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19)";
    static const char q_unmet[] =
        "INSERT INTO match_unmet(run_id, request_id, request_org, material_id, region_id,"
        " due_period, requested_milli, unmet_milli, reason, why, why_member)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    static const char q_dual[] =
        "INSERT INTO match_duals(run_id, region_id, material_id, period, demand_milli,"
        " matched_milli, price_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    char now[LDS_RFC3339_LEN], per[16];
    lds_now_rfc3339(now);
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, q_run, &st, err)))
        return rc;
    if (lds_stmt_bind_text(st, 1, material) || lds_stmt_bind_i64(st, 2, who->org_id) ||
        lds_stmt_bind_text(st, 3, lds_role_name(who->role)) || lds_stmt_bind_text(st, 4, now) ||
        lds_stmt_bind_i64(st, 5, si->n_offers) || lds_stmt_bind_i64(st, 6, si->n_requests) ||
        lds_stmt_bind_i64(st, 7, si->n_lanes) ||
        lds_stmt_bind_i64(st, 8, (int64_t)res->n_pairs) ||
        lds_stmt_bind_i64(st, 9, res->supply_milli) ||
        lds_stmt_bind_i64(st, 10, res->demand_milli) ||
        lds_stmt_bind_i64(st, 11, res->matched_milli) ||
        lds_stmt_bind_i64(st, 12, res->unmet_milli) ||
        lds_stmt_bind_i64(st, 13, res->total_cost_cents) ||
        lds_stmt_bind_i64(st, 14, res->goods_cost_cents) ||
        lds_stmt_bind_text(st, 15, si->warm ? "warm" : "cold") ||
        lds_stmt_bind_i64(st, 16, si->us) || lds_stmt_bind_i64(st, 17, si->changes) ||
        lds_stmt_bind_text(st, 18, si->note[0] ? si->note : NULL) ||
        lds_stmt_bind_i64(st, 19, si->cpu_us))
        return lds_err_set(err, LDS_ENOMEM, "cannot bind the run");
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    int64_t id = lds_store_last_id(s);
    /* lines in batches of LINE_BATCH rows per statement (a run has thousands) */
    for (size_t i = 0; i < res->n_lines;) {
        int batch = res->n_lines - i >= LINE_BATCH;
        if ((rc = lds_store_prepare(s, batch ? q_lines_batch : q_line, &st, err)))
            return rc;
        for (size_t b = 0; b < (batch ? LINE_BATCH : 1); b++, i++)
            if (bind_line(st, (int)b * 17, id, i, &res->lines[i]))
                return lds_err_set(err, LDS_ENOMEM, "cannot bind a line");
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    lds_buf why = LDS_BUF_INIT, why_member = LDS_BUF_INIT;
    for (size_t i = 0; i < res->n_unmet; i++) {
        const lds_match_unmet *u = &res->unmet[i];
        /* the why chain in full, and as the request's org may see it */
        lds_buf_reset(&why);
        lds_buf_reset(&why_member);
        lds_match_write_why_json(u, NULL, &why);
        lds_match_write_why_json(u, u->request_org, &why_member);
        if (why.oom || why_member.oom) {
            lds_buf_release(&why);
            lds_buf_release(&why_member);
            return lds_err_set(err, LDS_ENOMEM, "out of memory writing a why chain");
        }
        if ((rc = lds_store_prepare(s, q_unmet, &st, err))) {
            lds_buf_release(&why);
            lds_buf_release(&why_member);
            return rc;
        }
        if (lds_stmt_bind_i64(st, 1, id) ||
            lds_stmt_bind_i64(st, 2, strtoll(u->request_id, NULL, 10)) ||
            lds_stmt_bind_i64(st, 3, strtoll(u->request_org, NULL, 10)) ||
            lds_stmt_bind_text(st, 4, u->material) || lds_stmt_bind_text(st, 5, u->region) ||
            lds_stmt_bind_text(st, 6, lds_match_fmt_period(u->due, per)) ||
            lds_stmt_bind_i64(st, 7, u->requested_milli) ||
            lds_stmt_bind_i64(st, 8, u->unmet_milli) ||
            lds_stmt_bind_text(st, 9, lds_match_reason_name(u->reason)) ||
            lds_stmt_bind_text(st, 10, why.ptr) || lds_stmt_bind_text(st, 11, why_member.ptr)) {
            lds_buf_release(&why);
            lds_buf_release(&why_member);
            return lds_err_set(err, LDS_ENOMEM, "cannot bind an unmet request");
        }
        if ((rc = lds_stmt_exec(st, err))) {
            lds_buf_release(&why);
            lds_buf_release(&why_member);
            return rc;
        }
    }
    lds_buf_release(&why);
    lds_buf_release(&why_member);
    for (size_t i = 0; i < res->n_duals; i++) {
        const lds_match_dual *d = &res->duals[i];
        if ((rc = lds_store_prepare(s, q_dual, &st, err)))
            return rc;
        if (lds_stmt_bind_i64(st, 1, id) || lds_stmt_bind_text(st, 2, d->region) ||
            lds_stmt_bind_text(st, 3, d->material) ||
            lds_stmt_bind_text(st, 4, lds_match_fmt_period(d->period, per)) ||
            lds_stmt_bind_i64(st, 5, d->demand_milli) ||
            lds_stmt_bind_i64(st, 6, d->matched_milli) ||
            (d->has_price ? lds_stmt_bind_i64(st, 7, d->price_cents) : lds_stmt_bind_null(st, 7)))
            return lds_err_set(err, LDS_ENOMEM, "cannot bind a dual");
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    *run_id = id;
    return LDS_OK;
}

lds_code lds_market_run_ex(lds_store *s, const lds_principal *who, const char *material,
                           int cold, int64_t *run_id, lds_buf *out, lds_field_errors *fe,
                           lds_err *err)
{
    if (who->role != LDS_ROLE_OPERATOR && who->role != LDS_ROLE_MEMBER)
        return lds_err_set(err, LDS_EFORBIDDEN, "match runs are started by operators and members;"
                                                " the token has '%s'",
                           lds_role_name(who->role));
    if (material) {
        static const char q[] = "SELECT 1 FROM materials WHERE id = ?1";
        lds_stmt *st;
        lds_code rc;
        if ((rc = lds_store_prepare(s, q, &st, err)) || (rc = lds_stmt_bind_text(st, 1, material)))
            return rc;
        int r = lds_stmt_step(st, err);
        lds_stmt_reset(st);
        if (r == LDS_STORE_DONE) {
            lds_field_errors_add(fe, "/material", "unknown material '%.60s'", material);
            return lds_invalid_first(fe, err);
        }
        if (r != LDS_STORE_ROW)
            return (lds_code)r;
    }
    char inst[LDS_MARKET__INSTANCE_LEN] = "";
    int64_t max_seq = 0, min_seq = 0;
    lds_code rc = read_sync(s, inst, &max_seq, &min_seq, err);
    if (rc)
        return rc;
    solve_info si;
    memset(&si, 0, sizeof si);
    lds_market__kept k;
    if (!lds_market__cache_take(inst, material, &k))
        snprintf(si.note, sizeof si.note, "first run of this scope since the server started");
    else if (cold) {
        snprintf(si.note, sizeof si.note, "cold run requested");
        lds_match_session_free(k.session);
        k.session = NULL;
    } else if ((rc = catch_up(s, material, &k, max_seq, min_seq, &si, err))) {
        lds_match_session_free(k.session);
        return rc;
    }
    if (!k.session && (rc = build_cold(s, material, &k, &si, err))) {
        lds_match_session_free(k.session);
        return rc;
    }
    lds_match_session_stats stats;
    lds_match_session_stats_get(k.session, &stats);
    si.n_offers = (int64_t)stats.offers;
    si.n_requests = (int64_t)stats.requests;
    si.n_lanes = k.n_lanes;
    int64_t id = 0;
    {
        stopwatch t0 = sw_start(); /* the why chains are part of the solve */
        rc = lds_match_session_explain(k.session, err);
        sw_add(t0, &si);
    }
    if (rc == LDS_OK)
        rc = store_result(s, who, material, &si, lds_match_session_result(k.session), &id, err);
    if (rc == LDS_OK) {
        /* the log is read only forwards: keep its last LDS_MARKET_CHANGES_KEPT rows */
        static const char q_prune[] = "DELETE FROM market_changes WHERE seq <= ?1";
        lds_stmt *st;
        if (max_seq > LDS_MARKET_CHANGES_KEPT &&
            (rc = lds_store_prepare(s, q_prune, &st, err)) == LDS_OK &&
            (rc = lds_stmt_bind_i64(st, 1, max_seq - LDS_MARKET_CHANGES_KEPT)) == LDS_OK)
            rc = lds_stmt_exec(st, err);
    }
    /* The session now mirrors the records as of max_seq whether or not the
     * run's rows are committed: keep it. */
    k.seq = max_seq;
    if (rc == LDS_OK)
        rc = stamp_of(s, max_seq, &k.stamp, err);
    if (rc == LDS_OK)
        k.run_id = id;
    lds_market__cache_put(inst, material, &k);
    if (rc)
        return rc;
    char idtxt[24];
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)id);
    if ((rc = lds_market_run_get(s, who, idtxt, out, err)))
        return rc;
    *run_id = id;
    return LDS_OK;
}

lds_code lds_market_run(lds_store *s, const lds_principal *who, const char *material,
                        int64_t *run_id, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    return lds_market_run_ex(s, who, material, 0, run_id, out, fe, err);
}

/* ---- reads ------------------------------------------------------------------ */

const char lds_market__q_run[] =
    "SELECT id, material_id, run_by_org, run_by_role, created_at, n_offers, n_requests, n_lanes,"
    " n_pairs, supply_milli, demand_milli, matched_milli, unmet_milli, total_cost_cents,"
    " goods_cost_cents, solve_mode, solve_us, solve_changes, solve_note, solve_cpu_us"
    " FROM match_runs WHERE id = ?1";
/* Lines the caller is party to (all for ?2 = 1), with both organisations' names. */
const char lds_market__q_lines[] =
    "SELECT l.line_no, l.offer_id, l.request_id, l.offer_org, so.name, l.request_org, ro.name,"
    " l.material_id, l.from_region, l.to_region, l.quantity_milli, l.ship_period,"
    " l.transit_periods, l.unit_price_cents, l.logistics_cents, l.line_total_cents,"
    " l.licence_required, l.licence_lead_periods"
    " FROM match_lines l JOIN orgs so ON so.id = l.offer_org JOIN orgs ro ON ro.id = l.request_org"
    " WHERE l.run_id = ?1 AND (?2 = 1 OR l.offer_org = ?3 OR l.request_org = ?3)"
    " ORDER BY l.line_no";
/* ... with the dual price of the request's cell (region, material, due period). */
const char lds_market__q_unmet[] =
    "SELECT u.request_id, u.request_org, u.material_id, u.region_id, u.due_period,"
    " u.requested_milli, u.unmet_milli, u.reason, d.price_cents, u.why, u.why_member"
    " FROM match_unmet u"
    " LEFT JOIN match_duals d ON d.run_id = u.run_id AND d.region_id = u.region_id"
    " AND d.material_id = u.material_id AND d.period = u.due_period"
    " WHERE u.run_id = ?1 AND (?2 = 1 OR u.request_org = ?3) ORDER BY u.request_id";
/* Members see the duals of the cells where one of their requests of this run is. */
static const char q_duals_get[] =
    "SELECT d.region_id, d.material_id, d.period, d.demand_milli, d.matched_milli, d.price_cents"
    " FROM match_duals d WHERE d.run_id = ?1 AND (?2 = 1 OR EXISTS ("
    "  SELECT 1 FROM requests q WHERE q.org_id = ?3 AND q.region_id = d.region_id"
    "  AND q.material_id = d.material_id AND q.due_period = d.period"
    "  AND (q.id IN (SELECT request_id FROM match_lines WHERE run_id = ?1)"
    "   OR q.id IN (SELECT request_id FROM match_unmet WHERE run_id = ?1))))"
    " ORDER BY d.region_id, d.material_id, d.period";

lds_code lds_market__bind_scope(lds_stmt *st, int64_t id, const lds_principal *who)
{
    if (lds_stmt_bind_i64(st, 1, id) || lds_stmt_bind_i64(st, 2, lds_sees_all(who)) ||
        lds_stmt_bind_i64(st, 3, who->org_id))
        return LDS_ENOMEM;
    return LDS_OK;
}

/* Appends a decimal integer (no printf). */
static void add_i64(lds_buf *b, int64_t v)
{
    char rev[24];
    int n = 0;
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        rev[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (v < 0)
        rev[n++] = '-';
    char out[24];
    for (int i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    lds_buf_add(b, out, (size_t)n);
}

static void add_fmt_milli(lds_buf *b, const char *key, int64_t v)
{
    char t[32];
    lds_buf_addf(b, "\"%s\":%s", key, lds_match_fmt_milli(v, t));
}

static void add_fmt_cents(lds_buf *b, const char *key, int64_t v)
{
    char t[32];
    lds_buf_addf(b, "\"%s\":%s", key, lds_match_fmt_cents(v, t));
}

/* The previous run over the same scope (all materials or the same one). */
static const char q_prev[] =
    "SELECT max(p.id) FROM match_runs p, match_runs r WHERE r.id = ?1 AND p.id < r.id"
    " AND p.material_id IS r.material_id";
/* One stored line as a run-to-run comparison needs it. */
typedef struct dline {
    int64_t offer, request, offer_org, request_org, qty, total;
    char ship[8];
} dline;

static int cmp_dline(const void *a, const void *b)
{
    const dline *x = a, *y = b;
    if (x->offer != y->offer)
        return x->offer < y->offer ? -1 : 1;
    return (x->request > y->request) - (x->request < y->request);
}

/* Every line of run `run`, sorted by (offer, request).  Two sequential
 * scans and a merge instead of a join: a run has one line per pair. */
static lds_code read_dlines(lds_store *s, int64_t run, dline **out, size_t *n, lds_err *err)
{
    static const char q[] =
        "SELECT offer_id, request_id, offer_org, request_org, quantity_milli, line_total_cents,"
        " ship_period FROM match_lines WHERE run_id = ?1 ORDER BY line_no";
    lds_stmt *st;
    lds_code rc;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if ((rc = lds_store_prepare(s, q, &st, err)) || (rc = lds_stmt_bind_i64(st, 1, run)))
        return rc;
    int r;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (grow((void **)out, &cap, *n, sizeof **out)) {
            lds_stmt_reset(st);
            return lds_err_set(err, LDS_ENOMEM, "out of memory comparing runs");
        }
        dline *d = &(*out)[(*n)++];
        d->offer = lds_stmt_col_i64(st, 0);
        d->request = lds_stmt_col_i64(st, 1);
        d->offer_org = lds_stmt_col_i64(st, 2);
        d->request_org = lds_stmt_col_i64(st, 3);
        d->qty = lds_stmt_col_i64(st, 4);
        d->total = lds_stmt_col_i64(st, 5);
        const char *ship = lds_stmt_col_text(st, 6);
        size_t len = ship ? strnlen(ship, sizeof d->ship - 1) : 0;
        memcpy(d->ship, ship ? ship : "", len);
        d->ship[len] = '\0';
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    if (*n > 1)
        qsort(*out, *n, sizeof **out, cmp_dline);
    return LDS_OK;
}

static void add_change(lds_buf *out, int *n, const dline *before, const dline *after)
{
    char t[32];
    const dline *k = after ? after : before;
    lds_buf_addf(out, "%s{\"change\":\"%s\",\"offer_id\":%lld,\"request_id\":%lld,"
                      "\"quantity_before\":",
                 (*n)++ ? "," : "", !before ? "added" : !after ? "removed" : "changed",
                 (long long)k->offer, (long long)k->request);
    lds_buf_adds(out, before ? lds_match_fmt_milli(before->qty, t) : "null");
    lds_buf_adds(out, ",\"quantity_after\":");
    lds_buf_adds(out, after ? lds_match_fmt_milli(after->qty, t) : "null");
    lds_buf_adds(out, ",\"line_total_before\":");
    lds_buf_adds(out, before ? lds_match_fmt_cents(before->total, t) : "null");
    lds_buf_adds(out, ",\"line_total_after\":");
    lds_buf_adds(out, after ? lds_match_fmt_cents(after->total, t) : "null");
    lds_buf_addc(out, '}');
}

/* Appends ,"previous_run":id|null,"changes":[...] against the previous run:
 * the lines, keyed by (offer, request), that were added, removed or changed
 * (quantity, line total or ship period), in (offer, request) order, as the
 * caller may see them. */
static lds_code add_changes(lds_store *s, const lds_principal *who, int64_t id, lds_buf *out,
                            lds_err *err)
{
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, q_prev, &st, err)) || (rc = lds_stmt_bind_i64(st, 1, id)))
        return rc;
    int r = lds_stmt_step(st, err);
    if (r != LDS_STORE_ROW)
        return r == LDS_STORE_DONE ? lds_err_set(err, LDS_ECORRUPT, "no aggregate row")
                                   : (lds_code)r;
    int64_t prev = lds_stmt_col_is_null(st, 0) ? 0 : lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    if (!prev) {
        lds_buf_adds(out, ",\"previous_run\":null,\"changes\":[]");
        return LDS_OK;
    }
    dline *a = NULL, *b = NULL; /* a: this run, b: the previous one */
    size_t na = 0, nb = 0;
    rc = read_dlines(s, id, &a, &na, err);
    if (rc == LDS_OK)
        rc = read_dlines(s, prev, &b, &nb, err);
    if (rc == LDS_OK) {
        int all = lds_sees_all(who), n = 0;
        int64_t org = who->org_id;
        lds_buf_addf(out, ",\"previous_run\":%lld,\"changes\":[", (long long)prev);
        size_t i = 0, j = 0;
        while (i < na || j < nb) {
            int c = i == na ? 1 : j == nb ? -1 : cmp_dline(&a[i], &b[j]);
            const dline *now = c <= 0 ? &a[i] : NULL, *before = c >= 0 ? &b[j] : NULL;
            const dline *k = now ? now : before;
            int differs = !now || !before || now->qty != before->qty ||
                          now->total != before->total || strcmp(now->ship, before->ship) != 0;
            if (differs && (all || k->offer_org == org || k->request_org == org))
                add_change(out, &n, before, now);
            i += c <= 0;
            j += c >= 0;
        }
        lds_buf_addc(out, ']');
    }
    lds_free(a);
    lds_free(b);
    return rc;
}

lds_code lds_market__run_row(lds_store *s, const char *idtxt, int64_t *id, lds_stmt **row,
                             lds_err *err)
{
    if (lds_id_parse(idtxt, 1, id) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no match run '%.60s'", idtxt);
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, lds_market__q_run, &st, err)) ||
        (rc = lds_stmt_bind_i64(st, 1, *id)))
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_ROW && row) {
        *row = st;
        return LDS_OK;
    }
    lds_stmt_reset(st);
    if (r == LDS_STORE_ROW)
        return LDS_OK;
    if (r == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no match run %lld", (long long)*id);
    return (lds_code)r;
}

lds_code lds_market_run_get(lds_store *s, const lds_principal *who, const char *idtxt,
                            lds_buf *out, lds_err *err)
{
    int64_t id;
    int all = lds_sees_all(who);
    lds_stmt *st;
    lds_code rc = lds_market__run_row(s, idtxt, &id, &st, err);
    if (rc != LDS_OK)
        return rc;
    int r;
    lds_buf_addf(out, "{\"id\":%lld,\"material\":", (long long)id);
    if (lds_stmt_col_is_null(st, 1))
        lds_buf_adds(out, "null");
    else
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 1));
    lds_buf_adds(out, ",\"created_at\":");
    lds_buf_add_json_str(out, lds_stmt_col_text(st, 4));
    lds_buf_addf(out, ",\"scope\":\"%s\"", all ? "all" : "org");
    if (all) {
        lds_buf_addf(out, ",\"run_by\":{\"org_id\":%lld,\"role\":",
                     (long long)lds_stmt_col_i64(st, 2));
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 3));
        lds_buf_addf(out,
                     "},\"counts\":{\"offers\":%lld,\"requests\":%lld,\"lanes\":%lld,"
                     "\"compatible_pairs\":%lld},\"totals\":{",
                     (long long)lds_stmt_col_i64(st, 5), (long long)lds_stmt_col_i64(st, 6),
                     (long long)lds_stmt_col_i64(st, 7), (long long)lds_stmt_col_i64(st, 8));
        int64_t total = lds_stmt_col_i64(st, 13), goods = lds_stmt_col_i64(st, 14);
        add_fmt_milli(out, "supply", lds_stmt_col_i64(st, 9));
        lds_buf_addc(out, ',');
        add_fmt_milli(out, "demand", lds_stmt_col_i64(st, 10));
        lds_buf_addc(out, ',');
        add_fmt_milli(out, "matched_quantity", lds_stmt_col_i64(st, 11));
        lds_buf_addc(out, ',');
        add_fmt_milli(out, "unmet_quantity", lds_stmt_col_i64(st, 12));
        lds_buf_addc(out, ',');
        add_fmt_cents(out, "total_cost", total);
        lds_buf_addc(out, ',');
        add_fmt_cents(out, "goods_cost", goods);
        lds_buf_addc(out, ',');
        add_fmt_cents(out, "logistics_cost", total - goods);
        lds_buf_addc(out, '}');
    }
    /* how it was solved: warm (a kept session brought up to date) or cold */
    if (lds_stmt_col_is_null(st, 15)) {
        lds_buf_adds(out, ",\"solve\":null");
    } else {
        int64_t us = lds_stmt_col_i64(st, 16);
        lds_buf_adds(out, ",\"solve\":{\"mode\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 15));
        int64_t cpu = lds_stmt_col_i64(st, 19);
        lds_buf_addf(out, ",\"time_ms\":%lld.%03lld,\"cpu_ms\":%lld.%03lld",
                     (long long)(us / 1000), (long long)(us % 1000), (long long)(cpu / 1000),
                     (long long)(cpu % 1000));
        if (all) {
            lds_buf_addf(out, ",\"changes_applied\":%lld,\"note\":",
                         (long long)lds_stmt_col_i64(st, 17));
            if (lds_stmt_col_is_null(st, 18))
                lds_buf_adds(out, "null");
            else
                lds_buf_add_json_str(out, lds_stmt_col_text(st, 18));
        }
        lds_buf_addc(out, '}');
    }
    lds_stmt_reset(st);

    /* allocation lines, and the caller's own totals over them */
    if ((rc = lds_store_prepare(s, lds_market__q_lines, &st, err)) ||
        (rc = lds_market__bind_scope(st, id, who)))
        return rc;
    int64_t bought = 0, bought_cost = 0, sold = 0, sold_value = 0;
    int n = 0;
    char t[32];
    lds_buf_adds(out, ",\"allocations\":[");
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        int64_t offer_org = lds_stmt_col_i64(st, 3), request_org = lds_stmt_col_i64(st, 5);
        int64_t qty = lds_stmt_col_i64(st, 10), total = lds_stmt_col_i64(st, 15);
        if (request_org == who->org_id) {
            bought += qty;
            bought_cost += total;
        }
        if (offer_org == who->org_id) {
            sold += qty;
            sold_value += total;
        }
        /* without printf: a run may have 10^4 lines and more */
        lds_buf_adds(out, n++ ? ",{\"line\":" : "{\"line\":");
        add_i64(out, lds_stmt_col_i64(st, 0));
        lds_buf_adds(out, ",\"offer_id\":");
        add_i64(out, lds_stmt_col_i64(st, 1));
        lds_buf_adds(out, ",\"request_id\":");
        add_i64(out, lds_stmt_col_i64(st, 2));
        lds_buf_adds(out, ",\"seller\":{\"org_id\":");
        add_i64(out, offer_org);
        lds_buf_adds(out, ",\"name\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 4));
        lds_buf_adds(out, "},\"buyer\":{\"org_id\":");
        add_i64(out, request_org);
        lds_buf_adds(out, ",\"name\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 6));
        if (!all)
            lds_buf_adds(out, offer_org == who->org_id && request_org == who->org_id
                                  ? "},\"side\":\"both\""
                              : offer_org == who->org_id ? "},\"side\":\"seller\""
                                                         : "},\"side\":\"buyer\"");
        else
            lds_buf_addc(out, '}');
        lds_buf_adds(out, ",\"material\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 7));
        lds_buf_adds(out, ",\"from_region\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 8));
        lds_buf_adds(out, ",\"to_region\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 9));
        lds_buf_adds(out, ",\"quantity\":");
        lds_buf_adds(out, lds_match_fmt_milli(qty, t));
        lds_buf_adds(out, ",\"ship_period\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 11));
        lds_buf_adds(out, ",\"transit_periods\":");
        add_i64(out, lds_stmt_col_i64(st, 12));
        lds_buf_adds(out, ",\"unit_price\":");
        lds_buf_adds(out, lds_match_fmt_cents(lds_stmt_col_i64(st, 13), t));
        lds_buf_adds(out, ",\"logistics_cost\":");
        lds_buf_adds(out, lds_match_fmt_cents(lds_stmt_col_i64(st, 14), t));
        lds_buf_adds(out, ",\"line_total\":");
        lds_buf_adds(out, lds_match_fmt_cents(total, t));
        lds_buf_adds(out, lds_stmt_col_i64(st, 16) ? ",\"licence_required\":true"
                                                   : ",\"licence_required\":false");
        lds_buf_adds(out, ",\"licence_lead_periods\":");
        add_i64(out, lds_stmt_col_i64(st, 17));
        lds_buf_addc(out, '}');
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    lds_buf_addc(out, ']');

    if ((rc = lds_store_prepare(s, lds_market__q_unmet, &st, err)) ||
        (rc = lds_market__bind_scope(st, id, who)))
        return rc;
    int64_t own_unmet = 0;
    n = 0;
    lds_buf_adds(out, ",\"unmet\":[");
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        lds_buf_addf(out, "%s{\"request_id\":%lld,\"org_id\":%lld,\"material\":", n++ ? "," : "",
                     (long long)lds_stmt_col_i64(st, 0), (long long)lds_stmt_col_i64(st, 1));
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 2));
        lds_buf_adds(out, ",\"region\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 3));
        lds_buf_adds(out, ",\"due_period\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 4));
        lds_buf_addc(out, ',');
        add_fmt_milli(out, "requested", lds_stmt_col_i64(st, 5));
        lds_buf_addc(out, ',');
        add_fmt_milli(out, "unmet", lds_stmt_col_i64(st, 6));
        if (lds_stmt_col_i64(st, 1) == who->org_id)
            own_unmet += lds_stmt_col_i64(st, 6);
        lds_buf_adds(out, ",\"reason\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 7));
        /* what one more unit there would cost; null: no unsold supply reaches it */
        if (lds_stmt_col_is_null(st, 8)) {
            lds_buf_adds(out, ",\"cell_price\":null");
        } else {
            lds_buf_addc(out, ',');
            add_fmt_cents(out, "cell_price", lds_stmt_col_i64(st, 8));
        }
        /* the binding constraints: in full for those who see everything,
         * else as the request's org may see them (docs/market.md) */
        const char *why = lds_stmt_col_text(st, lds_sees_all(who) ? 9 : 10);
        lds_buf_adds(out, ",\"why\":");
        lds_buf_adds(out, why && *why ? why : "[]");
        lds_buf_addc(out, '}');
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    lds_buf_addc(out, ']');

    if ((rc = lds_store_prepare(s, q_duals_get, &st, err)) ||
        (rc = lds_market__bind_scope(st, id, who)))
        return rc;
    n = 0;
    lds_buf_adds(out, ",\"duals\":[");
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        lds_buf_adds(out, n++ ? ",{\"region\":" : "{\"region\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 0));
        lds_buf_adds(out, ",\"material\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 1));
        lds_buf_adds(out, ",\"period\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 2));
        if (all) {
            lds_buf_addc(out, ',');
            add_fmt_milli(out, "demand", lds_stmt_col_i64(st, 3));
            lds_buf_addc(out, ',');
            add_fmt_milli(out, "matched", lds_stmt_col_i64(st, 4));
        }
        if (lds_stmt_col_is_null(st, 5)) {
            lds_buf_adds(out, ",\"price\":null}");
        } else {
            lds_buf_addc(out, ',');
            add_fmt_cents(out, "price", lds_stmt_col_i64(st, 5));
            lds_buf_addc(out, '}');
        }
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    lds_buf_addc(out, ']');
    if ((rc = add_changes(s, who, id, out, err)))
        return rc;
    /* the caller's own position (for operators: the operator org's, usually zero) */
    lds_buf_addf(out, ",\"own\":{\"org_id\":%lld,", (long long)who->org_id);
    add_fmt_milli(out, "bought", bought);
    lds_buf_addc(out, ',');
    add_fmt_cents(out, "bought_cost", bought_cost);
    lds_buf_addc(out, ',');
    add_fmt_milli(out, "sold", sold);
    lds_buf_addc(out, ',');
    add_fmt_cents(out, "sold_value", sold_value);
    lds_buf_addc(out, ',');
    add_fmt_milli(out, "unmet", own_unmet);
    lds_buf_adds(out, "}}");
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory writing the run") : LDS_OK;
}

lds_code lds_market_run_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                             size_t n_params, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    static const char q[] =
        "SELECT id, material_id, created_at, run_by_org, matched_milli, total_cost_cents,"
        " solve_mode FROM match_runs WHERE id > ?1 ORDER BY id LIMIT ?2";
    int64_t limit, after;
    const char *fval[1] = {0};
    lds_page_params(params, n_params, NULL, fval, 0, &limit, &after, fe);
    if (fe->n)
        return lds_err_set(err, LDS_EINVAL, "invalid query parameter '%s': %s",
                           fe->items[0].pointer, fe->items[0].message);
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, q, &st, err)))
        return rc;
    if (lds_stmt_bind_i64(st, 1, after) || lds_stmt_bind_i64(st, 2, limit + 1))
        return lds_err_set(err, LDS_ENOMEM, "cannot bind");
    int all = lds_sees_all(who), r, n = 0;
    int64_t last = 0;
    lds_buf_adds(out, "{\"items\":[");
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n == limit) {
            n++;
            break;
        }
        last = lds_stmt_col_i64(st, 0);
        lds_buf_addf(out, "%s{\"id\":%lld,\"material\":", n++ ? "," : "", (long long)last);
        if (lds_stmt_col_is_null(st, 1))
            lds_buf_adds(out, "null");
        else
            lds_buf_add_json_str(out, lds_stmt_col_text(st, 1));
        lds_buf_adds(out, ",\"created_at\":");
        lds_buf_add_json_str(out, lds_stmt_col_text(st, 2));
        lds_buf_adds(out, ",\"solve_mode\":");
        if (lds_stmt_col_is_null(st, 6))
            lds_buf_adds(out, "null");
        else
            lds_buf_add_json_str(out, lds_stmt_col_text(st, 6));
        if (all) {
            lds_buf_addf(out, ",\"run_by_org\":%lld,", (long long)lds_stmt_col_i64(st, 3));
            add_fmt_milli(out, "matched_quantity", lds_stmt_col_i64(st, 4));
            lds_buf_addc(out, ',');
            add_fmt_cents(out, "total_cost", lds_stmt_col_i64(st, 5));
        }
        lds_buf_addc(out, '}');
    }
    lds_stmt_reset(st);
    if (r != LDS_STORE_ROW && r != LDS_STORE_DONE)
        return (lds_code)r;
    lds_buf_adds(out, "],\"next\":");
    if (n > limit)
        lds_cursor_put(last, out);
    else
        lds_buf_adds(out, "null");
    lds_buf_addc(out, '}');
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}

#define RUN_CSV_MAX_COLS 18

/* Writes `head`, then every row of `q` (bound by lds_market__bind_scope to
 * run `idtxt` as `who` sees it), each cell formatted by `cell`. */
static lds_code run_csv(lds_store *s, const lds_principal *who, const char *idtxt, const char *q,
                        const char *const *head, int nh, void (*cell)(lds_stmt *, int, char *),
                        lds_buf *out, lds_err *err)
{
    int64_t id;
    lds_code rc = lds_market__run_row(s, idtxt, &id, NULL, err);
    if (rc != LDS_OK)
        return rc;
    lds_csv_write_row(out, head, (size_t)nh);
    lds_stmt *st;
    if ((rc = lds_store_prepare(s, q, &st, err)) || (rc = lds_market__bind_scope(st, id, who)))
        return rc;
    char cells[RUN_CSV_MAX_COLS][64];
    const char *row[RUN_CSV_MAX_COLS];
    int r;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        for (int c = 0; c < nh; c++) {
            row[c] = cells[c];
            cell(st, c, cells[c]);
        }
        lds_csv_write_row(out, row, (size_t)nh);
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory writing CSV") : LDS_OK;
}

/* A cell (64 bytes) of the allocations CSV. */
static void line_cell(lds_stmt *st, int c, char *cell)
{
    if (c == 10)
        lds_match_fmt_milli(lds_stmt_col_i64(st, c), cell);
    else if (c >= 13 && c <= 15)
        lds_match_fmt_cents(lds_stmt_col_i64(st, c), cell);
    else if (c == 16)
        snprintf(cell, 64, "%s", lds_stmt_col_i64(st, c) ? "yes" : "no");
    else if (lds_stmt_col_text(st, c))
        snprintf(cell, 64, "%s", lds_stmt_col_text(st, c));
    else
        cell[0] = '\0';
}

/* A cell (64 bytes) of the unmet-requests CSV. */
static void unmet_cell(lds_stmt *st, int c, char *cell)
{
    if (c == 5 || c == 6)
        lds_match_fmt_milli(lds_stmt_col_i64(st, c), cell);
    else if (c == 8 && !lds_stmt_col_is_null(st, c))
        lds_match_fmt_cents(lds_stmt_col_i64(st, c), cell);
    else if (lds_stmt_col_is_null(st, c))
        cell[0] = '\0';
    else
        snprintf(cell, 64, "%s", lds_stmt_col_text(st, c));
}

lds_code lds_market_run_lines_csv(lds_store *s, const lds_principal *who, const char *idtxt,
                                  lds_buf *out, lds_err *err)
{
    static const char *const head[RUN_CSV_MAX_COLS] = {
        "line", "offer_id", "request_id", "seller_org", "seller", "buyer_org", "buyer",
        "material", "from_region", "to_region", "quantity", "ship_period", "transit_periods",
        "unit_price", "logistics_cost", "line_total", "licence_required",
        "licence_lead_periods"};
    return run_csv(s, who, idtxt, lds_market__q_lines, head, RUN_CSV_MAX_COLS, line_cell, out,
                   err);
}

lds_code lds_market_run_unmet_csv(lds_store *s, const lds_principal *who, const char *idtxt,
                                  lds_buf *out, lds_err *err)
{
    static const char *const head[] = {"request_id", "org_id",    "material",
                                       "region",     "due_period", "requested",
                                       "unmet",      "reason",     "cell_price"};
    return run_csv(s, who, idtxt, lds_market__q_unmet, head, (int)(sizeof head / sizeof head[0]),
                   unmet_cell, out, err);
}
