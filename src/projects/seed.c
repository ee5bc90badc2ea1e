/*
 * seed.c — the demo corridor's projects (synthetic, deterministic): the
 * lifecycle gates from data/lifecycle.json, ten providers with declared
 * capabilities, eight investors, and 30 projects spread over every stage
 * with a history from 2024-12 to 2026-11, then two projects in financing
 * that add capacity at the baseline plan's bottlenecks.  The history is played through
 * the same functions the API calls (gates, proposals, status machine), as
 * the sponsor, the provider or the operator would, with the clock set to
 * each event's time.  Stage durations follow /work/shared/DOMAIN.md §5 and
 * §7: permitting ~3 months (land pre-review to title), financing 3-9 months
 * and talent 1-6 months (unsourced suggestions), market access 3-6 months
 * (IATF 16949 implementation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/alloc.h"
#include "lodestone/demo.h"
#include "projects_int.h"

#define DAY ((int64_t)86400000)
/* 2024-12-01T00:00:00Z and 2026-11-30T00:00:00Z: the history's window. */
#define T_FIRST ((int64_t)1733011200000)
#define T_NOW   ((int64_t)1795996800000)
#define N_PROJECTS 30

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t uni(rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next(r) % (uint64_t)(hi - lo + 1));
}

/* ---- organisations ------------------------------------------------------- */

typedef struct cap {
    const char *category;    /* orgs.category of the provider */
    const char *factors[3];
    const char *regions;     /* JSON array */
    int max_open, sla_days;
    const char *what;
} cap;

/* Regions served: Ganzhou-side offices serve the upstream districts,
 * Shenzhen-side ones Nanshan and Bao'an; labs, banks and the like any. */
static const cap caps[] = {
    {"law_firm", {"legal_ip", "market_access"}, "[\"nanshan\",\"baoan\"]", 10, 45,
     "export-control licensing, contracts and IP"},
    {"law_firm", {"permitting", "legal_ip"}, "[\"zhanggong\",\"longnan\",\"xunwu\"]", 10, 60,
     "mining rights, land and environmental permits"},
    {"park_office", {"permitting"}, "[\"zhanggong\",\"longnan\",\"xunwu\"]", 12, 90,
     "land pre-review, project admission and EIA coordination"},
    {"park_office", {"permitting", "talent"}, "[\"nanshan\",\"baoan\"]", 12, 90,
     "pilot-line permits and talent policy"},
    {"test_lab", {"technical_validation"}, "[]", 10, 45, "composition, B-H curves, Dy+Tb"},
    {"bank", {"financing"}, "[]", 12, 120, "working-capital and equipment finance"},
    {"logistics", {"logistics"}, "[]", 15, 14, "Ganzhou-Shenzhen rail and road freight"},
    {"certification", {"market_access", "technical_validation"}, "[]", 10, 150,
     "IATF 16949 readiness and supplier qualification"},
    {"talent", {"talent"}, "[]", 12, 90, "engineer recruitment and training"},
    {"pilot_line", {"pilot_production"}, "[]", 10, 90,
     "shared sintering and winding pilot lines for first articles"},
};

typedef struct new_org {
    const char *name, *kind, *category, *region, *what;
} new_org;

/* The demo corridor has 9 provider and 6 investor organisations; these
 * complete 10 and 8.  Fictional names, marked synthetic. */
static const new_org new_orgs[] = {
    {"Heron Bridge Pilot-Line Services (synthetic demo)", "provider", "pilot_line", "zhanggong",
     "shared pilot lines for magnets and motors (synthetic demo organisation)"},
    {"Nanshan Lotus Robotics Seed Fund (synthetic demo)", "investor", "venture_capital",
     "nanshan", "seed investor in robotics and drones (synthetic demo organisation)"},
    {"Gan-Shen Quartz Green Motor Fund (synthetic demo)", "investor", "industry_fund",
     "zhanggong", "corridor fund for motors, EV and recycling (synthetic demo organisation)"},
};

