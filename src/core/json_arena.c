/*
 * json_arena.c — JSON documents whose small nodes are bump-allocated from
 * 1 MiB chunks of one reserved address range (see json_arena.h).
 *
 * The range is reserved once (MAP_NORESERVE: address space, not memory;
 * pages appear as they are touched).  Chunks go to arenas from a stack of
 * warm chunks (given back recently, pages still mapped), then from a stack
 * of cold ones (pages given back to the kernel), then fresh from the range.
 * A reset pushes an arena's chunks on the warm stack up to KEEP_WARM, the
 * rest are made cold.  Blocks larger than a quarter of a chunk (long
 * strings, the tables of large arrays and objects) come from malloc and are
 * listed in the arena, which frees them on reset; a block jansson itself
 * frees while parsing (a grown buffer, a parse error's partial tree) leaves
 * the list first.  jansson's free is a no-op inside the range, so those
 * frees of small nodes cost nothing.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "lodestone/alloc.h"
#include "lodestone/json_arena.h"

#define CHUNK         ((size_t)1 << 20)
#define REGION_CHUNKS 16384u /* 16 GiB of address space */
#define KEEP_WARM     64u    /* free chunks that keep their pages */
#define BIG           (CHUNK / 4)
#define ALIGN         16u

struct lds_json_arena {
    char *cur;          /* bump pointer in the current chunk */
    size_t left;        /* bytes left there */
    uint32_t *chunks;   /* chunks held, to give back on reset */
    size_t n_chunks, cap_chunks;
    void **big;         /* malloc'd blocks of this arena's documents */
    size_t n_big, cap_big;
    json_t **docs;      /* documents parsed on the heap, json_decref'd on reset */
    size_t n_docs, cap_docs;
    int oom;            /* an allocation failed during the current parse */
};

static char *region; /* set once by install, before other threads exist */
static pthread_mutex_t chunk_mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t next_fresh;               /* first never-used chunk */
static uint32_t warm[KEEP_WARM], n_warm;  /* given back, pages mapped */
static uint32_t cold[REGION_CHUNKS], n_cold; /* given back, pages dropped */
static _Thread_local lds_json_arena *tl_arena; /* the arena this thread parses into */

static int in_region(const void *p)
{
    const char *c = p;
    return region && c >= region && c < region + (size_t)REGION_CHUNKS * CHUNK;
}

/* Appends the `size` bytes at `x` to the growable array whose pointer is
 * at `arr` (any element type: the pointer is read and written by memcpy);
 * -1 on OOM. */
static int push(void *arr, size_t *n, size_t *cap, size_t size, const void *x)
{
    char *base;
    memcpy(&base, arr, sizeof base);
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        char *g = lds_realloc(base, nc * size);
        if (!g)
            return -1;
        base = g;
        memcpy(arr, &base, sizeof base);
        *cap = nc;
    }
    memcpy(base + *n * size, x, size);
    (*n)++;
    return 0;
}

/* A chunk for `a`, or NULL when the range is used up. */
static char *take_chunk(lds_json_arena *a)
{
    uint32_t c;
    pthread_mutex_lock(&chunk_mu);
    if (n_warm > 0)
        c = warm[--n_warm];
    else if (n_cold > 0)
        c = cold[--n_cold];
    else if (next_fresh < REGION_CHUNKS)
        c = next_fresh++;
    else
        c = UINT32_MAX;
    pthread_mutex_unlock(&chunk_mu);
    if (c == UINT32_MAX)
        return NULL;
    if (push(&a->chunks, &a->n_chunks, &a->cap_chunks, sizeof c, &c) != 0) {
        pthread_mutex_lock(&chunk_mu);
        cold[n_cold++] = c; /* pages may be mapped: harmless */
        pthread_mutex_unlock(&chunk_mu);
        return NULL;
    }
    return region + (size_t)c * CHUNK;
}

