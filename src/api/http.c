/*
 * http.c — replies, RFC 9457 problem details and JSON request bodies.
 * Every error leaves as application/problem+json with type, title, status,
 * detail and, for invalid input, "errors": [{pointer, message}].
 */
#include <string.h>
#include <strings.h>
#include "api_int.h"
#include "lodestone/alloc.h"

void lds_api_reply_json(lds_req *r, int status, const lds_buf *body)
{
    if (body->oom) {
        lds_api_problem(r, 503, "out-of-memory", "Out of memory",
                        "the server ran out of memory building the reply", NULL);
        return;
    }
    lds_api_reply(r, status, "application/json", body->ptr, body->len);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

void lds_api_problem_body(lds_buf *b, int status, const char *slug, const char *title,
                          const char *detail, const char *instance, const char *request_id,
                          const lds_field_errors *fe)
{
    lds_buf_addf(b, "{\"type\":\"urn:lodestone:problem:%s\",\"title\":", slug);
    lds_buf_add_json_str(b, title ? title : status_title(status));
    lds_buf_addf(b, ",\"status\":%d,\"detail\":", status);
    lds_buf_add_json_str(b, detail ? detail : status_title(status));
    lds_buf_adds(b, ",\"instance\":");
    lds_buf_add_json_str(b, instance && *instance ? instance : "/");
    if (request_id) {
        lds_buf_adds(b, ",\"request_id\":");
        lds_buf_add_json_str(b, request_id);
    }
    if (fe && fe->n) {
        lds_buf_adds(b, ",\"errors\":[");
        for (int i = 0; i < fe->n; i++) {
            lds_buf_adds(b, i ? ",{\"pointer\":" : "{\"pointer\":");
            lds_buf_add_json_str(b, fe->items[i].pointer);
            lds_buf_adds(b, ",\"message\":");
            lds_buf_add_json_str(b, fe->items[i].message);
            lds_buf_addc(b, '}');
        }
        lds_buf_addc(b, ']');
    }
    lds_buf_addc(b, '}');
}

void lds_api_problem(lds_req *r, int status, const char *slug, const char *title,
                     const char *detail, const lds_field_errors *fe)
{
    lds_buf b = LDS_BUF_INIT;
    lds_api_problem_body(&b, status, slug, title, detail, r->path, r->id, fe);
    if (b.oom) {
        static const char fallback[] =
            "{\"type\":\"urn:lodestone:problem:out-of-memory\",\"title\":\"Service "
            "Unavailable\",\"status\":503,\"detail\":\"out of memory\"}";
        lds_api_reply(r, 503, "application/problem+json", fallback, sizeof fallback - 1);
    } else {
        lds_api_reply(r, status, "application/problem+json", b.ptr, b.len);
    }
    lds_buf_release(&b);
}

void lds_api_problem_err(lds_req *r, const lds_err *err, const lds_field_errors *fe)
{
    int status = lds_code_http_status(err->code);
    const char *slug;
    switch (err->code) {
    case LDS_EINVAL:
        slug = fe && fe->n ? "invalid-fields" : "invalid-request";
        break;
    case LDS_ENOTFOUND:
        slug = "not-found";
        break;
    case LDS_ECONFLICT:
        slug = "conflict";
        break;
    case LDS_EAUTH:
        slug = "unauthorized";
        break;
    case LDS_EFORBIDDEN:
        slug = "forbidden";
        break;
    case LDS_ENOMEM:
    case LDS_EBUSY:
        slug = "unavailable";
        break;
    default:
        slug = status >= 500 ? "internal" : "invalid-request";
    }
    /* Storage and integrity messages stay in the log, not in the reply. */
    const char *detail = status >= 500 ? lds_code_text(err->code) : err->msg;
    if (status >= 500)
        LDS_LOG(LDS_LOG_ERROR, "http", NULL, "request %s: %s", r->id, err->msg);
    lds_api_problem(r, status, slug, NULL, detail, fe);
}

static int json_content_type(const char *ct)
{
    static const char *const types[] = {"application/json", "application/ld+json"};
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t n = strlen(types[i]);
        if (strncasecmp(ct, types[i], n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return 1;
    }
    return 0;
}

/* Depth of nesting outside strings; jansson's own cap (2048) is far above ours. */
static int nesting_too_deep(const char *p, size_t n, int limit)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > limit)
                return 1;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 0;
}

