/*
 * app_probe.h: the console's probe of the servers behind SSH whose mail
 * systems the config leaves to mailcon (config/probe.h): once each, over
 * its connection when it is live, for the loop, never waited on.
 */
#ifndef MAILCON_APP_PROBE_H
#define MAILCON_APP_PROBE_H

#include <stdint.h>

struct app;

/* Start, advance and settle the probes (the poll timer). */
void	app_probe_tick(struct app *a, int64_t now_ms);
/* Stop the probes still running. */
void	app_probe_close(struct app *a);

#endif
