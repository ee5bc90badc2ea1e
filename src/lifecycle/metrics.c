/*
 * metrics.c — lifecycle metrics over a history, sort-based: transitions are
 * bucketed per project by a counting sort (stable, then an insertion sort
 * by time inside each project, which is linear on a history already in
 * order), stay durations go into one flat array per (stage, group) by a
 * second counting sort, and each group's median and p90 come from
 * selection, not a full sort.  Allocation is per array, never per item.
 */
#include <stdlib.h>
#include <string.h>
#include "lifecycle_int.h"
#include "lodestone/alloc.h"
#include "lodestone/intern.h"

#define N_METRICS (LDS_PSTAGE_COUNT + 1) /* every stage, then time to market */
#define M_TTM     LDS_PSTAGE_COUNT

typedef struct named {
    const char *key;
    size_t group; /* offset of its group within a metric */
} named;

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const named *)a)->key, ((const named *)b)->key);
}

/* ---- selection ------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Puts the k-th smallest of a[0..n-1] at a[k], smaller ones left of it and
 * larger ones right (Hoare quickselect, median-of-three pivot; falls back to
 * a sort of the remaining range when partitions keep coming out lopsided). */
static int64_t select_k(int64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    int budget = 64;
    while (hi > lo) {
        if (budget-- == 0) {
            qsort(a + lo, hi - lo + 1, sizeof *a, cmp_i64);
            break;
        }
        size_t mid = lo + (hi - lo) / 2;
        int64_t x = a[lo], y = a[mid], z = a[hi];
        int64_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                int64_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        /* now a[lo..j] <= pivot <= a[i..hi], and j < i */
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break; /* a[j+1..i-1] equal the pivot */
    }
    return a[k];
}

/* Type-7 percentile of the unsorted a[0..n-1] (reordered), n > 0. */
static double percentile_select(int64_t *a, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t j = (size_t)h;
    double frac = h - (double)j;
    int64_t xj = select_k(a, n, j);
    if (frac <= 0 || j + 1 >= n)
        return (double)xj;
    int64_t xn = a[j + 1];
    for (size_t i = j + 2; i < n; i++)
        if (a[i] < xn)
            xn = a[i];
    return (double)xj + frac * (double)(xn - xj);
}

double lds_lifecycle_percentile(const int64_t *sorted, size_t n, double p)
{
    if (!n)
        return 0;
    if (p < 0)
        p = 0;
    if (p > 1)
        p = 1;
    double h = (double)(n - 1) * p;
    size_t j = (size_t)h;
    double frac = h - (double)j;
    if (frac <= 0 || j + 1 >= n)
        return (double)sorted[j];
    return (double)sorted[j] + frac * (double)(sorted[j + 1] - sorted[j]);
}

/* ---- the computation ---------------------------------------------------- */

typedef struct idkey {
    int64_t id;
    uint32_t index;
} idkey;

typedef struct work {
    idkey *by_id;        /* project ids with their index, in id order */
    uint32_t *sec, *reg; /* per project */
    uint32_t *t_proj;    /* per transition: project index */
    size_t *t_first;     /* n_projects + 1 */
    uint32_t *t_perm;    /* transitions bucketed by project */
    int64_t *vals;       /* n_projects x N_METRICS; -1 = no sample */
    size_t *g_first;     /* groups + 1 */
    int64_t *samples;
    int64_t *prov;       /* distinct provider ids, sorted */
    lds_intern sectors, regions; /* interned sector and region names */
} work;

static void work_release(work *w)
{
    lds_free(w->by_id);
    lds_free(w->sec);
    lds_free(w->reg);
    lds_free(w->t_proj);
    lds_free(w->t_first);
    lds_free(w->t_perm);
    lds_free(w->vals);
    lds_free(w->g_first);
    lds_free(w->samples);
    lds_free(w->prov);
    lds_intern_release(&w->sectors);
    lds_intern_release(&w->regions);
}

static int cmp_idkey(const void *a, const void *b)
{
    int64_t x = ((const idkey *)a)->id, y = ((const idkey *)b)->id;
    return (x > y) - (x < y);
}

/* Index of project `id`, or -1. */
static long find_project(const lds_lcm_input *in, const idkey *by_id, int64_t id)
{
    size_t lo = 0, hi = in->n_projects;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = by_id[mid].id;
        if (v < id)
            lo = mid + 1;
        else if (v > id)
            hi = mid;
        else
            return by_id[mid].index;
    }
    return -1;
}

static long find_i64(const int64_t *v, size_t n, int64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else if (v[mid] > x)
            hi = mid;
        else
            return (long)mid;
    }
    return -1;
}

