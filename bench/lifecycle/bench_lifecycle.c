/* bench_lifecycle.c — the issue-6 performance targets, measured in one run:
 *   metrics   lifecycle metrics over a generated history of P projects and
 *             about 10 P transitions (P = 100,000: 1,000,000 transitions)
 *             plus 3 P service requests: target < 1 s
 *   store     the same history written to SQLite, then read back and
 *             computed as GET /api/v1/metrics/lifecycle does (read + compute)
 *   matching  M mandates x N projects (1,000 x 10,000), top 10 projects per
 *             mandate with every returned match explained as JSON: target < 1 s
 * Prints one line per figure with wall and CPU seconds beside the target.
 * Fixed seed: the same history and population every run.
 *
 *   bench_lifecycle PROJECTS MANDATES MATCH_PROJECTS DB_PATH|- REPEATS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lodestone/buf.h"
#include "lodestone/invest.h"
#include "lodestone/lifecycle.h"
#include "lodestone/store.h"

#define DAY 86400000LL

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static double now_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *sectors[] = {"magnets", "motors", "ev", "robotics", "drones",
                                "wind", "electronics", "materials", "recycling"};
static const char *regions[] = {"ganzhou", "shenzhen", "baotou", "ningbo", "germany", "michigan"};

typedef struct history {
    lds_lcm_project *p;
    lds_lcm_transition *t;
    lds_lcm_request *r;
    size_t np, nt, nr;
} history;

/* Projects walk the main sequence with random stays (1-120 days), now and
 * then through on_hold and back; some stop early, a few are abandoned. */
static void gen_history(history *h, size_t np)
{
    h->p = malloc(np * sizeof *h->p);
    h->t = malloc(np * 12 * sizeof *h->t);
    h->r = malloc(np * 3 * sizeof *h->r);
    h->np = np;
    h->nt = h->nr = 0;
    int64_t t0 = 1700000000000LL;
    for (size_t i = 0; i < np; i++) {
        lds_lcm_project *p = &h->p[i];
        p->id = (int64_t)i + 1;
        p->sector = sectors[next() % 9];
        p->region = regions[next() % 6];
        p->created_ms = t0 + (int64_t)(next() % 700) * DAY;
        int64_t t = p->created_ms;
        int stage = LDS_PSTAGE_PROPOSED;
        /* 10 moves on average: 7 main steps + on_hold detours */
        int moves = 0, target = 10 + (int)(next() % 5);
        while (moves < target && stage < LDS_PSTAGE_OPERATING) {
            t += (int64_t)(1 + next() % 120) * DAY;
            if (moves < target - 2 && next() % 4 == 0) {
                h->t[h->nt++] = (lds_lcm_transition){p->id, LDS_PSTAGE_ON_HOLD, t};
                t += (int64_t)(1 + next() % 60) * DAY;
                h->t[h->nt++] = (lds_lcm_transition){p->id, (lds_pstage)stage, t};
                moves += 2;
                continue;
            }
            stage++;
            h->t[h->nt++] = (lds_lcm_transition){p->id, (lds_pstage)stage, t};
            moves++;
        }
        if (next() % 50 == 0 && stage < LDS_PSTAGE_OPERATING) {
            stage = LDS_PSTAGE_ABANDONED;
            h->t[h->nt++] = (lds_lcm_transition){p->id, LDS_PSTAGE_ABANDONED, t + DAY};
        }
        p->stage = (lds_pstage)stage;
        for (int k = 0; k < 3; k++) {
            lds_lcm_request *r = &h->r[h->nr++];
            int64_t created = p->created_ms + (int64_t)(next() % 300) * DAY;
            r->project_id = p->id;
            r->factor = (lds_factor)(next() % LDS_FACTOR_COUNT);
            r->provider_org = 1000 + next() % 40;
            r->status = (lds_sr_status)(next() % LDS_SR_COUNT);
            r->due_ms = created + 30 * DAY;
            r->done_ms = r->status == LDS_SR_DONE ? created + (int64_t)(next() % 45) * DAY : 0;
        }
    }
}

static double bench_metrics(const lds_lcm_input *in, int reps, double *cpu_best, size_t *groups)
{
    double best = 1e9;
    *cpu_best = 1e9;
    for (int k = 0; k < reps; k++) {
        lds_lcm_metrics *m = NULL;
        lds_err e;
        double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
        if (lds_lifecycle_metrics(in, &m, &e) != LDS_OK) {
            fprintf(stderr, "metrics: %s\n", e.msg);
            exit(1);
        }
        double w = now_s(CLOCK_MONOTONIC) - w0, c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        *groups = m->n_cycle + m->n_ttm;
        lds_lifecycle_metrics_free(m);
        if (w < best)
            best = w;
        if (c < *cpu_best)
            *cpu_best = c;
    }
    return best;
}

