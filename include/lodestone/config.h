/*
 * config.h — runtime configuration.  Every setting has a default, may be
 * set by a LODESTONE_<NAME> environment variable, and is overridden by the
 * command-line flag of the same name.  lds_config_from_env() applies the
 * environment; CLI commands then apply their flags.
 */
#ifndef LDS_CONFIG_H
#define LDS_CONFIG_H

#include <stddef.h>
#include "err.h"
#include "log.h"

typedef struct lds_config {
    char db_path[512];        /* LODESTONE_DB */
    char bind[64];            /* LODESTONE_BIND, default 127.0.0.1 */
    int port;                 /* LODESTONE_PORT, default 8080; 0 picks a free port */
    int threads;              /* LODESTONE_THREADS, default: number of cores */
    size_t max_body_bytes;    /* LODESTONE_MAX_BODY, default 1 MiB */
    size_t max_header_bytes;  /* LODESTONE_MAX_HEADERS, default 16 KiB */
    int timeout_seconds;      /* LODESTONE_TIMEOUT, default 30 */
    char web_root[512];       /* LODESTONE_WEB_ROOT, default "web" */
    char catalog_path[512];   /* LODESTONE_CATALOG, default "data/catalog.json" */
    char ledger_key[512];     /* LODESTONE_LEDGER_KEY, default "" = "<db>.ledger-key" */
    lds_log_level log_level;  /* LODESTONE_LOG_LEVEL, default info */
    int mass_balance_flag;    /* LODESTONE_MASS_BALANCE=reject|flag, default reject (0) */
} lds_config;

/** Fills `cfg` with defaults. */
void lds_config_defaults(lds_config *cfg);

/** Applies LODESTONE_* variables; a bad value is an error naming the variable. */
lds_code lds_config_from_env(lds_config *cfg, lds_err *err);

/** Parses a decimal integer in [min,max]; `what` names it in the error. */
lds_code lds_parse_int(const char *s, long long min, long long max, long long *out,
                       const char *what, lds_err *err);

/** Copies `src` into `dst` (size `n`); LDS_EINVAL if it does not fit. */
lds_code lds_copy_str(char *dst, size_t n, const char *src, const char *what, lds_err *err);

#endif
