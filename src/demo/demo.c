/*
 * demo.c — the synthetic Ganzhou–Shenzhen corridor.  Organisations come from
 * a table of archetypes (what they make, where, how big), names from word
 * pools, quantities and prices from DOMAIN.md's ranges, all drawn from one
 * xoshiro256** stream in a fixed order with integer arithmetic, so one seed
 * always writes the same bytes.  Every row is synthetic = 1.
 */
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/demo.h"
#include "demo_int.h"

/* ---- PRNG: splitmix64 seeds xoshiro256** (Blackman & Vigna) -------------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void lds_demo__rng_init(lds_demo_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t lds_demo__rng_next(lds_demo_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [lo, hi]; the modulo bias (< 2^-40 for our spans) is irrelevant. */
int64_t lds_demo__rng_between(lds_demo_rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(lds_demo__rng_next(r) % span);
}

/* ---- market reference data ------------------------------------------------ */

/*
 * Prices in CNY per unit of the material (incl. VAT), 2026 basis where the
 * brief has one, and typical monthly lot sizes in thousandths of the unit.
 * Sources are in DOMAIN.md section 3; "derived"/"unsourced" as marked.
 */typedef struct market {
    const char *material;
    int64_t cny;            /* CNY per unit */
    int64_t offer_lo, offer_hi; /* monthly lot of one seller, milli-units */
    int64_t want_lo, want_hi;   /* monthly lot of one buyer, milli-units */
    int purity_permyriad;   /* offered purity (1/10000), 0 = not graded */
} market;

/*
 * Lots are sized from the plant capacities below (capacity / 12 at partial
 * utilisation) and balanced against the number of sellers and buyers of each
 * material in the archetype table, so that supply and demand are of the same
 * order each month: magnets run a moderate surplus (Chinese overcapacity),
 * heavy rare earths are tight.  `T(x)` is x tonnes (or units) in milli.
 */
#define T(x) ((int64_t)((x) * 1000))
static const market markets[] = {
    /* Mixed RE carbonate 59,100-59,500 CNY/t (Feb 2026, sunsirs 30318); the
     * HREE-rich Longnan type at a premium (unsourced: +18%). */
    {"carb_ionic_xunwu", 59300, T(50), T(300), T(30), T(200), 0},
    {"carb_ionic_longnan", 70000, T(30), T(200), T(20), T(120), 0},
    /* PrNd oxide ~748,700 CNY/t (2026-02-02, sunsirs 30318); Pr and Nd oxide
     * derived at the PrNd price. */
    {"prnd_oxide", 748700, T(20), T(120), T(20), T(100), 9900},
    {"nd2o3", 750000, T(5), T(50), T(5), T(30), 9950},
    {"pr6o11", 750000, T(2), T(15), T(2), T(10), 9950},
    /* Dy2O3 1,330 CNY/kg, Tb4O7 6,100 CNY/kg (Feb 2026, sunsirs 30318). */
    {"dy2o3", 1330000, T(1), T(8), T(2), T(10), 9950},
    {"tb4o7", 6100000, T(0.2), T(1.5), T(0.3), T(2), 9999},
    /* La2O3 4,300-4,700, CeO2 20,300-24,300, Y2O3 77,000 CNY/t (Feb 2026). */
    {"la2o3", 4500, T(20), T(150), T(20), T(100), 9950},
    {"ceo2", 22300, T(20), T(100), T(20), T(80), 9950},
    {"y2o3", 77000, T(5), T(60), T(5), T(40), 9950},
    /* PrNd metal 898.8k CNY/t (Feb 2026); DyFe 1.60-1.65M, Tb 8.45-8.70M CNY/t
     * (Apr 2025, SMM). */
    {"ndpr_metal", 898800, T(50), T(300), T(20), T(120), 9900},
    {"dyfe_alloy", 1625000, T(5), T(30), T(1), T(6), 0},
    {"tb_metal", 8575000, T(1), T(6), T(0.1), T(1), 0},
    /* Alloy powder: derived, contained metal at the prices above plus about
     * 30k CNY/t processing (unsourced). */
    {"alloy_n52", 300000, T(30), T(250), T(20), T(150), 0},
    {"alloy_n42sh", 355000, T(30), T(250), T(30), T(200), 0},
    {"alloy_n48sh", 365000, T(30), T(250), T(20), T(150), 0},
    /* Magnets: N35 US$19.5-22/kg end-2025 (ahlulangmagnet) ~148 CNY/kg at
     * 7.1 CNY/USD (unsourced FX); N52 near the 55N blank ~270 CNY/kg (Sep
     * 2025, chinatungsten); SH +10-15% per coercivity step, UH/EH 2-3x N
     * grades (tymagnets, mcmagnets); SmCo unsourced. */
    {"mag_n35", 148000, T(30), T(300), T(20), T(150), 0},
    {"mag_n52", 260000, T(20), T(200), T(10), T(150), 0},
    {"mag_n42sh", 250000, T(30), T(300), T(15), T(150), 0},
    {"mag_n48sh", 300000, T(2), T(25), T(1), T(10), 0},
    {"mag_n42uh", 370000, T(20), T(250), T(10), T(150), 0},
    {"mag_n38eh", 444000, T(20), T(200), T(5), T(50), 0},
    {"mag_smco", 600000, T(2), T(20), T(1), T(8), 0},
    /* Recycling: unsourced, scrap at ~45% and recycled oxide at ~87% of the
     * value of the contained PrNd(Dy) oxide. */
    {"magnet_scrap", 130000, T(5), T(50), T(20), T(120), 0},
    {"recycled_oxide", 650000, T(2), T(20), T(2), T(15), 9900},
    /* Components per unit (per MW for generators): unsourced estimates. */
    {"motor_ev_traction", 4500, T(2000), T(30000), T(5000), T(30000), 0},
    {"motor_ev_premium", 7000, T(500), T(6000), T(1000), T(8000), 0},
    {"motor_eps", 600, T(5000), T(50000), T(5000), T(30000), 0},
    {"actuator_robot_joint", 2500, T(5000), T(40000), T(1000), T(15000), 0},
    {"motor_drone", 60, T(10000), T(200000), T(20000), T(150000), 0},
    {"generator_wind_dd", 900000, T(10), T(60), T(10), T(80), 0},
    {"servo_set_industrial", 15000, T(200), T(2000), T(300), T(3000), 0},
};
#undef T

