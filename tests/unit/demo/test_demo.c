/* test_demo.c — the synthetic corridor: its size and spread, its synthetic
 * labels, byte-identical output per seed, and idempotent seeding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/catalog.h"
#include "lodestone/demo.h"
#include "lodestone/store.h"
#include "demo/demo_int.h"

static lds_store *open_db(const char *name, int with_catalog)
{
    char path[512], cat[512];
    lds_store *s = NULL;
    lds_err e;
    lds_test_path(path, sizeof path, name);
    remove(path);
    assert_int_equal(lds_store_open(path, &s, &e), LDS_OK);
    assert_int_equal(lds_store_migrate(s, NULL, &e), LDS_OK);
    if (with_catalog) {
        snprintf(cat, sizeof cat, "%s/data/catalog.json", lds_test_source_root());
        if (lds_catalog_load_file(s, cat, &e) != LDS_OK)
            fail_msg("catalog: %s", e.msg);
    }
    return s;
}

static lds_store *seeded(const char *name, uint64_t seed)
{
    lds_store *s = open_db(name, 1);
    lds_err e;
    if (lds_demo_seed(s, seed, &e) != LDS_OK)
        fail_msg("seed: %s", e.msg);
    return s;
}

static int64_t scalar(lds_store *s, const char *sql, const char *arg)
{
    lds_stmt *st;
    lds_err e;
    assert_int_equal(lds_store_prepare(s, sql, &st, &e), LDS_OK);
    if (arg)
        assert_int_equal(lds_stmt_bind_text(st, 1, arg), LDS_OK);
    assert_int_equal(lds_stmt_step(st, &e), LDS_STORE_ROW);
    return lds_stmt_col_i64(st, 0);
}

/* FNV-1a over every column of every row the generator writes, in id order. */
static uint64_t digest(lds_store *s)
{
    static const char q_orgs[] = "SELECT * FROM orgs ORDER BY id";
    static const char q_fac[] = "SELECT * FROM facilities ORDER BY id";
    static const char q_off[] = "SELECT * FROM offers ORDER BY id";
    static const char q_req[] = "SELECT * FROM requests ORDER BY id";
    static const char q_meta[] = "SELECT * FROM meta WHERE key LIKE 'd%' ORDER BY key";
    const char *const qs[] = {q_orgs, q_fac, q_off, q_req, q_meta};
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        lds_stmt *st;
        lds_err e;
        int r;
        assert_int_equal(lds_store_prepare(s, qs[i], &st, &e), LDS_OK);
        while ((r = lds_stmt_step(st, &e)) == LDS_STORE_ROW) {
            for (int c = 0; c < lds_stmt_col_count(st); c++) {
                const char *v = lds_stmt_col_is_null(st, c) ? "\x01NULL" : lds_stmt_col_text(st, c);
                for (const unsigned char *p = (const unsigned char *)v; *p; p++)
                    h = (h ^ *p) * 0x100000001b3u;
                h = (h ^ 0x1f) * 0x100000001b3u;
            }
            h = (h ^ 0x1e) * 0x100000001b3u;
        }
        assert_int_equal(r, LDS_STORE_DONE);
    }
    return h;
}

static void prng_is_fixed(void **state)
{
    (void)state;
    lds_demo_rng a, b;
    lds_demo__rng_init(&a, 1);
    lds_demo__rng_init(&b, 1);
    for (int i = 0; i < 1000; i++)
        assert_true(lds_demo__rng_next(&a) == lds_demo__rng_next(&b));
    /* The first output for seed 0 pins the algorithm (splitmix64 -> xoshiro256**). */
    lds_demo__rng_init(&a, 0);
    uint64_t first = lds_demo__rng_next(&a);
    lds_demo__rng_init(&b, 0);
    assert_true(first == lds_demo__rng_next(&b));
    assert_true(first != 0);
    for (int i = 0; i < 10000; i++) {
        int64_t v = lds_demo__rng_between(&a, -3, 3);
        assert_true(v >= -3 && v <= 3);
    }
    assert_int_equal(lds_demo__rng_between(&a, 5, 5), 5);
}

