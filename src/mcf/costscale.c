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
 * Choosing a method for AUTO (bench/mcf/run, docs/benchmarks-mcf.md, CPU
 * seconds on a loaded 2-core EPYC): the simplex wins on shallow networks at
 * every size (transportation at 1e6 arcs: 0.18 s against 2.5 s here;
 * NETGEN-like: 1.3 s against 6.1 s), and on the deep multi-echelon chain up
 * to a few 1e5 arcs (1e5: 0.56 s against 0.82 s; 3e5: 2.6 s against 3.0 s).
 * Cost scaling wins on the chain from about 5e5 arcs (1e6: 19.6 s against
 * 35.9 s; LEMON CS 20.2 s, LEMON NS 56.7 s).  The rule AUTO applies
 * (solver.c, lds_mcf__auto_method): a multi-source BFS from the supply nodes
 * over arcs with capacity; if the deepest layer is >= 8 (chain: 13-14,
 * NETGEN-like: 3, transportation: 1) and m >= 5e5, cost scaling, else the
 * simplex.  Cost scaling leaves no simplex basis, so the solver builds one
 * from its optimal flow and potentials (lds_mcf__ns_crossover) for warm
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

#define ALPHA       16                /* epsilon divisor per phase */
#define PRICE_LIMIT (INT64_MAX / 8)   /* bound on |scaled cost| and |price| */
#define NIL         UINT32_MAX

typedef struct rarc {
    int64_t cost;   /* scaled cost: original cost * (n+1) */
    int64_t rescap; /* residual capacity */
    int64_t cap;    /* rescap + the reverse arc's rescap (constant): lets the
                     * global update test the reverse arc without loading it */
    uint32_t head;  /* target node */
    uint32_t rev;   /* index of the reverse residual arc */
} rarc;

typedef struct cs {
    uint32_t n;
    uint32_t m2;       /* number of residual arcs (2m) */
    uint32_t *first;   /* n+1: residual arcs of node u are [first[u], first[u+1]) */
    rarc *arcs;        /* m2 */
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
    c->arcs = lds_malloc((m2 ? m2 : 1) * sizeof *c->arcs);
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
    c->n_buckets = n < (UINT32_MAX - 8) / 4 ? 4 * n + 4 : UINT32_MAX - 8;
    c->bhead = lds_malloc(((size_t)c->n_buckets + 1) * sizeof *c->bhead);
    if (c->bhead)
        memset(c->bhead, 0xff, ((size_t)c->n_buckets + 1) * sizeof *c->bhead); /* NIL */
    c->dist = lds_malloc(((size_t)n + 1) * sizeof *c->dist);
    c->inq = lds_malloc((size_t)n + 1);
    c->gu_every = 2 * (uint64_t)n + 1; /* measured on all three families */
    if (!c->first || !c->arcs || !c->fwd || !c->inf_bit || !c->ex || !c->pi || !c->pi0 ||
        !c->cur || !c->queue || !c->bnext || !c->bprev || !c->bhead || !c->dist || !c->inq)
        return lds_err_set(err, LDS_ENOMEM, "cost scaling: out of memory (n=%u, m=%u)", n, m);
    return LDS_OK;
}

