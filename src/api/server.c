/*
 * server.c — listening sockets, worker threads, connections and the request
 * entry point.  Each worker owns a libevent event base, a listening socket
 * bound to the shared port with SO_REUSEPORT (the kernel spreads
 * connections), its connections and a store connection.  Request heads are
 * parsed by http_parse.c; limits on head size, body size and idle time apply
 * to every connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "api_int.h"
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/log.h"
#include "lodestone/trace.h"


static lds_code listen_socket(const char *bind_addr, int port, int *fd_out, int *port_out,
                              lds_err *err)
{
    struct sockaddr_in6 a6;
    struct sockaddr_in a4;
    struct sockaddr *sa;
    socklen_t len;
    int family;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, bind_addr, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&a4;
        len = sizeof a4;
        family = AF_INET;
    } else if (inet_pton(AF_INET6, bind_addr, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&a6;
        len = sizeof a6;
        family = AF_INET6;
    } else {
        return lds_err_field(err, LDS_EINVAL, "bind", "bind address '%s' is not an IP address",
                             bind_addr);
    }
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return lds_err_set(err, LDS_EIO, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    /* Replies leave in one segment train; without this, a reply over one
     * write (16 KiB) waits for the peer's delayed ACK (Nagle), ~40 ms.
     * Accepted sockets inherit it. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bind(fd, sa, len) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        return lds_err_set(err, LDS_EIO, "cannot listen on %s:%d: %s", bind_addr, port,
                           strerror(e));
    }
    if (port_out) {
        struct sockaddr_storage got;
        socklen_t gl = sizeof got;
        getsockname(fd, (struct sockaddr *)&got, &gl);
        *port_out = got.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&got)->sin6_port)
                                              : ntohs(((struct sockaddr_in *)&got)->sin_port);
    }
    *fd_out = fd;
    return LDS_OK;
}

/* ---- connections -----------------------------------------------------------
 *
 * Each connection is read into one growing buffer; complete requests are
 * handled in order (pipelining), their replies appended to one output buffer
 * and written with a single write(2) when the input is drained.  Only when the
 * socket cannot take a whole reply is a write event armed.  So a keep-alive
 * request costs one read and one write, no epoll_ctl.
 */

struct lds_conn {
    lds_worker *w;
    int fd;
    struct event *rev, *wev;
    char *in;
    size_t in_len, in_cap;
    lds_buf out;
    size_t out_off;
    int close_after; /* close once the output is written */
    int sent_continue;
    char *scratch;   /* max_header_bytes + 1, the split copy of a head */
    lds_conn *prev, *next;
};

static void conn_close(lds_conn *c)
{
    lds_worker *w = c->w;
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    w->n_conns--;
    event_free(c->rev);
    event_free(c->wev);
    close(c->fd);
    lds_free(c->in);
    lds_free(c->scratch);
    lds_buf_release(&c->out);
    lds_free(c);
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
    }
}

static const char *date_header(lds_worker *w)
{
    struct timeval now;
    event_base_gettimeofday_cached(w->base, &now);
    if (now.tv_sec != w->date_at || !w->date[0]) {
        struct tm tm;
        time_t t = now.tv_sec;
        gmtime_r(&t, &tm);
        strftime(w->date, sizeof w->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        w->date_at = now.tv_sec;
    }
    return w->date;
}

void lds_api_reply(lds_req *r, int status, const char *content_type, const char *body, size_t len)
{
    lds_conn *c = r->conn;
    lds_buf *o = &c->out;
    r->status = status;
    if (r->head && !r->head->keep_alive)
        c->close_after = 1;
    lds_buf_addf(o, "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n",
                 status, reason_phrase(status), date_header(r->w), content_type, len);
    if (r->id[0])
        lds_buf_addf(o, "X-Request-Id: %s\r\n", r->id);
    lds_buf_adds(o, "X-Content-Type-Options: nosniff\r\n");
    if (!strstr(r->out_headers.ptr, "Cache-Control:"))
        lds_buf_adds(o, "Cache-Control: no-store\r\n");
    lds_buf_add(o, r->out_headers.ptr, r->out_headers.len);
    lds_buf_adds(o, c->close_after ? "Connection: close\r\n\r\n" : "\r\n");
    if (r->method != LDS_HTTP_HEAD)
        lds_buf_add(o, body, len);
}

const char *lds_api_header(const lds_req *r, const char *name)
{
    return r->head ? lds_http_header_get(r->head, name) : NULL;
}

void lds_api_add_header(lds_req *r, const char *name, const char *value)
{
    lds_buf_addf(&r->out_headers, "%s: %s\r\n", name, value);
}

/* Splits the raw path on '/' and decodes each segment, so an escaped slash
 * stays inside its segment (EPCIS eventIDs such as "ni:///sha-256;..."). */
static void split_path(lds_req *r)
{
    r->n_segs = 0;
    const char *p = r->uri;
    const char *end = p + strcspn(p, "?#");
    size_t used = 0;
    while (p < end && *p == '/')
        p++;
    while (p < end && r->n_segs < LDS_API_MAX_SEGMENTS) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *seg_end = slash ? slash : end;
        long n = lds_http_decode(p, (size_t)(seg_end - p), r->seg_buf + used,
                                 sizeof r->seg_buf - used, 0);
        if (n < 0)
            return; /* cannot happen: the whole path decoded into as much room */
        r->segs[r->n_segs++] = r->seg_buf + used;
        used += (size_t)n + 1;
        if (!slash)
            return;
        p = slash + 1;
    }
}

