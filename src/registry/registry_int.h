/* registry_int.h — internals shared by the registry's files. */
#ifndef LDS_REGISTRY_INT_H
#define LDS_REGISTRY_INT_H

#include "lodestone/registry.h"

/** Writes the current row as a JSON object named by its columns. */
void lds_registry__row_json(lds_stmt *st, lds_buf *out);

#endif
