/*
 * notelog.h: every message the console put on its status line, kept for
 * reading back in the messages view: the status line shows one at a time
 * and cuts it at the screen's width.  Bounded: the oldest goes first.
 * Consecutive repeats are one entry with a count.
 */
#ifndef MAILCON_NOTELOG_H
#define MAILCON_NOTELOG_H

#include <stddef.h>
#include <stdint.h>

#define NOTELOG_MAX	256	/* entries kept */
#define NOTELOG_TEXT	512	/* bytes kept of one (cut at a word) */

struct note_entry {
	int64_t		 at;		/* UTC seconds, the last time said */
	uint32_t	 count;		/* said this many times in a row */
	uint8_t		 lasting;	/* a lasting warning (app_warn) */
	char		 text[NOTELOG_TEXT];
};

struct notelog {
	struct note_entry	*v;	/* NOTELOG_MAX, on the first add */
	size_t			 head;	/* next slot to write */
	size_t			 n;
	uint64_t		 total;	/* entries ever added (repeats not) */
};

/* Keep text said at at (a repeat of the newest counts it again). */
void	notelog_add(struct notelog *l, int64_t at, int lasting,
	    const char *text);
/* The i-th entry, oldest first (i < l->n). */
const struct note_entry *notelog_get(const struct notelog *l, size_t i);
void	notelog_free(struct notelog *l);

#endif
