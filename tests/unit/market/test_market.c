/*
 * test_market.c — the market module over a real store: exact field
 * validation, CSV all-or-nothing inside the caller's transaction, demo
 * lanes, and a match run across a lane with an export licence, stored as
 * rows and read back per caller.
 */
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/catalog.h"
#include "lodestone/match.h"
#include "lodestone/market.h"
#include "lodestone/store.h"

static const lds_principal operator_ = {1, 1, LDS_ROLE_OPERATOR};
static const lds_principal member2 = {2, 2, LDS_ROLE_MEMBER};
static const lds_principal member3 = {3, 3, LDS_ROLE_MEMBER};
static const lds_principal investor4 = {4, 4, LDS_ROLE_INVESTOR};

static lds_store *open_db(const char *name)
{
    char path[512], cat[512];
    lds_store *s = NULL;
    lds_err e;
    lds_test_path(path, sizeof path, name);
    remove(path);
    assert_int_equal(lds_store_open(path, &s, &e), LDS_OK);
    assert_int_equal(lds_store_migrate(s, NULL, &e), LDS_OK);
    snprintf(cat, sizeof cat, "%s/data/catalog.json", lds_test_source_root());
    if (lds_catalog_load_file(s, cat, &e) != LDS_OK)
        fail_msg("catalog: %s", e.msg);
    static const char q[] =
        "INSERT INTO orgs(id, name, kind, region_id, created_at) VALUES"
        " (1, 'Operator', 'operator', 'zhanggong', '2026-01-01T00:00:00Z'),"
        " (2, 'Seller Two', 'company', 'baoan', '2026-01-01T00:00:00Z'),"
        " (3, 'Buyer Three', 'company', 'de_bw', '2026-01-01T00:00:00Z'),"
        " (4, 'Fund Four', 'investor', 'nanshan', '2026-01-01T00:00:00Z')";
    lds_stmt *st;
    assert_int_equal(lds_store_prepare(s, q, &st, &e), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &e), LDS_OK);
    return s;
}

static int64_t scalar(lds_store *s, const char *sql)
{
    lds_stmt *st;
    lds_err e;
    assert_int_equal(lds_store_prepare(s, sql, &st, &e), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &e), LDS_STORE_ROW);
    int64_t v = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return v;
}

static lds_code create(lds_store *s, const lds_principal *who, lds_market_kind k,
                       const char *json, lds_field_errors *fe, lds_buf *out)
{
    json_error_t je;
    json_t *body = json_loads(json, 0, &je);
    assert_non_null(body);
    lds_err e;
    int64_t id = 0;
    memset(fe, 0, sizeof *fe);
    lds_code rc = lds_market_create(s, who, k, body, &id, out, fe, &e);
    json_decref(body);
    return rc;
}

static int has_pointer(const lds_field_errors *fe, const char *ptr)
{
    for (int i = 0; i < fe->n; i++)
        if (strcmp(fe->items[i].pointer, ptr) == 0)
            return 1;
    return 0;
}

static void numbers_are_exact_or_refused(void **state)
{
    (void)state;
    lds_store *s = open_db("exact.db");
    lds_field_errors fe;
    lds_buf out = LDS_BUF_INIT;
    /* 0.1 as a JSON real is 0.100 exactly; "2.50" keeps its cents */
    assert_int_equal(create(s, &member2, LDS_MARKET_OFFERS,
                            "{\"material_id\":\"nd2o3\",\"region_id\":\"baoan\",\"quantity\":0.1,"
                            "\"unit_price\":\"2.50\",\"period_from\":\"2026-01\","
                            "\"period_to\":\"2026-01\",\"purity\":1}",
                            &fe, &out),
                     LDS_OK);
    assert_true(strstr(out.ptr, "\"quantity\":0.100,\"unit_price\":2.50,") != NULL);
    assert_true(strstr(out.ptr, "\"purity\":1.000000,") != NULL);
    assert_int_equal(scalar(s, "SELECT quantity_milli FROM offers"), 100);
    lds_buf_reset(&out);
    assert_int_equal(create(s, &member2, LDS_MARKET_OFFERS,
                            "{\"material_id\":\"nd2o3\",\"region_id\":\"baoan\","
                            "\"quantity\":\"1.0005\",\"unit_price\":0.001,"
                            "\"period_from\":\"2026-1\",\"period_to\":\"2026-01\","
                            "\"purity\":\"0.1234567\",\"org_id\":true}",
                            &fe, &out),
                     LDS_EINVAL);
    assert_true(has_pointer(&fe, "/quantity"));
    assert_true(has_pointer(&fe, "/unit_price"));
    assert_true(has_pointer(&fe, "/period_from"));
    assert_true(has_pointer(&fe, "/purity"));
    assert_true(has_pointer(&fe, "/org_id"));
    /* zero quantity, an operator without an org, a non-CNY currency */
    assert_int_equal(create(s, &operator_, LDS_MARKET_REQUESTS,
                            "{\"material_id\":\"nd2o3\",\"region_id\":\"baoan\",\"quantity\":0,"
                            "\"max_unit_price\":1,\"due_period\":\"2026-01\","
                            "\"currency\":\"USD\"}",
                            &fe, &out),
                     LDS_EINVAL);
    assert_true(has_pointer(&fe, "/quantity"));
    assert_true(has_pointer(&fe, "/org_id"));
    assert_true(has_pointer(&fe, "/currency"));
    /* roles */
    assert_int_equal(create(s, &investor4, LDS_MARKET_OFFERS,
                            "{\"material_id\":\"nd2o3\",\"region_id\":\"baoan\",\"quantity\":1,"
                            "\"unit_price\":1,\"period_from\":\"2026-01\","
                            "\"period_to\":\"2026-01\"}",
                            &fe, &out),
                     LDS_EFORBIDDEN);
    assert_int_equal(create(s, &member2, LDS_MARKET_LANES,
                            "{\"from_region\":\"baoan\",\"to_region\":\"de_bw\","
                            "\"cost_per_unit\":1,\"transit_periods\":1}",
                            &fe, &out),
                     LDS_EFORBIDDEN);
    assert_int_equal(scalar(s, "SELECT count(*) FROM offers"), 1);
    lds_buf_release(&out);
    lds_store_close(s);
}

