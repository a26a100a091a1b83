/*
 * policy_svc.c: the policy service with its audit, output and detector
 * feed (policy_svc.h).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "act/audit.h"
#include "config/config.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/trace.h"
#include "core/xmalloc.h"
#include "detect/detector.h"
#include "policy_svc.h"

struct policy_svc {
	struct loop		*loop;
	struct policy_srv	*srv;
	struct policy_deny	*deny;
	struct policy_svc_config cfg;
	char			*server;
	int			 timer;
	int			 audit_fd;	/* watched by us, or -1 */
	size_t			 inflight;	/* refusals the audit has */
	uint64_t		 unaudited;	/* beyond POLICY_AUDIT_INFLIGHT */
	uint64_t		 said_errors;	/* errors when last said */
	uint64_t		 said_unaudited;
};

/* The audit's worker finished writes: run their callbacks. */
static void
svc_on_audit(int fd, short revents, void *arg)
{
	struct policy_svc	*v = arg;

	(void)audit_poll(v->cfg.audit);
}

/* audit_outcome() callback: one refusal fewer in flight. */
static void
svc_on_outcome(int64_t id, const char *err, void *arg)
{
	struct policy_svc	*v = arg;

	if (v->inflight > 0)
		v->inflight--;
}

/* audit_intent() callback: the refusal's row is durable; it is done. */
static void
svc_on_intent(int64_t id, const char *err, void *arg)
{
	struct policy_svc	*v = arg;

	if (id <= 0) {
		if (v->inflight > 0)
			v->inflight--;
		v->cfg.print("policy: the audit could not record a refusal: "
		    "%s", err != NULL ? err : "unknown error");
		return;
	}
	if (audit_outcome(v->cfg.audit, id, AUDIT_DONE, -1, "refused", NULL,
	    0, NULL, svc_on_outcome, v) == -1 && v->inflight > 0)
		v->inflight--;
}

/* A refusal: into the audit, and said. */
static void
svc_on_refused(void *arg, const struct policy_req *r, const char *why)
{
	struct policy_svc	*v = arg;
	struct audit_rec	 rec;
	char			 ip[64], target[POLICY_RCPT_MAX + 200];
	char			 acct[ACCOUNT_MAX * 4 + 1];
	char			 rcpt[POLICY_RCPT_MAX * 4 + 1];

	if (r->client.family != 0)
		mail_ip_format(&r->client, ip, sizeof(ip));
	else
		snprintf(ip, sizeof(ip), "unknown");
	sanitize_text(acct, sizeof(acct), r->account, r->account_len);
	sanitize_text(rcpt, sizeof(rcpt), r->rcpt, r->rcpt_len);
	v->cfg.print("policy: refused %s <%s> of %s from %s on %s: %s",
	    r->state[0] != '\0' ? r->state : "request", rcpt, acct, ip,
	    v->server, why);
	trace(1, "policy: refused <%s> of %s from %s on %s: %s", rcpt, acct, ip,
	    v->server, why);
	if (v->cfg.audit == NULL)
		return;
	if (v->inflight >= POLICY_AUDIT_INFLIGHT) {
		/* said by the timer: a flood must not grow the queue */
		v->unaudited++;
		return;
	}
	/* attacker text is stored as it came, through bound parameters */
	snprintf(target, sizeof(target), "%s <%.*s> from %s (%s)",
	    r->state[0] != '\0' ? r->state : "request", (int)r->rcpt_len,
	    r->rcpt, ip, why);
	memset(&rec, 0, sizeof(rec));
	rec.operator = "policy";
	rec.server = v->server;
	rec.account = r->account;
	rec.action = "policy-refuse";
	rec.target = target;
	if (audit_intent(v->cfg.audit, &rec, svc_on_intent, v) == 0)
		v->inflight++;
	else
		v->unaudited++;
}

