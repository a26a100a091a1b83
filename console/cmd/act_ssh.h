/*
 * act_ssh.h: `mailcon act` on a server behind SSH: the connection, made
 * and awaited here (nobody else drives it), and the read of the server's
 * logs over it, for the queue ids the account's logins produced.
 *
 * Both block, each under its own deadline: act has no screen to keep
 * alive.  A host name is looked up first, by the resolver the console
 * uses ([console] resolver, else the system's) and under its deadline.
 * Nothing is ever trusted unattended: an unknown host key ends the
 * connection attempt with what to do, it is never accepted here.  Once
 * live, the login is checked to run commands (ssh_conn_check_login()),
 * so that a nologin shell or a forced command is refused with the
 * remote's own words before anything runs.
 */
#ifndef MAILCON_ACT_SSH_H
#define MAILCON_ACT_SSH_H

#include <stddef.h>

#include "config/config.h"

#define ACT_SSH_CONNECT_MS	30000	/* until live, at most */
#define ACT_SSH_LOGS_MS		60000	/* reading all the logs, at most */
#define ACT_SSH_LOG_BYTES	(256u << 20)	/* the newest bytes of a log */
/* the newest entries of the journal: about as many bytes as a log file */
#define ACT_SSH_JOURNAL_ENTRIES	1000000u

struct resolver;
struct server;
struct ssh_conn;

/*
 * mailcon act's connection and the resolver of its host name (NULL for
 * an address), which must live as long as the connection: both are freed
 * by act_ssh_close().
 */
struct act_ssh {
	struct ssh_conn	*conn;
	struct resolver	*res;
};

/*
 * Connect to sc's server (a name looked up with resolver, "IP[:PORT]" or
 * NULL for the system's) and wait until the connection is live, parked
 * (host key unknown or changed, key refused, unusable config), failed
 * (unreachable or no such host: mailcon act does not retry), or
 * timeout_ms passed.  0 with x->conn live, or -1 (nothing kept) with err
 * saying which and what to do.
 */
int		 act_ssh_connect(struct act_ssh *x,
		    const struct server_config *sc, const char *resolver,
		    int timeout_ms, char *err, size_t errlen);
/* Close the connection, then free the resolver; x may be unused. */
void		 act_ssh_close(struct act_ssh *x);
/*
 * Read sc's log files on the server over c (the newest
 * ACT_SSH_LOG_BYTES of each, within ACT_SSH_LOGS_MS in all) and, with
 * journal = yes, the newest ACT_SSH_JOURNAL_ENTRIES of its journal's
 * mail facility (journalctl -o short-iso, through sudo with sudo = yes),
 * into s, a server without sources of its own, line by line as
 * server_line().  Returns how many logs (files, the journal) were read
 * whole; note gets what went wrong ("" when nothing did).
 */
size_t		 act_ssh_read_logs(struct server *s, struct ssh_conn *c,
		    const struct server_config *sc, int utc, char *note,
		    size_t notelen);

/*
 * Read the files paths[0..n) on sc's host (a log host's) over c: of each,
 * the newest ACT_SSH_LOG_BYTES of its rotated copies (not the compressed
 * ones), oldest first, and itself, each line to line(arg, ...).  Returns
 * how many were read whole; note as act_ssh_read_logs().
 */
size_t		 act_ssh_read_rotated(struct ssh_conn *c,
		    const struct server_config *sc, char *const *paths,
		    size_t n, void (*line)(void *, const char *, size_t),
		    void *arg, char *note, size_t notelen);

#endif
