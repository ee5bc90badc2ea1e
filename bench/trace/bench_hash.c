/*
 * bench_hash.c — the ledger's RFC 9162 leaf and node hashes on libsodium
 * (as before) and on lds_sha256 (SHA-NI where the CPU has it), for a leaf of
 * the size the capture benchmark's events have (~500 canonical bytes).
 *
 *   cc -std=c11 -O2 -D_GNU_SOURCE -Iinclude -Isrc -o build/bench/bench_hash \
 *     bench/trace/bench_hash.c build/rel/liblodestone.a $(pkg-config --libs libsodium)
 *   build/bench/bench_hash [LEAF_BYTES] [ROUNDS]
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/ledger.h"
#include "lodestone/sha256.h"

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void leaf_sodium(const uint8_t *d, size_t n, uint8_t out[32])
{
    static const uint8_t prefix = 0x00;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, d, n);
    crypto_hash_sha256_final(&st, out);
}

int main(int argc, char **argv)
{
    size_t len = argc > 1 ? strtoul(argv[1], NULL, 10) : 500;
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 200000;
    if (sodium_init() < 0 || len > 1 << 20 || rounds < 1)
        return 2;
    uint8_t *d = malloc(len + 1), a[32], b[32], node[65];
    if (!d)
        return 2;
    for (size_t i = 0; i < len; i++)
        d[i] = (uint8_t)(i * 31u + 7u);
    lds_ledger_hash_leaf(d, len, a);
    leaf_sodium(d, len, b);
    if (memcmp(a, b, 32) != 0) {
        fprintf(stderr, "bench_hash: leaf hashes differ\n");
        return 1;
    }
    unsigned sink = 0;
    double t0 = cpu_s();
    for (long i = 0; i < rounds; i++) {
        d[0] = (uint8_t)i;
        leaf_sodium(d, len, b);
        sink += b[0];
    }
    double t1 = cpu_s();
    for (long i = 0; i < rounds; i++) {
        d[0] = (uint8_t)i;
        lds_ledger_hash_leaf(d, len, a);
        sink += a[0];
    }
    double t2 = cpu_s();
    memset(node, 1, sizeof node);
    for (long i = 0; i < rounds; i++) {
        node[1] = (uint8_t)i;
        crypto_hash_sha256(b, node, sizeof node);
        sink += b[0];
    }
    double t3 = cpu_s();
    for (long i = 0; i < rounds; i++) {
        node[1] = (uint8_t)i;
        lds_ledger_hash_children(node + 1, node + 33, a);
        sink += a[0];
    }
    double t4 = cpu_s();
    printf("leaf hash, %zu bytes: libsodium %.3f us, lds_sha256 %.3f us (SHA-NI: %s)\n", len,
           (t1 - t0) * 1e6 / rounds, (t2 - t1) * 1e6 / rounds, lds_sha256_ni() ? "yes" : "no");
    printf("node hash, 65 bytes: libsodium %.3f us, lds_sha256 %.3f us (checksum %u)\n",
           (t3 - t2) * 1e6 / rounds, (t4 - t3) * 1e6 / rounds, sink & 0xff);
    free(d);
    return 0;
}
