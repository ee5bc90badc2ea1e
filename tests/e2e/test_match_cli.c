/*
 * test_match_cli.c — `lodestone match` end to end on the CSV fixtures in
 * tests/data/match: golden totals (text and JSON), --out/--unmet files,
 * export licences, every malformed-row error as FILE:LINE with exit 1, and
 * usage errors with exit 2.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "server.h"

#define D "tests/data/match/"

static int run(const char *args, char **out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' match %s 2>&1", lds_test_source_root(),
             lds_test_bin(), args);
    return lds_test_run(cmd, out);
}

static int run_stdout(const char *args, char **out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' match %s 2>/dev/null", lds_test_source_root(),
             lds_test_bin(), args);
    return lds_test_run(cmd, out);
}

static void golden_text_totals_on_last_lines(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(run("--offers " D "offers.csv --requests " D "requests.csv --lanes " D
                         "lanes.csv",
                         &out),
                     0);
    const char *tail = strstr(out, "matched quantity: 16.750\ntotal cost: 1408.62\n");
    assert_non_null(tail);
    assert_string_equal(tail, "matched quantity: 16.750\ntotal cost: 1408.62\n");
    assert_non_null(strstr(out, "unmet R4: 1.000 of 1.000 (no_lane)\n"
                                "  why lane: no lane zhanggong -> de_bw\n"));
    assert_non_null(strstr(out, "allocate O3 -> R3: 3.250 magnet_scrap nanshan->zhanggong"));
    free(out);
}

static void golden_json(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(run_stdout("--json --offers " D "offers.csv --requests " D
                                "requests.csv --lanes " D "lanes.csv",
                                &out),
                     0);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    if (!j)
        fail_msg("not JSON (%s): %s", je.text, out);
    assert_true(json_is_number(json_object_get(j, "matched_quantity")));
    assert_int_equal(json_integer_value(json_object_get(j, "matched_quantity_milli")), 16750);
    assert_int_equal(json_integer_value(json_object_get(j, "total_cost_cents")), 140862);
    assert_true(json_number_value(json_object_get(j, "total_cost")) > 1408.61);
    json_t *al = json_object_get(j, "allocations"), *un = json_object_get(j, "unmet");
    assert_int_equal(json_array_size(al), 3);
    assert_int_equal(json_array_size(un), 3);
    json_t *first = json_array_get(al, 0);
    assert_string_equal(json_string_value(json_object_get(first, "offer")), "O1");
    assert_string_equal(json_string_value(json_object_get(first, "request")), "R1");
    assert_string_equal(json_string_value(json_object_get(first, "ship_period")), "2026-02");
    assert_true(json_object_get(first, "line_total") != NULL);
    assert_string_equal(json_string_value(json_object_get(json_array_get(un, 2), "reason")),
                        "no_lane");
    json_t *r2 = json_array_get(un, 0);
    assert_string_equal(json_string_value(json_object_get(r2, "request")), "R2");
    assert_true(json_number_value(json_object_get(r2, "quantity")) == 0.5);
    assert_true(json_number_value(json_object_get(r2, "requested_quantity")) == 6.0);
    /* why short: R2's only compatible offer O2 is fully allocated to it and
     * nothing dearer can be replaced (value 0.00); O1 is over R2's cap with
     * the cheapest lane in time (100.00 + 3.00 > 100.00); R4 has no lane */
    json_t *why = json_object_get(r2, "why");
    assert_int_equal(json_array_size(why), 2);
    json_t *w0 = json_array_get(why, 0), *w1 = json_array_get(why, 1);
    assert_string_equal(json_string_value(json_object_get(w0, "kind")), "supply");
    assert_string_equal(json_string_value(json_object_get(w0, "offer")), "O2");
    assert_true(json_number_value(json_object_get(w0, "dual")) == 0.0);
    assert_string_equal(json_string_value(json_object_get(w0, "detail")),
                        "offer O2 (5.500) fully allocated to request R2; one more unit there is "
                        "worth 0.00 (it would reach this request at 90.00 + lane 3.00)");
    assert_string_equal(json_string_value(json_object_get(w1, "kind")), "price_cap");
    assert_string_equal(json_string_value(json_object_get(w1, "detail")),
                        "offer O1 could serve but price 100.00 + lane 3.00 > cap 100.00");
    assert_true(json_is_null(json_object_get(w1, "dual")));
    json_t *w4 = json_array_get(json_object_get(json_array_get(un, 2), "why"), 0);
    assert_string_equal(json_string_value(json_object_get(w4, "kind")), "lane");
    assert_string_equal(json_string_value(json_object_get(w4, "from_region")), "zhanggong");
    assert_string_equal(json_string_value(json_object_get(w4, "detail")),
                        "no lane zhanggong -> de_bw");
    json_t *du = json_object_get(j, "duals");
    assert_int_equal(json_array_size(du), 4);
    assert_true(json_is_null(json_object_get(json_array_get(du, 0), "price")));
    assert_true(json_number_value(json_object_get(json_array_get(du, 1), "price")) == 103.0);
    json_decref(j);
    free(out);
}