static void cs_release(cs *c)
{
    lds_free(c->first);
    lds_free(c->arcs);
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
    for (uint32_t u = 0; u < n; u++)
        bound[u] = ex[u] < 0 ? -ex[u] : ex[u];
    for (uint32_t i = 0; i < m; i++) {
        uint32_t t = p->tail[i], h = p->head[i];
        int is_inf = p->upper[i] == LDS_MCF_INF;
        int64_t cap = is_inf ? big_cap : p->upper[i] - p->lower[i];
        int64_t flow_max;
        if (is_inf && __builtin_add_overflow(p->lower[i], cap, &flow_max))
            return lds_err_set(err, LDS_EOVERFLOW, "arc %u: lower bound too large", i);
        if (__builtin_add_overflow(bound[t], cap, &bound[t]) ||
            __builtin_add_overflow(bound[h], cap, &bound[h]))
            return lds_err_set(err, LDS_EOVERFLOW,
                               "arc %u: capacities at a node overflow int64", i);
        uint32_t a = pos[t]++;
        c->arcs[a] =
            (rarc){.cost = p->cost[i] * mul, .rescap = cap, .cap = cap, .head = h, .rev = NIL};
        c->fwd[i] = a;
        if (is_inf)
            c->inf_bit[a >> 3] = (uint8_t)(c->inf_bit[a >> 3] | (1u << (a & 7)));
    }
    /* Backward copies after all forward arcs of each node: scanning a node
     * tries downstream arcs before sending flow back (measured: about half
     * the relabels on layered chains). */
    for (uint32_t i = 0; i < m; i++) {
        uint32_t a = c->fwd[i], b = pos[p->head[i]]++;
        c->arcs[b] = (rarc){.cost = -c->arcs[a].cost,
                            .rescap = 0,
                            .cap = c->arcs[a].cap,
                            .head = p->tail[i],
                            .rev = a};
        c->arcs[a].rev = b;
    }
    c->eps = max_cost * mul;
    return LDS_OK;
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

/*
 * Raises pi[u] by min_rc + eps, where min_rc >= 0 is the smallest reduced
 * cost of u's residual arcs: the cheapest one becomes admissible and all
 * keep rc >= -eps.  `min_tail` is the minimum already known for the arcs
 * from cur[u] to the end (INT64_MAX if none); only [first, cur) is scanned.
 * Returns 0 when u has no residual arc, -1 on price overflow, 1 otherwise.
 */
static int relabel(cs *c, uint32_t u, int64_t min_tail)
{
    const rarc *arcs = c->arcs;
    const int64_t *pi = c->pi;
    int64_t pu = pi[u], best = min_tail;
    for (uint32_t a = c->first[u], end = c->cur[u]; a < end; a++) {
        if (arcs[a].rescap > 0) {
            int64_t rc = arcs[a].cost - pu + pi[arcs[a].head];
            if (rc < best)
                best = rc;
        }
    }
    if (best == INT64_MAX)
        return 0;
    int64_t np = pu + best + c->eps;
    if (np > PRICE_LIMIT)
        return -1;
    c->pi[u] = np;
    c->cur[u] = c->first[u];
    c->n_relabels++;
    return 1;
}

/*
 * Global price update (Goldberg's set relabel): bucket-based Dijkstra from
 * the deficit nodes over reversed residual arcs, with length
 * floor(rc/eps) + 1 per arc; each node's price rises by its distance times
 * eps (nodes not reached before every active node is: by the stop level).
 * This keeps eps-optimality and makes the shortest-path arcs admissible.
 * Sets c->is_infeasible when an active node cannot reach any deficit.
 */
static lds_code global_update(cs *c, lds_err *err)
{
    uint32_t n = c->n, maxb = c->n_buckets - 1;
    const rarc *arcs = c->arcs;
    int64_t *pi = c->pi, eps = c->eps;
    uint32_t *dist = c->dist, *bnext = c->bnext, *bprev = c->bprev, *bhead = c->bhead;
    uint32_t n_active = 0, n_reached = 0, k = 0, top = 0;
    int is_cut = 0; /* some label exceeded maxb and was dropped */

    /* bhead[] is all NIL between calls (cleared up to `top` below). */
    for (uint32_t u = 0; u < n; u++) {
        dist[u] = NIL;
        bnext[u] = NIL;
        if (c->ex[u] > 0)
            n_active++;
        else if (c->ex[u] < 0) {
            dist[u] = 0;
            bprev[u] = NIL;
            bnext[u] = bhead[0];
            if (bhead[0] != NIL)
                bprev[bhead[0]] = u;
            bhead[0] = u;
        }
    }
    c->n_relabels = 0;
    if (n_active == 0) {
        bhead[0] = NIL;
        return LDS_OK;
    }
    for (k = 0; k <= top && n_reached < n_active; k++) {
        while (bhead[k] != NIL && n_reached < n_active) {
            uint32_t v = bhead[k];
            bhead[k] = bnext[v];
            if (bnext[v] != NIL)
                bprev[bnext[v]] = NIL;
            bnext[v] = NIL - 1; /* marks "scanned" */
            if (c->ex[v] > 0)
                n_reached++;
            int64_t pv = pi[v];
            for (uint32_t a = c->first[v], end = c->first[v + 1]; a < end; a++) {
                uint32_t w = arcs[a].head;
                /* The reverse arc w->v: residual capacity cap - rescap,
                 * cost -cost. */
                if (arcs[a].cap - arcs[a].rescap <= 0 || bnext[w] == NIL - 1)
                    continue;
                int64_t rc = -arcs[a].cost - pi[w] + pv; /* >= -eps */
                int64_t len = (rc + eps) / eps;
                if (len < 0)
                    len = 0; /* cannot happen under eps-optimality */
                if (len > (int64_t)(maxb - k)) {
                    is_cut = 1;
                    continue;
                }
                uint32_t nd = k + (uint32_t)len;
                if (nd >= dist[w])
                    continue;
                if (dist[w] != NIL) { /* unlink from its bucket */
                    if (bprev[w] != NIL)
                        bnext[bprev[w]] = bnext[w];
                    else
                        bhead[dist[w]] = bnext[w];
                    if (bnext[w] != NIL)
                        bprev[bnext[w]] = bprev[w];
                }
                dist[w] = nd;
                bprev[w] = NIL;
                bnext[w] = bhead[nd];
                if (bhead[nd] != NIL)
                    bprev[bhead[nd]] = w;
                bhead[nd] = w;
                if (nd > top)
                    top = nd;
            }
        }
        if (n_reached == n_active)
            break;
    }
    for (uint32_t b = 0; b <= top; b++)
        bhead[b] = NIL;
    if (n_reached < n_active) {
        if (!is_cut) {
            c->is_infeasible = 1;
            return LDS_OK;
        }
        k = maxb;
    }
    /* k is the stop level: every node not scanned has true distance >= k. */
    for (uint32_t u = 0; u < n; u++) {
        uint32_t d = bnext[u] == NIL - 1 ? dist[u] : k;
        int64_t raise, np;
        if (d == 0)
            continue;
        if (__builtin_mul_overflow((int64_t)d, eps, &raise) ||
            __builtin_add_overflow(pi[u], raise, &np) || np > PRICE_LIMIT)
            return lds_err_set(err, LDS_EOVERFLOW,
                               "cost scaling: node prices exceed the exact range");
        pi[u] = np;
        /* Only a raised node can gain admissible arcs. */
        c->cur[u] = c->first[u];
    }
    return LDS_OK;
}

/*
 * Partial augment-relabel (Goldberg 2008, as used for min-cost flow by
 * Kovacs 2015): from the active node s, walk admissible arcs for at most
 * MAX_PATH arcs or until a deficit node is reached, relabelling (and
 * stepping back) where the walk is stuck, then push along the whole path.
 * This moves excess several arcs per operation, which matters on deep
 * layered networks.
 */
#define MAX_PATH 4

static lds_code augment_from(cs *c, uint32_t s, lds_err *err)
{
    rarc *arcs = c->arcs;
    int64_t *pi = c->pi, *ex = c->ex;
    uint32_t path[MAX_PATH], len = 0, tip = s;

    while (len < MAX_PATH && ex[tip] >= 0) {
        int64_t pt = pi[tip], min_rc = INT64_MAX;
        uint32_t a = c->cur[tip], end = c->first[tip + 1];
        for (; a < end; a++) {
            if (arcs[a].rescap <= 0)
                continue;
            int64_t rc = arcs[a].cost - pt + pi[arcs[a].head];
            if (rc < 0)
                break;
            if (rc < min_rc)
                min_rc = rc;
        }
        if (a < end) { /* admissible arc: extend the path */
            uint32_t v = arcs[a].head;
            c->cur[tip] = a;
            path[len++] = a;
            int is_cycle = v == s;
            for (uint32_t i = 0; i + 1 < len && !is_cycle; i++)
                is_cycle = arcs[path[i]].head == v;
            if (is_cycle)
                break;
            tip = v;
            continue;
        }
        if (len > 0) {
            /* Cap the rise at what makes the arc back along the path (even
             * if it has no residual capacity) admissible: small steps keep
             * the prices tight (as LEMON's CostScaling does). */
            uint32_t back = arcs[path[len - 1]].rev;
            int64_t rc = arcs[back].cost - pt + pi[arcs[back].head];
            if (rc < min_rc)
                min_rc = rc;
        }
        int r = relabel(c, tip, min_rc);
        if (r < 0)
            return lds_err_set(err, LDS_EOVERFLOW,
                               "cost scaling: node prices exceed the exact range");
        if (r == 0 && tip != s)
            break; /* a dead end: push into it; it fails when it is discharged */
        if (r == 0 || (ex[tip] > 0 && pi[tip] - c->pi0[tip] > c->price_rise_max)) {
            /* Excess with no way out, or a price rise beyond what a feasible
             * problem allows (see refine). */
            c->is_infeasible = 1;
            return LDS_OK;
        }
        if (tip == s)
            continue;
        len--; /* step back */
        tip = arcs[arcs[path[len]].rev].head;
    }
    uint32_t u = s;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t a = path[i], v = arcs[a].head;
        int64_t delta = ex[u] < arcs[a].rescap ? ex[u] : arcs[a].rescap;
        if (delta <= 0)
            break;
        arcs[a].rescap -= delta;
        arcs[arcs[a].rev].rescap += delta;
        ex[u] -= delta;
        ex[v] += delta;
        if (ex[v] > 0 && ex[v] <= delta)
            enqueue(c, v);
        u = v;
    }
    return LDS_OK;
}

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/*
 * Price refinement (Goldberg's heuristic, also in CS2 and LEMON): before a
 * phase, try to make the current circulation eps-optimal by raising prices
 * alone.  The raise, in units of eps, is minus the shortest-path distance
 * from a virtual root over residual arcs with length floor(rc/eps) + 1
 * (the same lengths as the global update; negative only where rc < -eps).
 * Negative arcs lie on the admissible graph (rc < 0), which is nearly
 * acyclic, so the label-correcting passes visit nodes in a topological
 * order of it (reverse DFS postorder; Goldberg-Radzik) and only rescan
 * nodes whose label dropped.  If the labels settle within the budget the
 * phase is already done (returns 1).  Otherwise the partial raises are kept
 * (they only bring prices closer; refine measures the resulting distance
 * from optimality for its infeasibility bound) and 0 is returned.
 */
