/*
 * demo_lots.c — the demo corridor's lot history, mine to motor, captured
 * through lds_trace_capture (so every event is a ledger leaf and goes
 * through validation like any other): SYNTHETIC data, deterministic.
 *
 * Two Xunwu-type ionic-clay mines and one Longnan-type mine commission ore
 * lots; in-situ leaching precipitates mixed carbonate (recipe
 * leach_insitu_*: 642.8571 t ore per t carbonate, yield 0.7); a Zhanggong
 * SX plant separates the two Xunwu carbonates into PrNd oxide and another
 * the Longnan carbonate into Dy2O3 (recovery 0.96); NdPr metal by
 * electrolysis (el_ndpr, 1.225526 t oxide per t, 0.96) and DyFe (red_dyfe,
 * 0.96) in Ganzhou; N42SH alloy powder (alloy_n42sh, 0.98) and sintered
 * magnets (mag_n42sh, 1.428571 t alloy per t, 0.7) in Ganzhou; the magnets
 * ship to Shenzhen (Bao'an) where EV traction motors are assembled
 * (asm_motor_ev_traction, 1.8 kg N42SH per motor).  Recipes and contents
 * are data/catalog.json's (sources in DOMAIN.md sections 2 and 7).
 *
 * Each output is 1-3 % under the catalog's limit (input content x the
 * recipe's yield, per element), so every transformation passes the
 * lineage mass-balance check:
 *   leach X1   6500 t ore -> 9.8 t carb  (limit 10.11)   X2 4000 -> 6.0 (6.22)
 *   leach L1   5000 t ore -> 7.5 t carb  (limit 7.78)
 *   sep X      15.8 t carb -> 2.0 t PrNd oxide (Pr limit 0.96 x 0.527 / 0.25 = 2.02)
 *   sep L      7.5 t carb -> 0.24 t Dy2O3 (Dy limit 0.96 x 0.2523 = 0.242)
 *   el_ndpr    2.0 t PrNd oxide -> 1.6 t NdPr metal (limit 1.632)
 *   red_dyfe   0.24 t Dy2O3 + 0.05 t Fe -> 0.245 t DyFe (limit 0.251)
 *   alloy      1.26 t NdPr + 0.235 t DyFe + 2.84 t Fe + 0.265 t FeB -> 4.5 t
 *              (Pr 0.357 <= 0.98 x 0.371, Nd 1.072 <= 0.98 x 1.112, Dy 0.207 <= 0.98 x 0.216 t oxide)
 *   magnets    4.5 t alloy -> 3.1 t N42SH (limit 3.15)
 *   motors     0.91 t N42SH (1.0 t shipped to Shenzhen) -> 500 motors (limit 505)
 */
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "trace_int.h"
#include "views_int.h"

/* The sites, found in the demo corridor by what they make and where. */
enum { MINE_X1, MINE_X2, MINE_L1, SEP_X, SEP_L, MET_NDPR, MET_DY, ALLOY, MAGNET, MOTOR, N_SITES };

static const struct site_spec {
    const char *stage, *region, *material;
    int nth;
} site_specs[N_SITES] = {
    [MINE_X1] = {"mining", "xunwu", "carb_ionic_xunwu", 0},
    [MINE_X2] = {"mining", "xunwu", "carb_ionic_xunwu", 1},
    [MINE_L1] = {"mining", "longnan", "carb_ionic_longnan", 0},
    [SEP_X] = {"separation", "zhanggong", "carb_ionic_xunwu", 0},
    [SEP_L] = {"separation", "zhanggong", "carb_ionic_longnan", 0},
    [MET_NDPR] = {"metal", "zhanggong", "ndpr_metal", 0},
    [MET_DY] = {"metal", "zhanggong", "dyfe_alloy", 0},
    [ALLOY] = {"alloy", "zhanggong", "alloy_n42sh", 0},
    [MAGNET] = {"magnet", "zhanggong", "mag_n42sh", 0},
    [MOTOR] = {"component", "baoan", "motor_ev_traction", 0},
};

