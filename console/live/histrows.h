/*
 * histrows.h: the rows of the history view.  Incidents and log gaps are
 * kept in arrays of their own (struct app), each in the order it grew:
 * earlier sessions' first, as loaded, then this session's as they come.
 * The view shows one list of both, merged by time.  No curses here, so
 * the order can be tested without a terminal.
 */
#ifndef MAILCON_HISTROWS_H
#define MAILCON_HISTROWS_H

#include "app.h"

/* Gaps listed at most; later ones are counted in a->gaps_unlisted. */
#define HISTROWS_GAPS_MAX	4096

/*
 * Keep a gap for the history view (strings are copied, truncated to what
 * the view shows).  0, or -1 when the list is full and it was not kept.
 */
int	histrows_add_gap(struct app *a, const char *server, const char *path,
	    const char *why, int64_t at, int earlier);
/*
 * Merge ninc incidents and ngap gaps into out (room for ninc + ngap rows):
 * earlier sessions' rows before this session's, by time within each, an
 * incident before a gap of the same second.  Each array's own order is
 * kept.  Returns the number of rows.
 */
size_t	histrows_merge(const struct incident *inc, size_t ninc,
	    const struct gap *gap, size_t ngap, struct hist_row *out);
/* Rebuild a->hist from a->incidents and a->gaps. */
void	histrows_build(struct app *a);

#endif
