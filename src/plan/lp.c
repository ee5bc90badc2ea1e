/*
 * lp.c — the constrained plan: builds a linear programme over facilities,
 * recipes (joint production included), inventories, lanes, offers, returns
 * and quotas, solves it with COIN-OR Clp and reads production, flows,
 * shortages, co-product surplus and ranked bottlenecks (capacity and quota
 * duals) back.  Pure: plain structs in, plain structs out; the only outside
 * call is Clp.  The model is written out in docs/planning.md.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <coin/Clp_C_Interface.h>
#include "lodestone/alloc.h"
#include "plan_int.h"

#define EPS 1e-7
#define INF DBL_MAX

typedef struct fr_pair {
    size_t f, r;
    double cap_use;              /* per run, in the facility's basis */
    double reo;                  /* t REO of all outputs per run (quotas) */
    double swarf;                /* magnet_scrap collected per run */
    int lead;
} fr_pair;

typedef enum col_kind { COL_RUN, COL_BUY, COL_SHIP, COL_INV, COL_SHORT, COL_DISPOSE } col_kind;

typedef struct col_info {
    col_kind kind;
    size_t a, b;                 /* RUN: pair; BUY: offer; SHIP: lane, material; INV/SHORT/
                                    DISPOSE: material, region */
    int t;
    int transit, licensed;
} col_info;

typedef enum row_kind { ROW_BAL, ROW_CAP, ROW_QUOTA, ROW_OFFER } row_kind;

typedef struct row_info {
    row_kind kind;
    size_t a, b;                 /* BAL: material, region; CAP: facility; QUOTA: quota; OFFER */
    int t;
} row_info;

typedef struct model {
    const lds_plan_input *in;
    const lds_catalog *c;
    size_t n_mat, n_reg, n_fac, n_rec;
    int T;
    int licence;
    size_t scrap;                /* magnet_scrap, or LDS_PLAN_NONE */
    lds_err *err;
    /* per material / region */
    size_t *src;
    unsigned char *is_free, *is_coproduct, *controlled;
    size_t *offer_mat, *offer_reg, *dem_mat, *dem_reg, *ret_mat, *ret_reg, *fac_reg;
    unsigned char *present, *needed; /* [m * n_reg + g] */
    int *bal;                    /* row of balance [((m * n_reg) + g) * T + t] or -1 */
    int *cap_row;                /* [f * T + t] or -1 */
    double *fac_mult, *offer_mult, *dem_mult, *stage_mult;
    double *fac_cap;             /* capacity per period after shocks */
    size_t *lane_from, *lane_to;
    int *earliest;               /* per material */
    fr_pair *pairs;
    size_t n_pairs, cap_pairs;
    /* matrix (column-major) */
    CoinBigIndex *start;
    int *index;
    double *value, *collb, *colub, *obj, *rowlb, *rowub;
    size_t n_cols, cap_cols, n_nz, cap_nz;
    col_info *cols;
    row_info *rows;
    size_t n_rows, cap_rows;
    int oom;
} model;

static const char *const shock_names[] = {"facility_offline", "supply_cut", "demand_change",
                                          "licence_periods", "capacity_change"};

int lds_plan_shock_parse(const char *name)
{
    for (int i = 0; name && i < 5; i++)
        if (strcmp(name, shock_names[i]) == 0)
            return i;
    return -1;
}

const char *lds_plan_shock_name(lds_plan_shock_kind k)
{
    return (unsigned)k < 5 ? shock_names[k] : "unknown";
}

const char *lds_plan_limit_name(lds_plan_limit_kind k)
{
    static const char *const n[] = {"capacity", "quota", "supply", "lead_time", "licence", "lane"};
    return (unsigned)k < 6 ? n[k] : "unknown";
}

static size_t region_index(const lds_plan_input *in, const char *id)
{
    for (size_t i = 0; id && i < in->n_regions; i++)
        if (strcmp(in->regions[i].id, id) == 0)
            return i;
    return LDS_PLAN_NONE;
}

static int outside_china(const lds_plan_input *in, size_t g)
{
    return in->regions[g].country && strcmp(in->regions[g].country, "CN") != 0;
}

static size_t stage_slot(const lds_catalog *c, const char *stage)
{
    size_t n = lds_catalog_n_recipes(c);
    for (size_t i = 0; i < n; i++)
        if (strcmp(lds_catalog_recipe_at(c, i)->stage_id, stage) == 0)
            return i; /* index of the first recipe of the stage: a stable slot */
    return LDS_PLAN_NONE;
}

/* ---- matrix building --------------------------------------------------------- */

/* Bounds are set once all rows exist (they depend on demand and shocks). */
static int add_row(model *md, row_kind k, size_t a, size_t b, int t)
{
    if (lds_plan__grow(&md->rows, &md->cap_rows, md->n_rows + 1, sizeof *md->rows)) {
        md->oom = 1;
        return -1;
    }
    md->rows[md->n_rows] = (row_info){k, a, b, t};
    return (int)md->n_rows++;
}

static int add_col(model *md, col_kind k, size_t a, size_t b, int t, double cost, double ub)
{
    if (md->oom)
        return -1;
    size_t cap = md->cap_cols;
    if (lds_plan__grow(&md->cols, &cap, md->n_cols + 1, sizeof *md->cols)) {
        md->oom = 1;
        return -1;
    }
    if (cap != md->cap_cols) {
        void *p;
        if (!(p = lds_realloc(md->start, (cap + 1) * sizeof *md->start)))
            goto oom;
        md->start = p;
        if (!(p = lds_realloc(md->collb, cap * sizeof(double))))
            goto oom;
        md->collb = p;
        if (!(p = lds_realloc(md->colub, cap * sizeof(double))))
            goto oom;
        md->colub = p;
        if (!(p = lds_realloc(md->obj, cap * sizeof(double))))
            goto oom;
        md->obj = p;
        md->cap_cols = cap;
    }
    size_t j = md->n_cols++;
    md->cols[j] = (col_info){k, a, b, t, 0, 0};
    md->start[j] = (CoinBigIndex)md->n_nz;
    md->start[j + 1] = (CoinBigIndex)md->n_nz;
    md->collb[j] = 0;
    md->colub[j] = ub;
    md->obj[j] = cost;
    return (int)j;
oom:
    md->oom = 1;
    return -1;
}

/* Adds coefficient `v` in row `row` to the last column. */
static void add_nz(model *md, int row, double v)
{
    if (row < 0 || md->oom || v == 0)
        return;
    size_t cap = md->cap_nz;
    if (lds_plan__grow(&md->index, &cap, md->n_nz + 1, sizeof *md->index)) {
        md->oom = 1;
        return;
    }
    if (cap != md->cap_nz) {
        double *p = lds_realloc(md->value, cap * sizeof *p);
        if (!p) {
            md->oom = 1;
            return;
        }
        md->value = p;
        md->cap_nz = cap;
    }
    md->index[md->n_nz] = row;
    md->value[md->n_nz] = v;
    md->n_nz++;
    md->start[md->n_cols] = (CoinBigIndex)md->n_nz;
}

