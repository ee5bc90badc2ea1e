/* api_int.h — internals shared by the HTTP server's files. */
#ifndef LDS_API_INT_H
#define LDS_API_INT_H

#include <event2/event.h>
#include <jansson.h>
#include <stdint.h>
#include <time.h>
#include "lodestone/api.h"
#include "lodestone/auth.h"
#include "lodestone/buf.h"
#include "lodestone/json_arena.h"
#include "lodestone/registry.h"
#include "lodestone/store.h"
#include "http_parse.h"

#define LDS_API_MAX_PARAMS   32
#define LDS_API_MAX_DEPTH    32
#define LDS_API_CACHE_SLOTS  256
#define LDS_API_MAX_SEGMENTS 8

typedef struct cache_entry {
    char *key;           /* request URI, owned */
    uint64_t generation; /* store generation the body was built at */
    char *body;          /* owned */
    size_t len;
} cache_entry;

typedef struct token_entry {
    char token[LDS_TOKEN_LEN + 1];
    uint64_t generation;
    lds_principal who;
} token_entry;

typedef struct lds_conn lds_conn;

typedef struct lds_worker {
    struct lds_server *srv;
    int index;
    struct event_base *base;
    int fd;                  /* listening socket */
    struct event *accept_ev;
    lds_conn *conns;         /* open connections, for shutdown */
    size_t n_conns;
    char date[40];           /* cached "Date: ..." value */
    time_t date_at;
    lds_store *store;
    lds_json_arena *arena;     /* request bodies parsed for capture; reset after each request */
    uint64_t n_requests;
    uint64_t gen;              /* store generation, valid for one loop iteration */
    struct timeval gen_at;     /* the loop's cached time when `gen` was read */
    int gen_valid;
    _Atomic uint64_t by_class[6]; /* replies by status class: [2] = 2xx ... [5] = 5xx */
    cache_entry cache[LDS_API_CACHE_SLOTS];
    token_entry tokens[LDS_API_CACHE_SLOTS];
} lds_worker;

struct lds_server {
    lds_config cfg;
    int port;
    int n_workers;
    lds_worker *workers;
    void *threads; /* pthread_t[n_workers] */
    struct event_base *main_base;
    struct event *sig_int, *sig_term;
    int64_t started_ms; /* wall clock at start, for uptime */
    struct lds_trace_ledger *ledger; /* the transparency log shared by all workers (trace.h) */
};

/** One request being handled. */
typedef struct lds_req {
    lds_worker *w;
    lds_conn *conn;
    const lds_http_head *head;
    lds_http_method method;
    const char *method_name;
    const char *uri;                  /* request-target as sent: the cache key */
    char path[1024];                  /* decoded path */
    char seg_buf[1024];               /* copy of path, split in place */
    char *segs[LDS_API_MAX_SEGMENTS]; /* path split on '/' */
    int n_segs;
    char query_buf[4096];             /* decoded query keys and values */
    lds_kv params[LDS_API_MAX_PARAMS];
    size_t n_params;
    const char *body; /* borrowed from the connection's input */
    size_t body_len;
    lds_buf out_headers; /* extra response header lines */
    lds_principal who;
    char id[24]; /* request id, echoed in X-Request-Id */
    int status;  /* set when replied */
} lds_req;

/** Header of the request (case-insensitive), or NULL. */
const char *lds_api_header(const lds_req *r, const char *name);
/** Adds a response header line. */
void lds_api_add_header(lds_req *r, const char *name, const char *value);

/* ---- routes ---------------------------------------------------------------
 * Each module's routes are a table ending in a NULL pattern, listed in
 * routes.c.  "{id}" in a pattern captures one path segment.
 */
typedef enum lds_access {
    LDS_ACCESS_PUBLIC = 0, /* no token */
    LDS_ACCESS_TOKEN,      /* any valid token; handlers refine per record */
    LDS_ACCESS_OPERATOR,   /* the operator role */
} lds_access;

typedef struct lds_route {
    lds_http_method method;
    const char *pattern;
    lds_access access;
    void (*fn)(lds_req *r, const char *arg, const char *id);
    const char *arg; /* passed to fn, e.g. a resource name */
} lds_route;

extern const lds_route lds_api_routes_registry[];
extern const lds_route lds_api_routes_trace[];
extern const lds_route lds_api_routes_market[];
extern const lds_route lds_api_routes_plan[];
extern const lds_route lds_api_routes_lots[];
extern const lds_route lds_api_routes_reports[];
extern const lds_route lds_api_routes_projects[];
extern const lds_route lds_api_routes_invest[];

