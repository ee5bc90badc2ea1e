/*
 * engine.c — the matching session: offers x requests x lanes -> network ->
 * two-phase solve (max matched quantity by max-flow, then min cost by the
 * mcf engine with the matched quantity fixed) -> lines, unmet, duals.  Warm
 * changes reuse the simplex basis; spare nodes are reserved so that new
 * offers, requests and groups do not force a rebuild.
 *
 * Network (flow unit = 0.001 of a unit, cost unit = cent per unit, so the
 * objective is in milli-cents):
 *   offer o  (supply q_o) --pair, cost price+lane, uncapacitated--> request d
 *   request d --cap q_d, cost 0--> group g = (region, material, due)
 *   group g --cost 0--> T (demand F)        offer o --cost 0--> U (demand S - F)
 * where S is the total supply and F the maximum matched quantity of phase 1.
 *
 * Why this is exactly lexicographic: U and T have no outgoing arcs, so in
 * every feasible flow U absorbs exactly S - F and T exactly F, and T is
 * reached only through the request arcs: the flow matches exactly F.  Conversely any
 * allocation matching F units is a feasible flow (leftover supply goes to
 * U).  F is the maximum (phase 1 is an exact max-flow on the same pair
 * arcs), so min cost over this network = min cost among the allocations of
 * maximum matched quantity — no big-M bonus, so no overflow from one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/match.h"
#include "lodestone/mcf.h"
#include "match_int.h"

#define NONE      0xffffffffu
#define N_STAGES  5 /* 0 no compatible offer .. 4 compatible */

/* ---- small hash maps ---------------------------------------------------- */

typedef struct strmap { /* string -> index; keys live in the caller's array */
    uint32_t *slot;     /* index + 1, 0 = empty */
    uint32_t cap, n;
} strmap;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h ^ (h >> 29);
}

static uint32_t strmap_find(const strmap *m, char *const *keys, const char *s)
{
    if (!m->cap)
        return NONE;
    uint32_t mask = m->cap - 1, i = (uint32_t)hash_str(s) & mask;
    while (m->slot[i]) {
        if (strcmp(keys[m->slot[i] - 1], s) == 0)
            return m->slot[i] - 1;
        i = (i + 1) & mask;
    }
    return NONE;
}

/* Inserts keys[idx], or repoints an equal key to idx. 0 on OOM. */
static int strmap_put(strmap *m, char *const *keys, uint32_t idx)
{
    if ((m->n + 1) * 2 > m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 64;
        uint32_t *slot = lds_calloc(cap, sizeof *slot);
        if (!slot)
            return 0;
        for (uint32_t i = 0; i < m->cap; i++) {
            if (!m->slot[i])
                continue;
            uint32_t j = (uint32_t)hash_str(keys[m->slot[i] - 1]) & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = m->slot[i];
        }
        lds_free(m->slot);
        m->slot = slot;
        m->cap = cap;
    }
    uint32_t mask = m->cap - 1, i = (uint32_t)hash_str(keys[idx]) & mask;
    while (m->slot[i]) {
        if (strcmp(keys[m->slot[i] - 1], keys[idx]) == 0) {
            m->slot[i] = idx + 1;
            return 1;
        }
        i = (i + 1) & mask;
    }
    m->slot[i] = idx + 1;
    m->n++;
    return 1;
}

/* Points an existing key at `idx` (no allocation). */
static void strmap_repoint(strmap *m, char *const *keys, uint32_t idx)
{
    if (!m->cap)
        return;
    uint32_t mask = m->cap - 1, i = (uint32_t)hash_str(keys[idx]) & mask;
    while (m->slot[i]) {
        if (strcmp(keys[m->slot[i] - 1], keys[idx]) == 0) {
            m->slot[i] = idx + 1;
            return;
        }
        i = (i + 1) & mask;
    }
}

typedef struct u64map { /* 64-bit key -> uint32 value */
    uint64_t *key;
    uint32_t *val;      /* value + 1, 0 = empty */
    uint32_t cap, n;
} u64map;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static uint32_t u64map_get(const u64map *m, uint64_t k)
{
    if (!m->cap)
        return NONE;
    uint32_t mask = m->cap - 1, i = (uint32_t)mix64(k) & mask;
    while (m->val[i]) {
        if (m->key[i] == k)
            return m->val[i] - 1;
        i = (i + 1) & mask;
    }
    return NONE;
}

static int u64map_put(u64map *m, uint64_t k, uint32_t v)
{
    if ((m->n + 1) * 2 > m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 64;
        uint64_t *key = lds_calloc(cap, sizeof *key);
        uint32_t *val = lds_calloc(cap, sizeof *val);
        if (!key || !val) {
            lds_free(key);
            lds_free(val);
            return 0;
        }
        for (uint32_t i = 0; i < m->cap; i++) {
            if (!m->val[i])
                continue;
            uint32_t j = (uint32_t)mix64(m->key[i]) & (cap - 1);
            while (val[j])
                j = (j + 1) & (cap - 1);
            key[j] = m->key[i];
            val[j] = m->val[i];
        }
        lds_free(m->key);
        lds_free(m->val);
        m->key = key;
        m->val = val;
        m->cap = cap;
    }
    uint32_t mask = m->cap - 1, i = (uint32_t)mix64(k) & mask;
    while (m->val[i]) {
        if (m->key[i] == k) {
            m->val[i] = v + 1;
            return 1;
        }
        i = (i + 1) & mask;
    }
    m->key[i] = k;
    m->val[i] = v + 1;
    m->n++;
    return 1;
}

static void u64map_clear(u64map *m)
{
    if (m->cap) {
        memset(m->val, 0, m->cap * sizeof *m->val);
        m->n = 0;
    }
}

/* Grows the typed array whose pointer is at `pp` (of `*cap` elements) to
 * hold `need`.  The pointer is read and written with memcpy, so any object
 * pointer type works without aliasing it as void *.  0 on OOM. */
static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *old;
    memcpy(&old, pp, sizeof old);
    void *n = lds_realloc(old, c * elem);
    if (!n)
        return 0;
    memcpy(pp, &n, sizeof n);
    *cap = c;
    return 1;
}
#define GROW(arr, cap, need) grow(&(arr), &(cap), (need), sizeof *(arr))

/* ---- session state ------------------------------------------------------ */

typedef struct soffer {
    char *id, *org;
    uint32_t mat, reg;      /* name indices */
    int64_t qty, price, purity;
    int32_t from, to;
    int controlled, abroad, alive;
    uint32_t node, arc_u;
} soffer;

typedef struct sreq {
    char *id, *org;
    uint32_t mat, reg;
    int64_t qty, maxp, minp;
    int32_t due;
    int abroad, alive, stage;
    uint32_t node, arc_g, group;
} sreq;

typedef struct sgroup {
    uint32_t reg, mat;
    int32_t due;
    uint32_t node, arc_t;
} sgroup;

typedef struct vec {
    uint32_t *v;
    size_t n, cap;
} vec;

typedef struct lane_pt {
    int32_t transit;
    int64_t cost;
} lane_pt;

typedef struct frontier { /* Pareto lanes of one (from, to): transit up, cost strictly down */
    size_t start, n;
} frontier;

struct lds_match_session {
    char **names;           /* interned regions and materials */
    size_t n_names, cap_names;
    strmap name_map;
    vec *mat_offers, *mat_reqs; /* per name index (used for materials) */
    size_t cap_mat;

    u64map lane_map;        /* (from << 32 | to) -> frontier */
    frontier *fr;
    size_t n_fr, cap_fr;
    lane_pt *pts;
    size_t n_pts, cap_pts;

    soffer *of;
    size_t n_of, cap_of;
    char **of_ids;          /* keys of of_map, parallel to `of` */
    size_t cap_of_ids;
    strmap of_map;
    sreq *rq;
    size_t n_rq, cap_rq;
    char **rq_ids;
    size_t cap_rq_ids;
    strmap rq_map;
    sgroup *gr;
    size_t n_gr, cap_gr;
    u64map gr_map;

    /* network */
    lds_mcf_solver *solver;
    uint32_t n_nodes, next_node, node_u, node_t;
    int broken;             /* a warm change failed half-way: rebuild next time */
    uint32_t *p_offer, *p_req, *p_arc;
    int64_t *p_cost, *p_lane, *p_flow;
    int32_t *p_ship, *p_transit;
    uint8_t *p_lic, *p_dead;
    size_t n_p, cap_p;
    size_t n_live_pairs;
    int64_t matched;        /* F */
    uint64_t n_cold, n_warm; /* solves done cold (rebuild) and warm (commit) */

    lds_match_result *cur;
    lds_match_line_diff *diff;
    size_t cap_diff;

    /* why chains kept from the last explain, per request slot; a material
     * is explained again when its records changed (x_changed), when the
     * flow of one of its pairs changed, or after a rebuild (x_all) */
    vec x_changed;          /* materials of the records changed since */
    int x_all;              /* everything must be explained again */
    lds_match_why *x_why;   /* the kept items */
    uint32_t *x_off;        /* per request slot < x_n_rq: first item, NONE if none */
    uint8_t *x_n;           /* items of the slot */
    size_t *x_more;         /* n_why_more of the slot */
    size_t x_n_rq;
    int64_t *x_flow;        /* pair flows at the last explain (x_np of them) */
    size_t x_np, x_cap_flow;
    uint64_t n_explained, n_reused; /* requests whose chain was built / kept */
};


const char *lds_match_reason_name(lds_match_reason r)
{
    switch (r) {
    case LDS_MATCH_MET:
        return "met";
    case LDS_MATCH_NO_COMPATIBLE_OFFER:
        return "no_compatible_offer";
    case LDS_MATCH_NO_LANE:
        return "no_lane";
    case LDS_MATCH_LICENCE:
        return "licence_lead_time";
    case LDS_MATCH_PRICE_CAP:
        return "price_cap";
    case LDS_MATCH_INSUFFICIENT_SUPPLY:
        return "insufficient_supply";
    }
    return "unknown";
}

static lds_code oom(lds_err *err)
{
    return lds_err_set(err, LDS_ENOMEM, "out of memory in matching");
}