static void csv_rolls_back_with_the_caller(void **state)
{
    (void)state;
    lds_store *s = open_db("csv.db");
    static const char csv[] =
        "id,org,material,region,quantity,max_unit_price,due_period,min_purity\r\n"
        "R-1,3,nd2o3,de_bw,2,800000,2026-04,0.99\r\n"
        "R-2,3,nd2o3,de_bw,2,800000,2026-04,\r\n"
        "R-3,3,nd2o3,de_bw,2,800000,2026-04,1.5\r\n";
    lds_field_errors fe = {0};
    lds_buf out = LDS_BUF_INIT;
    lds_err e;
    assert_int_equal(lds_store_begin(s, &e), LDS_OK);
    assert_int_equal(lds_market_upload_csv(s, &member3, LDS_MARKET_REQUESTS, csv, strlen(csv),
                                           &out, &fe, &e),
                     LDS_EINVAL);
    lds_store_rollback(s);
    assert_int_equal(e.line, 4);
    assert_true(strncmp(e.msg, "line 4: ", 8) == 0);
    assert_string_equal(fe.items[0].pointer, "/line/4/min_purity");
    assert_int_equal(scalar(s, "SELECT count(*) FROM requests"), 0);

    /* without the bad row every row lands, external ids kept */
    memset(&fe, 0, sizeof fe);
    assert_int_equal(lds_store_begin(s, &e), LDS_OK);
    assert_int_equal(lds_market_upload_csv(s, &member3, LDS_MARKET_REQUESTS, csv,
                                           strlen(csv) - strlen("R-3,3,nd2o3,de_bw,2,800000,"
                                                                "2026-04,1.5\r\n"),
                                           &out, &fe, &e),
                     LDS_OK);
    assert_int_equal(lds_store_commit(s, &e), LDS_OK);
    assert_true(strncmp(out.ptr, "{\"created\":2,", 13) == 0);
    assert_int_equal(scalar(s, "SELECT count(*) FROM requests WHERE external_id LIKE 'R-%'"), 2);

    /* the optional columns may be left out */
    static const char short_csv[] = "org,material,region,quantity,max_unit_price,due_period\n"
                                    ",nd2o3,de_bw,1,800000,2026-05\n";
    memset(&fe, 0, sizeof fe);
    lds_buf_reset(&out);
    assert_int_equal(lds_market_upload_csv(s, &member3, LDS_MARKET_REQUESTS, short_csv,
                                           strlen(short_csv), &out, &fe, &e),
                     LDS_OK);
    assert_int_equal(scalar(s, "SELECT count(*) FROM requests WHERE org_id = 3"), 3);

    /* a header alone, and an unknown column */
    static const char empty[] = "id,org,material,region,quantity,max_unit_price,due_period,"
                                "min_purity\n";
    memset(&fe, 0, sizeof fe);
    assert_int_equal(lds_market_upload_csv(s, &member3, LDS_MARKET_REQUESTS, empty,
                                           strlen(empty), &out, &fe, &e),
                     LDS_EINVAL);
    static const char extra[] = "id,org,material,region,quantity,max_unit_price,due_period,"
                                "min_purity,colour\n";
    memset(&fe, 0, sizeof fe);
    assert_int_equal(lds_market_upload_csv(s, &member3, LDS_MARKET_REQUESTS, extra,
                                           strlen(extra), &out, &fe, &e),
                     LDS_EINVAL);
    assert_int_equal(e.line, 1);
    lds_buf_release(&out);
    lds_store_close(s);
}

