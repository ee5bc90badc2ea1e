/*
 * cmd_trace.c — `lodestone trace LOT [--forward] --db FILE [--json]`: the
 * backward trace of a lot (its upstream tree and origin shares) or, with
 * --forward, every downstream lot with the quantity attributable.  A table
 * on the terminal, or the API's JSON with --json.  Exit 0 ok, 1 unknown lot
 * or failure, 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "lodestone/alloc.h"
#include "lodestone/lineage.h"

static const char usage[] =
    "Usage: lodestone trace LOT [--forward] --db FILE [--json]\n"
    "\n"
    "Traces a lot (an EPC class with lot, e.g. urn:epc:class:lgtin:4012345.011111.L1,\n"
    "or its GS1 Digital Link https://id.gs1.org/01/.../10/L1) through the\n"
    "TransformationEvents captured in the database.\n"
    "\n"
    "  (default)     backward: the upstream lots to the origin lots (mines) and\n"
    "                each origin's share of the lot's REO, in total and per element\n"
    "  --forward     every downstream lot with the quantity that comes from LOT\n"
    "  --db FILE     the database (or LODESTONE_DB)\n"
    "  --json        print the JSON the API serves instead of a table\n"
    "  -h, --help    show this help\n"
    "\n"
    "Exit status: 0 ok, 1 unknown lot or failure, 2 usage error.\n";

static void print_tree(const lds_provenance *p, size_t v, int depth, unsigned char *seen)
{
    const lds_lot *l = &p->lots[v];
    printf("%*s%s", depth * 2, "", l->lot);
    if (l->material_id[0])
        printf("  %s", l->material_id);
    if (l->has_quantity)
        printf("  %g %s", l->quantity, l->uom[0] ? l->uom : "units");
    if (l->has_reo)
        printf("  (%.6g t REO)", l->reo.total_oxide_t);
    if (l->mass_balance_flag)
        printf("  [mass balance flagged]");
    if (seen[v]) {
        printf("  (see above)\n");
        return;
    }
    seen[v] = 1;
    int any = 0;
    for (size_t i = 0; i < p->n_links; i++)
        any |= p->links[i].output == v;
    if (!any && (l->mine[0] || l->location[0]))
        printf("  <- origin %s%s%s", l->mine[0] ? l->mine : "", l->mine[0] ? " " : "",
               l->location);
    printf("\n");
    for (size_t i = 0; i < p->n_links; i++) {
        const lds_prov_link *k = &p->links[i];
        if (k->output != v)
            continue;
        printf("%*s<- %s", depth * 2 + 2, "", k->event_id);
        if (k->has_quantity)
            printf(" (%g %s)", k->quantity, k->uom[0] ? k->uom : "units");
        printf("\n");
        print_tree(p, k->input, depth + 2, seen);
    }
}

static void print_provenance(const lds_provenance *p)
{
    unsigned char *seen = lds_calloc(p->n_lots ? p->n_lots : 1, 1);
    if (!seen)
        return;
    printf("upstream of %s (%zu lots, %zu links)\n\n", p->lots[0].lot, p->n_lots, p->n_links);
    print_tree(p, 0, 0, seen);
    lds_free(seen);
    printf("\norigins\n%8s  %-32s  %-12s  %-14s  %s\n", "share", "elements", "region", "mine",
           "lot");
    for (size_t i = 0; i < p->n_origins; i++) {
        const lds_prov_origin *o = &p->origins[i];
        const lds_lot *l = &p->lots[o->lot];
        char els[128] = "";
        size_t len = 0;
        /* The shares of the traced lot's three most abundant elements. */
        int best[3] = {-1, -1, -1};
        const lds_lot *root = &p->lots[0];
        for (int el = 0; el < LDS_RE_N; el++) {
            if (!(o->element_mask & (1u << el)))
                continue;
            double w = root->has_reo ? root->reo.oxide_t[el] : 0;
            for (int k = 0; k < 3; k++) {
                if (best[k] < 0 || w > (root->has_reo ? root->reo.oxide_t[best[k]] : 0)) {
                    for (int m = 2; m > k; m--)
                        best[m] = best[m - 1];
                    best[k] = el;
                    break;
                }
            }
        }
        for (int k = 0; k < 3; k++)
            if (best[k] >= 0 && len < sizeof els)
                len += (size_t)snprintf(els + len, sizeof els - len, "%s%s %.4f", k ? " " : "",
                                        lds_re_symbol((lds_re)best[k]),
                                        o->element_share[best[k]]);
        if (o->share <= 0)
            els[0] = '\0';
        printf("%8.4f  %-32s  %-12s  %-14s  %s\n", o->share, els[0] ? els : "-",
               l->region_id[0] ? l->region_id : "-", l->mine[0] ? l->mine : "-", l->lot);
    }
    if (p->mass_balance_flag)
        printf("\nwarning: a transformation upstream broke the mass balance (flagged)\n");
    if (p->truncated)
        printf("\nwarning: trace truncated at %d lots\n", LDS_LINEAGE_MAX_NODES);
}

