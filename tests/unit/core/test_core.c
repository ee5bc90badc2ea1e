/* test_core.c — err, buf, config and alloc of src/core. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "lodestone/alloc.h"
#include "lodestone/buf.h"
#include "lodestone/config.h"
#include "lodestone/err.h"

static void err_table_maps_codes(void **state)
{
    (void)state;
    assert_int_equal(lds_code_http_status(LDS_EINVAL), 400);
    assert_int_equal(lds_code_http_status(LDS_ENOTFOUND), 404);
    assert_int_equal(lds_code_http_status(LDS_ENOMEM), 503);
    assert_int_equal(lds_code_http_status(LDS_OK), 200);
    assert_string_equal(lds_code_name(LDS_ECONFLICT), "ECONFLICT");
    lds_err e;
    assert_int_equal(lds_err_at(&e, LDS_EINVAL, 7, 3, "bad %s", "thing"), LDS_EINVAL);
    assert_string_equal(e.msg, "bad thing");
    assert_int_equal(e.line, 7);
    assert_int_equal(e.column, 3);
    assert_int_equal(lds_err_field(&e, LDS_EINVAL, "/name", "required"), LDS_EINVAL);
    assert_string_equal(e.field, "/name");
    assert_int_equal(e.line, 0);
    assert_int_equal(lds_err_set(NULL, LDS_EIO, "x"), LDS_EIO);
}

static void buf_grows_and_escapes(void **state)
{
    (void)state;
    lds_buf b = LDS_BUF_INIT;
    assert_string_equal(b.ptr, "");
    for (int i = 0; i < 1000; i++)
        lds_buf_addf(&b, "%d,", i);
    assert_true(b.len > 1000);
    assert_int_equal(strlen(b.ptr), b.len);
    lds_buf_reset(&b);
    lds_buf_add_json_str(&b, "a\"b\\c\n\x01 中");
    assert_string_equal(b.ptr, "\"a\\\"b\\\\c\\n\\u0001 中\"");
    lds_buf_release(&b);
    assert_string_equal(b.ptr, "");
}

static void buf_reports_oom_once(void **state)
{
    (void)state;
    lds_buf b = LDS_BUF_INIT;
    lds_alloc_fail_after(1);
    lds_buf_adds(&b, "hello");
    lds_buf_adds(&b, "world");
    lds_alloc_fail_after(0);
    assert_true(b.oom);
    assert_null(lds_buf_detach(&b, NULL));
    lds_buf_release(&b);
}

static void config_reads_environment(void **state)
{
    (void)state;
    lds_config cfg;
    lds_err e;
    lds_config_defaults(&cfg);
    assert_string_equal(cfg.bind, "127.0.0.1");
    setenv("LODESTONE_PORT", "9099", 1);
    setenv("LODESTONE_LOG_LEVEL", "warn", 1);
    assert_int_equal(lds_config_from_env(&cfg, &e), LDS_OK);
    assert_int_equal(cfg.port, 9099);
    assert_int_equal(cfg.log_level, LDS_LOG_WARN);
    setenv("LODESTONE_PORT", "70000", 1);
    assert_int_equal(lds_config_from_env(&cfg, &e), LDS_EINVAL);
    assert_non_null(strstr(e.msg, "LODESTONE_PORT"));
    setenv("LODESTONE_PORT", "12ab", 1);
    assert_int_equal(lds_config_from_env(&cfg, &e), LDS_EINVAL);
    unsetenv("LODESTONE_PORT");
    unsetenv("LODESTONE_LOG_LEVEL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(err_table_maps_codes),
        cmocka_unit_test(buf_grows_and_escapes),
        cmocka_unit_test(buf_reports_oom_once),
        cmocka_unit_test(config_reads_environment),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
