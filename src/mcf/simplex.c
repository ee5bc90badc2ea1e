/*
 * simplex.c — primal network simplex on a strongly feasible spanning tree
 * (Cunningham), with an artificial root joined to every node, block-search
 * pricing (as LEMON's NetworkSimplex) and warm restarts: supply and bound
 * changes are routed to the root along tree paths, cutting blocked subtrees
 * onto their artificial arcs, so the tree stays strongly feasible.
 *
 * Flows are stored as real values (lower <= flow <= upper), so lower bounds
 * need no shifting: the artificial arcs carry b(u) = supply - out lower + in
 * lower.  A unit through the root costs art_cost = (max|c|+1)(n+1), more than
 * any simple path, so an optimum with artificial flow proves infeasibility.
 */
#include <string.h>
#include "lodestone/alloc.h"
#include "ns.h"

#define INF   INT64_MAX
#define ART   LDS_MCF__ART
#define NONE  LDS_MCF__NONE
#define UP    ((int8_t)1)
#define DOWN  ((int8_t)-1)
#define LOWER ((int8_t)1)
#define UPPER ((int8_t)-1)
#define TREE  ((int8_t)0)
#define WARM_BLOCK 4u /* pricing block multiplier for warm solves */
/* Node renumbering (relayout): every n/4 pivots during a solve, and at the
 * end of one that pivoted n/16 times since the last, so that the next warm
 * solve starts in order.  Measured (CPU s, cold simplex solves): NETGEN-like
 * 1e6 arcs 0.77-0.83 against 0.88-0.99 without, every n/8 pivots 0.77, n/2
 * 0.85; 4e6 arcs 5.73 against 6.56; transportation 1e6 0.147-0.151 against
 * 0.151-0.162; the chain's warm re-solves 0.27 s against 0.42 s. */
#define RELAYOUT_EVERY(n)  ((uint64_t)(n) / 4 + 1)
#define RELAYOUT_PIVOTS(n) ((uint64_t)(n) / 16 + 1)

/* Magnitude limits: flows stay within 2^62 and reduced costs within 2^62. */
#define VAL_LIM  ((int64_t)1 << 61)
#define COST_LIM ((int64_t)1 << 58)
/* art_cost <= 2^59, so tree potentials span at most 2^60 around the root's;
 * the root's own potential may drift up to PI_DRIFT before renormalising,
 * which keeps |pi| <= 2^61 and every reduced cost within 2^63. */
#define PI_DRIFT ((int64_t)1 << 60)

/* art_cost for a maximum |cost| over n nodes, or -1 if it exceeds 2^59. */
static int64_t art_cost_for(int64_t max_c, uint32_t n)
{
    lds_i128 ac = ((lds_i128)max_c + 1) * ((lds_i128)n + 1);
    return ac > COST_LIM * 2 ? -1 : (int64_t)ac;
}

lds_code lds_mcf__check_ranges_full(const lds_mcf_problem *p, int64_t *b, int64_t *art_cost,
                                    lds_mcf__ranges *out, lds_err *err)
{
    uint32_t n = p->n_nodes, m = p->n_arcs;
    int64_t max_c = 0;
    lds_i128 flow_bound = 0;
    for (uint32_t u = 0; u < n; u++) {
        int64_t s = p->supply[u];
        if (s > VAL_LIM || s < -VAL_LIM)
            return lds_err_set(err, LDS_EOVERFLOW, "node %u: supply %lld too large (limit 2^61)",
                               u, (long long)s);
        b[u] = s;
    }
    for (uint32_t e = 0; e < m; e++) {
        int64_t lo = p->lower[e], up = p->upper[e], c = p->cost[e];
        if (p->tail[e] >= n || p->head[e] >= n)
            return lds_err_set(err, LDS_EINVAL, "arc %u (%u->%u): node out of range (n=%u)", e,
                               p->tail[e], p->head[e], n);
        if (lo > up)
            return lds_err_set(err, LDS_EINVAL, "arc %u (%u->%u): lower bound %lld exceeds capacity %lld",
                               e, p->tail[e], p->head[e], (long long)lo, (long long)up);
        if (lo > VAL_LIM || lo < -VAL_LIM || (up != INF && (up > VAL_LIM || up < -VAL_LIM)))
            return lds_err_set(err, LDS_EOVERFLOW,
                               "arc %u (%u->%u): bounds [%lld, %lld] too large (limit 2^61)", e,
                               p->tail[e], p->head[e], (long long)lo, (long long)up);
        if (c > COST_LIM || c < -COST_LIM)
            return lds_err_set(err, LDS_EOVERFLOW, "arc %u (%u->%u): cost %lld too large (limit 2^58)",
                               e, p->tail[e], p->head[e], (long long)c);
        if (c < 0)
            c = -c;
        if (c > max_c)
            max_c = c;
        if (up != INF)
            flow_bound += up - lo;
        /* b stays within n * 2^62 in 128 bits only; check per step in 64 bits. */
        if (__builtin_sub_overflow(b[p->tail[e]], lo, &b[p->tail[e]]) ||
            __builtin_add_overflow(b[p->head[e]], lo, &b[p->head[e]]))
            return lds_err_set(err, LDS_EOVERFLOW, "arc %u: lower bounds overflow node balances", e);
    }
    for (uint32_t u = 0; u < n; u++)
        if (b[u] > 0)
            flow_bound += b[u];
    if (flow_bound > VAL_LIM)
        return lds_err_set(err, LDS_EOVERFLOW,
                           "total supply plus finite capacities exceeds 2^61: flows could overflow");
    int64_t ac = art_cost_for(max_c, n);
    if (ac < 0)
        return lds_err_set(err, LDS_EOVERFLOW,
                           "max |cost| %lld times %u nodes exceeds 2^59: potentials could overflow",
                           (long long)max_c, n);
    *art_cost = ac;
    lds_i128 sum = 0;
    for (uint32_t u = 0; u < n; u++)
        sum += p->supply[u];
    out->flow_bound = flow_bound;
    out->max_c = max_c;
    out->sum_supply = sum;
    return LDS_OK;
}

lds_code lds_mcf__ns_init(lds_mcf__ns *s, lds_mcf_problem *p, lds_err *err)
{
    memset(s, 0, sizeof *s);
    s->p = p;
    s->n = p->n_nodes;
    size_t n1 = (size_t)s->n + 1;
    s->cap_m = p->cap_arcs > p->n_arcs ? p->cap_arcs : p->n_arcs;
    if (!s->cap_m)
        s->cap_m = 1;
    s->tail = lds_malloc(s->cap_m * sizeof *s->tail);
    s->head = lds_malloc(s->cap_m * sizeof *s->head);
    s->cost = lds_malloc(s->cap_m * sizeof *s->cost);
    s->cost32 = lds_malloc(s->cap_m * sizeof *s->cost32);
    s->cost16 = lds_malloc(s->cap_m * sizeof *s->cost16);
    s->flow = lds_malloc(s->cap_m * sizeof *s->flow);
    s->state = lds_malloc(s->cap_m * sizeof *s->state);
    s->art_flow = lds_malloc(n1 * sizeof *s->art_flow);
    s->pi = lds_malloc(n1 * sizeof *s->pi);
    s->parent = lds_malloc(n1 * sizeof *s->parent);
    s->pred = lds_malloc(n1 * sizeof *s->pred);
    s->thread = lds_malloc(n1 * sizeof *s->thread);
    s->rev_thread = lds_malloc(n1 * sizeof *s->rev_thread);
    s->succ_num = lds_malloc(n1 * sizeof *s->succ_num);
    s->last_succ = lds_malloc(n1 * sizeof *s->last_succ);
    s->pred_dir = lds_malloc(n1 * sizeof *s->pred_dir);
    s->excess = lds_calloc(n1, sizeof *s->excess);
    s->dirty = lds_malloc(n1 * sizeof *s->dirty);
    s->in_dirty = lds_calloc(n1, sizeof *s->in_dirty);
    s->buf = lds_malloc(5 * n1 * sizeof *s->buf);
    if (!s->tail || !s->head || !s->cost || !s->cost32 || !s->cost16 || !s->flow || !s->state || !s->art_flow || !s->pi || !s->parent || !s->pred ||
        !s->thread || !s->rev_thread || !s->succ_num || !s->last_succ || !s->pred_dir ||
        !s->excess || !s->dirty || !s->in_dirty || !s->buf) {
        lds_mcf__ns_release(s);
        return lds_err_set(err, LDS_ENOMEM, "out of memory for the simplex basis (%u nodes, %u arcs)",
                           p->n_nodes, p->n_arcs);
    }
    return LDS_OK;
}

