/*
 * requests.c — service requests, their comments, and the providers who
 * take them.  A request moves open → accepted → in_progress → done, or to
 * rejected (the provider, while open) or cancelled (the project side, until
 * done).  Without a named provider the platform proposes one: among the
 * providers declaring the factor for the project's region (an explicit
 * region before "any region"), the one with the lowest share of its
 * declared limit in use, ties to the lower organisation id; a provider at
 * its limit is skipped.  Providers see only requests assigned to them, or
 * proposed to them while unassigned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/alloc.h"
#include "projects_int.h"

#define DAY_MS (86400 * (int64_t)1000)

/* Active requests of a provider for a factor: what counts as its load. */
#define LOAD_OF(org, factor)                                                                       \
    "(SELECT count(*) FROM service_requests lr WHERE lr.factor = " factor " AND lr.status IN"      \
    " ('open','accepted','in_progress') AND (lr.provider_org = " org " OR (lr.provider_org IS"     \
    " NULL AND lr.proposed_provider_org = " org ")))"

/* ---- dates --------------------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)". */
static int parse_time(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    size_t n = strlen(s);
    if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    int64_t off = 0;
    if (n > 10) {
        const char *p = s + 10;
        if ((*p != 'T' && *p != 't') || n < 20 || digits(p + 1, 2, &h) || p[3] != ':' ||
            digits(p + 4, 2, &mi) || p[6] != ':' || digits(p + 7, 2, &se) || h > 23 || mi > 59 ||
            se > 60)
            return -1;
        p += 9;
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
            off = 0;
        } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
            int oh, om;
            if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 23 || om > 59)
                return -1;
            off = (*p == '+' ? 1 : -1) * (int64_t)(oh * 60 + om) * 60000;
        } else {
            return -1;
        }
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    *ms = (int64_t)timegm(&tm) * 1000 - off;
    return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

#define SR_JSON                                                                                    \
    "json_object('id', r.id, 'project', r.project_id, 'project_title', (SELECT title FROM"       \
    " projects WHERE id = r.project_id), 'factor', r.factor, 'description', r.description,"       \
    " 'provider_org', r.provider_org, 'provider', (SELECT name FROM orgs WHERE id ="              \
    " r.provider_org), 'proposed_provider_org', r.proposed_provider_org, 'proposal',"             \
    " r.proposal_reason, 'status', r.status, 'due', " LDS_PJ_TS("r.due_ms") ", 'overdue', "      \
    LDS_PJ_BOOL("r.status IN ('open','accepted','in_progress') AND r.due_ms < ?5")               \
    ", 'created_by_org', r.created_by_org, 'created_at', " LDS_PJ_TS("r.created_ms")             \
    ", 'updated_at', " LDS_PJ_TS("r.updated_ms") ", 'accepted_at', " LDS_PJ_TS("r.accepted_ms") \
    ", 'started_at', " LDS_PJ_TS("r.started_ms") ", 'done_at', " LDS_PJ_TS("r.done_ms")         \
    ", 'closed_at', " LDS_PJ_TS("r.closed_ms") ", 'comments', json((SELECT"                       \
    " json_group_array(json_object('id', c.id, 'time', " LDS_PJ_TS("c.time_ms") ", 'author_org',"\
    " c.author_org, 'author_role', c.author_role, 'body', c.body)) FROM (SELECT * FROM"            \
    " service_request_comments WHERE request_id = r.id ORDER BY id) c)), 'synthetic', "           \
    LDS_PJ_BOOL("r.synthetic") ")"

#define SR_VIS                                                                                     \
    "(?1 OR (?3 AND (r.provider_org = ?2 OR (r.provider_org IS NULL AND"                          \
    " r.proposed_provider_org = ?2))) OR (?4 AND EXISTS (SELECT 1 FROM projects p2 WHERE p2.id"   \
    " = r.project_id AND (p2.sponsor_org = ?2 OR EXISTS (SELECT 1 FROM project_orgs po WHERE"     \
    " po.project_id = p2.id AND po.org_id = ?2)))))"

static lds_code vis_bind(lds_stmt *st, const lds_principal *who, int64_t now_ms)
{
    lds_code rc;
    if ((rc = lds_stmt_bind_i64(st, 1, lds_sees_all(who))) ||
        (rc = lds_stmt_bind_i64(st, 2, who->org_id)) ||
        (rc = lds_stmt_bind_i64(st, 3, who->role == LDS_ROLE_PROVIDER)) ||
        (rc = lds_stmt_bind_i64(st, 4, who->role == LDS_ROLE_MEMBER)) ||
        (rc = lds_stmt_bind_i64(st, 5, now_ms)))
        return rc;
    return LDS_OK;
}

