/*
 * server.h — end-to-end helpers: start the real `lodestone serve` on an
 * ephemeral port against a temporary database, and talk HTTP to it with
 * libcurl.
 */
#ifndef LDS_TEST_SERVER_H
#define LDS_TEST_SERVER_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>
#include "lodestone/buf.h"

typedef struct lds_test_server {
    pid_t pid;
    char url[128];      /* "http://127.0.0.1:PORT" without trailing slash */
    char db[512];
    char operator_token[64];
    char member_token[64];
} lds_test_server;

typedef struct lds_http_resp {
    long status;
    char *body;         /* NUL-terminated, owned */
    size_t len;
    char content_type[128];
    char allow[128];
    char location[256];
    char www_authenticate[256];
    char replayed[16];  /* Idempotent-Replayed */
    json_t *json;       /* parsed body when it is JSON, else NULL */
} lds_http_resp;

/**
 * Runs `lodestone seed --demo` into a fresh database under the test tmpdir
 * (named `name`), creates an operator token (for the operator org) and a
 * member token (org 2), and starts `lodestone serve --port 0` on it.
 * Extra environment (e.g. "LODESTONE_MAX_BODY=4096") may be passed in `env`
 * (NULL-terminated, may be NULL).  Fails the test on error.
 */
void lds_test_server_start(lds_test_server *srv, const char *name, const char *const *env);
/** Sends SIGTERM, waits, and asserts a clean exit (status 0, no sanitizer report). */
void lds_test_server_stop(lds_test_server *srv);
/** True while the server process is alive. */
int lds_test_server_alive(lds_test_server *srv);

/**
 * One HTTP request.  `token` NULL sends no Authorization; `content_type`
 * NULL sends none; `body` may be NULL.  Returns 0 on transport success.
 */
int lds_http(const lds_test_server *srv, const char *method, const char *path, const char *token,
             const char *content_type, const char *body, size_t body_len, lds_http_resp *out);
/** Like lds_http with one extra request header line ("Name: value"), may be NULL. */
int lds_http_h(const lds_test_server *srv, const char *method, const char *path, const char *token,
               const char *content_type, const char *extra_header, const char *body,
               size_t body_len, lds_http_resp *out);
void lds_http_resp_free(lds_http_resp *r);

/** Runs a command line through the shell, capturing stdout (owned) and the exit code. */
int lds_test_run(const char *cmd, char **out);

/** Creates a token for `org` with `role` in the server's database (`lodestone token
 *  create`) and writes it into `out`.  Fails the test on error. */
void lds_test_make_token(const lds_test_server *srv, long long org, const char *role, char *out,
                         size_t n);

/**
 * Fails the test unless the reply has `status`; a 4xx/5xx must also be
 * problem+json whose "status" member says the same.  `line` (when > 0)
 * names the caller's line in the failure message.
 */
void lds_test_expect_status_at(const lds_http_resp *r, long status, int line);
#define lds_test_expect_status(r, status) lds_test_expect_status_at((r), (status), 0)

/**
 * `method` `path` with `body` as JSON (none when NULL), then
 * lds_test_expect_status_at(out, status, line).  Free `out` after.
 */
void lds_test_call_at(const lds_test_server *srv, const char *method, const char *path,
                      const char *token, const char *body, long status, lds_http_resp *out,
                      int line);
#define lds_test_call(srv, method, path, token, body, status, out)                                 \
    lds_test_call_at((srv), (method), (path), (token), (body), (status), (out), 0)

/** The number of "items" of a list answer to GET `path` (which must be 200). */
size_t lds_test_count_items(const lds_test_server *srv, const char *path, const char *token);

/**
 * The member of `j` at `path`: keys separated by '/', an array indexed by a
 * decimal segment ("errors/0/pointer"); NULL when there is none (or the
 * path is empty).
 */
json_t *lds_test_json_at(const json_t *j, const char *path);
/** The number at `path` (lds_test_json_at); fails the test when it is not one. */
double lds_test_num_at(const json_t *j, const char *path);
/** The string at `path`; fails the test when it is not one. */
const char *lds_test_str_at(const json_t *j, const char *path);
/** The pointer of a problem's first invalid field; fails the test without one. */
const char *lds_test_pointer0(const lds_http_resp *r);

/** Appends `s` percent-encoded (RFC 3986: all but unreserved characters) to `b`. */
void lds_test_pct_encode(lds_buf *b, const char *s);

#endif
