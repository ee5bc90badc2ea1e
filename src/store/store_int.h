/* store_int.h — internals shared by the store's files: the migration list. */
#ifndef LDS_STORE_INT_H
#define LDS_STORE_INT_H

#include "lodestone/store.h"

typedef struct lds_store__migration {
    int version;
    const char *name;
    const char *const *sql; /* NULL-terminated statements, run in one transaction */
} lds_store__migration;

extern const lds_store__migration lds_store__migrations[];
extern const int lds_store__n_migrations;

/* A migration's first statement when it must run with foreign keys off (a
 * table rebuild that other tables reference: SQLite's 12-step procedure).
 * The runner turns them off around the transaction and runs
 * PRAGMA foreign_key_check before the commit. */
#define LDS_STORE__FK_OFF "PRAGMA foreign_keys=OFF;\n"

/* Applies pending migrations up to version `target` (tests build older
 * schemas with it); lds_store_migrate is this up to the latest. */
lds_code lds_store__migrate_to(lds_store *s, int target, int *applied, lds_err *err);

#endif
