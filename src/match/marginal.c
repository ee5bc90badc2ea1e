/*
 * marginal.c — dual prices of the matching as exact marginal costs: the
 * cheapest way to deliver one more unit (0.001 at a time) to a request from
 * supply that is still unsold, re-routing other lines where that helps.
 * By the successive-shortest-path theorem this is exactly the increase of
 * the optimal cost when one more unit is matched there.  Dijkstra with the
 * mcf potentials keeps every arc weight non-negative.
 */
#include <string.h>
#include "lodestone/alloc.h"
#include "match_int.h"

lds_code lds_match__marginal(uint32_t n_o, uint32_t n_d, size_t n_pairs, const uint32_t *p_offer,
                             const uint32_t *p_req, const uint8_t *dead, const int64_t *p_cost,
                             const int64_t *p_flow, const uint8_t *src, const int64_t *pot_o,
                             const int64_t *pot_d, int64_t *out_d, lds_err *err)
{
    size_t n = (size_t)n_o + n_d;
    uint32_t *start = lds_calloc(n + 2, sizeof *start);
    uint32_t *adj = lds_malloc((2 * n_pairs + 1) * sizeof *adj);
    int64_t *key = lds_malloc((n + 1) * sizeof *key);
    uint8_t *done = lds_calloc(n + 1, 1);
    size_t heap_cap = 2 * n_pairs + n + 1, hn = 0;
    lds_match__hent *heap = lds_malloc(heap_cap * sizeof *heap);
    lds_code rc = LDS_OK;
    if (!start || !adj || !key || !done || !heap) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory for dual prices");
        goto out;
    }
    for (size_t p = 0; p < n_pairs; p++) {
        if (dead[p])
            continue;
        start[p_offer[p] + 1]++;
        start[n_o + p_req[p] + 1]++;
    }
    for (size_t u = 0; u < n; u++)
        start[u + 1] += start[u];
    {
        uint32_t *fill = lds_malloc((n + 1) * sizeof *fill);
        if (!fill) {
            rc = lds_err_set(err, LDS_ENOMEM, "out of memory for dual prices");
            goto out;
        }
        memcpy(fill, start, n * sizeof *fill);
        for (size_t p = 0; p < n_pairs; p++) {
            if (dead[p])
                continue;
            adj[fill[p_offer[p]]++] = (uint32_t)p;
            adj[fill[n_o + p_req[p]]++] = (uint32_t)p;
        }
        lds_free(fill);
    }
    for (size_t u = 0; u < n; u++)
        key[u] = INT64_MAX;
    /* key(v) = min over paths s..v of (sum of reduced costs + pot(s)); the
     * true cost of the path is then key(v) - pot(v). */
    for (uint32_t o = 0; o < n_o; o++)
        if (src[o]) {
            key[o] = pot_o[o];
            lds_match__heap_push(heap, &hn, key[o], o);
        }
    while (hn) {
        lds_match__hent h = lds_match__heap_pop(heap, &hn);
        uint32_t u = h.node;
        if (done[u] || h.key != key[u])
            continue;
        done[u] = 1;
        for (uint32_t k = start[u]; k < start[u + 1]; k++) {
            uint32_t p = adj[k], o = p_offer[p], d = p_req[p], v;
            int64_t rcost;
            if (u < n_o) { /* forward pair arc o -> d */
                v = n_o + d;
                rcost = p_cost[p] - pot_o[o] + pot_d[d];
            } else { /* backward: d -> o where the pair carries flow */
                if (p_flow[p] <= 0)
                    continue;
                v = o;
                rcost = -p_cost[p] + pot_o[o] - pot_d[d];
            }
            if (rcost < 0)
                rcost = 0; /* cannot happen at an optimum; keeps Dijkstra sound */
            if (done[v] || h.key > INT64_MAX - rcost)
                continue;
            int64_t nk = h.key + rcost;
            if (nk < key[v]) {
                key[v] = nk;
                if (hn < heap_cap)
                    lds_match__heap_push(heap, &hn, nk, v);
            }
        }
    }
    for (uint32_t d = 0; d < n_d; d++)
        out_d[d] = key[n_o + d] == INT64_MAX ? INT64_MAX : key[n_o + d] - pot_d[d];
out:
    lds_free(start);
    lds_free(adj);
    lds_free(key);
    lds_free(done);
    lds_free(heap);
    return rc;
}
