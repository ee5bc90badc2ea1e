/*
 * engine.c — the pure part of lineage: origin shares propagated backward
 * over an in-memory graph of lots, the fraction of each downstream lot that
 * comes from a given lot, and the mass-balance test of one transformation.
 * No store, no clock, no I/O.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lineage_int.h"

/* Incoming edges per node in CSR form (edges whose output is the node). */
typedef struct csr {
    size_t *start; /* n_nodes + 1 */
    size_t *edge;  /* n_edges edge indices grouped by output */
} csr;

static void csr_free(csr *g)
{
    lds_free(g->start);
    lds_free(g->edge);
}

static lds_code csr_build(size_t n_nodes, const lds_lineage_edge *edges, size_t n_edges,
                          csr *g, lds_err *err)
{
    g->start = lds_calloc(n_nodes + 1, sizeof *g->start);
    g->edge = lds_malloc((n_edges ? n_edges : 1) * sizeof *g->edge);
    if (!g->start || !g->edge) {
        csr_free(g);
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n_edges; i++) {
        if (edges[i].input >= n_nodes || edges[i].output >= n_nodes) {
            csr_free(g);
            return lds_err_set(err, LDS_EINVAL, "lineage edge %zu names a node out of range", i);
        }
        g->start[edges[i].output + 1]++;
    }
    for (size_t v = 0; v < n_nodes; v++)
        g->start[v + 1] += g->start[v];
    size_t *fill = lds_calloc(n_nodes + 1, sizeof *fill);
    if (!fill) {
        csr_free(g);
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n_edges; i++) {
        size_t v = edges[i].output;
        g->edge[g->start[v] + fill[v]++] = i;
    }
    lds_free(fill);
    return LDS_OK;
}

/*
 * Total-content weights of the usable incoming edges of a node (`skip[e]`
 * marks edges that close a cycle): REO content when every usable input has
 * it and it sums above zero, else quantity alone, else an equal split.
 */
static void total_weights(const lds_lineage_edge *edges, const size_t *ids, size_t n,
                          const unsigned char *skip, double *w)
{
    int all_reo = 1;
    double sum_reo = 0, sum_q = 0;
    size_t usable = 0;
    for (size_t k = 0; k < n; k++) {
        const lds_lineage_edge *e = &edges[ids[k]];
        if (skip && skip[ids[k]])
            continue;
        usable++;
        if (!e->has_reo)
            all_reo = 0;
        else
            sum_reo += e->total;
        sum_q += e->weight > 0 ? e->weight : 0;
    }
    for (size_t k = 0; k < n; k++) {
        const lds_lineage_edge *e = &edges[ids[k]];
        if (skip && skip[ids[k]])
            w[k] = 0;
        else if (all_reo && sum_reo > 0)
            w[k] = e->total / sum_reo;
        else if (sum_q > 0)
            w[k] = (e->weight > 0 ? e->weight : 0) / sum_q;
        else
            w[k] = 1.0 / (double)usable;
    }
}

