/*
 * ref.h — an independent reference for the matching tests: compatibility
 * re-derived from the rules in docs/matching.md (every lane scanned, no
 * frontier), and the lexicographic optimum by successive shortest paths
 * (Bellman-Ford) on the bipartite graph S -> offers -> requests -> T, which
 * yields a min-cost flow for every flow value and stops at the maximum.
 * Also a seeded generator of small random instances.
 */
#ifndef LDS_TEST_MATCH_REF_H
#define LDS_TEST_MATCH_REF_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/match.h"

#define REF_MAX 16
#define REF_INF INT64_MAX
#define REF_FN  static __attribute__((unused))

/* Reference stage: 0 no compatible, 1 no lane, 2 licence, 3 price cap, 4 compatible. */
REF_FN int ref_pair(const lds_match_input *in, const lds_match_offer *o, const lds_match_request *d,
                    int64_t *cost)
{
    if (strcmp(o->material, d->material) != 0)
        return -1; /* not even the material */
    if (d->min_purity != LDS_MATCH_NO_PURITY &&
        (o->purity == LDS_MATCH_NO_PURITY || o->purity < d->min_purity))
        return 0;
    if (o->from > d->due)
        return 0;
    int lic = o->controlled && !o->abroad && d->abroad;
    int64_t lead = lic ? LDS_MATCH_LICENCE_LEAD : 0;
    int any_lane = 0, in_time = 0, in_time_lic = 0;
    int64_t best = REF_INF;
    for (size_t i = 0; i < in->n_lanes; i++) {
        const lds_match_lane *l = &in->lanes[i];
        if (strcmp(l->from, o->region) || strcmp(l->to, d->region))
            continue;
        any_lane = 1;
        if (o->from + l->transit <= d->due)
            in_time = 1;
        if (o->from + l->transit + lead <= d->due) {
            in_time_lic = 1;
            if (l->cost_cents < best)
                best = l->cost_cents;
        }
    }
    if (!any_lane && strcmp(o->region, d->region) == 0) {
        in_time = 1;
        if (o->from + lead <= d->due) {
            in_time_lic = 1;
            best = 0;
        }
    }
    if (!in_time)
        return 1;
    if (!in_time_lic)
        return 2;
    if (o->price_cents + best > d->max_price_cents)
        return 3;
    *cost = o->price_cents + best;
    return 4;
}

typedef struct ref_result {
    int64_t matched, cost_millicents;
    int64_t got[REF_MAX]; /* per request */
    int stage[REF_MAX];
} ref_result;

/* Successive shortest paths; `extra` (may be -1) adds one milli to request extra. */
REF_FN void ref_solve(const lds_match_input *in, int extra, ref_result *out)
{
    size_t no = in->n_offers, nd = in->n_requests;
    int64_t c[REF_MAX][REF_MAX];
    int ok[REF_MAX][REF_MAX];
    int64_t f[REF_MAX][REF_MAX];
    int64_t used_o[REF_MAX] = {0}, got_d[REF_MAX] = {0};
    memset(f, 0, sizeof f);
    for (size_t d = 0; d < nd; d++)
        out->stage[d] = 0;
    for (size_t o = 0; o < no; o++)
        for (size_t d = 0; d < nd; d++) {
            int64_t cost = 0;
            int st = ref_pair(in, &in->offers[o], &in->requests[d], &cost);
            ok[o][d] = st == 4;
            c[o][d] = cost;
            if (st > out->stage[d])
                out->stage[d] = st;
        }
    for (;;) {
        /* nodes: 0 = S, 1..no offers, no+1..no+nd requests, T = no+nd+1 */
        size_t n = no + nd + 2, t = n - 1;
        int64_t dist[2 * REF_MAX + 2];
        int prev[2 * REF_MAX + 2];
        for (size_t i = 0; i < n; i++)
            dist[i] = REF_INF, prev[i] = -1;
        dist[0] = 0;
        for (size_t it = 0; it < n; it++) {
            int changed = 0;
            for (size_t o = 0; o < no; o++) {
                int64_t cap_o = in->offers[o].qty_milli;
                if (dist[0] != REF_INF && used_o[o] < cap_o && dist[0] < dist[1 + o])
                    dist[1 + o] = dist[0], prev[1 + o] = 0, changed = 1;
                for (size_t d = 0; d < nd; d++) {
                    if (!ok[o][d])
                        continue;
                    size_t u = 1 + o, v = 1 + no + d;
                    if (dist[u] != REF_INF && dist[u] + c[o][d] < dist[v])
                        dist[v] = dist[u] + c[o][d], prev[v] = (int)u, changed = 1;
                    if (f[o][d] > 0 && dist[v] != REF_INF && dist[v] - c[o][d] < dist[u])
                        dist[u] = dist[v] - c[o][d], prev[u] = (int)v, changed = 1;
                }
            }
            for (size_t d = 0; d < nd; d++) {
                int64_t cap_d = in->requests[d].qty_milli + ((int)d == extra);
                size_t v = 1 + no + d;
                if (dist[v] != REF_INF && got_d[d] < cap_d && dist[v] < dist[t])
                    dist[t] = dist[v], prev[t] = (int)v, changed = 1;
            }
            if (!changed)
                break;
        }
        if (dist[t] == REF_INF)
            break;
        /* bottleneck along the path */
        int64_t b = REF_INF;
        for (int v = (int)t; v != 0; v = prev[v]) {
            int u = prev[v];
            if (v == (int)t) {
                size_t d = (size_t)u - 1 - no;
                int64_t cap_d = in->requests[d].qty_milli + ((int)d == extra);
                if (cap_d - got_d[d] < b)
                    b = cap_d - got_d[d];
            } else if (u == 0) {
                size_t o = (size_t)v - 1;
                if (in->offers[o].qty_milli - used_o[o] < b)
                    b = in->offers[o].qty_milli - used_o[o];
            } else if ((size_t)u > no) { /* backward request -> offer */
                if (f[v - 1][(size_t)u - 1 - no] < b)
                    b = f[v - 1][(size_t)u - 1 - no];
            }
        }
        for (int v = (int)t; v != 0; v = prev[v]) {
            int u = prev[v];
            if (v == (int)t)
                got_d[(size_t)u - 1 - no] += b;
            else if (u == 0)
                used_o[v - 1] += b;
            else if ((size_t)u <= no)
                f[u - 1][(size_t)v - 1 - no] += b;
            else
                f[v - 1][(size_t)u - 1 - no] -= b;
        }
    }
    out->matched = 0;
    out->cost_millicents = 0;
    for (size_t d = 0; d < nd; d++) {
        out->got[d] = got_d[d];
        out->matched += got_d[d];
    }
    for (size_t o = 0; o < no; o++)
        for (size_t d = 0; d < nd; d++)
            out->cost_millicents += f[o][d] * c[o][d];
}