static void *arena_alloc(lds_json_arena *a, size_t n)
{
    if (n > BIG) {
        void *p = malloc(n);
        if (p && push(&a->big, &a->n_big, &a->cap_big, sizeof p, &p) != 0) {
            free(p);
            p = NULL;
        }
        return p;
    }
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n > a->left) {
        char *c = take_chunk(a);
        if (!c)
            return NULL;
        a->cur = c;
        a->left = CHUNK;
    }
    void *p = a->cur;
    a->cur += n;
    a->left -= n;
    return p;
}

static void *json_malloc(size_t n)
{
    lds_json_arena *a = tl_arena;
    if (!a)
        return malloc(n);
    void *p = arena_alloc(a, n);
    if (!p)
        a->oom = 1;
    return p;
}

static void json_free(void *p)
{
    if (!p || in_region(p))
        return;
    lds_json_arena *a = tl_arena;
    if (a) /* a large block of the parse under way: no longer the arena's */
        for (size_t i = a->n_big; i-- > 0;)
            if (a->big[i] == p) {
                a->big[i] = a->big[--a->n_big];
                break;
            }
    free(p);
}

void lds_json_arena_install(void)
{
    if (region)
        return;
    void *r = mmap(NULL, (size_t)REGION_CHUNKS * CHUNK, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED)
        return; /* arenas parse on the heap */
    region = r;
    json_set_alloc_funcs(json_malloc, json_free);
}

int lds_json_arena_installed(void)
{
    return region != NULL;
}

lds_json_arena *lds_json_arena_new(void)
{
    return lds_calloc(1, sizeof(lds_json_arena));
}

void lds_json_arena_reset(lds_json_arena *a)
{
    for (size_t i = 0; i < a->n_docs; i++)
        json_decref(a->docs[i]);
    a->n_docs = 0;
    for (size_t i = 0; i < a->n_big; i++)
        free(a->big[i]);
    a->n_big = 0;
    /* Chunks beyond the warm stack's room lose their pages, outside the lock. */
    size_t n_drop = 0;
    pthread_mutex_lock(&chunk_mu);
    for (size_t i = 0; i < a->n_chunks; i++) {
        if (n_warm < KEEP_WARM)
            warm[n_warm++] = a->chunks[i];
        else
            a->chunks[n_drop++] = a->chunks[i];
    }
    pthread_mutex_unlock(&chunk_mu);
    for (size_t i = 0; i < n_drop; i++)
        madvise(region + (size_t)a->chunks[i] * CHUNK, CHUNK, MADV_DONTNEED);
    if (n_drop) {
        pthread_mutex_lock(&chunk_mu);
        for (size_t i = 0; i < n_drop; i++)
            cold[n_cold++] = a->chunks[i];
        pthread_mutex_unlock(&chunk_mu);
    }
    a->n_chunks = 0;
    a->cur = NULL;
    a->left = 0;
}

void lds_json_arena_free(lds_json_arena *a)
{
    if (!a)
        return;
    lds_json_arena_reset(a);
    lds_free(a->chunks);
    lds_free(a->big);
    lds_free(a->docs);
    lds_free(a);
}

int lds_json_arena_adopt(lds_json_arena *a, json_t *doc)
{
    return push(&a->docs, &a->n_docs, &a->cap_docs, sizeof doc, &doc);
}

/* json_loadb on the heap, the document listed for the reset. */
static json_t *load_heap(lds_json_arena *a, const char *buf, size_t len, size_t flags,
                         json_error_t *je)
{
    json_t *doc = json_loadb(buf, len, flags, je);
    if (doc && lds_json_arena_adopt(a, doc) != 0) {
        json_decref(doc);
        doc = NULL;
        if (je) {
            memset(je, 0, sizeof *je);
            snprintf(je->text, sizeof je->text, "out of memory");
        }
    }
    return doc;
}

json_t *lds_json_arena_loadb(lds_json_arena *a, const char *buf, size_t len, size_t flags,
                             json_error_t *je)
{
    if (!region)
        return load_heap(a, buf, len, flags, je);
    a->oom = 0;
    tl_arena = a;
    json_t *doc = json_loadb(buf, len, flags, je);
    tl_arena = NULL;
    if (!doc && a->oom) /* the range is used up (jansson's message would not say so) */
        doc = load_heap(a, buf, len, flags, je);
    return doc;
}
