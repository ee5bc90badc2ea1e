/*
 * cmd_plan.c — `lodestone plan --db FILE [--scenario NAME] [--compare NAME2]
 * [--json]`: reads the planning input from the store, solves the plan (and
 * the compared scenario's) and prints totals, bottlenecks ranked by dual
 * value, shortages with their reasons and co-product surplus.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "lodestone/buf.h"
#include "lodestone/plan.h"

static void print_text(const lds_plan_input *in, const lds_plan_result *r, const char *name)
{
    const lds_catalog *c = in->catalog;
    char per[8];
    printf("plan %s: %d periods from %s, %d rows x %d columns, solved in %.3f s\n", name,
           in->n_periods, in->first_period, r->n_rows, r->n_cols, r->solve_seconds);
    printf("cost %.0f CNY (purchases and logistics); fill rate %.2f%%\n", r->cost,
           100.0 * r->fill_rate);
    printf("recycled: %.1f t magnet scrap -> %.1f t oxide (%.1f%% of separated oxide)\n",
           r->scrap_recycled_t, r->recycled_oxide_t, 100.0 * r->recycled_share);
    printf("bottlenecks (value of one more unit of capacity, CNY):\n");
    for (size_t i = 0; i < r->n_bottlenecks && i < 10; i++)
        printf("  %12.2f  %s\n", r->bottlenecks[i].value, r->bottlenecks[i].what);
    printf("bottleneck facilities (capacity duals summed over the horizon, CNY):\n");
    for (size_t i = 0, shown = 0; i < r->n_bottlenecks && shown < 5; i++) {
        const lds_plan_limit *l = &r->bottlenecks[i];
        int seen = l->kind != LDS_PLAN_LIMIT_CAPACITY;
        for (size_t k = 0; k < i && !seen; k++)
            seen = r->bottlenecks[k].kind == LDS_PLAN_LIMIT_CAPACITY &&
                   r->bottlenecks[k].index == l->index;
        if (seen)
            continue;
        double sum = 0;
        int n = 0;
        for (size_t k = i; k < r->n_bottlenecks; k++)
            if (r->bottlenecks[k].kind == LDS_PLAN_LIMIT_CAPACITY &&
                r->bottlenecks[k].index == l->index) {
                sum += r->bottlenecks[k].value;
                n++;
            }
        printf("  %12.2f  %s (%s), binding in %d period(s)\n", sum, in->facilities[l->index].name,
               in->facilities[l->index].region, n);
        shown++;
    }
    if (in->n_demand == 0)
        printf("note: no forecast (plan_forecast is empty), so nothing is planned\n");
    printf("shortages: %zu\n", r->n_shortages);
    for (size_t i = 0; i < r->n_shortages && i < 20; i++) {
        const lds_plan_shortage *s = &r->shortages[i];
        lds_plan_period_label(in->first_period, s->period, per, NULL);
        printf("  %s %s %s: %.6g of %.6g short\n", lds_catalog_material_at(c, s->material)->id,
               in->regions[s->region].id, per, s->qty, s->demand);
        for (size_t k = 0; k < s->n_reasons && k < 3; k++)
            printf("      because %s (%s, value %.2f)\n", s->reasons[k].what,
                   lds_plan_limit_name(s->reasons[k].kind), s->reasons[k].value);
    }
    size_t n_mat = lds_catalog_n_materials(c);
    printf("co-product surplus (t over the horizon):\n");
    for (size_t m = 0; m < n_mat; m++) {
        double q = 0;
        for (size_t i = 0; i < r->n_surplus; i++)
            if (r->surplus[i].material == m)
                q += r->surplus[i].qty;
        if (q > 1e-6)
            printf("  %-12s %12.3f\n", lds_catalog_material_at(c, m)->id, q);
    }
}

/* --mrp: the forecast exploded into gross requirements, by level. */
static lds_code print_mrp(const lds_plan_input *in, int json, lds_err *err)
{
    lds_plan_mrp *m;
    lds_code rc = lds_plan_explode(in->catalog, in->demand, in->n_demand, in->n_periods, &m, err);
    if (rc)
        return rc;
    char per[8];
    lds_buf b = LDS_BUF_INIT;
    if (json)
        lds_buf_addf(&b, "{\"first_period\":\"%s\",\"periods\":%d,\"needs\":[", in->first_period,
                     in->n_periods);
    else
        printf("MRP explosion of %zu forecast lines (level 0 = end products; periods before %s\n"
               "must already be under way):\n%-5s %-22s %-8s %16s %16s %s\n",
               in->n_demand, in->first_period, "level", "material", "period", "gross", "co-product",
               "unit");
    for (size_t i = 0; i < m->n; i++) {
        const lds_plan_need *n = &m->needs[i];
        const lds_material *mat = lds_catalog_material_at(in->catalog, n->material);
        lds_plan_period_label(in->first_period, n->period, per, NULL);
        if (json)
            lds_buf_addf(&b, "%s{\"material\":\"%s\",\"unit\":\"%s\",\"period\":\"%s\","
                             "\"level\":%d,\"gross\":%.9g,\"coproduct\":%.9g}",
                         i ? "," : "", mat->id, mat->unit, per, n->level, n->qty, n->coproduct);
        else
            printf("%-5d %-22s %-8s %16.6g %16.6g %s\n", n->level, mat->id, per, n->qty,
                   n->coproduct, mat->unit);
    }
    if (json) {
        lds_buf_adds(&b, "]}");
        if (b.oom)
            rc = lds_err_set(err, LDS_ENOMEM, "out of memory");
        else
            printf("%s\n", b.ptr);
    }
    lds_buf_release(&b);
    lds_plan_mrp_free(m);
    return rc;
}

