/* market_int.h — internals shared by the market module's files. */
#ifndef LDS_MARKET_INT_H
#define LDS_MARKET_INT_H

#include <stdint.h>
#include "lodestone/buf.h"
#include "lodestone/market.h"

/** RFC 3339 UTC "now". */
/** Parses a non-negative decimal id; -1 on error. */
int lds_market__parse_id(const char *s, int64_t *out);
/** Keyset cursors: base64url of the last id. */
void lds_market__cursor_put(int64_t id, lds_buf *out);
int lds_market__cursor_get(const char *cur, int64_t *id);
/** Reads limit/next; other keys must be in `filters` (NULL-terminated) and
 *  land in `fval` (same order).  Returns 0 or adds to fe. */
void lds_market__page_params(const lds_kv *params, size_t n_params, const char *const *filters,
                             const char **fval, int64_t *limit, int64_t *after,
                             lds_field_errors *fe);
/** Returns LDS_EINVAL with the first field error as the message. */
lds_code lds_market__invalid(const lds_field_errors *fe, lds_err *err);

/* run.c: the stored run (?1 id), its lines and unmet requests filtered by
 * lds_market__bind_scope (?1 run, ?2 sees all, ?3 caller's org). */
extern const char lds_market__q_run[];
extern const char lds_market__q_lines[];
extern const char lds_market__q_unmet[];
lds_code lds_market__bind_scope(lds_stmt *st, int64_t run_id, const lds_principal *who);

#endif
