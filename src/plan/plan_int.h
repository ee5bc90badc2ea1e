/*
 * plan_int.h — internals shared by the planning files: catalog lookups,
 * the sourcing recipe of each material, period arithmetic and growable
 * arrays.  Nothing here touches the store.
 */
#ifndef LDS_PLAN_INT_H
#define LDS_PLAN_INT_H

#include <stddef.h>
#include <stdint.h>
#include "lodestone/plan.h"

#define LDS_PLAN_NONE ((size_t)-1)

/** Catalog index of material `id`, or LDS_PLAN_NONE. */
size_t lds_plan__mat(const lds_catalog *c, const char *id);
/** Total REO (t) in one unit of material `m`. */
double lds_plan__reo(const lds_catalog *c, size_t m);
/** Nominal tonnes per unit for logistics: the unit mass, else 0.01 t per
 *  piece and 10 t per MW (unsourced). */
double lds_plan__ship_mass(const lds_material *m);
/** Output quantity of material `m` per run of `r` (0 when none). */
double lds_plan__out_qty(const lds_recipe *r, size_t m);
/** 1 when a recipe consumes recycled material (stage "recycling"). */
int lds_plan__uses_recycled(const lds_catalog *c, const lds_recipe *r);
/**
 * For every material, the catalog index of its sourcing recipe (see
 * lds_plan_explode) or LDS_PLAN_NONE; `src` has n_materials entries.
 */
void lds_plan__sources(const lds_catalog *c, size_t *src);
/** Months since year 0 of "YYYY-MM", or -1. */
int lds_plan__month(const char *label);

/** Grows `*p` (elements of `size`) to hold `need`; 0 on success. */
int lds_plan__grow(void *p, size_t *cap, size_t need, size_t size);

#endif