static lds_code sr_json(lds_store *s, const lds_principal *who, int64_t id, int64_t now_ms,
                        lds_buf *out, lds_err *err)
{
    static const char q[] = "SELECT " SR_JSON ", r.id FROM service_requests r WHERE r.id = ?6"
                            " AND " SR_VIS;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    if ((rc = vis_bind(st, who, now_ms)) || (rc = lds_stmt_bind_i64(st, 6, id)))
        return lds_err_set(err, rc, "binding a query parameter failed");
    int n = 0;
    if ((rc = lds_pj__rows(st, out, 1, &n, NULL, err)))
        return rc;
    return n ? LDS_OK : lds_err_set(err, LDS_ENOTFOUND, "no service request %lld", (long long)id);
}

lds_code lds_sr_get(lds_store *s, const lds_principal *who, const char *id, int64_t now_ms,
                    lds_buf *out, lds_err *err)
{
    int64_t v;
    if (lds_id_parse(id, 1, &v) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no service request '%.40s'", id);
    return sr_json(s, who, v, now_ms, out, err);
}

lds_code lds_sr_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                     size_t n_params, int64_t now_ms, lds_buf *out, lds_field_errors *fe,
                     lds_err *err)
{
    static const char *const filters[] = {"project", "factor", "status", "provider", "overdue",
                                          NULL};
    static const char q[] =
        "SELECT " SR_JSON ", r.id FROM service_requests r WHERE " SR_VIS " AND r.id > ?6"
        " AND (?7 IS NULL OR r.project_id = ?7) AND (?8 IS NULL OR r.factor = ?8)"
        " AND (?9 IS NULL OR r.status = ?9) AND (?10 IS NULL OR r.provider_org = ?10)"
        " AND (?11 IS NULL OR (r.status IN ('open','accepted','in_progress') AND r.due_ms < ?5)"
        " = ?11) ORDER BY r.id LIMIT ?12";
    const char *fval[5] = {0};
    int64_t limit, after, project = 0, provider = 0;
    lds_page_params(params, n_params, filters, fval, 1, &limit, &after, fe);
    lds_factor f;
    lds_sr_status stt;
    if (fval[0] && lds_id_parse(fval[0], 1, &project))
        lds_field_errors_add(fe, "project", "must be a project id");
    if (fval[1] && !lds_factor_parse(fval[1], &f))
        lds_field_errors_add(fe, "factor",
                             "unknown factor (permitting, financing, technical_validation, "
                             "pilot_production, talent, market_access, logistics, legal_ip)");
    if (fval[2] && !lds_sr_status_parse(fval[2], &stt))
        lds_field_errors_add(fe, "status",
                             "unknown status (open, accepted, in_progress, done, rejected, "
                             "cancelled)");
    if (fval[3] && lds_id_parse(fval[3], 1, &provider))
        lds_field_errors_add(fe, "provider", "must be an organisation id");
    if (fval[4] && strcmp(fval[4], "true") && strcmp(fval[4], "false"))
        lds_field_errors_add(fe, "overdue", "must be true or false");
    if (fe->n)
        return lds_pj__bad_param(fe, err);
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    if ((rc = vis_bind(st, who, now_ms)) || (rc = lds_stmt_bind_i64(st, 6, after)) ||
        (rc = fval[0] ? lds_stmt_bind_i64(st, 7, project) : lds_stmt_bind_null(st, 7)) ||
        (rc = lds_stmt_bind_text(st, 8, fval[1])) || (rc = lds_stmt_bind_text(st, 9, fval[2])) ||
        (rc = fval[3] ? lds_stmt_bind_i64(st, 10, provider) : lds_stmt_bind_null(st, 10)) ||
        (rc = fval[4] ? lds_stmt_bind_i64(st, 11, strcmp(fval[4], "true") == 0)
                      : lds_stmt_bind_null(st, 11)) ||
        (rc = lds_stmt_bind_i64(st, 12, limit + 1)))
        return lds_err_set(err, rc, "binding a query parameter failed");
    return lds_pj__list_page(st, limit, out, err);
}

/* ---- proposal ------------------------------------------------------------ */

typedef struct proposal {
    int64_t org;      /* 0: none */
    int64_t sla_days; /* the chosen provider's */
    char reason[400];
} proposal;

