/*
 * solver.c — the public solver object: owns the problem, the simplex basis
 * kept for warm restarts, and the last solution; dispatches to network
 * simplex or cost scaling.
 */
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/mcf.h"
#include "mcf_int.h"
#include "ns.h"

struct lds_mcf_solver {
    lds_mcf_problem p;     /* owned copy, changed by set_* / add_arc */
    lds_mcf__ns ns;        /* simplex basis over p */
    int64_t *flow_out;     /* m: flows of the last cost-scaling solve */
    uint32_t flow_cap;     /* allocated length of flow_out */
    int64_t *pot_out;      /* n: potentials in the public sign convention */
    int64_t total_cost;
    int has_solution;      /* flows/potentials/cost valid */
    lds_mcf_method used;   /* method of the last solve */
    uint64_t pivots;
};

static lds_code finish_new(lds_mcf_solver *s, lds_mcf_solver **out, lds_err *err)
{
    lds_code rc = lds_mcf__ns_init(&s->ns, &s->p, err);
    if (rc == LDS_OK) {
        s->pot_out = lds_malloc(((size_t)s->p.n_nodes + 1) * sizeof *s->pot_out);
        if (!s->pot_out)
            rc = lds_err_set(err, LDS_ENOMEM, "out of memory for potentials");
    }
    if (rc != LDS_OK) {
        lds_mcf_solver_free(s);
        return rc;
    }
    s->used = LDS_MCF_SIMPLEX;
    *out = s;
    return LDS_OK;
}

lds_code lds_mcf_solver_new(const lds_mcf_problem *p, lds_mcf_solver **out, lds_err *err)
{
    *out = NULL;
    lds_mcf_solver *s = lds_calloc(1, sizeof *s);
    if (!s)
        return lds_err_set(err, LDS_ENOMEM, "out of memory for a solver");
    lds_code rc = lds_mcf__problem_copy(&s->p, p, err);
    if (rc != LDS_OK) {
        lds_free(s);
        return rc;
    }
    return finish_new(s, out, err);
}

lds_code lds_mcf_solver_new_take(lds_mcf_problem *p, lds_mcf_solver **out, lds_err *err)
{
    *out = NULL;
    lds_mcf_solver *s = lds_calloc(1, sizeof *s);
    if (!s)
        return lds_err_set(err, LDS_ENOMEM, "out of memory for a solver");
    s->p = *p;
    memset(p, 0, sizeof *p);
    lds_code rc = finish_new(s, out, err);
    if (rc != LDS_OK)
        return rc; /* the arrays were released with the solver */
    return LDS_OK;
}

void lds_mcf_solver_free(lds_mcf_solver *s)
{
    if (!s)
        return;
    lds_mcf__ns_release(&s->ns);
    lds_mcf_problem_release(&s->p);
    lds_free(s->flow_out);
    lds_free(s->pot_out);
    lds_free(s);
}

/* Total cost in 128 bits; LDS_EOVERFLOW when it does not fit int64. */
static lds_code total_cost(const lds_mcf_problem *p, const int64_t *flow, int64_t *out,
                           lds_err *err)
{
    lds_i128 c = 0;
    for (uint32_t e = 0; e < p->n_arcs; e++)
        c += (lds_i128)p->cost[e] * flow[e];
    if (c > INT64_MAX || c < INT64_MIN)
        return lds_err_set(err, LDS_EOVERFLOW, "optimal cost does not fit in 64 bits");
    *out = (int64_t)c;
    return LDS_OK;
}

static lds_code ensure_flow_out(lds_mcf_solver *s, lds_err *err)
{
    if (!s->flow_out || s->flow_cap < s->p.n_arcs) {
        lds_free(s->flow_out);
        s->flow_cap = s->p.cap_arcs > s->p.n_arcs ? s->p.cap_arcs : s->p.n_arcs;
        s->flow_out = lds_malloc(((size_t)s->flow_cap + 1) * sizeof *s->flow_out);
        if (!s->flow_out) {
            s->flow_cap = 0;
            return lds_err_set(err, LDS_ENOMEM, "out of memory for flows");
        }
    }
    return LDS_OK;
}

static lds_code solve_cost_scaling(lds_mcf_solver *s, lds_mcf_status *status, lds_err *err)
{
    lds_code rc = ensure_flow_out(s, err);
    if (rc != LDS_OK)
        return rc;
    return lds_mcf__cost_scaling(&s->p, s->flow_out, s->pot_out, status, err);
}

/*
 * AUTO.  Warm restarts always reuse the simplex basis.  Cold solves use the
 * simplex too: with per-instance pricing (simplex.c, choose_pricing) it
 * beat cost scaling on all three bench families as measured at 1e5 arcs
 * (transportation 0.008 s vs 0.15 s, NETGEN-like 0.04 s vs 0.39 s,
 * multi-echelon chain 0.54 s vs 1.27 s).  Revisit when cost scaling gets
 * faster on deep layered networks.
 */
static lds_mcf_method choose_method(const lds_mcf_solver *s)
{
    (void)s;
    return LDS_MCF_SIMPLEX;
}

