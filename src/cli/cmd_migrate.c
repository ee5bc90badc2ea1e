/* cmd_migrate.c — `lodestone migrate --db FILE`: apply pending migrations. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "lodestone/projects.h"
#include "lodestone/store.h"

int lds_cmd_migrate(int argc, char **argv, lds_config *cfg)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    lds_err err;
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (lds_copy_str(cfg->db_path, sizeof cfg->db_path, optarg, "--db", &err))
                return lds_cli_usage_error("migrate", "%s", err.msg);
            break;
        case 'h':
            printf("Usage: lodestone migrate --db FILE\n\n"
                   "Creates the database if needed and applies every pending schema migration,\n"
                   "each in its own transaction, recording it in schema_migrations.\n"
                   "The database may also come from LODESTONE_DB.\n");
            return LDS_EXIT_OK;
        default:
            return lds_cli_usage_error("migrate", "unknown option");
        }
    }
    if (optind < argc)
        return lds_cli_usage_error("migrate", "unexpected argument '%s'", argv[optind]);
    lds_store *s = NULL;
    int applied = 0, version = 0;
    lds_code rc;
    if ((rc = lds_store_open(cfg->db_path, &s, &err)) ||
        (rc = lds_store_migrate(s, &applied, &err)) ||
        (rc = lds_store_schema_version(s, &version, &err))) {
        lds_cli_error("migrate", &err);
        lds_store_close(s);
        return LDS_EXIT_FAIL;
    }
    /* Stage gates of projects: a new database gets data/lifecycle.json (or
     * $LODESTONE_LIFECYCLE); one that has them keeps its own. */
    int gates = 0;
    if (lds_projects_ensure_lifecycle(s, &gates, &err) != LDS_OK)
        fprintf(stderr, "lodestone: migrate: project stage gates not loaded: %s\n", err.msg);
    lds_store_close(s);
    printf("%s: %d migration%s applied, schema version %d%s\n", cfg->db_path, applied,
           applied == 1 ? "" : "s", version, gates ? ", project stage gates loaded" : "");
    return LDS_EXIT_OK;
}
