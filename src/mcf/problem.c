/*
 * problem.c — construction of lds_mcf_problem: growable struct-of-arrays
 * with checked node ranges and bounds.  Arc ids are dense and stable.
 */
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/mcf.h"
#include "ns.h"

#define MAX_ARCS 0x7ffffff0u /* arc ids must leave the top bit free (see simplex.c) */

lds_code lds_mcf_problem_init(lds_mcf_problem *p, uint32_t n_nodes, uint32_t arc_hint,
                              lds_err *err)
{
    memset(p, 0, sizeof *p);
    if (n_nodes > LDS_MCF__MAX_NODES)
        return lds_err_set(err, LDS_EINVAL, "too many nodes: %u (limit %u)", n_nodes,
                           (unsigned)LDS_MCF__MAX_NODES);
    if (arc_hint > MAX_ARCS)
        return lds_err_set(err, LDS_EINVAL, "too many arcs: %u (limit %u)", arc_hint,
                           (unsigned)MAX_ARCS);
    p->supply = lds_calloc(n_nodes ? n_nodes : 1, sizeof *p->supply);
    if (!p->supply)
        return lds_err_set(err, LDS_ENOMEM, "out of memory for %u nodes", n_nodes);
    p->n_nodes = n_nodes;
    if (arc_hint && lds_mcf__problem_reserve(p, arc_hint) != LDS_OK) {
        lds_mcf_problem_release(p);
        return lds_err_set(err, LDS_ENOMEM, "out of memory for %u arcs", arc_hint);
    }
    return LDS_OK;
}

void lds_mcf_problem_release(lds_mcf_problem *p)
{
    if (!p)
        return;
    lds_free(p->tail);
    lds_free(p->head);
    lds_free(p->lower);
    lds_free(p->upper);
    lds_free(p->cost);
    lds_free(p->supply);
    memset(p, 0, sizeof *p);
}

/* Grows one array to `n` elements of `size` bytes; NULL-safe on failure. */
static int grow(void **arr, size_t n, size_t size)
{
    void *q = lds_realloc(*arr, n * size);
    if (!q)
        return -1;
    *arr = q;
    return 0;
}

lds_code lds_mcf__problem_reserve(lds_mcf_problem *p, uint32_t want)
{
    if (want <= p->cap_arcs)
        return LDS_OK;
    if (want > MAX_ARCS)
        return LDS_EINVAL;
    if (grow((void **)&p->tail, want, sizeof *p->tail) ||
        grow((void **)&p->head, want, sizeof *p->head) ||
        grow((void **)&p->lower, want, sizeof *p->lower) ||
        grow((void **)&p->upper, want, sizeof *p->upper) ||
        grow((void **)&p->cost, want, sizeof *p->cost))
        return LDS_ENOMEM; /* arrays already grown stay valid; cap_arcs is unchanged */
    p->cap_arcs = want;
    return LDS_OK;
}

lds_code lds_mcf_problem_add_arc(lds_mcf_problem *p, uint32_t tail, uint32_t head, int64_t lower,
                                 int64_t upper, int64_t cost, uint32_t *id, lds_err *err)
{
    if (tail >= p->n_nodes || head >= p->n_nodes)
        return lds_err_set(err, LDS_EINVAL, "arc %u->%u: node out of range (n=%u)", tail, head,
                           p->n_nodes);
    if (lower > upper)
        return lds_err_set(err, LDS_EINVAL,
                           "arc %u->%u: lower bound %lld exceeds capacity %lld", tail, head,
                           (long long)lower, (long long)upper);
    if (p->n_arcs == p->cap_arcs) {
        if (p->n_arcs >= MAX_ARCS)
            return lds_err_set(err, LDS_EINVAL, "too many arcs (limit %u)", (unsigned)MAX_ARCS);
        uint64_t want = p->cap_arcs < 16 ? 16 : (uint64_t)p->cap_arcs * 2;
        if (want > MAX_ARCS)
            want = MAX_ARCS;
        lds_code rc = lds_mcf__problem_reserve(p, (uint32_t)want);
        if (rc != LDS_OK)
            return lds_err_set(err, rc, "out of memory for %llu arcs", (unsigned long long)want);
    }
    uint32_t e = p->n_arcs++;
    p->tail[e] = tail;
    p->head[e] = head;
    p->lower[e] = lower;
    p->upper[e] = upper;
    p->cost[e] = cost;
    if (id)
        *id = e;
    return LDS_OK;
}

lds_code lds_mcf__problem_copy(lds_mcf_problem *dst, const lds_mcf_problem *src, lds_err *err)
{
    /* Slack for a few warm add_arc calls without reallocating everything. */
    uint64_t want = (uint64_t)src->n_arcs + src->n_arcs / 32 + 64;
    if (want > MAX_ARCS)
        want = src->n_arcs;
    lds_code rc = lds_mcf_problem_init(dst, src->n_nodes, (uint32_t)want, err);
    if (rc != LDS_OK)
        return rc;
    size_t m = src->n_arcs;
    if (m) {
        memcpy(dst->tail, src->tail, m * sizeof *dst->tail);
        memcpy(dst->head, src->head, m * sizeof *dst->head);
        memcpy(dst->lower, src->lower, m * sizeof *dst->lower);
        memcpy(dst->upper, src->upper, m * sizeof *dst->upper);
        memcpy(dst->cost, src->cost, m * sizeof *dst->cost);
    }
    if (src->n_nodes)
        memcpy(dst->supply, src->supply, src->n_nodes * sizeof *dst->supply);
    dst->n_arcs = src->n_arcs;
    return LDS_OK;
}

const char *lds_mcf_status_name(lds_mcf_status st)
{
    switch (st) {
    case LDS_MCF_OPTIMAL:
        return "optimal";
    case LDS_MCF_INFEASIBLE:
        return "infeasible";
    case LDS_MCF_UNBOUNDED:
        return "unbounded";
    }
    return "unknown";
}
