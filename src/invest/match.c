/*
 * match.c — investor mandates scored against projects.  Every list criterion
 * is interned into a bitset once, so a pair costs a few word operations and
 * 1,000 mandates x 10,000 projects are scored exhaustively (no candidate
 * index needed); a k-heap keeps each group's best, and explanations are
 * written only for what is returned.  Ties: ascending id, so runs repeat.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "invest_int.h"
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/intern.h"

/* ---- the prepared input ------------------------------------------------- */

enum { V_SECTOR, V_STAGE, V_REGION, V_MATERIAL, N_VOCAB };

typedef struct prepared {
    size_t words[N_VOCAB];  /* bitset width per vocabulary */
    size_t m_stride, p_stride;
    uint64_t *m_bits;       /* per mandate: sector, stage, region, material sets */
    uint64_t *p_bits;       /* per project: sector, stage, region, material sets */
    unsigned char *m_any;   /* per mandate: bit c set = list c empty (any) */
    long *p_bottleneck;     /* per project: best bottleneck or -1 */
    double *p_bonus;
    double max_dual;
} prepared;

static void prepared_release(prepared *p)
{
    lds_free(p->m_bits);
    lds_free(p->p_bits);
    lds_free(p->m_any);
    lds_free(p->p_bottleneck);
    lds_free(p->p_bonus);
}

static lds_code check_list(const char *const *v, size_t n, const char *what, size_t i,
                           const char *field, lds_err *err)
{
    if (n && !v)
        return lds_err_set(err, LDS_EINVAL, "%s %zu: %s list is NULL", what, i, field);
    for (size_t k = 0; k < n; k++)
        if (!v[k] || !*v[k])
            return lds_err_set(err, LDS_EINVAL, "%s %zu: %s[%zu] is empty", what, i, field, k);
    return LDS_OK;
}

lds_code lds_invest__check(const lds_invest_input *in, lds_err *err)
{
    lds_code rc;
    for (size_t i = 0; i < in->n_mandates; i++) {
        const lds_invest_mandate *m = &in->mandates[i];
        if (!(m->ticket_min >= 0) || !(m->ticket_max >= 0) || !isfinite(m->ticket_min) ||
            !isfinite(m->ticket_max))
            return lds_err_set(err, LDS_EINVAL, "mandate %lld: ticket range must be >= 0",
                               (long long)m->id);
        if (m->ticket_max > 0 && m->ticket_max < m->ticket_min)
            return lds_err_set(err, LDS_EINVAL,
                               "mandate %lld: ticket_max %.2f is below ticket_min %.2f",
                               (long long)m->id, m->ticket_max, m->ticket_min);
        if ((rc = check_list(m->sectors, m->n_sectors, "mandate", i, "sectors", err)) ||
            (rc = check_list(m->stages, m->n_stages, "mandate", i, "stages", err)) ||
            (rc = check_list(m->regions, m->n_regions, "mandate", i, "regions", err)) ||
            (rc = check_list(m->materials, m->n_materials, "mandate", i, "materials", err)))
            return rc;
    }
    for (size_t i = 0; i < in->n_projects; i++) {
        const lds_invest_project *p = &in->projects[i];
        if (!p->sector || !p->stage)
            return lds_err_set(err, LDS_EINVAL, "project %lld: sector and stage are required",
                               (long long)p->id);
        if (!(p->financing_need >= 0) || !isfinite(p->financing_need) || !(p->capacity_t >= 0))
            return lds_err_set(err, LDS_EINVAL,
                               "project %lld: financing need and capacity must be >= 0",
                               (long long)p->id);
        if ((rc = check_list(p->regions, p->n_regions, "project", i, "regions", err)) ||
            (rc = check_list(p->materials, p->n_materials, "project", i, "materials", err)))
            return rc;
    }
    for (size_t i = 0; i < in->n_bottlenecks; i++)
        if (!(in->bottlenecks[i].dual > 0) || !isfinite(in->bottlenecks[i].dual))
            return lds_err_set(err, LDS_EINVAL, "bottleneck %zu: dual value must be > 0", i);
    return LDS_OK;
}

