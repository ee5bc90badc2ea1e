/*
 * match_int.h — internals shared by the files of src/match: the bipartite
 * max-flow used for the first phase of the lexicographic objective, and the
 * half-even rounding of money.  Not public API.
 */
#ifndef LDS_MATCH_INT_H
#define LDS_MATCH_INT_H

#include <stddef.h>
#include <stdint.h>
#include "lodestone/err.h"

__extension__ typedef __int128 lds_match__i128;

/**
 * Maximum flow from offers to requests over the pair arcs (uncapacitated),
 * offer o carrying at most cap_o[o] and request d receiving at most
 * cap_d[d].  `flow` (n_pairs) holds a feasible flow on entry (zeros for a
 * cold start, which is first filled greedily) and a maximum one on return;
 * `*total` its value.  Pairs with dead[p] != 0 (may be NULL) are ignored and
 * must carry zero flow.  When `only` is not 0xffffffff, augmenting paths
 * start at that offer alone: valid when the entry flow was maximum before
 * that offer was added (every new augmenting path must then begin with it).
 * Dinic's algorithm with an iterative DFS, so deep alternating paths cannot
 * overflow the stack.  LDS_ENOMEM only.
 */
lds_code lds_match__maxflow(uint32_t n_o, const int64_t *cap_o, uint32_t n_d, const int64_t *cap_d,
                            size_t n_pairs, const uint32_t *p_offer, const uint32_t *p_req,
                            const uint8_t *dead, uint32_t only, int64_t *flow, int64_t *total,
                            lds_err *err);

/**
 * Marginal delivered cost of one more unit at each request, given an optimal
 * allocation: a multi-source shortest path over the residual pair graph
 * (offer->request at +cost, request->offer at -cost where the pair carries
 * flow) from every offer with unsold supply (`src[o]` != 0).  Dijkstra on
 * reduced costs c - pot_o + pot_d, which are >= 0 on residual arcs of an
 * optimal flow.  `out_d[d]` receives the cost per unit, or INT64_MAX when no
 * unsold supply can reach d.  LDS_ENOMEM only.
 */
lds_code lds_match__marginal(uint32_t n_o, uint32_t n_d, size_t n_pairs, const uint32_t *p_offer,
                             const uint32_t *p_req, const uint8_t *dead, const int64_t *p_cost,
                             const int64_t *p_flow, const uint8_t *src, const int64_t *pot_o,
                             const int64_t *pot_d, int64_t *out_d, lds_err *err);

/**
 * Value per unit of one more unit of each wanted offer (want_o[o] != 0),
 * every request keeping its quantity: the cost saved when it replaces
 * dearer units, i.e. minus the cheapest residual path from the offer over
 * the pair arcs (offer -> request at cost, request -> offer at minus the
 * cost where the pair carries flow) to any offer's unsold-supply arc to U.
 * One Dijkstra backwards from U on the reduced costs c - pot_o + pot_d
 * (>= 0 on residual arcs of an optimal flow; pot_u the potential of U),
 * stopped once the `n_want` wanted offers are settled.  `value_o` (n_o):
 * the value in cents per unit, 0 for offers not wanted.  LDS_ENOMEM only.
 */
lds_code lds_match__supply_value(uint32_t n_o, uint32_t n_d, size_t n_pairs,
                                 const uint32_t *p_offer, const uint32_t *p_req,
                                 const uint8_t *dead, const int64_t *p_cost,
                                 const int64_t *p_flow, const uint8_t *alive_o,
                                 const int64_t *pot_o, const int64_t *pot_d, int64_t pot_u,
                                 const uint8_t *want_o, size_t n_want, int64_t *value_o,
                                 lds_err *err);

struct lds_match_session;
/** Drops the current result's why lists and the kept chains, so the next
 * lds_match_session_explain builds every chain (tests compare the kept
 * chains with a full build). */
void lds_match__why_forget(struct lds_match_session *s);

/** round-half-even(x / 1000) for x >= 0 (milli-cents to cents). */
static inline int64_t lds_match__round_milli(lds_match__i128 x)
{
    lds_match__i128 q = x / 1000, r = x % 1000;
    if (r > 500 || (r == 500 && (q & 1)))
        q++;
    return (int64_t)q;
}

/* A binary min-heap of (key, node), for the Dijkstra searches of the dual
 * prices (marginal.c) and the why-short values (why.c). */
typedef struct lds_match__hent {
    int64_t key;
    uint32_t node;
} lds_match__hent;
static inline void lds_match__heap_push(lds_match__hent *h, size_t *n, int64_t key, uint32_t node)
{
    size_t i = (*n)++;
    while (i) {
        size_t p = (i - 1) / 2;
        if (h[p].key <= key)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i].key = key;
    h[i].node = node;
}

static inline lds_match__hent lds_match__heap_pop(lds_match__hent *h, size_t *n)
{
    lds_match__hent top = h[0], last = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1].key < h[c].key)
            c++;
        if (h[c].key >= last.key)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = last;
    return top;
}

#endif