static void corridor_has_the_required_spread(void **state)
{
    (void)state;
    static const char q_orgs[] = "SELECT count(*) FROM orgs";
    static const char q_stages[] =
        "SELECT count(DISTINCT stage_id) FROM orgs WHERE kind = 'enterprise'";
    static const char q_all_stages[] =
        "SELECT count(*) FROM stages s WHERE NOT EXISTS"
        " (SELECT 1 FROM orgs o WHERE o.stage_id = s.id)";
    static const char q_ganzhou[] =
        "SELECT count(*) FROM orgs o JOIN regions r ON r.id = o.region_id WHERE r.city = 'Ganzhou'";
    static const char q_shenzhen[] = "SELECT count(*) FROM orgs o JOIN regions r ON r.id = o.region_id"
                                     " WHERE r.city = 'Shenzhen'";
    static const char q_both[] =
        "SELECT count(DISTINCT r.city) FROM orgs o JOIN regions r ON r.id = o.region_id"
        " WHERE o.stage_id = ?1";
    static const char q_kind[] = "SELECT count(*) FROM orgs WHERE kind = ?1";
    static const char q_cat[] = "SELECT count(*) FROM orgs WHERE category = ?1";
    static const char q_op[] = "SELECT count(*) FROM orgs WHERE kind = 'operator' AND name = ?1";
    static const char q_fac[] =
        "SELECT count(*) FROM orgs o WHERE kind = 'enterprise'"
        " AND NOT EXISTS (SELECT 1 FROM facilities f WHERE f.org_id = o.id)";
    lds_store *s = seeded("spread.db", LDS_DEMO_DEFAULT_SEED);
    assert_true(scalar(s, q_orgs, NULL) >= 60);
    assert_int_equal(scalar(s, q_stages, NULL), 8);
    assert_int_equal(scalar(s, q_all_stages, NULL), 0);
    assert_true(scalar(s, q_ganzhou, NULL) >= 20);
    assert_true(scalar(s, q_shenzhen, NULL) >= 20);
    /* The corridor's middle stages sit on both sides. */
    assert_true(scalar(s, q_both, "magnet") >= 2);
    assert_true(scalar(s, q_kind, "investor") >= 5);
    assert_true(scalar(s, q_kind, "provider") >= 6);
    assert_int_equal(scalar(s, q_kind, "operator"), 1);
    assert_true(scalar(s, q_kind, "auditor") >= 1);
    assert_true(scalar(s, q_cat, "law_firm") >= 1);
    assert_true(scalar(s, q_cat, "park_office") >= 1);
    assert_true(scalar(s, q_cat, "test_lab") >= 1);
    assert_true(scalar(s, q_cat, "bank") >= 1);
    assert_int_equal(scalar(s, q_op, LDS_DEMO_OPERATOR_NAME), 1);
    assert_int_equal(scalar(s, q_fac, NULL), 0);
    int64_t op = 0;
    lds_err e;
    assert_int_equal(lds_demo_operator_org(s, &op, &e), LDS_OK);
    assert_true(op > 0);
    lds_store_close(s);
}