int lds_invest__bottleneck_fits(const lds_invest_bottleneck *b, const lds_invest_project *p)
{
    if (!(p->capacity_t > 0) && !p->capacity_facility)
        return 0;
    if (b->facility_id && p->capacity_facility == b->facility_id)
        return 1;
    if (!b->material || !p->capacity_material || strcmp(b->material, p->capacity_material) != 0)
        return 0;
    return !b->region || !p->capacity_region || strcmp(b->region, p->capacity_region) == 0;
}

static void set_bit(uint64_t *w, long id)
{
    w[(size_t)id >> 6] |= 1ull << ((size_t)id & 63);
}

static int add_list(lds_intern *v, uint64_t *w, const char *const *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        long id = lds_intern_id(v, s[k]);
        if (id < 0)
            return -1;
        set_bit(w, id);
    }
    return 0;
}

static lds_code prepare(const lds_invest_input *in, prepared *pp, lds_err *err)
{
    lds_intern v[N_VOCAB];
    memset(v, 0, sizeof v);
    memset(pp, 0, sizeof *pp);
    lds_code rc = LDS_OK;
    /* Pass 1: intern every string to size the bitsets. */
    for (size_t i = 0; i < in->n_mandates; i++) {
        const lds_invest_mandate *m = &in->mandates[i];
        for (size_t k = 0; k < m->n_sectors; k++)
            if (lds_intern_id(&v[V_SECTOR], m->sectors[k]) < 0)
                goto oom;
        for (size_t k = 0; k < m->n_stages; k++)
            if (lds_intern_id(&v[V_STAGE], m->stages[k]) < 0)
                goto oom;
        for (size_t k = 0; k < m->n_regions; k++)
            if (lds_intern_id(&v[V_REGION], m->regions[k]) < 0)
                goto oom;
        for (size_t k = 0; k < m->n_materials; k++)
            if (lds_intern_id(&v[V_MATERIAL], m->materials[k]) < 0)
                goto oom;
    }
    for (size_t i = 0; i < in->n_projects; i++) {
        const lds_invest_project *p = &in->projects[i];
        if (lds_intern_id(&v[V_SECTOR], p->sector) < 0 ||
            lds_intern_id(&v[V_STAGE], p->stage) < 0)
            goto oom;
        for (size_t k = 0; k < p->n_regions; k++)
            if (lds_intern_id(&v[V_REGION], p->regions[k]) < 0)
                goto oom;
        for (size_t k = 0; k < p->n_materials; k++)
            if (lds_intern_id(&v[V_MATERIAL], p->materials[k]) < 0)
                goto oom;
    }
    size_t stride = 0;
    for (int c = 0; c < N_VOCAB; c++) {
        pp->words[c] = (v[c].n + 63) / 64;
        if (!pp->words[c])
            pp->words[c] = 1;
        stride += pp->words[c];
    }
    pp->m_stride = pp->p_stride = stride;
    pp->m_bits = lds_calloc(in->n_mandates ? in->n_mandates * stride : 1, sizeof *pp->m_bits);
    pp->p_bits = lds_calloc(in->n_projects ? in->n_projects * stride : 1, sizeof *pp->p_bits);
    pp->m_any = lds_calloc(in->n_mandates ? in->n_mandates : 1, 1);
    pp->p_bottleneck = lds_calloc(in->n_projects ? in->n_projects : 1, sizeof *pp->p_bottleneck);
    pp->p_bonus = lds_calloc(in->n_projects ? in->n_projects : 1, sizeof *pp->p_bonus);
    if (!pp->m_bits || !pp->p_bits || !pp->m_any || !pp->p_bottleneck || !pp->p_bonus)
        goto oom;
    /* Pass 2: the bitsets (every string is interned already). */
    for (size_t i = 0; i < in->n_mandates; i++) {
        const lds_invest_mandate *m = &in->mandates[i];
        uint64_t *w = pp->m_bits + i * stride;
        uint64_t *ws = w, *wt = ws + pp->words[V_SECTOR], *wr = wt + pp->words[V_STAGE],
                 *wm = wr + pp->words[V_REGION];
        if (add_list(&v[V_SECTOR], ws, m->sectors, m->n_sectors) ||
            add_list(&v[V_STAGE], wt, m->stages, m->n_stages) ||
            add_list(&v[V_REGION], wr, m->regions, m->n_regions) ||
            add_list(&v[V_MATERIAL], wm, m->materials, m->n_materials))
            goto oom;
        pp->m_any[i] = (unsigned char)((m->n_sectors ? 0 : LDS_INVEST_C_SECTOR) |
                                       (m->n_stages ? 0 : LDS_INVEST_C_STAGE) |
                                       (m->n_regions ? 0 : LDS_INVEST_C_REGION) |
                                       (m->n_materials ? 0 : LDS_INVEST_C_MATERIAL));
    }
    for (size_t b = 0; b < in->n_bottlenecks; b++)
        if (in->bottlenecks[b].dual > pp->max_dual)
            pp->max_dual = in->bottlenecks[b].dual;
    for (size_t i = 0; i < in->n_projects; i++) {
        const lds_invest_project *p = &in->projects[i];
        uint64_t *w = pp->p_bits + i * stride;
        uint64_t *ws = w, *wt = ws + pp->words[V_SECTOR], *wr = wt + pp->words[V_STAGE],
                 *wm = wr + pp->words[V_REGION];
        if (add_list(&v[V_SECTOR], ws, &p->sector, 1) ||
            add_list(&v[V_STAGE], wt, &p->stage, 1) ||
            add_list(&v[V_REGION], wr, p->regions, p->n_regions) ||
            add_list(&v[V_MATERIAL], wm, p->materials, p->n_materials))
            goto oom;
        long best = -1;
        for (size_t b = 0; b < in->n_bottlenecks; b++)
            if (lds_invest__bottleneck_fits(&in->bottlenecks[b], p) &&
                (best < 0 || in->bottlenecks[b].dual > in->bottlenecks[best].dual))
                best = (long)b;
        pp->p_bottleneck[i] = best;
        pp->p_bonus[i] =
            best < 0 ? 0 : LDS_INVEST_W_BOTTLENECK * in->bottlenecks[best].dual / pp->max_dual;
    }
    goto done;
oom:
    rc = lds_err_set(err, LDS_ENOMEM, "investor matching: out of memory");
    prepared_release(pp);
done:
    for (int c = 0; c < N_VOCAB; c++)
        lds_intern_release(&v[c]);
    return rc;
}