void lds_mcf__ns_release(lds_mcf__ns *s)
{
    lds_free(s->tail);
    lds_free(s->head);
    lds_free(s->cost);
    lds_free(s->cost32);
    lds_free(s->cost16);
    lds_free(s->flow);
    lds_free(s->state);
    lds_free(s->art_flow);
    lds_free(s->pi);
    lds_free(s->parent);
    lds_free(s->pred);
    lds_free(s->thread);
    lds_free(s->rev_thread);
    lds_free(s->succ_num);
    lds_free(s->last_succ);
    lds_free(s->pred_dir);
    lds_free(s->excess);
    lds_free(s->dirty);
    lds_free(s->in_dirty);
    lds_free(s->buf);
    lds_free(s->node_ix);
    memset(s, 0, sizeof *s);
}

/* Stores the cost of internal position i and its 16- and 32-bit copies for
 * pricing, in the position's orientation (negated while the arc sits at its
 * upper bound, see set_state); the first cost whose magnitude does not fit a
 * width switches pricing to a wider array until the next cold start. */
static inline void set_cost(lds_mcf__ns *s, uint32_t i, int64_t c)
{
    if (s->state[i] == UPPER)
        c = -c;
    s->cost[i] = c;
    if (c >= -INT16_MAX && c <= INT16_MAX)
        s->cost16[i] = (int16_t)c;
    else
        s->cost16_ok = 0;
    if (c >= -INT32_MAX && c <= INT32_MAX)
        s->cost32[i] = (int32_t)c;
    else
        s->cost32_ok = 0;
}

/*
 * Sets the state of internal position i.  The pricing arrays hold an arc
 * at its upper bound reversed (tail and head swapped, cost negated), so
 * that cost + pi[tail] - pi[head] is the reduced cost signed for entering
 * from either bound; tree arcs price at exactly 0 in any orientation.  So
 * pricing needs no state stream.
 */
static inline void set_state(lds_mcf__ns *s, uint32_t i, int8_t st)
{
    if ((s->state[i] == UPPER) != (st == UPPER)) {
        uint32_t t = s->tail[i];
        s->tail[i] = s->head[i];
        s->head[i] = t;
        s->cost[i] = -s->cost[i];
        if (s->cost16_ok)
            s->cost16[i] = (int16_t)-s->cost16[i];
        if (s->cost32_ok)
            s->cost32[i] = -s->cost32[i];
    }
    s->state[i] = st;
}

/* The engine's number for problem node u (see relayout). */
static inline uint32_t ix(const lds_mcf__ns *s, uint32_t u)
{
    return s->node_ix ? s->node_ix[u] : u;
}

/* Cost of the pred arc of u in its pred direction's orientation. */
static inline int64_t pred_cost(const lds_mcf__ns *s, uint32_t u)
{
    uint32_t e = s->pred[u];
    if (e & ART)
        return s->pred_dir[u] == UP ? 0 : s->art_cost;
    return s->p->cost[e]; /* tree preds hold problem ids */
}

/* Recomputes every potential from the tree, in preorder (root = 0). */
static void compute_potentials(lds_mcf__ns *s)
{
    uint32_t root = s->n;
    s->pi[root] = 0;
    for (uint32_t u = s->thread[root]; u != root; u = s->thread[u]) {
        int64_t c = pred_cost(s, u);
        s->pi[u] = s->pred_dir[u] == UP ? s->pi[s->parent[u]] - c : s->pi[s->parent[u]] + c;
    }
}

static inline void link(uint32_t *thread, uint32_t *rev, uint32_t a, uint32_t b)
{
    thread[a] = b;
    rev[b] = a;
}

/*
 * Re-hangs the subtree of `u_out` (which contains `u_in`) below `v_in`:
 * the tree path u_in .. u_out is reversed, u_in becomes a child of v_in
 * through `in_arc` (direction `in_dir` seen from u_in).  `join` is the
 * deepest common ancestor of u_out's old parent and v_in.  O(path length +
 * ancestor walks); the subtree itself is relinked as whole thread pieces.
 */
static uint32_t rehang(lds_mcf__ns *s, uint32_t u_in, uint32_t v_in, uint32_t u_out, uint32_t join,
                   uint32_t in_arc, int8_t in_dir)
{
    uint32_t *parent = s->parent, *thread = s->thread, *rev = s->rev_thread;
    uint32_t *succ = s->succ_num, *last = s->last_succ;
    size_t n1 = (size_t)s->n + 1;
    uint32_t *path = s->buf, *ls = s->buf + n1, *sz = s->buf + 2 * n1, *a_end = s->buf + 3 * n1,
             *b_start = s->buf + 4 * n1;
    uint32_t k = 0;
    path[0] = u_in;
    ls[0] = last[u_in];
    sz[0] = succ[u_in];
    while (path[k] != u_out) {
        uint32_t w = parent[path[k]];
        k++;
        path[k] = w;
        ls[k] = last[w];
        sz[k] = succ[w];
        a_end[k] = rev[path[k - 1]];
        b_start[k] = thread[ls[k - 1]];
    }
    uint32_t p_old = parent[u_out];
    uint32_t size = sz[k], old_prev = rev[u_out], old_next = thread[ls[k]];

    for (uint32_t a = p_old; a != join; a = parent[a])
        succ[a] -= size;
    for (uint32_t a = v_in; a != join; a = parent[a])
        succ[a] += size;

    /* Cut the block out of the thread, then splice its new order after v_in. */
    link(thread, rev, old_prev, old_next);
    for (uint32_t a = p_old; a != NONE && last[a] == ls[k]; a = parent[a])
        last[a] = old_prev;
    uint32_t nx = thread[v_in];
    link(thread, rev, v_in, u_in);
    uint32_t tail = ls[0];
    for (uint32_t i = 1; i <= k; i++) {
        link(thread, rev, tail, path[i]);
        tail = a_end[i];
        if (ls[i - 1] != ls[i]) {
            link(thread, rev, tail, b_start[i]);
            tail = ls[i];
        }
    }
    link(thread, rev, tail, nx);
    for (uint32_t a = v_in; a != NONE && last[a] == v_in; a = parent[a])
        last[a] = tail;

    uint32_t below = 0; /* new subtree size of path[i+1] */
    for (uint32_t i = k; i >= 1; i--) {
        below += sz[i] - sz[i - 1];
        succ[path[i]] = below;
        last[path[i]] = tail;
        parent[path[i]] = path[i - 1];
        s->pred[path[i]] = s->pred[path[i - 1]];
        s->pred_dir[path[i]] = (int8_t)-s->pred_dir[path[i - 1]];
    }
    succ[u_in] = size;
    last[u_in] = tail;
    parent[u_in] = v_in;
    s->pred[u_in] = in_arc;
    s->pred_dir[u_in] = in_dir;
    return k;
}

/* Hangs the subtree of v (whose pred is a real arc leaving the tree) from
 * the root through v's artificial arc carrying `up_flow` towards the root. */
static void hang_on_root(lds_mcf__ns *s, uint32_t v, int64_t up_flow)
{
    int8_t dir = up_flow >= 0 ? UP : DOWN;
    s->art_flow[v] = up_flow >= 0 ? up_flow : -up_flow;
    rehang(s, v, s->n, v, s->n, ART | v, dir);
}

