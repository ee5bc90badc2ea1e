/* test_catalog.c — data/catalog.json loads, converts by hand-checked factors,
 * stays idempotent, and bad documents are rejected with the JSON path named. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/catalog.h"
#include "lodestone/store.h"

/* Oxide -> metal factors from standard atomic weights (DOMAIN.md section 2:
 * Nd2O3 0.857, Pr6O11 0.828, Dy2O3 0.871, Tb4O7 0.850). */
#define F_ND 0.8574
#define F_PR 0.8277
#define F_DY 0.8713
#define F_TB 0.8502
/* NdPr metal reduced from a 25:75 Pr6O11:Nd2O3 oxide. */
#define PR_SHARE (0.25 * F_PR / (0.25 * F_PR + 0.75 * F_ND))

static char catalog_path[512];

static const char *catalog_file(void)
{
    snprintf(catalog_path, sizeof catalog_path, "%s/data/catalog.json", lds_test_source_root());
    return catalog_path;
}

static lds_store *fresh_store(const char *name)
{
    char path[512];
    lds_store *s = NULL;
    lds_err e;
    lds_test_path(path, sizeof path, name);
    remove(path);
    assert_int_equal(lds_store_open(path, &s, &e), LDS_OK);
    assert_int_equal(lds_store_migrate(s, NULL, &e), LDS_OK);
    return s;
}

static int64_t count(lds_store *s, const char *sql)
{
    lds_stmt *st;
    lds_err e;
    assert_int_equal(lds_store_prepare(s, sql, &st, &e), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &e), LDS_STORE_ROW);
    return lds_stmt_col_i64(st, 0);
}

#define assert_near(a, b) assert_true(fabs((a) - (b)) <= 1e-6 * fmax(1.0, fabs(b)))

static void symbols_round_trip(void **state)
{
    (void)state;
    for (int e = 0; e < LDS_RE_N; e++)
        assert_int_equal(lds_re_parse(lds_re_symbol((lds_re)e)), e);
    assert_string_equal(lds_re_oxide(LDS_RE_PR), "Pr6O11");
    assert_string_equal(lds_re_oxide(LDS_RE_TB), "Tb4O7");
    assert_int_equal(lds_re_parse("Pm"), -1);
    assert_null(lds_re_symbol(LDS_RE_N));
}

static void catalog_loads_into_store(void **state)
{
    (void)state;
    static const char q_mat[] = "SELECT count(*) FROM materials";
    static const char q_content[] = "SELECT count(*) FROM material_content";
    static const char q_rec[] = "SELECT count(*) FROM recipes";
    static const char q_lines[] =
        "SELECT (SELECT count(*) FROM recipe_inputs) + (SELECT count(*) FROM recipe_outputs)";
    static const char q_regions[] =
        "SELECT count(*) FROM regions WHERE id IN ('zhanggong', 'nanshan')";
    static const char q_stages[] = "SELECT count(*) FROM stages";
    static const char q_nosrc[] =
        "SELECT count(*) FROM material_content WHERE source IS NULL OR source = ''";
    static const char q_sep[] =
        "SELECT count(*) FROM recipe_outputs WHERE recipe_id = 'sep_sx_xunwu'";
    static const char q_ver[] = "SELECT count(*) FROM meta WHERE key = 'catalog_version'";
    lds_store *s = fresh_store("load.db");
    lds_err e;
    assert_int_equal(lds_catalog_load_file(s, catalog_file(), &e), LDS_OK);
    int64_t n_mat = count(s, q_mat), n_content = count(s, q_content), n_rec = count(s, q_rec);
    int64_t n_lines = count(s, q_lines);
    assert_true(n_mat >= 50);
    assert_true(n_rec >= 30);
    assert_int_equal(count(s, q_regions), 2);
    assert_int_equal(count(s, q_stages), 8);
    assert_int_equal(count(s, q_nosrc), 0);
    assert_int_equal(count(s, q_sep), 15); /* every element of the Xunwu ore leaves as an oxide */
    /* Idempotent: a second load leaves exactly one copy. */
    assert_int_equal(lds_catalog_load_file(s, catalog_file(), &e), LDS_OK);
    assert_int_equal(count(s, q_mat), n_mat);
    assert_int_equal(count(s, q_content), n_content);
    assert_int_equal(count(s, q_rec), n_rec);
    assert_int_equal(count(s, q_lines), n_lines);
    assert_int_equal(count(s, q_ver), 1);
    lds_store_close(s);
}

