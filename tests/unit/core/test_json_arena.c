/*
 * test_json_arena.c — JSON documents parsed into arenas (json_arena.h): the
 * same values as json_loadb on the heap, before the allocator is installed
 * (heap mode) and after (chunks of the reserved range); large strings (heap
 * blocks the arena frees, some freed by jansson while it parses); parse
 * errors; reuse after reset, also of chunks whose pages were given back;
 * heap JSON made and freed while installed; two threads parsing into their
 * own arenas.  ASan checks that nothing leaks and no heap block is freed
 * twice.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/json_arena.h"

/* A document of `n` events with distinct values, as text. */
static char *events_text(int n, int salt)
{
    size_t cap = (size_t)n * 160 + 64, len = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    len += (size_t)snprintf(t + len, cap - len, "{\"eventList\":[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(t + len, cap - len,
                                "%s{\"type\":\"ObjectEvent\",\"n\":%d,\"q\":%d.5,"
                                "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.%d\"]}",
                                i ? "," : "", i, i + salt, i * 7 + salt);
    snprintf(t + len, cap - len, "]}");
    return t;
}

/* Checks the document of events_text(n, salt). */
static void check_events(const json_t *doc, int n, int salt)
{
    const json_t *list = json_object_get(doc, "eventList");
    assert_int_equal(json_array_size(list), n);
    for (int i = 0; i < n; i += 97) {
        const json_t *ev = json_array_get(list, (size_t)i);
        char epc[64];
        snprintf(epc, sizeof epc, "urn:epc:id:sgtin:0614141.107346.%d", i * 7 + salt);
        assert_int_equal(json_integer_value(json_object_get(ev, "n")), i);
        assert_true(json_real_value(json_object_get(ev, "q")) == i + salt + 0.5);
        assert_string_equal(json_string_value(json_array_get(json_object_get(ev, "epcList"), 0)),
                            epc);
    }
}

static void parse_reset_and_reuse(void)
{
    lds_json_arena *a = lds_json_arena_new();
    assert_non_null(a);
    for (int round = 0; round < 3; round++) {
        char *t1 = events_text(3000, round), *t2 = events_text(10, round + 100);
        json_error_t je;
        json_t *d1 = lds_json_arena_loadb(a, t1, strlen(t1), 0, &je);
        json_t *d2 = lds_json_arena_loadb(a, t2, strlen(t2), JSON_REJECT_DUPLICATES, &je);
        assert_non_null(d1);
        assert_non_null(d2);
        check_events(d1, 3000, round); /* the first is intact after the second */
        check_events(d2, 10, round + 100);
        lds_json_arena_reset(a);
        free(t1);
        free(t2);
    }
    lds_json_arena_free(a);
}

static void errors_are_reported(void)
{
    lds_json_arena *a = lds_json_arena_new();
    json_error_t je;
    static const char bad[] = "{\"a\":[1,2,{\"b\":\"x\"},]}";
    assert_null(lds_json_arena_loadb(a, bad, strlen(bad), 0, &je));
    assert_int_equal(je.line, 1);
    assert_true(je.position > 0);
    static const char dup[] = "{\"a\":1,\"a\":2}";
    assert_null(lds_json_arena_loadb(a, dup, strlen(dup), JSON_REJECT_DUPLICATES, &je));
    assert_non_null(strstr(je.text, "duplicate"));
    json_t *last = lds_json_arena_loadb(a, dup, strlen(dup), 0, &je);
    assert_int_equal(json_integer_value(json_object_get(last, "a")), 2);
    lds_json_arena_free(a);
}

/* A string larger than a quarter of a chunk (1 MiB) is a heap block; the
 * buffer jansson grows while reading it is freed by jansson itself. */
static void large_strings(void)
{
    lds_json_arena *a = lds_json_arena_new();
    size_t n = 3u << 20;
    char *t = malloc(n + 32);
    assert_non_null(t);
    memcpy(t, "[\"", 2);
    for (size_t i = 0; i < n; i++)
        t[2 + i] = (char)('a' + i % 26);
    memcpy(t + 2 + n, "\",\"small\"]", 11);
    for (int round = 0; round < 2; round++) {
        json_error_t je;
        json_t *d = lds_json_arena_loadb(a, t, strlen(t), 0, &je);
        assert_non_null(d);
        const char *s = json_string_value(json_array_get(d, 0));
        assert_int_equal(json_string_length(json_array_get(d, 0)), n);
        assert_int_equal(s[0], 'a');
        assert_int_equal(s[n - 1], (char)('a' + (n - 1) % 26));
        assert_string_equal(json_string_value(json_array_get(d, 1)), "small");
        lds_json_arena_reset(a);
    }
    free(t);
    lds_json_arena_free(a);
}

