/* server.c — start/stop the real server and a small libcurl client for e2e tests. */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "server.h"

void lds_test_make_token(const lds_test_server *srv, long long org, const char *role, char *out,
                         size_t n)
{
    char cmd[1024], *text = NULL;
    snprintf(cmd, sizeof cmd, "'%s' token create --db '%s' --org %lld --role %s", lds_test_bin(),
             srv->db, org, role);
    if (lds_test_run(cmd, &text) != 0 || !text)
        fail_msg("token create failed");
    snprintf(out, n, "%s", text);
    out[strcspn(out, "\r\n")] = '\0';
    free(text);
}

void lds_test_expect_status_at(const lds_http_resp *r, long status, int line)
{
    if (r->status != status) {
        if (line > 0)
            fail_msg("line %d: expected %ld, got %ld: %s", line, status, r->status, r->body);
        fail_msg("expected %ld, got %ld: %s", status, r->status, r->body);
    }
    if (status >= 400) {
        assert_string_equal(r->content_type, "application/problem+json");
        assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
    }
}

void lds_test_call_at(const lds_test_server *srv, const char *method, const char *path,
                      const char *token, const char *body, long status, lds_http_resp *out,
                      int line)
{
    assert_int_equal(lds_http(srv, method, path, token, body ? "application/json" : NULL, body,
                              body ? strlen(body) : 0, out),
                     0);
    lds_test_expect_status_at(out, status, line);
}

size_t lds_test_count_items(const lds_test_server *srv, const char *path, const char *token)
{
    lds_http_resp r;
    lds_test_call(srv, "GET", path, token, NULL, 200, &r);
    size_t n = json_array_size(json_object_get(r.json, "items"));
    lds_http_resp_free(&r);
    return n;
}

json_t *lds_test_json_at(const json_t *j, const char *path)
{
    json_t *v = NULL;
    const json_t *cur = j;
    const char *p = path;
    while (cur && *p) {
        size_t n = strcspn(p, "/");
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(n < sizeof key ? n : sizeof key - 1), p);
        if (json_is_array(cur)) {
            char *end;
            unsigned long i = strtoul(key, &end, 10);
            v = *key && !*end ? json_array_get(cur, i) : NULL;
        } else {
            v = json_object_get(cur, key);
        }
        cur = v;
        p += n;
        if (*p == '/')
            p++;
    }
    return v;
}

double lds_test_num_at(const json_t *j, const char *path)
{
    json_t *v = lds_test_json_at(j, path);
    if (!json_is_number(v))
        fail_msg("no number at %s", path);
    return json_number_value(v);
}

const char *lds_test_str_at(const json_t *j, const char *path)
{
    json_t *v = lds_test_json_at(j, path);
    if (!json_is_string(v))
        fail_msg("no string at %s", path);
    return json_string_value(v);
}

const char *lds_test_pointer0(const lds_http_resp *r)
{
    json_t *v = lds_test_json_at(r->json, "errors/0/pointer");
    if (!json_is_string(v))
        fail_msg("no field error in %s", r->body ? r->body : "");
    return json_string_value(v);
}

void lds_test_pct_encode(lds_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            lds_buf_addc(b, (char)c);
        } else {
            lds_buf_addc(b, '%');
            lds_buf_addc(b, hex[c >> 4]);
            lds_buf_addc(b, hex[c & 15]);
        }
    }
}

