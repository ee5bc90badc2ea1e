/* alloc.c — allocation wrappers with a fail-the-Nth-call hook for tests. */
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "lodestone/alloc.h"
#include "lodestone/json_arena.h"

static long fail_countdown; /* 0 = disabled; tests only, not thread-safe */

static int should_fail(void)
{
    if (fail_countdown <= 0)
        return 0;
    if (fail_countdown == 1)
        return 1; /* stays at 1: every later call fails too */
    fail_countdown--;
    return 0;
}

void lds_alloc_fail_after(long nth)
{
    fail_countdown = nth < 0 ? 0 : nth;
}

void lds_alloc_tune(void)
{
#ifdef __GLIBC__
    mallopt(M_MXFAST, 0);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
    lds_json_arena_install();
}

void *lds_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *lds_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *lds_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void lds_free(void *p)
{
    free(p);
}

char *lds_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = lds_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *lds_strdup(const char *s)
{
    return s ? lds_strndup(s, strlen(s)) : NULL;
}
