/*
 * validate.c — EPCIS 2.0 validation of documents and single events: the
 * constraints of the EPCIS 2.0 JSON schema (types, required fields, CBV
 * values, absolute URIs, namespaced extension keys) plus rules the schema
 * misses (AggregationEvent needs parentID for ADD and DELETE, EPC URI
 * grammar, ilmd only with ADD).  Every violation is reported with a JSON
 * pointer; validation reads the json_t in place and allocates only the
 * per-event flags.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "epcis/epcis_int.h"
#include "lodestone/alloc.h"

typedef struct vctx {
    lds_epcis_report *rep;
    long ev;         /* event index, -1 at document level */
    int ev_bad;      /* current event has a violation */
    char ptr[256];   /* JSON pointer of the value being checked */
    size_t plen;
} vctx;

static void viol(vctx *c, const char *fmt, ...) LDS_PRINTF(2, 3);

static void viol(vctx *c, const char *fmt, ...)
{
    lds_epcis_report *r = c->rep;
    r->n_errors++;
    if (c->ev < 0)
        r->doc_ok = 0;
    else
        c->ev_bad = 1;
    if (r->n_items >= LDS_EPCIS_MAX_VIOLATIONS)
        return;
    lds_epcis_violation *v = &r->items[r->n_items++];
    size_t n = c->plen < sizeof v->pointer - 1 ? c->plen : sizeof v->pointer - 1;
    memcpy(v->pointer, c->ptr, n);
    v->pointer[n] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
    v->event_index = c->ev;
}

/* Pointer scoping: push returns the old length to restore. */
static size_t push(vctx *c, const char *tok)
{
    size_t old = c->plen;
    c->plen = lds_epcis__ptr_push(c->ptr, c->plen, sizeof c->ptr, tok);
    return old;
}

static size_t push_idx(vctx *c, size_t i)
{
    size_t old = c->plen;
    c->plen = lds_epcis__ptr_push_idx(c->ptr, c->plen, sizeof c->ptr, i);
    return old;
}

static void pop(vctx *c, size_t old)
{
    c->plen = old;
    c->ptr[old] = '\0';
}

static const char *jtype(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* ---- scalar checks (the pointer already names the value) ---- */

static int want_string(vctx *c, const json_t *v)
{
    if (json_is_string(v))
        return 1;
    viol(c, "must be a string, not %s", jtype(v));
    return 0;
}

static void check_uri(vctx *c, const json_t *v)
{
    const char *why;
    if (!want_string(c, v))
        return;
    const char *s = json_string_value(v);
    if (!lds_epcis__is_abs_uri(s)) {
        viol(c, "must be an absolute URI with a scheme, got \"%.80s\"", s);
        return;
    }
    if (lds_epcis__epc_check(s, &why) == 0)
        viol(c, "malformed EPC URI \"%.60s\": %s", s, why);
}

/* An identifier (EPC, class, location, party): an absolute URI, and when it
 * is a GS1 Digital Link URI its key must carry a correct check digit. */
static void check_id_uri(vctx *c, const json_t *v)
{
    const char *why;
    check_uri(c, v);
    if (json_is_string(v) && lds_epcis__is_abs_uri(json_string_value(v)) &&
        lds_epcis__dl_check(json_string_value(v), &why) == 0)
        viol(c, "malformed GS1 Digital Link URI \"%.60s\": %s", json_string_value(v), why);
}

static void check_time(vctx *c, const json_t *v)
{
    if (!want_string(c, v))
        return;
    if (lds_epcis_parse_time(json_string_value(v), NULL, NULL) != 0)
        viol(c, "must be an RFC 3339 date-time with offset (e.g. 2024-05-01T10:00:00.000+08:00), "
                "got \"%.60s\"",
             json_string_value(v));
}

static void check_number(vctx *c, const json_t *v)
{
    if (!json_is_number(v))
        viol(c, "must be a number, not %s", jtype(v));
}

/* A CBV value: a bare word of the vocabulary, or an absolute URI that is not
 * one of the older CBV spellings (which JSON must write as bare words). */
static void check_cbv(vctx *c, lds_epcis_vocab vocab, const json_t *v, const char *what)
{
    if (!want_string(c, v))
        return;
    const char *s = json_string_value(v), *w;
    if (lds_epcis_cbv_known(vocab, s))
        return;
    if (!lds_epcis__is_abs_uri(s)) {
        viol(c, "\"%.60s\" is not a CBV 2.0 %s nor an absolute URI", s, what);
        return;
    }
    if (strncmp(s, "urn:epcglobal:cbv:", 18) == 0 || strncmp(s, "http://ns.gs1.org/cbv/", 22) == 0 ||
        strncmp(s, "https://ns.gs1.org/cbv/", 23) == 0) {
        w = strrchr(s, ':');
        viol(c, "\"%.60s\": CBV values are written as bare words in JSON (\"%.40s\")", s,
             w ? w + 1 : s);
        return;
    }
    if ((w = lds_epcis__cbv_word(vocab, s)) != NULL && !lds_epcis_cbv_known(vocab, w))
        viol(c, "\"%.60s\" is not a CBV 2.0 %s", s, what);
}

/* Bare word from a closed list, or a URI outside the GS1 web vocabulary. */
static void check_gs1_word(vctx *c, const json_t *v, int (*known)(const char *), const char *what)
{
    if (!want_string(c, v))
        return;
    const char *s = json_string_value(v);
    if (known(s))
        return;
    if (!lds_epcis__is_abs_uri(s)) {
        viol(c, "\"%.60s\" is not a known %s nor an absolute URI", s, what);
        return;
    }
    if (strncmp(s, "https://gs1.org/voc/", 20) == 0 || strncmp(s, "http://gs1.org/voc/", 19) == 0 ||
        strncmp(s, "https://www.gs1.org/voc/", 24) == 0 ||
        strncmp(s, "http://www.gs1.org/voc/", 23) == 0)
        viol(c, "\"%.60s\": GS1 vocabulary values are written as bare words in JSON", s);
}

/* Extension (user) keys must be namespaced: a CURIE of a declared prefix or
 * a full URI, i.e. an absolute URI syntactically. */
static int ext_key_ok(const char *k)
{
    return lds_epcis__is_abs_uri(k);
}

/* User data (extensions, ilmd) is kept as given but bounded in depth, so
 * that every later consumer (hashing, canonical form) stays shallow. */
#define MAX_EXT_DEPTH 32

static int too_deep(const json_t *v, int depth)
{
    if (depth > MAX_EXT_DEPTH)
        return 1;
    if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)(uintptr_t)v, k, e)
        {
            if (too_deep(e, depth + 1))
                return 1;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach((json_t *)(uintptr_t)v, i, e)
        {
            if (too_deep(e, depth + 1))
                return 1;
        }
    }
    return 0;
}

