/* jfollow.c: follow a server's journal over SSH (see jfollow.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jexport.h"
#include "jfollow.h"
#include "core/errtail.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "net/ssh_conn.h"
#include "net/ssh_exec.h"

struct jfollow {
	char			*dir;		/* or NULL */
	char			*name;
	int			 sudo;
	int			 from_start;
	follow_line_cb		 cb;
	rfollow_gap_cb		 gap;
	void			*arg;

	struct jexport		*jx;
	struct ssh_exec		*exec;
	int			 broken;	/* output not the export format */
	int			 started;	/* settled, or an entry came */
	int64_t			 settle_at;
	int64_t			 retry_at;
	unsigned		 failures;	/* ends since it last started */
	int			 checking;	/* next entry: the cursor's? */
	int			 probing;	/* the exec is the anchor probe */
	int			 been_live;
	int			 no_tail;	/* anchored: no mail entry then */
	char			 probe[JEXPORT_CURSOR_MAX + 64];
	size_t			 probe_len;

	char			 cursor[JEXPORT_CURSOR_MAX + 1];
	enum follow_state	 state;
	char			 error[300];
	struct errtail		 err;		/* journalctl's last stderr */
	struct jfollow_stats	 stats;
};

/* A gap or a skipped entry: count it and tell the owner. */
static void
jfollow_gap(struct jfollow *j, const char *why)
{
	j->stats.gaps++;
	if (j->gap != NULL)
		j->gap(why, j->arg);
}

/* jexport callback: one entry, as a line or skipped. */
static void
jfollow_entry(const char *line, size_t len, const char *cursor,
    const char *why, void *arg)
{
	struct jfollow	*j = arg;
	int		 flags = 0;

	j->started = 1;
	j->failures = 0;
	if (j->checking) {
		j->checking = 0;
		if (strcmp(cursor, j->cursor) == 0)
			return;		/* delivered before the restart */
		jfollow_gap(j, "the entry last read is no longer in the "
		    "journal (vacuumed or deleted while disconnected?): "
		    "entries after it may be lost; going on from the oldest "
		    "one it has after that");
	}
	if (cursor[0] != '\0')
		snprintf(j->cursor, sizeof(j->cursor), "%s", cursor);
	if (line == NULL) {
		j->stats.skipped++;
		jfollow_gap(j, why);
		return;
	}
	if (len > FOLLOW_LINE_MAX) {
		len = FOLLOW_LINE_MAX;
		flags = FOLLOW_LINE_TRUNCATED;
	}
	j->stats.entries++;
	j->cb(line, len, flags, j->arg);
}

/* See jfollow.h. */
struct jfollow *
jfollow_open(const char *dir, int sudo, int from_start, follow_line_cb cb,
    rfollow_gap_cb gap, void *arg)
{
	struct jfollow	*j = xcalloc(1, sizeof(*j));
	size_t		 n;

	errtail_init(&j->err);
	if (dir != NULL) {
		j->dir = xstrdup(dir);
		n = strlen(dir) + sizeof("journal ");
		j->name = xmalloc(n);
		snprintf(j->name, n, "journal %s", dir);
	} else
		j->name = xstrdup("journal");
	j->sudo = sudo;
	j->from_start = from_start;
	j->cb = cb;
	j->gap = gap;
	j->arg = arg;
	j->jx = jexport_new(jfollow_entry, j);
	j->state = FOLLOW_MISSING;
	snprintf(j->error, sizeof(j->error), "%s: starting", j->name);
	return j;
}

/* See jfollow.h. */
void
jfollow_close(struct jfollow *j)
{
	if (j == NULL)
		return;
	if (j->exec != NULL)
		ssh_exec_free(j->exec);
	jexport_free(j->jx);
	errtail_free(&j->err);
	free(j->dir);
	free(j->name);
	free(j);
}

/*
 * Is the next start the anchor probe?  Following "from now" needs a
 * place to resume at even if no entry comes before a disconnect: the
 * newest entry's cursor, or knowing there was none.
 */