static lds_code propose(lds_store *s, lds_factor f, const char *region, proposal *p, lds_err *err)
{
    static const char q[] =
        "SELECT sp.org_id, o.name, sp.max_open, " LOAD_OF("sp.org_id", "sp.factor") ","
        " json_array_length(sp.regions_json) = 0, sp.sla_days FROM service_providers sp JOIN orgs"
        " o ON o.id = sp.org_id WHERE sp.factor = ?1 AND (json_array_length(sp.regions_json) = 0"
        " OR EXISTS (SELECT 1 FROM json_each(sp.regions_json) WHERE value = ?2)) ORDER BY 5,"
        " 4 * 1.0 / sp.max_open, 4, sp.org_id";
    memset(p, 0, sizeof *p);
    lds_stmt *st;
    lds_code rc = lds_pj__prep(s, q, &st, err, "ss", lds_factor_name(f), region);
    if (rc)
        return rc;
    int r, n = 0, full = 0;
    char name[120] = "";
    int64_t load = 0, max = 0;
    int any = 0;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        n++;
        if (lds_stmt_col_i64(st, 3) >= lds_stmt_col_i64(st, 2)) {
            full++;
            continue;
        }
        if (!p->org) {
            p->org = lds_stmt_col_i64(st, 0);
            snprintf(name, sizeof name, "%s", lds_stmt_col_text(st, 1));
            max = lds_stmt_col_i64(st, 2);
            load = lds_stmt_col_i64(st, 3);
            any = (int)lds_stmt_col_i64(st, 4);
            p->sla_days = lds_stmt_col_i64(st, 5);
        }
    }
    lds_stmt_reset(st);
    if (r != LDS_STORE_DONE && r != LDS_STORE_ROW)
        return (lds_code)r;
    if (p->org)
        snprintf(p->reason, sizeof p->reason,
                 "proposed by the platform: %s declares %s for %s%s; %lld of its %lld open "
                 "requests in use, the lowest share among %d provider%s with spare capacity",
                 name, lds_factor_name(f), any ? "any region, including " : "region ", region,
                 (long long)load, (long long)max, n - full, n - full == 1 ? "" : "s");
    else if (n)
        snprintf(p->reason, sizeof p->reason,
                 "no proposal: all %d provider%s declaring %s for region %s are at their limit "
                 "of open requests; an operator assigns one",
                 n, n == 1 ? "" : "s", lds_factor_name(f), region);
    else
        snprintf(p->reason, sizeof p->reason,
                 "no proposal: no provider declares %s for region %s; an operator assigns one",
                 lds_factor_name(f), region);
    return LDS_OK;
}

/* Does `org` declare `factor`?  *sla gets its SLA days. */
static lds_code declares(lds_store *s, int64_t org, lds_factor f, int64_t *sla, int *yes,
                         lds_err *err)
{
    static const char q[] = "SELECT sla_days FROM service_providers WHERE org_id = ?1 AND"
                            " factor = ?2";
    lds_code rc = lds_pj__i64(s, q, sla, err, "is", org, lds_factor_name(f));
    *yes = rc == LDS_OK;
    return rc == LDS_ENOTFOUND ? LDS_OK : rc;
}

static lds_code sr_event(lds_store *s, int64_t sr, int64_t pid, const lds_principal *who,
                         int64_t now_ms, lds_factor f, const char *from, const char *to,
                         lds_err *err)
{
    char detail[200], reason[200];
    snprintf(detail, sizeof detail, "{\"request\":%lld,\"factor\":\"%s\",\"status\":\"%s\"}",
             (long long)sr, lds_factor_name(f), to);
    if (from)
        snprintf(reason, sizeof reason, "service request %lld (%s): %s -> %s", (long long)sr,
                 lds_factor_name(f), from, to);
    else
        snprintf(reason, sizeof reason, "service request %lld (%s) opened", (long long)sr,
                 lds_factor_name(f));
    return lds_pj__event(s, pid, now_ms, who, LDS_PEVENT_SERVICE, NULL, NULL, reason, detail,
                         err);
}

/* ---- create -------------------------------------------------------------- */

