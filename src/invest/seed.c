/*
 * seed.c — the demo corridor's investment side (synthetic, deterministic):
 * one mandate per investor organisation, written from the investor's kind
 * (venture capital, private equity, corporate venture, guidance and
 * industry funds, angels), and deals on each mandate's best-matching
 * projects with a history played through the same functions the API calls,
 * the clock set to each event's time: introduced some weeks after the
 * project opened, then diligence, term sheet and closing, or declined.
 * Stage durations are illustrative (unsourced): diligence 1-3 months, a
 * term sheet 1-3 months later, closing 1-2 months after that.
 */
#include <stdio.h>
#include <string.h>
#include "invest_int.h"
#include "lodestone/alloc.h"

#define DAY ((int64_t)86400000)
/* 2026-11-30T00:00:00Z: the end of the demo history (as the projects demo). */
#define T_NOW ((int64_t)1795996800000)

typedef struct tmpl {
    const char *name;
    const char *sectors, *stages, *regions, *materials; /* JSON arrays */
    double ticket_min, ticket_max;                      /* CNY */
} tmpl;

/* One per investor organisation, in id order. */
static const tmpl tmpls[] = {
    {"Robotics, drones and electronics, early stage", "[\"robotics\",\"drones\",\"electronics\"]",
     "[\"proposed\",\"permitting\",\"financing\"]", "[\"nanshan\",\"baoan\"]", "[]", 20e6, 150e6},
    {"EV drivetrain and magnet growth capital", "[\"ev\",\"motors\",\"magnets\"]",
     "[\"financing\",\"technical_validation\",\"pilot_production\"]", "[]",
     "[\"mag_n42sh\",\"mag_n48sh\",\"motor_ev_traction\"]", 100e6, 500e6},
    {"Strategic robotics supply chain", "[\"robotics\",\"motors\"]",
     "[\"technical_validation\",\"pilot_production\",\"talent\"]", "[\"nanshan\"]",
     "[\"actuator_robot_joint\",\"servo_set_industrial\",\"robot_humanoid\"]", 50e6, 300e6},
    {"Upstream value retention in Ganzhou", "[\"materials\",\"recycling\",\"magnets\"]",
     "[\"permitting\",\"financing\",\"technical_validation\"]",
     "[\"zhanggong\",\"longnan\",\"xunwu\"]",
     "[\"dy2o3\",\"tb4o7\",\"prnd_oxide\",\"recycled_oxide\"]", 30e6, 400e6},
    {"Rare-earth chain industry fund", "[\"materials\",\"magnets\",\"wind\"]",
     "[\"financing\",\"pilot_production\"]", "[\"zhanggong\",\"longnan\"]",
     "[\"prnd_oxide\",\"ndpr_metal\",\"alloy_n42sh\",\"mag_n42sh\"]", 100e6, 600e6},
    {"Angel tickets for Bao'an hardware", "[\"electronics\",\"drones\",\"ev\"]",
     "[\"proposed\",\"permitting\"]", "[\"baoan\"]", "[]", 5e6, 50e6},
    {"Humanoid and drone seed programme", "[\"robotics\",\"drones\"]",
     "[\"proposed\",\"permitting\",\"financing\"]", "[\"nanshan\"]",
     "[\"robot_humanoid\",\"drone_quad\",\"motor_drone\"]", 10e6, 80e6},
    {"Green motors across the corridor", "[\"motors\",\"ev\",\"wind\",\"magnets\"]",
     "[\"financing\",\"technical_validation\",\"pilot_production\",\"market_access\"]",
     "[\"zhanggong\",\"baoan\",\"nanshan\"]",
     "[\"mag_n42uh\",\"mag_n38eh\",\"motor_ev_traction\",\"generator_wind_dd\"]", 80e6, 400e6},
};

/* splitmix64: the same stream every run. */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int64_t days(uint64_t *s, int lo, int hi)
{
    return (int64_t)(lo + (int)(next(s) % (uint64_t)(hi - lo + 1))) * DAY;
}

static lds_code with_body(const char *json, json_t **out, lds_err *err)
{
    *out = json_loads(json, 0, NULL);
    return *out ? LDS_OK : lds_err_set(err, LDS_ENOMEM, "demo investment: out of memory");
}

static lds_code move(lds_store *s, const lds_principal *who, int64_t deal, const char *to,
                     const char *reason, int64_t at, lds_err *err)
{
    char id[24], body[512];
    snprintf(id, sizeof id, "%lld", (long long)deal);
    snprintf(body, sizeof body, "{\"to\":\"%s\",\"reason\":\"%s (synthetic demo)\"}", to, reason);
    json_t *b;
    lds_code rc = with_body(body, &b, err);
    if (rc != LDS_OK)
        return rc;
    lds_buf out = LDS_BUF_INIT, refusal = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    rc = lds_deal_transition(s, who, id, b, at, &out, &refusal, &fe, err);
    lds_buf_release(&out);
    lds_buf_release(&refusal);
    json_decref(b);
    return rc;
}