/* Interns `s`; NONE on OOM. */
static uint32_t intern(lds_match_session *s, const char *name)
{
    uint32_t i = strmap_find(&s->name_map, s->names, name);
    if (i != NONE)
        return i;
    if (!GROW(s->names, s->cap_names, s->n_names + 1))
        return NONE;
    if (s->n_names + 1 > s->cap_mat) {
        size_t cap = s->cap_names;
        vec *a = lds_realloc(s->mat_offers, cap * sizeof *a);
        if (!a)
            return NONE;
        s->mat_offers = a;
        vec *b = lds_realloc(s->mat_reqs, cap * sizeof *b);
        if (!b)
            return NONE;
        s->mat_reqs = b;
        memset(a + s->cap_mat, 0, (cap - s->cap_mat) * sizeof *a);
        memset(b + s->cap_mat, 0, (cap - s->cap_mat) * sizeof *b);
        s->cap_mat = cap;
    }
    char *copy = lds_strdup(name);
    if (!copy)
        return NONE;
    s->names[s->n_names] = copy;
    if (!strmap_put(&s->name_map, s->names, (uint32_t)s->n_names)) {
        lds_free(copy);
        return NONE;
    }
    return (uint32_t)s->n_names++;
}

static int vec_push(vec *v, uint32_t x)
{
    if (!GROW(v->v, v->cap, v->n + 1))
        return 0;
    v->v[v->n++] = x;
    return 1;
}

/* A record of material m changed: its chains must be built again. */
static void why_touch(lds_match_session *s, uint32_t m)
{
    if (!vec_push(&s->x_changed, m))
        s->x_all = 1;
}

/* ---- validation --------------------------------------------------------- */

static int bad_name(const char *s)
{
    return !s || !*s;
}

static lds_code check_offer(const lds_match_offer *o, size_t i, lds_err *err)
{
    char f[64];
    snprintf(f, sizeof f, "/offers/%zu", i);
    if (bad_name(o->id) || bad_name(o->material) || bad_name(o->region))
        return lds_err_field(err, LDS_EINVAL, f, "offer %zu: id, material and region are required",
                             i + 1);
    if (o->qty_milli < 0 || o->qty_milli > LDS_MATCH_MAX_QTY_MILLI)
        return lds_err_field(err, LDS_EINVAL, f, "offer '%s': quantity out of range", o->id);
    if (o->price_cents < 0 || o->price_cents > LDS_MATCH_MAX_PRICE_CENTS)
        return lds_err_field(err, LDS_EINVAL, f, "offer '%s': unit price out of range", o->id);
    if (o->from > o->to)
        return lds_err_field(err, LDS_EINVAL, f, "offer '%s': period_to is before period_from",
                             o->id);
    if (o->from < 0 || o->to > 12 * 100000)
        return lds_err_field(err, LDS_EINVAL, f, "offer '%s': period out of range", o->id);
    if (o->purity < 0 && o->purity != LDS_MATCH_NO_PURITY)
        return lds_err_field(err, LDS_EINVAL, f, "offer '%s': negative purity", o->id);
    return LDS_OK;
}

static lds_code check_request(const lds_match_request *d, size_t i, lds_err *err)
{
    char f[64];
    snprintf(f, sizeof f, "/requests/%zu", i);
    if (bad_name(d->id) || bad_name(d->material) || bad_name(d->region))
        return lds_err_field(err, LDS_EINVAL, f,
                             "request %zu: id, material and region are required", i + 1);
    if (d->qty_milli < 0 || d->qty_milli > LDS_MATCH_MAX_QTY_MILLI)
        return lds_err_field(err, LDS_EINVAL, f, "request '%s': quantity out of range", d->id);
    if (d->max_price_cents < 0 || d->max_price_cents > 2 * LDS_MATCH_MAX_PRICE_CENTS)
        return lds_err_field(err, LDS_EINVAL, f, "request '%s': max unit price out of range",
                             d->id);
    if (d->due < 0 || d->due > 12 * 100000)
        return lds_err_field(err, LDS_EINVAL, f, "request '%s': due period out of range", d->id);
    if (d->min_purity < 0 && d->min_purity != LDS_MATCH_NO_PURITY)
        return lds_err_field(err, LDS_EINVAL, f, "request '%s': negative min purity", d->id);
    return LDS_OK;
}

static lds_code check_lane(const lds_match_lane *l, size_t i, lds_err *err)
{
    char f[64];
    snprintf(f, sizeof f, "/lanes/%zu", i);
    if (bad_name(l->from) || bad_name(l->to))
        return lds_err_field(err, LDS_EINVAL, f, "lane %zu: both regions are required", i + 1);
    if (l->cost_cents < 0 || l->cost_cents > LDS_MATCH_MAX_PRICE_CENTS)
        return lds_err_field(err, LDS_EINVAL, f, "lane %zu: cost out of range", i + 1);
    if (l->transit < 0 || l->transit > LDS_MATCH_MAX_TRANSIT)
        return lds_err_field(err, LDS_EINVAL, f, "lane %zu: transit out of range", i + 1);
    return LDS_OK;
}

/* ---- lanes -------------------------------------------------------------- */

static int cmp_lane(const void *a, const void *b)
{
    const lds_match_lane *x = *(const lds_match_lane *const *)a;
    const lds_match_lane *y = *(const lds_match_lane *const *)b;
    int c = strcmp(x->from, y->from);
    if (!c)
        c = strcmp(x->to, y->to);
    if (!c)
        c = (x->transit > y->transit) - (x->transit < y->transit);
    if (!c)
        c = (x->cost_cents > y->cost_cents) - (x->cost_cents < y->cost_cents);
    return c;
}

/* Builds, per (from, to), the lanes that are cheapest for their transit:
 * sorted by transit, keeping a lane only if it is strictly cheaper than
 * every faster one.  The cheapest lane with transit <= slack is then the
 * last frontier point with transit <= slack. */
static lds_code load_lanes(lds_match_session *s, const lds_match_lane *lanes, size_t n,
                           lds_err *err)
{
    if (!n)
        return LDS_OK;
    const lds_match_lane **ord = lds_malloc(n * sizeof *ord);
    if (!ord)
        return oom(err);
    for (size_t i = 0; i < n; i++)
        ord[i] = &lanes[i];
    qsort(ord, n, sizeof *ord, cmp_lane);
    lds_code rc = LDS_OK;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(ord[j]->from, ord[i]->from) == 0 &&
               strcmp(ord[j]->to, ord[i]->to) == 0)
            j++;
        uint32_t a = intern(s, ord[i]->from), b = intern(s, ord[i]->to);
        if (a == NONE || b == NONE || !GROW(s->fr, s->cap_fr, s->n_fr + 1) ||
            !GROW(s->pts, s->cap_pts, s->n_pts + (j - i))) {
            rc = oom(err);
            break;
        }
        frontier *f = &s->fr[s->n_fr];
        f->start = s->n_pts;
        f->n = 0;
        for (size_t k = i; k < j; k++) {
            if (f->n && s->pts[s->n_pts - 1].cost <= ord[k]->cost_cents)
                continue;
            s->pts[s->n_pts].transit = ord[k]->transit;
            s->pts[s->n_pts].cost = ord[k]->cost_cents;
            s->n_pts++;
            f->n++;
        }
        if (!u64map_put(&s->lane_map, (uint64_t)a << 32 | b, (uint32_t)s->n_fr)) {
            rc = oom(err);
            break;
        }
        s->n_fr++;
        i = j;
    }
    lds_free(ord);
    return rc;
}

/* ---- compatibility ------------------------------------------------------ */

typedef struct pair_eval {
    int stage;              /* 0..4, see docs/matching.md */
    int64_t lane_cost;
    int32_t transit, ship;
    int licence;
} pair_eval;

/* Cheapest frontier point with transit <= slack, or NULL. */
static const lane_pt *best_lane(const lds_match_session *s, const frontier *f, int64_t slack)
{
    const lane_pt *best = NULL;
    for (size_t k = 0; k < f->n; k++) {
        const lane_pt *p = &s->pts[f->start + k];
        if (p->transit > slack)
            break;
        best = p;
    }
    return best;
}

static const lane_pt same_region_lane = {0, 0};

/* `fi`: the frontier of (o's region, d's region), NONE when there is no lane. */
static void evaluate_fi(const lds_match_session *s, const soffer *o, const sreq *d, uint32_t fi,
                        pair_eval *ev)
{
    ev->stage = 0;
    if (d->minp != LDS_MATCH_NO_PURITY && (o->purity == LDS_MATCH_NO_PURITY || o->purity < d->minp))
        return;
    if (o->from > d->due)
        return;
    ev->stage = 1;
    const lane_pt *l;
    int64_t slack = (int64_t)d->due - o->from;
    if (fi != NONE) {
        l = best_lane(s, &s->fr[fi], slack);
    } else if (o->reg == d->reg) {
        l = &same_region_lane;
    } else {
        return;
    }
    if (!l)
        return;
    ev->stage = 2;
    ev->licence = o->controlled && !o->abroad && d->abroad;
    int32_t lead = ev->licence ? LDS_MATCH_LICENCE_LEAD : 0;
    if (lead) {
        l = fi != NONE ? best_lane(s, &s->fr[fi], slack - lead)
                       : (slack - lead >= 0 ? &same_region_lane : NULL);
        if (!l)
            return;
    }
    ev->stage = 3;
    ev->lane_cost = l->cost;
    ev->transit = l->transit;
    if (o->price + l->cost > d->maxp)
        return;
    ev->stage = 4;
    ev->lane_cost = l->cost;
    ev->transit = l->transit;
    int64_t latest = (int64_t)d->due - l->transit - lead;
    ev->ship = (int32_t)(latest < o->to ? latest : o->to);
}

static void evaluate(const lds_match_session *s, const soffer *o, const sreq *d, pair_eval *ev)
{
    if ((d->minp != LDS_MATCH_NO_PURITY &&
         (o->purity == LDS_MATCH_NO_PURITY || o->purity < d->minp)) ||
        o->from > d->due) {
        ev->stage = 0;
        return;
    }
    evaluate_fi(s, o, d, u64map_get(&s->lane_map, (uint64_t)o->reg << 32 | d->reg), ev);
}

/* ---- pairs and network -------------------------------------------------- */