static const market *find_market(const char *material)
{
    for (size_t i = 0; i < sizeof markets / sizeof markets[0]; i++)
        if (strcmp(markets[i].material, material) == 0)
            return &markets[i];
    return NULL;
}

/* ---- organisations ---------------------------------------------------------- */

typedef struct placement {
    const char *region;
    int n;
} placement;

/*
 * An archetype of enterprise: its stage, what it sells and buys, and the
 * capacity range of its plant (whole units per year).  Ranges from DOMAIN.md:
 * ionic-clay quota ~20 kt REO/yr for all of South China; separation plants a
 * few kt REO/yr; magnet plants 1-35 kt/yr (JL Mag 35 kt, Zhongke Sanhuan 25
 * kt); components and end products unsourced but scaled to the demand figures
 * (NEV > 60 kt magnets/yr; humanoids ~3.2 kt by 2030).
 */
typedef struct archetype {
    const char *category, *stage, *label, *what;
    const char *fac_kind, *fac_material, *cap_unit;
    int64_t cap_lo, cap_hi;
    const char *offers[4];
    const char *wants[4];
    placement at[5];
} archetype;

static const archetype archetypes[] = {
    {"ionic_clay_miner", "mining", "Ionic Clay Mining Co.",
     "in-situ leaching of HREE-rich (Longnan-type) ionic clay",
     "In-situ Leach Site", "carb_ionic_longnan", "t REO/yr", 300, 1500,
     {"carb_ionic_longnan"}, {0}, {{"longnan", 3}}},
    {"ionic_clay_miner", "mining", "Rare Earth Mining Co.",
     "in-situ leaching of LREE-rich (Xunwu-type) ionic clay",
     "In-situ Leach Site", "carb_ionic_xunwu", "t REO/yr", 300, 2000,
     {"carb_ionic_xunwu"}, {0}, {{"xunwu", 3}}},
    {"separator", "separation", "Rare Earth Separation Co.",
     "solvent-extraction separation of HREE-rich carbonate",
     "SX Separation Plant", "carb_ionic_longnan", "t REO/yr", 2000, 5000,
     {"y2o3", "dy2o3", "tb4o7"}, {"carb_ionic_longnan"}, {{"longnan", 2}, {"zhanggong", 2}}},
    {"separator", "separation", "Rare Earth Materials Co.",
     "solvent-extraction separation of LREE-rich carbonate",
     "SX Separation Plant", "carb_ionic_xunwu", "t REO/yr", 2000, 6000,
     {"prnd_oxide", "la2o3", "ceo2", "nd2o3"}, {"carb_ionic_xunwu", "recycled_oxide"},
     {{"xunwu", 1}, {"zhanggong", 2}, {"baotou", 1}}},
    {"metal_maker", "metal", "Rare Earth Metals Co.",
     "NdPr metal by fluoride molten-salt electrolysis",
     "Electrolysis Workshop", "ndpr_metal", "t/yr", 1000, 5000,
     {"ndpr_metal"}, {"prnd_oxide"}, {{"zhanggong", 3}, {"baotou", 2}}},
    {"metal_maker", "metal", "Heavy Rare Earth Metals Co.",
     "DyFe alloy and terbium metal by metallothermic reduction",
     "Reduction Workshop", "dyfe_alloy", "t/yr", 100, 500,
     {"dyfe_alloy", "tb_metal"}, {"dy2o3", "tb4o7"}, {{"zhanggong", 1}, {"longnan", 1}}},
    {"alloy_maker", "alloy", "Magnetic Alloy Co.",
     "strip-cast and jet-milled NdFeB alloy powder",
     "Strip-casting Line", "alloy_n42sh", "t/yr", 3000, 15000,
     {"alloy_n42sh", "alloy_n48sh", "alloy_n52"}, {"ndpr_metal", "dyfe_alloy", "tb_metal"},
     {{"zhanggong", 2}, {"ningbo", 1}, {"baoan", 1}}},
    {"magnet_maker", "magnet", "Magnetics Co.",
     "sintered NdFeB for EV traction motors",
     "Sintered Magnet Plant", "mag_n42sh", "t/yr", 5000, 35000,
     {"mag_n42sh", "mag_n42uh", "magnet_scrap"},
     {"ndpr_metal", "dyfe_alloy", "tb_metal", "alloy_n42sh"},
     {{"zhanggong", 2}, {"ningbo", 1}, {"baotou", 1}}},
    {"magnet_maker", "magnet", "Magnet Technology Co.",
     "GBD sintered NdFeB for robot joints and consumer electronics",
     "Sintered Magnet Plant", "mag_n48sh", "t/yr", 1000, 8000,
     {"mag_n48sh", "mag_n52", "magnet_scrap"}, {"alloy_n48sh", "alloy_n52", "tb_metal"},
     {{"baoan", 2}, {"nanshan", 1}}},
    {"magnet_maker", "magnet", "Permanent Magnet Co.",
     "high-temperature NdFeB and SmCo magnets",
     "Sintered Magnet Plant", "mag_n38eh", "t/yr", 1000, 6000,
     {"mag_n38eh", "mag_n42uh", "mag_smco"}, {"ndpr_metal", "dyfe_alloy", "tb_metal"},
     {{"zhanggong", 1}, {"ningbo", 1}}},
    {"magnet_maker", "magnet", "Magnet Materials Co.",
     "general-purpose sintered NdFeB",
     "Sintered Magnet Plant", "mag_n35", "t/yr", 1000, 10000,
     {"mag_n35", "mag_n52", "magnet_scrap"}, {"alloy_n52", "ndpr_metal"},
     {{"baotou", 1}, {"baoan", 1}}},
    {"motor_maker", "component", "Electric Drive Co.",
     "EV traction motors (PMSM)",
     "Motor Assembly Plant", "motor_ev_traction", "units/yr", 100000, 600000,
     {"motor_ev_traction", "motor_ev_premium"}, {"mag_n42sh", "mag_n42uh"},
     {{"baoan", 3}}},
    {"motor_maker", "component", "Motion Systems Co.",
     "electric power-steering and auxiliary motors",
     "Motor Assembly Plant", "motor_eps", "units/yr", 500000, 3000000,
     {"motor_eps"}, {"mag_n35"}, {{"baoan", 1}}},
    {"actuator_maker", "component", "Robot Joint Co.",
     "frameless torque motors and joint actuators for humanoid robots",
     "Actuator Line", "actuator_robot_joint", "units/yr", 50000, 500000,
     {"actuator_robot_joint"}, {"mag_n48sh"}, {{"nanshan", 2}}},
    {"motor_maker", "component", "Drone Power Co.",
     "brushless outrunner motors for drones",
     "Motor Line", "motor_drone", "units/yr", 1000000, 5000000,
     {"motor_drone"}, {"mag_n52"}, {{"nanshan", 2}}},
    {"servo_maker", "component", "Servo Drive Co.",
     "servo motor sets for industrial robot arms (high-temperature NdFeB and SmCo)",
     "Servo Line", "servo_set_industrial", "units/yr", 20000, 200000,
     {"servo_set_industrial"}, {"mag_n38eh", "mag_smco"}, {{"baoan", 1}, {"zhanggong", 1}}},
    {"generator_maker", "component", "Wind Power Equipment Co.",
     "direct-drive permanent-magnet wind generators",
     "Generator Works", "generator_wind_dd", "MW/yr", 200, 2000,
     {"generator_wind_dd"}, {"mag_n42sh"}, {{"zhanggong", 1}}},
    {"robot_oem", "end_product", "Robotics Co.",
     "general-purpose humanoid robots",
     "Robot Assembly Hall", "robot_humanoid", "units/yr", 1000, 20000,
     {0}, {"actuator_robot_joint"}, {{"nanshan", 3}}},
    {"robot_oem", "end_product", "Automation Co.",
     "six-axis industrial robot arms",
     "Robot Works", "robot_industrial", "units/yr", 2000, 30000,
     {0}, {"servo_set_industrial"}, {{"baoan", 1}}},
    {"drone_oem", "end_product", "Aerial Systems Co.",
     "consumer and industrial drones",
     "Drone Assembly Hall", "drone_quad", "units/yr", 100000, 2000000,
     {0}, {"motor_drone"}, {{"nanshan", 2}}},
    {"electronics_oem", "end_product", "Intelligent Devices Co.",
     "hard-disk drives, phones and audio devices",
     "Electronics Plant", "hdd_desktop", "units/yr", 1000000, 20000000,
     {0}, {"mag_n52"}, {{"nanshan", 2}}},
    {"ev_oem", "end_product", "New Energy Vehicle Co.",
     "battery-electric passenger cars",
     "Vehicle Assembly Plant", "ev_bev", "units/yr", 50000, 400000,
     {0}, {"motor_ev_traction", "motor_eps"}, {{"baoan", 2}}},
    {"ev_oem", "end_product", "Fahrzeugwerke GmbH",
     "premium electric vehicles (overseas buyer of magnets and motors)",
     "Vehicle Plant", "ev_premium", "units/yr", 50000, 300000,
     {0}, {"mag_n42uh", "motor_ev_premium"}, {{"de_bw", 1}}},
    {"wind_oem", "end_product", "Windenergie AG",
     "offshore direct-drive wind turbines (overseas buyer)",
     "Turbine Plant", "wind_turbine_dd", "MW/yr", 500, 3000,
     {0}, {"generator_wind_dd", "mag_n42sh"}, {{"de_bw", 1}}},
    {"ev_oem", "end_product", "Motors Inc.",
     "electric pickups and SUVs (overseas buyer of magnets)",
     "Assembly Plant", "ev_bev", "units/yr", 50000, 300000,
     {0}, {"mag_n42sh", "mag_n42uh"}, {{"us_mi", 1}}},
    {"recycler", "recycling", "Resource Recycling Co.",
     "hydrometallurgical recovery of rare earths from magnet scrap",
     "Recycling Plant", "magnet_scrap", "t/yr", 1000, 10000,
     {"recycled_oxide"}, {"magnet_scrap"}, {{"zhanggong", 2}, {"baoan", 1}}},
};

