/*
 * cmd_capture.c — `lodestone capture FILE.json... --db FILE`: batch import of
 * EPCISDocuments, one transaction per file (committed before the next is
 * read), with the ledger leaves; a signed tree head over the result is
 * stored at the end.  Exit 0 ok, 1 invalid document (FILE:LINE:COLUMN for
 * JSON syntax, FILE: /json/pointer: message for EPCIS rules) or failure,
 * 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "lodestone/alloc.h"
#include "lodestone/trace.h"

static const char usage[] =
    "Usage: lodestone capture FILE.json... --db FILE [--proceed] [-q]\n"
    "\n"
    "Captures EPCIS 2.0 documents (EPCISDocument or EPCISQueryDocument, JSON or\n"
    "JSON-LD) into the database: every event is validated, given its CBV 2.0\n"
    "hash ID when it has no eventID, stored with its identifiers and appended to\n"
    "the transparency log, one transaction per file.  An eventID already stored\n"
    "is a duplicate and is not stored again.\n"
    "\n"
    "  --db FILE     the database (created and migrated if needed; or LODESTONE_DB)\n"
    "  --proceed     store the valid events of a document with invalid ones\n"
    "                (default: rollback, nothing of an invalid document is stored)\n"
    "  -q, --quiet   print only the totals\n"
    "  -h, --help    show this help\n"
    "\n"
    "The ledger key is LODESTONE_LEDGER_KEY or <db>.ledger-key (created, mode 0600).\n"
    "Exit status: 0 ok, 1 invalid document or failure, 2 usage error.\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int lds_cmd_capture(int argc, char **argv, lds_config *cfg)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"proceed", no_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    lds_trace_behaviour beh = LDS_TRACE_ROLLBACK;
    int quiet = 0, c;
    lds_err err;
    lds_err_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "d:pqh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (lds_copy_str(cfg->db_path, sizeof cfg->db_path, optarg, "--db", &err))
                return lds_cli_usage_error("capture", "%s", err.msg);
            break;
        case 'p':
            beh = LDS_TRACE_PROCEED;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return LDS_EXIT_OK;
        default:
            return lds_cli_usage_error("capture", "bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return lds_cli_usage_error("capture", "give at least one EPCIS document (FILE.json)");

    lds_store *s = NULL;
    lds_trace_ledger *lg = NULL;
    lds_epcis_report *rep = lds_malloc(sizeof *rep);
    char key_path[1024];
    int status = LDS_EXIT_FAIL;
    lds_code rc;
    if (!rep) {
        fprintf(stderr, "lodestone capture: out of memory\n");
        return LDS_EXIT_FAIL;
    }
    lds_epcis_report_init(rep);
    if ((rc = lds_store_open(cfg->db_path, &s, &err)) ||
        (rc = lds_store_migrate(s, NULL, &err)) ||
        (rc = lds_trace_key_path(cfg->db_path, cfg->ledger_key, key_path, sizeof key_path,
                                 &err)) ||
        (rc = lds_trace_ledger_open(s, key_path, &lg, &err))) {
        lds_cli_error("capture", &err);
        goto done;
    }

    size_t n_events = 0, n_stored = 0, n_dup = 0, n_invalid = 0, n_bad_docs = 0;
    double t0 = now_s();
    for (int i = optind; i < argc; i++) {
        const char *file = argv[i];
        json_error_t je;
        json_t *doc = json_load_file(file, 0, &je);
        if (!doc) {
            fprintf(stderr, "%s:%d:%d: %s\n", file, je.line, je.column, je.text);
            n_bad_docs++;
            continue;
        }
        lds_trace_capture_result res;
        lds_err_clear(&err);
        rc = lds_trace_capture(s, lg, doc, beh, 0, rep, &res, &err);
        json_decref(doc);
        if (rc == LDS_EINVAL) {
            n_bad_docs++;
            for (int v = 0; v < rep->n_items; v++)
                fprintf(stderr, "%s: %s: %s\n", file,
                        rep->items[v].pointer[0] ? rep->items[v].pointer : "/",
                        rep->items[v].message);
            if ((size_t)rep->n_items < rep->n_errors)
                fprintf(stderr, "%s: ... %zu more\n", file, rep->n_errors - (size_t)rep->n_items);
            fprintf(stderr, "%s: %s\n", file, err.msg);
            continue;
        }
        if (rc != LDS_OK) {
            fprintf(stderr, "%s: ", file);
            lds_cli_error("capture", &err);
            goto done;
        }
        n_events += res.n_events;
        n_stored += res.n_stored;
        n_dup += res.n_duplicates;
        n_invalid += res.n_invalid;
        if (res.n_invalid) {
            for (int v = 0; v < rep->n_items; v++)
                fprintf(stderr, "%s: %s: %s (not stored)\n", file, rep->items[v].pointer,
                        rep->items[v].message);
        }
        if (!quiet)
            printf("%s: %zu events, %zu stored, %zu duplicates, %zu invalid (capture job %lld)\n",
                   file, res.n_events, res.n_stored, res.n_duplicates, res.n_invalid,
                   (long long)res.capture_id);
    }
    double secs = now_s() - t0;
    lds_ledger_sth sth;
    if ((rc = lds_trace_ledger_sth(lg, s, &sth, &err))) {
        lds_cli_error("capture", &err);
        goto done;
    }
    lds_buf root = LDS_BUF_INIT;
    lds_ledger_add_base64(&root, sth.root, sizeof sth.root);
    printf("captured %zu events from %d files in %.3f s (%.0f events/s): %zu stored, "
           "%zu duplicates, %zu invalid, %zu documents refused\n",
           n_events, argc - optind, secs, secs > 0 ? (double)n_events / secs : 0.0, n_stored,
           n_dup, n_invalid, n_bad_docs);
    printf("ledger: %llu leaves, root %s (signed tree head stored)\n",
           (unsigned long long)sth.tree_size, root.ptr);
    lds_buf_release(&root);
    status = n_bad_docs ? LDS_EXIT_FAIL : LDS_EXIT_OK;
done:
    lds_trace_ledger_free(lg);
    lds_store_close(s);
    lds_epcis_report_release(rep);
    lds_free(rep);
    return status;
}
