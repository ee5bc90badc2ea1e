/*
 * listing.h — what the store-backed modules (market, projects, investment)
 * share when they read records for a caller: decimal ids in paths and
 * filters, opaque keyset cursors (base64url of the last id), a list's
 * limit/next/filter parameters, page writers, the roles that read every
 * record, and a JSON writer the record views (lots, traces, passports) share.
 */
#ifndef LDS_LISTING_H
#define LDS_LISTING_H

#include <stdint.h>
#include "lodestone/auth.h"
#include "lodestone/buf.h"
#include "lodestone/err.h"
#include "lodestone/registry.h"
#include "lodestone/store.h"

/** Parses a decimal id of at most 18 digits (nothing else) that is at
 *  least `min`; -1 if not one. */
int lds_id_parse(const char *s, int64_t min, int64_t *out);

/** Writes the cursor that resumes a list after `id`, as a JSON string. */
void lds_cursor_put(int64_t id, lds_buf *out);
/** Reads a cursor written by lds_cursor_put (its id at least `min`); -1 if
 *  it is not one. */
int lds_cursor_get(const char *cur, int64_t min, int64_t *id);

/**
 * lds_list_params, then decodes `next` into *after (0 when absent; a cursor
 * whose id is below `min_after` is refused): problems go to `fe`.
 * `filters` is NULL-terminated; their values land in `fval`.
 */
void lds_page_params(const lds_kv *params, size_t n_params, const char *const *filters,
                     const char **fval, int64_t min_after, int64_t *limit, int64_t *after,
                     lds_field_errors *fe);

/**
 * Writes a page {"items":[...],"next":"<last id>" or null} from the rows of
 * `st` (bound with LIMIT limit + 1, column 0 the id), each item by
 * `item(ctx, st, out)`; resets `st`.  The lists whose cursor is the plain
 * last id (lots, product classes, mandates, deals) use it.
 */
lds_code lds_write_id_page(lds_stmt *st, int64_t limit,
                           void (*item)(void *ctx, lds_stmt *st, lds_buf *out), void *ctx,
                           lds_buf *out, lds_err *err);

/** LDS_EINVAL carrying the first field error ("<pointer>: <message>", or
 *  the message alone when the pointer is empty). */
lds_code lds_invalid_first(const lds_field_errors *fe, lds_err *err);

/** Writes `s` as a JSON string, or null when it is NULL or empty. */
void lds_json_str_or_null(lds_buf *b, const char *s);

/** Operators and auditors read every record. */
int lds_sees_all(const lds_principal *who);

#endif
