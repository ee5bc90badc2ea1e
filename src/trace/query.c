/*
 * query.c — the SimpleEventQuery over the REST binding's parameters.  One
 * fixed statement takes every filter as a bound value (NULL = no filter;
 * '|'-separated lists as JSON arrays; MATCH_* values as [low, high) ranges
 * over the identifier index, so an EPC pattern is a prefix range).  Pages
 * follow capture order; the token carries the last row id and a fingerprint
 * of the filters, so it cannot be replayed against another query.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/trace_views.h"
#include "trace_int.h"

enum {
    K_TYPE = 0,
    K_ACTION,
    K_BIZSTEP,
    K_DISP,
    K_READPOINT,
    K_BIZLOC, /* 0..5: lists bound as JSON arrays at ?2..?7 */
    K_GE_ET,
    K_LT_ET,
    K_GE_RT,
    K_LT_RT, /* 6..9: times at ?8..?11 */
    K_MATCH0, /* 10..18: MATCH_* ranges at ?12..?20 */
    K_PERPAGE = K_MATCH0 + 9,
    K_TOKEN,
};

static const struct param {
    const char *name;
    int slot;
} params[] = {
    {"eventType", K_TYPE},
    {"EQ_action", K_ACTION},
    {"EQ_bizStep", K_BIZSTEP},
    {"EQ_disposition", K_DISP},
    {"EQ_readPoint", K_READPOINT},
    {"EQ_bizLocation", K_BIZLOC},
    {"GE_eventTime", K_GE_ET},
    {"LT_eventTime", K_LT_ET},
    {"GE_recordTime", K_GE_RT},
    {"LT_recordTime", K_LT_RT},
    {"MATCH_epc", K_MATCH0 + 0},
    {"MATCH_parentID", K_MATCH0 + 1},
    {"MATCH_inputEPC", K_MATCH0 + 2},
    {"MATCH_outputEPC", K_MATCH0 + 3},
    {"MATCH_anyEPC", K_MATCH0 + 4},
    {"MATCH_epcClass", K_MATCH0 + 5},
    {"MATCH_inputEPCClass", K_MATCH0 + 6},
    {"MATCH_outputEPCClass", K_MATCH0 + 7},
    {"MATCH_anyEPCClass", K_MATCH0 + 8},
    {"perPage", K_PERPAGE},
    {"nextPageToken", K_TOKEN},
};
#define N_PARAMS (sizeof params / sizeof params[0])

/* Roles per MATCH_* parameter are spelled in the SQL (lds_epcis_role values). */
static const char q_events[] =
    "SELECT e.id, l.data FROM epcis_events e JOIN ledger_leaves l ON l.idx = e.leaf_idx "
    "WHERE e.id > ?1 "
    "AND (?2 IS NULL OR e.type IN (SELECT value FROM json_each(?2))) "
    "AND (?3 IS NULL OR e.action IN (SELECT value FROM json_each(?3))) "
    "AND (?4 IS NULL OR e.biz_step IN (SELECT value FROM json_each(?4))) "
    "AND (?5 IS NULL OR e.disposition IN (SELECT value FROM json_each(?5))) "
    "AND (?6 IS NULL OR e.read_point IN (SELECT value FROM json_each(?6))) "
    "AND (?7 IS NULL OR e.biz_location IN (SELECT value FROM json_each(?7))) "
    "AND (?8 IS NULL OR e.event_time_ms >= ?8) "
    "AND (?9 IS NULL OR e.event_time_ms < ?9) "
    "AND (?10 IS NULL OR e.record_time_ms >= ?10) "
    "AND (?11 IS NULL OR e.record_time_ms < ?11) "