/* A deal's history from `t`: each step happens if it fits before T_NOW. */
static lds_code play_deal(lds_store *s, const lds_principal *inv, int64_t deal, int64_t t,
                          uint64_t *rng, lds_err *err)
{
    static const char *const why_decline[] = {
        "ticket size does not fit the round", "technical risk above the mandate's appetite",
        "valuation gap after diligence"};
    lds_code rc = LDS_OK;
    int64_t t1 = t + days(rng, 30, 90);
    if (t1 >= T_NOW)
        return LDS_OK;
    if (next(rng) % 5 == 0)
        return move(s, inv, deal, "declined", why_decline[next(rng) % 3], t1, err);
    if ((rc = move(s, inv, deal, "diligence", "management meeting and data room opened", t1,
                   err)) != LDS_OK)
        return rc;
    int64_t t2 = t1 + days(rng, 30, 90);
    if (t2 >= T_NOW)
        return LDS_OK;
    if (next(rng) % 4 == 0)
        return move(s, inv, deal, "declined", why_decline[1 + next(rng) % 2], t2, err);
    if ((rc = move(s, inv, deal, "term_sheet", "term sheet signed", t2, err)) != LDS_OK)
        return rc;
    int64_t t3 = t2 + days(rng, 30, 60);
    if (t3 >= T_NOW)
        return LDS_OK;
    return move(s, inv, deal, "closed", "closing: funds transferred", t3, err);
}

lds_code lds_invest_seed_demo(lds_store *s, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, "SELECT count(*) FROM mandates", &st, err);
    if (rc != LDS_OK)
        return rc;
    if (lds_stmt_step(st, err) != LDS_STORE_ROW)
        return err ? err->code : LDS_EIO;
    int64_t have = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    if (have)
        return LDS_OK;
    int64_t orgs[8];
    size_t n_orgs = 0;
    if ((rc = lds_store_prepare(s, "SELECT id FROM orgs WHERE kind = 'investor' ORDER BY id LIMIT 8",
                                &st, err)) != LDS_OK)
        return rc;
    int r;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW)
        orgs[n_orgs++] = lds_stmt_col_i64(st, 0);
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    if ((rc = lds_store_begin(s, err)) != LDS_OK)
        return rc;
    uint64_t rng = 20260101;
    for (size_t i = 0; i < n_orgs && rc == LDS_OK; i++) {
        const tmpl *tp = &tmpls[i];
        lds_principal inv = {0, orgs[i], LDS_ROLE_INVESTOR};
        char body[1024];
        snprintf(body, sizeof body,
                 "{\"name\":\"%s (synthetic demo mandate)\",\"sectors\":%s,\"stages\":%s,"
                 "\"regions\":%s,\"materials\":%s,\"ticket_min_cny\":%.0f,"
                 "\"ticket_max_cny\":%.0f}",
                 tp->name, tp->sectors, tp->stages, tp->regions, tp->materials, tp->ticket_min,
                 tp->ticket_max);
        json_t *b;
        if ((rc = with_body(body, &b, err)) != LDS_OK)
            break;
        lds_buf out = LDS_BUF_INIT;
        lds_field_errors fe = {0};
        int64_t mid = 0;
        int64_t t_mandate = T_NOW - 700 * DAY + (int64_t)i * 9 * DAY;
        rc = lds_mandate_create(s, &inv, b, t_mandate, &mid, &out, &fe, err);
        lds_buf_release(&out);
        json_decref(b);
        if (rc == LDS_OK &&
            (rc = lds_store_prepare(s, "UPDATE mandates SET synthetic = 1 WHERE id = ?1", &st,
                                    err)) == LDS_OK) {
            lds_stmt_bind_i64(st, 1, mid);
            rc = lds_stmt_exec(st, err);
        }
        /* Deals on the mandate's two best projects still open to investors. */
        int64_t top[2];
        size_t n_top = 0;
        if (rc == LDS_OK)
            rc = lds_invest__top_projects(s, mid, 2, top, &n_top, err);
        for (size_t k = 0; k < n_top && rc == LDS_OK; k++) {
            int64_t created = 0, deal = 0;
            if ((rc = lds_store_prepare(s, "SELECT created_ms FROM projects WHERE id = ?1", &st,
                                        err)) != LDS_OK)
                break;
            lds_stmt_bind_i64(st, 1, top[k]);
            if (lds_stmt_step(st, err) == LDS_STORE_ROW)
                created = lds_stmt_col_i64(st, 0);
            lds_stmt_reset(st);
            int64_t t = created + days(&rng, 20, 120);
            if (t < t_mandate)
                t = t_mandate + days(&rng, 5, 40);
            if (t >= T_NOW - 5 * DAY)
                continue;
            /* One deal per project-investor pair: skip a pair already open. */
            if ((rc = lds_store_prepare(s,
                                        "SELECT count(*) FROM deals WHERE project_id = ?1 AND "
                                        "investor_org = ?2",
                                        &st, err)) != LDS_OK)
                break;
            lds_stmt_bind_i64(st, 1, top[k]);
            lds_stmt_bind_i64(st, 2, orgs[i]);
            int64_t dup = 0;
            if (lds_stmt_step(st, err) == LDS_STORE_ROW)
                dup = lds_stmt_col_i64(st, 0);
            lds_stmt_reset(st);
            if (dup)
                continue;
            snprintf(body, sizeof body,
                     "{\"project\":%lld,\"mandate\":%lld,\"reason\":\"introduced by the platform "
                     "from the mandate's matches (synthetic demo)\"}",
                     (long long)top[k], (long long)mid);
            if ((rc = with_body(body, &b, err)) != LDS_OK)
                break;
            fe.n = 0;
            rc = lds_deal_create(s, &inv, b, t, &deal, &out, &fe, err);
            lds_buf_release(&out);
            json_decref(b);
            if (rc == LDS_OK &&
                (rc = lds_store_prepare(s, "UPDATE deals SET synthetic = 1 WHERE id = ?1", &st,
                                        err)) == LDS_OK) {
                lds_stmt_bind_i64(st, 1, deal);
                rc = lds_stmt_exec(st, err);
            }
            if (rc == LDS_OK)
                rc = play_deal(s, &inv, deal, t, &rng, err);
        }
    }
    if (rc == LDS_OK)
        rc = lds_store_commit(s, err);
    else
        lds_store_rollback(s);
    return rc;
}
