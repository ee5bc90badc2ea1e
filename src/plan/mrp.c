/*
 * mrp.c — MRP explosion: a forecast of end products becomes gross
 * requirements of every material, period by period, through each material's
 * sourcing recipe.  Materials are processed by low-level code so that a joint
 * recipe (separation) runs once for all its sourced outputs, as often as the
 * most demanding one needs; its other outputs are released as co-products.
 */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "plan_int.h"

/* ---- shared helpers -------------------------------------------------------- */

size_t lds_plan__mat(const lds_catalog *c, const char *id)
{
    if (!id)
        return LDS_PLAN_NONE;
    size_t n = lds_catalog_n_materials(c);
    for (size_t i = 0; i < n; i++)
        if (strcmp(lds_catalog_material_at(c, i)->id, id) == 0)
            return i;
    return LDS_PLAN_NONE;
}

double lds_plan__reo(const lds_catalog *c, size_t m)
{
    const lds_material *mat = lds_catalog_material_at(c, m);
    double s = 0;
    for (int e = 0; e < LDS_RE_N; e++)
        s += mat->oxide_t[e];
    return s;
}

double lds_plan__ship_mass(const lds_material *m)
{
    if (m->unit_mass_kg > 0)
        return m->unit_mass_kg / 1000.0;
    if (strcmp(m->unit, "MW") == 0)
        return 10.0;
    return 0.01;
}

double lds_plan__out_qty(const lds_recipe *r, size_t m)
{
    for (size_t i = 0; i < r->n_outputs; i++)
        if (r->outputs[i].material == m)
            return r->outputs[i].qty;
    return 0;
}

int lds_plan__uses_recycled(const lds_catalog *c, const lds_recipe *r)
{
    for (size_t i = 0; i < r->n_inputs; i++)
        if (strcmp(lds_catalog_material_at(c, r->inputs[i].material)->stage_id, "recycling") == 0)
            return 1;
    return 0;
}

void lds_plan__sources(const lds_catalog *c, size_t *src)
{
    size_t n_mat = lds_catalog_n_materials(c), n_rec = lds_catalog_n_recipes(c);
    for (size_t m = 0; m < n_mat; m++) {
        size_t best = LDS_PLAN_NONE;
        int best_rank = -1;
        double best_qty = 0;
        for (size_t i = 0; i < n_rec; i++) {
            const lds_recipe *r = lds_catalog_recipe_at(c, i);
            double q = lds_plan__out_qty(r, m);
            if (q <= 0)
                continue;
            /* Rank: primary output from primary material 3, co-product from
             * primary material 2, primary from recycled 1, co-product from
             * recycled 0.  Ties: larger output, then catalog order. */
            int rank = (r->output == m ? 1 : 0) + (lds_plan__uses_recycled(c, r) ? 0 : 2);
            if (rank > best_rank || (rank == best_rank && q > best_qty)) {
                best = i;
                best_rank = rank;
                best_qty = q;
            }
        }
        src[m] = best;
    }
}