/* Decodes the path and the query (key=value&...) of the request target. */
static int decode_target(lds_req *r, const char **why)
{
    const char *t = r->uri;
    const char *q = strchr(t, '?');
    const char *path_end = q ? q : t + strlen(t);
    const char *hash = memchr(t, '#', (size_t)(path_end - t));
    if (hash)
        path_end = hash;
    if (lds_http_decode(t, (size_t)(path_end - t), r->path, sizeof r->path, 0) < 0) {
        *why = "the path is too long or has a bad percent-escape";
        return -1;
    }
    if (!q)
        return 0;
    const char *p = q + 1;
    const char *qend = strchr(p, '#');
    if (!qend)
        qend = p + strlen(p);
    size_t used = 0;
    while (p < qend) {
        const char *amp = memchr(p, '&', (size_t)(qend - p));
        const char *pair_end = amp ? amp : qend;
        if (pair_end > p) {
            if (r->n_params == LDS_API_MAX_PARAMS) {
                *why = "at most 32 query parameters are accepted";
                return -1;
            }
            const char *eq = memchr(p, '=', (size_t)(pair_end - p));
            const char *kend = eq ? eq : pair_end;
            long kn = lds_http_decode(p, (size_t)(kend - p), r->query_buf + used,
                                      sizeof r->query_buf - used, 1);
            if (kn < 0) {
                *why = "the query string is too long or has a bad percent-escape";
                return -1;
            }
            r->params[r->n_params].key = r->query_buf + used;
            used += (size_t)kn + 1;
            const char *v = eq ? eq + 1 : pair_end;
            long vn = lds_http_decode(v, (size_t)(pair_end - v), r->query_buf + used,
                                      sizeof r->query_buf - used, 1);
            if (vn < 0) {
                *why = "the query string is too long or has a bad percent-escape";
                return -1;
            }
            r->params[r->n_params].value = r->query_buf + used;
            used += (size_t)vn + 1;
            r->n_params++;
        }
        p = pair_end + 1;
    }
    return 0;
}

static void log_outcome(const lds_req *r)
{
    lds_worker *w = r->w;
    if (r->status >= 100 && r->status < 600)
        atomic_fetch_add_explicit(&w->by_class[r->status / 100], 1, memory_order_relaxed);
    if (r->status >= 500)
        LDS_LOG(LDS_LOG_ERROR, "http", NULL, "%s %s -> %d (request %s)", r->method_name,
                r->path, r->status, r->id);
    else if (r->status >= 400)
        LDS_LOG(LDS_LOG_INFO, "http", NULL, "%s %s -> %d (request %s)", r->method_name,
                r->path[0] ? r->path : "-", r->status, r->id);
}

/* Handles one complete request. */
static void handle(lds_conn *c, const lds_http_head *head, const char *body, size_t body_len)
{
    lds_worker *w = c->w;
    lds_req r;
    memset(&r, 0, sizeof r);
    r.w = w;
    r.conn = c;
    r.head = head;
    r.method = head->method;
    r.method_name = head->method_name;
    r.uri = head->target;
    r.body = body;
    r.body_len = body_len;
    lds_buf_init(&r.out_headers);
    snprintf(r.id, sizeof r.id, "%x-%llx", (unsigned)w->index,
             (unsigned long long)++w->n_requests);
    const char *why = NULL;
    if (decode_target(&r, &why) != 0) {
        lds_api_problem(&r, 400, "bad-request-target", NULL, why, NULL);
    } else if (strncmp(r.path, "/api/", 5) == 0 || strncmp(r.path, "/epcis", 6) == 0 ||
               strcmp(r.path, "/healthz") == 0 || strcmp(r.path, "/metrics") == 0 ||
               strcmp(r.path, "/api") == 0) {
        split_path(&r);
        lds_api_dispatch(&r);
    } else {
        lds_api_serve_static(&r);
    }
    lds_store_end_reads(w->store); /* no read snapshot outlives a request */
    lds_json_arena_reset(w->arena); /* nor a body parsed into the arena */
    log_outcome(&r);
    lds_buf_release(&r.out_headers);
}

