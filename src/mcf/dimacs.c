/*
 * dimacs.c — DIMACS min-cost-flow text: a strict single-pass reader with
 * hand-written integer scanning (no sscanf; gigabyte files parse at memory
 * speed) and a writer.  Node ids are 1-based in the text, 0-based in memory.
 * Every reader error carries the 1-based line number in err->line.
 */
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/mcf.h"
#include "ns.h"

typedef struct reader {
    const char *cur, *end;
    unsigned line;
} reader;

static inline int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static inline void skip_blanks(reader *r)
{
    while (r->cur < r->end && is_blank(*r->cur))
        r->cur++;
}

static inline int at_eol(const reader *r)
{
    return r->cur == r->end || *r->cur == '\n' || (*r->cur == '\r' && (r->cur + 1 == r->end || r->cur[1] == '\n'));
}

/* Skips the rest of the line including its terminator. */
static void next_line(reader *r)
{
    const char *nl = memchr(r->cur, '\n', (size_t)(r->end - r->cur));
    r->cur = nl ? nl + 1 : r->end;
    r->line++;
}

/* Copies the token at the cursor into `out` for messages (truncated). */
static const char *token_text(const reader *r, char *out, size_t n)
{
    size_t i = 0;
    const char *c = r->cur;
    while (c < r->end && !is_blank(*c) && *c != '\n' && *c != '\r' && i + 4 < n)
        out[i++] = *c++;
    if (c < r->end && !is_blank(*c) && *c != '\n' && *c != '\r') {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
    return out;
}

/*
 * Reads one signed 64-bit integer field named `what`.  Returns LDS_OK and
 * advances, or sets a line-numbered error.
 */
static lds_code read_i64(reader *r, const char *what, int64_t *out, lds_err *err)
{
    skip_blanks(r);
    if (at_eol(r))
        return lds_err_at(err, LDS_EINVAL, r->line, 0, "missing %s", what);
    const char *start = r->cur;
    int neg = 0;
    if (*r->cur == '-' || *r->cur == '+') {
        neg = *r->cur == '-';
        r->cur++;
    }
    uint64_t v = 0;
    const char *digits = r->cur;
    while (r->cur < r->end && (unsigned)(*r->cur - '0') < 10) {
        unsigned d = (unsigned)(*r->cur - '0');
        if (v > (UINT64_MAX - d) / 10) {
            v = UINT64_MAX;
        } else {
            v = v * 10 + d;
        }
        r->cur++;
    }
    char tok[48];
    reader at = {start, r->end, r->line};
    if (r->cur == digits || (r->cur < r->end && !is_blank(*r->cur) && !at_eol(r)))
        return lds_err_at(err, LDS_EINVAL, r->line, 0,
                          "%s is not an integer: '%s'", what, token_text(&at, tok, sizeof tok));
    if ((!neg && v > (uint64_t)INT64_MAX) || (neg && v > (uint64_t)INT64_MAX + 1))
        return lds_err_at(err, LDS_EINVAL, r->line, 0, "%s out of 64-bit range: '%s'", what,
                          token_text(&at, tok, sizeof tok));
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return LDS_OK;
}

/* Reads a node id in [1, n] and returns it 0-based. */
static lds_code read_node(reader *r, const char *what, uint32_t n, uint32_t *out, lds_err *err)
{
    int64_t v;
    lds_code rc = read_i64(r, what, &v, err);
    if (rc != LDS_OK)
        return rc;
    if (v < 1 || v > (int64_t)n)
        return lds_err_at(err, LDS_EINVAL, r->line, 0, "%s %lld out of range 1..%u", what,
                          (long long)v, n);
    *out = (uint32_t)(v - 1);
    return LDS_OK;
}

static lds_code end_of_line(reader *r, lds_err *err)
{
    skip_blanks(r);
    if (!at_eol(r)) {
        char tok[48];
        return lds_err_at(err, LDS_EINVAL, r->line, 0, "unexpected trailing text '%s'",
                          token_text(r, tok, sizeof tok));
    }
    next_line(r);
    return LDS_OK;
}

lds_code lds_mcf_dimacs_parse(const char *text, size_t len, lds_mcf_problem *p, lds_err *err)
{
    reader r = {text, text + len, 1};
    lds_mcf_problem q;
    memset(&q, 0, sizeof q);
    memset(p, 0, sizeof *p);
    uint8_t *seen = NULL; /* node has an `n` line */
    unsigned p_line = 0;
    uint32_t n_arcs_declared = 0;
    lds_code rc = LDS_OK;
    while (r.cur < r.end) {
        skip_blanks(&r);
        if (at_eol(&r)) {
            next_line(&r);
            continue;
        }
        char kind = *r.cur++;
        if (kind == 'c') { /* comment: the rest of the line is free text */
            next_line(&r);
            continue;
        }
        if (r.cur < r.end && !is_blank(*r.cur) && !at_eol(&r)) {
            r.cur--;
            char tok[48];
            rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "unknown line type '%s'",
                            token_text(&r, tok, sizeof tok));
            goto fail;
        }
        switch (kind) {
        case 'p': {
            if (p_line) {
                rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "duplicate problem line (first on line %u)",
                                p_line);
                goto fail;
            }
            skip_blanks(&r);
            if ((size_t)(r.end - r.cur) < 3 || memcmp(r.cur, "min", 3) != 0 ||
                (r.cur + 3 < r.end && !is_blank(r.cur[3]) && r.cur[3] != '\n' && r.cur[3] != '\r')) {
                char tok[48];
                rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "problem type must be 'min', not '%s'",
                                token_text(&r, tok, sizeof tok));
                goto fail;
            }
            r.cur += 3;
            int64_t nn, mm;
            if ((rc = read_i64(&r, "node count", &nn, err)) != LDS_OK ||
                (rc = read_i64(&r, "arc count", &mm, err)) != LDS_OK)
                goto fail;
            if (nn < 0 || nn > (int64_t)LDS_MCF__MAX_NODES) {
                rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "node count %lld out of range", (long long)nn);
                goto fail;
            }
            if (mm < 0 || mm > 0x7ffffff0) {
                rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "arc count %lld out of range", (long long)mm);
                goto fail;
            }
            p_line = r.line;
            if ((rc = end_of_line(&r, err)) != LDS_OK)
                goto fail;
            /* Do not trust a huge declared count for preallocation: cap the
             * hint by what the remaining text could hold (>= 10 bytes/arc). */
            size_t hint = (size_t)mm;
            if (hint > (size_t)(r.end - r.cur) / 10 + 16)
                hint = (size_t)(r.end - r.cur) / 10 + 16;
            if ((int64_t)hint > mm)
                hint = (size_t)mm;
            if (nn > 0 && (size_t)nn > (size_t)(r.end - r.cur) + 1000000) {
                rc = lds_err_at(err, LDS_EINVAL, p_line, 0, "node count %lld is implausibly large for this file", (long long)nn);
                goto fail;
            }
            if ((rc = lds_mcf_problem_init(&q, (uint32_t)nn, (uint32_t)hint, err)) != LDS_OK) {
                if (err)
                    err->line = p_line;
                goto fail;
            }
            n_arcs_declared = (uint32_t)mm;
            seen = lds_calloc((size_t)nn + 1, 1);
            if (!seen) {
                rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
                goto fail;
            }
            break;
        }
        case 'n': {
            if (!p_line) {
                rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "node line before the problem line");
                goto fail;
            }
            uint32_t u;
            int64_t s;
            if ((rc = read_node(&r, "node id", q.n_nodes, &u, err)) != LDS_OK ||
                (rc = read_i64(&r, "supply", &s, err)) != LDS_OK)
                goto fail;
            if (seen[u]) {
                rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "duplicate node line for node %u", u + 1);
                goto fail;
            }
            seen[u] = 1;
            q.supply[u] = s;
            if ((rc = end_of_line(&r, err)) != LDS_OK)
                goto fail;
            break;
        }
        case 'a': {
            if (!p_line) {
                rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "arc line before the problem line");
                goto fail;
            }
            if (q.n_arcs >= n_arcs_declared) {
                rc = lds_err_at(err, LDS_EINVAL, r.line, 0,
                                "more arcs than the %u declared on line %u", n_arcs_declared, p_line);
                goto fail;
            }
            uint32_t u, v;
            int64_t lo, cap, cost;
            if ((rc = read_node(&r, "arc tail", q.n_nodes, &u, err)) != LDS_OK ||
                (rc = read_node(&r, "arc head", q.n_nodes, &v, err)) != LDS_OK ||
                (rc = read_i64(&r, "lower bound", &lo, err)) != LDS_OK ||
                (rc = read_i64(&r, "capacity", &cap, err)) != LDS_OK ||
                (rc = read_i64(&r, "cost", &cost, err)) != LDS_OK)
                goto fail;
            if (lo > cap) {
                rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "lower bound %lld exceeds capacity %lld",
                                (long long)lo, (long long)cap);
                goto fail;
            }
            if (q.n_arcs < q.cap_arcs) { /* fast path */
                uint32_t e = q.n_arcs++;
                q.tail[e] = u;
                q.head[e] = v;
                q.lower[e] = lo;
                q.upper[e] = cap;
                q.cost[e] = cost;
            } else if ((rc = lds_mcf_problem_add_arc(&q, u, v, lo, cap, cost, NULL, err)) != LDS_OK) {
                if (err)
                    err->line = r.line;
                goto fail;
            }
            if ((rc = end_of_line(&r, err)) != LDS_OK)
                goto fail;
            break;
        }
        default: {
            r.cur--;
            char tok[48];
            rc = lds_err_at(err, LDS_EINVAL, r.line, 0, "unknown line type '%s'",
                            token_text(&r, tok, sizeof tok));
            goto fail;
        }
        }
    }
    if (!p_line) {
        rc = lds_err_at(err, LDS_EINVAL, r.line > 1 ? r.line - 1 : 1, 0,
                        "missing problem line 'p min NODES ARCS'");
        goto fail;
    }
    if (q.n_arcs != n_arcs_declared) {
        rc = lds_err_at(err, LDS_EINVAL, p_line, 0, "problem line declares %u arcs but the file has %u",
                        n_arcs_declared, q.n_arcs);
        goto fail;
    }
    lds_free(seen);
    *p = q;
    return LDS_OK;
