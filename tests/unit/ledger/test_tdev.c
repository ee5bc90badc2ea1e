/*
 * test_tdev.c — all 196 transparency-dev/merkle verifier probes in
 * ../shared/merkle-vectors/transparency-dev-testdata/: every happy path must
 * verify and every wantErr:true probe must fail.  Hashes are decoded without
 * length checks so that wrong-length probes reach the verifier.
 */
#include <dirent.h>
#include <sodium.h>
#include <sys/stat.h>
#include "vectors.h"

typedef struct counts {
    int files, happy, rejected;
} counts;

/* A decoded base64 string; `buf` owns up to 64 bytes. */
typedef struct blob {
    uint8_t buf[64];
    lds_ledger_bytes b;
} blob;

static void decode(json_t *v, blob *out, const char *file)
{
    const char *s = json_string_value(v);
    size_t n = 0;
    if (!s)
        fail_msg("%s: hash is not a string", file);
    if (*s && sodium_base642bin(out->buf, sizeof out->buf, s, strlen(s), NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL) != 0)
        fail_msg("%s: bad base64 %s", file, s);
    out->b.ptr = out->buf;
    out->b.len = n;
}

static size_t decode_proof(json_t *arr, blob *blobs, lds_ledger_bytes *out, const char *file)
{
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0; /* null = no proof */
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        decode(json_array_get(arr, i), &blobs[i], file);
        out[i] = blobs[i].b;
    }
    return n;
}

/*
 * Some probes use sizes up to 2^64 - 1, beyond jansson's signed integers:
 * read the number of `key` with strtoull and blank it out (leaving "0") so
 * the rest of the document still parses.
 */
static uint64_t take_u64(char *text, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    char *p = strstr(text, pat);
    if (!p)
        fail_msg("no %s", key);
    p += strlen(pat);
    while (*p == ' ')
        p++;
    char *end;
    uint64_t v = strtoull(p, &end, 10);
    assert_true(end > p);
    *p++ = '0';
    while (p < end)
        *p++ = ' ';
    return v;
}

static void run_file(const char *path, int is_inclusion, counts *c)
{
    json_error_t je;
    size_t len;
    char *text = lds_test_read_file(path, &len);
    if (!text)
        fail_msg("cannot read %s", path);
    uint64_t x = take_u64(text, is_inclusion ? "leafIdx" : "size1");
    uint64_t y = take_u64(text, is_inclusion ? "treeSize" : "size2");
    json_t *j = json_loadb(text, len, 0, &je);
    free(text);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    int want_err = json_is_true(json_object_get(j, "wantErr"));
    blob blobs[16], a, b;
    lds_ledger_bytes proof[16];
    size_t n = decode_proof(json_object_get(j, "proof"), blobs, proof, path);
    lds_err e;
    lds_code rc;
    lds_err_clear(&e);
    if (is_inclusion) {
        decode(json_object_get(j, "leafHash"), &a, path);
        decode(json_object_get(j, "root"), &b, path);
        rc = lds_ledger_verify_inclusion_bytes(x, y, a.b,
                                               proof, n, b.b, &e);
    } else {
        decode(json_object_get(j, "root1"), &a, path);
        decode(json_object_get(j, "root2"), &b, path);
        rc = lds_ledger_verify_consistency_bytes(x, y, a.b, b.b, proof, n, &e);
    }
    if (want_err && rc == LDS_OK)
        fail_msg("%s: wantErr but verified", path);
    if (!want_err && rc != LDS_OK)
        fail_msg("%s: happy path failed: %s", path, e.msg);
    if (want_err)
        assert_true(e.msg[0] != '\0'); /* every rejection says why */
    c->files++;
    if (want_err)
        c->rejected++;
    else
        c->happy++;
    json_decref(j);
}

static void walk(const char *dir, int is_inclusion, counts *c)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (ent->d_name[0] == '.')
            continue;
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, ent->d_name);
        assert_int_equal(stat(p, &st), 0);
        if (S_ISDIR(st.st_mode))
            walk(p, is_inclusion, c);
        else if (strstr(ent->d_name, ".json"))
            run_file(p, is_inclusion, c);
    }
    closedir(d);
}

static void inclusion_probes(void **state)
{
    (void)state;
    char p[4096];
    counts c = {0, 0, 0};
    walk(vec_path(p, sizeof p, "transparency-dev-testdata/inclusion"), 1, &c);
    assert_int_equal(c.files, 98);
    assert_int_equal(c.happy, 6);
    assert_int_equal(c.rejected, 92);
}

static void consistency_probes(void **state)
{
    (void)state;
    char p[4096];
    counts c = {0, 0, 0};
    walk(vec_path(p, sizeof p, "transparency-dev-testdata/consistency"), 0, &c);
    assert_int_equal(c.files, 98);
    assert_int_equal(c.happy, 6);
    assert_int_equal(c.rejected, 92);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inclusion_probes),
        cmocka_unit_test(consistency_probes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