/* Organisations that make nothing: investors, service providers, the
 * platform operator and an auditor. */
typedef struct service_org {
    const char *kind, *category, *region, *pre, *post, *what; /* name = pre + words + post */
} service_org;

static const service_org services[] = {
    {"operator", "innovation_centre", "zhanggong", NULL, NULL,
     "platform operator pairing Ganzhou's resources with Shenzhen's industry"},
    {"investor", "venture_capital", "nanshan", "Shenzhen ", " Ventures",
     "early-stage hardware and robotics investor"},
    {"investor", "private_equity", "nanshan", "", " Capital Partners",
     "growth equity in magnets and motors"},
    {"investor", "corporate_vc", "nanshan", "", " Strategic Investment",
     "corporate venture arm of an electronics group"},
    {"investor", "guidance_fund", "zhanggong", "Ganzhou ", " Industrial Guidance Fund",
     "government-guided rare-earth industry fund"},
    {"investor", "industry_fund", "zhanggong", "Jiangxi ", " Rare Earth Industry Fund",
     "provincial rare-earth value-chain fund"},
    {"investor", "venture_capital", "baoan", "Bao'an ", " Angel Fund",
     "angel investor in new-energy components"},
    {"provider", "law_firm", "nanshan", "", " Law Firm (Shenzhen)",
     "export-control, licensing and cross-border contracts"},
    {"provider", "law_firm", "zhanggong", "", " Law Office (Ganzhou)",
     "mining rights, land and environmental permits"},
    {"provider", "park_office", "zhanggong", "Zhanggong ", " Rare Earth Industry Park Office",
     "land pre-review, project admission and EIA coordination"},
    {"provider", "park_office", "nanshan", "Nanshan ", " Innovation Park Office",
     "incubation space, talent policy and pilot-line permits"},
    {"provider", "test_lab", "zhanggong", "Ganzhou ", " Materials Testing Centre",
     "composition (ICP-OES), B-H curves and Dy+Tb certificates"},
    {"provider", "bank", "nanshan", "", " Commercial Bank, Shenzhen Branch",
     "working-capital and equipment finance"},
    {"provider", "logistics", "zhanggong", "", " Logistics (Gan-Shen Corridor)",
     "rail and road freight on the 434 km Ganzhou-Shenzhen corridor"},
    {"provider", "certification", "nanshan", "", " Quality Certification",
     "IATF 16949 readiness and supplier qualification"},
    {"provider", "talent", "nanshan", "", " Talent Services",
     "engineer recruitment and training"},
    {"auditor", "auditor", "de_bw", "", " Supply-Chain Assurance GmbH",
     "independent provenance auditor for European buyers"},
};