static void check(lds_code rc, const lds_err *e, const char *what)
{
    if (rc != LDS_OK) {
        fprintf(stderr, "%s: %s\n", what, e->msg);
        exit(1);
    }
}

static void step_done(lds_stmt *st, const char *what)
{
    lds_err e;
    if (lds_stmt_step(st, &e) != LDS_STORE_DONE) {
        fprintf(stderr, "%s: %s\n", what, e.msg);
        exit(1);
    }
}

/* Writes the history into a fresh store (foreign keys off: the bench has
 * no organisations or regions). */
static void write_store(const history *h, const char *path)
{
    lds_store *s;
    lds_err e;
    lds_stmt *st;
    unlink(path);
    char wal[1024];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    check(lds_store_open(path, &s, &e), &e, "open");
    check(lds_store_migrate(s, NULL, &e), &e, "migrate");
    check(lds_store_prepare(s, "PRAGMA foreign_keys = OFF", &st, &e), &e, "pragma");
    lds_stmt_step(st, &e);
    check(lds_store_begin(s, &e), &e, "begin");
    for (size_t i = 0; i < h->np; i++) {
        const lds_lcm_project *p = &h->p[i];
        check(lds_store_prepare(s,
                                "INSERT INTO projects (id, title, sponsor_org, sector, region_id, "
                                "stage, stage_since_ms, created_ms, updated_ms, synthetic) "
                                "VALUES (?, 'bench', 1, ?, ?, ?, ?, ?, ?, 1)",
                                &st, &e),
              &e, "prepare");
        lds_stmt_bind_i64(st, 1, p->id);
        lds_stmt_bind_text(st, 2, p->sector);
        lds_stmt_bind_text(st, 3, p->region);
        lds_stmt_bind_text(st, 4, lds_pstage_name(p->stage));
        lds_stmt_bind_i64(st, 5, p->created_ms);
        lds_stmt_bind_i64(st, 6, p->created_ms);
        lds_stmt_bind_i64(st, 7, p->created_ms);
        step_done(st, "insert project");
    }
    for (size_t i = 0; i < h->nt; i++) {
        check(lds_store_prepare(s,
                                "INSERT INTO project_events (project_id, time_ms, kind, to_stage) "
                                "VALUES (?, ?, 'transition', ?)",
                                &st, &e),
              &e, "prepare");
        lds_stmt_bind_i64(st, 1, h->t[i].project_id);
        lds_stmt_bind_i64(st, 2, h->t[i].time_ms);
        lds_stmt_bind_text(st, 3, lds_pstage_name(h->t[i].to));
        step_done(st, "insert event");
    }
    for (size_t i = 0; i < h->nr; i++) {
        const lds_lcm_request *r = &h->r[i];
        check(lds_store_prepare(s,
                                "INSERT INTO service_requests (project_id, factor, description, "
                                "provider_org, status, due_ms, created_by_org, created_ms, "
                                "updated_ms, done_ms) VALUES (?, ?, 'bench', ?, ?, ?, 1, ?, ?, ?)",
                                &st, &e),
              &e, "prepare");
        lds_stmt_bind_i64(st, 1, r->project_id);
        lds_stmt_bind_text(st, 2, lds_factor_name(r->factor));
        lds_stmt_bind_i64(st, 3, r->provider_org);
        lds_stmt_bind_text(st, 4, lds_sr_status_name(r->status));
        lds_stmt_bind_i64(st, 5, r->due_ms);
        lds_stmt_bind_i64(st, 6, r->due_ms - 30 * DAY);
        lds_stmt_bind_i64(st, 7, r->due_ms - 30 * DAY);
        if (r->done_ms)
            lds_stmt_bind_i64(st, 8, r->done_ms);
        else
            lds_stmt_bind_null(st, 8);
        step_done(st, "insert request");
    }
    check(lds_store_commit(s, &e), &e, "commit");
    lds_store_close(s);
}

static void bench_store(const char *path, int64_t now, int reps, double *wall, double *cpu,
                        double *read_wall)
{
    lds_store *s;
    lds_err e;
    check(lds_store_open(path, &s, &e), &e, "open");
    *wall = *cpu = *read_wall = 1e9;
    for (int k = 0; k < reps; k++) {
        lds_lcm_data *d;
        lds_lcm_metrics *m;
        double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
        check(lds_lifecycle_read(s, now, &d, &e), &e, "read");
        double w1 = now_s(CLOCK_MONOTONIC);
        check(lds_lifecycle_metrics(lds_lifecycle_data_input(d), &m, &e), &e, "metrics");
        lds_buf b = LDS_BUF_INIT;
        lds_lifecycle_metrics_json(m, &b);
        double w = now_s(CLOCK_MONOTONIC) - w0, c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        lds_buf_release(&b);
        lds_lifecycle_metrics_free(m);
        lds_lifecycle_data_free(d);
        if (w < *wall)
            *wall = w;
        if (c < *cpu)
            *cpu = c;
        if (w1 - w0 < *read_wall)
            *read_wall = w1 - w0;
    }
    lds_store_close(s);
}

