/*
 * secret.h: keep a secret we made (a new password) out of the text we
 * show or store: what a command printed, an error, a verification.  A
 * site's password_command or a backend's tool may echo its input; that
 * text goes to the screen and the audit, so every copy of the secret in
 * it becomes SECRET_SHOWN first.
 */
#ifndef MAILCON_SECRET_H
#define MAILCON_SECRET_H

#include <stddef.h>

#define SECRET_SHOWN	"<secret>"
#define SECRET_MIN	4	/* shorter strings are not looked for */

/*
 * Replace in buf (len bytes; room for cap, NUL included) every occurrence
 * of each secret of the NULL-terminated list (NULL: none) by SECRET_SHOWN;
 * with ended, also the first part (SECRET_MIN bytes or more) of one that
 * ends the text, where it may have been cut.  (Not while more text may
 * follow: the rest would then stand alone.)  The text is cut at cap - 1
 * should it grow.  Returns the new length; buf is NUL-terminated when
 * cap > 0.
 */
size_t	secret_scrub(char *buf, size_t len, size_t cap,
	    const char *const *secrets, int ended);
/* The same, ended, on a copy (free() it): *outlen gets its length. */
char	*secret_scrub_copy(const char *p, size_t len,
	    const char *const *secrets, size_t *outlen);

#endif