/* 1 t of N42UH: RE 31.5 wt% = NdPr 25.5 + Dy 5.5 + Tb 0.5 (metal). */
static void magnet_grade_converts_by_hand(void **state)
{
    (void)state;
    lds_catalog *c;
    lds_reo r;
    lds_err e;
    assert_int_equal(lds_catalog_parse_file(catalog_file(), &c, &e), LDS_OK);
    assert_int_equal(lds_catalog_convert(c, "mag_n42uh", 1.0, &r, &e), LDS_OK);
    double nd = 0.255 * (1 - PR_SHARE) / F_ND, pr = 0.255 * PR_SHARE / F_PR;
    double dy = 0.055 / F_DY, tb = 0.005 / F_TB;
    assert_near(r.oxide_t[LDS_RE_ND], nd);
    assert_near(r.oxide_t[LDS_RE_PR], pr);
    assert_near(r.oxide_t[LDS_RE_DY], dy);
    assert_near(r.oxide_t[LDS_RE_TB], tb);
    assert_near(r.total_oxide_t, nd + pr + dy + tb);
    assert_near(r.total_metal_t, 0.315);
    assert_near(r.metal_t[LDS_RE_DY], 0.055);
    /* Roughly 0.22 t Nd2O3, 0.075 t Pr6O11, 0.063 t Dy2O3, 0.006 t Tb4O7, 0.37 t REO. */
    assert_true(r.total_oxide_t > 0.36 && r.total_oxide_t < 0.38);
    /* Linear in quantity. */
    lds_reo r2;
    assert_int_equal(lds_catalog_convert(c, "mag_n42uh", 2.5, &r2, &e), LDS_OK);
    assert_near(r2.total_oxide_t, 2.5 * r.total_oxide_t);
    /* N52 carries no heavy rare earths; N38EH carries the most. */
    assert_int_equal(lds_catalog_convert(c, "mag_n52", 1.0, &r, &e), LDS_OK);
    assert_true(r.oxide_t[LDS_RE_DY] == 0 && r.oxide_t[LDS_RE_TB] == 0);
    assert_near(r.total_metal_t, 0.295);
    assert_int_equal(lds_catalog_convert(c, "mag_n38eh", 1.0, &r, &e), LDS_OK);
    assert_near(r.oxide_t[LDS_RE_DY], 0.07 / F_DY);
    assert_near(r.oxide_t[LDS_RE_TB], 0.01 / F_TB);
    const lds_material *m = lds_catalog_material(c, "mag_n38eh");
    assert_non_null(m);
    assert_int_equal(m->export_controlled, 1);
    assert_int_equal(lds_catalog_material(c, "mag_n52")->export_controlled, 0);
    assert_int_equal(lds_catalog_material(c, "dy2o3")->export_controlled, 1);
    assert_int_equal(lds_catalog_material(c, "nd2o3")->export_controlled, 0);
    assert_int_equal(lds_catalog_material(c, "motor_ev_traction")->export_controlled, 0);
    lds_catalog_free(c);
}

/* 1 t NdPr metal -> 1/0.850 = 1.18 t PrNd oxide (DOMAIN.md inverse factor). */
static void ndpr_metal_converts_to_oxide(void **state)
{
    (void)state;
    lds_catalog *c;
    lds_reo r;
    lds_err e;
    assert_int_equal(lds_catalog_parse_file(catalog_file(), &c, &e), LDS_OK);
    assert_int_equal(lds_catalog_convert(c, "ndpr_metal", 1.0, &r, &e), LDS_OK);
    assert_near(r.total_oxide_t, 1.0 / (0.25 * F_PR + 0.75 * F_ND));
    assert_true(fabs(r.total_oxide_t - 1.18) < 0.01);
    assert_near(r.oxide_t[LDS_RE_PR] / r.total_oxide_t, 0.25);
    assert_near(r.total_metal_t, 1.0);
    /* Dy-Fe (80% Dy): 0.8 / 0.8713 t Dy2O3; Tb metal: 1 / 0.8502 = 1.18 t Tb4O7. */
    assert_int_equal(lds_catalog_convert(c, "dyfe_alloy", 1.0, &r, &e), LDS_OK);
    assert_near(r.oxide_t[LDS_RE_DY], 0.8 / F_DY);
    assert_int_equal(lds_catalog_convert(c, "tb_metal", 1.0, &r, &e), LDS_OK);
    assert_near(r.total_oxide_t, 1.0 / F_TB);
    lds_catalog_free(c);
}

