/*
 * costscale.c — cost-scaling push-relabel min-cost flow (Goldberg 1997, the
 * method of CS2 and of LEMON's CostScaling): costs are multiplied by n+1,
 * epsilon is divided by ALPHA per phase, and each phase ("refine") turns an
 * epsilon*ALPHA-optimal flow into an epsilon-optimal one.  At epsilon = 1 the
 * flow is optimal; exact integer potentials are then recovered by a short
 * label-correcting pass on the residual graph with the original costs.
 *
 * The phase loop uses partial augment-relabel (paths of up to 4 arcs), global
 * price updates every 2n relabels, and price refinement before each phase
 * after the first (it usually proves the last two or three phases already
 * done).
 *
 * The solver does not run the phases to the end: once epsilon has fallen
 * LDS_MCF__CS_HANDOFF-fold from its start (the largest |cost|), the flow is
 * feasible and close enough to optimal that the network simplex, started
 * from a basis built on it (lds_mcf__ns_crossover), finishes in a few
 * thousand pivots, where the remaining phases would each cost a full
 * refine on deep networks (the long negative cycles of a layered chain
 * survive down to small epsilon).
 *
 * The functions that touch arcs are in costscale_body.h, compiled twice:
 * 16-byte residual arcs with 32-bit fields when every cost and residual
 * capacity fits (suffix _n), 32-byte arcs otherwise (_w).  On large
 * instances the method is bound by memory latency (node -> arc -> head
 * price, dependent misses), hence the narrow arcs and the prefetches there.
 *
 * AUTO uses this method for cold solves of deep networks (solver.c,
 * lds_mcf__auto_method): where excess must travel many layers, as in the
 * multi-echelon chain, the simplex's pivots grow long and many, while
 * shallow networks (transportation, NETGEN-like) are the simplex's.  The
 * simplex basis that finishes a cost-scaling solve is kept for warm
 * re-solves.
 *
 * Sign convention (as mcf.h): reduced cost rc(u,v) = c(u,v) - pi(u) + pi(v);
 * an arc is admissible when it has residual capacity and rc < 0.  Prices
 * only increase during the algorithm.
 *
 * Uncapacitated arcs (LDS_MCF_INF) get the finite capacity B = S + F + 1
 * (S = total supply after lower-bound shifting, F = sum of the finite
 * capacities): if the problem is bounded some optimal flow carries at most
 * S + F on every arc, so the capped problem has the same optimum.  The final
 * potential pass treats those arcs as never saturated; if that residual
 * graph has a negative cycle, the problem is unbounded.
 *
 * Overflow: scaled costs and prices are kept below PRICE_LIMIT = INT64_MAX/8
 * so that every reduced cost (one cost and two prices) fits; node excesses
 * are bounded by |supply| + the incident capacities, checked up front.
 */
#include <stdint.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/err.h"
#include "mcf_int.h"

/* Epsilon divisor per phase.  8 against 16 (docs/benchmarks-mcf.md, CPU s,
 * alternating runs at load ~1): chain 1e6 seed 1 about 17 % faster, seed 2
 * 3 %, chains at 1e5-3e5 5-12 %; NETGEN-like 1e6 12 % slower, transport
 * 2 % (there AUTO uses the simplex).  32 was slower on the chain. */
#define ALPHA 8
#define PRICE_LIMIT (INT64_MAX / 8)   /* bound on |scaled cost| and |price| */
#define NIL         UINT32_MAX
#define DIST_NONE   0x7fffffffu       /* global update: not labelled yet */
#define SCANNED     0x80000000u       /* global update: dist bit of a scanned node */

typedef struct cs {
    uint32_t n;
    uint32_t m2;       /* number of residual arcs (2m) */
    uint32_t *first;   /* n+1: residual arcs of node u are [first[u], first[u+1]) */
    void *arcs;        /* m2: rarc_n (is_narrow) or rarc_w, see costscale_body.h */
    uint32_t *rev;     /* m2: index of the reverse residual arc (read on pushes only) */
    int is_narrow;     /* arcs hold 32-bit costs and capacities */
    int64_t mul;       /* n+1: cost scaling factor */
    uint32_t *fwd;     /* m: residual index of the forward copy of original arc i */
    uint8_t *inf_bit;  /* m2 bits: forward copy of an uncapacitated arc */
    int64_t *ex;       /* n: excess */
    int64_t *pi;       /* n: price (scaled) */
    int64_t *pi0;      /* n: price at the start of the phase (infeasibility bound) */
    uint32_t *cur;     /* n: current arc */
    uint32_t *queue;   /* n: FIFO of active nodes (ring) */
    uint32_t *bnext;   /* n: bucket list links for the global update */
    uint32_t *bprev;   /* n */
    uint32_t *bhead;   /* n+2: bucket heads */
    uint32_t *dist;    /* n: global update distance, in units of epsilon */
    uint32_t n_buckets; /* global update distances are cut at n_buckets-1 */
    uint8_t *inq;      /* n: in the FIFO */
    uint64_t gu_every; /* relabels between global updates */
    uint32_t qhead, qlen;
    int64_t eps;
    int64_t eps_prev;       /* how far from optimal the phase's start circulation is */
    int is_first_phase;
    int64_t price_rise_max; /* see refine: a larger rise in one phase means infeasible */
    uint64_t n_relabels; /* since the last global update */
    int is_infeasible;
} cs;