/* Replies to a request whose head could not be used, then closes. */
static void refuse(lds_conn *c, int status, const char *why)
{
    lds_req r;
    memset(&r, 0, sizeof r);
    r.w = c->w;
    r.conn = c;
    r.method = LDS_HTTP_OTHER;
    r.method_name = "-";
    lds_buf_init(&r.out_headers);
    snprintf(r.id, sizeof r.id, "%x-%llx", (unsigned)c->w->index,
             (unsigned long long)++c->w->n_requests);
    c->close_after = 1;
    lds_api_problem(&r, status, status == 431 ? "headers-too-large" : "bad-request", NULL, why,
                    NULL);
    log_outcome(&r);
    lds_buf_release(&r.out_headers);
}

static void conn_flush(lds_conn *c);

/* Parses and handles every complete request in the input buffer. */
static void conn_process(lds_conn *c)
{
    const lds_config *cfg = &c->w->srv->cfg;
    size_t off = 0;
    while (!c->close_after && off < c->in_len) {
        lds_http_head head;
        const char *why = NULL;
        int rc = lds_http_parse_head(c->in + off, c->in_len - off, cfg->max_header_bytes,
                                     c->scratch, &head, &why);
        if (rc == 0)
            break;
        if (rc != 1) {
            refuse(c, rc, why);
            break;
        }
        /* Bodies over the limit are refused before they are read.  The
         * problem+json reply is sent at once and the connection closed. */
        if (head.content_length > cfg->max_body_bytes) {
            lds_req r;
            memset(&r, 0, sizeof r);
            r.w = c->w;
            r.conn = c;
            r.head = &head;
            r.method = head.method;
            r.method_name = head.method_name;
            lds_buf_init(&r.out_headers);
            snprintf(r.id, sizeof r.id, "%x-%llx", (unsigned)c->w->index,
                     (unsigned long long)++c->w->n_requests);
            char detail[160];
            snprintf(detail, sizeof detail, "the body is %llu bytes; the limit is %zu",
                     (unsigned long long)head.content_length, cfg->max_body_bytes);
            lds_http_decode(head.target, strcspn(head.target, "?#"), r.path, sizeof r.path, 0);
            c->close_after = 1;
            lds_api_problem(&r, 413, "body-too-large", NULL, detail, NULL);
            log_outcome(&r);
            lds_buf_release(&r.out_headers);
            break;
        }
        size_t need = head.head_len + (size_t)head.content_length;
        if (c->in_len - off < need) {
            if (head.expect_continue && !c->sent_continue) {
                lds_buf_adds(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
                c->sent_continue = 1;
            }
            break;
        }
        handle(c, &head, c->in + off + head.head_len, (size_t)head.content_length);
        c->sent_continue = 0;
        off += need;
    }
    if (off) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
    conn_flush(c);
}

static void conn_flush(lds_conn *c)
{
    struct timeval tv = {c->w->srv->cfg.timeout_seconds, 0};
    while (c->out_off < c->out.len) {
        ssize_t n = write(c->fd, c->out.ptr + c->out_off, c->out.len - c->out_off);
        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* The peer is not reading: stop reading its requests until it
             * has taken our replies (TCP pushes back on a pipelining client). */
            event_del(c->rev);
            event_add(c->wev, &tv);
            return;
        }
        conn_close(c); /* peer gone */
        return;
    }
    if (c->out.oom) {
        conn_close(c);
        return;
    }
    lds_buf_reset(&c->out);
    c->out_off = 0;
    if (c->out.cap > (256u << 10)) /* don't keep a large buffer per idle connection */
        lds_buf_release(&c->out);
    if (c->close_after) {
        conn_close(c);
        return;
    }
    if (event_pending(c->wev, EV_WRITE, NULL)) {
        event_del(c->wev);
        event_add(c->rev, &tv);
        conn_process(c); /* requests that arrived while we were blocked */
    }
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    lds_conn *c = arg;
    if (what & EV_TIMEOUT) {
        conn_close(c);
        return;
    }
    conn_flush(c);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    lds_conn *c = arg;
    const lds_config *cfg = &c->w->srv->cfg;
    if (what & EV_TIMEOUT) {
        conn_close(c); /* idle keep-alive or a client too slow to send its request */
        return;
    }
    if (c->out_off < c->out.len)
        return; /* still writing the previous replies: let TCP push back */
    size_t limit = cfg->max_header_bytes + cfg->max_body_bytes + 1;
    for (;;) {
        if (c->in_len == c->in_cap) {
            if (c->in_cap >= limit)
                break;
            size_t cap = c->in_cap ? c->in_cap * 2 : 4096;
            if (cap > limit)
                cap = limit;
            char *p = lds_realloc(c->in, cap);
            if (!p) {
                conn_close(c);
                return;
            }
            c->in = p;
            c->in_cap = cap;
        }
        ssize_t n = read(fd, c->in + c->in_len, c->in_cap - c->in_len);
        if (n > 0) {
            c->in_len += (size_t)n;
            if (c->in_len < c->in_cap)
                break; /* drained the socket for now */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        conn_close(c); /* EOF or error */
        return;
    }
    conn_process(c);
}

static void resume_accept(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    lds_worker *w = arg;
    event_add(w->accept_ev, NULL);
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
    (void)what;
    lds_worker *w = arg;
    for (int i = 0; i < 64; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* Out of descriptors: the pending connection would wake us
                 * again at once.  Pause accepting for a second. */
                static const struct timeval pause = {1, 0};
                event_del(w->accept_ev);
                event_base_once(w->base, -1, EV_TIMEOUT, resume_accept, w, &pause);
                LDS_LOG(LDS_LOG_WARN, "server", NULL, "accept: %s; pausing for 1 s",
                        strerror(errno));
            }
            return; /* EAGAIN: no more pending connections */
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        lds_conn *c = lds_calloc(1, sizeof *c);
        char *scratch = lds_malloc(w->srv->cfg.max_header_bytes + 1);
        if (!c || !scratch) {
            lds_free(c);
            lds_free(scratch);
            close(fd);
            continue;
        }
        c->w = w;
        c->fd = fd;
        c->scratch = scratch;
        lds_buf_init(&c->out);
        c->rev = event_new(w->base, fd, EV_READ | EV_PERSIST, on_readable, c);
        c->wev = event_new(w->base, fd, EV_WRITE | EV_PERSIST, on_writable, c);
        struct timeval tv = {w->srv->cfg.timeout_seconds, 0};
        if (!c->rev || !c->wev || event_add(c->rev, &tv) != 0) {
            if (c->rev)
                event_free(c->rev);
            if (c->wev)
                event_free(c->wev);
            lds_free(scratch);
            lds_free(c);
            close(fd);
            continue;
        }
        c->next = w->conns;
        if (w->conns)
            w->conns->prev = c;
        w->conns = c;
        w->n_conns++;
    }
}

