/*
 * names.c — the stable names of the projects vocabularies: stages, factors,
 * service-request statuses, deal stages, sectors and timeline kinds.  The
 * names are the stored and the JSON form; their order is the enums' order.
 */
#include <string.h>
#include "lodestone/projects.h"

static const char *const pstage_names[LDS_PSTAGE_COUNT] = {
    "proposed", "permitting",    "financing", "technical_validation", "pilot_production",
    "talent",   "market_access", "operating", "on_hold",              "abandoned",
};
static const char *const factor_names[LDS_FACTOR_COUNT] = {
    "permitting", "financing",     "technical_validation", "pilot_production",
    "talent",     "market_access", "logistics",            "legal_ip",
};
static const char *const sr_names[LDS_SR_COUNT] = {
    "open", "accepted", "in_progress", "done", "rejected", "cancelled",
};
static const char *const deal_names[LDS_DEAL_COUNT] = {
    "introduced", "diligence", "term_sheet", "closed", "declined",
};
static const char *const sector_names[LDS_SECTOR_COUNT] = {
    "magnets", "motors", "ev", "robotics", "drones", "wind", "electronics", "materials", "recycling",
};
static const char *const pevent_names[LDS_PEVENT_COUNT] = {
    "transition", "edit", "document", "service",
};

static int find(const char *const *names, int n, const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

#define NAME_FNS(prefix, type, names, count)                                                       \
    const char *prefix##_name(type v)                                                              \
    {                                                                                              \
        return (int)v >= 0 && (int)v < (count) ? names[v] : NULL;                                 \
    }                                                                                              \
    int prefix##_parse(const char *name, type *out)                                                \
    {                                                                                              \
        int i = find(names, (count), name);                                                        \
        if (i < 0)                                                                                 \
            return 0;                                                                              \
        *out = (type)i;                                                                            \
        return 1;                                                                                  \
    }

NAME_FNS(lds_pstage, lds_pstage, pstage_names, LDS_PSTAGE_COUNT)
NAME_FNS(lds_factor, lds_factor, factor_names, LDS_FACTOR_COUNT)
NAME_FNS(lds_sr_status, lds_sr_status, sr_names, LDS_SR_COUNT)
NAME_FNS(lds_deal_stage, lds_deal_stage, deal_names, LDS_DEAL_COUNT)
NAME_FNS(lds_sector, lds_sector, sector_names, LDS_SECTOR_COUNT)

const char *lds_pevent_kind_name(lds_pevent_kind k)
{
    return (int)k >= 0 && (int)k < LDS_PEVENT_COUNT ? pevent_names[k] : NULL;
}

int lds_pstage_is_active(lds_pstage s)
{
    return (int)s >= LDS_PSTAGE_PROPOSED && s <= LDS_PSTAGE_MARKET_ACCESS;
}

int lds_pstage_is_terminal(lds_pstage s)
{
    return s == LDS_PSTAGE_OPERATING || s == LDS_PSTAGE_ABANDONED;
}
