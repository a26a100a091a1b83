/*
 * fleet.h: servers seen through a central log host (issue 19).
 *
 * A [loghost NAME] is one source per file (intake/source.h: a local file
 * as rsyslog writes it, the same on the log host over SSH with host =
 * (fleet_ssh.h), or a command printing a journal-remote directory) whose
 * lines carry many servers' HOSTNAMEs.  Each line is split once here for its
 * HOSTNAME, which must be one a [server] with loghost = NAME gives
 * (hostname =, else its name; case-insensitive), and handed to that
 * server as if read from a file of its own (server_line): the same state,
 * rates, accounts and incidents as a server followed directly.
 *
 * A HOSTNAME no server gives (a new machine, a typo, a forged or hostile
 * one: empty, control bytes, anything but a host name's letters) is never
 * trusted to name a server: the line is counted under "unknown host" and
 * said once per name, and nothing acts on it.
 *
 * A server whose HOSTNAME has not appeared for the log host's silent
 * duration while other lines arrive there is "silent" (server.h): its
 * state goes to partial, which the owner alerts on as for any server that
 * stops.
 *
 * Owned by the loop's thread (app.c, cmd_act.c); borrows the servers.
 */
#ifndef MAILCON_FLEET_H
#define MAILCON_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct loop;
struct server;

#define FLEET_UNKNOWN_MAX	64	/* unknown names kept, then counted */

/* A HOSTNAME that names no server: as shown (escaped), and its lines. */
struct fleet_unknown {
	char		 name[96];	/* sanitised; "(none)" when empty */
	unsigned	 loghost;	/* index in the config's loghosts */
	uint64_t	 lines;
};

struct fleet;

/*
 * The log hosts of cfg, routing to servers[0..n) (those with loghost =);
 * NULL when cfg has no [loghost].  from_start: read what the files hold.
 * on_unknown (may be NULL) is called with arg the first time a name is
 * seen, with the line (raw: the callee escapes it).
 */
struct fleet	*fleet_new(const struct mailcon_config *cfg,
		    struct server **servers, size_t n, int from_start, int utc,
		    void (*on_unknown)(void *, const char *loghost,
		    const struct fleet_unknown *, const char *line, size_t len),
		    void *arg);
void		 fleet_free(struct fleet *f);
/*
 * Read the streams (at most budget bytes each) with loop watching what
 * a command starts, and settle which servers are silent at now_ms.
 * Nonzero when a stream has more waiting.
 */
int		 fleet_poll(struct fleet *f, struct loop *loop, int64_t now_ms,
		    size_t budget);
/*
 * Read the rotated files beside each log host file (rotated.h's, oldest
 * first: not the compressed ones) whole, before the first fleet_poll
 * reads the live files from their start: mailcon act's look at an
 * account's earlier lines.  Returns how many were read; note gets what
 * could not be ("" when all were).
 */
size_t		 fleet_read_rotated(struct fleet *f, int year, int utc,
		    char *note, size_t notelen);
/*
 * A log host read over SSH (host =): cb is called with fleet_new's arg,
 * the log host's name and its connection's state in plain words ("live",
 * "hostkey-unknown: ...") when that changes.
 */
void		 fleet_on_state(struct fleet *f, void (*cb)(void *,
		    const char *loghost, const char *status));
/* The unknown names so far (at most FLEET_UNKNOWN_MAX), and the lines of
   names beyond those. */
const struct fleet_unknown *fleet_unknown(const struct fleet *f, size_t *n,
		    uint64_t *more);
/* Lines read from every stream, and of those the ones of unknown hosts. */
uint64_t	 fleet_lines(const struct fleet *f, uint64_t *unknown);
/* Handle one line as if read from log host i's stream (tests). */
void		 fleet_line(struct fleet *f, size_t i, const char *line,
		    size_t len);

#endif
