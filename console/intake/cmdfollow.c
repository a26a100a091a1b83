/* cmdfollow.c: a command's output followed like a log file, restarted. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdfollow.h"
#include "core/child.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

#define CMD_BUF		(64u * 1024)	/* a line longer than this is cut */
#define CMD_BACKOFF_MS	5000
#define CMD_BACKOFF_MAX	60000

struct cmdfollow {
	char		**argv;
	pid_t		 pid;		/* -1: not running */
	int		 out, err;	/* pipes, -1 when closed */
	int		 execfd;	/* errno of a failed exec */
	char		*buf;		/* partial line */
	size_t		 len;
	int		 skipping;	/* inside an overlong line */
	char		 errtext[256];	/* first line of stderr */
	char		 message[512];	/* why it is not running */
	int64_t		 restart_ms;	/* when to start again */
	int		 backoff_ms;
	unsigned	 starts;
};

/* See cmdfollow.h. */
struct cmdfollow *
cmdfollow_open(char *const argv[])
{
	struct cmdfollow	*c = xcalloc(1, sizeof(*c));
	size_t			 n, i;

	for (n = 0; argv[n] != NULL; n++)
		;
	c->argv = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		c->argv[i] = xstrdup(argv[i]);
	c->pid = -1;
	c->out = c->err = c->execfd = -1;
	c->buf = xmalloc(CMD_BUF);
	c->backoff_ms = CMD_BACKOFF_MS;
	snprintf(c->message, sizeof(c->message), "%s: starting", argv[0]);
	return c;
}

/* Start the command; on failure the message says why. */
static void
cmd_start(struct cmdfollow *c)
{
	int	 out[2] = { -1, -1 }, err[2] = { -1, -1 }, ex[2] = { -1, -1 };
	pid_t	 pid;

	if (pipe(out) == -1 || child_setup(out) == -1 || pipe(err) == -1 ||
	    child_setup(err) == -1 || pipe(ex) == -1 ||
	    child_setup(ex) == -1) {
		snprintf(c->message, sizeof(c->message), "%s: cannot make a "
		    "pipe: %s", c->argv[0], strerror(errno));
		goto fail;
	}
	if ((pid = child_spawn(c->argv, -1, out[1], err[1], ex[1])) == -1) {
		snprintf(c->message, sizeof(c->message), "%s: cannot fork: %s",
		    c->argv[0], strerror(errno));
		goto fail;
	}
	child_close(&out[1]);
	child_close(&err[1]);
	child_close(&ex[1]);
	c->pid = pid;
	c->out = out[0];
	c->err = err[0];
	c->execfd = ex[0];
	c->len = 0;
	c->skipping = 0;
	c->errtext[0] = '\0';
	c->starts++;
	return;
fail:
	child_close(&out[0]);
	child_close(&out[1]);
	child_close(&err[0]);
	child_close(&err[1]);
	child_close(&ex[0]);
	child_close(&ex[1]);
}

/* Keep the first line the command wrote on stderr (sanitised). */
static void
cmd_read_stderr(struct cmdfollow *c)
{
	char	 tmp[512], *nl;
	ssize_t	 n;

	while (c->err != -1 && (n = read(c->err, tmp, sizeof(tmp) - 1)) != 0) {
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				child_close(&c->err);
			return;
		}
		tmp[n] = '\0';
		if (c->errtext[0] == '\0') {
			if ((nl = memchr(tmp, '\n', (size_t)n)) != NULL)
				n = nl - tmp;
			sanitize_text(c->errtext, sizeof(c->errtext), tmp,
			    (size_t)n);
		}
	}
	child_close(&c->err);
}

