/*
 * app_rbl.h: DNSBL checks of the servers' outbound addresses in the
 * console and the headless watch: on the r key and every [rbl] interval,
 * run on the loop (rbl.h, c-ares), results in the blocklists view,
 * listings and delistings in the history, an alert when a listing appears.
 */
#ifndef MAILCON_APP_RBL_H
#define MAILCON_APP_RBL_H

#include <stddef.h>

#include "app.h"
#include "rbl/rbl.h"

void	app_rbl_open(struct app *a);
void	app_rbl_close(struct app *a);
/* Start a check now (the r key); a note says why not. */
void	app_rbl_check(struct app *a);
/* For the blocklists view: the last run's results (while it runs too). */
size_t	app_rbl_count(struct app *a);
const struct rbl_result *app_rbl_result(struct app *a, size_t i);
/* Server i's addresses as of the last check: "listed 2", "clean",
   "unknown", or "-" (never checked, no address). */
const char *app_rbl_server(struct app *a, unsigned server, char *buf,
	    size_t size);
/* "checking: 120 of 300", "3 listed, 40 clean ... at 12:00:01Z", or why
   there is nothing. */
const char *app_rbl_status(struct app *a);

#endif
