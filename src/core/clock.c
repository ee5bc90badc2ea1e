/* clock.c — the current time as RFC 3339 UTC text. */
#include <time.h>
#include "lodestone/clock.h"

void lds_now_rfc3339(char out[LDS_RFC3339_LEN])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, LDS_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
