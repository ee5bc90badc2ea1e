/*
 * fuzz_dimacs.c — libFuzzer target for the DIMACS min-cost-flow reader.
 * Any input must parse or fail cleanly with a line number; what parses must
 * survive write -> parse unchanged, and small instances are solved and their
 * certificate checked, so the fuzzer also exercises the engine.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lodestone/alloc.h"
#include "lodestone/mcf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_trap(void)
{
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lds_mcf_problem p, q;
    lds_err err;
    if (lds_mcf_dimacs_parse((const char *)data, size, &p, &err) != LDS_OK) {
        if (err.line == 0 && err.code == LDS_EINVAL)
            fuzz_trap(); /* every syntax error names its line */
        return 0;
    }
    char *text;
    size_t len;
    if (lds_mcf_dimacs_write(&p, &text, &len, &err) == LDS_OK) {
        if (lds_mcf_dimacs_parse(text, len, &q, &err) != LDS_OK)
            fuzz_trap();
        if (q.n_nodes != p.n_nodes || q.n_arcs != p.n_arcs ||
            (p.n_arcs && (memcmp(q.tail, p.tail, p.n_arcs * sizeof *p.tail) ||
                          memcmp(q.head, p.head, p.n_arcs * sizeof *p.head) ||
                          memcmp(q.lower, p.lower, p.n_arcs * sizeof *p.lower) ||
                          memcmp(q.upper, p.upper, p.n_arcs * sizeof *p.upper) ||
                          memcmp(q.cost, p.cost, p.n_arcs * sizeof *p.cost))) ||
            (p.n_nodes && memcmp(q.supply, p.supply, p.n_nodes * sizeof *p.supply)))
            fuzz_trap();
        lds_mcf_problem_release(&q);
        lds_free(text);
    }
    if (p.n_nodes <= 200 && p.n_arcs <= 2000) {
        lds_mcf_solver *s;
        lds_mcf_status st;
        if (lds_mcf_solver_new(&p, &s, &err) == LDS_OK) {
            if (lds_mcf_solve(s, LDS_MCF_SIMPLEX, &st, &err) == LDS_OK && st == LDS_MCF_OPTIMAL &&
                lds_mcf_check(&p, lds_mcf_flows(s), lds_mcf_potentials(s), NULL, &err) != LDS_OK)
                fuzz_trap();
            lds_mcf_solver_free(s);
        }
    }
    lds_mcf_problem_release(&p);
    return 0;
}
