/*
 * hashid.c — the CBV 2.0 event hash ID: a canonical pre-hash string of an
 * event, hashed with SHA-256 into ni:///sha-256;<hex>?ver=CBV2.0.  The rules
 * follow the reference implementation (RalphTro/epcis-event-hash-generator,
 * commit 5d2f1c38) and its published pre-hashes; docs/epcis.md lists them.
 * Sorting happens in place in the output buffer: each child is rendered,
 * its byte span recorded, and a group's spans are reordered once complete.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "epcis/epcis_int.h"
#include "lodestone/alloc.h"
#include "lodestone/sha256.h"

typedef struct span {
    size_t off, len;
} span;

struct lds_epcis_hasher {
    lds_buf tmp;     /* group reordering */
    lds_buf val;     /* value canonicalisation */
    lds_buf pre;     /* pre-hash for hash_id */
    lds_buf vocab;   /* CBV expansion in typed lists */
    span *spans;
    size_t n_spans, cap_spans;
    int oom;
    int depth;       /* generic rendering depth */
    lds_epcis_ns ns;
};

/* Generic rendering stops descending here; validation rejects user data
 * nested deeper than 32 levels, so only unvalidated input reaches it. */
#define MAX_GEN_DEPTH 64

/* ---- the property order (CBV 2.0 / reference PROP_ORDER) ---- */

enum { P_SCALAR = 0, P_OBJ, P_LIST };
enum { V_NONE = 0, V_BIZSTEP, V_DISP, V_GS1VOC, V_COMP, V_TIME, V_CURIE };

typedef struct prop {
    const char *name;
    int kind;
    const char *child;         /* P_LIST: name of the elements ("epc") */
    const struct prop *sub;    /* P_OBJ / element order; NULL-terminated */
    int vocab;
} prop;

