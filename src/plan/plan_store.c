/*
 * plan_store.c — store glue of the planner: reads a plan input (catalog,
 * regions, facilities, open offers, forecast, returns, quotas) and named
 * scenarios, and seeds the demo corridor's planning data.  The pure engines
 * (mrp.c, lp.c) never see the store.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/clock.h"
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "plan_int.h"

struct lds_plan_data {
    lds_plan_input in;
    lds_catalog *catalog;
    char **pool;
    size_t n_pool, cap_pool;
    lds_plan_region *regions;
    lds_plan_lane *lanes;
    lds_plan_facility *facilities;
    lds_plan_offer *offers;
    lds_plan_demand *demand, *returns;
    lds_plan_quota *quotas;
    lds_plan_shock *shocks;
    lds_plan_scenario scenario;
    size_t cap_reg, cap_fac, cap_off, cap_dem, cap_ret, cap_quo, cap_shk;
};

static const char *pool(lds_plan_data *d, const char *s)
{
    if (!s)
        s = "";
    if (lds_plan__grow(&d->pool, &d->cap_pool, d->n_pool + 1, sizeof *d->pool))
        return NULL;
    char *c = lds_strdup(s);
    if (!c)
        return NULL;
    d->pool[d->n_pool++] = c;
    return c;
}

void lds_plan_data_free(lds_plan_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_pool; i++)
        lds_free(d->pool[i]);
    lds_free(d->pool);
    lds_catalog_free(d->catalog);
    lds_free(d->regions);
    lds_free(d->lanes);
    lds_free(d->facilities);
    lds_free(d->offers);
    lds_free(d->demand);
    lds_free(d->returns);
    lds_free(d->quotas);
    lds_free(d->shocks);
    lds_free(d);
}

const lds_plan_input *lds_plan_data_input(const lds_plan_data *d)
{
    return &d->in;
}

size_t lds_plan_default_lanes(const lds_plan_region *regions, size_t n_regions, lds_plan_lane *out,
                              size_t cap)
{
    /* Unsourced corridor assumptions (CNY per tonne, periods): Ganzhou's
     * districts 50; Shenzhen's 30; Ganzhou <-> Shenzhen 434 km by road or
     * rail, a few hours: 300; Baotou and Ningbo by rail/road, days: 600 and
     * 400; sea freight from the Shenzhen and Ningbo ports to Germany and
     * Michigan about five weeks: one period, 1,500 and 2,000. */
    static const struct {
        const char *a, *b;
        double cost;
        int transit, both;
    } tab[] = {
        {"zhanggong", "longnan", 50, 0, 1}, {"zhanggong", "xunwu", 50, 0, 1},
        {"longnan", "xunwu", 50, 0, 1},     {"nanshan", "baoan", 30, 0, 1},
        {"zhanggong", "nanshan", 300, 0, 1}, {"zhanggong", "baoan", 300, 0, 1},
        {"longnan", "baoan", 320, 0, 1},    {"longnan", "nanshan", 320, 0, 1},
        {"xunwu", "baoan", 320, 0, 1},      {"xunwu", "nanshan", 320, 0, 1},
        {"baotou", "zhanggong", 600, 0, 1}, {"baotou", "baoan", 600, 0, 1},
        {"baotou", "nanshan", 600, 0, 1},   {"baotou", "ningbo", 600, 0, 1},
        {"ningbo", "zhanggong", 400, 0, 1}, {"ningbo", "baoan", 400, 0, 1},
        {"ningbo", "nanshan", 400, 0, 1},   {"baoan", "de_bw", 1500, 1, 0},
        {"nanshan", "de_bw", 1500, 1, 0},   {"ningbo", "de_bw", 1500, 1, 0},
        {"baoan", "us_mi", 2000, 1, 0},     {"nanshan", "us_mi", 2000, 1, 0},
        {"ningbo", "us_mi", 2000, 1, 0},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        const char *a = NULL, *b = NULL;
        for (size_t g = 0; g < n_regions; g++) {
            if (strcmp(regions[g].id, tab[i].a) == 0)
                a = regions[g].id;
            if (strcmp(regions[g].id, tab[i].b) == 0)
                b = regions[g].id;
        }
        if (!a || !b)
            continue;
        for (int dir = 0; dir <= tab[i].both; dir++) {
            if (n < cap)
                out[n] = (lds_plan_lane){dir ? b : a, dir ? a : b, tab[i].cost, tab[i].transit};
            n++;
        }
    }
    return n;
}