lds_code lds_sr_create(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                       int64_t *id, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    int64_t pid = 0, prov = 0, due = 0;
    lds_factor f = LDS_FACTOR_COUNT;
    const char *desc = NULL;
    lds_code rc;
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return lds_invalid_first(fe, err);
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        char ptr[128];
        snprintf(ptr, sizeof ptr, "/%.100s", key);
        if (strcmp(key, "project") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) <= 0)
                lds_field_errors_add(fe, ptr, "must be a project id");
            else
                pid = json_integer_value(v);
        } else if (strcmp(key, "factor") == 0) {
            if (!json_is_string(v) || !lds_factor_parse(json_string_value(v), &f))
                lds_field_errors_add(fe, ptr,
                                     "unknown factor (permitting, financing, "
                                     "technical_validation, pilot_production, talent, "
                                     "market_access, logistics, legal_ip)");
        } else if (strcmp(key, "description") == 0) {
            if (!json_is_string(v) || lds_pj__chars(v) < 1 || lds_pj__chars(v) > 4000)
                lds_field_errors_add(fe, ptr, "text of 1 to 4000 characters");
            else
                desc = json_string_value(v);
        } else if (strcmp(key, "provider_org") == 0) {
            if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) <= 0))
                lds_field_errors_add(fe, ptr, "must be an organisation id");
            else if (json_is_integer(v))
                prov = json_integer_value(v);
        } else if (strcmp(key, "due") == 0) {
            if (!json_is_null(v) && (!json_is_string(v) || parse_time(json_string_value(v), &due)))
                lds_field_errors_add(fe, ptr, "a date (YYYY-MM-DD) or RFC 3339 time");
            else if (json_is_string(v) && due <= now_ms)
                lds_field_errors_add(fe, ptr, "the due date must be after the request's creation");
        } else {
            lds_field_errors_add(fe, ptr,
                                 "unknown field (project, factor, description, provider_org, due)");
        }
    }
    if (!json_object_get(body, "project"))
        lds_field_errors_add(fe, "/project", "required");
    if (!json_object_get(body, "factor"))
        lds_field_errors_add(fe, "/factor", "required");
    if (!json_object_get(body, "description"))
        lds_field_errors_add(fe, "/description", "required");
    if (fe->n)
        return lds_invalid_first(fe, err);
    int can_read = 0, can_edit = 0;
    rc = lds_project_access(s, who, pid, &can_read, &can_edit, err);
    if (rc == LDS_ENOTFOUND || (rc == LDS_OK && !can_read)) {
        lds_field_errors_add(fe, "/project", "no project %lld", (long long)pid);
        return lds_invalid_first(fe, err);
    }
    if (rc)
        return rc;
    if (!can_edit)
        return lds_err_set(err, LDS_EFORBIDDEN,
                           "service requests of project %lld are opened by its sponsor, its "
                           "participants or an operator",
                           (long long)pid);
    proposal p;
    memset(&p, 0, sizeof p);
    int64_t assigned = 0, proposed = 0, sla = 0;
    if (prov) {
        int yes = 0;
        if ((rc = declares(s, prov, f, &sla, &yes, err)))
            return rc;
        if (!yes) {
            lds_field_errors_add(fe, "/provider_org",
                                 "organisation %lld declares no %s capability (POST "
                                 "/api/v1/providers)",
                                 (long long)prov, lds_factor_name(f));
            return lds_invalid_first(fe, err);
        }
        if (who->role == LDS_ROLE_OPERATOR) {
            assigned = prov;
            snprintf(p.reason, sizeof p.reason, "assigned by the operator");
        } else {
            proposed = prov;
            snprintf(p.reason, sizeof p.reason, "named by the requesting organisation");
        }
    } else {
        static const char q_reg[] = "SELECT region_id FROM projects WHERE id = ?1";
        lds_stmt *st;
        char region[64] = "";
        if ((rc = lds_pj__prep(s, q_reg, &st, err, "i", pid)))
            return rc;
        if (lds_stmt_step(st, err) == LDS_STORE_ROW)
            snprintf(region, sizeof region, "%s", lds_stmt_col_text(st, 0));
        lds_stmt_reset(st);
        if ((rc = propose(s, f, region, &p, err)))
            return rc;
        proposed = p.org;
        sla = p.sla_days;
    }
    if (!due) {
        if (!sla) {
            lds_lifecycle *lc = lds_malloc(sizeof *lc);
            if (!lc)
                return lds_err_set(err, LDS_ENOMEM, "out of memory");
            rc = lds_projects_lifecycle(s, lc, err);
            sla = lc->sla_days[f];
            lds_free(lc);
            if (rc)
                return rc;
        }
        due = now_ms + sla * DAY_MS;
    }
    static const char ins[] =
        "INSERT INTO service_requests(project_id, factor, description, provider_org,"
        " proposed_provider_org, proposal_reason, status, due_ms, created_by_org, created_ms,"
        " updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?9)";
    lds_stmt *st;
    if ((rc = lds_pj__prep(s, ins, &st, err, "issnnsiii", pid, lds_factor_name(f), desc, p.reason,
                           due, who->org_id, now_ms)))
        return rc;
    if ((assigned && (rc = lds_stmt_bind_i64(st, 4, assigned))) ||
        (proposed && (rc = lds_stmt_bind_i64(st, 5, proposed))))
        return lds_err_set(err, rc, "binding a query parameter failed");
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    int64_t sr = lds_store_last_id(s);
    if ((rc = sr_event(s, sr, pid, who, now_ms, f, NULL, "open", err)) ||
        (rc = sr_json(s, who, sr, now_ms, out, err)))
        return rc;
    *id = sr;
    return LDS_OK;
}

