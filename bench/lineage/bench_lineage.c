/*
 * bench_lineage.c — backward trace of a motor lot through 6 transformation
 * levels in a store of 10 million events (issue 5: p99 under 5 ms).
 *
 *   bench_lineage DB [EVENTS] [QUERIES]
 *
 * When DB does not exist it is generated first with direct SQL inserts in
 * big transactions (not through capture): FAMILIES motor lots, each with
 * its full upstream — motor <- 2 magnet lots <- 1 alloy lot each <- NdPr
 * metal + DyFe alloy + iron + ferroboron <- oxide <- 2 carbonates <- 1 ore
 * each: 33 lots, 32 edges, 33 events (21 TransformationEvents, 12
 * commissioning ObjectEvents) — padded with shipping/receiving
 * ObjectEvents to EVENTS in total, interleaved in time.  Every event has
 * its row, one identifier row and a ledger leaf (placeholder bytes: the
 * trace never reads leaves).  The catalog is loaded so lots convert to REO.
 *
 * Then QUERIES random motor lots are traced with lds_lineage_provenance
 * (each family once: no result is served from a previous trace) and the
 * latency percentiles are printed beside the target, with CPU time.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include "lodestone/catalog.h"
#include "lodestone/lineage.h"
#include "lodestone/store.h"

#define LOTS_PER_FAMILY 33

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void die_sql(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench_lineage: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_lineage: %s: %s\n", sql, msg);
        exit(1);
    }
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die_sql(db, sql);
    return st;
}

static void step_done(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die_sql(db, "insert");
    sqlite3_reset(st);
}

typedef struct gen {
    sqlite3 *db;
    sqlite3_stmt *leaf, *event, *ids, *lot, *edge;
    int64_t n_events;  /* events written = next leaf index */
    int64_t t_ms;
    int64_t n_lots;
} gen;

