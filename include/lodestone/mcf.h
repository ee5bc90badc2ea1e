/*
 * mcf.h — the min-cost-flow engine: pure, I/O-free, no globals, no clock.
 *
 * A problem is a directed network of n nodes (0-based) and m arcs with 64-bit
 * integer lower bounds, capacities, costs and node supplies (positive =
 * supply, negative = demand; they must sum to zero).  A solver owns a copy of
 * the problem plus its last basis, so that after a few changes (supplies,
 * capacities, costs, new arcs) lds_mcf_solve re-optimises warm instead of
 * from scratch.
 *
 * Arithmetic is overflow-checked: an instance whose optimum or whose
 * intermediate sums cannot be represented in int64 is rejected with
 * LDS_EOVERFLOW and a message, never wrapped.
 */
#ifndef LDS_MCF_H
#define LDS_MCF_H

#include <stdint.h>
#include "err.h"

#define LDS_MCF_INF INT64_MAX /* an upper bound meaning "uncapacitated" */

typedef struct lds_mcf_problem {
    uint32_t n_nodes;
    uint32_t n_arcs;
    uint32_t cap_arcs; /* allocated length of the arc arrays */
    uint32_t *tail;    /* m: arc source node */
    uint32_t *head;    /* m: arc target node */
    int64_t *lower;    /* m: lower bound on flow */
    int64_t *upper;    /* m: capacity, or LDS_MCF_INF */
    int64_t *cost;     /* m: cost per unit of flow */
    int64_t *supply;   /* n: supply (>0) or demand (<0) */
} lds_mcf_problem;

/** Initialises an empty problem with `n_nodes` nodes (supplies 0) and room for
 *  `arc_hint` arcs.  Release with lds_mcf_problem_release. */
lds_code lds_mcf_problem_init(lds_mcf_problem *p, uint32_t n_nodes, uint32_t arc_hint,
                              lds_err *err);
void lds_mcf_problem_release(lds_mcf_problem *p);
/** Appends an arc; checks node range and lower <= upper. `id` may be NULL. */
lds_code lds_mcf_problem_add_arc(lds_mcf_problem *p, uint32_t tail, uint32_t head, int64_t lower,
                                 int64_t upper, int64_t cost, uint32_t *id, lds_err *err);

typedef enum lds_mcf_status {
    LDS_MCF_OPTIMAL = 0,
    LDS_MCF_INFEASIBLE,
    LDS_MCF_UNBOUNDED, /* a negative-cost cycle of unbounded capacity */
} lds_mcf_status;

/** "optimal", "infeasible", "unbounded". */
const char *lds_mcf_status_name(lds_mcf_status st);

typedef enum lds_mcf_method {
    LDS_MCF_AUTO = 0,     /* let the engine choose per instance */
    LDS_MCF_SIMPLEX,      /* primal network simplex */
    LDS_MCF_COST_SCALING, /* push-relabel cost scaling, finished by the simplex */
} lds_mcf_method;

typedef struct lds_mcf_solver lds_mcf_solver;

/** Creates a solver over a copy of `p` (borrowed for the call only). */
lds_code lds_mcf_solver_new(const lds_mcf_problem *p, lds_mcf_solver **out, lds_err *err);
/** Like lds_mcf_solver_new but takes ownership of `p`'s arrays (no copy);
 *  `p` is left empty (as after lds_mcf_problem_release) on success. */
lds_code lds_mcf_solver_new_take(lds_mcf_problem *p, lds_mcf_solver **out, lds_err *err);
void lds_mcf_solver_free(lds_mcf_solver *s);

/**
 * Solves (cold the first time, warm after changes).  On LDS_OK `*status` is
 * set; flows, potentials and cost are valid when it is LDS_MCF_OPTIMAL.
 * Supplies that do not sum to zero give LDS_MCF_INFEASIBLE.  The simplex
 * keeps its basis across solves, so after a few changes it re-optimises
 * from the previous tree; AUTO always takes that path when a basis exists.
 * A cold AUTO solve uses cost scaling on deep networks (at least 5e4 arcs
 * and 8 BFS layers from the supplies) and the simplex otherwise.  Cost
 * scaling runs four phases (epsilon 1/4096 of the largest |cost|); the
 * engine then builds a simplex basis from that near-optimal flow
 * (crossover) and the simplex finishes, so warm re-solves stay cheap
 * whichever method ran cold.
 * Errors: LDS_EINVAL (hand-built problem with an arc out of range or lower >
 * upper), LDS_EOVERFLOW (|supply|, |bounds| or total flow beyond 2^61,
 * max |cost| * (n+1) beyond 2^59, or an optimal cost beyond int64),
 * LDS_ENOMEM.  After an error the next solve starts cold.
 */