static int meets(const uint64_t *a, const uint64_t *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (a[k] & b[k])
            return 1;
    return 0;
}

/* The pair's score from the prepared bitsets; the same arithmetic as the
 * explanation writes out. */
static double score_pair(const lds_invest_input *in, const prepared *pp, size_t mi, size_t pi,
                         unsigned *matched_out, unsigned *partial_out)
{
    const uint64_t *mw = pp->m_bits + mi * pp->m_stride, *pw = pp->p_bits + pi * pp->p_stride;
    unsigned any = pp->m_any[mi], matched = 0, partial = 0;
    double s = 0;
    static const double weight[N_VOCAB] = {LDS_INVEST_W_SECTOR, LDS_INVEST_W_STAGE,
                                           LDS_INVEST_W_REGION, LDS_INVEST_W_MATERIAL};
    static const unsigned bit[N_VOCAB] = {LDS_INVEST_C_SECTOR, LDS_INVEST_C_STAGE,
                                          LDS_INVEST_C_REGION, LDS_INVEST_C_MATERIAL};
    for (int c = 0; c < N_VOCAB; c++) {
        size_t n = pp->words[c];
        if ((any & bit[c]) || meets(mw, pw, n)) {
            matched |= bit[c];
            s += weight[c];
        }
        mw += n;
        pw += n;
    }
    const lds_invest_mandate *m = &in->mandates[mi];
    double need = in->projects[pi].financing_need;
    if (need > 0 && need >= m->ticket_min) {
        if (m->ticket_max > 0 && need > m->ticket_max) {
            partial |= LDS_INVEST_C_TICKET;
            s += LDS_INVEST_W_TICKET_PARTIAL;
        } else {
            matched |= LDS_INVEST_C_TICKET;
            s += LDS_INVEST_W_TICKET;
        }
    }
    *matched_out = matched;
    *partial_out = partial;
    return s + pp->p_bonus[pi];
}