int lds_test_run(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    int st = pclose(p);
    if (buf)
        buf[len] = '\0';
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

void lds_test_server_start(lds_test_server *srv, const char *name, const char *const *env)
{
    char cmd[2048], *out = NULL;
    memset(srv, 0, sizeof *srv);
    lds_test_path(srv->db, sizeof srv->db, name);
    const char *bin = lds_test_bin(), *root = lds_test_source_root();
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' seed --demo --db '%s' 2>&1", root, bin, srv->db);
    int rc = lds_test_run(cmd, &out);
    if (rc != 0)
        fail_msg("seed failed (%d): %s", rc, out ? out : "");
    free(out);
    /* The demo corridor's first organisation is the platform operator. */
    snprintf(cmd, sizeof cmd, "'%s' token create --db '%s' --org 1 --role operator", bin, srv->db);
    rc = lds_test_run(cmd, &out);
    if (rc != 0 || !out)
        fail_msg("token create (operator) failed: %d", rc);
    snprintf(srv->operator_token, sizeof srv->operator_token, "%s", out);
    chomp(srv->operator_token);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' token create --db '%s' --org 2 --role member", bin, srv->db);
    rc = lds_test_run(cmd, &out);
    if (rc != 0 || !out)
        fail_msg("token create (member) failed: %d", rc);
    snprintf(srv->member_token, sizeof srv->member_token, "%s", out);
    chomp(srv->member_token);
    free(out);

    int pipefd[2];
    if (pipe(pipefd) != 0)
        fail_msg("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        if (chdir(root) != 0)
            _exit(127);
        for (const char *const *e = env; e && *e; e++)
            putenv((char *)(uintptr_t)*e);
        execl(bin, bin, "serve", "--db", srv->db, "--port", "0", "--threads", "2", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    srv->pid = pid;
    FILE *f = fdopen(pipefd[0], "r");
    char line[120] = "";
    if (!f || !fgets(line, sizeof line, f))
        fail_msg("server printed no URL");
    fclose(f);
    chomp(line);
    size_t n = strlen(line);
    if (n && line[n - 1] == '/')
        line[n - 1] = '\0';
    if (strncmp(line, "http://127.0.0.1:", 17) != 0)
        fail_msg("unexpected first line from server: '%s'", line);
    snprintf(srv->url, sizeof srv->url, "%s", line);
}

int lds_test_server_alive(lds_test_server *srv)
{
    return srv->pid > 0 && kill(srv->pid, 0) == 0 && waitpid(srv->pid, NULL, WNOHANG) == 0;
}

void lds_test_server_stop(lds_test_server *srv)
{
    if (srv->pid <= 0)
        return;
    kill(srv->pid, SIGTERM);
    int st = 0;
    waitpid(srv->pid, &st, 0);
    srv->pid = 0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("server exited uncleanly (status %d)", st);
}

typedef struct sink {
    char *p;
    size_t len, cap;
} sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    sink *s = arg;
    size_t n = size * nmemb;
    if (s->len + n + 1 > s->cap) {
        size_t cap = (s->len + n + 1) * 2;
        char *p = realloc(s->p, cap);
        if (!p)
            return 0;
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->len, data, n);
    s->len += n;
    s->p[s->len] = '\0';
    return n;
}

static void header_value(const char *line, size_t n, const char *name, char *dst, size_t cap)
{
    size_t k = strlen(name);
    if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
        return;
    const char *v = line + k + 1;
    while (*v == ' ')
        v++;
    size_t len = n - (size_t)(v - line);
    while (len && (v[len - 1] == '\r' || v[len - 1] == '\n'))
        len--;
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, v, len);
    dst[len] = '\0';
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
    lds_http_resp *r = arg;
    size_t n = size * nmemb;
    header_value(line, n, "Content-Type", r->content_type, sizeof r->content_type);
    header_value(line, n, "Allow", r->allow, sizeof r->allow);
    header_value(line, n, "Location", r->location, sizeof r->location);
    header_value(line, n, "WWW-Authenticate", r->www_authenticate, sizeof r->www_authenticate);
    header_value(line, n, "Idempotent-Replayed", r->replayed, sizeof r->replayed);
    return n;
}

int lds_http(const lds_test_server *srv, const char *method, const char *path, const char *token,
             const char *content_type, const char *body, size_t body_len, lds_http_resp *out)
{
    return lds_http_h(srv, method, path, token, content_type, NULL, body, body_len, out);
}

int lds_http_h(const lds_test_server *srv, const char *method, const char *path, const char *token,
               const char *content_type, const char *extra_header, const char *body,
               size_t body_len, lds_http_resp *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[2048], auth[128], ct[192];
    snprintf(url, sizeof url, "%s%s", srv->url, path);
    struct curl_slist *h = NULL;
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
        h = curl_slist_append(h, ct);
    } else {
        h = curl_slist_append(h, "Content-Type:");
    }
    h = curl_slist_append(h, "Expect:");
    if (extra_header)
        h = curl_slist_append(h, extra_header);
    sink s = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    out->body = s.p ? s.p : calloc(1, 1);
    out->len = s.len;
    if (out->len && (strstr(out->content_type, "json")))
        out->json = json_loadb(out->body, out->len, 0, NULL);
    return rc == CURLE_OK ? 0 : -1;
}

void lds_http_resp_free(lds_http_resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}
