/* cmd_demo.c — placeholder. */
#include <stdio.h>
#include "cli.h"

int lds_cmd_demo(int argc, char **argv, lds_config *cfg)
{
    (void)argc;
    (void)argv;
    (void)cfg;
    fprintf(stderr, "lodestone demo: not available in this build\n");
    return LDS_EXIT_FAIL;
}
