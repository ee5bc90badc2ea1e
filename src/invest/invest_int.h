/* invest_int.h — what the invest module's files share. */
#ifndef LDS_INVEST_INT_H
#define LDS_INVEST_INT_H

#include "lodestone/invest.h"

/** Validates an engine input; LDS_EINVAL names the first bad record. */
lds_code lds_invest__check(const lds_invest_input *in, lds_err *err);
/** Whether project `p` adds capacity where bottleneck `b` binds. */
int lds_invest__bottleneck_fits(const lds_invest_bottleneck *b, const lds_invest_project *p);
/** The best-valued bottleneck project `pi` relieves (-1 = none) and its bonus. */
long lds_invest__best_bottleneck(const lds_invest_input *in, size_t pi, double *bonus);

/** Ids of the `k` best projects for `mandate` (at most k into `ids`). */
lds_code lds_invest__top_projects(lds_store *s, int64_t mandate, size_t k, int64_t *ids,
                                  size_t *n, lds_err *err);

#endif
