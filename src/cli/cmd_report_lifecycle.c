/*
 * cmd_report_lifecycle.c — `lodestone report lifecycle --db FILE`: cycle
 * time per stage and time to market (median and p90, overall, per sector
 * and per region), SLA breach rates per factor and provider, and open items
 * by stage, as a table, JSON (as GET /api/v1/metrics/lifecycle) or CSV.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "lodestone/buf.h"
#include "lodestone/lifecycle.h"

static const char usage[] =
    "Usage: lodestone report lifecycle --db FILE [--json|--csv] [--now TIME]\n"
    "\n"
    "How fast projects move, from the stored history of stage transitions and\n"
    "service requests: cycle time per stage (completed stays) and time to market\n"
    "(created -> first market_access), each overall, per sector and per region\n"
    "as median and 90th percentile (linear interpolation between closest ranks,\n"
    "type 7); SLA breach rate per factor and per provider (done after the due\n"
    "time, or open past it; rejected and cancelled requests are not counted);\n"
    "open items by stage.  Durations in days.  See docs/lifecycle.md.\n"
    "\n"
    "  --db FILE       the database (or LODESTONE_DB)\n"
    "  --json          JSON, as GET /api/v1/metrics/lifecycle\n"
    "  --csv           CSV with a header row (one long table)\n"
    "  --now TIME      the clock deciding what is past due (YYYY-MM-DDTHH:MM:SSZ;\n"
    "                  default: now)\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 usage error.\n";

int lds_cmd_report_lifecycle(int argc, char **argv, lds_config *cfg)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},      {"now", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
    };
    int json = 0, csv = 0, c;
    int64_t now = (int64_t)time(NULL) * 1000;
    lds_err err;
    lds_err_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:jcn:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (lds_copy_str(cfg->db_path, sizeof cfg->db_path, optarg, "--db", &err))
                return lds_cli_usage_error("report lifecycle", "%s", err.msg);
            break;
        case 'j': json = 1; break;
        case 'c': csv = 1; break;
        case 'n':
            now = lds_lifecycle_time_parse(optarg);
            if (now < 0)
                return lds_cli_usage_error("report lifecycle",
                                           "--now: '%s' is not YYYY-MM-DDTHH:MM:SSZ", optarg);
            break;
        case 'h': fputs(usage, stdout); return LDS_EXIT_OK;
        case ':':
            return lds_cli_usage_error("report lifecycle", "%s needs a value", argv[optind - 1]);
        default:
            return lds_cli_usage_error("report lifecycle", "unknown option '%s'",
                                       argv[optind - 1]);
        }
    }
    if (optind < argc)
        return lds_cli_usage_error("report lifecycle", "unexpected argument '%s'", argv[optind]);
    if (json && csv)
        return lds_cli_usage_error("report lifecycle", "give one of --json, --csv");
    if (!cfg->db_path[0])
        return lds_cli_usage_error("report lifecycle", "--db is required (or LODESTONE_DB)");

    lds_store *s = NULL;
    lds_lcm_data *d = NULL;
    lds_lcm_metrics *m = NULL;
    lds_code rc = lds_cli_open_existing(cfg->db_path, &s, &err);
    if (rc == LDS_OK)
        rc = lds_store_migrate(s, NULL, &err);
    if (rc == LDS_OK)
        rc = lds_lifecycle_read(s, now, &d, &err);
    if (rc == LDS_OK)
        rc = lds_lifecycle_metrics(lds_lifecycle_data_input(d), &m, &err);
    if (rc != LDS_OK) {
        lds_cli_error("report lifecycle", &err);
        lds_lifecycle_data_free(d);
        lds_store_close(s);
        return lds_cli_exit(rc);
    }
    lds_buf b = LDS_BUF_INIT;
    if (json)
        lds_lifecycle_metrics_json(m, &b);
    else if (csv)
        lds_lifecycle_metrics_csv(m, &b);
    else
        lds_lifecycle_metrics_table(m, &b);
    fwrite(b.ptr, 1, b.len, stdout);
    if (json)
        putchar('\n');
    lds_buf_release(&b);
    lds_lifecycle_metrics_free(m);
    lds_lifecycle_data_free(d);
    lds_store_close(s);
    return LDS_EXIT_OK;
}
