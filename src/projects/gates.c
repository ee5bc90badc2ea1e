/*
 * gates.c — the project stage machine and its gates: parse the lifecycle
 * document (data/lifecycle.json) and decide which stages a project may move
 * to now.  Pure: plain structs in, plain structs out; no store, no clock.
 * Invariant: a stage is allowed only when it may follow the current one
 * (fixed predecessors) and every criterion of its gate is met.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/projects.h"

#define DEFAULT_SLA_DAYS 30

/* snprintf for JSON pointers: truncation is harmless (a pointer is at most
 * 127 bytes in lds_err) and this keeps -Wformat-truncation quiet. */
static void ptrf(char *dst, size_t n, const char *fmt, ...) LDS_PRINTF(3, 4);
static void ptrf(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, n, fmt, ap);
    va_end(ap);
}

static int copy_name(char dst[LDS_GATE_NAME_LEN], const char *src)
{
    size_t n = strlen(src);
    if (n == 0 || n >= LDS_GATE_NAME_LEN)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

int lds_lifecycle_has_doc_kind(const lds_lifecycle *lc, const char *kind)
{
    if (!kind)
        return 0;
    for (int i = 0; i < lc->n_doc_kinds; i++)
        if (strcmp(lc->doc_kinds[i], kind) == 0)
            return 1;
    return 0;
}

static lds_code parse_crit(const lds_lifecycle *lc, json_t *c, const char *ptr, lds_gate_crit *out,
                           lds_err *err)
{
    char p[128];
    if (!json_is_object(c))
        return lds_err_field(err, LDS_EINVAL, ptr, "%s: a criterion must be an object", ptr);
    json_t *doc = json_object_get(c, "document"), *svc = json_object_get(c, "service");
    const char *key;
    json_t *v;
    json_object_foreach(c, key, v)
    {
        if (strcmp(key, "document") && strcmp(key, "service") && strcmp(key, "label") &&
            strcmp(key, "source")) {
            ptrf(p, sizeof p, "%s/%.60s", ptr, key);
            return lds_err_field(err, LDS_EINVAL, p,
                                 "%s: unknown key (allowed: document, service, label, source)", p);
        }
    }
    if ((doc != NULL) == (svc != NULL))
        return lds_err_field(err, LDS_EINVAL, ptr,
                             "%s: a criterion names exactly one of document or service", ptr);
    memset(out, 0, sizeof *out);
    if (doc) {
        ptrf(p, sizeof p, "%s/document", ptr);
        if (!json_is_string(doc) || !lds_lifecycle_has_doc_kind(lc, json_string_value(doc)))
            return lds_err_field(err, LDS_EINVAL, p, "%s: not one of the document_kinds", p);
        out->kind = LDS_GATE_DOCUMENT;
        snprintf(out->doc_kind, sizeof out->doc_kind, "%s", json_string_value(doc));
    } else {
        ptrf(p, sizeof p, "%s/service", ptr);
        if (!json_is_string(svc) || !lds_factor_parse(json_string_value(svc), &out->factor))
            return lds_err_field(err, LDS_EINVAL, p, "%s: unknown factor", p);
        out->kind = LDS_GATE_SERVICE;
    }
    json_t *label = json_object_get(c, "label");
    if (label && !json_is_string(label)) {
        ptrf(p, sizeof p, "%s/label", ptr);
        return lds_err_field(err, LDS_EINVAL, p, "%s: must be a string", p);
    }
    if (label)
        snprintf(out->label, sizeof out->label, "%s", json_string_value(label));
    else if (doc)
        ptrf(out->label, sizeof out->label, "document '%s' on file", json_string_value(doc));
    else
        ptrf(out->label, sizeof out->label, "%s service request done",
                 lds_factor_name(out->factor));
    return LDS_OK;
}

static lds_code parse_doc(json_t *root, lds_lifecycle *lc, lds_err *err)
{
    char p[128];
    const char *key;
    json_t *v;
    if (!json_is_object(root))
        return lds_err_field(err, LDS_EINVAL, "", "the lifecycle document must be an object");
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "document_kinds") && strcmp(key, "gates") && strcmp(key, "sla_days") &&
            strcmp(key, "description") && strcmp(key, "sources")) {
            ptrf(p, sizeof p, "/%.60s", key);
            return lds_err_field(err, LDS_EINVAL, p,
                                 "%s: unknown key (allowed: document_kinds, sla_days, gates, "
                                 "description, sources)",
                                 p);
        }
    }
    json_t *kinds = json_object_get(root, "document_kinds");
    if (kinds && !json_is_array(kinds))
        return lds_err_field(err, LDS_EINVAL, "/document_kinds", "/document_kinds: must be an array");
    size_t i;
    json_array_foreach(kinds, i, v)
    {
        ptrf(p, sizeof p, "/document_kinds/%zu", i);
        if (lc->n_doc_kinds >= LDS_GATE_MAX_DOC_KINDS)
            return lds_err_field(err, LDS_EINVAL, p, "%s: at most %d document kinds", p,
                                 LDS_GATE_MAX_DOC_KINDS);
        if (!json_is_string(v) || copy_name(lc->doc_kinds[lc->n_doc_kinds], json_string_value(v)))
            return lds_err_field(err, LDS_EINVAL, p,
                                 "%s: a document kind is 1-47 characters of a-z, 0-9 and _", p);
        for (int k = 0; k < lc->n_doc_kinds; k++)
            if (strcmp(lc->doc_kinds[k], json_string_value(v)) == 0)
                return lds_err_field(err, LDS_EINVAL, p, "%s: duplicate document kind", p);
        lc->n_doc_kinds++;
    }
    json_t *sla = json_object_get(root, "sla_days");
    if (sla && !json_is_object(sla))
        return lds_err_field(err, LDS_EINVAL, "/sla_days", "/sla_days: must be an object");
    json_object_foreach(sla, key, v)
    {
        lds_factor f;
        ptrf(p, sizeof p, "/sla_days/%.60s", key);
        if (!lds_factor_parse(key, &f))
            return lds_err_field(err, LDS_EINVAL, p, "%s: unknown factor", p);
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 3650)
            return lds_err_field(err, LDS_EINVAL, p, "%s: must be whole days, 1 to 3650", p);
        lc->sla_days[f] = (int)json_integer_value(v);
    }
    json_t *gates = json_object_get(root, "gates");
    if (gates && !json_is_object(gates))
        return lds_err_field(err, LDS_EINVAL, "/gates", "/gates: must be an object");
    json_object_foreach(gates, key, v)
    {
        lds_pstage st;
        ptrf(p, sizeof p, "/gates/%.60s", key);
        if (!lds_pstage_parse(key, &st))
            return lds_err_field(err, LDS_EINVAL, p, "%s: unknown stage", p);
        if (st == LDS_PSTAGE_ON_HOLD || st == LDS_PSTAGE_ABANDONED || st == LDS_PSTAGE_PROPOSED)
            return lds_err_field(err, LDS_EINVAL, p, "%s: %s has no gate", p, key);
        if (!json_is_array(v))
            return lds_err_field(err, LDS_EINVAL, p, "%s: must be an array of criteria", p);
        if (json_array_size(v) > LDS_GATE_MAX_CRIT)
            return lds_err_field(err, LDS_EINVAL, p, "%s: at most %d criteria", p,
                                 LDS_GATE_MAX_CRIT);
        size_t j;
        json_t *c;
        json_array_foreach(v, j, c)
        {
            char cp[128];
            ptrf(cp, sizeof cp, "%s/%zu", p, j);
            lds_code rc = parse_crit(lc, c, cp, &lc->crit[st][j], err);
            if (rc)
                return rc;
        }
        lc->n_crit[st] = (int)json_array_size(v);
    }
    return LDS_OK;
}

