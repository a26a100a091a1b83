/*
 * server_int.h: what server.c (the sources and their lines) and
 * server_state.c (the state line) share; nothing else includes it.
 */
#ifndef MAILCON_SERVER_INT_H
#define MAILCON_SERVER_INT_H

#include "server.h"

/* A source's state, whatever kind it is. */
enum follow_state source_state(const struct source *src);
/* Recompute the state line from the sources' states. */
void	server_update_state(struct server *s);

#endif
