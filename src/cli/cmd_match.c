/*
 * cmd_match.c — `lodestone match`: stateless resource matching from CSV
 * files (no database).  Parses offers, requests and lanes, runs the
 * matching engine and writes allocations / unmet demand as CSV, or one JSON
 * object.  Exit 0 ok, 1 bad input or failure (FILE:LINE: message), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/match.h"

static const char usage[] =
    "Usage: lodestone match --offers F.csv --requests F.csv --lanes F.csv\n"
    "                       [--out allocations.csv] [--unmet unmet.csv] [--json]\n"
    "                       [--controlled MAT,...] [--abroad REGION,...] [--catalog FILE]\n"
    "Matches supply offers to demand requests over logistics lanes: first the\n"
    "largest matched quantity, then the lowest total cost (price + logistics).\n\n"
    "CSV files (RFC 4180, header row):\n"
    "  offers    id,org,material,region,quantity,unit_price,period_from,period_to,purity\n"
    "  requests  id,org,material,region,quantity,max_unit_price,due_period,min_purity\n"
    "  lanes     from_region,to_region,cost_per_unit,transit_periods\n"
    "Periods are YYYY-MM, quantities have up to 3 decimals, prices up to 2; the\n"
    "purity columns may be empty.  Lanes are directed; within one region shipping\n"
    "is free and immediate unless a lane from the region to itself says otherwise.\n\n"
    "  --out FILE        write the allocation lines as CSV\n"
    "  --unmet FILE      write the unmet requests (with their reason) as CSV\n"
    "  --json            print one JSON object (totals, allocations, unmet with their\n"
    "                    'why' chain of binding constraints, duals)\n"
    "  --controlled LIST export-controlled materials (licence needed to go abroad)\n"
    "  --abroad LIST     regions outside China\n"
    "  --catalog FILE    take both from a catalog (data/catalog.json) and reject\n"
    "                    regions it does not know\n"
    "  -h, --help        show this help\n\n"
    "Without --json it prints the allocations and unmet requests (each with up to\n"
    "5 'why' lines: the binding constraints), and on its last\n"
    "two lines 'matched quantity: Q' and 'total cost: C'.  See docs/matching.md.\n"
    "Exit status: 0 ok, 1 bad input (FILE:LINE: message) or failure, 2 usage error.\n";

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    lds_buf b = LDS_BUF_INIT;
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        lds_buf_add(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        lds_buf_release(&b);
        errno = EIO;
        return NULL;
    }
    char *out = lds_buf_detach(&b, len);
    if (!out)
        errno = ENOMEM;
    return out;
}

/* A comma-separated list of names. */
typedef struct names {
    char **v;
    size_t n;
} names;

static int names_add(names *l, const char *s, size_t len)
{
    char **nv = lds_realloc(l->v, (l->n + 1) * sizeof *nv);
    if (!nv)
        return 0;
    l->v = nv;
    if (!(l->v[l->n] = lds_strndup(s, len)))
        return 0;
    l->n++;
    return 1;
}

static int names_add_list(names *l, const char *csv)
{
    while (*csv) {
        const char *e = strchr(csv, ',');
        size_t len = e ? (size_t)(e - csv) : strlen(csv);
        if (len && !names_add(l, csv, len))
            return 0;
        csv += len + (e != NULL);
    }
    return 1;
}

static int names_has(const names *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return 1;
    return 0;
}

static void names_free(names *l)
{
    for (size_t i = 0; i < l->n; i++)
        lds_free(l->v[i]);
    lds_free(l->v);
    l->v = NULL;
    l->n = 0;
}

typedef struct match_opts {
    names controlled, abroad, regions; /* regions: known ids when a catalog is given */
    int have_catalog;
} match_opts;

static int known_region(void *ctx, const char *region)
{
    const match_opts *o = ctx;
    return names_has(&o->regions, region);
}

