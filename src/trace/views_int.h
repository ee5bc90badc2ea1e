/* views_int.h — helpers shared by the trace views (flows, passports, demo). */
#ifndef LDS_TRACE_VIEWS_INT_H
#define LDS_TRACE_VIEWS_INT_H

#include <jansson.h>
#include "lodestone/trace_views.h"

/** A lot's material binding, read from the `ilmd` of the first event that
 *  names the class as an output (or in its quantityList) and binds it. */
typedef struct lds_trace__binding {
    int found;
    char material[64];
    char grade[64];
    char region[64];
    char mine[160];
    char event_id[160]; /* the binding (commissioning) event */
} lds_trace__binding;

/** The string value of ilmd key `name` ("lds:<name>" or the full IRI), or NULL. */
const char *lds_trace__ilmd(const json_t *event, const char *name);

/** Looks up the binding of EPC class `cls` (any spelling).  b->found = 0 when none. */
lds_code lds_trace__binding_of(lds_store *s, const char *cls, lds_trace__binding *b,
                               lds_err *err);

/** Quantity to thousandths, rounded half away from zero. */
int64_t lds_trace__milli(double q);
/** Writes thousandths as a decimal number without trailing zeros ("12.5", "-3"). */
void lds_trace__add_milli(lds_buf *b, int64_t v);

/** The last word of a CBV bizStep in any spelling ("shipping"), or "" (borrowed). */
const char *lds_trace__bizstep_word(const char *biz_step);

#endif
