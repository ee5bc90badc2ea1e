/*
 * bench_capture.c — sustained batch capture into SQLite through the library,
 * as the server does it: THREADS capturers (one store connection each, like
 * the HTTP workers) share one transparency log; each capture parses a
 * 1,000-event EPCISDocument, validates it, gives every event its hash ID and
 * canonical leaf, and commits events, identifier rows, leaves and the job in
 * one transaction before the next document is taken.  Every document is
 * distinct (its EPCs and times carry the document number), so nothing is a
 * duplicate.  Prints events/s over wall time and the CPU the process spent
 * per event, with the load average around the run (the machine is shared,
 * so the wall-clock rate depends on how much of it we got; the CPU per
 * event does much less), then checks the ledger: tree size = events and a
 * signed head.  Also prints how long the capturers held the ledger lock (one
 * database writer: the serial part, whose CPU per event bounds the rate of
 * one database however many cores capture).
 *
 *   bench_capture DB DOCS THREADS
 */
#include <pthread.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/json_arena.h"
#include "lodestone/trace.h"
#include "trace/trace_int.h" /* the ledger lock's hold times (build with -Isrc) */

#define N_EVENTS 1000

static const char *db_path;
static int n_docs;
static atomic_int next_doc;
static lds_trace_ledger *ledger;

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The 1-minute load average, or -1. */
static double loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A rare-earth corridor's mix: ObjectEvents with EPC lists, aggregations,
 * transformations with lot quantities and ILMD, and an extension field. */
static void gen_document(lds_buf *b, unsigned d)
{
    lds_buf_adds(b, "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/"
                    "epcis-context.jsonld\",{\"lds\":\"https://lodestone.example/ns/\"}],"
                    "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                    "\"creationDate\":\"2025-03-01T08:00:00Z\",\"epcisBody\":{\"eventList\":[");
    for (unsigned i = 0; i < N_EVENTS; i++) {
        unsigned kind = i % 4, serial = d * N_EVENTS + i;
        if (i)
            lds_buf_addc(b, ',');
        lds_buf_addf(b,
                     "{\"eventTime\":\"2025-%02u-%02uT%02u:%02u:%02u.%03u+08:00\","
                     "\"eventTimeZoneOffset\":\"+08:00\",",
                     1 + d / 28 % 12, 1 + d % 28, i / 3600 % 24, i / 60 % 60, i % 60, d % 1000);
        if (kind < 2) {
            lds_buf_adds(b, "\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"epcList\":[");
            for (unsigned j = 0; j < 5; j++)
                lds_buf_addf(b, "%s\"urn:epc:id:sgtin:6901234.012345.%u\"", j ? "," : "",
                             serial * 10 + j);
            lds_buf_addf(b,
                         "],\"bizStep\":\"shipping\",\"disposition\":\"in_transit\","
                         "\"bizTransactionList\":[{\"type\":\"po\",\"bizTransaction\":"
                         "\"urn:epc:id:gdti:6901234.00001.%u\"}],",
                         serial);
        } else if (kind == 2) {
            lds_buf_addf(b,
                         "\"type\":\"AggregationEvent\",\"action\":\"ADD\","
                         "\"parentID\":\"urn:epc:id:sscc:6901234.%010u\",\"childEPCs\":[",
                         serial);
            for (unsigned j = 0; j < 4; j++)
                lds_buf_addf(b, "%s\"urn:epc:id:sgtin:6901234.012345.%u\"", j ? "," : "",
                             serial * 10 + j);
            lds_buf_adds(b, "],\"bizStep\":\"packing\",");
        } else {
            lds_buf_addf(b,
                         "\"type\":\"TransformationEvent\",\"inputQuantityList\":["
                         "{\"epcClass\":\"urn:epc:class:lgtin:6901234.012345.ORE%u\","
                         "\"quantity\":1000.5,\"uom\":\"KGM\"}],\"outputQuantityList\":["
                         "{\"epcClass\":\"urn:epc:class:lgtin:6901234.023456.REO%u\","
                         "\"quantity\":120,\"uom\":\"KGM\"}],\"bizStep\":\"commissioning\","
                         "\"ilmd\":{\"lds:material\":\"NdPr oxide\",\"lds:grade\":\"99.5\"},",
                         serial, serial);
        }
        lds_buf_addf(b,
                     "\"readPoint\":{\"id\":\"urn:epc:id:sgln:6901234.00%03u.0\"},"
                     "\"lds:batch\":{\"lds:line\":%u,\"lds:shift\":\"B\"}}",
                     i % 1000, i % 7);
    }
    lds_buf_adds(b, "]}}");
}