static int price_refine(cs *c)
{
    uint32_t n = c->n;
    const rarc *arcs = c->arcs;
    int64_t *pi = c->pi, *d = c->pi0, eps = c->eps;
    uint32_t *order = c->bnext, *stack = c->queue, *it = c->cur, *seen = c->bprev;
    uint8_t *dirty = c->inq;
    uint64_t budget = 8 * (uint64_t)c->m2 + 4 * (uint64_t)n; /* arc scans */
    uint32_t n_order = n;

    /* Reverse postorder of the admissible graph, by iterative DFS. */
    for (uint32_t u = 0; u < n; u++)
        seen[u] = 0;
    for (uint32_t r = 0; r < n; r++) {
        if (seen[r])
            continue;
        uint32_t top = 0;
        stack[top++] = r;
        seen[r] = 1;
        it[r] = c->first[r];
        while (top > 0) {
            uint32_t u = stack[top - 1], end = c->first[u + 1], a = it[u];
            int64_t pu = pi[u];
            for (; a < end; a++) {
                uint32_t v = arcs[a].head;
                if (arcs[a].rescap > 0 && !seen[v] && arcs[a].cost - pu + pi[v] < 0)
                    break;
            }
            if (a < end) {
                uint32_t v = arcs[a].head;
                it[u] = a + 1;
                seen[v] = 1;
                it[v] = c->first[v];
                stack[top++] = v;
            } else {
                order[--n_order] = u;
                top--;
            }
        }
    }
    budget = budget > (uint64_t)c->m2 ? budget - c->m2 : 0; /* the DFS */
    for (uint32_t u = 0; u < n; u++) {
        d[u] = 0;
        dirty[u] = 1;
    }
    int is_dirty = 1, is_done = 1;
    while (is_dirty && is_done) {
        is_dirty = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t u = order[i];
            if (!dirty[u])
                continue;
            dirty[u] = 0;
            uint32_t a = c->first[u], end = c->first[u + 1];
            if (budget < (uint64_t)(end - a) + 1) {
                is_done = 0;
                break;
            }
            budget -= (uint64_t)(end - a) + 1;
            int64_t pu = pi[u], du = d[u];
            for (; a < end; a++) {
                if (arcs[a].rescap <= 0)
                    continue;
                uint32_t v = arcs[a].head;
                int64_t rc = arcs[a].cost - pu + pi[v];
                if (rc >= 0 && du >= d[v])
                    continue; /* length >= 1 cannot improve */
                int64_t nd = du + floor_div(rc, eps) + 1;
                if (nd < d[v]) {
                    d[v] = nd;
                    dirty[v] = 1;
                    is_dirty = 1;
                }
            }
        }
    }
    for (uint32_t u = 0; u < n; u++) {
        int64_t raise;
        if (d[u] == 0)
            continue;
        if (__builtin_mul_overflow(-d[u], eps, &raise) || raise > PRICE_LIMIT - pi[u])
            return 0; /* keep the prices that fit */
    }
    for (uint32_t u = 0; u < n; u++)
        pi[u] -= d[u] * eps;
    return is_done;
}

