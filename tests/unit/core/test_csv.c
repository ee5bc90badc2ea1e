/* test_csv.c — the RFC 4180 reader and writer of src/core/csv.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/csv.h"

/* Reads all records of `text` into "a|b|c;" form (line numbers after '@'). */
static lds_code dump(const char *text, char *out, size_t cap, lds_err *err)
{
    lds_csv_reader *r;
    lds_code rc = lds_csv_reader_new(text, strlen(text), &r, err);
    if (rc != LDS_OK)
        return rc;
    size_t used = 0;
    out[0] = '\0';
    for (;;) {
        const char *const *f;
        size_t n;
        unsigned line;
        rc = lds_csv_next(r, &f, &n, &line, err);
        if (rc != LDS_OK || n == 0)
            break;
        used += (size_t)snprintf(out + used, cap - used, "@%u:", line);
        for (size_t i = 0; i < n; i++)
            used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "|" : "", f[i]);
        used += (size_t)snprintf(out + used, cap - used, ";");
    }
    lds_csv_reader_free(r);
    return rc;
}

static void reads_quoted_fields_and_line_ends(void **state)
{
    (void)state;
    char out[512];
    lds_err e;
    assert_int_equal(dump("a,b,c\r\n1,\"x,y\",3\r\n\"he said \"\"hi\"\"\",,\"\"\n", out, sizeof out,
                          &e),
                     LDS_OK);
    assert_string_equal(out, "@2:1|x,y|3;@3:he said \"hi\"||;");
    /* embedded newline: the next record starts two lines later */
    assert_int_equal(dump("a,b\n\"multi\nline\",2\n3,4", out, sizeof out, &e), LDS_OK);
    assert_string_equal(out, "@2:multi\nline|2;@4:3|4;");
    /* blank lines are skipped but counted; BOM skipped; lone CR ends a line */
    assert_int_equal(dump("\xEF\xBB\xBFk,v\n\n1,2\r3,4\n\n", out, sizeof out, &e), LDS_OK);
    assert_string_equal(out, "@3:1|2;@4:3|4;");
    /* header only */
    assert_int_equal(dump("a,b\n", out, sizeof out, &e), LDS_OK);
    assert_string_equal(out, "");
}

static void errors_carry_line_numbers(void **state)
{
    (void)state;
    char out[512];
    lds_err e;
    assert_int_equal(dump("", out, sizeof out, &e), LDS_EINVAL);
    assert_int_equal(e.line, 1);
    assert_int_equal(dump("a,b\n1,2\n1,2,3\n", out, sizeof out, &e), LDS_EINVAL);
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "expected 2 fields, found 3"));
    assert_int_equal(dump("a,b\n1,2\n\"open,2\n4,5\n", out, sizeof out, &e), LDS_EINVAL);
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "unterminated"));
    assert_int_equal(dump("a,b\n1,x\"y\n", out, sizeof out, &e), LDS_EINVAL);
    assert_int_equal(e.line, 2);
    assert_int_equal(dump("a,b\n\"q\"x,2\n", out, sizeof out, &e), LDS_EINVAL);
    assert_int_equal(e.line, 2);
    assert_int_equal(dump("a,a\n", out, sizeof out, &e), LDS_EINVAL);
    assert_string_equal(e.field, "a");
    assert_int_equal(dump("a,,b\n", out, sizeof out, &e), LDS_EINVAL);
    /* the line of a record after a quoted newline is still exact */
    assert_int_equal(dump("a,b\n\"x\ny\",1\n2\n", out, sizeof out, &e), LDS_EINVAL);
    assert_int_equal(e.line, 4);
    const char nul[] = "a\n1\0\n";
    lds_csv_reader *r;
    assert_int_equal(lds_csv_reader_new(nul, sizeof nul - 1, &r, &e), LDS_OK);
    const char *const *f;
    size_t n;
    unsigned line;
    assert_int_equal(lds_csv_next(r, &f, &n, &line, &e), LDS_EINVAL);
    lds_csv_reader_free(r);
}

