/*
 * json_arena.c — JSON documents whose nodes are bump-allocated from 1 MiB
 * chunks of one reserved address range (see json_arena.h).
 *
 * The range is reserved once (MAP_NORESERVE: address space, not memory;
 * pages appear as they are touched).  Chunks are handed to arenas from a
 * free stack, or fresh from the range; an allocation larger than a quarter
 * of a chunk takes its own run of fresh chunks.  A reset pushes an arena's
 * chunks back; beyond KEEP_CHUNKS free chunks their pages are given back to
 * the kernel.  Runs are not reused as runs, so fresh chunks run out after
 * enough large allocations; once no arena holds a chunk the whole range
 * starts over (and until then a parse that finds no room fails with "out
 * of memory", which the server answers by parsing on the heap).  jansson's free is a no-op inside the range, so jansson's own
 * frees while it parses (a grown buffer, a parse error's partial tree) and
 * any json_decref of an arena document cost nothing and break nothing.
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
#define KEEP_CHUNKS   64u    /* free chunks that keep their pages */
#define ALIGN         16u

struct lds_json_arena {
    char *cur;          /* bump pointer in the current chunk */
    size_t left;        /* bytes left there */
    uint32_t *chunks;   /* chunks held, to give back on reset */
    size_t n_chunks, cap_chunks;
    json_t **docs;      /* without the install: heap documents to drop */
    size_t n_docs, cap_docs;
};

static char *region; /* set once by install, before other threads exist */
static pthread_mutex_t chunk_mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t next_fresh;                /* first never-used chunk */
static uint32_t free_stack[REGION_CHUNKS]; /* chunks given back */
static uint32_t n_free;
static uint32_t n_held; /* chunks held by arenas */
static _Thread_local lds_json_arena *tl_arena; /* the arena this thread parses into */

static int in_region(const void *p)
{
    const char *c = p;
    return region && c >= region && c < region + (size_t)REGION_CHUNKS * CHUNK;
}

static int note_chunk(lds_json_arena *a, uint32_t c)
{
    if (a->n_chunks == a->cap_chunks) {
        size_t cap = a->cap_chunks ? 2 * a->cap_chunks : 16;
        uint32_t *n = lds_realloc(a->chunks, cap * sizeof *n);
        if (!n)
            return -1;
        a->chunks = n;
        a->cap_chunks = cap;
    }
    a->chunks[a->n_chunks++] = c;
    return 0;
}

/* Takes `k` contiguous chunks for `a`; returns the first's address or NULL. */
static char *take_chunks(lds_json_arena *a, uint32_t k)
{
    uint32_t first;
    pthread_mutex_lock(&chunk_mu);
    if (k == 1 && n_free > 0) {
        first = free_stack[--n_free];
    } else if (k <= REGION_CHUNKS - next_fresh) {
        first = next_fresh;
        next_fresh += k;
    } else {
        pthread_mutex_unlock(&chunk_mu);
        return NULL;
    }
    n_held += k;
    pthread_mutex_unlock(&chunk_mu);
    for (uint32_t i = 0; i < k; i++) {
        if (note_chunk(a, first + i) != 0) {
            /* Give back what is not recorded: the arena cannot return it. */
            pthread_mutex_lock(&chunk_mu);
            for (uint32_t j = i; j < k; j++)
                free_stack[n_free++] = first + j;
            n_held -= k - i;
            pthread_mutex_unlock(&chunk_mu);
            return NULL;
        }
    }
    return region + (size_t)first * CHUNK;
}

static void *arena_alloc(lds_json_arena *a, size_t n)
{
    if (n > CHUNK * REGION_CHUNKS)
        return NULL;
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n <= a->left) {
        void *p = a->cur;
        a->cur += n;
        a->left -= n;
        return p;
    }
    if (n > CHUNK / 4) /* its own run; the current chunk stays current */
        return take_chunks(a, (uint32_t)((n + CHUNK - 1) / CHUNK));
    char *c = take_chunks(a, 1);
    if (!c)
        return NULL;
    a->cur = c + n;
    a->left = CHUNK - n;
    return c;
}

static void *json_malloc(size_t n)
{
    lds_json_arena *a = tl_arena;
    return a ? arena_alloc(a, n) : malloc(n);
}

static void json_free(void *p)
{
    if (!in_region(p))
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
    if (a->n_chunks) {
        pthread_mutex_lock(&chunk_mu);
        for (size_t i = 0; i < a->n_chunks; i++) {
            uint32_t c = a->chunks[i];
            if (n_free >= KEEP_CHUNKS)
                madvise(region + (size_t)c * CHUNK, CHUNK, MADV_DONTNEED);
            free_stack[n_free++] = c;
        }
        n_held -= (uint32_t)a->n_chunks;
        if (n_held == 0 && next_fresh > REGION_CHUNKS / 2) {
            /* Nothing is in use: start the range over, runs included. */
            madvise(region, (size_t)next_fresh * CHUNK, MADV_DONTNEED);
            next_fresh = 0;
            n_free = 0;
        }
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
    lds_free(a->docs);
    lds_free(a);
}

/* Room for one more heap document; -1 on OOM. */
static int docs_room(lds_json_arena *a)
{
    if (a->n_docs < a->cap_docs)
        return 0;
    size_t cap = a->cap_docs ? 2 * a->cap_docs : 4;
    json_t **n = lds_realloc(a->docs, cap * sizeof *n);
    if (!n)
        return -1;
    a->docs = n;
    a->cap_docs = cap;
    return 0;
}

int lds_json_arena_adopt(lds_json_arena *a, json_t *doc)
{
    if (in_region(doc))
        return 0;
    if (docs_room(a) != 0)
        return -1;
    a->docs[a->n_docs++] = doc;
    return 0;
}

json_t *lds_json_arena_loadb(lds_json_arena *a, const char *buf, size_t len, size_t flags,
                             json_error_t *je)
{
    if (!region) {
        if (docs_room(a) != 0) {
            if (je) {
                memset(je, 0, sizeof *je);
                snprintf(je->text, sizeof je->text, "out of memory");
            }
            return NULL;
        }
        json_t *doc = json_loadb(buf, len, flags, je);
        if (doc)
            a->docs[a->n_docs++] = doc;
        return doc;
    }
    tl_arena = a;
    json_t *doc = json_loadb(buf, len, flags, je);
    tl_arena = NULL;
    return doc;
}
