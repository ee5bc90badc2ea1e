/*
 * csv.c — RFC 4180 reader and writer.  The reader copies each record's
 * fields, unquoted, into one scratch buffer (NUL after each field), so the
 * caller gets C strings; it is a single pass with no backtracking, so a
 * 10,000-row file costs well under a millisecond per megabyte.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/csv.h"

struct lds_csv_reader {
    const char *p, *end; /* unread input */
    unsigned line;       /* 1-based line of the next unread byte */
    char *scratch;       /* field bytes of the current record, NUL-separated */
    size_t scratch_cap;
    const char **fields; /* pointers into scratch */
    size_t fields_cap;
    size_t n_header;
    char *header;        /* copy of the header fields */
    const char **names;  /* n_header pointers into header */
};

static int grow_scratch(lds_csv_reader *r, size_t need)
{
    if (need <= r->scratch_cap)
        return 1;
    size_t cap = r->scratch_cap ? r->scratch_cap : 256;
    while (cap < need)
        cap *= 2;
    char *n = lds_realloc(r->scratch, cap);
    if (!n)
        return 0;
    r->scratch = n;
    r->scratch_cap = cap;
    return 1;
}

/*
 * Parses one record into scratch/fields.  Returns LDS_OK with *n = 0 at the
 * end of input.  Blank lines are skipped.  Field offsets are collected first
 * and turned into pointers at the end, because scratch may move.
 */
static lds_code read_record(lds_csv_reader *r, size_t *n, unsigned *start_line, lds_err *err)
{
    *n = 0;
    while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) { /* blank lines */
        if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
            r->p++;
        r->p++;
        r->line++;
    }
    if (r->p >= r->end)
        return LDS_OK;
    *start_line = r->line;
    /* The record's bytes never exceed its input span plus one NUL per field,
     * and there are at most span + 1 fields. */
    const char *q = r->p;
    size_t used = 0, nf = 0;
    for (;;) {
        if (nf >= LDS_CSV_MAX_FIELDS)
            return lds_err_at(err, LDS_EINVAL, *start_line, 0, "more than %d fields in a record",
                              LDS_CSV_MAX_FIELDS);
        if (nf >= r->fields_cap) {
            size_t cap = r->fields_cap ? r->fields_cap * 2 : 16;
            const char **nfp = lds_realloc(r->fields, cap * sizeof *nfp);
            if (!nfp)
                return lds_err_set(err, LDS_ENOMEM, "out of memory reading CSV");
            r->fields = nfp;
            r->fields_cap = cap;
        }
        r->fields[nf++] = (const char *)(uintptr_t)used; /* offset for now */
        if (q < r->end && *q == '"') {
            unsigned qline = r->line;
            q++;
            for (;;) {
                const char *s = q;
                while (q < r->end && *q != '"' && *q != '\0') {
                    if (*q == '\n')
                        r->line++;
                    q++;
                }
                if (q >= r->end)
                    return lds_err_at(err, LDS_EINVAL, qline, 0,
                                      "unterminated quoted field (opened on line %u)", qline);
                if (*q == '\0')
                    return lds_err_at(err, LDS_EINVAL, r->line, 0, "NUL byte in CSV input");
                size_t k = (size_t)(q - s);
                if (!grow_scratch(r, used + k + 2))
                    return lds_err_set(err, LDS_ENOMEM, "out of memory reading CSV");
                memcpy(r->scratch + used, s, k);
                used += k;
                q++; /* the quote */
                if (q < r->end && *q == '"') {
                    r->scratch[used++] = '"';
                    q++;
                    continue;
                }
                break;
            }
            if (q < r->end && *q != ',' && *q != '\n' && *q != '\r')
                return lds_err_at(err, LDS_EINVAL, r->line, 0,
                                  "unexpected character after a closing quote");
        } else {
            const char *s = q;
            while (q < r->end && *q != ',' && *q != '\n' && *q != '\r') {
                if (*q == '"')
                    return lds_err_at(err, LDS_EINVAL, r->line, 0,
                                      "quote inside an unquoted field (quote the whole field)");
                if (*q == '\0')
                    return lds_err_at(err, LDS_EINVAL, r->line, 0, "NUL byte in CSV input");
                q++;
            }
            size_t k = (size_t)(q - s);
            if (!grow_scratch(r, used + k + 1))
                return lds_err_set(err, LDS_ENOMEM, "out of memory reading CSV");
            memcpy(r->scratch + used, s, k);
            used += k;
        }
        if (!grow_scratch(r, used + 1))
            return lds_err_set(err, LDS_ENOMEM, "out of memory reading CSV");
        r->scratch[used++] = '\0';
        if (q < r->end && *q == ',') {
            q++;
            continue;
        }
        /* end of record: LF, CRLF, a lone CR, or end of input */
        if (q < r->end) {
            if (*q == '\r' && q + 1 < r->end && q[1] == '\n')
                q++;
            q++;
            r->line++;
        }
        break;
    }
    r->p = q;
    for (size_t i = 0; i < nf; i++)
        r->fields[i] = r->scratch + (uintptr_t)r->fields[i];
    *n = nf;
    return LDS_OK;
}