fail:
    lds_free(seen);
    lds_mcf_problem_release(&q);
    return rc;
}

/* ---- writer ---------------------------------------------------------------- */

typedef struct wbuf {
    char *ptr;
    size_t len, cap;
    int oom;
} wbuf;

static int reserve(wbuf *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    char *q = lds_realloc(b->ptr, cap);
    if (!q) {
        b->oom = 1;
        return -1;
    }
    b->ptr = q;
    b->cap = cap;
    return 0;
}

static void put_i64(wbuf *b, int64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    b->ptr[b->len++] = ' ';
    memcpy(b->ptr + b->len, tmp + i, sizeof tmp - i);
    b->len += sizeof tmp - i;
}

lds_code lds_mcf_dimacs_write(const lds_mcf_problem *p, char **out, size_t *out_len, lds_err *err)
{
    *out = NULL;
    *out_len = 0;
    wbuf b = {0};
    if (reserve(&b, 64))
        goto oom;
    b.ptr[b.len++] = 'p';
    memcpy(b.ptr + b.len, " min", 4);
    b.len += 4;
    put_i64(&b, p->n_nodes);
    put_i64(&b, p->n_arcs);
    b.ptr[b.len++] = '\n';
    for (uint32_t u = 0; u < p->n_nodes; u++) {
        if (!p->supply[u])
            continue;
        if (reserve(&b, 64))
            goto oom;
        b.ptr[b.len++] = 'n';
        put_i64(&b, (int64_t)u + 1);
        put_i64(&b, p->supply[u]);
        b.ptr[b.len++] = '\n';
    }
    for (uint32_t e = 0; e < p->n_arcs; e++) {
        if (reserve(&b, 128))
            goto oom;
        b.ptr[b.len++] = 'a';
        put_i64(&b, (int64_t)p->tail[e] + 1);
        put_i64(&b, (int64_t)p->head[e] + 1);
        put_i64(&b, p->lower[e]);
        put_i64(&b, p->upper[e]);
        put_i64(&b, p->cost[e]);
        b.ptr[b.len++] = '\n';
    }
    if (reserve(&b, 1))
        goto oom;
    b.ptr[b.len] = '\0';
    *out = b.ptr;
    *out_len = b.len;
    return LDS_OK;
oom:
    lds_free(b.ptr);
    return lds_err_set(err, LDS_ENOMEM, "out of memory writing DIMACS");
}