/* One event row (with its leaf and one identifier); returns its row id. */
static int64_t event(gen *g, const char *type, const char *action, const char *biz_step,
                     const char *cls)
{
    static const uint8_t hash[32];
    char data[96], id[64];
    int64_t idx = g->n_events++;
    g->t_ms += 1000;
    int n = snprintf(data, sizeof data, "{\"bench\":%lld}", (long long)idx);
    sqlite3_bind_int64(g->leaf, 1, idx);
    sqlite3_bind_blob(g->leaf, 2, hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(g->leaf, 3, data, n, SQLITE_TRANSIENT);
    step_done(g->db, g->leaf);
    snprintf(id, sizeof id, "urn:uuid:bench-%012lld", (long long)idx);
    sqlite3_bind_text(g->event, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(g->event, 2, type, -1, SQLITE_STATIC);
    if (action)
        sqlite3_bind_text(g->event, 3, action, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(g->event, 3);
    sqlite3_bind_int64(g->event, 4, g->t_ms);
    sqlite3_bind_int64(g->event, 5, g->t_ms);
    sqlite3_bind_text(g->event, 6, biz_step, -1, SQLITE_STATIC);
    sqlite3_bind_text(g->event, 7, "urn:epc:id:sgln:6975000.00001.0", -1, SQLITE_STATIC);
    sqlite3_bind_int64(g->event, 8, idx);
    sqlite3_bind_int64(g->event, 9, lds_store_key64(id));
    step_done(g->db, g->event);
    int64_t row = sqlite3_last_insert_rowid(g->db);
    sqlite3_bind_text(g->ids, 1, cls, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(g->ids, 2, strcmp(type, "TransformationEvent") == 0 ? 9 : 6);
    sqlite3_bind_int64(g->ids, 3, row);
    step_done(g->db, g->ids);
    return row;
}

static void lot_uri(char *out, size_t n, int64_t lot)
{
    snprintf(out, n, "https://id.gs1.org/01/06975000000004/10/B%lld", (long long)lot);
}

/* A lot commissioned by `ev`; returns its row id. */
static int64_t lot(gen *g, int64_t ev, const char *material, double qty, int output,
                   const char *mine)
{
    char uri[96];
    lot_uri(uri, sizeof uri, ++g->n_lots);
    sqlite3_bind_text(g->lot, 1, uri, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(g->lot, 2, material, -1, SQLITE_STATIC);
    sqlite3_bind_double(g->lot, 3, qty);
    if (mine) {
        sqlite3_bind_text(g->lot, 4, mine, -1, SQLITE_STATIC);
        sqlite3_bind_text(g->lot, 5, "xunwu", -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(g->lot, 4);
        sqlite3_bind_null(g->lot, 5);
    }
    sqlite3_bind_int64(g->lot, 6, ev);
    sqlite3_bind_int64(g->lot, 7, g->t_ms);
    sqlite3_bind_int(g->lot, 8, output);
    step_done(g->db, g->lot);
    return sqlite3_last_insert_rowid(g->db);
}

static void edge(gen *g, int64_t out, int64_t in, int64_t ev, double qty)
{
    sqlite3_bind_int64(g->edge, 1, out);
    sqlite3_bind_int64(g->edge, 2, in);
    sqlite3_bind_int64(g->edge, 3, ev);
    sqlite3_bind_double(g->edge, 4, qty);
    step_done(g->db, g->edge);
}

/* Origin lot: a commissioning ObjectEvent. */
static int64_t origin(gen *g, const char *material, double qty, const char *mine)
{
    char uri[96];
    lot_uri(uri, sizeof uri, g->n_lots + 1);
    int64_t ev = event(g, "ObjectEvent", "ADD", "https://ref.gs1.org/cbv/BizStep-commissioning",
                       uri);
    return lot(g, ev, material, qty, 0, mine);
}

/* Output lot of a TransformationEvent from `n` inputs (consumed `qty`). */
static int64_t transform(gen *g, const char *material, double out_qty, const int64_t *in,
                         const double *qty, int n)
{
    char uri[96];
    lot_uri(uri, sizeof uri, g->n_lots + 1);
    int64_t ev = event(g, "TransformationEvent", NULL,
                       "https://ref.gs1.org/cbv/BizStep-commissioning", uri);
    int64_t out = lot(g, ev, material, out_qty, 1, NULL);
    for (int i = 0; i < n; i++)
        edge(g, out, in[i], ev, qty[i]);
    return out;
}

static const char *const mines[] = {"Xunwu Mine 1", "Xunwu Mine 2", "Xunwu Mine 3",
                                    "Longnan Mine 1", "Longnan Mine 2"};

/* One metal lot: oxide <- 2 carbonates <- 1 ore each (3 levels). */
static int64_t metal_chain(gen *g, const char *metal, const char *oxide, double oxide_t,
                           unsigned *rnd)
{
    int64_t carb[2];
    double carb_q[2];
    for (int i = 0; i < 2; i++) {
        double ore_t = 2000 + (*rnd = *rnd * 1103515245u + 12345u) % 4000;
        int64_t ore = origin(g, "ore_ionic_xunwu", ore_t, mines[(*rnd >> 8) % 5]);
        double ore_q[] = {ore_t};
        carb_q[i] = ore_t * 0.0016; /* ~0.1% REO x 0.7 yield / 45% REO */
        carb[i] = transform(g, "carb_ionic_xunwu", carb_q[i], &ore, ore_q, 1);
    }
    int64_t ox = transform(g, oxide, oxide_t, carb, carb_q, 2);
    double ox_q[] = {oxide_t};
    return transform(g, metal, oxide_t * 0.8, &ox, ox_q, 1);
}

static int64_t family(gen *g, unsigned *rnd)
{
    int64_t magnets[2];
    double mag_q[2];
    for (int m = 0; m < 2; m++) {
        int64_t in[4];
        double q[4] = {1.2, 0.2, 2.8, 0.3};
        in[0] = metal_chain(g, "ndpr_metal", "prnd_oxide", 1.6, rnd);
        in[1] = metal_chain(g, "dyfe_alloy", "dy2o3", 0.25, rnd);
        in[2] = origin(g, "fe_iron", 3.0, NULL);
        in[3] = origin(g, "ferroboron", 0.3, NULL);
        int64_t alloy = transform(g, "alloy_n42sh", 4.4, in, q, 4);
        double aq[] = {4.4};
        mag_q[m] = 3.0;
        magnets[m] = transform(g, "mag_n42sh", mag_q[m], &alloy, aq, 1);
    }
    double mq[] = {0.9, 0.9};
    return transform(g, "motor_ev_traction", 500, magnets, mq, 2);
}

static void generate(const char *path, int64_t n_events, const char *catalog)
{
    lds_store *s;
    lds_err err;
    if (lds_store_open(path, &s, &err) || lds_store_migrate(s, NULL, &err) ||
        lds_catalog_load_file(s, catalog, &err)) {
        fprintf(stderr, "bench_lineage: %s\n", err.msg);
        exit(1);
    }
    lds_store_close(s);
    gen g;
    memset(&g, 0, sizeof g);
    if (sqlite3_open(path, &g.db) != SQLITE_OK)
        die_sql(g.db, "open");
    exec(g.db, "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; "
               "PRAGMA cache_size = -262144;");
    g.leaf = prep(g.db, "INSERT INTO ledger_leaves (idx, leaf_hash, data) VALUES (?, ?, ?)");
    g.event = prep(g.db, "INSERT INTO epcis_events (event_id, type, action, event_time_ms, "
                         "tz_offset_min, record_time_ms, biz_step, biz_location, leaf_idx, event_key) "
                         "VALUES (?1, ?2, ?3, ?4, 480, ?5, ?6, ?7, ?8, ?9)");
    g.ids = prep(g.db, "INSERT OR IGNORE INTO epcis_event_ids (uri, role, event) VALUES (?, ?, ?)");
    g.lot = prep(g.db, "INSERT INTO lots (lot, material_id, quantity, uom, mine, region_id, "
                       "event, event_time_ms, is_output, org_id) "
                       "VALUES (?1, ?2, ?3, 'TNE', ?4, ?5, ?6, ?7, ?8, 1)");
    g.edge = prep(g.db, "INSERT INTO lot_edges (output_lot, input_lot, event, in_qty, in_uom) "
                        "VALUES (?, ?, ?, ?, 'TNE')");
    g.t_ms = 1767225600000LL; /* 2026-01-01 */
    int64_t families = n_events / (LOTS_PER_FAMILY * 3);
    if (families < 1)
        families = 1;
    /* Padding events between families so the total reaches n_events. */
    int64_t pad_total = n_events - families * LOTS_PER_FAMILY;
    unsigned rnd = 20260101u;
    double t0 = now_s();
    exec(g.db, "BEGIN");
    for (int64_t f = 0; f < families; f++) {
        family(&g, &rnd);
        int64_t pad = pad_total * (f + 1) / families - pad_total * f / families;
        for (int64_t k = 0; k < pad; k++) {
            char uri[96];
            lot_uri(uri, sizeof uri, 1 + (int64_t)((rnd = rnd * 1103515245u + 12345u) %
                                                   (unsigned)g.n_lots));
            event(&g, "ObjectEvent", "OBSERVE",
                  k % 2 ? "https://ref.gs1.org/cbv/BizStep-receiving"
                        : "https://ref.gs1.org/cbv/BizStep-shipping",
                  uri);
        }
        if (g.n_events / 500000 != (g.n_events - LOTS_PER_FAMILY - pad) / 500000) {
            exec(g.db, "COMMIT; BEGIN");
            fprintf(stderr, "\rgenerating: %lld events, %lld lots (%.0f s)",
                    (long long)g.n_events, (long long)g.n_lots, now_s() - t0);
        }
    }
    exec(g.db, "COMMIT");
    fprintf(stderr, "\rgenerated %lld events, %lld lots, %lld families in %.0f s\n",
            (long long)g.n_events, (long long)g.n_lots, (long long)families, now_s() - t0);
    sqlite3_finalize(g.leaf);
    sqlite3_finalize(g.event);
    sqlite3_finalize(g.ids);
    sqlite3_finalize(g.lot);
    sqlite3_finalize(g.edge);
    exec(g.db, "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;");
    sqlite3_close(g.db);
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_lineage DB [EVENTS] [QUERIES]\n");
        return 2;
    }
    const char *path = argv[1];
    int64_t n_events = argc > 2 ? atoll(argv[2]) : 10000000;
    int queries = argc > 3 ? atoi(argv[3]) : 2000;
    struct stat sb;
    if (stat(path, &sb) != 0)
        generate(path, n_events, "data/catalog.json");

    lds_store *s;
    lds_err err;
    if (lds_store_open(path, &s, &err) || lds_store_migrate(s, NULL, &err)) {
        fprintf(stderr, "bench_lineage: %s\n", err.msg);
        return 1;
    }
    /* The motors: the lots of motor_ev_traction. */
    static const char q_n[] = "SELECT count(*), (SELECT count(*) FROM epcis_events), "
                              "(SELECT count(*) FROM lots) FROM lots "
                              "WHERE material_id = 'motor_ev_traction'";
    static const char q_motor[] = "SELECT lot FROM lots WHERE material_id = "
                                  "'motor_ev_traction' AND id >= ? ORDER BY id LIMIT 1";
    lds_stmt *st;
    if (lds_store_prepare(s, q_n, &st, &err) || lds_stmt_step(st, &err) != LDS_STORE_ROW) {
        fprintf(stderr, "bench_lineage: %s\n", err.msg);
        return 1;
    }
    int64_t n_motors = lds_stmt_col_i64(st, 0), events = lds_stmt_col_i64(st, 1);
    int64_t n_lots = lds_stmt_col_i64(st, 2);
    lds_stmt_reset(st);
    printf("store: %lld events, %lld lots, %lld motor lots (%s, %.2f GB)\n", (long long)events,
           (long long)n_lots, (long long)n_motors, path,
           stat(path, &sb) == 0 ? (double)sb.st_size / 1e9 : 0.0);
    if (queries > n_motors)
        queries = (int)n_motors;
    char (*lots)[LDS_LINEAGE_URI_MAX] = malloc((size_t)queries * LDS_LINEAGE_URI_MAX);
    unsigned rnd = 7u;
    for (int i = 0; i < queries; i++) {
        /* Family i of a random permutation-ish stride: each traced once. */
        int64_t fam = (int64_t)(((uint64_t)i * 2654435761u + (rnd = rnd * 1103515245u + 12345u) %
                                                                 7u) %
                                (uint64_t)n_motors);
        int64_t id = fam * LOTS_PER_FAMILY + 1;
        lds_store_prepare(s, q_motor, &st, NULL);
        lds_stmt_bind_i64(st, 1, id);
        if (lds_stmt_step(st, NULL) != LDS_STORE_ROW) {
            fprintf(stderr, "bench_lineage: no motor at %lld\n", (long long)id);
            return 1;
        }
        snprintf(lots[i], LDS_LINEAGE_URI_MAX, "%s", lds_stmt_col_text(st, 0));
        lds_stmt_reset(st);
    }
    /* One trace for the first-open costs (catalog read), not counted. */
    lds_provenance p;
    if (lds_lineage_provenance(s, lots[0], &p, &err)) {
        fprintf(stderr, "bench_lineage: %s\n", err.msg);
        return 1;
    }
    size_t n_lots_traced = p.n_lots, n_links = p.n_links, n_origins = p.n_origins;
    int depth = 0;
    double *lat = malloc((size_t)queries * sizeof *lat);
    double *cpu_lat = malloc((size_t)queries * sizeof *cpu_lat);
    lds_provenance_release(&p);
    printf("trace: %zu lots, %zu links, %zu origins per motor lot\n", n_lots_traced, n_links,
           n_origins);
    /* Pass 1 reads each family's pages for the first time in this process
     * (from the OS page cache or the disk); pass 2 traces the same lots
     * again with SQLite's and the OS's caches warm. */
    double first_p99 = 0;
    for (int pass = 1; pass <= 2; pass++) {
        long nivcsw0, nvcsw0;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        nivcsw0 = ru.ru_nivcsw;
        nvcsw0 = ru.ru_nvcsw;
        double c0 = cpu_s(), w0 = now_s();
        for (int i = 0; i < queries; i++) {
            double t = now_s(), tc = thread_cpu_s();
            if (lds_lineage_provenance(s, lots[i], &p, &err)) {
                fprintf(stderr, "bench_lineage: %s\n", err.msg);
                return 1;
            }
            lat[i] = now_s() - t;
            cpu_lat[i] = thread_cpu_s() - tc;
            if (i == 0 && pass == 1) {
                /* Depth: longest chain of links from the root. */
                int *d = calloc(p.n_lots, sizeof *d);
                for (int round = 0; round < 16; round++)
                    for (size_t k = 0; k < p.n_links; k++)
                        if (d[p.links[k].input] < d[p.links[k].output] + 1)
                            d[p.links[k].input] = d[p.links[k].output] + 1;
                for (size_t k = 0; k < p.n_lots; k++)
                    if (d[k] > depth)
                        depth = d[k];
                free(d);
                printf("transformation levels from the motor lot to its ores: %d\n", depth);
            }
            lds_provenance_release(&p);
        }
        double wall = now_s() - w0, cpu = cpu_s() - c0;
        getrusage(RUSAGE_SELF, &ru);
        qsort(lat, (size_t)queries, sizeof *lat, cmp_double);
        double p50 = lat[queries / 2] * 1e3, p99 = lat[(size_t)((double)queries * 0.99)] * 1e3;
        double mx = lat[queries - 1] * 1e3;
        qsort(cpu_lat, (size_t)queries, sizeof *cpu_lat, cmp_double);
        double c50 = cpu_lat[queries / 2] * 1e3;
        double c99 = cpu_lat[(size_t)((double)queries * 0.99)] * 1e3;
        printf("pass %d: backward trace (lds_lineage_provenance) of %d motor lots, %s:\n", pass,
               queries, pass == 1 ? "each read for the first time" : "the same lots again");
        printf("  p50 %.3f ms   p99 %.3f ms   max %.3f ms   target p99 < 5 ms: %s\n", p50, p99,
               mx, p99 < 5.0 ? "MET" : "NOT MET");
        printf("  CPU time per trace: p50 %.3f ms   p99 %.3f ms\n", c50, c99);
        printf("  wall %.3f s, CPU %.3f s (%.0f%% of one core), %.0f traces/s, %ld involuntary "
               "and %ld voluntary context switches\n",
               wall, cpu, 100 * cpu / wall, queries / wall, ru.ru_nivcsw - nivcsw0,
               ru.ru_nvcsw - nvcsw0);
        if (pass == 1)
            first_p99 = p99;
    }
    free(lat);
    free(cpu_lat);
    free(lots);
    lds_store_close(s);
    return first_p99 < 5.0 ? 0 : 1;
}