static const prop q_elem[] = {
    {"epcClass", P_SCALAR, NULL, NULL, 0},
    {"quantity", P_SCALAR, NULL, NULL, 0},
    {"uom", P_SCALAR, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const prop pd_order[] = {
    {"set", P_SCALAR, NULL, NULL, V_DISP},
    {"unset", P_SCALAR, NULL, NULL, V_DISP},
    {NULL, 0, NULL, NULL, 0}};
static const prop id_order[] = {{"id", P_SCALAR, NULL, NULL, 0}, {NULL, 0, NULL, NULL, 0}};
static const prop meta_order[] = {
    {"time", P_SCALAR, NULL, NULL, V_TIME},          {"startTime", P_SCALAR, NULL, NULL, V_TIME},
    {"endTime", P_SCALAR, NULL, NULL, V_TIME},       {"deviceID", P_SCALAR, NULL, NULL, 0},
    {"deviceMetadata", P_SCALAR, NULL, NULL, 0}, {"rawData", P_SCALAR, NULL, NULL, 0},
    {"dataProcessingMethod", P_SCALAR, NULL, NULL, 0}, {"bizRules", P_SCALAR, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const prop report_order[] = {
    {"type", P_SCALAR, NULL, NULL, V_GS1VOC},
    {"exception", P_SCALAR, NULL, NULL, V_GS1VOC},
    {"deviceID", P_SCALAR, NULL, NULL, 0},
    {"deviceMetadata", P_SCALAR, NULL, NULL, 0},
    {"rawData", P_SCALAR, NULL, NULL, 0},
    {"dataProcessingMethod", P_SCALAR, NULL, NULL, 0},
    {"time", P_SCALAR, NULL, NULL, V_TIME},
    {"microorganism", P_SCALAR, NULL, NULL, 0},
    {"chemicalSubstance", P_SCALAR, NULL, NULL, 0},
    {"value", P_SCALAR, NULL, NULL, 0},
    {"component", P_SCALAR, NULL, NULL, V_COMP},
    {"stringValue", P_SCALAR, NULL, NULL, 0},
    {"booleanValue", P_SCALAR, NULL, NULL, 0},
    {"hexBinaryValue", P_SCALAR, NULL, NULL, 0},
    {"uriValue", P_SCALAR, NULL, NULL, 0},
    {"minValue", P_SCALAR, NULL, NULL, 0},
    {"maxValue", P_SCALAR, NULL, NULL, 0},
    {"meanValue", P_SCALAR, NULL, NULL, 0},
    {"sDev", P_SCALAR, NULL, NULL, 0},
    {"percRank", P_SCALAR, NULL, NULL, 0},
    {"percValue", P_SCALAR, NULL, NULL, 0},
    {"uom", P_SCALAR, NULL, NULL, 0},
    {"coordinateReferenceSystem", P_SCALAR, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const prop sensor_elem[] = {
    {"sensorMetadata", P_OBJ, NULL, meta_order, 0},
    {"sensorReport", P_OBJ, NULL, report_order, 0},
    {NULL, 0, NULL, NULL, 0}};
static const prop event_order[] = {
    {"eventTime", P_SCALAR, NULL, NULL, V_TIME},
    {"eventTimeZoneOffset", P_SCALAR, NULL, NULL, 0},
    {"epcList", P_LIST, "epc", NULL, 0},
    {"parentID", P_SCALAR, NULL, NULL, 0},
    {"inputEPCList", P_LIST, "epc", NULL, 0},
    {"childEPCs", P_LIST, "epc", NULL, 0},
    {"quantityList", P_LIST, "quantityElement", q_elem, 0},
    {"childQuantityList", P_LIST, "quantityElement", q_elem, 0},
    {"inputQuantityList", P_LIST, "quantityElement", q_elem, 0},
    {"outputEPCList", P_LIST, "epc", NULL, 0},
    {"outputQuantityList", P_LIST, "quantityElement", q_elem, 0},
    {"action", P_SCALAR, NULL, NULL, 0},
    {"transformationID", P_SCALAR, NULL, NULL, 0},
    {"bizStep", P_SCALAR, NULL, NULL, V_BIZSTEP},
    {"disposition", P_SCALAR, NULL, NULL, V_DISP},
    {"persistentDisposition", P_OBJ, NULL, pd_order, 0},
    {"readPoint", P_OBJ, NULL, id_order, 0},
    {"bizLocation", P_OBJ, NULL, id_order, 0},
    {"sensorElementList", P_LIST, "sensorElement", sensor_elem, 0},
    {NULL, 0, NULL, NULL, 0}};

static int order_index(const char *k, size_t len)
{
    (void)len;
    for (int i = 0; event_order[i].name; i++)
        if (event_order[i].name[0] == k[0] && strcmp(event_order[i].name, k) == 0)
            return i;
    return -1;
}

/* Keys that never enter the pre-hash. */
static int ignored_anywhere(const char *k)
{
    return strcmp(k, "rdfs:comment") == 0 || strcmp(k, "comment") == 0 ||
           strcmp(k, "@context") == 0;
}

static int ignored_top(const char *k)
{
    return strcmp(k, "recordTime") == 0 || strcmp(k, "eventID") == 0 || strcmp(k, "type") == 0 ||
           strcmp(k, "errorDeclaration") == 0 || ignored_anywhere(k);
}

/* ---- span groups ---- */

static int push_span(lds_epcis_hasher *h, size_t off, size_t len)
{
    if (h->n_spans == h->cap_spans) {
        size_t cap = h->cap_spans ? h->cap_spans * 2 : 64;
        span *n = lds_realloc(h->spans, cap * sizeof *n);
        if (!n) {
            h->oom = 1;
            return -1;
        }
        h->spans = n;
        h->cap_spans = cap;
    }
    h->spans[h->n_spans].off = off;
    h->spans[h->n_spans].len = len;
    h->n_spans++;
    return 0;
}

static int span_cmp(const void *a, const void *b, void *base)
{
    const span *x = a, *y = b;
    const char *p = base;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(p + x->off, p + y->off, n);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Reorders the spans pushed since `base` (which cover b[start..b->len)). */
static void end_group(lds_epcis_hasher *h, lds_buf *b, size_t base, size_t start)
{
    size_t n = h->n_spans - base;
    if (n > 1 && !b->oom) {
        qsort_r(h->spans + base, n, sizeof(span), span_cmp, b->ptr);
        lds_buf_reset(&h->tmp);
        lds_buf_add(&h->tmp, b->ptr + start, b->len - start);
        if (h->tmp.oom) {
            h->oom = 1;
        } else {
            size_t w = start;
            for (size_t i = base; i < h->n_spans; i++) {
                memcpy(b->ptr + w, h->tmp.ptr + (h->spans[i].off - start), h->spans[i].len);
                w += h->spans[i].len;
            }
        }
    }
    h->n_spans = base;
}

/* ---- values ---- */

static void add_key(lds_epcis_hasher *h, lds_buf *b, const char *key)
{
    const char *colon = strchr(key, ':');
    if (colon && colon != key && colon[1] != '/') {
        const char *iri = lds_epcis__ns_lookup(&h->ns, key, (size_t)(colon - key));
        if (iri) {
            lds_buf_addc(b, '{');
            lds_buf_adds(b, iri);
            lds_buf_addc(b, '}');
            lds_buf_adds(b, colon + 1);
            return;
        }
    }
    lds_buf_adds(b, key);
}

/* Expands a vocabulary value: a known bare word, or a CURIE of a declared
 * prefix, becomes its full URI in h->val; otherwise copies it. */
static void expand_vocab(lds_epcis_hasher *h, int vocab, const char *s, size_t n)
{
    lds_buf *v = &h->val;
    if (vocab == V_BIZSTEP && lds_epcis_cbv_known(LDS_EPCIS_VOCAB_BIZSTEP, s)) {
        lds_buf_adds(v, lds_epcis__cbv_web_prefix(LDS_EPCIS_VOCAB_BIZSTEP));
    } else if (vocab == V_DISP && lds_epcis_cbv_known(LDS_EPCIS_VOCAB_DISPOSITION, s)) {
        lds_buf_adds(v, lds_epcis__cbv_web_prefix(LDS_EPCIS_VOCAB_DISPOSITION));
    } else if (vocab == V_GS1VOC && (lds_epcis__measurement_known(s) || lds_epcis__alert_known(s))) {
        const char *gs1 = lds_epcis__ns_lookup(&h->ns, "gs1", 3);
        lds_buf_adds(v, gs1 ? gs1 : "https://gs1.org/voc/");
    } else if (vocab == V_COMP && lds_epcis__component_known(s)) {
        lds_buf_adds(v, "https://ref.gs1.org/cbv/Comp-");
    } else if (vocab) {
        const char *colon = memchr(s, ':', n);
        if (colon && colon != s && colon[1] != '/') {
            const char *iri = lds_epcis__ns_lookup(&h->ns, s, (size_t)(colon - s));
            if (iri) {
                lds_buf_adds(v, iri);
                lds_buf_add(v, colon + 1, n - (size_t)(colon + 1 - s));
                return;
            }
        }
    }
    lds_buf_add(v, s, n);
}

/* Writes "=" + canonical text of a string value, or nothing when the
 * trimmed value is empty.  Returns 1 if something was written. */
static int add_text(lds_epcis_hasher *h, lds_buf *b, const char *name, const char *s, size_t n,
                    int vocab, int timed)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (!n)
        return 0;
    lds_buf_addc(b, '=');
    (void)name;
    if (timed) {
        lds_buf_reset(&h->val);
        lds_buf_add(&h->val, s, n);
        if (!h->val.oom && lds_epcis__time_utc_ms(b, h->val.ptr) == 0)
            return 1;
        lds_buf_add(b, s, n);
        return 1;
    }
    lds_buf_reset(&h->val);
    /* Older URN spellings of CBV values become their web URIs. */
    static const char *const urns[][2] = {
        {"urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"},
        {"urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"},
        {"urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"},
        {"urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"},
        {"urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"}};
    for (size_t i = 0; i < sizeof urns / sizeof urns[0]; i++) {
        size_t ul = strlen(urns[i][0]);
        if (n > ul && memcmp(s, urns[i][0], ul) == 0) {
            lds_buf_adds(&h->val, urns[i][1]);
            s += ul;
            n -= ul;
            vocab = V_NONE;
            break;
        }
    }
    expand_vocab(h, vocab, s, n);
    if (h->val.oom) {
        h->oom = 1;
        return 1;
    }
    if (lds_epcis__num_string(b, h->val.ptr, h->val.len))
        return 1;
    if (lds_epcis_uri_to_dl(h->val.ptr, b))
        return 1;
    lds_buf_add(b, h->val.ptr, h->val.len);
    return 1;
}

/* name=value for a JSON scalar; returns 1 if written. */
static int add_scalar(lds_epcis_hasher *h, lds_buf *b, const char *name, const json_t *v,
                      int vocab, int timed, int expand_key)
{
    size_t mark = b->len;
    if (expand_key)
        add_key(h, b, name);
    else
        lds_buf_adds(b, name);
    if (json_is_string(v)) {
        if (add_text(h, b, name, json_string_value(v), json_string_length(v), vocab, timed))
            return 1;
        b->len = mark;
        if (b->cap)
            b->ptr[mark] = '\0';
        return 0;
    }
    lds_buf_addc(b, '=');
    if (json_is_integer(v))
        lds_epcis__num_hash(b, (double)json_integer_value(v));
    else if (json_is_real(v))
        lds_epcis__num_hash(b, json_real_value(v));
    else if (json_is_true(v))
        lds_buf_adds(b, "true");
    else if (json_is_false(v))
        lds_buf_adds(b, "false");
    else {
        b->len = mark; /* null: no text */
        if (b->cap)
            b->ptr[mark] = '\0';
        return 0;
    }
    return 1;
}

/* ---- generic (unordered) rendering: extensions, ilmd, leftovers ---- */

static void gen_entry(lds_epcis_hasher *h, lds_buf *b, const char *key, const json_t *v,
                      size_t base);
static void gen_one_inner(lds_epcis_hasher *h, lds_buf *b, const char *key, const json_t *v);

/* Appends every member of `obj` (minus ignored keys and `skip` names) as
 * sorted entries after `start`. */
static void gen_members(lds_epcis_hasher *h, lds_buf *b, const json_t *obj, const prop *skip)
{
    size_t base = h->n_spans;
    size_t start = b->len;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)obj, k, v)
    {
        if (ignored_anywhere(k))
            continue;
        int skipped = 0;
        for (const prop *p = skip; p && p->name; p++)
            if (strcmp(p->name, k) == 0)
                skipped = 1;
        if (!skipped)
            gen_entry(h, b, k, v, base);
    }
    end_group(h, b, base, start);
}

static void gen_one(lds_epcis_hasher *h, lds_buf *b, const char *key, const json_t *v)
{
    if ((json_is_object(v) || json_is_array(v)) && h->depth >= MAX_GEN_DEPTH) {
        add_key(h, b, key);
        return;
    }
    h->depth++;
    gen_one_inner(h, b, key, v);
    h->depth--;
}

static void gen_one_inner(lds_epcis_hasher *h, lds_buf *b, const char *key, const json_t *v)
{
    if (json_is_object(v)) {
        add_key(h, b, key);
        gen_members(h, b, v, NULL);
    } else if (json_is_array(v)) {
        size_t i, base = h->n_spans, start;
        json_t *e;
        add_key(h, b, key);
        start = b->len;
        json_array_foreach((json_t *)(uintptr_t)v, i, e)
        {
            size_t s = b->len;
            gen_one(h, b, "", e);
            if (b->len > s)
                push_span(h, s, b->len - s);
        }
        end_group(h, b, base, start);
    } else if (!add_scalar(h, b, key, v, V_NONE, 0, 1)) {
        add_key(h, b, key); /* empty value: the key alone */
    }
}

/* Type-first pairs of bizTransactionList / sourceList / destinationList. */
static void gen_typed_list(lds_epcis_hasher *h, lds_buf *b, const char *key, const json_t *arr,
                           const char *value_key, lds_epcis_vocab vocab)
{
    size_t i, base = h->n_spans, start;
    json_t *e;
    lds_buf_adds(b, key);
    start = b->len;
    json_array_foreach((json_t *)(uintptr_t)arr, i, e)
    {
        size_t s = b->len;
        if (!json_is_object(e)) {
            gen_one(h, b, value_key, e);
        } else {
            const json_t *t = json_object_get(e, "type");
            if (json_is_string(t)) {
                lds_buf_reset(&h->vocab);
                lds_epcis_cbv_normalize(vocab, json_string_value(t), &h->vocab);
                if (h->vocab.oom)
                    h->oom = 1;
                lds_buf_adds(b, "type");
                if (!add_text(h, b, "type", h->vocab.ptr, h->vocab.len, V_CURIE, 0)) {
                    b->len -= 4;
                    if (b->cap)
                        b->ptr[b->len] = '\0';
                }
            }
            const json_t *id = json_object_get(e, value_key);
            if (id)
                add_scalar(h, b, value_key, id, V_NONE, 0, 0);
            /* any further members (invalid, but hash them deterministically) */
            const char *k;
            json_t *v;
            size_t b2 = h->n_spans, s2 = b->len;
            json_object_foreach(e, k, v)
            {
                if (strcmp(k, "type") && strcmp(k, value_key) && !ignored_anywhere(k))
                    gen_entry(h, b, k, v, b2);
            }
            end_group(h, b, b2, s2);
        }
        if (b->len > s)
            push_span(h, s, b->len - s);
    }
    end_group(h, b, base, start);
}

/* Renders one key/value as entries of the current group (arrays become
 * sibling entries with the same key). */
static void gen_entry(lds_epcis_hasher *h, lds_buf *b, const char *key, const json_t *v,
                      size_t base)
{
    (void)base;
    if (json_is_array(v)) {
        if (strcmp(key, "bizTransactionList") == 0 || strcmp(key, "sourceList") == 0 ||
            strcmp(key, "destinationList") == 0) {
            size_t s = b->len;
            const char *vk = key[0] == 'b' ? "bizTransaction" : key[0] == 's' ? "source"
                                                                                : "destination";
            gen_typed_list(h, b, key, v, vk,
                           key[0] == 'b' ? LDS_EPCIS_VOCAB_BTT : LDS_EPCIS_VOCAB_SDT);
            if (b->len > s)
                push_span(h, s, b->len - s);
            return;
        }
        size_t i;
        json_t *e;
        json_array_foreach((json_t *)(uintptr_t)v, i, e)
        {
            size_t s = b->len;
            gen_one(h, b, key, e);
            if (b->len > s)
                push_span(h, s, b->len - s);
        }
        return;
    }
    size_t s = b->len;
    gen_one(h, b, key, v);
    if (b->len > s)
        push_span(h, s, b->len - s);
}

/* ---- ordered rendering ---- */

static void render_node(lds_epcis_hasher *h, lds_buf *b, const prop *p, const char *name,
                        const json_t *v);

/* Children of an object in `order`, then its other members generically. */
static void render_children(lds_epcis_hasher *h, lds_buf *b, const prop *order, const json_t *obj)
{
    for (const prop *c = order; c->name; c++) {
        const json_t *cv = json_object_get(obj, c->name);
        if (!cv)
            continue;
        size_t base = h->n_spans, start = b->len;
        if (json_is_array(cv) && c->kind != P_LIST) {
            size_t i;
            json_t *e;
            json_array_foreach((json_t *)(uintptr_t)cv, i, e)
            {
                size_t s = b->len;
                render_node(h, b, c, c->name, e);
                if (b->len > s)
                    push_span(h, s, b->len - s);
            }
        } else {
            size_t s = b->len;
            render_node(h, b, c, c->name, cv);
            if (b->len > s)
                push_span(h, s, b->len - s);
        }
        end_group(h, b, base, start);
    }
    /* Extensions inside a sub-element follow its ordered content. */
    gen_members(h, b, obj, order);
}

static void render_node(lds_epcis_hasher *h, lds_buf *b, const prop *p, const char *name,
                        const json_t *v)
{
    size_t mark = b->len;
    if (p->kind == P_LIST && json_is_array(v)) {
        lds_buf_adds(b, name);
        size_t after_name = b->len, base = h->n_spans, i;
        json_t *e;
        prop elem = {p->child, p->sub ? P_OBJ : P_SCALAR, NULL, p->sub, p->vocab};
        json_array_foreach((json_t *)(uintptr_t)v, i, e)
        {
            size_t s = b->len;
            render_node(h, b, &elem, p->child, e);
            if (b->len > s)
                push_span(h, s, b->len - s);
        }
        end_group(h, b, base, after_name);
        if (b->len == after_name)
            goto empty;
        return;
    }
    if (json_is_object(v)) {
        lds_buf_adds(b, name);
        size_t after_name = b->len;
        if (p->sub)
            render_children(h, b, p->sub, v);
        else
            gen_members(h, b, v, NULL);
        if (b->len == after_name)
            goto empty;
        return;
    }
    if (json_is_array(v)) { /* an array where a scalar belongs: generic */
        size_t base = h->n_spans;
        gen_entry(h, b, name, v, base);
        h->n_spans = base;
        return;
    }
    add_scalar(h, b, name, v, p->vocab == V_TIME ? V_NONE : p->vocab,
               p->vocab == V_TIME, 0);
    return;
empty:
    b->len = mark;
    if (b->cap)
        b->ptr[mark] = '\0';
}

/* ---- entry points ---- */

lds_epcis_hasher *lds_epcis_hasher_new(void)
{
    lds_epcis_hasher *h = lds_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    lds_buf_init(&h->tmp);
    lds_buf_init(&h->val);
    lds_buf_init(&h->pre);
    lds_buf_init(&h->vocab);
    return h;
}

void lds_epcis_hasher_free(lds_epcis_hasher *h)
{
    if (!h)
        return;
    lds_buf_release(&h->tmp);
    lds_buf_release(&h->val);
    lds_buf_release(&h->pre);
    lds_buf_release(&h->vocab);
    lds_free(h->spans);
    lds_free(h);
}

lds_code lds_epcis_hasher_prehash(lds_epcis_hasher *h, const json_t *doc_context,
                                  const json_t *event, lds_buf *out, lds_err *err)
{
    const json_t *type = json_object_get(event, "type");
    if (!json_is_object(event) || !json_is_string(type))
        return lds_err_field(err, LDS_EINVAL, "/type", "event has no string \"type\"");
    h->oom = 0;
    h->depth = 0;
    h->n_spans = 0;
    lds_epcis__ns_init(&h->ns);
    lds_epcis__ns_add_context(&h->ns, doc_context);
    lds_epcis__ns_add_context(&h->ns, json_object_get(event, "@context"));

    /* One pass over the members finds the ordered properties. */
    enum { N_ORDER = sizeof event_order / sizeof event_order[0] - 1 };
    const json_t *vals[N_ORDER] = {0};
    int n_other = 0;
    void *it;
    for (it = json_object_iter((json_t *)(uintptr_t)event); it;
         it = json_object_iter_next((json_t *)(uintptr_t)event, it)) {
        int idx = order_index(json_object_iter_key(it), json_object_iter_key_len(it));
        if (idx >= 0)
            vals[idx] = json_object_iter_value(it);
        else if (!ignored_top(json_object_iter_key(it)))
            n_other++;
    }

    lds_buf_reset(out);
    lds_buf_adds(out, "eventType=");
    lds_buf_adds(out, json_string_value(type));
    for (int i = 0; i < N_ORDER; i++) {
        const prop *p = &event_order[i];
        const json_t *v = vals[i];
        if (!v)
            continue;
        size_t base = h->n_spans, start = out->len;
        if (json_is_array(v) && p->kind != P_LIST) {
            size_t j;
            json_t *e;
            json_array_foreach((json_t *)(uintptr_t)v, j, e)
            {
                size_t s = out->len;
                render_node(h, out, p, p->name, e);
                if (out->len > s)
                    push_span(h, s, out->len - s);
            }
        } else {
            render_node(h, out, p, p->name, v);
        }
        end_group(h, out, base, start);
    }
    /* Everything else, sorted: bizTransactionList, sourceList,
     * destinationList, ilmd, certificationInfo and extensions. */
    if (n_other) {
        size_t base = h->n_spans, start = out->len;
        for (it = json_object_iter((json_t *)(uintptr_t)event); it;
             it = json_object_iter_next((json_t *)(uintptr_t)event, it)) {
            const char *k = json_object_iter_key(it);
            if (ignored_top(k) || order_index(k, json_object_iter_key_len(it)) >= 0)
                continue;
            gen_entry(h, out, k, json_object_iter_value(it), base);
        }
        end_group(h, out, base, start);
    }
    if (h->oom || out->oom)
        return lds_err_set(err, LDS_ENOMEM, "out of memory computing the event hash");
    return LDS_OK;
}

lds_code lds_epcis_hasher_hash_id(lds_epcis_hasher *h, const json_t *doc_context,
                                  const json_t *event, char out[LDS_EPCIS_HASH_ID_LEN + 1],
                                  lds_err *err)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t md[LDS_SHA256_LEN];
    lds_code rc = lds_epcis_hasher_prehash(h, doc_context, event, &h->pre, err);
    if (rc != LDS_OK)
        return rc;
    lds_sha256(h->pre.ptr, h->pre.len, md);
    memcpy(out, "ni:///sha-256;", 14);
    for (size_t i = 0; i < sizeof md; i++) {
        out[14 + 2 * i] = hex[md[i] >> 4];
        out[15 + 2 * i] = hex[md[i] & 15];
    }
    memcpy(out + 14 + 64, "?ver=CBV2.0", 12);
    return LDS_OK;
}

lds_code lds_epcis_event_prehash(const json_t *doc_context, const json_t *event, lds_buf *out,
                                 lds_err *err)
{
    lds_epcis_hasher *h = lds_epcis_hasher_new();
    if (!h)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    lds_code rc = lds_epcis_hasher_prehash(h, doc_context, event, out, err);
    lds_epcis_hasher_free(h);
    return rc;
}

lds_code lds_epcis_event_hash_id(const json_t *doc_context, const json_t *event,
                                 char out[LDS_EPCIS_HASH_ID_LEN + 1], lds_err *err)
{
    lds_epcis_hasher *h = lds_epcis_hasher_new();
    if (!h)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    lds_code rc = lds_epcis_hasher_hash_id(h, doc_context, event, out, err);
    lds_epcis_hasher_free(h);
    return rc;
}

const json_t *lds_epcis_document_context(const json_t *doc)
{
    return json_is_object(doc) ? json_object_get(doc, "@context") : NULL;
}
