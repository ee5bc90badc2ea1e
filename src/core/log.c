/* log.c — one JSON object per line on stderr, written with a single write(2). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lodestone/buf.h"
#include "lodestone/log.h"

volatile int lds_log__level = LDS_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void lds_log_set_level(lds_log_level level)
{
    lds_log__level = (int)level;
}

const char *lds_log_level_name(lds_log_level level)
{
    return (unsigned)level <= LDS_LOG_OFF ? level_names[level] : "?";
}

lds_code lds_log_level_parse(const char *s, lds_log_level *out)
{
    for (int i = 0; i <= LDS_LOG_OFF; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (lds_log_level)i;
            return LDS_OK;
        }
    }
    return LDS_EINVAL;
}

void lds_log_write(lds_log_level level, const char *mod, const char *extra, const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char when[40], msg[1024];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);

    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    lds_buf b = LDS_BUF_INIT;
    lds_buf_addf(&b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"mod\":", when, ts.tv_nsec / 1000000,
                 lds_log_level_name(level));
    lds_buf_add_json_str(&b, mod ? mod : "-");
    lds_buf_adds(&b, ",\"msg\":");
    lds_buf_add_json_str(&b, msg);
    if (extra && *extra) {
        lds_buf_addc(&b, ',');
        lds_buf_adds(&b, extra);
    }
    lds_buf_adds(&b, "}\n");
    if (!b.oom) {
        ssize_t w = write(STDERR_FILENO, b.ptr, b.len);
        (void)w;
    }
    lds_buf_release(&b);
}