static int add_pair(lds_match_session *s, uint32_t o, uint32_t d, const pair_eval *ev)
{
    if (s->n_p >= LDS_MATCH_MAX_PAIRS)
        return 0;
    size_t c = s->cap_p, need = s->n_p + 1;
    if (need > c) {
        size_t nc = c ? c * 2 : 1024;
#define RE(a)                                                                                      \
    do {                                                                                           \
        void *t_ = lds_realloc(s->a, nc * sizeof *s->a);                                           \
        if (!t_)                                                                                   \
            return 0;                                                                              \
        s->a = t_;                                                                                 \
    } while (0)
        RE(p_offer);
        RE(p_req);
        RE(p_arc);
        RE(p_cost);
        RE(p_lane);
        RE(p_flow);
        RE(p_ship);
        RE(p_transit);
        RE(p_lic);
        RE(p_dead);
#undef RE
        s->cap_p = nc;
    }
    size_t p = s->n_p++;
    s->p_offer[p] = o;
    s->p_req[p] = d;
    s->p_arc[p] = NONE;
    s->p_lane[p] = ev->lane_cost;
    s->p_cost[p] = s->of[o].price + ev->lane_cost;
    s->p_flow[p] = 0;
    s->p_ship[p] = ev->ship;
    s->p_transit[p] = ev->transit;
    s->p_lic[p] = (uint8_t)ev->licence;
    s->p_dead[p] = 0;
    s->n_live_pairs++;
    return 1;
}

static lds_code pair_error(const lds_match_session *s, lds_err *err)
{
    if (s->n_p >= LDS_MATCH_MAX_PAIRS)
        return lds_err_set(err, LDS_ETOOBIG,
                           "more than %d compatible (offer, request) pairs: split the run, "
                           "e.g. by material",
                           LDS_MATCH_MAX_PAIRS);
    return oom(err);
}

static uint64_t group_key(uint32_t reg, uint32_t mat, int32_t due)
{
    return (uint64_t)reg << 42 | (uint64_t)mat << 21 | (uint64_t)(uint32_t)due;
}

/* Group of request d, created when missing (node NONE until placed). */
static uint32_t group_of(lds_match_session *s, const sreq *d)
{
    uint64_t k = group_key(d->reg, d->mat, d->due);
    uint32_t g = u64map_get(&s->gr_map, k);
    if (g != NONE)
        return g;
    if (!GROW(s->gr, s->cap_gr, s->n_gr + 1))
        return NONE;
    g = (uint32_t)s->n_gr;
    s->gr[g].reg = d->reg;
    s->gr[g].mat = d->mat;
    s->gr[g].due = d->due;
    s->gr[g].node = NONE;
    s->gr[g].arc_t = NONE;
    if (!u64map_put(&s->gr_map, k, g))
        return NONE;
    s->n_gr++;
    return g;
}

static lds_code finish_solve(lds_match_session *s, uint32_t only, lds_err *err);

/* Cold build of the whole network from the live records, then solve. */
static lds_code rebuild(lds_match_session *s, lds_err *err)
{
    s->n_cold++;
    s->x_all = 1; /* the pairs are numbered anew */
    lds_mcf_solver_free(s->solver);
    s->solver = NULL;
    s->broken = 1;
    s->n_p = 0;
    s->n_live_pairs = 0;
    s->n_gr = 0;
    u64map_clear(&s->gr_map);
    size_t n_live_o = 0, n_live_d = 0;
    for (size_t i = 0; i < s->n_of; i++)
        n_live_o += s->of[i].alive != 0;
    for (size_t i = 0; i < s->n_rq; i++) {
        sreq *d = &s->rq[i];
        d->stage = 0;
        if (!d->alive)
            continue;
        n_live_d++;
        d->group = group_of(s, d);
        if (d->group == NONE)
            return oom(err);
    }
    size_t spare = 64 + (n_live_o + n_live_d) / 4;
    size_t n_nodes = n_live_o + n_live_d + s->n_gr + 2 + spare;
    if (n_nodes > 0x7ffffff0u)
        return lds_err_set(err, LDS_EINVAL, "too many offers and requests");
    /* pairs, per material */
    for (size_t m = 0; m < s->n_names; m++) {
        vec *vo = &s->mat_offers[m], *vd = &s->mat_reqs[m];
        for (size_t a = 0; a < vo->n; a++) {
            const soffer *o = &s->of[vo->v[a]];
            if (!o->alive)
                continue;
            for (size_t b = 0; b < vd->n; b++) {
                sreq *d = &s->rq[vd->v[b]];
                if (!d->alive)
                    continue;
                pair_eval ev;
                evaluate(s, o, d, &ev);
                if (ev.stage > d->stage)
                    d->stage = ev.stage;
                if (ev.stage == 4 && !add_pair(s, vo->v[a], vd->v[b], &ev))
                    return pair_error(s, err);
            }
        }
    }
    lds_mcf_problem p;
    size_t arc_hint = s->n_p + n_live_o + n_live_d + s->n_gr + 16;
    if (arc_hint > 0xfffffff0u)
        return lds_err_set(err, LDS_EINVAL, "too many compatible pairs (%zu)", s->n_p);
    lds_code rc = lds_mcf_problem_init(&p, (uint32_t)n_nodes, (uint32_t)arc_hint, err);
    if (rc != LDS_OK)
        return rc;
    uint32_t next = 0;
    for (size_t i = 0; i < s->n_of; i++)
        if (s->of[i].alive) {
            s->of[i].node = next++;
            p.supply[s->of[i].node] = s->of[i].qty;
        }
    for (size_t i = 0; i < s->n_rq; i++)
        if (s->rq[i].alive)
            s->rq[i].node = next++;
    for (size_t g = 0; g < s->n_gr; g++)
        s->gr[g].node = next++;
    s->node_u = next++;
    s->node_t = next++;
    s->next_node = next;
    s->n_nodes = (uint32_t)n_nodes;
    for (size_t k = 0; k < s->n_p && rc == LDS_OK; k++)
        rc = lds_mcf_problem_add_arc(&p, s->of[s->p_offer[k]].node, s->rq[s->p_req[k]].node, 0,
                                     LDS_MCF_INF, s->p_cost[k], &s->p_arc[k], err);
    for (size_t i = 0; i < s->n_rq && rc == LDS_OK; i++)
        if (s->rq[i].alive)
            rc = lds_mcf_problem_add_arc(&p, s->rq[i].node, s->gr[s->rq[i].group].node, 0,
                                         s->rq[i].qty, 0, &s->rq[i].arc_g, err);
    for (size_t g = 0; g < s->n_gr && rc == LDS_OK; g++)
        rc = lds_mcf_problem_add_arc(&p, s->gr[g].node, s->node_t, 0, LDS_MCF_INF, 0,
                                     &s->gr[g].arc_t, err);
    for (size_t i = 0; i < s->n_of && rc == LDS_OK; i++)
        if (s->of[i].alive)
            rc = lds_mcf_problem_add_arc(&p, s->of[i].node, s->node_u, 0, LDS_MCF_INF, 0,
                                         &s->of[i].arc_u, err);
    if (rc == LDS_OK)
        rc = lds_mcf_solver_new_take(&p, &s->solver, err);
    lds_mcf_problem_release(&p);
    if (rc != LDS_OK)
        return rc;
    return finish_solve(s, NONE, err);
}

/* Phase 1 (warm max-flow from the current pair flows), supplies of U and T,
 * phase 2 (warm mcf), then copies the pair flows. */
static lds_code finish_solve(lds_match_session *s, uint32_t only, lds_err *err)
{
    int64_t *cap_o = lds_malloc((s->n_of + 1) * sizeof *cap_o);
    int64_t *cap_d = lds_malloc((s->n_rq + 1) * sizeof *cap_d);
    lds_code rc = LDS_OK;
    int64_t supply = 0, f = 0;
    if (!cap_o || !cap_d) {
        rc = oom(err);
        goto done;
    }
    for (size_t i = 0; i < s->n_of; i++) {
        cap_o[i] = s->of[i].alive ? s->of[i].qty : 0;
        if (__builtin_add_overflow(supply, cap_o[i], &supply)) {
            rc = lds_err_set(err, LDS_EOVERFLOW, "total supply does not fit in 64 bits");
            goto done;
        }
    }
    for (size_t i = 0; i < s->n_rq; i++)
        cap_d[i] = s->rq[i].alive ? s->rq[i].qty : 0;
    rc = lds_match__maxflow((uint32_t)s->n_of, cap_o, (uint32_t)s->n_rq, cap_d, s->n_p, s->p_offer,
                            s->p_req, s->p_dead, only, s->p_flow, &f, err);
    if (rc != LDS_OK)
        goto done;
    s->matched = f;
    if ((rc = lds_mcf_set_supply(s->solver, s->node_u, -(supply - f), err)) != LDS_OK ||
        (rc = lds_mcf_set_supply(s->solver, s->node_t, -f, err)) != LDS_OK)
        goto done;
    lds_mcf_status st;
    rc = lds_mcf_solve(s->solver, LDS_MCF_AUTO, &st, err);
    if (rc != LDS_OK)
        goto done;
    if (st != LDS_MCF_OPTIMAL) { /* cannot happen: F is feasible by construction */
        rc = lds_err_set(err, LDS_ECORRUPT, "matching network is %s", lds_mcf_status_name(st));
        goto done;
    }
    const int64_t *flow = lds_mcf_flows(s->solver);
    for (size_t k = 0; k < s->n_p; k++)
        s->p_flow[k] = s->p_dead[k] ? 0 : flow[s->p_arc[k]];
    s->broken = 0;
done:
    lds_free(cap_o);
    lds_free(cap_d);
    return rc;
}

/* ---- results ------------------------------------------------------------ */

static void result_free_arrays(lds_match_result *r)
{
    if (!r)
        return;
    lds_free(r->lines);
    lds_free(r->unmet);
    lds_free(r->duals);
    lds_free(r->why__);
    lds_free(r);
}

static int cmp_line(const void *a, const void *b)
{
    const lds_match_line *x = a, *y = b;
    int c = strcmp(x->offer_id, y->offer_id);
    return c ? c : strcmp(x->request_id, y->request_id);
}

static int cmp_dual(const void *a, const void *b)
{
    const lds_match_dual *x = a, *y = b;
    int c = strcmp(x->region, y->region);
    if (!c)
        c = strcmp(x->material, y->material);
    if (!c)
        c = (x->period > y->period) - (x->period < y->period);
    return c;
}

