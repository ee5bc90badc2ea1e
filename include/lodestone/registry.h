/*
 * registry.h — the corridor's records as API resources: regions,
 * organisations, facilities, materials and recipes.  Lists use keyset
 * pagination: items are ordered by id, `limit` bounds a page and `next` is an
 * opaque cursor naming the last id seen.  Results are written as JSON text
 * into an lds_buf, so the HTTP layer only frames them.
 */
#ifndef LDS_REGISTRY_H
#define LDS_REGISTRY_H

#include <jansson.h>
#include "buf.h"
#include "err.h"
#include "store.h"

#define LDS_REGISTRY_DEFAULT_LIMIT 50
#define LDS_REGISTRY_MAX_LIMIT     500
#define LDS_MAX_FIELD_ERRORS       16

/** One invalid input field: a JSON pointer (or query parameter) and why. */
typedef struct lds_field_error {
    char pointer[128];
    char message[192];
} lds_field_error;

typedef struct lds_field_errors {
    int n;
    lds_field_error items[LDS_MAX_FIELD_ERRORS];
} lds_field_errors;

/** Records a field error (silently drops past LDS_MAX_FIELD_ERRORS). */
void lds_field_errors_add(lds_field_errors *fe, const char *pointer, const char *fmt, ...)
    LDS_PRINTF(3, 4);

/** A query parameter. */
typedef struct lds_kv {
    const char *key;
    const char *value;
} lds_kv;

/**
 * Splits a list's query parameters: `limit` (1..LDS_REGISTRY_MAX_LIMIT,
 * default LDS_REGISTRY_DEFAULT_LIMIT), `next` (the raw cursor text, NULL when
 * absent; each list decodes its own) and the `n_filters` named filters, whose
 * values land in `fval` (NULL when absent).  Unknown, repeated or bad
 * parameters are added to `fe`.
 */
void lds_list_params(const lds_kv *params, size_t n_params, const char *const *filters,
                     int n_filters, const char **fval, int64_t *limit, const char **next,
                     lds_field_errors *fe);

/** True if `resource` is one the registry serves ("regions", "orgs", ...). */
int lds_registry_has(const char *resource);

/**
 * Lists a resource.  `params` are the query parameters: `limit`, `next` and
 * the resource's filters (regions: country, role; orgs: region, stage, kind;
 * facilities: org, region, stage, material; materials: stage, kind;
 * recipes: stage, output).  Unknown or bad parameters give LDS_EINVAL with
 * `fe` naming them.  Output: {"items":[...],"next":"<cursor>"|null}.
 */
lds_code lds_registry_list(lds_store *s, const char *resource, const lds_kv *params,
                           size_t n_params, lds_buf *out, lds_field_errors *fe, lds_err *err);

/** Writes one record (with its details) as a JSON object; LDS_ENOTFOUND if none. */
lds_code lds_registry_get(lds_store *s, const char *resource, const char *id, lds_buf *out,
                          lds_err *err);

/**
 * Creates an organisation or a facility from a JSON object body.  Invalid
 * fields give LDS_EINVAL with every problem in `fe`; a duplicate gives
 * LDS_ECONFLICT.  On success writes the created record to `out` and its id
 * to `*id`.
 */
lds_code lds_registry_create(lds_store *s, const char *resource, json_t *body,
                             int64_t *id, lds_buf *out, lds_field_errors *fe, lds_err *err);

/** Counts the rows of a registry resource (for summaries). */
lds_code lds_registry_count(lds_store *s, const char *resource, int64_t *n, lds_err *err);

#endif