static lds_code add_orgs(lds_store *s, lds_err *err)
{
    static const char q_has[] = "SELECT id FROM orgs WHERE name = ?1";
    static const char ins[] =
        "INSERT INTO orgs(name, kind, category, region_id, description, synthetic, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, 1, '2025-12-15T08:00:00Z')";
    for (size_t i = 0; i < sizeof new_orgs / sizeof new_orgs[0]; i++) {
        const new_org *o = &new_orgs[i];
        int64_t id;
        lds_code rc = lds_pj__i64(s, q_has, &id, err, "s", o->name);
        if (rc == LDS_OK)
            continue;
        if (rc != LDS_ENOTFOUND ||
            (rc = lds_pj__exec(s, ins, err, "sssss", o->name, o->kind, o->category, o->region,
                               o->what)))
            return rc;
    }
    return LDS_OK;
}

static lds_code add_caps(lds_store *s, lds_err *err)
{
    static const char q_org[] = "SELECT min(id) FROM orgs WHERE kind = 'provider' AND category ="
                                " ?1 AND id NOT IN (SELECT org_id FROM service_providers)";
    static const char ins[] =
        "INSERT INTO service_providers(org_id, factor, regions_json, max_open, sla_days,"
        " description, synthetic, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7,"
        " ?7)";
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        const cap *c = &caps[i];
        int64_t org;
        lds_code rc = lds_pj__i64(s, q_org, &org, err, "s", c->category);
        if (rc == LDS_ENOTFOUND)
            continue; /* a corridor without this kind of provider */
        if (rc)
            return rc;
        for (int f = 0; f < 3 && c->factors[f]; f++)
            if ((rc = lds_pj__exec(s, ins, err, "issiisi", org, c->factors[f], c->regions,
                                   (int64_t)c->max_open, (int64_t)c->sla_days, c->what,
                                   T_FIRST - 30 * DAY)))
                return rc;
    }
    return LDS_OK;
}

/* ---- projects ------------------------------------------------------------ */

typedef struct sector_plan {
    const char *sector;
    const char *categories[4];  /* sponsor categories */
    const char *titles[3];
    const char *uses[2], *produces[2];
    const char *cap_material;   /* a t-based output for project_capacity, or NULL */
    int cap_lo, cap_hi;         /* t/yr */
} sector_plan;

static const sector_plan plans[] = {
    {"magnets",
     {"magnet_maker"},
     {"Sintered NdFeB line for EV-grade N48SH", "Grain-boundary diffusion line cutting Dy",
      "High-coercivity N42UH magnets for wind"},
     {"ndpr_metal", "dyfe_alloy"},
     {"mag_n48sh", "mag_n42uh"},
     "mag_n48sh",
     500,
     3000},
    {"motors",
     {"motor_maker", "servo_maker"},
     {"Traction-motor line for 800 V platforms", "Servo motor cell for industrial robots",
      "EPS motor line for steering suppliers"},
     {"mag_n42sh", NULL},
     {"motor_ev_traction", "servo_set_industrial"},
     NULL,
     0,
     0},
    {"ev", {"ev_oem"}, {"Corridor-sourced traction drive for a compact BEV", NULL, NULL},
     {"motor_ev_traction", NULL}, {"ev_bev", NULL}, NULL, 0, 0},
    {"robotics",
     {"robot_oem", "actuator_maker"},
     {"Humanoid joint actuator with Dy-free magnets", "Robot-arm actuator pilot", NULL},
     {"mag_n48sh", "servo_set_industrial"},
     {"actuator_robot_joint", "robot_humanoid"},
     NULL,
     0,
     0},
    {"drones", {"drone_oem"}, {"Lightweight drone motor with N52 rotors", NULL, NULL},
     {"mag_n52", NULL}, {"motor_drone", "drone_quad"}, NULL, 0, 0},
    {"wind", {"generator_maker"}, {"Direct-drive generator assembly line", NULL, NULL},
     {"mag_n42uh", NULL}, {"generator_wind_dd", NULL}, NULL, 0, 0},
    {"electronics", {"electronics_oem"}, {"Micro-speaker and haptics magnet module", NULL, NULL},
     {"mag_n52", NULL}, {"smartphone", NULL}, NULL, 0, 0},
    {"materials",
     {"separator", "metal_maker", "alloy_maker"},
     {"Solvent-extraction line for Dy/Tb from ionic clay", "NdPr metal electrolysis expansion",
      "Strip-cast alloy line for N52"},
     {"carb_ionic_longnan", "prnd_oxide"},
     {"prnd_oxide", "ndpr_metal"},
     "ndpr_metal",
     200,
     1000},
    {"recycling", {"recycler"}, {"Magnet swarf to recycled oxide", "End-of-life motor magnet recovery", NULL},
     {"magnet_scrap", NULL}, {"recycled_oxide", NULL}, "recycled_oxide", 100, 600},
};

