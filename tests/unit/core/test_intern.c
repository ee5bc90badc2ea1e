/* test_intern.c — the string interning table of src/core/intern.c. */
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/intern.h"

#define N_KEYS 1000

static char keys[N_KEYS][16];

static void make_keys(void)
{
    for (int i = 0; i < N_KEYS; i++)
        snprintf(keys[i], sizeof keys[i], "k%d", i);
}

static void dense_ids_in_first_seen_order(void **state)
{
    (void)state;
    lds_intern t = LDS_INTERN_INIT;
    assert_int_equal(lds_intern_find(&t, "magnets"), -1); /* empty table */
    assert_int_equal(lds_intern_id(&t, "magnets"), 0);
    assert_int_equal(lds_intern_id(&t, "ev"), 1);
    char again[] = "magnets"; /* equal text, another pointer */
    assert_int_equal(lds_intern_id(&t, again), 0);
    assert_int_equal(lds_intern_id(&t, ""), 2); /* the empty string is a key too */
    assert_int_equal(lds_intern_id(&t, "ev"), 1);
    assert_int_equal(t.n, 3);
    assert_string_equal(lds_intern_key(&t, 0), "magnets");
    assert_true(lds_intern_key(&t, 0) != again); /* the first pointer is kept */
    assert_string_equal(lds_intern_key(&t, 2), "");
    assert_null(lds_intern_key(&t, 3));
    assert_int_equal(lds_intern_find(&t, "ev"), 1);
    assert_int_equal(lds_intern_find(&t, "wind"), -1);
    assert_int_equal(t.n, 3); /* find adds nothing */
    lds_intern_release(&t);
    assert_int_equal(t.n, 0);
    assert_int_equal(lds_intern_find(&t, "ev"), -1);
    assert_int_equal(lds_intern_id(&t, "wind"), 0); /* reusable after release */
    lds_intern_release(&t);
}

static void grows_and_keeps_every_id(void **state)
{
    (void)state;
    make_keys();
    lds_intern t = LDS_INTERN_INIT;
    for (int i = 0; i < N_KEYS; i++) {
        assert_int_equal(lds_intern_id(&t, keys[i]), i);
        assert_true(t.n * 2 <= t.cap); /* at most half full */
    }
    assert_int_equal(t.cap, 2048); /* 64 doubled five times: 1000 * 2 <= 2048 */
    for (int i = N_KEYS - 1; i >= 0; i--) {
        char copy[16];
        memcpy(copy, keys[i], sizeof copy);
        assert_int_equal(lds_intern_find(&t, copy), i);
        assert_int_equal(lds_intern_id(&t, copy), i);
        assert_ptr_equal(lds_intern_key(&t, (size_t)i), keys[i]);
    }
    assert_int_equal(t.n, N_KEYS);
    assert_int_equal(lds_intern_find(&t, "k1000"), -1);
    lds_intern_release(&t);
}

/* A failed allocation returns -1 and loses nothing added before it. */
static void survives_allocation_failures(void **state)
{
    (void)state;
    make_keys();
    for (long nth = 1; nth <= 12; nth++) {
        lds_intern t = LDS_INTERN_INIT;
        int added = 0, failed = 0;
        lds_alloc_fail_after(nth);
        for (int i = 0; i < 200; i++) {
            long id = lds_intern_id(&t, keys[i]);
            if (id < 0) {
                failed = 1;
                break;
            }
            assert_int_equal(id, i);
            added++;
        }
        lds_alloc_fail_after(0);
        assert_true(failed); /* 200 keys take 4 growths of 3 allocations each */
        assert_int_equal(t.n, (size_t)added);
        for (int i = 0; i < added; i++)
            assert_int_equal(lds_intern_find(&t, keys[i]), i);
        for (int i = added; i < 200; i++) /* and it goes on once memory is back */
            assert_int_equal(lds_intern_id(&t, keys[i]), i);
        for (int i = 0; i < 200; i++)
            assert_ptr_equal(lds_intern_key(&t, (size_t)i), keys[i]);
        lds_intern_release(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dense_ids_in_first_seen_order),
        cmocka_unit_test(grows_and_keeps_every_id),
        cmocka_unit_test(survives_allocation_failures),
    };
    return cmocka_run_group_tests_name("intern", tests, NULL, NULL);
}
