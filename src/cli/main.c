/* main.c — `lodestone <command> [options]`: dispatch to one cmd_*.c each. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include "cli.h"
#include "lodestone/alloc.h"
#include "lodestone/version.h"

static const lds_cli_cmd commands[] = {
    {"serve", lds_cmd_serve, "serve the HTTP API and web dashboard"},
    {"demo", lds_cmd_demo, "seed a demo database if needed and serve it"},
    {"seed", lds_cmd_seed, "load the catalog and generate the demo corridor"},
    {"migrate", lds_cmd_migrate, "apply database migrations"},
    {"token", lds_cmd_token, "create API tokens"},
    {"solve", lds_cmd_solve, "solve a DIMACS min-cost-flow instance"},
    {"match", lds_cmd_match, "match supply offers to demand requests (CSV)"},
    {"plan", lds_cmd_plan, "plan the chain from forecast to ore (LP)"},
    {"capture", lds_cmd_capture, "import EPCIS 2.0 documents into the event store and ledger"},
    {"trace", lds_cmd_trace, "trace a lot back to its origins or forward to its descendants"},
    {"verify", lds_cmd_verify, "verify ledger proofs and signed tree heads offline"},
    {"report", lds_cmd_report, "monthly flow and project lifecycle reports"},
    {"version", lds_cmd_version, "print the version"},
    {"help", lds_cmd_help, "list commands"},
};

void lds_cli_error(const char *cmd, const lds_err *err)
{
    if (err->line)
        fprintf(stderr, "lodestone %s: line %u: %s\n", cmd, err->line, err->msg);
    else
        fprintf(stderr, "lodestone %s: %s\n", cmd, err->msg[0] ? err->msg : lds_code_text(err->code));
}

int lds_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "lodestone %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'lodestone %s --help'.\n", cmd);
    return LDS_EXIT_USAGE;
}

lds_code lds_cli_open_existing(const char *path, lds_store **s, lds_err *err)
{
    const char *file = strncmp(path, "sqlite:", 7) == 0 ? path + 7 : path;
    struct stat st;
    *s = NULL;
    if (stat(file, &st) != 0)
        return lds_err_set(err, LDS_ENOTFOUND,
                           "%s: no such database (create one with 'lodestone seed' or "
                           "'lodestone migrate')",
                           file);
    return lds_store_open(path, s, err);
}

int lds_cli_exit(lds_code rc)
{
    return rc == LDS_OK ? LDS_EXIT_OK : LDS_EXIT_FAIL;
}

int lds_cmd_version(int argc, char **argv, lds_config *cfg)
{
    (void)cfg;
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: lodestone version\nPrints the version of this build.\n");
        return LDS_EXIT_OK;
    }
    if (argc > 1)
        return lds_cli_usage_error("version", "unexpected argument '%s'", argv[1]);
    printf("lodestone %s\n", LDS_VERSION);
    return LDS_EXIT_OK;
}

int lds_cmd_help(int argc, char **argv, lds_config *cfg)
{
    (void)argc;
    (void)argv;
    (void)cfg;
    printf("Usage: lodestone <command> [options]\n\n"
           "Lodestone: mine-to-market coordination for the rare-earth chain.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-9s %s\n", commands[i].name, commands[i].summary);
    printf("\nEvery command takes --help.  Settings also come from LODESTONE_* environment\n"
           "variables (LODESTONE_DB, LODESTONE_PORT, LODESTONE_BIND, LODESTONE_LOG_LEVEL, ...);\n"
           "flags win over the environment.\n");
    return LDS_EXIT_OK;
}

int main(int argc, char **argv)
{
    lds_config cfg;
    lds_err err;
    lds_alloc_tune();
    lds_config_defaults(&cfg);
    if (lds_config_from_env(&cfg, &err) != LDS_OK) {
        lds_cli_error("config", &err);
        return LDS_EXIT_USAGE;
    }
    lds_log_set_level(cfg.log_level);
    if (argc < 2) {
        lds_cmd_help(argc, argv, &cfg);
        return LDS_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return lds_cmd_help(argc - 1, argv + 1, &cfg);
    if (strcmp(name, "--version") == 0)
        name = "version";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1, &cfg);
    fprintf(stderr, "lodestone: unknown command '%s'. Try 'lodestone help'.\n", name);
    return LDS_EXIT_USAGE;
}
