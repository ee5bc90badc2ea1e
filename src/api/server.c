/*
 * server.c — listening sockets, worker threads and the request entry point.
 * Each worker owns an event base, an evhttp, a listening socket bound to the
 * shared port with SO_REUSEPORT (the kernel spreads connections) and a store
 * connection.  Limits on body size, header size and idle time are set on
 * every evhttp.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <event2/bufferevent.h>
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
#include "lodestone/log.h"

/* evhttp rejects bodies beyond this many times our limit with its own 413
 * before reading them; between the two we answer with problem+json. */
#define HARD_BODY_FACTOR 16

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

static void split_path(lds_req *r)
{
    r->n_segs = 0;
    memcpy(r->seg_buf, r->path, sizeof r->seg_buf);
    char *p = r->seg_buf;
    while (*p == '/')
        p++;
    while (*p && r->n_segs < LDS_API_MAX_SEGMENTS) {
        r->segs[r->n_segs++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            return;
        *slash = '\0';
        p = slash + 1;
    }
}

static const char *method_name(enum evhttp_cmd_type m)
{
    switch (m) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    case EVHTTP_REQ_TRACE:
        return "TRACE";
    case EVHTTP_REQ_CONNECT:
        return "CONNECT";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    }
    return "?";
}

static void on_request(struct evhttp_request *ev, void *arg)
{
    lds_worker *w = arg;
    lds_req r;
    memset(&r, 0, sizeof r);
    r.ev = ev;
    r.w = w;
    r.method = evhttp_request_get_command(ev);
    r.method_name = method_name(r.method);
    TAILQ_INIT(&r.query);
    snprintf(r.id, sizeof r.id, "%x-%llx", (unsigned)w->index,
             (unsigned long long)++w->n_requests);

    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
    const char *raw_path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!raw_path || !*raw_path)
        raw_path = "/";
    size_t dlen = 0;
    char *decoded = evhttp_uridecode(raw_path, 0, &dlen);
    if (!decoded || dlen >= sizeof r.path || strlen(decoded) != dlen) {
        free(decoded);
        lds_api_problem(&r, 400, "bad-path", "Bad request path",
                        "the path is too long or contains a NUL byte", NULL);
        return;
    }
    memcpy(r.path, decoded, dlen + 1);
    free(decoded);

    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    if (q && *q) {
        if (evhttp_parse_query_str(q, &r.query) != 0) {
            lds_api_problem(&r, 400, "bad-query", "Bad query string",
                            "the query string is not valid application/x-www-form-urlencoded",
                            NULL);
            evhttp_clear_headers(&r.query);
            return;
        }
        struct evkeyval *kv;
        TAILQ_FOREACH(kv, &r.query, next)
        {
            if (r.n_params == LDS_API_MAX_PARAMS) {
                lds_api_problem(&r, 400, "bad-query", "Too many query parameters",
                                "at most 32 query parameters are accepted", NULL);
                evhttp_clear_headers(&r.query);
                return;
            }
            r.params[r.n_params].key = kv->key;
            r.params[r.n_params].value = kv->value;
            r.n_params++;
        }
    }
    if (strncmp(r.path, "/api/", 5) == 0 || strcmp(r.path, "/healthz") == 0 ||
        strcmp(r.path, "/metrics") == 0 || strcmp(r.path, "/api") == 0) {
        split_path(&r);
        lds_api_dispatch(&r);
    } else {
        lds_api_serve_static(&r);
    }
    if (r.status >= 100 && r.status < 600)
        atomic_fetch_add_explicit(&w->by_class[r.status / 100], 1, memory_order_relaxed);
    if (r.status >= 500)
        LDS_LOG(LDS_LOG_ERROR, "http", NULL, "%s %s -> %d (request %s)", r.method_name, r.path,
                r.status, r.id);
    else if (r.status >= 400)
        LDS_LOG(LDS_LOG_INFO, "http", NULL, "%s %s -> %d (request %s)", r.method_name, r.path,
                r.status, r.id);
    evhttp_clear_headers(&r.query);
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

/* Lets a whole reply go out in one writev instead of 16 KiB pieces. */
static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
    (void)arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (bev)
        bufferevent_set_max_single_write(bev, 1 << 20);
    return bev;
}

static lds_code worker_init(lds_server *srv, lds_worker *w, int fd, lds_err *err)
{
    lds_code rc;
    w->srv = srv;
    w->fd = fd;
    if ((rc = lds_store_open(srv->cfg.db_path, &w->store, err)))
        return rc;
    /* The changelist batches epoll_ctl calls: about half as many per request. */
    struct event_config *ec = event_config_new();
    if (ec) {
        event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
        w->base = event_base_new_with_config(ec);
        event_config_free(ec);
    }
    w->http = w->base ? evhttp_new(w->base) : NULL;
    if (!w->http)
        return lds_err_set(err, LDS_ENOMEM, "cannot create event base");
    evhttp_set_max_body_size(w->http, (ev_ssize_t)(srv->cfg.max_body_bytes * HARD_BODY_FACTOR));
    evhttp_set_max_headers_size(w->http, (ev_ssize_t)srv->cfg.max_header_bytes);
    evhttp_set_timeout(w->http, srv->cfg.timeout_seconds);
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(w->http, on_request, w);
    evhttp_set_bevcb(w->http, make_bev, NULL);
    if (!evhttp_accept_socket_with_handle(w->http, fd)) {
        close(fd);
        w->fd = -1;
        return lds_err_set(err, LDS_EIO, "evhttp cannot accept on the socket");
    }
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
    lds_store_close(probe);
    if (version < lds_store_latest_version()) {
        lds_server_free(srv);
        return lds_err_set(err, LDS_EINVAL,
                           "database '%s' is at schema version %d, this build needs %d: run "
                           "'lodestone migrate --db %s'",
                           cfg->db_path, version, lds_store_latest_version(), cfg->db_path);
    }

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
        if (w->http)
            evhttp_free(w->http);
        else if (w->fd >= 0)
            close(w->fd);
        if (w->base)
            event_base_free(w->base);
        lds_api_cache_release(w);
        lds_store_close(w->store);
    }
    if (srv->sig_int)
        event_free(srv->sig_int);
    if (srv->sig_term)
        event_free(srv->sig_term);
    if (srv->main_base)
        event_base_free(srv->main_base);
    lds_free(srv->workers);
    lds_free(srv->threads);
    lds_free(srv);
}