static void print_descendants(const lds_descendants *d)
{
    printf("downstream of %s (%zu lots)\n\n", d->root.lot, d->n_lots);
    printf("%5s  %9s  %14s  %-5s  %-18s  %s\n", "depth", "fraction", "attributable", "uom",
           "material", "lot");
    for (size_t i = 0; i < d->n_lots; i++) {
        const lds_desc_lot *x = &d->lots[i];
        char q[32] = "-";
        if (x->lot.has_quantity)
            snprintf(q, sizeof q, "%.6g", x->quantity);
        printf("%5d  %9.6f  %14s  %-5s  %-18s  %s\n", x->depth, x->fraction, q,
               x->lot.uom[0] ? x->lot.uom : "-",
               x->lot.material_id[0] ? x->lot.material_id : "-", x->lot.lot);
    }
    if (d->truncated)
        printf("\nwarning: trace truncated at %d lots\n", LDS_LINEAGE_MAX_NODES);
}

int lds_cmd_trace(int argc, char **argv, lds_config *cfg)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"forward", no_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int forward = 0, json = 0, c;
    lds_err err;
    lds_err_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "d:fjh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (lds_copy_str(cfg->db_path, sizeof cfg->db_path, optarg, "--db", &err))
                return lds_cli_usage_error("trace", "%s", err.msg);
            break;
        case 'f':
            forward = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return LDS_EXIT_OK;
        default:
            return lds_cli_usage_error("trace", "bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return lds_cli_usage_error("trace", "give exactly one lot");
    const char *lot = argv[optind];
    lds_store *s = NULL;
    lds_code rc;
    if ((rc = lds_cli_open_existing(cfg->db_path, &s, &err)) || (rc = lds_store_migrate(s, NULL, &err))) {
        lds_cli_error("trace", &err);
        lds_store_close(s);
        return LDS_EXIT_FAIL;
    }
    lds_buf b = LDS_BUF_INIT;
    if (forward) {
        lds_descendants d;
        if ((rc = lds_lineage_descendants(s, lot, &d, &err)) == LDS_OK) {
            if (json)
                lds_descendants_json(&d, &b);
            else
                print_descendants(&d);
            lds_descendants_release(&d);
        }
    } else {
        lds_provenance p;
        if ((rc = lds_lineage_provenance(s, lot, &p, &err)) == LDS_OK) {
            if (json)
                lds_provenance_json(&p, &b);
            else
                print_provenance(&p);
            lds_provenance_release(&p);
        }
    }
    if (rc == LDS_OK && json) {
        if (b.oom)
            rc = lds_err_set(&err, LDS_ENOMEM, "out of memory");
        else
            printf("%s\n", b.ptr);
    }
    lds_buf_release(&b);
    lds_store_close(s);
    if (rc) {
        lds_cli_error("trace", &err);
        return LDS_EXIT_FAIL;
    }
    return LDS_EXIT_OK;
}
