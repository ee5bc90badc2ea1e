/*
 * why.c — "why short" helpers: the exact value of one more unit of an
 * exhausted offer (a shortest residual path in the solved network, Dijkstra
 * on reduced costs), and the JSON writer of an unmet request's why list
 * with the confidentiality rule (docs/matching.md "Why short").
 */
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/match.h"
#include "lodestone/mcf.h"
#include "match_int.h"

typedef struct wh {
    int64_t key;
    uint32_t node;
} wh;

static void wh_push(wh *h, size_t *n, int64_t key, uint32_t node)
{
    size_t i = (*n)++;
    while (i) {
        size_t p = (i - 1) / 2;
        if (h[p].key <= key)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i].key = key;
    h[i].node = node;
}

static wh wh_pop(wh *h, size_t *n)
{
    wh top = h[0], last = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1].key < h[c].key)
            c++;
        if (h[c].key >= last.key)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = last;
    return top;
}

static int64_t sat(lds_match__i128 x)
{
    return x > INT64_MAX ? INT64_MAX : x < 0 ? 0 : (int64_t)x;
}

lds_code lds_match__path_to(const lds_mcf_problem *p, const int64_t *flow, const int64_t *pot,
                            const uint8_t *use, uint32_t target, const uint8_t *want,
                            size_t n_want, int64_t *out, lds_err *err)
{
    uint32_t n = p->n_nodes;
    size_t m = p->n_arcs;
    uint32_t *start = lds_calloc((size_t)n + 2, sizeof *start);
    uint32_t *from = lds_malloc((2 * m + 1) * sizeof *from);
    int64_t *w = lds_malloc((2 * m + 1) * sizeof *w);
    int64_t *key = lds_malloc(((size_t)n + 1) * sizeof *key);
    uint8_t *done = lds_calloc((size_t)n + 1, 1);
    wh *heap = lds_malloc((2 * m + n + 1) * sizeof *heap);
    lds_code rc = LDS_OK;
    if (!start || !from || !w || !key || !done || !heap) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory for the value of supply");
        goto out;
    }
    /* in-lists of the residual arcs, by their head */
    for (size_t a = 0; a < m; a++) {
        if (use && !use[a])
            continue;
        if (flow[a] < p->upper[a])
            start[p->head[a] + 1]++;
        if (flow[a] > p->lower[a])
            start[p->tail[a] + 1]++;
    }
    for (uint32_t u = 0; u < n; u++)
        start[u + 1] += start[u];
    {
        uint32_t *fill = lds_malloc(((size_t)n + 1) * sizeof *fill);
        if (!fill) {
            rc = lds_err_set(err, LDS_ENOMEM, "out of memory for the value of supply");
            goto out;
        }
        memcpy(fill, start, (size_t)n * sizeof *fill);
        for (size_t a = 0; a < m; a++) {
            if (use && !use[a])
                continue;
            uint32_t t = p->tail[a], h = p->head[a];
            lds_match__i128 r = (lds_match__i128)p->cost[a] - pot[t] + pot[h];
            if (flow[a] < p->upper[a]) { /* t -> h at reduced cost r >= 0 */
                from[fill[h]] = t;
                w[fill[h]++] = sat(r);
            }
            if (flow[a] > p->lower[a]) { /* h -> t at -r >= 0 */
                from[fill[t]] = h;
                w[fill[t]++] = sat(-r);
            }
        }
        lds_free(fill);
    }
    for (uint32_t u = 0; u < n; u++)
        key[u] = INT64_MAX;
    size_t hn = 0, left = n_want;
    key[target] = 0;
    wh_push(heap, &hn, 0, target);
    while (hn && left) {
        wh e = wh_pop(heap, &hn);
        if (done[e.node] || e.key != key[e.node])
            continue;
        done[e.node] = 1;
        if (want[e.node])
            left--;
        for (uint32_t k = start[e.node]; k < start[e.node + 1]; k++) {
            uint32_t x = from[k];
            if (done[x])
                continue;
            int64_t nk = sat((lds_match__i128)e.key + w[k]);
            if (nk < key[x]) {
                key[x] = nk;
                wh_push(heap, &hn, nk, x);
            }
        }
    }
    for (uint32_t u = 0; u < n; u++) {
        if (!done[u]) {
            out[u] = INT64_MAX;
            continue;
        }
        lds_match__i128 d = (lds_match__i128)key[u] + pot[u] - pot[target];
        out[u] = d > INT64_MAX / 2 ? INT64_MAX : d < INT64_MIN / 2 ? INT64_MIN / 2 : (int64_t)d;
    }
out:
    lds_free(start);
    lds_free(from);
    lds_free(w);
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