/* ---- construction ------------------------------------------------------- */

static lds_code cs_alloc(cs *c, uint32_t n, uint32_t m, lds_err *err)
{
    size_t m2 = (size_t)m * 2;
    if (m2 > UINT32_MAX - 1)
        return lds_err_set(err, LDS_EOVERFLOW, "cost scaling: too many arcs (%u)", m);
    c->n = n;
    c->m2 = (uint32_t)m2;
    c->first = lds_calloc((size_t)n + 1, sizeof *c->first);
    c->rev = lds_malloc((m2 ? m2 : 1) * sizeof *c->rev);
    c->fwd = lds_malloc(((size_t)m ? m : 1) * sizeof *c->fwd);
    c->inf_bit = lds_calloc(m2 / 8 + 1, 1);
    c->ex = lds_calloc((size_t)n + 1, sizeof *c->ex);
    c->pi = lds_calloc((size_t)n + 1, sizeof *c->pi);
    c->pi0 = lds_malloc(((size_t)n + 1) * sizeof *c->pi0);
    c->cur = lds_malloc(((size_t)n + 1) * sizeof *c->cur);
    c->queue = lds_malloc(((size_t)n + 1) * sizeof *c->queue);
    c->bnext = lds_malloc(((size_t)n + 1) * sizeof *c->bnext);
    c->bprev = lds_malloc(((size_t)n + 1) * sizeof *c->bprev);
    /* Distances to a deficit are at most ~(ALPHA+1)*n; 4n+4 buckets cover
     * the usual range, longer ones are cut (still a valid update). */
    c->n_buckets = n < (DIST_NONE - 8) / 4 ? 4 * n + 4 : DIST_NONE - 8;
    c->bhead = lds_malloc(((size_t)c->n_buckets + 1) * sizeof *c->bhead);
    if (c->bhead)
        memset(c->bhead, 0xff, ((size_t)c->n_buckets + 1) * sizeof *c->bhead); /* NIL */
    c->dist = lds_malloc(((size_t)n + 1) * sizeof *c->dist);
    c->inq = lds_malloc((size_t)n + 1);
    c->gu_every = 2 * (uint64_t)n + 1; /* measured on all three families */
    if (!c->first || !c->rev || !c->fwd || !c->inf_bit || !c->ex || !c->pi || !c->pi0 ||
        !c->cur || !c->queue || !c->bnext || !c->bprev || !c->bhead || !c->dist || !c->inq)
        return lds_err_set(err, LDS_ENOMEM, "cost scaling: out of memory (n=%u, m=%u)", n, m);
    return LDS_OK;
}

static void cs_release(cs *c)
{
    lds_free(c->first);
    lds_free(c->arcs);
    lds_free(c->rev);
    lds_free(c->fwd);
    lds_free(c->inf_bit);
    lds_free(c->ex);
    lds_free(c->pi);
    lds_free(c->pi0);
    lds_free(c->cur);
    lds_free(c->queue);
    lds_free(c->bnext);
    lds_free(c->bprev);
    lds_free(c->bhead);
    lds_free(c->dist);
    lds_free(c->inq);
}

static int is_inf_arc(const cs *c, uint32_t a)
{
    return (c->inf_bit[a >> 3] >> (a & 7)) & 1;
}

/* ---- refine --------------------------------------------------------------- */

/* Appends u to the FIFO of active nodes unless it is already there. */
static void enqueue(cs *c, uint32_t u)
{
    if (c->inq[u])
        return;
    c->inq[u] = 1;
    uint32_t at = c->qhead + c->qlen;
    if (at >= c->n)
        at -= c->n;
    c->queue[at] = u;
    c->qlen++;
}