/* Components and end products inherit content from their recipes. */
static void components_follow_their_recipes(void **state)
{
    (void)state;
    lds_catalog *c;
    lds_reo motor, car, robot, mag;
    lds_err e;
    assert_int_equal(lds_catalog_parse_file(catalog_file(), &c, &e), LDS_OK);
    /* 150 kW motor: 1.8 kg N42SH (RE 31 wt%) -> 0.56 kg RE (DOMAIN worked example). */
    assert_int_equal(lds_catalog_convert(c, "motor_ev_traction", 1.0, &motor, &e), LDS_OK);
    assert_near(motor.total_metal_t, 0.0018 * 0.31);
    assert_int_equal(lds_catalog_convert(c, "mag_n42sh", 0.0018, &mag, &e), LDS_OK);
    assert_near(motor.total_oxide_t, mag.total_oxide_t);
    /* A car holds 4 kg of magnets; a humanoid 28 x 125 g of N48SH. */
    assert_int_equal(lds_catalog_convert(c, "ev_bev", 1.0, &car, &e), LDS_OK);
    assert_true(car.total_metal_t > motor.total_metal_t);
    assert_near(car.total_metal_t, 0.0018 * 0.31 + 0.0008 * 0.30 + 0.0014 * 0.30);
    assert_int_equal(lds_catalog_convert(c, "robot_humanoid", 1.0, &robot, &e), LDS_OK);
    assert_near(robot.total_metal_t, 0.0035 * 0.31);
    /* A quadcopter: 4 x 18.75 g N52 = 75 g of magnet, RE 29.5 wt%. */
    assert_int_equal(lds_catalog_convert(c, "drone_quad", 1.0, &robot, &e), LDS_OK);
    assert_near(robot.total_metal_t, 0.000075 * 0.295);
    /* Wind: 0.7 t N42SH per MW. */
    assert_int_equal(lds_catalog_convert(c, "wind_turbine_dd", 1.0, &robot, &e), LDS_OK);
    assert_near(robot.metal_t[LDS_RE_DY], 0.7 * 0.04);
    lds_catalog_free(c);
}

/* Separation splits the carbonate by the ore's distribution at 96%. */
static void separation_conserves_elements(void **state)
{
    (void)state;
    lds_catalog *c;
    lds_err e;
    lds_reo in;
    assert_int_equal(lds_catalog_parse_file(catalog_file(), &c, &e), LDS_OK);
    const lds_recipe *r = lds_catalog_recipe(c, "sep_sx_longnan");
    assert_non_null(r);
    assert_int_equal(lds_catalog_convert(c, "carb_ionic_longnan", 1.0, &in, &e), LDS_OK);
    assert_near(in.total_oxide_t, 0.45);
    double out = 0;
    for (size_t k = 0; k < r->n_outputs; k++) {
        lds_reo o;
        assert_int_equal(lds_catalog_convert(c, r->outputs[k].material_id, r->outputs[k].qty, &o,
                                             &e),
                         LDS_OK);
        out += o.total_oxide_t;
    }
    assert_near(out, 0.45 * 0.96);
    assert_string_equal(r->output_id, "y2o3");
    assert_true(r->output_qty > 0.28 && r->output_qty < 0.29); /* ~65% Y2O3 of 0.432 t */
    /* Two ways to Xunwu carbonate: in-situ (70%) and legacy pool leaching (30%). */
    assert_non_null(lds_catalog_recipe_for(c, "carb_ionic_xunwu", 0));
    assert_non_null(lds_catalog_recipe_for(c, "carb_ionic_xunwu", 1));
    assert_null(lds_catalog_recipe_for(c, "carb_ionic_xunwu", 2));
    assert_null(lds_catalog_recipe_for(c, "ore_ionic_xunwu", 0));
    /* Ore -> carbonate at 70% in-situ recovery. */
    const lds_recipe *l = lds_catalog_recipe(c, "leach_insitu_longnan");
    assert_non_null(l);
    assert_near(l->inputs[0].qty * 0.001 * 0.70, 0.45);
    lds_catalog_free(c);
}

