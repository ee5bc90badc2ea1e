/*
 * ns.h — internals of the network simplex engine (simplex.c) and the
 * problem helpers shared by the engine's files.  Not public API.
 *
 * Basis: a spanning tree over the n nodes plus an artificial root (index n),
 * stored as parent/pred/pred_dir plus a preorder thread (thread, rev_thread),
 * subtree sizes (succ_num) and the last node of each subtree in preorder
 * (last_succ).  Tree preds and flows use problem arc ids (flows are real
 * values, lower <= flow <= upper); the pricing arrays are laid out by
 * position (lds_mcf__ns_pos).  The artificial arc joining node u and the
 * root has id LDS_MCF__ART | u and its flow in art_flow[u].  Node numbers
 * here are the engine's own, the tree's preorder after a relayout; node_ix
 * maps the problem's node numbers to them.
 */
#ifndef LDS_MCF_NS_H
#define LDS_MCF_NS_H

#include <stdint.h>
#include "lodestone/mcf.h"

/* 128-bit integers for exact overflow checks (GCC/Clang extension). */
__extension__ typedef __int128 lds_i128;

#define LDS_MCF__MAX_NODES 0x7ffffff0u
#define LDS_MCF__ART       0x80000000u
#define LDS_MCF__NONE      0xffffffffu

lds_code lds_mcf__problem_reserve(lds_mcf_problem *p, uint32_t want);
lds_code lds_mcf__problem_copy(lds_mcf_problem *dst, const lds_mcf_problem *src, lds_err *err);

/* Aggregates behind the overflow checks (see lds_mcf__check_ranges_full). */
typedef struct lds_mcf__ranges {
    lds_i128 flow_bound; /* >= total supply net of lower bounds + finite capacities */
    int64_t max_c;       /* >= max |cost| */
    lds_i128 sum_supply; /* sum of supplies (exact) */
} lds_mcf__ranges;

typedef struct lds_mcf__ns {
    lds_mcf_problem *p; /* borrowed from the solver; arcs [0, m) are in the basis */
    uint32_t n;         /* nodes; the root is node n */
    uint32_t m;         /* real arcs known to the basis */
    uint32_t cap_m;     /* allocated length of the internal arc arrays */
    /* Internal arc arrays, in LEMON's "mixed" order: the first m0 problem
     * arcs are laid out column by column with stride `skip`, so that every
     * pricing block samples the whole network (see lds_mcf__ns_pos). */
    /* tail, head and the costs are held reversed (swapped, negated) while
     * the arc sits at its upper bound, so pricing reads no state. */
    uint32_t *tail, *head; /* cap_m */
    int64_t *cost;      /* cap_m */
    int32_t *cost32;    /* cap_m: cost as 32 bits, for pricing while cost32_ok */
    int cost32_ok;      /* every cost in the pricing arrays fits 32 bits */
    int16_t *cost16;    /* cap_m: cost as 16 bits, for pricing while cost16_ok */
    int cost16_ok;      /* every cost in the pricing arrays fits 16 bits */
    int64_t *flow;      /* cap_m: flow per problem arc (problem order, real values) */
    int8_t *state;      /* cap_m: 1 at lower, -1 at upper, 0 in the tree */
    uint32_t m0, skip, q, r; /* mixing: m0 arcs, stride, m0 / skip, m0 % skip */
    int64_t *art_flow;  /* n: flow on the artificial arc of u (when it is u's pred) */
    int64_t *pi;        /* n+1: potentials, reduced cost = c + pi[tail] - pi[head] */
    uint32_t *parent, *pred, *thread, *rev_thread, *succ_num, *last_succ; /* n+1 */
    int8_t *pred_dir;   /* n+1: 1 if pred arc points to the parent, -1 if away */
    int64_t *excess;    /* n: supply changes not yet routed through the tree */
    uint32_t *dirty;    /* nodes with pending excess, each once */
    uint8_t *in_dirty;  /* n: 1 when the node is in `dirty` */
    uint32_t n_dirty;
    uint32_t *buf;      /* 5*(n+1) scratch for tree updates */
    /* Node numbering: the engine numbers nodes in the tree's preorder
     * (relayout), so subtree walks read consecutive memory.  node_ix maps
     * a problem node to the engine's number; NULL while they are equal. */
    uint32_t *node_ix;
    uint64_t layout_pivots; /* n_pivots at the last relayout */
    int64_t art_cost;   /* cost of a unit through the root */
    uint32_t next_arc;  /* block search position */
    uint32_t block;     /* block search size */
    int has_basis;      /* tree/flows valid for warm start */
    lds_mcf__ranges ranges; /* valid unless ranges_full */
    int ranges_full;    /* the next solve must rescan every value */
    uint64_t n_pivots;  /* statistics */
} lds_mcf__ns;

