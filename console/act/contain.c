/*
 * contain.c: run one containment action as a program of steps without
 * blocking; see contain.h.  This is the action's life: its checks before
 * anything runs, the loop's view of it (descriptors, steps, waits), its
 * result and its end.  Each step (contain_step.c) is an audited command of
 * the server's backends, a read of the queue or a queue operation; the
 * phases (contain_phase.c) decide what follows each.  On a server behind
 * SSH every step runs over req.ssh (c->via), with the same commands,
 * values and checks as here.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "contain.h"
#include "contain_int.h"
#include "queue.h"
#include "queue_op.h"
#include "queue_take.h"
#include "sshtarget.h"
#include "wiring.h"
#include "backends/backend.h"
#include "core/action.h"
#include "core/sanitize.h"
#include "core/secret.h"
#include "core/xmalloc.h"
#include "net/cmdrun.h"
#include "net/ssh_conn.h"

/* Monotonic milliseconds. */
static int64_t
contain_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Process ids, decimal, one space between, at most CONTAIN_PIDS_MAX. */
static int
contain_pids_ok(const char *s)
{
	size_t	 n = 0;
	int	 digit = 0;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			if (!digit)
				n++;
			digit = 1;
		} else if (*s == ' ' && digit && s[1] != '\0')
			digit = 0;
		else
			return 0;
	}
	return digit && n <= CONTAIN_PIDS_MAX;
}

/* Whether the word pid is one of list's (space separated). */
static int
contain_pid_in(const char *list, const char *pid, size_t len)
{
	const char	*p = list;
	size_t		 n;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, " ");
		if (n == len && memcmp(p, pid, len) == 0)
			return 1;
		p += n;
		p += strspn(p, " ");
	}
	return 0;
}

/* The first pass's pids, or the second's: those not given to the first
   (ended, or no session of its then).  An allocated list, or NULL. */
static char *
contain_pids_now(struct contain *c, int second)
{
	char		 buf[CONTAIN_PIDS_MAX * 11 + 1], *out;
	const char	*p;
	size_t		 n, len = 0;

	buf[0] = '\0';
	if (c->req.pids_now(c->req.pids_arg, buf, sizeof(buf)) == 0 ||
	    !contain_pids_ok(buf))
		buf[0] = '\0';
	out = xmalloc(sizeof(buf));
	for (p = buf; *p != '\0'; p += strspn(p, " ")) {
		n = strcspn(p, " ");
		if (!second || !contain_pid_in(c->pids_ended, p, n)) {
			memcpy(out + len, p, n);
			len += n;
			out[len++] = ' ';
		}
		p += n;
	}
	if (len == 0) {
		free(out);
		return NULL;
	}
	out[len - 1] = '\0';
	return out;
}

/* See contain_int.h. */
int
contain_pids_refresh(struct contain *c, int second)
{
	char	 abuf[CONTAIN_ADDRS_MAX * 46 + 1];

	if (c->req.pids_now != NULL) {
		free(c->pids);
		c->pids = contain_pids_now(c, second);
		if (!second) {
			free(c->pids_ended);
			c->pids_ended = c->pids != NULL ? xstrdup(c->pids) :
			    NULL;
		}
	}
	free(c->addrs);
	c->addrs = NULL;
	abuf[0] = c->spared[0] = '\0';
	if (c->req.addrs_now != NULL && c->req.addrs_now(c->req.pids_arg,
	    abuf, sizeof(abuf), c->spared, sizeof(c->spared)) > 0)
		c->addrs = xstrdup(abuf);
	if (c->spared[0] != '\0')
		snprintf(c->spared_say, sizeof(c->spared_say), "%s",
		    c->spared);
	return c->pids != NULL || c->addrs != NULL;
}

