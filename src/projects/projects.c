/*
 * projects.c — projects as API resources: validated creation and edits,
 * lists filtered in SQL by who may see each project, stage transitions
 * through the gate engine, documents and the timeline.  Every change writes
 * one project_events row, inside the caller's transaction, so an error
 * leaves nothing behind.  JSON is written by SQLite's json_object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "projects_int.h"

/* ---- lifecycle ----------------------------------------------------------- */

lds_code lds_projects_load_lifecycle(lds_store *s, const char *path, int64_t now_ms, lds_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return lds_err_set(err, LDS_EIO, "%s: cannot open the lifecycle document", path);
    lds_buf b = LDS_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
        lds_buf_add(&b, chunk, n);
    int bad = ferror(f) || b.len >= (1u << 20);
    fclose(f);
    if (bad || b.oom) {
        lds_buf_release(&b);
        return lds_err_set(err, bad ? LDS_EIO : LDS_ENOMEM, "%s: cannot read it (at most 1 MiB)",
                           path);
    }
    lds_lifecycle *lc = lds_malloc(sizeof *lc);
    if (!lc) {
        lds_buf_release(&b);
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    }
    lds_code rc = lds_lifecycle_parse(b.ptr, b.len, lc, err);
    lds_free(lc);
    if (rc) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        if (err->field[0])
            lds_err_set(err, rc, "%s: %s", path, msg);
        else
            lds_err_at(err, rc, err->line, err->column, "%s:%u: %s", path, err->line, msg);
    } else {
        static const char q[] = "INSERT OR REPLACE INTO project_lifecycle(id, source, json, "
                                "loaded_ms) VALUES (1, ?1, ?2, ?3)";
        rc = lds_pj__exec(s, q, err, "ssi", path, b.ptr, now_ms);
    }
    lds_buf_release(&b);
    return rc;
}

lds_code lds_projects_lifecycle(lds_store *s, lds_lifecycle *out, lds_err *err)
{
    static const char q[] = "SELECT json FROM project_lifecycle WHERE id = 1";
    lds_stmt *st;
    lds_code rc = lds_pj__prep(s, q, &st, err, "");
    if (rc)
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_ROW) {
        const char *j = lds_stmt_col_text(st, 0);
        rc = lds_lifecycle_parse(j ? j : "{}", j ? strlen(j) : 2, out, err);
        if (rc)
            rc = lds_err_set(err, LDS_ECORRUPT, "the stored lifecycle document is invalid");
    } else if (r == LDS_STORE_DONE) {
        rc = lds_lifecycle_parse("{}", 2, out, err);
    } else {
        rc = (lds_code)r;
    }
    lds_stmt_reset(st);
    return rc;
}

/* ---- access -------------------------------------------------------------- */

#define PROJ_VIS                                                                                   \
    "(?1 OR p.sponsor_org = ?2 OR EXISTS (SELECT 1 FROM project_orgs po WHERE po.project_id ="    \
    " p.id AND po.org_id = ?2) OR (?3 AND p.open_to_investors = 1) OR (?4 AND EXISTS (SELECT 1"    \
    " FROM service_requests r WHERE r.project_id = p.id AND (r.provider_org = ?2 OR"               \
    " r.proposed_provider_org = ?2))))"

static lds_code vis_bind(lds_stmt *st, const lds_principal *who)
{
    lds_code rc;
    if ((rc = lds_stmt_bind_i64(st, 1, lds_sees_all(who))) ||
        (rc = lds_stmt_bind_i64(st, 2, who->org_id)) ||
        (rc = lds_stmt_bind_i64(st, 3, who->role == LDS_ROLE_INVESTOR)) ||
        (rc = lds_stmt_bind_i64(st, 4, who->role == LDS_ROLE_PROVIDER)))
        return rc;
    return LDS_OK;
}

