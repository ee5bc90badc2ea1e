/* cmd_report_flows.c — `lodestone report flows` (being built; see docs). */
#include <stdio.h>

#include "cli.h"

int lds_cmd_report_flows(int argc, char **argv, lds_config *cfg)
{
    (void)argc;
    (void)argv;
    (void)cfg;
    fprintf(stderr, "lodestone: report flows: not available in this build\n");
    return LDS_EXIT_FAIL;
}
