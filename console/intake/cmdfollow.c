/* cmdfollow.c: a command's output followed like a log file, restarted. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cmdfollow.h"
#include "source.h"
#include "core/job.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"

#define CMD_BUF		(64u * 1024)	/* a line longer than this is cut */
#define CMD_BACKOFF_MS	5000
#define CMD_BACKOFF_MAX	60000

struct cmdfollow {
	char		**argv;
	struct loop	*loop;		/* or NULL: read in cmdfollow_poll */
	follow_line_cb	 cb;
	void		*arg;
	struct job	*job;		/* NULL: not running */
	char		*buf;		/* partial line */
	size_t		 len;
	int		 skipping;	/* inside an overlong line */
	size_t		 got;		/* stdout bytes since the last poll */
	char		 errtext[256];	/* first line of stderr */
	char		 message[512];	/* why it is not running */
	int64_t		 now;		/* the last poll's now_ms */
	int64_t		 restart_ms;	/* when to start again */
	int		 backoff_ms;
	unsigned	 starts;
};

/* See cmdfollow.h. */
struct cmdfollow *
cmdfollow_open_loop(char *const argv[], struct loop *l, follow_line_cb cb,
    void *arg)
{
	struct cmdfollow	*c = xcalloc(1, sizeof(*c));
	size_t			 n, i;

	for (n = 0; argv[n] != NULL; n++)
		;
	c->argv = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		c->argv[i] = xstrdup(argv[i]);
	c->loop = l;
	c->cb = cb;
	c->arg = arg;
	c->buf = xmalloc(CMD_BUF);
	c->backoff_ms = CMD_BACKOFF_MS;
	snprintf(c->message, sizeof(c->message), "%s: starting", argv[0]);
	return c;
}

/* See cmdfollow.h. */
struct cmdfollow *
cmdfollow_open(char *const argv[])
{
	return cmdfollow_open_loop(argv, NULL, NULL, NULL);
}