static int
jfollow_probing_next(const struct jfollow *j)
{
	return j->cursor[0] == '\0' && !j->from_start && !j->no_tail;
}

/* See jfollow.h. */
int
jfollow_argv(const struct jfollow *j, char **argv, char *buf, size_t size)
{
	int	 n = 0, probe = jfollow_probing_next(j);

	argv[n++] = "exec";
	if (j->sudo) {
		argv[n++] = "sudo";
		argv[n++] = "-n";
		argv[n++] = "--";
	}
	argv[n++] = "journalctl";
	/* the probe: no -f, only the newest entry's cursor (see jfollow.h) */
	argv[n++] = probe ? "--show-cursor" : "-f";
	argv[n++] = "-q";
	argv[n++] = "-m";
	argv[n++] = "-o";
	argv[n++] = "export";
	if (j->dir != NULL) {
		argv[n++] = "-D";
		argv[n++] = j->dir;
	}
	/* checked when kept (jexport_cursor_ok) and quoted when sent */
	if (j->cursor[0] != '\0') {
		snprintf(buf, size, "--cursor=%s", j->cursor);
		argv[n++] = buf;
	} else if (!probe)
		argv[n++] = "--no-tail";
	else {
		argv[n++] = "-n";
		argv[n++] = "0";
	}
	argv[n++] = "SYSLOG_FACILITY=2";
	argv[n] = NULL;
	return n;
}

/* See jfollow.h. */
int
jfollow_input(struct jfollow *j, const char *p, size_t len)
{
	if (j->broken)
		return -1;
	if (jexport_input(j->jx, p, len) == 0)
		return 0;
	j->broken = 1;
	j->state = FOLLOW_UNREADABLE;
	snprintf(j->error, sizeof(j->error), "%s: journalctl wrote something "
	    "that is not its export format; starting it again", j->name);
	return -1;
}

/* See jfollow.h. */
void
jfollow_restart(struct jfollow *j)
{
	jexport_reset(j->jx);
	j->broken = 0;
	j->started = 0;
	j->checking = j->cursor[0] != '\0';
}

/* ssh_exec callback: stdout is the journal, stderr is kept for errors. */
static void
jfollow_on_output(void *arg, int stream, const char *p, size_t len)
{
	struct jfollow	*j = arg;

	if (stream == SSH_STDOUT && j->probing) {
		if (len > sizeof(j->probe) - j->probe_len)
			len = sizeof(j->probe) - j->probe_len;
		memcpy(j->probe + j->probe_len, p, len);
		j->probe_len += len;
	} else if (stream == SSH_STDOUT)
		(void)jfollow_input(j, p, len);
	else
		errtail_feed(&j->err, p, len);
}

/* See jfollow.h. */
int
jfollow_anchor(struct jfollow *j, const char *out, size_t len)
{
	const char	*p = out, *e = out + len, *nl;
	static const char tag[] = "-- cursor: ";

	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		if ((size_t)(nl - p) < sizeof(tag) - 1 ||
		    memcmp(p, tag, sizeof(tag) - 1) != 0)
			continue;
		p += sizeof(tag) - 1;
		if (!jexport_cursor_ok(p, (size_t)(nl - p)))
			return -1;
		snprintf(j->cursor, sizeof(j->cursor), "%.*s", (int)(nl - p),
		    p);
		return 0;
	}
	j->no_tail = 1;		/* no mail entry yet: all to come is new */
	return 0;
}

/* journalctl ended or wrote garbage: why, and when to start it again. */
static void
jfollow_ended(struct jfollow *j, struct ssh_conn *conn, int64_t now_ms)
{
	const char	*e = ssh_exec_error(j->exec), *said = errtail_last(&j->err);

	if (!j->broken) {
		j->state = FOLLOW_UNREADABLE;
		snprintf(j->error, sizeof(j->error), "%s: %s%s%s%s", j->name,
		    j->started ? "" : "the remote journal follower could not "
		    "start: ", e[0] != '\0' ? e : "journalctl ended",
		    said[0] != '\0' ? ": " : "", said);
	}
	/* it never got going: can the login run commands at all? */
	if (!j->started)
		ssh_conn_check_login(conn, now_ms);
	ssh_exec_free(j->exec);
	j->exec = NULL;
	j->retry_at = rfollow_backoff(&j->failures,
	    ssh_conn_state(conn) == SSH_LIVE, now_ms);
}

