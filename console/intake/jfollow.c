/* jfollow.c: follow a server's journal over SSH (see jfollow.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jexport.h"
#include "jfollow.h"
#include "rexec.h"
#include "source.h"
#include "core/trace.h"
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
	/* journalctl: started once it settled or an entry came, broken
	   when its output is not the export format */
	struct rexec		 rx;
	int			 checking;	/* next entry: the cursor's? */
	int			 probing;	/* the exec is the anchor probe */
	int			 been_live;
	int			 no_tail;	/* anchored: no mail entry then */
	char			 probe[JEXPORT_CURSOR_MAX + 64];
	size_t			 probe_len;

	char			 cursor[JEXPORT_CURSOR_MAX + 1];
	enum follow_state	 state;
	char			 error[300];
	struct jfollow_stats	 stats;
};

static void	jfollow_on_output(void *, const char *, size_t);

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

	j->rx.started = 1;
	j->rx.failures = 0;
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
	rexec_init(&j->rx, j->name, jfollow_on_output, j);
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
	rexec_free(&j->rx);
	jexport_free(j->jx);
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
	if (j->rx.broken)
		return -1;
	if (jexport_input(j->jx, p, len) == 0)
		return 0;
	j->rx.broken = 1;
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
	j->rx.broken = 0;
	j->rx.started = 0;
	j->checking = j->cursor[0] != '\0';
}

/* rexec callback: the journal, or the probe's answer. */
static void
jfollow_on_output(void *arg, const char *p, size_t len)
{
	struct jfollow	*j = arg;

	if (j->probing) {
		if (len > sizeof(j->probe) - j->probe_len)
			len = sizeof(j->probe) - j->probe_len;
		memcpy(j->probe + j->probe_len, p, len);
		j->probe_len += len;
	} else
		(void)jfollow_input(j, p, len);
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
	char	 why[280];

	if (!j->rx.broken) {
		j->state = FOLLOW_UNREADABLE;
		rexec_failure(&j->rx, "the remote journal follower",
		    "journalctl ended", why, sizeof(why));
		snprintf(j->error, sizeof(j->error), "%s: %s", j->name, why);
	}
	rexec_end(&j->rx, conn, now_ms);
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
	/* the probe is done when it ends; journalctl -f settles */
	if (rexec_start(&j->rx, conn, argv, NULL, 0, now_ms, 0, j->probing ?
	    0 : JFOLLOW_SETTLE_MS, err, sizeof(err)) == -1) {
		snprintf(j->error, sizeof(j->error), "%s: %s", j->name, err);
		return;
	}
	j->stats.starts++;
	trace(2, "%s: journalctl started%s%s", j->name,
	    j->probing ? " (the probe for the newest cursor)" : "",
	    j->cursor[0] != '\0' ? " at the cursor last read" : "");
}

/* See jfollow.h. */
int
jfollow_poll(struct jfollow *j, struct ssh_conn *conn, int64_t now_ms)
{
	enum follow_state	 before = j->state;
	char			 was[sizeof(j->error)];
	struct ssh_exec		*probe = rexec_channel(&j->rx);

	snprintf(was, sizeof(was), "%s", j->error);
	if (probe != NULL && j->probing && ssh_exec_result(probe) == 1) {
		/* anchored: follow from there at once */
		if (jfollow_anchor(j, j->probe, j->probe_len) == -1) {
			j->rx.broken = 1;
			j->state = FOLLOW_UNREADABLE;
			snprintf(j->error, sizeof(j->error), "%s: journalctl "
			    "gave a cursor mailcon cannot use", j->name);
			jfollow_ended(j, conn, now_ms);
		} else
			rexec_finish(&j->rx, now_ms);
	}
	if (rexec_over(&j->rx, now_ms))
		jfollow_ended(j, conn, now_ms);
	if (rexec_channel(&j->rx) != NULL && j->rx.started &&
	    !j->rx.broken) {
		j->rx.failures = 0;
		j->been_live = 1;
		j->state = FOLLOW_LIVE;
		j->error[0] = '\0';
	}
	if (rexec_due(&j->rx, conn, now_ms))
		jfollow_start(j, conn, now_ms);
	return j->state != before || strcmp(was, j->error) != 0 ?
	    FOLLOW_CHANGED : 0;
}

/* See jfollow.h. */
enum follow_state
jfollow_state(const struct jfollow *j)
{
	return rexec_channel(&j->rx) != NULL ? j->state :
	    (j->state == FOLLOW_LIVE ? FOLLOW_MISSING : j->state);
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
	return !j->been_live && j->rx.failures == 0 &&
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

/* source_ops open: the journal of a server. */
static void *
jfollow_src_open(const struct source_spec *spec,
    const struct source_cbs *cbs)
{
	return jfollow_open(spec->dir, spec->sudo, spec->from_start,
	    cbs->line, cbs->gap, cbs->arg);
}

/* source_ops close. */
static void
jfollow_src_close(void *self)
{
	jfollow_close(self);
}

/* source_ops poll: only with a connection (source_ops.remote). */
static int
jfollow_src_poll(void *self, const struct source_env *env, int64_t now_ms,
    size_t budget)
{
	return jfollow_poll(self, env->ssh, now_ms);
}

/* source_ops state. */
static enum follow_state
jfollow_src_state(const void *self)
{
	return jfollow_state(self);
}

/* source_ops error. */
static const char *
jfollow_src_error(const void *self)
{
	return jfollow_error(self);
}

/* source_ops label. */
static const char *
jfollow_src_label(const void *self)
{
	return jfollow_name(self);
}

/* source_ops starting. */
static int
jfollow_src_starting(const void *self)
{
	return jfollow_starting(self);
}

/* The journal of a server, over SSH (source.h). */
const struct source_ops source_ssh_journal_ops = {
	.name = "ssh-journal",
	.remote = 1,
	.open = jfollow_src_open,
	.close = jfollow_src_close,
	.poll = jfollow_src_poll,
	.state = jfollow_src_state,
	.error = jfollow_src_error,
	.label = jfollow_src_label,
	.starting = jfollow_src_starting,
};