static void *capturer(void *arg)
{
    lds_buf *texts = arg;
    lds_store *s = NULL;
    lds_err err;
    lds_epcis_report *rep = malloc(sizeof *rep);
    lds_json_arena *arena = lds_json_arena_new(); /* as the server's workers parse */
    if (!rep || !arena || lds_store_open(db_path, &s, &err) != LDS_OK) {
        fprintf(stderr, "bench_capture: cannot open %s\n", db_path);
        exit(2);
    }
    lds_epcis_report_init(rep);
    int d;
    while ((d = atomic_fetch_add(&next_doc, 1)) < n_docs) {
        json_error_t je;
        json_t *doc = lds_json_arena_loadb(arena, texts[d].ptr, texts[d].len, 0, &je);
        lds_trace_capture_result res;
        if (!doc || lds_trace_capture(s, ledger, doc, LDS_TRACE_ROLLBACK, 0, rep, &res, &err) ||
            res.n_stored != N_EVENTS) {
            fprintf(stderr, "bench_capture: document %d: %s %s\n", d, err.msg,
                    rep->n_items ? rep->items[0].message : "");
            exit(2);
        }
        lds_json_arena_reset(arena);
    }
    lds_json_arena_free(arena);
    lds_epcis_report_release(rep);
    free(rep);
    lds_store_close(s);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_capture DB DOCS THREADS\n");
        return 2;
    }
    lds_alloc_tune(); /* as `lodestone serve` does */
    db_path = argv[1];
    n_docs = atoi(argv[2]);
    int n_threads = atoi(argv[3]);
    if (n_docs < 1 || n_threads < 1 || n_threads > 64)
        return 2;
    lds_store *s = NULL;
    lds_err err;
    char key[1024];
    if (lds_store_open(db_path, &s, &err) || lds_store_migrate(s, NULL, &err) ||
        lds_trace_key_path(db_path, NULL, key, sizeof key, &err) ||
        lds_trace_ledger_open(s, key, &ledger, &err)) {
        fprintf(stderr, "bench_capture: %s\n", err.msg);
        return 2;
    }
    lds_buf *texts = calloc((size_t)n_docs, sizeof *texts);
    size_t bytes = 0;
    for (int d = 0; d < n_docs; d++) {
        lds_buf_init(&texts[d]);
        gen_document(&texts[d], (unsigned)d);
        bytes += texts[d].len;
    }
    pthread_t th[64];
    double load0 = loadavg();
    double t0 = now(), c0 = cpu();
    for (int t = 0; t < n_threads; t++)
        pthread_create(&th[t], NULL, capturer, texts);
    for (int t = 0; t < n_threads; t++)
        pthread_join(th[t], NULL);
    double secs = now() - t0, cpu_secs = cpu() - c0;
    lds_ledger_sth sth;
    if (lds_trace_ledger_sth(ledger, s, &sth, &err)) {
        fprintf(stderr, "bench_capture: %s\n", err.msg);
        return 2;
    }
    double rate = (double)n_docs * N_EVENTS / secs;
    printf("capture: %d documents x %d events (%.1f MB JSON), %d capturer threads\n", n_docs,
           N_EVENTS, (double)bytes / 1e6, n_threads);
    printf("capture: %.2f s, %.0f events/s sustained (parse, validate, hash ID, canonical leaf, "
           "commit per document)\n",
           secs, rate);
    printf("capture: %.2f s CPU, %.0f events per CPU-second (%.1f us CPU per event)\n", cpu_secs,
           (double)n_docs * N_EVENTS / cpu_secs, cpu_secs * 1e6 / ((double)n_docs * N_EVENTS));
    double us = cpu_secs * 1e6 / ((double)n_docs * N_EVENTS);
    printf("capture: load average %.1f before, %.1f after (machine shared; wall-clock rate "
           "depends on it)\n",
           load0, loadavg());
    printf("capture: CPU-bound rate on 2 otherwise idle cores at this CPU per event: %.0f "
           "events/s (target 50000)\n",
           2e6 / us);
    double n_events = (double)n_docs * N_EVENTS;
    double held_cpu = (double)atomic_load(&ledger->held_cpu_ns) / 1e3 / n_events;
    double held_wall = (double)atomic_load(&ledger->held_wall_ns) / 1e3 / n_events;
    printf("capture: ledger lock held %.1f us CPU, %.1f us wall per event (%lld holds, %.0f %% of "
           "the run); at that CPU one database writer allows %.0f events/s\n",
           held_cpu, held_wall, (long long)atomic_load(&ledger->holds),
           100.0 * (double)atomic_load(&ledger->held_wall_ns) / 1e9 / secs, 1e6 / held_cpu);
    printf("capture: ledger %llu leaves, signed tree head at %llu\n",
           (unsigned long long)sth.tree_size, (unsigned long long)sth.timestamp_ms);
    for (int d = 0; d < n_docs; d++)
        lds_buf_release(&texts[d]);
    free(texts);
    lds_trace_ledger_free(ledger);
    lds_store_close(s);
    return sth.tree_size == (uint64_t)n_docs * N_EVENTS ? 0 : 1;
}
