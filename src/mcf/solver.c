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
    int flows_in_ns;       /* the last solution's flows are the simplex's */
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

uint32_t lds_mcf__supply_depth(const lds_mcf_problem *p, uint32_t stop)
{
    uint32_t n = p->n_nodes, m = p->n_arcs, depth = 0;
    uint32_t *first = lds_calloc((size_t)n + 2, sizeof *first);
    uint32_t *next = lds_malloc(((size_t)m + 1) * sizeof *next);
    uint32_t *level = lds_malloc(((size_t)n + 1) * sizeof *level);
    uint32_t *queue = lds_malloc(((size_t)n + 1) * sizeof *queue);
    if (!first || !next || !level || !queue)
        goto out; /* depth 0: AUTO falls back to the simplex */
    for (uint32_t e = 0; e < m; e++)
        if (p->upper[e] > 0 && p->tail[e] < n && p->head[e] < n)
            first[p->tail[e] + 2]++;
    for (uint32_t u = 0; u < n; u++)
        first[u + 2] += first[u + 1];
    for (uint32_t e = 0; e < m; e++)
        if (p->upper[e] > 0 && p->tail[e] < n && p->head[e] < n)
            next[first[p->tail[e] + 1]++] = p->head[e];
    uint32_t qh = 0, qt = 0;
    for (uint32_t u = 0; u < n; u++) {
        level[u] = UINT32_MAX;
        if (p->supply[u] > 0) {
            level[u] = 0;
            queue[qt++] = u;
        }
    }
    while (qh < qt && depth < stop) {
        uint32_t u = queue[qh++];
        for (uint32_t k = first[u], end = first[u + 1]; k < end; k++) {
            uint32_t v = next[k];
            if (level[v] != UINT32_MAX)
                continue;
            level[v] = level[u] + 1;
            if (level[v] > depth)
                depth = level[v];
            queue[qt++] = v;
        }
    }
out:
    lds_free(first);
    lds_free(next);
    lds_free(level);
    lds_free(queue);
    return depth;
}

/*
 * AUTO for a cold solve (bench/mcf/run, docs/benchmarks-mcf.md): the
 * simplex wins on shallow networks at every size (transportation: 1 BFS
 * layer from the supplies; NETGEN-like: 3); cost scaling handing over to the
 * simplex wins on deep layered networks (the multi-echelon chain: 13-14
 * layers) from about 5e4 arcs, where the two are even (1e5 arcs: 0.25 s
 * against 0.34 s; 3e5: 1.15 s against 1.76 s; 5e4: 0.10-0.11 s both; 3e4:
 * 0.056 s against 0.054 s).  The depth test is one BFS, O(n + m), and runs
 * only when the size test passes.
 */
lds_mcf_method lds_mcf__auto_method(const lds_mcf_problem *p)
{
    if (p->n_arcs < LDS_MCF__AUTO_MIN_ARCS)
        return LDS_MCF_SIMPLEX;
    if (lds_mcf__supply_depth(p, LDS_MCF__AUTO_MIN_DEPTH) >= LDS_MCF__AUTO_MIN_DEPTH)
        return LDS_MCF_COST_SCALING;
    return LDS_MCF_SIMPLEX;
}

/* Warm re-solves reuse the simplex basis (kept after a cost-scaling solve
 * by the crossover); cold ones follow the size and depth rule. */
static lds_mcf_method choose_method(const lds_mcf_solver *s)
{
    if (s->ns.has_basis)
        return LDS_MCF_SIMPLEX;
    return lds_mcf__auto_method(&s->p);
}

/* Simplex results into the public arrays. */
static lds_code take_simplex_result(lds_mcf_solver *s, lds_err *err)
{
    lds_code rc = total_cost(&s->p, s->ns.flow, &s->total_cost, err);
    if (rc != LDS_OK)
        return rc;
    lds_mcf__ns_potentials(&s->ns, s->pot_out);
    s->flows_in_ns = 1;
    return LDS_OK;
}

/*
 * Cost scaling, then the simplex from a basis built on its flow and prices
 * (crossover).  The basis is kept, so warm re-solves after a cost-scaling
 * solve stay cheap.  If the crossover or the simplex cannot finish (memory;
 * or an unbounded problem, whose flow on the capped arcs has no basis),
 * cost scaling runs again to its last phase and its answer stands.
 */
static lds_code solve_cost_scaling(lds_mcf_solver *s, lds_mcf_status *status, lds_err *err)
{
    int is_exact;
    lds_err xerr;
    uint64_t n_bad = 0, before = s->ns.n_pivots;
    lds_mcf_status st;
    lds_code rc = ensure_flow_out(s, err);
    if (rc == LDS_OK)
        rc = lds_mcf__cost_scaling(&s->p, LDS_MCF__CS_HANDOFF, s->flow_out, s->pot_out, status,
                                   &is_exact, err);
    if (rc != LDS_OK || *status != LDS_MCF_OPTIMAL)
        return rc;
    if (lds_mcf__ns_crossover(&s->ns, s->flow_out, s->pot_out, &n_bad, &xerr) == LDS_OK) {
        rc = lds_mcf__ns_solve(&s->ns, &st, err);
        s->pivots = s->ns.n_pivots - before;
        if (rc != LDS_OK)
            return rc;
        if (st == LDS_MCF_OPTIMAL)
            return take_simplex_result(s, err);
        s->ns.has_basis = 0;
    }
    if (!is_exact) {
        rc = lds_mcf__cost_scaling(&s->p, 0, s->flow_out, s->pot_out, status, &is_exact, err);
        if (rc != LDS_OK || *status != LDS_MCF_OPTIMAL)
            return rc;
    }
    return total_cost(&s->p, s->flow_out, &s->total_cost, err);
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
    s->flows_in_ns = 0;
    if (use == LDS_MCF_SIMPLEX) {
        uint64_t before = s->ns.n_pivots;
        rc = lds_mcf__ns_solve(&s->ns, status, err);
        s->pivots = s->ns.n_pivots - before;
        if (rc != LDS_OK)
            return rc;
        if (*status != LDS_MCF_OPTIMAL)
            return LDS_OK;
        rc = take_simplex_result(s, err);
        if (rc != LDS_OK)
            return rc;
    } else {
        rc = solve_cost_scaling(s, status, err);
        if (rc != LDS_OK || *status != LDS_MCF_OPTIMAL)
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
    return s->flows_in_ns ? s->ns.flow : s->flow_out;
}

const int64_t *lds_mcf_potentials(const lds_mcf_solver *s)
{
    return s->has_solution ? s->pot_out : NULL;
}