static void store_and_struct_agree(void **state)
{
    (void)state;
    lds_store *s = fresh_store("agree.db");
    lds_catalog *parsed, *read;
    lds_err e;
    assert_int_equal(lds_catalog_parse_file(catalog_file(), &parsed, &e), LDS_OK);
    assert_int_equal(lds_catalog_read(s, &read, &e), LDS_ENOTFOUND);
    assert_int_equal(lds_catalog_store(parsed, s, &e), LDS_OK);
    assert_int_equal(lds_catalog_read(s, &read, &e), LDS_OK);
    assert_int_equal(lds_catalog_n_materials(read), lds_catalog_n_materials(parsed));
    assert_int_equal(lds_catalog_n_recipes(read), lds_catalog_n_recipes(parsed));
    assert_string_equal(lds_catalog_version(read), lds_catalog_version(parsed));
    assert_int_equal(lds_catalog_store(read, s, &e), LDS_EINVAL);
    for (size_t i = 0; i < lds_catalog_n_materials(parsed); i++) {
        const lds_material *m = lds_catalog_material_at(parsed, i);
        lds_reo a, b, d;
        assert_int_equal(lds_catalog_convert(parsed, m->id, 3.0, &a, &e), LDS_OK);
        assert_int_equal(lds_catalog_convert(read, m->id, 3.0, &b, &e), LDS_OK);
        assert_int_equal(lds_catalog_reo(s, m->id, 3.0, &d, &e), LDS_OK);
        assert_near(a.total_oxide_t, b.total_oxide_t);
        assert_near(a.total_oxide_t, d.total_oxide_t);
        assert_near(a.total_metal_t, d.total_metal_t);
        assert_int_equal(lds_catalog_material(read, m->id)->export_controlled,
                         m->export_controlled);
    }
    const lds_recipe *r = lds_catalog_recipe(read, "sep_sx_xunwu");
    assert_non_null(r);
    assert_int_equal(r->n_outputs, lds_catalog_recipe(parsed, "sep_sx_xunwu")->n_outputs);
    lds_reo x;
    assert_int_equal(lds_catalog_reo(s, "no_such", 1, &x, &e), LDS_ENOTFOUND);
    assert_int_equal(lds_catalog_reo(s, "nd2o3", -1, &x, &e), LDS_EINVAL);
    assert_int_equal(lds_catalog_convert(read, "nd2o3", NAN, &x, &e), LDS_EINVAL);
    lds_catalog_free(parsed);
    lds_catalog_free(read);
    lds_store_close(s);
}

/* ---- bad documents -------------------------------------------------------- */

/* Loads the real catalog, applies `mutate`, and expects LDS_EINVAL naming
 * `field` (a JSON pointer) in both err.field and err.msg. */
static void expect_rejected_in(const char *file, void (*mutate)(json_t *root), const char *field,
                               const char *msg_part)
{
    json_error_t jerr;
    json_t *root = json_load_file(file, 0, &jerr);
    assert_non_null(root);
    mutate(root);
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    assert_non_null(text);
    lds_catalog *c = (lds_catalog *)1;
    lds_err e;
    lds_err_clear(&e);
    lds_code rc = lds_catalog_parse(text, strlen(text), &c, &e);
    free(text);
    if (rc != LDS_EINVAL || strcmp(e.field, field) != 0 || !strstr(e.msg, field) ||
        (msg_part && !strstr(e.msg, msg_part)))
        fail_msg("expected EINVAL at %s (%s), got %d at '%s': %s", field,
                 msg_part ? msg_part : "", rc, e.field, e.msg);
    assert_null(c);
}

static void expect_rejected(void (*mutate)(json_t *root), const char *field, const char *msg_part)
{
    expect_rejected_in(catalog_file(), mutate, field, msg_part);
}

static json_t *mat(json_t *root, size_t i)
{
    return json_array_get(json_object_get(root, "materials"), i);
}

static json_t *rec(json_t *root, size_t i)
{
    return json_array_get(json_object_get(root, "recipes"), i);
}

