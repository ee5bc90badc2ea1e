/* seed.h — shared by `seed` and `demo`: migrate, load the catalog, generate the corridor. */
#ifndef LDS_CLI_SEED_H
#define LDS_CLI_SEED_H

#include <stdint.h>
#include "lodestone/config.h"
#include "lodestone/store.h"

/**
 * Migrates `s`, loads the catalog from cfg->catalog_path and generates the
 * demo corridor with `seed`.  With `if_empty` set, a database that already
 * holds organisations is left as it is.  Prints a one-line summary to stderr.
 */
lds_code lds_cli_seed_demo(lds_store *s, const lds_config *cfg, uint64_t seed, int if_empty,
                           lds_err *err);

#endif
