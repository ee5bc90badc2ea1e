/* cmd_report_lifecycle.c — `lodestone report lifecycle` (being built; see docs). */
#include <stdio.h>

#include "cli.h"

int lds_cmd_report_lifecycle(int argc, char **argv, lds_config *cfg)
{
    (void)argc;
    (void)argv;
    (void)cfg;
    fprintf(stderr, "lodestone: report lifecycle: not available in this build\n");
    return LDS_EXIT_FAIL;
}