static void m_unknown_stage(json_t *root)
{
    json_object_set_new(mat(root, 3), "stage", json_string("smelting"));
}
static void m_unknown_material(json_t *root)
{
    json_t *in = json_array_get(json_object_get(rec(root, 2), "inputs"), 0);
    json_object_set_new(in, "material", json_string("unobtainium"));
}
static void m_negative_factor(json_t *root)
{
    json_t *ce = json_array_get(json_object_get(mat(root, 0), "content"), 2);
    json_object_del(ce, "oxide_t");
    json_object_set_new(ce, "oxide_t", json_real(-0.1));
}
static void m_missing_source(json_t *root)
{
    json_t *ce = json_array_get(json_object_get(mat(root, 1), "content"), 1);
    json_object_del(ce, "source");
}
static void m_bad_source(json_t *root)
{
    json_object_set_new(rec(root, 0), "source", json_string("trust me"));
}
static void m_missing_yield_source(json_t *root)
{
    json_object_del(rec(root, 7), "yield_source");
}
static void m_yield_above_one(json_t *root)
{
    json_object_set_new(rec(root, 7), "yield", json_real(1.2));
}
static void m_creates_rare_earth(json_t *root)
{
    /* el_ndpr with a tenth of the oxide it needs */
    for (size_t i = 0; i < json_array_size(json_object_get(root, "recipes")); i++)
        if (strcmp(json_string_value(json_object_get(rec(root, i), "id")), "el_ndpr") == 0) {
            json_t *in = json_array_get(json_object_get(rec(root, i), "inputs"), 0);
            json_object_set_new(in, "qty", json_real(0.12));
        }
}
static void m_duplicate_material(json_t *root)
{
    json_object_set_new(mat(root, 5), "id", json_string("ore_ionic_longnan"));
}
static void m_unknown_element(json_t *root)
{
    json_t *ce = json_array_get(json_object_get(mat(root, 0), "content"), 0);
    json_object_set_new(ce, "element", json_string("Xx"));
}
static void m_wrong_export_flag(json_t *root)
{
    for (size_t i = 0; i < json_array_size(json_object_get(root, "materials")); i++)
        if (strcmp(json_string_value(json_object_get(mat(root, i), "id")), "dy2o3") == 0)
            json_object_set_new(mat(root, i), "export_controlled", json_false());
}
static void m_unknown_recipe_ref(json_t *root)
{
    for (size_t i = 0; i < json_array_size(json_object_get(root, "materials")); i++)
        if (json_object_get(mat(root, i), "content_from_recipe")) {
            json_object_set_new(mat(root, i), "content_from_recipe", json_string("nope"));
            return;
        }
}
static void m_wrong_type(json_t *root)
{
    json_object_set_new(mat(root, 2), "name", json_integer(7));
}
static void m_misspelt_key(json_t *root)
{
    json_t *ce = json_array_get(json_object_get(mat(root, 2), "content"), 0);
    json_object_set(ce, "souce", json_object_get(ce, "source"));
    json_object_del(ce, "source");
}
static void m_both_oxide_and_metal(json_t *root)
{
    json_t *ce = json_array_get(json_object_get(mat(root, 0), "content"), 0);
    json_object_set_new(ce, "metal_t", json_real(0.1));
}
static void m_top_level_typo(json_t *root)
{
    json_object_set_new(root, "recipies", json_array());
}
static void m_bad_lat(json_t *root)
{
    json_object_set_new(json_array_get(json_object_get(root, "regions"), 1), "lat",
                        json_real(95.0));
}
static void m_unknown_exempt_stage(json_t *root)
{
    json_array_append_new(json_object_get(json_object_get(root, "export_control"),
                                          "exempt_stages"),
                          json_string("retail"));
}
static void m_no_recipes(json_t *root)
{
    json_object_del(root, "recipes");
}

static void bad_documents_name_the_path(void **state)
{
    (void)state;
    expect_rejected(m_unknown_stage, "/materials/3/stage", "unknown stage");
    expect_rejected(m_unknown_material, "/recipes/2/inputs/0/material", "unknown material");
    expect_rejected(m_negative_factor, "/materials/0/content/2/oxide_t", "negative");
    expect_rejected(m_missing_source, "/materials/1/content/1/source", "missing");
    expect_rejected(m_bad_source, "/recipes/0/source", "cite a URL");
    expect_rejected(m_missing_yield_source, "/recipes/7/yield_source", NULL);
    expect_rejected(m_yield_above_one, "/recipes/7/yield", "maximum");
    expect_rejected(m_duplicate_material, "/materials/5/id", "duplicate");
    expect_rejected(m_unknown_element, "/materials/0/content/0/element", "unknown element");
    expect_rejected(m_wrong_type, "/materials/2/name", "string");
    expect_rejected(m_no_recipes, "/recipes", "missing");
    expect_rejected(m_misspelt_key, "/materials/2/content/0/souce", "unknown member");
    expect_rejected(m_both_oxide_and_metal, "/materials/0/content/0", "exactly one");
    expect_rejected(m_top_level_typo, "/recipies", "unknown member");
    expect_rejected(m_bad_lat, "/regions/1/lat", "maximum");
    expect_rejected(m_unknown_exempt_stage, "/export_control/exempt_stages/2", "unknown stage");
}

