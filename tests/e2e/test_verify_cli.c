/*
 * test_verify_cli.c — `lodestone verify` end to end: signed tree heads,
 * proofs and passports are built with the library into files, then the real
 * binary (LDS_BIN) runs on them without a shell.  Valid -> 0; a tampered
 * leaf, wrong root, truncated proof or wrong key -> 1 with a reason on
 * stderr; usage errors -> 2.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sodium.h>
#include "harness.h"
#include "lodestone/ledger.h"

#define N_LEAVES 1000

static lds_ledger_tree *tree;
static lds_ledger_keypair key, other_key;
static char dir[1024];

static const char *path(const char *name)
{
    static char bufs[8][4096];
    static int i;
    char *b = bufs[i++ % 8];
    snprintf(b, 4096, "%s/%s", dir, name);
    return b;
}

static void write_file(const char *name, const void *data, size_t len)
{
    FILE *f = fopen(path(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void write_buf(const char *name, lds_buf *b)
{
    assert_false(b->oom);
    write_file(name, b->ptr, b->len);
    lds_buf_reset(b);
}

static void leaf_bytes(unsigned i, char *out, size_t n)
{
    snprintf(out, n, "{\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:%08u\"}", i);
}

static void write_sth(const char *name, uint64_t size, uint64_t ts, const lds_ledger_keypair *kp)
{
    lds_ledger_sth sth = {.tree_size = size, .timestamp_ms = ts};
    lds_buf b = LDS_BUF_INIT;
    assert_int_equal(lds_ledger_tree_root(tree, size, sth.root, NULL), LDS_OK);
    assert_int_equal(lds_ledger_sth_sign(&sth, kp->secret_key, NULL), LDS_OK);
    lds_ledger_sth_to_json(&sth, &b);
    write_buf(name, &b);
    lds_buf_release(&b);
}

static void write_key(const char *name, const lds_ledger_keypair *kp)
{
    lds_buf b = LDS_BUF_INIT;
    lds_ledger_add_base64(&b, kp->public_key, LDS_LEDGER_PUBKEY_LEN);
    lds_buf_addc(&b, '\n');
    write_buf(name, &b);
    lds_buf_release(&b);
}

static int setup(void **state)
{
    (void)state;
    char buf[128];
    lds_buf b = LDS_BUF_INIT;
    lds_ledger_proof p;
    snprintf(dir, sizeof dir, "%s", lds_test_tmpdir());
    assert_int_equal(lds_ledger_tree_new(&tree, NULL), LDS_OK);
    for (unsigned i = 0; i < N_LEAVES; i++) {
        leaf_bytes(i, buf, sizeof buf);
        assert_int_equal(lds_ledger_tree_append_data(tree, buf, strlen(buf), NULL), LDS_OK);
    }
    assert_int_equal(lds_ledger_keypair_generate(&key, NULL), LDS_OK);
    assert_int_equal(lds_ledger_keypair_generate(&other_key, NULL), LDS_OK);
    write_key("key.pub", &key);
    write_key("other.pub", &other_key);
    write_sth("sth.json", N_LEAVES, 1764460800000, &key);
    write_sth("old.json", 377, 1764460000000, &key);
    write_sth("sth_other_key.json", N_LEAVES, 1764460800000, &other_key);
    write_sth("sth_wrong_root.json", 999, 1764460800000, &key); /* signed, but a different tree */

    /* Leaf 613 with its proof, and variants. */
    leaf_bytes(613, buf, sizeof buf);
    write_file("leaf.json", buf, strlen(buf));
    buf[strlen(buf) - 3] ^= 1; /* one flipped bit in the event */
    write_file("leaf_tampered.json", buf, strlen(buf));
    assert_int_equal(lds_ledger_tree_inclusion(tree, 613, N_LEAVES, &p, NULL), LDS_OK);
    lds_ledger_inclusion_to_json(613, &p, &b);
    write_buf("proof.json", &b);
    p.n--;
    lds_ledger_inclusion_to_json(613, &p, &b);
    write_buf("proof_truncated.json", &b);
    p.n++;
    p.hash[4][7] ^= 0x20;
    lds_ledger_inclusion_to_json(613, &p, &b);
    write_buf("proof_flipped.json", &b);

    /* A signed head whose root was edited afterwards. */
    lds_ledger_sth sth = {.tree_size = N_LEAVES, .timestamp_ms = 1764460800000};
    assert_int_equal(lds_ledger_tree_root(tree, N_LEAVES, sth.root, NULL), LDS_OK);
    assert_int_equal(lds_ledger_sth_sign(&sth, key.secret_key, NULL), LDS_OK);
    lds_ledger_sth edited = sth;
    edited.root[0] ^= 1;
    lds_ledger_sth_to_json(&edited, &b);
    write_buf("sth_edited_root.json", &b);

    /* Consistency 377 -> 1000. */
    assert_int_equal(lds_ledger_tree_consistency(tree, 377, N_LEAVES, &p, NULL), LDS_OK);
    lds_ledger_consistency_to_json(&p, &b);
    write_buf("cons.json", &b);
    p.n--;
    lds_ledger_consistency_to_json(&p, &b);
    write_buf("cons_truncated.json", &b);
    p.n++;
    p.hash[0][0] ^= 1;
    lds_ledger_consistency_to_json(&p, &b);
    write_buf("cons_flipped.json", &b);

    /* A passport over three events. */
    for (int tamper = 0; tamper < 2; tamper++) {
        lds_buf_adds(&b, "{\"sth\":");
        lds_ledger_sth_to_json(&sth, &b);
        lds_buf_adds(&b, ",\"events\":[");
        const unsigned idx[3] = {0, 613, 999};
        for (int k = 0; k < 3; k++) {
            leaf_bytes(idx[k], buf, sizeof buf);
            if (tamper && k == 1)
                buf[5] = 'X';
            assert_int_equal(lds_ledger_tree_inclusion(tree, idx[k], N_LEAVES, &p, NULL), LDS_OK);
            lds_buf_adds(&b, k ? ",{\"leaf_base64\":\"" : "{\"leaf_base64\":\"");
            lds_ledger_add_base64(&b, (const uint8_t *)buf, strlen(buf));
            lds_buf_addf(&b, "\",\"leaf_index\":%u,\"audit_path\":[", idx[k]);
            for (size_t h = 0; h < p.n; h++) {
                lds_buf_adds(&b, h ? ",\"" : "\"");
                lds_ledger_add_base64(&b, p.hash[h], LDS_LEDGER_HASH_LEN);
                lds_buf_addc(&b, '"');
            }
            lds_buf_adds(&b, "]}");
        }
        lds_buf_adds(&b, "]}");
        write_buf(tamper ? "passport_tampered.json" : "passport.json", &b);
    }
    lds_buf_release(&b);
    write_file("garbage.json", "{\"leaf_index\":", 14);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_ledger_tree_free(tree);
    return 0;
}