static void demo_lanes_are_synthetic_and_seeded_once(void **state)
{
    (void)state;
    lds_store *s = open_db("lanes.db");
    lds_err e;
    assert_int_equal(lds_market_seed_demo_lanes(s, &e), LDS_OK);
    int64_t n = scalar(s, "SELECT count(*) FROM lanes");
    assert_true(n >= 20);
    assert_int_equal(scalar(s, "SELECT count(*) FROM lanes WHERE synthetic = 0"), 0);
    assert_int_equal(lds_market_seed_demo_lanes(s, &e), LDS_OK);
    assert_int_equal(scalar(s, "SELECT count(*) FROM lanes"), n);
    /* the Ganzhou-Shenzhen lane: 434 km, within the month */
    assert_int_equal(scalar(s, "SELECT transit_periods FROM lanes WHERE from_region = 'zhanggong'"
                               " AND to_region = 'nanshan'"),
                     0);
    lds_store_close(s);
}

/*
 * Seller 2 offers Dy oxide (export-controlled) in Bao'an; buyer 3 in Germany
 * needs it by 2026-04.  The demo sea lane baoan->de_bw costs 1,500.00 and
 * takes 1 period; the licence adds 2, so the offer must ship by 2026-01.
 */
static void run_over_a_licensed_lane_is_stored_and_filtered(void **state)
{
    (void)state;
    lds_store *s = open_db("run.db");
    lds_err e;
    lds_field_errors fe;
    lds_buf out = LDS_BUF_INIT;
    assert_int_equal(lds_market_seed_demo_lanes(s, &e), LDS_OK);
    assert_int_equal(create(s, &member2, LDS_MARKET_OFFERS,
                            "{\"material_id\":\"dy2o3\",\"region_id\":\"baoan\",\"quantity\":3,"
                            "\"unit_price\":1330000,\"period_from\":\"2026-01\","
                            "\"period_to\":\"2026-06\",\"purity\":0.9995}",
                            &fe, &out),
                     LDS_OK);
    assert_int_equal(create(s, &member3, LDS_MARKET_REQUESTS,
                            "{\"material_id\":\"dy2o3\",\"region_id\":\"de_bw\",\"quantity\":2,"
                            "\"max_unit_price\":1400000,\"due_period\":\"2026-04\"}",
                            &fe, &out),
                     LDS_OK);
    /* a late request of the same buyer: only 2026-02 arrival, too early */
    assert_int_equal(create(s, &member3, LDS_MARKET_REQUESTS,
                            "{\"material_id\":\"dy2o3\",\"region_id\":\"de_bw\",\"quantity\":1,"
                            "\"max_unit_price\":1400000,\"due_period\":\"2026-02\"}",
                            &fe, &out),
                     LDS_OK);
    int64_t run = 0;
    memset(&fe, 0, sizeof fe);
    assert_int_equal(lds_market_run(s, &investor4, "dy2o3", &run, &out, &fe, &e),
                     LDS_EFORBIDDEN);
    lds_buf_reset(&out);
    assert_int_equal(lds_store_begin(s, &e), LDS_OK);
    assert_int_equal(lds_market_run(s, &operator_, "dy2o3", &run, &out, &fe, &e), LDS_OK);
    assert_int_equal(lds_store_commit(s, &e), LDS_OK);
    assert_true(run > 0);
    assert_int_equal(scalar(s, "SELECT count(*) FROM match_lines"), 1);
    assert_int_equal(scalar(s, "SELECT licence_required FROM match_lines"), 1);
    assert_int_equal(scalar(s, "SELECT licence_lead_periods FROM match_lines"), 2);
    assert_int_equal(scalar(s, "SELECT logistics_cents FROM match_lines"), 150000);
    assert_int_equal(scalar(s, "SELECT line_total_cents FROM match_lines"), 2 * 133150000);
    assert_int_equal(scalar(s, "SELECT count(*) FROM match_unmet WHERE reason = "
                               "'licence_lead_time'"),
                     1);
    assert_true(strstr(out.ptr, "\"ship_period\":\"2026-01\"") != NULL);
    assert_true(strstr(out.ptr, "\"licence_required\":true") != NULL);

    /* the buyer sees its line and its unmet request; the investor nothing */
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)run);
    lds_buf_reset(&out);
    assert_int_equal(lds_market_run_get(s, &member3, id, &out, &e), LDS_OK);
    json_t *j = json_loads(out.ptr, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "allocations")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "unmet")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "allocations"), 0), "side")),
                        "buyer");
    json_decref(j);
    lds_buf_reset(&out);
    assert_int_equal(lds_market_run_get(s, &investor4, id, &out, &e), LDS_OK);
    assert_true(strstr(out.ptr, "\"allocations\":[],\"unmet\":[],\"duals\":[]") != NULL);
    lds_buf_reset(&out);
    assert_int_equal(lds_market_run_lines_csv(s, &investor4, id, &out, &e), LDS_OK);
    int n_nl = 0;
    for (const char *p = out.ptr; *p; p++)
        n_nl += *p == '\n';
    assert_int_equal(n_nl, 1); /* the header alone */
    lds_buf_reset(&out);
    assert_int_equal(lds_market_run_get(s, &member2, "999", &out, &e), LDS_ENOTFOUND);
    assert_int_equal(lds_market_run_get(s, &member2, "x1", &out, &e), LDS_ENOTFOUND);
    /* a material nobody trades: an empty run, stored */
    lds_buf_reset(&out);
    assert_int_equal(lds_market_run(s, &member2, "lu2o3", &run, &out, &fe, &e), LDS_OK);
    assert_true(strstr(out.ptr, "\"allocations\":[],\"unmet\":[],\"duals\":[]") != NULL);
    assert_int_equal(scalar(s, "SELECT count(*) FROM match_runs"), 2);
    memset(&fe, 0, sizeof fe);
    assert_int_equal(lds_market_run(s, &member2, "vibranium", &run, &out, &fe, &e), LDS_EINVAL);
    assert_string_equal(fe.items[0].pointer, "/material");
    lds_buf_release(&out);
    lds_store_close(s);
}