static void check_ext_value(vctx *c, const char *k, const json_t *v)
{
    if (json_is_object(v) || json_is_array(v)) {
        if (too_deep(v, 1)) {
            size_t o = push(c, k);
            viol(c, "extension value nested deeper than %d levels", MAX_EXT_DEPTH);
            pop(c, o);
        }
    }
}

static void unknown_key(vctx *c, const char *k, const char *where)
{
    size_t o = push(c, k);
    viol(c, "unknown field \"%.40s\" in %s (extension fields need a namespace prefix declared in "
            "@context, e.g. \"example:%.30s\")",
         k, where, k);
    pop(c, o);
}

/* ---- compound checks ---- */

static void check_epc_list(vctx *c, const json_t *v, size_t *n_out, int ids)
{
    size_t i, j;
    json_t *e;
    *n_out = 0;
    if (!json_is_array(v)) {
        viol(c, "must be an array of URIs, not %s", jtype(v));
        return;
    }
    *n_out = json_array_size(v);
    json_array_foreach((json_t *)(uintptr_t)v, i, e)
    {
        size_t o = push_idx(c, i);
        if (ids)
            check_id_uri(c, e);
        else
            check_uri(c, e);
        /* uniqueItems; lists are short enough in practice for the quadratic
         * scan to stay cheap below a few thousand entries. */
        if (json_is_string(e) && i < 4096) {
            for (j = 0; j < i; j++) {
                const json_t *p = json_array_get(v, j);
                if (json_is_string(p) && strcmp(json_string_value(p), json_string_value(e)) == 0) {
                    viol(c, "duplicate of item %zu", j);
                    break;
                }
            }
        }
        pop(c, o);
    }
}

static void check_quantity_list(vctx *c, const json_t *v, size_t *n_out)
{
    size_t i;
    json_t *e;
    *n_out = 0;
    if (!json_is_array(v)) {
        viol(c, "must be an array of quantity elements, not %s", jtype(v));
        return;
    }
    *n_out = json_array_size(v);
    json_array_foreach((json_t *)(uintptr_t)v, i, e)
    {
        size_t o = push_idx(c, i);
        if (!json_is_object(e)) {
            viol(c, "must be an object {epcClass, quantity, uom}, not %s", jtype(e));
            pop(c, o);
            continue;
        }
        const char *k;
        json_t *f;
        if (!json_object_get(e, "epcClass")) {
            size_t o2 = push(c, "epcClass");
            viol(c, "required field missing");
            pop(c, o2);
        }
        json_object_foreach(e, k, f)
        {
            size_t o2 = push(c, k);
            if (strcmp(k, "epcClass") == 0) {
                check_id_uri(c, f);
            } else if (strcmp(k, "quantity") == 0) {
                check_number(c, f);
                if (json_is_number(f) && json_number_value(f) < 0)
                    viol(c, "must not be negative");
            } else if (strcmp(k, "uom") == 0) {
                const char *u = json_string_value(f);
                size_t n = u ? strlen(u) : 0, ok = n >= 2 && n <= 3;
                for (size_t x = 0; ok && x < n; x++)
                    ok = isupper((unsigned char)u[x]) || isdigit((unsigned char)u[x]);
                if (!ok)
                    viol(c, "must be a UN/CEFACT Rec 20 unit code (2-3 upper-case letters or digits)");
            } else {
                viol(c, "unknown field \"%.40s\" (a quantity element has epcClass, quantity, uom)",
                     k);
            }
            pop(c, o2);
        }
        pop(c, o);
    }
}

