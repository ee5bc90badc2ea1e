/* projects_int.h — helpers shared by the projects module's files. */
#ifndef LDS_PROJECTS_INT_H
#define LDS_PROJECTS_INT_H

#include <stdint.h>
#include "lodestone/listing.h"
#include "lodestone/projects.h"

/* SQL fragments: epoch ms as RFC 3339 UTC, cents as a CNY number. */
#define LDS_PJ_TS(x)  "strftime('%Y-%m-%dT%H:%M:%SZ', (" x ") / 1000, 'unixepoch')"
#define LDS_PJ_CNY(x) "(CASE WHEN (" x ") % 100 = 0 THEN (" x ") / 100 ELSE (" x ") / 100.0 END)"
#define LDS_PJ_BOOL(x) "json(CASE WHEN " x " THEN 'true' ELSE 'false' END)"

/**
 * Prepares `sql` and binds the arguments described by `fmt`, one char per
 * parameter from ?1: 'i' int64_t, 's' const char * (NULL binds NULL),
 * 'n' NULL (no argument consumed).
 */
lds_code lds_pj__prep(lds_store *s, const char *sql, lds_stmt **st, lds_err *err, const char *fmt,
                      ...);
/** Prepares, binds and runs a statement that returns no rows. */
lds_code lds_pj__exec(lds_store *s, const char *sql, lds_err *err, const char *fmt, ...);
/** Runs a one-integer query: LDS_OK with *out, LDS_ENOTFOUND when no row
 *  (or a NULL value). */
lds_code lds_pj__i64(lds_store *s, const char *sql, int64_t *out, lds_err *err, const char *fmt,
                     ...);
/** Appends column 0 (JSON text) of every row to `out`, comma-separated,
 *  writing at most `limit` rows (<0: all); *n counts rows read, *last_id
 *  holds column 1 of the last row written (when present).  Resets `st`. */
lds_code lds_pj__rows(lds_stmt *st, lds_buf *out, int64_t limit, int *n, int64_t *last_id,
                      lds_err *err);

/** Writes {"items":[...],"next":...}: `rows` holds the page's items. */
void lds_pj__page_out(lds_buf *out, const lds_buf *rows, int more, int64_t last);
/** LDS_EINVAL naming the first invalid query parameter of `fe` (fe->n > 0). */
lds_code lds_pj__bad_param(const lds_field_errors *fe, lds_err *err);
/** Runs `st` (bound, LIMIT limit + 1; columns: item JSON, id) and writes the
 *  page {"items":[...],"next":cursor or null} to `out`. */
lds_code lds_pj__list_page(lds_stmt *st, int64_t limit, lds_buf *out, lds_err *err);


/** Money: a JSON number of CNY (>= 0, at most 2 decimals) to cents; -1 if not. */
int lds_pj__cny(json_t *v, int64_t *cents);
/* Characters (UTF-8 code points) of JSON string `v`, the unit of every text limit. */
size_t lds_pj__chars(const json_t *v);
/** Checks that an org exists. */
lds_code lds_pj__org_exists(lds_store *s, int64_t org, int *yes, lds_err *err);

/** Appends a timeline entry. `detail` is JSON text or NULL. */
lds_code lds_pj__event(lds_store *s, int64_t project, int64_t now_ms, const lds_principal *who,
                       lds_pevent_kind kind, const char *from, const char *to, const char *reason,
                       const char *detail, lds_err *err);

/** Writes one project's JSON (no visibility check) to `out`. */
lds_code lds_pj__project_json(lds_store *s, int64_t id, lds_buf *out, lds_err *err);

#endif