static lds_code build_result(lds_match_session *s, lds_match_result **out, lds_err *err)
{
    *out = NULL;
    lds_match_result *r = lds_calloc(1, sizeof *r);
    if (!r)
        return oom(err);
    size_t n_lines = 0, n_unmet = 0;
    for (size_t k = 0; k < s->n_p; k++)
        n_lines += !s->p_dead[k] && s->p_flow[k] > 0;
    const int64_t *flow = lds_mcf_flows(s->solver);
    const int64_t *pot = lds_mcf_potentials(s->solver);
    for (size_t i = 0; i < s->n_rq; i++)
        n_unmet += s->rq[i].alive && flow[s->rq[i].arc_g] < s->rq[i].qty;
    r->lines = lds_calloc(n_lines + 1, sizeof *r->lines);
    r->unmet = lds_calloc(n_unmet + 1, sizeof *r->unmet);
    r->duals = lds_calloc(s->n_gr + 1, sizeof *r->duals);
    int64_t *g_demand = lds_calloc(s->n_gr + 1, sizeof *g_demand);
    size_t *g_count = lds_calloc(s->n_gr + 1, sizeof *g_count);
    if (!r->lines || !r->unmet || !r->duals || !g_demand || !g_count) {
        lds_free(g_demand);
        lds_free(g_count);
        result_free_arrays(r);
        return oom(err);
    }
    lds_match__i128 exact = 0, total = 0, goods = 0;
    for (size_t k = 0; k < s->n_p; k++) {
        if (s->p_dead[k] || s->p_flow[k] <= 0)
            continue;
        const soffer *o = &s->of[s->p_offer[k]];
        const sreq *d = &s->rq[s->p_req[k]];
        lds_match_line *l = &r->lines[r->n_lines++];
        l->offer_id = o->id;
        l->request_id = d->id;
        l->offer_org = o->org;
        l->request_org = d->org;
        l->material = s->names[o->mat];
        l->from_region = s->names[o->reg];
        l->to_region = s->names[d->reg];
        l->qty_milli = s->p_flow[k];
        l->ship_period = s->p_ship[k];
        l->transit = s->p_transit[k];
        l->unit_price_cents = o->price;
        l->logistics_cents = s->p_lane[k];
        lds_match__i128 x = (lds_match__i128)l->qty_milli * s->p_cost[k];
        l->line_total_cents = lds_match__round_milli(x);
        l->licence_required = s->p_lic[k];
        l->licence_lead = s->p_lic[k] ? LDS_MATCH_LICENCE_LEAD : 0;
        exact += x;
        total += l->line_total_cents;
        goods += lds_match__round_milli((lds_match__i128)l->qty_milli * o->price);
    }
    qsort(r->lines, r->n_lines, sizeof *r->lines, cmp_line);
    int64_t supply = 0, demand = 0, unmet = 0;
    for (size_t i = 0; i < s->n_of; i++)
        if (s->of[i].alive)
            supply += s->of[i].qty;
    for (size_t i = 0; i < s->n_rq; i++) {
        const sreq *d = &s->rq[i];
        if (!d->alive)
            continue;
        demand += d->qty;
        g_demand[d->group] += d->qty;
        g_count[d->group]++;
        int64_t got = flow[d->arc_g];
        if (got >= d->qty)
            continue;
        lds_match_unmet *u = &r->unmet[r->n_unmet++];
        u->request_id = d->id;
        u->request_org = d->org;
        u->material = s->names[d->mat];
        u->region = s->names[d->reg];
        u->due = d->due;
        u->requested_milli = d->qty;
        u->unmet_milli = d->qty - got;
        static const lds_match_reason by_stage[N_STAGES] = {
            LDS_MATCH_NO_COMPATIBLE_OFFER, LDS_MATCH_NO_LANE, LDS_MATCH_LICENCE,
            LDS_MATCH_PRICE_CAP, LDS_MATCH_INSUFFICIENT_SUPPLY};
        u->reason = by_stage[d->stage];
        unmet += u->unmet_milli;
    }
    int64_t *pot_o = lds_calloc(s->n_of + 1, sizeof *pot_o);
    int64_t *pot_d = lds_calloc(s->n_rq + 1, sizeof *pot_d);
    int64_t *marg = lds_calloc(s->n_rq + 1, sizeof *marg);
    uint8_t *src = lds_calloc(s->n_of + 1, 1);
    lds_code rc = LDS_OK;
    if (!pot_o || !pot_d || !marg || !src) {
        rc = oom(err);
    } else {
        for (size_t i = 0; i < s->n_of; i++)
            if (s->of[i].alive) {
                pot_o[i] = pot[s->of[i].node];
                src[i] = flow[s->of[i].arc_u] > 0;
            }
        for (size_t i = 0; i < s->n_rq; i++)
            if (s->rq[i].alive)
                pot_d[i] = pot[s->rq[i].node];
        rc = lds_match__marginal((uint32_t)s->n_of, (uint32_t)s->n_rq, s->n_p, s->p_offer,
                                 s->p_req, s->p_dead, s->p_cost, s->p_flow, src, pot_o, pot_d,
                                 marg, err);
    }
    for (size_t g = 0; g < s->n_gr && rc == LDS_OK; g++) {
        if (!g_count[g])
            continue; /* every request of the group was withdrawn */
        g_count[g] = r->n_duals + 1; /* now: dual index + 1 */
        lds_match_dual *du = &r->duals[r->n_duals++];
        du->region = s->names[s->gr[g].reg];
        du->material = s->names[s->gr[g].mat];
        du->period = s->gr[g].due;
        du->demand_milli = g_demand[g];
        du->matched_milli = flow[s->gr[g].arc_t];
        du->price_cents = INT64_MAX;
    }
    /* A group's price is the cheapest marginal cost over its requests. */
    for (size_t i = 0; i < s->n_rq && rc == LDS_OK; i++) {
        const sreq *d = &s->rq[i];
        if (!d->alive || marg[i] == INT64_MAX)
            continue;
        lds_match_dual *du = &r->duals[g_count[d->group] - 1];
        if (marg[i] < du->price_cents)
            du->price_cents = marg[i];
    }
    for (size_t k = 0; k < r->n_duals; k++) {
        r->duals[k].has_price = r->duals[k].price_cents != INT64_MAX;
        if (!r->duals[k].has_price)
            r->duals[k].price_cents = 0;
    }
    lds_free(pot_o);
    lds_free(pot_d);
    lds_free(src);
    lds_free(marg);
    if (rc != LDS_OK) {
        lds_free(g_demand);
        lds_free(g_count);
        result_free_arrays(r);
        return rc;
    }
    lds_free(g_demand);
    lds_free(g_count);
    qsort(r->duals, r->n_duals, sizeof *r->duals, cmp_dual);
    r->matched_milli = s->matched;
    r->unmet_milli = unmet;
    r->supply_milli = supply;
    r->demand_milli = demand;
    r->n_pairs = s->n_live_pairs;
    if (exact > INT64_MAX || total > INT64_MAX) {
        result_free_arrays(r);
        return lds_err_set(err, LDS_EOVERFLOW, "total cost does not fit in 64 bits");
    }
    r->exact_cost_millicents = (int64_t)exact;
    r->total_cost_cents = (int64_t)total;
    r->goods_cost_cents = (int64_t)goods;
    *out = r;
    return LDS_OK;
}

/* ---- why short ---------------------------------------------------------- */

typedef struct why_cand { /* one candidate item of an unmet request, before ranking */
    uint8_t kind, stage;
    uint32_t offer;         /* offer slot */
    int64_t key;            /* within a stage: supply -dual, price cap the excess */
    int64_t lane_cost;
    int32_t transit;
} why_cand;

static int cmp_cand(const void *a, const void *b)
{
    const why_cand *x = a, *y = b;
    if (x->stage != y->stage)
        return x->stage > y->stage ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->offer > y->offer) - (x->offer < y->offer);
}

static void fmt_purity(int64_t v, char buf[32])
{
    snprintf(buf, 32, "%lld.%06lld", (long long)(v / 1000000), (long long)(v % 1000000));
    size_t n = strlen(buf);
    while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
        buf[--n] = '\0';
}

/* "3", "3 and 9", "3, 9 and 12", "3, 9, 12 and 4 more" */
static void fmt_allocated(const lds_match_session *s, const uint32_t *ostart, const uint32_t *opair,
                          uint32_t o, char *buf, size_t cap)
{
    uint32_t a = ostart[o], n = ostart[o + 1] - a;
    size_t len = 0;
    buf[0] = '\0';
    for (uint32_t k = 0; k < n && k < 3; k++) {
        const char *sep = !k ? "" : (k + 1 == n) ? " and " : ", ";
        int w = snprintf(buf + len, cap - len, "%s%s", sep, s->rq[s->p_req[opair[a + k]]].id);
        if (w < 0 || (size_t)w >= cap - len)
            return;
        len += (size_t)w;
    }
    if (n > 3)
        snprintf(buf + len, cap - len, " and %u more", n - 3);
}