lds_code lds_project_access(lds_store *s, const lds_principal *who, int64_t id, int *can_read,
                            int *can_edit, lds_err *err)
{
    static const char q[] = "SELECT " PROJ_VIS " FROM projects p WHERE p.id = ?5";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    if ((rc = vis_bind(st, who)) || (rc = lds_stmt_bind_i64(st, 5, id)))
        return lds_err_set(err, rc, "binding a query parameter failed");
    int r = lds_stmt_step(st, err);
    int read = r == LDS_STORE_ROW && lds_stmt_col_i64(st, 0) != 0;
    lds_stmt_reset(st);
    if (r != LDS_STORE_ROW && r != LDS_STORE_DONE)
        return (lds_code)r;
    if (r == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no project %lld", (long long)id);
    int edit = 0;
    if (who->role == LDS_ROLE_OPERATOR) {
        edit = 1;
    } else if (who->role == LDS_ROLE_MEMBER) {
        if ((rc = lds_project_is_member(s, id, who->org_id, &edit, err)))
            return rc;
    }
    if (can_read)
        *can_read = read;
    if (can_edit)
        *can_edit = edit;
    return LDS_OK;
}

/* Resolves `id` text to a project the caller may read (else ENOTFOUND) and,
 * with `edit`, change (else EFORBIDDEN). */
static lds_code resolve(lds_store *s, const lds_principal *who, const char *id, int edit,
                        int64_t *out, lds_err *err)
{
    int64_t v;
    if (lds_id_parse(id, 1, &v) != 0)
        return lds_err_set(err, LDS_ENOTFOUND, "no project '%.40s'", id);
    int r = 0, e = 0;
    lds_code rc = lds_project_access(s, who, v, &r, &e, err);
    if (rc)
        return rc;
    /* A write on a project the caller cannot change is refused as such even
     * when it cannot read it: the id exists, the action is not its to take. */
    if (!r && !edit)
        return lds_err_set(err, LDS_ENOTFOUND, "no project %lld", (long long)v);
    if (edit && !e)
        return lds_err_set(err, LDS_EFORBIDDEN,
                           "project %lld may be changed only by its sponsor, its participants or "
                           "an operator (the token is a%s %s of organisation %lld)",
                           (long long)v, who->role == LDS_ROLE_OPERATOR ? "n" : "",
                           lds_role_name(who->role), (long long)who->org_id);
    *out = v;
    return LDS_OK;
}

/* ---- JSON of a project --------------------------------------------------- */

#define PROJ_JSON                                                                                  \
    "json_object('id', p.id, 'title', p.title, 'sponsor_org', p.sponsor_org, 'sponsor',"         \
    " (SELECT name FROM orgs WHERE id = p.sponsor_org), 'sector', p.sector, 'region',"             \
    " p.region_id, 'stage', p.stage, 'held_stage', p.held_stage, 'stage_since', "                 \
    LDS_PJ_TS("p.stage_since_ms") ", 'financing_need_cny', " LDS_PJ_CNY("p.financing_need_cents") \
    ", 'currency', p.currency, 'description', p.description, 'open_to_investors', "              \
    LDS_PJ_BOOL("p.open_to_investors") ", 'participants', json((SELECT"                          \
    " json_group_array(json_object('org', po.org_id, 'name', o.name, 'role', po.role)) FROM"       \
    " (SELECT * FROM project_orgs WHERE project_id = p.id ORDER BY org_id) po JOIN orgs o ON"      \
    " o.id = po.org_id)), 'materials', json((SELECT json_group_array(json_object('material',"     \
    " m.material_id, 'direction', m.direction)) FROM (SELECT * FROM project_materials WHERE"       \
    " project_id = p.id ORDER BY direction, material_id) m)), 'capacity', json((SELECT"            \
    " json_group_array(json_object('facility', c.facility_id, 'material', c.material_id,"         \
    " 'region', c.region_id, 'tonnes', c.tonnes_milli / 1000.0, 'per', c.per)) FROM (SELECT *"     \
    " FROM project_capacity WHERE project_id = p.id ORDER BY id) c)), 'synthetic', "              \
    LDS_PJ_BOOL("p.synthetic") ", 'created_at', " LDS_PJ_TS("p.created_ms") ", 'updated_at', "   \
    LDS_PJ_TS("p.updated_ms") ")"

lds_code lds_pj__project_json(lds_store *s, int64_t id, lds_buf *out, lds_err *err)
{
    static const char q[] = "SELECT " PROJ_JSON ", p.id FROM projects p WHERE p.id = ?1";
    lds_stmt *st;
    int n = 0;
    lds_code rc = lds_pj__prep(s, q, &st, err, "i", id);
    if (rc || (rc = lds_pj__rows(st, out, 1, &n, NULL, err)))
        return rc;
    return n ? LDS_OK : lds_err_set(err, LDS_ENOTFOUND, "no project %lld", (long long)id);
}

lds_code lds_project_get(lds_store *s, const lds_principal *who, const char *id, lds_buf *out,
                         lds_err *err)
{
    int64_t v;
    lds_code rc = resolve(s, who, id, 0, &v, err);
    return rc ? rc : lds_pj__project_json(s, v, out, err);
}

lds_code lds_project_list(lds_store *s, const lds_principal *who, const lds_kv *params,
                          size_t n_params, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    static const char *const filters[] = {"stage",   "sector",           "region",
                                          "sponsor", "open_to_investors", NULL};
    static const char q[] =
        "SELECT " PROJ_JSON ", p.id FROM projects p WHERE " PROJ_VIS " AND p.id > ?5"
        " AND (?6 IS NULL OR p.stage = ?6) AND (?7 IS NULL OR p.sector = ?7)"
        " AND (?8 IS NULL OR p.region_id = ?8) AND (?9 IS NULL OR p.sponsor_org = ?9)"
        " AND (?10 IS NULL OR p.open_to_investors = ?10) ORDER BY p.id LIMIT ?11";
    /* A member sees only its own projects: drive the page from the sponsor
     * and participant indexes instead of testing every project (?1, ?3 and
     * ?4 are bound but unused here). */
    static const char q_member[] =
        "SELECT " PROJ_JSON ", p.id FROM projects p WHERE p.id IN (SELECT id FROM projects WHERE"
        " sponsor_org = ?2 UNION SELECT project_id FROM project_orgs WHERE org_id = ?2) AND"
        " p.id > ?5"
        " AND (?6 IS NULL OR p.stage = ?6) AND (?7 IS NULL OR p.sector = ?7)"
        " AND (?8 IS NULL OR p.region_id = ?8) AND (?9 IS NULL OR p.sponsor_org = ?9)"
        " AND (?10 IS NULL OR p.open_to_investors = ?10) ORDER BY p.id LIMIT ?11";
    const char *fval[5] = {0};
    int64_t limit, after, sponsor = 0;
    lds_page_params(params, n_params, filters, fval, 1, &limit, &after, fe);
    lds_pstage stg;
    lds_sector sec;
    if (fval[0] && !lds_pstage_parse(fval[0], &stg))
        lds_field_errors_add(fe, "stage",
                             "unknown stage '%.40s' (proposed, permitting, financing, "
                             "technical_validation, pilot_production, talent, market_access, "
                             "operating, on_hold, abandoned)",
                             fval[0]);
    if (fval[1] && !lds_sector_parse(fval[1], &sec))
        lds_field_errors_add(fe, "sector", "unknown sector '%.40s'", fval[1]);
    if (fval[3] && lds_id_parse(fval[3], 1, &sponsor) != 0)
        lds_field_errors_add(fe, "sponsor", "'sponsor' must be an organisation id");
    if (fval[4] && strcmp(fval[4], "true") && strcmp(fval[4], "false"))
        lds_field_errors_add(fe, "open_to_investors", "must be true or false");
    if (fe->n)
        return lds_pj__bad_param(fe, err);
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, who->role == LDS_ROLE_MEMBER ? q_member : q, &st, err);
    if (rc)
        return rc;
    if ((rc = vis_bind(st, who)) || (rc = lds_stmt_bind_i64(st, 5, after)) ||
        (rc = lds_stmt_bind_text(st, 6, fval[0])) || (rc = lds_stmt_bind_text(st, 7, fval[1])) ||
        (rc = lds_stmt_bind_text(st, 8, fval[2])) ||
        (rc = fval[3] ? lds_stmt_bind_i64(st, 9, sponsor) : lds_stmt_bind_null(st, 9)) ||
        (rc = fval[4] ? lds_stmt_bind_i64(st, 10, strcmp(fval[4], "true") == 0)
                      : lds_stmt_bind_null(st, 10)) ||
        (rc = lds_stmt_bind_i64(st, 11, limit + 1)))
        return lds_err_set(err, rc, "binding a query parameter failed");
    return lds_pj__list_page(st, limit, out, err);
}

