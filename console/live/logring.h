/*
 * logring.h: the most recent log lines of every server, for the live log
 * view.  Bounded: the oldest line is dropped when the ring is full.  Text
 * is stored raw (truncated) and sanitised only when drawn.
 */
#ifndef MAILCON_LOGRING_H
#define MAILCON_LOGRING_H

#include <stddef.h>
#include <stdint.h>

#define LOGRING_LINE_MAX 1024	/* bytes kept of a line */

struct logring_line {
	int64_t		 time;
	uint16_t	 server;
	uint8_t		 kind;		/* enum mail_event_kind, EV_NONE */
	uint8_t		 level;		/* account level when flagged */
	uint16_t	 len;
	uint16_t	 size;		/* bytes allocated at text */
	char		*text;		/* len bytes, not NUL-terminated */
};

struct logring {
	struct logring_line	*v;
	size_t			 cap;
	size_t			 head;	/* next slot to write */
	size_t			 n;
	uint64_t		 total;	/* lines ever added */
};

void	logring_init(struct logring *r, size_t cap);
void	logring_free(struct logring *r);
void	logring_add(struct logring *r, int64_t time, unsigned server,
	    unsigned kind, const char *text, size_t len);
/* The i-th line, oldest first (i < r->n). */
const struct logring_line *logring_get(const struct logring *r, size_t i);

#endif