/* Residual capacity of the pred arc of u for flow moving along (`along`
 * != 0) or against the arc's orientation. */
static inline int64_t residual(const lds_mcf__ns *s, uint32_t u, int along)
{
    uint32_t e = s->pred[u];
    if (e & ART)
        return along ? INF : s->art_flow[u];
    if (along) {
        int64_t up = s->p->upper[e];
        return up == INF ? INF : up - s->flow[e];
    }
    return s->flow[e] - s->p->lower[e];
}

static inline void add_pred_flow(lds_mcf__ns *s, uint32_t u, int64_t along_delta)
{
    uint32_t e = s->pred[u];
    if (e & ART)
        s->art_flow[u] += along_delta;
    else
        s->flow[e] += along_delta;
}

/* Adds d to the potentials of the cnt nodes of the thread segment a .. b.
 * The walk is a chain of dependent loads (latency-bound once the tree
 * outgrows the cache), so it runs from both ends at once: two independent
 * chains, forward on thread and backward on rev_thread, meeting halfway. */
static inline void shift_segment(int64_t *pi, const uint32_t *thread, const uint32_t *rev, uint32_t a,
                                 uint32_t b, uint32_t cnt, int64_t d)
{
    for (uint32_t k = cnt / 2; k--;) {
        pi[a] += d;
        pi[b] += d;
        a = thread[a];
        b = rev[b];
    }
    if (cnt & 1)
        pi[a] += d; /* the middle node */
}

/* Drops piece j of shift_pieces' walks (the last one takes its slot). */
static inline void drop_piece(uint32_t *a, uint32_t *b, uint32_t *half, uint32_t *ls, uint32_t j,
                              uint32_t *na)
{
    uint32_t last = --*na;
    a[j] = a[last];
    b[j] = b[last];
    half[j] = half[last];
    ls[j] = ls[last];
}

/*
 * Adds d to the potentials of the subtree rehang has just moved, walked as
 * the k+1 pieces rehang laid out, each from both ends at once: up to
 * 2(k+1) independent load chains instead of one.  Piece 0 is u_in's old
 * subtree (u_in .. ls[0]); piece i >= 1 starts at path[i] and holds its old
 * subtree minus path[i-1]'s, ending at ls[i] if that part continues after
 * path[i-1]'s subtree, else at a_end[i].  Reads rehang's scratch (buf).
 */
static void shift_pieces(lds_mcf__ns *s, uint32_t k, int64_t d)
{
    size_t n1 = (size_t)s->n + 1;
    uint32_t *a = s->buf, *ls = s->buf + n1, *sz = s->buf + 2 * n1, *b = s->buf + 3 * n1,
             *half = s->buf + 4 * n1;
    const uint32_t *thread = s->thread, *rev = s->rev_thread;
    int64_t *pi = s->pi;
    /* a[i]: first node of piece i (path[i]); b[i]: its last (a_end[i] or
     * ls[i]); then half[i] (b_start[i]) and ls[i] take the step counts. */
    b[0] = ls[0];
    for (uint32_t i = 1; i <= k; i++)
        if (ls[i - 1] != ls[i])
            b[i] = ls[i];
    uint32_t prev = 0;
    for (uint32_t i = 0; i <= k; i++) {
        uint32_t len = sz[i] - prev;
        prev = sz[i];
        half[i] = len / 2;
        ls[i] = len & 1;
    }
    uint32_t na = k + 1;
    for (uint32_t j = 0; j < na;) {
        if (half[j] == 0) { /* one node */
            pi[a[j]] += d;
            drop_piece(a, b, half, ls, j, &na);
        } else {
            j++;
        }
    }
    while (na) {
        for (uint32_t j = 0; j < na;) {
            uint32_t x = a[j], y = b[j];
            pi[x] += d;
            pi[y] += d;
            a[j] = thread[x];
            b[j] = rev[y];
            if (--half[j] == 0) {
                if (ls[j])
                    pi[a[j]] += d; /* the middle node */
                drop_piece(a, b, half, ls, j, &na);
            } else {
                j++;
            }
        }
    }
}

/* Starts loading the flow and bounds of u's pred arc (problem arrays by arc
 * id: cache misses at millions of arcs) while the join search climbs, so
 * the cycle walks find them. */
static inline void prefetch_pred(const lds_mcf__ns *s, uint32_t u)
{
    uint32_t e = s->pred[u];
    if (!(e & ART)) {
        __builtin_prefetch(&s->flow[e]);
        __builtin_prefetch(&s->p->upper[e]);
        __builtin_prefetch(&s->p->lower[e]);
    }
}

/*
 * One pivot with entering arc `in`.  Returns 0, or 1 when the cycle has
 * unbounded capacity (negative cycle of infinite capacity).
 */
static int pivot(lds_mcf__ns *s, uint32_t in, int64_t rc_or)
{
    uint32_t *parent = s->parent, *succ = s->succ_num;
    int8_t *pred_dir = s->pred_dir;
    const lds_mcf_problem *p = s->p;
    /* The cycle runs first -> second along the entering arc: its oriented
     * ends, which pricing has just read (the problem's tail and head arrays,
     * by problem id, would be a cache miss on the critical path). */
    uint32_t first = s->tail[in], second = s->head[in];
    uint32_t ein = lds_mcf__ns_ext(s, in); /* problem id: flows and tree preds use it */
    int8_t st = s->state[in];
    uint32_t tl = st == LOWER ? first : second;

    /* Join: the first common ancestor of tl and hd.  Their ancestor paths
     * have growing subtree sizes; merging them by size (climb the side with
     * the smaller subtree) meets at the join.  Each path is a chain of
     * dependent loads, so both are climbed at once, one step per round, into
     * buffers that the merge consumes: the latency is that of the longer
     * path, not the sum.  The buffered paths then serve the cycle walks. */
    size_t n1 = (size_t)s->n + 1;
    uint32_t *pt = s->buf, *ph = s->buf + n1, *st_ = s->buf + 2 * n1, *sh = s->buf + 3 * n1;
    uint32_t root = s->n, xt = first, xh = second, ft = 1, fh = 1, it = 0, ih = 0;
    pt[0] = first;
    st_[0] = succ[first];
    ph[0] = second;
    sh[0] = succ[second];
    for (;;) {
        while (it < ft && ih < fh) {
            if (pt[it] == ph[ih])
                goto joined;
            if (st_[it] < sh[ih])
                it++;
            else
                ih++;
        }
        if (xt != root) {
            prefetch_pred(s, xt);
            xt = parent[xt];
            pt[ft] = xt;
            st_[ft++] = succ[xt];
        }
        if (xh != root) {
            prefetch_pred(s, xh);
            xh = parent[xh];
            ph[fh] = xh;
            sh[fh++] = succ[xh];
        }
    }
joined:;
    uint32_t join = pt[it], u;
    /* pt[0 .. it) climbs from first to below the join, ph[0 .. ih) from second. */

    /* Room on the entering arc from its current flow (a nonbasic arc sits
     * at a bound; after a crossover it may lie strictly between). */
    int64_t delta = st == LOWER ? (p->upper[ein] == INF ? INF : p->upper[ein] - s->flow[ein])
                                : s->flow[ein] - p->lower[ein];
    uint32_t u_out = NONE;
    int result = 0;
    for (uint32_t k = 0; k < it; k++) {
        u = pt[k];
        int64_t d = residual(s, u, pred_dir[u] == DOWN);
        if (d < delta) {
            delta = d;
            u_out = u;
            result = 1;
        }
    }
    for (uint32_t k = 0; k < ih; k++) {
        u = ph[k];
        int64_t d = residual(s, u, pred_dir[u] == UP);
        if (d <= delta) {
            delta = d;
            u_out = u;
            result = 2;
        }
    }
    if (delta == INF)
        return 1;

    if (delta > 0) {
        s->flow[ein] += st * delta;
        for (uint32_t k = 0; k < it; k++)
            add_pred_flow(s, pt[k], -pred_dir[pt[k]] * delta);
        for (uint32_t k = 0; k < ih; k++)
            add_pred_flow(s, ph[k], pred_dir[ph[k]] * delta);
    }
    s->n_pivots++;
    if (result == 0) {
        set_state(s, in, (int8_t)-st);
        return 0;
    }
    uint32_t u_in = result == 1 ? first : second, v_in = result == 1 ? second : first;
    uint32_t out = s->pred[u_out];
    if (!(out & ART))
        set_state(s, lds_mcf__ns_pos(s, out), s->flow[out] == p->lower[out] ? LOWER : UPPER);
    set_state(s, in, TREE);
    int64_t rc = st * rc_or; /* c + pi[tail] - pi[head] */
    int64_t sigma = u_in == tl ? -rc : rc;
    uint32_t k = rehang(s, u_in, v_in, u_out, join, ein, u_in == tl ? UP : DOWN);
    /* Potentials are defined up to a constant: shift whichever side of the
     * cut is smaller (both are contiguous in thread order). */
    int64_t *pi = s->pi;
    uint32_t *thread = s->thread;
    uint32_t cnt = succ[u_in];
    if (cnt <= n1 / 2) {
        shift_pieces(s, k, sigma);
    } else {
        shift_segment(pi, thread, s->rev_thread, thread[s->last_succ[u_in]], s->rev_thread[u_in],
                      (uint32_t)(n1 - cnt), -sigma);
        int64_t drift = pi[s->n];
        if (drift > PI_DRIFT || drift < -PI_DRIFT)
            for (u = 0; u < n1; u++)
                pi[u] -= drift;
    }
    return 0;
}