/* ---- validation of a project body ---------------------------------------- */

typedef struct pbody {
    int has_title, has_sector, has_region, has_need, has_desc, has_open;
    int has_parts, has_mats, has_cap;
    const char *title, *region, *desc;
    lds_sector sector;
    int64_t sponsor, need_cents;
    int open;
    json_t *parts, *mats, *cap;
} pbody;

static int exists_q(lds_store *s, const char *sql, const char *fmt, const char *txt, int64_t v,
                    lds_err *err, lds_code *rc)
{
    int64_t one;
    *rc = fmt[0] == 's' ? lds_pj__i64(s, sql, &one, err, "s", txt)
                        : lds_pj__i64(s, sql, &one, err, "i", v);
    if (*rc == LDS_ENOTFOUND) {
        *rc = LDS_OK;
        return 0;
    }
    return *rc == LDS_OK;
}

static const char q_region[] = "SELECT 1 FROM regions WHERE id = ?1";
static const char q_material[] = "SELECT 1 FROM materials WHERE id = ?1";
static const char q_org[] = "SELECT 1 FROM orgs WHERE id = ?1";
static const char q_facility[] = "SELECT 1 FROM facilities WHERE id = ?1";

static int str_field(json_t *v, size_t max, const char **out)
{
    if (!json_is_string(v) || lds_pj__chars(v) > max)
        return -1;
    *out = json_string_value(v);
    return 0;
}

/* Validates every field present in `body` (create: sponsor_org allowed,
 * stage refused; patch: neither).  Store errors return; invalid fields go
 * to `fe`. */