/* snprintf that truncates on purpose (the texts are bounded). */
static void put(char *dst, size_t cap, const char *fmt, ...) LDS_PRINTF(3, 4);
static void put(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

static void render_why(const lds_match_session *s, const sreq *d, const why_cand *c,
                       const int64_t *value, const uint32_t *ostart, const uint32_t *opair,
                       lds_match_why *y)
{
    memset(y, 0, sizeof *y);
    y->kind = (lds_match_why_kind)c->kind;
    y->material = s->names[d->mat];
    char p1[16], p2[16], m1[32], m2[32], m3[32], m4[32];
    lds_match_fmt_period(d->due, p2);
    if (c->offer == NONE) { /* no offer of the material at all */
        put(y->detail, sizeof y->detail, "no offer of %s", y->material);
        put(y->redacted, sizeof y->redacted, "no offer of %s", y->material);
        return;
    }
    const soffer *o = &s->of[c->offer];
    if (c->kind == LDS_MATCH_WHY_LANE || c->kind == LDS_MATCH_WHY_LICENCE) {
        y->from_region = s->names[o->reg];
        y->to_region = s->names[d->reg];
        if (c->kind == LDS_MATCH_WHY_LANE)
            put(y->detail, sizeof y->detail, "no lane %s -> %s", y->from_region,
                     y->to_region);
        else
            put(y->detail, sizeof y->detail, "licence lead time %d periods (%s, export to %s)",
                     LDS_MATCH_LICENCE_LEAD, y->material, y->to_region);
        memcpy(y->redacted, y->detail, sizeof y->redacted - 1);
        return;
    }
    y->offer_id = o->id;
    y->offer_org = o->org;
    lds_match_fmt_period(o->from, p1);
    switch (c->kind) {
    case LDS_MATCH_WHY_SUPPLY: {
        char reqs[128];
        fmt_allocated(s, ostart, opair, c->offer, reqs, sizeof reqs);
        y->has_dual = 1;
        y->dual_cents = value[c->offer];
        lds_match_fmt_cents(y->dual_cents, m3);
        if (ostart[c->offer + 1] == ostart[c->offer])
            put(y->detail, sizeof y->detail, "offer %s has nothing to allocate (%s)", o->id,
                     lds_match_fmt_milli(o->qty, m1));
        else
            put(y->detail, sizeof y->detail,
                     "offer %s (%s) fully allocated to request%s %s; one more unit there is "
                     "worth %s (it would reach this request at %s + lane %s)",
                     o->id, lds_match_fmt_milli(o->qty, m1),
                     ostart[c->offer + 1] - ostart[c->offer] > 1 ? "s" : "", reqs, m3,
                     lds_match_fmt_cents(o->price, m2), lds_match_fmt_cents(c->lane_cost, m4));
        put(y->redacted, sizeof y->redacted,
                 "a compatible offer of another organisation is fully allocated; one more unit "
                 "there is worth %s",
                 m3);
        return;
    }
    case LDS_MATCH_WHY_PRICE_CAP:
        put(y->detail, sizeof y->detail, "offer %s could serve but price %s + lane %s > cap %s",
                 o->id, lds_match_fmt_cents(o->price, m1), lds_match_fmt_cents(c->lane_cost, m2),
                 lds_match_fmt_cents(d->maxp, m3));
        put(y->redacted, sizeof y->redacted,
                 "an offer of another organisation could serve, but above the cap %s", m3);
        return;
    case LDS_MATCH_WHY_WINDOW:
        if (o->from > d->due) {
            put(y->detail, sizeof y->detail, "offer %s ships only from %s, due %s", o->id, p1,
                     p2);
        } else {
            y->from_region = s->names[o->reg];
            y->to_region = s->names[d->reg];
            put(y->detail, sizeof y->detail,
                     "offer %s ships only from %s, transit %d period%s (%s -> %s), due %s", o->id,
                     p1, (int)c->transit, c->transit == 1 ? "" : "s", y->from_region, y->to_region,
                     p2);
        }
        put(y->redacted, sizeof y->redacted,
                 "an offer of another organisation cannot arrive by %s", p2);
        return;
    case LDS_MATCH_WHY_PURITY:
        if (o->purity == LDS_MATCH_NO_PURITY)
            put(y->detail, sizeof y->detail, "offer %s states no purity, minimum %s", o->id,
                     (fmt_purity(d->minp, m2), m2));
        else
            put(y->detail, sizeof y->detail, "offer %s purity %s below the minimum %s", o->id,
                     (fmt_purity(o->purity, m1), m1), (fmt_purity(d->minp, m2), m2));
        put(y->redacted, sizeof y->redacted,
                 "an offer of another organisation is below the minimum purity %s", m2);
        return;
    }
}

/* The why list of every unmet request (r->unmet[i] is request u_slot[i]):
 * each live offer of the request's material is classified by the first
 * condition it fails (the same evaluation as the network's pairs); the
 * exhausted compatible offers get their exact value per unit: the cost
 * saved when one more unit there replaces dearer units on the same requests
 * (every request keeps its quantity), the cheapest alternating path offer ->
 * request -> offer ... -> U over the allocation, one backward Dijkstra to U
 * for all of them.  Ranked by stage (closest to serving
 * first), then value / excess, then offer order; lane and licence items
 * once per route. */
static lds_code build_why(lds_match_session *s, lds_match_result *r, const uint32_t *u_slot,
                          const uint8_t *dirty, lds_err *err)
{
    lds_code rc = LDS_OK;
    const int64_t *flow = lds_mcf_flows(s->solver);
    uint8_t *unmet_rq = lds_calloc(s->n_rq + 1, 1);
    uint8_t *want = lds_calloc(s->n_of + 1, 1), *alive_o = NULL, *dead2 = NULL;
    int64_t *pot_o = NULL, *pot_d = NULL;
    int64_t *value = lds_calloc(s->n_of + 1, sizeof *value);
    uint32_t *ostart = lds_calloc(s->n_of + 2, sizeof *ostart);
    uint32_t *opair = NULL, *lane_seen = lds_calloc(s->n_names + 1, sizeof *lane_seen);
    uint32_t *reg_stamp = lds_calloc(s->n_names + 1, sizeof *reg_stamp);
    uint32_t *reg_fi = lds_calloc(s->n_names + 1, sizeof *reg_fi);
    uint32_t *rstart = NULL, *rpair = NULL, *mat_live = NULL, *lane_cnt = NULL;
    if (!unmet_rq || !want || !value || !ostart || !lane_seen || !reg_stamp || !reg_fi) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < r->n_unmet; i++)
        unmet_rq[u_slot[i]] = 1;
    /* the pairs of the materials kept are left out of every pass below */
    const uint8_t *dk = s->p_dead;
    size_t n_clean = 0;
    for (size_t m = 0; m < s->n_names; m++)
        n_clean += !dirty[m];
    if (n_clean) {
        dead2 = lds_malloc(s->n_p + 1);
        if (!dead2) {
            rc = oom(err);
            goto out;
        }
        for (size_t k = 0; k < s->n_p; k++)
            dead2[k] = s->p_dead[k] || !dirty[s->of[s->p_offer[k]].mat];
        dk = dead2;
    }
    /* allocation lines by offer; offers to value: those in pairs of unmet requests */
    size_t n_flowing = 0, n_want = 0;
    for (size_t k = 0; k < s->n_p; k++) {
        if (dk[k])
            continue;
        if (s->p_flow[k] > 0) {
            ostart[s->p_offer[k] + 1]++;
            n_flowing++;
        }
        if (unmet_rq[s->p_req[k]] && !want[s->p_offer[k]] && dirty[s->of[s->p_offer[k]].mat]) {
            want[s->p_offer[k]] = 1;
            n_want++;
        }
    }
    for (size_t o = 0; o < s->n_of; o++)
        ostart[o + 1] += ostart[o];
    /* the pairs of each unmet request, and the live offers per material */
    size_t n_rp = 0;
    rstart = lds_calloc(s->n_rq + 2, sizeof *rstart);
    mat_live = lds_calloc(s->n_names + 1, sizeof *mat_live);
    lane_cnt = lds_calloc(s->n_names + 1, sizeof *lane_cnt);
    if (!rstart || !mat_live || !lane_cnt) {
        rc = oom(err);
        goto out;
    }
    for (size_t k = 0; k < s->n_p; k++)
        if (!dk[k] && unmet_rq[s->p_req[k]]) {
            rstart[s->p_req[k] + 1]++;
            n_rp++;
        }
    for (size_t q = 0; q < s->n_rq; q++)
        rstart[q + 1] += rstart[q];
    for (size_t o = 0; o < s->n_of; o++)
        mat_live[s->of[o].mat] += s->of[o].alive != 0;
    rpair = lds_malloc((n_rp + 1) * sizeof *rpair);
    opair = lds_malloc((n_flowing + 1) * sizeof *opair);
    if (!opair || !rpair) {
        rc = oom(err);
        goto out;
    }
    {
        size_t *fill = lds_malloc((s->n_of + 1) * sizeof *fill);
        if (!fill) {
            rc = oom(err);
            goto out;
        }
        for (size_t o = 0; o < s->n_of; o++)
            fill[o] = ostart[o];
        for (size_t k = 0; k < s->n_p; k++)
            if (!dk[k] && s->p_flow[k] > 0)
                opair[fill[s->p_offer[k]]++] = (uint32_t)k;
        lds_free(fill);
        uint32_t *rfill = lds_malloc((s->n_rq + 1) * sizeof *rfill);
        if (!rfill) {
            rc = oom(err);
            goto out;
        }
        memcpy(rfill, rstart, s->n_rq * sizeof *rfill);
        for (size_t k = 0; k < s->n_p; k++)
            if (!dk[k] && unmet_rq[s->p_req[k]])
                rpair[rfill[s->p_req[k]]++] = (uint32_t)k;
        lds_free(rfill);
    }
    if (n_want) {
        /* every request keeps its quantity: the re-routing runs over the
         * pair arcs and ends at some offer's unsold supply (U) */
        const int64_t *pot = lds_mcf_potentials(s->solver);
        pot_o = lds_calloc(s->n_of + 1, sizeof *pot_o);
        pot_d = lds_calloc(s->n_rq + 1, sizeof *pot_d);
        alive_o = lds_calloc(s->n_of + 1, 1);
        if (!pot_o || !pot_d || !alive_o) {
            rc = oom(err);
            goto out;
        }
        for (size_t o = 0; o < s->n_of; o++)
            if (s->of[o].alive) {
                pot_o[o] = pot[s->of[o].node];
                alive_o[o] = dirty[s->of[o].mat]; /* a path stays in its material */
            }
        for (size_t q = 0; q < s->n_rq; q++)
            if (s->rq[q].alive)
                pot_d[q] = pot[s->rq[q].node];
        rc = lds_match__supply_value((uint32_t)s->n_of, (uint32_t)s->n_rq, s->n_p, s->p_offer,
                                     s->p_req, dk, s->p_cost, s->p_flow, alive_o, pot_o,
                                     pot_d, pot[s->node_u], want, n_want, value, err);
        if (rc != LDS_OK)
            goto out;
    }
    /* candidates per request, then the kept items */
    size_t total = 0;
    r->why__ = lds_calloc(r->n_unmet * LDS_MATCH_WHY_MAX + 1, sizeof *r->why__);
    if (!r->why__) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < r->n_unmet; i++) {
        const sreq *d = &s->rq[u_slot[i]];
        const vec *vo = &s->mat_offers[d->mat];
        if (!dirty[d->mat]) { /* nothing of its material changed: the kept chain */
            uint32_t slot = u_slot[i];
            lds_match_why *y = &r->why__[total];
            memcpy(y, &s->x_why[s->x_off[slot]], s->x_n[slot] * sizeof *y);
            r->unmet[i].why = y;
            r->unmet[i].n_why = s->x_n[slot];
            r->unmet[i].n_why_more = s->x_more[slot];
            total += s->x_n[slot];
            s->n_reused++;
            continue;
        }
        s->n_explained++;
        size_t n = 0, n_live = 0, kept = 0, licence_cnt = 0;
        int licence_seen = 0;
        why_cand best[LDS_MATCH_WHY_MAX + 1], tmp;
        /* Fast path: with LDS_MATCH_WHY_MAX exhausted compatible offers the
         * items are all supply items; the other offers are only counted. */
        size_t n_ex = 0;
        for (uint32_t k = rstart[u_slot[i]]; k < rstart[u_slot[i] + 1]; k++)
            n_ex += flow[s->of[s->p_offer[rpair[k]]].arc_u] == 0;
        int fast = n_ex >= LDS_MATCH_WHY_MAX;
        for (uint32_t k = rstart[u_slot[i]]; fast && k < rstart[u_slot[i] + 1]; k++) {
            uint32_t pk = rpair[k], oi = s->p_offer[pk];
            if (flow[s->of[oi].arc_u] > 0)
                continue;
            why_cand *c = &tmp;
            memset(c, 0, sizeof *c);
            c->offer = oi;
            c->stage = 4;
            c->kind = LDS_MATCH_WHY_SUPPLY;
            c->key = -value[oi];
            c->lane_cost = s->p_lane[pk];
            if (kept == LDS_MATCH_WHY_MAX && cmp_cand(c, &best[kept - 1]) >= 0)
                continue;
            size_t at = kept < LDS_MATCH_WHY_MAX ? kept++ : kept - 1;
            while (at > 0 && cmp_cand(c, &best[at - 1]) < 0) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = *c;
        }
        if (fast) {
            n_live = mat_live[d->mat];
            n = n_live;
        }
        for (size_t a = 0; !fast && a < vo->n; a++) {
            uint32_t oi = vo->v[a];
            const soffer *o = &s->of[oi];
            if (!o->alive)
                continue;
            n_live++;
            if (reg_stamp[o->reg] != i + 1) { /* the lane frontier, once per region */
                reg_stamp[o->reg] = (uint32_t)i + 1;
                reg_fi[o->reg] = u64map_get(&s->lane_map, (uint64_t)o->reg << 32 | d->reg);
            }
            pair_eval ev;
            memset(&ev, 0, sizeof ev);
            evaluate_fi(s, o, d, reg_fi[o->reg], &ev);
            why_cand *c = &tmp;
            memset(c, 0, sizeof *c);
            c->offer = oi;
            c->stage = (uint8_t)ev.stage;
            c->lane_cost = ev.lane_cost;
            switch (ev.stage) {
            case 0:
                c->kind = o->from > d->due && !(d->minp != LDS_MATCH_NO_PURITY &&
                                                (o->purity == LDS_MATCH_NO_PURITY ||
                                                 o->purity < d->minp))
                              ? LDS_MATCH_WHY_WINDOW
                              : LDS_MATCH_WHY_PURITY;
                break;
            case 1: {
                uint32_t fi = reg_fi[o->reg];
                if (fi == NONE) {
                    if (lane_seen[o->reg] == i + 1) {
                        lane_cnt[o->reg]++;
                        continue;
                    }
                    lane_seen[o->reg] = (uint32_t)i + 1;
                    lane_cnt[o->reg] = 1;
                    c->kind = LDS_MATCH_WHY_LANE;
                } else {
                    c->kind = LDS_MATCH_WHY_WINDOW;
                    c->transit = s->pts[s->fr[fi].start].transit; /* the fastest lane */
                }
                break;
            }
            case 2:
                licence_cnt++;
                if (licence_seen)
                    continue;
                licence_seen = 1;
                c->kind = LDS_MATCH_WHY_LICENCE;
                break;
            case 3:
                c->kind = LDS_MATCH_WHY_PRICE_CAP;
                c->key = o->price + ev.lane_cost - d->maxp;
                break;
            default:
                if (flow[o->arc_u] > 0)
                    continue; /* unsold supply: cannot happen at a maximum flow */
                c->kind = LDS_MATCH_WHY_SUPPLY;
                c->key = -value[oi];
                break;
            }
            n++;
            /* keep the LDS_MATCH_WHY_MAX best, sorted (insertion) */
            if (kept == LDS_MATCH_WHY_MAX && cmp_cand(c, &best[kept - 1]) >= 0)
                continue;
            size_t at = kept < LDS_MATCH_WHY_MAX ? kept++ : kept - 1;
            while (at > 0 && cmp_cand(c, &best[at - 1]) < 0) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = *c;
        }
        if (!n_live) {
            memset(&best[0], 0, sizeof best[0]);
            best[0].offer = NONE;
            best[0].kind = LDS_MATCH_WHY_SUPPLY;
            n = kept = 1;
        }
        size_t keep = kept, covered = 0;
        lds_match_why *y = &r->why__[total];
        for (size_t k = 0; k < keep; k++) {
            render_why(s, d, &best[k], value, ostart, opair, &y[k]);
            covered += best[k].offer == NONE                   ? 0
                       : best[k].kind == LDS_MATCH_WHY_LANE    ? lane_cnt[s->of[best[k].offer].reg]
                       : best[k].kind == LDS_MATCH_WHY_LICENCE ? licence_cnt
                                                               : 1;
        }
        (void)n;
        r->unmet[i].why = y;
        r->unmet[i].n_why = keep;
        r->unmet[i].n_why_more = n_live > covered ? n_live - covered : 0;
        total += keep;
    }
    /* keep the chains and the flows they were built on */
    {
        lds_match_why *xw = lds_malloc((total + 1) * sizeof *xw);
        uint32_t *xo = lds_malloc((s->n_rq + 1) * sizeof *xo);
        uint8_t *xn = lds_malloc(s->n_rq + 1);
        size_t *xm = lds_malloc((s->n_rq + 1) * sizeof *xm);
        if (!xw || !xo || !xn || !xm) {
            lds_free(xw);
            lds_free(xo);
            lds_free(xn);
            lds_free(xm);
            rc = oom(err);
            goto out;
        }
        if (total)
            memcpy(xw, r->why__, total * sizeof *xw);
        for (size_t q = 0; q < s->n_rq; q++)
            xo[q] = NONE;
        for (size_t i = 0; i < r->n_unmet; i++) {
            xo[u_slot[i]] = (uint32_t)(r->unmet[i].why - r->why__);
            xn[u_slot[i]] = (uint8_t)r->unmet[i].n_why;
            xm[u_slot[i]] = r->unmet[i].n_why_more;
        }
        lds_free(s->x_why);
        lds_free(s->x_off);
        lds_free(s->x_n);
        lds_free(s->x_more);
        s->x_why = xw;
        s->x_off = xo;
        s->x_n = xn;
        s->x_more = xm;
        s->x_n_rq = s->n_rq;
    }
