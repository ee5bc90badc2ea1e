/*
 * costscale_body.h — the arc-touching part of cost scaling (costscale.c),
 * compiled twice: once with 32-bit arc fields (CS_NARROW: every original
 * cost and every residual capacity fits int32; 16 bytes per residual arc)
 * and once with 64-bit fields (32 bytes).  The algorithm is memory-bound on
 * large instances, so the narrow arcs halve the traffic of the push,
 * relabel, global update and price refinement scans.  Costs are stored
 * unscaled and multiplied by n+1 where read (COST), prices and excesses
 * stay 64-bit in both layouts.
 *
 * Included only by costscale.c, which defines cs, NIL, PRICE_LIMIT,
 * MAX_PATH, enqueue, is_inf_arc and floor_div before including this.
 */
#ifdef CS_NARROW
#define cs_cost_t int32_t
#define cs_cap_t  int32_t
#define RARC      rarc_n
#define CSF(x)    x##_n
#else
#define cs_cost_t int64_t
#define cs_cap_t  int64_t
#define RARC      rarc_w
#define CSF(x)    x##_w
#endif

typedef struct RARC {
    cs_cost_t cost;   /* original cost (times n+1 when read, see COST) */
    cs_cap_t rescap;  /* residual capacity */
    cs_cap_t cap;     /* rescap + the reverse arc's rescap (constant): lets the
                       * global update test the reverse arc without loading it */
    uint32_t head;    /* target node */
} RARC;

/* Scaled cost of residual arc `x` (costs times n+1; |result| <= PRICE_LIMIT,
 * checked when the arcs are built).  `mul` is a local copy of c->mul. */
#define COST(x) ((int64_t)(x).cost * mul)

/* Lays out the residual arcs once costscale.c has placed them (c->fwd,
 * c->rev): forward copy at capacity `cap_of(i)`, backward copy empty. */
static void CSF(fill_arcs)(cs *c, const lds_mcf_problem *p, int64_t big_cap)
{
    RARC *arcs = c->arcs;
    for (uint32_t i = 0; i < p->n_arcs; i++) {
        uint32_t a = c->fwd[i], b = c->rev[a];
        int64_t cap = p->upper[i] == LDS_MCF_INF ? big_cap : p->upper[i] - p->lower[i];
        arcs[a] = (RARC){.cost = (cs_cost_t)p->cost[i],
                         .rescap = (cs_cap_t)cap,
                         .cap = (cs_cap_t)cap,
                         .head = p->head[i]};
        arcs[b] = (RARC){.cost = (cs_cost_t)-p->cost[i],
                         .rescap = 0,
                         .cap = (cs_cap_t)cap,
                         .head = p->tail[i]};
    }
}

/* Residual capacity of the reverse of arc `a` (the arc's flow, for a
 * forward copy). */
static int64_t CSF(rev_rescap)(const cs *c, uint32_t a)
{
    const RARC *arcs = c->arcs;
    return arcs[c->rev[a]].rescap;
}

/*
 * Raises pi[u] by min_rc + eps, where min_rc >= 0 is the smallest reduced
 * cost of u's residual arcs: the cheapest one becomes admissible and all
 * keep rc >= -eps.  `min_tail` is the minimum already known for the arcs
 * from cur[u] to the end (INT64_MAX if none); only [first, cur) is scanned.
 * Returns 0 when u has no residual arc, -1 on price overflow, 1 otherwise.
 */
