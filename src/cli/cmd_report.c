/*
 * cmd_report.c — `lodestone report <kind> ...`: the reports a regulator, an
 * operator or an investor files or reads.  Each kind lives in its own
 * cmd_report_<kind>.c and is listed here.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const lds_cli_cmd reports[] = {
    {"flows", lds_cmd_report_flows, "monthly inputs, outputs and stocks of an enterprise"},
    {"lifecycle", lds_cmd_report_lifecycle, "cycle times, time to market and SLA breaches"},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: lodestone report <kind> [options]\n\nKinds:\n");
    for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++)
        fprintf(f, "  %-10s %s\n", reports[i].name, reports[i].summary);
    fprintf(f, "\n'lodestone report <kind> --help' describes each kind's options.\n");
}

int lds_cmd_report(int argc, char **argv, lds_config *cfg)
{
    if (argc < 2) {
        usage(stderr);
        return LDS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return LDS_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++)
        if (strcmp(argv[1], reports[i].name) == 0)
            return reports[i].run(argc - 1, argv + 1, cfg);
    return lds_cli_usage_error("report", "unknown report '%s' (flows, lifecycle)", argv[1]);
}