typedef struct site {
    int64_t facility, org;
    char name[200];
    char uri[64];   /* LDS_TRACE_FACILITY_URI<id> */
    char party[64]; /* LDS_TRACE_ORG_URI<org> */
} site;

/* Lots: synthetic GS1 company prefixes 69750xx (xx = the producing site). */
#define LOT(prefix, item, lot) "urn:epc:class:lgtin:69750" prefix "." item "." lot
#define ORE_X1 LOT("01", "100001", "DEMO-ORE-X1-2601")
#define ORE_X2 LOT("02", "100001", "DEMO-ORE-X2-2601")
#define ORE_L1 LOT("03", "100002", "DEMO-ORE-L1-2601")
#define CARB_X1 LOT("01", "200001", "DEMO-CARB-X1-2601")
#define CARB_X2 LOT("02", "200001", "DEMO-CARB-X2-2601")
#define CARB_L1 LOT("03", "200002", "DEMO-CARB-L1-2601")
#define PRND LOT("04", "300001", "DEMO-PRND-2602")
#define DY2O3 LOT("05", "300002", "DEMO-DY2O3-2602")
#define NDPR LOT("06", "400001", "DEMO-NDPR-2603")
#define FE_DY LOT("07", "400009", "DEMO-FE-2603")
#define DYFE LOT("07", "400002", "DEMO-DYFE-2603")
#define FE_AL LOT("08", "500009", "DEMO-FE-2603")
#define FEB LOT("08", "500008", "DEMO-FEB-2603")
#define ALLOY_LOT LOT("08", "500001", "DEMO-N42SH-A-2603")
#define MAGNET_LOT LOT("09", "600001", "DEMO-N42SH-M-2603")

typedef struct demo_ctx {
    lds_store *s;
    site sites[N_SITES];
    int n;              /* events captured */
    lds_epcis_report *rep;
    lds_err *err;
} demo_ctx;