/* Fictional name words: deliberately ordinary nouns so no name is a real
 * company's. */
static const char *const words_a[] = {
    "Magpie", "Camphor", "Heron", "Osmanthus", "Cypress", "Kestrel", "Lotus", "Quartz",
    "Crane", "Amber", "Bamboo", "Cinnabar", "Egret", "Jasper", "Lantern", "Maple",
    "Orchid", "Pebble", "Plum", "Sable", "Tea Hill", "Willow", "Azure", "Beacon",
    "Cobble", "Dawn", "Ember", "Fernleaf", "Granite", "Harbour", "Ivory", "Juniper",
};
static const char *const words_b[] = {
    "Ridge", "Stream", "Crest", "Valley", "Gate", "Bridge", "Spring", "Peak",
    "Grove", "Field", "Harbor", "Terrace", "Brook", "Summit", "Meadow", "Cove",
};

static const char *region_city(const char *region)
{
    static const struct {
        const char *region, *city;
    } map[] = {{"zhanggong", "Ganzhou"}, {"longnan", "Longnan"}, {"xunwu", "Xunwu"},
               {"nanshan", "Shenzhen"},  {"baoan", "Shenzhen"},  {"baotou", "Baotou"},
               {"ningbo", "Ningbo"},     {"de_bw", "Stuttgart"}, {"us_mi", "Detroit"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].region, region) == 0)
            return map[i].city;
    return "";
}

