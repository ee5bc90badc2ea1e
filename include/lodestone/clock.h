/*
 * clock.h — the wall clock as the platform stores it: RFC 3339 UTC with
 * second precision ("2026-11-30T05:43:18Z").  For business modules and the
 * store; engines never read the clock.
 */
#ifndef LDS_CLOCK_H
#define LDS_CLOCK_H

#define LDS_RFC3339_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/** Writes the current UTC time into `out`. */
void lds_now_rfc3339(char out[LDS_RFC3339_LEN]);

#endif
