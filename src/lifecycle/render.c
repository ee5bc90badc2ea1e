/*
 * render.c — lifecycle metrics as JSON (the API), CSV (one long table,
 * RFC 4180) and aligned text (the terminal).  Durations are shown in days.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "lifecycle_int.h"
#include "lodestone/buf.h"

static const char *dim_name(lds_lcm_dim d)
{
    return d == LDS_LCM_SECTOR ? "sector" : d == LDS_LCM_REGION ? "region" : "all";
}

static const char *stage_name(int s)
{
    return s < 0 ? "time_to_market" : lds_pstage_name((lds_pstage)s);
}

static double days(double ms)
{
    return ms / LDS_LCM_MS_PER_DAY;
}

static void json_stat(lds_buf *b, const lds_lcm_stat *st, int with_stage)
{
    lds_buf_addc(b, '{');
    if (with_stage)
        lds_buf_addf(b, "\"stage\":\"%s\",", stage_name(st->stage));
    lds_buf_addf(b, "\"dimension\":\"%s\",\"key\":", dim_name(st->dim));
    if (st->key)
        lds_buf_add_json_str(b, st->key);
    else
        lds_buf_adds(b, "null");
    lds_buf_addf(b, ",\"n\":%zu,\"median_days\":%.6g,\"p90_days\":%.6g}", st->n,
                 days(st->median_ms), days(st->p90_ms));
}

static void json_sla(lds_buf *b, const lds_lcm_sla *a)
{
    if (a->factor >= 0)
        lds_buf_addf(b, "{\"factor\":\"%s\"", lds_factor_name((lds_factor)a->factor));
    else if (a->provider_org)
        lds_buf_addf(b, "{\"provider_org\":%lld", (long long)a->provider_org);
    else
        lds_buf_adds(b, "{\"provider_org\":null");
    if (a->factor < 0) {
        lds_buf_adds(b, ",\"provider\":");
        if (a->provider)
            lds_buf_add_json_str(b, a->provider);
        else
            lds_buf_adds(b, "null");
    }
    lds_buf_addf(b, ",\"requests\":%zu,\"decided\":%zu,\"breached\":%zu,\"done_late\":%zu,"
                    "\"open_overdue\":%zu,\"breach_rate\":",
                 a->n, a->decided, a->breached, a->done_late, a->open_overdue);
    if (a->decided)
        lds_buf_addf(b, "%.6g}", a->rate);
    else
        lds_buf_adds(b, "null}");
}

void lds_lifecycle_metrics_json(const lds_lcm_metrics *m, void *buf)
{
    lds_buf *b = buf;
    lds_buf_addf(b, "{\"now_ms\":%lld,\"projects\":%zu,\"transitions\":%zu,\"service_requests\":%zu,"
                    "\"percentile\":\"linear (type 7)\",\"cycle_time\":[",
                 (long long)m->now_ms, m->n_projects, m->n_transitions, m->n_requests);
    for (size_t i = 0; i < m->n_cycle; i++) {
        if (i)
            lds_buf_addc(b, ',');
        json_stat(b, &m->cycle[i], 1);
    }
    lds_buf_adds(b, "],\"time_to_market\":[");
    for (size_t i = 0; i < m->n_ttm; i++) {
        if (i)
            lds_buf_addc(b, ',');
        json_stat(b, &m->ttm[i], 0);
    }
    lds_buf_adds(b, "],\"sla_by_factor\":[");
    for (size_t i = 0; i < m->n_sla_factor; i++) {
        if (i)
            lds_buf_addc(b, ',');
        json_sla(b, &m->sla_factor[i]);
    }
    lds_buf_adds(b, "],\"sla_by_provider\":[");
    for (size_t i = 0; i < m->n_sla_provider; i++) {
        if (i)
            lds_buf_addc(b, ',');
        json_sla(b, &m->sla_provider[i]);
    }
    lds_buf_adds(b, "],\"open_by_stage\":[");
    for (int s = 0; s < LDS_PSTAGE_COUNT; s++)
        lds_buf_addf(b, "%s{\"stage\":\"%s\",\"projects\":%zu,\"open_requests\":%zu,"
                        "\"overdue_requests\":%zu}",
                     s ? "," : "", stage_name(s), m->open[s].projects, m->open[s].open_requests,
                     m->open[s].overdue_requests);
    lds_buf_adds(b, "]}");
}

/* A CSV cell: quoted when it holds a comma, quote or line break. */
static void csv_cell(lds_buf *b, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        lds_buf_adds(b, s);
        return;
    }
    lds_buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            lds_buf_addc(b, '"');
        lds_buf_addc(b, *s);
    }
    lds_buf_addc(b, '"');
}

static void csv_stat(lds_buf *b, const char *metric, const lds_lcm_stat *st)
{
    lds_buf_addf(b, "%s,%s,", metric, dim_name(st->dim));
    csv_cell(b, st->key);
    lds_buf_addf(b, ",%s,%zu,%.6g,%.6g,,,,,,\r\n", st->stage < 0 ? "" : stage_name(st->stage),
                 st->n, days(st->median_ms), days(st->p90_ms));
}

static void csv_sla(lds_buf *b, const lds_lcm_sla *a)
{
    if (a->factor >= 0)
        lds_buf_addf(b, "sla,factor,%s,,%zu,,,", lds_factor_name((lds_factor)a->factor), a->n);
    else if (a->provider_org)
        lds_buf_addf(b, "sla,provider,%lld,,%zu,,,", (long long)a->provider_org, a->n);
    else
        lds_buf_addf(b, "sla,provider,unassigned,,%zu,,,", a->n);
    lds_buf_addf(b, "%zu,%zu,", a->decided, a->breached);
    if (a->decided)
        lds_buf_addf(b, "%.6g", a->rate);
    lds_buf_adds(b, ",,,\r\n");
}