static void semantic_errors_name_the_path(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *root = json_load_file(catalog_file(), 0, &jerr);
    assert_non_null(root);
    char idx_ndpr[64] = "", idx_dy[64] = "", idx_from[64] = "";
    for (size_t i = 0; i < json_array_size(json_object_get(root, "recipes")); i++)
        if (strcmp(json_string_value(json_object_get(rec(root, i), "id")), "el_ndpr") == 0)
            snprintf(idx_ndpr, sizeof idx_ndpr, "/recipes/%zu", i);
    for (size_t i = 0; i < json_array_size(json_object_get(root, "materials")); i++) {
        if (strcmp(json_string_value(json_object_get(mat(root, i), "id")), "dy2o3") == 0)
            snprintf(idx_dy, sizeof idx_dy, "/materials/%zu/export_controlled", i);
        if (!idx_from[0] && json_object_get(mat(root, i), "content_from_recipe"))
            snprintf(idx_from, sizeof idx_from, "/materials/%zu/content_from_recipe", i);
    }
    json_decref(root);
    expect_rejected(m_creates_rare_earth, idx_ndpr, "creates");
    expect_rejected(m_wrong_export_flag, idx_dy, "Dy");
    expect_rejected(m_unknown_recipe_ref, idx_from, "unknown recipe");
}

/* ---- the minimal catalog of the fuzz corpus ------------------------------ */

static char minimal_path[512];

static const char *minimal_file(void)
{
    snprintf(minimal_path, sizeof minimal_path, "%s/fuzz/corpus/catalog/minimal.json",
             lds_test_source_root());
    return minimal_path;
}

static void minimal_catalog_derives_by_hand(void **state)
{
    (void)state;
    lds_catalog *c;
    lds_err e;
    lds_reo r;
    if (lds_catalog_parse_file(minimal_file(), &c, &e) != LDS_OK)
        fail_msg("%s", e.msg);
    const lds_recipe *sep = lds_catalog_recipe(c, "sep");
    assert_non_null(sep);
    assert_int_equal(sep->n_outputs, 2);
    assert_near(sep->output_qty, 0.8 * 0.9);
    for (size_t k = 0; k < sep->n_outputs; k++)
        if (strcmp(sep->outputs[k].material_id, "dy2o3") == 0)
            assert_near(sep->outputs[k].qty, 0.2 * 0.9);
    /* The motor holds 2 kg of magnet at 30% Nd metal. */
    assert_int_equal(lds_catalog_convert(c, "motor", 10, &r, &e), LDS_OK);
    assert_near(r.metal_t[LDS_RE_ND], 10 * 0.002 * 0.3);
    assert_near(r.oxide_t[LDS_RE_ND], 10 * 0.002 * 0.3 / 0.8574);
    assert_int_equal(lds_catalog_material(c, "mix")->export_controlled, 1); /* 17% Dy */
    assert_int_equal(lds_catalog_material(c, "mag")->export_controlled, 0);
    assert_int_equal(lds_catalog_convert(c, "nope", 1, &r, &e), LDS_ENOTFOUND);
    lds_catalog_free(c);
}

static json_t *find_id(json_t *arr, const char *id)
{
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(arr, i), "id")), id) == 0)
            return json_array_get(arr, i);
    return NULL;
}

static void m_cycle(json_t *root)
{
    json_t *m = find_id(json_object_get(root, "materials"), "mag");
    json_object_del(m, "content");
    json_object_set_new(m, "content_from_recipe", json_string("asm_mag"));
    json_error_t jerr;
    json_array_append_new(json_object_get(root, "recipes"),
                          json_loads("{\"id\": \"asm_mag\", \"name\": \"x\", \"stage\": \"magnet\","
                                     " \"output\": \"mag\", \"output_qty\": 1, \"inputs\":"
                                     " [{\"material\": \"motor\", \"qty\": 1}],"
                                     " \"source\": \"derived: x\"}",
                                     0, &jerr));
}
static void m_lost_element(json_t *root)
{
    json_object_del(json_object_get(find_id(json_object_get(root, "recipes"), "sep"),
                                    "coproducts_by_content"),
                    "Dy");
}
static void m_wrong_recipe_output(json_t *root)
{
    json_object_set_new(find_id(json_object_get(root, "materials"), "motor"),
                        "content_from_recipe", json_string("sep"));
}
static void m_product_lacks_element(json_t *root)
{
    json_object_set_new(json_object_get(find_id(json_object_get(root, "recipes"), "sep"),
                                        "coproducts_by_content"),
                        "Dy", json_string("nd2o3"));
}
static void m_t_without_mass(json_t *root)
{
    json_object_del(find_id(json_object_get(root, "materials"), "mag"), "unit_mass_kg");
}
static void m_output_qty_with_coproducts(json_t *root)
{
    json_object_set_new(find_id(json_object_get(root, "recipes"), "sep"), "output_qty",
                        json_integer(1));
}