/* Final stage of each demo project: every stage is represented. */
static const lds_pstage finals[N_PROJECTS] = {
    LDS_PSTAGE_PROPOSED,         LDS_PSTAGE_PROPOSED,         LDS_PSTAGE_PROPOSED,
    LDS_PSTAGE_PERMITTING,       LDS_PSTAGE_PERMITTING,       LDS_PSTAGE_PERMITTING,
    LDS_PSTAGE_PERMITTING,       LDS_PSTAGE_FINANCING,        LDS_PSTAGE_FINANCING,
    LDS_PSTAGE_FINANCING,        LDS_PSTAGE_FINANCING,        LDS_PSTAGE_TECHNICAL_VALIDATION,
    LDS_PSTAGE_TECHNICAL_VALIDATION, LDS_PSTAGE_TECHNICAL_VALIDATION, LDS_PSTAGE_PILOT_PRODUCTION,
    LDS_PSTAGE_PILOT_PRODUCTION, LDS_PSTAGE_PILOT_PRODUCTION, LDS_PSTAGE_TALENT,
    LDS_PSTAGE_TALENT,           LDS_PSTAGE_MARKET_ACCESS,    LDS_PSTAGE_MARKET_ACCESS,
    LDS_PSTAGE_MARKET_ACCESS,    LDS_PSTAGE_OPERATING,        LDS_PSTAGE_OPERATING,
    LDS_PSTAGE_OPERATING,        LDS_PSTAGE_OPERATING,        LDS_PSTAGE_ON_HOLD,
    LDS_PSTAGE_ON_HOLD,          LDS_PSTAGE_ABANDONED,        LDS_PSTAGE_ABANDONED,
};

/* Days spent in each main stage before the next: [lo, hi]. */
static const int dwell[LDS_PSTAGE_OPERATING][2] = {
    [LDS_PSTAGE_PROPOSED] = {14, 45},
    [LDS_PSTAGE_PERMITTING] = {75, 120},           /* ~3 months, longer in some regions */
    [LDS_PSTAGE_FINANCING] = {90, 270},            /* 3-9 months (unsourced) */
    [LDS_PSTAGE_TECHNICAL_VALIDATION] = {45, 120},
    [LDS_PSTAGE_PILOT_PRODUCTION] = {60, 150},
    [LDS_PSTAGE_TALENT] = {30, 180},               /* 1-6 months (unsourced) */
    [LDS_PSTAGE_MARKET_ACCESS] = {90, 180},        /* IATF 16949: 3-6 months */
};

static const char *const reasons[LDS_PSTAGE_COUNT] = {
    [LDS_PSTAGE_PERMITTING] = "proposal accepted by the park; permits filed",
    [LDS_PSTAGE_FINANCING] = "EIA and land-use permits granted",
    [LDS_PSTAGE_TECHNICAL_VALIDATION] = "financing agreement signed",
    [LDS_PSTAGE_PILOT_PRODUCTION] = "test report passed",
    [LDS_PSTAGE_TALENT] = "pilot run met yield and B-H targets",
    [LDS_PSTAGE_MARKET_ACCESS] = "line staffed",
    [LDS_PSTAGE_OPERATING] = "customer qualification and certificate obtained",
};

static const char *const hold_reasons[] = {
    "financing round delayed pending a guidance-fund decision",
    "export-licence uncertainty for Dy/Tb inputs",
};
static const char *const abandon_reasons[] = {
    "customer programme cancelled",
    "land allocation withdrawn; sponsor moved the line elsewhere",
};