/* The command is gone: reap it, say why, plan the restart. */
static void
cmd_ended(struct cmdfollow *c, int64_t now_ms)
{
	int	 status = 0, e;
	char	 why[64];

	cmd_read_stderr(c);
	if ((e = child_exec_errno(&c->execfd)) != 0)
		snprintf(c->errtext, sizeof(c->errtext), "cannot run it: %s",
		    strerror(e));
	child_close(&c->out);
	child_close(&c->err);
	/* It closed its output: it has exited, or is made to now. */
	if (waitpid(c->pid, &status, WNOHANG) == 0) {
		usleep(10000);
		if (waitpid(c->pid, &status, WNOHANG) == 0) {
			kill(-c->pid, SIGKILL);
			(void)waitpid(c->pid, &status, 0);
		}
	}
	kill(-c->pid, SIGKILL);	/* anything it left in its group */
	if (WIFEXITED(status))
		snprintf(why, sizeof(why), "exited with status %d",
		    WEXITSTATUS(status));
	else
		snprintf(why, sizeof(why), "killed by signal %d",
		    WTERMSIG(status));
	snprintf(c->message, sizeof(c->message), "%s %s%s%s; retrying in %d s",
	    c->argv[0], why, c->errtext[0] ? ": " : "", c->errtext,
	    c->backoff_ms / 1000);
	c->pid = -1;
	c->restart_ms = now_ms + c->backoff_ms;
	if (c->backoff_ms < CMD_BACKOFF_MAX)
		c->backoff_ms *= 2;
}

/* See cmdfollow.h. */
int
cmdfollow_poll(struct cmdfollow *c, int64_t now_ms, follow_line_cb cb,
    void *arg, size_t max_bytes)
{
	char	*nl, *p;
	size_t	 got = 0, rest;
	ssize_t	 n;
	int	 rc = 0;

	if (max_bytes == 0)
		max_bytes = FOLLOW_BUDGET;
	if (c->pid == -1) {
		if (now_ms < c->restart_ms)
			return 0;
		cmd_start(c);
		return FOLLOW_CHANGED;
	}
	cmd_read_stderr(c);
	while (got < max_bytes) {
		n = read(c->out, c->buf + c->len, CMD_BUF - c->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return rc;
		if (n <= 0) {
			cmd_ended(c, now_ms);
			return rc | FOLLOW_CHANGED;
		}
		if (c->starts > 0 && c->backoff_ms > CMD_BACKOFF_MS)
			c->backoff_ms = CMD_BACKOFF_MS;	/* it works again */
		got += (size_t)n;
		c->len += (size_t)n;
		p = c->buf;
		rest = c->len;
		while ((nl = memchr(p, '\n', rest)) != NULL) {
			*nl = '\0';
			if (!c->skipping)
				cb(p, (size_t)(nl - p), 0, arg);
			c->skipping = 0;
			rest -= (size_t)(nl - p) + 1;
			p = nl + 1;
		}
		if (rest == CMD_BUF) {
			/* no newline in a whole buffer: cut, drop the rest */
			if (!c->skipping)
				cb(p, rest, FOLLOW_LINE_TRUNCATED, arg);
			c->skipping = 1;
			rest = 0;
		}
		memmove(c->buf, p, rest);
		c->len = rest;
	}
	return rc | FOLLOW_MORE;
}

/* See cmdfollow.h. */
enum follow_state
cmdfollow_state(const struct cmdfollow *c)
{
	return c->pid != -1 ? FOLLOW_LIVE : FOLLOW_UNREADABLE;
}

/* See cmdfollow.h. */
const char *
cmdfollow_error(const struct cmdfollow *c)
{
	return c->pid != -1 ? NULL : c->message;
}

/* See cmdfollow.h. */
unsigned
cmdfollow_starts(const struct cmdfollow *c)
{
	return c->starts;
}

/* See cmdfollow.h. */
void
cmdfollow_close(struct cmdfollow *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	if (c->pid != -1) {
		kill(-c->pid, SIGKILL);
		(void)waitpid(c->pid, NULL, 0);
	}
	child_close(&c->out);
	child_close(&c->err);
	child_close(&c->execfd);
	for (i = 0; c->argv[i] != NULL; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->buf);
	free(c);
}
