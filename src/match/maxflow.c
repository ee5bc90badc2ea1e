/*
 * maxflow.c — Dinic's maximum flow on the offer/request bipartite graph,
 * phase 1 of the lexicographic objective (the largest matched quantity).
 * Nodes 0..n_o-1 are offers, n_o..n_o+n_d-1 requests; the source and sink
 * are implicit (residual source->offer = cap - outflow, request->sink =
 * cap - inflow).  Residual arcs: offer->request always (pairs are
 * uncapacitated), request->offer when the pair carries flow.  The DFS is
 * iterative with current-arc pointers; dead ends get level -1.
 */
#include <string.h>
#include "lodestone/alloc.h"
#include "match_int.h"

typedef struct mf {
    uint32_t n_o, n_d, n;
    const int64_t *cap_o, *cap_d;
    const uint32_t *p_offer, *p_req;
    int64_t *flow;
    int64_t *out_o, *in_d; /* current outflow / inflow */
    uint32_t *start, *adj; /* CSR: pairs of node u are adj[start[u] .. start[u+1]) */
    int32_t *level;
    uint32_t *it, *queue, *stack_node, *stack_pair;
    uint32_t only;         /* the one source offer, or 0xffffffff for all */
} mf;

static int bfs(mf *g, int32_t *t_level)
{
    uint32_t qh = 0, qt = 0;
    for (uint32_t u = 0; u < g->n; u++)
        g->level[u] = -1;
    for (uint32_t o = 0; o < g->n_o; o++)
        if (g->out_o[o] < g->cap_o[o] && (g->only == 0xffffffffu || o == g->only)) {
            g->level[o] = 0;
            g->queue[qt++] = o;
        }
    *t_level = -1;
    while (qh < qt) {
        uint32_t u = g->queue[qh++];
        if (*t_level >= 0 && g->level[u] >= *t_level)
            break;
        if (u < g->n_o) {
            for (uint32_t k = g->start[u]; k < g->start[u + 1]; k++) {
                uint32_t d = g->n_o + g->p_req[g->adj[k]];
                if (g->level[d] < 0) {
                    g->level[d] = g->level[u] + 1;
                    g->queue[qt++] = d;
                }
            }
        } else {
            if (g->in_d[u - g->n_o] < g->cap_d[u - g->n_o] && *t_level < 0)
                *t_level = g->level[u] + 1;
            for (uint32_t k = g->start[u]; k < g->start[u + 1]; k++) {
                uint32_t p = g->adj[k], o = g->p_offer[p];
                if (g->flow[p] > 0 && g->level[o] < 0) {
                    g->level[o] = g->level[u] + 1;
                    g->queue[qt++] = o;
                }
            }
        }
    }
    return *t_level >= 0;
}

/* One blocking flow from every level-0 offer; returns the flow pushed. */
static int64_t blocking(mf *g, int32_t t_level)
{
    int64_t pushed = 0;
    for (uint32_t u = 0; u < g->n; u++)
        g->it[u] = g->start[u];
    for (uint32_t s = 0; s < g->n_o; s++) {
        if (g->level[s] != 0)
            continue;
        while (g->out_o[s] < g->cap_o[s] && g->level[s] == 0) {
            uint32_t depth = 0;
            g->stack_node[0] = s;
            int reached = 0;
            while (!reached) {
                uint32_t u = g->stack_node[depth];
                int advanced = 0;
                if (u >= g->n_o && g->level[u] + 1 == t_level &&
                    g->in_d[u - g->n_o] < g->cap_d[u - g->n_o]) {
                    reached = 1;
                    break;
                }
                for (; g->it[u] < g->start[u + 1]; g->it[u]++) {
                    uint32_t p = g->adj[g->it[u]], v;
                    if (u < g->n_o) {
                        v = g->n_o + g->p_req[p];
                    } else {
                        if (g->flow[p] <= 0)
                            continue;
                        v = g->p_offer[p];
                    }
                    if (g->level[v] != g->level[u] + 1 || g->level[v] > t_level)
                        continue;
                    g->stack_pair[depth] = p;
                    g->stack_node[++depth] = v;
                    advanced = 1;
                    break;
                }
                if (advanced)
                    continue;
                g->level[u] = -1; /* dead end */
                if (depth == 0)
                    break;
                depth--;
                g->it[g->stack_node[depth]]++;
            }
            if (!reached)
                break;
            /* bottleneck: source spare, backward pair flows, sink spare */
            uint32_t last = g->stack_node[depth] - g->n_o;
            int64_t b = g->cap_o[s] - g->out_o[s];
            if (g->cap_d[last] - g->in_d[last] < b)
                b = g->cap_d[last] - g->in_d[last];
            for (uint32_t i = 0; i < depth; i++)
                if (g->stack_node[i] >= g->n_o && g->flow[g->stack_pair[i]] < b)
                    b = g->flow[g->stack_pair[i]];
            for (uint32_t i = 0; i < depth; i++) {
                if (g->stack_node[i] < g->n_o)
                    g->flow[g->stack_pair[i]] += b;
                else
                    g->flow[g->stack_pair[i]] -= b;
            }
            g->out_o[s] += b;
            g->in_d[last] += b;
            pushed += b;
        }
    }
    return pushed;
}

