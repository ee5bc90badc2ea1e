/*
 * views.c — small helpers of the trace views: quantities in thousandths,
 * CBV words.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "views_int.h"

int64_t lds_trace__milli(double q)
{
    double m = q * 1000.0;
    if (m > 9e18)
        m = 9e18;
    if (m < -9e18)
        m = -9e18;
    return (int64_t)llround(m);
}

void lds_trace_fmt_milli(int64_t v, char *out, size_t n)
{
    unsigned long long a = v < 0 ? (unsigned long long)(-(v + 1)) + 1u : (unsigned long long)v;
    unsigned frac = (unsigned)(a % 1000u);
    int len = snprintf(out, n, "%s%llu", v < 0 ? "-" : "", a / 1000u);
    if (frac && len > 0 && (size_t)len < n) {
        char f[8];
        snprintf(f, sizeof f, ".%03u", frac);
        size_t fl = strlen(f);
        while (f[fl - 1] == '0')
            f[--fl] = '\0';
        snprintf(out + len, n - (size_t)len, "%s", f);
    }
}

void lds_trace__add_milli(lds_buf *b, int64_t v)
{
    char t[40];
    lds_trace_fmt_milli(v, t, sizeof t);
    lds_buf_adds(b, t);
}

const char *lds_trace__bizstep_word(const char *bs)
{
    if (!bs)
        return "";
    static const char *const prefixes[] = {"https://ref.gs1.org/cbv/BizStep-",
                                           "urn:epcglobal:cbv:bizstep:"};
    for (size_t i = 0; i < 2; i++)
        if (strncmp(bs, prefixes[i], strlen(prefixes[i])) == 0)
            return bs + strlen(prefixes[i]);
    return strchr(bs, ':') || strchr(bs, '/') ? "" : bs;
}