static int bal_row(const model *md, size_t m, size_t g, int t)
{
    if (t < 0 || t >= md->T || md->is_free[m])
        return -1;
    return md->bal[((m * md->n_reg) + g) * (size_t)md->T + (size_t)t];
}

/* ---- validation and scenario ------------------------------------------------- */

static lds_code check_demand(model *md, const lds_plan_demand *d, size_t n, const char *what,
                             size_t *mat, size_t *reg)
{
    for (size_t i = 0; i < n; i++) {
        mat[i] = lds_plan__mat(md->c, d[i].material);
        reg[i] = region_index(md->in, d[i].region);
        if (mat[i] == LDS_PLAN_NONE)
            return lds_err_field(md->err, LDS_EINVAL, "material", "%s %zu: unknown material '%s'",
                                 what, i + 1, d[i].material ? d[i].material : "");
        if (reg[i] == LDS_PLAN_NONE)
            return lds_err_field(md->err, LDS_EINVAL, "region", "%s %zu: unknown region '%s'",
                                 what, i + 1, d[i].region ? d[i].region : "");
        if (d[i].period < 0 || d[i].period >= md->T)
            return lds_err_field(md->err, LDS_EINVAL, "period",
                                 "%s %zu (%s): period %d outside the horizon 0..%d", what, i + 1,
                                 d[i].material, d[i].period, md->T - 1);
        if (!isfinite(d[i].qty) || d[i].qty < 0)
            return lds_err_field(md->err, LDS_EINVAL, "quantity",
                                 "%s %zu (%s): quantity must be >= 0", what, i + 1, d[i].material);
    }
    return LDS_OK;
}

static lds_code apply_scenario(model *md, const lds_plan_scenario *sc)
{
    const lds_plan_input *in = md->in;
    for (size_t i = 0; sc && i < sc->n_shocks; i++) {
        const lds_plan_shock *s = &sc->shocks[i];
        const char *tg = s->target ? s->target : "";
        if (!isfinite(s->value))
            return lds_err_set(md->err, LDS_EINVAL, "scenario %s shock %zu: value is not finite",
                               sc->name ? sc->name : "", i + 1);
        switch (s->kind) {
        case LDS_PLAN_SHOCK_FACILITY_OFFLINE: {
            int hit = 0;
            double lost = s->value > 0 && s->value <= 1 ? s->value : 1;
            for (size_t f = 0; f < md->n_fac; f++) {
                const lds_plan_facility *fa = &in->facilities[f];
                int match = (tg[0] == '#' && atoll(tg + 1) == fa->id) ||
                            (fa->name && strcmp(fa->name, tg) == 0);
                if (match) {
                    md->fac_mult[f] *= 1 - lost;
                    hit = 1;
                }
            }
            if (!hit)
                return lds_err_field(md->err, LDS_EINVAL, "target",
                                     "scenario %s shock %zu: unknown facility '%s'",
                                     sc->name ? sc->name : "", i + 1, tg);
            break;
        }
        case LDS_PLAN_SHOCK_SUPPLY_CUT:
        case LDS_PLAN_SHOCK_DEMAND_CHANGE: {
            size_t m = lds_plan__mat(md->c, tg);
            if (m == LDS_PLAN_NONE)
                return lds_err_field(md->err, LDS_EINVAL, "target",
                                     "scenario %s shock %zu: unknown material '%s'",
                                     sc->name ? sc->name : "", i + 1, tg);
            if (s->kind == LDS_PLAN_SHOCK_SUPPLY_CUT) {
                if (s->value < 0 || s->value > 1)
                    return lds_err_field(md->err, LDS_EINVAL, "value",
                                         "scenario %s shock %zu: supply cut %g outside 0..1",
                                         sc->name ? sc->name : "", i + 1, s->value);
                md->offer_mult[m] *= 1 - s->value;
            } else {
                if (s->value < -1)
                    return lds_err_field(md->err, LDS_EINVAL, "value",
                                         "scenario %s shock %zu: demand change %g below -1",
                                         sc->name ? sc->name : "", i + 1, s->value);
                md->dem_mult[m] *= 1 + s->value;
            }
            break;
        }
        case LDS_PLAN_SHOCK_LICENCE_PERIODS:
            if (s->value < 0 || s->value > 24)
                return lds_err_field(md->err, LDS_EINVAL, "value",
                                     "scenario %s shock %zu: licence periods %g outside 0..24",
                                     sc->name ? sc->name : "", i + 1, s->value);
            md->licence = (int)floor(s->value + 0.5);
            break;
        case LDS_PLAN_SHOCK_CAPACITY_CHANGE: {
            size_t slot = stage_slot(md->c, tg);
            if (slot == LDS_PLAN_NONE)
                return lds_err_field(md->err, LDS_EINVAL, "target",
                                     "scenario %s shock %zu: unknown stage '%s'",
                                     sc->name ? sc->name : "", i + 1, tg);
            if (s->value < -1)
                return lds_err_field(md->err, LDS_EINVAL, "value",
                                     "scenario %s shock %zu: capacity change %g below -1",
                                     sc->name ? sc->name : "", i + 1, s->value);
            md->stage_mult[slot] *= 1 + s->value;
            break;
        }
        default:
            return lds_err_set(md->err, LDS_EINVAL, "scenario %s shock %zu: unknown kind %d",
                               sc->name ? sc->name : "", i + 1, (int)s->kind);
        }
    }
    return LDS_OK;
}

