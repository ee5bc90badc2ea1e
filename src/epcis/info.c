/*
 * info.c — read-only accessors over a (validated) event for the store and
 * query layers: type, action, times, identifiers.  Pointers handed out are
 * borrowed from the json_t; nothing here allocates.
 */
#include <string.h>
#include "epcis/epcis_int.h"

static const char *const type_names[] = {"", "ObjectEvent", "AggregationEvent",
                                         "TransactionEvent", "TransformationEvent",
                                         "AssociationEvent"};

const char *lds_epcis_type_name(lds_epcis_type t)
{
    return (unsigned)t < sizeof type_names / sizeof type_names[0] ? type_names[t] : "";
}

lds_epcis_type lds_epcis_type_parse(const char *name)
{
    if (!name)
        return LDS_EPCIS_TYPE_UNKNOWN;
    for (int t = LDS_EPCIS_OBJECT; t <= LDS_EPCIS_ASSOCIATION; t++)
        if (strcmp(type_names[t], name) == 0)
            return (lds_epcis_type)t;
    return LDS_EPCIS_TYPE_UNKNOWN;
}

const char *lds_epcis_action_name(lds_epcis_action a)
{
    switch (a) {
    case LDS_EPCIS_ADD: return "ADD";
    case LDS_EPCIS_OBSERVE: return "OBSERVE";
    case LDS_EPCIS_DELETE: return "DELETE";
    case LDS_EPCIS_ACTION_NONE: break;
    }
    return "";
}

static const char *str_at(const json_t *obj, const char *k)
{
    return json_string_value(json_object_get(obj, k));
}

lds_code lds_epcis_event_info_get(const json_t *event, lds_epcis_event_info *info, lds_err *err)
{
    memset(info, 0, sizeof *info);
    if (!json_is_object(event))
        return lds_err_set(err, LDS_EINVAL, "an event must be a JSON object");
    info->type = lds_epcis_type_parse(str_at(event, "type"));
    if (info->type == LDS_EPCIS_TYPE_UNKNOWN)
        return lds_err_field(err, LDS_EINVAL, "/type", "unknown or missing event type");
    if (lds_epcis_parse_time(str_at(event, "eventTime"), &info->event_time_ms, NULL) != 0)
        return lds_err_field(err, LDS_EINVAL, "/eventTime", "missing or malformed eventTime");
    if (!lds_epcis__is_tz_offset(str_at(event, "eventTimeZoneOffset"), &info->event_tz_offset_min))
        return lds_err_field(err, LDS_EINVAL, "/eventTimeZoneOffset",
                             "missing or malformed eventTimeZoneOffset");
    const char *rt = str_at(event, "recordTime");
    if (rt && lds_epcis_parse_time(rt, &info->record_time_ms, NULL) == 0)
        info->has_record_time = 1;
    const char *a = str_at(event, "action");
    info->action = !a                           ? LDS_EPCIS_ACTION_NONE
                   : strcmp(a, "ADD") == 0     ? LDS_EPCIS_ADD
                   : strcmp(a, "OBSERVE") == 0 ? LDS_EPCIS_OBSERVE
                   : strcmp(a, "DELETE") == 0  ? LDS_EPCIS_DELETE
                                               : LDS_EPCIS_ACTION_NONE;
    info->event_id = str_at(event, "eventID");
    info->biz_step = str_at(event, "bizStep");
    info->disposition = str_at(event, "disposition");
    info->read_point = str_at(json_object_get(event, "readPoint"), "id");
    info->biz_location = str_at(json_object_get(event, "bizLocation"), "id");
    info->parent_id = str_at(event, "parentID");
    info->transformation_id = str_at(event, "transformationID");
    return LDS_OK;
}

static int each_list(const json_t *event, const char *key, lds_epcis_role role,
                     lds_epcis_id_fn fn, void *ctx)
{
    size_t i;
    json_t *e;
    int r;
    json_array_foreach(json_object_get(event, key), i, e)
    {
        if (json_is_string(e) && (r = fn(ctx, role, json_string_value(e), 0, 0, NULL)) != 0)
            return r;
    }
    return 0;
}

static int each_qty(const json_t *event, const char *key, lds_epcis_role role, lds_epcis_id_fn fn,
                    void *ctx)
{
    size_t i;
    json_t *e;
    int r;
    json_array_foreach(json_object_get(event, key), i, e)
    {
        const char *cls = str_at(e, "epcClass");
        const json_t *q = json_object_get(e, "quantity");
        if (!cls)
            continue;
        r = fn(ctx, role, cls, json_is_number(q), json_is_number(q) ? json_number_value(q) : 0,
               str_at(e, "uom"));
        if (r)
            return r;
    }
    return 0;
}

int lds_epcis_event_each_id(const json_t *event, lds_epcis_id_fn fn, void *ctx)
{
    int r;
    const char *parent = str_at(event, "parentID");
    if ((r = each_list(event, "epcList", LDS_EPCIS_ROLE_EPC, fn, ctx)))
        return r;
    if (parent && (r = fn(ctx, LDS_EPCIS_ROLE_PARENT, parent, 0, 0, NULL)))
        return r;
    if ((r = each_list(event, "childEPCs", LDS_EPCIS_ROLE_CHILD_EPC, fn, ctx)) ||
        (r = each_list(event, "inputEPCList", LDS_EPCIS_ROLE_INPUT_EPC, fn, ctx)) ||
        (r = each_list(event, "outputEPCList", LDS_EPCIS_ROLE_OUTPUT_EPC, fn, ctx)) ||
        (r = each_qty(event, "quantityList", LDS_EPCIS_ROLE_CLASS, fn, ctx)) ||
        (r = each_qty(event, "childQuantityList", LDS_EPCIS_ROLE_CHILD_CLASS, fn, ctx)) ||
        (r = each_qty(event, "inputQuantityList", LDS_EPCIS_ROLE_INPUT_CLASS, fn, ctx)) ||
        (r = each_qty(event, "outputQuantityList", LDS_EPCIS_ROLE_OUTPUT_CLASS, fn, ctx)))
        return r;
    return 0;
}