/* Start journalctl at the cursor of the last entry delivered. */
static void
jfollow_start(struct jfollow *j, struct ssh_conn *conn, int64_t now_ms)
{
	char	*argv[JFOLLOW_ARGV_MAX], cur[JEXPORT_CURSOR_MAX + 16];
	char	 err[200];

	j->probing = jfollow_probing_next(j);
	j->probe_len = 0;
	(void)jfollow_argv(j, argv, cur, sizeof(cur));
	jfollow_restart(j);
	errtail_reset(&j->err);
	j->settle_at = now_ms + JFOLLOW_SETTLE_MS;
	j->exec = ssh_exec_start_argv(conn, argv, NULL, 0, now_ms, 0,
	    jfollow_on_output, j, err, sizeof(err));
	if (j->exec == NULL) {
		snprintf(j->error, sizeof(j->error), "%s: %s", j->name, err);
		j->retry_at = now_ms + RFOLLOW_RETRY_MIN_MS;
		return;
	}
	j->stats.starts++;
}

/* See jfollow.h. */
int
jfollow_poll(struct jfollow *j, struct ssh_conn *conn, int64_t now_ms)
{
	enum follow_state	 before = j->state;
	char			 was[sizeof(j->error)];
	enum ssh_state		 st = ssh_conn_state(conn);

	snprintf(was, sizeof(was), "%s", j->error);
	if (j->exec != NULL && j->probing && ssh_exec_result(j->exec) == 1) {
		/* anchored: follow from there at once */
		if (jfollow_anchor(j, j->probe, j->probe_len) == -1) {
			j->broken = 1;
			j->state = FOLLOW_UNREADABLE;
			snprintf(j->error, sizeof(j->error), "%s: journalctl "
			    "gave a cursor mailcon cannot use", j->name);
			jfollow_ended(j, conn, now_ms);
		} else {
			ssh_exec_free(j->exec);
			j->exec = NULL;
			j->retry_at = now_ms;
		}
	}
	if (j->exec != NULL && (j->broken || ssh_exec_result(j->exec) != 0))
		jfollow_ended(j, conn, now_ms);
	if (j->exec != NULL && !j->started && !j->probing &&
	    now_ms >= j->settle_at)
		j->started = 1;
	if (j->exec != NULL && j->started && !j->broken) {
		j->failures = 0;
		j->been_live = 1;
		j->state = FOLLOW_LIVE;
		j->error[0] = '\0';
	}
	if (j->exec == NULL && (st == SSH_LIVE || st == SSH_STALE) &&
	    now_ms >= j->retry_at)
		jfollow_start(j, conn, now_ms);
	return j->state != before || strcmp(was, j->error) != 0 ?
	    FOLLOW_CHANGED : 0;
}

/* See jfollow.h. */
enum follow_state
jfollow_state(const struct jfollow *j)
{
	return j->exec != NULL ? j->state : (j->state == FOLLOW_LIVE ?
	    FOLLOW_MISSING : j->state);
}

/* See jfollow.h. */
const char *
jfollow_error(const struct jfollow *j)
{
	if (jfollow_state(j) == FOLLOW_LIVE)
		return NULL;
	return j->error[0] != '\0' ? j->error : j->name;
}

/* See jfollow.h. */
const char *
jfollow_name(const struct jfollow *j)
{
	return j->name;
}

/* See jfollow.h. */
int
jfollow_starting(const struct jfollow *j)
{
	return !j->been_live && j->failures == 0 &&
	    j->state != FOLLOW_UNREADABLE;
}

/* See jfollow.h. */
const struct jfollow_stats *
jfollow_stats(const struct jfollow *j)
{
	return &j->stats;
}

/* See jfollow.h. */
const char *
jfollow_cursor(const struct jfollow *j)
{
	return j->cursor;
}