static void check_id_object(vctx *c, const json_t *v, const char *what)
{
    const char *k;
    json_t *f;
    if (!json_is_object(v)) {
        viol(c, "must be an object {\"id\": URI}, not %s", jtype(v));
        return;
    }
    if (!json_object_get(v, "id")) {
        size_t o = push(c, "id");
        viol(c, "required field missing");
        pop(c, o);
    }
    json_object_foreach((json_t *)(uintptr_t)v, k, f)
    {
        if (strcmp(k, "id") == 0) {
            size_t o = push(c, k);
            check_id_uri(c, f);
            pop(c, o);
        } else if (!ext_key_ok(k)) {
            unknown_key(c, k, what);
        }
    }
}

static void check_persistent_disposition(vctx *c, const json_t *v)
{
    const char *k;
    json_t *f;
    if (!json_is_object(v)) {
        viol(c, "must be an object {set, unset}, not %s", jtype(v));
        return;
    }
    if (!json_object_get(v, "set") && !json_object_get(v, "unset"))
        viol(c, "needs \"set\" or \"unset\"");
    json_object_foreach((json_t *)(uintptr_t)v, k, f)
    {
        size_t o = push(c, k);
        if (strcmp(k, "set") == 0 || strcmp(k, "unset") == 0) {
            if (!json_is_array(f) || json_array_size(f) == 0) {
                viol(c, "must be a non-empty array of dispositions");
            } else {
                size_t i;
                json_t *e;
                json_array_foreach(f, i, e)
                {
                    size_t o2 = push_idx(c, i);
                    check_cbv(c, LDS_EPCIS_VOCAB_DISPOSITION, e, "disposition");
                    pop(c, o2);
                }
            }
        } else {
            viol(c, "unknown field (persistentDisposition has set and unset)");
        }
        pop(c, o);
    }
}

/* bizTransactionList, sourceList, destinationList. */
static void check_typed_list(vctx *c, const json_t *v, const char *value_key, lds_epcis_vocab vocab,
                             int type_required, size_t *n_out)
{
    size_t i;
    json_t *e;
    *n_out = 0;
    if (!json_is_array(v)) {
        viol(c, "must be an array, not %s", jtype(v));
        return;
    }
    *n_out = json_array_size(v);
    json_array_foreach((json_t *)(uintptr_t)v, i, e)
    {
        size_t o = push_idx(c, i);
        if (!json_is_object(e)) {
            viol(c, "must be an object {type, %s}, not %s", value_key, jtype(e));
            pop(c, o);
            continue;
        }
        if (!json_object_get(e, value_key)) {
            size_t o2 = push(c, value_key);
            viol(c, "required field missing");
            pop(c, o2);
        }
        if (type_required && !json_object_get(e, "type")) {
            size_t o2 = push(c, "type");
            viol(c, "required field missing");
            pop(c, o2);
        }
        const char *k;
        json_t *f;
        json_object_foreach(e, k, f)
        {
            size_t o2 = push(c, k);
            if (strcmp(k, value_key) == 0 && vocab == LDS_EPCIS_VOCAB_SDT)
                check_id_uri(c, f);
            else if (strcmp(k, value_key) == 0)
                check_uri(c, f);
            else if (strcmp(k, "type") == 0)
                check_cbv(c, vocab, f,
                          vocab == LDS_EPCIS_VOCAB_BTT ? "business transaction type"
                                                       : "source/destination type");
            else
                viol(c, "unknown field (expected type and %s)", value_key);
            pop(c, o2);
        }
        pop(c, o);
    }
}

static const char *const meta_uris[] = {"deviceID", "deviceMetadata", "rawData",
                                        "dataProcessingMethod", "bizRules", NULL};
static const char *const report_uris[] = {"deviceID", "deviceMetadata", "rawData",
                                          "dataProcessingMethod", "bizRules", "microorganism",
                                          "chemicalSubstance", "coordinateReferenceSystem",
                                          "uriValue", NULL};
static const char *const report_nums[] = {"value", "minValue", "maxValue", "meanValue",
                                          "sDev", "percRank", "percValue", NULL};

static int in(const char *const *list, const char *k)
{
    for (; *list; list++)
        if (strcmp(*list, k) == 0)
            return 1;
    return 0;
}

/* Measurement types: the GS1 Web Vocabulary list keeps growing (OpenEPCIS
 * test data uses e.g. "EffectiveDoseRate"), so any bare identifier is
 * accepted here, unlike bizStep and disposition whose CBV lists are closed. */
