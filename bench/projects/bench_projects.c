/* bench_projects.c — the projects API's store calls at scale: a demo
 * corridor plus P generated projects (one participant each, 4 timeline
 * entries each) and R service requests spread over the demo's providers,
 * then the calls behind the busiest routes, each timed as the mean of K
 * calls (best of REPEATS), wall and CPU, beside a 10 ms per-call budget:
 *   list       GET /projects?limit=50 as an operator, and as a member (its
 *              own projects: sponsored or joined, about 1 in 60)
 *   overdue    GET /service-requests?overdue=true&limit=50 as an operator
 *   provider   GET /service-requests?limit=50 as one provider
 *   propose    POST /service-requests without a provider (proposal from
 *              capabilities and load), rolled back
 *   transition POST /projects/{id}/transitions to on_hold, rolled back
 *   timeline   GET /projects/{id}/timeline
 * Fixed seed.  Run from the source root (data/catalog.json, data/lifecycle.json).
 *
 *   bench_projects PROJECTS REQUESTS DB_PATH REPEATS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lodestone/catalog.h"
#include "lodestone/demo.h"
#include "lodestone/projects.h"

#define DAY 86400000LL
#define NOW 1795996800000LL /* 2026-11-30 */
#define BUDGET_MS 10.0

static uint64_t rng = 0x70726f6a65637473ull;
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

static void die(const char *what, const lds_err *e)
{
    fprintf(stderr, "bench_projects: %s: %s\n", what, e ? e->msg : "failed");
    exit(2);
}

static int64_t one(lds_store *s, const char *sql)
{
    lds_stmt *st;
    lds_err e;
    if (lds_store_prepare(s, sql, &st, &e) || lds_stmt_step(st, &e) != LDS_STORE_ROW)
        die(sql, &e);
    int64_t v = lds_stmt_col_i64(st, 0);
    lds_stmt_reset(st);
    return v;
}

static void exec(lds_store *s, const char *sql, const int64_t *iv, int ni, const char *const *sv,
                 int ns)
{
    lds_stmt *st;
    lds_err e;
    if (lds_store_prepare(s, sql, &st, &e))
        die(sql, &e);
    for (int i = 0; i < ni; i++)
        lds_stmt_bind_i64(st, i + 1, iv[i]);
    for (int i = 0; i < ns; i++)
        lds_stmt_bind_text(st, ni + i + 1, sv[i]);
    if (lds_stmt_exec(st, &e))
        die(sql, &e);
}

static const char *const sectors[] = {"magnets", "motors", "ev", "robotics", "drones",
                                      "wind", "electronics", "materials", "recycling"};
static const char *const stages[] = {"proposed", "permitting", "financing",
                                     "technical_validation", "pilot_production", "talent",
                                     "market_access", "operating"};
static const char *const factors[] = {"permitting", "financing", "technical_validation",
                                      "pilot_production", "talent", "market_access",
                                      "logistics", "legal_ip"};
static const char *const statuses[] = {"open", "accepted", "in_progress", "done", "done",
                                       "done", "rejected", "cancelled"};

