/*
 * err.h — the one error type of Lodestone.
 *
 * Fallible functions return an lds_code and take a trailing `lds_err *err`
 * (which may be NULL).  The message is safe to show to API clients; `field`
 * names the offending input (a JSON pointer, a CSV column, a flag) and `line`
 * / `column` locate it in a file or body when known (0 = unknown).
 */
#ifndef LDS_ERR_H
#define LDS_ERR_H

#include <stddef.h>

#if defined(__GNUC__)
#define LDS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define LDS_WARN_UNUSED       __attribute__((warn_unused_result))
#else
#define LDS_PRINTF(fmt, args)
#define LDS_WARN_UNUSED
#endif

/* name, HTTP status, default text */
#define LDS_ERR_MAP(XX)                                                                            \
    XX(EINVAL, 400, "invalid argument")                                                          \
    XX(EAUTH, 401, "authentication required")                                                    \
    XX(EFORBIDDEN, 403, "forbidden")                                                             \
    XX(ENOTFOUND, 404, "not found")                                                              \
    XX(ECONFLICT, 409, "conflict")                                                               \
    XX(ETOOBIG, 413, "too large")                                                                \
    XX(EINFEASIBLE, 422, "no feasible solution")                                                 \
    XX(EUNBOUNDED, 422, "unbounded")                                                             \
    XX(EOVERFLOW, 422, "arithmetic overflow")                                                    \
    XX(EIO, 500, "storage i/o error")                                                            \
    XX(ECORRUPT, 500, "integrity check failed")                                                  \
    XX(ENOMEM, 503, "out of memory")                                                             \
    XX(EBUSY, 503, "busy")

typedef enum lds_code {
    LDS_OK = 0,
#define XX(name, http, text) LDS_##name,
    LDS_ERR_MAP(XX)
#undef XX
} lds_code;

typedef struct lds_err {
    lds_code code;
    char msg[256];   /* human-readable, safe for clients */
    char field[128]; /* offending field (JSON pointer, column, flag) or "" */
    unsigned line;   /* 1-based line in the input, 0 if unknown */
    unsigned column; /* 1-based column in the input, 0 if unknown */
} lds_err;

/** Clears `err` (no-op for NULL). */
void lds_err_clear(lds_err *err);

/** Sets code and message; clears field/line. Returns `code`. `err` may be NULL. */
lds_code lds_err_set(lds_err *err, lds_code code, const char *fmt, ...) LDS_PRINTF(3, 4);

/** Like lds_err_set but also names the offending field. */
lds_code lds_err_field(lds_err *err, lds_code code, const char *field, const char *fmt, ...)
    LDS_PRINTF(4, 5);

/** Like lds_err_set but records a line (and column, 0 if unknown). */
lds_code lds_err_at(lds_err *err, lds_code code, unsigned line, unsigned column, const char *fmt,
                    ...) LDS_PRINTF(5, 6);

/** Stable lower-case name of a code, e.g. "einval". */
const char *lds_code_name(lds_code code);

/** HTTP status that the code maps to (200 for LDS_OK). */
int lds_code_http_status(lds_code code);

/** Default English text of a code. */
const char *lds_code_text(lds_code code);

/* "Cannot happen, but handle it anyway" (after SQLite's NEVER). */
#ifdef NDEBUG
#define LDS_NEVER(x) (x)
#else
#include <assert.h>
#define LDS_NEVER(x) ((x) ? (assert(0 && #x), 1) : 0)
#endif

#endif
