/*
 * lifecycle_store.c — reads the history the metrics need: projects, their
 * stage transitions (the timeline's 'transition' rows) and service
 * requests.  Sector and region names are few, so they are kept once each.
 */
#include <string.h>
#include "lifecycle_int.h"
#include "lodestone/alloc.h"

struct lds_lcm_data {
    lds_lcm_input in;
    lds_lcm_project *projects;
    lds_lcm_transition *transitions;
    lds_lcm_request *requests;
    lds_lcm_org *orgs;
    char **names;        /* provider names, one each */
    size_t n_orgs, cap_o, cap_names;
    char **strs;         /* distinct sector and region names */
    size_t n_strs, cap_strs;
    size_t cap_p, cap_t, cap_r;
};

static const char *keep(lds_lcm_data *d, const char *s)
{
    if (!s)
        s = "";
    for (size_t i = d->n_strs; i-- > 0;)
        if (strcmp(d->strs[i], s) == 0)
            return d->strs[i];
    if (d->n_strs == d->cap_strs) {
        size_t cap = d->cap_strs ? d->cap_strs * 2 : 32;
        char **v = lds_realloc(d->strs, cap * sizeof *v);
        if (!v)
            return NULL;
        d->strs = v;
        d->cap_strs = cap;
    }
    char *c = lds_strdup(s);
    if (!c)
        return NULL;
    d->strs[d->n_strs++] = c;
    return c;
}

/* Grows *v (of elements `size`) to hold one more; 0 or -1 on OOM. */
static int reserve(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 1024;
    void *p = lds_realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

static const char *const sql_projects =
    "SELECT id, sector, region_id, stage, created_ms FROM projects ORDER BY id";
/* No ORDER BY and `+kind` (no index): one scan of the table in rowid order
 * is an order of magnitude faster on a million events than the kind index
 * plus a temporary B-tree, and the engine buckets and orders them itself. */
static const char *const sql_transitions =
    "SELECT project_id, to_stage, time_ms FROM project_events "
    "WHERE +kind = 'transition' AND to_stage IS NOT NULL";
static const char *const sql_orgs =
    "SELECT id, name FROM orgs WHERE id IN (SELECT provider_org FROM service_requests) "
    "ORDER BY id";
static const char *const sql_requests =
    "SELECT project_id, factor, provider_org, status, due_ms, done_ms FROM service_requests";

lds_code lds_lifecycle_read(lds_store *s, int64_t now_ms, lds_lcm_data **out, lds_err *err)
{
    *out = NULL;
    lds_lcm_data *d = lds_calloc(1, sizeof *d);
    if (!d)
        return lds_err_set(err, LDS_ENOMEM, "lifecycle: out of memory");
    lds_stmt *st;
    lds_code rc;
    int r;
    size_t n = 0;
    if ((rc = lds_store_prepare(s, sql_projects, &st, err)) != LDS_OK)
        goto fail;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (reserve((void **)&d->projects, &d->cap_p, n, sizeof *d->projects))
            goto oom;
        lds_lcm_project *p = &d->projects[n];
        p->id = lds_stmt_col_i64(st, 0);
        p->sector = keep(d, lds_stmt_col_text(st, 1));
        p->region = keep(d, lds_stmt_col_text(st, 2));
        if (!p->sector || !p->region)
            goto oom;
        if (!lds_pstage_parse(lds_stmt_col_text(st, 3), &p->stage)) {
            rc = lds_err_set(err, LDS_ECORRUPT, "project %lld: unknown stage in the store",
                             (long long)p->id);
            goto fail;
        }
        p->created_ms = lds_stmt_col_i64(st, 4);
        n++;
    }
    if (r != LDS_STORE_DONE) {
        rc = (lds_code)r;
        goto fail;
    }
    d->in.n_projects = n;
    n = 0;
    if ((rc = lds_store_prepare(s, sql_transitions, &st, err)) != LDS_OK)
        goto fail;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (reserve((void **)&d->transitions, &d->cap_t, n, sizeof *d->transitions))
            goto oom;
        lds_lcm_transition *t = &d->transitions[n];
        t->project_id = lds_stmt_col_i64(st, 0);
        if (!lds_pstage_parse(lds_stmt_col_text(st, 1), &t->to)) {
            rc = lds_err_set(err, LDS_ECORRUPT, "project %lld: unknown stage in its timeline",
                             (long long)t->project_id);
            goto fail;
        }
        t->time_ms = lds_stmt_col_i64(st, 2);
        n++;
    }
    if (r != LDS_STORE_DONE) {
        rc = (lds_code)r;
        goto fail;
    }
    d->in.n_transitions = n;
    n = 0;
    if ((rc = lds_store_prepare(s, sql_requests, &st, err)) != LDS_OK)
        goto fail;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (reserve((void **)&d->requests, &d->cap_r, n, sizeof *d->requests))
            goto oom;
        lds_lcm_request *q = &d->requests[n];
        q->project_id = lds_stmt_col_i64(st, 0);
        if (!lds_factor_parse(lds_stmt_col_text(st, 1), &q->factor) ||
            !lds_sr_status_parse(lds_stmt_col_text(st, 3), &q->status)) {
            rc = lds_err_set(err, LDS_ECORRUPT, "service request of project %lld: unknown "
                             "factor or status in the store", (long long)q->project_id);
            goto fail;
        }
        q->provider_org = lds_stmt_col_is_null(st, 2) ? 0 : lds_stmt_col_i64(st, 2);
        q->due_ms = lds_stmt_col_i64(st, 4);
        q->done_ms = lds_stmt_col_is_null(st, 5) ? 0 : lds_stmt_col_i64(st, 5);
        n++;
    }
    if (r != LDS_STORE_DONE) {
        rc = (lds_code)r;
        goto fail;
    }
    d->in.n_requests = n;
    if ((rc = lds_store_prepare(s, sql_orgs, &st, err)) != LDS_OK)
        goto fail;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (reserve((void **)&d->orgs, &d->cap_o, d->n_orgs, sizeof *d->orgs) ||
            reserve((void **)&d->names, &d->cap_names, d->n_orgs, sizeof *d->names))
            goto oom;
        char *name = lds_strdup(lds_stmt_col_text(st, 1));
        if (!name)
            goto oom;
        d->names[d->n_orgs] = name;
        d->orgs[d->n_orgs].id = lds_stmt_col_i64(st, 0);
        d->orgs[d->n_orgs++].name = name;
    }
    if (r != LDS_STORE_DONE) {
        rc = (lds_code)r;
        goto fail;
    }
    d->in.orgs = d->orgs;
    d->in.n_orgs = d->n_orgs;
    d->in.projects = d->projects;
    d->in.transitions = d->transitions;
    d->in.requests = d->requests;
    d->in.now_ms = now_ms;
    *out = d;
    return LDS_OK;
oom:
    rc = lds_err_set(err, LDS_ENOMEM, "lifecycle: out of memory");
fail:
    lds_store_end_reads(s);
    lds_lifecycle_data_free(d);
    return rc;
}

const lds_lcm_input *lds_lifecycle_data_input(const lds_lcm_data *d)
{
    return &d->in;
}

void lds_lifecycle_data_free(lds_lcm_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_strs; i++)
        lds_free(d->strs[i]);
    lds_free(d->strs);
    lds_free(d->projects);
    lds_free(d->transitions);
    lds_free(d->requests);
    for (size_t i = 0; i < d->n_orgs; i++)
        lds_free(d->names[i]);
    lds_free(d->names);
    lds_free(d->orgs);
    lds_free(d);
}
