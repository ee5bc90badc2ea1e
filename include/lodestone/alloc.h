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
 * Process set-up for the platform's own programs (the CLI and server, the
 * capture benchmark), called first thing in main, before other threads:
 * - with glibc, turns off malloc's fast bins.  Parsing a large JSON
 *   document right after freeing the last one otherwise consolidates the
 *   freed fast-bin chunks on every large allocation (3 % of batch-capture
 *   CPU in a profile); the per-thread cache still serves small blocks;
 * - with glibc, fixes the mmap threshold at 4 MiB.  glibc otherwise raises
 *   it each time a large mapped block is freed, so the next solver's arrays
 *   (tens of MB) come from the heap and stay resident after it is freed:
 *   three solves of a 4e6-arc network in one process peaked at 411 MB
 *   against 392 MB for one;
 * - installs the JSON arenas' allocator (json_arena.h).
 */
void lds_alloc_tune(void);

/**
 * Test hook: make the `nth` allocation from now on (1-based) and every one
 * after it fail; 0 disables.  Not thread-safe; tests only.
 */
void lds_alloc_fail_after(long nth);

#endif