/* Hand the complete lines of the buffer on; keep a partial one. */
static void
cmd_lines(struct cmdfollow *c)
{
	char	*nl, *p = c->buf;
	size_t	 rest = c->len;

	while ((nl = memchr(p, '\n', rest)) != NULL) {
		*nl = '\0';
		if (!c->skipping && c->cb != NULL)
			c->cb(p, (size_t)(nl - p), 0, c->arg);
		c->skipping = 0;
		rest -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	if (rest == CMD_BUF) {
		/* no newline in a whole buffer: cut, drop the rest */
		if (!c->skipping && c->cb != NULL)
			c->cb(p, rest, FOLLOW_LINE_TRUNCATED, c->arg);
		c->skipping = 1;
		rest = 0;
	}
	memmove(c->buf, p, rest);
	c->len = rest;
}

/* job output: stdout is the log, the first line of stderr is kept. */
static void
cmd_output(void *arg, int stream, const char *p, size_t n)
{
	struct cmdfollow	*c = arg;
	const char		*nl;
	size_t			 take;

	if (stream == JOB_STDERR) {
		if (c->errtext[0] == '\0') {
			if ((nl = memchr(p, '\n', n)) != NULL)
				n = (size_t)(nl - p);
			sanitize_text(c->errtext, sizeof(c->errtext), p, n);
		}
		return;
	}
	if (c->backoff_ms > CMD_BACKOFF_MS)
		c->backoff_ms = CMD_BACKOFF_MS;	/* it works again */
	c->got += n;
	while (n > 0) {
		take = CMD_BUF - c->len < n ? CMD_BUF - c->len : n;
		memcpy(c->buf + c->len, p, take);
		c->len += take;
		p += take;
		n -= take;
		cmd_lines(c);
	}
}

/* job done: the command was reaped and its output read: why, and when
   it starts again. */
static void
cmd_done(void *arg, int status, int exec_errno)
{
	struct cmdfollow	*c = arg;
	char			 why[64];

	/* a last line without its newline is a line all the same */
	if (c->len > 0 && !c->skipping && c->cb != NULL) {
		c->buf[c->len] = '\0';
		c->cb(c->buf, c->len, FOLLOW_LINE_PARTIAL, c->arg);
	}
	c->len = 0;
	c->skipping = 0;
	if (exec_errno != 0)
		snprintf(c->errtext, sizeof(c->errtext), "cannot run it: %s",
		    strerror(exec_errno));
	if (status != -1 && WIFEXITED(status))
		snprintf(why, sizeof(why), "exited with status %d",
		    WEXITSTATUS(status));
	else if (status != -1 && WIFSIGNALED(status))
		snprintf(why, sizeof(why), "killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(why, sizeof(why), "ended");
	snprintf(c->message, sizeof(c->message), "%s %s%s%s; retrying in %d s",
	    c->argv[0], why, c->errtext[0] ? ": " : "", c->errtext,
	    c->backoff_ms / 1000);
	trace(1, "command %s: %s", c->argv[0], c->message);
	job_free(c->job);
	c->job = NULL;
	/* with a loop, this comes from it, between polls */
	c->restart_ms = (c->loop != NULL ? loop_now_ms() : c->now) +
	    c->backoff_ms;
	if (c->backoff_ms < CMD_BACKOFF_MAX)
		c->backoff_ms *= 2;
}

/* Start the command; on failure the message says why. */
static void
cmd_start(struct cmdfollow *c, int64_t now_ms)
{
	struct job_cbs	 cbs = { cmd_output, cmd_done, c };
	char		 err[300];

	c->len = 0;
	c->skipping = 0;
	c->errtext[0] = '\0';
	if ((c->job = job_start(c->loop, c->argv, NULL, &cbs, 0, err,
	    sizeof(err))) == NULL) {
		snprintf(c->message, sizeof(c->message), "%s", err);
		c->restart_ms = now_ms + c->backoff_ms;
		return;
	}
	c->starts++;
	trace(2, "command %s: started (pid %ld)", c->argv[0],
	    (long)job_pid(c->job));
}

/* See cmdfollow.h. */
int
cmdfollow_poll(struct cmdfollow *c, int64_t now_ms, follow_line_cb cb,
    void *arg, size_t max_bytes)
{
	int	 running;

	if (cb != NULL) {
		c->cb = cb;
		c->arg = arg;
	}
	if (max_bytes == 0)
		max_bytes = FOLLOW_BUDGET;
	if (c->job == NULL) {
		if (now_ms < c->restart_ms)
			return 0;
		cmd_start(c, now_ms);
		return FOLLOW_CHANGED;
	}
	/* with a loop its output came already; this reaps if need be */
	c->got = 0;
	c->now = now_ms;
	job_set_budget(c->job, max_bytes);
	job_poll(c->job, now_ms);
	running = c->job != NULL;
	if (!running)
		return FOLLOW_CHANGED;
	return c->got >= max_bytes ? FOLLOW_MORE : 0;
}

/* See cmdfollow.h. */
enum follow_state
cmdfollow_state(const struct cmdfollow *c)
{
	return c->job != NULL ? FOLLOW_LIVE : FOLLOW_UNREADABLE;
}

/* See cmdfollow.h. */
const char *
cmdfollow_error(const struct cmdfollow *c)
{
	return c->job != NULL ? NULL : c->message;
}

/* See cmdfollow.h. */
unsigned
cmdfollow_starts(const struct cmdfollow *c)
{
	return c->starts;
}

/* See cmdfollow.h. */
const char *
cmdfollow_name(const struct cmdfollow *c)
{
	return c->argv[0];
}

/* See cmdfollow.h. */
void
cmdfollow_close(struct cmdfollow *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	job_free(c->job);
	for (i = 0; c->argv[i] != NULL; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->buf);
	free(c);
}

/* source_ops open: a command here, its pipes watched by the loop. */
static void *
cmd_src_open(const struct source_spec *spec, const struct source_cbs *cbs)
{
	return cmdfollow_open_loop(spec->argv, NULL, cbs->line, cbs->arg);
}

/* source_ops close. */
static void
cmd_src_close(void *self)
{
	cmdfollow_close(self);
}

/* source_ops poll: start it when due (watched by the env's loop),
   notice its end. */
static int
cmd_src_poll(void *self, const struct source_env *env, int64_t now_ms,
    size_t budget)
{
	struct cmdfollow	*c = self;

	if (c->job == NULL)
		c->loop = env->loop;
	return cmdfollow_poll(c, now_ms, NULL, NULL, budget);
}

/* source_ops state. */
static enum follow_state
cmd_src_state(const void *self)
{
	return cmdfollow_state(self);
}

/* source_ops error. */
static const char *
cmd_src_error(const void *self)
{
	return cmdfollow_error(self);
}

/* source_ops label. */
static const char *
cmd_src_label(const void *self)
{
	return cmdfollow_name(self);
}

/* A command's output on this machine (source.h). */
const struct source_ops source_command_ops = {
	.name = "command",
	.remote = 0,
	.open = cmd_src_open,
	.close = cmd_src_close,
	.poll = cmd_src_poll,
	.state = cmd_src_state,
	.error = cmd_src_error,
	.label = cmd_src_label,
	.starting = NULL,
};
