/*
 * why.c — "why short" helpers: the exact value of one more unit of an
 * exhausted offer (a shortest residual path in the solved network, Dijkstra
 * on reduced costs), and the JSON writer of an unmet request's why list
 * with the confidentiality rule (docs/matching.md "Why short").
 */
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/match.h"
#include "match_int.h"

static int64_t sat(lds_match__i128 x)
{
    return x > INT64_MAX ? INT64_MAX : x < 0 ? 0 : (int64_t)x;
}

lds_code lds_match__supply_value(uint32_t n_o, uint32_t n_d, size_t n_pairs,
                                 const uint32_t *p_offer, const uint32_t *p_req,
                                 const uint8_t *dead, const int64_t *p_cost, const int64_t *p_flow,
                                 const uint8_t *alive_o, const int64_t *pot_o, const int64_t *pot_d,
                                 int64_t pot_u, const uint8_t *want_o, size_t n_want,
                                 int64_t *value_o, lds_err *err)
{
    size_t n = (size_t)n_o + n_d; /* offers, then requests */
    uint32_t *start = lds_calloc(n + 2, sizeof *start);
    lds_match__hent *adj = lds_malloc((2 * n_pairs + 1) * sizeof *adj); /* (reduced weight, tail) */
    int64_t *key = lds_malloc((n + 1) * sizeof *key);
    uint8_t *done = lds_calloc(n + 1, 1);
    lds_match__hent *heap = lds_malloc((2 * n_pairs + n + 1) * sizeof *heap);
    lds_code rc = LDS_OK;
    if (!start || !adj || !key || !done || !heap) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory for the value of supply");
        goto out;
    }
    /* in-lists, backwards: a request's are its pairs (o -> d residual at
     * cost + lane), an offer's are its pairs with flow (d -> o at minus it);
     * each entry holds its reduced weight, so the search reads it in order */
    for (size_t k = 0; k < n_pairs; k++) {
        if (dead[k]) continue;
        start[n_o + p_req[k] + 1]++;
        if (p_flow[k] > 0) start[p_offer[k] + 1]++;
    }
    for (size_t u = 0; u < n; u++)
        start[u + 1] += start[u];
    {
        uint32_t *fill = lds_malloc((n + 1) * sizeof *fill);
        if (!fill) {
            rc = lds_err_set(err, LDS_ENOMEM, "out of memory for the value of supply");
            goto out;
        }
        memcpy(fill, start, n * sizeof *fill);
        for (size_t k = 0; k < n_pairs; k++) {
            if (dead[k]) continue;
            uint32_t o = p_offer[k], d = p_req[k];
            lds_match__i128 r = (lds_match__i128)p_cost[k] - pot_o[o] + pot_d[d];
            lds_match__hent *a = &adj[fill[n_o + d]++];
            a->key = sat(r);
            a->node = o;
            if (p_flow[k] > 0) {
                a = &adj[fill[o]++];
                a->key = sat(-r);
                a->node = n_o + d;
            }
        }
        lds_free(fill);
    }
    size_t hn = 0, left = n_want;
    for (size_t u = 0; u < n; u++)
        key[u] = INT64_MAX;
    for (uint32_t o = 0; o < n_o; o++) /* o -> U at 0: reduced pot_u - pot_o */
        if (alive_o[o]) {
            key[o] = sat((lds_match__i128)pot_u - pot_o[o]);
            lds_match__heap_push(heap, &hn, key[o], o);
        }
    while (hn && left) {
        lds_match__hent e = lds_match__heap_pop(heap, &hn);
        uint32_t x = e.node;
        if (done[x] || e.key != key[x]) continue;
        done[x] = 1;
        if (x < n_o && want_o[x]) left--;
        for (uint32_t j = start[x]; j < start[x + 1]; j++) {
            uint32_t y = adj[j].node;
            int64_t nk = sat((lds_match__i128)e.key + adj[j].key);
            if (nk < key[y]) {
                key[y] = nk;
                lds_match__heap_push(heap, &hn, nk, y);
            }
        }
    }
    for (uint32_t o = 0; o < n_o; o++) {
        value_o[o] = 0;
        if (!want_o[o] || !done[o]) continue;
        lds_match__i128 dist = (lds_match__i128)key[o] + pot_o[o] - pot_u;
        value_o[o] = dist >= 0 ? 0 : -dist > INT64_MAX ? INT64_MAX : (int64_t)-dist;
    }
out:
    lds_free(start);
    lds_free(adj);
    lds_free(key);
    lds_free(done);
    lds_free(heap);
    return rc;
}

const char *lds_match_why_kind_name(lds_match_why_kind k)
{
    switch (k) {
    case LDS_MATCH_WHY_SUPPLY:
        return "supply";
    case LDS_MATCH_WHY_PRICE_CAP:
        return "price_cap";
    case LDS_MATCH_WHY_LICENCE:
        return "licence";
    case LDS_MATCH_WHY_LANE:
        return "lane";
    case LDS_MATCH_WHY_WINDOW:
        return "window";
    case LDS_MATCH_WHY_PURITY:
        return "purity";
    }
    return "unknown";
}

void lds_match_write_why_json(const lds_match_unmet *u, const char *viewer_org, lds_buf *b)
{
    char x[32];
    lds_buf_addc(b, '[');
    for (size_t i = 0; i < u->n_why; i++) {
        const lds_match_why *y = &u->why[i];
        int hide = viewer_org && y->offer_org && strcmp(viewer_org, y->offer_org) != 0;
        lds_buf_adds(b, i ? ",{\"kind\":" : "{\"kind\":");
        lds_buf_add_json_str(b, lds_match_why_kind_name(y->kind));
        lds_buf_adds(b, ",\"offer\":");
        if (y->offer_id && !hide)
            lds_buf_add_json_str(b, y->offer_id);
        else
            lds_buf_adds(b, "null");
        lds_buf_adds(b, ",\"offer_org\":");
        if (y->offer_org && !hide)
            lds_buf_add_json_str(b, y->offer_org);
        else
            lds_buf_adds(b, "null");
        lds_buf_adds(b, ",\"own_offer\":");
        lds_buf_adds(b, y->offer_org && viewer_org && !hide ? "true" : "false");
        if (y->from_region) {
            lds_buf_adds(b, ",\"from_region\":");
            lds_buf_add_json_str(b, y->from_region);
        }
        if (y->to_region) {
            lds_buf_adds(b, ",\"to_region\":");
            lds_buf_add_json_str(b, y->to_region);
        }
        lds_buf_adds(b, ",\"material\":");
        lds_buf_add_json_str(b, y->material);
        lds_buf_adds(b, ",\"detail\":");
        lds_buf_add_json_str(b, hide ? y->redacted : y->detail);
        if (y->has_dual)
            lds_buf_addf(b, ",\"dual\":%s}", lds_match_fmt_cents(y->dual_cents, x));
        else
            lds_buf_adds(b, ",\"dual\":null}");
    }
    if (u->n_why_more)
        lds_buf_addf(b, "%s{\"kind\":\"more\",\"count\":%zu}", u->n_why ? "," : "", u->n_why_more);
    lds_buf_addc(b, ']');
}