static void binds_columns_by_name(void **state)
{
    (void)state;
    static const lds_csv_spec spec[] = {{"id", 0}, {"qty", 0}, {"note", 1}};
    int idx[3];
    lds_err e;
    lds_csv_reader *r;
    assert_int_equal(lds_csv_reader_new("qty,id\n", 7, &r, &e), LDS_OK);
    assert_int_equal(lds_csv_bind(r, spec, 3, idx, &e), LDS_OK);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 0);
    assert_int_equal(idx[2], -1);
    lds_csv_reader_free(r);
    assert_int_equal(lds_csv_reader_new("id,note\n", 8, &r, &e), LDS_OK);
    assert_int_equal(lds_csv_bind(r, spec, 3, idx, &e), LDS_EINVAL);
    assert_string_equal(e.field, "qty");
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.msg, "missing column 'qty'"));
    lds_csv_reader_free(r);
    assert_int_equal(lds_csv_reader_new(" qty , id\n", 10, &r, &e), LDS_OK);
    assert_int_equal(lds_csv_bind(r, spec, 3, idx, &e), LDS_OK); /* spaces around names */
    assert_int_equal(idx[0], 1);
    lds_csv_reader_free(r);
    assert_int_equal(lds_csv_reader_new("id,qty,Qty\n", 11, &r, &e), LDS_OK);
    assert_int_equal(lds_csv_bind(r, spec, 3, idx, &e), LDS_EINVAL);
    assert_string_equal(e.field, "Qty");
    lds_csv_reader_free(r);
}

static void writer_round_trips(void **state)
{
    (void)state;
    const char *const row[] = {"plain", "a,b", "say \"x\"", "two\nlines", " pad", ""};
    lds_buf b = LDS_BUF_INIT;
    const char *const head[] = {"c1", "c2", "c3", "c4", "c5", "c6"};
    lds_csv_write_row(&b, head, 6);
    lds_csv_write_row(&b, row, 6);
    assert_string_equal(b.ptr, "c1,c2,c3,c4,c5,c6\nplain,\"a,b\",\"say \"\"x\"\"\",\"two\nlines\","
                               "\" pad\",\n");
    lds_csv_reader *r;
    lds_err e;
    assert_int_equal(lds_csv_reader_new(b.ptr, b.len, &r, &e), LDS_OK);
    const char *const *f;
    size_t n;
    unsigned line;
    assert_int_equal(lds_csv_next(r, &f, &n, &line, &e), LDS_OK);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(f[i], row[i]);
    lds_csv_reader_free(r);
    lds_buf_release(&b);
}

static void big_file_is_fast(void **state)
{
    (void)state;
    lds_buf b = LDS_BUF_INIT;
    lds_buf_adds(&b, "id,org,material,region,quantity,unit_price,period_from,period_to,purity\n");
    for (int i = 0; i < 10000; i++)
        lds_buf_addf(&b, "O%d,\"org, %d\",nd2o3,zhanggong,%d.125,99.50,2026-01,2026-12,\n", i, i % 7,
                     i);
    lds_csv_reader *r;
    lds_err e;
    assert_int_equal(lds_csv_reader_new(b.ptr, b.len, &r, &e), LDS_OK);
    size_t rows = 0;
    const char *const *f;
    size_t n;
    unsigned line = 0, last = 0;
    while (lds_csv_next(r, &f, &n, &line, &e) == LDS_OK && n) {
        rows++;
        last = line;
    }
    assert_int_equal(rows, 10000);
    assert_int_equal(last, 10001);
    lds_csv_reader_free(r);
    lds_buf_release(&b);
}

static void survives_allocation_failures(void **state)
{
    (void)state;
    const char *text = "a,b\n1,\"2\"\"x\"\n3,4\n";
    for (long nth = 1; nth < 20; nth++) {
        char out[256];
        lds_err e;
        lds_alloc_fail_after(nth);
        lds_code rc = dump(text, out, sizeof out, &e);
        lds_alloc_fail_after(0);
        assert_true(rc == LDS_OK || rc == LDS_ENOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_quoted_fields_and_line_ends),
        cmocka_unit_test(errors_carry_line_numbers),
        cmocka_unit_test(binds_columns_by_name),
        cmocka_unit_test(writer_round_trips),
        cmocka_unit_test(big_file_is_fast),
        cmocka_unit_test(survives_allocation_failures),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
