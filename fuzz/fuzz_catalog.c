/*
 * fuzz_catalog.c — the catalog document path: parse and validate arbitrary
 * bytes as data/catalog.json, convert every material, and store what parsed
 * into an in-memory database.  Must never crash or leak; a bad document is an
 * LDS_EINVAL, a store conflict an LDS_ECONFLICT.
 */
#include <stdint.h>
#include <stdlib.h>
#include "lodestone/catalog.h"
#include "lodestone/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lds_store *store_for_fuzzing(void)
{
    static lds_store *s;
    if (s)
        return s;
    if (lds_store_open(":memory:", &s, NULL) || lds_store_migrate(s, NULL, NULL))
        abort();
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lds_catalog *c;
    lds_err err;
    if (lds_catalog_parse((const char *)data, size, &c, &err) != LDS_OK) {
        if (c)
            abort(); /* out-param must be NULL on error */
        return 0;
    }
    for (size_t i = 0; i < lds_catalog_n_materials(c); i++) {
        lds_reo r;
        const lds_material *m = lds_catalog_material_at(c, i);
        if (lds_catalog_convert(c, m->id, 1.0, &r, &err) != LDS_OK || r.total_oxide_t < 0)
            abort();
    }
    for (size_t i = 0; i < lds_catalog_n_recipes(c); i++)
        if (!lds_catalog_recipe_for(c, lds_catalog_recipe_at(c, i)->output_id, 0))
            abort();
    lds_code rc = lds_catalog_store(c, store_for_fuzzing(), &err);
    if (rc != LDS_OK && rc != LDS_ECONFLICT)
        abort();
    lds_catalog_free(c);
    return 0;
}