#define MAX_PATH 4 /* partial augment-relabel: arcs per path */

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Returns 1 if the parent pointers (cur[], NIL = root) contain a cycle. */
static int parent_cycle(cs *c)
{
    uint32_t n = c->n, *par = c->cur, *mark = c->dist;
    for (uint32_t u = 0; u < n; u++)
        mark[u] = NIL;
    for (uint32_t s = 0; s < n; s++) {
        uint32_t v = s;
        while (v != NIL && mark[v] == NIL) {
            mark[v] = s;
            v = par[v];
        }
        if (v != NIL && mark[v] == s)
            return 1;
    }
    return 0;
}

#define CS_NARROW
#include "costscale_body.h"
#undef CS_NARROW
#include "costscale_body.h"

/*
 * Validates `p`, shifts lower bounds into the supplies, replaces infinite
 * capacities by B and builds the residual graph (arcs grouped by tail).
 * Sets c->is_infeasible when the supplies do not sum to zero.
 */
static lds_code cs_build(cs *c, const lds_mcf_problem *p, lds_err *err)
{
    uint32_t n = p->n_nodes, m = p->n_arcs;
    int64_t mul = (int64_t)n + 1;
    int64_t max_cost = 0, sum_supply = 0, pos_supply = 0, fin_cap = 0, big_cap;
    int64_t *ex = c->ex;

    for (uint32_t u = 0; u < n; u++) {
        ex[u] = p->supply[u];
        if (__builtin_add_overflow(sum_supply, p->supply[u], &sum_supply))
            return lds_err_set(err, LDS_EOVERFLOW, "supplies overflow int64");
    }
    if (sum_supply != 0) {
        c->is_infeasible = 1;
        return LDS_OK;
    }
    for (uint32_t i = 0; i < m; i++) {
        uint32_t t = p->tail[i], h = p->head[i];
        int64_t lo = p->lower[i], up = p->upper[i], cap;
        if (t >= n || h >= n)
            return lds_err_set(err, LDS_EINVAL, "arc %u: node out of range (n=%u)", i, n);
        if (lo > up)
            return lds_err_set(err, LDS_EINVAL, "arc %u: lower bound %lld > capacity %lld", i,
                               (long long)lo, (long long)up);
        if (lo == LDS_MCF_INF)
            return lds_err_set(err, LDS_EINVAL, "arc %u: infinite lower bound", i);
        if (up != LDS_MCF_INF) {
            if (__builtin_sub_overflow(up, lo, &cap) ||
                __builtin_add_overflow(fin_cap, cap, &fin_cap))
                return lds_err_set(err, LDS_EOVERFLOW, "arc %u: capacities overflow int64", i);
        }
        if (lo != 0 && (__builtin_sub_overflow(ex[t], lo, &ex[t]) ||
                        __builtin_add_overflow(ex[h], lo, &ex[h])))
            return lds_err_set(err, LDS_EOVERFLOW, "arc %u: lower bound overflows a supply", i);
        int64_t ac = p->cost[i] < 0 ? -p->cost[i] : p->cost[i];
        if (p->cost[i] == INT64_MIN || ac > PRICE_LIMIT / mul)
            return lds_err_set(err, LDS_EOVERFLOW,
                               "arc %u: cost %lld times n+1 exceeds the exact range", i,
                               (long long)p->cost[i]);
        if (ac > max_cost)
            max_cost = ac;
    }
    for (uint32_t u = 0; u < n; u++)
        if (ex[u] > 0 && __builtin_add_overflow(pos_supply, ex[u], &pos_supply))
            return lds_err_set(err, LDS_EOVERFLOW, "total supply overflows int64");
    if (__builtin_add_overflow(pos_supply, fin_cap, &big_cap) ||
        __builtin_add_overflow(big_cap, 1, &big_cap))
        return lds_err_set(err, LDS_EOVERFLOW,
                           "total supply plus capacities overflows int64 (needed to bound "
                           "uncapacitated arcs)");

    /* CSR: count residual arcs per node, then place them. */
    uint32_t *first = c->first;
    for (uint32_t i = 0; i < m; i++) {
        first[p->tail[i] + 1]++;
        first[p->head[i] + 1]++;
    }
    for (uint32_t u = 0; u < n; u++)
        first[u + 1] += first[u];
    uint32_t *pos = c->cur; /* scratch */
    memcpy(pos, first, (size_t)n * sizeof *pos);
    /* Per-node bound on the excess: |supply| + incident capacities. */
    int64_t *bound = c->pi0; /* scratch */
    int64_t max_cap = 0;
    for (uint32_t u = 0; u < n; u++)
        bound[u] = ex[u] < 0 ? -ex[u] : ex[u];
    for (uint32_t i = 0; i < m; i++) {
        uint32_t t = p->tail[i];
        int is_inf = p->upper[i] == LDS_MCF_INF;
        int64_t cap = is_inf ? big_cap : p->upper[i] - p->lower[i];
        int64_t flow_max;
        if (is_inf && __builtin_add_overflow(p->lower[i], cap, &flow_max))
            return lds_err_set(err, LDS_EOVERFLOW, "arc %u: lower bound too large", i);
        if (__builtin_add_overflow(bound[t], cap, &bound[t]) ||
            __builtin_add_overflow(bound[p->head[i]], cap, &bound[p->head[i]]))
            return lds_err_set(err, LDS_EOVERFLOW,
                               "arc %u: capacities at a node overflow int64", i);
        if (cap > max_cap)
            max_cap = cap;
        uint32_t a = pos[t]++;
        c->fwd[i] = a;
        if (is_inf)
            c->inf_bit[a >> 3] = (uint8_t)(c->inf_bit[a >> 3] | (1u << (a & 7)));
    }
    /* Backward copies after all forward arcs of each node: scanning a node
     * tries downstream arcs before sending flow back (measured: about half
     * the relabels on layered chains). */
    for (uint32_t i = 0; i < m; i++) {
        uint32_t a = c->fwd[i], b = pos[p->head[i]]++;
        c->rev[a] = b;
        c->rev[b] = a;
    }
    /* 32-bit arcs when every cost and residual capacity fits (a residual
     * capacity never exceeds its arc's capacity). */
    c->is_narrow = max_cost <= INT32_MAX && max_cap <= INT32_MAX;
    size_t m2 = c->m2 ? c->m2 : 1;
    c->arcs = lds_malloc(m2 * (c->is_narrow ? sizeof(rarc_n) : sizeof(rarc_w)));
    if (!c->arcs)
        return lds_err_set(err, LDS_ENOMEM, "cost scaling: out of memory (m=%u)", m);
    if (c->is_narrow)
        fill_arcs_n(c, p, big_cap);
    else
        fill_arcs_w(c, p, big_cap);
    c->mul = mul;
    c->eps = max_cost * mul;
    return LDS_OK;
}