static lds_plan_cap_basis basis_of(const char *unit)
{
    if (strncmp(unit, "t REO", 5) == 0)
        return LDS_PLAN_CAP_REO;
    if (strncmp(unit, "MW", 2) == 0)
        return LDS_PLAN_CAP_MW;
    if (strncmp(unit, "unit", 4) == 0)
        return LDS_PLAN_CAP_UNIT;
    return LDS_PLAN_CAP_T;
}

#define OOM(d) lds_err_set(err, LDS_ENOMEM, "plan: out of memory")

static lds_code read_series(lds_store *s, lds_plan_data *d, const char *sql, lds_plan_demand **v,
                            size_t *n, size_t *cap, lds_err *err)
{
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, sql, &st, err)))
        return rc;
    int step;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        int idx;
        if ((rc = lds_plan_period_index(d->in.first_period, lds_stmt_col_text(st, 2), &idx, err))) {
            lds_stmt_reset(st);
            return rc;
        }
        if (idx < 0 || idx >= d->in.n_periods)
            continue;
        if (lds_plan__grow(v, cap, *n + 1, sizeof **v)) {
            lds_stmt_reset(st);
            return OOM(d);
        }
        lds_plan_demand *x = &(*v)[(*n)++];
        x->material = pool(d, lds_stmt_col_text(st, 0));
        x->region = pool(d, lds_stmt_col_text(st, 1));
        x->period = idx;
        x->qty = (double)lds_stmt_col_i64(st, 3) / 1000.0;
        if (!x->material || !x->region) {
            lds_stmt_reset(st);
            return OOM(d);
        }
    }
    return step == LDS_STORE_DONE ? LDS_OK : (lds_code)step;
}

