/*
 * vectors.h — helpers shared by the ledger tests: locating
 * ../shared/merkle-vectors beside the source tree, JSONL iteration, hex and
 * base64 decoding.  Header-only so each test program stays one file.
 */
#ifndef LDS_TEST_LEDGER_VECTORS_H
#define LDS_TEST_LEDGER_VECTORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "harness.h"
#include "lodestone/ledger.h"

static inline const char *vec_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/../shared/merkle-vectors/%s", lds_test_source_root(), name);
    return buf;
}

static inline json_t *vec_load_json(const char *name)
{
    char p[4096];
    json_error_t je;
    json_t *j = json_load_file(vec_path(p, sizeof p, name), 0, &je);
    if (!j)
        fail_msg("%s: %s (line %d)", p, je.text, je.line);
    return j;
}

/* Calls fn(line_object, line_number, ctx) for each line of a JSONL vector file;
 * returns the number of lines. */
static inline int vec_each_line(const char *name, void (*fn)(json_t *, int, void *), void *ctx)
{
    char p[4096];
    size_t len;
    char *text = lds_test_read_file(vec_path(p, sizeof p, name), &len);
    if (!text)
        fail_msg("cannot read %s", p);
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        if (!j)
            fail_msg("%s:%d: %s", name, n + 1, je.text);
        fn(j, ++n, ctx);
        json_decref(j);
    }
    free(text);
    return n;
}

static inline int vec_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes hex into out (cap bytes); returns the length. */
static inline size_t vec_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    assert_int_equal(n % 2, 0);
    assert_true(n / 2 <= cap);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = vec_hexval(hex[2 * i]), lo = vec_hexval(hex[2 * i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return n / 2;
}

static inline void vec_hash(json_t *v, uint8_t out[LDS_LEDGER_HASH_LEN])
{
    assert_true(json_is_string(v));
    assert_int_equal(vec_hex(json_string_value(v), out, LDS_LEDGER_HASH_LEN), LDS_LEDGER_HASH_LEN);
}

static inline void vec_tohex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Builds a tree from a "leaves_hex" array. */
static inline lds_ledger_tree *vec_tree_from_hex(json_t *leaves)
{
    lds_ledger_tree *t;
    assert_int_equal(lds_ledger_tree_new(&t, NULL), LDS_OK);
    for (size_t i = 0; i < json_array_size(leaves); i++) {
        uint8_t buf[256];
        size_t n = vec_hex(json_string_value(json_array_get(leaves, i)), buf, sizeof buf);
        assert_int_equal(lds_ledger_tree_append_data(t, buf, n, NULL), LDS_OK);
    }
    return t;
}

/* The 130-leaf tree D of the rolling vectors: d[i] = the single byte i. */
static inline lds_ledger_tree *vec_tree_bytes(unsigned n)
{
    lds_ledger_tree *t;
    assert_int_equal(lds_ledger_tree_new(&t, NULL), LDS_OK);
    for (unsigned i = 0; i < n; i++) {
        uint8_t b = (uint8_t)i;
        assert_int_equal(lds_ledger_tree_append_data(t, &b, 1, NULL), LDS_OK);
    }
    return t;
}

static inline uint64_t vec_u64(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    assert_true(json_is_integer(v));
    return (uint64_t)json_integer_value(v);
}

#endif
