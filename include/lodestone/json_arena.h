/*
 * json_arena.h — parse JSON documents whose nodes live in an arena, and drop
 * them all at once.
 *
 * An EPCIS capture parses a document of thousands of events (tens of
 * thousands of jansson nodes, each a malloc) and frees it node by node when
 * done: a quarter of batch-capture CPU went to jansson, most of it to
 * malloc and free (docs/benchmarks-trace.md).  A document parsed here takes
 * its nodes from the arena's chunks by bumping a pointer, and
 * lds_json_arena_reset() returns the chunks without visiting a node.
 *
 * How: lds_json_arena_install() (called once at process start by
 * lds_alloc_tune(), before threads exist) reserves an address range and
 * gives jansson allocation functions that serve the thread's arena while it
 * parses and malloc() otherwise; their free is a no-op inside the range and
 * free() outside it, so every other jansson object is unaffected.  Blocks
 * larger than a quarter of a chunk come from malloc and are freed on reset.
 * When the range is used up the document is parsed on the heap instead (and
 * dropped on reset all the same).  Without the install, the arena parses on
 * the heap and resets by json_decref(): the same contract, without the
 * saving.
 *
 * Contract: a document parsed into an arena (and every node in it) is valid
 * until the arena is reset or freed, and belongs to the arena: it must not
 * be json_decref'd (large blocks would be freed twice), changed (nodes added
 * to it would never be freed) nor kept (json_incref) beyond the reset.  One
 * arena per thread at a time; arenas are not thread-safe.
 */
#ifndef LDS_JSON_ARENA_H
#define LDS_JSON_ARENA_H

#include <jansson.h>
#include <stddef.h>

typedef struct lds_json_arena lds_json_arena;

/** Once per process, before other threads use jansson; later calls do nothing. */
void lds_json_arena_install(void);

/** 1 if lds_json_arena_install() is in effect. */
int lds_json_arena_installed(void);

/** A new, empty arena (NULL on OOM). */
lds_json_arena *lds_json_arena_new(void);

/** Resets and frees `a` (NULL is fine). */
void lds_json_arena_free(lds_json_arena *a);

/** json_loadb() into `a`.  NULL on a parse error or OOM, described in `je`. */
json_t *lds_json_arena_loadb(lds_json_arena *a, const char *buf, size_t len, size_t flags,
                             json_error_t *je);

/**
 * Hands the heap document `doc` to `a`, which json_decref()s it on reset
 * (for a caller that holds documents of both kinds).  0, or -1 on OOM: the
 * caller still owns `doc`.
 */
int lds_json_arena_adopt(lds_json_arena *a, json_t *doc);

/** Drops every document parsed into `a` since the last reset. */
void lds_json_arena_reset(lds_json_arena *a);

#endif