/* Every allocation of a run and of an upload failing in turn: a clean
 * LDS_ENOMEM, nothing stored, no leak (ASan), then success. */
static void allocation_failures_are_clean(void **state)
{
    (void)state;
    lds_store *s = open_db("faults.db");
    lds_err e;
    lds_field_errors fe;
    lds_buf out = LDS_BUF_INIT;
    assert_int_equal(lds_market_seed_demo_lanes(s, &e), LDS_OK);
    assert_int_equal(create(s, &member2, LDS_MARKET_OFFERS,
                            "{\"material_id\":\"nd2o3\",\"region_id\":\"baoan\",\"quantity\":3,"
                            "\"unit_price\":750000,\"period_from\":\"2026-01\","
                            "\"period_to\":\"2026-06\"}",
                            &fe, &out),
                     LDS_OK);
    static const char csv[] =
        "id,org,material,region,quantity,max_unit_price,due_period,min_purity\n"
        "a,3,nd2o3,de_bw,1,800000,2026-04,\n"
        "b,3,nd2o3,nanshan,2,800000,2026-03,\n";
    int done_upload = 0, done_run = 0, n_failed = 0;
    for (long n = 1; n < 2000 && !(done_upload && done_run); n++) {
        lds_code rc;
        int64_t run = 0;
        lds_buf_reset(&out);
        memset(&fe, 0, sizeof fe);
        assert_int_equal(lds_store_begin(s, &e), LDS_OK);
        lds_alloc_fail_after(n);
        if (!done_upload)
            rc = lds_market_upload_csv(s, &member3, LDS_MARKET_REQUESTS, csv, strlen(csv), &out,
                                       &fe, &e);
        else
            rc = lds_market_run(s, &operator_, NULL, &run, &out, &fe, &e);
        lds_alloc_fail_after(0);
        if (rc != LDS_OK) {
            if (rc != LDS_ENOMEM)
                fail_msg("allocation %ld: %s (%d)", n, e.msg, (int)rc);
            n_failed++;
            lds_store_rollback(s);
            continue;
        }
        assert_int_equal(lds_store_commit(s, &e), LDS_OK);
        if (!done_upload) {
            done_upload = 1;
            assert_int_equal(scalar(s, "SELECT count(*) FROM requests"), 2);
            n = 0;
        } else {
            done_run = 1;
            assert_int_equal(scalar(s, "SELECT count(*) FROM match_runs"), 1);
            assert_int_equal(scalar(s, "SELECT sum(quantity_milli) FROM match_lines"), 3000);
        }
    }
    assert_true(done_upload && done_run);
    assert_true(n_failed > 10); /* both paths allocate through lds_malloc */
    assert_int_equal(scalar(s, "SELECT count(*) FROM requests"), 2);
    lds_buf_release(&out);
    lds_store_close(s);
}

/* A small deterministic generator (the seed is printed on failure). */
static uint64_t rng_next(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

static int64_t pick(uint64_t *x, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next(x) % (uint64_t)(hi - lo + 1));
}

/*
 * Random markets stored through the API layer and run from the store give
 * the same matched quantity, cost and line count as the engine run directly
 * on the same values: loading (periods, purity, prices, licences, abroad)
 * loses nothing.
 */
