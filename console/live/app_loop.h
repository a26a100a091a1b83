/*
 * app_loop.h: between the live console's own files, not for the views.
 * app_main.c (start and end) sets on the loop the callbacks of app.c and
 * on the servers and log hosts the hooks of app_hooks.c; app.c and the
 * hooks say what the servers do through app_server.c and apply the policy
 * to a confirmed account through app_incident.c.
 */
#ifndef MAILCON_APP_LOOP_H
#define MAILCON_APP_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "fleet.h"

/* The loop's callbacks (app.c): a log read, a snapshot refresh, keys on
   stdin, a stopping signal, a frame drawn when idle. */
void	app_on_poll(void *arg);
void	app_on_fleet_tick(void *arg);
void	app_fleet_read(struct app *a, int64_t now);
void	app_on_refresh(void *arg);
void	app_on_key(int fd, short revents, void *arg);
void	app_on_signal(int signo, void *arg);
void	app_on_idle(void *arg);
/* At exit, with MAILCON_STATS=FILE: frame and key figures (app.c). */
void	app_write_stats(const struct app *a);

/* The servers' and log hosts' hooks (app_hooks.c, see server.h, fleet.h). */
void	app_on_event(void *arg, const struct server *s,
	    const struct mail_event *ev);
void	app_on_unknown(void *arg, const char *loghost,
	    const struct fleet_unknown *u, const char *line, size_t len);
void	app_on_loghost_state(void *arg, const char *loghost,
	    const char *status);
void	app_on_line(void *arg, const struct server *s, const char *line,
	    size_t len);
void	app_on_gap(void *arg, const struct server *s, const char *path,
	    const char *why);
void	app_on_clock(void *arg, const struct server *s, const char *path,
	    const char *what);

/* A server's state said when it changed, alerted when it fell; its
   unreadable journal entries said (app_server.c). */
void	app_server_alert(struct app *a, struct server *s);
void	app_server_unreadable(struct app *a, struct server *s, int64_t now);

/* Headless: the account the last event confirmed, contained now
   (app_incident.c). */
void	app_confirm_now(struct app *a, unsigned server);

#endif
