/*
 * http_parse.h — a strict HTTP/1.x request-head parser (RFC 9112): request
 * line, header fields, Content-Length framing.  Pure: no I/O, no allocation.
 * It never modifies the input; the head is copied into the caller's scratch
 * space and split there, so a partially received request can be parsed again
 * when more bytes arrive.
 */
#ifndef LDS_HTTP_PARSE_H
#define LDS_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define LDS_HTTP_MAX_HEADERS 64

typedef enum lds_http_method {
    LDS_HTTP_OTHER = 0,
    LDS_HTTP_GET,
    LDS_HTTP_HEAD,
    LDS_HTTP_POST,
    LDS_HTTP_PUT,
    LDS_HTTP_DELETE,
    LDS_HTTP_PATCH,
    LDS_HTTP_OPTIONS,
} lds_http_method;

typedef struct lds_http_header {
    const char *name;  /* as sent; compare case-insensitively */
    const char *value; /* leading and trailing whitespace removed */
} lds_http_header;

typedef struct lds_http_head {
    lds_http_method method;
    const char *method_name;
    const char *target; /* request-target as sent (origin-form) */
    int minor;          /* HTTP/1.<minor> */
    lds_http_header headers[LDS_HTTP_MAX_HEADERS];
    int n_headers;
    uint64_t content_length; /* 0 when absent */
    int keep_alive;          /* connection persists after this request */
    int expect_continue;     /* "Expect: 100-continue" */
    size_t head_len;         /* bytes of the head, final empty line included */
} lds_http_head;

/**
 * Parses the request head at the start of `buf` (`len` bytes received so
 * far), using `scratch` (at least `max_head` + 1 bytes) for the split copy.
 * Returns 0 when the head is not complete yet, 1 when `head` is filled, or
 * an HTTP status (400, 431, 501, 505) with `*why` naming the problem.
 */
int lds_http_parse_head(const char *buf, size_t len, size_t max_head, char *scratch,
                        lds_http_head *head, const char **why);

/** Value of a header (case-insensitive name), or NULL. */
const char *lds_http_header_get(const lds_http_head *head, const char *name);

/**
 * Percent-decodes `src` (`n` bytes) into `dst` (capacity `cap`), turning '+'
 * into a space when `plus_is_space`.  Returns the decoded length, or -1 for
 * a bad escape, an embedded NUL or overflow.
 */
long lds_http_decode(const char *src, size_t n, char *dst, size_t cap, int plus_is_space);

#endif