/* Which recipes each facility may run (see plan.h lds_plan_facility). */
static lds_code build_pairs(model *md)
{
    const lds_plan_input *in = md->in;
    for (size_t f = 0; f < md->n_fac; f++) {
        const lds_plan_facility *fa = &in->facilities[f];
        for (size_t ri = 0; ri < md->n_rec; ri++) {
            const lds_recipe *r = lds_catalog_recipe_at(md->c, ri);
            if (!fa->stage || strcmp(r->stage_id, fa->stage) != 0)
                continue;
            const char *unit = lds_catalog_material_at(md->c, r->output)->unit;
            if ((fa->basis == LDS_PLAN_CAP_T && strcmp(unit, "t") != 0) ||
                (fa->basis == LDS_PLAN_CAP_UNIT && strcmp(unit, "unit") != 0) ||
                (fa->basis == LDS_PLAN_CAP_MW && strcmp(unit, "MW") != 0))
                continue;
            int names_own = 0, names_other = 0;
            for (int side = 0; side < 2; side++) {
                size_t n = side ? r->n_outputs : r->n_inputs;
                const lds_recipe_line *l = side ? r->outputs : r->inputs;
                for (size_t k = 0; k < n; k++) {
                    if (fa->material && strcmp(l[k].material_id, fa->material) == 0)
                        names_own = 1;
                    for (size_t g = 0; g < md->n_fac; g++) {
                        const lds_plan_facility *o = &in->facilities[g];
                        if (o->stage && o->material && strcmp(o->stage, fa->stage) == 0 &&
                            strcmp(o->material, l[k].material_id) == 0)
                            names_other = 1;
                    }
                }
            }
            if (!names_own && names_other)
                continue;
            double reo = 0;
            for (size_t k = 0; k < r->n_outputs; k++)
                reo += r->outputs[k].qty * lds_plan__reo(md->c, r->outputs[k].material);
            double use = fa->basis == LDS_PLAN_CAP_REO ? reo : r->output_qty;
            if (lds_plan__grow(&md->pairs, &md->cap_pairs, md->n_pairs + 1, sizeof *md->pairs))
                return lds_err_set(md->err, LDS_ENOMEM, "plan: out of memory");
            /* Machining swarf of magnet runs: the mass lost between alloy in
             * and magnet out, a collected share of it, as magnet scrap. */
            double swarf = 0;
            if (md->scrap != LDS_PLAN_NONE && in->swarf_share > 0 &&
                strcmp(r->stage_id, "magnet") == 0 &&
                strcmp(lds_catalog_material_at(md->c, r->output)->unit, "t") == 0) {
                double in_t = 0;
                for (size_t k = 0; k < r->n_inputs; k++)
                    if (strcmp(lds_catalog_material_at(md->c, r->inputs[k].material)->kind,
                               "alloy") == 0)
                        in_t += r->inputs[k].qty;
                if (in_t > r->output_qty)
                    swarf = (in_t - r->output_qty) * in->swarf_share;
            }
            md->pairs[md->n_pairs++] =
                (fr_pair){f, ri, use, reo, swarf, lds_plan_recipe_periods(r)};
        }
    }
    return LDS_OK;
}

/* Earliest period each material can exist anywhere: offers, returns, free
 * inputs, or a recipe's inputs plus its lead time (Bellman-Ford on a DAG). */
static void compute_earliest(model *md)
{
    const int never = 1 << 20;
    for (size_t m = 0; m < md->n_mat; m++)
        md->earliest[m] = md->is_free[m] ? 0 : never;
    for (size_t o = 0; o < md->in->n_offers; o++)
        if (md->in->offers[o].from < md->earliest[md->offer_mat[o]])
            md->earliest[md->offer_mat[o]] = md->in->offers[o].from < 0 ? 0 : md->in->offers[o].from;
    for (size_t i = 0; i < md->in->n_returns; i++)
        if (md->in->returns[i].period < md->earliest[md->ret_mat[i]])
            md->earliest[md->ret_mat[i]] = md->in->returns[i].period;
    for (size_t round = 0; round <= md->n_mat; round++) {
        int changed = 0;
        for (size_t p = 0; p < md->n_pairs; p++) {
            const lds_recipe *r = lds_catalog_recipe_at(md->c, md->pairs[p].r);
            int e = 0;
            for (size_t k = 0; k < r->n_inputs; k++)
                if (md->earliest[r->inputs[k].material] > e)
                    e = md->earliest[r->inputs[k].material];
            if (e >= never)
                continue;
            e += md->pairs[p].lead;
            for (size_t k = 0; k < r->n_outputs; k++)
                if (e < md->earliest[r->outputs[k].material]) {
                    md->earliest[r->outputs[k].material] = e;
                    changed = 1;
                }
        }
        if (!changed)
            break;
    }
}

static int lane_transit(const model *md, size_t l, size_t m, int *licensed)
{
    const lds_plan_lane *ln = &md->in->lanes[l];
    int tr = ln->transit > 0 ? ln->transit : 0;
    *licensed = 0;
    if (md->controlled[m] && !outside_china(md->in, md->lane_from[l]) &&
        outside_china(md->in, md->lane_to[l])) {
        *licensed = 1;
        tr += md->licence;
    }
    return tr;
}