/* ---- status machine ------------------------------------------------------ */

unsigned lds_sr_next(lds_sr_status from)
{
    switch (from) {
    case LDS_SR_OPEN:
        return 1u << LDS_SR_ACCEPTED | 1u << LDS_SR_REJECTED | 1u << LDS_SR_CANCELLED;
    case LDS_SR_ACCEPTED:
        return 1u << LDS_SR_IN_PROGRESS | 1u << LDS_SR_CANCELLED;
    case LDS_SR_IN_PROGRESS:
        return 1u << LDS_SR_DONE | 1u << LDS_SR_CANCELLED;
    default:
        return 0;
    }
}

static void names_of(unsigned mask, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t len = 0;
    for (int i = 0; i < LDS_SR_COUNT; i++)
        if (mask & (1u << i))
            len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? ", " : "",
                                    lds_sr_status_name((lds_sr_status)i));
    if (!buf[0])
        snprintf(buf, n, "none: the request is closed");
}

lds_code lds_sr_patch(lds_store *s, const lds_principal *who, const char *id, json_t *body,
                      int64_t now_ms, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    static const char q_row[] = "SELECT project_id, factor, status, provider_org,"
                                " proposed_provider_org, created_ms FROM service_requests"
                                " WHERE id = ?1";
    int64_t sr;
    lds_code rc;
    lds_buf probe = LDS_BUF_INIT;
    if (lds_id_parse(id, 1, &sr) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no service request '%.40s'", id);
    rc = sr_json(s, who, sr, now_ms, &probe, err); /* visibility: 404 when hidden */
    lds_buf_release(&probe);
    if (rc)
        return rc;
    lds_stmt *st;
    if ((rc = lds_pj__prep(s, q_row, &st, err, "i", sr)))
        return rc;
    int64_t pid = 0, prov = 0, proposed = 0, created = 0;
    lds_factor f = LDS_FACTOR_COUNT;
    lds_sr_status from = LDS_SR_COUNT;
    if (lds_stmt_step(st, err) == LDS_STORE_ROW) {
        pid = lds_stmt_col_i64(st, 0);
        lds_factor_parse(lds_stmt_col_text(st, 1), &f);
        lds_sr_status_parse(lds_stmt_col_text(st, 2), &from);
        prov = lds_stmt_col_i64(st, 3);
        proposed = lds_stmt_col_i64(st, 4);
        created = lds_stmt_col_i64(st, 5);
    }
    lds_stmt_reset(st);
    if (!pid || f == LDS_FACTOR_COUNT || from == LDS_SR_COUNT)
        return lds_err_set(err, LDS_ECORRUPT, "service request %lld is unreadable", (long long)sr);
    int member = 0;
    if (who->role == LDS_ROLE_MEMBER &&
        (rc = lds_project_is_member(s, pid, who->org_id, &member, err)))
        return rc;
    int op = who->role == LDS_ROLE_OPERATOR;
    int is_prov = who->role == LDS_ROLE_PROVIDER &&
                  (prov == who->org_id || (!prov && proposed == who->org_id));
    /* Parse. */
    lds_sr_status to = from;
    int64_t new_prov = 0, due = 0;
    const char *desc = NULL;
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return lds_invalid_first(fe, err);
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        char ptr[128];
        snprintf(ptr, sizeof ptr, "/%.100s", key);
        if (strcmp(key, "status") == 0) {
            if (!json_is_string(v) || !lds_sr_status_parse(json_string_value(v), &to))
                lds_field_errors_add(fe, ptr,
                                     "unknown status (open, accepted, in_progress, done, "
                                     "rejected, cancelled)");
        } else if (strcmp(key, "provider_org") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) <= 0)
                lds_field_errors_add(fe, ptr, "must be an organisation id");
            else
                new_prov = json_integer_value(v);
        } else if (strcmp(key, "due") == 0) {
            if (!json_is_string(v) || parse_time(json_string_value(v), &due))
                lds_field_errors_add(fe, ptr, "a date (YYYY-MM-DD) or RFC 3339 time");
            else if (due <= created)
                lds_field_errors_add(fe, ptr, "the due date must be after the request's creation");
        } else if (strcmp(key, "description") == 0) {
            if (!json_is_string(v) || lds_pj__chars(v) < 1 || lds_pj__chars(v) > 4000)
                lds_field_errors_add(fe, ptr, "text of 1 to 4000 characters");
            else
                desc = json_string_value(v);
        } else {
            lds_field_errors_add(fe, ptr, "unknown field (status, provider_org, due, description)");
        }
    }
    if (!fe->n && json_object_size(body) == 0)
        lds_field_errors_add(fe, "", "nothing to change");
    if (fe->n)
        return lds_invalid_first(fe, err);
    /* Who may do what. */
    if ((new_prov || due || desc) && from >= LDS_SR_DONE)
        return lds_err_set(err, LDS_ECONFLICT, "service request %lld is %s and can no longer change",
                           (long long)sr, lds_sr_status_name(from));
    if (new_prov) {
        int yes = 0;
        int64_t sla;
        if (!op)
            return lds_err_field(err, LDS_EFORBIDDEN, "/provider_org",
                                 "only an operator assigns providers");
        if (from != LDS_SR_OPEN)
            return lds_err_set(err, LDS_ECONFLICT,
                               "service request %lld is %s: a provider is assigned while open",
                               (long long)sr, lds_sr_status_name(from));
        if ((rc = declares(s, new_prov, f, &sla, &yes, err)))
            return rc;
        if (!yes) {
            lds_field_errors_add(fe, "/provider_org", "organisation %lld declares no %s capability",
                                 (long long)new_prov, lds_factor_name(f));
            return lds_invalid_first(fe, err);
        }
        prov = new_prov;
    }
    if ((due || desc) && !op && !member)
        return lds_err_set(err, LDS_EFORBIDDEN,
                           "the due date and description are changed by the project side or an "
                           "operator");
    if (to != from) {
        if (!(lds_sr_next(from) & (1u << to))) {
            char allowed[160];
            names_of(lds_sr_next(from), allowed, sizeof allowed);
            return lds_err_set(err, LDS_ECONFLICT,
                               "service request %lld cannot go from %s to %s (allowed: %s)",
                               (long long)sr, lds_sr_status_name(from), lds_sr_status_name(to),
                               allowed);
        }
        if (to == LDS_SR_CANCELLED ? !(op || member) : !(op || is_prov))
            return lds_err_set(err, LDS_EFORBIDDEN,
                               to == LDS_SR_CANCELLED
                                   ? "a request is cancelled by the project side or an operator"
                                   : "the request's provider (or an operator) moves it to %s",
                               lds_sr_status_name(to));
        if (to == LDS_SR_ACCEPTED && !prov) {
            if (is_prov)
                prov = who->org_id; /* accepting a proposal assigns it */
            else if (proposed)
                prov = proposed;
            else
                return lds_err_set(err, LDS_ECONFLICT,
                                   "service request %lld has no provider to accept it: assign "
                                   "one (provider_org) first",
                                   (long long)sr);
        }
    }
    static const char upd[] =
        "UPDATE service_requests SET status = ?2, provider_org = ?3, due_ms = COALESCE(?4,"
        " due_ms), description = COALESCE(?5, description), updated_ms = ?6,"
        " accepted_ms = CASE WHEN ?2 = 'accepted' AND status <> ?2 THEN ?6 ELSE accepted_ms END,"
        " started_ms = CASE WHEN ?2 = 'in_progress' AND status <> ?2 THEN ?6 ELSE started_ms END,"
        " done_ms = CASE WHEN ?2 = 'done' AND status <> ?2 THEN ?6 ELSE done_ms END,"
        " closed_ms = CASE WHEN ?2 IN ('rejected','cancelled') AND status <> ?2 THEN ?6 ELSE"
        " closed_ms END WHERE id = ?1";
    if ((rc = lds_pj__prep(s, upd, &st, err, "isnnsi", sr, lds_sr_status_name(to), desc, now_ms)))
        return rc;
    if ((prov && (rc = lds_stmt_bind_i64(st, 3, prov))) ||
        (due && (rc = lds_stmt_bind_i64(st, 4, due))))
        return lds_err_set(err, rc, "binding a query parameter failed");
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    if (to != from &&
        (rc = sr_event(s, sr, pid, who, now_ms, f, lds_sr_status_name(from),
                       lds_sr_status_name(to), err)))
        return rc;
    return sr_json(s, who, sr, now_ms, out, err);
}