static int measurement_word(const char *s)
{
    if (lds_epcis__measurement_known(s))
        return 1;
    if (!isalpha((unsigned char)*s))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static void check_sensor_report(vctx *c, const json_t *r)
{
    const char *k;
    json_t *f;
    if (!json_is_object(r)) {
        viol(c, "must be an object, not %s", jtype(r));
        return;
    }
    /* The JSON schema requires "type"; the XSD and the standard's UML make it
     * optional, and an exception-only report is meaningful: we require
     * "type" or "exception". */
    if (!json_object_get(r, "type") && !json_object_get(r, "exception")) {
        size_t o = push(c, "type");
        viol(c, "a sensor report needs \"type\" or \"exception\"");
        pop(c, o);
    }
    json_object_foreach((json_t *)(uintptr_t)r, k, f)
    {
        size_t o = push(c, k);
        if (strcmp(k, "type") == 0)
            check_gs1_word(c, f, measurement_word, "measurement type");
        else if (strcmp(k, "exception") == 0)
            check_gs1_word(c, f, lds_epcis__alert_known, "sensor alert type");
        else if (strcmp(k, "component") == 0)
            check_gs1_word(c, f, lds_epcis__component_known, "component");
        else if (in(report_uris, k))
            check_uri(c, f);
        else if (in(report_nums, k))
            check_number(c, f);
        else if (strcmp(k, "time") == 0)
            check_time(c, f);
        else if (strcmp(k, "stringValue") == 0 || strcmp(k, "uom") == 0)
            want_string(c, f);
        else if (strcmp(k, "booleanValue") == 0) {
            if (!json_is_boolean(f))
                viol(c, "must be a boolean, not %s", jtype(f));
        } else if (strcmp(k, "hexBinaryValue") == 0) {
            if (want_string(c, f)) {
                const char *s = json_string_value(f);
                int ok = *s != '\0';
                for (; ok && *s; s++)
                    ok = isxdigit((unsigned char)*s);
                if (!ok)
                    viol(c, "must be hexadecimal digits");
            }
        } else if (!ext_key_ok(k)) {
            pop(c, o);
            unknown_key(c, k, "sensorReport");
            continue;
        }
        pop(c, o);
    }
}

static void check_sensor_list(vctx *c, const json_t *v, size_t *n_out)
{
    size_t i;
    json_t *e;
    *n_out = 0;
    if (!json_is_array(v)) {
        viol(c, "must be an array of sensor elements, not %s", jtype(v));
        return;
    }
    *n_out = json_array_size(v);
    json_array_foreach((json_t *)(uintptr_t)v, i, e)
    {
        size_t o = push_idx(c, i);
        const char *k;
        json_t *f;
        if (!json_is_object(e)) {
            viol(c, "must be an object {sensorMetadata, sensorReport}, not %s", jtype(e));
            pop(c, o);
            continue;
        }
        if (!json_object_get(e, "sensorReport")) {
            size_t o2 = push(c, "sensorReport");
            viol(c, "required field missing");
            pop(c, o2);
        }
        json_object_foreach(e, k, f)
        {
            size_t o2 = push(c, k);
            if (strcmp(k, "sensorReport") == 0) {
                if (!json_is_array(f) || json_array_size(f) == 0) {
                    viol(c, "must be a non-empty array of sensor reports");
                } else {
                    size_t j;
                    json_t *r;
                    json_array_foreach(f, j, r)
                    {
                        size_t o3 = push_idx(c, j);
                        check_sensor_report(c, r);
                        pop(c, o3);
                    }
                }
            } else if (strcmp(k, "sensorMetadata") == 0) {
                if (!json_is_object(f)) {
                    viol(c, "must be an object, not %s", jtype(f));
                } else {
                    const char *mk;
                    json_t *mv;
                    json_object_foreach(f, mk, mv)
                    {
                        size_t o3 = push(c, mk);
                        if (strcmp(mk, "time") == 0 || strcmp(mk, "startTime") == 0 ||
                            strcmp(mk, "endTime") == 0)
                            check_time(c, mv);
                        else if (in(meta_uris, mk))
                            check_uri(c, mv);
                        else if (!ext_key_ok(mk)) {
                            pop(c, o3);
                            unknown_key(c, mk, "sensorMetadata");
                            continue;
                        }
                        pop(c, o3);
                    }
                }
            } else if (!ext_key_ok(k)) {
                pop(c, o2);
                unknown_key(c, k, "sensorElement");
                continue;
            }
            pop(c, o2);
        }
        pop(c, o);
    }
}

static void check_error_declaration(vctx *c, const json_t *v)
{
    const char *k;
    json_t *f;
    if (!json_is_object(v)) {
        viol(c, "must be an object, not %s", jtype(v));
        return;
    }
    if (!json_object_get(v, "declarationTime")) {
        size_t o = push(c, "declarationTime");
        viol(c, "required field missing");
        pop(c, o);
    }
    json_object_foreach((json_t *)(uintptr_t)v, k, f)
    {
        size_t o = push(c, k);
        if (strcmp(k, "declarationTime") == 0) {
            check_time(c, f);
        } else if (strcmp(k, "reason") == 0) {
            check_cbv(c, LDS_EPCIS_VOCAB_ER, f, "error reason");
        } else if (strcmp(k, "correctiveEventIDs") == 0) {
            size_t n;
            check_epc_list(c, f, &n, 0);
        } else if (!ext_key_ok(k)) {
            pop(c, o);
            unknown_key(c, k, "errorDeclaration");
            continue;
        }
        pop(c, o);
    }
}

static void check_context(vctx *c, const json_t *v)
{
    if (json_is_string(v)) {
        if (!lds_epcis__is_abs_uri(json_string_value(v)))
            viol(c, "must be a context URI");
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach((json_t *)(uintptr_t)v, i, e)
        {
            size_t o = push_idx(c, i);
            if (json_is_string(e)) {
                if (!lds_epcis__is_abs_uri(json_string_value(e)))
                    viol(c, "must be a context URI");
            } else if (!json_is_object(e)) {
                viol(c, "must be a context URI or an object of prefix definitions");
            }
            pop(c, o);
        }
    } else if (!json_is_object(v)) {
        viol(c, "must be a URI, an object or an array, not %s", jtype(v));
    }
}

/* ---- events ---- */

enum {
    F_OBJ = 1 << LDS_EPCIS_OBJECT,
    F_AGG = 1 << LDS_EPCIS_AGGREGATION,
    F_TXN = 1 << LDS_EPCIS_TRANSACTION,
    F_TRF = 1 << LDS_EPCIS_TRANSFORMATION,
    F_ASC = 1 << LDS_EPCIS_ASSOCIATION,
    F_ALL = F_OBJ | F_AGG | F_TXN | F_TRF | F_ASC
};

enum {
    FID_context,
    FID_type,
    FID_eventTime,
    FID_recordTime,
    FID_eventTimeZoneOffset,
    FID_eventID,
    FID_certificationInfo,
    FID_errorDeclaration,
    FID_action,
    FID_epcList,
    FID_quantityList,
    FID_parentID,
    FID_childEPCs,
    FID_childQuantityList,
    FID_inputEPCList,
    FID_inputQuantityList,
    FID_outputEPCList,
    FID_outputQuantityList,
    FID_transformationID,
    FID_bizStep,
    FID_disposition,
    FID_persistentDisposition,
    FID_readPoint,
    FID_bizLocation,
    FID_bizTransactionList,
    FID_sourceList,
    FID_destinationList,
    FID_sensorElementList,
    FID_ilmd,
    FID_COUNT
};

static const struct {
    const char *name;
    size_t len;
    int types;
} fields[] = {
    {"@context", 8, F_ALL},
    {"type", 4, F_ALL},
    {"eventTime", 9, F_ALL},
    {"recordTime", 10, F_ALL},
    {"eventTimeZoneOffset", 19, F_ALL},
    {"eventID", 7, F_ALL},
    {"certificationInfo", 17, F_ALL},
    {"errorDeclaration", 16, F_ALL},
    {"action", 6, F_ALL & ~F_TRF},
    {"epcList", 7, F_OBJ | F_TXN},
    {"quantityList", 12, F_OBJ | F_TXN},
    {"parentID", 8, F_AGG | F_TXN | F_ASC},
    {"childEPCs", 9, F_AGG | F_ASC},
    {"childQuantityList", 17, F_AGG | F_ASC},
    {"inputEPCList", 12, F_TRF},
    {"inputQuantityList", 17, F_TRF},
    {"outputEPCList", 13, F_TRF},
    {"outputQuantityList", 18, F_TRF},
    {"transformationID", 16, F_TRF},
    {"bizStep", 7, F_ALL},
    {"disposition", 11, F_ALL},
    {"persistentDisposition", 21, F_ALL},
    {"readPoint", 9, F_ALL},
    {"bizLocation", 11, F_ALL},
    {"bizTransactionList", 18, F_ALL},
    {"sourceList", 10, F_ALL},
    {"destinationList", 15, F_ALL},
    {"sensorElementList", 17, F_ALL},
    {"ilmd", 4, F_OBJ | F_TRF},
};

/* Index of a standard event field (length first: most keys differ there), or -1. */
static int std_field(const char *k, size_t len, int *types)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].len == len && memcmp(fields[i].name, k, len) == 0) {
            *types = fields[i].types;
            return (int)i;
        }
    return -1;
}