/* ---- generator ------------------------------------------------------------ */

REF_FN uint64_t ref_rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

REF_FN int64_t ref_pick(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(ref_rng(s) % (uint64_t)(hi - lo + 1));
}

static const char *const ref_regions[] = {"zhanggong", "nanshan", "de_bw"};
static const char *const ref_mats[] = {"nd2o3", "dy2o3"};
static char ref_ids[2][REF_MAX][16];

typedef struct ref_inst {
    lds_match_offer o[REF_MAX];
    lds_match_request d[REF_MAX];
    lds_match_lane l[REF_MAX];
    lds_match_input in;
} ref_inst;

REF_FN void ref_offer(uint64_t *s, lds_match_offer *o, const char *id)
{
    memset(o, 0, sizeof *o);
    o->id = id;
    o->org = "up";
    o->material = ref_mats[ref_pick(s, 0, 1)];
    o->region = ref_regions[ref_pick(s, 0, 2)];
    o->qty_milli = ref_pick(s, 0, 3) == 0 ? ref_pick(s, 0, 9) : ref_pick(s, 1, 12) * 500;
    o->price_cents = ref_pick(s, 1, 20) * 50;
    o->from = (int32_t)(24312 + ref_pick(s, 0, 4));
    o->to = o->from + (int32_t)ref_pick(s, 0, 3);
    o->purity = ref_pick(s, 0, 2) == 0 ? LDS_MATCH_NO_PURITY : ref_pick(s, 990, 999) * 1000;
    o->controlled = strcmp(o->material, "dy2o3") == 0;
    o->abroad = strcmp(o->region, "de_bw") == 0;
}

REF_FN void ref_request(uint64_t *s, lds_match_request *d, const char *id)
{
    memset(d, 0, sizeof *d);
    d->id = id;
    d->org = "down";
    d->material = ref_mats[ref_pick(s, 0, 1)];
    d->region = ref_regions[ref_pick(s, 0, 2)];
    d->qty_milli = ref_pick(s, 1, 12) * 500 + ref_pick(s, 0, 1) * ref_pick(s, 1, 999);
    d->max_price_cents = ref_pick(s, 4, 30) * 50;
    d->due = (int32_t)(24312 + ref_pick(s, 0, 7));
    d->min_purity = ref_pick(s, 0, 1) == 0 ? LDS_MATCH_NO_PURITY : ref_pick(s, 990, 999) * 1000;
    d->abroad = strcmp(d->region, "de_bw") == 0;
}

REF_FN void ref_generate(uint64_t *s, ref_inst *x, size_t max_o, size_t max_d)
{
    for (unsigned k = 0; k < REF_MAX; k++) {
        snprintf(ref_ids[0][k], sizeof ref_ids[0][k], "o%u", k);
        snprintf(ref_ids[1][k], sizeof ref_ids[1][k], "d%u", k);
    }
    x->in.n_offers = (size_t)ref_pick(s, 0, (int64_t)max_o);
    x->in.n_requests = (size_t)ref_pick(s, 0, (int64_t)max_d);
    x->in.n_lanes = (size_t)ref_pick(s, 0, 6);
    for (size_t i = 0; i < x->in.n_offers; i++)
        ref_offer(s, &x->o[i], ref_ids[0][i]);
    for (size_t i = 0; i < x->in.n_requests; i++)
        ref_request(s, &x->d[i], ref_ids[1][i]);
    for (size_t i = 0; i < x->in.n_lanes; i++) {
        x->l[i].from = ref_regions[ref_pick(s, 0, 2)];
        x->l[i].to = ref_regions[ref_pick(s, 0, 2)];
        x->l[i].cost_cents = ref_pick(s, 0, 10) * 25;
        x->l[i].transit = (int32_t)ref_pick(s, 0, 3);
    }
    x->in.offers = x->o;
    x->in.requests = x->d;
    x->in.lanes = x->l;
}

#endif
