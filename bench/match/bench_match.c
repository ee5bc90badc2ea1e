/*
 * bench_match.c — timings of the matching engine for bench/match/run (CPU
 * time of this process; the engine is single-threaded).
 *
 * usage: bench_match DIR [REPEATS]
 * Reads DIR/{offers,requests,lanes}.csv, then reports, as one line of
 * key=value pairs:
 *   parse_s    CSV parsing of the three files
 *   engine_s   lds_match_session_new: compatibility, network, phase-1
 *              max-flow, phase-2 mcf, lines/unmet/duals (median)
 *   bare_s     lds_mcf_solver_new + lds_mcf_solve on a copy of the very same
 *              phase-2 network (median): the bare engine
 *   ratio      engine_s / bare_s
 *   write_s    allocation and unmet CSV + JSON into memory
 *   incr_ms    one new offer put into the solved session, warm (median of 5)
 *   incr_max_ms, and incr_ok=yes when the warm result equals a cold run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/match.h"
#include "lodestone/mcf.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, const lds_err *e)
{
    fprintf(stderr, "%s: %s\n", what, e->msg);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_match DIR [REPEATS]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (reps < 1)
        reps = 1;
    size_t lo, lr, ll;
    char *to = slurp(argv[1], "offers.csv", &lo), *tr = slurp(argv[1], "requests.csv", &lr),
         *tl = slurp(argv[1], "lanes.csv", &ll);
    lds_err e;
    lds_match_table t;
    lds_match_table_init(&t);
    double t0 = now();
    if (lds_match_parse_offers(&t, to, lo, &e) != LDS_OK ||
        lds_match_parse_requests(&t, tr, lr, &e) != LDS_OK ||
        lds_match_parse_lanes(&t, tl, ll, &e) != LDS_OK)
        die("parse", &e);
    double parse_s = now() - t0;

    double eng[16], bare[16];
    lds_match_session *s = NULL;
    if (reps > 16)
        reps = 16;
    for (int k = 0; k < reps; k++) {
        lds_match_session_free(s);
        s = NULL;
        t0 = now();
        if (lds_match_session_new(&t.input, &s, &e) != LDS_OK)
            die("session", &e);
        eng[k] = now() - t0;
        const lds_mcf_problem *p = lds_match_session_problem(s);
        lds_mcf_solver *ms;
        lds_mcf_status st;
        t0 = now();
        if (lds_mcf_solver_new(p, &ms, &e) != LDS_OK || lds_mcf_solve(ms, LDS_MCF_AUTO, &st, &e))
            die("bare", &e);
        bare[k] = now() - t0;
        if (st != LDS_MCF_OPTIMAL ||
            lds_mcf_total_cost(ms) != lds_match_session_result(s)->exact_cost_millicents) {
            fprintf(stderr, "bare engine disagrees on the cost\n");
            return 1;
        }
        lds_mcf_solver_free(ms);
    }
    const lds_match_result *r = lds_match_session_result(s);
    const lds_mcf_problem *p = lds_match_session_problem(s);
    size_t pairs = r->n_pairs, nodes = p->n_nodes, arcs = p->n_arcs;
    t0 = now();
    lds_buf b = LDS_BUF_INIT;
    lds_match_write_lines_csv(r, &b);
    lds_match_write_unmet_csv(r, &b);
    lds_match_write_json(r, &b);
    double write_s = now() - t0;
    lds_buf_release(&b);
    qsort(eng, (size_t)reps, sizeof *eng, cmp_d);
    qsort(bare, (size_t)reps, sizeof *bare, cmp_d);

    /* Incremental: five new offers, one at a time, each like a real one. */
    double inc[5];
    lds_match_offer extra[5];
    char ids[5][32];
    for (int k = 0; k < 5; k++) {
        extra[k] = t.input.offers[(size_t)k * 997 % t.input.n_offers];
        snprintf(ids[k], sizeof ids[k], "NEW%d", k);
        extra[k].id = ids[k];
        extra[k].price_cents -= 500; /* a bit cheaper: it displaces others */
        t0 = now();
        lds_match_diff diff;
        if (lds_match_session_put_offer(s, &extra[k], &diff, &e) != LDS_OK)
            die("incremental", &e);
        inc[k] = now() - t0;
    }
    double inc_sorted[5];
    memcpy(inc_sorted, inc, sizeof inc);
    qsort(inc_sorted, 5, sizeof *inc_sorted, cmp_d);
    /* Check: the warm result equals a cold run on the changed data. */
    lds_match_offer *all = malloc((t.input.n_offers + 5) * sizeof *all);
    memcpy(all, t.input.offers, t.input.n_offers * sizeof *all);
    memcpy(all + t.input.n_offers, extra, sizeof extra);
    lds_match_input in2 = t.input;
    in2.offers = all;
    in2.n_offers += 5;
    lds_match_result *cold;
    if (lds_match_run(&in2, &cold, &e) != LDS_OK)
        die("cold", &e);
    const lds_match_result *warm = lds_match_session_result(s);
    int ok = cold->matched_milli == warm->matched_milli &&
             cold->exact_cost_millicents == warm->exact_cost_millicents;
    printf("offers=%zu requests=%zu lanes=%zu pairs=%zu nodes=%zu arcs=%zu parse_s=%.3f "
           "engine_s=%.3f bare_s=%.3f ratio=%.2f write_s=%.3f incr_ms=%.1f incr_max_ms=%.1f "
           "incr_ok=%s matched=%lld cost_cents=%lld\n",
           t.input.n_offers, t.input.n_requests, t.input.n_lanes, pairs, nodes, arcs, parse_s,
           eng[reps / 2], bare[reps / 2], eng[reps / 2] / bare[reps / 2], write_s,
           inc_sorted[2] * 1e3, inc_sorted[4] * 1e3, ok ? "yes" : "no",
           (long long)warm->matched_milli, (long long)warm->total_cost_cents);
    lds_match_result_free(cold);
    free(all);
    lds_match_session_free(s);
    lds_match_table_release(&t);
    free(to);
    free(tr);
    free(tl);
    return ok ? 0 : 1;
}