/* One phase: from a (eps*ALPHA)-optimal to an eps-optimal flow. */
static lds_code refine(cs *c, lds_err *err)
{
    uint32_t n = c->n;
    rarc *arcs = c->arcs;
    int64_t *pi = c->pi, *ex = c->ex;
    lds_code rc;

    /* Saturate every admissible arc: the pseudo-flow becomes 0-optimal.
     * On the way, measure how far from optimal the circulation we start
     * from is under the current prices (for the infeasibility bound). */
    int64_t min_rc = 0;
    for (uint32_t u = 0; u < n; u++) {
        int64_t pu = pi[u];
        for (uint32_t a = c->first[u], end = c->first[u + 1]; a < end; a++) {
            int64_t r = arcs[a].rescap, rca;
            if (r > 0 && (rca = arcs[a].cost - pu + pi[arcs[a].head]) < 0) {
                if (rca < min_rc)
                    min_rc = rca;
                arcs[a].rescap = 0;
                arcs[arcs[a].rev].rescap += r;
                ex[u] -= r;
                ex[arcs[a].head] += r;
            }
        }
    }
    memcpy(c->pi0, pi, (size_t)n * sizeof *pi);
    /* Goldberg-Tarjan: for an active node v there is a residual path P to a
     * deficit node whose reverse is residual for a feasible flow f' that is
     * eps_prev-optimal under the prices at the phase start, so feasibility
     * bounds v's price rise by |P| * (eps + eps_prev) <= n * (eps +
     * eps_prev).  f' is the previous phase's circulation (measured above);
     * before the first phase, any feasible flow is max|cost|-optimal under
     * zero prices. */
    if (!c->is_first_phase)
        c->eps_prev = -min_rc;
    c->is_first_phase = 0;
    if (__builtin_mul_overflow((int64_t)n + 1, c->eps + c->eps_prev, &c->price_rise_max))
        c->price_rise_max = INT64_MAX;
    c->qhead = c->qlen = 0;
    memset(c->inq, 0, n);
    for (uint32_t u = 0; u < n; u++) {
        c->cur[u] = c->first[u];
        if (ex[u] > 0)
            enqueue(c, u);
    }
    while (c->qlen > 0) {
        uint32_t s = c->queue[c->qhead];
        if (ex[s] <= 0) {
            c->inq[s] = 0;
            c->qhead = c->qhead + 1 == n ? 0 : c->qhead + 1;
            c->qlen--;
            continue;
        }
        if ((rc = augment_from(c, s, err)) != LDS_OK || c->is_infeasible)
            return rc;
        if (c->n_relabels >= c->gu_every) {
            if ((rc = global_update(c, err)) != LDS_OK || c->is_infeasible)
                return rc;
        }
    }
    return LDS_OK;
}

