/*
 * rexec.h: the life of a remote program a follower runs on an exec
 * channel of a server's SSH connection, shared by the file follower
 * (rfollow.h) and the journal follower (jfollow.h): starting it, keeping
 * the last line of its stderr for the message (errtail.h), noticing that
 * it ended (the channel tells, ssh_exec_on_end()), that it never got
 * going (a deadline) or that it settled, checking then whether the login
 * runs commands at all, and starting it again with a backoff.
 *
 * The follower keeps a struct rexec in its own and drives it from its
 * poll:
 *
 *	if (rexec_hung(rx, now))	-> its own message, then broken
 *	if (rexec_over(rx))		-> its own message (rexec_failure()),
 *					   then rexec_end()
 *	if (rexec_due(rx, conn, now))	-> its argv, then rexec_start()
 *
 * What the program says on stdout goes to the follower's callback as it
 * arrives (from within ssh_conn_step()); the follower sets started when
 * the program has shown it runs, broken when what it said was not the
 * program's.
 */
#ifndef MAILCON_REXEC_H
#define MAILCON_REXEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/errtail.h"

#define REXEC_RETRY_MIN_MS	2000	/* it ended on a live connection */
#define REXEC_RETRY_MAX_MS	60000

struct ssh_conn;
struct ssh_exec;

/* Bytes of the program's stdout. */
typedef void	(*rexec_out_cb)(void *arg, const char *p, size_t len);

struct rexec {
	const char	*name;		/* the follower's, for the trace */
	rexec_out_cb	 out;
	void		*arg;
	struct ssh_exec	*exec;		/* NULL: not running */
	struct errtail	 err;		/* the last line of its stderr */
	int		 started;	/* it showed it runs (the follower's
					   word, or settle_ms of running) */
	int		 broken;	/* set by the follower: restart it */
	int		 ended;		/* the channel said it ended */
	int64_t		 start_by;	/* not started by then: hung; 0 none */
	int64_t		 settle_at;	/* started by then if running; 0 none */
	int64_t		 retry_at;
	unsigned	 failures;	/* ends since it last started */
	uint64_t	 starts;
};

void	rexec_init(struct rexec *rx, const char *name, rexec_out_cb out,
	    void *arg);
/* Abandon a running program (its channel is closed) and free. */
void	rexec_free(struct rexec *rx);
/*
 * Start argv (NULL-terminated, quoted for the remote shell) with input
 * on its stdin, on conn.  start_ms: it must show it runs within that
 * (0: no deadline); settle_ms: running that long counts as started (0:
 * only the follower says).  0, or -1 with err set and a retry planned.
 */
int	rexec_start(struct rexec *rx, struct ssh_conn *conn,
	    char *const argv[], const char *input, size_t len,
	    int64_t now_ms, int start_ms, int settle_ms, char *err,
	    size_t errlen);
/* Running, not started by its deadline, not broken: hung. */
int	rexec_hung(const struct rexec *rx, int64_t now_ms);
/* Running and ended (or broken): the follower says why, then
   rexec_end().  Also marks it started once it has settled. */
int	rexec_over(struct rexec *rx, int64_t now_ms);
/*
 * Free the ended program; when it never got going, have the connection
 * check that the login runs commands at all; plan the next start with
 * rexec_backoff().
 */
void	rexec_end(struct rexec *rx, struct ssh_conn *conn, int64_t now_ms);
/* It did what it was for (a probe that answered): free it; the next
   start may come at once, and nothing counts as a failure. */
void	rexec_finish(struct rexec *rx, int64_t now_ms);
/* Not running, the connection up, and the retry time come. */
int	rexec_due(const struct rexec *rx, struct ssh_conn *conn,
	    int64_t now_ms);
/*
 * Why it ended, for "NAME: " + this: "[what could not start: ]" the
 * channel's error or ended, ": " its last stderr line, and a word when
 * sshd itself ended a session that never started.
 */
void	rexec_failure(struct rexec *rx, const char *what,
	    const char *ended, char *buf, size_t size);
/* The channel (for a probe's output); NULL when not running. */
struct ssh_exec *rexec_channel(const struct rexec *rx);

/*
 * When a remote command that ended may start again: at once when the
 * connection is not live (its own backoff paces the reconnect), else
 * after 2 s doubling per failure up to 60 s.
 */
int64_t	rexec_backoff(unsigned *failures, int conn_live, int64_t now_ms);

#endif