out:
    lds_free(dead2);
    lds_free(unmet_rq);
    lds_free(want);
    lds_free(value);
    lds_free(ostart);
    lds_free(opair);
    lds_free(lane_seen);
    lds_free(reg_stamp);
    lds_free(reg_fi);
    lds_free(rstart);
    lds_free(rpair);
    lds_free(mat_live);
    lds_free(lane_cnt);
    lds_free(pot_o);
    lds_free(pot_d);
    lds_free(alive_o);
    return rc;
}

lds_code lds_match_session_explain(lds_match_session *s, lds_err *err)
{
    lds_match_result *r = s->cur;
    if (!r || !r->n_unmet || r->why__)
        return LDS_OK;
    if (!s->solver || s->broken)
        return lds_err_set(err, LDS_EINVAL, "matching session has no solved network to explain");
    uint32_t *u_slot = lds_malloc(r->n_unmet * sizeof *u_slot);
    if (!u_slot)
        return oom(err);
    /* the unmet entries are the live requests short of their quantity, in slot order */
    const int64_t *flow = lds_mcf_flows(s->solver);
    size_t n = 0;
    for (size_t i = 0; i < s->n_rq && n < r->n_unmet; i++)
        if (s->rq[i].alive && flow[s->rq[i].arc_g] < s->rq[i].qty)
            u_slot[n++] = (uint32_t)i;
    /* the materials to explain again; the others keep their chains */
    uint8_t *dirty = n == r->n_unmet ? lds_calloc(s->n_names + 1, 1) : NULL;
    if (dirty && !GROW(s->x_flow, s->x_cap_flow, s->n_p + 1)) {
        lds_free(dirty);
        dirty = NULL;
    }
    if (dirty) {
        /* compare the pair flows with the last explain's, and keep them */
        int all = s->x_all || !s->x_why;
        for (size_t k = 0; k < s->n_p; k++)
            if (k >= s->x_np || s->p_flow[k] != s->x_flow[k]) {
                dirty[s->of[s->p_offer[k]].mat] = 1;
                s->x_flow[k] = s->p_flow[k];
            }
        s->x_np = s->n_p;
        if (all) {
            memset(dirty, 1, s->n_names);
        } else {
            for (size_t k = 0; k < s->x_changed.n; k++)
                dirty[s->x_changed.v[k]] = 1;
            for (size_t i = 0; i < n; i++)
                if (u_slot[i] >= s->x_n_rq || s->x_off[u_slot[i]] == NONE)
                    dirty[s->rq[u_slot[i]].mat] = 1;
        }
    }
    lds_code rc = n != r->n_unmet ? lds_err_set(err, LDS_ECORRUPT, "unmet requests changed")
                  : !dirty        ? oom(err)
                                  : build_why(s, r, u_slot, dirty, err);
    lds_free(u_slot);
    lds_free(dirty);
    if (rc == LDS_OK) {
        s->x_all = 0;
        s->x_changed.n = 0;
    }
    if (rc != LDS_OK) {
        s->x_all = 1;
        lds_free(r->why__);
        r->why__ = NULL;
        for (size_t i = 0; i < r->n_unmet; i++) {
            r->unmet[i].why = NULL;
            r->unmet[i].n_why = r->unmet[i].n_why_more = 0;
        }
    }
    return rc;
}

void lds_match__why_forget(lds_match_session *s)
{
    s->x_all = 1;
    lds_match_result *r = s->cur;
    if (!r)
        return;
    lds_free(r->why__);
    r->why__ = NULL;
    for (size_t i = 0; i < r->n_unmet; i++) {
        r->unmet[i].why = NULL;
        r->unmet[i].n_why = r->unmet[i].n_why_more = 0;
    }
}