#define MATCH_SQL(n, roles)                                                                        \
    "AND (?" #n " IS NULL OR EXISTS (SELECT 1 FROM json_each(?" #n ") j, epcis_event_ids i "      \
    "WHERE i.uri >= json_extract(j.value, '$[0]') AND i.uri < json_extract(j.value, '$[1]') "     \
    "AND i.role IN " roles " AND i.event = e.id)) "
    MATCH_SQL(12, "(1, 3)") MATCH_SQL(13, "(2)") MATCH_SQL(14, "(4)") MATCH_SQL(15, "(5)")
        MATCH_SQL(16, "(1, 2, 3, 4, 5)") MATCH_SQL(17, "(6, 7)") MATCH_SQL(18, "(8)")
            MATCH_SQL(19, "(9)") MATCH_SQL(20, "(6, 7, 8, 9)")
    /* The caller's view (trace_views.h): NULL = every event. */
    "AND (?22 IS NULL OR e.capture_id IN (SELECT c.id FROM epcis_captures c WHERE c.org_id = ?22) "
    "OR e.biz_location IN (SELECT '" LDS_TRACE_FACILITY_URI "' || f.id FROM facilities f "
    "WHERE f.org_id = ?22) "
    "OR e.read_point IN (SELECT '" LDS_TRACE_FACILITY_URI "' || f.id FROM facilities f "
    "WHERE f.org_id = ?22)) "
    "ORDER BY e.id LIMIT ?21";

/* Adds the range [lo, lo + "\x01") — exactly `lo` — or, for a prefix, [lo, lo with its
 * last byte incremented). */
static int add_range(json_t *arr, const char *lo, size_t n, int prefix)
{
    char *hi = lds_malloc(n + 2);
    if (!hi)
        return -1;
    memcpy(hi, lo, n);
    if (prefix && n > 0 && (unsigned char)hi[n - 1] < 0x7f) {
        hi[n - 1]++;
        hi[n] = '\0';
    } else {
        hi[n] = '\x01';
        hi[n + 1] = '\0';
    }
    json_t *pair = json_pack("[s#s]", lo, (int)n, hi);
    lds_free(hi);
    return pair ? json_array_append_new(arr, pair) : -1;
}

/* One MATCH_* value: its canonical form exactly, and for a pattern ('*')
 * every identifier under it, in Digital Link form (".../01/<gtin>/") and
 * in EPC URI form ("urn:epc:id:sgtin:0614141.107346."). */
static int add_match(json_t *arr, const char *v, lds_buf *tmp)
{
    lds_buf_reset(tmp);
    int has_dl = lds_epcis_uri_to_dl(v, tmp) && !tmp->oom;
    const char *key = has_dl ? tmp->ptr : v;
    if (add_range(arr, key, strlen(key), 0))
        return -1;
    const char *star = strchr(v, '*');
    if (!star)
        return 0;
    if (has_dl) {
        lds_buf_addc(tmp, '/');
        if (tmp->oom || add_range(arr, tmp->ptr, tmp->len, 1))
            return -1;
    }
    if (strncmp(v, "urn:epc:idpat:", 14) == 0 && star[1] == '\0') {
        /* A trailing wildcard: convert the pattern with a one-digit last
         * field and drop that digit, giving the Digital Link prefix of every
         * identifier under it ("urn:epc:idpat:giai:4000001.*" ->
         * "https://id.gs1.org/8004/4000001"). */
        lds_buf_reset(tmp);
        lds_buf_adds(tmp, "urn:epc:id:");
        lds_buf_add(tmp, v + 14, (size_t)(star - (v + 14)));
        lds_buf_addc(tmp, '0');
        lds_buf dl = LDS_BUF_INIT;
        int ok = !tmp->oom && lds_epcis_uri_to_dl(tmp->ptr, &dl) && !dl.oom && dl.len > 1 &&
                 dl.ptr[dl.len - 1] == '0';
        int bad = ok && add_range(arr, dl.ptr, dl.len - 1, 1);
        lds_buf_release(&dl);
        if (bad)
            return -1;
        lds_buf_reset(tmp);
        lds_buf_adds(tmp, "urn:epc:id:");
        lds_buf_add(tmp, v + 14, (size_t)(star - (v + 14)));
        if (tmp->oom || add_range(arr, tmp->ptr, tmp->len, 1))
            return -1;
    }
    return 0;
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (h ^ 0xff) * 1099511628211ull;
}

