/*
 * buf.h — growable text (after git's strbuf).  Invariants: `ptr` is never
 * NULL and always NUL-terminated; `len` excludes the NUL.  On OOM the buffer
 * keeps its old content and `oom` is set; later appends are ignored, so a
 * caller may check once at the end.
 */
#ifndef LDS_BUF_H
#define LDS_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "err.h"

typedef struct lds_buf {
    char *ptr;
    size_t len;
    size_t cap; /* 0 while ptr points at the shared empty string */
    int oom;
} lds_buf;

#define LDS_BUF_INIT {lds_buf__empty, 0, 0, 0}
extern char lds_buf__empty[1]; /* never written */

void lds_buf_init(lds_buf *b);
/** Frees the storage; the buffer is empty and reusable afterwards. */
void lds_buf_release(lds_buf *b);
/** Empties the buffer but keeps its capacity. */
void lds_buf_reset(lds_buf *b);
/** Hands the storage to the caller (free with lds_free); NULL on OOM. */
char *lds_buf_detach(lds_buf *b, size_t *len);
int lds_buf_grow(lds_buf *b, size_t extra);
void lds_buf_add(lds_buf *b, const void *data, size_t n);
void lds_buf_adds(lds_buf *b, const char *s);
void lds_buf_addc(lds_buf *b, char c);
void lds_buf_addf(lds_buf *b, const char *fmt, ...) LDS_PRINTF(2, 3);
void lds_buf_vaddf(lds_buf *b, const char *fmt, va_list ap) LDS_PRINTF(2, 0);
/** Appends `s` as a JSON string literal, quotes included. */
void lds_buf_add_json_str(lds_buf *b, const char *s);

#endif
