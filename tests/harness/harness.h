/*
 * harness.h — shared helpers for the test programs (cmocka is the runner).
 * Each tests/.../test_*.c is one program built against the sanitized library.
 */
#ifndef LDS_TEST_HARNESS_H
#define LDS_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/** A fresh temporary directory, created once per process (removed at exit). */
const char *lds_test_tmpdir(void);
/** Writes "<tmpdir>/<name>" into buf and returns buf. */
char *lds_test_path(char *buf, size_t n, const char *name);
/** Reads a whole file into a heap buffer (free with free()); NULL on error. */
char *lds_test_read_file(const char *path, size_t *len);
/** Root of the source tree (where Makefile is), from LDS_SOURCE_ROOT or ".". */
const char *lds_test_source_root(void);
/** Path of the lodestone binary under test (LDS_BIN, default build/san/lodestone). */
const char *lds_test_bin(void);

#endif
