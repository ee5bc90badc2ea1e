/*
 * catalog.h — the rare-earth chain as data: elements, regions, stages,
 * materials with their rare-earth content, and recipes (bills of materials
 * with yields).  data/catalog.json is parsed and validated into an immutable
 * lds_catalog, written to the store in one transaction, and read back; the
 * conversions (any quantity of any material -> tonnes REO and tonnes of each
 * element's oxide and metal) are pure functions of an lds_catalog.
 *
 * Quantities here are doubles in the material's own unit ('t', 'unit', 'MW');
 * stored quantities are `_milli` integers, so divide by 1000 first.
 *
 * Thread-safety: an lds_catalog is immutable once returned, so any number of
 * threads may read and convert with one catalog; the store functions follow
 * store.h (one connection per thread).
 */
#ifndef LDS_CATALOG_H
#define LDS_CATALOG_H

#include <stddef.h>
#include "err.h"
#include "store.h"

/* ---- rare-earth elements (the 17 REE less promethium) ---------------- */

typedef enum lds_re {
    LDS_RE_LA, LDS_RE_CE, LDS_RE_PR, LDS_RE_ND, LDS_RE_SM, LDS_RE_EU, LDS_RE_GD, LDS_RE_TB,
    LDS_RE_DY, LDS_RE_HO, LDS_RE_ER, LDS_RE_TM, LDS_RE_YB, LDS_RE_LU, LDS_RE_Y,  LDS_RE_SC,
    LDS_RE_N
} lds_re;

/** Element symbol, e.g. "Nd" (NULL when out of range). */
const char *lds_re_symbol(lds_re e);
/** Oxide formula in which the element is traded and counted, e.g. "Nd2O3". */
const char *lds_re_oxide(lds_re e);
/** Element for a symbol (case-sensitive), or -1. */
int lds_re_parse(const char *symbol);

/** A quantity of rare earths, split by element. */
typedef struct lds_reo {
    double total_oxide_t;        /* tonnes REO (sum of oxide_t) */
    double total_metal_t;        /* tonnes of rare-earth metal (sum of metal_t) */
    double oxide_t[LDS_RE_N];    /* tonnes of each element's oxide */
    double metal_t[LDS_RE_N];    /* tonnes of each element as metal */
} lds_reo;

/* ---- the catalog ------------------------------------------------------- */

typedef struct lds_material {
    const char *id, *name, *stage_id, *kind, *unit;
    double unit_mass_kg;         /* mass of one unit; 0 when the unit has no fixed mass */
    int export_controlled;       /* 1 when MOFCOM No. 18 licensing applies (derived rule) */
    int n_elements;              /* elements with non-zero content */
    double oxide_t[LDS_RE_N];    /* t of each oxide per one unit of the material */
    double metal_t[LDS_RE_N];    /* t of each element as metal per one unit */
} lds_material;

typedef struct lds_recipe_line {
    const char *material_id;
    size_t material;             /* index for lds_catalog_material_at */
    double qty;                  /* in the material's unit, per run of the recipe */
} lds_recipe_line;

typedef struct lds_recipe {
    const char *id, *name, *stage_id;
    const char *output_id;       /* primary output */
    size_t output;               /* its material index */
    double output_qty;           /* primary output per run */
    double yield;                /* documented yield already folded into the quantities */
    double lead_time_days;
    size_t n_inputs, n_outputs;
    const lds_recipe_line *inputs;
    const lds_recipe_line *outputs; /* every output, the primary one included */
} lds_recipe;

typedef struct lds_catalog lds_catalog;

/**
 * Parses and validates a catalog document.  Every violation is LDS_EINVAL
 * with err->field set to the JSON pointer of the offending value (e.g.
 * "/materials/12/content/3/source") and named in err->msg; JSON syntax errors
 * carry line and column.  Checks: required fields, unknown stage / material /
 * element / recipe references, duplicate ids, negative or non-finite factors,
 * yields outside (0, 1], missing or malformed sources (a URL, "derived: ..."
 * or "unsourced: ..."), recipes that create rare earths (mass balance per
 * element) and export_controlled flags that contradict the catalog's rule.
 * Derived values (content of composite materials, co-products of separation
 * recipes, metal <-> oxide) are computed here.  `*out` is owned by the caller
 * (lds_catalog_free); NULL on error.
 */
lds_code lds_catalog_parse(const char *json, size_t len, lds_catalog **out, lds_err *err);
lds_code lds_catalog_parse_file(const char *path, lds_catalog **out, lds_err *err);
void lds_catalog_free(lds_catalog *c);

/**
 * Writes the catalog into the store in one transaction (rolled back on any
 * error).  Idempotent: rows are upserted by id and the content / recipe lines
 * of each loaded material and recipe replaced, so loading twice leaves one
 * copy.  Rows the document no longer names are left in place.  Requires a
 * parsed catalog (one read back with lds_catalog_read cannot be stored).
 */
lds_code lds_catalog_store(const lds_catalog *c, lds_store *s, lds_err *err);

/** Parses, validates and stores `path` (see lds_catalog_parse/_store). */
lds_code lds_catalog_load_file(lds_store *s, const char *path, lds_err *err);

/**
 * Reads the catalog back from the store (materials, content, recipes and
 * their lines) for pure engines.  LDS_ENOTFOUND when no catalog is loaded.
 */
lds_code lds_catalog_read(lds_store *s, lds_catalog **out, lds_err *err);

const char *lds_catalog_version(const lds_catalog *c);
size_t lds_catalog_n_materials(const lds_catalog *c);
const lds_material *lds_catalog_material_at(const lds_catalog *c, size_t i);
/** Material by id, or NULL.  Borrowed; valid until lds_catalog_free. */
const lds_material *lds_catalog_material(const lds_catalog *c, const char *id);
size_t lds_catalog_n_recipes(const lds_catalog *c);
const lds_recipe *lds_catalog_recipe_at(const lds_catalog *c, size_t i);
const lds_recipe *lds_catalog_recipe(const lds_catalog *c, const char *id);
/**
 * The `nth` (0-based) recipe whose primary output is `material_id`, in
 * catalog order, or NULL when there are no more.  Co-products are not
 * indexed: walk lds_recipe.outputs for those.
 */
const lds_recipe *lds_catalog_recipe_for(const lds_catalog *c, const char *material_id,
                                         size_t nth);

/* ---- conversions ------------------------------------------------------- */

/**
 * Rare-earth content of `qty` units of `material_id`: tonnes REO in total and
 * tonnes of each element's oxide and metal.  Pure.  LDS_ENOTFOUND for an
 * unknown material, LDS_EINVAL for a negative or non-finite qty.
 */
lds_code lds_catalog_convert(const lds_catalog *c, const char *material_id, double qty,
                             lds_reo *out, lds_err *err);

/** The same conversion answered from the store's material_content table. */
lds_code lds_catalog_reo(lds_store *s, const char *material_id, double qty, lds_reo *out,
                         lds_err *err);

#endif