static int CSF(relabel)(cs *c, uint32_t u, int64_t min_tail)
{
    const RARC *arcs = c->arcs;
    const int64_t *pi = c->pi, mul = c->mul;
    int64_t pu = pi[u], best = min_tail;
    for (uint32_t a = c->first[u], end = c->cur[u]; a < end; a++) {
        if (arcs[a].rescap > 0) {
            int64_t rc = COST(arcs[a]) - pu + pi[arcs[a].head];
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
static lds_code CSF(global_update)(cs *c, lds_err *err)
{
    uint32_t n = c->n, maxb = c->n_buckets - 1;
    const RARC *arcs = c->arcs;
    int64_t *pi = c->pi, eps = c->eps, mul = c->mul;
    uint32_t *dist = c->dist, *bnext = c->bnext, *bprev = c->bprev, *bhead = c->bhead;
    uint32_t n_active = 0, n_reached = 0, k = 0, top = 0;
    int is_cut = 0; /* some label exceeded maxb and was dropped */

    /* bhead[] is all NIL between calls (cleared up to `top` below). */
    for (uint32_t u = 0; u < n; u++) {
        dist[u] = DIST_NONE;
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
            uint32_t v = bhead[k], nx = bnext[v];
            bhead[k] = nx;
            if (nx != NIL) {
                bprev[nx] = NIL;
                /* The scan order is known one node ahead: start loading
                 * the next node's arcs (a cache miss each, the main cost
                 * of the update on large graphs) and the one after's
                 * arc index. */
                __builtin_prefetch(&arcs[c->first[nx]]);
                __builtin_prefetch(&pi[nx]);
                if (bnext[nx] != NIL)
                    __builtin_prefetch(&c->first[bnext[nx]]);
            }
            dist[v] |= SCANNED;
            /* Every active node is in the FIFO: the byte array (small
             * enough to stay cached) spares most scanned nodes a load of
             * their excess. */
            if (c->inq[v] && c->ex[v] > 0)
                n_reached++;
            int64_t pv = pi[v];
            for (uint32_t a = c->first[v], end = c->first[v + 1]; a < end; a++) {
                uint32_t w = arcs[a].head, dw;
                /* The reverse arc w->v: residual capacity cap - rescap,
                 * cost -cost. */
                if (arcs[a].cap - arcs[a].rescap <= 0 || ((dw = dist[w]) & SCANNED))
                    continue;
                int64_t rc = -COST(arcs[a]) - pi[w] + pv; /* >= -eps */
                int64_t len = (rc + eps) / eps;
                if (len < 0)
                    len = 0; /* cannot happen under eps-optimality */
                if (len > (int64_t)(maxb - k)) {
                    is_cut = 1;
                    continue;
                }
                uint32_t nd = k + (uint32_t)len;
                if (nd >= dw)
                    continue;
                if (dw != DIST_NONE) { /* unlink from its bucket */
                    if (bprev[w] != NIL)
                        bnext[bprev[w]] = bnext[w];
                    else
                        bhead[dw] = bnext[w];
                    if (bnext[w] != NIL)
                        bprev[bnext[w]] = bprev[w];
                }
                if (nd == k) /* scanned next: start loading its arcs */
                    __builtin_prefetch(&arcs[c->first[w]]);
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
        uint32_t d = dist[u] & SCANNED ? dist[u] & ~SCANNED : k;
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
static lds_code CSF(augment_from)(cs *c, uint32_t s, lds_err *err)
{
    RARC *arcs = c->arcs;
    const uint32_t *rev = c->rev;
    int64_t *pi = c->pi, *ex = c->ex, mul = c->mul;
    uint32_t path[MAX_PATH], len = 0, tip = s;

    while (len < MAX_PATH && ex[tip] >= 0) {
        int64_t pt = pi[tip], min_rc = INT64_MAX;
        uint32_t a = c->cur[tip], end = c->first[tip + 1];
        for (; a < end; a++) {
            if (arcs[a].rescap <= 0)
                continue;
            int64_t rc = COST(arcs[a]) - pt + pi[arcs[a].head];
            if (rc < 0)
                break;
            if (rc < min_rc)
                min_rc = rc;
        }
        if (a < end) { /* admissible arc: extend the path */
            uint32_t v = arcs[a].head;
            c->cur[tip] = a;
            path[len++] = a;
            /* The reverse arc is read by the push (and by a relabel of v,
             * as the step back): start loading it now, while v's arcs are
             * scanned, instead of two dependent misses later. */
            __builtin_prefetch(&arcs[rev[a]], 1);
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
            uint32_t back = rev[path[len - 1]];
            int64_t rc = COST(arcs[back]) - pt + pi[arcs[back].head];
            if (rc < min_rc)
                min_rc = rc;
        }
        int r = CSF(relabel)(c, tip, min_rc);
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
        tip = arcs[rev[path[len]]].head;
    }
    uint32_t u = s;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t a = path[i], v = arcs[a].head;
        int64_t delta = ex[u] < arcs[a].rescap ? ex[u] : arcs[a].rescap;
        if (delta <= 0)
            break;
        arcs[a].rescap = (cs_cap_t)(arcs[a].rescap - delta);
        arcs[rev[a]].rescap = (cs_cap_t)(arcs[rev[a]].rescap + delta);
        ex[u] -= delta;
        ex[v] += delta;
        if (ex[v] > 0 && ex[v] <= delta)
            enqueue(c, v);
        u = v;
    }
    return LDS_OK;
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
static int CSF(price_refine)(cs *c)
{
    uint32_t n = c->n;
    const RARC *arcs = c->arcs;
    int64_t *pi = c->pi, *d = c->pi0, eps = c->eps, mul = c->mul;
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
                if (arcs[a].rescap > 0 && !seen[v] && COST(arcs[a]) - pu + pi[v] < 0)
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
                int64_t rc = COST(arcs[a]) - pu + pi[v];
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
static lds_code CSF(refine)(cs *c, lds_err *err)
{
    uint32_t n = c->n;
    RARC *arcs = c->arcs;
    const uint32_t *rev = c->rev;
    int64_t *pi = c->pi, *ex = c->ex, mul = c->mul;
    lds_code rc;

    /* Saturate every admissible arc: the pseudo-flow becomes 0-optimal.
     * On the way, measure how far from optimal the circulation we start
     * from is under the current prices (for the infeasibility bound). */
    int64_t min_rc = 0;
    for (uint32_t u = 0; u < n; u++) {
        int64_t pu = pi[u];
        for (uint32_t a = c->first[u], end = c->first[u + 1]; a < end; a++) {
            int64_t r = arcs[a].rescap, rca;
            if (r > 0 && (rca = COST(arcs[a]) - pu + pi[arcs[a].head]) < 0) {
                if (rca < min_rc)
                    min_rc = rca;
                arcs[a].rescap = 0;
                arcs[rev[a]].rescap = (cs_cap_t)(arcs[rev[a]].rescap + r);
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
        if (c->qlen > 1) {
            /* Load the next active node's data while this one is worked. */
            uint32_t at = c->qhead + 1 == n ? 0 : c->qhead + 1, nx = c->queue[at];
            __builtin_prefetch(&arcs[c->cur[nx]]);
            __builtin_prefetch(&ex[nx]);
            __builtin_prefetch(&pi[nx]);
            if (c->qlen > 2)
                __builtin_prefetch(&c->cur[c->queue[at + 1 == n ? 0 : at + 1]]);
        }
        if (ex[s] <= 0) {
            c->inq[s] = 0;
            c->qhead = c->qhead + 1 == n ? 0 : c->qhead + 1;
            c->qlen--;
            continue;
        }
        if ((rc = CSF(augment_from)(c, s, err)) != LDS_OK || c->is_infeasible)
            return rc;
        if (c->n_relabels >= c->gu_every) {
            if ((rc = CSF(global_update)(c, err)) != LDS_OK || c->is_infeasible)
                return rc;
        }
    }
    return LDS_OK;
}

/*
 * From the scaled prices (residual arcs have scaled rc >= -1), rounds down to
 * integer potentials (residual rc >= -1 in original costs), then corrects
 * them with a FIFO label-correcting pass.  A negative cycle (possible only
 * through an uncapacitated arc) means the problem is unbounded.
 */
static lds_code CSF(exact_potentials)(cs *c, int64_t *pot, int *is_unbounded)
{
    uint32_t n = c->n;
    int64_t mul = c->mul;
    const RARC *arcs = c->arcs;
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
            if (arcs[a].rescap <= 0 && !is_inf_arc(c, a))
                continue;
            uint32_t v = arcs[a].head;
            int64_t nd = base + arcs[a].cost + p[v];
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

#undef COST
#undef RARC
#undef CSF
#undef cs_cost_t
#undef cs_cap_t
