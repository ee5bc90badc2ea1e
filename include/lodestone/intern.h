/*
 * intern.h — string interning: dense ids 0, 1, 2, ... for distinct strings
 * in the order they are first seen, by open addressing on an FNV-1a hash
 * (the table at most half full).  Keys are borrowed, not copied: the caller
 * keeps every string alive and unchanged while the table is in use.
 */
#ifndef LDS_INTERN_H
#define LDS_INTERN_H

#include <stddef.h>
#include <stdint.h>

typedef struct lds_intern {
    const char **keys;  /* cap slots; NULL = free */
    uint32_t *ids;      /* id of the key in the same slot */
    const char **by_id; /* id -> key, n of them */
    size_t cap, n;      /* cap a power of two (or 0), n distinct keys */
} lds_intern;

#define LDS_INTERN_INIT {NULL, NULL, NULL, 0, 0}

/** Id of `s` (not NULL), adding it when new; -1 on OOM, the table as it
 *  was. */
long lds_intern_id(lds_intern *t, const char *s);
/** Id of `s`, or -1 when it was never added. */
long lds_intern_find(const lds_intern *t, const char *s);
/** The string of id `id` (< t->n). */
const char *lds_intern_key(const lds_intern *t, size_t id);
/** Frees the table (not the keys); it is empty and reusable afterwards. */
void lds_intern_release(lds_intern *t);

#endif
