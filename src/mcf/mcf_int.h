/*
 * mcf_int.h — internals shared by the min-cost-flow engine's files.
 */
#ifndef LDS_MCF_INT_H
#define LDS_MCF_INT_H

#include "lodestone/mcf.h"

/**
 * Cost-scaling push-relabel (costscale.c): solves `p` from scratch.  On
 * LDS_OK sets `*status`; when optimal fills `flow` (p->n_arcs entries) and
 * `pot` (p->n_nodes entries, same sign convention as lds_mcf_potentials).
 * With `handoff` > 0 the phases stop after the first refine whose epsilon is
 * at most 1/`handoff` of the first (the largest |cost|, scaled):
 * `*is_exact` is then 0, `flow` is feasible and epsilon-optimal (not
 * necessarily optimal) and `pot` holds the prices rounded down, a start for
 * the simplex (lds_mcf__ns_crossover).  Otherwise (`handoff` 0, or the last
 * phase came first) `*is_exact` is 1 and flow and potentials are optimal.
 * The status is then also exact: an unbounded problem is recognised only by
 * a run to the end.
 */
lds_code lds_mcf__cost_scaling(const lds_mcf_problem *p, int64_t handoff, int64_t *flow,
                               int64_t *pot, lds_mcf_status *status, int *is_exact, lds_err *err);

/* Cost scaling hands its flow to the simplex (solver.c) once epsilon has
 * fallen 4096-fold (four phases at alpha 8): the flow is then a few thousand
 * pivots from optimal, where each remaining phase would cost a full refine
 * (1e6-arc chain: 6.9 s against 13.1 s; 4e6: 49 s against 91 s; one phase
 * later 8.0 s and 51 s, one earlier 7.3-11.6 s).  The fold, not a number of
 * cost units, keeps the rule independent of the costs' scale: the chain with
 * costs divided by 50 took 6.3 s this way, 41 s with the hand-over at 8
 * units (12.5 s to the end).  docs/benchmarks-mcf.md. */
#define LDS_MCF__CS_HANDOFF 4096

/* AUTO (solver.c): cost scaling for a cold solve when the network has at
 * least LDS_MCF__AUTO_MIN_ARCS arcs and a BFS from the supply nodes over
 * arcs with positive capacity reaches LDS_MCF__AUTO_MIN_DEPTH layers. */
#define LDS_MCF__AUTO_MIN_ARCS  50000u
#define LDS_MCF__AUTO_MIN_DEPTH 8u

/** Deepest BFS layer reached from the supply nodes (supply > 0) over arcs
 *  with upper > 0, counting stops at `stop`.  0 if memory runs out. */
uint32_t lds_mcf__supply_depth(const lds_mcf_problem *p, uint32_t stop);
/** The method AUTO uses for a cold solve of `p`. */
lds_mcf_method lds_mcf__auto_method(const lds_mcf_problem *p);

#endif
