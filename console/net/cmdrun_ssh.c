/*
 * cmdrun_ssh.c: a cmdrun on an exec channel of a server's SSH connection
 * (ssh_exec.h), and the words for what went wrong there; see cmdrun.h.
 *
 * The output callback of the channel is ours (cmdrun_take), so stderr is
 * kept the same way for local and remote commands, and so is the
 * judgement of how a command ended; what only SSH adds is sudo, the
 * remote shell's exit 127 and a lost connection.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdrun.h"
#include "cmdrun_int.h"
#include "ssh_conn.h"
#include "ssh_exec.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/shquote.h"
#include "core/trace.h"
#include "core/xmalloc.h"

/* sudo's words before the command (see cmdrun.h for why each). */
static char *const cmdrun_sudo_words[] = { "sudo", "-n", "--", NULL };

/* See cmdrun.h. */
char **
cmdrun_remote_argv(char *const argv[], int sudo)
{
	size_t	 n = 0, k = 0, i;
	char	**v;

	while (argv[n] != NULL)
		n++;
	v = xcalloc(n + 4, sizeof(*v));
	if (sudo)
		for (; cmdrun_sudo_words[k] != NULL; k++)
			v[k] = cmdrun_sudo_words[k];
	for (i = 0; i < n; i++)
		v[k + i] = argv[i];
	return v;
}

/* See cmdrun.h. */
int
cmdrun_remote_line(char *const argv[], int sudo, char *buf, size_t size)
{
	char	**v = cmdrun_remote_argv(argv, sudo);
	int	 argc, n;

	for (argc = 0; v[argc] != NULL; argc++)
		;
	n = shquote_argv(argc, v, buf, size);
	free(v);
	return n;
}

/* Does line (n bytes) hold s? */
static int
cmdrun_has(const char *line, size_t n, const char *s)
{
	size_t	 k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(line + i, s, k) == 0)
			return 1;
	return 0;
}

/* Does line (n bytes) end with s? */
static int
cmdrun_ends(const char *line, size_t n, const char *s)
{
	size_t	 k = strlen(s);

	return n >= k && memcmp(line + n - k, s, k) == 0;
}

/* What one line of stderr says about sudo. */
static enum cmdrun_sudo
cmdrun_sudo_line(const char *p, size_t n, int status)
{
	/* the remote shell has no sudo: "sh: 1: sudo: not found" */
	if (status == 127 && (n < 5 || memcmp(p, "sudo:", 5) != 0) &&
	    (cmdrun_ends(p, n, " sudo: not found") ||
	    cmdrun_ends(p, n, " sudo: command not found")))
		return CMDRUN_SUDO_MISSING;
	if (cmdrun_has(p, n, "is not in the sudoers file") ||
	    cmdrun_has(p, n, "is not allowed to execute") ||
	    cmdrun_has(p, n, "may not run sudo"))
		return CMDRUN_SUDO_DENIED;
	if (n < 6 || memcmp(p, "sudo: ", 6) != 0)
		return CMDRUN_SUDO_NONE;
	if (cmdrun_has(p, n, "a password is required") ||
	    cmdrun_has(p, n, "a terminal is required") ||
	    cmdrun_has(p, n, "no tty present") ||
	    cmdrun_has(p, n, "must have a tty"))
		return CMDRUN_SUDO_PASSWORD;
	if (cmdrun_ends(p, n, ": command not found"))
		return CMDRUN_SUDO_NOTFOUND;
	return CMDRUN_SUDO_NONE;
}

/*
 * The next line at *pp (before e), without its newline or CR: its start,
 * its length in *n, *pp moved past it; NULL at the end.
 */
static const char *
cmdrun_next_line(const char **pp, const char *e, size_t *n)
{
	const char	*p = *pp, *nl;

	if (p >= e)
		return NULL;
	if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
		nl = e;
	*n = (size_t)(nl - p);
	if (*n > 0 && p[*n - 1] == '\r')
		(*n)--;
	*pp = nl < e ? nl + 1 : e;
	return p;
}

/* See cmdrun.h. */
enum cmdrun_sudo
cmdrun_sudo_said(const char *err, size_t len, int status, const char **line,
    size_t *linelen)
{
	const char		*q = err, *e = err + len, *p;
	size_t			 n;
	enum cmdrun_sudo	 said;

	if (status == 0)
		return CMDRUN_SUDO_NONE;
	while ((p = cmdrun_next_line(&q, e, &n)) != NULL) {
		if ((said = cmdrun_sudo_line(p, n, status)) == CMDRUN_SUDO_NONE)
			continue;
		if (line != NULL) {
			*line = p;
			*linelen = n;
		}
		return said;
	}
	return CMDRUN_SUDO_NONE;
}

/*
 * The line of stderr that says what was not found (sanitised, into buf):
 * the last one saying "not found", else the last one.  sshd may have
 * written its own lines first ("Could not chdir to home directory").
 */
static void
cmdrun_notfound_line(const char *err, size_t len, char *buf, size_t size)
{
	const char	*q = err, *e = err + len, *p, *pick = NULL;
	size_t		 n, pickn = 0;
	int		 found = 0;

	while ((p = cmdrun_next_line(&q, e, &n)) != NULL) {
		if (n == 0 || (found && !cmdrun_has(p, n, "not found")))
			continue;
		found = cmdrun_has(p, n, "not found");
		pick = p;
		pickn = n;
	}
	buf[0] = '\0';
	if (pick != NULL)
		sanitize_text(buf, size, pick, pickn > 300 ? 300 : pickn);
}