static void missing(vctx *c, const char *k, const char *why)
{
    size_t o = push(c, k);
    viol(c, "%s", why);
    pop(c, o);
}

static void check_event(vctx *c, const json_t *ev, int need_context)
{
    const json_t *t = json_object_get(ev, "type");
    if (!json_is_object(ev)) {
        viol(c, "an event must be an object, not %s", jtype(ev));
        return;
    }
    if (!t) {
        missing(c, "type", "required field missing (the event type)");
        return;
    }
    lds_epcis_type type = json_is_string(t) ? lds_epcis_type_parse(json_string_value(t))
                                             : LDS_EPCIS_TYPE_UNKNOWN;
    if (type == LDS_EPCIS_TYPE_UNKNOWN) {
        size_t o = push(c, "type");
        if (json_is_string(t))
            viol(c, "unknown event type \"%.60s\" (expected ObjectEvent, AggregationEvent, "
                    "TransactionEvent, TransformationEvent or AssociationEvent)",
                 json_string_value(t));
        else
            viol(c, "must be a string, not %s", jtype(t));
        pop(c, o);
        return;
    }
    const int tbit = 1 << type;
    const char *tname = lds_epcis_type_name(type);

    if (need_context && !json_object_get(ev, "@context"))
        missing(c, "@context", "required field missing (a single event needs its @context)");
    if (!json_object_get(ev, "eventTime"))
        missing(c, "eventTime", "required field missing");
    if (!json_object_get(ev, "eventTimeZoneOffset"))
        missing(c, "eventTimeZoneOffset", "required field missing");

    const json_t *action = json_object_get(ev, "action");
    lds_epcis_action act = LDS_EPCIS_ACTION_NONE;
    if (type != LDS_EPCIS_TRANSFORMATION && !action)
        missing(c, "action", "required field missing (ADD, OBSERVE or DELETE)");

    size_t n_epc = 0, n_qty = 0, n_child = 0, n_cqty = 0, n_in = 0, n_inq = 0, n_out = 0,
           n_outq = 0, n_sensor = 0, n_btx = 0, n_tmp;
    int has_epc = 0, has_qty = 0, has_child = 0, has_cqty = 0;

    const char *k;
    json_t *v;
    void *it;
    for (it = json_object_iter((json_t *)(uintptr_t)ev); it;
         it = json_object_iter_next((json_t *)(uintptr_t)ev, it)) {
        int types = 0;
        k = json_object_iter_key(it);
        v = json_object_iter_value(it);
        int fid = std_field(k, json_object_iter_key_len(it), &types);
        if (fid < 0) {
            if (!ext_key_ok(k))
                unknown_key(c, k, tname);
            else
                check_ext_value(c, k, v);
            continue;
        }
        size_t o = push(c, k);
        if (!(types & tbit)) {
            viol(c, "field not allowed in %s", tname);
            pop(c, o);
            continue;
        }
        if (fid == FID_context) {
            check_context(c, v);
        } else if (fid == FID_type) {
            /* checked above */
        } else if (fid == FID_eventTime || fid == FID_recordTime) {
            check_time(c, v);
        } else if (fid == FID_eventTimeZoneOffset) {
            if (want_string(c, v) && !lds_epcis__is_tz_offset(json_string_value(v), NULL))
                viol(c, "must be an offset +hh:mm or -hh:mm between -14:00 and +14:00, got "
                        "\"%.20s\"",
                     json_string_value(v));
        } else if (fid == FID_parentID) {
            check_id_uri(c, v);
        } else if (fid == FID_eventID || fid == FID_transformationID) {
            check_uri(c, v);
        } else if (fid == FID_certificationInfo) {
            if (json_is_array(v)) {
                size_t i;
                json_t *e;
                json_array_foreach(v, i, e)
                {
                    size_t o2 = push_idx(c, i);
                    check_uri(c, e);
                    pop(c, o2);
                }
            } else {
                check_uri(c, v);
            }
        } else if (fid == FID_errorDeclaration) {
            check_error_declaration(c, v);
        } else if (fid == FID_action) {
            const char *a = json_string_value(v);
            act = a && strcmp(a, "ADD") == 0       ? LDS_EPCIS_ADD
                  : a && strcmp(a, "OBSERVE") == 0 ? LDS_EPCIS_OBSERVE
                  : a && strcmp(a, "DELETE") == 0  ? LDS_EPCIS_DELETE
                                                   : LDS_EPCIS_ACTION_NONE;
            if (act == LDS_EPCIS_ACTION_NONE) {
                if (a)
                    viol(c, "must be ADD, OBSERVE or DELETE, got \"%.20s\"", a);
                else
                    viol(c, "must be the string ADD, OBSERVE or DELETE, not %s", jtype(v));
            }
        } else if (fid == FID_epcList) {
            has_epc = 1;
            check_epc_list(c, v, &n_epc, 1);
        } else if (fid == FID_childEPCs) {
            has_child = 1;
            check_epc_list(c, v, &n_child, 1);
        } else if (fid == FID_inputEPCList) {
            check_epc_list(c, v, &n_in, 1);
        } else if (fid == FID_outputEPCList) {
            check_epc_list(c, v, &n_out, 1);
        } else if (fid == FID_quantityList) {
            has_qty = 1;
            check_quantity_list(c, v, &n_qty);
        } else if (fid == FID_childQuantityList) {
            has_cqty = 1;
            check_quantity_list(c, v, &n_cqty);
        } else if (fid == FID_inputQuantityList) {
            check_quantity_list(c, v, &n_inq);
        } else if (fid == FID_outputQuantityList) {
            check_quantity_list(c, v, &n_outq);
        } else if (fid == FID_bizStep) {
            check_cbv(c, LDS_EPCIS_VOCAB_BIZSTEP, v, "business step");
        } else if (fid == FID_disposition) {
            check_cbv(c, LDS_EPCIS_VOCAB_DISPOSITION, v, "disposition");
        } else if (fid == FID_persistentDisposition) {
            check_persistent_disposition(c, v);
        } else if (fid == FID_readPoint || fid == FID_bizLocation) {
            check_id_object(c, v, k);
        } else if (fid == FID_bizTransactionList) {
            check_typed_list(c, v, "bizTransaction", LDS_EPCIS_VOCAB_BTT, 0, &n_btx);
        } else if (fid == FID_sourceList) {
            check_typed_list(c, v, "source", LDS_EPCIS_VOCAB_SDT, 1, &n_tmp);
        } else if (fid == FID_destinationList) {
            check_typed_list(c, v, "destination", LDS_EPCIS_VOCAB_SDT, 1, &n_tmp);
        } else if (fid == FID_sensorElementList) {
            check_sensor_list(c, v, &n_sensor);
        } else if (fid == FID_ilmd) {
            if (!json_is_object(v)) {
                viol(c, "must be an object, not %s", jtype(v));
            } else {
                const char *ik;
                json_t *iv;
                json_object_foreach(v, ik, iv)
                {
                    if (!ext_key_ok(ik))
                        unknown_key(c, ik, "ilmd");
                    else
                        check_ext_value(c, ik, iv);
                }
            }
        }
        pop(c, o);
    }

    /* Rules per event type and action (EPCIS 2.0 sections 7.4.x). */
    switch (type) {
    case LDS_EPCIS_OBJECT:
        if (!has_epc && n_qty == 0 && !(n_sensor > 0 && json_object_get(ev, "readPoint")))
            missing(c, "epcList", "an ObjectEvent needs epcList or a non-empty quantityList");
        if (json_object_get(ev, "ilmd") && action && act != LDS_EPCIS_ADD)
            missing(c, "ilmd", "ilmd is only allowed when action is ADD");
        break;
    case LDS_EPCIS_AGGREGATION:
        if ((act == LDS_EPCIS_ADD || act == LDS_EPCIS_DELETE) && !json_object_get(ev, "parentID"))
            missing(c, "parentID", "an AggregationEvent with action ADD or DELETE needs parentID");
        if (act != LDS_EPCIS_DELETE && n_child == 0 && n_cqty == 0)
            missing(c, "childEPCs", "an AggregationEvent needs childEPCs or childQuantityList "
                                    "unless action is DELETE");
        break;
    case LDS_EPCIS_ASSOCIATION:
        if (!json_object_get(ev, "parentID"))
            missing(c, "parentID", "required field missing (an AssociationEvent needs parentID)");
        if (act != LDS_EPCIS_DELETE && n_child == 0 && n_cqty == 0)
            missing(c, "childEPCs", "an AssociationEvent needs childEPCs or childQuantityList "
                                    "unless action is DELETE");
        break;
    case LDS_EPCIS_TRANSACTION:
        if (!json_object_get(ev, "bizTransactionList"))
            missing(c, "bizTransactionList", "required field missing (a TransactionEvent needs "
                                             "at least one business transaction)");
        else if (n_btx == 0 && json_is_array(json_object_get(ev, "bizTransactionList")))
            missing(c, "bizTransactionList", "must not be empty");
        if (act != LDS_EPCIS_DELETE && !has_epc && n_qty == 0)
            missing(c, "epcList", "a TransactionEvent needs epcList or a non-empty quantityList "
                                  "unless action is DELETE");
        break;
    case LDS_EPCIS_TRANSFORMATION:
        if (n_in + n_inq + n_out + n_outq == 0)
            missing(c, "inputEPCList", "a TransformationEvent needs inputs or outputs "
                                       "(inputEPCList, inputQuantityList, outputEPCList or "
                                       "outputQuantityList)");
        break;
    case LDS_EPCIS_TYPE_UNKNOWN: break;
    }
    (void)has_qty;
    (void)has_child;
    (void)has_cqty;
}

