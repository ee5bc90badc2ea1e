/*
 * bench_market.c — incremental matching through the market layer (what
 * POST /api/v1/match-runs runs, without the HTTP framing), for
 * bench/match/run.
 *
 * usage: bench_market DIR DB [NEW]
 * Loads DIR/{offers,requests,lanes}.csv (bench/match/gen.c) into a fresh
 * database DB (catalog, one org per CSV org), runs a cold match over every
 * material, then NEW times (default 5): creates one offer through
 * lds_market_create (a copy of an existing one, 5.00 cheaper, so it
 * displaces others) in its own transaction, and times the next match run
 * (begin, lds_market_run, commit): it is warm.  Finally a cold run on the
 * same data must give the same totals and allocation lines.  Prints one
 * line of key=value pairs:
 *   lines         allocation lines of a run
 *   cold_s        the first run (load, build, solve, store), wall; cold_cpu_s
 *   run_ms        a warm run after one new offer (median of NEW), wall;
 *                 run_max_ms, run_cpu_ms (median CPU)
 *   solve_ms      its engine part (the run's solve.time_ms, median); solve_cpu_ms
 *                 (solve.cpu_ms: CPU time of the solving thread)
 *   create_ms     creating the offer (median, wall)
 *   ok            yes when the last warm run equals the cold one
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/catalog.h"
#include "lodestone/market.h"
#include "lodestone/match.h"
#include "lodestone/store.h"

static double clk(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
#define WALL() clk(CLOCK_MONOTONIC)
#define CPU()  clk(CLOCK_PROCESS_CPUTIME_ID)

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(1);
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void die(const char *what, const lds_err *e)
{
    fprintf(stderr, "bench_market: %s: %s\n", what, e->msg);
    exit(1);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int64_t org_of(const char *org)
{
    return 1 + strtoll(org + 3, NULL, 10); /* "org017" -> 18; org 1 is the operator */
}

static void bind_or_die(int bad)
{
    if (bad) {
        fprintf(stderr, "bench_market: bind failed\n");
        exit(1);
    }
}

static void load_db(lds_store *s, const lds_match_input *in)
{
    static const char q_org[] = "INSERT INTO orgs(id, name, kind, region_id, created_at)"
                                " VALUES (?1, ?2, ?3, 'zhanggong', '2026-01-01T00:00:00Z')";
    static const char q_offer[] =
        "INSERT INTO offers(org_id, material_id, region_id, quantity_milli, unit_price_cents,"
        " period_from, period_to, purity, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '2026-01-01T00:00:00Z')";
    static const char q_request[] =
        "INSERT INTO requests(org_id, material_id, region_id, quantity_milli,"
        " max_unit_price_cents, due_period, min_purity, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '2026-01-01T00:00:00Z')";
    static const char q_lane[] =
        "INSERT INTO lanes(from_region, to_region, cost_per_unit_cents, transit_periods,"
        " created_at) VALUES (?1, ?2, ?3, ?4, '2026-01-01T00:00:00Z')";
    lds_err e;
    lds_stmt *st;
    char name[32], per[16], per2[16];
    if (lds_store_begin(s, &e) != LDS_OK) die("begin", &e);
    for (int i = 1; i <= 1001; i++) {
        snprintf(name, sizeof name, i == 1 ? "Operator" : "Bench org %03d", i - 1);
        if (lds_store_prepare(s, q_org, &st, &e) != LDS_OK) die("org", &e);
        bind_or_die(lds_stmt_bind_i64(st, 1, i) || lds_stmt_bind_text(st, 2, name) ||
                    lds_stmt_bind_text(st, 3, i == 1 ? "operator" : "company"));
        if (lds_stmt_exec(st, &e) != LDS_OK) die("org", &e);
    }
    for (size_t i = 0; i < in->n_offers; i++) {
        const lds_match_offer *o = &in->offers[i];
        if (lds_store_prepare(s, q_offer, &st, &e) != LDS_OK) die("offer", &e);
        bind_or_die(
            lds_stmt_bind_i64(st, 1, org_of(o->org)) || lds_stmt_bind_text(st, 2, o->material) ||
            lds_stmt_bind_text(st, 3, o->region) || lds_stmt_bind_i64(st, 4, o->qty_milli) ||
            lds_stmt_bind_i64(st, 5, o->price_cents) ||
            lds_stmt_bind_text(st, 6, lds_match_fmt_period(o->from, per)) ||
            lds_stmt_bind_text(st, 7, lds_match_fmt_period(o->to, per2)) ||
            (o->purity == LDS_MATCH_NO_PURITY
                 ? lds_stmt_bind_null(st, 8)
                 : lds_stmt_bind_double(st, 8, (double)o->purity / 1e8))); /* percent */
        if (lds_stmt_exec(st, &e) != LDS_OK) die("offer", &e);
    }
    for (size_t i = 0; i < in->n_requests; i++) {
        const lds_match_request *d = &in->requests[i];
        if (lds_store_prepare(s, q_request, &st, &e) != LDS_OK) die("request", &e);
        bind_or_die(
            lds_stmt_bind_i64(st, 1, org_of(d->org)) || lds_stmt_bind_text(st, 2, d->material) ||
            lds_stmt_bind_text(st, 3, d->region) || lds_stmt_bind_i64(st, 4, d->qty_milli) ||
            lds_stmt_bind_i64(st, 5, d->max_price_cents) ||
            lds_stmt_bind_text(st, 6, lds_match_fmt_period(d->due, per)) ||
            (d->min_purity == LDS_MATCH_NO_PURITY
                 ? lds_stmt_bind_null(st, 7)
                 : lds_stmt_bind_double(st, 7, (double)d->min_purity / 1e8)));
        if (lds_stmt_exec(st, &e) != LDS_OK) die("request", &e);
    }
    for (size_t i = 0; i < in->n_lanes; i++) {
        const lds_match_lane *l = &in->lanes[i];
        if (lds_store_prepare(s, q_lane, &st, &e) != LDS_OK) die("lane", &e);
        bind_or_die(lds_stmt_bind_text(st, 1, l->from) || lds_stmt_bind_text(st, 2, l->to) ||
                    lds_stmt_bind_i64(st, 3, l->cost_cents) ||
                    lds_stmt_bind_i64(st, 4, l->transit));
        if (lds_stmt_exec(st, &e) != LDS_OK) die("lane", &e);
    }
    if (lds_store_commit(s, &e) != LDS_OK) die("commit", &e);
}

