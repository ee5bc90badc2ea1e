/*
 * catalog_store.c — write a parsed catalog into the store in one transaction
 * (upserts by id, so loading twice leaves one copy) and read it back into an
 * lds_catalog for the pure engines.
 */
#include <jansson.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/catalog.h"
#include "catalog_int.h"

static const char *jstr(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static lds_code bind_fail(lds_err *err, const char *what)
{
    return lds_err_set(err, LDS_ENOMEM, "cannot bind %s", what);
}

static lds_code put_meta(lds_store *s, const char *version, lds_err *err)
{
    static const char q[] = "INSERT INTO meta(key, value) VALUES ('catalog_version', ?1)"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    if (lds_stmt_bind_text(st, 1, version))
        return bind_fail(err, "meta");
    return lds_stmt_exec(st, err);
}

static lds_code put_elements(const lds_catalog *c, lds_store *s, lds_err *err)
{
    static const char q[] =
        "INSERT INTO elements(symbol, name, oxide, metal_per_oxide, export_controlled, source)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(symbol) DO UPDATE SET"
        " name = excluded.name, oxide = excluded.oxide, metal_per_oxide = excluded.metal_per_oxide,"
        " export_controlled = excluded.export_controlled, source = excluded.source";
    for (int e = 0; e < LDS_RE_N; e++) {
        if (!c->has_element[e])
            continue;
        json_t *o = c->el_json[e];
        lds_stmt *st;
        lds_code rc = lds_store_prepare(s, q, &st, err);
        if (rc)
            return rc;
        if (lds_stmt_bind_text(st, 1, lds_re_symbol((lds_re)e)) ||
            lds_stmt_bind_text(st, 2, jstr(o, "name")) ||
            lds_stmt_bind_text(st, 3, lds_re_oxide((lds_re)e)) ||
            lds_stmt_bind_double(st, 4, c->metal_per_oxide[e]) ||
            lds_stmt_bind_i64(st, 5, c->el_controlled[e]) ||
            lds_stmt_bind_text(st, 6, jstr(o, "source")))
            return bind_fail(err, "element");
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    return LDS_OK;
}

static lds_code put_stages(const lds_catalog *c, lds_store *s, lds_err *err)
{
    static const char q[] = "INSERT INTO stages(id, name, ord, description) VALUES (?1, ?2, ?3, ?4)"
                            " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
                            " ord = excluded.ord, description = excluded.description";
    for (size_t i = 0; i < c->n_stages; i++) {
        json_t *o = c->stage_json[i];
        lds_stmt *st;
        lds_code rc = lds_store_prepare(s, q, &st, err);
        if (rc)
            return rc;
        if (lds_stmt_bind_text(st, 1, c->stage_ids[i]) ||
            lds_stmt_bind_text(st, 2, jstr(o, "name")) ||
            lds_stmt_bind_i64(st, 3, c->stage_ord[i]) ||
            lds_stmt_bind_text(st, 4, jstr(o, "description")))
            return bind_fail(err, "stage");
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    return LDS_OK;
}

static lds_code put_regions(const lds_catalog *c, lds_store *s, lds_err *err)
{
    static const char q[] =
        "INSERT INTO regions(id, name, name_zh, country, province, city, district, lat, lon, role,"
        " description) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_zh = excluded.name_zh,"
        " country = excluded.country, province = excluded.province, city = excluded.city,"
        " district = excluded.district, lat = excluded.lat, lon = excluded.lon,"
        " role = excluded.role, description = excluded.description";
    for (size_t i = 0; i < json_array_size(c->regions); i++) {
        json_t *o = json_array_get(c->regions, i);
        lds_stmt *st;
        lds_code rc = lds_store_prepare(s, q, &st, err);
        if (rc)
            return rc;
        if (lds_stmt_bind_text(st, 1, jstr(o, "id")) || lds_stmt_bind_text(st, 2, jstr(o, "name")) ||
            lds_stmt_bind_text(st, 3, jstr(o, "name_zh")) ||
            lds_stmt_bind_text(st, 4, jstr(o, "country")) ||
            lds_stmt_bind_text(st, 5, jstr(o, "province")) ||
            lds_stmt_bind_text(st, 6, jstr(o, "city")) ||
            lds_stmt_bind_text(st, 7, jstr(o, "district")) ||
            lds_stmt_bind_double(st, 8, json_number_value(json_object_get(o, "lat"))) ||
            lds_stmt_bind_double(st, 9, json_number_value(json_object_get(o, "lon"))) ||
            lds_stmt_bind_text(st, 10, jstr(o, "role")) ||
            lds_stmt_bind_text(st, 11, jstr(o, "description")))
            return bind_fail(err, "region");
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    return LDS_OK;
}

static lds_code put_material(const lds_catalog *c, size_t i, lds_store *s, lds_err *err)
{
    static const char q[] =
        "INSERT INTO materials(id, name, stage_id, kind, unit, unit_mass_kg, formula, spec,"
        " export_controlled, description, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT(id) DO UPDATE SET name = excluded.name, stage_id = excluded.stage_id,"
        " kind = excluded.kind, unit = excluded.unit, unit_mass_kg = excluded.unit_mass_kg,"
        " formula = excluded.formula, spec = excluded.spec,"
        " export_controlled = excluded.export_controlled, description = excluded.description,"
        " source = excluded.source";
    static const char q_del[] = "DELETE FROM material_content WHERE material_id = ?1";
    static const char q_content[] =
        "INSERT INTO material_content(material_id, element, oxide, oxide_t_per_t, metal_t_per_t,"
        " source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    const mat_int *mi = &c->mats[i];
    const lds_material *m = &mi->pub;
    json_t *o = mi->json;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    if (lds_stmt_bind_text(st, 1, m->id) || lds_stmt_bind_text(st, 2, m->name) ||
        lds_stmt_bind_text(st, 3, m->stage_id) || lds_stmt_bind_text(st, 4, m->kind) ||
        lds_stmt_bind_text(st, 5, m->unit) ||
        (m->unit_mass_kg > 0 ? lds_stmt_bind_double(st, 6, m->unit_mass_kg)
                             : lds_stmt_bind_null(st, 6)) ||
        lds_stmt_bind_text(st, 7, jstr(o, "formula")) || lds_stmt_bind_text(st, 8, jstr(o, "spec")) ||
        lds_stmt_bind_i64(st, 9, m->export_controlled) ||
        lds_stmt_bind_text(st, 10, jstr(o, "description")) ||
        lds_stmt_bind_text(st, 11, jstr(o, "source")))
        return bind_fail(err, "material");
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    if ((rc = lds_store_prepare(s, q_del, &st, err)))
        return rc;
    if (lds_stmt_bind_text(st, 1, m->id))
        return bind_fail(err, "material");
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    /* Explicit content keeps its own source; derived content names the recipe. */
    json_t *content = json_object_get(o, "content");
    char derived[200];
    snprintf(derived, sizeof derived, "derived: sum of the inputs of recipe %s per unit",
             mi->content_from ? mi->content_from : "");
    for (int e = 0; e < LDS_RE_N; e++) {
        if (m->oxide_t[e] <= 0)
            continue;
        const char *src = derived;
        for (size_t k = 0; content && k < json_array_size(content); k++) {
            json_t *ce = json_array_get(content, k);
            const char *sym = jstr(ce, "element");
            if (sym && strcmp(sym, lds_re_symbol((lds_re)e)) == 0)
                src = jstr(ce, "source");
        }
        if ((rc = lds_store_prepare(s, q_content, &st, err)))
            return rc;
        if (lds_stmt_bind_text(st, 1, m->id) || lds_stmt_bind_text(st, 2, lds_re_symbol((lds_re)e)) ||
            lds_stmt_bind_text(st, 3, lds_re_oxide((lds_re)e)) ||
            lds_stmt_bind_double(st, 4, m->oxide_t[e]) ||
            lds_stmt_bind_double(st, 5, m->metal_t[e]) || lds_stmt_bind_text(st, 6, src))
            return bind_fail(err, "material content");
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    return LDS_OK;
}

static lds_code put_lines(lds_store *s, const char *sql, const char *recipe_id,
                          const lds_recipe_line *l, size_t n, lds_err *err)
{
    for (size_t k = 0; k < n; k++) {
        lds_stmt *st;
        lds_code rc = lds_store_prepare(s, sql, &st, err);
        if (rc)
            return rc;
        if (lds_stmt_bind_text(st, 1, recipe_id) || lds_stmt_bind_text(st, 2, l[k].material_id) ||
            lds_stmt_bind_double(st, 3, l[k].qty))
            return bind_fail(err, "recipe line");
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    return LDS_OK;
}

static lds_code put_recipe(const lds_catalog *c, size_t i, lds_store *s, lds_err *err)
{
    static const char q[] =
        "INSERT INTO recipes(id, name, stage_id, output_material_id, output_qty, lead_time_days,"
        " yield, yield_source, lead_time_source, description, source)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT(id) DO UPDATE SET name = excluded.name, stage_id = excluded.stage_id,"
        " output_material_id = excluded.output_material_id, output_qty = excluded.output_qty,"
        " lead_time_days = excluded.lead_time_days, yield = excluded.yield,"
        " yield_source = excluded.yield_source, lead_time_source = excluded.lead_time_source,"
        " description = excluded.description, source = excluded.source";
    static const char q_del_in[] = "DELETE FROM recipe_inputs WHERE recipe_id = ?1";
    static const char q_del_out[] = "DELETE FROM recipe_outputs WHERE recipe_id = ?1";
    static const char q_in[] = "INSERT INTO recipe_inputs(recipe_id, material_id, qty)"
                               " VALUES (?1, ?2, ?3)";
    static const char q_out[] = "INSERT INTO recipe_outputs(recipe_id, material_id, qty)"
                                " VALUES (?1, ?2, ?3)";
    const rec_int *ri = &c->recs[i];
    const lds_recipe *r = &ri->pub;
    json_t *o = ri->json;
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    if (lds_stmt_bind_text(st, 1, r->id) || lds_stmt_bind_text(st, 2, r->name) ||
        lds_stmt_bind_text(st, 3, r->stage_id) || lds_stmt_bind_text(st, 4, r->output_id) ||
        lds_stmt_bind_double(st, 5, r->output_qty) ||
        lds_stmt_bind_double(st, 6, r->lead_time_days) || lds_stmt_bind_double(st, 7, r->yield) ||
        lds_stmt_bind_text(st, 8, jstr(o, "yield_source")) ||
        lds_stmt_bind_text(st, 9, jstr(o, "lead_time_source")) ||
        lds_stmt_bind_text(st, 10, jstr(o, "description")) ||
        lds_stmt_bind_text(st, 11, jstr(o, "source")))
        return bind_fail(err, "recipe");
    if ((rc = lds_stmt_exec(st, err)))
        return rc;
    const char *const dels[] = {q_del_in, q_del_out};
    for (size_t k = 0; k < 2; k++) {
        if ((rc = lds_store_prepare(s, dels[k], &st, err)))
            return rc;
        if (lds_stmt_bind_text(st, 1, r->id))
            return bind_fail(err, "recipe");
        if ((rc = lds_stmt_exec(st, err)))
            return rc;
    }
    if ((rc = put_lines(s, q_in, r->id, r->inputs, r->n_inputs, err)))
        return rc;
    return put_lines(s, q_out, r->id, r->outputs, r->n_outputs, err);
}

lds_code lds_catalog_store(const lds_catalog *c, lds_store *s, lds_err *err)
{
    if (!c->root)
        return lds_err_set(err, LDS_EINVAL, "only a parsed catalog document can be stored");
    lds_code rc = lds_store_begin(s, err);
    if (rc)
        return rc;
    if ((rc = put_meta(s, c->version, err)) || (rc = put_elements(c, s, err)) ||
        (rc = put_stages(c, s, err)) || (rc = put_regions(c, s, err)))
        goto fail;
    for (size_t i = 0; i < c->n_mats; i++)
        if ((rc = put_material(c, i, s, err)))
            goto fail;
    for (size_t i = 0; i < c->n_recs; i++)
        if ((rc = put_recipe(c, i, s, err)))
            goto fail;
    if ((rc = lds_store_commit(s, err)))
        goto fail;
    return LDS_OK;
fail:
    lds_store_rollback(s);
    return rc;
}

/* ---- reading back -------------------------------------------------------- */

static long mat_index(const lds_catalog *c, const char *id)
{
    for (size_t i = 0; id && i < c->n_mats; i++)
        if (strcmp(c->mats[i].pub.id, id) == 0)
            return (long)i;
    return -1;
}

static lds_code oom(lds_err *err)
{
    return lds_err_set(err, LDS_ENOMEM, "out of memory reading the catalog");
}

static lds_code read_materials(lds_catalog *c, lds_store *s, lds_err *err)
{
    static const char q[] = "SELECT id, name, stage_id, kind, unit, unit_mass_kg, export_controlled"
                            " FROM materials ORDER BY id";
    static const char q_content[] =
        "SELECT material_id, element, oxide_t_per_t, metal_t_per_t FROM material_content";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    size_t cap = 0;
    int r;
    if (rc)
        return rc;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (c->n_mats == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            mat_int *p = lds_realloc(c->mats, ncap * sizeof *p);
            if (!p)
                return oom(err);
            c->mats = p;
            cap = ncap;
        }
        mat_int *m = &c->mats[c->n_mats];
        memset(m, 0, sizeof *m);
        m->pub.id = lds_catalog__pool(c, lds_stmt_col_text(st, 0));
        m->pub.name = lds_catalog__pool(c, lds_stmt_col_text(st, 1));
        m->pub.stage_id = lds_catalog__pool(c, lds_stmt_col_text(st, 2));
        m->pub.kind = lds_catalog__pool(c, lds_stmt_col_text(st, 3));
        m->pub.unit = lds_catalog__pool(c, lds_stmt_col_text(st, 4));
        if (!m->pub.id || !m->pub.name || !m->pub.stage_id || !m->pub.kind || !m->pub.unit)
            return oom(err);
        m->pub.unit_mass_kg = lds_stmt_col_is_null(st, 5) ? 0 : lds_stmt_col_double(st, 5);
        m->pub.export_controlled = (int)lds_stmt_col_i64(st, 6);
        m->resolved = 1;
        c->n_mats++;
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    if ((rc = lds_store_prepare(s, q_content, &st, err)))
        return rc;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        long mi = mat_index(c, lds_stmt_col_text(st, 0));
        int e = lds_re_parse(lds_stmt_col_text(st, 1));
        if (mi < 0 || e < 0)
            return lds_err_set(err, LDS_ECORRUPT, "material_content row names an unknown %s",
                               mi < 0 ? "material" : "element");
        lds_material *m = &c->mats[mi].pub;
        m->oxide_t[e] = lds_stmt_col_double(st, 2);
        m->metal_t[e] = lds_stmt_col_double(st, 3);
        m->n_elements += m->oxide_t[e] > 0;
    }
    return r == LDS_STORE_DONE ? LDS_OK : (lds_code)r;
}

static lds_code read_lines(lds_catalog *c, lds_store *s, const char *sql, const char *recipe_id,
                           lds_recipe_line **out, size_t *n_out, lds_err *err)
{
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, sql, &st, err);
    size_t cap = 0;
    int r;
    if (rc)
        return rc;
    if (lds_stmt_bind_text(st, 1, recipe_id))
        return oom(err);
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        long mi = mat_index(c, lds_stmt_col_text(st, 0));
        if (mi < 0)
            return lds_err_set(err, LDS_ECORRUPT, "recipe %.40s names an unknown material",
                               recipe_id);
        if (*n_out == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            lds_recipe_line *p = lds_realloc(*out, ncap * sizeof *p);
            if (!p)
                return oom(err);
            *out = p;
            cap = ncap;
        }
        lds_recipe_line *l = &(*out)[(*n_out)++];
        l->material = (size_t)mi;
        l->material_id = c->mats[mi].pub.id;
        l->qty = lds_stmt_col_double(st, 1);
    }
    return r == LDS_STORE_DONE ? LDS_OK : (lds_code)r;
}

static lds_code read_recipes(lds_catalog *c, lds_store *s, lds_err *err)
{
    static const char q[] = "SELECT id, name, stage_id, output_material_id, output_qty,"
                            " lead_time_days, yield FROM recipes ORDER BY id";
    static const char q_in[] =
        "SELECT material_id, qty FROM recipe_inputs WHERE recipe_id = ?1 ORDER BY material_id";
    static const char q_out[] =
        "SELECT material_id, qty FROM recipe_outputs WHERE recipe_id = ?1 ORDER BY material_id";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    size_t cap = 0;
    int r;
    if (rc)
        return rc;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        if (c->n_recs == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            rec_int *p = lds_realloc(c->recs, ncap * sizeof *p);
            if (!p)
                return oom(err);
            c->recs = p;
            cap = ncap;
        }
        rec_int *ri = &c->recs[c->n_recs++];
        memset(ri, 0, sizeof *ri);
        lds_recipe *rp = &ri->pub;
        rp->id = lds_catalog__pool(c, lds_stmt_col_text(st, 0));
        rp->name = lds_catalog__pool(c, lds_stmt_col_text(st, 1));
        rp->stage_id = lds_catalog__pool(c, lds_stmt_col_text(st, 2));
        long mi = mat_index(c, lds_stmt_col_text(st, 3));
        if (!rp->id || !rp->name || !rp->stage_id)
            return oom(err);
        if (mi < 0)
            return lds_err_set(err, LDS_ECORRUPT, "recipe %.40s has an unknown output", rp->id);
        rp->output = (size_t)mi;
        rp->output_id = c->mats[mi].pub.id;
        rp->output_qty = lds_stmt_col_double(st, 4);
        rp->lead_time_days = lds_stmt_col_double(st, 5);
        rp->yield = lds_stmt_col_double(st, 6);
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    for (size_t i = 0; i < c->n_recs; i++) {
        rec_int *ri = &c->recs[i];
        if ((rc = read_lines(c, s, q_in, ri->pub.id, &ri->in, &ri->pub.n_inputs, err)) ||
            (rc = read_lines(c, s, q_out, ri->pub.id, &ri->out, &ri->pub.n_outputs, err)))
            return rc;
        ri->pub.inputs = ri->in;
        ri->pub.outputs = ri->out;
    }
    return LDS_OK;
}

lds_code lds_catalog_read(lds_store *s, lds_catalog **out, lds_err *err)
{
    static const char q_ver[] = "SELECT value FROM meta WHERE key = 'catalog_version'";
    lds_stmt *st;
    *out = NULL;
    lds_code rc = lds_store_prepare(s, q_ver, &st, err);
    if (rc)
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no catalog is loaded in this database");
    if (r != LDS_STORE_ROW)
        return (lds_code)r;
    lds_catalog *c = lds_calloc(1, sizeof *c);
    if (!c)
        return oom(err);
    c->version = lds_catalog__pool(c, lds_stmt_col_text(st, 0));
    if (!c->version)
        rc = oom(err);
    if (!rc)
        rc = read_materials(c, s, err);
    if (!rc)
        rc = read_recipes(c, s, err);
    if (rc) {
        lds_catalog_free(c);
        return rc;
    }
    *out = c;
    return LDS_OK;
}