/* Block search (LEMON's default rule): scan blocks of ~sqrt(m) arcs from
 * where the last search stopped; take the most negative in the first block
 * that has any.  The scan reads the narrowest cost copy that holds every
 * cost: 16 bits (e.g. NETGEN costs up to 10000), 32 or 64.  Arcs at their
 * upper bound are held reversed (set_state), so tail, head and cost are all
 * that streams from memory: 10 bytes per arc on NETGEN (17 with 64-bit costs
 * and a state stream), which counts at millions of arcs. */
/* Non-temporal prefetch of the pricing streams at millions of arcs: the
 * streams (10 bytes per arc on NETGEN, 40 MB at 4e6 arcs) then pass by the
 * shared L3 instead of evicting the tree arrays and potentials the pivots
 * walk (about 17 MB at 4e5 nodes).  Below PF_MIN_ARCS the streams fit in
 * L3 and are better kept there.  Measured on the NETGEN-like 4e6 instance:
 * 6.25-7.00 s against 7.13-8.23 s without (prefetch 256 arcs ahead; 128 and
 * 1024 measured the same); an ordinary prefetch (locality 3) 6.40-7.10 s. */
#define PF_AHEAD    256u
#define PF_MIN_ARCS (1u << 21)
/* The potentials of the arc PI_AHEAD positions on are prefetched too: in
 * the simplex's tree-order numbering (relayout) the arcs' ends are
 * scattered over the potentials.  Measured (CPU s, paired runs): the 1e6
 * chain's warm re-solves (seed 2) 0.24-0.30 against 0.27-0.36 without;
 * NETGEN-like 4e6 cold 4.79-5.11 against 5.79-6.93, 1e6 0.73-0.74
 * against 0.76-0.82; transportation 1e6 the same.  16 ahead measured
 * about as well as 32. */
#define PI_AHEAD    32u
#define FIND_ENTERING(name, cost_t, cost_field)                                              \
    static int name(lds_mcf__ns *s, uint32_t bs, uint32_t *in, int64_t *rc)                 \
    {                                                                                        \
        const uint32_t *tail = s->tail, *head = s->head;                                     \
        const cost_t *cost = s->cost_field;                                                  \
        const int64_t *pi = s->pi;                                                           \
        uint32_t m = s->m, cnt = bs, e, best = NONE;                                         \
        /* every 16th arc (a 64-byte line of tail and head) when prefetching */              \
        uint32_t pf_mask = m >= PF_MIN_ARCS ? 15u : UINT32_MAX;                              \
        int64_t min = 0;                                                                     \
        for (e = s->next_arc; e < m; e++) {                                                  \
            if ((e & pf_mask) == 0 && e + PF_AHEAD < m) {                                    \
                __builtin_prefetch(tail + e + PF_AHEAD, 0, 0);                               \
                __builtin_prefetch(head + e + PF_AHEAD, 0, 0);                               \
                __builtin_prefetch(cost + e + PF_AHEAD, 0, 0);                               \
            }                                                                                \
            if (e + PI_AHEAD < m) {                                                          \
                __builtin_prefetch(pi + tail[e + PI_AHEAD]);                                 \
                __builtin_prefetch(pi + head[e + PI_AHEAD]);                                 \
            }                                                                                \
            int64_t c = (int64_t)cost[e] + pi[tail[e]] - pi[head[e]];                        \
            if (c < min) {                                                                   \
                min = c;                                                                     \
                best = e;                                                                    \
            }                                                                                \
            if (--cnt == 0) {                                                                \
                if (min < 0)                                                                 \
                    goto found;                                                              \
                cnt = bs;                                                                    \
            }                                                                                \
        }                                                                                    \
        for (e = 0; e < s->next_arc; e++) {                                                  \
            if ((e & pf_mask) == 0 && e + PF_AHEAD < m) {                                    \
                __builtin_prefetch(tail + e + PF_AHEAD, 0, 0);                               \
                __builtin_prefetch(head + e + PF_AHEAD, 0, 0);                               \
                __builtin_prefetch(cost + e + PF_AHEAD, 0, 0);                               \
            }                                                                                \
            if (e + PI_AHEAD < m) {                                                          \
                __builtin_prefetch(pi + tail[e + PI_AHEAD]);                                 \
                __builtin_prefetch(pi + head[e + PI_AHEAD]);                                 \
            }                                                                                \
            int64_t c = (int64_t)cost[e] + pi[tail[e]] - pi[head[e]];                        \
            if (c < min) {                                                                   \
                min = c;                                                                     \
                best = e;                                                                    \
            }                                                                                \
            if (--cnt == 0) {                                                                \
                if (min < 0)                                                                 \
                    goto found;                                                              \
                cnt = bs;                                                                    \
            }                                                                                \
        }                                                                                    \
        if (min >= 0)                                                                        \
            return 0;                                                                        \
        e = e == 0 ? m - 1 : e - 1;                                                          \
    found:                                                                                   \
        s->next_arc = e + 1 >= m ? 0 : e + 1;                                                \
        *in = best;                                                                          \
        *rc = min;                                                                           \
        return 1;                                                                            \
    }
FIND_ENTERING(find_entering64, int64_t, cost)
FIND_ENTERING(find_entering32, int32_t, cost32)
FIND_ENTERING(find_entering16, int16_t, cost16)
#undef FIND_ENTERING

/* Finds an entering position and its reduced cost in its orientation
 * (< 0); 0 when the basis is optimal. */
static int find_entering(lds_mcf__ns *s, uint32_t bs, uint32_t *in, int64_t *rc)
{
    if (s->cost16_ok && s->cost32_ok)
        return find_entering16(s, bs, in, rc);
    return s->cost32_ok ? find_entering32(s, bs, in, rc) : find_entering64(s, bs, in, rc);
}

static uint32_t isqrt32(uint32_t x)
{
    uint32_t r = 0;
    while ((uint64_t)(r + 1) * (r + 1) <= x)
        r++;
    return r;
}

/* LEMON-style initial pivots: for every demand node, the cheapest arc into
 * it, which quickly builds a good tree on transportation-like instances. */