/* ---- entry point ------------------------------------------------------------ */

lds_code lds_mcf__cost_scaling(const lds_mcf_problem *p, int64_t handoff, int64_t *flow,
                               int64_t *pot, lds_mcf_status *status, int *is_exact, lds_err *err)
{
    cs c;
    lds_code rc;
    int is_unbounded = 0, n_phases = 0;

    *is_exact = 1;
    memset(&c, 0, sizeof c);
    if ((rc = cs_alloc(&c, p->n_nodes, p->n_arcs, err)) != LDS_OK)
        goto done;
    if ((rc = cs_build(&c, p, err)) != LDS_OK)
        goto done;
    if (!c.is_infeasible) {
        int64_t eps = c.eps;
        int64_t handoff_eps = handoff > 0 ? eps / handoff : 0;
        c.eps_prev = eps;
        c.is_first_phase = 1;
        do {
            eps = eps / ALPHA;
            if (eps < 1)
                eps = 1;
            c.eps = eps;
            if (++n_phases >= 2 && (c.is_narrow ? price_refine_n(&c) : price_refine_w(&c)))
                continue;
            if ((rc = c.is_narrow ? refine_n(&c, err) : refine_w(&c, err)) != LDS_OK)
                goto done;
            if (eps > 1 && eps <= handoff_eps)
                *is_exact = 0; /* hand over */
        } while (eps > 1 && *is_exact && !c.is_infeasible);
    }
    if (c.is_infeasible) {
        *status = LDS_MCF_INFEASIBLE;
        goto done;
    }
    if (!*is_exact) {
        for (uint32_t u = 0; u < p->n_nodes; u++)
            pot[u] = c.pi[u] / c.mul; /* prices are >= 0: division floors */
    } else {
        if ((rc = c.is_narrow ? exact_potentials_n(&c, pot, &is_unbounded)
                              : exact_potentials_w(&c, pot, &is_unbounded)) != LDS_OK)
            goto done;
        if (is_unbounded) {
            *status = LDS_MCF_UNBOUNDED;
            goto done;
        }
    }
    for (uint32_t i = 0; i < p->n_arcs; i++) {
        uint32_t a = c.fwd[i];
        /* Forward residual + backward residual = the arc's capacity. */
        flow[i] = p->lower[i] + (c.is_narrow ? rev_rescap_n(&c, a) : rev_rescap_w(&c, a));
    }
    *status = LDS_MCF_OPTIMAL;
done:
    cs_release(&c);
    return rc;
}
