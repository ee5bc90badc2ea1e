/*
 * test_concurrent.c — one appender and several readers on the same tree
 * without locks, as the HTTP workers will use it: every size a reader sees
 * has a root that matches a tree built alone, and its proofs verify.
 */
#include <pthread.h>
#include <string.h>
#include "harness.h"
#include "lodestone/ledger.h"

#define N_LEAVES  60000u
#define N_READERS 3

typedef uint8_t hash_t[LDS_LEDGER_HASH_LEN];

static lds_ledger_tree *shared, *reference;

static void *appender(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < N_LEAVES; i++) {
        uint32_t d = i;
        if (lds_ledger_tree_append_data(shared, &d, sizeof d, NULL) != LDS_OK)
            return (void *)1;
    }
    return NULL;
}

static void *reader(void *arg)
{
    uint64_t state = (uint64_t)(uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
    uint64_t checks = 0;
    lds_ledger_proof p;
    for (;;) {
        uint64_t n = lds_ledger_tree_size(shared);
        if (n == 0)
            continue;
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t i = (state >> 20) % n;
        hash_t root, want, leaf;
        if (lds_ledger_tree_root(shared, n, root, NULL) != LDS_OK ||
            lds_ledger_tree_root(reference, n, want, NULL) != LDS_OK ||
            memcmp(root, want, sizeof root) != 0)
            return (void *)1;
        if (lds_ledger_tree_inclusion(shared, i, n, &p, NULL) != LDS_OK ||
            lds_ledger_tree_leaf_hash(shared, i, leaf, NULL) != LDS_OK ||
            lds_ledger_verify_inclusion(i, n, leaf, p.hash[0], p.n, root, NULL) != LDS_OK)
            return (void *)1;
        if (n > 1 && (lds_ledger_tree_consistency(shared, 1 + i % (n - 1), n, &p, NULL) != LDS_OK))
            return (void *)1;
        checks++;
        if (n == N_LEAVES && checks > 2000)
            return NULL;
    }
}

static void readers_see_consistent_prefixes(void **state)
{
    (void)state;
    assert_int_equal(lds_ledger_tree_new(&shared, NULL), LDS_OK);
    assert_int_equal(lds_ledger_tree_new(&reference, NULL), LDS_OK);
    for (unsigned i = 0; i < N_LEAVES; i++) {
        uint32_t d = i;
        assert_int_equal(lds_ledger_tree_append_data(reference, &d, sizeof d, NULL), LDS_OK);
    }
    pthread_t w, r[N_READERS];
    for (uintptr_t k = 0; k < N_READERS; k++)
        assert_int_equal(pthread_create(&r[k], NULL, reader, (void *)(k + 1)), 0);
    assert_int_equal(pthread_create(&w, NULL, appender, NULL), 0);
    void *res;
    assert_int_equal(pthread_join(w, &res), 0);
    assert_null(res);
    for (int k = 0; k < N_READERS; k++) {
        assert_int_equal(pthread_join(r[k], &res), 0);
        assert_null(res);
    }
    assert_int_equal(lds_ledger_tree_size(shared), N_LEAVES);
    lds_ledger_tree_free(shared);
    lds_ledger_tree_free(reference);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readers_see_consistent_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
