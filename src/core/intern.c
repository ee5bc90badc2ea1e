/* intern.c — string interning; see intern.h. */
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/intern.h"

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Doubles the slots (64 at first) and rehashes; -1 on OOM, the table as it
 * was (by_id may have grown). */
static int grow(lds_intern *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    const char **keys = lds_calloc(cap, sizeof *keys);
    uint32_t *ids = lds_calloc(cap, sizeof *ids);
    const char **by_id = lds_realloc(t->by_id, cap / 2 * sizeof *by_id);
    if (by_id)
        t->by_id = by_id;
    if (!keys || !ids || !by_id) {
        lds_free(keys);
        lds_free(ids);
        return -1;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->keys[i])
            continue;
        size_t j = hash_str(t->keys[i]) & (cap - 1);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = t->keys[i];
        ids[j] = t->ids[i];
    }
    lds_free(t->keys);
    lds_free(t->ids);
    t->keys = keys;
    t->ids = ids;
    t->cap = cap;
    return 0;
}

long lds_intern_find(const lds_intern *t, const char *s)
{
    if (!t->cap)
        return -1;
    size_t j = hash_str(s) & (t->cap - 1);
    while (t->keys[j]) {
        if (strcmp(t->keys[j], s) == 0)
            return (long)t->ids[j];
        j = (j + 1) & (t->cap - 1);
    }
    return -1;
}

long lds_intern_id(lds_intern *t, const char *s)
{
    if (t->n >= UINT32_MAX || ((t->n + 1) * 2 > t->cap && grow(t) != 0))
        return -1;
    size_t j = hash_str(s) & (t->cap - 1);
    while (t->keys[j]) {
        if (strcmp(t->keys[j], s) == 0)
            return (long)t->ids[j];
        j = (j + 1) & (t->cap - 1);
    }
    t->keys[j] = s;
    t->ids[j] = (uint32_t)t->n;
    t->by_id[t->n] = s;
    return (long)t->n++;
}

const char *lds_intern_key(const lds_intern *t, size_t id)
{
    return id < t->n ? t->by_id[id] : NULL;
}

void lds_intern_release(lds_intern *t)
{
    lds_free(t->keys);
    lds_free(t->ids);
    lds_free(t->by_id);
    memset(t, 0, sizeof *t);
}