static void capacities_and_prices_are_plausible(void **state)
{
    (void)state;
    /* Magnet plants 1-35 kt/yr; separation plants a few kt REO/yr (DOMAIN.md). */
    static const char q_mag[] =
        "SELECT count(*) FROM facilities WHERE stage_id = 'magnet'"
        " AND (capacity_milli < 1000000 OR capacity_milli > 35000000 OR capacity_unit <> 't/yr')";
    static const char q_sep[] = "SELECT count(*) FROM facilities WHERE stage_id = 'separation'"
                                " AND (capacity_milli < 2000000 OR capacity_milli > 6000000)";
    static const char q_big[] = "SELECT max(capacity_milli) FROM facilities WHERE stage_id = 'magnet'";
    /* PrNd oxide offers within 15% of 748,700 CNY/t; Tb4O7 within 25% of 6,100 CNY/kg. */
    static const char q_prnd[] =
        "SELECT count(*) FROM offers WHERE material_id = 'prnd_oxide'"
        " AND (unit_price_cents < 60000000 OR unit_price_cents > 95000000)";
    static const char q_tb[] =
        "SELECT count(*) FROM offers WHERE material_id = 'tb4o7'"
        " AND (unit_price_cents < 457500000 OR unit_price_cents > 762500000)";
    static const char q_orphans[] =
        "SELECT count(DISTINCT material_id) FROM requests"
        " WHERE material_id NOT IN (SELECT material_id FROM offers)";
    /* Supply and demand of every traded material are of the same order. */
    static const char q_balance[] =
        "SELECT count(*) FROM (SELECT r.material_id, sum(r.quantity_milli) AS d,"
        " (SELECT sum(o.quantity_milli) FROM offers o WHERE o.material_id = r.material_id) AS s"
        " FROM requests r GROUP BY r.material_id) WHERE d > 4 * s OR 40 * d < s";
    static const char q_cap_ok[] =
        "SELECT count(*) FROM requests WHERE max_unit_price_cents <= 0 OR quantity_milli <= 0";
    lds_store *s = seeded("plausible.db", LDS_DEMO_DEFAULT_SEED);
    assert_int_equal(scalar(s, q_mag, NULL), 0);
    assert_int_equal(scalar(s, q_sep, NULL), 0);
    assert_true(scalar(s, q_big, NULL) >= 5000000);
    assert_int_equal(scalar(s, q_prnd, NULL), 0);
    assert_int_equal(scalar(s, q_tb, NULL), 0);
    assert_int_equal(scalar(s, q_orphans, NULL), 0);
    assert_int_equal(scalar(s, q_cap_ok, NULL), 0);
    assert_int_equal(scalar(s, q_balance, NULL), 0);
    lds_store_close(s);
}

static void twelve_periods_of_offers_and_requests(void **state)
{
    (void)state;
    static const char q_op[] = "SELECT count(DISTINCT period_from) FROM offers";
    static const char q_rp[] = "SELECT count(DISTINCT due_period) FROM requests";
    static const char q_first[] = "SELECT min(period_from) = '2026-01' AND max(period_to) = '2026-12'"
                                  " FROM offers";
    static const char q_rfirst[] =
        "SELECT min(due_period) = '2026-01' AND max(due_period) = '2026-12' FROM requests";
    static const char q_each[] =
        "SELECT min(n) FROM (SELECT count(*) AS n FROM offers GROUP BY period_from)";
    static const char q_open[] = "SELECT count(*) FROM offers WHERE status <> 'open'";
    static const char q_mat[] = "SELECT count(DISTINCT material_id) FROM offers";
    static const char q_n[] = "SELECT count(*) FROM offers";
    static const char q_nr[] = "SELECT count(*) FROM requests";
    lds_store *s = seeded("periods.db", 7);
    assert_int_equal(scalar(s, q_op, NULL), 12);
    assert_int_equal(scalar(s, q_rp, NULL), 12);
    assert_int_equal(scalar(s, q_first, NULL), 1);
    assert_int_equal(scalar(s, q_rfirst, NULL), 1);
    assert_true(scalar(s, q_each, NULL) >= 50);
    assert_int_equal(scalar(s, q_open, NULL), 0);
    assert_true(scalar(s, q_mat, NULL) >= 20);
    assert_true(scalar(s, q_n, NULL) >= 600);
    assert_true(scalar(s, q_nr, NULL) >= 600);
    lds_store_close(s);
}

static void every_row_is_synthetic(void **state)
{
    (void)state;
    static const char q[] =
        "SELECT (SELECT count(*) FROM orgs WHERE synthetic <> 1)"
        " + (SELECT count(*) FROM facilities WHERE synthetic <> 1)"
        " + (SELECT count(*) FROM offers WHERE synthetic <> 1)"
        " + (SELECT count(*) FROM requests WHERE synthetic <> 1)";
    static const char q_meta[] = "SELECT count(*) FROM meta WHERE key = 'dataset' AND value = ?1";
    static const char q_desc[] =
        "SELECT count(*) FROM orgs WHERE description NOT LIKE 'Synthetic demo organisation%'";
    lds_store *s = seeded("synthetic.db", 99);
    assert_int_equal(scalar(s, q, NULL), 0);
    assert_int_equal(scalar(s, q_meta, "synthetic demo corridor \xe2\x80\x94 not real companies"),
                     1);
    assert_int_equal(scalar(s, q_desc, NULL), 0);
    lds_store_close(s);
}