static lds_code build_model(model *md)
{
    const lds_plan_input *in = md->in;
    const size_t NM = md->n_mat, NR = md->n_reg;
    const int T = md->T;
    /* Presence (someone makes, offers or returns it there) and need (someone
     * consumes or demands it there), closed over lanes. */
    for (size_t p = 0; p < md->n_pairs; p++) {
        const lds_recipe *r = lds_catalog_recipe_at(md->c, md->pairs[p].r);
        size_t g = md->fac_reg[md->pairs[p].f];
        for (size_t k = 0; k < r->n_outputs; k++)
            md->present[r->outputs[k].material * NR + g] = 1;
        for (size_t k = 0; k < r->n_inputs; k++)
            md->needed[r->inputs[k].material * NR + g] = 1;
        if (md->pairs[p].swarf > 0)
            md->present[md->scrap * NR + g] = 1;
    }
    for (size_t o = 0; o < in->n_offers; o++)
        md->present[md->offer_mat[o] * NR + md->offer_reg[o]] = 1;
    for (size_t i = 0; i < in->n_returns; i++)
        md->present[md->ret_mat[i] * NR + md->ret_reg[i]] = 1;
    for (size_t i = 0; i < in->n_demand; i++)
        md->needed[md->dem_mat[i] * NR + md->dem_reg[i]] = 1;
    for (size_t round = 0; round < NR; round++) {
        int changed = 0;
        for (size_t l = 0; l < in->n_lanes; l++)
            for (size_t m = 0; m < NM; m++) {
                size_t a = m * NR + md->lane_from[l], b = m * NR + md->lane_to[l];
                if (md->present[a] && !md->present[b])
                    md->present[b] = changed = 1;
                if (md->needed[b] && !md->needed[a])
                    md->needed[a] = changed = 1;
            }
        if (!changed)
            break;
    }
    /* Rows: balances, capacities, quotas, offers. */
    for (size_t m = 0; m < NM; m++)
        for (size_t g = 0; g < NR; g++) {
            int active = !md->is_free[m] && (md->present[m * NR + g] || md->needed[m * NR + g]);
            for (int t = 0; t < T; t++) {
                int r = active ? add_row(md, ROW_BAL, m, g, t) : -1;
                md->bal[((m * NR) + g) * (size_t)T + (size_t)t] = r;
            }
        }
    for (size_t f = 0; f < md->n_fac; f++) {
        int has = 0;
        for (size_t p = 0; p < md->n_pairs; p++)
            has |= md->pairs[p].f == f;
        for (int t = 0; t < T; t++)
            md->cap_row[f * (size_t)T + (size_t)t] =
                has && md->fac_cap[f] > 0 ? add_row(md, ROW_CAP, f, 0, t) : -1;
    }
    size_t quota_row0 = md->n_rows;
    for (size_t q = 0; q < in->n_quotas; q++)
        add_row(md, ROW_QUOTA, q, 0, -1);
    size_t offer_row0 = md->n_rows;
    for (size_t o = 0; o < in->n_offers; o++)
        add_row(md, ROW_OFFER, o, 0, -1);
    if (md->oom)
        return lds_err_set(md->err, LDS_ENOMEM, "plan: out of memory");
    md->rowlb = lds_calloc(md->n_rows + 1, sizeof *md->rowlb);
    md->rowub = lds_calloc(md->n_rows + 1, sizeof *md->rowub);
    md->start = lds_calloc(1, sizeof *md->start);
    if (!md->rowlb || !md->rowub || !md->start)
        return lds_err_set(md->err, LDS_ENOMEM, "plan: out of memory");
    int m0 = lds_plan__month(in->first_period);
    for (size_t i = 0; i < md->n_rows; i++) {
        const row_info *ri = &md->rows[i];
        switch (ri->kind) {
        case ROW_BAL:
            md->rowlb[i] = md->rowub[i] = 0;
            break;
        case ROW_CAP:
            md->rowlb[i] = -INF;
            md->rowub[i] = md->fac_cap[ri->a];
            break;
        case ROW_QUOTA:
            md->rowlb[i] = -INF;
            md->rowub[i] = in->quotas[ri->a].reo_t;
            break;
        case ROW_OFFER:
            md->rowlb[i] = -INF;
            md->rowub[i] = in->offers[ri->a].qty * md->offer_mult[md->offer_mat[ri->a]];
            break;
        }
    }
    /* Demand and returns move the balance right-hand sides. */
    for (size_t i = 0; i < in->n_demand; i++) {
        int r = bal_row(md, md->dem_mat[i], md->dem_reg[i], in->demand[i].period);
        if (r >= 0)
            md->rowlb[r] = md->rowub[r] += in->demand[i].qty * md->dem_mult[md->dem_mat[i]];
    }
    for (size_t i = 0; i < in->n_returns; i++) {
        int r = bal_row(md, md->ret_mat[i], md->ret_reg[i], in->returns[i].period);
        if (r >= 0)
            md->rowlb[r] = md->rowub[r] -= in->returns[i].qty * md->offer_mult[md->ret_mat[i]];
    }
    const double run_cost = in->run_cost > 0 ? in->run_cost : 1;
    const double hold = in->holding_cost > 0 ? in->holding_cost : 1;
    const double penalty = in->shortage_penalty > 0 ? in->shortage_penalty : 1e7;
    /* Columns. */
    for (size_t p = 0; p < md->n_pairs; p++) {
        const fr_pair *pr = &md->pairs[p];
        const lds_recipe *r = lds_catalog_recipe_at(md->c, pr->r);
        const lds_plan_facility *fa = &in->facilities[pr->f];
        size_t g = md->fac_reg[pr->f];
        if (!(md->fac_cap[pr->f] > 0))
            continue;
        /* Ore moved costs run_cost per tonne too, so that in-situ leaching
         * (643 t ore per t carbonate) beats legacy pool leaching (1,500 t)
         * when both fit the same capacity. */
        double ore_t = 0;
        for (size_t k = 0; k < r->n_inputs; k++)
            if (md->is_free[r->inputs[k].material] &&
                lds_plan__reo(md->c, r->inputs[k].material) > 0)
                ore_t += r->inputs[k].qty;
        for (int t = pr->lead; t < T; t++) {
            double cost = run_cost * ((pr->cap_use > 0 ? pr->cap_use : r->output_qty) + ore_t);
            if (add_col(md, COL_RUN, p, 0, t, cost, INF) < 0)
                break;
            for (size_t k = 0; k < r->n_outputs; k++)
                add_nz(md, bal_row(md, r->outputs[k].material, g, t), r->outputs[k].qty);
            if (pr->swarf > 0)
                add_nz(md, bal_row(md, md->scrap, g, t), pr->swarf);
            for (size_t k = 0; k < r->n_inputs; k++)
                add_nz(md, bal_row(md, r->inputs[k].material, g, t - pr->lead), -r->inputs[k].qty);
            add_nz(md, md->cap_row[pr->f * (size_t)T + (size_t)t], pr->cap_use);
            for (size_t q = 0; q < in->n_quotas; q++) {
                const lds_plan_quota *qu = &in->quotas[q];
                if (qu->org_id == fa->org_id && qu->stage && strcmp(qu->stage, fa->stage) == 0 &&
                    (m0 + t) / 12 == qu->year)
                    add_nz(md, (int)(quota_row0 + q), pr->reo);
            }
        }
    }
    for (size_t o = 0; o < in->n_offers; o++) {
        const lds_plan_offer *of = &in->offers[o];
        if (!(of->qty * md->offer_mult[md->offer_mat[o]] > 0))
            continue;
        for (int t = of->from < 0 ? 0 : of->from; t <= of->to && t < T; t++) {
            if (add_col(md, COL_BUY, o, 0, t, of->unit_price, INF) < 0)
                break;
            add_nz(md, bal_row(md, md->offer_mat[o], md->offer_reg[o], t), 1);
            add_nz(md, (int)(offer_row0 + o), 1);
        }
    }
    for (size_t l = 0; l < in->n_lanes; l++) {
        size_t a = md->lane_from[l], b = md->lane_to[l];
        for (size_t m = 0; m < NM; m++) {
            if (md->is_free[m] || !md->present[m * NR + a] || !md->needed[m * NR + b])
                continue;
            int lic;
            int tr = lane_transit(md, l, m, &lic);
            double cost = in->lanes[l].cost_per_t * lds_plan__ship_mass(lds_catalog_material_at(md->c, m));
            for (int t = 0; t + tr < T; t++) {
                int j = add_col(md, COL_SHIP, l, m, t, cost, INF);
                if (j < 0)
                    break;
                md->cols[j].transit = tr;
                md->cols[j].licensed = lic;
                add_nz(md, bal_row(md, m, a, t), -1);
                add_nz(md, bal_row(md, m, b, t + tr), 1);
            }
        }
    }
    for (size_t m = 0; m < NM; m++)
        for (size_t g = 0; g < NR; g++) {
            if (bal_row(md, m, g, 0) < 0)
                continue;
            double h = hold * lds_plan__ship_mass(lds_catalog_material_at(md->c, m));
            for (int t = 0; t < T; t++) {
                if (add_col(md, COL_INV, m, g, t, h, INF) < 0)
                    break;
                add_nz(md, bal_row(md, m, g, t), -1);
                add_nz(md, bal_row(md, m, g, t + 1), 1);
            }
            if (md->is_coproduct[m])
                for (int t = 0; t < T; t++) {
                    if (add_col(md, COL_DISPOSE, m, g, t, 0, INF) < 0)
                        break;
                    add_nz(md, bal_row(md, m, g, t), -1);
                }
        }
    /* Shortage slack, one per balance row that carries demand. */
    for (size_t m = 0; m < NM; m++)
        for (size_t g = 0; g < NR; g++)
            for (int t = 0; t < T; t++) {
                int r = bal_row(md, m, g, t);
                if (r < 0 || !(md->rowlb[r] > 0))
                    continue;
                if (add_col(md, COL_SHORT, m, g, t, penalty, md->rowlb[r]) < 0)
                    break;
                add_nz(md, r, 1);
            }
    if (md->oom)
        return lds_err_set(md->err, LDS_ENOMEM, "plan: out of memory");
    return LDS_OK;
}