/* Name of org `id` from the input's sorted list, or NULL. */
static const char *org_name(const lds_lcm_input *in, int64_t id)
{
    size_t lo = 0, hi = in->orgs ? in->n_orgs : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (in->orgs[mid].id < id)
            lo = mid + 1;
        else if (in->orgs[mid].id > id)
            hi = mid;
        else
            return in->orgs[mid].name;
    }
    return NULL;
}

static int sr_is_open(lds_sr_status s)
{
    return s == LDS_SR_OPEN || s == LDS_SR_ACCEPTED || s == LDS_SR_IN_PROGRESS;
}

static void sla_add(lds_lcm_sla *a, const lds_lcm_request *r, int64_t now_ms)
{
    if (r->status == LDS_SR_REJECTED || r->status == LDS_SR_CANCELLED)
        return;
    a->n++;
    if (r->status == LDS_SR_DONE) {
        a->decided++;
        if (r->done_ms > r->due_ms)
            a->done_late++, a->breached++;
    } else if (now_ms > r->due_ms) {
        a->decided++;
        a->open_overdue++, a->breached++;
    }
}

#define OOM()                                                                                      \
    do {                                                                                           \
        rc = lds_err_set(err, LDS_ENOMEM, "lifecycle metrics: out of memory");                    \
        goto done;                                                                                 \
    } while (0)