static lds_code run_one(lds_store *s, lds_plan_data *d, const char *name, lds_plan_result **out,
                        lds_err *err)
{
    const lds_plan_scenario *sc = NULL;
    lds_code rc;
    if (name && (rc = lds_plan_read_scenario(s, d, name, &sc, err)))
        return rc;
    return lds_plan_solve(lds_plan_data_input(d), sc, out, err);
}

int lds_cmd_plan(int argc, char **argv, lds_config *cfg)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"scenario", required_argument, NULL, 's'},
                                         {"compare", required_argument, NULL, 'c'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"save", no_argument, NULL, 'S'},
                                         {"mrp", no_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *scenario = NULL, *compare = NULL;
    int c, json = 0, save = 0, mrp = 0;
    lds_err err;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:s:c:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (lds_copy_str(cfg->db_path, sizeof cfg->db_path, optarg, "--db", &err))
                return lds_cli_usage_error("plan", "%s", err.msg);
            break;
        case 's':
            scenario = optarg;
            break;
        case 'c':
            compare = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'S':
            save = 1;
            break;
        case 'm':
            mrp = 1;
            break;
        case 'h':
            printf("Usage: lodestone plan --db FILE [--scenario NAME] [--compare NAME2] [--json]\n"
                   "                      [--save] [--mrp]\n\n"
                   "Plans the chain from the forecast of end products back to ore: an LP over\n"
                   "facility capacities, joint-production recipes, inventories, lanes, open\n"
                   "offers, scrap returns, quotas and export licences (COIN-OR Clp).  Prints\n"
                   "bottlenecks ranked by dual value, shortages with their reasons and the\n"
                   "co-product surplus.  --compare solves a second scenario and prints both\n"
                   "side by side.  --save stores each plan in plan_runs and prints its id on\n"
                   "stderr.  --mrp prints the unconstrained MRP explosion of the forecast\n"
                   "instead (gross requirements per material and period, lead-time offset).\n"
                   "Exit 0 ok, 1 failure, 2 usage.\n");
            return LDS_EXIT_OK;
        default:
            return lds_cli_usage_error("plan", "unknown option");
        }
    }
    if (optind < argc)
        return lds_cli_usage_error("plan", "unexpected argument '%s'", argv[optind]);
    if (!cfg->db_path[0])
        return lds_cli_usage_error("plan", "--db FILE is required");
    lds_store *s = NULL;
    lds_plan_data *d = NULL, *d2 = NULL;
    lds_plan_result *r = NULL, *r2 = NULL;
    lds_code rc;
    if ((rc = lds_cli_open_existing(cfg->db_path, &s, &err)) || (rc = lds_store_migrate(s, NULL, &err)) ||
        (rc = lds_plan_read(s, &d, &err)))
        goto done;
    if (mrp) {
        rc = print_mrp(lds_plan_data_input(d), json, &err);
        goto done;
    }
    if ((rc = run_one(s, d, scenario, &r, &err)))
        goto done;
    if (compare && ((rc = lds_plan_read(s, &d2, &err)) || (rc = run_one(s, d2, compare, &r2, &err))))
        goto done;
    const lds_plan_input *in = lds_plan_data_input(d);
    const char *name = scenario ? scenario : "as-is";
    if (save) {
        int64_t id;
        if ((rc = lds_plan_save_run(s, in, r, name, &id, &err)))
            goto done;
        fprintf(stderr, "plan run %lld saved (%s)\n", (long long)id, name);
        if (r2) {
            if ((rc = lds_plan_save_run(s, lds_plan_data_input(d2), r2, compare, &id, &err)))
                goto done;
            fprintf(stderr, "plan run %lld saved (%s)\n", (long long)id, compare);
        }
    }
    if (json) {
        lds_buf b = LDS_BUF_INIT;
        if (r2) {
            lds_buf_adds(&b, "{\"plans\":[");
            lds_plan_result_json(in, r, name, &b);
            lds_buf_addc(&b, ',');
            lds_plan_result_json(lds_plan_data_input(d2), r2, compare, &b);
            lds_buf_addf(&b, "],\"delta\":{\"cost_cny\":%.2f,\"short_total\":%.6g,"
                             "\"fill_rate\":%.6f}}",
                         r2->cost - r->cost, r2->short_total - r->short_total,
                         r2->fill_rate - r->fill_rate);
        } else {
            lds_plan_result_json(in, r, name, &b);
        }
        if (b.oom) {
            lds_buf_release(&b);
            rc = lds_err_set(&err, LDS_ENOMEM, "out of memory");
            goto done;
        }
        printf("%s\n", b.ptr);
        lds_buf_release(&b);
    } else {
        print_text(in, r, name);
        if (r2) {
            printf("\n");
            print_text(lds_plan_data_input(d2), r2, compare);
            printf("\n%-28s %16s %16s\n", "comparison", name, compare);
            printf("%-28s %16.0f %16.0f\n", "cost (CNY)", r->cost, r2->cost);
            printf("%-28s %15.2f%% %15.2f%%\n", "fill rate", 100 * r->fill_rate,
                   100 * r2->fill_rate);
            printf("%-28s %16zu %16zu\n", "shortage lines", r->n_shortages, r2->n_shortages);
            printf("%-28s %16zu %16zu\n", "binding capacities/quotas", r->n_bottlenecks,
                   r2->n_bottlenecks);
            printf("%-28s %16.6g %16.6g\n", "units short (all products)", r->short_total,
                   r2->short_total);
            printf("%-28s %15.2f%% %15.2f%%\n", "recycled share of oxide", 100 * r->recycled_share,
                   100 * r2->recycled_share);
        }
    }
done:
    lds_plan_result_free(r);
    lds_plan_result_free(r2);
    lds_plan_data_free(d);
    lds_plan_data_free(d2);
    lds_store_close(s);
    if (rc) {
        lds_cli_error("plan", &err);
        return lds_cli_exit(rc);
    }
    return LDS_EXIT_OK;
}