lds_code lds_lifecycle_parse(const char *json, size_t len, lds_lifecycle *out, lds_err *err)
{
    memset(out, 0, sizeof *out);
    for (int f = 0; f < LDS_FACTOR_COUNT; f++)
        out->sla_days[f] = DEFAULT_SLA_DAYS;
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return lds_err_at(err, LDS_EINVAL, (unsigned)(je.line > 0 ? je.line : 0),
                          (unsigned)(je.column > 0 ? je.column : 0), "lifecycle: %s", je.text);
    lds_code rc = parse_doc(root, out, err);
    json_decref(root);
    if (rc) {
        memset(out, 0, sizeof *out);
        for (int f = 0; f < LDS_FACTOR_COUNT; f++)
            out->sla_days[f] = DEFAULT_SLA_DAYS;
    }
    return rc;
}

int lds_gate_follows(const lds_gate_state *st, lds_pstage to)
{
    lds_pstage from = st->stage;
    if ((int)to < 0 || to >= LDS_PSTAGE_COUNT || to == from || lds_pstage_is_terminal(from))
        return 0;
    if (from == LDS_PSTAGE_ON_HOLD)
        return to == LDS_PSTAGE_ABANDONED ||
               (lds_pstage_is_active(st->held_stage) && to == st->held_stage);
    if (!lds_pstage_is_active(from))
        return 0;
    return to == from + 1 || to == LDS_PSTAGE_ON_HOLD || to == LDS_PSTAGE_ABANDONED;
}

static int crit_met(const lds_gate_crit *c, const lds_gate_state *st)
{
    if (c->kind == LDS_GATE_SERVICE)
        return (st->done_factors >> c->factor) & 1u;
    for (size_t i = 0; i < st->n_docs; i++)
        if (st->doc_kinds[i] && strcmp(st->doc_kinds[i], c->doc_kind) == 0)
            return 1;
    return 0;
}

/* The gate applies when entering a main-sequence stage from its
 * predecessor; resuming from on_hold re-enters a stage already passed. */
static int gate_applies(const lds_gate_state *st, lds_pstage to)
{
    return st->stage != LDS_PSTAGE_ON_HOLD && to != LDS_PSTAGE_ON_HOLD &&
           to != LDS_PSTAGE_ABANDONED;
}

static int gate_met(const lds_lifecycle *lc, const lds_gate_state *st, lds_pstage to)
{
    if (!gate_applies(st, to))
        return 1;
    for (int i = 0; i < lc->n_crit[to]; i++)
        if (!crit_met(&lc->crit[to][i], st))
            return 0;
    return 1;
}

int lds_gate_eval(const lds_lifecycle *lc, const lds_gate_state *st, lds_pstage to,
                  lds_gate_result *res)
{
    memset(res, 0, sizeof *res);
    for (int t = 0; t < LDS_PSTAGE_COUNT; t++)
        if (lds_gate_follows(st, (lds_pstage)t) && gate_met(lc, st, (lds_pstage)t))
            res->allowed |= 1u << t;
    if ((int)to < 0 || to >= LDS_PSTAGE_COUNT)
        return 0;
    res->predecessor_ok = lds_gate_follows(st, to);
    if (gate_applies(st, to))
        for (int i = 0; i < lc->n_crit[to]; i++)
            if (!crit_met(&lc->crit[to][i], st))
                res->unmet[res->n_unmet++] = &lc->crit[to][i];
    return (res->allowed >> to) & 1u;
}
