/*
 * routes_lots.c — lots and their lineage (lineage.h): the product-class
 * registry, the list and one lot, provenance (backward trace with origin
 * shares) and descendants (forward trace with attributable quantities).
 * The lot in the path is percent-encoded (an EPC class URI or a GS1 Digital
 * Link); either spelling names the same lot.
 *
 * Visibility: operators and auditors see every lot; any other token sees
 * the lots its organisation holds (produced, or was shipped by a holder:
 * lds_lineage_visible), and the whole trace of such a lot.  A lot the
 * caller may not see is a 404, whatever events naming it the caller posted.
 */
#include <stdio.h>
#include <string.h>
#include "api_int.h"
#include "lodestone/alloc.h"
#include "lodestone/lineage.h"
#include "lodestone/listing.h"

/* Registers a product class for the caller's organisation inside the write frame. */
static lds_code do_pc_create(lds_req *r, int what, const char *id, json_t *body, int64_t now,
                             char *loc, size_t loc_n, lds_buf *out, lds_buf *refusal,
                             lds_field_errors *fe, lds_err *err)
{
    (void)what;
    (void)id;
    (void)now;
    (void)refusal;
    int64_t new_id = 0;
    lds_code rc = lds_lineage_product_class_create(r->w->store, body, r->who.org_id, &new_id, out,
                                                   fe, err);
    if (rc == LDS_OK)
        snprintf(loc, loc_n, "/api/v1/product-classes/%lld", (long long)new_id);
    return rc;
}

static void h_pc_create(lds_req *r, const char *arg, const char *id)
{
    (void)arg;
    (void)id;
    if (r->who.role != LDS_ROLE_OPERATOR && r->who.role != LDS_ROLE_MEMBER) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "registering product classes needs an operator or member token; this one has "
                 "'%s'",
                 lds_role_name(r->who.role));
        lds_api_problem(r, 403, "forbidden", NULL, detail, NULL);
        return;
    }
    lds_api_write_frame(r, do_pc_create, 0, NULL, 201,
                        LDS_API_WRITE_IDEM | LDS_API_WRITE_ANY_QUERY |
                            LDS_API_WRITE_CONFLICT_FIELD);
}

/* GET the product classes, or (`arg` "lots") the lots the caller may see. */
static void h_list(lds_req *r, const char *arg, const char *id)
{
    (void)id;
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err err;
    lds_err_clear(&err);
    lds_code rc = LDS_OK;
    if (strcmp(arg, "lots") != 0) {
        rc = lds_lineage_product_class_list(r->w->store, r->params, r->n_params, &b, &fe, &err);
    } else {
        int64_t only = lds_sees_all(&r->who) ? 0 : (r->who.org_id > 0 ? r->who.org_id : -1);
        if (only < 0)
            lds_buf_adds(&b, "{\"items\":[],\"next\":null}");
        else
            rc = lds_lineage_lot_list(r->w->store, r->params, r->n_params, only, &b, &fe, &err);
    }
    if (rc != LDS_OK)
        lds_api_problem_err(r, &err, &fe);
    else
        lds_api_reply_json(r, 200, &b);
    lds_buf_release(&b);
}

/* Reads the lot of the path and checks the caller may see it; replies and
 * returns -1 when not. */
static int visible_lot(lds_req *r, const char *id, lds_lot *lot)
{
    lds_err err;
    lds_err_clear(&err);
    if (lds_lineage_lot_get(r->w->store, id, lot, &err) != LDS_OK) {
        lds_api_problem_err(r, &err, NULL);
        return -1;
    }
    if (!lds_lineage_visible(r->w->store, lot, r->who.org_id, lds_sees_all(&r->who))) {
        char detail[200];
        snprintf(detail, sizeof detail, "no lot '%.120s'", id);
        lds_api_problem(r, 404, "not-found", NULL, detail, NULL);
        return -1;
    }
    return 0;
}

/* GET a lot (`arg` "lot"), its provenance or its descendants. */
static void h_lot(lds_req *r, const char *arg, const char *id)
{
    if (lds_api_no_params(r))
        return;
    lds_lot *lot = lds_malloc(sizeof *lot);
    if (!lot) {
        lds_api_problem(r, 503, "out-of-memory", NULL, "out of memory", NULL);
        return;
    }
    if (visible_lot(r, id, lot) == 0) {
        lds_err err;
        lds_err_clear(&err);
        lds_buf b = LDS_BUF_INIT;
        lds_code rc = LDS_OK;
        if (strcmp(arg, "provenance") == 0) {
            lds_provenance p;
            if ((rc = lds_lineage_provenance(r->w->store, lot->lot, &p, &err)) == LDS_OK) {
                lds_provenance_json(&p, &b);
                lds_provenance_release(&p);
            }
        } else if (strcmp(arg, "descendants") == 0) {
            lds_descendants d;
            if ((rc = lds_lineage_descendants(r->w->store, lot->lot, &d, &err)) == LDS_OK) {
                lds_descendants_json(&d, &b);
                lds_descendants_release(&d);
            }
        } else {
            lds_lineage_lot_json(lot, &b);
        }
        if (rc != LDS_OK)
            lds_api_problem_err(r, &err, NULL);
        else
            lds_api_reply_json(r, 200, &b);
        lds_buf_release(&b);
    }
    lds_free(lot);
}

const lds_route lds_api_routes_lots[] = {
    {LDS_HTTP_POST, "/api/v1/product-classes", LDS_ACCESS_TOKEN, h_pc_create, NULL},
    {LDS_HTTP_GET, "/api/v1/product-classes", LDS_ACCESS_TOKEN, h_list, "product-classes"},
    {LDS_HTTP_GET, "/api/v1/lots", LDS_ACCESS_TOKEN, h_list, "lots"},
    {LDS_HTTP_GET, "/api/v1/lots/{id}", LDS_ACCESS_TOKEN, h_lot, "lot"},
    {LDS_HTTP_GET, "/api/v1/lots/{id}/provenance", LDS_ACCESS_TOKEN, h_lot, "provenance"},
    {LDS_HTTP_GET, "/api/v1/lots/{id}/descendants", LDS_ACCESS_TOKEN, h_lot, "descendants"},
    {0, NULL, 0, NULL, NULL},
};