/* Heap JSON keeps working beside arenas, and a heap document can be adopted. */
static void heap_json_alongside(void)
{
    lds_json_arena *a = lds_json_arena_new();
    json_error_t je;
    json_t *h = json_pack("{s:s, s:[i,i]}", "k", "value", "l", 1, 2);
    json_t *d = lds_json_arena_loadb(a, "{\"x\":[1,2,3]}", 13, 0, &je);
    json_t *h2 = json_loads("{\"y\":\"heap\"}", 0, &je);
    assert_non_null(h);
    assert_non_null(d);
    assert_non_null(h2);
    assert_int_equal(json_array_size(json_object_get(d, "x")), 3);
    assert_int_equal(lds_json_arena_adopt(a, h2), 0);
    assert_string_equal(json_string_value(json_object_get(h, "k")), "value");
    assert_string_equal(json_string_value(json_object_get(h2, "y")), "heap");
    json_decref(h);
    lds_json_arena_free(a); /* drops d and h2 */
}

/* Like check_events, for a thread (cmocka's assertions belong to the
 * main thread): 1 if the document is right. */
static int events_ok(const json_t *doc, int n, int salt)
{
    const json_t *list = json_object_get(doc, "eventList");
    if (json_array_size(list) != (size_t)n)
        return 0;
    for (int i = 0; i < n; i += 97) {
        const json_t *ev = json_array_get(list, (size_t)i);
        char epc[64];
        snprintf(epc, sizeof epc, "urn:epc:id:sgtin:0614141.107346.%d", i * 7 + salt);
        const char *got = json_string_value(json_array_get(json_object_get(ev, "epcList"), 0));
        if (json_integer_value(json_object_get(ev, "n")) != i || !got || strcmp(got, epc) != 0)
            return 0;
    }
    return 1;
}

typedef struct parser_arg {
    int salt, ok;
} parser_arg;

static void *parser_thread(void *arg)
{
    parser_arg *pa = arg;
    lds_json_arena *a = lds_json_arena_new();
    char *t = events_text(2000, pa->salt);
    pa->ok = a && t;
    for (int i = 0; i < 20 && pa->ok; i++) {
        json_error_t je;
        pa->ok = events_ok(lds_json_arena_loadb(a, t, strlen(t), 0, &je), 2000, pa->salt);
        lds_json_arena_reset(a);
    }
    free(t);
    lds_json_arena_free(a);
    return NULL;
}

static void threads_parse_into_their_own_arenas(void)
{
    pthread_t th[2];
    parser_arg arg[2] = {{1, 0}, {2, 0}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, parser_thread, &arg[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        assert_true(arg[i].ok);
    }
}

/* More chunks than the warm stack keeps: the rest lose their pages on reset
 * and come back (zeroed) for the next documents. */
static void chunks_beyond_the_warm_stack(void)
{
    enum { N = 40 };
    lds_json_arena *a[N];
    char *t = events_text(3000, 7);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            json_error_t je;
            a[i] = round == 0 ? lds_json_arena_new() : a[i];
            check_events(lds_json_arena_loadb(a[i], t, strlen(t), 0, &je), 3000, 7);
        }
        for (int i = 0; i < N; i++)
            lds_json_arena_reset(a[i]);
    }
    for (int i = 0; i < N; i++)
        lds_json_arena_free(a[i]);
    free(t);
}

/* The heap mode first: the allocator is installed once, for the rest. */
static void heap_mode(void **state)
{
    (void)state;
    assert_false(lds_json_arena_installed());
    parse_reset_and_reuse();
    errors_are_reported();
    large_strings();
    heap_json_alongside();
}

static void installed(void **state)
{
    (void)state;
    json_t *before = json_pack("{s:i}", "made", 1); /* freed after the install */
    lds_json_arena_install();
    assert_true(lds_json_arena_installed());
    lds_json_arena_install(); /* a second call changes nothing */
    parse_reset_and_reuse();
    errors_are_reported();
    large_strings();
    heap_json_alongside();
    threads_parse_into_their_own_arenas();
    chunks_beyond_the_warm_stack();
    json_decref(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heap_mode),
        cmocka_unit_test(installed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