/* ---- results ------------------------------------------------------------------ */

void lds_plan_result_free(lds_plan_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_shortages; i++)
        lds_free(r->shortages[i].reasons);
    lds_free(r->prod);
    lds_free(r->flows);
    lds_free(r->buys);
    lds_free(r->shortages);
    lds_free(r->surplus);
    lds_free(r->bottlenecks);
    lds_free(r);
}

static int cmp_limit(const void *a, const void *b)
{
    const lds_plan_limit *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    return x->period < y->period ? -1 : x->period > y->period;
}

static void limit_text(const model *md, lds_plan_limit *l)
{
    const lds_plan_input *in = md->in;
    char per[8] = "";
    if (l->period >= 0)
        lds_plan_period_label(in->first_period, l->period, per, NULL);
    switch (l->kind) {
    case LDS_PLAN_LIMIT_CAPACITY:
        snprintf(l->what, sizeof l->what, "capacity of %s (%s) in %s", in->facilities[l->index].name,
                 in->facilities[l->index].region, per);
        break;
    case LDS_PLAN_LIMIT_QUOTA:
        snprintf(l->what, sizeof l->what, "%s quota %d of %s", in->quotas[l->index].stage,
                 in->quotas[l->index].year,
                 in->quotas[l->index].org ? in->quotas[l->index].org : "enterprise");
        break;
    case LDS_PLAN_LIMIT_SUPPLY:
        snprintf(l->what, sizeof l->what, "offer #%lld of %s in %s fully taken",
                 (long long)in->offers[l->index].id, in->offers[l->index].material,
                 in->offers[l->index].region);
        break;
    case LDS_PLAN_LIMIT_LEAD_TIME:
        snprintf(l->what, sizeof l->what, "lead time: %s cannot be made from the chain before %s",
                 lds_catalog_material_at(md->c, l->index)->id, per);
        break;
    case LDS_PLAN_LIMIT_LICENCE:
        snprintf(l->what, sizeof l->what,
                 "export licence: controlled %s leaving China takes %d more period(s)",
                 lds_catalog_material_at(md->c, l->index)->id, md->licence);
        break;
    case LDS_PLAN_LIMIT_LANE:
        snprintf(l->what, sizeof l->what, "no lane brings %s to %s",
                 lds_catalog_material_at(md->c, l->index)->id, in->regions[(size_t)l->period].id);
        l->period = -1;
        break;
    }
}

static int push_limit(lds_plan_limit **v, size_t *n, size_t *cap, lds_plan_limit l)
{
    if (lds_plan__grow(v, cap, *n + 1, sizeof **v))
        return -1;
    (*v)[(*n)++] = l;
    return 0;
}

/* Why short: the binding constraints upstream of (m, g, t). */
static int explain(const model *md, const double *price, const double *act, unsigned char *up,
                   lds_plan_shortage *s)
{
    const lds_plan_input *in = md->in;
    size_t NM = md->n_mat, n = 0, cap = 0;
    lds_plan_limit *v = NULL;
    memset(up, 0, NM);
    up[s->material] = 1;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t p = 0; p < md->n_pairs; p++) {
            const lds_recipe *r = lds_catalog_recipe_at(md->c, md->pairs[p].r);
            int makes = 0;
            for (size_t k = 0; k < r->n_outputs; k++)
                makes |= up[r->outputs[k].material] && r->outputs[k].material == r->output;
            if (!makes)
                continue;
            for (size_t k = 0; k < r->n_inputs; k++)
                if (!up[r->inputs[k].material] && !md->is_free[r->inputs[k].material])
                    up[r->inputs[k].material] = changed = 1;
        }
    }
    /* Capacity: each facility making an upstream material once, at its most
     * valuable period up to the shortage. */
    for (size_t f = 0; f < md->n_fac; f++) {
        int relevant = 0;
        for (size_t p = 0; p < md->n_pairs && !relevant; p++)
            if (md->pairs[p].f == f)
                relevant = up[lds_catalog_recipe_at(md->c, md->pairs[p].r)->output];
        if (!relevant)
            continue;
        lds_plan_limit best = {LDS_PLAN_LIMIT_CAPACITY, f, -1, 0, 0, 0, ""};
        for (int t = 0; t <= s->period; t++) {
            int r = md->cap_row[f * (size_t)md->T + (size_t)t];
            if (r >= 0 && -price[r] > best.value + EPS) {
                best.value = -price[r];
                best.period = t;
                best.used = act[r];
                best.bound = md->rowub[r];
            }
        }
        if (best.period >= 0 && push_limit(&v, &n, &cap, best))
            goto oom;
    }
    for (size_t q = 0; q < in->n_quotas; q++) {
        int r = -1;
        for (size_t i = 0; i < md->n_rows; i++)
            if (md->rows[i].kind == ROW_QUOTA && md->rows[i].a == q) {
                r = (int)i;
                break;
            }
        if (r < 0 || !(-price[r] > EPS))
            continue;
        int relevant = 0;
        for (size_t p = 0; p < md->n_pairs; p++)
            if (in->facilities[md->pairs[p].f].org_id == in->quotas[q].org_id &&
                up[lds_catalog_recipe_at(md->c, md->pairs[p].r)->output])
                relevant = 1;
        if (relevant && push_limit(&v, &n, &cap,
                                   (lds_plan_limit){LDS_PLAN_LIMIT_QUOTA, q, -1, -price[r], act[r],
                                                    md->rowub[r], ""}))
            goto oom;
    }
    for (size_t i = 0; i < md->n_rows; i++) {
        const row_info *ri = &md->rows[i];
        if (ri->kind != ROW_OFFER || !up[md->offer_mat[ri->a]] || !(-price[i] > EPS) ||
            in->offers[ri->a].from > s->period)
            continue;
        if (push_limit(&v, &n, &cap,
                       (lds_plan_limit){LDS_PLAN_LIMIT_SUPPLY, ri->a, -1, -price[i], act[i],
                                        md->rowub[i], ""}))
            goto oom;
    }
    if (md->earliest[s->material] > s->period &&
        push_limit(&v, &n, &cap,
                   (lds_plan_limit){LDS_PLAN_LIMIT_LEAD_TIME, s->material,
                                    md->earliest[s->material] < md->T ? md->earliest[s->material]
                                                                      : -1,
                                    0, 0, 0, ""}))
        goto oom;
    if (outside_china(in, s->region) && md->licence > 0) {
        /* name the controlled material that has to arrive there (consumed or
         * wanted in the region), else the first controlled one upstream */
        size_t pick = LDS_PLAN_NONE;
        for (size_t m = 0; m < NM && pick == LDS_PLAN_NONE; m++)
            if (up[m] && md->controlled[m] && md->needed[m * md->n_reg + s->region])
                pick = m;
        for (size_t m = 0; m < NM && pick == LDS_PLAN_NONE; m++)
            if (up[m] && md->controlled[m])
                pick = m;
        if (pick != LDS_PLAN_NONE &&
            push_limit(&v, &n, &cap, (lds_plan_limit){LDS_PLAN_LIMIT_LICENCE, pick, -1, 0, 0, 0, ""}))
            goto oom;
    }
    if (!md->present[s->material * md->n_reg + s->region] &&
        push_limit(&v, &n, &cap,
                   (lds_plan_limit){LDS_PLAN_LIMIT_LANE, s->material, (int)s->region, 0, 0, 0, ""}))
        goto oom;
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_limit);
    if (n > 8)
        n = 8;
    for (size_t i = 0; i < n; i++)
        limit_text(md, &v[i]);
    s->reasons = v;
    s->n_reasons = n;
    return 0;