static const char *stages[] = {"proposed", "permitting", "financing", "technical_validation",
                               "pilot_production", "talent", "market_access"};

static void bench_matching(size_t nm, size_t npj, int reps, double *wall, double *cpu,
                           size_t *n_matches, size_t *bytes)
{
    static char names[80][16];
    static const char *mats[80];
    for (int i = 0; i < 80; i++) {
        snprintf(names[i], sizeof names[i], "mat_%02u", (unsigned)i);
        mats[i] = names[i];
    }
    lds_invest_mandate *ms = calloc(nm, sizeof *ms);
    lds_invest_project *ps = calloc(npj, sizeof *ps);
    for (size_t i = 0; i < nm; i++) {
        double lo = (double)(next() % 20) * 10e6;
        ms[i] = (lds_invest_mandate){(int64_t)i + 1, 1, sectors + next() % 7, 1 + next() % 3,
                                     stages + next() % 5, next() % 3, lo,
                                     lo + (double)(1 + next() % 30) * 10e6, regions + next() % 4,
                                     next() % 3, mats + next() % 70, next() % 6};
    }
    for (size_t i = 0; i < npj; i++) {
        size_t m0 = next() % 76;
        ps[i] = (lds_invest_project){(int64_t)i + 1, sectors[next() % 9], stages[next() % 7],
                                     (double)(next() % 50) * 10e6, regions + next() % 5,
                                     1 + next() % 2, mats + m0, 1 + next() % 4, 0,
                                     next() % 3 ? NULL : mats[m0], regions[next() % 6], 100};
    }
    lds_invest_bottleneck bn[20];
    for (int i = 0; i < 20; i++)
        bn[i] = (lds_invest_bottleneck){100 + i, "facility", mats[i * 3], regions[i % 6],
                                        1000.0 + 250.0 * i};
    lds_invest_input in = {ms, nm, ps, npj, bn, 20};
    *wall = *cpu = 1e9;
    for (int k = 0; k < reps; k++) {
        lds_invest_result *r;
        lds_err e;
        double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
        check(lds_invest_match_mandates(&in, 10, 0, &r, &e), &e, "matching");
        lds_buf b = LDS_BUF_INIT;
        for (size_t i = 0; i < r->n; i++) {
            lds_invest_explain_json(&in, &r->matches[i], &b);
            lds_buf_addc(&b, '\n');
        }
        double w = now_s(CLOCK_MONOTONIC) - w0, c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        *n_matches = r->n;
        *bytes = b.len;
        lds_buf_release(&b);
        lds_invest_result_free(r);
        if (w < *wall)
            *wall = w;
        if (c < *cpu)
            *cpu = c;
    }
    free(ms);
    free(ps);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_lifecycle PROJECTS MANDATES MATCH_PROJECTS DB|- REPEATS\n");
        return 2;
    }
    size_t np = strtoul(argv[1], NULL, 10), nm = strtoul(argv[2], NULL, 10),
           npj = strtoul(argv[3], NULL, 10);
    int reps = atoi(argv[5]);
    history h;
    gen_history(&h, np);
    int64_t now = 1700000000000LL + 1500 * DAY;
    lds_lcm_input in = {h.p, h.np, h.t, h.nt, h.r, h.nr, now, NULL, 0};
    size_t groups = 0;
    double cpu, wall = bench_metrics(&in, reps, &cpu, &groups);
    int status = 0;
    printf("%s metrics   %zu projects, %zu transitions, %zu requests, %zu groups: wall %.3f s, "
           "cpu %.3f s (target < 1 s)\n",
           wall < 1 ? "ok  " : "MISS", h.np, h.nt, h.nr, groups, wall, cpu);
    status |= wall >= 1;
    if (strcmp(argv[4], "-") != 0) {
        double w0 = now_s(CLOCK_MONOTONIC);
        write_store(&h, argv[4]);
        double wr = now_s(CLOCK_MONOTONIC) - w0, sw, sc, rd;
        bench_store(argv[4], now, reps, &sw, &sc, &rd);
        printf("info store     the same history from SQLite (read %.3f s + compute + JSON): "
               "wall %.3f s, cpu %.3f s (API path; written once in %.1f s)\n",
               rd, sw, sc, wr);
    }
    size_t n_matches = 0, bytes = 0;
    double mw, mc;
    bench_matching(nm, npj, reps, &mw, &mc, &n_matches, &bytes);
    printf("%s matching  %zu mandates x %zu projects, top 10 each, %zu matches explained "
           "(%zu bytes JSON): wall %.3f s, cpu %.3f s (target < 1 s)\n",
           mw < 1 ? "ok  " : "MISS", nm, npj, n_matches, bytes, mw, mc);
    status |= mw >= 1;
    free(h.p);
    free(h.t);
    free(h.r);
    return status;
}
