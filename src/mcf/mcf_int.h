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

#endif