lds_code lds_csv_reader_new(const char *data, size_t len, lds_csv_reader **out, lds_err *err)
{
    *out = NULL;
    lds_csv_reader *r = lds_calloc(1, sizeof *r);
    if (!r)
        return lds_err_set(err, LDS_ENOMEM, "out of memory reading CSV");
    r->p = data;
    r->end = data + len;
    r->line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->p += 3;
    size_t n = 0;
    unsigned line = 1;
    lds_code rc = read_record(r, &n, &line, err);
    if (rc == LDS_OK && n == 0)
        rc = lds_err_at(err, LDS_EINVAL, 1, 0, "empty file: a header row is required");
    if (rc != LDS_OK)
        goto fail;
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(r->fields[i]) + 1;
    r->header = lds_malloc(bytes);
    r->names = lds_malloc(n * sizeof *r->names);
    if (!r->header || !r->names) {
        rc = lds_err_set(err, LDS_ENOMEM, "out of memory reading CSV");
        goto fail;
    }
    memcpy(r->header, r->scratch, bytes);
    r->n_header = n;
    for (size_t i = 0, off = 0; i < n; i++) {
        r->names[i] = r->header + off;
        off += strlen(r->names[i]) + 1;
        if (!r->names[i][0]) {
            rc = lds_err_at(err, LDS_EINVAL, line, 0, "header column %zu has no name", i + 1);
            goto fail;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->names[j], r->names[i]) == 0) {
                lds_err_at(err, LDS_EINVAL, line, 0, "duplicate column '%s' in the header",
                           r->names[i]);
                if (err)
                    snprintf(err->field, sizeof err->field, "%s", r->names[i]);
                rc = LDS_EINVAL;
                goto fail;
            }
    }
    *out = r;
    return LDS_OK;
fail:
    lds_csv_reader_free(r);
    return rc;
}

void lds_csv_reader_free(lds_csv_reader *r)
{
    if (!r)
        return;
    lds_free(r->scratch);
    lds_free(r->fields);
    lds_free(r->header);
    lds_free(r->names);
    lds_free(r);
}

size_t lds_csv_n_columns(const lds_csv_reader *r)
{
    return r->n_header;
}

const char *lds_csv_column(const lds_csv_reader *r, size_t i)
{
    return i < r->n_header ? r->names[i] : NULL;
}

static lds_code column_error(lds_err *err, const char *name, const char *fmt, ...)
    LDS_PRINTF(3, 4);

static lds_code column_error(lds_err *err, const char *name, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        lds_err_at(err, LDS_EINVAL, 1, 0, "%s", "");
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        snprintf(err->field, sizeof err->field, "%s", name);
    }
    return LDS_EINVAL;
}

/* Header names compare exactly, except that surrounding spaces are ignored
 * ("id, org" is a common hand-written header). */
static int same_name(const char *header, const char *name)
{
    while (*header == ' ')
        header++;
    size_t n = strlen(name);
    if (strncmp(header, name, n) != 0)
        return 0;
    for (header += n; *header == ' '; header++)
        ;
    return *header == '\0';
}

lds_code lds_csv_bind(const lds_csv_reader *r, const lds_csv_spec *spec, size_t n_spec,
                      int *index, lds_err *err)
{
    for (size_t i = 0; i < n_spec; i++) {
        index[i] = -1;
        for (size_t j = 0; j < r->n_header; j++)
            if (same_name(r->names[j], spec[i].name))
                index[i] = (int)j;
        if (index[i] < 0 && !spec[i].optional)
            return column_error(err, spec[i].name, "missing column '%s' in the header",
                                spec[i].name);
    }
    for (size_t j = 0; j < r->n_header; j++) {
        size_t i = 0;
        while (i < n_spec && !same_name(r->names[j], spec[i].name))
            i++;
        if (i == n_spec)
            return column_error(err, r->names[j], "unknown column '%s' in the header",
                                r->names[j]);
    }
    return LDS_OK;
}

lds_code lds_csv_next(lds_csv_reader *r, const char *const **fields, size_t *n_fields,
                      unsigned *line, lds_err *err)
{
    size_t n = 0;
    unsigned start = r->line;
    *n_fields = 0;
    lds_code rc = read_record(r, &n, &start, err);
    if (rc != LDS_OK)
        return rc;
    if (n && n != r->n_header)
        return lds_err_at(err, LDS_EINVAL, start, 0, "expected %zu fields, found %zu",
                          r->n_header, n);
    *fields = (const char *const *)r->fields;
    *n_fields = n;
    *line = start;
    return LDS_OK;
}

void lds_csv_write_field(lds_buf *b, const char *s)
{
    size_t n = strlen(s);
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        lds_buf_add(b, s, n);
        return;
    }
    lds_buf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            lds_buf_addc(b, '"');
        lds_buf_addc(b, s[i]);
    }
    lds_buf_addc(b, '"');
}

void lds_csv_write_row(lds_buf *b, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            lds_buf_addc(b, ',');
        lds_csv_write_field(b, fields[i]);
    }
    lds_buf_addc(b, '\n');
}
