/*
 * test_cli.c — the `lodestone` binary's fixed forms: every command answers
 * --help with exit 0, usage errors exit 2, failures exit 1 with a message,
 * `token create` prints the token alone, `seed --demo` is deterministic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "server.h"

static int run(const char *args, char **out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2>&1", lds_test_source_root(), lds_test_bin(),
             args);
    return lds_test_run(cmd, out);
}

static void every_command_has_help(void **state)
{
    (void)state;
    static const char *const cmds[] = {"serve", "demo", "seed", "migrate", "token",
                                       "solve", "verify", "version", "match", "plan", "capture"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char args[64], *out = NULL;
        snprintf(args, sizeof args, "%s --help", cmds[i]);
        int rc = run(args, &out);
        if (rc != 0 || !out || !strstr(out, "Usage"))
            fail_msg("'%s' -> %d: %s", args, rc, out ? out : "");
        free(out);
    }
    char *out = NULL;
    assert_int_equal(run("help", &out), 0);
    assert_non_null(strstr(out, "serve"));
    free(out);
}

static void usage_errors_exit_2(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "frobnicate", "serve --port 70000", "serve --port x",
                                      "migrate --bogus", "token", "token create --db x.db",
                                      "token create --db x.db --org 1 --role king",
                                      "seed --demo extra", "version extra"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = NULL;
        int rc = run(bad[i], &out);
        if (rc != 2)
            fail_msg("'lodestone %s' -> %d (want 2): %s", bad[i], rc, out ? out : "");
        free(out);
    }
}

static void migrate_then_token_and_failures_exit_1(void **state)
{
    (void)state;
    char db[512], args[1024], *out = NULL;
    lds_test_path(db, sizeof db, "cli.db");
    snprintf(args, sizeof args, "migrate --db '%s'", db);
    assert_int_equal(run(args, &out), 0);
    assert_non_null(strstr(out, "schema version"));
    /* A new database gets the projects' stage gates once, and keeps them. */
    assert_non_null(strstr(out, "project stage gates loaded"));
    free(out);
    snprintf(args, sizeof args, "migrate --db '%s'", db);
    assert_int_equal(run(args, &out), 0);
    assert_non_null(strstr(out, "0 migrations applied"));
    assert_null(strstr(out, "gates loaded"));
    free(out);
    /* Commands that read a database never create one for a mistyped path. */
    {
        char missing[512];
        lds_test_path(missing, sizeof missing, "no-such.db");
        const char *reads[] = {"trace LOT", "report lifecycle",
                               "report flows --org 1 --month 2026-01", "plan"};
        for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
            snprintf(args, sizeof args, "%s --db '%s'", reads[i], missing);
            assert_int_equal(run(args, &out), 1);
            assert_non_null(strstr(out, "no such database"));
            free(out);
            FILE *f = fopen(missing, "rb");
            if (f) {
                fclose(f);
                fail_msg("'lodestone %s' created the database", args);
            }
        }
    }
    /* No organisation 5 yet: a failure, not a usage error. */
    snprintf(args, sizeof args, "token create --db '%s' --org 5 --role member", db);
    assert_int_equal(run(args, &out), 1);
    assert_non_null(strstr(out, "5"));
    free(out);
    assert_int_equal(run("migrate --db /nonexistent-dir/x.db", &out), 1);
    free(out);
}

static void seed_is_deterministic_and_token_prints_alone(void **state)
{
    (void)state;
    char a[512], b[512], args[1400], *out = NULL;
    lds_test_path(a, sizeof a, "seed-a.db");
    lds_test_path(b, sizeof b, "seed-b.db");
    snprintf(args, sizeof args, "seed --demo --db '%s'", a);
    assert_int_equal(run(args, &out), 0);
    free(out);
    snprintf(args, sizeof args, "seed --demo --db '%s'", b);
    assert_int_equal(run(args, &out), 0);
    free(out);

    snprintf(args, sizeof args, "cd '%s' && '%s' token create --db '%s' --org 1 --role operator",
             lds_test_source_root(), lds_test_bin(), a);
    assert_int_equal(lds_test_run(args, &out), 0); /* stdout only */
    assert_int_equal(strlen(out), 48);              /* the token and a newline */
    assert_memory_equal(out, "lds_", 4);
    assert_int_equal(out[47], '\n');
    free(out);

    /* Both databases serve the same corridor. */
    lds_test_server s1, s2;
    lds_test_server_start(&s1, "seed-c.db", NULL);
    lds_test_server_start(&s2, "seed-d.db", NULL);
    lds_http_resp r1, r2;
    lds_http(&s1, "GET", "/api/v1/orgs?limit=500", s1.member_token, NULL, NULL, 0, &r1);
    lds_http(&s2, "GET", "/api/v1/orgs?limit=500", s2.member_token, NULL, NULL, 0, &r2);
    assert_int_equal(r1.status, 200);
    /* created_at is stamped by the generator, not the clock, so bodies match. */
    assert_string_equal(r1.body, r2.body);
    lds_http_resp_free(&r1);
    lds_http_resp_free(&r2);
    lds_test_server_stop(&s1);
    lds_test_server_stop(&s2);
}

static void serve_refuses_unmigrated_database(void **state)
{
    (void)state;
    char db[512], args[1024], *out = NULL;
    lds_test_path(db, sizeof db, "empty.db");
    snprintf(args, sizeof args, "serve --db '%s' --port 0", db);
    assert_int_equal(run(args, &out), 1);
    assert_non_null(strstr(out, "migrate"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command_has_help),
        cmocka_unit_test(usage_errors_exit_2),
        cmocka_unit_test(migrate_then_token_and_failures_exit_1),
        cmocka_unit_test(seed_is_deterministic_and_token_prints_alone),
        cmocka_unit_test(serve_refuses_unmigrated_database),
    };
    return cmocka_run_group_tests_name("e2e cli", tests, NULL, NULL);
}