/* A request with a login: the detector sees the submission now. */
static void
svc_on_request(void *arg, const struct policy_req *r)
{
	struct policy_svc	*v = arg;
	struct mail_event	 ev;
	struct timespec		 ts;

	/* one submission per message: its first recipient */
	if (v->cfg.det == NULL || r->rcpt_count != 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_SUBMIT;
	ev.service = SVC_SMTP;
	ev.flags = EVF_EARLY;
	ev.time = ts.tv_sec;
	ev.usec = (int32_t)(ts.tv_nsec / 1000);
	ev.account.p = r->account;
	ev.account.len = r->account_len;
	ev.client = r->client;
	ev.rcpt.p = r->rcpt;
	ev.rcpt.len = r->rcpt_len;
	detector_feed(v->cfg.det, &ev);
}

/* The counts by fault, "3 overlong line, 1 bad sasl_username". */
static void
svc_faults(const struct policy_counts *c, char *buf, size_t size)
{
	size_t	f, off = 0;
	int	n;

	buf[0] = '\0';
	for (f = 1; f < PF_COUNT && off < size; f++) {
		if (c->fault[f] == 0)
			continue;
		n = snprintf(buf + off, size - off, "%s%llu %s",
		    off > 0 ? ", " : "", (unsigned long long)c->fault[f],
		    policy_fault_name((enum policy_fault)f));
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* Timer: say what went wrong since the last time, if anything did. */
static void
svc_on_timer(void *arg)
{
	struct policy_svc		*v = arg;
	const struct policy_counts	*c = policy_srv_counts(v->srv);
	const char			*news;
	char				 faults[512];

	if ((news = policy_deny_news(v->deny)) != NULL)
		v->cfg.print("%s", news);
	if (c->errors != v->said_errors) {
		svc_faults(c, faults, sizeof(faults));
		v->cfg.print("policy: %llu bad request%s answered DUNNO so "
		    "far: %s", (unsigned long long)c->errors,
		    c->errors == 1 ? "" : "s", faults);
		v->said_errors = c->errors;
	}
	if (v->unaudited != v->said_unaudited) {
		v->cfg.print("policy: %llu refusals not written to the audit "
		    "one by one (it is behind); they are counted at the end",
		    (unsigned long long)v->unaudited);
		v->said_unaudited = v->unaudited;
	}
}

/* The server's fault hook: the first one is said at once. */
static void
svc_on_fault(void *arg, enum policy_fault f)
{
	struct policy_svc	*v = arg;

	trace(2, "policy: bad request on %s: %s; answered DUNNO", v->server,
	    policy_fault_name(f));
	if (v->said_errors == 0)
		svc_on_timer(v);
}

/* stdin ended. */
static void
svc_on_eof(void *arg)
{
	struct policy_svc	*v = arg;

	if (v->cfg.eof != NULL)
		v->cfg.eof(v->cfg.eof_arg);
}

/* See policy_svc.h. */
int
policy_svc_deny_of(const struct server_config *sc, const char **path,
    policy_deny_line *line, char *err, size_t errlen)
{
	const struct mail_backend	*auth = server_auth(sc);
	const struct backend_option	*o;
	const char			*v;

	if (auth->accounts == NULL || auth->accounts->deny_list == NULL ||
	    auth->accounts->deny_line == NULL) {
		snprintf(err, errlen, "policy: server %s: %s keeps no deny "
		    "list the policy service can read", sc->name, auth->name);
		return -1;
	}
	v = config_action_opt(&sc->act, auth->accounts->deny_list);
	if (v == NULL && (o = backend_option_find(auth->accounts->deny_list,
	    NULL)) != NULL)
		v = o->def;
	if (v == NULL) {
		snprintf(err, errlen, "policy: server %s: set %s in its "
		    "[server %s] section (the file suspend writes)", sc->name,
		    auth->accounts->deny_list, sc->name);
		return -1;
	}
	*path = v;
	*line = auth->accounts->deny_line;
	return 0;
}

/* See policy_svc.h. */
struct policy_svc *
policy_svc_start(struct loop *l, const struct policy_svc_config *cfg,
    char *err, size_t errlen)
{
	struct policy_svc	*v;
	struct policy_hooks	 h;
	const char *const	*a;
	const char		*news;

	v = xcalloc(1, sizeof(*v));
	v->loop = l;
	v->cfg = *cfg;
	v->server = xstrdup(cfg->server != NULL ? cfg->server : "local");
	v->audit_fd = -1;
	v->deny = policy_deny_new();
	if (cfg->deny_path != NULL && cfg->deny_line != NULL)
		(void)policy_deny_file(v->deny, cfg->deny_path,
		    cfg->deny_line);
	memset(&h, 0, sizeof(h));
	h.request = svc_on_request;
	h.refused = svc_on_refused;
	h.fault = svc_on_fault;
	h.eof = svc_on_eof;
	h.arg = v;
	v->srv = policy_srv_new(l, v->deny, &h);
	for (a = cfg->listen; a != NULL && *a != NULL; a++)
		if (strcmp(*a, "-") == 0)
			policy_srv_pipe(v->srv, STDIN_FILENO, cfg->stdout_fd);
		else if (policy_srv_listen(v->srv, *a, err, errlen) == -1) {
			policy_svc_stop(v);
			return NULL;
		}
	if (cfg->audit != NULL && (v->audit_fd = audit_fd(cfg->audit)) != -1 &&
	    loop_add_fd(l, v->audit_fd, POLLIN, svc_on_audit, v) == -1)
		v->audit_fd = -1;	/* someone polls it already */
	v->timer = loop_add_timer(l, POLICY_SAY_MS, 1, svc_on_timer, v);
	if ((news = policy_deny_news(v->deny)) != NULL)
		cfg->print("%s", news);
	return v;
}

/* See policy_svc.h. */
void
policy_svc_decide(struct policy_svc *v, const char *account)
{
	char	who[ACCOUNT_MAX * 4 + 1];

	if (v == NULL)
		return;
	policy_deny_decide(v->deny, account, 1);
	trace(1, "policy: refusing %s on %s from now: the containment "
	    "decided to suspend it", sanitize_str(who, sizeof(who), account),
	    v->server);
}

/* See policy_svc.h. */
void
policy_svc_settle(struct policy_svc *v, const char *account, int ok)
{
	char	who[ACCOUNT_MAX * 4 + 1];

	if (v == NULL)
		return;
	if (!ok || policy_deny_listed(v->deny, account, strlen(account))) {
		policy_deny_decide(v->deny, account, 0);
		trace(1, "policy: %s on %s: %s", sanitize_str(who, sizeof(who),
		    account), v->server, ok ? "the deny list decides from "
		    "now" : "its suspension failed: no longer refused");
	}
}

/* See policy_svc.h. */
const struct policy_counts *
policy_svc_counts(const struct policy_svc *v)
{
	return policy_srv_counts(v->srv);
}

/* See policy_svc.h. */
void
policy_svc_stop(struct policy_svc *v)
{
	const struct policy_counts	*c;
	char				 faults[512];

	if (v == NULL)
		return;
	c = policy_srv_counts(v->srv);
	if (c->requests > 0 || c->conns > 0) {
		svc_faults(c, faults, sizeof(faults));
		v->cfg.print("policy: %llu requests, %llu refused, %llu bad "
		    "(answered DUNNO%s%s), %llu connections, %llu dropped%s",
		    (unsigned long long)c->requests,
		    (unsigned long long)c->refused,
		    (unsigned long long)c->errors, faults[0] ? ": " : "",
		    faults, (unsigned long long)c->conns,
		    (unsigned long long)c->conns_dropped,
		    v->unaudited > 0 ? "; some refusals not audited one by "
		    "one" : "");
	}
	if (v->unaudited > 0 && v->cfg.audit != NULL) {
		struct audit_rec	rec;
		char			target[128];

		snprintf(target, sizeof(target), "%llu refusals not recorded "
		    "one by one", (unsigned long long)v->unaudited);
		memset(&rec, 0, sizeof(rec));
		rec.operator = "policy";
		rec.server = v->server;
		rec.account = "";
		rec.action = "policy-refuse";
		rec.target = target;
		(void)audit_intent_sync(v->cfg.audit, &rec);
	}
	if (v->cfg.audit != NULL) {
		/* the callbacks name v: run them all before it goes */
		while (v->inflight > 0) {
			(void)audit_sync(v->cfg.audit);
			if (audit_poll(v->cfg.audit) == -1)
				break;
		}
		if (v->audit_fd != -1)
			loop_del_fd(v->loop, v->audit_fd);
	}
	if (v->timer != -1)
		loop_del_timer(v->loop, v->timer);
	policy_srv_free(v->srv);
	policy_deny_free(v->deny);
	free(v->server);
	free(v);
}