static const lds_principal operator_ = {1, 1, LDS_ROLE_OPERATOR};

/* One match run in its own transaction; returns the parsed reply. */
static json_t *run(lds_store *s, int cold, double *wall, double *cpu)
{
    lds_buf b = LDS_BUF_INIT;
    lds_field_errors fe = {0};
    lds_err e;
    int64_t id;
    double w0 = WALL(), c0 = CPU();
    if (lds_store_begin(s, &e) != LDS_OK) die("begin", &e);
    if (lds_market_run_ex(s, &operator_, NULL, cold, &id, &b, &fe, &e) != LDS_OK) die("run", &e);
    if (lds_store_commit(s, &e) != LDS_OK) die("commit", &e);
    lds_store_end_reads(s);
    *wall = WALL() - w0;
    *cpu = CPU() - c0;
    json_error_t je;
    json_t *j = json_loadb(b.ptr, b.len, 0, &je);
    if (!j) {
        fprintf(stderr, "bench_market: run reply is not JSON: %s\n", je.text);
        exit(1);
    }
    lds_buf_release(&b);
    return j;
}

static long long num(json_t *o, const char *k, double scale)
{
    return llround(json_number_value(json_object_get(o, k)) * scale);
}

/* Sum over lines of quantity_milli x (unit price + logistics) in cents. */
static long long exact_cost(json_t *lines)
{
    long long sum = 0;
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l) sum +=
        num(l, "quantity", 1e3) * (num(l, "unit_price", 1e2) + num(l, "logistics_cost", 1e2));
    return sum;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_market DIR DB [NEW]\n");
        return 2;
    }
    int n_new = argc > 3 ? atoi(argv[3]) : 5;
    if (n_new < 1 || n_new > 64) n_new = 5;
    size_t lo, lr, ll;
    char *to = slurp(argv[1], "offers.csv", &lo), *tr = slurp(argv[1], "requests.csv", &lr),
         *tl = slurp(argv[1], "lanes.csv", &ll);
    lds_err e;
    lds_match_table t;
    lds_match_table_init(&t);
    if (lds_match_parse_offers(&t, to, lo, &e) != LDS_OK ||
        lds_match_parse_requests(&t, tr, lr, &e) != LDS_OK ||
        lds_match_parse_lanes(&t, tl, ll, &e) != LDS_OK)
        die("parse", &e);
    remove(argv[2]);
    char side[4200];
    snprintf(side, sizeof side, "%s-wal", argv[2]);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", argv[2]);
    remove(side);
    lds_store *s;
    if (lds_store_open(argv[2], &s, &e) != LDS_OK || lds_store_migrate(s, NULL, &e) != LDS_OK)
        die("open", &e);
    const char *root = getenv("LDS_SOURCE_ROOT");
    char cat[4200];
    snprintf(cat, sizeof cat, "%s/data/catalog.json", root ? root : ".");
    if (lds_catalog_load_file(s, cat, &e) != LDS_OK) die("catalog", &e);
    load_db(s, &t.input);

    double cold_w, cold_c;
    json_t *first = run(s, 0, &cold_w, &cold_c);
    size_t lines = json_array_size(json_object_get(first, "allocations"));
    json_decref(first);

    double w[64], c[64], solve[64], solve_cpu[64], create[64];
    json_t *last = NULL;
    int all_warm = 1;
    for (int k = 0; k < n_new; k++) {
        const lds_match_offer *o = &t.input.offers[(size_t)k * 997 % t.input.n_offers];
        char body[512], per[16], per2[16], qty[32], price[32];
        lds_match_fmt_milli(o->qty_milli, qty);
        lds_match_fmt_cents(o->price_cents - 500, price);
        int n = snprintf(body, sizeof body,
                         "{\"org_id\":%lld,\"material_id\":\"%s\",\"region_id\":\"%s\","
                         "\"quantity\":\"%s\",\"unit_price\":\"%s\",\"period_from\":\"%s\","
                         "\"period_to\":\"%s\"",
                         (long long)org_of(o->org), o->material, o->region, qty, price,
                         lds_match_fmt_period(o->from, per), lds_match_fmt_period(o->to, per2));
        if (o->purity != LDS_MATCH_NO_PURITY)
            n += snprintf(body + n, sizeof body - (size_t)n, ",\"purity\":\"%.6f\"",
                          (double)o->purity / 1e8);
        snprintf(body + n, sizeof body - (size_t)n, "}");
        json_error_t je;
        json_t *j = json_loads(body, 0, &je);
        lds_buf out = LDS_BUF_INIT;
        lds_field_errors fe = {0};
        int64_t id;
        double w0 = WALL();
        if (!j || lds_store_begin(s, &e) != LDS_OK ||
            lds_market_create(s, &operator_, LDS_MARKET_OFFERS, j, &id, &out, &fe, &e) != LDS_OK ||
            lds_store_commit(s, &e) != LDS_OK)
            die("create offer", &e);
        lds_store_end_reads(s);
        create[k] = WALL() - w0;
        json_decref(j);
        lds_buf_release(&out);
        json_decref(last);
        last = run(s, 0, &w[k], &c[k]);
        json_t *sv = json_object_get(last, "solve");
        all_warm &= strcmp(json_string_value(json_object_get(sv, "mode")), "warm") == 0;
        solve[k] = json_number_value(json_object_get(sv, "time_ms"));
        solve_cpu[k] = json_number_value(json_object_get(sv, "cpu_ms"));
    }
    double wc, cc;
    json_t *cold = run(s, 1, &wc, &cc);
    /* The objective is exact: the same matched quantity and the same exact
     * cost (sum of quantity x (price + logistics) in 1/1000 cent, from the
     * lines).  Rounded totals and the lines themselves may differ where two
     * allocations tie exactly (tie_lines counts the lines that differ). */
    json_t *la = json_object_get(last, "allocations"), *ca = json_object_get(cold, "allocations");
    int ok = all_warm &&
             json_equal(json_object_get(json_object_get(last, "totals"), "matched_quantity"),
                        json_object_get(json_object_get(cold, "totals"), "matched_quantity")) &&
             exact_cost(la) == exact_cost(ca);
    size_t same = 0;
    for (size_t i = 0; i < json_array_size(la) && i < json_array_size(ca); i++)
        same += json_equal(json_array_get(la, i), json_array_get(ca, i));
    size_t diff_lines = json_array_size(la) + json_array_size(ca) - 2 * same;
    double wmax = 0;
    for (int k = 0; k < n_new; k++)
        wmax = w[k] > wmax ? w[k] : wmax;
    qsort(w, (size_t)n_new, sizeof *w, cmp_d);
    qsort(c, (size_t)n_new, sizeof *c, cmp_d);
    qsort(solve, (size_t)n_new, sizeof *solve, cmp_d);
    qsort(solve_cpu, (size_t)n_new, sizeof *solve_cpu, cmp_d);
    qsort(create, (size_t)n_new, sizeof *create, cmp_d);
    printf("lines=%zu cold_s=%.3f cold_cpu_s=%.3f run_ms=%.1f run_max_ms=%.1f run_cpu_ms=%.1f "
           "solve_ms=%.1f solve_cpu_ms=%.1f create_ms=%.2f warm=%s ok=%s tie_lines=%zu\n",
           lines, cold_w, cold_c, w[n_new / 2] * 1e3, wmax * 1e3, c[n_new / 2] * 1e3,
           solve[n_new / 2], solve_cpu[n_new / 2], create[n_new / 2] * 1e3, all_warm ? "yes" : "no",
           ok ? "yes" : "no", diff_lines);
    json_decref(last);
    json_decref(cold);
    lds_market_sessions_clear();
    lds_store_close(s);
    lds_match_table_release(&t);
    free(to);
    free(tr);
    free(tl);
    return ok ? 0 : 1;
}