lds_code lds_plan_read(lds_store *s, lds_plan_data **out, lds_err *err)
{
    static const char q_first[] = "SELECT MIN(period), MAX(period) FROM plan_forecast";
    static const char q_reg[] = "SELECT id, country FROM regions ORDER BY id";
    static const char q_fac[] =
        "SELECT f.id, f.name, f.org_id, f.region_id, f.stage_id, f.material_id, f.capacity_milli,"
        " f.capacity_unit FROM facilities f ORDER BY f.id";
    static const char q_off[] =
        "SELECT id, material_id, region_id, quantity_milli, unit_price_cents, period_from, period_to"
        " FROM offers WHERE status = 'open' ORDER BY id";
    static const char q_dem[] =
        "SELECT material_id, region_id, period, quantity_milli FROM plan_forecast ORDER BY id";
    static const char q_ret[] =
        "SELECT material_id, region_id, period, quantity_milli FROM plan_returns ORDER BY id";
    static const char q_lane[] =
        "SELECT from_region, to_region, cost_per_unit_cents, transit_periods FROM lanes ORDER BY id";
    static const char q_quo[] =
        "SELECT q.org_id, o.name, q.kind, q.year, q.quota_milli FROM plan_quotas q"
        " JOIN orgs o ON o.id = q.org_id ORDER BY q.id";
    *out = NULL;
    lds_code rc;
    lds_stmt *st;
    int step;
    lds_plan_data *d = lds_calloc(1, sizeof *d);
    if (!d)
        return OOM(d);
    if ((rc = lds_catalog_read(s, &d->catalog, err)))
        goto fail;
    d->in.catalog = d->catalog;
    d->in.licence_periods = LDS_PLAN_DEFAULT_LICENCE_PERIODS;
    /* Half of the machining loss (30 % of the block at 70 % yield, DOMAIN.md
     * §2) is collected as swarf for the recyclers (unsourced). */
    d->in.swarf_share = 0.5;
    snprintf(d->in.first_period, sizeof d->in.first_period, "2026-01");
    d->in.n_periods = 12;
    if ((rc = lds_store_prepare(s, q_first, &st, err)))
        goto fail;
    if ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW && !lds_stmt_col_is_null(st, 0)) {
        int a = lds_plan__month(lds_stmt_col_text(st, 0));
        int b = lds_plan__month(lds_stmt_col_text(st, 1));
        if (a < 0 || b < a || b - a >= LDS_PLAN_MAX_PERIODS) {
            lds_stmt_reset(st);
            rc = lds_err_set(err, LDS_EINVAL, "plan_forecast: periods must be YYYY-MM within %d months",
                             LDS_PLAN_MAX_PERIODS);
            goto fail;
        }
        snprintf(d->in.first_period, sizeof d->in.first_period, "%s", lds_stmt_col_text(st, 0));
        d->in.n_periods = b - a + 1;
    } else if (step != LDS_STORE_ROW) {
        rc = (lds_code)step;
        goto fail;
    }
    lds_stmt_reset(st);
    if ((rc = lds_store_prepare(s, q_reg, &st, err)))
        goto fail;
    size_t n = 0;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (lds_plan__grow(&d->regions, &d->cap_reg, n + 1, sizeof *d->regions))
            goto oom;
        d->regions[n].id = pool(d, lds_stmt_col_text(st, 0));
        d->regions[n].country = pool(d, lds_stmt_col_text(st, 1));
        if (!d->regions[n].id || !d->regions[n].country)
            goto oom;
        n++;
    }
    if (step != LDS_STORE_DONE) {
        rc = (lds_code)step;
        goto fail;
    }
    d->in.regions = d->regions;
    d->in.n_regions = n;
    /* Lanes: the store's (CNY per tonne, whole periods) when it has any,
     * else the default corridor set. */
    if ((rc = lds_store_prepare(s, q_lane, &st, err)))
        goto fail;
    size_t n_lanes = 0, cap_lanes = 0;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (lds_plan__grow(&d->lanes, &cap_lanes, n_lanes + 1, sizeof *d->lanes))
            goto oom;
        lds_plan_lane *l = &d->lanes[n_lanes++];
        l->from = pool(d, lds_stmt_col_text(st, 0));
        l->to = pool(d, lds_stmt_col_text(st, 1));
        l->cost_per_t = (double)lds_stmt_col_i64(st, 2) / 100.0;
        l->transit = (int)lds_stmt_col_i64(st, 3);
        if (!l->from || !l->to)
            goto oom;
    }
    if (step != LDS_STORE_DONE) {
        rc = (lds_code)step;
        goto fail;
    }
    if (n_lanes == 0) {
        n_lanes = lds_plan_default_lanes(d->regions, n, NULL, 0);
        lds_free(d->lanes);
        if (!(d->lanes = lds_calloc(n_lanes + 1, sizeof *d->lanes)))
            goto oom;
        n_lanes = lds_plan_default_lanes(d->regions, n, d->lanes, n_lanes);
    }
    d->in.n_lanes = n_lanes;
    d->in.lanes = d->lanes;
    if ((rc = lds_store_prepare(s, q_fac, &st, err)))
        goto fail;
    n = 0;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (lds_plan__grow(&d->facilities, &d->cap_fac, n + 1, sizeof *d->facilities))
            goto oom;
        lds_plan_facility *f = &d->facilities[n++];
        const char *unit = lds_stmt_col_text(st, 7);
        f->id = lds_stmt_col_i64(st, 0);
        f->name = pool(d, lds_stmt_col_text(st, 1));
        f->org_id = lds_stmt_col_i64(st, 2);
        f->region = pool(d, lds_stmt_col_text(st, 3));
        f->stage = pool(d, lds_stmt_col_text(st, 4));
        f->material = lds_stmt_col_is_null(st, 5) ? NULL : pool(d, lds_stmt_col_text(st, 5));
        f->basis = basis_of(unit ? unit : "t");
        /* capacities are per year; a period is a month */
        f->capacity = (double)lds_stmt_col_i64(st, 6) / 1000.0 / 12.0;
        if (!f->name || !f->region || !f->stage)
            goto oom;
    }
    if (step != LDS_STORE_DONE) {
        rc = (lds_code)step;
        goto fail;
    }
    d->in.facilities = d->facilities;
    d->in.n_facilities = n;
    if ((rc = lds_store_prepare(s, q_off, &st, err)))
        goto fail;
    n = 0;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        int from, to;
        if ((rc = lds_plan_period_index(d->in.first_period, lds_stmt_col_text(st, 5), &from, err)) ||
            (rc = lds_plan_period_index(d->in.first_period, lds_stmt_col_text(st, 6), &to, err))) {
            lds_stmt_reset(st);
            goto fail;
        }
        if (to < 0 || from >= d->in.n_periods)
            continue;
        if (lds_plan__grow(&d->offers, &d->cap_off, n + 1, sizeof *d->offers))
            goto oom;
        lds_plan_offer *o = &d->offers[n++];
        o->id = lds_stmt_col_i64(st, 0);
        o->material = pool(d, lds_stmt_col_text(st, 1));
        o->region = pool(d, lds_stmt_col_text(st, 2));
        o->qty = (double)lds_stmt_col_i64(st, 3) / 1000.0;
        o->unit_price = (double)lds_stmt_col_i64(st, 4) / 100.0;
        o->from = from < 0 ? 0 : from;
        o->to = to >= d->in.n_periods ? d->in.n_periods - 1 : to;
        if (!o->material || !o->region)
            goto oom;
    }
    if (step != LDS_STORE_DONE) {
        rc = (lds_code)step;
        goto fail;
    }
    d->in.offers = d->offers;
    d->in.n_offers = n;
    if ((rc = read_series(s, d, q_dem, &d->demand, &d->in.n_demand, &d->cap_dem, err)) ||
        (rc = read_series(s, d, q_ret, &d->returns, &d->in.n_returns, &d->cap_ret, err)))
        goto fail;
    d->in.demand = d->demand;
    d->in.returns = d->returns;
    if ((rc = lds_store_prepare(s, q_quo, &st, err)))
        goto fail;
    n = 0;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (lds_plan__grow(&d->quotas, &d->cap_quo, n + 1, sizeof *d->quotas))
            goto oom;
        lds_plan_quota *q = &d->quotas[n++];
        q->org_id = lds_stmt_col_i64(st, 0);
        q->org = pool(d, lds_stmt_col_text(st, 1));
        q->stage = pool(d, lds_stmt_col_text(st, 2));
        q->year = (int)lds_stmt_col_i64(st, 3);
        q->reo_t = (double)lds_stmt_col_i64(st, 4) / 1000.0;
        if (!q->org || !q->stage)
            goto oom;
    }
    if (step != LDS_STORE_DONE) {
        rc = (lds_code)step;
        goto fail;
    }
    d->in.quotas = d->quotas;
    d->in.n_quotas = n;
    *out = d;
    return LDS_OK;