static int initial_pivots(lds_mcf__ns *s)
{
    uint32_t *best = s->buf; /* n entries; rehang uses buf too, so collect first */
    uint32_t n = s->n, n_best = 0;
    for (uint32_t u = 0; u < n; u++)
        best[u] = NONE;
    for (uint32_t e = 0; e < s->m; e++) {
        uint32_t h = s->head[e];
        /* Right after cold_start, demand nodes are exactly those hanging
         * down from the root with positive artificial flow. */
        if (s->pred_dir[h] == DOWN && s->art_flow[h] > 0 && (best[h] == NONE || s->cost[e] < s->cost[best[h]]))
            best[h] = e;
    }
    /* Compact to the front, then move the list out of rehang's way into
     * `dirty` (unused during a cold start). */
    for (uint32_t u = 0; u < n; u++)
        if (best[u] != NONE)
            s->dirty[n_best++] = best[u];
    for (uint32_t i = 0; i < n_best; i++) {
        uint32_t e = s->dirty[i];
        int64_t c = s->cost[e] + s->pi[s->tail[e]] - s->pi[s->head[e]]; /* oriented */
        if (c >= 0)
            continue;
        if (pivot(s, e, c))
            return 1;
    }
    return 0;
}

/*
 * Pricing parameters per instance (measured on bench/mcf's three families):
 *  - bipartite, transportation-like networks (almost every arc runs from a
 *    pure source to a pure sink): blocks of 10.  Each pivot there is a short
 *    local exchange and big blocks pay mostly for pricing (1e6 arcs: 0.19 s
 *    with blocks of 10, 3.5 s with sqrt(m); 4e6 arcs: 3.0 s with 10, 8.4 s with 20).
 *  - deep, layered networks (mean BFS depth from the supplies >= 4, e.g. the
 *    multi-echelon chain): arcs in input order and blocks of 2 sqrt(m); arc
 *    mixing there triples the pivot count at 1e6 arcs.
 *  - otherwise LEMON's defaults: mixed arc order, blocks of sqrt(m).
 */
static void choose_pricing(lds_mcf__ns *s, uint32_t *block, int *mix)
{
    const lds_mcf_problem *p = s->p;
    uint32_t n = s->n, m = p->n_arcs, root_m = isqrt32(m);
    uint32_t *level = s->buf;                        /* n entries */
    uint8_t *side = (uint8_t *)(s->buf + (size_t)n + 1); /* n bytes: 1 out-arcs, 2 in-arcs */
    memset(side, 0, n);
    for (uint32_t u = 0; u < n; u++)
        level[u] = p->supply[u] > 0 ? 0 : NONE;
    for (uint32_t e = 0; e < m; e++) {
        side[p->tail[e]] |= 1;
        side[p->head[e]] |= 2;
    }
    uint64_t bipartite = 0;
    for (uint32_t e = 0; e < m; e++)
        bipartite += side[p->tail[e]] == 1 && side[p->head[e]] == 2;
    /* BFS levels by label-correcting passes over the arc list; not settling
     * within a few passes counts as deep. */
    int changed = 1;
    for (int pass = 0; pass < 8 && changed; pass++) {
        changed = 0;
        for (uint32_t e = 0; e < m; e++) {
            uint32_t lt = level[p->tail[e]];
            if (lt != NONE && lt + 1 < level[p->head[e]]) {
                level[p->head[e]] = lt + 1;
                changed = 1;
            }
        }
    }
    uint64_t reached = 0, sum = 0;
    for (uint32_t u = 0; u < n; u++)
        if (level[u] != NONE) {
            reached++;
            sum += level[u];
        }
    int is_deep = changed || sum >= 4 * reached;
    if (bipartite * 20 >= (uint64_t)m * 19) {
        *block = 10;
        *mix = 1;
    } else if (is_deep && reached) {
        *block = 2 * root_m;
        *mix = 0;
    } else {
        *block = root_m;
        *mix = 1;
    }
    if (*block < 10)
        *block = 10;
}

static void cold_start(lds_mcf__ns *s, const int64_t *b, int mix)
{
    uint32_t n = s->n, root = n, m = s->m;
    const lds_mcf_problem *p = s->p;
    /* LEMON's arc mixing: stride max(m/n, 3). */
    s->m0 = m;
    s->skip = n > 1 && m / n > 3 ? m / n : 3;
    if (!mix)
        s->skip = m ? m : 1; /* one column: input order */
    s->q = m / s->skip;
    s->r = m % s->skip;
    s->cost32_ok = 1;
    s->cost16_ok = 1;
    for (uint32_t e = 0; e < m; e++) {
        uint32_t i = lds_mcf__ns_pos(s, e);
        s->tail[i] = p->tail[e];
        s->head[i] = p->head[e];
        s->state[i] = LOWER;
        set_cost(s, i, p->cost[e]);
        s->flow[e] = p->lower[e];
    }
    for (uint32_t u = 0; u < n; u++) {
        s->parent[u] = root;
        s->pred[u] = ART | u;
        s->thread[u] = u + 1;
        s->rev_thread[u + 1] = u;
        s->succ_num[u] = 1;
        s->last_succ[u] = u;
        if (b[u] >= 0) {
            s->pred_dir[u] = UP;
            s->art_flow[u] = b[u];
            s->pi[u] = 0;
        } else {
            s->pred_dir[u] = DOWN;
            s->art_flow[u] = -b[u];
            s->pi[u] = s->art_cost;
        }
        s->excess[u] = 0;
        s->in_dirty[u] = 0;
    }
    s->n_dirty = 0;
    lds_free(s->node_ix); /* the problem's numbering again */
    s->node_ix = NULL;
    s->layout_pivots = s->n_pivots;
    s->parent[root] = NONE;
    s->pred[root] = NONE;
    s->pred_dir[root] = 0;
    s->pi[root] = 0;
    s->thread[root] = n ? 0 : root;
    s->rev_thread[n ? 0 : root] = root;
    s->succ_num[root] = n + 1;
    s->last_succ[root] = n ? n - 1 : root;
    s->next_arc = 0;
}

/* Sends `amt` units from u up to the root (amt < 0: from the root down to
 * u) along the tree path.  An arc that would be saturated (or, going up,
 * exactly emptied of upward room) leaves the tree at its bound and the
 * subtree below it hangs from the root carrying the rest, which keeps the
 * tree strongly feasible. */
static void push_to_root(lds_mcf__ns *s, uint32_t u, int64_t amt)
{
    uint32_t v = u;
    while (amt != 0) {
        uint32_t e = s->pred[v], par = s->parent[v];
        int8_t dir = s->pred_dir[v];
        if (e & ART) {
            int64_t sf = (dir == UP ? s->art_flow[v] : -s->art_flow[v]) + amt;
            s->pred_dir[v] = sf >= 0 ? UP : DOWN;
            s->art_flow[v] = sf >= 0 ? sf : -sf;
            return;
        }
        int along = (dir == UP) == (amt > 0);
        int64_t mag = amt > 0 ? amt : -amt;
        int64_t res = residual(s, v, along);
        int blocked = amt > 0 ? res <= mag : res < mag;
        if (!blocked) {
            s->flow[e] += along ? mag : -mag;
            v = par;
            continue;
        }
        s->flow[e] += along ? res : -res;
        set_state(s, lds_mcf__ns_pos(s, e), s->flow[e] == s->p->lower[e] ? LOWER : UPPER);
        int64_t moved = amt > 0 ? res : -res;
        hang_on_root(s, v, amt - moved);
        amt = moved;
        v = par;
    }
}

static void mark_dirty(lds_mcf__ns *s, uint32_t u)
{
    if (!s->in_dirty[u]) {
        s->in_dirty[u] = 1;
        s->dirty[s->n_dirty++] = u;
    }
}

/* Adds d to a node's pending excess; on overflow the basis is dropped. */
static void add_excess(lds_mcf__ns *s, uint32_t u, lds_i128 d)
{
    lds_i128 x = (lds_i128)s->excess[u] + d;
    if (x > (lds_i128)VAL_LIM * 2 || x < -(lds_i128)VAL_LIM * 2) {
        s->has_basis = 0;
        return;
    }
    s->excess[u] = (int64_t)x;
    mark_dirty(s, u);
}

