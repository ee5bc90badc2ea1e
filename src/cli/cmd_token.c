/*
 * cmd_token.c — `lodestone token create --db FILE --org ID --role ROLE`
 * prints a new token alone on stdout; `token revoke --db FILE --id N`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "lodestone/auth.h"
#include "lodestone/store.h"

static int usage(void)
{
    printf("Usage: lodestone token create --db FILE --org ID --role ROLE [--label TEXT]\n"
           "       lodestone token revoke --db FILE --id TOKEN_ID\n\n"
           "create prints a new API token (shown once; only its hash is stored).\n"
           "ROLE is one of operator, member, investor, provider, auditor.\n");
    return LDS_EXIT_OK;
}

int lds_cmd_token(int argc, char **argv, lds_config *cfg)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},   {"org", required_argument, NULL, 'o'},
        {"role", required_argument, NULL, 'r'}, {"label", required_argument, NULL, 'l'},
        {"id", required_argument, NULL, 'i'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    if (argc < 2)
        return lds_cli_usage_error("token", "missing action: create or revoke");
    const char *action = argv[1];
    if (strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0)
        return usage();
    int is_create = strcmp(action, "create") == 0;
    if (!is_create && strcmp(action, "revoke") != 0)
        return lds_cli_usage_error("token", "unknown action '%s' (create or revoke)", action);
    long long org = -1, id = -1;
    const char *role_s = NULL, *label = NULL;
    lds_err err;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "d:o:r:l:i:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (lds_copy_str(cfg->db_path, sizeof cfg->db_path, optarg, "--db", &err))
                return lds_cli_usage_error("token", "%s", err.msg);
            break;
        case 'o':
            if (lds_parse_int(optarg, 1, INT64_MAX, &org, "--org", &err))
                return lds_cli_usage_error("token", "%s", err.msg);
            break;
        case 'i':
            if (lds_parse_int(optarg, 1, INT64_MAX, &id, "--id", &err))
                return lds_cli_usage_error("token", "%s", err.msg);
            break;
        case 'r':
            role_s = optarg;
            break;
        case 'l':
            label = optarg;
            break;
        case 'h':
            return usage();
        default:
            return lds_cli_usage_error("token", "unknown option");
        }
    }
    if (optind < argc)
        return lds_cli_usage_error("token", "unexpected argument '%s'", argv[optind]);
    lds_role role = LDS_ROLE_NONE;
    if (is_create) {
        if (org < 0)
            return lds_cli_usage_error("token", "create needs --org ID");
        if (!role_s)
            return lds_cli_usage_error("token", "create needs --role ROLE");
        if (lds_role_parse(role_s, &role, &err))
            return lds_cli_usage_error("token", "%s", err.msg);
    } else if (id < 0) {
        return lds_cli_usage_error("token", "revoke needs --id TOKEN_ID");
    }
    lds_store *s = NULL;
    int version = 0;
    lds_code rc;
    if ((rc = lds_store_open(cfg->db_path, &s, &err)) ||
        (rc = lds_store_schema_version(s, &version, &err)))
        goto fail;
    if (version < lds_store_latest_version()) {
        lds_err_set(&err, LDS_EINVAL, "database '%s' is not migrated: run 'lodestone migrate --db %s'",
                    cfg->db_path, cfg->db_path);
        goto fail;
    }
    if (is_create) {
        char token[LDS_TOKEN_LEN + 1];
        if ((rc = lds_token_create(s, org, role, label, token, &err)))
            goto fail;
        printf("%s\n", token);
    } else if ((rc = lds_token_revoke(s, id, &err))) {
        goto fail;
    }
    lds_store_close(s);
    return LDS_EXIT_OK;
fail:
    lds_cli_error("token", &err);
    lds_store_close(s);
    return LDS_EXIT_FAIL;
}