/* ---- entry points ---- */

void lds_epcis_report_init(lds_epcis_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->doc_ok = 1;
}

void lds_epcis_report_release(lds_epcis_report *rep)
{
    lds_free(rep->event_ok);
    lds_epcis_report_init(rep);
}

static lds_code finish(lds_epcis_report *rep, lds_err *err)
{
    if (rep->n_errors == 0)
        return LDS_OK;
    if (rep->n_items > 0)
        return lds_err_field(err, LDS_EINVAL, rep->items[0].pointer, "%zu violation%s: %s",
                             rep->n_errors, rep->n_errors == 1 ? "" : "s",
                             rep->items[0].message);
    return lds_err_set(err, LDS_EINVAL, "%zu violations", rep->n_errors);
}

static lds_code prepare(lds_epcis_report *rep, size_t n, lds_err *err)
{
    lds_epcis_report_release(rep);
    if (n) {
        rep->event_ok = lds_malloc(n);
        if (!rep->event_ok)
            return lds_err_set(err, LDS_ENOMEM, "out of memory");
        memset(rep->event_ok, 1, n);
    }
    rep->n_events = n;
    return LDS_OK;
}

const json_t *lds_epcis_document_events(const json_t *doc)
{
    const json_t *body = json_object_get(doc, "epcisBody");
    const json_t *type = json_object_get(doc, "type");
    if (json_is_string(type) && strcmp(json_string_value(type), "EPCISQueryDocument") == 0)
        body = json_object_get(json_object_get(json_object_get(body, "queryResults"),
                                               "resultsBody"),
                               "eventList");
    else
        body = json_object_get(body, "eventList");
    return json_is_array(body) ? body : NULL;
}

