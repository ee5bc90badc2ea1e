/*
 * cmd_solve.c — `lodestone solve FILE.min`: parse a DIMACS min-cost-flow
 * file, solve it, print status, cost, and parse and solve times separately
 * (text or one JSON object).  Exit 0 when the instance was solved (whatever
 * its status), 1 on bad input or failure, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "lodestone/alloc.h"
#include "lodestone/mcf.h"

static const char usage[] =
    "Usage: lodestone solve FILE.min [--flows] [--duals] [--json] [--method M]\n"
    "Solves a DIMACS min-cost-flow instance ('p min N M', 'n ID SUPPLY',\n"
    "'a U V LOW CAP COST') and prints status, cost, parse and solve times.\n\n"
    "  --flows        also print the flow on every arc ('f U V FLOW', file order)\n"
    "  --duals        also print the node potentials ('d NODE PRICE'); reduced\n"
    "                 costs c(u,v) - price(u) + price(v) are >= 0 on residual arcs\n"
    "  --json         print one JSON object: status, cost, parse_seconds,\n"
    "                 solve_seconds, method, nodes, arcs (and flows, duals arrays)\n"
    "  --method M     auto (default), simplex or cost-scaling\n"
    "  -h, --help     show this help\n\n"
    "Exit status: 0 solved (optimal, infeasible or unbounded), 1 bad input or\n"
    "error (malformed files are reported as FILE:LINE: message), 2 usage error.\n";

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads a whole file into a heap buffer (lds_free); NULL with errno set. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long sz = ftell(f);
        if (sz > 0)
            cap = (size_t)sz + 1;
        rewind(f);
    }
    char *buf = lds_malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                lds_free(buf);
                buf = NULL;
            }
            break;
        }
        char *nb = lds_realloc(buf, cap * 2);
        if (!nb) {
            lds_free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

int lds_cmd_solve(int argc, char **argv, lds_config *cfg)
{
    (void)cfg;
    enum { OPT_FLOWS = 1, OPT_DUALS, OPT_JSON, OPT_METHOD };
    static const struct option opts[] = {
        {"flows", no_argument, NULL, OPT_FLOWS},   {"duals", no_argument, NULL, OPT_DUALS},
        {"json", no_argument, NULL, OPT_JSON},     {"method", required_argument, NULL, OPT_METHOD},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int want_flows = 0, want_duals = 0, want_json = 0, c;
    lds_mcf_method method = LDS_MCF_AUTO;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FLOWS:
            want_flows = 1;
            break;
        case OPT_DUALS:
            want_duals = 1;
            break;
        case OPT_JSON:
            want_json = 1;
            break;
        case OPT_METHOD:
            if (strcmp(optarg, "auto") == 0)
                method = LDS_MCF_AUTO;
            else if (strcmp(optarg, "simplex") == 0)
                method = LDS_MCF_SIMPLEX;
            else if (strcmp(optarg, "cost-scaling") == 0)
                method = LDS_MCF_COST_SCALING;
            else
                return lds_cli_usage_error("solve", "unknown method '%s' (auto, simplex, cost-scaling)",
                                           optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return LDS_EXIT_OK;
        default:
            if (optopt)
                return lds_cli_usage_error("solve", "bad option '-%c'", optopt);
            return lds_cli_usage_error("solve", "bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return lds_cli_usage_error("solve", "missing FILE.min");
    if (optind + 1 < argc)
        return lds_cli_usage_error("solve", "unexpected argument '%s'", argv[optind + 1]);
    const char *path = argv[optind];

    lds_err err;
    lds_err_clear(&err);
    double t0 = now_seconds();
    size_t len = 0;
    char *text = read_all(path, &len);
    if (!text) {
        fprintf(stderr, "lodestone solve: %s: %s\n", path, strerror(errno));
        return LDS_EXIT_FAIL;
    }
    lds_mcf_problem prob;
    lds_code rc = lds_mcf_dimacs_parse(text, len, &prob, &err);
    lds_free(text);
    if (rc != LDS_OK) {
        if (err.line)
            fprintf(stderr, "%s:%u: %s\n", path, err.line, err.msg);
        else
            fprintf(stderr, "%s: %s\n", path, err.msg[0] ? err.msg : lds_code_text(rc));
        return LDS_EXIT_FAIL;
    }
    double t1 = now_seconds();
    uint32_t n = prob.n_nodes, m = prob.n_arcs;
    lds_mcf_solver *solver = NULL;
    lds_mcf_status status = LDS_MCF_OPTIMAL;
    rc = lds_mcf_solver_new_take(&prob, &solver, &err);
    if (rc == LDS_OK)
        rc = lds_mcf_solve(solver, method, &status, &err);
    double t2 = now_seconds();
    if (rc != LDS_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg[0] ? err.msg : lds_code_text(rc));
        lds_mcf_solver_free(solver);
        lds_mcf_problem_release(&prob);
        return LDS_EXIT_FAIL;
    }
    const char *mname = lds_mcf_last_method(solver) == LDS_MCF_COST_SCALING ? "cost-scaling"
                                                                           : "simplex";
    int optimal = status == LDS_MCF_OPTIMAL;
    const lds_mcf_problem *p = lds_mcf_solver_problem(solver);
    const int64_t *flow = optimal ? lds_mcf_flows(solver) : NULL;
    const int64_t *pot = optimal ? lds_mcf_potentials(solver) : NULL;
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    if (want_json) {
        printf("{\"status\":\"%s\",\"cost\":", lds_mcf_status_name(status));
        if (optimal)
            printf("%lld", (long long)lds_mcf_total_cost(solver));
        else
            printf("null");
        printf(",\"parse_seconds\":%.6f,\"solve_seconds\":%.6f,\"method\":\"%s\",\"nodes\":%u,"
               "\"arcs\":%u",
               t1 - t0, t2 - t1, mname, n, m);
        if (want_flows) {
            printf(",\"flows\":");
            if (flow) {
                putchar('[');
                for (uint32_t e = 0; e < m; e++)
                    printf(e ? ",%lld" : "%lld", (long long)flow[e]);
                putchar(']');
            } else {
                printf("null");
            }
        }
        if (want_duals) {
            printf(",\"duals\":");
            if (pot) {
                putchar('[');
                for (uint32_t u = 0; u < n; u++)
                    printf(u ? ",%lld" : "%lld", (long long)pot[u]);
                putchar(']');
            } else {
                printf("null");
            }
        }
        printf("}\n");
    } else {
        printf("status: %s\n", lds_mcf_status_name(status));
        if (optimal)
            printf("cost: %lld\n", (long long)lds_mcf_total_cost(solver));
        printf("parse_seconds: %.6f\nsolve_seconds: %.6f\nmethod: %s\n", t1 - t0, t2 - t1, mname);
        if (want_flows && flow)
            for (uint32_t e = 0; e < m; e++)
                printf("f %u %u %lld\n", p->tail[e] + 1, p->head[e] + 1, (long long)flow[e]);
        if (want_duals && pot)
            for (uint32_t u = 0; u < n; u++)
                printf("d %u %lld\n", u + 1, (long long)pot[u]);
    }
    fflush(stdout);
    lds_mcf_solver_free(solver);
    return LDS_EXIT_OK;
}
