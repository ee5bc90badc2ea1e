/*
 * xlsx.c — a match run's allocation lines and unmet requests as an XLSX
 * workbook (libxlsxwriter), filtered for the caller like the JSON and CSV
 * views.  libxlsxwriter 1.1 writes only to files, so the workbook goes to a
 * private temporary file that is read back and removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "lodestone/alloc.h"
#include "market_int.h"

/* Quantities and money are exact integers; the sheet shows them scaled with
 * a fixed number of decimals (a double holds them exactly up to 2^53). */
static double scaled(int64_t v, int64_t scale)
{
    return (double)v / (double)scale;
}

static lds_code write_sheets(lds_store *s, const lds_principal *who, int64_t id, lxw_workbook *wb,
                             lds_err *err)
{
    lxw_format *bold = workbook_add_format(wb);
    lxw_format *qty = workbook_add_format(wb);
    lxw_format *money = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_num_format(qty, "#,##0.000");
    format_set_num_format(money, "#,##0.00");
    lxw_worksheet *ws = workbook_add_worksheet(wb, "allocations");
    lxw_worksheet *wu = workbook_add_worksheet(wb, "unmet");
    if (!bold || !qty || !money || !ws || !wu)
        return lds_err_set(err, LDS_ENOMEM, "cannot create the workbook");
    static const char *const head[] = {
        "line", "offer_id", "request_id", "seller_org", "seller", "buyer_org", "buyer",
        "material", "from_region", "to_region", "quantity", "ship_period", "transit_periods",
        "unit_price", "logistics_cost", "line_total", "licence_required",
        "licence_lead_periods"};
    for (lxw_col_t c = 0; c < sizeof head / sizeof head[0]; c++)
        worksheet_write_string(ws, 0, c, head[c], bold);
    lds_stmt *st;
    lds_code rc;
    if ((rc = lds_store_prepare(s, lds_market__q_lines, &st, err)) ||
        (rc = lds_market__bind_scope(st, id, who)))
        return rc;
    int r;
    lxw_row_t row = 1;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        for (lxw_col_t c = 0; c < sizeof head / sizeof head[0]; c++) {
            int64_t v = lds_stmt_col_i64(st, (int)c);
            switch (c) {
            case 10:
                worksheet_write_number(ws, row, c, scaled(v, 1000), qty);
                break;
            case 13:
            case 14:
            case 15:
                worksheet_write_number(ws, row, c, scaled(v, 100), money);
                break;
            case 16:
                worksheet_write_string(ws, row, c, v ? "yes" : "no", NULL);
                break;
            case 0:
            case 1:
            case 2:
            case 3:
            case 5:
            case 12:
            case 17:
                worksheet_write_number(ws, row, c, (double)v, NULL);
                break;
            default:
                worksheet_write_string(ws, row, c, lds_stmt_col_text(st, (int)c), NULL);
            }
        }
        row++;
    }
    if (r != LDS_STORE_DONE)
        return (lds_code)r;
    static const char *const uhead[] = {"request_id", "org_id",    "material", "region",
                                        "due_period", "requested", "unmet",    "reason"};
    for (lxw_col_t c = 0; c < sizeof uhead / sizeof uhead[0]; c++)
        worksheet_write_string(wu, 0, c, uhead[c], bold);
    if ((rc = lds_store_prepare(s, lds_market__q_unmet, &st, err)) ||
        (rc = lds_market__bind_scope(st, id, who)))
        return rc;
    row = 1;
    while ((r = lds_stmt_step(st, err)) == LDS_STORE_ROW) {
        worksheet_write_number(wu, row, 0, (double)lds_stmt_col_i64(st, 0), NULL);
        worksheet_write_number(wu, row, 1, (double)lds_stmt_col_i64(st, 1), NULL);
        for (lxw_col_t c = 2; c <= 4; c++)
            worksheet_write_string(wu, row, c, lds_stmt_col_text(st, (int)c), NULL);
        worksheet_write_number(wu, row, 5, scaled(lds_stmt_col_i64(st, 5), 1000), qty);
        worksheet_write_number(wu, row, 6, scaled(lds_stmt_col_i64(st, 6), 1000), qty);
        worksheet_write_string(wu, row, 7, lds_stmt_col_text(st, 7), NULL);
        row++;
    }
    return r == LDS_STORE_DONE ? LDS_OK : (lds_code)r;
}

lds_code lds_market_run_lines_xlsx(lds_store *s, const lds_principal *who, const char *idtxt,
                                   lds_buf *out, lds_err *err)
{
    int64_t id;
    lds_code rc = lds_market__run_row(s, idtxt, &id, NULL, err);
    if (rc != LDS_OK)
        return rc;

    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/lodestone-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return lds_err_set(err, LDS_EIO, "cannot create a temporary file for the workbook");
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        unlink(path);
        return lds_err_set(err, LDS_ENOMEM, "cannot create the workbook");
    }
    rc = write_sheets(s, who, id, wb, err);
    lxw_error xe = workbook_close(wb); /* writes the file and frees the workbook */
    if (rc == LDS_OK && xe != LXW_NO_ERROR)
        rc = lds_err_set(err, LDS_EIO, "cannot write the workbook: %s", lxw_strerror(xe));
    if (rc == LDS_OK) {
        FILE *f = fopen(path, "rb");
        char chunk[16384];
        size_t n;
        if (!f) {
            rc = lds_err_set(err, LDS_EIO, "cannot read the workbook back");
        } else {
            while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                lds_buf_add(out, chunk, n);
            if (ferror(f))
                rc = lds_err_set(err, LDS_EIO, "cannot read the workbook back");
            fclose(f);
        }
    }
    unlink(path);
    if (rc == LDS_OK && out->oom)
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory reading the workbook");
    return rc;
}