oom:
    lds_free(v);
    return -1;
}

static lds_code read_results(model *md, Clp_Simplex *clp, lds_plan_result *res)
{
    const lds_plan_input *in = md->in;
    const double *x = Clp_getColSolution(clp);
    const double *price = Clp_getRowPrice(clp);
    const double *act = Clp_getRowActivity(clp);
    size_t c_prod = 0, c_flow = 0, c_buy = 0, c_short = 0, c_sur = 0, c_bot = 0;
    double sep_total = 0;
    unsigned char *up = lds_calloc(md->n_mat + 1, 1);
    double *sur = lds_calloc(md->n_mat * (size_t)md->T + 1, sizeof *sur);
    if (!up || !sur)
        goto oom;
    res->objective = Clp_getObjValue(clp);
    for (size_t j = 0; j < md->n_cols; j++) {
        const col_info *ci = &md->cols[j];
        double v = x[j];
        if (ci->kind == COL_BUY || ci->kind == COL_SHIP)
            res->cost += v * md->obj[j];
        if (!(v > EPS))
            continue;
        switch (ci->kind) {
        case COL_RUN: {
            const fr_pair *p = &md->pairs[ci->a];
            if (lds_plan__grow(&res->prod, &c_prod, res->n_prod + 1, sizeof *res->prod))
                goto oom;
            const lds_recipe *rr = lds_catalog_recipe_at(md->c, p->r);
            res->prod[res->n_prod++] =
                (lds_plan_prod){p->f, p->r, ci->t, v, v * rr->output_qty, v * p->cap_use};
            if (strcmp(rr->stage_id, "separation") == 0 && rr->n_outputs > 1) {
                double ox = 0;
                for (size_t k = 0; k < rr->n_outputs; k++)
                    ox += v * rr->outputs[k].qty;
                sep_total += ox;
                if (lds_plan__uses_recycled(md->c, rr))
                    res->recycled_oxide_t += ox;
            }
            for (size_t k = 0; md->scrap != LDS_PLAN_NONE && k < rr->n_inputs; k++)
                if (rr->inputs[k].material == md->scrap)
                    res->scrap_recycled_t += v * rr->inputs[k].qty;
            break;
        }
        case COL_BUY:
            if (lds_plan__grow(&res->buys, &c_buy, res->n_buys + 1, sizeof *res->buys))
                goto oom;
            res->buys[res->n_buys++] = (lds_plan_buy){ci->a, ci->t, v};
            break;
        case COL_SHIP:
            if (lds_plan__grow(&res->flows, &c_flow, res->n_flows + 1, sizeof *res->flows))
                goto oom;
            res->flows[res->n_flows++] =
                (lds_plan_flow){ci->b, ci->a, ci->t, ci->transit, ci->licensed, v};
            break;
        case COL_DISPOSE:
            sur[ci->a * (size_t)md->T + (size_t)ci->t] += v;
            break;
        case COL_SHORT: {
            if (!(v > 1e-6))
                break;
            if (lds_plan__grow(&res->shortages, &c_short, res->n_shortages + 1,
                               sizeof *res->shortages))
                goto oom;
            int r = bal_row(md, ci->a, ci->b, ci->t);
            lds_plan_shortage *s = &res->shortages[res->n_shortages++];
            *s = (lds_plan_shortage){ci->a, ci->b, ci->t, md->colub[j], v, price[r], 0, NULL};
            res->short_total += v;
            if (explain(md, price, act, up, s))
                goto oom;
            break;
        }
        case COL_INV:
            break;
        }
    }
    for (size_t m = 0; m < md->n_mat; m++)
        for (int t = 0; t < md->T; t++)
            if (sur[m * (size_t)md->T + (size_t)t] > 1e-6) {
                if (lds_plan__grow(&res->surplus, &c_sur, res->n_surplus + 1, sizeof *res->surplus))
                    goto oom;
                res->surplus[res->n_surplus++] =
                    (lds_plan_surplus){m, t, sur[m * (size_t)md->T + (size_t)t]};
            }
    for (size_t i = 0; i < md->n_rows; i++) {
        const row_info *ri = &md->rows[i];
        if ((ri->kind != ROW_CAP && ri->kind != ROW_QUOTA) || !(-price[i] > EPS))
            continue;
        lds_plan_limit l = {ri->kind == ROW_CAP ? LDS_PLAN_LIMIT_CAPACITY : LDS_PLAN_LIMIT_QUOTA,
                            ri->a, ri->kind == ROW_CAP ? ri->t : -1, -price[i], act[i],
                            md->rowub[i], ""};
        limit_text(md, &l);
        if (push_limit(&res->bottlenecks, &res->n_bottlenecks, &c_bot, l))
            goto oom;
    }
    if (res->n_bottlenecks > 1)
        qsort(res->bottlenecks, res->n_bottlenecks, sizeof *res->bottlenecks, cmp_limit);
    for (size_t i = 0; i < in->n_demand; i++)
        res->demand_total += in->demand[i].qty * md->dem_mult[md->dem_mat[i]];
    res->fill_rate = res->demand_total > 0 ? 1 - res->short_total / res->demand_total : 1;
    res->recycled_share = sep_total > 0 ? res->recycled_oxide_t / sep_total : 0;
    lds_free(up);
    lds_free(sur);
    return LDS_OK;
oom:
    lds_free(up);
    lds_free(sur);
    return lds_err_set(md->err, LDS_ENOMEM, "plan: out of memory");
}