oom:
    lds_stmt_reset(st);
    rc = OOM(d);
fail:
    lds_plan_data_free(d);
    return rc;
}

lds_code lds_plan_read_scenario(lds_store *s, lds_plan_data *d, const char *name,
                                const lds_plan_scenario **out, lds_err *err)
{
    static const char q_sc[] = "SELECT name FROM plan_scenarios WHERE name = ?";
    static const char q_sh[] =
        "SELECT kind, target, value FROM plan_shocks WHERE scenario = ? ORDER BY id";
    *out = NULL;
    lds_stmt *st;
    lds_code rc;
    int step;
    if ((rc = lds_store_prepare(s, q_sc, &st, err)))
        return rc;
    lds_stmt_bind_text(st, 1, name);
    step = lds_stmt_step(st, err);
    lds_stmt_reset(st);
    if (step == LDS_STORE_DONE)
        return lds_err_field(err, LDS_ENOTFOUND, "scenario", "no scenario named '%s'", name);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    if ((rc = lds_store_prepare(s, q_sh, &st, err)))
        return rc;
    lds_stmt_bind_text(st, 1, name);
    size_t n = 0;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        int kind = lds_plan_shock_parse(lds_stmt_col_text(st, 0));
        if (kind < 0) {
            lds_stmt_reset(st);
            return lds_err_set(err, LDS_EINVAL, "scenario %s: unknown shock kind", name);
        }
        if (lds_plan__grow(&d->shocks, &d->cap_shk, n + 1, sizeof *d->shocks)) {
            lds_stmt_reset(st);
            return OOM(d);
        }
        d->shocks[n].kind = (lds_plan_shock_kind)kind;
        d->shocks[n].target = pool(d, lds_stmt_col_text(st, 1));
        d->shocks[n].value = lds_stmt_col_double(st, 2);
        if (!d->shocks[n].target) {
            lds_stmt_reset(st);
            return OOM(d);
        }
        n++;
    }
    if (step != LDS_STORE_DONE)
        return (lds_code)step;
    d->scenario.name = pool(d, name);
    if (!d->scenario.name)
        return OOM(d);
    d->scenario.shocks = d->shocks;
    d->scenario.n_shocks = n;
    *out = &d->scenario;
    return LDS_OK;
}