lds_code lds_mcf__ns_init(lds_mcf__ns *s, lds_mcf_problem *p, lds_err *err);
void lds_mcf__ns_release(lds_mcf__ns *s);
/** Solves (warm when a basis exists). On OPTIMAL, s->flow and s->pi are valid. */
lds_code lds_mcf__ns_solve(lds_mcf__ns *s, lds_mcf_status *status, lds_err *err);
/** Warm changes: call after changing the problem's arrays as described. */
lds_code lds_mcf__ns_supply_changed(lds_mcf__ns *s, uint32_t u, int64_t delta);
lds_code lds_mcf__ns_bounds_changed(lds_mcf__ns *s, uint32_t e, int64_t old_lower);
lds_code lds_mcf__ns_cost_changed(lds_mcf__ns *s, uint32_t e);
lds_code lds_mcf__ns_arc_added(lds_mcf__ns *s); /* p->n_arcs grew by one */
/** Potentials in the public sign convention, by problem node (pot[n]). */
void lds_mcf__ns_potentials(const lds_mcf__ns *s, int64_t *pot);

/**
 * Crossover: builds a simplex basis from an optimal `flow` (n_arcs) and
 * potentials `pot` (public sign convention), e.g. those of cost scaling, so
 * that warm re-solves start from it.  The tree grows from the root through
 * arcs of zero reduced cost, free arcs first (Prim-like, adjusting the
 * potentials of the part not yet reached where no such arc exists), keeping
 * it strongly feasible; free arcs left outside then pivot in at zero reduced
 * cost.  `*n_inconsistent` counts nodes hung from the root whose potentials
 * could not be kept (then the next simplex solve pivots).  On error the
 * basis is dropped (has_basis = 0).  O(m log m).
 */
lds_code lds_mcf__ns_crossover(lds_mcf__ns *s, const int64_t *flow, const int64_t *pot,
                               uint64_t *n_inconsistent, lds_err *err);

/** Internal position of problem arc `e`: the first m0 arcs are laid out in
 *  `skip` columns (arc order fills column 0, then column 1, ...); later arcs
 *  keep their index.  Tree preds and flows use problem ids; pricing arrays
 *  (tail, head, cost, state) use positions. */
static inline uint32_t lds_mcf__ns_pos(const lds_mcf__ns *s, uint32_t e)
{
    if (e >= s->m0)
        return e;
    uint32_t big = s->r * (s->q + 1), j, t;
    if (e < big) {
        j = e / (s->q + 1);
        t = e % (s->q + 1);
    } else {
        j = s->r + (e - big) / s->q;
        t = (e - big) % s->q;
    }
    return j + s->skip * t;
}

/** Problem id of internal position `i` (inverse of lds_mcf__ns_pos). */
static inline uint32_t lds_mcf__ns_ext(const lds_mcf__ns *s, uint32_t i)
{
    if (i >= s->m0)
        return i;
    uint32_t j = i % s->skip, t = i / s->skip;
    return j * s->q + (j < s->r ? j : s->r) + t;
}

/** Validates the problem (node ranges, lower <= upper: LDS_EINVAL) and its
 *  value ranges (LDS_EOVERFLOW); fills `b` (n: supply net of lower bounds),
 *  the artificial cost and the range aggregates. */
lds_code lds_mcf__check_ranges_full(const lds_mcf_problem *p, int64_t *b, int64_t *art_cost,
                                    lds_mcf__ranges *out, lds_err *err);

#endif
