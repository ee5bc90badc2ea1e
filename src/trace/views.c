/*
 * views.c — small helpers of the trace views: lot bindings from `ilmd`,
 * quantities in thousandths, CBV words.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "views_int.h"

const char *lds_trace__ilmd(const json_t *event, const char *name)
{
    const json_t *ilmd = json_object_get(event, "ilmd");
    if (!json_is_object(ilmd))
        return NULL;
    char key[128];
    snprintf(key, sizeof key, "lds:%s", name);
    const json_t *v = json_object_get(ilmd, key);
    if (!v) {
        snprintf(key, sizeof key, "%s%s", LDS_TRACE_ILMD_NS, name);
        v = json_object_get(ilmd, key);
    }
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

lds_code lds_trace__binding_of(lds_store *s, const char *cls, lds_trace__binding *b,
                               lds_err *err)
{
    /* Roles 6 (quantityList) and 9 (outputQuantityList), oldest first. */
    static const char q[] =
        "SELECT l.data FROM epcis_event_ids i JOIN epcis_events e ON e.id = i.event "
        "JOIN ledger_leaves l ON l.idx = e.leaf_idx WHERE i.uri = ?1 AND i.role IN (6, 9) "
        "ORDER BY e.id LIMIT 64";
    memset(b, 0, sizeof *b);
    lds_buf dl = LDS_BUF_INIT;
    const char *key = cls;
    if (lds_epcis_uri_to_dl(cls, &dl) && !dl.oom)
        key = dl.ptr;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc) {
        lds_buf_release(&dl);
        return rc;
    }
    lds_stmt_bind_text(st, 1, key);
    int step;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        int n = 0;
        const char *data = lds_stmt_col_blob(st, 0, &n);
        json_t *ev = json_loadb(data, (size_t)n, 0, NULL);
        const char *m = ev ? lds_trace__ilmd(ev, "material") : NULL;
        if (m) {
            b->found = 1;
            copy(b->material, sizeof b->material, m);
            copy(b->grade, sizeof b->grade, lds_trace__ilmd(ev, "grade"));
            copy(b->region, sizeof b->region, lds_trace__ilmd(ev, "region"));
            copy(b->mine, sizeof b->mine, lds_trace__ilmd(ev, "mine"));
            const json_t *id = json_object_get(ev, "eventID");
            copy(b->event_id, sizeof b->event_id, json_is_string(id) ? json_string_value(id) : "");
        }
        json_decref(ev);
        if (m) {
            lds_stmt_reset(st);
            step = LDS_STORE_DONE;
            break;
        }
    }
    lds_buf_release(&dl);
    return step == LDS_STORE_DONE ? LDS_OK : (lds_code)step;
}

int64_t lds_trace__milli(double q)
{
    double m = q * 1000.0;
    if (m > 9e18)
        m = 9e18;
    if (m < -9e18)
        m = -9e18;
    return (int64_t)llround(m);
}

void lds_trace_fmt_milli(int64_t v, char *out, size_t n)
{
    unsigned long long a = v < 0 ? (unsigned long long)(-(v + 1)) + 1u : (unsigned long long)v;
    unsigned frac = (unsigned)(a % 1000u);
    int len = snprintf(out, n, "%s%llu", v < 0 ? "-" : "", a / 1000u);
    if (frac && len > 0 && (size_t)len < n) {
        char f[8];
        snprintf(f, sizeof f, ".%03u", frac);
        size_t fl = strlen(f);
        while (f[fl - 1] == '0')
            f[--fl] = '\0';
        snprintf(out + len, n - (size_t)len, "%s", f);
    }
}

void lds_trace__add_milli(lds_buf *b, int64_t v)
{
    char t[40];
    lds_trace_fmt_milli(v, t, sizeof t);
    lds_buf_adds(b, t);
}

const char *lds_trace__bizstep_word(const char *bs)
{
    if (!bs)
        return "";
    static const char *const prefixes[] = {"https://ref.gs1.org/cbv/BizStep-",
                                           "urn:epcglobal:cbv:bizstep:"};
    for (size_t i = 0; i < 2; i++)
        if (strncmp(bs, prefixes[i], strlen(prefixes[i])) == 0)
            return bs + strlen(prefixes[i]);
    return strchr(bs, ':') || strchr(bs, '/') ? "" : bs;
}
