/*
 * our_solve.c — timings of the Lodestone engine for bench/mcf/run.
 *
 * usage: our_solve FILE.min [auto|ns|cs] [REPEATS] [WARM]
 * Parses the DIMACS file with lds_mcf_dimacs_parse (not timed), then solves
 * cold REPEATS times (lds_mcf_solver_new + lds_mcf_solve, timed together,
 * like LEMON's object construction + run) and reports the median.  Then,
 * on the last solver, measures two warm re-solves:
 *   supply  one supply/demand pair changes (first supply node +d, last demand
 *           node -d, d = 1% of its supply, at least 1), lds_mcf_set_supply;
 *   arc     one new offer arc from the first supply node to the last demand
 *           node, cheaper than any existing arc, lds_mcf_add_arc;
 * each checked against a cold solve of the changed instance.  WARM is
 * "check" (default: measure and verify), "1" (measure only) or "0" (skip).
 * Prints one line:
 *   ours cpu_s=S wall_s=W cost=C status=ST method=M peak_mb=P warm_supply_s=W1
 *   warm_arc_s=W2 warm_ok=yes|no cold_pivots=P0 warm_supply_pivots=P1
 *   warm_arc_pivots=P2
 * (cold_pivots: simplex pivots of the last cold solve; after cost scaling,
 * those that repaired the crossover basis)
 * (medians of the process CPU time and of the wall time per cold solve; the
 * warm times are CPU time too).
 * peak_mb is the resident high-water mark during the solves (reset after
 * parsing, as in lemon_solve.cc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/alloc.h"
#include "lodestone/mcf.h"

/* Process CPU time: the solvers are single-threaded, and CPU time is far
 * less disturbed than wall time on a shared machine. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static double peak_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return (double)kb / 1024.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0', *len = (size_t)n;
    return buf;
}

static void die(const char *what, const lds_err *e)
{
    fprintf(stderr, "our_solve: %s: %s\n", what, e->msg);
    exit(1);
}

/* Cold solve of the solver's current problem; returns the cost or -1. */
static int64_t cold_cost(const lds_mcf_solver *s, lds_mcf_method method)
{
    lds_mcf_solver *c;
    lds_mcf_status st;
    lds_err e;
    if (lds_mcf_solver_new(lds_mcf_solver_problem(s), &c, &e) != LDS_OK ||
        lds_mcf_solve(c, method, &st, &e) != LDS_OK)
        die("cold check", &e);
    int64_t cost = st == LDS_MCF_OPTIMAL ? lds_mcf_total_cost(c) : -1;
    lds_mcf_solver_free(c);
    return cost;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: our_solve FILE.min [auto|ns|cs] [REPEATS] [check|1|0]\n");
        return 2;
    }
    lds_mcf_method method = LDS_MCF_AUTO;
    if (argc > 2 && strcmp(argv[2], "ns") == 0)
        method = LDS_MCF_SIMPLEX;
    else if (argc > 2 && strcmp(argv[2], "cs") == 0)
        method = LDS_MCF_COST_SCALING;
    int repeats = argc > 3 ? atoi(argv[3]) : 3;
    if (repeats < 1)
        repeats = 1;
    const char *warm_mode = argc > 4 ? argv[4] : "check";
    int is_warm = strcmp(warm_mode, "0") != 0, is_check = strcmp(warm_mode, "check") == 0;

    lds_alloc_tune(); /* as `lodestone solve` does */
    size_t len = 0;
    char *text = read_file(argv[1], &len);
    if (!text) {
        fprintf(stderr, "our_solve: cannot read %s\n", argv[1]);
        return 1;
    }
    lds_mcf_problem p;
    lds_err e;
    if (lds_mcf_dimacs_parse(text, len, &p, &e) != LDS_OK)
        die(argv[1], &e);
    free(text);
    reset_peak();

    double *times = calloc((size_t)repeats, sizeof *times);
    double *walls = calloc((size_t)repeats, sizeof *walls);
    lds_mcf_solver *s = NULL;
    lds_mcf_status st = LDS_MCF_INFEASIBLE;
    for (int r = 0; r < repeats; r++) {
        lds_mcf_solver_free(s);
        s = NULL;
        double t0 = now(), w0 = wall();
        if (lds_mcf_solver_new(&p, &s, &e) != LDS_OK || lds_mcf_solve(s, method, &st, &e) != LDS_OK)
            die("solve", &e);
        times[r] = now() - t0;
        walls[r] = wall() - w0;
    }
    qsort(times, (size_t)repeats, sizeof *times, cmp_double);
    qsort(walls, (size_t)repeats, sizeof *walls, cmp_double);
    double median = times[repeats / 2], median_wall = walls[repeats / 2];
    int64_t cost = st == LDS_MCF_OPTIMAL ? lds_mcf_total_cost(s) : 0;
    const char *used = lds_mcf_last_method(s) == LDS_MCF_COST_SCALING ? "cs" : "ns";
    double peak = peak_mb();
    lds_mcf_status cold_status = st;

    /* Warm re-solves (on an optimal instance only). */
    double warm_supply = -1, warm_arc = -1;
    uint64_t warm_supply_pivots = 0, warm_arc_pivots = 0, cold_pivots = lds_mcf_pivots(s);
    int is_warm_ok = 1;
    if (st == LDS_MCF_OPTIMAL && is_warm) {
        uint32_t src = UINT32_MAX, dst = UINT32_MAX;
        for (uint32_t u = 0; u < p.n_nodes; u++) {
            if (p.supply[u] > 0 && src == UINT32_MAX)
                src = u;
            if (p.supply[u] < 0)
                dst = u;
        }
        if (src != UINT32_MAX && dst != UINT32_MAX) {
            int64_t d = p.supply[src] / 100 > 0 ? p.supply[src] / 100 : 1;
            if (lds_mcf_set_supply(s, src, p.supply[src] + d, &e) != LDS_OK ||
                lds_mcf_set_supply(s, dst, p.supply[dst] - d, &e) != LDS_OK)
                die("set_supply", &e);
            double t0 = now();
            if (lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e) != LDS_OK)
                die("warm solve", &e);
            warm_supply = now() - t0;
            warm_supply_pivots = lds_mcf_pivots(s);
            int64_t warm_cost = st == LDS_MCF_OPTIMAL ? lds_mcf_total_cost(s) : -1;
            if (is_check && warm_cost != cold_cost(s, method))
                is_warm_ok = 0;

            int64_t min_cost = 0;
            for (uint32_t i = 0; i < p.n_arcs; i++)
                if (p.cost[i] < min_cost)
                    min_cost = p.cost[i];
            if (lds_mcf_add_arc(s, src, dst, 0, d, min_cost - 1, NULL, &e) != LDS_OK)
                die("add_arc", &e);
            t0 = now();
            if (lds_mcf_solve(s, LDS_MCF_AUTO, &st, &e) != LDS_OK)
                die("warm solve", &e);
            warm_arc = now() - t0;
            warm_arc_pivots = lds_mcf_pivots(s);
            warm_cost = st == LDS_MCF_OPTIMAL ? lds_mcf_total_cost(s) : -1;
            if (is_check && warm_cost != cold_cost(s, method))
                is_warm_ok = 0;
        }
    }
    printf("ours cpu_s=%.4f wall_s=%.4f cost=%lld status=%s method=%s peak_mb=%.1f "
           "warm_supply_s=%.4f warm_arc_s=%.4f warm_ok=%s cold_pivots=%llu "
           "warm_supply_pivots=%llu warm_arc_pivots=%llu\n",
           median, median_wall, (long long)cost, lds_mcf_status_name(cold_status), used, peak,
           warm_supply, warm_arc, !is_check ? "unchecked" : is_warm_ok ? "yes" : "no",
           (unsigned long long)cold_pivots, (unsigned long long)warm_supply_pivots,
           (unsigned long long)warm_arc_pivots);
    lds_mcf_solver_free(s);
    lds_mcf_problem_release(&p);
    free(times);
    free(walls);
    return 0;
}