static void derivation_errors_name_the_path(void **state)
{
    (void)state;
    expect_rejected_in(minimal_file(), m_cycle, "/materials/3/content_from_recipe", "itself");
    expect_rejected_in(minimal_file(), m_lost_element, "/recipes/0/coproducts_by_content",
                       "no co-product takes it");
    expect_rejected_in(minimal_file(), m_wrong_recipe_output, "/materials/4/content_from_recipe",
                       "does not make");
    expect_rejected_in(minimal_file(), m_product_lacks_element,
                       "/recipes/0/coproducts_by_content/Dy", "contains no Dy2O3");
    expect_rejected_in(minimal_file(), m_t_without_mass, "/materials/3/unit_mass_kg", "1000");
    expect_rejected_in(minimal_file(), m_output_qty_with_coproducts, "/recipes/0/output_qty",
                       "derived");
}

static void syntax_errors_carry_line(void **state)
{
    (void)state;
    static const char text[] = "{\n  \"catalog_version\": \"x\",\n  \"elements\": [,]\n}";
    lds_catalog *c;
    lds_err e;
    assert_int_equal(lds_catalog_parse(text, sizeof text - 1, &c, &e), LDS_EINVAL);
    assert_int_equal(e.line, 3);
    assert_null(c);
    static const char dup[] = "{\"catalog_version\": \"x\", \"catalog_version\": \"y\"}";
    assert_int_equal(lds_catalog_parse(dup, sizeof dup - 1, &c, &e), LDS_EINVAL);
    assert_int_equal(lds_catalog_parse_file("/nonexistent/catalog.json", &c, &e), LDS_EIO);
    /* A rejected load leaves the store untouched. */
    lds_store *s = fresh_store("reject.db");
    char path[512];
    lds_test_path(path, sizeof path, "bad.json");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"catalog_version\": \"x\"}", f);
    fclose(f);
    assert_int_equal(lds_catalog_load_file(s, path, &e), LDS_EINVAL);
    assert_string_equal(e.field, "/elements");
    static const char q[] = "SELECT count(*) FROM materials";
    assert_int_equal(count(s, q), 0);
    lds_store_close(s);
}

/* Allocation failures end in a clean LDS_ENOMEM, never a crash or leak. */
static void parse_survives_allocation_failures(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = lds_test_read_file(catalog_file(), &len);
    assert_non_null(text);
    int ok = 0;
    for (long n = 1; n < 400 && !ok; n += 7) {
        lds_catalog *c;
        lds_err e;
        lds_alloc_fail_after(n);
        lds_code rc = lds_catalog_parse(text, len, &c, &e);
        lds_alloc_fail_after(0);
        assert_true(rc == LDS_OK || rc == LDS_ENOMEM);
        if (rc == LDS_OK) {
            ok = 1;
            lds_catalog_free(c);
        }
    }
    assert_true(ok);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(symbols_round_trip),
        cmocka_unit_test(catalog_loads_into_store),
        cmocka_unit_test(magnet_grade_converts_by_hand),
        cmocka_unit_test(ndpr_metal_converts_to_oxide),
        cmocka_unit_test(components_follow_their_recipes),
        cmocka_unit_test(separation_conserves_elements),
        cmocka_unit_test(store_and_struct_agree),
        cmocka_unit_test(bad_documents_name_the_path),
        cmocka_unit_test(semantic_errors_name_the_path),
        cmocka_unit_test(minimal_catalog_derives_by_hand),
        cmocka_unit_test(derivation_errors_name_the_path),
        cmocka_unit_test(syntax_errors_carry_line),
        cmocka_unit_test(parse_survives_allocation_failures),
    };
    return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
