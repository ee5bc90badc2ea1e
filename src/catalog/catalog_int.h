/*
 * catalog_int.h — internals shared by catalog.c (parse, derive, convert) and
 * catalog_store.c (write to and read from the store).
 */
#ifndef LDS_CATALOG_INT_H
#define LDS_CATALOG_INT_H

#include <jansson.h>
#include "lodestone/catalog.h"

#define CATALOG_MAX_STAGES 32

typedef struct mat_int {
    lds_material pub;         /* first: accessors hand out &pub */
    json_t *json;             /* its object in the document; NULL when read from the store */
    const char *content_from; /* recipe id whose inputs give the content, or NULL */
    int resolved;             /* content known */
    unsigned char seen[LDS_RE_N];
} mat_int;

typedef struct rec_int {
    lds_recipe pub;           /* first: accessors hand out &pub */
    json_t *json;             /* NULL when read from the store */
    json_t *cop;              /* coproducts_by_content map, or NULL */
    lds_recipe_line *in, *out;
} rec_int;

struct lds_catalog {
    json_t *root;             /* the parsed document; NULL when read from the store */
    const char *version;
    int has_element[LDS_RE_N];
    int el_controlled[LDS_RE_N];
    double metal_per_oxide[LDS_RE_N];
    json_t *el_json[LDS_RE_N];
    size_t n_stages;
    const char *stage_ids[CATALOG_MAX_STAGES];
    int stage_ord[CATALOG_MAX_STAGES];
    json_t *stage_json[CATALOG_MAX_STAGES];
    double ec_threshold;      /* metal wt fraction of controlled elements */
    json_t *ec_exempt;        /* array of stage ids, or NULL */
    json_t *regions;
    mat_int *mats;
    size_t n_mats;
    rec_int *recs;
    size_t n_recs;
    char **pool;              /* strings owned by a catalog read from the store */
    size_t n_pool, cap_pool;
};

/** Copies `s` into the catalog's string pool; NULL on OOM. */
const char *lds_catalog__pool(lds_catalog *c, const char *s);
/** Fills the totals of `out` from its per-element arrays. */
void lds_catalog__sum(lds_reo *out);

#endif
