/* store_int.h — internals shared by the store's files: the migration list. */
#ifndef LDS_STORE_INT_H
#define LDS_STORE_INT_H

typedef struct lds_store__migration {
    int version;
    const char *name;
    const char *const *sql; /* NULL-terminated statements, run in one transaction */
} lds_store__migration;

extern const lds_store__migration lds_store__migrations[];
extern const int lds_store__n_migrations;

#endif