int64_t lds_trace_viewer_org(const lds_principal *who)
{
    if (who->role == LDS_ROLE_OPERATOR || who->role == LDS_ROLE_AUDITOR)
        return 0;
    /* A principal without an org (none is issued) must still see nothing. */
    return who->org_id ? who->org_id : -1;
}

int lds_trace_event_visible(lds_store *s, int64_t org, const char *event_id, lds_err *err)
{
    static const char q[] =
        "SELECT 1 FROM " LDS_TRACE__EVENTS_KEYED("?3") " WHERE e.event_id = ?1 "
        "AND (?2 IS NULL OR e.capture_id IN (SELECT c.id FROM epcis_captures c "
        "WHERE c.org_id = ?2) "
        "OR e.biz_location IN (SELECT '" LDS_TRACE_FACILITY_URI "' || f.id FROM facilities f "
        "WHERE f.org_id = ?2) "
        "OR e.read_point IN (SELECT '" LDS_TRACE_FACILITY_URI "' || f.id FROM facilities f "
        "WHERE f.org_id = ?2))";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return -(int)rc;
    lds_stmt_bind_text(st, 1, event_id);
    if (org)
        lds_stmt_bind_i64(st, 2, org);
    else
        lds_stmt_bind_null(st, 2);
    lds_stmt_bind_i64(st, 3, lds_store_key64(event_id));
    return lds_stmt_exists(st, err);
}

int lds_trace_leaf_visible(lds_store *s, int64_t org, uint64_t index, lds_err *err)
{
    /* The event logged as that leaf (its eventID is in the leaf's bytes),
     * under the rule of lds_trace_event_visible: two keyed lookups, no scan. */
    if (!org)
        return 1;
    lds_buf b = LDS_BUF_INIT;
    lds_code rc = lds_trace_leaf(s, index, &b, err);
    if (rc) {
        lds_buf_release(&b);
        return rc == LDS_ENOTFOUND ? 0 : -(int)rc;
    }
    json_t *leaf = json_loadb(b.ptr, b.len, 0, NULL);
    lds_buf_release(&b);
    const char *event_id = json_string_value(json_object_get(leaf, "eventID"));
    int v = event_id ? lds_trace_event_visible(s, org, event_id, err) : 0;
    json_decref(leaf);
    return v;
}

int lds_trace_capture_visible(lds_store *s, int64_t org, int64_t capture_id, lds_err *err)
{
    static const char q[] = "SELECT 1 FROM epcis_captures WHERE id = ?1 AND org_id = ?2";
    if (!org)
        return 1;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return -(int)rc;
    lds_stmt_bind_i64(st, 1, capture_id);
    lds_stmt_bind_i64(st, 2, org);
    return lds_stmt_exists(st, err);
}

lds_code lds_trace_event_json_as(lds_store *s, int64_t org, const char *event_id, lds_buf *out,
                                 lds_err *err)
{
    if (org) {
        int v = lds_trace_event_visible(s, org, event_id, err);
        if (v < 0)
            return (lds_code)-v;
        if (v == 0) /* the same answer as for a missing event: no existence leak */
            return lds_err_set(err, LDS_ENOTFOUND, "no event with eventID '%.200s'", event_id);
    }
    return lds_trace_event_json(s, event_id, out, err);
}

lds_code lds_trace_query(lds_store *s, const lds_kv *kv, size_t n_kv, lds_buf *out,
                         char *next_token, size_t token_cap, lds_field_errors *fe, lds_err *err)
{
    return lds_trace_query_as(s, 0, kv, n_kv, out, next_token, token_cap, fe, err);
}

