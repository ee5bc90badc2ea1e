/*
 * cmd_seed.c — `lodestone seed --demo --db FILE [--seed N] [--catalog FILE]`:
 * migrate, load the catalog and generate the synthetic demo corridor.
 * Without --demo only the catalog is loaded.
 */
#include <getopt.h>
#include <stdio.h>
#include "cli.h"
#include "lodestone/catalog.h"
#include "lodestone/demo.h"
#include "lodestone/invest.h"
#include "lodestone/market.h"
#include "lodestone/plan.h"
#include "lodestone/projects.h"
#include "lodestone/registry.h"
#include "lodestone/trace_views.h"
#include "seed.h"

lds_code lds_cli_seed_demo(lds_store *s, const lds_config *cfg, uint64_t seed, int if_empty,
                           lds_err *err)
{
    lds_code rc;
    int64_t n_orgs = 0, n_fac = 0;
    if ((rc = lds_store_migrate(s, NULL, err)) || (rc = lds_registry_count(s, "orgs", &n_orgs, err)))
        return rc;
    if (if_empty && n_orgs > 0)
        return LDS_OK;
    if ((rc = lds_catalog_load_file(s, cfg->catalog_path, err)) || (rc = lds_demo_seed(s, seed, err)) ||
        (rc = lds_market_seed_demo_lanes(s, err)) || (rc = lds_plan_seed_demo(s, err)) ||
        (rc = lds_projects_seed_demo(s, err)) || (rc = lds_invest_seed_demo(s, err)) ||
        (rc = lds_trace_seed_demo(s, err)) ||
        (rc = lds_registry_count(s, "orgs", &n_orgs, err)) ||
        (rc = lds_registry_count(s, "facilities", &n_fac, err)))
        return rc;
    fprintf(stderr, "seeded %s: %lld organisations, %lld facilities (synthetic demo corridor, seed %llu)\n",
            cfg->db_path, (long long)n_orgs, (long long)n_fac, (unsigned long long)seed);
    return LDS_OK;
}

int lds_cmd_seed(int argc, char **argv, lds_config *cfg)
{
    enum { OPT_CATALOG = 1000 };
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"demo", no_argument, NULL, 'D'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"catalog", required_argument, NULL, OPT_CATALOG},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, demo = 0;
    long long seed = LDS_DEMO_DEFAULT_SEED;
    lds_err err;
    while ((c = getopt_long(argc, argv, "d:s:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (lds_copy_str(cfg->db_path, sizeof cfg->db_path, optarg, "--db", &err))
                return lds_cli_usage_error("seed", "%s", err.msg);
            break;
        case 'D':
            demo = 1;
            break;
        case 's':
            if (lds_parse_int(optarg, 0, INT64_MAX, &seed, "--seed", &err))
                return lds_cli_usage_error("seed", "%s", err.msg);
            break;
        case OPT_CATALOG:
            if (lds_copy_str(cfg->catalog_path, sizeof cfg->catalog_path, optarg, "--catalog",
                             &err))
                return lds_cli_usage_error("seed", "%s", err.msg);
            break;
        case 'h':
            printf("Usage: lodestone seed --demo --db FILE [--seed N] [--catalog FILE]\n\n"
                   "Migrates the database, loads the rare-earth catalog (default\n"
                   "data/catalog.json) and, with --demo, generates the synthetic\n"
                   "Ganzhou-Shenzhen demo corridor: organisations, facilities, offers and\n"
                   "requests for 12 months, logistics lanes, a 12-month end-product\n"
                   "forecast, quotas and two planning scenarios.  The same seed gives the\n"
                   "same data.\n");
            return LDS_EXIT_OK;
        default:
            return lds_cli_usage_error("seed", "unknown option");
        }
    }
    if (optind < argc)
        return lds_cli_usage_error("seed", "unexpected argument '%s'", argv[optind]);
    lds_store *s = NULL;
    lds_code rc;
    if ((rc = lds_store_open(cfg->db_path, &s, &err)))
        goto fail;
    if (demo)
        rc = lds_cli_seed_demo(s, cfg, (uint64_t)seed, 0, &err);
    else if (!(rc = lds_store_migrate(s, NULL, &err)) &&
             !(rc = lds_catalog_load_file(s, cfg->catalog_path, &err)))
        rc = lds_projects_seed_lifecycle(s, &err);
    if (rc)
        goto fail;
    lds_store_close(s);
    return LDS_EXIT_OK;
fail:
    lds_cli_error("seed", &err);
    lds_store_close(s);
    return LDS_EXIT_FAIL;
}
