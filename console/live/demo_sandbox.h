/*
 * demo_sandbox.h: the private server the demo's action keys act on
 * (backends/sandbox.h says what it holds), in the demo's temporary
 * directory: made at the start, changed as the replay goes, removed with
 * everything in it at the end.
 */
#ifndef MAILCON_DEMO_SANDBOX_H
#define MAILCON_DEMO_SANDBOX_H

#include <stddef.h>

#include "config/config.h"

struct log_header;

#define DEMO_ACCOUNTS_MAX	256

/* The accounts given a line in the sandbox's users file. */
struct demo_accounts {
	char	*v[DEMO_ACCOUNTS_MAX];
	size_t	 n;
};

/* Make the sandbox's files in dir (an empty private directory). */
int	demo_sandbox_make(const char *dir, char *err, size_t errlen);
/* Point sc (the demo's server) at the sandbox in dir: Postfix + Dovecot,
   its options, the stand-in tools first in PATH. */
int	demo_sandbox_server(const char *dir, struct server_config *sc,
	    char *err, size_t errlen);
/* What the replayed line of header h changes in the sandbox, done. */
void	demo_sandbox_line(const char *dir, struct demo_accounts *accts,
	    const struct log_header *h);
/* Remove dir and everything in it; forget accts.  -1 when something
   stayed. */
int	demo_sandbox_remove(const char *dir, struct demo_accounts *accts);

#endif
