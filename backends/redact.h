/*
 * redact.h: hiding the secrets a log line shows, for the backends'
 * redact ops (backend.h) and backend_redact() (redact.c).
 *
 * A backend's op looks at a whole raw line (split or not: a line without
 * a header still reaches the screen) and marks the byte spans to hide;
 * backend_redact() then writes the line with each span replaced.  Spans
 * may overlap; a line with more than REDACT_SPANS of them is hidden from
 * the last one to its end.  A rule that cannot tell where a secret ends
 * hides to the end of the line: too much hidden is a line less readable,
 * too little is a password on a screen.
 */
#ifndef MAILCON_REDACT_H
#define MAILCON_REDACT_H

#include <stddef.h>

#include "backend.h"

#define REDACT_SPANS	16
#define REDACT_HIDDEN	"<hidden>"	/* Dovecot's own word for it */
#define REDACT_NONE	((size_t)-1)

struct redact {
	const char	*line;
	size_t		 len;
	struct mail_str	 prog;		/* the line's tag; empty: unsplit */
	struct {
		size_t		 s, e;		/* [s, e) of line */
		const char	*repl;		/* shown instead */
	}		 span[REDACT_SPANS];
	int		 n;
};

/* Hide [s, e) of the line, showing repl (NULL: REDACT_HIDDEN). */
void	redact_hide(struct redact *r, size_t s, size_t e, const char *repl);
/* The offset of the first needle (n bytes) at or after from, or
   REDACT_NONE. */
size_t	redact_find(const struct redact *r, size_t from, const char *needle,
	    size_t n);

/* The backends' ops (their files). */
void	dovecot_redact(struct redact *r);
void	postfix_redact(struct redact *r);

#endif