lds_code lds_mcf_solve(lds_mcf_solver *s, lds_mcf_method method, lds_mcf_status *status,
                       lds_err *err);

/*
 * Changes applied before the next lds_mcf_solve (warm re-solve).  Each
 * invalidates the last solution's flows, potentials and cost.  Supplies may
 * be unbalanced between calls; only the solve requires them to sum to zero.
 * Errors: LDS_EINVAL (node or arc out of range, lower > upper), LDS_ENOMEM
 * (add_arc).  Not thread-safe: one solver per thread.
 */
lds_code lds_mcf_set_supply(lds_mcf_solver *s, uint32_t node, int64_t supply, lds_err *err);
lds_code lds_mcf_set_cost(lds_mcf_solver *s, uint32_t arc, int64_t cost, lds_err *err);
lds_code lds_mcf_set_bounds(lds_mcf_solver *s, uint32_t arc, int64_t lower, int64_t upper,
                            lds_err *err);
lds_code lds_mcf_add_arc(lds_mcf_solver *s, uint32_t tail, uint32_t head, int64_t lower,
                         int64_t upper, int64_t cost, uint32_t *id, lds_err *err);

/** The solver's current problem (borrowed; valid until the next change). */
const lds_mcf_problem *lds_mcf_solver_problem(const lds_mcf_solver *s);
/** Method that produced the last solution (SIMPLEX or COST_SCALING). */
lds_mcf_method lds_mcf_last_method(const lds_mcf_solver *s);
/** Simplex pivots of the last solve (for cost scaling: those after the
 *  crossover, 0 when its basis was already optimal). */
uint64_t lds_mcf_pivots(const lds_mcf_solver *s);
/** Total cost of the last optimal solution. */
int64_t lds_mcf_total_cost(const lds_mcf_solver *s);
/** Flow per arc (n_arcs entries) and potential per node (n_nodes entries) of
 *  the last optimal solution; borrowed, valid until the next solve or change.
 *  Potentials pi satisfy reduced cost c(u,v) - pi(u) + pi(v) >= 0 on arcs
 *  with residual capacity. */
const int64_t *lds_mcf_flows(const lds_mcf_solver *s);
const int64_t *lds_mcf_potentials(const lds_mcf_solver *s);

/**
 * Optimality certificate: checks exactly (in 128-bit arithmetic) that `flow`
 * is feasible for `p` (bounds, conservation) and that `pot` proves it optimal
 * (complementary slackness: flow at lower bound where the reduced cost is
 * positive, at upper where negative).  Returns LDS_OK or LDS_EINVAL with a
 * message naming the first violated arc or node.  `cost` (may be NULL)
 * receives the flow's total cost.
 */
lds_code lds_mcf_check(const lds_mcf_problem *p, const int64_t *flow, const int64_t *pot,
                       int64_t *cost, lds_err *err);

/* ---- DIMACS min-cost-flow ------------------------------------------------ */

/**
 * Parses DIMACS "min" text (`c` comments, one `p min N M`, `n ID FLOW`,
 * `a U V LOW CAP COST`; node ids 1-based in the file, 0-based in `p`).
 * Errors carry the 1-based line in err->line.  `p` is initialised by the call
 * and must be released by the caller on LDS_OK only.
 */
lds_code lds_mcf_dimacs_parse(const char *text, size_t len, lds_mcf_problem *p, lds_err *err);

/** Writes `p` as DIMACS text into a heap buffer (free with lds_free). */
lds_code lds_mcf_dimacs_write(const lds_mcf_problem *p, char **out, size_t *out_len,
                              lds_err *err);

#endif