int lds_plan__month(const char *label)
{
    if (!label || strlen(label) != 7 || label[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (label[i] < '0' || label[i] > '9'))
            return -1;
    int y = (label[0] - '0') * 1000 + (label[1] - '0') * 100 + (label[2] - '0') * 10 +
            (label[3] - '0');
    int mo = (label[5] - '0') * 10 + (label[6] - '0');
    if (mo < 1 || mo > 12 || y < 1900)
        return -1;
    return y * 12 + mo - 1;
}

int lds_plan__grow(void *p, size_t *cap, size_t need, size_t size)
{
    void **pp = p;
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = lds_realloc(*pp, n * size);
    if (!q)
        return -1;
    *pp = q;
    *cap = n;
    return 0;
}

int lds_plan_recipe_periods(const lds_recipe *r)
{
    if (!r || !(r->lead_time_days > 0))
        return 0;
    return (int)floor(r->lead_time_days / LDS_PLAN_DAYS_PER_PERIOD + 0.5);
}

lds_code lds_plan_period_label(const char *first, int idx, char out[8], lds_err *err)
{
    int m0 = lds_plan__month(first);
    if (m0 < 0)
        return lds_err_set(err, LDS_EINVAL, "period '%s': expected YYYY-MM", first ? first : "");
    int m = m0 + idx;
    if (m < 1900 * 12 || m > 9999 * 12 + 11)
        return lds_err_set(err, LDS_EINVAL, "period %d from %s is out of range", idx, first);
    snprintf(out, 8, "%04d-%02d", m / 12, m % 12 + 1);
    return LDS_OK;
}

lds_code lds_plan_period_index(const char *first, const char *label, int *idx, lds_err *err)
{
    int a = lds_plan__month(first), b = lds_plan__month(label);
    if (a < 0)
        return lds_err_set(err, LDS_EINVAL, "period '%s': expected YYYY-MM", first ? first : "");
    if (b < 0)
        return lds_err_set(err, LDS_EINVAL, "period '%s': expected YYYY-MM", label ? label : "");
    *idx = b - a;
    return LDS_OK;
}

/* ---- explosion ------------------------------------------------------------- */

void lds_plan_mrp_free(lds_plan_mrp *m)
{
    if (!m)
        return;
    lds_free(m->needs);
    lds_free(m);
}

double lds_plan_mrp_qty(const lds_plan_mrp *m, const lds_catalog *c, const char *material,
                        int period)
{
    size_t id = lds_plan__mat(c, material);
    double s = 0;
    for (size_t i = 0; m && id != LDS_PLAN_NONE && i < m->n; i++)
        if (m->needs[i].material == id && m->needs[i].period == period)
            s += m->needs[i].qty;
    return s;
}

typedef struct rec_order {
    size_t recipe;
    int level;
} rec_order;

static int cmp_rec_order(const void *a, const void *b)
{
    const rec_order *x = a, *y = b;
    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    return x->recipe < y->recipe ? -1 : x->recipe > y->recipe;
}

lds_code lds_plan_explode(const lds_catalog *c, const lds_plan_demand *demand, size_t n_demand,
                          int n_periods, lds_plan_mrp **out, lds_err *err)
{
    *out = NULL;
    if (!c)
        return lds_err_set(err, LDS_EINVAL, "explosion: no catalog");
    if (n_periods < 1 || n_periods > LDS_PLAN_MAX_PERIODS)
        return lds_err_set(err, LDS_EINVAL, "explosion: %d periods (expected 1..%d)", n_periods,
                           LDS_PLAN_MAX_PERIODS);
    size_t n_mat = lds_catalog_n_materials(c), n_rec = lds_catalog_n_recipes(c);
    const int back = LDS_PLAN_MAX_BACK, span = n_periods + LDS_PLAN_MAX_BACK;
    lds_code rc = LDS_OK;
    size_t *src = lds_calloc(n_mat ? n_mat : 1, sizeof *src);
    int *level = lds_calloc(n_mat ? n_mat : 1, sizeof *level);
    int *rlevel = lds_calloc(n_rec ? n_rec : 1, sizeof *rlevel);
    double *req = lds_calloc(n_mat * (size_t)span + 1, sizeof *req);
    double *cop = lds_calloc(n_mat * (size_t)span + 1, sizeof *cop);
    rec_order *order = lds_calloc(n_rec ? n_rec : 1, sizeof *order);
    lds_plan_mrp *res = lds_calloc(1, sizeof *res);
    if (!src || !level || !rlevel || !req || !cop || !order || !res) {
        rc = lds_err_set(err, LDS_ENOMEM, "explosion: out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_demand; i++) {
        const lds_plan_demand *d = &demand[i];
        size_t m = lds_plan__mat(c, d->material);
        if (m == LDS_PLAN_NONE) {
            rc = lds_err_field(err, LDS_EINVAL, "material", "forecast line %zu: unknown material '%s'",
                               i + 1, d->material ? d->material : "");
            goto done;
        }
        if (!isfinite(d->qty) || d->qty < 0) {
            rc = lds_err_field(err, LDS_EINVAL, "quantity",
                               "forecast line %zu (%s): quantity must be >= 0", i + 1, d->material);
            goto done;
        }
        if (d->period < 0 || d->period >= n_periods) {
            rc = lds_err_field(err, LDS_EINVAL, "period",
                               "forecast line %zu (%s): period %d outside the horizon 0..%d",
                               i + 1, d->material, d->period, n_periods - 1);
            goto done;
        }
        req[m * (size_t)span + (size_t)(d->period + back)] += d->qty;
    }
    lds_plan__sources(c, src);
    /* Low-level codes: a recipe sits at the deepest level of the outputs it
     * sources; its inputs one below.  A DAG settles within n_mat rounds. */
    int changed = 1;
    for (size_t round = 0; changed && round <= n_mat + 1; round++) {
        changed = 0;
        for (size_t ri = 0; ri < n_rec; ri++) {
            const lds_recipe *r = lds_catalog_recipe_at(c, ri);
            int rl = -1;
            for (size_t o = 0; o < r->n_outputs; o++)
                if (src[r->outputs[o].material] == ri && level[r->outputs[o].material] > rl)
                    rl = level[r->outputs[o].material];
            rlevel[ri] = rl;
            if (rl < 0)
                continue;
            for (size_t k = 0; k < r->n_inputs; k++)
                if (level[r->inputs[k].material] < rl + 1) {
                    level[r->inputs[k].material] = rl + 1;
                    changed = 1;
                }
        }
    }
    if (changed) {
        rc = lds_err_set(err, LDS_EINVAL, "explosion: the catalog's recipes form a cycle");
        goto done;
    }
    size_t n_order = 0;
    for (size_t ri = 0; ri < n_rec; ri++)
        if (rlevel[ri] >= 0)
            order[n_order++] = (rec_order){ri, rlevel[ri]};
    if (n_order > 1)
        qsort(order, n_order, sizeof *order, cmp_rec_order);
    for (size_t k = 0; k < n_order; k++) {
        size_t ri = order[k].recipe;
        const lds_recipe *r = lds_catalog_recipe_at(c, ri);
        int lead = lds_plan_recipe_periods(r);
        for (int p = 0; p < span; p++) {
            double runs = 0;
            for (size_t o = 0; o < r->n_outputs; o++) {
                size_t m = r->outputs[o].material;
                double need = req[m * (size_t)span + (size_t)p];
                if (src[m] == ri && need > 0 && need / r->outputs[o].qty > runs)
                    runs = need / r->outputs[o].qty;
            }
            if (runs <= 0)
                continue;
            if (p - lead < 0) {
                rc = lds_err_set(err, LDS_EINVAL,
                                 "explosion: recipe %s reaches back more than %d periods",
                                 r->id, LDS_PLAN_MAX_BACK);
                goto done;
            }
            for (size_t o = 0; o < r->n_outputs; o++) {
                size_t m = r->outputs[o].material;
                double made = runs * r->outputs[o].qty;
                double need = src[m] == ri ? req[m * (size_t)span + (size_t)p] : 0;
                if (made > need * (1 + 1e-12) + 1e-12)
                    cop[m * (size_t)span + (size_t)p] += made - need;
            }
            for (size_t i = 0; i < r->n_inputs; i++)
                req[r->inputs[i].material * (size_t)span + (size_t)(p - lead)] +=
                    runs * r->inputs[i].qty;
        }
    }
    /* Pure co-products (nothing consumes them) sit at their recipe's level. */
    for (size_t ri = 0; ri < n_rec; ri++) {
        const lds_recipe *r = lds_catalog_recipe_at(c, ri);
        for (size_t o = 0; rlevel[ri] >= 0 && o < r->n_outputs; o++)
            if (level[r->outputs[o].material] < rlevel[ri])
                level[r->outputs[o].material] = rlevel[ri];
    }
    /* Collect by level, material, period. */
    int max_level = 0;
    for (size_t m = 0; m < n_mat; m++)
        if (level[m] > max_level)
            max_level = level[m];
    size_t cap = 0;
    for (int lv = 0; lv <= max_level; lv++)
        for (size_t m = 0; m < n_mat; m++) {
            if (level[m] != lv)
                continue;
            for (int p = 0; p < span; p++) {
                double q = req[m * (size_t)span + (size_t)p], cp = cop[m * (size_t)span + (size_t)p];
                if (q <= 0 && cp <= 0)
                    continue;
                if (lds_plan__grow(&res->needs, &cap, res->n + 1, sizeof *res->needs)) {
                    rc = lds_err_set(err, LDS_ENOMEM, "explosion: out of memory");
                    goto done;
                }
                res->needs[res->n++] = (lds_plan_need){m, p - back, q, cp, lv};
            }
        }
    *out = res;
    res = NULL;
done:
    lds_plan_mrp_free(res);
    lds_free(src);
    lds_free(level);
    lds_free(rlevel);
    lds_free(req);
    lds_free(cop);
    lds_free(order);
    return rc;
}