lds_code lds_lineage_propagate(const lds_lineage_node *nodes, size_t n_nodes,
                               const lds_lineage_edge *edges, size_t n_edges, size_t root,
                               lds_lineage_share *out, size_t *n_out, lds_err *err)
{
    (void)nodes;
    *n_out = 0;
    if (root >= n_nodes)
        return lds_err_set(err, LDS_EINVAL, "root %zu is not a node", root);
    csr g;
    lds_code rc = csr_build(n_nodes, edges, n_edges, &g, err);
    if (rc)
        return rc;
    /* Iterative DFS upstream from root: post-order gives inputs before
     * outputs; an edge into a node still on the stack closes a cycle. */
    unsigned char *state = lds_calloc(n_nodes, 1); /* 0 new, 1 on stack, 2 done */
    unsigned char *skip = lds_calloc(n_edges ? n_edges : 1, 1);
    size_t *stack = lds_malloc(n_nodes * sizeof *stack);
    size_t *pos = lds_calloc(n_nodes, sizeof *pos);
    size_t *order = lds_malloc(n_nodes * sizeof *order);
    double *ct = lds_calloc(n_nodes, sizeof *ct);                       /* total coefficient */
    double *ce = lds_calloc(n_nodes * LDS_RE_N, sizeof *ce);            /* per element */
    double *w = lds_malloc((n_edges ? n_edges : 1) * sizeof *w);
    if (!state || !skip || !stack || !pos || !order || !ct || !ce || !w) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
        goto done;
    }
    size_t sp = 0, n_order = 0;
    stack[sp++] = root;
    state[root] = 1;
    while (sp) {
        size_t v = stack[sp - 1];
        if (g.start[v] + pos[v] < g.start[v + 1]) {
            size_t e = g.edge[g.start[v] + pos[v]++];
            size_t u = edges[e].input;
            if (state[u] == 1)
                skip[e] = 1;
            else if (state[u] == 0) {
                state[u] = 1;
                stack[sp++] = u;
            }
        } else {
            state[v] = 2;
            order[n_order++] = v;
            sp--;
        }
    }
    /* Push coefficients from root (last in post-order) toward the origins. */
    ct[root] = 1;
    for (int el = 0; el < LDS_RE_N; el++)
        ce[root * LDS_RE_N + (size_t)el] = 1;
    for (size_t i = n_order; i-- > 0;) {
        size_t v = order[i];
        size_t a = g.start[v], n = g.start[v + 1] - a;
        size_t usable = 0;
        for (size_t k = 0; k < n; k++)
            usable += !skip[g.edge[a + k]];
        if (!usable)
            continue; /* an origin */
        total_weights(edges, g.edge + a, n, skip, w);
        for (size_t k = 0; k < n; k++)
            ct[edges[g.edge[a + k]].input] += ct[v] * w[k];
        for (int el = 0; el < LDS_RE_N; el++) {
            double c = ce[v * LDS_RE_N + (size_t)el];
            if (c == 0)
                continue;
            double sum = 0;
            for (size_t k = 0; k < n; k++) {
                const lds_lineage_edge *e = &edges[g.edge[a + k]];
                if (!skip[g.edge[a + k]] && e->has_reo)
                    sum += e->el[el];
            }
            if (!(sum > 0))
                continue; /* the element does not come in: its share is unknown here */
            for (size_t k = 0; k < n; k++) {
                const lds_lineage_edge *e = &edges[g.edge[a + k]];
                if (!skip[g.edge[a + k]] && e->has_reo)
                    ce[e->input * LDS_RE_N + (size_t)el] += c * e->el[el] / sum;
            }
        }
    }
    /* Origins in order of first visit (reverse post-order from the root). */
    double el_sum[LDS_RE_N] = {0};
    for (size_t i = n_order; i-- > 0;) {
        size_t v = order[i];
        size_t usable = 0;
        for (size_t k = g.start[v]; k < g.start[v + 1]; k++)
            usable += !skip[g.edge[k]];
        if (usable)
            continue;
        lds_lineage_share *o = &out[(*n_out)++];
        memset(o, 0, sizeof *o);
        o->node = v;
        o->share = ct[v];
        for (int el = 0; el < LDS_RE_N; el++) {
            double c = ce[v * LDS_RE_N + (size_t)el];
            /* An origin that is the root: its own elements only. */
            if (v == root && !(nodes[v].has_reo && nodes[v].el[el] > 0))
                c = 0;
            o->element_share[el] = c;
            el_sum[el] += c;
        }
    }
    /* Element shares are known where some content reached an origin;
     * normalised, so they sum to 1 across origins. */
    for (size_t k = 0; k < *n_out; k++) {
        lds_lineage_share *o = &out[k];
        for (int el = 0; el < LDS_RE_N; el++) {
            if (el_sum[el] > 1e-12) {
                o->element_mask |= 1u << el;
                o->element_share[el] /= el_sum[el];
            } else {
                o->element_share[el] = 0;
            }
        }
    }
done:
    lds_free(state);
    lds_free(skip);
    lds_free(stack);
    lds_free(pos);
    lds_free(order);
    lds_free(ct);
    lds_free(ce);
    lds_free(w);
    csr_free(&g);
    return rc;
}

