/*
 * alloc.h — every allocation goes through these, so tests can fail the Nth
 * call (fault injection).  The library never aborts on OOM: callers see NULL
 * and turn it into LDS_ENOMEM.
 */
#ifndef LDS_ALLOC_H
#define LDS_ALLOC_H

#include <stddef.h>

void *lds_malloc(size_t n);
void *lds_calloc(size_t count, size_t size);
void *lds_realloc(void *p, size_t n);
void lds_free(void *p);
/** Returns a heap copy of `s` (NULL on OOM or when `s` is NULL). */
char *lds_strdup(const char *s);
char *lds_strndup(const char *s, size_t n);

/**
 * Test hook: make the `nth` allocation from now on (1-based) and every one
 * after it fail; 0 disables.  Not thread-safe; tests only.
 */
void lds_alloc_fail_after(long nth);

#endif
