/*
 * sandbox.h: the demo's private stand-in for a mail server, so that
 * `mailcon --demo` can show its action keys doing what they do on a real
 * server, with no root and no Postfix or Dovecot running.
 *
 * The sandbox is a directory (the console makes it, private, and removes
 * it at exit) holding sandbox_files: a bin/ of stand-ins for postqueue,
 * postsuper, postmap and doveadm (put first in PATH), Postfix's
 * configuration directory with a queue of one file per message, a
 * check_sasl_access map, a Dovecot deny file and users file.  The demo's
 * server is Postfix + Dovecot with sandbox_options set to those paths, so
 * the real backends' templates, scripts, parsers and checks act on it:
 * the same containment engine, dialogs, results and verification.
 *
 * As the replay writes a line, sandbox_event() says what it changes
 * there: a message queued (a file in the queue), removed (gone from it),
 * an account named (its line in the users file, once).  Pure: the
 * console does the I/O.
 */
#ifndef MAILCON_SANDBOX_H
#define MAILCON_SANDBOX_H

#include <stddef.h>

struct mail_event;

#define SANDBOX_BIN	"bin"
#define SANDBOX_MTA	"postfix"
#define SANDBOX_AUTH	"dovecot"
#define SANDBOX_MAP	"postfix/sasl_access"
#define SANDBOX_DENY	"dovecot/deny"
#define SANDBOX_PASSWD	"dovecot/users"
#define SANDBOX_TEXT_MAX	1024

/* A file or directory (path ends in '/', text NULL) of the sandbox,
   relative to it; the list ends with a NULL path. */
struct sandbox_file {
	const char	*path;
	const char	*text;
	unsigned	 mode;
};
extern const struct sandbox_file sandbox_files[];

/* A [server] option of the demo's server and its path in the sandbox;
   ends with a NULL key. */
struct sandbox_option {
	const char	*key;
	const char	*path;
};
extern const struct sandbox_option sandbox_options[];

enum sandbox_op {
	SANDBOX_WRITE = 1,	/* write text as path (a new file) */
	SANDBOX_REMOVE,		/* remove path if it is there */
	SANDBOX_ACCOUNT		/* append text to path, once per account
				   (text up to its first ':') */
};

struct sandbox_change {
	enum sandbox_op	 op;
	char		 path[96];		/* relative to the sandbox */
	char		 text[SANDBOX_TEXT_MAX];
};

/* What ev changes in the sandbox: fills out (room for
   SANDBOX_CHANGES_MAX) and returns how many. */
#define SANDBOX_CHANGES_MAX	3
size_t	sandbox_event(const struct mail_event *ev,
	    struct sandbox_change *out);

#endif