/* Fills the session's diff between `old` and `now` (both sorted by ids). */
static lds_code make_diff(lds_match_session *s, const lds_match_result *old,
                          const lds_match_result *now, lds_match_diff *diff, lds_err *err)
{
    size_t i = 0, j = 0, n = 0;
    size_t worst = (old ? old->n_lines : 0) + now->n_lines;
    if (!GROW(s->diff, s->cap_diff, worst + 1))
        return oom(err);
    while ((old && i < old->n_lines) || j < now->n_lines) {
        int c;
        if (!old || i >= old->n_lines)
            c = 1;
        else if (j >= now->n_lines)
            c = -1;
        else
            c = cmp_line(&old->lines[i], &now->lines[j]);
        lds_match_line_diff *d = &s->diff[n];
        memset(d, 0, sizeof *d);
        if (c < 0) {
            d->change = LDS_MATCH_LINE_REMOVED;
            d->before = old->lines[i++];
            n++;
        } else if (c > 0) {
            d->change = LDS_MATCH_LINE_ADDED;
            d->after = now->lines[j++];
            n++;
        } else {
            const lds_match_line *a = &old->lines[i++], *b = &now->lines[j++];
            if (a->qty_milli != b->qty_milli || a->ship_period != b->ship_period ||
                a->unit_price_cents != b->unit_price_cents ||
                a->logistics_cents != b->logistics_cents ||
                a->line_total_cents != b->line_total_cents ||
                a->licence_required != b->licence_required || a->transit != b->transit) {
                d->change = LDS_MATCH_LINE_CHANGED;
                d->before = *a;
                d->after = *b;
                n++;
            }
        }
    }
    if (diff) {
        diff->items = s->diff;
        diff->n_items = n;
    }
    return LDS_OK;
}

/* ---- records ------------------------------------------------------------ */

static lds_code add_offer_record(lds_match_session *s, const lds_match_offer *in, uint32_t *slot,
                                 lds_err *err)
{
    if (!GROW(s->of, s->cap_of, s->n_of + 1) || !GROW(s->of_ids, s->cap_of_ids, s->n_of + 1))
        return oom(err);
    soffer *o = &s->of[s->n_of];
    memset(o, 0, sizeof *o);
    o->id = lds_strdup(in->id);
    o->org = lds_strdup(in->org ? in->org : "");
    o->mat = intern(s, in->material);
    o->reg = intern(s, in->region);
    if (!o->id || !o->org || o->mat == NONE || o->reg == NONE) {
        lds_free(o->id);
        lds_free(o->org);
        return oom(err);
    }
    o->qty = in->qty_milli;
    o->price = in->price_cents;
    o->purity = in->purity;
    o->from = in->from;
    o->to = in->to;
    o->controlled = in->controlled != 0;
    o->abroad = in->abroad != 0;
    o->alive = 1;
    o->node = NONE;
    o->arc_u = NONE;
    s->of_ids[s->n_of] = o->id;
    if (!vec_push(&s->mat_offers[o->mat], (uint32_t)s->n_of)) {
        lds_free(o->id);
        lds_free(o->org);
        return oom(err);
    }
    if (!strmap_put(&s->of_map, s->of_ids, (uint32_t)s->n_of)) {
        s->mat_offers[o->mat].n--;
        lds_free(o->id);
        lds_free(o->org);
        return oom(err);
    }
    why_touch(s, o->mat);
    *slot = (uint32_t)s->n_of++;
    return LDS_OK;
}

static lds_code add_request_record(lds_match_session *s, const lds_match_request *in,
                                   uint32_t *slot, lds_err *err)
{
    if (!GROW(s->rq, s->cap_rq, s->n_rq + 1) || !GROW(s->rq_ids, s->cap_rq_ids, s->n_rq + 1))
        return oom(err);
    sreq *d = &s->rq[s->n_rq];
    memset(d, 0, sizeof *d);
    d->id = lds_strdup(in->id);
    d->org = lds_strdup(in->org ? in->org : "");
    d->mat = intern(s, in->material);
    d->reg = intern(s, in->region);
    if (!d->id || !d->org || d->mat == NONE || d->reg == NONE) {
        lds_free(d->id);
        lds_free(d->org);
        return oom(err);
    }
    d->qty = in->qty_milli;
    d->maxp = in->max_price_cents;
    d->minp = in->min_purity;
    d->due = in->due;
    d->abroad = in->abroad != 0;
    d->alive = 1;
    d->node = NONE;
    d->arc_g = NONE;
    d->group = NONE;
    s->rq_ids[s->n_rq] = d->id;
    if (!vec_push(&s->mat_reqs[d->mat], (uint32_t)s->n_rq)) {
        lds_free(d->id);
        lds_free(d->org);
        return oom(err);
    }
    if (!strmap_put(&s->rq_map, s->rq_ids, (uint32_t)s->n_rq)) {
        s->mat_reqs[d->mat].n--;
        lds_free(d->id);
        lds_free(d->org);
        return oom(err);
    }
    why_touch(s, d->mat);
    *slot = (uint32_t)s->n_rq++;
    return LDS_OK;
}

void lds_match_session_free(lds_match_session *s)
{
    if (!s)
        return;
    lds_mcf_solver_free(s->solver);
    for (size_t i = 0; i < s->n_of; i++) {
        lds_free(s->of[i].id);
        lds_free(s->of[i].org);
    }
    for (size_t i = 0; i < s->n_rq; i++) {
        lds_free(s->rq[i].id);
        lds_free(s->rq[i].org);
    }
    for (size_t i = 0; i < s->n_names; i++)
        lds_free(s->names[i]);
    for (size_t i = 0; i < s->cap_mat; i++) {
        lds_free(s->mat_offers[i].v);
        lds_free(s->mat_reqs[i].v);
    }
    lds_free(s->mat_offers);
    lds_free(s->mat_reqs);
    lds_free(s->names);
    lds_free(s->name_map.slot);
    lds_free(s->lane_map.key);
    lds_free(s->lane_map.val);
    lds_free(s->fr);
    lds_free(s->pts);
    lds_free(s->of);
    lds_free(s->of_ids);
    lds_free(s->of_map.slot);
    lds_free(s->rq);
    lds_free(s->rq_ids);
    lds_free(s->rq_map.slot);
    lds_free(s->gr);
    lds_free(s->gr_map.key);
    lds_free(s->gr_map.val);
    lds_free(s->p_offer);
    lds_free(s->p_req);
    lds_free(s->p_arc);
    lds_free(s->p_cost);
    lds_free(s->p_lane);
    lds_free(s->p_flow);
    lds_free(s->p_ship);
    lds_free(s->p_transit);
    lds_free(s->p_lic);
    lds_free(s->p_dead);
    lds_free(s->diff);
    lds_free(s->x_changed.v);
    lds_free(s->x_why);
    lds_free(s->x_off);
    lds_free(s->x_n);
    lds_free(s->x_more);
    lds_free(s->x_flow);
    result_free_arrays(s->cur);
    lds_free(s);
}

lds_code lds_match_session_new(const lds_match_input *in, lds_match_session **out, lds_err *err)
{
    *out = NULL;
    lds_code rc;
    for (size_t i = 0; i < in->n_offers; i++)
        if ((rc = check_offer(&in->offers[i], i, err)) != LDS_OK)
            return rc;
    for (size_t i = 0; i < in->n_requests; i++)
        if ((rc = check_request(&in->requests[i], i, err)) != LDS_OK)
            return rc;
    for (size_t i = 0; i < in->n_lanes; i++)
        if ((rc = check_lane(&in->lanes[i], i, err)) != LDS_OK)
            return rc;
    lds_match_session *s = lds_calloc(1, sizeof *s);
    if (!s)
        return oom(err);
    rc = load_lanes(s, in->lanes, in->n_lanes, err);
    for (size_t i = 0; i < in->n_offers && rc == LDS_OK; i++) {
        uint32_t slot;
        if (strmap_find(&s->of_map, s->of_ids, in->offers[i].id) != NONE) {
            char f[64];
            snprintf(f, sizeof f, "/offers/%zu", i);
            rc = lds_err_field(err, LDS_EINVAL, f, "duplicate offer id '%s'", in->offers[i].id);
            break;
        }
        rc = add_offer_record(s, &in->offers[i], &slot, err);
    }
    for (size_t i = 0; i < in->n_requests && rc == LDS_OK; i++) {
        uint32_t slot;
        if (strmap_find(&s->rq_map, s->rq_ids, in->requests[i].id) != NONE) {
            char f[64];
            snprintf(f, sizeof f, "/requests/%zu", i);
            rc = lds_err_field(err, LDS_EINVAL, f, "duplicate request id '%s'",
                               in->requests[i].id);
            break;
        }
        rc = add_request_record(s, &in->requests[i], &slot, err);
    }
    if (rc == LDS_OK)
        rc = rebuild(s, err);
    if (rc == LDS_OK)
        rc = build_result(s, &s->cur, err);
    if (rc != LDS_OK) {
        lds_match_session_free(s);
        return rc;
    }
    *out = s;
    return LDS_OK;
}

const lds_match_result *lds_match_session_result(const lds_match_session *s)
{
    return s->cur;
}

void lds_match_session_stats_get(const lds_match_session *s, lds_match_session_stats *st)
{
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < s->n_of; i++)
        st->offers += s->of[i].alive != 0;
    for (size_t i = 0; i < s->n_rq; i++)
        st->requests += s->rq[i].alive != 0;
    st->record_slots = s->n_of + s->n_rq;
    st->pairs = s->n_live_pairs;
    st->pair_slots = s->n_p;
    st->cold_solves = s->n_cold;
    st->warm_solves = s->n_warm;
    st->why_built = s->n_explained;
    st->why_kept = s->n_reused;
}

const lds_mcf_problem *lds_match_session_problem(const lds_match_session *s)
{
    return s->solver ? lds_mcf_solver_problem(s->solver) : NULL;
}

/* After records changed (and, when warm, the network): solve, diff, swap. */
static lds_code commit(lds_match_session *s, int warm, uint32_t only, lds_match_diff *diff,
                       lds_err *err)
{
    lds_code rc = warm ? finish_solve(s, only, err) : rebuild(s, err);
    if (rc == LDS_OK && warm)
        s->n_warm++;
    if (rc != LDS_OK && warm)
        rc = rebuild(s, err); /* a warm failure (e.g. no memory for the basis): try cold */
    lds_match_result *now = NULL;
    if (rc == LDS_OK)
        rc = build_result(s, &now, err);
    if (rc == LDS_OK)
        rc = make_diff(s, s->cur, now, diff, err);
    if (rc != LDS_OK) {
        s->broken = 1;
        result_free_arrays(now);
        return rc;
    }
    result_free_arrays(s->cur);
    s->cur = now;
    return LDS_OK;
}

static lds_code kill_pairs(lds_match_session *s, int of_offer, uint32_t slot, lds_err *err)
{
    for (size_t k = 0; k < s->n_p; k++) {
        if (s->p_dead[k] || (of_offer ? s->p_offer[k] : s->p_req[k]) != slot)
            continue;
        s->p_dead[k] = 1;
        s->p_flow[k] = 0;
        s->n_live_pairs--;
        lds_code rc = lds_mcf_set_bounds(s->solver, s->p_arc[k], 0, 0, err);
        if (rc != LDS_OK)
            return rc;
    }
    return LDS_OK;
}