static void stored_runs_equal_the_engine_on_the_same_input(void **state)
{
    (void)state;
    static const char *const mats[] = {"nd2o3", "dy2o3"};
    static const char *const regs[] = {"xunwu", "zhanggong", "baoan", "de_bw"};
    int n_matched = 0, n_unmet = 0;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        uint64_t x = seed;
        char name[32];
        snprintf(name, sizeof name, "prop%llu.db", (unsigned long long)seed);
        lds_store *s = open_db(name);
        lds_err e;
        lds_field_errors fe;
        lds_buf out = LDS_BUF_INIT;
        lds_match_offer offers[12];
        lds_match_request requests[12];
        lds_match_lane lanes[8];
        char ids[2][12][16], orgs[2][12][8];
        size_t n_o = (size_t)pick(&x, 1, 12), n_r = (size_t)pick(&x, 1, 12), n_l = 0;
        char body[512];
        for (size_t i = 0; i < 8; i++) {
            const char *from = regs[pick(&x, 0, 2)], *to = regs[pick(&x, 1, 3)];
            int64_t cost = pick(&x, 0, 500) * 100 + pick(&x, 0, 99);
            int transit = (int)pick(&x, 0, 2);
            snprintf(body, sizeof body,
                     "{\"from_region\":\"%s\",\"to_region\":\"%s\",\"cost_per_unit\":"
                     "\"%lld.%02lld\",\"transit_periods\":%d}",
                     from, to, (long long)(cost / 100), (long long)(cost % 100), transit);
            assert_int_equal(create(s, &operator_, LDS_MARKET_LANES, body, &fe, &out), LDS_OK);
            lanes[n_l++] = (lds_match_lane){from, to, cost, transit};
        }
        for (size_t i = 0; i < n_o; i++) {
            lds_match_offer *o = &offers[i];
            int org = (int)pick(&x, 2, 3);
            o->material = mats[pick(&x, 0, 1)];
            o->region = regs[pick(&x, 0, 3)];
            o->qty_milli = pick(&x, 1, 20000);
            o->price_cents = pick(&x, 100, 50000);
            o->from = (int32_t)(2026 * 12 + pick(&x, 0, 3));
            o->to = o->from + (int32_t)pick(&x, 0, 3);
            o->purity = pick(&x, 0, 2) ? 990000 + pick(&x, 0, 9999) : LDS_MATCH_NO_PURITY;
            o->controlled = strcmp(o->material, "dy2o3") == 0;
            o->abroad = strcmp(o->region, "de_bw") == 0;
            char pur[32] = "null", per_f[16], per_t[16];
            if (o->purity != LDS_MATCH_NO_PURITY)
                snprintf(pur, sizeof pur, "\"0.%06lld\"", (long long)o->purity);
            snprintf(body, sizeof body,
                     "{\"org_id\":%d,\"material_id\":\"%s\",\"region_id\":\"%s\","
                     "\"quantity\":\"%lld.%03lld\",\"unit_price\":\"%lld.%02lld\","
                     "\"period_from\":\"%s\",\"period_to\":\"%s\",\"purity\":%s}",
                     org, o->material, o->region, (long long)(o->qty_milli / 1000),
                     (long long)(o->qty_milli % 1000), (long long)(o->price_cents / 100),
                     (long long)(o->price_cents % 100), lds_match_fmt_period(o->from, per_f),
                     lds_match_fmt_period(o->to, per_t), pur);
            lds_buf_reset(&out);
            if (create(s, &operator_, LDS_MARKET_OFFERS, body, &fe, &out) != LDS_OK)
                fail_msg("seed %llu: %s", (unsigned long long)seed, fe.items[0].message);
            json_t *j = json_loads(out.ptr, 0, NULL);
            snprintf(ids[0][i], 16, "%lld",
                     (long long)json_integer_value(json_object_get(j, "id")));
            json_decref(j);
            snprintf(orgs[0][i], 8, "%d", org);
            o->id = ids[0][i];
            o->org = orgs[0][i];
        }
        for (size_t i = 0; i < n_r; i++) {
            lds_match_request *d = &requests[i];
            int org = (int)pick(&x, 2, 3);
            d->material = mats[pick(&x, 0, 1)];
            d->region = regs[pick(&x, 1, 3)];
            d->qty_milli = pick(&x, 1, 20000);
            d->max_price_cents = pick(&x, 100, 80000);
            d->due = (int32_t)(2026 * 12 + pick(&x, 0, 8));
            d->min_purity = pick(&x, 0, 2) ? LDS_MATCH_NO_PURITY : 990000 + pick(&x, 0, 9999);
            d->abroad = strcmp(d->region, "de_bw") == 0;
            char pur[32] = "null", per[16];
            if (d->min_purity != LDS_MATCH_NO_PURITY)
                snprintf(pur, sizeof pur, "0.%06lld", (long long)d->min_purity);
            snprintf(body, sizeof body,
                     "{\"org_id\":%d,\"material_id\":\"%s\",\"region_id\":\"%s\","
                     "\"quantity\":\"%lld.%03lld\",\"max_unit_price\":\"%lld.%02lld\","
                     "\"due_period\":\"%s\",\"min_purity\":%s}",
                     org, d->material, d->region, (long long)(d->qty_milli / 1000),
                     (long long)(d->qty_milli % 1000), (long long)(d->max_price_cents / 100),
                     (long long)(d->max_price_cents % 100), lds_match_fmt_period(d->due, per),
                     pur);
            lds_buf_reset(&out);
            if (create(s, &operator_, LDS_MARKET_REQUESTS, body, &fe, &out) != LDS_OK)
                fail_msg("seed %llu: %s", (unsigned long long)seed, fe.items[0].message);
            json_t *j = json_loads(out.ptr, 0, NULL);
            snprintf(ids[1][i], 16, "%lld",
                     (long long)json_integer_value(json_object_get(j, "id")));
            json_decref(j);
            snprintf(orgs[1][i], 8, "%d", org);
            d->id = ids[1][i];
            d->org = orgs[1][i];
        }
        lds_match_input in = {offers, n_o, requests, n_r, lanes, n_l};
        lds_match_result *res = NULL;
        assert_int_equal(lds_match_run(&in, &res, &e), LDS_OK);
        int64_t run = 0;
        memset(&fe, 0, sizeof fe);
        assert_int_equal(lds_market_run(s, &operator_, NULL, &run, &out, &fe, &e), LDS_OK);
        if (scalar(s, "SELECT matched_milli FROM match_runs") != res->matched_milli ||
            scalar(s, "SELECT total_cost_cents FROM match_runs") != res->total_cost_cents ||
            scalar(s, "SELECT count(*) FROM match_lines") != (int64_t)res->n_lines ||
            scalar(s, "SELECT count(*) FROM match_unmet") != (int64_t)res->n_unmet)
            fail_msg("seed %llu: stored run differs from the engine", (unsigned long long)seed);
        n_matched += res->n_lines > 0;
        n_unmet += res->n_unmet > 0;
        lds_match_result_free(res);
        lds_buf_release(&out);
        lds_store_close(s);
    }
    assert_true(n_matched >= 3 && n_unmet >= 3); /* the instances are not trivial */
}

