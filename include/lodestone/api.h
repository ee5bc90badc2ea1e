/*
 * api.h — the HTTP/JSON server (libevent's evhttp).  One event base per
 * worker thread, each with its own listening socket on the same port
 * (SO_REUSEPORT) and its own store connection, so workers share nothing but
 * the database file.
 */
#ifndef LDS_API_H
#define LDS_API_H

#include "config.h"
#include "err.h"

typedef struct lds_server lds_server;

/**
 * Opens the database, binds the listening sockets and starts the workers.
 * cfg->port 0 picks a free port (see lds_server_port).  The config is copied.
 */
lds_code lds_server_start(const lds_config *cfg, lds_server **out, lds_err *err);

/** The port actually bound. */
int lds_server_port(const lds_server *srv);

/** Blocks until SIGINT/SIGTERM or lds_server_stop, then joins the workers. */
void lds_server_wait(lds_server *srv);

/** Asks every worker to finish (safe from any thread). */
void lds_server_stop(lds_server *srv);

/** Frees a stopped server (NULL is a no-op). */
void lds_server_free(lds_server *srv);

#endif