/* ---- generator state -------------------------------------------------------- */

#define MAX_ORGS 128

typedef struct gen_org {
    int64_t id;
    const archetype *a;     /* NULL for service organisations */
    const char *region;
    int64_t size_permille;  /* position within the archetype's capacity range */
} gen_org;

typedef struct gen {
    lds_store *s;
    lds_err *err;
    lds_demo_rng rng;
    gen_org orgs[MAX_ORGS];
    size_t n_orgs;
    char used[sizeof words_a / sizeof words_a[0]][sizeof words_b / sizeof words_b[0]];
} gen;

static const char *const CREATED_AT = "2025-12-15T08:00:00Z";

/* Concatenates three strings into `out`, truncating safely. */
static void join(char *out, size_t n, const char *a, const char *b, const char *c)
{
    int w = snprintf(out, n, "%s%s%s", a, b, c);
    if (w < 0 || (size_t)w >= n)
        out[n - 1] = '\0';
}

/* A fresh "<A> <B>" pair; falls back to the first unused pair in order. */
static void fresh_words(gen *g, char *out, size_t n)
{
    size_t na = sizeof words_a / sizeof words_a[0], nb = sizeof words_b / sizeof words_b[0];
    size_t ia = (size_t)lds_demo__rng_between(&g->rng, 0, (int64_t)na - 1);
    size_t ib = (size_t)lds_demo__rng_between(&g->rng, 0, (int64_t)nb - 1);
    for (size_t k = 0; k < na * nb && g->used[ia][ib]; k++) {
        ib = (ib + 1) % nb;
        if (ib == 0)
            ia = (ia + 1) % na;
    }
    g->used[ia][ib] = 1;
    join(out, n, words_a[ia], " ", words_b[ib]);
}

static lds_code insert_org(gen *g, const char *name, const char *kind, const char *category,
                           const char *stage, const char *region, const char *desc,
                           int64_t *id)
{
    static const char q[] =
        "INSERT INTO orgs(name, kind, category, stage_id, region_id, description, synthetic,"
        " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(g->s, q, &st, g->err);
    if (rc)
        return rc;
    if (lds_stmt_bind_text(st, 1, name) || lds_stmt_bind_text(st, 2, kind) ||
        lds_stmt_bind_text(st, 3, category) || lds_stmt_bind_text(st, 4, stage) ||
        lds_stmt_bind_text(st, 5, region) || lds_stmt_bind_text(st, 6, desc) ||
        lds_stmt_bind_text(st, 7, CREATED_AT))
        return lds_err_set(g->err, LDS_ENOMEM, "cannot bind organisation");
    if ((rc = lds_stmt_exec(st, g->err)))
        return rc;
    *id = lds_store_last_id(g->s);
    return LDS_OK;
}

static lds_code region_coords(gen *g, const char *region, double *lat, double *lon)
{
    static const char q[] = "SELECT lat, lon FROM regions WHERE id = ?1";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(g->s, q, &st, g->err);
    if (rc)
        return rc;
    if (lds_stmt_bind_text(st, 1, region))
        return lds_err_set(g->err, LDS_ENOMEM, "cannot bind region");
    int r = lds_stmt_step(st, g->err);
    if (r == LDS_STORE_DONE)
        return lds_err_set(g->err, LDS_EINVAL,
                           "region '%s' is missing: load data/catalog.json before seeding", region);
    if (r != LDS_STORE_ROW)
        return (lds_code)r;
    *lat = lds_stmt_col_double(st, 0);
    *lon = lds_stmt_col_double(st, 1);
    return LDS_OK;
}