lds_code lds_plan_save_run(lds_store *s, const lds_plan_input *in, const lds_plan_result *r,
                           const char *scenario, int64_t *id, lds_err *err)
{
    static const char q[] = "INSERT INTO plan_runs(scenario, created_at, status, objective,"
                            " result_json) VALUES (?, ?, 'optimal', ?, ?)";
    lds_buf b = LDS_BUF_INIT;
    lds_stmt *st;
    lds_code rc;
    char ts[LDS_RFC3339_LEN];
    lds_now_rfc3339(ts);
    lds_plan_result_json(in, r, scenario, &b);
    if (b.oom) {
        lds_buf_release(&b);
        return lds_err_set(err, LDS_ENOMEM, "plan: out of memory");
    }
    if ((rc = lds_store_prepare(s, q, &st, err)))
        goto done;
    if (lds_stmt_bind_text(st, 1, scenario ? scenario : "as-is") || lds_stmt_bind_text(st, 2, ts) ||
        lds_stmt_bind_double(st, 3, r->objective) || lds_stmt_bind_text(st, 4, b.ptr)) {
        rc = lds_err_set(err, LDS_ENOMEM, "plan: cannot bind the run");
        goto done;
    }
    if ((rc = lds_stmt_exec(st, err)))
        goto done;
    *id = lds_store_last_id(s);
done:
    lds_buf_release(&b);
    return rc;
}

lds_code lds_plan_run(lds_store *s, const char *scenario, int64_t *id, char **json, lds_err *err)
{
    lds_plan_data *d = NULL;
    lds_plan_result *r = NULL;
    const lds_plan_scenario *sc = NULL;
    lds_code rc;
    if (json)
        *json = NULL;
    if (scenario && !scenario[0])
        scenario = NULL;
    if ((rc = lds_plan_read(s, &d, err)) ||
        (scenario && (rc = lds_plan_read_scenario(s, d, scenario, &sc, err))) ||
        (rc = lds_plan_solve(lds_plan_data_input(d), sc, &r, err)) ||
        (rc = lds_plan_save_run(s, lds_plan_data_input(d), r, scenario ? scenario : "as-is", id,
                                err)))
        goto done;
    if (json)
        rc = lds_plan_get_run(s, *id, json, err);
done:
    lds_plan_result_free(r);
    lds_plan_data_free(d);
    return rc;
}

lds_code lds_plan_get_run(lds_store *s, int64_t id, char **json, lds_err *err)
{
    static const char q[] = "SELECT result_json FROM plan_runs WHERE id = ?";
    lds_stmt *st;
    lds_code rc;
    *json = NULL;
    if ((rc = lds_store_prepare(s, q, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, id);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no plan run %lld", (long long)id);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    const char *t = lds_stmt_col_text(st, 0);
    *json = lds_strdup(t ? t : "{}");
    lds_stmt_reset(st);
    return *json ? LDS_OK : lds_err_set(err, LDS_ENOMEM, "plan: out of memory");
}

lds_code lds_plan_list_runs(lds_store *s, int64_t before, int64_t limit, lds_buf *out,
                            lds_err *err)
{
    static const char q[] = "SELECT id, scenario, created_at, status, objective FROM plan_runs "
                            "WHERE id < ? ORDER BY id DESC LIMIT ?";
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, q, &st, err)))
        return rc;
    lds_stmt_bind_i64(st, 1, before > 0 ? before : INT64_MAX);
    lds_stmt_bind_i64(st, 2, limit + 1);
    json_t *items = json_array();
    int64_t n = 0, last = 0, more = 0;
    int step;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        last = lds_stmt_col_i64(st, 0);
        json_t *o = json_pack("{sIssssss}", "id", (json_int_t)last, "scenario",
                              lds_stmt_col_text(st, 1), "created_at", lds_stmt_col_text(st, 2),
                              "status", lds_stmt_col_text(st, 3));
        if (o)
            json_object_set_new(o, "objective", lds_stmt_col_is_null(st, 4)
                                                    ? json_null()
                                                    : json_real(lds_stmt_col_double(st, 4)));
        if (!o || json_array_append_new(items, o)) {
            step = LDS_ENOMEM;
            break;
        }
        n++;
    }
    lds_stmt_reset(st);
    if (step != LDS_STORE_ROW && step != LDS_STORE_DONE) {
        json_decref(items);
        return step == LDS_ENOMEM ? lds_err_set(err, LDS_ENOMEM, "plan: out of memory")
                                  : (lds_code)step;
    }
    char next[24];
    snprintf(next, sizeof next, "%lld", (long long)last);
    json_t *page = json_pack("{soso}", "items", items, "next", more ? json_string(next) : json_null());
    char *text = page ? json_dumps(page, JSON_COMPACT) : NULL;
    json_decref(page);
    if (!text)
        return lds_err_set(err, LDS_ENOMEM, "plan: out of memory");
    lds_buf_adds(out, text);
    free(text);
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "plan: out of memory") : LDS_OK;
}

