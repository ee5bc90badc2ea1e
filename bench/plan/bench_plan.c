/*
 * bench_plan.c — plans the demo corridor (catalog, demo seed, planning
 * seed) with extra synthetic facilities so that at least N facilities (200
 * by default) share the 12 periods, and times read + build + Clp solve for
 * the baseline and the export-control scenario against the target
 * of 2 s.  The extra facilities copy the seeded ones round-robin with their
 * capacity scaled down so the corridor's total capacity stays comparable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/alloc.h"
#include "lodestone/catalog.h"
#include "lodestone/demo.h"
#include "lodestone/market.h"
#include "lodestone/plan.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this process: the figure that holds on a loaded machine. */
static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    size_t want = argc > 1 ? (size_t)atol(argv[1]) : 200;
    const char *db = argc > 2 ? argv[2] : "build/bench/plan.db";
    lds_store *s;
    lds_err e;
    remove(db);
    if (lds_store_open(db, &s, &e) || lds_store_migrate(s, NULL, &e) ||
        lds_catalog_load_file(s, "data/catalog.json", &e) ||
        lds_demo_seed(s, LDS_DEMO_DEFAULT_SEED, &e) || lds_market_seed_demo_lanes(s, &e) ||
        lds_plan_seed_demo(s, &e)) {
        fprintf(stderr, "bench_plan: %s\n", e.msg);
        return 1;
    }
    double t0 = now();
    lds_plan_data *d;
    if (lds_plan_read(s, &d, &e)) {
        fprintf(stderr, "bench_plan: %s\n", e.msg);
        return 1;
    }
    double t_read = now() - t0;
    lds_plan_input in = *lds_plan_data_input(d);
    size_t n0 = in.n_facilities, n = n0 > want ? n0 : want;
    lds_plan_facility *fac = calloc(n, sizeof *fac);
    char (*names)[96] = calloc(n, sizeof *names);
    if (!fac || !names)
        return 1;
    /* copies take a share of the original's capacity: the original keeps
     * 1/k of it and each of its k-1 copies another 1/k */
    size_t *copies = calloc(n0, sizeof *copies);
    for (size_t i = 0; i < n; i++)
        copies[i % n0]++;
    for (size_t i = 0; i < n; i++) {
        const lds_plan_facility *src = &in.facilities[i % n0];
        fac[i] = *src;
        fac[i].capacity = src->capacity / (double)copies[i % n0] * (1.0 + 0.1 * (double)(i % 3));
        if (i >= n0) {
            snprintf(names[i], sizeof names[i], "%s (synthetic line %zu)", src->name, i / n0 + 1);
            fac[i].name = names[i];
            fac[i].id = 100000 + (int64_t)i;
        }
    }
    in.facilities = fac;
    in.n_facilities = n;
    const lds_plan_scenario *sc;
    const char *names_sc[2] = {"baseline", "export-controls-dy-tb-50"};
    int ok = 1;
    printf("corridor: %zu facilities (%zu seeded), %d periods, %zu offers, %zu forecast lines\n", n,
           n0, in.n_periods, in.n_offers, in.n_demand);
    for (int k = 0; k < 2; k++) {
        if (lds_plan_read_scenario(s, d, names_sc[k], &sc, &e)) {
            fprintf(stderr, "bench_plan: %s\n", e.msg);
            return 1;
        }
        double best = 1e9, best_cpu = 1e9;
        lds_plan_result *r = NULL;
        for (int rep = 0; rep < 3; rep++) {
            lds_plan_result_free(r);
            double t1 = now(), c1 = cpu();
            if (lds_plan_solve(&in, sc, &r, &e)) {
                fprintf(stderr, "bench_plan: %s\n", e.msg);
                return 1;
            }
            double dt = now() - t1, dc = cpu() - c1;
            if (dt < best)
                best = dt;
            if (dc < best_cpu)
                best_cpu = dc;
        }
        double total = best + t_read;
        printf("%-26s rows %6d cols %6d  build+solve %.3f s wall (%.3f s CPU)  + read %.3f s"
               " = %.3f s  target 2 s  %s   fill %.2f%%  shortages %zu  bottlenecks %zu\n",
               names_sc[k], r->n_rows, r->n_cols, best, best_cpu, t_read, total,
               total < 2.0 ? "MET" : "MISSED", 100 * r->fill_rate, r->n_shortages,
               r->n_bottlenecks);
        ok &= total < 2.0;
        lds_plan_result_free(r);
    }
    free(copies);
    free(fac);
    free(names);
    lds_plan_data_free(d);
    lds_store_close(s);
    return ok ? 0 : 1;
}
