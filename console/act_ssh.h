/*
 * act_ssh.h: `mailcon act` on a server behind SSH: the connection, made
 * and awaited here (nobody else drives it), and the read of the server's
 * logs over it, for the queue ids the account's logins produced.
 *
 * Both block, each under its own deadline: act has no screen to keep
 * alive.  Nothing is ever trusted unattended: an unknown host key ends
 * the connection attempt with what to do, it is never accepted here.
 */
#ifndef MAILCON_ACT_SSH_H
#define MAILCON_ACT_SSH_H

#include <stddef.h>

#include "config.h"

#define ACT_SSH_CONNECT_MS	30000	/* until live, at most */
#define ACT_SSH_LOGS_MS		60000	/* reading all the logs, at most */
#define ACT_SSH_LOG_BYTES	(256u << 20)	/* the newest bytes of a log */

struct server;
struct ssh_conn;

/*
 * Connect to sc's server and wait until the connection is live, parked
 * (host key unknown or changed, key refused, unusable config), failed
 * (unreachable: mailcon act does not retry), or timeout_ms passed.  The
 * live connection, or NULL with err saying which and what to do.
 */
struct ssh_conn	*act_ssh_connect(const struct server_config *sc,
		    int timeout_ms, char *err, size_t errlen);
/*
 * Read sc's log files on the server over c (the newest
 * ACT_SSH_LOG_BYTES of each, within ACT_SSH_LOGS_MS in all) into s, a
 * server without sources of its own, line by line as server_line().
 * Returns how many files were read whole; note gets what went wrong
 * ("" when nothing did).
 */
size_t		 act_ssh_read_logs(struct server *s, struct ssh_conn *c,
		    const struct server_config *sc, int utc, char *note,
		    size_t notelen);

#endif