static void model_release(model *md)
{
    lds_free(md->src);
    lds_free(md->is_free);
    lds_free(md->is_coproduct);
    lds_free(md->controlled);
    lds_free(md->offer_mat);
    lds_free(md->offer_reg);
    lds_free(md->dem_mat);
    lds_free(md->dem_reg);
    lds_free(md->ret_mat);
    lds_free(md->ret_reg);
    lds_free(md->fac_reg);
    lds_free(md->present);
    lds_free(md->needed);
    lds_free(md->bal);
    lds_free(md->cap_row);
    lds_free(md->fac_mult);
    lds_free(md->offer_mult);
    lds_free(md->dem_mult);
    lds_free(md->stage_mult);
    lds_free(md->fac_cap);
    lds_free(md->lane_from);
    lds_free(md->lane_to);
    lds_free(md->earliest);
    lds_free(md->pairs);
    lds_free(md->start);
    lds_free(md->index);
    lds_free(md->value);
    lds_free(md->collb);
    lds_free(md->colub);
    lds_free(md->obj);
    lds_free(md->rowlb);
    lds_free(md->rowub);
    lds_free(md->cols);
    lds_free(md->rows);
}

#define ALLOC(p, n) ((p) = lds_calloc((n) + 1, sizeof *(p)))

lds_code lds_plan_solve(const lds_plan_input *in, const lds_plan_scenario *scenario,
                        lds_plan_result **out, lds_err *err)
{
    *out = NULL;
    if (!in || !in->catalog)
        return lds_err_set(err, LDS_EINVAL, "plan: no input or no catalog");
    if (lds_plan__month(in->first_period) < 0)
        return lds_err_field(err, LDS_EINVAL, "first_period", "plan: first period '%s' is not YYYY-MM",
                             in->first_period);
    if (in->n_periods < 1 || in->n_periods > LDS_PLAN_MAX_PERIODS)
        return lds_err_field(err, LDS_EINVAL, "n_periods", "plan: %d periods (expected 1..%d)",
                             in->n_periods, LDS_PLAN_MAX_PERIODS);
    if (in->n_regions == 0)
        return lds_err_set(err, LDS_EINVAL, "plan: no regions");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    model md;
    memset(&md, 0, sizeof md);
    md.in = in;
    md.c = in->catalog;
    md.err = err;
    md.T = in->n_periods;
    md.licence = in->licence_periods;
    md.n_mat = lds_catalog_n_materials(md.c);
    md.n_rec = lds_catalog_n_recipes(md.c);
    md.n_reg = in->n_regions;
    md.n_fac = in->n_facilities;
    lds_code rc = LDS_OK;
    lds_plan_result *res = NULL;
    Clp_Simplex *clp = NULL;
    size_t NM = md.n_mat, NR = md.n_reg;
    if (!ALLOC(md.src, NM) || !ALLOC(md.is_free, NM) || !ALLOC(md.is_coproduct, NM) ||
        !ALLOC(md.controlled, NM) || !ALLOC(md.offer_mat, in->n_offers) ||
        !ALLOC(md.offer_reg, in->n_offers) || !ALLOC(md.dem_mat, in->n_demand) ||
        !ALLOC(md.dem_reg, in->n_demand) || !ALLOC(md.ret_mat, in->n_returns) ||
        !ALLOC(md.ret_reg, in->n_returns) || !ALLOC(md.fac_reg, md.n_fac) ||
        !ALLOC(md.present, NM * NR) || !ALLOC(md.needed, NM * NR) ||
        !ALLOC(md.bal, NM * NR * (size_t)md.T) || !ALLOC(md.cap_row, md.n_fac * (size_t)md.T) ||
        !ALLOC(md.fac_mult, md.n_fac) || !ALLOC(md.offer_mult, NM) || !ALLOC(md.dem_mult, NM) ||
        !ALLOC(md.stage_mult, md.n_rec) || !ALLOC(md.fac_cap, md.n_fac) ||
        !ALLOC(md.lane_from, in->n_lanes) || !ALLOC(md.lane_to, in->n_lanes) ||
        !ALLOC(md.earliest, NM)) {
        rc = lds_err_set(err, LDS_ENOMEM, "plan: out of memory");
        goto done;
    }
    for (size_t m = 0; m < NM; m++)
        md.offer_mult[m] = md.dem_mult[m] = 1;
    for (size_t f = 0; f < md.n_fac; f++)
        md.fac_mult[f] = 1;
    for (size_t i = 0; i < md.n_rec; i++)
        md.stage_mult[i] = 1;
    /* Validate records. */
    for (size_t i = 0; i < NR; i++)
        if (!in->regions[i].id) {
            rc = lds_err_set(err, LDS_EINVAL, "plan: region %zu has no id", i + 1);
            goto done;
        }
    for (size_t l = 0; l < in->n_lanes; l++) {
        const lds_plan_lane *ln = &in->lanes[l];
        md.lane_from[l] = region_index(in, ln->from);
        md.lane_to[l] = region_index(in, ln->to);
        if (md.lane_from[l] == LDS_PLAN_NONE || md.lane_to[l] == LDS_PLAN_NONE) {
            rc = lds_err_field(err, LDS_EINVAL, "region", "lane %zu: unknown region '%s'", l + 1,
                               md.lane_from[l] == LDS_PLAN_NONE ? (ln->from ? ln->from : "")
                                                                : (ln->to ? ln->to : ""));
            goto done;
        }
        if (!isfinite(ln->cost_per_t) || ln->cost_per_t < 0 || ln->transit < 0) {
            rc = lds_err_field(err, LDS_EINVAL, "cost_per_t",
                               "lane %zu (%s -> %s): cost and transit must be >= 0", l + 1,
                               ln->from, ln->to);
            goto done;
        }
    }
    for (size_t f = 0; f < md.n_fac; f++) {
        const lds_plan_facility *fa = &in->facilities[f];
        md.fac_reg[f] = region_index(in, fa->region);
        if (md.fac_reg[f] == LDS_PLAN_NONE) {
            rc = lds_err_field(err, LDS_EINVAL, "region", "facility %s: unknown region '%s'",
                               fa->name ? fa->name : "?", fa->region ? fa->region : "");
            goto done;
        }
        if (!isfinite(fa->capacity) || fa->capacity < 0) {
            rc = lds_err_field(err, LDS_EINVAL, "capacity", "facility %s: capacity must be >= 0",
                               fa->name ? fa->name : "?");
            goto done;
        }
        if (!fa->stage || stage_slot(md.c, fa->stage) == LDS_PLAN_NONE) {
            rc = lds_err_field(err, LDS_EINVAL, "stage", "facility %s: no recipes for stage '%s'",
                               fa->name ? fa->name : "?", fa->stage ? fa->stage : "");
            goto done;
        }
    }
    for (size_t o = 0; o < in->n_offers; o++) {
        const lds_plan_offer *of = &in->offers[o];
        md.offer_mat[o] = lds_plan__mat(md.c, of->material);
        md.offer_reg[o] = region_index(in, of->region);
        if (md.offer_mat[o] == LDS_PLAN_NONE || md.offer_reg[o] == LDS_PLAN_NONE) {
            rc = lds_err_field(err, LDS_EINVAL, md.offer_mat[o] == LDS_PLAN_NONE ? "material" : "region",
                               "offer #%lld: unknown %s '%s'", (long long)of->id,
                               md.offer_mat[o] == LDS_PLAN_NONE ? "material" : "region",
                               md.offer_mat[o] == LDS_PLAN_NONE ? (of->material ? of->material : "")
                                                                : (of->region ? of->region : ""));
            goto done;
        }
        if (!isfinite(of->qty) || of->qty < 0 || !isfinite(of->unit_price) || of->unit_price < 0 ||
            of->to < of->from) {
            rc = lds_err_field(err, LDS_EINVAL, "quantity",
                               "offer #%lld: quantity and price must be >= 0 and from <= to",
                               (long long)of->id);
            goto done;
        }
    }
    for (size_t q = 0; q < in->n_quotas; q++) {
        const lds_plan_quota *qu = &in->quotas[q];
        if (!qu->stage || (strcmp(qu->stage, "mining") != 0 && strcmp(qu->stage, "separation") != 0) ||
            !isfinite(qu->reo_t) || qu->reo_t < 0) {
            rc = lds_err_field(err, LDS_EINVAL, "quota",
                               "quota %zu: stage must be mining or separation and t REO >= 0", q + 1);
            goto done;
        }
    }
    if ((rc = check_demand(&md, in->demand, in->n_demand, "forecast line", md.dem_mat, md.dem_reg)) ||
        (rc = check_demand(&md, in->returns, in->n_returns, "return", md.ret_mat, md.ret_reg)))
        goto done;
    if ((rc = apply_scenario(&md, scenario)))
        goto done;
    if (md.licence < 0) {
        rc = lds_err_field(err, LDS_EINVAL, "licence_periods", "plan: licence periods must be >= 0");
        goto done;
    }
    /* Material classes. */
    lds_plan__sources(md.c, md.src);
    for (size_t m = 0; m < NM; m++) {
        const lds_material *mat = lds_catalog_material_at(md.c, m);
        md.controlled[m] = mat->export_controlled != 0;
        int made = 0;
        for (size_t ri = 0; ri < md.n_rec; ri++)
            if (lds_plan__out_qty(lds_catalog_recipe_at(md.c, ri), m) > 0)
                made = 1;
        md.is_free[m] = !made;
    }
    /* Joint recipes: every non-primary output may be disposed of (surplus). */
    for (size_t ri = 0; ri < md.n_rec; ri++) {
        const lds_recipe *r = lds_catalog_recipe_at(md.c, ri);
        for (size_t k = 0; k < r->n_outputs; k++)
            if (r->outputs[k].material != r->output)
                md.is_coproduct[r->outputs[k].material] = 1;
    }
    for (size_t o = 0; o < in->n_offers; o++)
        md.is_free[md.offer_mat[o]] = 0;
    for (size_t i = 0; i < in->n_returns; i++)
        md.is_free[md.ret_mat[i]] = 0;
    for (size_t i = 0; i < in->n_demand; i++)
        md.is_free[md.dem_mat[i]] = 0;
    md.scrap = lds_plan__mat(md.c, "magnet_scrap");
    if (!isfinite(in->swarf_share) || in->swarf_share < 0 || in->swarf_share > 1) {
        rc = lds_err_field(err, LDS_EINVAL, "swarf_share", "plan: swarf share %g outside 0..1",
                           in->swarf_share);
        goto done;
    }
    if (md.scrap != LDS_PLAN_NONE && in->swarf_share > 0)
        md.is_free[md.scrap] = 0;
    for (size_t f = 0; f < md.n_fac; f++) {
        size_t slot = stage_slot(md.c, in->facilities[f].stage);
        md.fac_cap[f] = in->facilities[f].capacity * md.fac_mult[f] * md.stage_mult[slot];
        if (md.fac_cap[f] < 0)
            md.fac_cap[f] = 0;
    }
    if ((rc = build_pairs(&md)))
        goto done;
    compute_earliest(&md);
    if ((rc = build_model(&md)))
        goto done;
    clp = Clp_newModel();
    if (!clp) {
        rc = lds_err_set(err, LDS_ENOMEM, "plan: cannot create the Clp model");
        goto done;
    }
    Clp_setLogLevel(clp, 0);
    Clp_loadProblem(clp, (int)md.n_cols, (int)md.n_rows, md.start, md.index, md.value, md.collb,
                    md.colub, md.obj, md.rowlb, md.rowub);
    Clp_setObjSense(clp, 1);
    Clp_initialSolve(clp);
    int status = Clp_status(clp);
    if (status == 1) {
        rc = lds_err_set(err, LDS_EINFEASIBLE, "plan: the LP is infeasible (%zu rows, %zu columns)",
                         md.n_rows, md.n_cols);
        goto done;
    }
    if (status != 0) {
        rc = lds_err_set(err, status == 2 ? LDS_EUNBOUNDED : LDS_EIO,
                         "plan: Clp stopped with status %d", status);
        goto done;
    }
    if (!(res = lds_calloc(1, sizeof *res))) {
        rc = lds_err_set(err, LDS_ENOMEM, "plan: out of memory");
        goto done;
    }
    res->status = status;
    res->n_rows = (int)md.n_rows;
    res->n_cols = (int)md.n_cols;
    if ((rc = read_results(&md, clp, res)))
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->solve_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    *out = res;
    res = NULL;
done:
    if (clp)
        Clp_deleteModel(clp);
    lds_plan_result_free(res);
    model_release(&md);
    return rc;
}