static lds_code check_body(lds_store *s, json_t *body, int create, pbody *pb,
                           lds_field_errors *fe, lds_err *err)
{
    memset(pb, 0, sizeof *pb);
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object");
        return LDS_OK;
    }
    const char *key;
    json_t *v;
    lds_code rc = LDS_OK;
    json_object_foreach(body, key, v)
    {
        char ptr[128];
        snprintf(ptr, sizeof ptr, "/%.100s", key);
        if (strcmp(key, "title") == 0) {
            pb->has_title = 1;
            if (str_field(v, 200, &pb->title) || !pb->title[0])
                lds_field_errors_add(fe, ptr, "a title of 1 to 200 characters");
        } else if (strcmp(key, "sponsor_org") == 0 && create) {
            if (!json_is_integer(v) || json_integer_value(v) <= 0)
                lds_field_errors_add(fe, ptr, "must be an organisation id");
            else if (!exists_q(s, q_org, "i", NULL, json_integer_value(v), err, &rc) && !rc)
                lds_field_errors_add(fe, ptr, "no organisation %lld",
                                     (long long)json_integer_value(v));
            else
                pb->sponsor = json_integer_value(v);
        } else if (strcmp(key, "sector") == 0) {
            pb->has_sector = 1;
            if (!json_is_string(v) || !lds_sector_parse(json_string_value(v), &pb->sector))
                lds_field_errors_add(fe, ptr,
                                     "unknown sector (magnets, motors, ev, robotics, drones, "
                                     "wind, electronics, materials, recycling)");
        } else if (strcmp(key, "region") == 0) {
            pb->has_region = 1;
            if (str_field(v, 60, &pb->region) ||
                (!exists_q(s, q_region, "s", pb->region, 0, err, &rc) && !rc))
                lds_field_errors_add(fe, ptr, "must be a region id of the catalog");
        } else if (strcmp(key, "financing_need_cny") == 0) {
            pb->has_need = 1;
            if (lds_pj__cny(v, &pb->need_cents))
                lds_field_errors_add(fe, ptr, "must be a number of CNY, 0 or more, at most 2 decimals");
        } else if (strcmp(key, "description") == 0) {
            pb->has_desc = 1;
            if (!json_is_null(v) && str_field(v, 4000, &pb->desc))
                lds_field_errors_add(fe, ptr, "must be text of at most 4000 characters");
        } else if (strcmp(key, "open_to_investors") == 0) {
            pb->has_open = 1;
            if (!json_is_boolean(v))
                lds_field_errors_add(fe, ptr, "must be true or false");
            pb->open = json_is_true(v);
        } else if (strcmp(key, "participants") == 0) {
            pb->has_parts = 1;
            pb->parts = v;
            size_t i;
            json_t *e;
            if (!json_is_array(v) || json_array_size(v) > 50)
                lds_field_errors_add(fe, ptr, "must be an array of at most 50 organisation ids");
            else
                json_array_foreach(v, i, e)
                {
                    char p2[160];
                    snprintf(p2, sizeof p2, "%s/%zu", ptr, i);
                    if (!json_is_integer(e) ||
                        (!exists_q(s, q_org, "i", NULL, json_integer_value(e), err, &rc) && !rc))
                        lds_field_errors_add(fe, p2, "no such organisation");
                }
        } else if (strcmp(key, "materials") == 0) {
            pb->has_mats = 1;
            pb->mats = v;
            size_t i;
            json_t *e;
            if (!json_is_array(v) || json_array_size(v) > 50)
                lds_field_errors_add(fe, ptr, "must be an array of at most 50 {material, direction}");
            else
                json_array_foreach(v, i, e)
                {
                    char p2[160];
                    const char *mat = NULL, *dir = NULL;
                    snprintf(p2, sizeof p2, "%s/%zu/material", ptr, i);
                    if (str_field(json_object_get(e, "material"), 60, &mat) ||
                        (!exists_q(s, q_material, "s", mat, 0, err, &rc) && !rc))
                        lds_field_errors_add(fe, p2, "must be a material id of the catalog");
                    snprintf(p2, sizeof p2, "%s/%zu/direction", ptr, i);
                    if (str_field(json_object_get(e, "direction"), 20, &dir) ||
                        (strcmp(dir, "uses") && strcmp(dir, "produces")))
                        lds_field_errors_add(fe, p2, "must be uses or produces");
                    if (json_is_object(e) && json_object_size(e) != 2) {
                        snprintf(p2, sizeof p2, "%s/%zu", ptr, i);
                        lds_field_errors_add(fe, p2, "takes exactly material and direction");
                    }
                }
        } else if (strcmp(key, "capacity") == 0) {
            pb->has_cap = 1;
            pb->cap = v;
            size_t i;
            json_t *e;
            if (!json_is_array(v) || json_array_size(v) > 50)
                lds_field_errors_add(fe, ptr, "must be an array of at most 50 capacity lines");
            else
                json_array_foreach(v, i, e)
                {
                    char p2[160];
                    const char *txt = NULL;
                    json_t *f;
                    snprintf(p2, sizeof p2, "%s/%zu", ptr, i);
                    if (!json_is_object(e)) {
                        lds_field_errors_add(fe, p2, "must be an object");
                        continue;
                    }
                    const char *k2;
                    json_object_foreach(e, k2, f)
                    {
                        if (strcmp(k2, "facility") && strcmp(k2, "material") &&
                            strcmp(k2, "region") && strcmp(k2, "tonnes") && strcmp(k2, "per"))
                            lds_field_errors_add(fe, p2,
                                                 "unknown field '%.40s' (facility, material, "
                                                 "region, tonnes, per)",
                                                 k2);
                    }
                    snprintf(p2, sizeof p2, "%s/%zu/material", ptr, i);
                    if (str_field(json_object_get(e, "material"), 60, &txt) ||
                        (!exists_q(s, q_material, "s", txt, 0, err, &rc) && !rc))
                        lds_field_errors_add(fe, p2, "must be a material id of the catalog");
                    f = json_object_get(e, "facility");
                    snprintf(p2, sizeof p2, "%s/%zu/facility", ptr, i);
                    if (f && !json_is_null(f) &&
                        (!json_is_integer(f) ||
                         (!exists_q(s, q_facility, "i", NULL, json_integer_value(f), err, &rc) &&
                          !rc)))
                        lds_field_errors_add(fe, p2, "no such facility");
                    f = json_object_get(e, "region");
                    snprintf(p2, sizeof p2, "%s/%zu/region", ptr, i);
                    if (f && !json_is_null(f) &&
                        (str_field(f, 60, &txt) ||
                         (!exists_q(s, q_region, "s", txt, 0, err, &rc) && !rc)))
                        lds_field_errors_add(fe, p2, "must be a region id of the catalog");
                    f = json_object_get(e, "tonnes");
                    snprintf(p2, sizeof p2, "%s/%zu/tonnes", ptr, i);
                    if (!json_is_number(f) || !(json_number_value(f) > 0) ||
                        json_number_value(f) > 1e9)
                        lds_field_errors_add(fe, p2, "must be a number of tonnes above 0");
                    f = json_object_get(e, "per");
                    snprintf(p2, sizeof p2, "%s/%zu/per", ptr, i);
                    if (f && (str_field(f, 10, &txt) || (strcmp(txt, "month") && strcmp(txt, "year"))))
                        lds_field_errors_add(fe, p2, "must be month or year");
                }
        } else if (strcmp(key, "stage") == 0) {
            lds_field_errors_add(fe, ptr,
                                 "the stage changes only through POST "
                                 "/api/v1/projects/{id}/transitions");
        } else {
            lds_field_errors_add(fe, ptr,
                                 "unknown field '%.60s' (title,%s sector, region, "
                                 "financing_need_cny, description, open_to_investors, "
                                 "participants, materials, capacity)",
                                 key, create ? " sponsor_org," : "");
        }
        if (rc)
            return rc;
    }
    return LDS_OK;
}