static void generate(lds_store *s, int64_t np, int64_t nr)
{
    lds_err e;
    int64_t n_ent = one(s, "SELECT count(*) FROM orgs WHERE kind = 'enterprise'");
    int64_t first_ent = one(s, "SELECT min(id) FROM orgs WHERE kind = 'enterprise'");
    int64_t n_prov = one(s, "SELECT count(DISTINCT org_id) FROM service_providers");
    int64_t base = one(s, "SELECT max(id) FROM projects");
    if (lds_store_begin(s, &e))
        die("begin", &e);
    static const char ins_p[] =
        "INSERT INTO projects(id, title, sponsor_org, sector, region_id, stage, stage_since_ms,"
        " financing_need_cents, open_to_investors, created_ms, updated_ms) VALUES (?1,"
        " 'generated project', ?2, ?6, (SELECT region_id FROM orgs WHERE id = ?2), ?7, ?3, ?4,"
        " ?5, ?3, ?3)";
    static const char ins_o[] = "INSERT OR IGNORE INTO project_orgs(project_id, org_id) VALUES"
                                " (?1, ?2)";
    static const char ins_e[] = "INSERT INTO project_events(project_id, time_ms, actor_org,"
                                " actor_role, kind, from_stage, to_stage, reason) VALUES (?1, ?2,"
                                " ?3, 'member', 'transition', NULL, ?4, 'generated')";
    static const char ins_r[] =
        "INSERT INTO service_requests(project_id, factor, description, provider_org, status,"
        " due_ms, created_by_org, created_ms, updated_ms) VALUES (?1, ?5, 'generated',"
        " (SELECT org_id FROM service_providers WHERE factor = ?5 ORDER BY org_id LIMIT 1"
        " OFFSET ?2), ?6, ?3, ?4, ?7, ?7)";
    /* Sponsors: any enterprise but the first. */
    for (int64_t i = 1; i <= np; i++) {
        int64_t id = base + i, t = NOW - (int64_t)(next() % 700) * DAY;
        int64_t sp = first_ent + 1 + (int64_t)(next() % (uint32_t)(n_ent - 1));
        const char *sv[2] = {sectors[next() % 9], stages[next() % 8]};
        int64_t pv[5] = {id, sp, t, (int64_t)(next() % 600) * 100000000, (int64_t)(next() % 2)};
        exec(s, ins_p, pv, 5, sv, 2);
        int64_t ov[2] = {id, first_ent + 1 + (int64_t)(next() % (uint32_t)(n_ent - 1))};
        exec(s, ins_o, ov, 2, NULL, 0);
        for (int k = 0; k < 4; k++) {
            int64_t ev[3] = {id, t + k * 30 * DAY, sp};
            const char *es[1] = {stages[k]};
            exec(s, ins_e, ev, 3, es, 1);
        }
    }
    for (int64_t i = 0; i < nr; i++) {
        int64_t pid = base + 1 + (int64_t)(next() % (uint32_t)np);
        int64_t t = NOW - (int64_t)(next() % 700) * DAY;
        const char *f = factors[next() % 8];
        int64_t rv[4] = {pid, (int64_t)(next() % 2) % (n_prov ? n_prov : 1),
                         t + (int64_t)(30 + next() % 150) * DAY, first_ent};
        const char *rs[3] = {f, statuses[next() % 8], NULL};
        lds_stmt *st;
        if (lds_store_prepare(s, ins_r, &st, &e))
            die("prepare", &e);
        for (int k = 0; k < 4; k++)
            lds_stmt_bind_i64(st, k + 1, rv[k]);
        lds_stmt_bind_text(st, 5, rs[0]);
        lds_stmt_bind_text(st, 6, rs[1]);
        lds_stmt_bind_i64(st, 7, t);
        if (lds_stmt_exec(st, &e))
            die("insert request", &e);
    }
    if (lds_store_commit(s, &e))
        die("commit", &e);
}

typedef lds_code (*call_fn)(lds_store *s, int k, lds_buf *out, lds_err *e);

static lds_principal op = {0, 1, LDS_ROLE_OPERATOR}, member = {0, 0, LDS_ROLE_MEMBER},
                     provider = {0, 0, LDS_ROLE_PROVIDER};
static int64_t first_project, n_projects;

static lds_code c_list_op(lds_store *s, int k, lds_buf *out, lds_err *e)
{
    (void)k;
    lds_field_errors fe = {0};
    return lds_project_list(s, &op, NULL, 0, out, &fe, e);
}

static lds_code c_list_member(lds_store *s, int k, lds_buf *out, lds_err *e)
{
    (void)k;
    lds_field_errors fe = {0};
    return lds_project_list(s, &member, NULL, 0, out, &fe, e);
}

static lds_code c_overdue(lds_store *s, int k, lds_buf *out, lds_err *e)
{
    (void)k;
    lds_field_errors fe = {0};
    lds_kv kv = {"overdue", "true"};
    return lds_sr_list(s, &op, &kv, 1, NOW, out, &fe, e);
}

static lds_code c_provider(lds_store *s, int k, lds_buf *out, lds_err *e)
{
    (void)k;
    lds_field_errors fe = {0};
    return lds_sr_list(s, &provider, NULL, 0, NOW, out, &fe, e);
}

static lds_code c_propose(lds_store *s, int k, lds_buf *out, lds_err *e)
{
    lds_field_errors fe = {0};
    char body[160];
    snprintf(body, sizeof body, "{\"project\":%lld,\"factor\":\"%s\",\"description\":\"x\"}",
             (long long)(first_project + k % n_projects), factors[k % 8]);
    json_t *b = json_loads(body, 0, NULL);
    int64_t id;
    lds_code rc = lds_store_begin(s, e);
    if (rc == LDS_OK) {
        rc = lds_sr_create(s, &op, b, NOW, &id, out, &fe, e);
        lds_store_rollback(s);
    }
    json_decref(b);
    return rc;
}

static lds_code c_transition(lds_store *s, int k, lds_buf *out, lds_err *e)
{
    lds_field_errors fe = {0};
    lds_buf refusal = LDS_BUF_INIT;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)(first_project + k % n_projects));
    json_t *b = json_loads("{\"to\":\"on_hold\",\"reason\":\"bench\"}", 0, NULL);
    lds_code rc = lds_store_begin(s, e);
    if (rc == LDS_OK) {
        rc = lds_project_transition(s, &op, id, b, NOW, out, &refusal, &fe, e);
        if (rc == LDS_ECONFLICT) /* an operating project: refused, still timed */
            rc = LDS_OK;
        lds_store_rollback(s);
    }
    lds_buf_release(&refusal);
    json_decref(b);
    return rc;
}

