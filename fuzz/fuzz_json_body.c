/*
 * fuzz_json_body.c — the API's JSON body path: bounded parse (depth, UTF-8,
 * duplicates) then validation and creation of an organisation and a facility
 * against an in-memory store.  Must never crash, leak or write a half record.
 * The same bytes are also parsed into a JSON arena (json_arena.h, as EPCIS
 * capture bodies are), which must give an equal document or the same error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "api/api_int.h"
#include "lodestone/registry.h"
#include "lodestone/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lds_store *store_for_fuzzing(void)
{
    static lds_store *s;
    if (s)
        return s;
    static const char seed[] =
        "INSERT INTO regions(id, name, country, lat, lon, role) VALUES"
        " ('cn-jx-ganzhou-zhanggong', 'Zhanggong', 'CN', 25.8, 114.9, 'upstream');";
    static const char stage[] = "INSERT INTO stages(id, name, ord) VALUES ('magnet', 'Magnet', 5)";
    lds_stmt *st;
    if (lds_store_open(":memory:", &s, NULL) || lds_store_migrate(s, NULL, NULL) ||
        lds_store_prepare(s, seed, &st, NULL) || lds_stmt_exec(st, NULL) ||
        lds_store_prepare(s, stage, &st, NULL) || lds_stmt_exec(st, NULL))
        abort();
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lds_store *s = store_for_fuzzing();
    static lds_json_arena *arena;
    if (!arena) {
        lds_json_arena_install(); /* single-threaded here: safe at any time */
        if (!(arena = lds_json_arena_new()))
            abort();
    }
    json_t *doc = NULL, *in_arena = NULL;
    lds_err err, err2;
    lds_code rc = lds_api_parse_json(NULL, (const char *)data, size, JSON_REJECT_DUPLICATES, &doc,
                                     &err);
    lds_code rc2 = lds_api_parse_json(arena, (const char *)data, size, JSON_REJECT_DUPLICATES,
                                      &in_arena, &err2);
    if (rc != rc2 || (rc == LDS_OK ? !json_equal(doc, in_arena) : strcmp(err.msg, err2.msg) != 0))
        abort();
    lds_json_arena_reset(arena);
    if (rc != LDS_OK)
        return 0;
    static const char *const resources[] = {"orgs", "facilities"};
    for (int i = 0; i < 2; i++) {
        lds_buf out = LDS_BUF_INIT;
        lds_field_errors fe = {0};
        int64_t id;
        if (lds_store_begin(s, &err) == LDS_OK) {
            if (lds_registry_create(s, resources[i], doc, &id, &out, &fe, &err) == LDS_OK)
                lds_store_commit(s, &err);
            else
                lds_store_rollback(s);
        }
        lds_buf_release(&out);
    }
    json_decref(doc);
    return 0;
}
