/*
 * fuzz_epcis_document.c — arbitrary bytes through the EPCIS engine: jansson
 * parse, document (or single-event) validation, then the hash ID, canonical
 * bytes and accessors of every event, valid or not.  Must never crash, leak
 * or read out of bounds.
 */
#include <stdint.h>
#include <string.h>
#include <jansson.h>
#include "lodestone/epcis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_id(void *ctx, lds_epcis_role role, const char *uri, int has_q, double q,
                    const char *uom)
{
    (void)role;
    (void)has_q;
    (void)q;
    (void)uom;
    *(size_t *)ctx += strlen(uri);
    return 0;
}

static void exercise_event(lds_epcis_hasher *h, const json_t *ctx, const json_t *ev)
{
    char id[LDS_EPCIS_HASH_ID_LEN + 1];
    lds_buf b = LDS_BUF_INIT;
    lds_err err;
    lds_epcis_event_info info;
    size_t n = 0;
    if (lds_epcis_hasher_hash_id(h, ctx, ev, id, &err) == LDS_OK)
        lds_epcis_event_canonical(ev, ctx, id, &b, &err);
    lds_epcis_event_info_get(ev, &info, &err);
    lds_epcis_event_each_id(ev, count_id, &n);
    lds_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return 0;
    lds_epcis_report rep;
    lds_err err;
    lds_epcis_hasher *h = lds_epcis_hasher_new();
    lds_epcis_report_init(&rep);
    const char *type = json_string_value(json_object_get(doc, "type"));
    if (type && (strcmp(type, "EPCISDocument") == 0 || strcmp(type, "EPCISQueryDocument") == 0)) {
        lds_epcis_validate_document(doc, &rep, &err);
        const json_t *events = lds_epcis_document_events(doc);
        size_t i;
        json_t *ev;
        json_array_foreach(events, i, ev)
        {
            if (h)
                exercise_event(h, lds_epcis_document_context(doc), ev);
        }
    } else {
        lds_epcis_validate_event(doc, &rep, &err);
        if (h)
            exercise_event(h, NULL, doc);
    }
    lds_epcis_report_release(&rep);
    lds_epcis_hasher_free(h);
    json_decref(doc);
    return 0;
}