/* Recomputes the stage of every live request of material m. */
static void restage(lds_match_session *s, uint32_t m)
{
    vec *vo = &s->mat_offers[m], *vd = &s->mat_reqs[m];
    for (size_t b = 0; b < vd->n; b++) {
        sreq *d = &s->rq[vd->v[b]];
        if (!d->alive)
            continue;
        d->stage = 0;
        for (size_t a = 0; a < vo->n && d->stage < 4; a++) {
            const soffer *o = &s->of[vo->v[a]];
            if (!o->alive)
                continue;
            pair_eval ev;
            evaluate(s, o, d, &ev);
            if (ev.stage > d->stage)
                d->stage = ev.stage;
        }
    }
}

/* Marks offer `slot` dead; warm-updates the network when `warm`. */
static lds_code drop_offer(lds_match_session *s, uint32_t slot, int warm, lds_err *err)
{
    soffer *o = &s->of[slot];
    o->alive = 0;
    why_touch(s, o->mat);
    restage(s, o->mat);
    if (!warm)
        return LDS_OK;
    lds_code rc = kill_pairs(s, 1, slot, err);
    if (rc == LDS_OK)
        rc = lds_mcf_set_supply(s->solver, o->node, 0, err);
    if (rc == LDS_OK)
        rc = lds_mcf_set_bounds(s->solver, o->arc_u, 0, 0, err);
    return rc;
}

static lds_code drop_request(lds_match_session *s, uint32_t slot, int warm, lds_err *err)
{
    sreq *d = &s->rq[slot];
    d->alive = 0;
    why_touch(s, d->mat);
    if (!warm)
        return LDS_OK;
    lds_code rc = kill_pairs(s, 0, slot, err);
    if (rc == LDS_OK)
        rc = lds_mcf_set_bounds(s->solver, d->arc_g, 0, 0, err);
    return rc;
}

static int can_warm(const lds_match_session *s, uint32_t nodes_needed)
{
    return s->solver && !s->broken && s->next_node + nodes_needed <= s->n_nodes;
}

lds_code lds_match_session_put_offer(lds_match_session *s, const lds_match_offer *in,
                                     lds_match_diff *diff, lds_err *err)
{
    if (diff)
        diff->items = NULL, diff->n_items = 0;
    lds_code rc = check_offer(in, 0, err);
    if (rc != LDS_OK)
        return rc;
    uint32_t old = strmap_find(&s->of_map, s->of_ids, in->id), slot;
    int warm = can_warm(s, 1), replaced = old != NONE && s->of[old].alive;
    if ((rc = add_offer_record(s, in, &slot, err)) != LDS_OK)
        return rc;
    if (replaced && (rc = drop_offer(s, old, warm, err)) != LDS_OK)
        goto fail;
    if (warm) {
        soffer *o = &s->of[slot];
        o->node = s->next_node++;
        rc = lds_mcf_add_arc(s->solver, o->node, s->node_u, 0, LDS_MCF_INF, 0, &o->arc_u, err);
        vec *vd = &s->mat_reqs[o->mat];
        for (size_t b = 0; b < vd->n && rc == LDS_OK; b++) {
            sreq *d = &s->rq[vd->v[b]];
            if (!d->alive)
                continue;
            pair_eval ev;
            evaluate(s, o, d, &ev);
            if (ev.stage > d->stage)
                d->stage = ev.stage;
            if (ev.stage < 4)
                continue;
            if (!add_pair(s, slot, vd->v[b], &ev)) {
                rc = pair_error(s, err);
                break;
            }
            rc = lds_mcf_add_arc(s->solver, o->node, d->node, 0, LDS_MCF_INF, s->p_cost[s->n_p - 1],
                                 &s->p_arc[s->n_p - 1], err);
        }
        if (rc == LDS_OK)
            rc = lds_mcf_set_supply(s->solver, o->node, o->qty, err);
        if (rc != LDS_OK)
            goto fail;
    }
    /* A pure addition: the old flow was maximum, so only paths from the new
     * offer can augment it. */
    rc = commit(s, warm, replaced ? NONE : slot, diff, err);
    if (rc == LDS_OK)
        return LDS_OK;
fail:
    /* Undo the change in the records; the network is rebuilt next time. */
    s->broken = 1;
    s->of[slot].alive = 0;
    if (replaced) {
        s->of[old].alive = 1;
        strmap_repoint(&s->of_map, s->of_ids, old);
    }
    restage(s, s->of[slot].mat);
    return rc;
}

lds_code lds_match_session_put_request(lds_match_session *s, const lds_match_request *in,
                                       lds_match_diff *diff, lds_err *err)
{
    if (diff)
        diff->items = NULL, diff->n_items = 0;
    lds_code rc = check_request(in, 0, err);
    if (rc != LDS_OK)
        return rc;
    uint32_t old = strmap_find(&s->rq_map, s->rq_ids, in->id), slot;
    int warm = can_warm(s, 2), replaced = old != NONE && s->rq[old].alive;
    if ((rc = add_request_record(s, in, &slot, err)) != LDS_OK)
        return rc;
    if (replaced && (rc = drop_request(s, old, warm, err)) != LDS_OK)
        goto fail;
    if (warm) {
        sreq *d = &s->rq[slot];
        uint32_t g = group_of(s, d);
        if (g == NONE) {
            rc = oom(err);
            goto fail;
        }
        d->group = g;
        if (s->gr[g].node == NONE) {
            s->gr[g].node = s->next_node++;
            rc = lds_mcf_add_arc(s->solver, s->gr[g].node, s->node_t, 0, LDS_MCF_INF, 0,
                                 &s->gr[g].arc_t, err);
        }
        d->node = s->next_node++;
        if (rc == LDS_OK)
            rc = lds_mcf_add_arc(s->solver, d->node, s->gr[g].node, 0, d->qty, 0, &d->arc_g, err);
        d->stage = 0;
        vec *vo = &s->mat_offers[d->mat];
        for (size_t a = 0; a < vo->n && rc == LDS_OK; a++) {
            const soffer *o = &s->of[vo->v[a]];
            if (!o->alive)
                continue;
            pair_eval ev;
            evaluate(s, o, d, &ev);
            if (ev.stage > d->stage)
                d->stage = ev.stage;
            if (ev.stage < 4)
                continue;
            if (!add_pair(s, vo->v[a], slot, &ev)) {
                rc = pair_error(s, err);
                break;
            }
            rc = lds_mcf_add_arc(s->solver, o->node, d->node, 0, LDS_MCF_INF, s->p_cost[s->n_p - 1],
                                 &s->p_arc[s->n_p - 1], err);
        }
        if (rc != LDS_OK)
            goto fail;
    }
    rc = commit(s, warm, NONE, diff, err);
    if (rc == LDS_OK)
        return LDS_OK;
fail:
    s->broken = 1;
    s->rq[slot].alive = 0;
    if (replaced) {
        s->rq[old].alive = 1;
        strmap_repoint(&s->rq_map, s->rq_ids, old);
    }
    restage(s, s->rq[slot].mat);
    return rc;
}

lds_code lds_match_session_withdraw_offer(lds_match_session *s, const char *id,
                                          lds_match_diff *diff, lds_err *err)
{
    if (diff)
        diff->items = NULL, diff->n_items = 0;
    uint32_t slot = id ? strmap_find(&s->of_map, s->of_ids, id) : NONE;
    if (slot == NONE || !s->of[slot].alive)
        return lds_err_set(err, LDS_ENOTFOUND, "no offer '%s'", id ? id : "");
    int warm = can_warm(s, 0);
    lds_code rc = drop_offer(s, slot, warm, err);
    if (rc == LDS_OK)
        rc = commit(s, warm, NONE, diff, err);
    if (rc != LDS_OK) {
        s->broken = 1;
        s->of[slot].alive = 1;
        restage(s, s->of[slot].mat);
    }
    return rc;
}

lds_code lds_match_session_withdraw_request(lds_match_session *s, const char *id,
                                            lds_match_diff *diff, lds_err *err)
{
    if (diff)
        diff->items = NULL, diff->n_items = 0;
    uint32_t slot = id ? strmap_find(&s->rq_map, s->rq_ids, id) : NONE;
    if (slot == NONE || !s->rq[slot].alive)
        return lds_err_set(err, LDS_ENOTFOUND, "no request '%s'", id ? id : "");
    int warm = can_warm(s, 0);
    lds_code rc = drop_request(s, slot, warm, err);
    if (rc == LDS_OK)
        rc = commit(s, warm, NONE, diff, err);
    if (rc != LDS_OK) {
        s->broken = 1;
        s->rq[slot].alive = 1;
        restage(s, s->rq[slot].mat);
    }
    return rc;
}

/* ---- one-shot run ------------------------------------------------------- */

lds_code lds_match_run(const lds_match_input *in, lds_match_result **out, lds_err *err)
{
    *out = NULL;
    lds_match_session *s;
    lds_code rc = lds_match_session_new(in, &s, err);
    if (rc != LDS_OK)
        return rc;
    if ((rc = lds_match_session_explain(s, err)) != LDS_OK) {
        lds_match_session_free(s);
        return rc;
    }
    /* The result keeps the session's strings; drop the heavy parts now. */
    lds_mcf_solver_free(s->solver);
    s->solver = NULL;
    uint32_t **u32[] = {&s->p_offer, &s->p_req, &s->p_arc};
    int64_t **i64[] = {&s->p_cost, &s->p_lane, &s->p_flow};
    for (size_t k = 0; k < 3; k++) {
        lds_free(*u32[k]);
        *u32[k] = NULL;
        lds_free(*i64[k]);
        *i64[k] = NULL;
    }
    lds_free(s->p_ship);
    lds_free(s->p_transit);
    lds_free(s->p_lic);
    lds_free(s->p_dead);
    s->p_ship = s->p_transit = NULL;
    s->p_lic = s->p_dead = NULL;
    s->n_p = s->cap_p = 0;
    lds_match_result *r = s->cur;
    s->cur = NULL;
    r->owner__ = s;
    *out = r;
    return LDS_OK;
}

void lds_match_result_free(lds_match_result *r)
{
    if (!r)
        return;
    lds_match_session *owner = r->owner__;
    result_free_arrays(r);
    lds_match_session_free(owner);
}