static void *worker_main(void *arg)
{
    lds_worker *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

static void on_signal(evutil_socket_t sig, short events, void *arg)
{
    (void)events;
    lds_server *srv = arg;
    LDS_LOG(LDS_LOG_INFO, "server", NULL, "signal %d: shutting down", (int)sig);
    lds_server_stop(srv);
}

static lds_code worker_init(lds_server *srv, lds_worker *w, int fd, lds_err *err)
{
    lds_code rc;
    w->srv = srv;
    w->fd = fd;
    if ((rc = lds_store_open(srv->cfg.db_path, &w->store, err)))
        return rc;
    if (!(w->arena = lds_json_arena_new()))
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    /* The changelist batches epoll_ctl calls. */
    struct event_config *ec = event_config_new();
    if (ec) {
        event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
        w->base = event_base_new_with_config(ec);
        event_config_free(ec);
    }
    if (!w->base)
        return lds_err_set(err, LDS_ENOMEM, "cannot create event base");
    w->accept_ev = event_new(w->base, fd, EV_READ | EV_PERSIST, on_accept, w);
    if (!w->accept_ev || event_add(w->accept_ev, NULL) != 0)
        return lds_err_set(err, LDS_EIO, "cannot watch the listening socket");
    return LDS_OK;
}

lds_code lds_server_start(const lds_config *cfg, lds_server **out, lds_err *err)
{
    lds_code rc;
    *out = NULL;
    static int threads_ready;
    if (!threads_ready) {
        if (evthread_use_pthreads() != 0)
            return lds_err_set(err, LDS_EIO, "libevent threading unavailable");
        threads_ready = 1;
        signal(SIGPIPE, SIG_IGN);
    }
    lds_server *srv = lds_calloc(1, sizeof *srv);
    if (!srv)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    srv->cfg = *cfg;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    srv->started_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    srv->n_workers = cfg->threads > 0 ? cfg->threads : 1;
    srv->workers = lds_calloc((size_t)srv->n_workers, sizeof *srv->workers);
    srv->threads = lds_calloc((size_t)srv->n_workers, sizeof(pthread_t));
    srv->main_base = event_base_new();
    if (!srv->workers || !srv->threads || !srv->main_base) {
        lds_server_free(srv);
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    }
    for (int i = 0; i < srv->n_workers; i++)
        srv->workers[i].fd = -1;

    /* Check the database once, before any socket is bound. */
    lds_store *probe = NULL;
    int version = 0;
    if ((rc = lds_store_open(cfg->db_path, &probe, err)) ||
        (rc = lds_store_schema_version(probe, &version, err))) {
        lds_store_close(probe);
        lds_server_free(srv);
        return rc;
    }
    if (version < lds_store_latest_version()) {
        lds_store_close(probe);
        lds_server_free(srv);
        return lds_err_set(err, LDS_EINVAL,
                           "database '%s' is at schema version %d, this build needs %d: run "
                           "'lodestone migrate --db %s'",
                           cfg->db_path, version, lds_store_latest_version(), cfg->db_path);
    }
    /* The transparency log: tree rebuilt from the leaf table, key created on first start. */
    char key_path[1024];
    if ((rc = lds_trace_key_path(cfg->db_path, cfg->ledger_key, key_path, sizeof key_path, err)) ||
        (rc = lds_trace_ledger_open(probe, key_path, &srv->ledger, err))) {
        lds_store_close(probe);
        lds_server_free(srv);
        return rc;
    }
    lds_store_close(probe);

    int port = cfg->port;
    for (int i = 0; i < srv->n_workers; i++) {
        lds_worker *w = &srv->workers[i];
        w->index = i;
        int fd = -1;
        if ((rc = listen_socket(cfg->bind, port, &fd, i == 0 ? &port : NULL, err)) ||
            (rc = worker_init(srv, w, fd, err))) {
            lds_server_free(srv);
            return rc;
        }
    }
    srv->port = port;
    srv->sig_int = evsignal_new(srv->main_base, SIGINT, on_signal, srv);
    srv->sig_term = evsignal_new(srv->main_base, SIGTERM, on_signal, srv);
    if (srv->sig_int)
        evsignal_add(srv->sig_int, NULL);
    if (srv->sig_term)
        evsignal_add(srv->sig_term, NULL);
    pthread_t *th = srv->threads;
    for (int i = 0; i < srv->n_workers; i++) {
        if (pthread_create(&th[i], NULL, worker_main, &srv->workers[i]) != 0) {
            srv->n_workers = i; /* join only the started ones */
            lds_server_stop(srv);
            lds_server_wait(srv);
            lds_server_free(srv);
            return lds_err_set(err, LDS_EIO, "cannot start worker thread");
        }
    }
    LDS_LOG(LDS_LOG_INFO, "server", NULL, "listening on %s:%d with %d workers, db %s", cfg->bind,
            port, srv->n_workers, cfg->db_path);
    *out = srv;
    return LDS_OK;
}

int lds_server_port(const lds_server *srv)
{
    return srv->port;
}

void lds_server_stop(lds_server *srv)
{
    for (int i = 0; i < srv->n_workers; i++)
        if (srv->workers[i].base)
            event_base_loopbreak(srv->workers[i].base);
    event_base_loopbreak(srv->main_base);
}

void lds_server_wait(lds_server *srv)
{
    event_base_dispatch(srv->main_base);
    pthread_t *th = srv->threads;
    for (int i = 0; i < srv->n_workers; i++)
        pthread_join(th[i], NULL);
}

void lds_server_free(lds_server *srv)
{
    if (!srv)
        return;
    for (int i = 0; srv->workers && i < srv->n_workers; i++) {
        lds_worker *w = &srv->workers[i];
        while (w->conns)
            conn_close(w->conns);
        if (w->accept_ev)
            event_free(w->accept_ev);
        if (w->fd >= 0)
            close(w->fd);
        if (w->base)
            event_base_free(w->base);
        lds_api_cache_release(w);
        lds_store_close(w->store);
        lds_json_arena_free(w->arena);
    }
    if (srv->sig_int)
        event_free(srv->sig_int);
    if (srv->sig_term)
        event_free(srv->sig_term);
    if (srv->main_base)
        event_base_free(srv->main_base);
    lds_trace_ledger_free(srv->ledger);
    lds_free(srv->workers);
    lds_free(srv->threads);
    lds_free(srv);
}
