/*
 * errtail.h: the last line a remote program wrote on stderr, for the
 * message when it fails.  stderr arrives in chunks of any size ("sudo" and
 * ": a password is required\n" may come apart), so bytes are gathered into
 * lines first (linebuf.h); the last non-empty one is kept, escaped for the
 * terminal (sanitize.h).
 */
#ifndef MAILCON_ERRTAIL_H
#define MAILCON_ERRTAIL_H

#include <stddef.h>

#include "linebuf.h"

#define ERRTAIL_LINE_MAX	512	/* raw bytes of a line kept */

struct errtail {
	struct linebuf	 lb;
	char		 last[160];	/* escaped; "" when none yet */
};

void	errtail_init(struct errtail *t);
void	errtail_free(struct errtail *t);
/* Forget what was said (a new run of the program). */
void	errtail_reset(struct errtail *t);
void	errtail_feed(struct errtail *t, const char *p, size_t len);
/* The last line, a final one without its newline included. */
const char *errtail_last(struct errtail *t);

#endif
