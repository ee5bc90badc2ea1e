/* cmd_solve.c — placeholder until the min-cost-flow engine lands. */
#include <stdio.h>
#include "cli.h"

int lds_cmd_solve(int argc, char **argv, lds_config *cfg)
{
    (void)argc;
    (void)argv;
    (void)cfg;
    fprintf(stderr, "lodestone solve: not available in this build\n");
    return LDS_EXIT_FAIL;
}