/* Reads region ids and countries, and export-controlled materials. */
static int load_catalog(match_opts *o, const char *path)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        fprintf(stderr, "%s:%d: %s\n", path, je.line, je.text);
        return 0;
    }
    int ok = 1;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(root, "regions"), i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *country = json_string_value(json_object_get(v, "country"));
        if (!id)
            continue;
        ok &= names_add(&o->regions, id, strlen(id));
        if (country && strcmp(country, "CN") != 0)
            ok &= names_add(&o->abroad, id, strlen(id));
    }
    json_array_foreach(json_object_get(root, "materials"), i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (id && json_is_true(json_object_get(v, "export_controlled")))
            ok &= names_add(&o->controlled, id, strlen(id));
    }
    json_decref(root);
    if (!o->regions.n) {
        fprintf(stderr, "%s: no regions in the catalog\n", path);
        return 0;
    }
    o->have_catalog = 1;
    return ok;
}

static int parse_file(lds_match_table *t, const char *path, int which)
{
    size_t len = 0;
    char *text = read_all(path, &len);
    if (!text) {
        fprintf(stderr, "lodestone match: %s: %s\n", path, strerror(errno));
        return 0;
    }
    lds_err err;
    lds_err_clear(&err);
    lds_code rc = which == 0   ? lds_match_parse_offers(t, text, len, &err)
                  : which == 1 ? lds_match_parse_requests(t, text, len, &err)
                               : lds_match_parse_lanes(t, text, len, &err);
    lds_free(text);
    if (rc != LDS_OK) {
        if (err.line)
            fprintf(stderr, "%s:%u: %s\n", path, err.line, err.msg);
        else
            fprintf(stderr, "%s: %s\n", path, err.msg[0] ? err.msg : lds_code_text(rc));
        return 0;
    }
    return 1;
}

static int write_file(const char *path, const lds_buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->ptr, 1, b->len, f) != b->len || fclose(f) != 0) {
        fprintf(stderr, "lodestone match: %s: %s\n", path, strerror(errno));
        return 0;
    }
    return 1;
}