static lds_code insert_facility(gen *g, const gen_org *o, const char *org_name)
{
    static const char q[] =
        "INSERT INTO facilities(org_id, name, region_id, stage_id, material_id, capacity_milli,"
        " capacity_unit, lat, lon, synthetic, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10)";
    const archetype *a = o->a;
    double lat = 0, lon = 0;
    lds_code rc = region_coords(g, o->region, &lat, &lon);
    if (rc)
        return rc;
    /* Capacity in whole units, rounded to a plausible step, then milli. */
    int64_t cap = a->cap_lo + (a->cap_hi - a->cap_lo) * o->size_permille / 1000;
    int64_t step = cap >= 1000000 ? 50000 : cap >= 10000 ? 1000 : cap >= 1000 ? 100 : 10;
    cap = (cap + step / 2) / step * step;
    /* Up to ~0.15 degrees (~15 km) from the region's centre. */
    lat += (double)lds_demo__rng_between(&g->rng, -1500, 1500) / 10000.0;
    lon += (double)lds_demo__rng_between(&g->rng, -1500, 1500) / 10000.0;
    char name[256];
    join(name, sizeof name, org_name, " ", a->fac_kind);
    lds_stmt *st;
    if ((rc = lds_store_prepare(g->s, q, &st, g->err)))
        return rc;
    if (lds_stmt_bind_i64(st, 1, o->id) || lds_stmt_bind_text(st, 2, name) ||
        lds_stmt_bind_text(st, 3, o->region) || lds_stmt_bind_text(st, 4, a->stage) ||
        lds_stmt_bind_text(st, 5, a->fac_material) || lds_stmt_bind_i64(st, 6, cap * 1000) ||
        lds_stmt_bind_text(st, 7, a->cap_unit) || lds_stmt_bind_double(st, 8, lat) ||
        lds_stmt_bind_double(st, 9, lon) || lds_stmt_bind_text(st, 10, CREATED_AT))
        return lds_err_set(g->err, LDS_ENOMEM, "cannot bind facility");
    return lds_stmt_exec(st, g->err);
}

static lds_code make_enterprises(gen *g)
{
    lds_code rc;
    for (size_t i = 0; i < sizeof archetypes / sizeof archetypes[0]; i++) {
        const archetype *a = &archetypes[i];
        for (size_t p = 0; p < 5 && a->at[p].region; p++) {
            for (int k = 0; k < a->at[p].n; k++) {
                char words[64], name[160], desc[320];
                const char *region = a->at[p].region;
                fresh_words(g, words, sizeof words);
                char city[80];
                if (strcmp(region, "de_bw") == 0 || strcmp(region, "us_mi") == 0)
                    join(city, sizeof city, words, "", "");
                else
                    join(city, sizeof city, region_city(region), " ", words);
                join(name, sizeof name, city, " ", a->label);
                join(desc, sizeof desc, "Synthetic demo organisation (not a real company): ",
                     a->what, ".");
                gen_org *o = &g->orgs[g->n_orgs];
                if (g->n_orgs >= MAX_ORGS)
                    return lds_err_set(g->err, LDS_EINVAL, "demo: too many organisations");
                o->a = a;
                o->region = region;
                o->size_permille = lds_demo__rng_between(&g->rng, 0, 1000);
                if ((rc = insert_org(g, name, "enterprise", a->category, a->stage, region, desc,
                                     &o->id)) ||
                    (rc = insert_facility(g, o, name)))
                    return rc;
                g->n_orgs++;
            }
        }
    }
    return LDS_OK;
}

static lds_code make_services(gen *g)
{
    lds_code rc;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        const service_org *so = &services[i];
        char words[64], name[160], desc[320];
        if (so->pre) {
            fresh_words(g, words, sizeof words);
            join(name, sizeof name, so->pre, words, so->post);
        } else {
            join(name, sizeof name, LDS_DEMO_OPERATOR_NAME, "", "");
        }
        join(desc, sizeof desc, "Synthetic demo organisation (not a real company): ", so->what,
             ".");
        if (g->n_orgs >= MAX_ORGS)
            return lds_err_set(g->err, LDS_EINVAL, "demo: too many organisations");
        gen_org *o = &g->orgs[g->n_orgs];
        o->a = NULL;
        o->region = so->region;
        if ((rc = insert_org(g, name, so->kind, so->category, NULL, so->region, desc, &o->id)))
            return rc;
        g->n_orgs++;
    }
    return LDS_OK;
}

