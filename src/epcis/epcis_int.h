/*
 * epcis_int.h — internals shared by the files of src/epcis: namespace maps,
 * URI syntax, numbers in the hash ID's format, EPC URI parsing.
 */
#ifndef LDS_EPCIS_INT_H
#define LDS_EPCIS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "lodestone/buf.h"
#include "lodestone/epcis.h"

/* ---- namespaces (JSON-LD prefixes), borrowed from the json_t ---- */
#define LDS_EPCIS_NS_MAX 48

typedef struct lds_epcis_ns {
    int n;
    struct {
        const char *prefix;
        size_t prefix_len;
        const char *iri;
    } items[LDS_EPCIS_NS_MAX];
} lds_epcis_ns;

/** Seeds the well-known prefixes (gs1, cbv, epcis, cbvmda, rdfs, ...). */
void lds_epcis__ns_init(lds_epcis_ns *ns);
/** Adds the prefix definitions of a JSON-LD "@context" (string/object/array). */
void lds_epcis__ns_add_context(lds_epcis_ns *ns, const json_t *ctx);
/** IRI of a prefix ("example" of "example:foo"), NULL if undeclared. */
const char *lds_epcis__ns_lookup(const lds_epcis_ns *ns, const char *prefix, size_t len);

/* ---- URIs ---- */
/** 1 if `s` is an absolute URI per RFC 3986 (scheme ":" ...), ASCII only. */
int lds_epcis__is_abs_uri(const char *s);

/* ---- numbers ---- */
/** Writes a double the way the hash ID reference does (Python str of float,
 *  integral values without ".0"). */
void lds_epcis__num_hash(lds_buf *b, double v);
/** Writes a double in ECMAScript shortest form (RFC 8785). */
void lds_epcis__num_es(lds_buf *b, double v);
/** If `s[0..n)` is a decimal number, writes its hash form and returns 1. */
int lds_epcis__num_string(lds_buf *b, const char *s, size_t n);

/* ---- time ---- */
/** Appends the UTC millisecond form "YYYY-MM-DDTHH:MM:SS.mmmZ" of an RFC 3339
 *  timestamp (ms rounded half-even); returns 0, or -1 (nothing written). */
int lds_epcis__time_utc_ms(lds_buf *b, const char *s);
/** 1 if `s` matches the eventTimeZoneOffset pattern (+hh:mm, -14:00..+14:00). */
int lds_epcis__is_tz_offset(const char *s, int *minutes);

/* ---- EPC URIs ---- */
typedef enum lds_epcis_epc_kind {
    LDS_EPCIS_EPC_NONE = 0, /* not urn:epc: */
    LDS_EPCIS_EPC_ID,       /* urn:epc:id: */
    LDS_EPCIS_EPC_CLASS,    /* urn:epc:class: */
    LDS_EPCIS_EPC_IDPAT     /* urn:epc:idpat: */
} lds_epcis_epc_kind;

/**
 * Checks an "urn:epc:" URI against the EPC Tag Data Standard grammar of its
 * scheme.  Returns 1 valid, 0 malformed (a reason in `why`), -1 when the
 * URI is not "urn:epc:" at all.  Unknown schemes only get a syntax check.
 */
int lds_epcis__epc_check(const char *s, const char **why);

/** Checks the check digit of the primary key of a GS1 Digital Link URI.
 *  Returns 1 valid, 0 invalid (reason in `why`), -1 not a Digital Link. */
int lds_epcis__dl_check(const char *s, const char **why);

/* ---- CBV ---- */
/** Word after a CBV prefix, e.g. "shipping" of "urn:epcglobal:cbv:bizstep:shipping",
 *  "https://ref.gs1.org/cbv/BizStep-shipping" or "cbv:BizStep-shipping";
 *  NULL if `v` has none of these forms. */
const char *lds_epcis__cbv_word(lds_epcis_vocab vocab, const char *v);
/** The web URI prefix of a vocabulary ("https://ref.gs1.org/cbv/BizStep-"). */
const char *lds_epcis__cbv_web_prefix(lds_epcis_vocab vocab);

/** 1 if `word` is in the sensor measurement type / alert / component list. */
int lds_epcis__measurement_known(const char *word);
int lds_epcis__alert_known(const char *word);
int lds_epcis__component_known(const char *word);

/** Appends `s` as RFC 6901 reference token to pointer `p` (cap bytes). */
size_t lds_epcis__ptr_push(char *p, size_t len, size_t cap, const char *tok);
size_t lds_epcis__ptr_push_idx(char *p, size_t len, size_t cap, size_t idx);

/** Appends the UTF-8 string `s` as a JSON string literal (RFC 8785 escapes). */
void lds_epcis__json_str(lds_buf *b, const char *s, size_t n);

#endif
