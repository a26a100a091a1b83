/* rexec.c: a follower's remote program and its restarts; see rexec.h. */
#include <stdio.h>
#include <string.h>

#include "rexec.h"
#include "core/trace.h"
#include "net/ssh_conn.h"
#include "net/ssh_exec.h"

/* ssh_exec callback: stdout to the follower, stderr kept for errors. */
static void
rexec_on_output(void *arg, int stream, const char *p, size_t len)
{
	struct rexec	*rx = arg;

	if (stream == SSH_STDOUT)
		rx->out(rx->arg, p, len);
	else
		errtail_feed(&rx->err, p, len);
}

/* ssh_exec end callback: the channel is done; the next poll says why. */
static void
rexec_on_end(void *arg)
{
	struct rexec	*rx = arg;

	rx->ended = 1;
	trace(2, "%s: the remote program's channel ended (%s)", rx->name,
	    ssh_exec_error(rx->exec)[0] != '\0' ? ssh_exec_error(rx->exec) :
	    "exit status 0");
}

/* See rexec.h. */
void
rexec_init(struct rexec *rx, const char *name, rexec_out_cb out, void *arg)
{
	memset(rx, 0, sizeof(*rx));
	rx->name = name;
	rx->out = out;
	rx->arg = arg;
	errtail_init(&rx->err);
}

/* See rexec.h. */
void
rexec_free(struct rexec *rx)
{
	if (rx->exec != NULL)
		ssh_exec_free(rx->exec);
	rx->exec = NULL;
	errtail_free(&rx->err);
}

/* See rexec.h. */
int
rexec_start(struct rexec *rx, struct ssh_conn *conn, char *const argv[],
    const char *input, size_t len, int64_t now_ms, int start_ms,
    int settle_ms, char *err, size_t errlen)
{
	errtail_reset(&rx->err);
	rx->started = rx->broken = rx->ended = 0;
	rx->start_by = start_ms > 0 ? now_ms + start_ms : 0;
	rx->settle_at = settle_ms > 0 ? now_ms + settle_ms : 0;
	rx->exec = ssh_exec_start_argv(conn, argv, input, len, now_ms, 0,
	    rexec_on_output, rx, err, errlen);
	if (rx->exec == NULL) {
		rx->retry_at = now_ms + REXEC_RETRY_MIN_MS;
		trace(1, "%s: the remote program could not start: %s",
		    rx->name, err);
		return -1;
	}
	ssh_exec_on_end(rx->exec, rexec_on_end);
	rx->starts++;
	trace(2, "%s: remote program started (start %llu)", rx->name,
	    (unsigned long long)rx->starts);
	return 0;
}

/* See rexec.h. */
int
rexec_hung(const struct rexec *rx, int64_t now_ms)
{
	return rx->exec != NULL && !rx->started && !rx->broken &&
	    rx->start_by != 0 && now_ms >= rx->start_by;
}

/* See rexec.h. */
int
rexec_over(struct rexec *rx, int64_t now_ms)
{
	if (rx->exec == NULL)
		return 0;
	if (rx->broken || rx->ended || ssh_exec_result(rx->exec) != 0)
		return 1;
	if (!rx->started && rx->settle_at != 0 && now_ms >= rx->settle_at)
		rx->started = 1;
	return 0;
}

/* See rexec.h. */
void
rexec_end(struct rexec *rx, struct ssh_conn *conn, int64_t now_ms)
{
	/* it never got going: can the login run commands at all? */
	if (!rx->started)
		ssh_conn_check_login(conn, now_ms);
	ssh_exec_free(rx->exec);
	rx->exec = NULL;
	rx->broken = rx->ended = 0;
	rx->retry_at = rexec_backoff(&rx->failures,
	    ssh_conn_state(conn) == SSH_LIVE, now_ms);
	trace(2, "%s: remote program ended; next start in %lld ms",
	    rx->name, (long long)(rx->retry_at > now_ms ?
	    rx->retry_at - now_ms : 0));
}

/* See rexec.h. */
void
rexec_finish(struct rexec *rx, int64_t now_ms)
{
	ssh_exec_free(rx->exec);
	rx->exec = NULL;
	rx->broken = rx->ended = 0;
	rx->failures = 0;
	rx->retry_at = now_ms;
}

/* See rexec.h. */
int
rexec_due(const struct rexec *rx, struct ssh_conn *conn, int64_t now_ms)
{
	enum ssh_state	 st = ssh_conn_state(conn);

	return rx->exec == NULL && (st == SSH_LIVE || st == SSH_STALE) &&
	    now_ms >= rx->retry_at;
}

/* See rexec.h. */
void
rexec_failure(struct rexec *rx, const char *what, const char *ended,
    char *buf, size_t size)
{
	const char	*e = ssh_exec_error(rx->exec);
	const char	*said = errtail_last(&rx->err);

	snprintf(buf, size, "%s%s%s%s%s%s", rx->started ? "" : what,
	    rx->started ? "" : " could not start: ",
	    e[0] != '\0' ? e : ended, said[0] != '\0' ? ": " : "", said,
	    /* sshd's own refusals (ChrootDirectory, a session limit) end
	       the session with 255 and say nothing */
	    !rx->started && said[0] == '\0' &&
	    ssh_exec_status(rx->exec) == 255 ? " (the server's sshd ended "
	    "the session: see its log)" : "");
}

/* See rexec.h. */
struct ssh_exec *
rexec_channel(const struct rexec *rx)
{
	return rx->exec;
}

/* See rexec.h. */
int64_t
rexec_backoff(unsigned *failures, int conn_live, int64_t now_ms)
{
	uint64_t	 wait = REXEC_RETRY_MIN_MS;
	unsigned	 i;

	/* a dropped connection retries as soon as it is back: its own
	   backoff paces that; a program that ends on a live one waits */
	if (!conn_live)
		return 0;
	for (i = 0; i < *failures && wait < REXEC_RETRY_MAX_MS; i++)
		wait *= 2;
	if (wait > REXEC_RETRY_MAX_MS)
		wait = REXEC_RETRY_MAX_MS;
	(*failures)++;
	return now_ms + (int64_t)wait;
}