static int64_t iabs64(int64_t v, int *bad)
{
    if (v == INT64_MIN) {
        *bad = 1;
        return 0;
    }
    return v < 0 ? -v : v;
}

/* Range bookkeeping for warm solves: flow_bound only grows by what a change
 * could add, so a warm solve can skip the O(m) scan while it stays small. */
static void track_value(lds_mcf__ns *s, int64_t v)
{
    if (v > VAL_LIM || v < -VAL_LIM)
        s->ranges_full = 1;
}

static void track_bound(lds_mcf__ns *s, lds_i128 add)
{
    s->ranges.flow_bound += add;
    if (s->ranges.flow_bound > VAL_LIM)
        s->ranges_full = 1;
}

static void track_cost(lds_mcf__ns *s, int64_t c)
{
    int bad = 0;
    int64_t a = iabs64(c, &bad);
    if (bad || a > COST_LIM)
        s->ranges_full = 1;
    else if (a > s->ranges.max_c)
        s->ranges.max_c = a;
}

lds_code lds_mcf__ns_supply_changed(lds_mcf__ns *s, uint32_t u, int64_t delta)
{
    track_value(s, s->p->supply[u]);
    s->ranges.sum_supply += delta;
    track_bound(s, delta < 0 ? -(lds_i128)delta : delta);
    if (s->has_basis)
        add_excess(s, ix(s, u), delta);
    return LDS_OK;
}

lds_code lds_mcf__ns_cost_changed(lds_mcf__ns *s, uint32_t e)
{
    track_cost(s, s->p->cost[e]);
    if (e < s->m) {
        s->next_arc = lds_mcf__ns_pos(s, e);
        set_cost(s, s->next_arc, s->p->cost[e]);
    }
    return LDS_OK;
}

lds_code lds_mcf__ns_bounds_changed(lds_mcf__ns *s, uint32_t e, int64_t old_lower)
{
    if (!s->has_basis || e >= s->m)
        return LDS_OK;
    const lds_mcf_problem *p = s->p;
    track_value(s, p->lower[e]);
    if (p->upper[e] != INF) {
        track_value(s, p->upper[e]);
        track_bound(s, (lds_i128)p->upper[e] - p->lower[e]);
    }
    lds_i128 dl = (lds_i128)p->lower[e] - old_lower;
    track_bound(s, dl < 0 ? -dl : dl);
    uint32_t i = lds_mcf__ns_pos(s, e);
    uint32_t tl = ix(s, p->tail[e]), hd = ix(s, p->head[e]);
    if (s->state[i] == TREE) {
        uint32_t c = s->parent[tl] == hd && s->pred[tl] == e ? tl : hd;
        hang_on_root(s, c, 0);
        set_state(s, i, LOWER);
    }
    (void)old_lower; /* flows are stored as real values */
    lds_i128 old_flow = s->flow[e], new_flow = p->lower[e];
    if (s->state[i] == UPPER && p->upper[e] != INF) {
        new_flow = p->upper[e];
    } else {
        set_state(s, i, LOWER);
    }
    s->flow[e] = (int64_t)new_flow;
    lds_i128 d = new_flow - old_flow;
    if (d != 0) {
        add_excess(s, tl, -d); /* the tail now sends d more: less left to route */
        add_excess(s, hd, d);
    }
    return LDS_OK;
}

/* Grows one internal array to `want` elements. */
static int grow_arr(void **arr, size_t want, size_t size)
{
    void *q = lds_realloc(*arr, want * size);
    if (!q)
        return -1;
    *arr = q;
    return 0;
}

/* Makes room for `want` internal arcs. */
static lds_code ensure_cap(lds_mcf__ns *s, uint32_t want)
{
    if (want <= s->cap_m)
        return LDS_OK;
    if (want < s->cap_m * 2 && s->cap_m * 2 <= LDS_MCF__ART)
        want = s->cap_m * 2;
    if (grow_arr((void **)&s->tail, want, sizeof *s->tail) ||
        grow_arr((void **)&s->head, want, sizeof *s->head) ||
        grow_arr((void **)&s->cost, want, sizeof *s->cost) ||
        grow_arr((void **)&s->cost32, want, sizeof *s->cost32) ||
        grow_arr((void **)&s->cost16, want, sizeof *s->cost16) ||
        grow_arr((void **)&s->flow, want, sizeof *s->flow) ||
        grow_arr((void **)&s->state, want, sizeof *s->state))
        return LDS_ENOMEM; /* grown arrays stay valid; cap_m is unchanged */
    s->cap_m = want;
    return LDS_OK;
}

lds_code lds_mcf__ns_arc_added(lds_mcf__ns *s)
{
    const lds_mcf_problem *p = s->p;
    if (!s->has_basis)
        return ensure_cap(s, p->n_arcs); /* the cold start lays it out */
    uint32_t e = s->m;
    if (ensure_cap(s, e + 1) != LDS_OK)
        return LDS_ENOMEM;
    track_value(s, p->lower[e]);
    track_cost(s, p->cost[e]);
    track_bound(s, p->lower[e] < 0 ? -(lds_i128)p->lower[e] : p->lower[e]);
    if (p->upper[e] != INF) {
        track_value(s, p->upper[e]);
        track_bound(s, (lds_i128)p->upper[e] - p->lower[e]);
    }
    /* Arcs beyond m0 keep their own index (lds_mcf__ns_pos). */
    s->m = e + 1;
    s->tail[e] = ix(s, p->tail[e]);
    s->head[e] = ix(s, p->head[e]);
    s->state[e] = LOWER;
    set_cost(s, e, p->cost[e]);
    s->flow[e] = p->lower[e];
    s->next_arc = e; /* price the new arc first: it is the likely entering arc */
    if (s->has_basis && p->lower[e] != 0) {
        add_excess(s, s->tail[e], -(lds_i128)p->lower[e]);
        add_excess(s, s->head[e], p->lower[e]);
    }
    return LDS_OK;
}

void lds_mcf__ns_potentials(const lds_mcf__ns *s, int64_t *pot)
{
    /* Public potentials: c - pot(u) + pot(v) >= 0, i.e. the negated tree
     * potentials (which satisfy c + pi(u) - pi(v) >= 0). */
    for (uint32_t u = 0; u < s->n; u++)
        pot[u] = -s->pi[ix(s, u)];
}

/* a[k] = a[order[k]] for the n nodes (through `map` if given); the root's
 * entry (index n) keeps its place. */
static void permute32(uint32_t *a, const uint32_t *order, const uint32_t *map, uint32_t n,
                      uint32_t *tmp)
{
    for (uint32_t k = 0; k < n; k++)
        tmp[k] = map ? map[a[order[k]]] : a[order[k]];
    memcpy(a, tmp, (size_t)n * sizeof *a);
    if (map && a[n] != NONE)
        a[n] = map[a[n]];
}

static void permute64(int64_t *a, const uint32_t *order, uint32_t n, int64_t *tmp)
{
    for (uint32_t k = 0; k < n; k++)
        tmp[k] = a[order[k]];
    memcpy(a, tmp, (size_t)n * sizeof *a);
}

/*
 * Renumbers the nodes in the tree's preorder.  A pivot walks the subtree it
 * moves (potentials) and two paths to the root; numbered in thread order,
 * a subtree is a run of consecutive entries and walks stream through
 * memory instead of jumping across it (measured: RELAYOUT_EVERY).  O(n + m);
 * needs no pending excess.  Without memory for the map the numbering stays
 * as it is.
 */