static json_t *context(void)
{
    return json_pack("[s{ss}]", "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     "lds", LDS_TRACE_ILMD_NS);
}

static json_t *qty(const char *cls, double q, const char *uom)
{
    return uom ? json_pack("{sssfss}", "epcClass", cls, "quantity", q, "uom", uom)
               : json_pack("{sssf}", "epcClass", cls, "quantity", q);
}

/* The common members: eventID, time (+08:00), read point and business location. */
static json_t *event(demo_ctx *c, const char *type, const char *date, int at)
{
    char id[64], when[40];
    c->n++;
    snprintf(id, sizeof id, "urn:uuid:00d3e000-2026-4000-8000-%012d", c->n);
    snprintf(when, sizeof when, "%sT09:00:00+08:00", date);
    return json_pack("{sssssssss{ss}s{ss}}", "type", type, "eventID", id, "eventTime", when,
                     "eventTimeZoneOffset", "+08:00", "readPoint", "id", c->sites[at].uri,
                     "bizLocation", "id", c->sites[at].uri);
}

/* Captures one event as a document of the site's organisation. */
static lds_code capture(demo_ctx *c, json_t *ev, int at)
{
    if (!ev)
        return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
    json_t *doc = json_pack("{sosssssss{s[o]}}", "@context", context(), "type", "EPCISDocument",
                            "schemaVersion", "2.0", "creationDate", "2026-04-30T00:00:00Z",
                            "epcisBody", "eventList", ev);
    if (!doc)
        return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
    lds_trace_capture_result res;
    lds_epcis_report_release(c->rep);
    lds_epcis_report_init(c->rep);
    lds_code rc = lds_trace_capture(c->s, NULL, doc, LDS_TRACE_ROLLBACK, c->sites[at].org, c->rep,
                                    &res, c->err);
    if (rc == LDS_EINVAL && c->rep->n_items) {
        char msg[sizeof c->err->msg];
        snprintf(msg, sizeof msg, "%s", c->rep->items[0].message);
        rc = lds_err_set(c->err, LDS_EINVAL, "demo lot history, event %d: %s: %s", c->n,
                         c->rep->items[0].pointer, msg);
    }
    json_decref(doc);
    return rc;
}

/* A lot created at a site: ObjectEvent ADD commissioning with its binding. */
static lds_code commission(demo_ctx *c, int at, const char *date, const char *lot, double q,
                           const char *material, const char *grade, const char *region,
                           int mine, const char *cert)
{
    json_t *ev = event(c, "ObjectEvent", date, at);
    json_t *ilmd = json_pack("{ss}", "lds:material", material);
    if (!ev || !ilmd) {
        json_decref(ev);
        json_decref(ilmd);
        return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
    }
    if (grade)
        json_object_set_new(ilmd, "lds:grade", json_string(grade));
    if (region)
        json_object_set_new(ilmd, "lds:region", json_string(region));
    if (mine)
        json_object_set_new(ilmd, "lds:mine", json_string(c->sites[at].name));
    json_object_set_new(ev, "action", json_string("ADD"));
    json_object_set_new(ev, "bizStep", json_string("commissioning"));
    json_object_set_new(ev, "disposition", json_string("active"));
    json_object_set_new(ev, "epcList", json_array());
    json_object_set_new(ev, "quantityList", json_pack("[o]", qty(lot, q, "TNE")));
    json_object_set_new(ev, "ilmd", ilmd);
    if (cert)
        json_object_set_new(ev, "certificationInfo", json_string(cert));
    return capture(c, ev, at);
}

/* A transformation at a site: inputs (lot, t) -> one output lot with its binding. */
static lds_code transform(demo_ctx *c, int at, const char *date, const char *const *in_lots,
                          const double *in_q, int n_in, const char *out_lot, double out_q,
                          const char *out_uom, const char *material, const char *grade,
                          const char *step)
{
    json_t *ev = event(c, "TransformationEvent", date, at);
    json_t *ins = json_array();
    if (!ev || !ins) {
        json_decref(ev);
        json_decref(ins);
        return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n_in; i++)
        json_array_append_new(ins, qty(in_lots[i], in_q[i], "TNE"));
    json_object_set_new(ev, "inputQuantityList", ins);
    json_object_set_new(ev, "outputQuantityList", json_pack("[o]", qty(out_lot, out_q, out_uom)));
    json_object_set_new(ev, "bizStep", json_string(step));
    json_object_set_new(ev, "disposition", json_string("active"));
    json_t *ilmd = json_pack("{ss}", "lds:material", material);
    if (ilmd && grade)
        json_object_set_new(ilmd, "lds:grade", json_string(grade));
    json_object_set_new(ev, "ilmd", ilmd);
    return capture(c, ev, at);
}

/* A move between sites: shipping at `from`, receiving at `to` the next day. */
static lds_code move(demo_ctx *c, int from, int to, const char *ship_date, const char *recv_date,
                     const char *lot, double q)
{
    for (int leg = 0; leg < 2; leg++) {
        int at = leg ? to : from;
        json_t *ev = event(c, "ObjectEvent", leg ? recv_date : ship_date, at);
        if (!ev)
            return lds_err_set(c->err, LDS_ENOMEM, "out of memory");
        json_object_set_new(ev, "action", json_string("OBSERVE"));
        json_object_set_new(ev, "bizStep", json_string(leg ? "receiving" : "shipping"));
        json_object_set_new(ev, "disposition", json_string(leg ? "in_progress" : "in_transit"));
        json_object_set_new(ev, "epcList", json_array());
        json_object_set_new(ev, "quantityList", json_pack("[o]", qty(lot, q, "TNE")));
        json_object_set_new(
            ev, "sourceList",
            json_pack("[{ssss}{ssss}]", "type", "owning_party", "source", c->sites[from].party,
                      "type", "location", "source", c->sites[from].uri));
        json_object_set_new(
            ev, "destinationList",
            json_pack("[{ssss}{ssss}]", "type", "owning_party", "destination",
                      c->sites[to].party, "type", "location", "destination", c->sites[to].uri));
        lds_code rc = capture(c, ev, at);
        if (rc)
            return rc;
    }
    return LDS_OK;
}

static lds_code find_sites(demo_ctx *c)
{
    static const char q[] = "SELECT id, org_id, name FROM facilities WHERE stage_id = ?1 "
                            "AND region_id = ?2 AND material_id = ?3 ORDER BY id LIMIT 1 OFFSET ?4";
    for (int i = 0; i < N_SITES; i++) {
        const struct site_spec *sp = &site_specs[i];
        lds_stmt *st;
        lds_code rc = lds_store_prepare(c->s, q, &st, c->err);
        if (rc)
            return rc;
        lds_stmt_bind_text(st, 1, sp->stage);
        lds_stmt_bind_text(st, 2, sp->region);
        lds_stmt_bind_text(st, 3, sp->material);
        lds_stmt_bind_i64(st, 4, sp->nth);
        int step = lds_stmt_step(st, c->err);
        if (step == LDS_STORE_DONE)
            return lds_err_set(c->err, LDS_ENOTFOUND,
                               "the demo lot history needs the demo corridor: no %s facility "
                               "for %s in %s",
                               sp->stage, sp->material, sp->region);
        if (step != LDS_STORE_ROW)
            return (lds_code)step;
        site *x = &c->sites[i];
        x->facility = lds_stmt_col_i64(st, 0);
        x->org = lds_stmt_col_i64(st, 1);
        snprintf(x->name, sizeof x->name, "%s", lds_stmt_col_text(st, 2));
        snprintf(x->uri, sizeof x->uri, LDS_TRACE_FACILITY_URI "%lld", (long long)x->facility);
        snprintf(x->party, sizeof x->party, LDS_TRACE_ORG_URI "%lld", (long long)x->org);
        lds_stmt_reset(st);
    }
    return LDS_OK;
}

static lds_code history(demo_ctx *c)
{
#define TRY(x)                                                                                     \
    do {                                                                                           \
        lds_code rc_ = (x);                                                                        \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
    } while (0)
    static const char cert[] = "https://lodestone.dev/demo/certificates/"
                               "ganzhou-ionic-clay-mining-licence-2026"; /* synthetic */
    /* Mines: ore in place, 0.1 % REO (catalog ore_ionic_*). */
    TRY(commission(c, MINE_X1, "2026-01-05", ORE_X1, 6500, "ore_ionic_xunwu", NULL, "xunwu", 1,
                   cert));
    TRY(commission(c, MINE_X2, "2026-01-06", ORE_X2, 4000, "ore_ionic_xunwu", NULL, "xunwu", 1,
                   cert));
    TRY(commission(c, MINE_L1, "2026-01-07", ORE_L1, 5000, "ore_ionic_longnan", NULL, "longnan",
                   1, cert));
    /* In-situ leaching and precipitation: mixed carbonate, 45 % REO. */
    static const char *const ore_x1[] = {ORE_X1}, *const ore_x2[] = {ORE_X2},
                             *const ore_l1[] = {ORE_L1};
    TRY(transform(c, MINE_X1, "2026-01-20", ore_x1, (double[]){6500}, 1, CARB_X1, 9.8, "TNE",
                  "carb_ionic_xunwu", NULL, "commissioning"));
    TRY(transform(c, MINE_X2, "2026-01-21", ore_x2, (double[]){4000}, 1, CARB_X2, 6.0, "TNE",
                  "carb_ionic_xunwu", NULL, "commissioning"));
    TRY(transform(c, MINE_L1, "2026-01-22", ore_l1, (double[]){5000}, 1, CARB_L1, 7.5, "TNE",
                  "carb_ionic_longnan", NULL, "commissioning"));
    TRY(move(c, MINE_X1, SEP_X, "2026-01-28", "2026-01-29", CARB_X1, 9.8));
    TRY(move(c, MINE_X2, SEP_X, "2026-01-28", "2026-01-29", CARB_X2, 6.0));
    TRY(move(c, MINE_L1, SEP_L, "2026-01-28", "2026-01-30", CARB_L1, 7.5));
    /* SX separation in Zhanggong (2-6 weeks through the cascade). */
    static const char *const carb_x[] = {CARB_X1, CARB_X2}, *const carb_l[] = {CARB_L1};
    TRY(transform(c, SEP_X, "2026-02-25", carb_x, (double[]){9.8, 6.0}, 2, PRND, 2.0, "TNE",
                  "prnd_oxide", "NdPr/TREE>=99%", "commissioning"));
    TRY(transform(c, SEP_L, "2026-02-26", carb_l, (double[]){7.5}, 1, DY2O3, 0.24, "TNE", "dy2o3",
                  "Dy2O3>=99.5%", "commissioning"));
    TRY(move(c, SEP_X, MET_NDPR, "2026-03-02", "2026-03-03", PRND, 2.0));
    TRY(move(c, SEP_L, MET_DY, "2026-03-02", "2026-03-03", DY2O3, 0.24));
    /* Metals. */
    static const char *const prnd[] = {PRND}, *const dy[] = {DY2O3, FE_DY};
    TRY(transform(c, MET_NDPR, "2026-03-10", prnd, (double[]){2.0}, 1, NDPR, 1.6, "TNE",
                  "ndpr_metal", "RE>=99.0%", "commissioning"));
    TRY(commission(c, MET_DY, "2026-03-09", FE_DY, 0.05, "fe_iron", NULL, NULL, 0, NULL));
    TRY(transform(c, MET_DY, "2026-03-11", dy, (double[]){0.24, 0.05}, 2, DYFE, 0.245, "TNE",
                  "dyfe_alloy", "Dy80", "commissioning"));
    TRY(move(c, MET_NDPR, ALLOY, "2026-03-13", "2026-03-14", NDPR, 1.6));
    TRY(move(c, MET_DY, ALLOY, "2026-03-13", "2026-03-14", DYFE, 0.245));
    /* Alloy powder and magnets in Ganzhou. */
    TRY(commission(c, ALLOY, "2026-03-15", FE_AL, 3.0, "fe_iron", NULL, NULL, 0, NULL));
    TRY(commission(c, ALLOY, "2026-03-15", FEB, 0.3, "ferroboron", NULL, NULL, 0, NULL));
    static const char *const alloy_in[] = {NDPR, DYFE, FE_AL, FEB}, *const alloy[] = {ALLOY_LOT};
    TRY(transform(c, ALLOY, "2026-03-18", alloy_in, (double[]){1.26, 0.235, 2.84, 0.265}, 4,
                  ALLOY_LOT, 4.5, "TNE", "alloy_n42sh", "N42SH", "commissioning"));
    TRY(move(c, ALLOY, MAGNET, "2026-03-20", "2026-03-21", ALLOY_LOT, 4.5));
    TRY(transform(c, MAGNET, "2026-03-31", alloy, (double[]){4.5}, 1, MAGNET_LOT, 3.1, "TNE",
                  "mag_n42sh", "N42SH", "commissioning"));
    /* To Shenzhen: EV traction motors. */
    TRY(move(c, MAGNET, MOTOR, "2026-04-03", "2026-04-05", MAGNET_LOT, 1.0));
    static const char *const mags[] = {MAGNET_LOT};
    TRY(transform(c, MOTOR, "2026-04-10", mags, (double[]){0.91}, 1, LDS_TRACE_DEMO_MOTOR_LOT,
                  500, NULL, "motor_ev_traction", NULL, "assembling"));
#undef TRY
    return LDS_OK;
}

lds_code lds_trace_seed_demo(lds_store *s, lds_err *err)
{
    static const char q_done[] =
        "SELECT 1 FROM " LDS_TRACE__EVENTS_KEYED("lds_key64(?1)") " WHERE e.event_id = ?1";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q_done, &st, err);
    if (rc)
        return rc;
    lds_stmt_bind_text(st, 1, "urn:uuid:00d3e000-2026-4000-8000-000000000001");
    int seeded = lds_stmt_exists(st, err);
    if (seeded)
        return seeded > 0 ? LDS_OK : (lds_code)-seeded;
    demo_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.err = err;
    if (!(c.rep = lds_malloc(sizeof *c.rep)))
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    lds_epcis_report_init(c.rep);
    if ((rc = find_sites(&c)) == LDS_OK)
        rc = history(&c);
    lds_epcis_report_release(c.rep);
    lds_free(c.rep);
    return rc;
}
