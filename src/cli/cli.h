/*
 * cli.h — the commands of the `lodestone` binary.  Each command lives in its
 * own cmd_<name>.c, parses its flags with getopt_long, calls the library and
 * maps errors to exit codes: 0 ok, 1 failure, 2 usage error.
 */
#ifndef LDS_CLI_H
#define LDS_CLI_H

#include "lodestone/config.h"
#include "lodestone/err.h"
#include "lodestone/store.h"

enum { LDS_EXIT_OK = 0, LDS_EXIT_FAIL = 1, LDS_EXIT_USAGE = 2 };

typedef struct lds_cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv, lds_config *cfg);
    const char *summary;
} lds_cli_cmd;

int lds_cmd_serve(int argc, char **argv, lds_config *cfg);
int lds_cmd_demo(int argc, char **argv, lds_config *cfg);
int lds_cmd_seed(int argc, char **argv, lds_config *cfg);
int lds_cmd_migrate(int argc, char **argv, lds_config *cfg);
int lds_cmd_token(int argc, char **argv, lds_config *cfg);
int lds_cmd_solve(int argc, char **argv, lds_config *cfg);
int lds_cmd_match(int argc, char **argv, lds_config *cfg);
int lds_cmd_plan(int argc, char **argv, lds_config *cfg);
int lds_cmd_verify(int argc, char **argv, lds_config *cfg);
int lds_cmd_capture(int argc, char **argv, lds_config *cfg);
int lds_cmd_trace(int argc, char **argv, lds_config *cfg);
int lds_cmd_report(int argc, char **argv, lds_config *cfg);
int lds_cmd_report_flows(int argc, char **argv, lds_config *cfg);
int lds_cmd_report_lifecycle(int argc, char **argv, lds_config *cfg);
int lds_cmd_version(int argc, char **argv, lds_config *cfg);
int lds_cmd_help(int argc, char **argv, lds_config *cfg);

/** Prints "lodestone: <cmd>: <message>" (with field/line when set) to stderr. */
void lds_cli_error(const char *cmd, const lds_err *err);
/** Prints a usage error and returns LDS_EXIT_USAGE. */
int lds_cli_usage_error(const char *cmd, const char *fmt, ...) LDS_PRINTF(2, 3);
/** Opens the database at `path` for a command that reads what is there: a
 *  missing file is LDS_ENOTFOUND, not a new empty database. */
lds_code lds_cli_open_existing(const char *path, lds_store **s, lds_err *err);
/** Exit code for a library result. */
int lds_cli_exit(lds_code rc);

#endif
