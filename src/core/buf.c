/* buf.c — growable NUL-terminated text; see buf.h for the invariants. */
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/buf.h"

char lds_buf__empty[1] = "";

void lds_buf_init(lds_buf *b)
{
    b->ptr = lds_buf__empty;
    b->len = 0;
    b->cap = 0;
    b->oom = 0;
}

void lds_buf_release(lds_buf *b)
{
    if (b->cap)
        lds_free(b->ptr);
    lds_buf_init(b);
}

void lds_buf_reset(lds_buf *b)
{
    b->len = 0;
    b->oom = 0;
    if (b->cap)
        b->ptr[0] = '\0';
}

char *lds_buf_detach(lds_buf *b, size_t *len)
{
    char *p;
    if (b->oom) {
        lds_buf_release(b);
        return NULL;
    }
    if (!b->cap) {
        p = lds_strdup("");
    } else {
        p = b->ptr;
    }
    if (len)
        *len = b->len;
    lds_buf_init(b);
    return p;
}

int lds_buf_grow(lds_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra > (size_t)-1 / 2 - b->len) {
        b->oom = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = b->cap ? lds_realloc(b->ptr, cap) : lds_malloc(cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    if (!b->cap)
        p[0] = '\0';
    b->ptr = p;
    b->cap = cap;
    return 0;
}

void lds_buf_add(lds_buf *b, const void *data, size_t n)
{
    if (lds_buf_grow(b, n) != 0)
        return;
    memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void lds_buf_adds(lds_buf *b, const char *s)
{
    lds_buf_add(b, s, strlen(s));
}

void lds_buf_addc(lds_buf *b, char c)
{
    lds_buf_add(b, &c, 1);
}

void lds_buf_vaddf(lds_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        lds_buf_add(b, tmp, (size_t)n);
        return;
    }
    if (lds_buf_grow(b, (size_t)n) != 0)
        return;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void lds_buf_addf(lds_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lds_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

/* Length of the well-formed UTF-8 sequence at `p` (RFC 3629: no overlongs,
 * no surrogates, nothing past U+10FFFF), 0 when there is none.  A NUL stops
 * the look-ahead, as it is not a continuation byte. */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned char c = p[0];
#define CONT(x) (((x) & 0xC0) == 0x80)
    if (c >= 0xC2 && c <= 0xDF)
        return CONT(p[1]) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return p[1] >= lo && p[1] <= hi && CONT(p[2]) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= lo && p[1] <= hi && CONT(p[2]) && CONT(p[3]) ? 4 : 0;
    }
#undef CONT
    return 0;
}

void lds_buf_add_json_str(lds_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    lds_buf_addc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;
    for (; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x80) {
            /* JSON is UTF-8: a byte that starts no valid sequence (a path or
             * query value percent-decoded from %ff, say) becomes U+FFFD. */
            size_t n = utf8_seq(p);
            if (n) {
                p += n - 1;
                continue;
            }
            lds_buf_add(b, run, (size_t)(p - run));
            run = p + 1;
            lds_buf_adds(b, "\\ufffd");
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        lds_buf_add(b, run, (size_t)(p - run));
        run = p + 1;
        switch (c) {
        case '"':
            lds_buf_adds(b, "\\\"");
            break;
        case '\\':
            lds_buf_adds(b, "\\\\");
            break;
        case '\n':
            lds_buf_adds(b, "\\n");
            break;
        case '\r':
            lds_buf_adds(b, "\\r");
            break;
        case '\t':
            lds_buf_adds(b, "\\t");
            break;
        default: {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            lds_buf_adds(b, esc);
        }
        }
    }
    lds_buf_add(b, run, (size_t)(p - run));
    lds_buf_addc(b, '"');
}