static void check_doc_envelope(vctx *c, const json_t *doc, int is_query)
{
    static const char *const doc_keys[] = {"@context", "id", "type", "schemaVersion",
                                           "creationDate", "instanceIdentifier", "sender",
                                           "receiver", "epcisHeader", "epcisBody", NULL};
    static const char *const qdoc_keys[] = {"@context", "id", "type", "schemaVersion",
                                            "creationDate", "epcisBody", NULL};
    const char *k;
    json_t *v;
    if (!json_object_get(doc, "@context"))
        missing(c, "@context", "required field missing");
    if (!is_query && !json_object_get(doc, "schemaVersion"))
        missing(c, "schemaVersion", "required field missing");
    if (!is_query && !json_object_get(doc, "creationDate"))
        missing(c, "creationDate", "required field missing");
    if (!json_object_get(doc, "epcisBody"))
        missing(c, "epcisBody", "required field missing");
    json_object_foreach((json_t *)(uintptr_t)doc, k, v)
    {
        size_t o = push(c, k);
        if (strcmp(k, "@context") == 0) {
            check_context(c, v);
        } else if (strcmp(k, "id") == 0) {
            check_uri(c, v);
        } else if (strcmp(k, "schemaVersion") == 0) {
            const char *s = json_string_value(v);
            int ok = s && isdigit((unsigned char)*s);
            for (const char *p = s; ok && *p; p++)
                ok = isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]));
            if (!ok)
                viol(c, "must be a version string such as \"2.0\"");
        } else if (strcmp(k, "creationDate") == 0) {
            check_time(c, v);
        } else if (strcmp(k, "instanceIdentifier") == 0 || strcmp(k, "sender") == 0 ||
                   strcmp(k, "receiver") == 0) {
            want_string(c, v);
        } else if (strcmp(k, "epcisHeader") == 0) {
            if (!json_is_object(v))
                viol(c, "must be an object, not %s", jtype(v));
        } else if (!in(is_query ? qdoc_keys : doc_keys, k) && !ext_key_ok(k)) {
            pop(c, o);
            unknown_key(c, k, is_query ? "EPCISQueryDocument" : "EPCISDocument");
            continue;
        }
        pop(c, o);
    }
}

