/*
 * app_ssh.h: the console's SSH connections (one per server with a host),
 * the host-key dialog and the fleet total (app_ssh.c).
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
/* The host-key dialog takes the key: 1 taken, 0 not asking. */
int	app_ssh_overlay_key(struct app *a, int ch);
/* Draw the dialog when one is open. */
void	app_ssh_draw(struct app *a);
/* "50 servers" or "50 servers, 48 live", for the header. */
void	app_ssh_fleet(const struct app *a, char *buf, size_t size);

#endif