lds_code lds_trace_event_json(lds_store *s, const char *event_id, lds_buf *out, lds_err *err)
{
    static const char q[] = "SELECT l.data FROM " LDS_TRACE__EVENTS_KEYED("?1")
                            " JOIN ledger_leaves l ON l.idx = e.leaf_idx "
                            "WHERE e.event_id = ?2";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_i64(st, 1, lds_store_key64(event_id));
    lds_stmt_bind_text(st, 2, event_id);
    int step = lds_stmt_step(st, err);
    if (step == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no event with eventID '%.200s'", event_id);
    if (step != LDS_STORE_ROW)
        return (lds_code)step;
    int n = 0;
    const void *p = lds_stmt_col_blob(st, 0, &n);
    lds_buf_add(out, p, (size_t)n);
    lds_stmt_reset(st);
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}

lds_code lds_trace_query_as(lds_store *s, int64_t org, const lds_kv *kv, size_t n_kv,
                            lds_buf *out, char *next_token, size_t token_cap,
                            lds_field_errors *fe, lds_err *err)
{
    json_t *lists[K_MATCH0 + 9] = {0};
    int64_t times[4] = {0};
    int has_time[4] = {0};
    int seen[K_TOKEN + 1] = {0};
    long long per_page = LDS_TRACE_PER_PAGE_DEFAULT;
    int64_t after = 0;
    uint64_t fp = 1469598103934665603ull;
    const char *token = NULL;
    lds_buf tmp = LDS_BUF_INIT;
    lds_code rc = LDS_OK;
    next_token[0] = '\0';

    for (size_t i = 0; i < n_kv; i++) {
        const char *k = kv[i].key, *v = kv[i].value;
        size_t p = 0;
        while (p < N_PARAMS && strcmp(params[p].name, k) != 0)
            p++;
        if (p == N_PARAMS) {
            lds_field_errors_add(fe, k, "unknown or unsupported query parameter '%.60s'", k);
            continue;
        }
        int slot = params[p].slot;
        if (seen[slot]++) {
            lds_field_errors_add(fe, k, "given twice; separate several values with '|'");
            continue;
        }
        if (slot == K_TOKEN) {
            token = v;
            continue;
        }
        if (slot == K_PERPAGE) {
            char *end;
            per_page = strtoll(v, &end, 10);
            if (!*v || *end || per_page < 1 || per_page > LDS_TRACE_PER_PAGE_MAX)
                lds_field_errors_add(fe, k, "perPage must be an integer in 1..%d",
                                     LDS_TRACE_PER_PAGE_MAX);
            continue;
        }
        fp = fnv(fnv(fp, k), v);
        if (slot >= K_GE_ET && slot <= K_LT_RT) {
            int off;
            char fixed[64];
            /* An unescaped '+' in a query string decodes as a space. */
            snprintf(fixed, sizeof fixed, "%s", v);
            for (char *c = fixed; *c; c++)
                if (*c == ' ')
                    *c = '+';
            if (lds_epcis_parse_time(fixed, &times[slot - K_GE_ET], &off) != 0)
                lds_field_errors_add(fe, k, "'%.60s' is not an RFC 3339 time with an offset", v);
            has_time[slot - K_GE_ET] = 1;
            continue;
        }
        json_t *arr = lists[slot] = json_array();
        if (!arr) {
            rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
            goto done;
        }
        const char *a = v;
        for (;;) {
            const char *bar = strchr(a, '|');
            size_t n = bar ? (size_t)(bar - a) : strlen(a);
            char *one = lds_strndup(a, n);
            if (!one) {
                rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
                goto done;
            }
            int bad = n == 0;
            lds_buf_reset(&tmp);
            if (bad) {
                lds_field_errors_add(fe, k, "empty value");
            } else if (slot == K_TYPE) {
                if (lds_epcis_type_parse(one) == LDS_EPCIS_TYPE_UNKNOWN)
                    lds_field_errors_add(fe, k, "'%.60s' is not an EPCIS 2.0 event type", one);
                json_array_append_new(arr, json_string(one));
            } else if (slot == K_ACTION) {
                if (strcmp(one, "ADD") && strcmp(one, "OBSERVE") && strcmp(one, "DELETE"))
                    lds_field_errors_add(fe, k, "'%.60s' is not ADD, OBSERVE or DELETE", one);
                json_array_append_new(arr, json_string(one));
            } else if (slot == K_BIZSTEP || slot == K_DISP) {
                lds_epcis_cbv_normalize(slot == K_BIZSTEP ? LDS_EPCIS_VOCAB_BIZSTEP
                                                          : LDS_EPCIS_VOCAB_DISPOSITION,
                                        one, &tmp);
                json_array_append_new(arr, json_string(tmp.ptr));
            } else if (slot == K_READPOINT || slot == K_BIZLOC) {
                json_array_append_new(
                    arr, json_string(lds_epcis_uri_to_dl(one, &tmp) && !tmp.oom ? tmp.ptr : one));
            } else if (add_match(arr, one, &tmp)) {
                lds_free(one);
                rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
                goto done;
            }
            lds_free(one);
            if (!bar)
                break;
            a = bar + 1;
        }
    }
    if (token) {
        unsigned long long last = 0, got_fp = 0;
        int used = 0;
        if (sscanf(token, "%llu.%16llx%n", &last, &got_fp, &used) != 2 ||
            token[used] != '\0' || last > INT64_MAX)
            lds_field_errors_add(fe, "nextPageToken", "malformed nextPageToken");
        else if (got_fp != fp)
            lds_field_errors_add(fe, "nextPageToken",
                                 "nextPageToken belongs to a query with other parameters");
        else
            after = (int64_t)last;
    }
    if (fe->n) {
        rc = lds_err_set(err, LDS_EINVAL, "invalid query parameters");
        goto done;
    }

    lds_stmt *st;
    if ((rc = lds_store_prepare(s, q_events, &st, err)))
        goto done;
    lds_stmt_bind_i64(st, 1, after);
    for (int k = 0; k < K_MATCH0 + 9; k++) {
        int idx = k < K_GE_ET ? k + 2 : k >= K_MATCH0 ? 12 + (k - K_MATCH0) : 0;
        if (!idx)
            continue;
        if (!lists[k]) {
            lds_stmt_bind_null(st, idx);
            continue;
        }
        char *text = json_dumps(lists[k], JSON_COMPACT);
        if (!text) {
            rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
            goto done;
        }
        lds_stmt_bind_text(st, idx, text);
        free(text);
    }
    for (int t = 0; t < 4; t++) {
        if (has_time[t])
            lds_stmt_bind_i64(st, 8 + t, times[t]);
        else
            lds_stmt_bind_null(st, 8 + t);
    }
    lds_stmt_bind_i64(st, 21, per_page + 1);
    if (org)
        lds_stmt_bind_i64(st, 22, org);
    else
        lds_stmt_bind_null(st, 22);

    char now[32];
    lds_trace__fmt_time(lds_trace__now_ms(), now);
    lds_buf_addf(out,
                 "{\"@context\":[\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\"],"
                 "\"type\":\"EPCISQueryDocument\",\"schemaVersion\":\"2.0\","
                 "\"creationDate\":\"%s\",\"epcisBody\":{\"queryResults\":{"
                 "\"queryName\":\"SimpleEventQuery\",\"resultsBody\":{\"eventList\":[",
                 now);
    long long n_rows = 0;
    int64_t last_id = 0;
    int step;
    while ((step = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (n_rows == per_page) {
            snprintf(next_token, token_cap, "%lld.%016llx", (long long)last_id,
                     (unsigned long long)fp);
            lds_stmt_reset(st);
            step = LDS_STORE_DONE;
            break;
        }
        int n = 0;
        const void *p = lds_stmt_col_blob(st, 1, &n);
        if (n_rows)
            lds_buf_addc(out, ',');
        lds_buf_add(out, p, (size_t)n);
        last_id = lds_stmt_col_i64(st, 0);
        n_rows++;
    }
    if (step != LDS_STORE_DONE) {
        rc = (lds_code)step;
        goto done;
    }
    lds_buf_adds(out, "]}}}}");
    if (out->oom)
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
done:
    for (int k = 0; k < K_MATCH0 + 9; k++)
        json_decref(lists[k]);
    lds_buf_release(&tmp);
    return rc;
}
