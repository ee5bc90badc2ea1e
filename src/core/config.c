/* config.c — defaults, LODESTONE_* environment variables, number parsing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lodestone/config.h"

void lds_config_defaults(lds_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->db_path, sizeof cfg->db_path, "%s", "lodestone.db");
    snprintf(cfg->bind, sizeof cfg->bind, "%s", "127.0.0.1");
    cfg->port = 8080;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->threads = n > 0 ? (int)(n > 64 ? 64 : n) : 1;
    cfg->max_body_bytes = 1u << 20;
    cfg->max_header_bytes = 16u << 10;
    cfg->timeout_seconds = 30;
    snprintf(cfg->web_root, sizeof cfg->web_root, "%s", "web");
    snprintf(cfg->catalog_path, sizeof cfg->catalog_path, "%s", "data/catalog.json");
    cfg->log_level = LDS_LOG_INFO;
}

lds_code lds_parse_int(const char *s, long long min, long long max, long long *out,
                       const char *what, lds_err *err)
{
    char *end;
    if (!s || !*s)
        return lds_err_field(err, LDS_EINVAL, what, "%s: empty value", what);
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s)
        return lds_err_field(err, LDS_EINVAL, what, "%s: '%s' is not an integer", what, s);
    if (v < min || v > max)
        return lds_err_field(err, LDS_EINVAL, what, "%s: %lld is outside %lld..%lld", what, v,
                             min, max);
    *out = v;
    return LDS_OK;
}

lds_code lds_copy_str(char *dst, size_t n, const char *src, const char *what, lds_err *err)
{
    size_t len = strlen(src);
    if (len >= n)
        return lds_err_field(err, LDS_EINVAL, what, "%s: value longer than %zu bytes", what,
                             n - 1);
    memcpy(dst, src, len + 1);
    return LDS_OK;
}

lds_code lds_config_from_env(lds_config *cfg, lds_err *err)
{
    const char *v;
    long long n;
    lds_code rc;
    if ((v = getenv("LODESTONE_DB")) &&
        (rc = lds_copy_str(cfg->db_path, sizeof cfg->db_path, v, "LODESTONE_DB", err)))
        return rc;
    if ((v = getenv("LODESTONE_BIND")) &&
        (rc = lds_copy_str(cfg->bind, sizeof cfg->bind, v, "LODESTONE_BIND", err)))
        return rc;
    if ((v = getenv("LODESTONE_WEB_ROOT")) &&
        (rc = lds_copy_str(cfg->web_root, sizeof cfg->web_root, v, "LODESTONE_WEB_ROOT", err)))
        return rc;
    if ((v = getenv("LODESTONE_LEDGER_KEY")) &&
        (rc = lds_copy_str(cfg->ledger_key, sizeof cfg->ledger_key, v, "LODESTONE_LEDGER_KEY",
                           err)))
        return rc;
    if ((v = getenv("LODESTONE_CATALOG")) &&
        (rc = lds_copy_str(cfg->catalog_path, sizeof cfg->catalog_path, v, "LODESTONE_CATALOG",
                           err)))
        return rc;
    if ((v = getenv("LODESTONE_PORT"))) {
        if ((rc = lds_parse_int(v, 0, 65535, &n, "LODESTONE_PORT", err)))
            return rc;
        cfg->port = (int)n;
    }
    if ((v = getenv("LODESTONE_THREADS"))) {
        if ((rc = lds_parse_int(v, 1, 64, &n, "LODESTONE_THREADS", err)))
            return rc;
        cfg->threads = (int)n;
    }
    if ((v = getenv("LODESTONE_MAX_BODY"))) {
        if ((rc = lds_parse_int(v, 1024, 1LL << 30, &n, "LODESTONE_MAX_BODY", err)))
            return rc;
        cfg->max_body_bytes = (size_t)n;
    }
    if ((v = getenv("LODESTONE_MAX_HEADERS"))) {
        if ((rc = lds_parse_int(v, 1024, 1LL << 20, &n, "LODESTONE_MAX_HEADERS", err)))
            return rc;
        cfg->max_header_bytes = (size_t)n;
    }
    if ((v = getenv("LODESTONE_TIMEOUT"))) {
        if ((rc = lds_parse_int(v, 1, 3600, &n, "LODESTONE_TIMEOUT", err)))
            return rc;
        cfg->timeout_seconds = (int)n;
    }
    if ((v = getenv("LODESTONE_MASS_BALANCE"))) {
        if (strcmp(v, "reject") && strcmp(v, "flag"))
            return lds_err_field(err, LDS_EINVAL, "LODESTONE_MASS_BALANCE",
                                 "LODESTONE_MASS_BALANCE: '%s' is not one of reject, flag", v);
        cfg->mass_balance_flag = strcmp(v, "flag") == 0;
    }
    if ((v = getenv("LODESTONE_LOG_LEVEL")) && lds_log_level_parse(v, &cfg->log_level))
        return lds_err_field(err, LDS_EINVAL, "LODESTONE_LOG_LEVEL",
                             "LODESTONE_LOG_LEVEL: '%s' is not one of debug, info, warn, error, off",
                             v);
    return LDS_OK;
}