/* ---- market lines --------------------------------------------------------------- */

/* Monthly price index per market in permille of the reference price: a
 * bounded random walk of up to +/-3% a month, one walk per seed. */
typedef struct index_row {
    int64_t permille[LDS_DEMO_N_PERIODS];
} index_row;

static void period_name(int p, char *out, size_t n)
{
    unsigned year = 2026u + (unsigned)p / 12u % 100u, month = 1u + (unsigned)p % 12u;
    int w = snprintf(out, n, "%04u-%02u", year, month);
    if (w < 0 || (size_t)w >= n)
        out[0] = '\0';
}

static lds_code insert_offer(gen *g, const gen_org *o, const market *m, int64_t qty,
                             int64_t price_cents, const char *period)
{
    static const char q[] =
        "INSERT INTO offers(org_id, material_id, region_id, quantity_milli, unit_price_cents,"
        " currency, period_from, period_to, purity, status, synthetic, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, 'CNY', ?6, ?6, ?7, 'open', 1, ?8)";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(g->s, q, &st, g->err);
    if (rc)
        return rc;
    if (lds_stmt_bind_i64(st, 1, o->id) || lds_stmt_bind_text(st, 2, m->material) ||
        lds_stmt_bind_text(st, 3, o->region) || lds_stmt_bind_i64(st, 4, qty) ||
        lds_stmt_bind_i64(st, 5, price_cents) || lds_stmt_bind_text(st, 6, period) ||
        (m->purity_permyriad ? lds_stmt_bind_double(st, 7, m->purity_permyriad / 10000.0)
                             : lds_stmt_bind_null(st, 7)) ||
        lds_stmt_bind_text(st, 8, CREATED_AT))
        return lds_err_set(g->err, LDS_ENOMEM, "cannot bind offer");
    return lds_stmt_exec(st, g->err);
}

static lds_code insert_request(gen *g, const gen_org *o, const market *m, int64_t qty,
                               int64_t max_cents, const char *period)
{
    static const char q[] =
        "INSERT INTO requests(org_id, material_id, region_id, quantity_milli,"
        " max_unit_price_cents, currency, due_period, min_purity, status, synthetic, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, 'CNY', ?6, ?7, 'open', 1, ?8)";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(g->s, q, &st, g->err);
    if (rc)
        return rc;
    if (lds_stmt_bind_i64(st, 1, o->id) || lds_stmt_bind_text(st, 2, m->material) ||
        lds_stmt_bind_text(st, 3, o->region) || lds_stmt_bind_i64(st, 4, qty) ||
        lds_stmt_bind_i64(st, 5, max_cents) || lds_stmt_bind_text(st, 6, period) ||
        (m->purity_permyriad ? lds_stmt_bind_double(st, 7, 0.99) : lds_stmt_bind_null(st, 7)) ||
        lds_stmt_bind_text(st, 8, CREATED_AT))
        return lds_err_set(g->err, LDS_ENOMEM, "cannot bind request");
    return lds_stmt_exec(st, g->err);
}

/* Rounds a milli-quantity to a tradeable lot: 3 significant digits. */
static int64_t round_lot(int64_t q)
{
    int64_t step = 1;
    while (q / step >= 1000)
        step *= 10;
    q = q / step * step;
    return q > 0 ? q : 1;
}

static lds_code make_market(gen *g)
{
    enum { N_MARKETS = sizeof markets / sizeof markets[0] };
    index_row idx[N_MARKETS];
    lds_code rc;
    for (size_t i = 0; i < N_MARKETS; i++) {
        int64_t v = 1000;
        for (int p = 0; p < LDS_DEMO_N_PERIODS; p++) {
            v += lds_demo__rng_between(&g->rng, -30, 30) * v / 1000;
            if (v < 800)
                v = 800;
            if (v > 1250)
                v = 1250;
            idx[i].permille[p] = v;
        }
    }
    for (int p = 0; p < LDS_DEMO_N_PERIODS; p++) {
        char period[16];
        period_name(p, period, sizeof period);
        for (size_t i = 0; i < g->n_orgs; i++) {
            const gen_org *o = &g->orgs[i];
            if (!o->a)
                continue;
            for (int side = 0; side < 2; side++) {
                const char *const *list = side == 0 ? o->a->offers : o->a->wants;
                for (size_t k = 0; k < 4 && list[k]; k++) {
                    const market *m = find_market(list[k]);
                    if (!m)
                        return lds_err_set(g->err, LDS_ECORRUPT, "demo: no market for '%s'",
                                           list[k]);
                    size_t mi = (size_t)(m - markets);
                    /* Bigger firms trade bigger lots; +/-25% month to month. */
                    int64_t lo = side == 0 ? m->offer_lo : m->want_lo;
                    int64_t hi = side == 0 ? m->offer_hi : m->want_hi;
                    int64_t base = lo + (hi - lo) * o->size_permille / 1000;
                    int64_t qty = base * lds_demo__rng_between(&g->rng, 750, 1250) / 1000;
                    int64_t ref_cents = m->cny * 100 * idx[mi].permille[p] / 1000;
                    if (side == 0) {
                        /* Sellers ask -4%..+6% around the index. */
                        int64_t ask = ref_cents * lds_demo__rng_between(&g->rng, 960, 1060) / 1000;
                        rc = insert_offer(g, o, m, round_lot(qty), ask, period);
                    } else {
                        /* Buyers cap at -2%..+10%. */
                        int64_t cap = ref_cents * lds_demo__rng_between(&g->rng, 980, 1100) / 1000;
                        rc = insert_request(g, o, m, round_lot(qty), cap, period);
                    }
                    if (rc)
                        return rc;
                }
            }
        }
    }
    return LDS_OK;
}

