/*
 * bench_ledger.c — the ledger engine at scale: append throughput, memory per
 * leaf, and the latency of inclusion proofs (the target: < 50 us at
 * 10 million leaves), consistency proofs, roots and verification.  Fixed
 * seed; each query is timed on its own and the median / p99 reported.
 *
 *   bench_ledger [LEAVES] [QUERIES]      (defaults 10000000, 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "lodestone/ledger.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: on a shared machine wall time also counts waiting. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 20261130;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, size_t n)
{
    qsort(t, n, sizeof *t, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += t[i];
    printf("%-44s median %7.2f us  p99 %7.2f us  mean %7.2f us  (n=%zu)\n", what,
           t[n / 2] * 1e6, t[n * 99 / 100] * 1e6, sum / (double)n * 1e6, n);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    size_t q = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
    lds_ledger_tree *t;
    lds_err err;
    if (n < 2 || q < 1 || lds_ledger_tree_new(&t, &err) != LDS_OK) {
        fprintf(stderr, "usage: bench_ledger [LEAVES>=2] [QUERIES>=1]\n");
        return 2;
    }

    /* Append: each leaf is a 200-byte event-sized record, hashed here. */
    uint8_t leaf[200];
    memset(leaf, 'e', sizeof leaf);
    double t0 = now(), c0 = cpu_now();
    for (uint64_t i = 0; i < n; i++) {
        memcpy(leaf, &i, sizeof i);
        if (lds_ledger_tree_append_data(t, leaf, sizeof leaf, &err) != LDS_OK) {
            fprintf(stderr, "append: %s\n", err.msg);
            return 1;
        }
    }
    double dt = now() - t0, dc = cpu_now() - c0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("append %llu leaves (200-byte leaves, hashed): wall %.2f s = %.0f leaves/s; "
           "CPU %.2f s = %.0f leaves/s\n",
           (unsigned long long)n, dt, (double)n / dt, dc, (double)n / dc);
    printf("peak RSS %.1f MiB = %.1f bytes per leaf (2 hashes = 64)\n",
           (double)ru.ru_maxrss / 1024.0, (double)ru.ru_maxrss * 1024.0 / (double)n);

    {
        /* Pre-hashed leaves: the tree's own cost (node hashing, storage). */
        lds_ledger_tree *t2;
        uint64_t n2 = n < 1000000 ? n : 1000000;
        uint8_t h[32];
        memset(h, 7, sizeof h);
        if (lds_ledger_tree_new(&t2, NULL) != LDS_OK)
            return 1;
        double c1 = cpu_now();
        for (uint64_t i = 0; i < n2; i++) {
            memcpy(h, &i, sizeof i);
            lds_ledger_tree_append(t2, h, NULL);
        }
        double dc2 = cpu_now() - c1;
        printf("append %llu pre-hashed leaves: CPU %.2f s = %.0f leaves/s\n",
               (unsigned long long)n2, dc2, (double)n2 / dc2);
        lds_ledger_tree_free(t2);
    }

    double *times = malloc(q * sizeof *times);
    lds_ledger_proof *p = malloc(sizeof *p);
    uint8_t root[32], lh[32];
    if (!times || !p)
        return 1;
    lds_ledger_tree_root(t, n, root, NULL);

    char label[96];
    volatile uint64_t sink = 0;
    for (size_t i = 0; i < q; i++) {
        uint64_t idx = rng() % n;
        double a = now();
        lds_ledger_tree_inclusion(t, idx, n, p, NULL);
        times[i] = now() - a;
        sink += p->n;
    }
    snprintf(label, sizeof label, "inclusion proof @ %llu leaves", (unsigned long long)n);
    report(label, times, q);
    double inclusion_median = times[q / 2];

    for (size_t i = 0; i < q; i++) {
        uint64_t size = 1 + rng() % n, idx = rng() % size;
        double a = now();
        lds_ledger_tree_inclusion(t, idx, size, p, NULL);
        times[i] = now() - a;
        sink += p->n;
    }
    report("inclusion proof, random older tree size", times, q);

    for (size_t i = 0; i < q; i++) {
        uint64_t m = 1 + rng() % n;
        double a = now();
        lds_ledger_tree_consistency(t, m, n, p, NULL);
        times[i] = now() - a;
        sink += p->n;
    }
    report("consistency proof (random m, n = size)", times, q);

    for (size_t i = 0; i < q; i++) {
        uint64_t size = 1 + rng() % n;
        double a = now();
        lds_ledger_tree_root(t, size, root, NULL);
        times[i] = now() - a;
        sink += root[0];
    }
    report("root of a random older size", times, q);

    lds_ledger_tree_root(t, n, root, NULL);
    int bad = 0;
    for (size_t i = 0; i < q; i++) {
        uint64_t idx = rng() % n;
        lds_ledger_tree_inclusion(t, idx, n, p, NULL);
        lds_ledger_tree_leaf_hash(t, idx, lh, NULL);
        double a = now();
        bad |= lds_ledger_verify_inclusion(idx, n, lh, p->hash[0], p->n, root, NULL) != LDS_OK;
        times[i] = now() - a;
    }
    report("verify inclusion proof (client side)", times, q);
    if (bad) {
        fprintf(stderr, "a proof failed to verify\n");
        return 1;
    }
    printf("inclusion proof target < 50 us at %llu leaves: %s (median %.2f us)\n",
           (unsigned long long)n, inclusion_median < 50e-6 ? "met" : "MISSED",
           inclusion_median * 1e6);
    (void)sink;
    lds_ledger_tree_free(t);
    free(times);
    free(p);
    return inclusion_median < 50e-6 ? 0 : 1;
}
