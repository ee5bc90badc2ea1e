/*
 * bench_custody.c — what the custody rule costs batch capture (issue 5,
 * lineage custody).  Each round captures two 1,000-event EPCISDocuments
 * through lds_trace_capture into a fresh SQLite store, as the server does:
 *   A (the producer): 500 x [ObjectEvent ADD commissioning lot L,
 *                            ObjectEvent shipping L to org 11]
 *   B (the receiver): 500 x [TransformationEvent L -> M, ObjectEvent OBSERVE M]
 * in three configurations on the same build:
 *   plain     both documents as org 0 (exempt), shipments without
 *             destinationList: the capture path as before the rule
 *   platform  org 0, shipments with destinationList (owning_party
 *             https://lodestone.dev/org/11 + location .../facility/501):
 *             the index records 500 holders per round, no checks
 *   custody   A as org 10, B as org 11: checks before storing (B's 500
 *             inputs held through lot_holders) and the holder rows
 * Prints per configuration the events/s over wall time and the CPU per
 * event (getrusage; the machine is shared, so CPU is the steadier figure),
 * and checks the outcome: every event stored, holders = 500 x rounds
 * (0 for plain).  The documents are parsed before the clock starts.
 *
 *   bench_custody DIR ROUNDS CATALOG
 */
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "lodestone/buf.h"
#include "lodestone/catalog.h"
#include "lodestone/lineage.h"
#include "lodestone/trace.h"

#define HALF 500

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void head(lds_buf *b)
{
    lds_buf_adds(b, "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/"
                    "epcis-context.jsonld\"],\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                    "\"creationDate\":\"2026-05-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[");
}

static void when(lds_buf *b, unsigned d, unsigned i)
{
    lds_buf_addf(b,
                 "{\"eventTime\":\"2026-%02u-%02uT%02u:%02u:%02u.000+08:00\","
                 "\"eventTimeZoneOffset\":\"+08:00\",",
                 1 + d / 28 % 12, 1 + d % 28, i / 3600 % 24, i / 60 % 60, i % 60);
}

#define LOT "urn:epc:class:lgtin:6901234.077777."

static json_t *doc_a(unsigned d, int dests)
{
    lds_buf b = LDS_BUF_INIT;
    head(&b);
    for (unsigned k = 0; k < HALF; k++) {
        if (k)
            lds_buf_addc(&b, ',');
        when(&b, d, 2 * k);
        lds_buf_addf(&b,
                     "\"type\":\"ObjectEvent\",\"action\":\"ADD\",\"bizStep\":\"commissioning\","
                     "\"epcList\":[],\"quantityList\":[{\"epcClass\":\"" LOT "L%u-%u\","
                     "\"quantity\":10,\"uom\":\"TNE\"}]},",
                     d, k);
        when(&b, d, 2 * k + 1);
        lds_buf_addf(&b,
                     "\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"bizStep\":\"shipping\","
                     "\"epcList\":[],\"quantityList\":[{\"epcClass\":\"" LOT "L%u-%u\","
                     "\"quantity\":10,\"uom\":\"TNE\"}]%s}",
                     d, k,
                     dests ? ",\"destinationList\":[{\"type\":\"owning_party\",\"destination\":"
                             "\"https://lodestone.dev/org/11\"},{\"type\":\"location\","
                             "\"destination\":\"https://lodestone.dev/facility/501\"}]"
                           : "");
    }
    lds_buf_adds(&b, "]}}");
    json_t *j = json_loadb(b.ptr, b.len, 0, NULL);
    lds_buf_release(&b);
    return j;
}

static json_t *doc_b(unsigned d)
{
    lds_buf b = LDS_BUF_INIT;
    head(&b);
    for (unsigned k = 0; k < HALF; k++) {
        if (k)
            lds_buf_addc(&b, ',');
        when(&b, d, 2000 + 2 * k);
        lds_buf_addf(&b,
                     "\"type\":\"TransformationEvent\",\"bizStep\":\"commissioning\","
                     "\"inputQuantityList\":[{\"epcClass\":\"" LOT "L%u-%u\",\"quantity\":10,"
                     "\"uom\":\"TNE\"}],\"outputQuantityList\":[{\"epcClass\":\"" LOT "M%u-%u\","
                     "\"quantity\":9,\"uom\":\"TNE\"}]},",
                     d, k, d, k);
        when(&b, d, 2001 + 2 * k);
        lds_buf_addf(&b,
                     "\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"bizStep\":\"inspecting\","
                     "\"epcList\":[],\"quantityList\":[{\"epcClass\":\"" LOT "M%u-%u\","
                     "\"quantity\":9,\"uom\":\"TNE\"}]}",
                     d, k);
    }
    lds_buf_adds(&b, "]}}");
    json_t *j = json_loadb(b.ptr, b.len, 0, NULL);
    lds_buf_release(&b);
    return j;
}