/* ---- top k -------------------------------------------------------------- */

typedef struct cand {
    double score;
    int64_t id;     /* of the ranked side, for ties */
    size_t other;   /* its index */
} cand;

/* a ranks before b */
static int better(const cand *a, const cand *b)
{
    return a->score > b->score || (a->score == b->score && a->id < b->id);
}

static void sift_down(cand *h, size_t n, size_t i)
{
    for (;;) { /* min-heap on "better": the root is the worst kept */
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && better(&h[w], &h[l]))
            w = l;
        if (r < n && better(&h[w], &h[r]))
            w = r;
        if (w == i)
            return;
        cand t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(cand *h, size_t i)
{
    while (i) {
        size_t p = (i - 1) / 2;
        if (!better(&h[p], &h[i]))
            return;
        cand t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static lds_code run(const lds_invest_input *in, int by_mandate, size_t k, double min_score,
                    lds_invest_result **out, lds_err *err)
{
    *out = NULL;
    if (!in || (in->n_mandates && !in->mandates) || (in->n_projects && !in->projects) ||
        (in->n_bottlenecks && !in->bottlenecks))
        return lds_err_set(err, LDS_EINVAL, "investor matching: missing input arrays");
    lds_code rc = lds_invest__check(in, err);
    if (rc != LDS_OK)
        return rc;
    prepared pp;
    if ((rc = prepare(in, &pp, err)) != LDS_OK)
        return rc;
    size_t n_groups = by_mandate ? in->n_mandates : in->n_projects;
    size_t n_other = by_mandate ? in->n_projects : in->n_mandates;
    if (k > n_other)
        k = n_other;
    lds_invest_result *r = lds_calloc(1, sizeof *r);
    cand *heap = lds_malloc((k ? k : 1) * sizeof *heap);
    if (r) {
        r->n_groups = n_groups;
        r->first = lds_calloc(n_groups + 1, sizeof *r->first);
        r->matches = lds_malloc((n_groups && k ? n_groups * k : 1) * sizeof *r->matches);
    }
    if (!r || !heap || !r->first || !r->matches) {
        lds_invest_result_free(r);
        lds_free(heap);
        prepared_release(&pp);
        return lds_err_set(err, LDS_ENOMEM, "investor matching: out of memory");
    }
    size_t n = 0;
    for (size_t g = 0; g < n_groups; g++) {
        size_t h = 0;
        r->first[g] = n;
        for (size_t o = 0; o < n_other && k; o++) {
            size_t mi = by_mandate ? g : o, pi = by_mandate ? o : g;
            unsigned matched, partial;
            cand c;
            c.score = score_pair(in, &pp, mi, pi, &matched, &partial);
            if (!(c.score > 0) || c.score < min_score)
                continue;
            c.id = by_mandate ? in->projects[pi].id : in->mandates[mi].id;
            c.other = o;
            if (h < k) {
                heap[h] = c;
                sift_up(heap, h++);
            } else if (better(&c, &heap[0])) {
                heap[0] = c;
                sift_down(heap, h, 0);
            }
        }
        /* Pop worst first into the tail: the group comes out best first. */
        for (size_t i = h; i-- > 0;) {
            cand c = heap[0];
            heap[0] = heap[i];
            sift_down(heap, i, 0);
            lds_invest_match *m = &r->matches[n + i];
            m->mandate = by_mandate ? g : c.other;
            m->project = by_mandate ? c.other : g;
            m->score = score_pair(in, &pp, m->mandate, m->project, &m->matched, &m->partial);
            m->bottleneck = pp.p_bottleneck[m->project];
            m->bonus = pp.p_bonus[m->project];
        }
        n += h;
    }
    r->first[n_groups] = n;
    r->n = n;
    lds_free(heap);
    prepared_release(&pp);
    *out = r;
    return LDS_OK;
}

lds_code lds_invest_match_mandates(const lds_invest_input *in, size_t k, double min_score,
                                   lds_invest_result **out, lds_err *err)
{
    return run(in, 1, k, min_score, out, err);
}

lds_code lds_invest_match_projects(const lds_invest_input *in, size_t k, double min_score,
                                   lds_invest_result **out, lds_err *err)
{
    return run(in, 0, k, min_score, out, err);
}

void lds_invest_result_free(lds_invest_result *r)
{
    if (!r)
        return;
    lds_free(r->first);
    lds_free(r->matches);
    lds_free(r);
}

/* ---- one pair, from the raw input ---------------------------------------- */

static int in_list(const char *s, const char *const *v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(s, v[k]) == 0)
            return 1;
    return 0;
}

static int lists_meet(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    for (size_t k = 0; k < na; k++)
        if (in_list(a[k], b, nb))
            return 1;
    return 0;
}

long lds_invest__best_bottleneck(const lds_invest_input *in, size_t pi, double *bonus)
{
    long best = -1;
    double max_dual = 0;
    for (size_t b = 0; b < in->n_bottlenecks; b++) {
        if (in->bottlenecks[b].dual > max_dual)
            max_dual = in->bottlenecks[b].dual;
        if (lds_invest__bottleneck_fits(&in->bottlenecks[b], &in->projects[pi]) &&
            (best < 0 || in->bottlenecks[b].dual > in->bottlenecks[best].dual))
            best = (long)b;
    }
    *bonus = best < 0 ? 0 : LDS_INVEST_W_BOTTLENECK * in->bottlenecks[best].dual / max_dual;
    return best;
}

void lds_invest_score(const lds_invest_input *in, size_t mi, size_t pi, lds_invest_match *out)
{
    const lds_invest_mandate *m = &in->mandates[mi];
    const lds_invest_project *p = &in->projects[pi];
    unsigned matched = 0, partial = 0;
    double s = 0;
    if (!m->n_sectors || in_list(p->sector, m->sectors, m->n_sectors))
        matched |= LDS_INVEST_C_SECTOR, s += LDS_INVEST_W_SECTOR;
    if (!m->n_stages || in_list(p->stage, m->stages, m->n_stages))
        matched |= LDS_INVEST_C_STAGE, s += LDS_INVEST_W_STAGE;
    if (p->financing_need > 0 && p->financing_need >= m->ticket_min) {
        if (m->ticket_max > 0 && p->financing_need > m->ticket_max)
            partial |= LDS_INVEST_C_TICKET, s += LDS_INVEST_W_TICKET_PARTIAL;
        else
            matched |= LDS_INVEST_C_TICKET, s += LDS_INVEST_W_TICKET;
    }
    if (!m->n_regions || lists_meet(p->regions, p->n_regions, m->regions, m->n_regions))
        matched |= LDS_INVEST_C_REGION, s += LDS_INVEST_W_REGION;
    if (!m->n_materials || lists_meet(p->materials, p->n_materials, m->materials, m->n_materials))
        matched |= LDS_INVEST_C_MATERIAL, s += LDS_INVEST_W_MATERIAL;
    out->mandate = mi;
    out->project = pi;
    out->matched = matched;
    out->partial = partial;
    out->bottleneck = lds_invest__best_bottleneck(in, pi, &out->bonus);
    out->score = s + out->bonus;
}

/* ---- explanation --------------------------------------------------------- */

static void add_list_text(lds_buf *b, const char *const *v, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (k)
            lds_buf_adds(b, ", ");
        lds_buf_adds(b, v[k]);
    }
}

static void add_meet_text(lds_buf *b, const char *const *a, size_t na, const char *const *m,
                          size_t nm)
{
    int first = 1;
    for (size_t k = 0; k < na; k++)
        if (in_list(a[k], m, nm)) {
            lds_buf_adds(b, first ? "" : ", ");
            lds_buf_adds(b, a[k]);
            first = 0;
        }
}

static void criterion(lds_buf *b, int *first, const char *name, int matched, double points,
                      const lds_buf *detail)
{
    lds_buf_addf(b, "%s{\"criterion\":\"%s\",\"matched\":%s,\"points\":%g,\"detail\":",
                 *first ? "" : ",", name, matched ? "true" : "false", points);
    lds_buf_add_json_str(b, detail->ptr);
    lds_buf_addc(b, '}');
    *first = 0;
}

static const char *money(char *out, size_t n, double v)
{
    snprintf(out, n, "%.0f CNY", v);
    return out;
}

void lds_invest_explain_json(const lds_invest_input *in, const lds_invest_match *mt, void *json)
{
    lds_buf *b = json;
    const lds_invest_mandate *m = &in->mandates[mt->mandate];
    const lds_invest_project *p = &in->projects[mt->project];
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{LDS_INVEST_C_SECTOR, "sector"},
                 {LDS_INVEST_C_STAGE, "stage"},
                 {LDS_INVEST_C_TICKET, "ticket"},
                 {LDS_INVEST_C_REGION, "region"},
                 {LDS_INVEST_C_MATERIAL, "material"}};
    lds_buf_addf(b, "{\"score\":%.4g,\"matched\":[", mt->score);
    int first = 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (mt->matched & names[i].bit) {
            lds_buf_addf(b, "%s\"%s\"", first ? "" : ",", names[i].name);
            first = 0;
        }
    lds_buf_adds(b, "],\"partial\":[");
    first = 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (mt->partial & names[i].bit) {
            lds_buf_addf(b, "%s\"%s\"", first ? "" : ",", names[i].name);
            first = 0;
        }
    lds_buf_adds(b, "],\"unmatched\":[");
    first = 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!((mt->matched | mt->partial) & names[i].bit)) {
            lds_buf_addf(b, "%s\"%s\"", first ? "" : ",", names[i].name);
            first = 0;
        }
    lds_buf_adds(b, "],\"criteria\":[");
    first = 1;
    lds_buf d = LDS_BUF_INIT;
    char m1[48], m2[48], m3[48];

    int ok = (mt->matched & LDS_INVEST_C_SECTOR) != 0;
    if (!m->n_sectors)
        lds_buf_addf(&d, "the mandate takes any sector (project: %s)", p->sector);
    else if (ok)
        lds_buf_addf(&d, "sector %s is one of the mandate's sectors", p->sector);
    else {
        lds_buf_addf(&d, "sector %s is not one of the mandate's sectors (", p->sector);
        add_list_text(&d, m->sectors, m->n_sectors);
        lds_buf_addc(&d, ')');
    }
    criterion(b, &first, "sector", ok, ok ? LDS_INVEST_W_SECTOR : 0, &d);

    lds_buf_reset(&d);
    ok = (mt->matched & LDS_INVEST_C_STAGE) != 0;
    if (!m->n_stages)
        lds_buf_addf(&d, "the mandate takes any stage (project: %s)", p->stage);
    else if (ok)
        lds_buf_addf(&d, "stage %s is one of the mandate's stages", p->stage);
    else {
        lds_buf_addf(&d, "stage %s is not one of the mandate's stages (", p->stage);
        add_list_text(&d, m->stages, m->n_stages);
        lds_buf_addc(&d, ')');
    }
    criterion(b, &first, "stage", ok, ok ? LDS_INVEST_W_STAGE : 0, &d);

    lds_buf_reset(&d);
    ok = (mt->matched & LDS_INVEST_C_TICKET) != 0;
    double tpts = ok ? LDS_INVEST_W_TICKET : 0;
    if (!(p->financing_need > 0))
        lds_buf_adds(&d, "the project has no financing need");
    else if (p->financing_need < m->ticket_min)
        lds_buf_addf(&d, "financing need %s is below the smallest ticket %s",
                     money(m1, sizeof m1, p->financing_need), money(m2, sizeof m2, m->ticket_min));
    else if (mt->partial & LDS_INVEST_C_TICKET) {
        lds_buf_addf(&d, "financing need %s exceeds the largest ticket %s: a partial ticket",
                     money(m1, sizeof m1, p->financing_need), money(m2, sizeof m2, m->ticket_max));
        tpts = LDS_INVEST_W_TICKET_PARTIAL;
    } else if (m->ticket_max > 0)
        lds_buf_addf(&d, "financing need %s is within the ticket range %s to %s",
                     money(m1, sizeof m1, p->financing_need), money(m2, sizeof m2, m->ticket_min),
                     money(m3, sizeof m3, m->ticket_max));
    else
        lds_buf_addf(&d, "financing need %s is at least the smallest ticket %s",
                     money(m1, sizeof m1, p->financing_need), money(m2, sizeof m2, m->ticket_min));
    criterion(b, &first, "ticket", ok, tpts, &d);

    lds_buf_reset(&d);
    ok = (mt->matched & LDS_INVEST_C_REGION) != 0;
    if (!m->n_regions)
        lds_buf_adds(&d, "the mandate takes any region");
    else if (ok) {
        lds_buf_adds(&d, "the project works in the mandate's regions: ");
        add_meet_text(&d, p->regions, p->n_regions, m->regions, m->n_regions);
    } else {
        lds_buf_adds(&d, "none of the project's regions (");
        add_list_text(&d, p->regions, p->n_regions);
        lds_buf_adds(&d, ") is one of the mandate's (");
        add_list_text(&d, m->regions, m->n_regions);
        lds_buf_addc(&d, ')');
    }
    criterion(b, &first, "region", ok, ok ? LDS_INVEST_W_REGION : 0, &d);

    lds_buf_reset(&d);
    ok = (mt->matched & LDS_INVEST_C_MATERIAL) != 0;
    if (!m->n_materials)
        lds_buf_adds(&d, "the mandate takes any material");
    else if (ok) {
        lds_buf_adds(&d, "the project uses or makes the mandate's materials: ");
        add_meet_text(&d, p->materials, p->n_materials, m->materials, m->n_materials);
    } else {
        lds_buf_adds(&d, "none of the project's materials (");
        add_list_text(&d, p->materials, p->n_materials);
        lds_buf_adds(&d, ") is one of the mandate's (");
        add_list_text(&d, m->materials, m->n_materials);
        lds_buf_addc(&d, ')');
    }
    criterion(b, &first, "material", ok, ok ? LDS_INVEST_W_MATERIAL : 0, &d);
    lds_buf_adds(b, "],\"bottleneck\":");
    if (mt->bottleneck < 0 || (size_t)mt->bottleneck >= in->n_bottlenecks) {
        lds_buf_adds(b, "null");
    } else {
        const lds_invest_bottleneck *bn = &in->bottlenecks[mt->bottleneck];
        size_t rank = 1;
        for (size_t i = 0; i < in->n_bottlenecks; i++)
            if (in->bottlenecks[i].dual > bn->dual)
                rank++;
        lds_buf_reset(&d);
        if (p->capacity_t > 0)
            lds_buf_addf(&d, "adds %g t per period of %s capacity", p->capacity_t,
                         p->capacity_material ? p->capacity_material : "production");
        else
            lds_buf_adds(&d, "adds capacity");
        lds_buf_addf(&d, " at %s, the plan's bottleneck #%zu (dual value %.2f CNY per t of "
                         "capacity): +%.1f points",
                     bn->facility ? bn->facility : "a facility", rank, bn->dual, mt->bonus);
        lds_buf_addf(b, "{\"facility_id\":%lld,\"facility\":", (long long)bn->facility_id);
        lds_buf_add_json_str(b, bn->facility ? bn->facility : "");
        lds_buf_addf(b, ",\"rank\":%zu,\"dual\":%.6g,\"bonus\":%.4g,\"detail\":", rank, bn->dual,
                     mt->bonus);
        lds_buf_add_json_str(b, d.ptr);
        lds_buf_addc(b, '}');
    }
    lds_buf_addc(b, '}');
    lds_buf_release(&d);
}

/* ---- deal stages --------------------------------------------------------- */

unsigned lds_deal_next(lds_deal_stage from)
{
    switch (from) {
    case LDS_DEAL_INTRODUCED:
        return 1u << LDS_DEAL_DILIGENCE | 1u << LDS_DEAL_DECLINED;
    case LDS_DEAL_DILIGENCE:
        return 1u << LDS_DEAL_TERM_SHEET | 1u << LDS_DEAL_DECLINED;
    case LDS_DEAL_TERM_SHEET:
        return 1u << LDS_DEAL_CLOSED | 1u << LDS_DEAL_DECLINED;
    default:
        return 0;
    }
}
