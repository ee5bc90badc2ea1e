/*
 * canon.c — the canonical bytes of an accepted event (the ledger leaf):
 * RFC 8785 JSON Canonicalization Scheme over the event, completed with its
 * eventID and @context so the leaf is a self-contained EPCIS event.
 */
#include <stdlib.h>
#include <string.h>
#include "epcis/epcis_int.h"
#include "lodestone/alloc.h"

#define MAX_DEPTH 64

/* Compares two UTF-8 strings by UTF-16 code units (RFC 8785 section 3.2.3). */
static unsigned next_unit(const unsigned char **p, const unsigned char *end, unsigned *pending)
{
    if (*pending) {
        unsigned u = *pending;
        *pending = 0;
        return u;
    }
    const unsigned char *s = *p;
    unsigned cp;
    if (s[0] < 0x80) {
        cp = s[0];
        s += 1;
    } else if ((s[0] & 0xE0) == 0xC0 && s + 1 < end) {
        cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        s += 2;
    } else if ((s[0] & 0xF0) == 0xE0 && s + 2 < end) {
        cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        s += 3;
    } else if ((s[0] & 0xF8) == 0xF0 && s + 3 < end) {
        cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
             (s[3] & 0x3Fu);
        s += 4;
    } else {
        cp = s[0];
        s += 1;
    }
    *p = s;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        *pending = 0xDC00 + (cp & 0x3FF);
        return 0xD800 + (cp >> 10);
    }
    return cp;
}

static int utf16_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    const unsigned char *pa = (const unsigned char *)a, *ea = pa + an;
    const unsigned char *pb = (const unsigned char *)b, *eb = pb + bn;
    unsigned qa = 0, qb = 0;
    while ((pa < ea || qa) && (pb < eb || qb)) {
        unsigned ua = next_unit(&pa, ea, &qa), ub = next_unit(&pb, eb, &qb);
        if (ua != ub)
            return ua < ub ? -1 : 1;
    }
    int a_left = pa < ea || qa, b_left = pb < eb || qb;
    return a_left - b_left;
}

typedef struct member {
    const char *key;
    size_t len;
    const json_t *val;
} member;

static int member_cmp(const void *x, const void *y)
{
    const member *a = x, *b = y;
    return utf16_cmp(a->key, a->len, b->key, b->len);
}

static int write_value(lds_buf *b, const json_t *v, int depth);

static int write_members(lds_buf *b, member *m, size_t n, int depth)
{
    qsort(m, n, sizeof *m, member_cmp);
    lds_buf_addc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            lds_buf_addc(b, ',');
        lds_epcis__json_str(b, m[i].key, m[i].len);
        lds_buf_addc(b, ':');
        int rc = write_value(b, m[i].val, depth + 1);
        if (rc)
            return rc;
    }
    lds_buf_addc(b, '}');
    return 0;
}

static int write_object(lds_buf *b, const json_t *obj, int depth, const member *extra,
                        size_t n_extra)
{
    size_t n = json_object_size(obj) + n_extra, i = 0;
    member *m = lds_malloc((n ? n : 1) * sizeof *m);
    if (!m)
        return -1;
    void *it;
    for (it = json_object_iter((json_t *)(uintptr_t)obj); it;
         it = json_object_iter_next((json_t *)(uintptr_t)obj, it)) {
        m[i].key = json_object_iter_key(it);
        m[i].len = json_object_iter_key_len(it);
        m[i].val = json_object_iter_value(it);
        i++;
    }
    for (size_t j = 0; j < n_extra; j++)
        m[i++] = extra[j];
    int rc = write_members(b, m, i, depth);
    lds_free(m);
    return rc;
}

static int write_value(lds_buf *b, const json_t *v, int depth)
{
    if (depth > MAX_DEPTH)
        return -2;
    switch (json_typeof(v)) {
    case JSON_OBJECT: return write_object(b, v, depth, NULL, 0);
    case JSON_ARRAY: {
        size_t i;
        json_t *e;
        lds_buf_addc(b, '[');
        json_array_foreach((json_t *)(uintptr_t)v, i, e)
        {
            if (i)
                lds_buf_addc(b, ',');
            int rc = write_value(b, e, depth + 1);
            if (rc)
                return rc;
        }
        lds_buf_addc(b, ']');
        return 0;
    }
    case JSON_STRING:
        lds_epcis__json_str(b, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER: lds_buf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); return 0;
    case JSON_REAL: lds_epcis__num_es(b, json_real_value(v)); return 0;
    case JSON_TRUE: lds_buf_adds(b, "true"); return 0;
    case JSON_FALSE: lds_buf_adds(b, "false"); return 0;
    case JSON_NULL: lds_buf_adds(b, "null"); return 0;
    }
    return -1;
}

lds_code lds_epcis_event_canonical(const json_t *event, const json_t *doc_context,
                                   const char *event_id, lds_buf *out, lds_err *err)
{
    member extra[2] = {{NULL, 0, NULL}, {NULL, 0, NULL}};
    size_t n_extra = 0;
    json_t *id = NULL;
    if (!json_is_object(event))
        return lds_err_set(err, LDS_EINVAL, "an event must be a JSON object");
    if (event_id && !json_object_get(event, "eventID")) {
        id = json_string(event_id);
        if (!id)
            return lds_err_set(err, LDS_ENOMEM, "out of memory");
        extra[n_extra++] = (member){"eventID", 7, id};
    }
    if (doc_context && !json_object_get(event, "@context"))
        extra[n_extra++] = (member){"@context", 8, doc_context};
    lds_buf_reset(out);
    int rc = write_object(out, event, 0, extra, n_extra);
    json_decref(id);
    if (rc == -2)
        return lds_err_set(err, LDS_EINVAL, "event nested deeper than %d levels", MAX_DEPTH);
    if (rc != 0 || out->oom)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    return LDS_OK;
}