static void exec_sql(lds_store *s, const char *sql)
{
    lds_stmt *st;
    lds_err e;
    assert_int_equal(lds_store_prepare(s, sql, &st, &e), LDS_OK);
    assert_int_equal(lds_stmt_exec(st, &e), LDS_OK);
}

/* One run in its own transaction; returns its id. */
static int64_t run_tx(lds_store *s, const char *material, int cold)
{
    lds_err e;
    lds_field_errors fe = {0};
    lds_buf out = LDS_BUF_INIT;
    int64_t id = 0;
    assert_int_equal(lds_store_begin(s, &e), LDS_OK);
    if (lds_market_run_ex(s, &operator_, material, cold, &id, &out, &fe, &e) != LDS_OK)
        fail_msg("run: %s", e.msg);
    assert_int_equal(lds_store_commit(s, &e), LDS_OK);
    lds_buf_release(&out);
    return id;
}

/* A one-value query of run `run` (?1); `sql` must be a literal. */
static int64_t run_q(lds_store *s, const char *sql, int64_t run)
{
    lds_stmt *st;
    lds_err e;
    assert_int_equal(lds_store_prepare(s, sql, &st, &e), LDS_OK);
    assert_int_equal(lds_stmt_bind_i64(st, 1, run), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &e), LDS_STORE_ROW);
    int64_t v = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return v;
}

static const char q_warm[] = "SELECT solve_mode = 'warm' FROM match_runs WHERE id = ?1";
static const char q_cost[] = "SELECT total_cost_cents FROM match_runs WHERE id = ?1";
static const char q_applied[] = "SELECT solve_changes FROM match_runs WHERE id = ?1";
static const char q_n_offers[] = "SELECT n_offers FROM match_runs WHERE id = ?1";
static const char q_n_requests[] = "SELECT n_requests FROM match_runs WHERE id = ?1";
static const char q_lanes_note[] =
    "SELECT solve_note = 'lanes changed' FROM match_runs WHERE id = ?1";
static const char q_catalog_note[] =
    "SELECT solve_note LIKE '%export control%' FROM match_runs WHERE id = ?1";
static const char q_rollback_note[] =
    "SELECT solve_note LIKE '%rolled back%' FROM match_runs WHERE id = ?1";
static const char q_many_note[] =
    "SELECT solve_note LIKE 'more than 32 %' FROM match_runs WHERE id = ?1";

static int is_warm(lds_store *s, int64_t run)
{
    return run_q(s, q_warm, run) == 1;
}

