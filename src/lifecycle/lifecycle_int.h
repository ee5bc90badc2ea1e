/* lifecycle_int.h — what the lifecycle module's files share. */
#ifndef LDS_LIFECYCLE_INT_H
#define LDS_LIFECYCLE_INT_H

#include "lodestone/lifecycle.h"

/** Milliseconds per day, for the renderings. */
#define LDS_LCM_MS_PER_DAY 86400000.0

#endif