/* ---- demo seeding ------------------------------------------------------------ */

/*
 * The forecast (synthetic, unit counts per month in 2026, growing ~1 % a
 * month) is sized so that the corridor's magnet demand is of the order of
 * its plants' output: NEV > 60 kt magnets/yr nationally (DOMAIN.md §3)
 * scaled to the corridor's share; humanoids ~3.2 kt magnets by 2030 is far
 * above today's <35 t, so a few hundred robots a month; wind 19.6 kt magnets
 * nationally (0.7 t/MW) scaled down.  Magnet content per product comes from
 * the catalog (DOMAIN.md §2).
 */
static const struct {
    const char *material, *region;
    double per_month;
} demo_forecast[] = {
    {"ev_bev", "baoan", 20000},        {"ev_premium", "de_bw", 4000},
    {"ev_bev", "us_mi", 3000},         {"robot_humanoid", "nanshan", 300},
    {"robot_industrial", "baoan", 1500}, {"drone_quad", "nanshan", 100000},
    {"wind_turbine_dd", "de_bw", 40},  {"hdd_desktop", "nanshan", 200000},
};

lds_code lds_plan_seed_demo(lds_store *s, lds_err *err)
{
    static const char q_has[] = "SELECT COUNT(*) FROM plan_scenarios";
    static const char q_fc[] =
        "INSERT INTO plan_forecast(material_id, region_id, period, quantity_milli, source, synthetic)"
        " VALUES (?, ?, ?, ?, 'synthetic: DOMAIN.md magnet content x scaled sector demand', 1)";
    static const char q_ret[] =
        "INSERT INTO plan_returns(material_id, region_id, period, quantity_milli, source, synthetic)"
        " VALUES ('magnet_scrap', ?, ?, ?, 'synthetic: machining swarf and end-of-life motors', 1)";
    static const char q_orgs[] =
        "SELECT o.id, o.stage_id, SUM(f.capacity_milli) FROM orgs o JOIN facilities f"
        " ON f.org_id = o.id WHERE o.kind = 'enterprise' AND o.stage_id IN ('mining','separation')"
        " GROUP BY o.id, o.stage_id ORDER BY o.id";
    static const char q_quo[] =
        "INSERT INTO plan_quotas(org_id, kind, year, quota_milli, source, synthetic) VALUES"
        " (?, ?, 2026, ?, 'synthetic: DOMAIN.md §3 quota shares (ionic clay ~7.5% of the total)"
        " scaled to the corridor; mining 55%, separation 70% of plant capacity', 1)";
    static const char q_sc[] =
        "INSERT INTO plan_scenarios(name, description, synthetic) VALUES (?, ?, 1)";
    static const char q_sh[] =
        "INSERT INTO plan_shocks(scenario, kind, target, value) VALUES (?, ?, ?, ?)";
    lds_stmt *st;
    lds_code rc;
    int step;
    if ((rc = lds_store_prepare(s, q_has, &st, err)))
        return rc;
    if ((step = lds_stmt_step(st, err)) != LDS_STORE_ROW)
        return (lds_code)step;
    int64_t have = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    if (have > 0)
        return LDS_OK;
    if ((rc = lds_store_begin(s, err)))
        return rc;
    for (size_t i = 0; i < sizeof demo_forecast / sizeof demo_forecast[0]; i++)
        for (int t = 0; t < 12; t++) {
            char per[8];
            lds_plan_period_label("2026-01", t, per, NULL);
            double q = demo_forecast[i].per_month * (1.0 + 0.01 * t);
            if ((rc = lds_store_prepare(s, q_fc, &st, err)))
                goto fail;
            lds_stmt_bind_text(st, 1, demo_forecast[i].material);
            lds_stmt_bind_text(st, 2, demo_forecast[i].region);
            lds_stmt_bind_text(st, 3, per);
            lds_stmt_bind_i64(st, 4, (int64_t)(q + 0.5) * 1000);
            if ((rc = lds_stmt_exec(st, err)))
                goto fail;
        }
    /* Scrap back to the recyclers: ~30 % machining swarf of the Shenzhen
     * magnet users' blocks plus end-of-life motors, 40 t a month at Bao'an
     * (synthetic). */
    for (int t = 0; t < 12; t++) {
        char per[8];
        lds_plan_period_label("2026-01", t, per, NULL);
        if ((rc = lds_store_prepare(s, q_ret, &st, err)))
            goto fail;
        lds_stmt_bind_text(st, 1, "baoan");
        lds_stmt_bind_text(st, 2, per);
        lds_stmt_bind_i64(st, 3, 40000);
        if ((rc = lds_stmt_exec(st, err)))
            goto fail;
    }
    {
        /* Quotas: 55 % of each miner's and 70 % of each separator's plant
         * capacity (t REO/yr), so that the national total-volume control,
         * not the plants, limits the corridor's own ore (synthetic). */
        int64_t ids[64], caps[64];
        char kinds[64][16];
        size_t n = 0;
        if ((rc = lds_store_prepare(s, q_orgs, &st, err)))
            goto fail;
        while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW && n < 64) {
            ids[n] = lds_stmt_col_i64(st, 0);
            snprintf(kinds[n], sizeof kinds[n], "%s", lds_stmt_col_text(st, 1));
            caps[n] = lds_stmt_col_i64(st, 2);
            n++;
        }
        lds_stmt_reset(st);
        if (step != LDS_STORE_DONE && step != LDS_STORE_ROW) {
            rc = (lds_code)step;
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            if ((rc = lds_store_prepare(s, q_quo, &st, err)))
                goto fail;
            lds_stmt_bind_i64(st, 1, ids[i]);
            lds_stmt_bind_text(st, 2, kinds[i]);
            lds_stmt_bind_i64(st, 3,
                              caps[i] / 1000 * (strcmp(kinds[i], "mining") == 0 ? 550 : 700));
            if ((rc = lds_stmt_exec(st, err)))
                goto fail;
        }
    }
    {
        static const struct {
            const char *scenario, *kind, *target;
            double value;
        } shocks[] = {
            {"export-controls-dy-tb-50", "supply_cut", "dy2o3", 0.5},
            {"export-controls-dy-tb-50", "supply_cut", "tb4o7", 0.5},
            {"export-controls-dy-tb-50", "supply_cut", "dyfe_alloy", 0.5},
            {"export-controls-dy-tb-50", "supply_cut", "tb_metal", 0.5},
            {"export-controls-dy-tb-50", "licence_periods", "", 2},
            {"export-controls-dy-tb-50", "demand_change", "robot_humanoid", 0.3},
        };
        static const char *const sc[][2] = {
            {"baseline", "the corridor as seeded: open offers, forecast, quotas, licence 1 period"},
            {"export-controls-dy-tb-50",
             "MOFCOM No. 18 tightening: Dy and Tb supply (oxide, DyFe, Tb metal) -50 %, licence "
             "lead time 45 working days (2 periods), humanoid robot demand +30 %"},
        };
        for (size_t i = 0; i < 2; i++) {
            if ((rc = lds_store_prepare(s, q_sc, &st, err)))
                goto fail;
            lds_stmt_bind_text(st, 1, sc[i][0]);
            lds_stmt_bind_text(st, 2, sc[i][1]);
            if ((rc = lds_stmt_exec(st, err)))
                goto fail;
        }
        for (size_t i = 0; i < sizeof shocks / sizeof shocks[0]; i++) {
            if ((rc = lds_store_prepare(s, q_sh, &st, err)))
                goto fail;
            lds_stmt_bind_text(st, 1, shocks[i].scenario);
            lds_stmt_bind_text(st, 2, shocks[i].kind);
            lds_stmt_bind_text(st, 3, shocks[i].target);
            lds_stmt_bind_double(st, 4, shocks[i].value);
            if ((rc = lds_stmt_exec(st, err)))
                goto fail;
        }
    }
    return lds_store_commit(s, err);
fail:
    lds_store_rollback(s);
    return rc;
}