/* 1 when runs a and b have the same lines (pair, quantity, line total). */
static int same_lines(lds_store *s, int64_t a, int64_t b)
{
    static const char q[] =
        "SELECT (SELECT count(*) FROM match_lines WHERE run_id = ?1) = (SELECT count(*)"
        " FROM match_lines WHERE run_id = ?2) AND (SELECT count(*) FROM match_lines x"
        " JOIN match_lines y ON y.run_id = ?2 AND y.offer_id = x.offer_id AND"
        " y.request_id = x.request_id AND y.quantity_milli = x.quantity_milli AND"
        " y.line_total_cents = x.line_total_cents WHERE x.run_id = ?1) = (SELECT count(*)"
        " FROM match_lines WHERE run_id = ?1) AND (SELECT count(*) FROM match_lines"
        " WHERE run_id = ?1) > 0";
    lds_stmt *st;
    lds_err e;
    assert_int_equal(lds_store_prepare(s, q, &st, &e), LDS_OK);
    assert_int_equal(lds_stmt_bind_i64(st, 1, a), LDS_OK);
    assert_int_equal(lds_stmt_bind_i64(st, 2, b), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &e), LDS_STORE_ROW);
    int64_t v = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return v == 1;
}

/*
 * The kept session follows every change, whoever makes it (the market API, a
 * raw UPDATE as another process would), and each warm run equals a cold run
 * of the same data.  tm2o3 in baoan only (no lane):
 *   O1 org 2, 10 @ 100; O2 org 3, 10 @ 120; R org 3, 12, cap 200
 *   + O3 5 @ 80           -> O3 5, O1 7        = 400 + 700 = 1100.00
 *   O3 quantity set to 2  -> O3 2, O1 10       = 160 + 1000 = 1160.00
 *   O1 withdrawn          -> O3 2, O2 10       = 160 + 1200 = 1360.00
 */