lds_code lds_lifecycle_metrics(const lds_lcm_input *in, lds_lcm_metrics **out, lds_err *err)
{
    *out = NULL;
    if (!in || (in->n_projects && !in->projects) || (in->n_transitions && !in->transitions) ||
        (in->n_requests && !in->requests))
        return lds_err_set(err, LDS_EINVAL, "lifecycle metrics: missing input arrays");
    if (in->n_projects >= UINT32_MAX || in->n_transitions >= UINT32_MAX)
        return lds_err_set(err, LDS_ETOOBIG, "lifecycle metrics: more than 2^32 records");
    lds_code rc = LDS_OK;
    work w;
    memset(&w, 0, sizeof w);
    lds_lcm_metrics *m = lds_calloc(1, sizeof *m);
    size_t np = in->n_projects, nt = in->n_transitions, nr = in->n_requests;
    if (!m)
        OOM();
    m->now_ms = in->now_ms;
    m->n_projects = np;
    m->n_transitions = nt;
    m->n_requests = nr;

    /* Projects: validate, order by id, intern sector and region. */
    w.by_id = lds_malloc((np ? np : 1) * sizeof *w.by_id);
    w.sec = lds_malloc((np ? np : 1) * sizeof *w.sec);
    w.reg = lds_malloc((np ? np : 1) * sizeof *w.reg);
    if (!w.by_id || !w.sec || !w.reg)
        OOM();
    int sorted = 1;
    for (size_t p = 0; p < np; p++) {
        const lds_lcm_project *pr = &in->projects[p];
        if ((unsigned)pr->stage >= LDS_PSTAGE_COUNT || !pr->sector || !pr->region) {
            rc = lds_err_set(err, LDS_EINVAL, "project %lld: bad stage, sector or region",
                             (long long)pr->id);
            goto done;
        }
        w.by_id[p] = (idkey){pr->id, (uint32_t)p};
        if (p && in->projects[p - 1].id >= pr->id)
            sorted = 0;
        long s = lds_intern_id(&w.sectors, pr->sector);
        long r = lds_intern_id(&w.regions, pr->region);
        if (s < 0 || r < 0)
            OOM();
        w.sec[p] = (uint32_t)s;
        w.reg[p] = (uint32_t)r;
        m->open[pr->stage].projects++;
    }
    if (!sorted) {
        qsort(w.by_id, np, sizeof *w.by_id, cmp_idkey);
        for (size_t i = 1; i < np; i++)
            if (w.by_id[i].id == w.by_id[i - 1].id) {
                rc = lds_err_set(err, LDS_EINVAL, "project %lld: listed twice",
                                 (long long)w.by_id[i].id);
                goto done;
            }
    }

    /* Transitions bucketed per project (stable counting sort). */
    w.t_proj = lds_malloc((nt ? nt : 1) * sizeof *w.t_proj);
    w.t_first = lds_calloc(np + 2, sizeof *w.t_first);
    w.t_perm = lds_malloc((nt ? nt : 1) * sizeof *w.t_perm);
    if (!w.t_proj || !w.t_first || !w.t_perm)
        OOM();
    for (size_t t = 0; t < nt; t++) {
        const lds_lcm_transition *tr = &in->transitions[t];
        long p = find_project(in, w.by_id, tr->project_id);
        if (p < 0 || (unsigned)tr->to >= LDS_PSTAGE_COUNT) {
            rc = lds_err_set(err, LDS_EINVAL, "transition %zu: %s", t,
                             p < 0 ? "unknown project" : "stage out of range");
            goto done;
        }
        if (tr->time_ms < in->projects[p].created_ms) {
            rc = lds_err_set(err, LDS_EINVAL,
                             "transition %zu: project %lld moved before it was created", t,
                             (long long)tr->project_id);
            goto done;
        }
        w.t_proj[t] = (uint32_t)p;
        w.t_first[p + 2]++;
    }
    for (size_t p = 0; p < np; p++)
        w.t_first[p + 2] += w.t_first[p + 1];
    for (size_t t = 0; t < nt; t++)
        w.t_perm[w.t_first[w.t_proj[t] + 1]++] = (uint32_t)t;
    /* now t_first[p] .. t_first[p + 1] is project p's bucket */

    /* Per project: the stays, summed per stage, and the time to market. */
    w.vals = lds_malloc((np ? np : 1) * N_METRICS * sizeof *w.vals);
    if (!w.vals)
        OOM();
    for (size_t p = 0; p < np; p++) {
        uint32_t *tp = w.t_perm + w.t_first[p];
        size_t n = w.t_first[p + 1] - w.t_first[p];
        for (size_t i = 1; i < n; i++) { /* stable insertion sort by time */
            uint32_t x = tp[i];
            int64_t tx = in->transitions[x].time_ms;
            size_t j = i;
            while (j > 0 && in->transitions[tp[j - 1]].time_ms > tx) {
                tp[j] = tp[j - 1];
                j--;
            }
            tp[j] = x;
        }
        int64_t *v = w.vals + p * N_METRICS;
        for (int s = 0; s < N_METRICS; s++)
            v[s] = -1;
        int cur = LDS_PSTAGE_PROPOSED;
        int64_t created = in->projects[p].created_ms, enter = created;
        for (size_t i = 0; i < n; i++) {
            const lds_lcm_transition *tr = &in->transitions[tp[i]];
            if ((int)tr->to == cur)
                continue;
            v[cur] = (v[cur] < 0 ? 0 : v[cur]) + (tr->time_ms - enter);
            cur = (int)tr->to;
            enter = tr->time_ms;
            if (cur == LDS_PSTAGE_MARKET_ACCESS && v[M_TTM] < 0)
                v[M_TTM] = tr->time_ms - created;
        }
    }

    /* Samples grouped by (metric, all | sector | region): counting sort. */
    size_t ns = w.sectors.n, nreg = w.regions.n, gpm = 1 + ns + nreg, ng = N_METRICS * gpm;
    w.g_first = lds_calloc(ng + 2, sizeof *w.g_first);
    if (!w.g_first)
        OOM();
    size_t total = 0;
    for (size_t p = 0; p < np; p++)
        for (int s = 0; s < N_METRICS; s++)
            if (w.vals[p * N_METRICS + s] >= 0) {
                size_t g0 = (size_t)s * gpm;
                w.g_first[g0 + 2]++;
                w.g_first[g0 + 1 + w.sec[p] + 2]++;
                w.g_first[g0 + 1 + ns + w.reg[p] + 2]++;
                total += 3;
            }
    for (size_t g = 0; g < ng; g++)
        w.g_first[g + 2] += w.g_first[g + 1];
    w.samples = lds_malloc((total ? total : 1) * sizeof *w.samples);
    if (!w.samples)
        OOM();
    for (size_t p = 0; p < np; p++)
        for (int s = 0; s < N_METRICS; s++) {
            int64_t x = w.vals[p * N_METRICS + s];
            if (x < 0)
                continue;
            size_t g0 = (size_t)s * gpm;
            w.samples[w.g_first[g0 + 1]++] = x;
            w.samples[w.g_first[g0 + 1 + w.sec[p] + 1]++] = x;
            w.samples[w.g_first[g0 + 1 + ns + w.reg[p] + 1]++] = x;
        }

    /* Output order: all, then sectors and regions by name. */
    named *order = lds_malloc((ns + nreg + 1) * sizeof *order);
    if (!order)
        OOM();
    for (size_t i = 0; i < ns; i++)
        order[i] = (named){lds_intern_key(&w.sectors, i), 1 + i};
    for (size_t i = 0; i < nreg; i++)
        order[ns + i] = (named){lds_intern_key(&w.regions, i), 1 + ns + i};
    qsort(order, ns, sizeof *order, cmp_named);
    qsort(order + ns, nreg, sizeof *order, cmp_named);
    m->cycle = lds_calloc(ng ? ng : 1, sizeof *m->cycle);
    m->ttm = lds_calloc(gpm, sizeof *m->ttm);
    if (!m->cycle || !m->ttm) {
        lds_free(order);
        OOM();
    }
    for (int s = 0; s < N_METRICS; s++)
        for (size_t k = 0; k < gpm; k++) {
            lds_lcm_dim dim = k == 0 ? LDS_LCM_ALL : k <= ns ? LDS_LCM_SECTOR : LDS_LCM_REGION;
            const char *key = k == 0 ? NULL : order[k - 1].key;
            size_t id = k == 0 ? 0 : order[k - 1].group;
            size_t g = (size_t)s * gpm + id, n = w.g_first[g + 1] - w.g_first[g];
            if (!n)
                continue;
            lds_lcm_stat *st = s == M_TTM ? &m->ttm[m->n_ttm++] : &m->cycle[m->n_cycle++];
            int64_t *a = w.samples + w.g_first[g];
            st->stage = s == M_TTM ? -1 : s;
            st->dim = dim;
            st->key = key;
            st->n = n;
            st->p90_ms = percentile_select(a, n, 0.9);
            st->median_ms = percentile_select(a, n, 0.5);
        }
    lds_free(order);

    /* Service requests: SLA per factor and per provider, open items. */
    w.prov = lds_malloc((nr ? nr : 1) * sizeof *w.prov);
    m->sla_factor = lds_calloc(LDS_FACTOR_COUNT, sizeof *m->sla_factor);
    if (!w.prov || !m->sla_factor)
        OOM();
    for (size_t i = 0; i < nr; i++) {
        const lds_lcm_request *r = &in->requests[i];
        if ((unsigned)r->factor >= LDS_FACTOR_COUNT || (unsigned)r->status >= LDS_SR_COUNT) {
            rc = lds_err_set(err, LDS_EINVAL, "service request %zu: factor or status out of range",
                             i);
            goto done;
        }
        long p = find_project(in, w.by_id, r->project_id);
        if (p < 0) {
            rc = lds_err_set(err, LDS_EINVAL, "service request %zu: unknown project %lld", i,
                             (long long)r->project_id);
            goto done;
        }
        w.prov[i] = r->provider_org;
        if (sr_is_open(r->status)) {
            lds_lcm_open *o = &m->open[in->projects[p].stage];
            o->open_requests++;
            if (in->now_ms > r->due_ms)
                o->overdue_requests++;
        }
    }
    qsort(w.prov, nr, sizeof *w.prov, cmp_i64);
    size_t n_prov = 0;
    for (size_t i = 0; i < nr; i++)
        if (!n_prov || w.prov[n_prov - 1] != w.prov[i])
            w.prov[n_prov++] = w.prov[i];
    lds_lcm_sla fac[LDS_FACTOR_COUNT];
    memset(fac, 0, sizeof fac);
    m->sla_provider = lds_calloc(n_prov ? n_prov : 1, sizeof *m->sla_provider);
    if (!m->sla_provider)
        OOM();
    for (size_t i = 0; i < n_prov; i++) {
        m->sla_provider[i].factor = -1;
        m->sla_provider[i].provider_org = w.prov[i];
        m->sla_provider[i].provider = org_name(in, w.prov[i]);
    }
    for (size_t i = 0; i < nr; i++) {
        const lds_lcm_request *r = &in->requests[i];
        sla_add(&fac[r->factor], r, in->now_ms);
        sla_add(&m->sla_provider[find_i64(w.prov, n_prov, r->provider_org)], r, in->now_ms);
    }
    for (int f = 0; f < LDS_FACTOR_COUNT; f++) {
        if (!fac[f].n)
            continue;
        fac[f].factor = f;
        fac[f].rate = fac[f].decided ? (double)fac[f].breached / (double)fac[f].decided : 0;
        m->sla_factor[m->n_sla_factor++] = fac[f];
    }
    for (size_t i = 0; i < n_prov; i++) {
        lds_lcm_sla *a = &m->sla_provider[i];
        if (!a->n)
            continue;
        a->rate = a->decided ? (double)a->breached / (double)a->decided : 0;
        m->sla_provider[m->n_sla_provider++] = *a;
    }

done:
    work_release(&w);
    if (rc != LDS_OK) {
        lds_lifecycle_metrics_free(m);
        return rc;
    }
    *out = m;
    return LDS_OK;
}

void lds_lifecycle_metrics_free(lds_lcm_metrics *m)
{
    if (!m)
        return;
    lds_free(m->cycle);
    lds_free(m->ttm);
    lds_free(m->sla_factor);
    lds_free(m->sla_provider);
    lds_free(m);
}