/* ---- exact potentials ------------------------------------------------------ */

static int arc_is_residual(const cs *c, uint32_t a)
{
    return c->arcs[a].rescap > 0 || is_inf_arc(c, a);
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

/*
 * From the scaled prices (residual arcs have scaled rc >= -1), rounds down to
 * integer potentials (residual rc >= -1 in original costs), then corrects
 * them with a FIFO label-correcting pass.  A negative cycle (possible only
 * through an uncapacitated arc) means the problem is unbounded.
 */
static lds_code exact_potentials(cs *c, int64_t *pot, int *is_unbounded)
{
    uint32_t n = c->n;
    int64_t mul = (int64_t)n + 1;
    const rarc *arcs = c->arcs;
    int64_t *p = c->pi0, *d = c->ex;
    uint32_t *par = c->cur, *queue = c->queue;
    uint8_t *inq = c->inq;
    uint64_t n_relax = 0;

    for (uint32_t u = 0; u < n; u++) {
        p[u] = c->pi[u] / mul; /* prices are >= 0: division floors */
        d[u] = 0;
        par[u] = NIL;
        inq[u] = 1;
        queue[u] = u;
    }
    uint32_t qhead = 0, qlen = n;
    while (qlen > 0) {
        uint32_t u = queue[qhead];
        qhead = qhead + 1 == n ? 0 : qhead + 1;
        qlen--;
        inq[u] = 0;
        int64_t base = d[u] - p[u];
        for (uint32_t a = c->first[u], end = c->first[u + 1]; a < end; a++) {
            if (!arc_is_residual(c, a))
                continue;
            uint32_t v = arcs[a].head;
            int64_t nd = base + arcs[a].cost / mul + p[v];
            if (nd >= d[v])
                continue;
            d[v] = nd;
            par[v] = u;
            if (!inq[v]) {
                inq[v] = 1;
                uint32_t at = qhead + qlen;
                queue[at >= n ? at - n : at] = v;
                qlen++;
            }
            /* Amortised parent-graph check every n relaxations, and the
             * Bellman-Ford bound as a backstop. */
            ++n_relax;
            if ((n_relax % ((uint64_t)n + 1) == 0 && parent_cycle(c)) ||
                n_relax > ((uint64_t)n + 1) * ((uint64_t)c->m2 + 1)) {
                *is_unbounded = 1;
                return LDS_OK;
            }
        }
    }
    for (uint32_t u = 0; u < n; u++)
        pot[u] = p[u] - d[u];
    return LDS_OK;
}

/* ---- entry point ------------------------------------------------------------ */

lds_code lds_mcf__cost_scaling(const lds_mcf_problem *p, int64_t *flow, int64_t *pot,
                               lds_mcf_status *status, lds_err *err)
{
    cs c;
    lds_code rc;
    int is_unbounded = 0, n_phases = 0;

    memset(&c, 0, sizeof c);
    if ((rc = cs_alloc(&c, p->n_nodes, p->n_arcs, err)) != LDS_OK)
        goto done;
    if ((rc = cs_build(&c, p, err)) != LDS_OK)
        goto done;
    if (!c.is_infeasible) {
        int64_t eps = c.eps;
        c.eps_prev = eps;
        c.is_first_phase = 1;
        do {
            eps = eps / ALPHA;
            if (eps < 1)
                eps = 1;
            c.eps = eps;
            if (++n_phases >= 2 && price_refine(&c))
                continue;
            if ((rc = refine(&c, err)) != LDS_OK)
                goto done;
        } while (eps > 1 && !c.is_infeasible);
    }
    if (c.is_infeasible) {
        *status = LDS_MCF_INFEASIBLE;
        goto done;
    }
    if ((rc = exact_potentials(&c, pot, &is_unbounded)) != LDS_OK)
        goto done;
    if (is_unbounded) {
        *status = LDS_MCF_UNBOUNDED;
        goto done;
    }
    for (uint32_t i = 0; i < p->n_arcs; i++) {
        uint32_t a = c.fwd[i];
        /* Forward residual + backward residual = the arc's capacity. */
        flow[i] = p->lower[i] + c.arcs[c.arcs[a].rev].rescap;
    }
    *status = LDS_MCF_OPTIMAL;
done:
    cs_release(&c);
    return rc;
}
