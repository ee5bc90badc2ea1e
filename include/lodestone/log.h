/*
 * log.h — JSON-lines logging to stderr: one object per line with ts, level,
 * mod and msg, plus optional extra key/values already encoded as JSON.
 * LDS_LOG checks the level before evaluating its arguments.
 */
#ifndef LDS_LOG_H
#define LDS_LOG_H

#include "err.h"

typedef enum lds_log_level {
    LDS_LOG_DEBUG = 0,
    LDS_LOG_INFO,
    LDS_LOG_WARN,
    LDS_LOG_ERROR,
    LDS_LOG_OFF
} lds_log_level;

extern volatile int lds_log__level;

void lds_log_set_level(lds_log_level level);
/** Parses "debug", "info", "warn", "error", "off". Returns LDS_EINVAL if unknown. */
lds_code lds_log_level_parse(const char *s, lds_log_level *out);
const char *lds_log_level_name(lds_log_level level);

/**
 * Writes one line.  `extra` is either NULL or a JSON fragment of members
 * without braces (e.g. "\"status\":404,\"path\":\"/x\"") appended to the object.
 */
void lds_log_write(lds_log_level level, const char *mod, const char *extra, const char *fmt, ...)
    LDS_PRINTF(4, 5);

#define LDS_LOG(level, mod, extra, ...)                                                            \
    do {                                                                                           \
        if ((int)(level) >= lds_log__level)                                                        \
            lds_log_write((level), (mod), (extra), __VA_ARGS__);                                   \
    } while (0)

#endif
