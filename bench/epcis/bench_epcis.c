/*
 * bench_epcis.c — throughput of the EPCIS engine on a generated 1,000-event
 * EPCISDocument (a mix of ObjectEvents with EPC lists, quantity lists,
 * AggregationEvents and TransformationEvents, with extensions, as a rare-earth
 * corridor would capture them).  Reports events/s for validation + hash ID
 * (the per-event work of a batch capture), and separately with the jansson
 * parse and the canonical ledger bytes included.  Fixed seed, fixed sizes.
 *
 *   bench_epcis [ROUNDS [core]]   (default 50 rounds of the 1,000-event document;
 *                                  "core" skips the parse + canonical pass)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "lodestone/buf.h"
#include "lodestone/epcis.h"

#define N_EVENTS 1000

/* CPU time of this thread: the figure is events/s per core, and stays
 * meaningful on a machine shared with other work. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

static void gen_document(lds_buf *b)
{
    unsigned seed = 42;
    lds_buf_adds(b, "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","
                    "{\"lds\":\"https://lodestone.example/ns/\"}],\"type\":\"EPCISDocument\","
                    "\"schemaVersion\":\"2.0\",\"creationDate\":\"2025-03-01T08:00:00Z\","
                    "\"epcisBody\":{\"eventList\":[");
    for (int i = 0; i < N_EVENTS; i++) {
        unsigned r = rnd(&seed);
        int kind = i % 4;
        if (i)
            lds_buf_addc(b, ',');
        lds_buf_addf(b, "{\"eventTime\":\"2025-03-01T%02d:%02d:%02d.%03u+08:00\","
                        "\"eventTimeZoneOffset\":\"+08:00\",",
                     i / 3600 % 24, i / 60 % 60, i % 60, r % 1000);
        if (kind == 0 || kind == 1) {
            lds_buf_adds(b, "\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"epcList\":[");
            for (int j = 0; j < 5; j++)
                lds_buf_addf(b, "%s\"urn:epc:id:sgtin:6901234.0%05u.%u\"", j ? "," : "",
                             r % 100000, i * 10 + j);
            lds_buf_adds(b, "],\"bizStep\":\"shipping\",\"disposition\":\"in_transit\",");
            lds_buf_addf(b, "\"bizTransactionList\":[{\"type\":\"po\",\"bizTransaction\":"
                            "\"urn:epc:id:gdti:6901234.00001.%u\"}],", i);
            lds_buf_adds(b, "\"sourceList\":[{\"type\":\"owning_party\",\"source\":"
                            "\"urn:epc:id:pgln:6901234.00000\"}],");
        } else if (kind == 2) {
            lds_buf_addf(b, "\"type\":\"AggregationEvent\",\"action\":\"ADD\","
                            "\"parentID\":\"urn:epc:id:sscc:6901234.%010u\",\"childEPCs\":[",
                         (unsigned)i);
            for (int j = 0; j < 4; j++)
                lds_buf_addf(b, "%s\"urn:epc:id:sgtin:6901234.012345.%u\"", j ? "," : "",
                             i * 10 + j);
            lds_buf_adds(b, "],\"bizStep\":\"packing\",");
        } else {
            lds_buf_addf(b, "\"type\":\"TransformationEvent\",\"inputQuantityList\":["
                            "{\"epcClass\":\"urn:epc:class:lgtin:6901234.012345.ORE%u\","
                            "\"quantity\":%u.5,\"uom\":\"KGM\"}],\"outputQuantityList\":["
                            "{\"epcClass\":\"urn:epc:class:lgtin:6901234.023456.REO%u\","
                            "\"quantity\":%u,\"uom\":\"KGM\"}],\"bizStep\":\"commissioning\","
                            "\"ilmd\":{\"lds:material\":\"NdPr oxide\",\"lds:grade\":\"99.5\"},",
                         i, 1000 + r % 500, i, 100 + r % 50);
        }
        lds_buf_addf(b, "\"readPoint\":{\"id\":\"urn:epc:id:sgln:6901234.00%03u.0\"},"
                        "\"lds:batch\":{\"lds:line\":%u,\"lds:shift\":\"B\"}}",
                     r % 1000, r % 7);
    }
    lds_buf_adds(b, "]}}");
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    if (rounds < 1)
        rounds = 1;
    lds_buf text = LDS_BUF_INIT, canon = LDS_BUF_INIT;
    gen_document(&text);
    json_error_t je;
    json_t *doc = json_loadb(text.ptr, text.len, 0, &je);
    if (!doc) {
        fprintf(stderr, "bench_epcis: generated document does not parse: %s\n", je.text);
        return 2;
    }
    lds_epcis_hasher *h = lds_epcis_hasher_new();
    lds_epcis_report rep;
    lds_err err;
    char id[LDS_EPCIS_HASH_ID_LEN + 1];
    lds_epcis_report_init(&rep);
    if (lds_epcis_validate_document(doc, &rep, &err) != LDS_OK) {
        fprintf(stderr, "bench_epcis: generated document invalid: %s at %s\n", err.msg,
                err.field);
        return 2;
    }

    /* 1: validation + hash ID on a parsed document. */
    double t0 = now();
    for (int r = 0; r < rounds; r++) {
        lds_epcis_validate_document(doc, &rep, &err);
        const json_t *events = lds_epcis_document_events(doc);
        size_t i;
        json_t *ev;
        json_array_foreach(events, i, ev)
            lds_epcis_hasher_hash_id(h, lds_epcis_document_context(doc), ev, id, &err);
    }
    double t1 = now();
    double core = (double)rounds * N_EVENTS / (t1 - t0);

    /* 2: parse + validation + hash ID + canonical ledger bytes. */
    int only_core = argc > 2 && strcmp(argv[2], "core") == 0;
    double t2 = now();
    for (int r = 0; r < rounds && !only_core; r++) {
        json_t *d = json_loadb(text.ptr, text.len, 0, &je);
        lds_epcis_validate_document(d, &rep, &err);
        const json_t *events = lds_epcis_document_events(d);
        size_t i;
        json_t *ev;
        json_array_foreach(events, i, ev)
        {
            lds_epcis_hasher_hash_id(h, lds_epcis_document_context(d), ev, id, &err);
            lds_epcis_event_canonical(ev, lds_epcis_document_context(d), id, &canon, &err);
        }
        json_decref(d);
    }
    double t3 = now();
    double full = (double)rounds * N_EVENTS / (t3 - t2);

    printf("epcis: document of %d events, %zu bytes, %d rounds\n", N_EVENTS, text.len, rounds);
    printf("epcis: validation + hash ID:                      %.0f events/s (one core)\n", core);
    if (!only_core)
        printf("epcis: parse + validation + hash ID + canonical:  %.0f events/s (one core)\n", full);
    lds_epcis_report_release(&rep);
    lds_epcis_hasher_free(h);
    lds_buf_release(&text);
    lds_buf_release(&canon);
    json_decref(doc);
    return 0;
}