lds_code lds_epcis_validate_document(const json_t *doc, lds_epcis_report *rep, lds_err *err)
{
    vctx c = {.rep = rep, .ev = -1};
    const json_t *list = NULL, *t, *body;
    lds_code rc;
    int is_query = 0;

    if ((rc = prepare(rep, 0, err)) != LDS_OK)
        return rc;
    if (!json_is_object(doc)) {
        viol(&c, "the document must be a JSON object");
        return finish(rep, err);
    }
    t = json_object_get(doc, "type");
    if (!json_is_string(t) || (strcmp(json_string_value(t), "EPCISDocument") != 0 &&
                               strcmp(json_string_value(t), "EPCISQueryDocument") != 0)) {
        size_t o = push(&c, "type");
        viol(&c, "must be \"EPCISDocument\" (or \"EPCISQueryDocument\")");
        pop(&c, o);
        return finish(rep, err);
    }
    is_query = strcmp(json_string_value(t), "EPCISQueryDocument") == 0;
    check_doc_envelope(&c, doc, is_query);

    body = json_object_get(doc, "epcisBody");
    size_t o = push(&c, "epcisBody");
    if (body && !json_is_object(body)) {
        viol(&c, "must be an object, not %s", jtype(body));
    } else if (body && is_query) {
        const json_t *qr = json_object_get(body, "queryResults");
        size_t o2 = push(&c, "queryResults");
        if (!json_is_object(qr)) {
            viol(&c, "required object missing");
        } else {
            if (!json_is_string(json_object_get(qr, "queryName")))
                missing(&c, "queryName", "required string missing");
            const json_t *rb = json_object_get(qr, "resultsBody");
            size_t o3 = push(&c, "resultsBody");
            if (!json_is_object(rb)) {
                viol(&c, "required object missing");
            } else {
                list = json_object_get(rb, "eventList");
                if (!json_is_array(list)) {
                    missing(&c, "eventList", "required array missing");
                    list = NULL;
                }
            }
            pop(&c, o3);
        }
        pop(&c, o2);
    } else if (body) {
        list = json_object_get(body, "eventList");
        if (!json_is_array(list)) {
            missing(&c, "eventList", list ? "must be an array" : "required field missing");
            list = NULL;
        }
    }
    pop(&c, o);
    if (!list)
        return finish(rep, err);

    size_t n = json_array_size(list), i;
    json_t *ev;
    /* Keep document-level results while allocating the flags. */
    unsigned char *flags = n ? lds_malloc(n) : NULL;
    if (n && !flags)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    if (n)
        memset(flags, 1, n);
    rep->event_ok = flags;
    rep->n_events = n;

    /* Pointer prefix of the list. */
    o = push(&c, "epcisBody");
    if (is_query) {
        push(&c, "queryResults");
        push(&c, "resultsBody");
    }
    push(&c, "eventList");
    json_array_foreach((json_t *)(uintptr_t)list, i, ev)
    {
        size_t o2 = push_idx(&c, i);
        c.ev = (long)i;
        c.ev_bad = 0;
        check_event(&c, ev, 0);
        if (c.ev_bad) {
            rep->event_ok[i] = 0;
            rep->n_invalid++;
        }
        pop(&c, o2);
    }
    pop(&c, o);
    return finish(rep, err);
}

lds_code lds_epcis_validate_event(const json_t *event, lds_epcis_report *rep, lds_err *err)
{
    vctx c = {.rep = rep, .ev = 0};
    lds_code rc = prepare(rep, 1, err);
    if (rc != LDS_OK)
        return rc;
    check_event(&c, event, 1);
    if (c.ev_bad) {
        rep->event_ok[0] = 0;
        rep->n_invalid = 1;
    }
    return finish(rep, err);
}