typedef struct ctx {
    lds_store *s;
    lds_err *err;
    rng r;
    lds_lifecycle lc;
} ctx;

static lds_code call_json(ctx *c, json_t *body, lds_code rc)
{
    (void)c;
    json_decref(body);
    return rc;
}

/* Opens a service request of factor `f` at `t`, as the sponsor, and plays
 * it to `last` (open .. done) by the proposed provider. */
static lds_code play_request(ctx *c, const lds_principal *sponsor, int64_t pid, lds_factor f,
                             int64_t t, int64_t t_end, lds_sr_status last)
{
    static const char *const what[LDS_FACTOR_COUNT] = {
        "land pre-review, NDRC filing and EIA for the new line",
        "equipment loan and working capital",
        "composition, B-H curves at temperature and Dy+Tb content of first samples",
        "pilot run on a shared line: yield and first articles",
        "recruit process engineers and train operators",
        "customer qualification and IATF 16949 readiness",
        "rail freight of first deliveries",
        "licence and IP review",
    };
    lds_buf out = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    int64_t sr = 0;
    json_t *b = json_pack("{sIssss}", "project", (json_int_t)pid, "factor", lds_factor_name(f),
                          "description", what[f]);
    lds_code rc = call_json(c, b, lds_sr_create(c->s, sponsor, b, t, &sr, &out, &fe, c->err));
    json_t *got = rc ? NULL : json_loadb(out.ptr, out.len, 0, NULL);
    lds_buf_release(&out);
    if (rc)
        return rc;
    json_t *pp = json_object_get(got, "proposed_provider_org");
    lds_principal prov = {0, json_is_integer(pp) ? json_integer_value(pp) : 0, LDS_ROLE_PROVIDER};
    json_decref(got);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)sr);
    if (!prov.org_id) /* nobody proposed: the operator's pick would go here */
        return LDS_OK;
    static const lds_sr_status path[] = {LDS_SR_ACCEPTED, LDS_SR_IN_PROGRESS, LDS_SR_DONE};
    int64_t span = t_end - t;
    for (int k = 0; k < 3 && last >= path[k] && last <= LDS_SR_DONE; k++) {
        int64_t at = t + span * (k + 1) / 4 + uni(&c->r, 0, DAY);
        b = json_pack("{ss}", "status", lds_sr_status_name(path[k]));
        lds_field_errors fe2 = {0};
        rc = call_json(c, b, lds_sr_patch(c->s, &prov, id, b, at, &out, &fe2, c->err));
        lds_buf_reset(&out);
        if (rc)
            break;
        if (path[k] == LDS_SR_IN_PROGRESS && uni(&c->r, 0, 2) == 0) {
            int64_t cid;
            b = json_pack("{ss}", "body", "documents received; review under way");
            rc = call_json(c, b, lds_sr_comment(c->s, &prov, id, b, at + DAY, &cid, &out, &fe2,
                                                c->err));
            lds_buf_reset(&out);
            if (rc)
                break;
        }
    }
    lds_buf_release(&out);
    return rc;
}

static lds_code add_doc(ctx *c, const lds_principal *who, int64_t pid, const char *kind,
                        int64_t t)
{
    char id[24], title[120], uri[160];
    snprintf(id, sizeof id, "%lld", (long long)pid);
    snprintf(title, sizeof title, "%s (synthetic demo document)", kind);
    snprintf(uri, sizeof uri, "urn:lodestone:demo:project:%lld:%s", (long long)pid, kind);
    json_t *b = json_pack("{ssssss}", "kind", kind, "title", title, "uri", uri);
    lds_buf out = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    int64_t did;
    lds_code rc =
        call_json(c, b, lds_project_doc_add(c->s, who, id, b, t, &did, &out, &fe, c->err));
    lds_buf_release(&out);
    return rc;
}

static lds_code move(ctx *c, const lds_principal *who, int64_t pid, lds_pstage to,
                     const char *reason, int64_t t)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)pid);
    json_t *b = json_pack("{ssss}", "to", lds_pstage_name(to), "reason", reason);
    lds_buf out = LDS_BUF_INIT, refusal = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_code rc = call_json(c, b, lds_project_transition(c->s, who, id, b, t, &out, &refusal, &fe,
                                                        c->err));
    lds_buf_release(&out);
    lds_buf_release(&refusal);
    return rc;
}