static void relayout(lds_mcf__ns *s)
{
    uint32_t n = s->n, root = n;
    size_t n1 = (size_t)n + 1;
    if (n == 0 || s->n_dirty != 0)
        return;
    if (!s->node_ix) {
        s->node_ix = lds_malloc(n1 * sizeof *s->node_ix);
        if (!s->node_ix)
            return;
        for (uint32_t u = 0; u < n; u++)
            s->node_ix[u] = u;
    }
    uint32_t *order = s->buf, *to = s->buf + n1, *tmp = s->buf + 2 * n1;
    uint32_t k = 0;
    for (uint32_t u = s->thread[root]; u != root; u = s->thread[u])
        order[k++] = u;
    for (k = 0; k < n; k++)
        to[order[k]] = k;
    to[root] = root;
    permute32(s->parent, order, to, n, tmp);
    permute32(s->last_succ, order, to, n, tmp);
    permute32(s->succ_num, order, NULL, n, tmp);
    for (k = 0; k < n; k++)
        tmp[k] = s->pred[order[k]] & ART ? ART | k : s->pred[order[k]];
    memcpy(s->pred, tmp, (size_t)n * sizeof *tmp);
    int8_t *tmp8 = (int8_t *)tmp;
    for (k = 0; k < n; k++)
        tmp8[k] = s->pred_dir[order[k]];
    memcpy(s->pred_dir, tmp8, n);
    int64_t *tmp64 = (int64_t *)(s->buf + 2 * n1); /* 2(n+1) entries of buf */
    permute64(s->pi, order, n, tmp64);
    permute64(s->art_flow, order, n, tmp64);
    for (uint32_t u = 0; u < n; u++)
        s->node_ix[u] = to[s->node_ix[u]];
    for (k = 0; k < n; k++) {
        s->thread[k] = k + 1;
        s->rev_thread[k + 1] = k;
    }
    s->thread[n - 1] = root;
    s->thread[root] = 0;
    s->rev_thread[0] = root;
    for (uint32_t i = 0; i < s->m; i++) {
        s->tail[i] = to[s->tail[i]];
        s->head[i] = to[s->head[i]];
    }
    s->layout_pivots = s->n_pivots;
}

lds_code lds_mcf__ns_solve(lds_mcf__ns *s, lds_mcf_status *status, lds_err *err)
{
    lds_mcf_problem *p = s->p;
    uint32_t n = s->n;
    /* pi doubles as scratch for the balances b until the tree is set. */
    int64_t art_cost = -1;
    if (s->has_basis && !s->ranges_full)
        art_cost = art_cost_for(s->ranges.max_c, n);
    if (art_cost < 0) {
        lds_code rc = lds_mcf__check_ranges_full(p, s->pi, &art_cost, &s->ranges, err);
        if (rc != LDS_OK) {
            s->has_basis = 0;
            s->ranges_full = 1;
            return rc;
        }
        s->ranges_full = 0;
    }
    if (s->ranges.sum_supply != 0) {
        *status = LDS_MCF_INFEASIBLE;
        if (s->has_basis)
            compute_potentials(s);
        return LDS_OK;
    }
    s->art_cost = art_cost;
    /* Warm solves price blocks WARM_BLOCK times larger: from a near-optimal
     * tree, a better entering arc saves more in pivots (subtree potential
     * updates) than the longer scan costs.  Measured on the 1e6-arc chain
     * after a cost-scaling cold solve: supply pair 1.38 s / 21,655 pivots
     * with 1x, 0.94 s / 16,766 with 2x, 0.75 s / 11,686 with 4x, 1.48 s /
     * 10,153 with 16x; new arc 1.02 s, 0.87 s, 0.84 s, 1.48 s.  The 1e5
     * chain: 0.064 s, -, 0.062 s, 0.067 s. */
    int is_warm = s->has_basis;
    if (!s->has_basis) {
        if (ensure_cap(s, p->n_arcs) != LDS_OK)
            return lds_err_set(err, LDS_ENOMEM, "out of memory for %u arcs", p->n_arcs);
        s->m = p->n_arcs;
        int mix;
        choose_pricing(s, &s->block, &mix);
        cold_start(s, s->pi, mix);
        s->has_basis = 1;
        if (initial_pivots(s)) {
            *status = LDS_MCF_UNBOUNDED;
            return LDS_OK;
        }
    } else {
        for (uint32_t i = 0; i < s->n_dirty; i++) {
            uint32_t u = s->dirty[i];
            int64_t x = s->excess[u];
            s->excess[u] = 0;
            s->in_dirty[u] = 0;
            if (x)
                push_to_root(s, u, x);
        }
        s->n_dirty = 0;
        compute_potentials(s);
        }
    if (s->m) {
        uint32_t block = is_warm ? s->block * WARM_BLOCK : s->block;
        if (s->next_arc >= s->m)
            s->next_arc = 0;
        uint32_t in;
        int64_t rc;
        while (find_entering(s, block, &in, &rc)) {
            if (pivot(s, in, rc)) {
                *status = LDS_MCF_UNBOUNDED;
                return LDS_OK;
            }
            if (s->n_pivots - s->layout_pivots >= RELAYOUT_EVERY(n))
                relayout(s);
        }
    }
    for (uint32_t u = 0; u < n; u++) {
        if ((s->pred[u] & ART) && s->art_flow[u] != 0) {
            *status = LDS_MCF_INFEASIBLE;
            return LDS_OK;
        }
    }
    *status = LDS_MCF_OPTIMAL;
    if (s->n_pivots - s->layout_pivots >= RELAYOUT_PIVOTS(n))
        relayout(s);
    return LDS_OK;
}

/* ---- crossover: a simplex basis from an optimal flow and potentials ------ */

/* An arc waiting to join the tree (crossover): it would hang node `w` from
 * the tree through arc `e` once the outside potentials have dropped by `key`. */
typedef struct xo_item {
    int64_t key;
    uint32_t e, w;
} xo_item;

static void heap_push(xo_item *h, uint32_t *len, xo_item it)
{
    uint32_t i = (*len)++;
    while (i > 0) {
        uint32_t up = (i - 1) / 2;
        if (h[up].key <= it.key)
            break;
        h[i] = h[up];
        i = up;
    }
    h[i] = it;
}

static xo_item heap_pop(xo_item *h, uint32_t *len)
{
    xo_item top = h[0], last = h[--(*len)];
    uint32_t i = 0, n = *len;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h[c + 1].key < h[c].key)
            c++;
        if (h[c].key >= last.key)
            break;
        h[i] = h[c];
        i = c;
    }
    if (n)
        h[i] = last;
    return top;
}

/* Preorder thread, subtree sizes and last successors from parent[] (every
 * node below the root).  `buf` holds 3(n+1) scratch entries. */
static void build_thread(lds_mcf__ns *s, uint32_t *buf)
{
    uint32_t n = s->n, root = n, n1 = n + 1;
    uint32_t *cfirst = buf, *clist = buf + n1 + 1, *stack = s->dirty; /* n+1 each */
    memset(cfirst, 0, (size_t)(n1 + 1) * sizeof *cfirst);
    for (uint32_t u = 0; u < n; u++)
        cfirst[s->parent[u] + 1]++;
    for (uint32_t u = 0; u < n1; u++)
        cfirst[u + 1] += cfirst[u];
    uint32_t *pos = s->last_succ; /* scratch until the end */
    memcpy(pos, cfirst, (size_t)n1 * sizeof *pos);
    for (uint32_t u = 0; u < n; u++)
        clist[pos[s->parent[u]]++] = u;
    /* Iterative DFS: cfirst[u] is the next child to visit. */
    uint32_t top = 0, prev = root;
    stack[top++] = root;
    s->succ_num[root] = 1;
    while (top > 0) {
        uint32_t u = stack[top - 1];
        if (cfirst[u] < pos[u]) {
            uint32_t v = clist[cfirst[u]++];
            link(s->thread, s->rev_thread, prev, v);
            prev = v;
            s->succ_num[v] = 1;
            stack[top++] = v;
            continue;
        }
        top--;
        s->last_succ[u] = prev; /* pos[u] is no longer needed */
        if (u != root)
            s->succ_num[s->parent[u]] += s->succ_num[u];
    }
    link(s->thread, s->rev_thread, prev, root);
}