lds_code lds_mcf_solve(lds_mcf_solver *s, lds_mcf_method method, lds_mcf_status *status,
                       lds_err *err)
{
    s->has_solution = 0;
    lds_code rc;
    lds_mcf_method use = LDS_MCF_SIMPLEX;
    if (method == LDS_MCF_COST_SCALING)
        use = LDS_MCF_COST_SCALING;
    else if (method == LDS_MCF_AUTO)
        use = choose_method(s);
    s->used = use;
    s->pivots = 0;
    if (use == LDS_MCF_SIMPLEX) {
        uint64_t before = s->ns.n_pivots;
        rc = lds_mcf__ns_solve(&s->ns, status, err);
        s->pivots = s->ns.n_pivots - before;
        if (rc != LDS_OK)
            return rc;
        if (*status != LDS_MCF_OPTIMAL)
            return LDS_OK;
        rc = total_cost(&s->p, s->ns.flow, &s->total_cost, err);
        if (rc != LDS_OK)
            return rc;
        /* Public potentials: c - pi(u) + pi(v) >= 0, i.e. the negated tree
         * potentials (which satisfy c + pi(u) - pi(v) >= 0). */
        for (uint32_t u = 0; u < s->p.n_nodes; u++)
            s->pot_out[u] = -s->ns.pi[u];
    } else {
        rc = solve_cost_scaling(s, status, err);
        if (rc != LDS_OK || *status != LDS_MCF_OPTIMAL)
            return rc;
        rc = total_cost(&s->p, s->flow_out, &s->total_cost, err);
        if (rc != LDS_OK)
            return rc;
    }
    s->has_solution = 1;
    return LDS_OK;
}

lds_code lds_mcf_set_supply(lds_mcf_solver *s, uint32_t node, int64_t supply, lds_err *err)
{
    if (node >= s->p.n_nodes)
        return lds_err_set(err, LDS_EINVAL, "node %u out of range (n=%u)", node, s->p.n_nodes);
    lds_i128 d = (lds_i128)supply - s->p.supply[node];
    s->has_solution = 0;
    s->p.supply[node] = supply;
    if (d > INT64_MAX || d < INT64_MIN)
        s->ns.has_basis = 0;
    else
        lds_mcf__ns_supply_changed(&s->ns, node, (int64_t)d);
    return LDS_OK;
}

lds_code lds_mcf_set_cost(lds_mcf_solver *s, uint32_t arc, int64_t cost, lds_err *err)
{
    if (arc >= s->p.n_arcs)
        return lds_err_set(err, LDS_EINVAL, "arc %u out of range (m=%u)", arc, s->p.n_arcs);
    s->has_solution = 0;
    s->p.cost[arc] = cost;
    return lds_mcf__ns_cost_changed(&s->ns, arc);
}

lds_code lds_mcf_set_bounds(lds_mcf_solver *s, uint32_t arc, int64_t lower, int64_t upper,
                            lds_err *err)
{
    if (arc >= s->p.n_arcs)
        return lds_err_set(err, LDS_EINVAL, "arc %u out of range (m=%u)", arc, s->p.n_arcs);
    if (lower > upper)
        return lds_err_set(err, LDS_EINVAL, "arc %u: lower bound %lld exceeds capacity %lld", arc,
                           (long long)lower, (long long)upper);
    s->has_solution = 0;
    int64_t old_lower = s->p.lower[arc];
    s->p.lower[arc] = lower;
    s->p.upper[arc] = upper;
    return lds_mcf__ns_bounds_changed(&s->ns, arc, old_lower);
}

lds_code lds_mcf_add_arc(lds_mcf_solver *s, uint32_t tail, uint32_t head, int64_t lower,
                         int64_t upper, int64_t cost, uint32_t *id, lds_err *err)
{
    lds_code rc = lds_mcf_problem_add_arc(&s->p, tail, head, lower, upper, cost, id, err);
    if (rc != LDS_OK)
        return rc;
    s->has_solution = 0;
    if (lds_mcf__ns_arc_added(&s->ns) != LDS_OK) {
        s->p.n_arcs--;
        return lds_err_set(err, LDS_ENOMEM, "out of memory adding an arc");
    }
    return LDS_OK;
}

const lds_mcf_problem *lds_mcf_solver_problem(const lds_mcf_solver *s)
{
    return &s->p;
}

lds_mcf_method lds_mcf_last_method(const lds_mcf_solver *s)
{
    return s->used;
}

uint64_t lds_mcf_pivots(const lds_mcf_solver *s)
{
    return s->pivots;
}

int64_t lds_mcf_total_cost(const lds_mcf_solver *s)
{
    return s->has_solution ? s->total_cost : 0;
}

const int64_t *lds_mcf_flows(const lds_mcf_solver *s)
{
    if (!s->has_solution)
        return NULL;
    return s->used == LDS_MCF_COST_SCALING ? s->flow_out : s->ns.flow;
}

const int64_t *lds_mcf_potentials(const lds_mcf_solver *s)
{
    return s->has_solution ? s->pot_out : NULL;
}