/* ---- entry points ------------------------------------------------------------------ */

static lds_code put_meta(lds_store *s, const char *key, const char *value, lds_err *err)
{
    static const char q[] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    if (lds_stmt_bind_text(st, 1, key) || lds_stmt_bind_text(st, 2, value))
        return lds_err_set(err, LDS_ENOMEM, "cannot bind meta");
    return lds_stmt_exec(st, err);
}

/* Checks the catalog rows the generator references. */
static lds_code check_catalog(lds_store *s, lds_err *err)
{
    static const char q[] = "SELECT 1 FROM materials WHERE id = ?1";
    for (size_t i = 0; i < sizeof markets / sizeof markets[0]; i++) {
        lds_stmt *st;
        lds_code rc = lds_store_prepare(s, q, &st, err);
        if (rc)
            return rc;
        if (lds_stmt_bind_text(st, 1, markets[i].material))
            return lds_err_set(err, LDS_ENOMEM, "cannot bind material");
        int r = lds_stmt_step(st, err);
        if (r == LDS_STORE_DONE)
            return lds_err_set(err, LDS_EINVAL,
                               "material '%s' is missing: load data/catalog.json before seeding",
                               markets[i].material);
        if (r != LDS_STORE_ROW)
            return (lds_code)r;
    }
    return LDS_OK;
}

lds_code lds_demo_seed(lds_store *s, uint64_t seed, lds_err *err)
{
    static const char q_seeded[] = "SELECT value FROM meta WHERE key = 'demo_seed'";
    char seed_text[32];
    lds_stmt *st;
    lds_code rc;
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)seed);
    if ((rc = lds_store_prepare(s, q_seeded, &st, err)))
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_ROW) {
        int same = strcmp(lds_stmt_col_text(st, 0), seed_text) == 0;
        if (same)
            return LDS_OK;
        return lds_err_set(err, LDS_ECONFLICT,
                           "the demo corridor is already seeded (seed %.20s); seed %s needs a "
                           "fresh database",
                           lds_stmt_col_text(st, 0), seed_text);
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    if ((rc = check_catalog(s, err)))
        return rc;

    gen *g = lds_malloc(sizeof *g);
    if (!g)
        return lds_err_set(err, LDS_ENOMEM, "out of memory seeding the demo");
    memset(g, 0, sizeof *g);
    g->s = s;
    g->err = err;
    lds_demo__rng_init(&g->rng, seed);

    if ((rc = lds_store_begin(s, err)))
        goto done;
    if ((rc = make_services(g)) || (rc = make_enterprises(g)) || (rc = make_market(g)) ||
        (rc = put_meta(s, "dataset", "synthetic demo corridor \xe2\x80\x94 not real companies",
                       err)) ||
        (rc = put_meta(s, "demo_seed", seed_text, err)) ||
        (rc = put_meta(s, "demo_periods", LDS_DEMO_FIRST_PERIOD "..2026-12", err)) ||
        (rc = lds_store_commit(s, err))) {
        lds_store_rollback(s);
        goto done;
    }
done:
    lds_free(g);
    return rc;
}

lds_code lds_demo_operator_org(lds_store *s, int64_t *org_id, lds_err *err)
{
    static const char q[] = "SELECT id FROM orgs WHERE kind = 'operator' ORDER BY id LIMIT 1";
    lds_stmt *st;
    lds_code rc = lds_store_prepare(s, q, &st, err);
    if (rc)
        return rc;
    int r = lds_stmt_step(st, err);
    if (r == LDS_STORE_ROW)
        *org_id = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    if (r == LDS_STORE_DONE)
        return lds_err_set(err, LDS_ENOTFOUND, "no operator organisation; seed the demo first");
    return r == LDS_STORE_ROW ? LDS_OK : (lds_code)r;
}