/* idempotency.c: Idempotency-Key on creating requests */
/**
 * Reads and checks the request's Idempotency-Key.  Returns 1 when the request
 * has been answered (a bad key, a replayed reply, a key reused with another
 * request); else 0, with `*key` NULL or the key to record with
 * lds_api_idem_record and `hash`.
 */
int lds_api_idem_begin(lds_req *r, const char **key, uint8_t hash[32]);
/** Stores the reply under the key; call inside the creating transaction. */
lds_code lds_api_idem_record(lds_req *r, const char *key, const uint8_t hash[32], int status,
                             const lds_buf *body, const char *location, lds_err *err);

/* http.c: replies */
void lds_api_reply(lds_req *r, int status, const char *content_type, const char *body,
                   size_t len);
void lds_api_reply_json(lds_req *r, int status, const lds_buf *body);
/** Writes an RFC 9457 problem object (type urn:lodestone:problem:<slug>). */
void lds_api_problem_body(lds_buf *b, int status, const char *slug, const char *title,
                          const char *detail, const char *instance, const char *request_id,
                          const lds_field_errors *fe);
/** problem+json: `slug` names the problem type, `fe` (may be NULL) the invalid fields. */
void lds_api_problem(lds_req *r, int status, const char *slug, const char *title,
                     const char *detail, const lds_field_errors *fe);
/** Maps a library error to a problem. */
void lds_api_problem_err(lds_req *r, const lds_err *err, const lds_field_errors *fe);

/**
 * Parses a JSON body: non-empty, nesting at most LDS_API_MAX_DEPTH, no
 * duplicate keys (unless `flags` lacks JSON_REJECT_DUPLICATES), valid
 * UTF-8.  Syntax errors carry line and column.  With an arena the document
 * lives in it (json_arena.h: not to be changed or kept, no json_decref
 * needed); without, the caller owns it.
 */
lds_code lds_api_parse_json(lds_json_arena *arena, const char *p, size_t len, size_t flags,
                            json_t **out, lds_err *err);

/**
 * Reads the JSON body: checks Content-Type (415), size (413), nesting depth
 * and syntax (400 with line/column).  Returns NULL after replying on error.
 */
json_t *lds_api_read_json(lds_req *r);

/* routes_projects.c: a write handler's frame, shared with routes_invest.c */
typedef lds_code (*lds_api_write_fn)(lds_req *r, int what, const char *id, json_t *body,
                                     int64_t now, char *loc, size_t loc_n, lds_buf *out,
                                     lds_buf *refusal, lds_field_errors *fe, lds_err *err);
/* lds_api_write_frame's flags */
#define LDS_API_WRITE_IDEM           1 /* the request may carry an Idempotency-Key */
#define LDS_API_WRITE_ANY_QUERY      2 /* query parameters are ignored, not refused */
#define LDS_API_WRITE_CONFLICT_FIELD 4 /* a 409 naming a field lists it in `errors` */
#define LDS_API_WRITE_CSV            8 /* a text/csv body is left to `fn` (body NULL) */
#define LDS_API_WRITE_BODY_OPTIONAL 16 /* an empty body is no body (body NULL) */
#define LDS_API_WRITE_NO_BODY       32 /* the body is not read (body NULL) */
/** No query parameters, a JSON body, Idempotency-Key with LDS_API_WRITE_IDEM,
 *  `fn` in one transaction, `status` (Location when `fn` wrote `loc`); a
 *  refusal is 409.  `id` (the path's, or any text `fn` needs) goes to `fn`. */
void lds_api_write_frame(lds_req *r, lds_api_write_fn fn, int what, const char *id, int status,
                         int flags);
/** 0 without query parameters; else answers 400 and returns -1. */
int lds_api_no_params(lds_req *r);
int64_t lds_api_now_ms(void);

/* routes.c */
void lds_api_dispatch(lds_req *r);

/* static.c */
void lds_api_serve_static(lds_req *r);

/**
 * The store generation as of this event-loop iteration: read once per
 * iteration (a read transaction costs locks and syscalls), and re-read after
 * this worker writes (lds_api_generation_bump).
 */
uint64_t lds_api_generation(lds_worker *w);
void lds_api_generation_bump(lds_worker *w);

/* cache: per worker, keyed by URI and store generation */
const cache_entry *lds_api_cache_get(lds_worker *w, const char *key, uint64_t gen);
void lds_api_cache_put(lds_worker *w, const char *key, uint64_t gen, const lds_buf *body);
void lds_api_cache_release(lds_worker *w);

#endif