lds_code lds_lineage_fractions(const lds_lineage_node *nodes, size_t n_nodes,
                               const lds_lineage_edge *edges, size_t n_edges, size_t root,
                               double *fraction, lds_err *err)
{
    (void)nodes;
    if (root >= n_nodes)
        return lds_err_set(err, LDS_EINVAL, "root %zu is not a node", root);
    csr g;
    lds_code rc = csr_build(n_nodes, edges, n_edges, &g, err);
    if (rc)
        return rc;
    /* Kahn's order over the whole graph; nodes on a cycle never resolve
     * and keep fraction 0 (the root keeps 1). */
    size_t *indeg = lds_calloc(n_nodes, sizeof *indeg);
    size_t *queue = lds_malloc(n_nodes * sizeof *queue);
    size_t *out_start = lds_calloc(n_nodes + 1, sizeof *out_start);
    size_t *out_edge = lds_malloc((n_edges ? n_edges : 1) * sizeof *out_edge);
    size_t *fill = lds_calloc(n_nodes, sizeof *fill);
    double *w = lds_malloc((n_edges ? n_edges : 1) * sizeof *w);
    if (!indeg || !queue || !out_start || !out_edge || !fill || !w) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_edges; i++) {
        indeg[edges[i].output]++;
        out_start[edges[i].input + 1]++;
    }
    for (size_t v = 0; v < n_nodes; v++)
        out_start[v + 1] += out_start[v];
    for (size_t i = 0; i < n_edges; i++)
        out_edge[out_start[edges[i].input] + fill[edges[i].input]++] = i;
    for (size_t v = 0; v < n_nodes; v++)
        fraction[v] = v == root ? 1.0 : 0.0;
    size_t head = 0, tail = 0;
    for (size_t v = 0; v < n_nodes; v++)
        if (!indeg[v])
            queue[tail++] = v;
    while (head < tail) {
        size_t v = queue[head++];
        size_t a = g.start[v], n = g.start[v + 1] - a;
        if (n && v != root) {
            total_weights(edges, g.edge + a, n, NULL, w);
            double f = 0;
            for (size_t k = 0; k < n; k++)
                f += w[k] * fraction[edges[g.edge[a + k]].input];
            fraction[v] = f;
        }
        for (size_t k = out_start[v]; k < out_start[v + 1]; k++) {
            size_t u = edges[out_edge[k]].output;
            if (--indeg[u] == 0)
                queue[tail++] = u;
        }
    }
done:
    lds_free(indeg);
    lds_free(queue);
    lds_free(out_start);
    lds_free(out_edge);
    lds_free(fill);
    lds_free(w);
    csr_free(&g);
    return rc;
}

static int exceeds(double out, double limit)
{
    return out > limit + 1e-9 + 1e-6 * fabs(limit);
}

size_t lds_lineage_mass_check(const lds_reo *in, const lds_reo *out, double yield,
                              lds_mass_violation *v, size_t cap)
{
    size_t n = 0;
    double limit = in->total_oxide_t * yield;
    if (exceeds(out->total_oxide_t, limit)) {
        if (n < cap)
            v[n] = (lds_mass_violation){-1, in->total_oxide_t, out->total_oxide_t, yield, limit};
        n++;
    }
    for (int el = 0; el < LDS_RE_N; el++) {
        limit = in->oxide_t[el] * yield;
        if (exceeds(out->oxide_t[el], limit)) {
            if (n < cap)
                v[n] = (lds_mass_violation){el, in->oxide_t[el], out->oxide_t[el], yield, limit};
            n++;
        }
    }
    return n;
}

void lds_lineage_mass_message(const lds_mass_violation *v, char *buf, size_t n)
{
    const char *what = v->element < 0 ? "REO" : lds_re_oxide((lds_re)v->element);
    snprintf(buf, n,
             "mass balance: %s out %.6f t exceeds in %.6f t x best yield %.4g = %.6f t", what,
             v->out_t, v->in_t, v->yield, v->limit_t);
}

double lds_lineage_best_yield(const lds_catalog *c, const char *material_id)
{
    double best = 0;
    if (c && material_id && *material_id) {
        for (size_t i = 0; i < lds_catalog_n_recipes(c); i++) {
            const lds_recipe *r = lds_catalog_recipe_at(c, i);
            for (size_t k = 0; k < r->n_outputs; k++)
                if (strcmp(r->outputs[k].material_id, material_id) == 0 && r->yield > best)
                    best = r->yield;
        }
    }
    return best > 0 ? best : 1.0;
}