lds_code lds_api_parse_json(lds_json_arena *arena, const char *p, size_t len, size_t flags,
                            json_t **out, lds_err *err)
{
    *out = NULL;
    if (len == 0)
        return lds_err_at(err, LDS_EINVAL, 1, 1, "the body is empty");
    if (nesting_too_deep(p, len, LDS_API_MAX_DEPTH))
        return lds_err_set(err, LDS_EINVAL, "JSON nesting deeper than %d levels",
                           LDS_API_MAX_DEPTH);
    json_error_t je;
    json_t *doc = arena ? lds_json_arena_loadb(arena, p, len, flags, &je)
                        : json_loadb(p, len, flags, &je);
    if (!doc)
        return lds_err_at(err, LDS_EINVAL, je.line > 0 ? (unsigned)je.line : 1,
                          je.column > 0 ? (unsigned)je.column : 1, "line %d, column %d: %s",
                          je.line, je.column, je.text);
    *out = doc;
    return LDS_OK;
}

json_t *lds_api_read_json(lds_req *r)
{
    size_t len = r->body_len;
    char detail[320];
    if (len > r->w->srv->cfg.max_body_bytes) {
        snprintf(detail, sizeof detail, "the body is %zu bytes; the limit is %zu", len,
                 r->w->srv->cfg.max_body_bytes);
        lds_api_problem(r, 413, "body-too-large", NULL, detail, NULL);
        return NULL;
    }
    const char *ct = lds_api_header(r, "Content-Type");
    if (!json_content_type(ct)) {
        snprintf(detail, sizeof detail,
                 "Content-Type must be application/json or application/ld+json, not '%.80s'",
                 ct ? ct : "(none)");
        lds_api_problem(r, 415, "unsupported-media-type", NULL, detail, NULL);
        return NULL;
    }
    const char *p = len ? r->body : "";
    json_t *doc;
    lds_err err;
    if (lds_api_parse_json(NULL, p, len, JSON_REJECT_DUPLICATES, &doc, &err) == LDS_OK)
        return doc;
    lds_field_errors fe = {0};
    lds_field_errors_add(&fe, "", "%s", err.msg);
    if (!err.line) {
        lds_api_problem(r, 400, "invalid-json", "Malformed JSON", err.msg, &fe);
        return NULL;
    }
    /* Line and column also travel as members for clients that want them. */
    lds_buf b = LDS_BUF_INIT;
    lds_api_problem_body(&b, 400, "invalid-json", "Malformed JSON", err.msg, r->path, r->id, &fe);
    if (!b.oom) {
        b.len--; /* reopen the object */
        lds_buf_addf(&b, ",\"line\":%u,\"column\":%u}", err.line, err.column);
    }
    if (b.oom)
        lds_api_problem(r, 400, "invalid-json", "Malformed JSON", err.msg, &fe);
    else
        lds_api_reply(r, 400, "application/problem+json", b.ptr, b.len);
    lds_buf_release(&b);
    return NULL;
}

/* ---- response cache ------------------------------------------------------ */

uint64_t lds_api_generation(lds_worker *w)
{
    struct timeval now;
    if (event_base_gettimeofday_cached(w->base, &now) != 0)
        w->gen_valid = 0;
    if (!w->gen_valid || now.tv_sec != w->gen_at.tv_sec || now.tv_usec != w->gen_at.tv_usec) {
        w->gen = lds_store_generation(w->store);
        w->gen_at = now;
        w->gen_valid = 1;
    }
    return w->gen;
}

void lds_api_generation_bump(lds_worker *w)
{
    w->gen_valid = 0;
}

static size_t slot_of(const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h % LDS_API_CACHE_SLOTS);
}

const cache_entry *lds_api_cache_get(lds_worker *w, const char *key, uint64_t gen)
{
    const cache_entry *e = &w->cache[slot_of(key)];
    if (e->key && e->generation == gen && strcmp(e->key, key) == 0)
        return e;
    return NULL;
}

void lds_api_cache_put(lds_worker *w, const char *key, uint64_t gen, const lds_buf *body)
{
    if (body->oom || body->len > 256 * 1024)
        return;
    cache_entry *e = &w->cache[slot_of(key)];
    char *k = lds_strdup(key);
    char *v = lds_strndup(body->ptr, body->len);
    if (!k || !v) {
        lds_free(k);
        lds_free(v);
        return;
    }
    lds_free(e->key);
    lds_free(e->body);
    e->key = k;
    e->body = v;
    e->len = body->len;
    e->generation = gen;
}

void lds_api_cache_release(lds_worker *w)
{
    for (int i = 0; i < LDS_API_CACHE_SLOTS; i++) {
        lds_free(w->cache[i].key);
        lds_free(w->cache[i].body);
        w->cache[i].key = w->cache[i].body = NULL;
    }
}
