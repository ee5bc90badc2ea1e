/*
 * report.c — a plan result as one JSON object: totals, bottlenecks ranked by
 * dual value, shortages with their reasons, co-product surplus, production,
 * purchases and flows (names resolved through the input and catalog).
 */
#include <stdio.h>
#include "lodestone/buf.h"
#include "plan_int.h"

static void add_limit(lds_buf *b, const lds_plan_limit *l)
{
    lds_buf_addf(b, "{\"kind\":\"%s\",\"value\":%.6g,\"used\":%.6g,\"bound\":%.6g,\"what\":",
                 lds_plan_limit_name(l->kind), l->value, l->used, l->bound);
    lds_buf_add_json_str(b, l->what);
    lds_buf_addc(b, '}');
}

void lds_plan_result_json(const lds_plan_input *in, const lds_plan_result *r, const char *scenario,
                          void *json)
{
    lds_buf *b = json;
    const lds_catalog *c = in->catalog;
    char per[8] = "", per2[8] = "";
    lds_buf_adds(b, "{\"scenario\":");
    lds_buf_add_json_str(b, scenario ? scenario : "baseline");
    lds_buf_addf(b, ",\"first_period\":\"%s\",\"periods\":%d,\"rows\":%d,\"columns\":%d",
                 in->first_period, in->n_periods, r->n_rows, r->n_cols);
    lds_buf_addf(b, ",\"objective\":%.6f,\"cost_cny\":%.2f,\"demand_total\":%.6g,"
                    "\"short_total\":%.6g,\"fill_rate\":%.6f,\"solve_seconds\":%.4f",
                 r->objective, r->cost, r->demand_total, r->short_total, r->fill_rate,
                 r->solve_seconds);
    lds_buf_addf(b, ",\"scrap_recycled_t\":%.6g,\"recycled_oxide_t\":%.6g,\"recycled_share\":%.6f",
                 r->scrap_recycled_t, r->recycled_oxide_t, r->recycled_share);
    lds_buf_adds(b, ",\"bottlenecks\":[");
    for (size_t i = 0; i < r->n_bottlenecks; i++) {
        if (i)
            lds_buf_addc(b, ',');
        add_limit(b, &r->bottlenecks[i]);
    }
    /* The same capacity rows summed per facility over the horizon: where one
     * more tonne a month of capacity would be worth most (the investment
     * signal).  Quadratic in the number of binding rows, which is small. */
    lds_buf_adds(b, "],\"bottleneck_facilities\":[");
    int first = 1;
    for (size_t i = 0; i < r->n_bottlenecks; i++) {
        const lds_plan_limit *l = &r->bottlenecks[i];
        if (l->kind != LDS_PLAN_LIMIT_CAPACITY)
            continue;
        int seen = 0;
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
        lds_buf_addf(b, "%s{\"facility_id\":%lld,\"facility\":", first ? "" : ",",
                     (long long)in->facilities[l->index].id);
        lds_buf_add_json_str(b, in->facilities[l->index].name);
        lds_buf_addf(b, ",\"region\":\"%s\",\"periods_binding\":%d,\"value_sum\":%.6g,"
                        "\"value_max\":%.6g}",
                     in->facilities[l->index].region, n, sum, l->value);
        first = 0;
    }
    lds_buf_adds(b, "],\"shortages\":[");
    for (size_t i = 0; i < r->n_shortages; i++) {
        const lds_plan_shortage *s = &r->shortages[i];
        lds_plan_period_label(in->first_period, s->period, per, NULL);
        lds_buf_addf(b, "%s{\"material\":\"%s\",\"region\":\"%s\",\"period\":\"%s\","
                        "\"demand\":%.6g,\"short\":%.6g,\"value\":%.6g,\"reasons\":[",
                     i ? "," : "", lds_catalog_material_at(c, s->material)->id,
                     in->regions[s->region].id, per, s->demand, s->qty, s->value);
        for (size_t k = 0; k < s->n_reasons; k++) {
            if (k)
                lds_buf_addc(b, ',');
            add_limit(b, &s->reasons[k]);
        }
        lds_buf_adds(b, "]}");
    }
    lds_buf_adds(b, "],\"surplus\":[");
    for (size_t i = 0; i < r->n_surplus; i++) {
        lds_plan_period_label(in->first_period, r->surplus[i].period, per, NULL);
        lds_buf_addf(b, "%s{\"material\":\"%s\",\"period\":\"%s\",\"qty\":%.6g}", i ? "," : "",
                     lds_catalog_material_at(c, r->surplus[i].material)->id, per, r->surplus[i].qty);
    }
    lds_buf_adds(b, "],\"production\":[");
    for (size_t i = 0; i < r->n_prod; i++) {
        const lds_plan_prod *p = &r->prod[i];
        lds_plan_period_label(in->first_period, p->period, per, NULL);
        lds_buf_addf(b, "%s{\"facility_id\":%lld,\"facility\":", i ? "," : "",
                     (long long)in->facilities[p->facility].id);
        lds_buf_add_json_str(b, in->facilities[p->facility].name);
        lds_buf_addf(b, ",\"region\":\"%s\",\"recipe\":\"%s\",\"period\":\"%s\",\"runs\":%.6g,"
                        "\"output\":\"%s\",\"output_qty\":%.6g,\"capacity_used\":%.6g}",
                     in->facilities[p->facility].region, lds_catalog_recipe_at(c, p->recipe)->id, per,
                     p->runs, lds_catalog_recipe_at(c, p->recipe)->output_id, p->output_qty,
                     p->cap_used);
    }
    lds_buf_adds(b, "],\"purchases\":[");
    for (size_t i = 0; i < r->n_buys; i++) {
        const lds_plan_offer *o = &in->offers[r->buys[i].offer];
        lds_plan_period_label(in->first_period, r->buys[i].period, per, NULL);
        lds_buf_addf(b, "%s{\"offer_id\":%lld,\"material\":\"%s\",\"region\":\"%s\",\"period\":\"%s\","
                        "\"qty\":%.6g,\"unit_price\":%.2f}",
                     i ? "," : "", (long long)o->id, o->material, o->region, per, r->buys[i].qty,
                     o->unit_price);
    }
    lds_buf_adds(b, "],\"flows\":[");
    for (size_t i = 0; i < r->n_flows; i++) {
        const lds_plan_flow *f = &r->flows[i];
        lds_plan_period_label(in->first_period, f->period, per, NULL);
        lds_plan_period_label(in->first_period, f->period + f->transit, per2, NULL);
        lds_buf_addf(b, "%s{\"material\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"ship\":\"%s\","
                        "\"arrive\":\"%s\",\"qty\":%.6g,\"licence\":%s}",
                     i ? "," : "", lds_catalog_material_at(c, f->material)->id,
                     in->lanes[f->lane].from, in->lanes[f->lane].to, per, per2, f->qty,
                     f->licensed ? "true" : "false");
    }
    lds_buf_adds(b, "]}");
}