static lds_code write_lists(lds_store *s, int64_t id, const pbody *pb, int64_t sponsor,
                            lds_err *err)
{
    static const char del_o[] = "DELETE FROM project_orgs WHERE project_id = ?1";
    static const char ins_o[] = "INSERT OR IGNORE INTO project_orgs(project_id, org_id, role)"
                                " VALUES (?1, ?2, 'participant')";
    static const char del_m[] = "DELETE FROM project_materials WHERE project_id = ?1";
    static const char ins_m[] = "INSERT OR IGNORE INTO project_materials(project_id, material_id,"
                                " direction) VALUES (?1, ?2, ?3)";
    static const char del_c[] = "DELETE FROM project_capacity WHERE project_id = ?1";
    static const char ins_c[] = "INSERT INTO project_capacity(project_id, facility_id, material_id,"
                                " region_id, tonnes_milli, per) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    lds_code rc = LDS_OK;
    size_t i;
    json_t *e;
    if (pb->has_parts) {
        if ((rc = lds_pj__exec(s, del_o, err, "i", id)))
            return rc;
        json_array_foreach(pb->parts, i, e)
        {
            if (json_integer_value(e) == sponsor)
                continue;
            if ((rc = lds_pj__exec(s, ins_o, err, "ii", id, (int64_t)json_integer_value(e))))
                return rc;
        }
    }
    if (pb->has_mats) {
        if ((rc = lds_pj__exec(s, del_m, err, "i", id)))
            return rc;
        json_array_foreach(pb->mats, i, e)
        {
            if ((rc = lds_pj__exec(s, ins_m, err, "iss", id,
                                   json_string_value(json_object_get(e, "material")),
                                   json_string_value(json_object_get(e, "direction")))))
                return rc;
        }
    }
    if (pb->has_cap) {
        if ((rc = lds_pj__exec(s, del_c, err, "i", id)))
            return rc;
        json_array_foreach(pb->cap, i, e)
        {
            json_t *fac = json_object_get(e, "facility"), *per = json_object_get(e, "per");
            lds_stmt *st;
            int64_t milli = (int64_t)(json_number_value(json_object_get(e, "tonnes")) * 1000.0 + 0.5);
            if ((rc = lds_pj__prep(s, ins_c, &st, err, "inssis", id,
                                   json_string_value(json_object_get(e, "material")),
                                   json_string_value(json_object_get(e, "region")), milli,
                                   per ? json_string_value(per) : "year")))
                return rc;
            if (json_is_integer(fac) && (rc = lds_stmt_bind_i64(st, 2, json_integer_value(fac))))
                return lds_err_set(err, rc, "binding a query parameter failed");
            if ((rc = lds_stmt_exec(st, err)))
                return rc;
        }
    }
    return LDS_OK;
}

lds_code lds_project_create(lds_store *s, const lds_principal *who, json_t *body, int64_t now_ms,
                            int64_t *id, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    pbody pb;
    lds_code rc = check_body(s, body, 1, &pb, fe, err);
    if (rc)
        return rc;
    if (json_is_object(body)) {
        if (!json_object_get(body, "title"))
            lds_field_errors_add(fe, "/title", "required");
        if (!json_object_get(body, "sponsor_org"))
            lds_field_errors_add(fe, "/sponsor_org", "required");
        if (!json_object_get(body, "sector"))
            lds_field_errors_add(fe, "/sector", "required");
    }
    if (fe->n)
        return lds_invalid_first(fe, err);
    if (who->role != LDS_ROLE_OPERATOR &&
        !(who->role == LDS_ROLE_MEMBER && who->org_id == pb.sponsor))
        return lds_err_field(err, LDS_EFORBIDDEN, "/sponsor_org",
                             "a member may create projects only with its own organisation (%lld) "
                             "as sponsor; investors, providers and auditors create none",
                             (long long)who->org_id);
    static const char ins[] =
        "INSERT INTO projects(title, sponsor_org, sector, region_id, stage, stage_since_ms,"
        " financing_need_cents, description, open_to_investors, created_ms, updated_ms)"
        " VALUES (?1, ?2, ?3, COALESCE(?4, (SELECT region_id FROM orgs WHERE id = ?2)),"
        " 'proposed', ?5, ?6, ?7, ?8, ?5, ?5)";
    if ((rc = lds_pj__exec(s, ins, err, "sissiisi", pb.title, pb.sponsor,
                           lds_sector_name(pb.sector), pb.region, now_ms, pb.need_cents, pb.desc,
                           (int64_t)pb.open)))
        return rc;
    int64_t pid = lds_store_last_id(s);
    if ((rc = write_lists(s, pid, &pb, pb.sponsor, err)) ||
        (rc = lds_pj__event(s, pid, now_ms, who, LDS_PEVENT_TRANSITION, NULL, "proposed",
                            "created", NULL, err)) ||
        (rc = lds_pj__project_json(s, pid, out, err)))
        return rc;
    *id = pid;
    return LDS_OK;
}

