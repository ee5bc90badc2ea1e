/*
 * check.c — exact optimality certificate for min-cost flow: bounds,
 * conservation and complementary slackness, all in 128-bit arithmetic so no
 * input can make the check itself wrap.
 */
#include "lodestone/alloc.h"
#include "lodestone/mcf.h"
#include "ns.h"

lds_code lds_mcf_check(const lds_mcf_problem *p, const int64_t *flow, const int64_t *pot,
                       int64_t *cost, lds_err *err)
{
    uint32_t n = p->n_nodes, m = p->n_arcs;
    if ((m && !flow) || (n && !pot))
        return lds_err_set(err, LDS_EINVAL, "no flows or potentials to check");
    lds_i128 *bal = lds_calloc(n ? n : 1, sizeof *bal);
    if (!bal)
        return lds_err_set(err, LDS_ENOMEM, "out of memory for %u node balances", n);
    lds_code rc = LDS_OK;
    lds_i128 total = 0;
    for (uint32_t e = 0; e < m; e++) {
        uint32_t u = p->tail[e], v = p->head[e];
        int64_t f = flow[e];
        if (u >= n || v >= n) {
            rc = lds_err_set(err, LDS_EINVAL, "arc %u: node out of range", e);
            goto done;
        }
        if (f < p->lower[e] || f > p->upper[e]) {
            rc = lds_err_set(err, LDS_EINVAL, "arc %u (%u->%u): flow %lld outside [%lld, %lld]", e,
                             u, v, (long long)f, (long long)p->lower[e], (long long)p->upper[e]);
            goto done;
        }
        lds_i128 rcost = (lds_i128)p->cost[e] - pot[u] + pot[v];
        if (rcost > 0 && f != p->lower[e]) {
            rc = lds_err_set(err, LDS_EINVAL,
                             "arc %u (%u->%u): reduced cost %lld > 0 but flow %lld above lower %lld",
                             e, u, v, (long long)rcost, (long long)f, (long long)p->lower[e]);
            goto done;
        }
        if (rcost < 0 && f != p->upper[e]) {
            rc = lds_err_set(err, LDS_EINVAL,
                             "arc %u (%u->%u): reduced cost %lld < 0 but flow %lld below upper %lld",
                             e, u, v, (long long)rcost, (long long)f, (long long)p->upper[e]);
            goto done;
        }
        bal[u] += f;
        bal[v] -= f;
        total += (lds_i128)p->cost[e] * f;
    }
    for (uint32_t u = 0; u < n; u++) {
        if (bal[u] != p->supply[u]) {
            rc = lds_err_set(err, LDS_EINVAL, "node %u: net outflow %lld differs from supply %lld",
                             u, (long long)bal[u], (long long)p->supply[u]);
            goto done;
        }
    }
    if (total > INT64_MAX || total < INT64_MIN) {
        rc = lds_err_set(err, LDS_EOVERFLOW, "total cost does not fit in 64 bits");
        goto done;
    }
    if (cost)
        *cost = (int64_t)total;
done:
    lds_free(bal);
    return rc;
}