static lds_code c_timeline(lds_store *s, int k, lds_buf *out, lds_err *e)
{
    lds_field_errors fe = {0};
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)(first_project + k % n_projects));
    return lds_project_timeline(s, &op, id, NULL, 0, out, &fe, e);
}

static void measure(lds_store *s, const char *name, const char *what, call_fn fn, int calls,
                    int repeats, int *failed)
{
    double best_w = 1e9, best_c = 1e9;
    size_t bytes = 0;
    for (int r = 0; r < repeats; r++) {
        double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
        for (int k = 0; k < calls; k++) {
            lds_buf out = LDS_BUF_INIT;
            lds_err e;
            if (fn(s, k, &out, &e) != LDS_OK)
                die(name, &e);
            bytes = out.len;
            lds_buf_release(&out);
        }
        double w = (now_s(CLOCK_MONOTONIC) - w0) * 1e3 / calls;
        double c = (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e3 / calls;
        if (w < best_w)
            best_w = w;
        if (c < best_c)
            best_c = c;
    }
    int ok = best_c < BUDGET_MS;
    if (!ok)
        (*failed)++;
    printf("%-10s %-44s %8.3f ms wall %8.3f ms CPU  (%6zu B)  budget %.0f ms  %s\n", name, what,
           best_w, best_c, bytes, BUDGET_MS, ok ? "MET" : "MISSED");
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_projects PROJECTS REQUESTS DB_PATH REPEATS\n");
        return 2;
    }
    int64_t np = atoll(argv[1]), nr = atoll(argv[2]);
    int repeats = atoi(argv[4]);
    if (np < 1 || nr < 0 || repeats < 1)
        return 2;
    unlink(argv[3]);
    lds_store *s;
    lds_err e;
    if (lds_store_open(argv[3], &s, &e) || lds_store_migrate(s, NULL, &e) ||
        lds_catalog_load_file(s, "data/catalog.json", &e) ||
        lds_demo_seed(s, LDS_DEMO_DEFAULT_SEED, &e) || lds_projects_seed_demo(s, &e))
        die("seed", &e);
    double w0 = now_s(CLOCK_MONOTONIC);
    generate(s, np, nr);
    first_project = one(s, "SELECT min(id) FROM projects");
    n_projects = one(s, "SELECT count(*) FROM projects");
    member.org_id = one(s, "SELECT min(id) + 1 FROM orgs WHERE kind = 'enterprise'");
    provider.org_id = one(s, "SELECT org_id FROM service_providers WHERE factor = 'financing'"
                             " ORDER BY org_id LIMIT 1");
    printf("store: %lld projects, %lld timeline entries, %lld service requests (%lld overdue);"
           " generated in %.1f s\n",
           (long long)n_projects, (long long)one(s, "SELECT count(*) FROM project_events"),
           (long long)one(s, "SELECT count(*) FROM service_requests"),
           (long long)one(s, "SELECT count(*) FROM service_requests WHERE status IN"
                             " ('open','accepted','in_progress') AND due_ms < 1795996800000"),
           now_s(CLOCK_MONOTONIC) - w0);
    printf("member org %lld sponsors or joins %lld projects; provider org %lld has %lld requests\n",
           (long long)member.org_id,
           (long long)one(s, "SELECT count(*) FROM projects p WHERE p.sponsor_org = (SELECT"
                             " min(id) + 1 FROM orgs WHERE kind = 'enterprise') OR EXISTS (SELECT"
                             " 1 FROM project_orgs po WHERE po.project_id = p.id AND po.org_id ="
                             " (SELECT min(id) + 1 FROM orgs WHERE kind = 'enterprise'))"),
           (long long)provider.org_id,
           (long long)one(s, "SELECT count(*) FROM service_requests WHERE provider_org = (SELECT"
                             " org_id FROM service_providers WHERE factor = 'financing' ORDER BY"
                             " org_id LIMIT 1)"));
    int failed = 0;
    measure(s, "list", "GET /projects?limit=50 (operator)", c_list_op, 50, repeats, &failed);
    measure(s, "list", "GET /projects?limit=50 (member of its own)", c_list_member, 20, repeats,
            &failed);
    measure(s, "overdue", "GET /service-requests?overdue=true (operator)", c_overdue, 50, repeats,
            &failed);
    measure(s, "provider", "GET /service-requests (one provider)", c_provider, 50, repeats,
            &failed);
    measure(s, "propose", "POST /service-requests, platform proposal", c_propose, 200, repeats,
            &failed);
    measure(s, "transition", "POST /projects/{id}/transitions (on_hold)", c_transition, 200,
            repeats, &failed);
    measure(s, "timeline", "GET /projects/{id}/timeline", c_timeline, 200, repeats, &failed);
    lds_store_close(s);
    return failed ? 1 : 0;
}