static char *unconst(const char *s)
{
    return (char *)(uintptr_t)s;
}

static int contains(const char *text, const char *needle)
{
    return !needle || strstr(text, needle) != NULL;
}

/* Runs `lodestone verify ARGS...`; returns the exit code, stderr in `err`. */
static int run(char *err, size_t n_err, const char *first, ...)
{
    char *argv[32]; /* execv's prototype wants non-const strings */
    int argc = 0;
    argv[argc++] = unconst(lds_test_bin());
    argv[argc++] = unconst("verify");
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        assert_true(argc < 30);
        argv[argc++] = unconst(a);
    }
    va_end(ap);
    argv[argc] = NULL;
    const char *errfile = path("stderr.txt");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nul = open("/dev/null", O_WRONLY);
        if (fd < 0 || nul < 0 || dup2(fd, 2) < 0 || dup2(nul, 1) < 0)
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    char *text = lds_test_read_file(errfile, NULL);
    snprintf(err, n_err, "%s", text ? text : "");
    free(text);
    if (!WIFEXITED(status))
        fail_msg("lodestone verify died (status %d): %s", status, err);
    return WEXITSTATUS(status);
}

#define EXPECT(code, needle, ...)                                                                  \
    do {                                                                                           \
        char err_[2048];                                                                           \
        int rc_ = run(err_, sizeof err_, __VA_ARGS__, (const char *)NULL);                         \
        if (rc_ != (code) || !contains(err_, needle))                                    \
            fail_msg("exit %d (want %d), stderr: %s", rc_, code, err_);                            \
        if ((code) == 1)                                                                           \
            assert_int_equal(strncmp(err_, "lodestone verify: ", 18), 0);                          \
    } while (0)

static void inclusion_valid(void **state)
{
    (void)state;
    EXPECT(0, NULL, "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf",
           path("leaf.json"), "--index", "613", "--proof", path("proof.json"));
    /* The leaf may be given by its hash, hex or base64. */
    uint8_t h[32];
    char hex[65], b64[64];
    char buf[128];
    leaf_bytes(613, buf, sizeof buf);
    lds_ledger_hash_leaf(buf, strlen(buf), h);
    sodium_bin2hex(hex, sizeof hex, h, 32);
    sodium_bin2base64(b64, sizeof b64, h, 32, sodium_base64_VARIANT_ORIGINAL);
    EXPECT(0, NULL, "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf-hash", hex,
           "--proof", path("proof.json"));
    EXPECT(0, NULL, "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf-hash", b64,
           "--proof", path("proof.json"));
    /* ... or in a file: text with whitespace, or the raw 32 bytes. */
    char text[80];
    snprintf(text, sizeof text, "  %s\n", b64);
    write_file("leaf.hash", text, strlen(text));
    write_file("leaf.hash.bin", h, sizeof h);
    EXPECT(0, NULL, "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf-hash",
           path("leaf.hash"), "--proof", path("proof.json"));
    EXPECT(0, NULL, "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf-hash",
           path("leaf.hash.bin"), "--proof", path("proof.json"));
    h[0] ^= 1;
    write_file("leaf.hash.bin", h, sizeof h);
    EXPECT(1, "does not lead", "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf-hash",
           path("leaf.hash.bin"), "--proof", path("proof.json"));
    EXPECT(2, "--leaf-hash", "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf-hash",
           "not-a-hash", "--proof", path("proof.json"));
    EXPECT(0, NULL, "--sth", path("sth.json"), "--key", path("key.pub"));
}

