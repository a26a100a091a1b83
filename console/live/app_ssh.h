/*
 * app_ssh.h: the console's SSH connections (one per server with a host),
 * the host-key question (app_ssh.c).
 */
#ifndef MAILCON_APP_SSH_H
#define MAILCON_APP_SSH_H

#include <stddef.h>

#include "app.h"

/* Connect every server behind SSH; sets each one's server->ssh. */
void	app_ssh_open(struct app *a);
/* Close them; before the servers are freed. */
void	app_ssh_close(struct app *a);
/* A: ask the operator about the server's unknown host key. */
void	app_ssh_ask_server(struct app *a, unsigned server);
/* C: connect the server again now. */
void	app_ssh_reconnect(struct app *a, unsigned server);
/* The operator's answer about the host key asked (APP_DIALOG_HOSTKEY). */
void	app_ssh_answer(struct app *a, int yes);
/* Is a host key being asked about?  1 with its server and fingerprint. */
int	app_ssh_asking(const struct app *a, unsigned *server, const char **fp);

#endif