/* Meets the gate of `to` between t0 and t1: its documents, and its service
 * requests played to done. */
static lds_code meet_gate(ctx *c, const lds_principal *sponsor, int64_t pid, lds_pstage to,
                          int64_t t0, int64_t t1)
{
    lds_code rc = LDS_OK;
    for (int i = 0; i < c->lc.n_crit[to] && !rc; i++) {
        const lds_gate_crit *g = &c->lc.crit[to][i];
        if (g->kind == LDS_GATE_SERVICE)
            rc = play_request(c, sponsor, pid, g->factor, t0 + DAY, t1 - 2 * DAY, LDS_SR_DONE);
        else
            rc = add_doc(c, sponsor, pid, g->doc_kind, t1 - DAY - uni(&c->r, 0, 5) * DAY);
    }
    return rc;
}

/* Creates the project of `body` (consumed) at `t` as `sp`, marked synthetic. */
static lds_code create(ctx *c, const lds_principal *sp, json_t *body, int64_t t, int64_t *pid)
{
    lds_buf out = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_code rc = call_json(c, body, lds_project_create(c->s, sp, body, t, pid, &out, &fe, c->err));
    lds_buf_release(&out);
    if (rc)
        return rc;
    static const char q_syn[] = "UPDATE projects SET synthetic = 1 WHERE id = ?1";
    return lds_pj__exec(c->s, q_syn, c->err, "i", *pid);
}

/* Plays project `pid`'s history from `t`: the main sequence to `walk_to`
 * with the stays d[], meeting each gate on the way, then `final` (on hold
 * or abandoned) or the next gate's requests under way; `tail` is the time
 * spent in the final stage so far, `k` picks the hold or abandon reason. */
static lds_code play_history(ctx *c, const lds_principal *sp, int64_t pid, int k,
                             lds_pstage final, lds_pstage walk_to, const int64_t *d, int64_t t,
                             int64_t tail)
{
    lds_code rc = LDS_OK;
    /* Walk the main sequence, meeting each gate on the way. */
    for (int st = 0; st < (int)walk_to && !rc; st++) {
        lds_pstage to = (lds_pstage)(st + 1);
        int64_t t1 = t + d[st];
        rc = meet_gate(c, sp, pid, to, t, t1);
        if (!rc)
            rc = move(c, sp, pid, to, reasons[to], t1);
        t = t1;
    }
    if (rc)
        return rc;
    int64_t t_end = T_NOW - tail;
    if (final == LDS_PSTAGE_ON_HOLD || final == LDS_PSTAGE_ABANDONED) {
        const char *why = final == LDS_PSTAGE_ON_HOLD ? hold_reasons[k % 2] : abandon_reasons[k % 2];
        return move(c, sp, pid, final, why, t_end + tail / 3);
    }
    /* In the current stage: the next gate's service request under way, some
     * of them past due. */
    if (final < LDS_PSTAGE_OPERATING) {
        lds_pstage nxt = (lds_pstage)(final + 1);
        for (int i = 0; i < c->lc.n_crit[nxt] && !rc; i++) {
            const lds_gate_crit *g = &c->lc.crit[nxt][i];
            if (g->kind == LDS_GATE_SERVICE)
                rc = play_request(c, sp, pid, g->factor,
                                  (t > t_end ? t : t_end) + uni(&c->r, 2, 10) * DAY,
                                  T_NOW - DAY, (lds_sr_status)uni(&c->r, 0, 2));
        }
    } else if (uni(&c->r, 0, 1) == 0) {
        rc = play_request(c, sp, pid, LDS_FACTOR_LOGISTICS, t + 5 * DAY, T_NOW - DAY,
                          LDS_SR_DONE);
    }
    return rc;
}

