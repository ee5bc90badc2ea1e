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
 */
lds_code lds_mcf__cost_scaling(const lds_mcf_problem *p, int64_t *flow, int64_t *pot,
                               lds_mcf_status *status, lds_err *err);

/* AUTO (solver.c): cost scaling for a cold solve when the network has at
 * least LDS_MCF__AUTO_MIN_ARCS arcs and a BFS from the supply nodes over
 * arcs with positive capacity reaches LDS_MCF__AUTO_MIN_DEPTH layers. */
#define LDS_MCF__AUTO_MIN_ARCS  500000u
#define LDS_MCF__AUTO_MIN_DEPTH 8u

/** Deepest BFS layer reached from the supply nodes (supply > 0) over arcs
 *  with upper > 0, counting stops at `stop`.  0 if memory runs out. */
uint32_t lds_mcf__supply_depth(const lds_mcf_problem *p, uint32_t stop);
/** The method AUTO uses for a cold solve of `p`. */
lds_mcf_method lds_mcf__auto_method(const lds_mcf_problem *p);

#endif