lds_code lds_project_patch(lds_store *s, const lds_principal *who, const char *id, json_t *body,
                           int64_t now_ms, lds_buf *out, lds_field_errors *fe, lds_err *err)
{
    int64_t pid;
    lds_code rc = resolve(s, who, id, 1, &pid, err);
    if (rc)
        return rc;
    pbody pb;
    if ((rc = check_body(s, body, 0, &pb, fe, err)))
        return rc;
    if (!fe->n && json_object_size(body) == 0)
        lds_field_errors_add(fe, "", "nothing to change");
    if (fe->n)
        return lds_invalid_first(fe, err);
    /* The edit's detail: each changed field with its old and new value. */
    static const char q_old[] =
        "SELECT json_object('title', title, 'sector', sector, 'region', region_id,"
        " 'financing_need_cny', " LDS_PJ_CNY("financing_need_cents") ", 'description',"
        " description, 'open_to_investors', " LDS_PJ_BOOL("open_to_investors") ", 'sponsor_org',"
        " sponsor_org) FROM projects WHERE id = ?1";
    lds_stmt *st;
    if ((rc = lds_pj__prep(s, q_old, &st, err, "i", pid)))
        return rc;
    json_t *old = NULL;
    if (lds_stmt_step(st, err) == LDS_STORE_ROW)
        old = json_loads(lds_stmt_col_text(st, 0), 0, NULL);
    lds_stmt_reset(st);
    if (!old)
        return lds_err_set(err, LDS_ENOMEM, "out of memory reading project %lld", (long long)pid);
    int64_t sponsor = json_integer_value(json_object_get(old, "sponsor_org"));
    json_t *detail = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        json_t *was = json_object_get(old, key);
        if (was && json_equal(was, v))
            continue;
        json_object_set_new(detail, key,
                            was ? json_pack("[OO]", was, v) : json_pack("{sO}", "new", v));
    }
    json_decref(old);
    static const char upd[] =
        "UPDATE projects SET title = COALESCE(?2, title), sector = COALESCE(?3, sector),"
        " region_id = COALESCE(?4, region_id), financing_need_cents = CASE WHEN ?5 THEN ?6 ELSE"
        " financing_need_cents END, description = CASE WHEN ?7 THEN ?8 ELSE description END,"
        " open_to_investors = CASE WHEN ?9 THEN ?10 ELSE open_to_investors END, updated_ms = ?11"
        " WHERE id = ?1";
    char *dtext = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(detail);
    if (!dtext)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    rc = lds_pj__exec(s, upd, err, "isssiiisiii", pid, pb.has_title ? pb.title : NULL,
                      pb.has_sector ? lds_sector_name(pb.sector) : NULL,
                      pb.has_region ? pb.region : NULL, (int64_t)pb.has_need, pb.need_cents,
                      (int64_t)pb.has_desc, pb.desc, (int64_t)pb.has_open, (int64_t)pb.open,
                      now_ms);
    if (rc == LDS_OK)
        rc = write_lists(s, pid, &pb, sponsor, err);
    if (rc == LDS_OK)
        rc = lds_pj__event(s, pid, now_ms, who, LDS_PEVENT_EDIT, NULL, NULL, NULL, dtext, err);
    free(dtext);
    return rc ? rc : lds_pj__project_json(s, pid, out, err);
}

/* ---- transitions --------------------------------------------------------- */

/* Loads the gate state of a project: stage, held stage, document kinds and
 * factors with a done request.  `kinds` owns the strings in st->doc_kinds. */
#define MAX_DOCS 256
typedef struct gstate {
    lds_gate_state st;
    const char *kinds[MAX_DOCS];
    char names[MAX_DOCS][LDS_GATE_NAME_LEN];
} gstate;

static lds_code load_state(lds_store *s, int64_t pid, gstate *g, lds_err *err)
{
    static const char q_p[] = "SELECT stage, held_stage FROM projects WHERE id = ?1";
    static const char q_d[] = "SELECT DISTINCT kind FROM project_documents WHERE project_id = ?1"
                              " ORDER BY kind LIMIT 256";
    static const char q_f[] = "SELECT DISTINCT factor FROM service_requests WHERE project_id = ?1"
                              " AND status = 'done'";
    memset(&g->st, 0, sizeof g->st);
    lds_stmt *st;
    lds_code rc = lds_pj__prep(s, q_p, &st, err, "i", pid);
    if (rc)
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_ROW) {
        const char *held = lds_stmt_col_text(st, 1);
        if (!lds_pstage_parse(lds_stmt_col_text(st, 0), &g->st.stage))
            r = LDS_ECORRUPT;
        g->st.held_stage = LDS_PSTAGE_PROPOSED;
        if (held && !lds_pstage_parse(held, &g->st.held_stage))
            r = LDS_ECORRUPT;
    }
    lds_stmt_reset(st);
    if (r == LDS_ECORRUPT)
        return lds_err_set(err, LDS_ECORRUPT, "project %lld has an unknown stage", (long long)pid);
    if (r != LDS_STORE_ROW)
        return r == LDS_STORE_DONE ? lds_err_set(err, LDS_ENOTFOUND, "no project %lld",
                                                 (long long)pid)
                                   : (lds_code)r;
    if ((rc = lds_pj__prep(s, q_d, &st, err, "i", pid)))
        return rc;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW && g->st.n_docs < MAX_DOCS) {
        snprintf(g->names[g->st.n_docs], LDS_GATE_NAME_LEN, "%s", lds_stmt_col_text(st, 0));
        g->kinds[g->st.n_docs] = g->names[g->st.n_docs];
        g->st.n_docs++;
    }
    lds_stmt_reset(st);
    g->st.doc_kinds = g->kinds;
    if ((rc = lds_pj__prep(s, q_f, &st, err, "i", pid)))
        return rc;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        lds_factor f;
        if (lds_factor_parse(lds_stmt_col_text(st, 0), &f))
            g->st.done_factors |= 1u << f;
    }
    lds_stmt_reset(st);
    return r == LDS_STORE_DONE || r == LDS_STORE_ROW ? LDS_OK : (lds_code)r;
}

static void write_refusal(lds_buf *b, lds_pstage to, const lds_gate_result *res)
{
    lds_buf_adds(b, "\"allowed\":[");
    int first = 1;
    for (int t = 0; t < LDS_PSTAGE_COUNT; t++)
        if (res->allowed & (1u << t)) {
            if (!first)
                lds_buf_addc(b, ',');
            lds_buf_add_json_str(b, lds_pstage_name((lds_pstage)t));
            first = 0;
        }
    lds_buf_adds(b, "],\"unmet\":[");
    for (int i = 0; i < res->n_unmet; i++) {
        const lds_gate_crit *c = res->unmet[i];
        lds_buf_adds(b, i ? ",{\"stage\":" : "{\"stage\":");
        lds_buf_add_json_str(b, lds_pstage_name(to));
        if (c->kind == LDS_GATE_DOCUMENT) {
            lds_buf_adds(b, ",\"kind\":\"document\",\"document\":");
            lds_buf_add_json_str(b, c->doc_kind);
        } else {
            lds_buf_adds(b, ",\"kind\":\"service\",\"factor\":");
            lds_buf_add_json_str(b, lds_factor_name(c->factor));
        }
        lds_buf_adds(b, ",\"label\":");
        lds_buf_add_json_str(b, c->label);
        lds_buf_addc(b, '}');
    }
    lds_buf_addc(b, ']');
}

