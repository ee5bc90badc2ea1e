/* cmd_verify.c — placeholder until the ledger verifier lands. */
#include <stdio.h>
#include "cli.h"

int lds_cmd_verify(int argc, char **argv, lds_config *cfg)
{
    (void)argc;
    (void)argv;
    (void)cfg;
    fprintf(stderr, "lodestone verify: not available in this build\n");
    return LDS_EXIT_FAIL;
}
