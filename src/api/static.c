/*
 * static.c — serves the web dashboard from the web root.  Only regular files
 * under the root, no dot segments, a fixed set of content types.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "api_int.h"
#include "lodestone/alloc.h"

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

#define MAX_STATIC_BYTES (16u << 20)

void lds_api_serve_static(lds_req *r)
{
    if (r->method != LDS_HTTP_GET && r->method != LDS_HTTP_HEAD) {
        lds_api_add_header(r, "Allow", "GET, HEAD");
        lds_api_problem(r, 405, "method-not-allowed", NULL,
                        "static files only answer GET and HEAD", NULL);
        return;
    }
    const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    char detail[160];
    snprintf(detail, sizeof detail, "no file at '%.120s'", r->path);
    if (strstr(rel, "/.") || strstr(rel, "..") || strchr(rel, '\\')) {
        lds_api_problem(r, 404, "not-found", NULL, detail, NULL);
        return;
    }
    char full[1600];
    int n = snprintf(full, sizeof full, "%s%s", r->w->srv->cfg.web_root, rel);
    struct stat st;
    int fd = -1;
    if (n < 0 || (size_t)n >= sizeof full || (fd = open(full, O_RDONLY | O_CLOEXEC)) < 0 ||
        fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)MAX_STATIC_BYTES) {
        if (fd >= 0)
            close(fd);
        lds_api_problem(r, 404, "not-found", NULL, detail, NULL);
        return;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *data = lds_malloc(size ? size : 1);
    while (data && got < size) {
        ssize_t k = read(fd, data + got, size - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (!data || got != size) {
        lds_free(data);
        lds_api_problem(r, 500, "internal", NULL, "cannot read the file", NULL);
        return;
    }
    lds_api_add_header(r, "Cache-Control", "no-cache");
    lds_api_add_header(r, "Content-Security-Policy",
                       "default-src 'self'; style-src 'self' 'unsafe-inline'");
    lds_api_reply(r, 200, content_type(rel), data, size);
    lds_free(data);
}