static lds_code one_project(ctx *c, int k)
{
    static const char q_sponsor[] =
        "SELECT id FROM orgs WHERE kind = 'enterprise' AND category = ?1 AND region_id IN"
        " ('zhanggong','nanshan','baoan','longnan','xunwu') ORDER BY id LIMIT 1 OFFSET ?2";
    static const char q_n[] =
        "SELECT count(*) FROM orgs WHERE kind = 'enterprise' AND category = ?1 AND region_id IN"
        " ('zhanggong','nanshan','baoan','longnan','xunwu')";
    static const char q_partner[] =
        "SELECT id FROM orgs WHERE kind = 'enterprise' AND id <> ?1 AND region_id = CASE WHEN"
        " (SELECT region_id FROM orgs WHERE id = ?1) IN ('nanshan','baoan') THEN 'zhanggong' ELSE"
        " 'nanshan' END ORDER BY id LIMIT 1 OFFSET ?2";
    static const char q_fac[] = "SELECT id FROM facilities WHERE org_id = ?1 AND material_id = ?2"
                                " ORDER BY id LIMIT 1";
    const size_t n_plans = sizeof plans / sizeof plans[0];
    const sector_plan *pl = &plans[(size_t)k % n_plans];
    lds_pstage final = finals[k];
    /* Sponsor: an enterprise of a category of the sector, inside China. */
    int64_t sponsor = 0, n = 0;
    int cat_i = (int)uni(&c->r, 0, 3);
    lds_code rc = LDS_ENOTFOUND;
    for (int tries = 0; tries < 4 && rc == LDS_ENOTFOUND; tries++, cat_i++) {
        const char *cat = pl->categories[cat_i % 4] ? pl->categories[cat_i % 4] : pl->categories[0];
        rc = lds_pj__i64(c->s, q_n, &n, c->err, "s", cat);
        if (rc == LDS_OK && n == 0)
            rc = LDS_ENOTFOUND;
        if (rc == LDS_OK)
            rc = lds_pj__i64(c->s, q_sponsor, &sponsor, c->err, "si", cat, uni(&c->r, 0, n - 1));
    }
    if (rc == LDS_ENOTFOUND)
        return LDS_OK; /* this corridor lacks the sector's enterprises */
    if (rc)
        return rc;
    lds_principal sp = {0, sponsor, LDS_ROLE_MEMBER};
    /* Timing: durations drawn, then fitted into the window. */
    int64_t d[LDS_PSTAGE_OPERATING + 1] = {0}, total = 0;
    lds_pstage walk_to = final;
    if (final == LDS_PSTAGE_ON_HOLD || final == LDS_PSTAGE_ABANDONED)
        walk_to = (lds_pstage)uni(&c->r, LDS_PSTAGE_PERMITTING, LDS_PSTAGE_TECHNICAL_VALIDATION);
    for (int st = 0; st < (int)walk_to; st++)
        total += d[st] = uni(&c->r, dwell[st][0], dwell[st][1]) * DAY;
    int64_t tail = uni(&c->r, 20, 120) * DAY; /* time in the final stage so far */
    int64_t window = T_NOW - T_FIRST - 5 * DAY;
    if (total + tail > window) {
        double f = (double)(window - tail) / (double)total;
        total = 0;
        for (int st = 0; st < (int)walk_to; st++)
            total += d[st] = (int64_t)((double)d[st] * f);
    }
    int64_t t = T_NOW - tail - total - uni(&c->r, 0, (window - tail - total) / DAY) * DAY;
    /* Create. */
    const char *title = pl->titles[uni(&c->r, 0, 2)];
    if (!title)
        title = pl->titles[0];
    char full[200];
    snprintf(full, sizeof full, "%s (synthetic demo project %d)", title, k + 1);
    json_t *mats = json_array();
    for (int i = 0; i < 2; i++) {
        if (pl->uses[i])
            json_array_append_new(mats, json_pack("{ssss}", "material", pl->uses[i], "direction",
                                                  "uses"));
        if (pl->produces[i])
            json_array_append_new(mats, json_pack("{ssss}", "material", pl->produces[i],
                                                  "direction", "produces"));
    }
    int64_t partner = 0;
    json_t *parts = json_array();
    if (lds_pj__i64(c->s, q_partner, &partner, c->err, "ii", sponsor, uni(&c->r, 0, 5)) == LDS_OK)
        json_array_append_new(parts, json_integer(partner));
    json_t *capa = json_array();
    if (pl->cap_material) {
        int64_t fac = 0;
        json_t *line = json_pack("{sssfss}", "material", pl->cap_material, "tonnes",
                                 (double)uni(&c->r, pl->cap_lo / 50, pl->cap_hi / 50) * 50.0,
                                 "per", "year");
        if (lds_pj__i64(c->s, q_fac, &fac, c->err, "is", sponsor, pl->cap_material) == LDS_OK)
            json_object_set_new(line, "facility", json_integer(fac));
        json_array_append_new(capa, line);
    }
    int open = final <= LDS_PSTAGE_TECHNICAL_VALIDATION || uni(&c->r, 0, 3) == 0;
    /* Financing need: 30M-600M CNY, in whole millions.  Jiangxi's land
     * admission asks >= 30M CNY total investment (DOMAIN.md §5). */
    json_t *b = json_pack("{sssIsssIsbsssososo}", "title", full, "sponsor_org", (json_int_t)sponsor,
                  "sector", pl->sector, "financing_need_cny",
                  (json_int_t)(uni(&c->r, 30, 600) * 1000000), "open_to_investors", open,
                  "description", "synthetic demo project: generated, not a real plan",
                  "participants", parts, "materials", mats, "capacity", capa);
    int64_t pid = 0;
    if ((rc = create(c, &sp, b, t, &pid)))
        return rc;
    return play_history(c, &sp, pid, k, final, walk_to, d, t, tail);
}

