/*
 * fuzz_lifecycle.c — libFuzzer target for the lifecycle document (stage
 * gates, data/lifecycle.json).  Any input must parse or fail cleanly,
 * naming a JSON pointer or a line; what parses drives the gate engine over
 * every (from, to) pair, which must allow only stages that follow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/projects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_trap(void)
{
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lds_lifecycle lc;
    lds_err err;
    lds_err_clear(&err);
    if (lds_lifecycle_parse((const char *)data, size, &lc, &err) != LDS_OK) {
        if (err.code != LDS_EINVAL || !err.msg[0])
            fuzz_trap();
        return 0;
    }
    const char *docs[LDS_GATE_MAX_DOC_KINDS];
    for (int i = 0; i < lc.n_doc_kinds; i++)
        docs[i] = lc.doc_kinds[i];
    for (int full = 0; full < 2; full++) {
        for (int from = 0; from < LDS_PSTAGE_COUNT; from++) {
            lds_gate_state st = {(lds_pstage)from, LDS_PSTAGE_FINANCING, docs,
                                 full ? (size_t)lc.n_doc_kinds : 0,
                                 full ? (1u << LDS_FACTOR_COUNT) - 1 : 0};
            for (int to = 0; to < LDS_PSTAGE_COUNT; to++) {
                lds_gate_result res;
                int ok = lds_gate_eval(&lc, &st, (lds_pstage)to, &res);
                if (ok && (!lds_gate_follows(&st, (lds_pstage)to) || res.n_unmet))
                    fuzz_trap();
                if (full && lds_gate_follows(&st, (lds_pstage)to) && !ok)
                    fuzz_trap(); /* every criterion is met when all is on file */
                if (res.n_unmet < 0 || res.n_unmet > LDS_GATE_MAX_CRIT)
                    fuzz_trap();
            }
        }
    }
    return 0;
}