lds_code lds_mcf__ns_crossover(lds_mcf__ns *s, const int64_t *flow, const int64_t *pot,
                               uint64_t *n_inconsistent, lds_err *err)
{
    lds_mcf_problem *p = s->p;
    uint32_t n = s->n, m = p->n_arcs, root = n;
    int64_t art_cost;
    *n_inconsistent = 0;
    s->has_basis = 0;
    lds_code rc = lds_mcf__check_ranges_full(p, s->pi, &art_cost, &s->ranges, err);
    if (rc != LDS_OK) {
        s->ranges_full = 1;
        return rc;
    }
    s->ranges_full = 0;
    s->art_cost = art_cost;
    if (ensure_cap(s, m) != LDS_OK)
        return lds_err_set(err, LDS_ENOMEM, "out of memory for %u arcs", m);
    s->m = m;
    int mix;
    choose_pricing(s, &s->block, &mix);
    cold_start(s, s->pi, mix); /* arc layout; the tree is replaced below */
    for (uint32_t e = 0; e < m; e++)
        s->flow[e] = flow[e];

    /* Incident arcs per node (CSR), and the join queue. */
    uint32_t *afirst = lds_calloc((size_t)n + 2, sizeof *afirst);
    uint32_t *adj = lds_malloc(((size_t)m * 2 + 1) * sizeof *adj);
    xo_item *heap = lds_malloc(((size_t)m + 1) * sizeof *heap);
    uint32_t *zfree = lds_malloc(((size_t)m + 1) * sizeof *zfree);  /* tight free arcs */
    uint32_t *zbound = lds_malloc(((size_t)m + 1) * sizeof *zbound); /* tight arcs at a bound */
    uint32_t *zw = lds_malloc(((size_t)m * 2 + 2) * sizeof *zw); /* the node each joins */
    if (!afirst || !adj || !heap || !zfree || !zbound || !zw) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory for the crossover (%u nodes, %u arcs)",
                         n, m);
        goto out;
    }
    for (uint32_t e = 0; e < m; e++) {
        afirst[p->tail[e] + 2]++;
        afirst[p->head[e] + 2]++;
    }
    for (uint32_t u = 0; u < n; u++)
        afirst[u + 2] += afirst[u + 1];
    for (uint32_t e = 0; e < m; e++) {
        adj[afirst[p->tail[e] + 1]++] = e;
        adj[afirst[p->head[e] + 1]++] = e;
    }
    /* Prim-like growth from the root in the simplex sign convention
     * (rc = c + pi[tail] - pi[head], pi = -pot).  Outside nodes keep
     * pi0 - T, where T (only growing) is how far they have been lowered;
     * lowering keeps every non-tree arc's reduced cost on its right side
     * except arcs that can then join the tree keeping it strongly feasible
     * (into the tree at the lower bound, out of it at the upper bound, or
     * free), which the queue orders by the lowering that makes them tight.
     * A node joins at pi0 - T.  Free arcs join first, at no lowering. */
    int64_t *pi = s->pi;
    for (uint32_t u = 0; u < n; u++) {
        pi[u] = -pot[u];
        s->parent[u] = NONE;
    }
    uint32_t n_heap = 0, n_zf = 0, n_zb = 0, n_joined = 0, scan = 0;
    int64_t T = 0, pi_root = 0;
    int has_root_pi = 0;
    while (n_joined < n) {
        uint32_t w, e;
        if (n_zf > 0) {
            n_zf--;
            e = zfree[n_zf];
            w = zw[n_zf];
        } else if (n_zb > 0) {
            n_zb--;
            e = zbound[n_zb];
            w = zw[m + 1 + n_zb];
        } else if (n_heap > 0) {
            xo_item it = heap_pop(heap, &n_heap);
            e = it.e;
            w = it.w;
            if (s->parent[w] != NONE)
                continue;
            if (it.key > T)
                T = it.key;
        } else {
            /* Nothing left constrains the outside: hang the next node from
             * the root (upward, no flow: strongly feasible). */
            while (s->parent[scan] != NONE)
                scan++;
            w = scan;
            e = ART | w;
            if (!has_root_pi) {
                pi_root = pi[w] - T;
                has_root_pi = 1;
            } else if (pi[w] - pi_root >= T) {
                T = pi[w] - pi_root;
            } else {
                (*n_inconsistent)++; /* the simplex repairs it */
            }
        }
        if (s->parent[w] != NONE)
            continue;
        /* Join w. */
        n_joined++;
        if (e & ART) {
            s->parent[w] = root;
            s->pred[w] = e;
            s->pred_dir[w] = UP;
        } else {
            s->parent[w] = p->tail[e] == w ? p->head[e] : p->tail[e];
            s->pred[w] = e;
            s->pred_dir[w] = p->tail[e] == w ? UP : DOWN;
        }
        s->art_flow[w] = 0;
        pi[w] -= T;
        int64_t pw = pi[w];
        for (uint32_t k = afirst[w], end = afirst[w + 1]; k < end; k++) {
            uint32_t a = adj[k], x;
            int64_t lo = p->lower[a], up = p->upper[a], f = s->flow[a], key;
            int is_in = p->head[a] == w; /* x -> w */
            x = is_in ? p->tail[a] : p->head[a];
            if (x == w || s->parent[x] != NONE || lo == up)
                continue;
            if (f > lo && f < up) {
                zfree[n_zf] = a;
                zw[n_zf++] = x;
                continue;
            }
            if (is_in && f == lo)
                key = p->cost[a] + pi[x] - pw; /* x joins upward at its lower bound */
            else if (!is_in && f == up)
                key = pi[x] - p->cost[a] - pw; /* x joins downward at its upper bound */
            else
                continue;
            if (key <= T) {
                zbound[n_zb] = a;
                zw[m + 1 + n_zb++] = x;
            } else {
                heap_push(heap, &n_heap, (xo_item){.key = key, .e = a, .w = x});
            }
        }
    }
    s->parent[root] = NONE;
    s->pred[root] = NONE;
    s->pred_dir[root] = 0;
    build_thread(s, s->buf);
    /* States: tree arcs, bounds, and free arcs outside the tree
     * ("superbasic"), which pivot in at zero reduced cost below. */
    for (uint32_t u = 0; u < n; u++)
        if (!(s->pred[u] & ART))
            set_state(s, lds_mcf__ns_pos(s, s->pred[u]), TREE);
    compute_potentials(s);
    uint32_t n_super = 0;
    for (uint32_t i = 0; i < m; i++) {
        if (s->state[i] == TREE)
            continue;
        uint32_t e = lds_mcf__ns_ext(s, i);
        int64_t f = s->flow[e];
        if (p->lower[e] == p->upper[e])
            set_state(s, i, s->cost[i] + pi[s->tail[i]] - pi[s->head[i]] < 0 ? UPPER : LOWER);
        else if (f == p->lower[e])
            set_state(s, i, LOWER);
        else if (f == p->upper[e])
            set_state(s, i, UPPER);
        else
            zfree[n_super++] = i;
    }
    for (uint32_t k = 0; k < n_super; k++) {
        uint32_t i = zfree[k], e = lds_mcf__ns_ext(s, i);
        int64_t r = s->cost[i] + pi[s->tail[i]] - pi[s->head[i]]; /* still LOWER: forward */
        set_state(s, i, r < 0 || (r == 0 && p->upper[e] != INF) ? LOWER : UPPER);
        if (pivot(s, i, s->cost[i] + pi[s->tail[i]] - pi[s->head[i]])) {
            rc = lds_err_set(err, LDS_EINVAL, "crossover: a free arc lies on an infinite cycle");
            goto out;
        }
    }
    s->next_arc = 0;
    s->has_basis = 1;
    relayout(s);
out:
    lds_free(afirst);
    lds_free(adj);
    lds_free(heap);
    lds_free(zfree);
    lds_free(zbound);
    lds_free(zw);
    return rc;
}