lds_code lds_match__maxflow(uint32_t n_o, const int64_t *cap_o, uint32_t n_d, const int64_t *cap_d,
                            size_t n_pairs, const uint32_t *p_offer, const uint32_t *p_req,
                            const uint8_t *dead, uint32_t only, int64_t *flow, int64_t *total,
                            lds_err *err)
{
    mf g;
    memset(&g, 0, sizeof g);
    g.n_o = n_o;
    g.n_d = n_d;
    g.n = n_o + n_d;
    g.cap_o = cap_o;
    g.cap_d = cap_d;
    g.p_offer = p_offer;
    g.p_req = p_req;
    g.flow = flow;
    g.only = only;
    size_t n1 = (size_t)g.n + 1;
    g.out_o = lds_calloc((size_t)n_o + 1, sizeof *g.out_o);
    g.in_d = lds_calloc((size_t)n_d + 1, sizeof *g.in_d);
    g.start = lds_calloc(n1 + 1, sizeof *g.start);
    g.adj = lds_malloc((2 * n_pairs + 1) * sizeof *g.adj);
    g.level = lds_malloc(n1 * sizeof *g.level);
    g.it = lds_malloc(n1 * sizeof *g.it);
    g.queue = lds_malloc(n1 * sizeof *g.queue);
    g.stack_node = lds_malloc(n1 * sizeof *g.stack_node);
    g.stack_pair = lds_malloc(n1 * sizeof *g.stack_pair);
    lds_code rc = LDS_OK;
    if (!g.out_o || !g.in_d || !g.start || !g.adj || !g.level || !g.it || !g.queue ||
        !g.stack_node || !g.stack_pair) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory for the matching max-flow");
        goto done;
    }
    for (size_t p = 0; p < n_pairs; p++) {
        if (dead && dead[p])
            continue;
        g.start[p_offer[p] + 1]++;
        g.start[n_o + p_req[p] + 1]++;
        g.out_o[p_offer[p]] += flow[p];
        g.in_d[p_req[p]] += flow[p];
    }
    for (uint32_t u = 0; u < g.n; u++)
        g.start[u + 1] += g.start[u];
    {
        uint32_t *fill = g.queue; /* reuse as fill pointers */
        for (uint32_t u = 0; u < g.n; u++)
            fill[u] = g.start[u];
        for (size_t p = 0; p < n_pairs; p++) {
            if (dead && dead[p])
                continue;
            g.adj[fill[p_offer[p]]++] = (uint32_t)p;
            g.adj[fill[n_o + p_req[p]]++] = (uint32_t)p;
        }
    }
    int64_t sum = 0;
    for (uint32_t o = 0; o < n_o; o++)
        sum += g.out_o[o];
    if (sum == 0 && n_o) {
        /* Cold: a greedy fill first, offers with the fewest requests first
         * (they have the least choice), leaves Dinic few phases. */
        uint32_t max_deg = 0;
        for (uint32_t o = 0; o < n_o; o++)
            if (g.start[o + 1] - g.start[o] > max_deg)
                max_deg = g.start[o + 1] - g.start[o];
        uint32_t *cnt = lds_calloc((size_t)max_deg + 2, sizeof *cnt);
        uint32_t *order = g.stack_node; /* scratch, n_o <= n entries */
        if (!cnt) {
            rc = lds_err_set(err, LDS_ENOMEM, "out of memory for the matching max-flow");
            goto done;
        }
        for (uint32_t o = 0; o < n_o; o++)
            cnt[g.start[o + 1] - g.start[o] + 1]++;
        for (uint32_t k = 0; k <= max_deg; k++)
            cnt[k + 1] += cnt[k];
        for (uint32_t o = 0; o < n_o; o++)
            order[cnt[g.start[o + 1] - g.start[o]]++] = o;
        lds_free(cnt);
        for (uint32_t i = 0; i < n_o; i++) {
            uint32_t o = order[i];
            for (uint32_t k = g.start[o]; k < g.start[o + 1] && g.out_o[o] < cap_o[o]; k++) {
                uint32_t p = g.adj[k], d = p_req[p];
                int64_t b = cap_o[o] - g.out_o[o];
                if (cap_d[d] - g.in_d[d] < b)
                    b = cap_d[d] - g.in_d[d];
                if (b <= 0)
                    continue;
                flow[p] += b;
                g.out_o[o] += b;
                g.in_d[d] += b;
                sum += b;
            }
        }
    }
    int32_t t_level;
    while (bfs(&g, &t_level))
        sum += blocking(&g, t_level);
    *total = sum;
done:
    lds_free(g.out_o);
    lds_free(g.in_d);
    lds_free(g.start);
    lds_free(g.adj);
    lds_free(g.level);
    lds_free(g.it);
    lds_free(g.queue);
    lds_free(g.stack_node);
    lds_free(g.stack_pair);
    return rc;
}

