/*
 * util.c — the projects module's small shared pieces: a binder for
 * prepared statements, JSON rows written by SQLite's json_object, list
 * paging, money, membership and timeline entries.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "projects_int.h"

static lds_code bind_va(lds_stmt *st, const char *fmt, va_list ap)
{
    lds_code rc = LDS_OK;
    for (int i = 0; fmt[i] && rc == LDS_OK; i++) {
        switch (fmt[i]) {
        case 'i':
            rc = lds_stmt_bind_i64(st, i + 1, va_arg(ap, int64_t));
            break;
        case 's':
            rc = lds_stmt_bind_text(st, i + 1, va_arg(ap, const char *));
            break;
        default:
            rc = lds_stmt_bind_null(st, i + 1);
            break;
        }
    }
    return rc;
}

/* Prepares `sql` and binds the arguments of `ap` as `fmt` says. */
static lds_code prep_va(lds_store *s, const char *sql, lds_stmt **st, lds_err *err,
                        const char *fmt, va_list ap)
{
    lds_code rc = lds_store_prepare(s, sql, st, err);
    if (rc)
        return rc;
    if ((rc = bind_va(*st, fmt, ap)))
        return lds_err_set(err, rc, "binding a query parameter failed");
    return LDS_OK;
}

lds_code lds_pj__prep(lds_store *s, const char *sql, lds_stmt **st, lds_err *err, const char *fmt,
                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    lds_code rc = prep_va(s, sql, st, err, fmt, ap);
    va_end(ap);
    return rc;
}

lds_code lds_pj__exec(lds_store *s, const char *sql, lds_err *err, const char *fmt, ...)
{
    lds_stmt *st;
    va_list ap;
    va_start(ap, fmt);
    lds_code rc = prep_va(s, sql, &st, err, fmt, ap);
    va_end(ap);
    return rc ? rc : lds_stmt_exec(st, err);
}

lds_code lds_pj__i64(lds_store *s, const char *sql, int64_t *out, lds_err *err, const char *fmt,
                     ...)
{
    lds_stmt *st;
    va_list ap;
    va_start(ap, fmt);
    lds_code rc = prep_va(s, sql, &st, err, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_ROW && !lds_stmt_col_is_null(st, 0)) {
        *out = lds_stmt_col_i64(st, 0);
        rc = LDS_OK;
    } else {
        rc = r == LDS_STORE_ROW || r == LDS_STORE_DONE ? LDS_ENOTFOUND : (lds_code)r;
    }
    lds_stmt_reset(st);
    return rc;
}

lds_code lds_pj__rows(lds_stmt *st, lds_buf *out, int64_t limit, int *n, int64_t *last_id,
                      lds_err *err)
{
    int r;
    *n = 0;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (limit >= 0 && *n >= limit) {
            (*n)++;
            break;
        }
        const char *j = lds_stmt_col_text(st, 0);
        if (*n)
            lds_buf_addc(out, ',');
        lds_buf_adds(out, j ? j : "null");
        if (last_id && lds_stmt_col_count(st) > 1)
            *last_id = lds_stmt_col_i64(st, 1);
        (*n)++;
    }
    lds_stmt_reset(st);
    if (r != LDS_STORE_ROW && r != LDS_STORE_DONE)
        return (lds_code)r;
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory writing rows") : LDS_OK;
}

void lds_pj__page_out(lds_buf *out, const lds_buf *rows, int more, int64_t last)
{
    lds_buf_adds(out, "{\"items\":[");
    lds_buf_add(out, rows->ptr, rows->len);
    lds_buf_adds(out, "],\"next\":");
    if (more)
        lds_cursor_put(last, out);
    else
        lds_buf_adds(out, "null");
    lds_buf_addc(out, '}');
}

lds_code lds_pj__bad_param(const lds_field_errors *fe, lds_err *err)
{
    return lds_err_field(err, LDS_EINVAL, fe->items[0].pointer, "invalid query parameter '%s': %s",
                         fe->items[0].pointer, fe->items[0].message);
}

lds_code lds_pj__list_page(lds_stmt *st, int64_t limit, lds_buf *out, lds_err *err)
{
    lds_buf rows = LDS_BUF_INIT;
    int n = 0;
    int64_t last = 0;
    lds_code rc = lds_pj__rows(st, &rows, limit, &n, &last, err);
    if (rc == LDS_OK)
        lds_pj__page_out(out, &rows, n > limit, last);
    lds_buf_release(&rows);
    return rc == LDS_OK && out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory writing the list")
                                    : rc;
}

lds_code lds_project_is_member(lds_store *s, int64_t project, int64_t org, int *yes, lds_err *err)
{
    static const char q[] =
        "SELECT 1 FROM projects p WHERE p.id = ?1 AND (p.sponsor_org = ?2 OR EXISTS "
        "(SELECT 1 FROM project_orgs po WHERE po.project_id = p.id AND po.org_id = ?2))";
    int64_t one;
    lds_code rc = lds_pj__i64(s, q, &one, err, "ii", project, org);
    *yes = rc == LDS_OK;
    return rc == LDS_ENOTFOUND ? LDS_OK : rc;
}

size_t lds_pj__chars(const json_t *v)
{
    const unsigned char *p = (const unsigned char *)json_string_value(v);
    size_t n = 0, len = json_string_length(v);
    for (size_t i = 0; p && i < len; i++)
        n += (p[i] & 0xC0) != 0x80;
    return n;
}

int lds_pj__cny(json_t *v, int64_t *cents)
{
    if (!json_is_number(v))
        return -1;
    double d = json_number_value(v);
    if (!isfinite(d) || d < 0 || d > 1e13)
        return -1;
    double c = d * 100.0;
    /* More than 2 decimals is refused, not rounded (as in the market). */
    if (fabs(c - (double)llround(c)) > fmax(1e-3, c * 1e-15))
        return -1;
    *cents = (int64_t)llround(c);
    return 0;
}

lds_code lds_pj__org_exists(lds_store *s, int64_t org, int *yes, lds_err *err)
{
    static const char q[] = "SELECT 1 FROM orgs WHERE id = ?1";
    int64_t one;
    lds_code rc = lds_pj__i64(s, q, &one, err, "i", org);
    *yes = rc == LDS_OK;
    return rc == LDS_ENOTFOUND ? LDS_OK : rc;
}

lds_code lds_pj__event(lds_store *s, int64_t project, int64_t now_ms, const lds_principal *who,
                       lds_pevent_kind kind, const char *from, const char *to, const char *reason,
                       const char *detail, lds_err *err)
{
    static const char q[] =
        "INSERT INTO project_events(project_id, time_ms, actor_org, actor_role, kind, from_stage,"
        " to_stage, reason, detail_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    if (who && who->org_id > 0)
        return lds_pj__exec(s, q, err, "iiissssss", project, now_ms, who->org_id,
                            lds_role_name(who->role), lds_pevent_kind_name(kind), from, to,
                            reason, detail);
    return lds_pj__exec(s, q, err, "iinnsssss", project, now_ms, lds_pevent_kind_name(kind), from,
                        to, reason, detail);
}
