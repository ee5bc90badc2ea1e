/*
 * test_sha256.c — lds_sha256 and lds_sha256_prefixed (SHA-NI when the CPU
 * has it) against the FIPS 180-4 example digests and against libsodium for
 * every length around the block and padding boundaries.  On a CPU without the SHA
 * extensions both tests exercise the libsodium path.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "lodestone/sha256.h"

static void hex(const uint8_t d[32], char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* FIPS 180-4 / NIST CSRC examples: "", "abc" and the two-block 448-bit message. */
static void known_digests(void **state)
{
    (void)state;
    static const struct {
        const char *msg, *digest;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t d[32];
        char h[65];
        lds_sha256(v[i].msg, strlen(v[i].msg), d);
        hex(d, h);
        assert_string_equal(h, v[i].digest);
    }
}

/* Every length 0..300 (all tail sizes, one- and two-block padding) and a
 * few large inputs, over bytes that are not all the same. */
static void matches_libsodium(void **state)
{
    (void)state;
    static uint8_t buf[70000 + 8];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131u + (i >> 8) * 7u + 1u);
    static const size_t big[] = {1000, 4095, 4096, 4097, 65536, 70000};
    for (size_t k = 0; k < 301 + sizeof big / sizeof big[0]; k++) {
        size_t len = k < 301 ? k : big[k - 301];
        uint8_t a[32], b[32];
        lds_sha256(buf + (k & 7), len, a); /* unaligned starts too */
        crypto_hash_sha256(b, buf + (k & 7), len);
        if (memcmp(a, b, 32) != 0)
            fail_msg("SHA-256 of %zu bytes differs from libsodium", len);
    }
}

/* The prefixed form is SHA-256 of the byte and the data together: checked
 * against libsodium over the same lengths (the prefix shifts every block
 * boundary by one), on the RFC 9162 leaf hash of the empty string, and on
 * "abc" split as prefix 'a' and "bc". */
static void prefixed_matches_libsodium(void **state)
{
    (void)state;
    static uint8_t buf[70000 + 8];
    static uint8_t cat[70000 + 9];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 197u + (i >> 9) * 3u + 5u);
    static const size_t big[] = {1000, 4095, 4096, 4097, 65536, 70000};
    for (size_t k = 0; k < 301 + sizeof big / sizeof big[0]; k++) {
        size_t len = k < 301 ? k : big[k - 301];
        uint8_t prefix = (uint8_t)(k & 1);
        uint8_t a[32], b[32];
        lds_sha256_prefixed(prefix, buf + (k & 7), len, a);
        cat[0] = prefix;
        memcpy(cat + 1, buf + (k & 7), len);
        crypto_hash_sha256(b, cat, len + 1);
        if (memcmp(a, b, 32) != 0)
            fail_msg("prefixed SHA-256 of 1 + %zu bytes differs from libsodium", len);
    }
    /* RFC 9162 leaf hash of "" = SHA-256(0x00). */
    uint8_t d[32];
    char h[65];
    lds_sha256_prefixed(0x00, NULL, 0, d);
    hex(d, h);
    assert_string_equal(h, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    /* SHA-256 of "abc" as the prefix 'a' followed by "bc". */
    lds_sha256_prefixed('a', "bc", 2, d);
    hex(d, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_digests),
        cmocka_unit_test(matches_libsodium),
        cmocka_unit_test(prefixed_matches_libsodium),
    };
    return cmocka_run_group_tests_name("core_sha256", tests, NULL, NULL);
}