void lds_lifecycle_metrics_csv(const lds_lcm_metrics *m, void *buf)
{
    lds_buf *b = buf;
    lds_buf_adds(b, "metric,dimension,key,stage,n,median_days,p90_days,decided,breached,"
                    "breach_rate,projects,open_requests,overdue_requests\r\n");
    for (size_t i = 0; i < m->n_cycle; i++)
        csv_stat(b, "cycle_time", &m->cycle[i]);
    for (size_t i = 0; i < m->n_ttm; i++)
        csv_stat(b, "time_to_market", &m->ttm[i]);
    for (size_t i = 0; i < m->n_sla_factor; i++)
        csv_sla(b, &m->sla_factor[i]);
    for (size_t i = 0; i < m->n_sla_provider; i++)
        csv_sla(b, &m->sla_provider[i]);
    for (int s = 0; s < LDS_PSTAGE_COUNT; s++)
        lds_buf_addf(b, "open,all,,%s,,,,,,,%zu,%zu,%zu\r\n", stage_name(s), m->open[s].projects,
                     m->open[s].open_requests, m->open[s].overdue_requests);
}

static void table_stats(lds_buf *b, const lds_lcm_stat *st, size_t n, int with_stage)
{
    lds_buf_addf(b, "%-22s %-7s %-16s %7s %12s %10s\n", with_stage ? "stage" : "", "by", "key",
                 "n", "median d", "p90 d");
    for (size_t i = 0; i < n; i++)
        lds_buf_addf(b, "%-22s %-7s %-16s %7zu %12.1f %10.1f\n",
                     with_stage ? stage_name(st[i].stage) : "", dim_name(st[i].dim),
                     st[i].key ? st[i].key : "-", st[i].n, days(st[i].median_ms),
                     days(st[i].p90_ms));
}

/* Bytes of the longest prefix of `s` of at most `max` bytes that does not
 * cut a UTF-8 sequence. */
static int utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

static void table_sla(lds_buf *b, const lds_lcm_sla *a, size_t n, const char *by)
{
    lds_buf_addf(b, "%-24s %9s %8s %9s %10s %13s %8s\n", by, "requests", "decided", "breached",
                 "done late", "open overdue", "rate");
    for (size_t i = 0; i < n; i++) {
        char key[64];
        if (a[i].factor >= 0)
            snprintf(key, sizeof key, "%s", lds_factor_name((lds_factor)a[i].factor));
        else if (a[i].provider)
            snprintf(key, sizeof key, "%.*s (%lld)", utf8_prefix(a[i].provider, 16),
                     a[i].provider, (long long)a[i].provider_org);
        else if (a[i].provider_org)
            snprintf(key, sizeof key, "org %lld", (long long)a[i].provider_org);
        else
            snprintf(key, sizeof key, "unassigned");
        char rate[16] = "-";
        if (a[i].decided)
            snprintf(rate, sizeof rate, "%.1f%%", 100.0 * a[i].rate);
        lds_buf_addf(b, "%-24s %9zu %8zu %9zu %10zu %13zu %8s\n", key, a[i].n, a[i].decided,
                     a[i].breached, a[i].done_late, a[i].open_overdue, rate);
    }
}

void lds_lifecycle_metrics_table(const lds_lcm_metrics *m, void *buf)
{
    lds_buf *b = buf;
    lds_buf_addf(b, "Lifecycle metrics: %zu projects, %zu transitions, %zu service requests "
                    "(percentiles: linear interpolation, type 7)\n\n",
                 m->n_projects, m->n_transitions, m->n_requests);
    lds_buf_adds(b, "Cycle time per stage (completed stays, days)\n");
    table_stats(b, m->cycle, m->n_cycle, 1);
    lds_buf_adds(b, "\nTime to market (proposed -> market_access, days)\n");
    table_stats(b, m->ttm, m->n_ttm, 0);
    lds_buf_adds(b, "\nSLA breaches per factor (done late, or open past due)\n");
    table_sla(b, m->sla_factor, m->n_sla_factor, "factor");
    lds_buf_adds(b, "\nSLA breaches per provider\n");
    table_sla(b, m->sla_provider, m->n_sla_provider, "provider");
    lds_buf_adds(b, "\nOpen items by stage\n");
    lds_buf_addf(b, "%-22s %9s %14s %17s\n", "stage", "projects", "open requests",
                 "overdue requests");
    for (int s = 0; s < LDS_PSTAGE_COUNT; s++)
        lds_buf_addf(b, "%-22s %9zu %14zu %17zu\n", stage_name(s), m->open[s].projects,
                     m->open[s].open_requests, m->open[s].overdue_requests);
}

int64_t lds_lifecycle_time_parse(const char *s)
{
    /* Exactly YYYY-MM-DDTHH:MM:SSZ: digits where digits go (sscanf's %d
     * alone would take signs, spaces and one-digit fields) and a day that
     * exists in its month (timegm would roll 02-30 into March). */
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (!s || strlen(s) != sizeof shape - 1)
        return -1;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = tm.tm_year;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
        tm.tm_mday > mdays[tm.tm_mon - 1] || (tm.tm_mon == 2 && tm.tm_mday == 29 && !leap) ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000;
}