lds_code lds_sr_comment(lds_store *s, const lds_principal *who, const char *id, json_t *body,
                        int64_t now_ms, int64_t *comment_id, lds_buf *out, lds_field_errors *fe,
                        lds_err *err)
{
    int64_t sr;
    if (lds_id_parse(id, 1, &sr) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no service request '%.40s'", id);
    lds_buf probe = LDS_BUF_INIT;
    lds_code rc = sr_json(s, who, sr, now_ms, &probe, err);
    lds_buf_release(&probe);
    if (rc)
        return rc;
    if (who->role == LDS_ROLE_AUDITOR)
        return lds_err_set(err, LDS_EFORBIDDEN, "auditors read; they do not comment");
    json_t *b = json_is_object(body) ? json_object_get(body, "body") : NULL;
    if (!json_is_object(body) || json_object_size(body) != 1 || !json_is_string(b) ||
        lds_pj__chars(b) < 1 || lds_pj__chars(b) > 4000) {
        lds_field_errors_add(fe, "/body", "the comment: {\"body\": text of 1 to 4000 characters}");
        return lds_invalid_first(fe, err);
    }
    static const char ins[] = "INSERT INTO service_request_comments(request_id, time_ms,"
                              " author_org, author_role, body) VALUES (?1, ?2, ?3, ?4, ?5)";
    static const char q[] = "SELECT json_object('id', c.id, 'request', c.request_id, 'time', "
                            LDS_PJ_TS("c.time_ms") ", 'author_org', c.author_org, 'author_role',"
                            " c.author_role, 'body', c.body), c.id FROM service_request_comments"
                            " c WHERE c.id = ?1";
    static const char touch[] = "UPDATE service_requests SET updated_ms = ?2 WHERE id = ?1";
    if ((rc = lds_pj__exec(s, ins, err, "iiiss", sr, now_ms, who->org_id, lds_role_name(who->role),
                           json_string_value(b))))
        return rc;
    int64_t cid = lds_store_last_id(s);
    lds_stmt *st;
    int n = 0;
    if ((rc = lds_pj__exec(s, touch, err, "ii", sr, now_ms)) ||
        (rc = lds_pj__prep(s, q, &st, err, "i", cid)) ||
        (rc = lds_pj__rows(st, out, 1, &n, NULL, err)))
        return rc;
    *comment_id = cid;
    return LDS_OK;
}

/* ---- providers ----------------------------------------------------------- */

#define PROV_JSON                                                                                  \
    "json_object('org', sp.org_id, 'name', o.name, 'factor', sp.factor, 'regions',"              \
    " json(sp.regions_json), 'max_open', sp.max_open, 'load', " LOAD_OF("sp.org_id", "sp.factor") \
    ", 'sla_days', sp.sla_days, 'description', sp.description, 'synthetic', "                    \
    LDS_PJ_BOOL("sp.synthetic") ")"

lds_code lds_provider_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                           size_t n_params, int64_t now_ms, lds_buf *out, lds_field_errors *fe,
                           lds_err *err)
{
    (void)who;
    (void)now_ms;
    static const char *const filters[] = {"factor", "region", "org", NULL};
    static const char q[] =
        "SELECT " PROV_JSON ", sp.rowid FROM service_providers sp JOIN orgs o ON o.id ="
        " sp.org_id WHERE sp.rowid > ?1 AND (?2 IS NULL OR sp.factor = ?2) AND (?3 IS NULL OR"
        " json_array_length(sp.regions_json) = 0 OR EXISTS (SELECT 1 FROM"
        " json_each(sp.regions_json) WHERE value = ?3)) AND (?4 IS NULL OR sp.org_id = ?4)"
        " ORDER BY sp.rowid LIMIT ?5";
    const char *fval[3] = {0};
    int64_t limit, after, org = 0;
    lds_page_params(params, n_params, filters, fval, 1, &limit, &after, fe);
    lds_factor f;
    if (fval[0] && !lds_factor_parse(fval[0], &f))
        lds_field_errors_add(fe, "factor", "unknown factor");
    if (fval[2] && lds_id_parse(fval[2], 1, &org))
        lds_field_errors_add(fe, "org", "must be an organisation id");
    if (fe->n)
        return lds_pj__bad_param(fe, err);
    lds_stmt *st;
    lds_code rc = lds_pj__prep(s, q, &st, err, "issni", after, fval[0], fval[1], limit + 1);
    if (rc)
        return rc;
    if (fval[2] && (rc = lds_stmt_bind_i64(st, 4, org)))
        return lds_err_set(err, rc, "binding a query parameter failed");
    return lds_pj__list_page(st, limit, out, err);
}

