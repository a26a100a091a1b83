/*
 * history.h: the console's link to its sqlite history (store.h): what the
 * servers see is batched into the store, incidents are recorded as they
 * open and peak, gaps in the followed logs as they are noticed, and at
 * start the incidents and gaps since the last session are loaded so the
 * console can say what happened while nobody watched.
 * Without a usable database the console runs on and says so once.
 */
#ifndef MAILCON_HISTORY_H
#define MAILCON_HISTORY_H

#include "app.h"

/* Open the history (unless configured off); a note says what went wrong. */
void	history_open(struct app *a);
/* Batch one event of server s (memory only). */
void	history_event(struct app *a, const struct server *s,
	    const struct mail_event *ev);
/* Record an incident opening or reaching a new peak (memory only). */
void	history_incident(struct app *a, const struct incident *n);
/* Record a lost part of path on server s, noticed at at (memory only). */
void	history_gap(struct app *a, const struct server *s, const char *path,
	    const char *why, int64_t at);
/* Commit what is batched (a writer thread does the disk work). */
void	history_flush(struct app *a);
void	history_close(struct app *a);

#endif
