/*
 * static.c — serves the web dashboard from the web root.  Only regular files
 * under the root, no dot segments, a fixed set of content types.
 */
#include <event2/buffer.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "api_int.h"

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
        {".svg", "image/svg+xml"},            {".png", "image/png"},
        {".ico", "image/x-icon"},             {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

void lds_api_serve_static(lds_req *r)
{
    if (r->method != EVHTTP_REQ_GET && r->method != EVHTTP_REQ_HEAD) {
        evhttp_add_header(evhttp_request_get_output_headers(r->ev), "Allow", "GET, HEAD");
        lds_api_problem(r, 405, "method-not-allowed", NULL,
                        "static files only answer GET and HEAD", NULL);
        return;
    }
    const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    if (strstr(rel, "/.") || strstr(rel, "..") || strchr(rel, '\\')) {
        lds_api_problem(r, 404, "not-found", NULL, "no such file", NULL);
        return;
    }
    char full[1600];
    int n = snprintf(full, sizeof full, "%s%s", r->w->srv->cfg.web_root, rel);
    struct stat st;
    int fd = -1;
    if (n < 0 || (size_t)n >= sizeof full || (fd = open(full, O_RDONLY | O_CLOEXEC)) < 0 ||
        fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        char detail[160];
        snprintf(detail, sizeof detail, "no file at '%.120s'", r->path);
        lds_api_problem(r, 404, "not-found", NULL, detail, NULL);
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    evhttp_add_header(h, "Content-Type", content_type(rel));
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Cache-Control", "no-cache");
    evhttp_add_header(h, "Content-Security-Policy",
                      "default-src 'self'; style-src 'self' 'unsafe-inline'");
    evhttp_add_header(h, "X-Request-Id", r->id);
    if (r->method == EVHTTP_REQ_HEAD || st.st_size == 0) {
        close(fd);
    } else if (evbuffer_add_file(evhttp_request_get_output_buffer(r->ev), fd, 0, st.st_size) != 0) {
        lds_api_problem(r, 500, "internal", NULL, "cannot read the file", NULL);
        return;
    }
    r->status = 200;
    evhttp_send_reply(r->ev, 200, "OK", NULL);
}
