/*
 * cmd_serve.c — `lodestone serve --db FILE --port N [--bind ADDR]` and
 * `lodestone demo [--port N] [--db FILE]`.  The first stdout line is the URL
 * actually served (port 0 picks a free port).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "lodestone/api.h"
#include "lodestone/auth.h"
#include "lodestone/store.h"
#include "lodestone/demo.h"
#include "seed.h"

enum { OPT_THREADS = 1000, OPT_WEB, OPT_CATALOG };

static const struct option serve_opts[] = {
    {"db", required_argument, NULL, 'd'},      {"port", required_argument, NULL, 'p'},
    {"bind", required_argument, NULL, 'b'},    {"threads", required_argument, NULL, OPT_THREADS},
    {"web", required_argument, NULL, OPT_WEB}, {"catalog", required_argument, NULL, OPT_CATALOG},
    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};

/* Parses the flags serve and demo share; returns -1 on success, else an exit code. */
static int parse_flags(const char *cmd, int argc, char **argv, lds_config *cfg, const char *help)
{
    int c;
    long long n;
    lds_err err;
    while ((c = getopt_long(argc, argv, "d:p:b:h", serve_opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (lds_copy_str(cfg->db_path, sizeof cfg->db_path, optarg, "--db", &err))
                return lds_cli_usage_error(cmd, "%s", err.msg);
            break;
        case 'p':
            if (lds_parse_int(optarg, 0, 65535, &n, "--port", &err))
                return lds_cli_usage_error(cmd, "%s", err.msg);
            cfg->port = (int)n;
            break;
        case 'b':
            if (lds_copy_str(cfg->bind, sizeof cfg->bind, optarg, "--bind", &err))
                return lds_cli_usage_error(cmd, "%s", err.msg);
            break;
        case OPT_THREADS:
            if (lds_parse_int(optarg, 1, 64, &n, "--threads", &err))
                return lds_cli_usage_error(cmd, "%s", err.msg);
            cfg->threads = (int)n;
            break;
        case OPT_WEB:
            if (lds_copy_str(cfg->web_root, sizeof cfg->web_root, optarg, "--web", &err))
                return lds_cli_usage_error(cmd, "%s", err.msg);
            break;
        case OPT_CATALOG:
            if (lds_copy_str(cfg->catalog_path, sizeof cfg->catalog_path, optarg, "--catalog",
                             &err))
                return lds_cli_usage_error(cmd, "%s", err.msg);
            break;
        case 'h':
            fputs(help, stdout);
            return LDS_EXIT_OK;
        default:
            return lds_cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind < argc)
        return lds_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return -1;
}

static int run_server(const char *cmd, lds_config *cfg, const char *token)
{
    lds_server *srv = NULL;
    lds_err err;
    if (lds_server_start(cfg, &srv, &err) != LDS_OK) {
        lds_cli_error(cmd, &err);
        return LDS_EXIT_FAIL;
    }
    const char *host = strcmp(cfg->bind, "0.0.0.0") == 0 ? "127.0.0.1" : cfg->bind;
    int v6 = strchr(host, ':') != NULL;
    printf("http://%s%s%s:%d/\n", v6 ? "[" : "", host, v6 ? "]" : "", lds_server_port(srv));
    if (token) {
        printf("operator token: %s\n", token);
        printf("dashboard: http://%s%s%s:%d/#token=%s\n", v6 ? "[" : "", host, v6 ? "]" : "",
               lds_server_port(srv), token);
        printf("try: curl -H 'Authorization: Bearer %s' http://%s:%d/api/v1/orgs?limit=5\n",
               token, host, lds_server_port(srv));
        printf("the demo corridor is synthetic data; stop with Ctrl-C\n");
    }
    fflush(stdout);
    lds_server_wait(srv);
    lds_server_free(srv);
    return LDS_EXIT_OK;
}

int lds_cmd_serve(int argc, char **argv, lds_config *cfg)
{
    static const char help[] =
        "Usage: lodestone serve --db FILE --port N [--bind ADDR] [--threads N] [--web DIR]\n\n"
        "Serves the HTTP API and the web dashboard.  --port 0 picks a free port; the first\n"
        "line printed is the URL served.  --bind defaults to 127.0.0.1, --threads to the\n"
        "number of cores, --web to ./web.  Environment: LODESTONE_DB, LODESTONE_PORT,\n"
        "LODESTONE_BIND, LODESTONE_THREADS, LODESTONE_MAX_BODY, LODESTONE_TIMEOUT, ...\n";
    int rc = parse_flags("serve", argc, argv, cfg, help);
    if (rc >= 0)
        return rc;
    return run_server("serve", cfg, NULL);
}

int lds_cmd_demo(int argc, char **argv, lds_config *cfg)
{
    static const char help[] =
        "Usage: lodestone demo [--port N] [--db FILE] [--bind ADDR]\n\n"
        "Creates and seeds the demo database (default lodestone-demo.db) with the synthetic\n"
        "Ganzhou-Shenzhen corridor if it is not seeded yet, creates an operator token and\n"
        "serves the platform (default http://127.0.0.1:8080/), printing the URL and token.\n";
    snprintf(cfg->db_path, sizeof cfg->db_path, "%s", "lodestone-demo.db");
    int rc = parse_flags("demo", argc, argv, cfg, help);
    if (rc >= 0)
        return rc;
    lds_err err;
    lds_store *s = NULL;
    int64_t operator_org = 0;
    char token[LDS_TOKEN_LEN + 1];
    lds_code code;
    if ((code = lds_store_open(cfg->db_path, &s, &err)) ||
        (code = lds_cli_seed_demo(s, cfg, LDS_DEMO_DEFAULT_SEED, 1, &err)) ||
        (code = lds_demo_operator_org(s, &operator_org, &err)) ||
        (code = lds_token_create(s, operator_org, LDS_ROLE_OPERATOR, "demo", token, &err))) {
        lds_cli_error("demo", &err);
        lds_store_close(s);
        return LDS_EXIT_FAIL;
    }
    lds_store_close(s);
    return run_server("demo", cfg, token);
}