lds_code lds_project_transition(lds_store *s, const lds_principal *who, const char *id,
                                json_t *body, int64_t now_ms, lds_buf *out, lds_buf *refusal,
                                lds_field_errors *fe, lds_err *err)
{
    int64_t pid;
    lds_code rc = resolve(s, who, id, 1, &pid, err);
    if (rc)
        return rc;
    lds_pstage to = LDS_PSTAGE_COUNT;
    const char *reason = NULL;
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object {to, reason}");
    } else {
        const char *key;
        json_t *v;
        json_object_foreach(body, key, v)
        {
            if (strcmp(key, "to") && strcmp(key, "reason")) {
                char ptr[128];
                snprintf(ptr, sizeof ptr, "/%.100s", key);
                lds_field_errors_add(fe, ptr, "unknown field (allowed: to, reason)");
            }
        }
        json_t *t = json_object_get(body, "to"), *r = json_object_get(body, "reason");
        if (!t)
            lds_field_errors_add(fe, "/to", "required: the stage to move to");
        else if (!json_is_string(t) || !lds_pstage_parse(json_string_value(t), &to))
            lds_field_errors_add(fe, "/to",
                                 "unknown stage (proposed, permitting, financing, "
                                 "technical_validation, pilot_production, talent, "
                                 "market_access, operating, on_hold, abandoned)");
        if (r && !json_is_null(r) && (str_field(r, 1000, &reason)))
            lds_field_errors_add(fe, "/reason", "must be text of at most 1000 characters");
        if ((to == LDS_PSTAGE_ON_HOLD || to == LDS_PSTAGE_ABANDONED) && (!reason || !*reason))
            lds_field_errors_add(fe, "/reason", "required when moving to %s",
                                 lds_pstage_name(to));
    }
    if (fe->n)
        return lds_invalid_first(fe, err);
    lds_lifecycle *lc = lds_malloc(sizeof *lc);
    gstate *g = lds_malloc(sizeof *g);
    if (!lc || !g) {
        lds_free(lc);
        lds_free(g);
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    }
    if ((rc = lds_projects_lifecycle(s, lc, err)) || (rc = load_state(s, pid, g, err)))
        goto done;
    lds_gate_result res;
    lds_pstage from = g->st.stage;
    if (!lds_gate_eval(lc, &g->st, to, &res)) {
        write_refusal(refusal, to, &res);
        if (!res.predecessor_ok)
            rc = lds_err_set(err, LDS_ECONFLICT,
                             "project %lld cannot move from %s to %s: %s", (long long)pid,
                             lds_pstage_name(from), lds_pstage_name(to),
                             lds_pstage_is_terminal(from) ? "its stage is final"
                             : from == LDS_PSTAGE_ON_HOLD
                                 ? "a project on hold resumes only at the stage it was held at"
                                 : "that stage does not follow this one");
        else
            rc = lds_err_set(err, LDS_ECONFLICT,
                             "project %lld cannot move from %s to %s: %d gate criteria unmet",
                             (long long)pid, lds_pstage_name(from), lds_pstage_name(to),
                             res.n_unmet);
        goto done;
    }
    static const char upd[] = "UPDATE projects SET stage = ?2, held_stage = ?3, stage_since_ms ="
                              " ?4, updated_ms = ?4 WHERE id = ?1";
    if ((rc = lds_pj__exec(s, upd, err, "issi", pid, lds_pstage_name(to),
                           to == LDS_PSTAGE_ON_HOLD ? lds_pstage_name(from) : NULL, now_ms)) ||
        (rc = lds_pj__event(s, pid, now_ms, who, LDS_PEVENT_TRANSITION, lds_pstage_name(from),
                            lds_pstage_name(to), reason, NULL, err)))
        goto done;
    rc = lds_pj__project_json(s, pid, out, err);
done:
    lds_free(lc);
    lds_free(g);
    return rc;
}

/* ---- timeline and documents ---------------------------------------------- */

lds_code lds_project_timeline(lds_store *s, const lds_principal *who, const char *id,
                              const lds_kv *params, size_t n_params, lds_buf *out,
                              lds_field_errors *fe, lds_err *err)
{
    static const char *const filters[] = {"kind", NULL};
    /* Keyset on (time, id): events are ordered by their time, which is not
     * always the order they were recorded in (a document dated back). */
    static const char q[] =
        "SELECT json_object('id', e.id, 'time', " LDS_PJ_TS("e.time_ms") ", 'kind', e.kind,"
        " 'actor_org', e.actor_org, 'actor', (SELECT name FROM orgs WHERE id = e.actor_org),"
        " 'actor_role', e.actor_role, 'from', e.from_stage, 'to', e.to_stage, 'reason', e.reason,"
        " 'detail', json(e.detail_json)), e.id FROM project_events e WHERE e.project_id = ?1 AND"
        " (?2 = 0 OR (e.time_ms, e.id) > ((SELECT time_ms FROM project_events WHERE id = ?2), ?2))"
        " AND (?3 IS NULL OR e.kind = ?3)"
        /* A provider sees the events of its own requests only, as it reads them. */
        " AND (?5 = 0 OR e.kind <> 'service' OR EXISTS (SELECT 1 FROM service_requests r WHERE"
        " r.id = json_extract(e.detail_json, '$.request') AND (r.provider_org = ?5 OR"
        " (r.provider_org IS NULL AND r.proposed_provider_org = ?5))))"
        " ORDER BY e.time_ms, e.id LIMIT ?4";
    int64_t pid;
    lds_code rc = resolve(s, who, id, 0, &pid, err);
    if (rc)
        return rc;
    const char *fval[1] = {0};
    int64_t limit, after;
    lds_page_params(params, n_params, filters, fval, 1, &limit, &after, fe);
    if (fval[0] && strcmp(fval[0], "transition") && strcmp(fval[0], "edit") &&
        strcmp(fval[0], "document") && strcmp(fval[0], "service"))
        lds_field_errors_add(fe, "kind", "one of transition, edit, document, service");
    if (fe->n)
        return lds_pj__bad_param(fe, err);
    lds_stmt *st;
    int64_t provider = who->role == LDS_ROLE_PROVIDER ? who->org_id : 0;
    if ((rc = lds_pj__prep(s, q, &st, err, "iisii", pid, after, fval[0], limit + 1, provider)))
        return rc;
    return lds_pj__list_page(st, limit, out, err);
}

