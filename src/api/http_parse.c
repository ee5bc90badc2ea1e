/*
 * http_parse.c — HTTP/1.x request heads.  Strict where laxness is a risk
 * (request smuggling: Transfer-Encoding is refused, conflicting or malformed
 * Content-Length is an error, obs-fold is refused, whitespace before a colon
 * is an error) and tolerant where it is harmless (bare LF line ends).
 */
#include <string.h>
#include <strings.h>
#include "http_parse.h"

static const struct {
    const char *name;
    lds_http_method m;
} methods[] = {
    {"GET", LDS_HTTP_GET},       {"HEAD", LDS_HTTP_HEAD},   {"POST", LDS_HTTP_POST},
    {"PUT", LDS_HTTP_PUT},       {"DELETE", LDS_HTTP_DELETE}, {"PATCH", LDS_HTTP_PATCH},
    {"OPTIONS", LDS_HTTP_OPTIONS},
};

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Finds the end of the head: the first empty line. Returns its length or 0. */
static size_t head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (i + 1 < len && buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *end = '\0';
    return s;
}

static int token_has(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == n && strncasecmp(start, word, n) == 0)
            return 1;
    }
    return 0;
}

int lds_http_parse_head(const char *buf, size_t len, size_t max_head, char *scratch,
                        lds_http_head *head, const char **why)
{
    size_t n = head_end(buf, len < max_head ? len : max_head);
    if (!n) {
        if (len >= max_head) {
            *why = "the request head is larger than the server accepts";
            return 431;
        }
        /* Skip leading empty lines (RFC 9112 §2.2) only once complete. */
        return 0;
    }
    memcpy(scratch, buf, n);
    scratch[n] = '\0';
    memset(head, 0, sizeof *head);
    head->head_len = n;

    char *p = scratch, *end = scratch + n;
    while (p < end && (*p == '\r' || *p == '\n'))
        p++; /* tolerate empty lines before the request line */
    char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) {
        *why = "no request line";
        return 400;
    }
    char *line_end = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
    *line_end = '\0';
    /* method SP target SP HTTP/1.x */
    char *sp1 = strchr(p, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || strchr(sp2 + 1, ' ')) {
        *why = "malformed request line";
        return 400;
    }
    *sp1 = *sp2 = '\0';
    for (char *m = p; *m; m++)
        if (!is_tchar((unsigned char)*m)) {
            *why = "malformed method";
            return 400;
        }
    if (!*p) {
        *why = "empty method";
        return 400;
    }
    head->method_name = p;
    head->method = LDS_HTTP_OTHER;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(p, methods[i].name) == 0)
            head->method = methods[i].m;
    head->target = sp1 + 1;
    if (head->target[0] != '/') {
        *why = "the request target must be a path (origin-form)";
        return 400;
    }
    for (const char *t = head->target; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t == 0x7f) {
            *why = "control character in the request target";
            return 400;
        }
    const char *ver = sp2 + 1;
    if (strncmp(ver, "HTTP/1.", 7) != 0 || ver[7] < '0' || ver[7] > '9' || ver[8]) {
        *why = strncmp(ver, "HTTP/", 5) == 0 ? "only HTTP/1.x is served" : "malformed version";
        return strncmp(ver, "HTTP/", 5) == 0 ? 505 : 400;
    }
    head->minor = ver[7] - '0';
    head->keep_alive = head->minor >= 1;

    int have_cl = 0;
    p = eol + 1;
    while (p < end) {
        eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            break;
        line_end = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
        if (line_end == p)
            break; /* the empty line */
        if (*p == ' ' || *p == '\t') {
            *why = "obsolete header line folding";
            return 400;
        }
        char *colon = memchr(p, ':', (size_t)(line_end - p));
        if (!colon || colon == p) {
            *why = "malformed header line";
            return 400;
        }
        for (char *c = p; c < colon; c++)
            if (!is_tchar((unsigned char)*c)) {
                *why = "malformed header name";
                return 400;
            }
        for (char *c = colon + 1; c < line_end; c++)
            if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) {
                *why = "control character in a header value";
                return 400;
            }
        if (head->n_headers == LDS_HTTP_MAX_HEADERS) {
            *why = "too many header fields";
            return 431;
        }
        *colon = '\0';
        lds_http_header *h = &head->headers[head->n_headers++];
        h->name = p;
        h->value = trim(colon + 1, line_end);

        if (strcasecmp(h->name, "Content-Length") == 0) {
            uint64_t v = 0;
            const char *d = h->value;
            if (!*d) {
                *why = "empty Content-Length";
                return 400;
            }
            for (; *d; d++) {
                if (*d < '0' || *d > '9' || v > (UINT64_MAX - 9) / 10) {
                    *why = "malformed Content-Length";
                    return 400;
                }
                v = v * 10 + (uint64_t)(*d - '0');
            }
            if (have_cl && v != head->content_length) {
                *why = "conflicting Content-Length headers";
                return 400;
            }
            have_cl = 1;
            head->content_length = v;
        } else if (strcasecmp(h->name, "Transfer-Encoding") == 0) {
            *why = "chunked request bodies are not accepted; send Content-Length";
            return 501;
        } else if (strcasecmp(h->name, "Connection") == 0) {
            if (token_has(h->value, "close"))
                head->keep_alive = 0;
            else if (token_has(h->value, "keep-alive"))
                head->keep_alive = 1;
        } else if (strcasecmp(h->name, "Expect") == 0) {
            if (strcasecmp(h->value, "100-continue") != 0) {
                *why = "unsupported expectation";
                return 417;
            }
            head->expect_continue = 1;
        }
        p = eol + 1;
    }
    if (head->minor >= 1 && !lds_http_header_get(head, "Host")) {
        *why = "HTTP/1.1 requests need a Host header";
        return 400;
    }
    return 1;
}

const char *lds_http_header_get(const lds_http_head *head, const char *name)
{
    for (int i = 0; i < head->n_headers; i++)
        if (strcasecmp(head->headers[i].name, name) == 0)
            return head->headers[i].value;
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long lds_http_decode(const char *src, size_t n, char *dst, size_t cap, int plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (c == '%') {
            if (n - i < 3)
                return -1;
            int hi = hexval(src[i + 1]), lo = hexval(src[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0' || o + 1 >= cap)
            return -1;
        dst[o++] = c;
    }
    if (cap == 0)
        return -1;
    dst[o] = '\0';
    return (long)o;
}