lds_code lds_provider_put(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                          lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    int64_t org = who->org_id, max_open = 0, sla = 0;
    json_t *factors = NULL, *regions = NULL;
    const char *desc = NULL;
    lds_code rc = LDS_OK;
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return lds_invalid_first(fe, err);
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        char ptr[128];
        size_t i;
        json_t *e;
        snprintf(ptr, sizeof ptr, "/%.100s", key);
        if (strcmp(key, "org") == 0) {
            int yes = 0;
            if (!json_is_integer(v) || json_integer_value(v) <= 0)
                lds_field_errors_add(fe, ptr, "must be an organisation id");
            else if ((rc = lds_pj__org_exists(s, json_integer_value(v), &yes, err)))
                return rc;
            else if (!yes)
                lds_field_errors_add(fe, ptr, "no organisation %lld",
                                     (long long)json_integer_value(v));
            else
                org = json_integer_value(v);
        } else if (strcmp(key, "factors") == 0) {
            factors = v;
            if (!json_is_array(v) || json_array_size(v) == 0 ||
                json_array_size(v) > LDS_FACTOR_COUNT)
                lds_field_errors_add(fe, ptr, "an array of 1 to %d factors", LDS_FACTOR_COUNT);
            else
                json_array_foreach(v, i, e)
                {
                    lds_factor f;
                    char p2[160];
                    snprintf(p2, sizeof p2, "%s/%zu", ptr, i);
                    if (!json_is_string(e) || !lds_factor_parse(json_string_value(e), &f))
                        lds_field_errors_add(fe, p2, "unknown factor");
                }
        } else if (strcmp(key, "regions") == 0) {
            regions = v;
            if (!json_is_array(v) || json_array_size(v) > 32)
                lds_field_errors_add(fe, ptr, "an array of at most 32 region ids ([] = any)");
            else
                json_array_foreach(v, i, e)
                {
                    static const char q_region[] = "SELECT 1 FROM regions WHERE id = ?1";
                    int64_t one;
                    char p2[160];
                    snprintf(p2, sizeof p2, "%s/%zu", ptr, i);
                    rc = json_is_string(e)
                             ? lds_pj__i64(s, q_region, &one, err, "s", json_string_value(e))
                             : LDS_ENOTFOUND;
                    if (rc == LDS_ENOTFOUND)
                        lds_field_errors_add(fe, p2, "must be a region id of the catalog");
                    else if (rc)
                        return rc;
                    rc = LDS_OK;
                }
        } else if (strcmp(key, "max_open") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000)
                lds_field_errors_add(fe, ptr, "a whole number of requests, 1 or more");
            else
                max_open = json_integer_value(v);
        } else if (strcmp(key, "sla_days") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 3650)
                lds_field_errors_add(fe, ptr, "whole days, 1 to 3650");
            else
                sla = json_integer_value(v);
        } else if (strcmp(key, "description") == 0) {
            if (!json_is_null(v) && (!json_is_string(v) || lds_pj__chars(v) > 1000))
                lds_field_errors_add(fe, ptr, "text of at most 1000 characters");
            else
                desc = json_string_value(v);
        } else {
            lds_field_errors_add(fe, ptr,
                                 "unknown field (org, factors, regions, max_open, sla_days, "
                                 "description)");
        }
    }
    if (!factors)
        lds_field_errors_add(fe, "/factors", "required");
    if (!json_object_get(body, "max_open"))
        lds_field_errors_add(fe, "/max_open", "required");
    if (fe->n)
        return lds_invalid_first(fe, err);
    if (!(who->role == LDS_ROLE_OPERATOR ||
          (who->role == LDS_ROLE_PROVIDER && org == who->org_id)))
        return lds_err_set(err, LDS_EFORBIDDEN,
                           "capabilities are declared by the provider itself or an operator");
    char *rj = regions ? json_dumps(regions, JSON_COMPACT) : NULL;
    static const char ins[] =
        "INSERT INTO service_providers(org_id, factor, regions_json, max_open, sla_days,"
        " description, created_ms, updated_ms) VALUES (?1, ?2, COALESCE(?3, '[]'), ?4,"
        " COALESCE(?5, 30), ?6, ?7, ?7) ON CONFLICT(org_id, factor) DO UPDATE SET regions_json ="
        " excluded.regions_json, max_open = excluded.max_open, sla_days = excluded.sla_days,"
        " description = excluded.description, updated_ms = excluded.updated_ms";
    size_t i;
    json_t *e;
    json_array_foreach(factors, i, e)
    {
        lds_stmt *st;
        if ((rc = lds_pj__prep(s, ins, &st, err, "issinsi", org, json_string_value(e), rj,
                               max_open, desc, now_ms)))
            break;
        if (sla && (rc = lds_stmt_bind_i64(st, 5, sla))) {
            rc = lds_err_set(err, rc, "binding a query parameter failed");
            break;
        }
        if ((rc = lds_stmt_exec(st, err)))
            break;
    }
    free(rj);
    if (rc)
        return rc;
    lds_kv kv = {"org", NULL};
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)org);
    kv.value = num;
    return lds_provider_list(s, who, &kv, 1, now_ms, out, fe, err);
}