int lds_cmd_match(int argc, char **argv, lds_config *cfg)
{
    (void)cfg;
    enum { O_OFFERS = 1, O_REQUESTS, O_LANES, O_OUT, O_UNMET, O_JSON, O_CTRL, O_ABROAD, O_CAT };
    static const struct option opts[] = {
        {"offers", required_argument, NULL, O_OFFERS},
        {"requests", required_argument, NULL, O_REQUESTS},
        {"lanes", required_argument, NULL, O_LANES},
        {"out", required_argument, NULL, O_OUT},
        {"unmet", required_argument, NULL, O_UNMET},
        {"json", no_argument, NULL, O_JSON},
        {"controlled", required_argument, NULL, O_CTRL},
        {"abroad", required_argument, NULL, O_ABROAD},
        {"catalog", required_argument, NULL, O_CAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *offers = NULL, *requests = NULL, *lanes = NULL, *out = NULL, *unmet = NULL;
    const char *ctrl = NULL, *abroad = NULL, *catalog = NULL;
    int want_json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_OFFERS:
            offers = optarg;
            break;
        case O_REQUESTS:
            requests = optarg;
            break;
        case O_LANES:
            lanes = optarg;
            break;
        case O_OUT:
            out = optarg;
            break;
        case O_UNMET:
            unmet = optarg;
            break;
        case O_JSON:
            want_json = 1;
            break;
        case O_CTRL:
            ctrl = optarg;
            break;
        case O_ABROAD:
            abroad = optarg;
            break;
        case O_CAT:
            catalog = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return LDS_EXIT_OK;
        default:
            if (optopt && optopt < 256)
                return lds_cli_usage_error("match", "bad option '-%c'", optopt);
            return lds_cli_usage_error("match", "bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return lds_cli_usage_error("match", "unexpected argument '%s'", argv[optind]);
    if (!offers || !requests || !lanes)
        return lds_cli_usage_error("match", "--offers, --requests and --lanes are required");

    int rc_exit = LDS_EXIT_FAIL;
    match_opts mo;
    memset(&mo, 0, sizeof mo);
    lds_match_table t;
    lds_match_table_init(&t);
    lds_match_result *res = NULL;
    lds_buf b = LDS_BUF_INIT;
    if (catalog && !load_catalog(&mo, catalog))
        goto done;
    if ((ctrl && !names_add_list(&mo.controlled, ctrl)) ||
        (abroad && !names_add_list(&mo.abroad, abroad))) {
        fprintf(stderr, "lodestone match: out of memory\n");
        goto done;
    }
    if (mo.have_catalog) {
        t.known_region = known_region;
        t.known_ctx = &mo;
    }
    if (!parse_file(&t, offers, 0) || !parse_file(&t, requests, 1) || !parse_file(&t, lanes, 2))
        goto done;
    for (size_t i = 0; i < t.input.n_offers; i++) {
        t.offers[i].controlled = names_has(&mo.controlled, t.offers[i].material);
        t.offers[i].abroad = names_has(&mo.abroad, t.offers[i].region);
    }
    for (size_t i = 0; i < t.input.n_requests; i++)
        t.requests[i].abroad = names_has(&mo.abroad, t.requests[i].region);
    lds_err err;
    lds_err_clear(&err);
    lds_code rc = lds_match_run(&t.input, &res, &err);
    if (rc != LDS_OK) {
        lds_cli_error("match", &err);
        goto done;
    }
    if (out) {
        lds_match_write_lines_csv(res, &b);
        if (b.oom || !write_file(out, &b))
            goto done;
        lds_buf_reset(&b);
    }
    if (unmet) {
        lds_match_write_unmet_csv(res, &b);
        if (b.oom || !write_file(unmet, &b))
            goto done;
        lds_buf_reset(&b);
    }
    char x[32], y[32], per[16];
    if (want_json) {
        lds_match_write_json(res, &b);
    } else {
        for (size_t i = 0; i < res->n_lines; i++) {
            const lds_match_line *l = &res->lines[i];
            lds_buf_addf(&b, "allocate %s -> %s: %s", l->offer_id, l->request_id,
                         lds_match_fmt_milli(l->qty_milli, x));
            lds_buf_addf(&b, " %s %s->%s ship %s", l->material, l->from_region, l->to_region,
                         lds_match_fmt_period(l->ship_period, per));
            lds_buf_addf(&b, " at %s", lds_match_fmt_cents(l->unit_price_cents, x));
            lds_buf_addf(&b, " + %s logistics = %s", lds_match_fmt_cents(l->logistics_cents, x),
                         lds_match_fmt_cents(l->line_total_cents, y));
            if (l->licence_required)
                lds_buf_addf(&b, " (export licence, %d periods lead)", (int)l->licence_lead);
            lds_buf_addc(&b, '\n');
        }
        for (size_t i = 0; i < res->n_unmet; i++) {
            const lds_match_unmet *u = &res->unmet[i];
            lds_buf_addf(&b, "unmet %s: %s of %s (%s)\n", u->request_id,
                         lds_match_fmt_milli(u->unmet_milli, x),
                         lds_match_fmt_milli(u->requested_milli, y),
                         lds_match_reason_name(u->reason));
            for (size_t k = 0; k < u->n_why; k++)
                lds_buf_addf(&b, "  why %s: %s\n", lds_match_why_kind_name(u->why[k].kind),
                             u->why[k].detail);
            if (u->n_why_more)
                lds_buf_addf(&b, "  why: %zu more\n", u->n_why_more);
        }
        lds_buf_addf(&b, "allocations: %zu, unmet requests: %zu, unmet quantity: %s\n",
                     res->n_lines, res->n_unmet, lds_match_fmt_milli(res->unmet_milli, x));
        lds_buf_addf(&b, "matched quantity: %s\n", lds_match_fmt_milli(res->matched_milli, x));
        lds_buf_addf(&b, "total cost: %s\n", lds_match_fmt_cents(res->total_cost_cents, x));
    }
    if (b.oom) {
        fprintf(stderr, "lodestone match: out of memory\n");
        goto done;
    }
    fwrite(b.ptr, 1, b.len, stdout);
    fflush(stdout);
    rc_exit = LDS_EXIT_OK;
done:
    lds_buf_release(&b);
    lds_match_result_free(res);
    lds_match_table_release(&t);
    names_free(&mo.controlled);
    names_free(&mo.abroad);
    names_free(&mo.regions);
    return rc_exit;
}
