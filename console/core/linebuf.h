/*
 * linebuf.h: bytes that arrive in chunks of any size (a command's output,
 * an SSH channel) assembled into lines.  A line longer than the buffer is
 * handed on cut to its first max bytes, flagged, and the rest of it is
 * dropped; memory stays bounded whatever the input.
 */
#ifndef MAILCON_LINEBUF_H
#define MAILCON_LINEBUF_H

#include <stddef.h>

/* One line, without its newline; cut: it was longer than max. */
typedef void	(*linebuf_cb)(void *arg, const char *line, size_t len,
		    int cut);

struct linebuf {
	char	*line;		/* max bytes, owned */
	size_t	 len, max;
	int	 cut;		/* the line held is over max */
};

void	linebuf_init(struct linebuf *b, size_t max);
void	linebuf_free(struct linebuf *b);
/* Split n bytes at p into lines, each handed to cb. */
void	linebuf_feed(struct linebuf *b, const char *p, size_t n,
	    linebuf_cb cb, void *arg);
/* The input ended: hand on a last line that had no newline. */
void	linebuf_end(struct linebuf *b, linebuf_cb cb, void *arg);

#endif