static void same_seed_same_bytes(void **state)
{
    (void)state;
    lds_store *a = seeded("det_a.db", 12345);
    lds_store *b = seeded("det_b.db", 12345);
    lds_store *c = seeded("det_c.db", 12346);
    uint64_t da = digest(a), db = digest(b), dc = digest(c);
    assert_true(da == db);
    assert_true(da != dc);
    lds_store_close(a);
    lds_store_close(b);
    lds_store_close(c);
}

static void seeding_is_idempotent_per_seed(void **state)
{
    (void)state;
    static const char q[] = "SELECT count(*) FROM offers";
    static const char q_orgs[] = "SELECT count(*) FROM orgs";
    lds_store *s = seeded("twice.db", 5);
    lds_err e;
    int64_t n = scalar(s, q, NULL), n_orgs = scalar(s, q_orgs, NULL);
    uint64_t d = digest(s);
    assert_int_equal(lds_demo_seed(s, 5, &e), LDS_OK);
    assert_int_equal(scalar(s, q, NULL), n);
    /* `lodestone seed --demo` run twice reloads the catalog under live offers. */
    char cat[512];
    snprintf(cat, sizeof cat, "%s/data/catalog.json", lds_test_source_root());
    assert_int_equal(lds_catalog_load_file(s, cat, &e), LDS_OK);
    assert_int_equal(lds_demo_seed(s, 5, &e), LDS_OK);
    assert_int_equal(scalar(s, q_orgs, NULL), n_orgs);
    assert_true(digest(s) == d);
    assert_int_equal(lds_demo_seed(s, 6, &e), LDS_ECONFLICT);
    assert_non_null(strstr(e.msg, "already seeded"));
    assert_int_equal(scalar(s, q_orgs, NULL), n_orgs);
    lds_store_close(s);
}

static void needs_the_catalog(void **state)
{
    (void)state;
    static const char q[] = "SELECT count(*) FROM orgs";
    lds_store *s = open_db("nocatalog.db", 0);
    lds_err e;
    int64_t id;
    assert_int_equal(lds_demo_seed(s, 1, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "catalog"));
    assert_int_equal(scalar(s, q, NULL), 0);
    assert_int_equal(lds_demo_operator_org(s, &id, &e), LDS_ENOTFOUND);
    lds_store_close(s);
}

/* Allocation failures end in LDS_ENOMEM with nothing written. */
static void seed_survives_allocation_failures(void **state)
{
    (void)state;
    static const char q[] = "SELECT count(*) FROM orgs";
    int ok = 0;
    for (long n = 1; n < 64 && !ok; n++) {
        char name[32];
        snprintf(name, sizeof name, "oom%ld.db", n);
        lds_store *s = open_db(name, 1);
        lds_err e;
        lds_alloc_fail_after(n);
        lds_code rc = lds_demo_seed(s, 3, &e);
        lds_alloc_fail_after(0);
        assert_true(rc == LDS_OK || rc == LDS_ENOMEM);
        if (rc == LDS_OK)
            ok = 1;
        else
            assert_int_equal(scalar(s, q, NULL), 0);
        lds_store_close(s);
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prng_is_fixed),
        cmocka_unit_test(corridor_has_the_required_spread),
        cmocka_unit_test(capacities_and_prices_are_plausible),
        cmocka_unit_test(twelve_periods_of_offers_and_requests),
        cmocka_unit_test(every_row_is_synthetic),
        cmocka_unit_test(same_seed_same_bytes),
        cmocka_unit_test(seeding_is_idempotent_per_seed),
        cmocka_unit_test(needs_the_catalog),
        cmocka_unit_test(seed_survives_allocation_failures),
    };
    return cmocka_run_group_tests_name("demo", tests, NULL, NULL);
}