static void warm_runs_follow_changes_and_equal_cold_runs(void **state)
{
    (void)state;
    lds_market_sessions_clear();
    lds_store *s = open_db("warm.db");
    lds_field_errors fe;
    lds_buf out = LDS_BUF_INIT;
    lds_err e;
    static const char o1[] = "{\"material_id\":\"tm2o3\",\"region_id\":\"baoan\",\"quantity\":10,"
                             "\"unit_price\":100,\"period_from\":\"2026-01\","
                             "\"period_to\":\"2026-03\"}";
    static const char o2[] = "{\"material_id\":\"tm2o3\",\"region_id\":\"baoan\",\"quantity\":10,"
                             "\"unit_price\":120,\"period_from\":\"2026-01\","
                             "\"period_to\":\"2026-03\"}";
    static const char o3[] = "{\"material_id\":\"tm2o3\",\"region_id\":\"baoan\",\"quantity\":5,"
                             "\"unit_price\":80,\"period_from\":\"2026-01\","
                             "\"period_to\":\"2026-03\"}";
    static const char rq[] = "{\"material_id\":\"tm2o3\",\"region_id\":\"baoan\",\"quantity\":12,"
                             "\"max_unit_price\":200,\"due_period\":\"2026-03\"}";
    assert_int_equal(create(s, &member2, LDS_MARKET_OFFERS, o1, &fe, &out), LDS_OK);
    assert_int_equal(create(s, &member3, LDS_MARKET_OFFERS, o2, &fe, &out), LDS_OK);
    assert_int_equal(create(s, &member3, LDS_MARKET_REQUESTS, rq, &fe, &out), LDS_OK);
    int64_t r1 = run_tx(s, NULL, 0);
    assert_false(is_warm(s, r1));
    assert_int_equal(run_q(s, q_cost, r1), 124000);
    assert_int_equal(lds_market_sessions_count(), 1);

    assert_int_equal(create(s, &member2, LDS_MARKET_OFFERS, o3, &fe, &out), LDS_OK);
    int64_t r2 = run_tx(s, NULL, 0);
    assert_true(is_warm(s, r2));
    assert_int_equal(run_q(s, q_applied, r2), 1);
    assert_int_equal(run_q(s, q_cost, r2), 110000);
    assert_int_equal(run_q(s, q_n_offers, r2), 3);
    int64_t c2 = run_tx(s, NULL, 1);
    assert_false(is_warm(s, c2));
    assert_true(same_lines(s, r2, c2));
    assert_int_equal(run_q(s, q_cost, c2), 110000);

    /* a raw UPDATE (as from another process) is seen through the change log */
    exec_sql(s, "UPDATE offers SET quantity_milli = 2000 WHERE unit_price_cents = 8000");
    int64_t r3 = run_tx(s, NULL, 0);
    assert_true(is_warm(s, r3));
    assert_int_equal(run_q(s, q_cost, r3), 116000);
    assert_true(same_lines(s, r3, run_tx(s, NULL, 1)));

    /* withdrawn */
    char id1[24];
    snprintf(id1, sizeof id1, "%lld",
             (long long)scalar(s, "SELECT id FROM offers WHERE unit_price_cents = 10000"));
    lds_buf_reset(&out);
    assert_int_equal(lds_market_withdraw(s, &member2, LDS_MARKET_OFFERS, id1, &out, &e), LDS_OK);
    int64_t r4 = run_tx(s, NULL, 0);
    assert_true(is_warm(s, r4));
    assert_int_equal(run_q(s, q_cost, r4), 136000);
    assert_int_equal(run_q(s, q_n_offers, r4), 2);
    assert_true(same_lines(s, r4, run_tx(s, NULL, 1)));
    /* nothing changed: warm, nothing applied */
    int64_t r5 = run_tx(s, NULL, 0);
    assert_true(is_warm(s, r5));
    assert_int_equal(run_q(s, q_applied, r5), 0);

    /* what the session cannot follow: lanes, export control, many changes */
    exec_sql(s, "INSERT INTO lanes(from_region, to_region, cost_per_unit_cents,"
                " transit_periods, created_at) VALUES ('baoan', 'nanshan', 100, 0, 'x')");
    int64_t r6 = run_tx(s, NULL, 0);
    assert_false(is_warm(s, r6));
    assert_int_equal(run_q(s, q_lanes_note, r6), 1);
    exec_sql(s, "UPDATE materials SET export_controlled = 1 WHERE id = 'tm2o3'");
    int64_t r7 = run_tx(s, NULL, 0);
    assert_false(is_warm(s, r7));
    assert_int_equal(run_q(s, q_catalog_note, r7), 1);
    for (int i = 0; i < 32 + 1; i++)
        assert_int_equal(create(s, &member3, LDS_MARKET_REQUESTS, rq, &fe, &out), LDS_OK);
    int64_t r8 = run_tx(s, NULL, 0);
    assert_false(is_warm(s, r8));
    assert_int_equal(run_q(s, q_many_note, r8), 1);
    assert_int_equal(run_q(s, q_n_requests, r8), 34);
    assert_true(same_lines(s, r8, run_tx(s, NULL, 1)));

    /* a run that saw an offer whose transaction is then rolled back: the
     * next run notices (the log row's stamp differs) and builds cold */
    static const char o4[] = "{\"material_id\":\"tm2o3\",\"region_id\":\"baoan\",\"quantity\":9,"
                             "\"unit_price\":1,\"period_from\":\"2026-01\","
                             "\"period_to\":\"2026-03\"}";
    int64_t before = scalar(s, "SELECT count(*) FROM offers");
    assert_int_equal(lds_store_begin(s, &e), LDS_OK);
    assert_int_equal(create(s, &member2, LDS_MARKET_OFFERS, o4, &fe, &out), LDS_OK);
    int64_t seen = 0;
    lds_buf_reset(&out);
    assert_int_equal(lds_market_run_ex(s, &operator_, NULL, 0, &seen, &out, &fe, &e), LDS_OK);
    lds_store_rollback(s);
    assert_int_equal(scalar(s, "SELECT count(*) FROM offers"), before);
    assert_int_equal(create(s, &member3, LDS_MARKET_REQUESTS, rq, &fe, &out), LDS_OK);
    int64_t r9 = run_tx(s, NULL, 0);
    assert_false(is_warm(s, r9));
    assert_int_equal(run_q(s, q_rollback_note, r9), 1);
    assert_int_equal(run_q(s, q_n_offers, r9), before - 1); /* O1 is withdrawn */
    assert_true(same_lines(s, r9, run_tx(s, NULL, 1)));

    /* one session per (database, material): a material scope, another database */
    int64_t m1 = run_tx(s, "tm2o3", 0);
    assert_false(is_warm(s, m1));
    assert_true(is_warm(s, run_tx(s, "tm2o3", 0)));
    assert_int_equal(lds_market_sessions_count(), 2);
    lds_store *s2 = open_db("warm2.db");
    assert_int_equal(create(s2, &member2, LDS_MARKET_OFFERS, o1, &fe, &out), LDS_OK);
    int64_t other = run_tx(s2, NULL, 0);
    assert_false(is_warm(s2, other));
    assert_int_equal(lds_market_sessions_count(), 3);
    assert_true(is_warm(s, run_tx(s, NULL, 0))); /* s's session is still its own */
    lds_market_sessions_clear();
    assert_int_equal(lds_market_sessions_count(), 0);
    lds_store_close(s2);
    lds_buf_release(&out);
    lds_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_are_exact_or_refused),
        cmocka_unit_test(csv_rolls_back_with_the_caller),
        cmocka_unit_test(demo_lanes_are_synthetic_and_seeded_once),
        cmocka_unit_test(run_over_a_licensed_lane_is_stored_and_filtered),
        cmocka_unit_test(allocation_failures_are_clean),
        cmocka_unit_test(stored_runs_equal_the_engine_on_the_same_input),
        cmocka_unit_test(warm_runs_follow_changes_and_equal_cold_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