/* ---- projects at the baseline plan's bottlenecks ------------------------ */

/* Two projects that add capacity where the demo corridor's baseline plan is
 * short (`lodestone plan` on the demo binds at the Xunwu in-situ leach
 * sites, a Xunwu separation plant and two Bao'an EV assembly plants), so
 * that once a plan run is stored the investor matches show the bottleneck
 * bonus with its dual value (docs/investment.md).  The facility is the
 * first of its stage in its region; the sponsor is the facility's owner.
 * Figures: the leach sites hold 750-1,900 t REO/yr and the SX plant
 * 2,800 t REO/yr in the demo corridor; in-situ leaching recovers >70% of
 * the resource (DOMAIN.md §2); Xunwu ore is LREE-rich, Pr+Nd about 38% of
 * REO (DOMAIN.md §7, literature values marked unverified there).  Financing needs are
 * illustrative. */
typedef struct featured {
    const char *stage, *region; /* of the facility expanded */
    const char *title, *uses, *produces, *cap_material;
    double tonnes_per_year;
    int64_t need_cny;
    const char *description;
} featured;

static const featured featured_projects[] = {
    {"separation", "xunwu", "SX separation train expansion for Xunwu ionic-clay feed",
     "carb_ionic_xunwu", "prnd_oxide", "prnd_oxide", 360, 240000000,
     "synthetic demo project: adds a PrNd extraction train to a Xunwu SX plant (about 1,000 t"
     " REO/yr more feed); generated, not a real plan"},
    {"mining", "xunwu", "In-situ leach well fields with closed-loop ammonium sulfate recovery",
     NULL, "carb_ionic_xunwu", "carb_ionic_xunwu", 600, 150000000,
     "synthetic demo project: new well fields at a Xunwu in-situ leach site, leachate recycled;"
     " generated, not a real plan"},
};

/* Project number `k + 1`: `f`, opened 130 days before the financing stage
 * it has been in for 60 days. */
