/* err.c — the error table and setters of err.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/err.h"

void lds_err_clear(lds_err *err)
{
    if (!err)
        return;
    err->code = LDS_OK;
    err->msg[0] = '\0';
    err->field[0] = '\0';
    err->line = 0;
    err->column = 0;
}

static void vset(lds_err *err, lds_code code, const char *fmt, va_list ap)
{
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

lds_code lds_err_set(lds_err *err, lds_code code, const char *fmt, ...)
{
    if (!err)
        return code;
    lds_err_clear(err);
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

lds_code lds_err_field(lds_err *err, lds_code code, const char *field, const char *fmt, ...)
{
    if (!err)
        return code;
    lds_err_clear(err);
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, fmt, ap);
    va_end(ap);
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    return code;
}

lds_code lds_err_at(lds_err *err, lds_code code, unsigned line, unsigned column, const char *fmt,
                    ...)
{
    if (!err)
        return code;
    lds_err_clear(err);
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, fmt, ap);
    va_end(ap);
    err->line = line;
    err->column = column;
    return code;
}

const char *lds_code_name(lds_code code)
{
    switch (code) {
    case LDS_OK:
        return "ok";
#define XX(name, http, text)                                                                       \
    case LDS_##name:                                                                               \
        return #name;
        LDS_ERR_MAP(XX)
#undef XX
    }
    return "unknown";
}

int lds_code_http_status(lds_code code)
{
    switch (code) {
    case LDS_OK:
        return 200;
#define XX(name, http, text)                                                                       \
    case LDS_##name:                                                                               \
        return http;
        LDS_ERR_MAP(XX)
#undef XX
    }
    return 500;
}

const char *lds_code_text(lds_code code)
{
    switch (code) {
    case LDS_OK:
        return "ok";
#define XX(name, http, text)                                                                       \
    case LDS_##name:                                                                               \
        return text;
        LDS_ERR_MAP(XX)
#undef XX
    }
    return "unknown error";
}
