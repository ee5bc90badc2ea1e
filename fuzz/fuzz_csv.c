/*
 * fuzz_csv.c — libFuzzer target for the RFC 4180 reader and the match CSV
 * loaders.  Any input must read or fail cleanly with a line number; records
 * that read must survive write -> read unchanged; the same bytes are also
 * loaded as offers, requests and lanes, and a small table is matched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/csv.h"
#include "lodestone/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_trap(void)
{
    __builtin_trap();
}

/* Reads every record; on success writes them back and reads them again. */
static void round_trip(const char *text, size_t len)
{
    lds_csv_reader *r;
    lds_err err;
    if (lds_csv_reader_new(text, len, &r, &err) != LDS_OK) {
        if (err.code == LDS_EINVAL && err.line == 0)
            fuzz_trap();
        return;
    }
    lds_buf out = LDS_BUF_INIT;
    size_t nc = lds_csv_n_columns(r), n_rec = 0;
    const char **cols = malloc(nc * sizeof *cols);
    for (size_t i = 0; i < nc; i++)
        cols[i] = lds_csv_column(r, i);
    lds_csv_write_row(&out, cols, nc);
    free(cols);
    const char *const *f;
    size_t n;
    unsigned line, last = 0;
    lds_code rc;
    while ((rc = lds_csv_next(r, &f, &n, &line, &err)) == LDS_OK && n) {
        if (line <= last)
            fuzz_trap(); /* lines only grow */
        last = line;
        lds_csv_write_row(&out, f, n);
        n_rec++;
    }
    if (rc != LDS_OK && err.code == LDS_EINVAL && err.line == 0)
        fuzz_trap();
    lds_csv_reader_free(r);
    if (rc != LDS_OK || out.oom) {
        lds_buf_release(&out);
        return;
    }
    /* A written table reads back with the same record count (blank-only
     * single-column records excepted: they are skipped as blank lines). */
    lds_csv_reader *r2;
    if (lds_csv_reader_new(out.ptr, out.len, &r2, &err) == LDS_OK) {
        size_t n2 = 0;
        while (lds_csv_next(r2, &f, &n, &line, &err) == LDS_OK && n)
            n2++;
        if (n2 > n_rec || (nc > 1 && n2 != n_rec))
            fuzz_trap();
        lds_csv_reader_free(r2);
    } else if (nc > 1) {
        fuzz_trap();
    }
    lds_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    round_trip(text, size);
    lds_match_table t;
    lds_match_table_init(&t);
    lds_err err;
    lds_code a = lds_match_parse_offers(&t, text, size, &err);
    if (a == LDS_EINVAL && err.line == 0)
        fuzz_trap();
    lds_code b = lds_match_parse_requests(&t, text, size, &err);
    if (b == LDS_EINVAL && err.line == 0)
        fuzz_trap();
    lds_code c = lds_match_parse_lanes(&t, text, size, &err);
    if (c == LDS_EINVAL && err.line == 0)
        fuzz_trap();
    if (t.input.n_offers + t.input.n_requests + t.input.n_lanes <= 400) {
        lds_match_result *res = NULL;
        if (lds_match_run(&t.input, &res, &err) == LDS_OK) {
            if (res->matched_milli + res->unmet_milli != res->demand_milli)
                fuzz_trap();
            lds_buf out = LDS_BUF_INIT;
            lds_match_write_json(res, &out);
            lds_match_write_lines_csv(res, &out);
            lds_match_write_unmet_csv(res, &out);
            lds_buf_release(&out);
            lds_match_result_free(res);
        }
    }
    lds_match_table_release(&t);
    return 0;
}
