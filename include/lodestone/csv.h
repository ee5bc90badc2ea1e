/*
 * csv.h — RFC 4180 CSV: a reader over a whole buffer (quoted fields, doubled
 * quotes, CRLF or LF, newlines inside quotes, a required header row) and a
 * writer that quotes only when it must.  Every error is LDS_EINVAL with the
 * 1-based line of the offending record in err->line and, when a column is
 * concerned, its name in err->field.
 */
#ifndef LDS_CSV_H
#define LDS_CSV_H

#include <stddef.h>
#include "buf.h"
#include "err.h"

/** The most fields a record may have. */
#define LDS_CSV_MAX_FIELDS 1024

typedef struct lds_csv_reader lds_csv_reader;

/**
 * Creates a reader over `data` (borrowed: it must outlive the reader) and
 * reads the header row.  A UTF-8 byte-order mark is skipped.  Errors:
 * LDS_EINVAL for an empty input (no header), a malformed header, an empty or
 * duplicate column name; LDS_ENOMEM.  `*out` is NULL on error.
 */
lds_code lds_csv_reader_new(const char *data, size_t len, lds_csv_reader **out, lds_err *err);
void lds_csv_reader_free(lds_csv_reader *r);

/** Number of header columns and the name of column `i` (NUL-terminated). */
size_t lds_csv_n_columns(const lds_csv_reader *r);
const char *lds_csv_column(const lds_csv_reader *r, size_t i);

/** One expected column for lds_csv_bind. */
typedef struct lds_csv_spec {
    const char *name; /* exact, case-sensitive column name */
    int optional;     /* 1: the column may be absent from the header */
} lds_csv_spec;

/**
 * Maps expected columns to header positions: `index[i]` receives the header
 * position of `spec[i]`, or -1 for an absent optional column.  Columns may
 * come in any order; names compare exactly, spaces around them aside.  Errors (line 1, field = the column name): a required
 * column is missing; the header names a column not in `spec`.
 */
lds_code lds_csv_bind(const lds_csv_reader *r, const lds_csv_spec *spec, size_t n_spec,
                      int *index, lds_err *err);

/**
 * Reads the next record.  On LDS_OK with `*n_fields` > 0, `fields[i]` are
 * NUL-terminated, unquoted values (borrowed; valid until the next call) and
 * `*line` is the 1-based line where the record starts.  `*n_fields` == 0
 * means the end of the input.  Blank lines are skipped.  Every record must
 * have as many fields as the header.  Errors: unterminated quoted field, a
 * quote inside an unquoted field, text after a closing quote, a NUL byte,
 * a field-count mismatch (all LDS_EINVAL with the line); LDS_ENOMEM.
 */
lds_code lds_csv_next(lds_csv_reader *r, const char *const **fields, size_t *n_fields,
                      unsigned *line, lds_err *err);

/** Appends `s` as one CSV field, quoted (with doubled quotes) only when it
 *  contains a comma, a quote, CR or LF, or starts or ends with a space. */
void lds_csv_write_field(lds_buf *b, const char *s);
/** Appends `n` fields separated by commas and a CRLF-free "\n" line end. */
void lds_csv_write_row(lds_buf *b, const char *const *fields, size_t n);

#endif
