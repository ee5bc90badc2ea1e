/* listing.c — ids, cursors, list parameters and roles shared by the
 * store-backed modules (listing.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "lodestone/listing.h"

int lds_id_parse(const char *s, int64_t min, int64_t *out)
{
    char *end;
    if (!s || !*s || strlen(s) > 18 || *s < '0' || *s > '9')
        return -1;
    long long v = strtoll(s, &end, 10);
    if (*end || v < min)
        return -1;
    *out = v;
    return 0;
}

void lds_cursor_put(int64_t id, lds_buf *out)
{
    char num[24], enc[64];
    int n = snprintf(num, sizeof num, "%lld", (long long)id);
    sodium_bin2base64(enc, sizeof enc, (const unsigned char *)num, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    lds_buf_add_json_str(out, enc);
}

int lds_cursor_get(const char *cur, int64_t min, int64_t *id)
{
    char num[32];
    size_t len = 0;
    if (strlen(cur) > 40 ||
        sodium_base642bin((unsigned char *)num, sizeof num - 1, cur, strlen(cur), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    num[len] = '\0';
    return strlen(num) == len ? lds_id_parse(num, min, id) : -1;
}

void lds_page_params(const lds_kv *params, size_t n_params, const char *const *filters,
                     const char **fval, int64_t min_after, int64_t *limit, int64_t *after,
                     lds_field_errors *fe)
{
    int n_filters = 0;
    while (filters && filters[n_filters])
        n_filters++;
    const char *next = NULL;
    *after = 0;
    lds_list_params(params, n_params, filters, n_filters, fval, limit, &next, fe);
    if (next && lds_cursor_get(next, min_after, after) != 0)
        lds_field_errors_add(fe, "next", "not a cursor this API issued");
}

lds_code lds_write_id_page(lds_stmt *st, int64_t limit,
                           void (*item)(void *ctx, lds_stmt *st, lds_buf *out), void *ctx,
                           lds_buf *out, lds_err *err)
{
    lds_buf_adds(out, "{\"items\":[");
    int64_t n = 0, last = 0;
    int r;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n == limit) {
            n++;
            break;
        }
        if (n++)
            lds_buf_addc(out, ',');
        last = lds_stmt_col_i64(st, 0);
        item(ctx, st, out);
    }
    lds_stmt_reset(st);
    if (r != LDS_STORE_ROW && r != LDS_STORE_DONE)
        return (lds_code)r;
    if (n > limit)
        lds_buf_addf(out, "],\"next\":\"%lld\"}", (long long)last);
    else
        lds_buf_adds(out, "],\"next\":null}");
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory writing the list") : LDS_OK;
}

lds_code lds_invalid_first(const lds_field_errors *fe, lds_err *err)
{
    return lds_err_field(err, LDS_EINVAL, fe->items[0].pointer, "%s%s%s", fe->items[0].pointer,
                         fe->items[0].pointer[0] ? ": " : "", fe->items[0].message);
}

void lds_json_str_or_null(lds_buf *b, const char *s)
{
    if (s && *s)
        lds_buf_add_json_str(b, s);
    else
        lds_buf_adds(b, "null");
}

int lds_sees_all(const lds_principal *who)
{
    return who->role == LDS_ROLE_OPERATOR || who->role == LDS_ROLE_AUDITOR;
}
