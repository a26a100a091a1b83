/*
 * backend_wiring.h: does the mail system read what mailcon changes? a
 * backend's read of its live configuration and the judge of it (struct
 * mail_backend's wiring, backend.h); the shared part is wiring.c.
 */
#ifndef MAILCON_BACKEND_WIRING_H
#define MAILCON_BACKEND_WIRING_H

#include <stddef.h>

struct backend_env;
struct backend_step;


/*
 * The files an action changes only work when the live configuration reads
 * them: a deny file Dovecot has no deny passdb for, or a map Postfix names
 * in no restriction list, is an account still logging in and sending
 * after "suspended".  The wiring is each role's read of its live
 * configuration (Postfix: postconf -nx and postconf -Px; Dovecot:
 * doveconf -n), plus the tools and files its actions need, and a pure
 * judge of what that read printed.
 *
 * The read is a struct backend_step (a read-only /bin/sh script and its
 * template; run as any step, here, over SSH or through sudo) that prints
 * sections, each a line "@mailcon NAME" then what the tool printed, and
 * "@mailcon status N" after it (wiring_section() finds one).  It exits 0
 * whatever it found: what is wrong is the judge's to say.
 *
 * judge reads that output with the server's option values (env; the
 * paths the steps write) and appends findings to f (at most max), each
 * one line of plain words and, when something is not as it must be, the
 * exact line to add or the thing to do.  Pure: fixtures of real output
 * drive its tests.
 */
enum wiring_part {
	WIRE_CONFIG = 0,	/* the configuration could be read */
	WIRE_LOGINS,		/* auth: the deny file is read: logins refused */
	WIRE_MAIL,		/* MTA: the map is read: mail refused */
	WIRE_PASSWD,		/* auth: the reset's passwd-file is read */
	WIRE_TOOL,		/* a tool an action runs is there */
	WIRE_FILE		/* a file an action changes is there, writable */
};

enum wiring_state {
	WIRE_OK = 0,		/* as it must be */
	WIRE_MISSING,		/* not wired, not there: the fix says what */
	WIRE_UNKNOWN,		/* cannot tell (a variable in a path) */
	WIRE_UNSET,		/* the option is not set: nothing to check */
	WIRE_NOTE		/* works, with a gap worth knowing (the fix) */
};

#define WIRING_TEXT	384

struct wiring_finding {
	enum wiring_part	 part;
	enum wiring_state	 state;
	char			 text[WIRING_TEXT];	/* plain words */
	char			 fix[WIRING_TEXT];	/* "add ... to ..."; ""
							   when nothing to do */
};

struct backend_wiring {
	const struct backend_step *read;
	size_t			(*judge)(const char *out, size_t len,
				    const struct backend_env *env,
				    struct wiring_finding *f, size_t max);
};

/*
 * In the output of a wiring read, the body of section name (after its
 * "@mailcon NAME" line, up to the next "@mailcon" line; bodylen 0 when
 * empty) and the status its "@mailcon status N" line gives (-1 when
 * none).  1, or 0 (*body NULL) when the output has no such section.
 */
int	wiring_section(const char *out, size_t len, const char *name,
	    const char **body, size_t *bodylen, int *status);
/* Append a finding (printf-style text; fix may be NULL) when there is
   room; returns the new count. */
size_t	wiring_add(struct wiring_finding *f, size_t n, size_t max,
	    enum wiring_part part, enum wiring_state state, const char *fix,
	    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* The value of option name in env (configured, else NULL): the judges'
   view of the paths the steps write. */
const char *wiring_opt(const struct backend_env *env, const char *name);
/* The "@mailcon tool NAME PATH"/"notool NAME" and "@mailcon file PATH
   STATE" lines of a read, as findings (the steps need them). */
size_t	wiring_tools_files(const char *out, size_t len,
	    struct wiring_finding *f, size_t n, size_t max);

#endif /* MAILCON_BACKEND_WIRING_H */