/* See cmdrun.h. */
void
cmdrun_remote_failure(const struct cmdrun_via *via, int status,
    const char *err, size_t len, char *buf, size_t size, int *full)
{
	const char	*server = via->server != NULL ? via->server : "the server";
	const char	*user = via->user != NULL ? via->user : "its login";
	const char	*line = NULL;
	char		 said[400];
	size_t		 n = 0;

	*full = 1;
	switch (via->sudo ? cmdrun_sudo_said(err, len, status, &line, &n) :
	    CMDRUN_SUDO_NONE) {
	case CMDRUN_SUDO_PASSWORD:
		snprintf(buf, size, "failed: sudo on %s wants a password: give "
		    "%s NOPASSWD for these commands, or connect as root",
		    server, user);
		return;
	case CMDRUN_SUDO_DENIED:
		sanitize_text(said, sizeof(said), line, n > 300 ? 300 : n);
		snprintf(buf, size, "failed: sudo on %s refused %s (%s): give "
		    "%s NOPASSWD for these commands, or connect as root",
		    server, user, said, user);
		return;
	case CMDRUN_SUDO_NOTFOUND:
		sanitize_text(said, sizeof(said), line, n > 300 ? 300 : n);
		snprintf(buf, size, "failed: sudo on %s did not find it (%s): "
		    "is it installed there, in sudo's secure_path?", server,
		    said);
		return;
	case CMDRUN_SUDO_MISSING:
		snprintf(buf, size, "failed: sudo is not installed on %s: "
		    "install it, or connect as root and set sudo = no",
		    server);
		return;
	case CMDRUN_SUDO_NONE:
		break;
	}
	if (status == 127) {
		cmdrun_notfound_line(err, len, said, sizeof(said));
		snprintf(buf, size, "failed: a command was not found on %s "
		    "(exit 127%s%s): is it installed there, and in the PATH "
		    "%s's commands get over SSH?", server, said[0] != '\0' ?
		    ": " : "", said, user);
		return;
	}
	*full = 0;
	snprintf(buf, size, "failed with exit status %d", status);
}

/* ssh_exec's callback: the bytes of a stream. */
static void
cmdrun_ssh_took(void *arg, int stream, const char *p, size_t n)
{
	cmdrun_take(arg, stream, p, n);
}

/* See cmdrun_int.h. */
int
cmdrun_ssh_start(struct cmdrun *r, const struct cmdrun_spec *spec,
    int64_t now_ms, char *err, size_t errlen)
{
	enum ssh_state	 st = ssh_conn_state(r->ssh);
	char		 status[512], **argv;

	if (st != SSH_LIVE && st != SSH_STALE) {
		ssh_conn_status(r->ssh, now_ms, status, sizeof(status));
		snprintf(err, errlen, "%s: not connected (%s)", r->server,
		    status);
		return -1;
	}
	argv = cmdrun_remote_argv(spec->argv, r->sudo);
	r->rx = ssh_exec_start_argv(r->ssh, argv, spec->input, spec->inlen,
	    now_ms, spec->deadline_ms, cmdrun_ssh_took, r, err, errlen);
	free(argv);
	return r->rx != NULL ? 0 : -1;
}

/* See cmdrun_int.h. */
int
cmdrun_ssh_step(struct cmdrun *r, int64_t now_ms)
{
	struct cmdrun_via	 via = { r->ssh, r->server, r->user, r->sudo };
	const char		*why;
	char			 what[sizeof(r->what)];
	int			 rc;

	if ((rc = ssh_exec_result(r->rx)) == 0) {
		if (now_ms < r->deadline + CMDRUN_SSH_GRACE_MS)
			return 0;
		/* the connection's owner did not step it: give up here */
		cmdrun_fail(r, "timed out after %d ms (it may still run on %s)",
		    r->deadline_ms, r->server);
		return -1;
	}
	r->status = ssh_exec_status(r->rx);
	cmdrun_ended(r);
	if (rc == 1) {
		r->state = CR_DONE;
		trace(2, "command %s: exited 0", r->name);
		return 1;
	}
	why = ssh_exec_error(r->rx);
	if (ssh_exec_signal(r->rx)[0] != '\0') {
		r->status = -1;
		cmdrun_fail(r, "was killed by signal %s on %s",
		    ssh_exec_signal(r->rx), r->server);
	} else if (r->status > 0 &&
	    strncmp(why, "exited with status ", 19) == 0) {
		/* it ran: ssh_exec.c words an exit status this way */
		cmdrun_remote_failure(&via, r->status, r->err.text, r->err.len,
		    what, sizeof(what), &r->said_all);
		cmdrun_fail(r, "%s", what);
	} else {
		r->status = -1;
		r->said_all = 1;	/* it may not have run at all */
		if (strncmp(why, "timed out", 9) == 0)
			cmdrun_fail(r, "%s (it may still run on %s)", why,
			    r->server);
		else
			cmdrun_fail(r, "failed over SSH: %s", why);
	}
	return -1;
}

/* See cmdrun_int.h: step the connection and the run until it ends. */
int
cmdrun_ssh_wait(struct cmdrun *r)
{
	struct pollfd	 pfd[SSH_CONN_NFDS];
	int64_t		 now;
	int		 rc, ms, cms;
	size_t		 n;

	for (;;) {
		now = loop_now_ms();
		ssh_conn_step(r->ssh, now);
		if ((rc = cmdrun_step(r, now)) != 0)
			return rc;
		n = ssh_conn_fds(r->ssh, pfd);
		ms = ssh_conn_wait_ms(r->ssh, now);
		cms = cmdrun_wait_ms(r, now);
		if (ms < 0 || (cms >= 0 && cms < ms))
			ms = cms;
		if (poll(pfd, n, ms) == -1 && errno != EINTR)
			return -1;
	}
}