static void writes_allocation_and_unmet_csv(void **state)
{
    (void)state;
    char a[512], u[512], args[2048], *out = NULL;
    lds_test_path(a, sizeof a, "alloc.csv");
    lds_test_path(u, sizeof u, "unmet.csv");
    snprintf(args, sizeof args,
             "--offers " D "offers.csv --requests " D "requests.csv --lanes " D
             "lanes.csv --out '%s' --unmet '%s'",
             a, u);
    assert_int_equal(run(args, &out), 0);
    free(out);
    char *text = lds_test_read_file(a, NULL);
    assert_non_null(text);
    assert_memory_equal(text, "offer,request,offer_org,request_org,material,from_region,to_region,"
                              "quantity,ship_period,transit_periods,unit_price,logistics_cost,"
                              "line_total,licence_required,licence_lead_periods\n",
                        strlen("offer,request,offer_org,request_org,material,from_region,to_region,"
                               "quantity,ship_period,transit_periods,unit_price,logistics_cost,"
                               "line_total,licence_required,licence_lead_periods\n"));
    assert_non_null(strstr(text, "O2,R2,gz-sep,sz-mag2,nd2o3,zhanggong,nanshan,5.500,2026-03,2,"
                                 "90.00,3.00,511.50,no,0\n"));
    free(text);
    text = lds_test_read_file(u, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "R3,gz-recy,magnet_scrap,zhanggong,2026-06,4.000,0.750,"
                                 "insufficient_supply\n"));
    free(text);
}

static void export_licence_from_flags_and_catalog(void **state)
{
    (void)state;
    const char *const forms[] = {"--controlled dy2o3 --abroad de_bw",
                                 "--catalog data/catalog.json"};
    for (int i = 0; i < 2; i++) {
        char args[1024], *out = NULL;
        snprintf(args, sizeof args,
                 "--offers " D "offers_licence.csv --requests " D "requests_licence.csv --lanes " D
                 "lanes_licence.csv %s",
                 forms[i]);
        assert_int_equal(run(args, &out), 0);
        assert_non_null(strstr(out, "ship 2026-01"));
        assert_non_null(strstr(out, "(export licence, 2 periods lead)"));
        assert_non_null(strstr(out, "unmet DE2: 1.000 of 1.000 (licence_lead_time)"));
        assert_non_null(strstr(out, "matched quantity: 1.500\ntotal cost: 3060.00\n"));
        free(out);
    }
}

static void malformed_rows_name_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *which, *file, *extra, *want;
    } cases[] = {
        {"offers", "bad_missing_column.csv", "", "bad_missing_column.csv:1: missing column 'unit_price'"},
        {"offers", "bad_number.csv", "", "bad_number.csv:3: quantity: 'abc' is not a number"},
        {"offers", "bad_negative.csv", "", "bad_negative.csv:2: quantity: '-5' is negative"},
        {"offers", "bad_period_order.csv", "", "bad_period_order.csv:4: period_to is before period_from"},
        {"offers", "bad_decimals.csv", "", "bad_decimals.csv:2: quantity: '1.2345' has more than 3 decimals"},
        {"offers", "bad_price_decimals.csv", "", "bad_price_decimals.csv:2: unit_price: '10.001' has more than 2"},
        {"offers", "bad_duplicate.csv", "", "bad_duplicate.csv:3: duplicate id 'O1'"},
        {"offers", "bad_region.csv", "--catalog data/catalog.json", "bad_region.csv:3: region: unknown region 'atlantis'"},
        {"requests", "bad_due_period.csv", "", "bad_due_period.csv:2: due_period: '2026-13' is not a period"},
        {"lanes", "bad_transit.csv", "", "bad_transit.csv:2: transit_periods: '1.5' is not a whole number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[1024], *out = NULL;
        const char *o = strcmp(cases[i].which, "offers") ? D "offers.csv" : NULL;
        const char *r = strcmp(cases[i].which, "requests") ? D "requests.csv" : NULL;
        const char *l = strcmp(cases[i].which, "lanes") ? D "lanes.csv" : NULL;
        char bad[256];
        snprintf(bad, sizeof bad, D "%s", cases[i].file);
        snprintf(args, sizeof args, "--offers %s --requests %s --lanes %s %s", o ? o : bad,
                 r ? r : bad, l ? l : bad, cases[i].extra);
        int rc = run(args, &out);
        if (rc != 1 || !strstr(out, cases[i].want))
            fail_msg("%s -> %d: %s (want '%s')", cases[i].file, rc, out, cases[i].want);
        assert_null(strstr(out, "matched quantity")); /* nothing printed on error */
        free(out);
    }
    char *out = NULL;
    assert_int_equal(run("--offers /nonexistent.csv --requests " D "requests.csv --lanes " D
                         "lanes.csv",
                         &out),
                     1);
    free(out);
}

static void usage_and_help(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(run("--help", &out), 0);
    assert_non_null(strstr(out, "Usage: lodestone match"));
    free(out);
    static const char *const bad[] = {
        "", "--offers " D "offers.csv --requests " D "requests.csv",
        "--offers " D "offers.csv --requests " D "requests.csv --lanes " D "lanes.csv --bogus",
        "--offers " D "offers.csv --requests " D "requests.csv --lanes " D "lanes.csv extra",
        "--offers"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = run(bad[i], &out);
        if (rc != 2)
            fail_msg("'match %s' -> %d (want 2): %s", bad[i], rc, out);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_text_totals_on_last_lines),
        cmocka_unit_test(golden_json),
        cmocka_unit_test(writes_allocation_and_unmet_csv),
        cmocka_unit_test(export_licence_from_flags_and_catalog),
        cmocka_unit_test(malformed_rows_name_file_and_line),
        cmocka_unit_test(usage_and_help),
    };
    return cmocka_run_group_tests_name("match_cli", tests, NULL, NULL);
}