#define DOC_JSON                                                                                   \
    "json_object('id', d.id, 'project', d.project_id, 'kind', d.kind, 'title', d.title, 'uri',"  \
    " d.uri, 'sha256', d.sha256, 'added_by_org', d.added_by_org, 'added_at', "                    \
    LDS_PJ_TS("d.added_ms") ")"

lds_code lds_project_doc_add(lds_store *s, const lds_principal *who, const char *id, json_t *body,
                             int64_t now_ms, int64_t *doc_id, lds_buf *out, lds_field_errors *fe,
                             lds_err *err)
{
    int64_t pid;
    lds_code rc = resolve(s, who, id, 1, &pid, err);
    if (rc)
        return rc;
    const char *kind = NULL, *title = NULL, *uri = NULL, *sha = NULL;
    lds_lifecycle *lc = lds_malloc(sizeof *lc);
    if (!lc)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    if ((rc = lds_projects_lifecycle(s, lc, err))) {
        lds_free(lc);
        return rc;
    }
    if (!json_is_object(body)) {
        lds_field_errors_add(fe, "", "the body must be a JSON object {kind, title, uri, sha256}");
    } else {
        const char *key;
        json_t *v;
        json_object_foreach(body, key, v)
        {
            char ptr[128];
            snprintf(ptr, sizeof ptr, "/%.100s", key);
            if (strcmp(key, "kind") == 0) {
                if (str_field(v, 60, &kind) ||
                    (lc->n_doc_kinds > 0 && !lds_lifecycle_has_doc_kind(lc, kind)))
                    lds_field_errors_add(fe, ptr, "not a document kind of the lifecycle "
                                                  "(data/lifecycle.json document_kinds)");
            } else if (strcmp(key, "title") == 0) {
                if (str_field(v, 200, &title) || !*title)
                    lds_field_errors_add(fe, ptr, "a title of 1 to 200 characters");
            } else if (strcmp(key, "uri") == 0) {
                if (!json_is_null(v) && str_field(v, 1000, &uri))
                    lds_field_errors_add(fe, ptr, "must be text of at most 1000 characters");
            } else if (strcmp(key, "sha256") == 0) {
                int ok = !json_is_null(v) && !str_field(v, 64, &sha) && strlen(sha) == 64 &&
                         strspn(sha, "0123456789abcdef") == 64;
                if (!json_is_null(v) && !ok)
                    lds_field_errors_add(fe, ptr, "must be 64 lower-case hex digits");
            } else {
                lds_field_errors_add(fe, ptr, "unknown field (kind, title, uri, sha256)");
            }
        }
        if (!json_object_get(body, "kind"))
            lds_field_errors_add(fe, "/kind", "required");
        if (!json_object_get(body, "title"))
            lds_field_errors_add(fe, "/title", "required");
    }
    lds_free(lc);
    if (fe->n)
        return lds_invalid_first(fe, err);
    static const char ins[] = "INSERT INTO project_documents(project_id, kind, title, uri, sha256,"
                              " added_by_org, added_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    static const char q[] = "SELECT " DOC_JSON ", d.id FROM project_documents d WHERE d.id = ?1";
    if ((rc = lds_pj__exec(s, ins, err, "issssii", pid, kind, title, uri, sha, who->org_id,
                           now_ms)))
        return rc;
    int64_t did = lds_store_last_id(s);
    char detail[160];
    snprintf(detail, sizeof detail, "{\"document\":%lld,\"kind\":\"%s\"}", (long long)did, kind);
    lds_stmt *st;
    int n = 0;
    if ((rc = lds_pj__event(s, pid, now_ms, who, LDS_PEVENT_DOCUMENT, NULL, NULL, title, detail,
                            err)) ||
        (rc = lds_pj__prep(s, q, &st, err, "i", did)) ||
        (rc = lds_pj__rows(st, out, 1, &n, NULL, err)))
        return rc;
    *doc_id = did;
    return LDS_OK;
}

lds_code lds_project_doc_list(lds_store *s, const lds_principal *who, const char *id,
                              lds_buf *out, lds_err *err)
{
    static const char q[] = "SELECT " DOC_JSON ", d.id FROM project_documents d WHERE"
                            " d.project_id = ?1 ORDER BY d.id";
    int64_t pid;
    lds_code rc = resolve(s, who, id, 0, &pid, err);
    if (rc)
        return rc;
    lds_stmt *st;
    int n = 0;
    lds_buf_adds(out, "{\"items\":[");
    if ((rc = lds_pj__prep(s, q, &st, err, "i", pid)) ||
        (rc = lds_pj__rows(st, out, -1, &n, NULL, err)))
        return rc;
    lds_buf_adds(out, "]}");
    return out->oom ? lds_err_set(err, LDS_ENOMEM, "out of memory") : LDS_OK;
}