static void inclusion_invalid(void **state)
{
    (void)state;
    /* Tampered leaf. */
    EXPECT(1, "does not lead to the root", "--sth", path("sth.json"), "--key", path("key.pub"),
           "--leaf", path("leaf_tampered.json"), "--proof", path("proof.json"));
    /* Wrong root: a validly signed head of another tree size. */
    EXPECT(1, NULL, "--sth", path("sth_wrong_root.json"), "--key", path("key.pub"), "--leaf",
           path("leaf.json"), "--proof", path("proof.json"));
    /* Wrong root: the root was edited after signing. */
    EXPECT(1, "signature", "--sth", path("sth_edited_root.json"), "--key", path("key.pub"),
           "--leaf", path("leaf.json"), "--proof", path("proof.json"));
    /* Truncated and corrupted proofs. */
    EXPECT(1, "too short", "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf",
           path("leaf.json"), "--proof", path("proof_truncated.json"));
    EXPECT(1, "does not lead", "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf",
           path("leaf.json"), "--proof", path("proof_flipped.json"));
    /* Wrong key: the head was signed by another key, or checked against one. */
    EXPECT(1, "signature", "--sth", path("sth.json"), "--key", path("other.pub"), "--leaf",
           path("leaf.json"), "--proof", path("proof.json"));
    EXPECT(1, "signature", "--sth", path("sth_other_key.json"), "--key", path("key.pub"),
           "--leaf", path("leaf.json"), "--proof", path("proof.json"));
    /* Wrong index and malformed proof. */
    EXPECT(1, "not leaf 612", "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf",
           path("leaf.json"), "--index", "612", "--proof", path("proof.json"));
    EXPECT(1, "malformed JSON", "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf",
           path("leaf.json"), "--proof", path("garbage.json"));
    EXPECT(1, NULL, "--sth", path("garbage.json"), "--key", path("key.pub"));
}

static void consistency(void **state)
{
    (void)state;
    EXPECT(0, NULL, "--sth", path("old.json"), "--sth2", path("sth.json"), "--key",
           path("key.pub"), "--consistency", path("cons.json"));
    EXPECT(1, "too short", "--sth", path("old.json"), "--sth2", path("sth.json"), "--key",
           path("key.pub"), "--consistency", path("cons_truncated.json"));
    EXPECT(1, "first root", "--sth", path("old.json"), "--sth2", path("sth.json"), "--key",
           path("key.pub"), "--consistency", path("cons_flipped.json"));
    EXPECT(1, "larger than second", "--sth", path("sth.json"), "--sth2", path("old.json"),
           "--key", path("key.pub"), "--consistency", path("cons.json"));
    EXPECT(1, "signature", "--sth", path("old.json"), "--sth2", path("sth.json"), "--key",
           path("other.pub"), "--consistency", path("cons.json"));
    EXPECT(1, NULL, "--sth", path("old.json"), "--sth2", path("sth_wrong_root.json"), "--key",
           path("key.pub"), "--consistency", path("cons.json"));
}

static void passport(void **state)
{
    (void)state;
    EXPECT(0, NULL, "--passport", path("passport.json"), "--key", path("key.pub"));
    EXPECT(1, "event 1 (leaf 613)", "--passport", path("passport_tampered.json"), "--key",
           path("key.pub"));
    EXPECT(1, "signature", "--passport", path("passport.json"), "--key", path("other.pub"));
}

static void usage_errors(void **state)
{
    (void)state;
    EXPECT(0, NULL, "--help");
    EXPECT(2, "--key is required", "--sth", path("sth.json"));
    EXPECT(2, "exactly one of", "--sth", path("sth.json"), "--key", path("key.pub"), "--proof",
           path("proof.json"));
    EXPECT(2, "unknown option", "--frobnicate");
    EXPECT(2, "needs a value", "--sth");
    EXPECT(2, "No such file", "--sth", path("missing.json"), "--key", path("key.pub"));
    EXPECT(2, "No such file", "--sth", path("sth.json"), "--key", path("missing.pub"));
    EXPECT(2, "go together", "--sth", path("sth.json"), "--key", path("key.pub"), "--consistency",
           path("cons.json"));
    EXPECT(2, "--index", "--sth", path("sth.json"), "--key", path("key.pub"), "--leaf",
           path("leaf.json"), "--index", "-3", "--proof", path("proof.json"));
    EXPECT(1, "public key", "--sth", path("sth.json"), "--key", path("leaf.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inclusion_valid),
        cmocka_unit_test(inclusion_invalid),
        cmocka_unit_test(consistency),
        cmocka_unit_test(passport),
        cmocka_unit_test(usage_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