/* See contain_int.h. */
void
contain_say(struct contain *c, const char *fmt, ...)
{
	size_t	 len = strlen(c->res.text);
	va_list	 ap;

	if (len > 0 && len + 2 < sizeof(c->res.text)) {
		memcpy(c->res.text + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(c->res.text + len, sizeof(c->res.text) - len, fmt, ap);
	va_end(ap);
}

/* The password made for this action, as a secrets list (or NULL). */
const char *const *
contain_secrets(const struct contain *c, const char *list[2])
{
	if (c->res.password[0] == '\0')
		return NULL;
	list[0] = c->res.password;
	list[1] = NULL;
	return list;
}

/* See contain_int.h. */
void
contain_finish(struct contain *c, enum contain_outcome o)
{
	const char	*list[2];
	size_t		 i;

	/* why a session of its may still be open: the admin's to judge */
	if (c->spared_say[0] != '\0') {
		contain_say(c, "%s", c->spared_say);
		c->spared_say[0] = '\0';
	}
	c->res.outcome = o;
	c->phase = P_FINISHED;
	/* a command that echoed the password it was given: not on screen */
	secret_scrub(c->res.text, strlen(c->res.text), sizeof(c->res.text),
	    contain_secrets(c, list), 1);
	secret_scrub(c->res.verify, strlen(c->res.verify),
	    sizeof(c->res.verify), contain_secrets(c, list), 1);
	if (c->audit == NULL || c->res.verified == -1)
		return;
	for (i = 0; i < c->nrows; i++)
		audit_verified(c->audit, c->rows[i], c->res.verified,
		    c->res.verify, contain_secrets(c, list), NULL, NULL);
}

/* See contain_int.h. */
void
contain_verified(struct contain *c, int ok, const char *fmt, ...)
{
	va_list	 ap;

	c->res.verified = ok;
	va_start(ap, fmt);
	vsnprintf(c->res.verify, sizeof(c->res.verify), fmt, ap);
	va_end(ap);
}

/*
 * A server behind SSH: its commands go over req.ssh, which must be live
 * (or stale: a slow link may still carry them).  0, or -1 when refused.
 */
static int
contain_remote(struct contain *c, int64_t now_ms)
{
	enum ssh_state	 st;
	char		 err[512], where[256];

	if (c->sc->ssh.host == NULL)
		return 0;
	if (sshtarget_via(c->sc, c->req.ssh, &c->via, c->via_user,
	    sizeof(c->via_user), err, sizeof(err)) == -1) {
		contain_say(c, "refused, nothing run: %s", err);
		contain_finish(c, CO_REFUSED);
		return -1;
	}
	st = ssh_conn_state(c->req.ssh);
	if (st != SSH_LIVE && st != SSH_STALE) {
		ssh_conn_status(c->req.ssh, now_ms, err, sizeof(err));
		contain_say(c, "refused, nothing run: %s: not connected (%s)",
		    c->sc->name, err);
		contain_finish(c, CO_REFUSED);
		return -1;
	}
	sshtarget_where(c->sc, where, sizeof(where));
	snprintf(c->via_where, sizeof(c->via_where), "over SSH as %s%s",
	    where, c->sc->ssh.sudo ? " through sudo" : "");
	return 0;
}

/*
 * A dry run of a server behind SSH that is not connected now is still
 * described, its checks said as not made: 1 with c->offline set.
 */
static int
contain_dry_offline(struct contain *c, int64_t now_ms)
{
	enum ssh_state	 st;
	char		 err[256];

	if (c->sc->ssh.host == NULL)
		return 0;
	if (c->req.ssh == NULL) {
		snprintf(c->offline, sizeof(c->offline), "%s: not connected",
		    c->sc->name);
		return 1;
	}
	st = ssh_conn_state(c->req.ssh);
	if (st == SSH_LIVE || st == SSH_STALE)
		return 0;
	ssh_conn_status(c->req.ssh, now_ms, err, sizeof(err));
	snprintf(c->offline, sizeof(c->offline), "%s: not connected (%s)",
	    c->sc->name, err);
	return 1;
}

/* See contain.h. */
int
contain_account_ok(enum contain_action a, const char *account, char *why,
    size_t size)
{
	/* the queue actions move ids; the name never reaches a command */
	if (a == CA_HOLD || a == CA_RELEASE || a == CA_PURGE)
		return action_login_ok(account, why, size);
	return action_account_ok(account, why, size);
}

/* See contain.h. */
struct contain *
contain_start(const struct contain_request *req, struct audit *audit,
    int64_t now_ms)
{
	struct contain	*c = xcalloc(1, sizeof(*c));
	char		 shown[80], reason[512], why[256];

	c->req = *req;
	c->sc = req->server;
	c->mta = server_mta(c->sc);
	c->auth = server_auth(c->sc);
	c->audit = audit;
	c->res.verified = -1;
	c->deadline_ms = req->deadline_ms > 0 ? req->deadline_ms :
	    CONTAIN_STEP_MS;
	snprintf(c->operator, sizeof(c->operator), "%s",
	    req->operator != NULL ? req->operator : "");
	c->req.account = c->account;
	c->req.operator = c->operator;
	c->req.pids = NULL;
	if (req->action != CA_SUSPEND || req->sandbox) {
		c->req.pids_now = NULL;
		c->req.addrs_now = NULL;
	}
	if (req->pids != NULL && contain_pids_ok(req->pids))
		c->pids = xstrdup(req->pids);
	if (req->account == NULL ||
	    !contain_account_ok(req->action, req->account, why, sizeof(why))) {
		sanitize_text(shown, sizeof(shown), req->account != NULL ?
		    req->account : "", req->account != NULL ?
		    strlen(req->account) : 0);
		contain_say(c, "refused, nothing run: the account \"%s\" %s",
		    shown, req->account == NULL ? "is missing" : why);
		contain_finish(c, CO_REFUSED);
		return c;
	}
	snprintf(c->account, sizeof(c->account), "%s", req->account);
	if ((unsigned)req->action >= CA_COUNT || c->sc == NULL ||
	    !contain_capable(c->sc, req->action, reason, sizeof(reason))) {
		contain_say(c, "refused, nothing run: %s", c->sc == NULL ?
		    "no server" : (unsigned)req->action >= CA_COUNT ?
		    "no such action" : reason);
		contain_finish(c, CO_REFUSED);
		return c;
	}
	if (req->dry_run && contain_dry_offline(c, now_ms)) {
		contain_dry_run(c);	/* described, its checks not made */
		return c;
	}
	if (contain_remote(c, now_ms) == -1)
		return c;
	if (req->dry_run)
		return c;	/* reads, changes nothing: no audit */
	if (req->count_only) {
		if (req->action < CA_HOLD) {
			contain_say(c, "refused: only queued mail can be "
			    "counted");
			contain_finish(c, CO_REFUSED);
		}
		return c;	/* reads, changes nothing: no audit */
	}
	if (audit == NULL) {
		contain_say(c, "refused, nothing run: the audit log is not "
		    "open, and nothing runs unaudited");
		contain_finish(c, CO_REFUSED);
		return c;
	}
	if (req->action == CA_RESET &&
	    cp_password(c->res.password, sizeof(c->res.password)) == -1) {
		contain_say(c, "refused, nothing run: no random numbers from "
		    "the kernel (%s)", strerror(errno));
		contain_finish(c, CO_REFUSED);
		return c;
	}
	return c;
}

/* See contain.h. */
size_t
contain_fds(const struct contain *c, struct pollfd *pfd)
{
	size_t	 n = 0;

	switch (c->op) {
	case OP_AUDIT:
		pfd[0].fd = audit_fd(c->audit);
		pfd[0].events = POLLIN;
		return 1;
	case OP_CMD:
		return c->cmd != NULL ? cmdrun_fds(c->cmd, pfd) : 0;
	case OP_QREAD:
		if (queue_read_fd(c->qr) != -1) {
			pfd[n].fd = queue_read_fd(c->qr);
			pfd[n++].events = POLLIN;
		}
		if (queue_read_errfd(c->qr) != -1) {
			pfd[n].fd = queue_read_errfd(c->qr);
			pfd[n++].events = POLLIN;
		}
		return n;
	case OP_QOP:
		return c->qo != NULL ? queue_op_fds(c->qo, pfd) : 0;
	case OP_QTAKE:
		return c->qt != NULL ? queue_take_fds(c->qt, pfd) : 0;
	case OP_WIRE:
		return wiring_fds(c->wire, pfd);
	default:
		return 0;
	}
}

/* See contain.h. */
int
contain_step(struct contain *c, int64_t now_ms)
{
	for (;;) {
		switch (c->op) {
		case OP_AUDIT:
			(void)audit_poll(c->audit);
			if (c->op == OP_AUDIT)
				return 0;
			continue;
		case OP_CMD:
			if (!contain_cmd_step(c, now_ms))
				return 0;
			break;
		case OP_QREAD:
			if (!contain_qread_step(c, now_ms, c->phase))
				return 0;
			break;
		case OP_QOP:
			if (!contain_qop_step(c, now_ms))
				return 0;
			break;
		case OP_QTAKE:
			if (!contain_take_step(c, now_ms))
				return 0;
			break;
		case OP_WIRE:
			if (!wiring_step(c->wire, now_ms))
				return 0;
			contain_wire_done(c);
			break;
		case OP_NONE:
			break;
		}
		contain_step_clear(c);
		if (c->phase == P_FINISHED)
			return 1;
		contain_advance(c, now_ms);
	}
}

/* See contain.h. */
int
contain_wait_ms(const struct contain *c, int64_t now_ms)
{
	switch (c->op) {
	case OP_AUDIT:
		return 100;
	case OP_CMD:
		return c->cmd != NULL ? cmdrun_wait_ms(c->cmd, now_ms) : 0;
	case OP_QREAD:
		return queue_read_wait_ms(c->qr, now_ms);
	case OP_QOP:
		return c->qo != NULL ? queue_op_wait_ms(c->qo, now_ms) : 0;
	case OP_QTAKE:
		return c->qt != NULL ? queue_take_wait_ms(c->qt, now_ms) : 0;
	case OP_WIRE:
		return wiring_wait_ms(c->wire, now_ms);
	default:
		return c->phase == P_FINISHED ? -1 : 0;
	}
}

/*
 * See contain.h.  Nothing else steps a server's connection here, so this
 * does: its fd is polled beside the action's, and ssh_conn_step() runs
 * before each step (it moves the remote commands on).
 */
enum contain_outcome
contain_wait(struct contain *c)
{
	struct pollfd	 pfd[CONTAIN_NFDS + SSH_CONN_NFDS];
	struct ssh_conn	*ssh = c->via.ssh;
	size_t		 n;
	int		 ms, sms;

	for (;;) {
		if (ssh != NULL)
			ssh_conn_step(ssh, contain_now_ms());
		if (contain_step(c, contain_now_ms()) != 0)
			break;
		n = contain_fds(c, pfd);
		ms = contain_wait_ms(c, contain_now_ms());
		if (ssh != NULL) {
			n += ssh_conn_fds(ssh, pfd + n);
			sms = ssh_conn_wait_ms(ssh, contain_now_ms());
			if (ms < 0 || (sms >= 0 && sms < ms))
				ms = sms;
		}
		if (poll(pfd, n, ms) == -1 && errno != EINTR)
			break;
	}
	return c->res.outcome;
}

/* See contain.h. */
const struct contain_result *
contain_result(const struct contain *c)
{
	return &c->res;
}

/* See contain.h. */
void
contain_free(struct contain *c)
{
	if (c == NULL)
		return;
	cmdrun_free(c->cmd);
	queue_read_free(c->qr);
	queue_op_free(c->qo);
	queue_take_free(c->qt);
	cp_argv_free(c->argv);
	cq_free(c);
	wiring_free(c->wire);
	free(c->wrep);
	free(c->pids);
	free(c->pids_ended);
	free(c->addrs);
	explicit_bzero(c->res.password, sizeof(c->res.password));
	free(c);
}
