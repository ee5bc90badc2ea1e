/*
 * cmd_report_flows.c — `lodestone report flows --org ID --month YYYY-MM`:
 * the monthly flow report of an enterprise (inputs, outputs and stocks per
 * product from its EPCIS events) as a table, JSON or CSV.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lodestone/trace_views.h"

static const char usage[] =
    "Usage: lodestone report flows --org ID --month YYYY-MM --db FILE [--json|--csv]\n"
    "\n"
    "The monthly flow report of an enterprise: per product (catalog material of\n"
    "the lot, else its EPC class) and unit, the opening stock, the inputs\n"
    "(received: ObjectEvents with bizStep receiving; consumed: TransformationEvent\n"
    "inputs, decommissioning, destroying), the outputs (produced: Transformation-\n"
    "Event outputs, commissioning; shipped: bizStep shipping) and the closing\n"
    "stock, from the events the organisation captured or that took place at its\n"
    "facilities.  An event counts in the month of its local time.\n"
    "\n"
    "  --org ID        the organisation (registry id)\n"
    "  --month YYYY-MM the month\n"
    "  --db FILE       the database (or LODESTONE_DB)\n"
    "  --json          JSON, as GET /api/v1/reports/flows\n"
    "  --csv           CSV with a header row\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 ok, 1 failure (e.g. no such organisation), 2 usage error.\n";

static void print_table(const lds_flow_report *r)
{
    printf("Flow report: %s (org %lld), %s; %zu events in the month\n", r->org_name,
           (long long)r->org_id, r->month, r->n_events);
    printf("%-28s %-5s %14s %14s %14s %14s %14s %14s\n", "product", "uom", "opening", "received",
           "consumed", "produced", "shipped", "closing");
    for (size_t i = 0; i < r->n_rows; i++) {
        const lds_flow_row *row = &r->rows[i];
        char v[6][40];
        const int64_t x[6] = {row->opening,  row->received, row->consumed,
                              row->produced, row->shipped,  row->closing};
        for (int k = 0; k < 6; k++)
            lds_trace_fmt_milli(x[k], v[k], sizeof v[k]);
        printf("%-28s %-5s %14s %14s %14s %14s %14s %14s\n", row->product,
               row->uom[0] ? row->uom : "-", v[0], v[1], v[2], v[3], v[4], v[5]);
    }
    if (r->n_rows == 0)
        printf("(no flows)\n");
    if (r->n_unquantified)
        printf("%zu list entries without a quantity were not counted\n", r->n_unquantified);
}

int lds_cmd_report_flows(int argc, char **argv, lds_config *cfg)
{
    static const struct option opts[] = {
        {"org", required_argument, NULL, 'o'}, {"month", required_argument, NULL, 'm'},
        {"db", required_argument, NULL, 'd'},  {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *org_s = NULL, *month = NULL;
    int json = 0, csv = 0, c;
    lds_err err;
    lds_err_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:m:d:jch", opts, NULL)) != -1) {
        switch (c) {
        case 'o': org_s = optarg; break;
        case 'm': month = optarg; break;
        case 'd':
            if (lds_copy_str(cfg->db_path, sizeof cfg->db_path, optarg, "--db", &err))
                return lds_cli_usage_error("report flows", "%s", err.msg);
            break;
        case 'j': json = 1; break;
        case 'c': csv = 1; break;
        case 'h': fputs(usage, stdout); return LDS_EXIT_OK;
        case ':':
            return lds_cli_usage_error("report flows", "%s needs a value", argv[optind - 1]);
        default:
            return lds_cli_usage_error("report flows", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return lds_cli_usage_error("report flows", "unexpected argument '%s'", argv[optind]);
    if (!org_s || !month)
        return lds_cli_usage_error("report flows", "--org and --month are required");
    if (json && csv)
        return lds_cli_usage_error("report flows", "give one of --json, --csv");
    long long org = 0;
    int64_t from, to;
    if (lds_parse_int(org_s, 1, INT64_MAX, &org, "--org", &err) != LDS_OK ||
        lds_trace_month_bounds(month, &from, &to, &err) != LDS_OK)
        return lds_cli_usage_error("report flows", "%s", err.msg);

    lds_store *s = NULL;
    lds_code rc = lds_cli_open_existing(cfg->db_path, &s, &err);
    if (rc == LDS_OK)
        rc = lds_store_migrate(s, NULL, &err);
    lds_flow_report rep;
    if (rc == LDS_OK)
        rc = lds_trace_flows(s, org, month, &rep, &err);
    if (rc != LDS_OK) {
        lds_cli_error("report flows", &err);
        lds_store_close(s);
        return lds_cli_exit(rc);
    }
    if (json || csv) {
        lds_buf b = LDS_BUF_INIT;
        if (json)
            lds_trace_flows_json(&rep, &b);
        else
            lds_trace_flows_csv(&rep, &b);
        fwrite(b.ptr, 1, b.len, stdout);
        if (json)
            putchar('\n');
        lds_buf_release(&b);
    } else {
        print_table(&rep);
    }
    lds_trace_flows_free(&rep);
    lds_store_close(s);
    return LDS_EXIT_OK;
}
