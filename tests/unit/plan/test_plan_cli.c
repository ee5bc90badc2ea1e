/* test_plan_cli.c — `lodestone plan` as a user runs it: usage and exit
 * codes, a seeded corridor (catalog, demo, planning data, market lanes)
 * planned as text and as JSON with a side-by-side comparison, and saved
 * runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <jansson.h>
#include "harness.h"
#include "lodestone/catalog.h"
#include "lodestone/demo.h"
#include "lodestone/market.h"
#include "lodestone/plan.h"

static char db[512];

/* Runs the binary with `args` (shell-quoted by the caller), stdout to
 * `out_path`; returns the exit status. */
static int run(const char *args, const char *out_path)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' plan %s >'%s' 2>>'%s.err'", lds_test_bin(), args, out_path,
             out_path);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
    (void)state;
    char cat[512];
    lds_store *s;
    lds_err e;
    lds_test_path(db, sizeof db, "plan_cli.db");
    remove(db);
    snprintf(cat, sizeof cat, "%s/data/catalog.json", lds_test_source_root());
    if (lds_store_open(db, &s, &e) || lds_store_migrate(s, NULL, &e) ||
        lds_catalog_load_file(s, cat, &e) || lds_demo_seed(s, LDS_DEMO_DEFAULT_SEED, &e) ||
        lds_market_seed_demo_lanes(s, &e) || lds_plan_seed_demo(s, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    lds_plan_data *d;
    if (lds_plan_read(s, &d, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    /* the store's lanes replace the default corridor set */
    lds_stmt *st;
    static const char q[] = "SELECT COUNT(*) FROM lanes";
    if (lds_store_prepare(s, q, &st, &e) || lds_stmt_step(st, &e) != LDS_STORE_ROW)
        return -1;
    int ok = lds_plan_data_input(d)->n_lanes == (size_t)lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    lds_plan_data_free(d);
    lds_store_close(s);
    return ok ? 0 : -1;
}

static void usage_and_exit_codes(void **state)
{
    (void)state;
    char out[512], args[1024];
    lds_test_path(out, sizeof out, "plan_cli.out");
    assert_int_equal(run("--help", out), 0);
    size_t n;
    char *text = lds_test_read_file(out, &n);
    assert_non_null(text);
    assert_non_null(strstr(text, "--scenario"));
    free(text);
    assert_int_equal(run("--bogus", out), 2);
    assert_int_equal(run("--db x.db extra", out), 2);
    snprintf(args, sizeof args, "--db '%s' --scenario no-such-scenario", db);
    assert_int_equal(run(args, out), 1);
}

static void plans_compares_and_saves(void **state)
{
    (void)state;
    char out[512], args[1024];
    lds_test_path(out, sizeof out, "plan_cli.json");
    snprintf(args, sizeof args,
             "--db '%s' --scenario baseline --compare export-controls-dy-tb-50 --json --save", db);
    assert_int_equal(run(args, out), 0);
    json_error_t je;
    json_t *j = json_load_file(out, 0, &je);
    if (!j)
        fail_msg("JSON: %s at line %d", je.text, je.line);
    json_t *plans = json_object_get(j, "plans");
    assert_int_equal(json_array_size(plans), 2);
    json_t *a = json_array_get(plans, 0), *b = json_array_get(plans, 1);
    assert_string_equal(json_string_value(json_object_get(b, "scenario")), "export-controls-dy-tb-50");
    assert_true(json_array_size(json_object_get(a, "production")) > 0);
    assert_true(json_array_size(json_object_get(a, "bottlenecks")) > 0);
    assert_true(json_array_size(json_object_get(a, "surplus")) > 0);
    /* the shocked plan costs more: Dy/Tb offers are halved */
    assert_true(json_real_value(json_object_get(json_object_get(j, "delta"), "cost_cny")) > 0);
    /* licensed flows leave China only for Germany and Michigan */
    json_t *flows = json_object_get(b, "flows");
    for (size_t i = 0; i < json_array_size(flows); i++) {
        json_t *f = json_array_get(flows, i);
        if (json_is_true(json_object_get(f, "licence"))) {
            const char *to = json_string_value(json_object_get(f, "to"));
            assert_true(strcmp(to, "de_bw") == 0 || strcmp(to, "us_mi") == 0);
        }
    }
    json_decref(j);
    lds_store *s;
    lds_err e;
    assert_int_equal(lds_store_open(db, &s, &e), LDS_OK);
    lds_stmt *st;
    static const char q[] = "SELECT COUNT(*), MIN(status) FROM plan_runs";
    assert_int_equal(lds_store_prepare(s, q, &st, &e), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &e), LDS_STORE_ROW);
    assert_int_equal(lds_stmt_col_i64(st, 0), 2);
    assert_string_equal(lds_stmt_col_text(st, 1), "optimal");
    lds_stmt_reset(st);
    lds_store_close(s);
    /* text output names bottlenecks and the comparison */
    lds_test_path(out, sizeof out, "plan_cli.txt");
    snprintf(args, sizeof args, "--db '%s' --compare export-controls-dy-tb-50", db);
    assert_int_equal(run(args, out), 0);
    size_t n;
    char *text = lds_test_read_file(out, &n);
    assert_non_null(text);
    assert_non_null(strstr(text, "bottlenecks"));
    assert_non_null(strstr(text, "co-product surplus"));
    assert_non_null(strstr(text, "comparison"));
    free(text);
}

static void mrp_explosion_as_json(void **state)
{
    (void)state;
    char out[512], args[1024];
    lds_test_path(out, sizeof out, "plan_mrp.json");
    snprintf(args, sizeof args, "--db '%s' --mrp --json", db);
    assert_int_equal(run(args, out), 0);
    json_error_t je;
    json_t *j = json_load_file(out, 0, &je);
    if (!j)
        fail_msg("JSON: %s at line %d", je.text, je.line);
    json_t *needs = json_object_get(j, "needs");
    int ore = 0, before = 0, prev_level = 0, ordered = 1;
    for (size_t i = 0; i < json_array_size(needs); i++) {
        json_t *n = json_array_get(needs, i);
        const char *m = json_string_value(json_object_get(n, "material"));
        int level = (int)json_integer_value(json_object_get(n, "level"));
        ordered &= level >= prev_level;
        prev_level = level;
        ore |= strncmp(m, "ore_ionic_", 10) == 0;
        before |= strcmp(json_string_value(json_object_get(n, "period")), "2026-01") < 0;
    }
    assert_true(ore);
    assert_true(before); /* January's cars need ore mined in 2025 */
    assert_true(ordered);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usage_and_exit_codes),
        cmocka_unit_test(plans_compares_and_saves),
        cmocka_unit_test(mrp_explosion_as_json),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