static lds_code featured_project(ctx *c, int k, const featured *f)
{
    static const char q_fac[] = "SELECT id FROM facilities WHERE stage_id = ?1 AND region_id = ?2"
                                " ORDER BY id LIMIT 1";
    static const char q_owner[] = "SELECT org_id FROM facilities WHERE id = ?1";
    int64_t fac = 0, sponsor = 0;
    lds_code rc = lds_pj__i64(c->s, q_fac, &fac, c->err, "ss", f->stage, f->region);
    if (rc == LDS_OK)
        rc = lds_pj__i64(c->s, q_owner, &sponsor, c->err, "i", fac);
    if (rc == LDS_ENOTFOUND)
        return LDS_OK; /* a corridor without such a facility */
    if (rc)
        return rc;
    lds_principal sp = {0, sponsor, LDS_ROLE_MEMBER};
    const int64_t d[] = {30 * DAY, 100 * DAY}; /* proposed, permitting */
    const int64_t tail = 60 * DAY;
    int64_t t = T_NOW - tail - d[0] - d[1];
    char full[200];
    snprintf(full, sizeof full, "%s (synthetic demo project %d)", f->title, k + 1);
    json_t *mats = json_array();
    if (f->uses)
        json_array_append_new(mats, json_pack("{ssss}", "material", f->uses, "direction", "uses"));
    json_array_append_new(mats,
                          json_pack("{ssss}", "material", f->produces, "direction", "produces"));
    json_t *capa = json_pack("[{sIsssssfss}]", "facility", (json_int_t)fac, "material",
                             f->cap_material, "region", f->region, "tonnes", f->tonnes_per_year,
                             "per", "year");
    json_t *b = json_pack("{sssIsssssIsbsssoso}", "title", full, "sponsor_org",
                          (json_int_t)sponsor, "sector", "materials", "region", f->region,
                          "financing_need_cny", (json_int_t)f->need_cny, "open_to_investors", 1,
                          "description", f->description, "materials", mats, "capacity", capa);
    int64_t pid = 0;
    if ((rc = create(c, &sp, b, t, &pid)))
        return rc;
    return play_history(c, &sp, pid, k, LDS_PSTAGE_FINANCING, LDS_PSTAGE_FINANCING, d, t, tail);
}

static lds_code seed_lifecycle_at(lds_store *s, int64_t now_ms, lds_err *err)
{
    const char *path = getenv("LODESTONE_LIFECYCLE");
    return lds_projects_load_lifecycle(s, path && *path ? path : "data/lifecycle.json", now_ms,
                                       err);
}

lds_code lds_projects_seed_lifecycle(lds_store *s, lds_err *err)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return seed_lifecycle_at(s, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, err);
}

lds_code lds_projects_ensure_lifecycle(lds_store *s, int *loaded, lds_err *err)
{
    static const char q[] = "SELECT count(*) FROM project_lifecycle";
    int64_t n = 0;
    lds_code rc = lds_pj__i64(s, q, &n, err, "");
    *loaded = 0;
    if (rc || n > 0)
        return rc;
    if ((rc = lds_projects_seed_lifecycle(s, err)) == LDS_OK)
        *loaded = 1;
    return rc;
}

lds_code lds_projects_seed_demo(lds_store *s, lds_err *err)
{
    ctx *c = lds_malloc(sizeof *c);
    if (!c)
        return lds_err_set(err, LDS_ENOMEM, "out of memory");
    memset(c, 0, sizeof *c);
    c->s = s;
    c->err = err;
    c->r.s = LDS_DEMO_DEFAULT_SEED ^ 0x50524f4a45435453ull; /* "PROJECTS" */
    lds_code rc = lds_store_begin(s, err);
    if (rc) {
        lds_free(c);
        return rc;
    }
    int64_t n = 0;
    static const char q_n[] = "SELECT count(*) FROM projects";
    if ((rc = seed_lifecycle_at(s, T_FIRST - 30 * DAY, err)) ||
        (rc = lds_projects_lifecycle(s, &c->lc, err)) || (rc = add_orgs(s, err)) ||
        (rc = lds_pj__i64(s, q_n, &n, err, "")))
        goto fail;
    if (n == 0) {
        if ((rc = add_caps(s, err)))
            goto fail;
        static const char q_syn[] = "UPDATE service_requests SET synthetic = 1";
        for (int k = 0; k < N_PROJECTS && !rc; k++)
            rc = one_project(c, k);
        for (size_t i = 0; i < sizeof featured_projects / sizeof featured_projects[0] && !rc; i++)
            rc = featured_project(c, N_PROJECTS + (int)i, &featured_projects[i]);
        if (!rc)
            rc = lds_pj__exec(s, q_syn, err, "");
        if (rc)
            goto fail;
    }
    lds_free(c);
    return lds_store_commit(s, err);
fail:
    lds_store_rollback(s);
    lds_free(c);
    return rc;
}
