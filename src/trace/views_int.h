/* views_int.h — helpers shared by the trace views (flows, passports, demo). */
#ifndef LDS_TRACE_VIEWS_INT_H
#define LDS_TRACE_VIEWS_INT_H

#include <jansson.h>
#include "lodestone/trace_views.h"

/** Quantity to thousandths, rounded half away from zero. */
int64_t lds_trace__milli(double q);
/** Writes thousandths as a decimal number without trailing zeros ("12.5", "-3"). */
void lds_trace__add_milli(lds_buf *b, int64_t v);

/** The last word of a CBV bizStep in any spelling ("shipping"), or "" (borrowed). */
const char *lds_trace__bizstep_word(const char *biz_step);

#endif