static int64_t scalar(lds_store *s, const char *sql)
{
    lds_stmt *st;
    int64_t v = -1;
    if (lds_store_prepare(s, sql, &st, NULL) == LDS_OK && lds_stmt_step(st, NULL) == LDS_STORE_ROW)
        v = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return v;
}

static const char ins_org[] = "INSERT INTO orgs (id, name, kind, region_id, created_at) "
                              "VALUES (?1, 'bench org ' || ?1, 'enterprise', 'zhanggong', "
                              "'2026-01-01')";
static const char ins_fac[] =
    "INSERT INTO facilities (id, org_id, name, region_id, stage_id, capacity_milli, "
    "capacity_unit, created_at) VALUES (501, 11, 'bench plant', 'zhanggong', 'separation', 0, "
    "'t', '2026-01-01')";
static const char q_holders[] = "SELECT count(*) FROM lot_holders";
static const char q_events[] = "SELECT count(*) FROM epcis_events";

/* One configuration: 0 plain, 1 platform, 2 custody.  Returns 0 when it checks out. */
static int run(const char *dir, int rounds, const char *catalog, int config)
{
    static const char *const names[] = {"plain", "platform", "custody"};
    char db[1024], key[1100];
    snprintf(db, sizeof db, "%s/custody-%s.db", dir, names[config]);
    remove(db);
    lds_store *s = NULL;
    lds_trace_ledger *lg = NULL;
    lds_err err;
    if (lds_store_open(db, &s, &err) || lds_store_migrate(s, NULL, &err) ||
        lds_catalog_load_file(s, catalog, &err) ||
        lds_trace_key_path(db, NULL, key, sizeof key, &err) ||
        lds_trace_ledger_open(s, key, &lg, &err)) {
        fprintf(stderr, "bench_custody: %s\n", err.msg);
        return 2;
    }
    for (int64_t o = 10; o <= 11; o++) {
        lds_stmt *st;
        if (lds_store_prepare(s, ins_org, &st, &err) || lds_stmt_bind_i64(st, 1, o) ||
            lds_stmt_exec(st, &err)) {
            fprintf(stderr, "bench_custody: %s\n", err.msg);
            return 2;
        }
    }
    lds_stmt *st;
    if (lds_store_prepare(s, ins_fac, &st, &err) || lds_stmt_exec(st, &err)) {
        fprintf(stderr, "bench_custody: %s\n", err.msg);
        return 2;
    }
    json_t **docs = calloc((size_t)rounds * 2, sizeof *docs);
    for (int d = 0; d < rounds; d++) {
        docs[2 * d] = doc_a((unsigned)d, config > 0);
        docs[2 * d + 1] = doc_b((unsigned)d);
        if (!docs[2 * d] || !docs[2 * d + 1]) {
            fprintf(stderr, "bench_custody: bad generated JSON\n");
            return 2;
        }
    }
    lds_epcis_report *rep = malloc(sizeof *rep);
    lds_epcis_report_init(rep);
    int64_t org_a = config == 2 ? 10 : 0, org_b = config == 2 ? 11 : 0;
    double t0 = now(), c0 = cpu();
    for (int i = 0; i < 2 * rounds; i++) {
        lds_trace_capture_result res;
        lds_epcis_report_release(rep);
        lds_epcis_report_init(rep);
        if (lds_trace_capture(s, lg, docs[i], LDS_TRACE_ROLLBACK, i % 2 ? org_b : org_a, rep, &res,
                              &err) ||
            res.n_stored != 2 * HALF) {
            fprintf(stderr, "bench_custody: %s document %d: %s %s\n", names[config], i, err.msg,
                    rep->n_items ? rep->items[0].message : "");
            return 2;
        }
    }
    double secs = now() - t0, cpu_secs = cpu() - c0;
    double n = (double)rounds * 4 * HALF;
    int64_t holders = scalar(s, q_holders), events = scalar(s, q_events);
    int64_t want = config ? (int64_t)rounds * HALF : 0;
    printf("%-9s %d docs x %d events: %6.2f s wall %8.0f events/s   %6.2f s CPU %5.1f us CPU/event"
           "   holders %lld (want %lld)\n",
           names[config], 2 * rounds, 2 * HALF, secs, n / secs, cpu_secs, cpu_secs * 1e6 / n,
           (long long)holders, (long long)want);
    for (int i = 0; i < 2 * rounds; i++)
        json_decref(docs[i]);
    free(docs);
    lds_epcis_report_release(rep);
    free(rep);
    lds_trace_ledger_free(lg);
    remove(key);
    lds_store_close(s);
    remove(db);
    return holders == want && events == (int64_t)n ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_custody DIR ROUNDS CATALOG\n");
        return 2;
    }
    int rounds = atoi(argv[2]);
    if (rounds < 1)
        return 2;
    int status = 0;
    for (int config = 0; config < 3; config++) {
        int rc = run(argv[1], rounds, argv[3], config);
        if (rc > status)
            status = rc;
    }
    return status;
}
