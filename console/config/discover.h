/*
 * discover.h: what a server's mail systems say about themselves, read
 * here on this machine: where they log, which addresses they send from,
 * and the server mailcon follows when none is configured.  The backends
 * say which files to read and parse their text (backend.h, struct
 * backend_discovery); this reads the files, small and local (a file is
 * read, never a tool run: nothing may hang the start).
 */
#ifndef MAILCON_DISCOVER_H
#define MAILCON_DISCOVER_H

#include <stddef.h>

#include "config.h"

struct rbl_found;

#define DISCOVER_TEXT_MAX	(1u << 20)	/* bytes of a config read */

/* The text of a small file, NUL-terminated, the caller's to free; NULL
   when it cannot be read (or is larger than DISCOVER_TEXT_MAX). */
char	*discover_read(const char *path, size_t *len);
/*
 * The path of b's configuration file for sc (sc may be NULL: the
 * default directory) into buf: buf, or NULL when b has none.
 */
const char *discover_config_path(const struct mail_backend *b,
	    const struct server_config *sc, char *buf, size_t size);
/* The log file b's configuration at path names: 1 with it in buf, or 0. */
int	discover_config_log(const struct mail_backend *b, const char *path,
	    char *buf, size_t size);
/*
 * The addresses the configuration of sc's MTA (sc NULL: the default's)
 * says it sends from, each with its key, into out (max); the file read
 * into path.  Returns how many.
 */
size_t	discover_outbound(const struct server_config *sc,
	    struct backend_value *out, size_t max, char *path,
	    size_t pathlen);
/*
 * The outbound addresses of sc (NULL: this machine with no server
 * configured), on this machine: the ones its MTA's configuration names,
 * then the interfaces' (rbl_discover.h; *out the caller's).
 */
size_t	discover_rbl(const struct server_config *sc, struct rbl_found **out,
	    char *skipped, size_t skippedlen);
/* Where journalctl is looked for. */
#define DISCOVER_JOURNAL_PATH	"/usr/bin:/bin"

/* What discover_source() chose. */
enum discover_plan {
	DISCOVER_CONFIGURED = 0,	/* logs or log_command set, SSH, or
					   fed by a log host */
	DISCOVER_FILE,		/* a log file found here */
	DISCOVER_JOURNAL,	/* the journal of the mail units */
	DISCOVER_NONE		/* nothing to read: a loud state */
};

/*
 * The log source of a server on this machine with no logs and no
 * log_command: the log file its MTA's configuration names, else the
 * files its backends look for, else, when journalctl is there, the
 * journal of its backends' units (journalctl -f -u UNIT..., -D when
 * journal_directory is set; journal = yes or journal_directory skip the
 * files).  Fills sc->logs or sc->log_argv; exists() says whether a path
 * is there (NULL: access() here).  What was chosen, in plain words, in
 * said (empty for DISCOVER_CONFIGURED).
 */
enum discover_plan discover_source(struct server_config *sc,
	    int (*exists)(const char *, void *), void *arg, char *said,
	    size_t size);
/*
 * With no [server] configured: a server "local" for this machine, its
 * mail systems probed here, its log source as discover_source() finds
 * it, its queue read with its MTA's listing when that is installed.
 * What it follows, or why nothing, in watching.
 */
void	discover_local(struct mailcon_config *cfg, char *watching,
	    size_t size);

#endif
